/** `artifacts:` (with `reports:`) and `cache:` of a job or of `default:` (GitLab's Entry::Artifacts, Reports, Cache, Key). */
import type { Node } from '../model.js';
import { ARTIFACTS_ACCESS, WHEN_UPLOAD, CACHE_POLICIES, COVERAGE_FORMATS, REPORT_TYPES } from './keywords-nested.js';
import type { Report } from './report.js';
import { durationProblem } from './duration.js';
import { isBlank, isBool, isMap, isNull, isRef, isSeq, isStr, isStringArray, isStringOrStringArray, str } from './values.js';

const UPLOAD = WHEN_UPLOAD;

/** A value written and not null: GitLab's `allow_nil` lets a null through. */
const given = (n: Node | undefined): n is Node => !!n && !isRef(n) && !isNull(n);

/** An expiry GitLab's DurationParser reads: `never` (any case), or a duration written as a string. */
const isExpiry = (n: Node) => isStr(n) && (n.value.toLowerCase() === 'never' || !durationProblem(n.value));

export function validateArtifacts(r: Report, loc: string, node: Node): void {
  if (isRef(node) || isNull(node)) return;
  if (!isMap(node)) {
    r.error('artifacts-invalid', `${loc} config should be a hash`, node);
    return;
  }
  r.unknownKeys(loc, node, 'artifacts');
  const e = node.entries;
  const at = (k: string) => e.get(k)!;
  if (given(e.get('name')) && !isStr(at('name'))) r.error('artifacts-invalid', `${loc} name should be a string`, at('name'));
  for (const k of ['untracked', 'public']) if (given(e.get(k)) && !isBool(at(k))) r.error('artifacts-invalid', `${loc} ${k} should be a boolean value`, at(k));
  for (const k of ['paths', 'exclude']) if (given(e.get(k)) && !isStringArray(at(k))) r.error('artifacts-invalid', `${loc} ${k} should be an array of strings`, at(k));
  const when = e.get('when');
  if (given(when) && !UPLOAD.includes((str(when) ?? '\0') as never)) r.invalidValue(`${loc} when should be one of: ${UPLOAD.join(', ')}`, when, 'artifacts', 'when', UPLOAD);
  // A number of seconds is not a string, so GitLab refuses it.
  const expire = e.get('expire_in');
  if (given(expire) && !isExpiry(expire)) r.error('duration-invalid', `${loc} expire in should be a duration`, expire);
  const expose = e.get('expose_as');
  if (given(expose)) {
    if (!isStr(expose)) r.error('artifacts-invalid', `${loc} expose as should be a string`, expose);
    else if (expose.value.length > 100) r.error('artifacts-invalid', `${loc} expose as is too long (maximum is 100 characters)`, expose);
    else if (!/^\w[-\w ]*$/.test(expose.value)) r.error('artifacts-invalid', `${loc} expose as can contain only letters, digits, '-', '_' and spaces`, expose);
    const paths = e.get('paths');
    if (isBlank(paths)) r.error('artifacts-invalid', `${loc} paths can't be blank`, paths ?? node.keySpans.get('expose_as') ?? expose);
    else if (isSeq(paths) && paths.items.some((p) => isStr(p) && p.value.includes('*'))) r.error('artifacts-invalid', `${loc} paths can't contain '*' when used with 'expose_as'`, paths);
  }
  const access = e.get('access');
  if (given(access) && !ARTIFACTS_ACCESS.includes((str(access) ?? '\0') as never)) {
    r.invalidValue(`${loc} access should be one of: ${ARTIFACTS_ACCESS.join(', ')}`, access, 'artifacts', 'access', ARTIFACTS_ACCESS);
  }
  if (e.has('public') && e.has('access')) r.error('artifacts-invalid', `${loc} config these keys cannot be used together: public, access`, node.keySpans.get('access') ?? node);
  const reports = e.get('reports');
  if (given(reports)) validateReports(r, loc, reports);
}

function validateReports(r: Report, loc: string, node: Node): void {
  if (!isMap(node)) {
    r.error('artifacts-invalid', `${loc} reports should be a hash`, node);
    return;
  }
  const rl = `${loc}:reports`;
  r.unknownKeys(rl, node, 'reports', REPORT_TYPES);
  for (const [k, v] of node.entries) {
    if (!REPORT_TYPES.includes(k as never) || !given(v)) continue;
    if (k === 'coverage_report') {
      validateCoverageReport(r, `${rl}:coverage_report`, v);
      continue;
    }
    if (!isStringOrStringArray(v)) r.error('artifacts-invalid', `${rl} ${k.replace(/_/g, ' ')} should be an array of strings or a string`, v);
  }
}

function validateCoverageReport(r: Report, loc: string, node: Node): void {
  if (!isMap(node)) {
    if (!isRef(node)) r.error('artifacts-invalid', `${loc} config should be a hash`, node);
    return;
  }
  r.unknownKeys(loc, node, 'coverage-report');
  const format = node.entries.get('coverage_format');
  if (isBlank(format)) r.error('artifacts-invalid', `${loc} coverage format can't be blank`, format ?? node);
  if (!COVERAGE_FORMATS.includes((str(format) ?? '\0') as never)) {
    r.invalidValue(`${loc} coverage format must be one of supported formats: ${COVERAGE_FORMATS.join(', ')}.`, format ?? node, 'coverage-report', 'coverage_format', COVERAGE_FORMATS);
  }
  const path = node.entries.get('path');
  if (isBlank(path)) r.error('artifacts-invalid', `${loc} path can't be blank`, path ?? node);
  if (!isStr(path) && !isRef(path)) r.error('artifacts-invalid', `${loc} path should be a string`, path ?? node);
}

/** `cache:` — one hash or a list of at most 4. */
export function validateCache(r: Report, loc: string, node: Node): void {
  if (isRef(node) || isNull(node)) return;
  if (isSeq(node)) {
    if (node.items.length > 4) r.error('cache-invalid', `${loc} config no more than 4 caches can be created`, node);
    for (const item of node.items) if (given(item)) validateOneCache(r, loc, item);
    return;
  }
  if (!isMap(node)) {
    r.error('cache-invalid', `${loc} config can only be a Hash or an Array`, node);
    return;
  }
  validateOneCache(r, loc, node);
}

function validateOneCache(r: Report, loc: string, node: Node): void {
  if (!isMap(node)) {
    r.error('cache-invalid', `${loc} config should be a hash`, node);
    return;
  }
  r.unknownKeys(loc, node, 'cache');
  const e = node.entries;
  for (const k of ['untracked', 'unprotect']) {
    const v = e.get(k);
    if (given(v) && !isBool(v)) r.error('cache-invalid', `${loc}:${k} config should be a boolean value`, v);
  }
  const paths = e.get('paths');
  if (given(paths) && !isStringArray(paths)) r.error('cache-invalid', `${loc}:paths config should be an array of strings`, paths);
  const when = e.get('when');
  if (given(when) && !UPLOAD.includes((str(when) ?? '\0') as never)) r.invalidValue(`${loc} when should be one of: ${UPLOAD.join(', ')}`, when, 'cache', 'when', UPLOAD);
  const policy = e.get('policy');
  if (given(policy) && !isBlank(policy)) {
    // GitLab's pattern is not anchored: a policy that contains pull, push or `$NAME` passes.
    if (!isStr(policy)) r.error('cache-invalid', `${loc} policy should be a string`, policy);
    else if (!/pull-push|push|pull|\$\w/.test(policy.value)) {
      r.invalidValue(`${loc} policy should be a variable or one of: pull-push, push, pull`, policy, 'cache', 'policy', CACHE_POLICIES);
    }
  }
  const fallback = e.get('fallback_keys');
  if (given(fallback)) {
    if (!isStringArray(fallback)) r.error('cache-invalid', `${loc}:fallback_keys config should be an array of strings`, fallback);
    else if (isSeq(fallback) && fallback.items.length > 5) r.error('cache-invalid', `${loc} fallback keys has to many entries (maximum 5)`, fallback);
  }
  const key = e.get('key');
  if (given(key)) validateCacheKey(r, `${loc}:key`, key);
}

function validateCacheKey(r: Report, loc: string, key: Node): void {
  if (isStr(key)) return checkKeyPath(r, loc, key);
  if (!isMap(key)) {
    r.error('cache-invalid', `${loc} should be a hash, a string or a symbol`, key);
    return;
  }
  r.unknownKeys(loc, key, 'cache-key');
  const kinds = ['files', 'files_commits'].filter((k) => key.entries.has(k));
  if (kinds.length !== 1) r.error('cache-invalid', `${loc} config must use exactly one of these keys: files, files_commits`, key);
  for (const k of kinds) {
    const files = key.entries.get(k)!;
    if (!given(files)) continue;
    if (!isStringArray(files)) r.error('cache-invalid', `${loc}:${k} config should be an array of strings`, files);
    else if (isSeq(files) && files.items.length < 1) r.error('cache-invalid', `${loc}:${k} config requires at least 1 item`, files);
    else if (isSeq(files) && files.items.length > 2) r.error('cache-invalid', `${loc}:${k} config has too many items (maximum is 2)`, files);
  }
  const prefix = key.entries.get('prefix');
  if (given(prefix) && !isStr(prefix)) r.error('cache-invalid', `${loc}:prefix config should be a string or symbol`, prefix);
  else if (isStr(prefix)) checkKeyPath(r, `${loc}:prefix`, prefix);
}

/** GitLab's key validator (cache keys and their prefix): once URI-decoded, no `/`, and not `.` or `..`. */
function checkKeyPath(r: Report, loc: string, key: Node & { value: string }): void {
  let path = key.value;
  try {
    path = decodeURIComponent(path.replace(/\+/g, ' '));
  } catch {
    // CGI.unescape leaves a malformed escape as written
  }
  if (path.includes('/')) r.error('cache-invalid', `${loc} config cannot contain the "/" character`, key);
  else if (path === '.' || path === '..') r.error('cache-invalid', `${loc} config cannot be "." or ".."`, key);
}
