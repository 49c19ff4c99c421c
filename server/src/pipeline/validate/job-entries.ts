/**
 * Nested entries of a job: retry, allow_failure, parallel, trigger, release, pages,
 * hooks, id_tokens, inherit, variables (GitLab's entry classes of the same names; environment in environment.ts,
 * the EE-only identity, dast_configuration and secrets in ee-entries.ts).
 */
import type { MapNode, Node } from '../model.js';
import { durationProblem } from './duration.js';
import { INHERIT_DEFAULT, RETRY_WHEN, RETRY_WHEN_UNDOCUMENTED, TRIGGER_STRATEGIES } from './keywords-nested.js';
import { keyNames } from './report.js';
import type { Report } from './report.js';
import { hasVariable, isBlank, isBool, isInt, isMap, isNestedStrings, isNull, isRef, isSeq, isStr, isStringArray, isStringOrStringArray, isTruthy, shown, str } from './values.js';

export { validateEnvironment } from './environment.js';

/** `retry:` — 0..2, or a hash of `max`, `when`, `exit_codes`. GitLab's Retry entry prints its own location (`retry …`). */
export function validateRetry(r: Report, node: Node): void {
  if (isRef(node) || isNull(node)) return;
  const range = (n: Node, v: number, what: string) => {
    if (v < 0) r.error('retry-invalid', `retry ${what} must be greater than or equal to 0`, n);
    else if (v > 2) r.error('retry-invalid', `retry ${what} must be less than or equal to 2`, n);
  };
  if (isInt(node)) return range(node, (node as { value: number }).value, 'config');
  if (!isMap(node)) {
    r.error('retry-invalid', 'retry config has to be either an integer or a hash', node);
    return;
  }
  r.unknownKeys('retry', node, 'retry');
  const max = node.entries.get('max');
  if (max && !isRef(max) && !isNull(max)) {
    // Rails' numericality: integers, and strings written as integers.
    const v = max.kind === 'scalar' ? max.value : undefined;
    if (isInt(max)) range(max, v as number, 'max');
    else if (typeof v === 'string' && /^[+-]?\d+$/.test(v.trim())) range(max, Number(v), 'max');
    else if (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)))) r.error('retry-invalid', 'retry max must be an integer', max);
    else r.error('retry-invalid', 'retry max is not a number', max);
  }
  const when = node.entries.get('when');
  if (when && !isRef(when) && !isNull(when)) {
    if (!isStringOrStringArray(when)) r.error('retry-invalid', 'retry when should be an array of strings or a string', when);
    if (isSeq(when)) {
      const bad = when.items.filter((i) => !retryReason(str(i)));
      if (bad.length) r.invalidValue(`retry when contains unknown values: ${bad.map(shown).join(', ')}`, bad[0], 'retry', 'when', RETRY_WHEN);
    } else if (isStr(when) && !retryReason(when.value)) {
      r.invalidValue(`retry when is not included in the list`, when, 'retry', 'when', RETRY_WHEN);
    }
  }
  const codes = node.entries.get('exit_codes');
  if (codes && !isRef(codes) && !isNull(codes) && !isIntOrInts(codes)) r.error('retry-invalid', 'retry exit codes should be an array of integers or an integer', codes);
}

const retryReason = (v: string | undefined) => v !== undefined && (RETRY_WHEN.includes(v as never) || RETRY_WHEN_UNDOCUMENTED.includes(v as never));

const isIntOrInts = (n: Node) => isInt(n) || (isSeq(n) && n.items.every(isInt));

/** `allow_failure:` — a boolean, or (not in trigger jobs) a hash whose optional `exit_codes` are integers. */
export function validateAllowFailure(r: Report, loc: string, node: Node, bridge: boolean): void {
  if (isRef(node) || isBool(node) || isNull(node)) return;
  if (bridge || !isMap(node)) {
    r.error('allow-failure-invalid', `${loc} allow failure should be ${bridge ? 'a boolean value' : 'a hash or a boolean value'}`, node);
    return;
  }
  r.unknownKeys(`${loc}:allow_failure`, node, 'allow-failure');
  const codes = node.entries.get('exit_codes');
  if (codes && !isRef(codes) && !isNull(codes) && !isIntOrInts(codes)) r.error('allow-failure-invalid', `${loc}:allow_failure exit codes should be an array of integers or an integer`, codes);
}

export function validateParallel(r: Report, loc: string, node: Node, bridge: boolean): void {
  if (isRef(node)) return;
  const pl = `${loc}:parallel`;
  // GitLab's Parallel picks its strategy by type: a number (ParallelBuilds), a hash (MatrixBuilds), anything else is unknown.
  if (node.kind === 'scalar' && typeof node.value === 'number') {
    if (!isInt(node)) r.error('parallel-invalid', `${pl} config must be an integer`, node);
    else if (node.value < 1) r.error('parallel-invalid', `${pl} config must be greater than or equal to 1`, node);
    else if (node.value > 200) r.error('parallel-invalid', `${pl} config must be less than or equal to 200`, node);
    if (bridge) r.error('parallel-invalid', `${pl} config cannot use "parallel: <number>".`, node);
    return;
  }
  if (!isMap(node)) {
    r.error('parallel-invalid', `${pl} should be an integer or a hash`, node);
    return;
  }
  r.unknownKeys(pl, node, 'parallel');
  const matrix = node.entries.get('matrix');
  if (!matrix) r.error('parallel-invalid', `${pl} config missing required keys: matrix`, node);
  else validateMatrixShape(r, `${pl}:matrix`, matrix);
}

/** `parallel:matrix` (also in `needs:parallel:matrix`): a list of hashes of scalars or lists of scalars. */
export function validateMatrixShape(r: Report, loc: string, matrix: Node): void {
  if (isRef(matrix)) return;
  if (!isSeq(matrix) || !matrix.items.every((i) => isMap(i) || isRef(i) || (isSeq(i) && i.items.every(isMap)))) {
    r.error('parallel-invalid', `${loc} config should be an array of hashes`, matrix);
    return;
  }
  if (matrix.items.length > 200) r.error('parallel-invalid', `${loc} config must be less than or equal to 200`, matrix);
  const scalarOk = (v: Node) => isStr(v) || isInt(v) || isRef(v);
  for (const item of matrix.items.flatMap((i) => (isSeq(i) ? i.items : [i]))) {
    if (!isMap(item)) continue;
    // Product::Variables: at least one variable per entry.
    if (item.entries.size === 0) r.error('parallel-invalid', `${loc}:variables config requires at least 1 items`, item);
    for (const v of item.entries.values()) {
      if (scalarOk(v) || (isSeq(v) && v.items.every(scalarOk))) continue;
      r.error('parallel-invalid', `${loc}:variables config should be a hash of key value pairs, value can be an array`, v);
      break;
    }
  }
}

export function validateTrigger(r: Report, loc: string, node: Node): void {
  if (isRef(node)) return;
  const tl = `${loc}:trigger`;
  // SimpleTrigger: a project path, present.
  if (isStr(node)) {
    if (node.value.trim() === '') r.error('trigger-invalid', `${tl} config can't be blank`, node);
    return;
  }
  if (!isMap(node)) {
    r.error('trigger-invalid', `${tl} has to be either a string or a hash`, node);
    return;
  }
  const e = node.entries;
  // GitLab reads a hash with `include:` as a child pipeline (SameProjectTrigger: no project,
  // branch or inputs — a child's inputs go in `include:`) and any other as a multi-project one
  // (CrossProjectTrigger: no include).
  const child = e.has('include');
  r.unknownKeys(tl, node, 'trigger', keyNames('trigger').filter((k) => (child ? k !== 'project' && k !== 'branch' && k !== 'inputs' : k !== 'include')));
  // Both strategies want a present hash; CrossProjectTrigger a project that is a string (type, then presence).
  if (e.size === 0) r.error('trigger-invalid', `${tl} config can't be blank`, node);
  const project = e.get('project');
  if (!child && !isRef(project)) {
    if (!isStr(project)) r.error('trigger-invalid', `${tl} project should be a string`, project ?? node);
    if (isBlank(project)) r.error('trigger-invalid', `${tl} project can't be blank`, project ?? node);
  }
  const branch = e.get('branch');
  if (branch && !isStr(branch) && !isRef(branch)) r.error('trigger-invalid', `${tl} branch should be a string`, branch);
  const strategy = e.get('strategy');
  if (strategy && !isRef(strategy) && !TRIGGER_STRATEGIES.includes((str(strategy) ?? '\0') as never)) {
    r.invalidValue(`${tl} strategy should be ${TRIGGER_STRATEGIES.join(' or ')}`, strategy, 'trigger', 'strategy', TRIGGER_STRATEGIES);
  }
  const inputs = e.get('inputs');
  if (inputs && !isMap(inputs) && !isRef(inputs)) r.error('trigger-invalid', `${tl} inputs should be a hash`, inputs);
  const forward = e.get('forward');
  if (forward && !isRef(forward)) {
    if (!isMap(forward)) r.error('trigger-invalid', `${tl}:forward config should be a hash`, forward);
    else {
      r.unknownKeys(`${tl}:forward`, forward, 'trigger-forward');
      for (const [k, v] of forward.entries) if ((k === 'yaml_variables' || k === 'pipeline_variables') && !isBool(v) && !isRef(v)) r.error('trigger-invalid', `${tl}:forward ${k.replace(/_/g, ' ')} should be a boolean value`, v);
    }
  }
  const include = e.get('include');
  if (include && !isRef(include) && !isStr(include)) {
    const items = isSeq(include) ? include.items : [include];
    // Includes with SameProjectTrigger's INCLUDE_MAX_SIZE.
    if (isSeq(include) && items.length > 3) r.error('trigger-invalid', `${tl}:include config is too long (maximum is 3)`, include);
    for (const item of items) {
      if (!isMap(item)) continue;
      // Each is an Entry::Include (ComposableArray: its location is `…:include:include`).
      const il = `${tl}:include:include`;
      r.unknownKeys(`${tl}:include`, item, 'trigger-include');
      if (isTruthy(item.entries.get('artifact')) && isBlank(item.entries.get('job'))) r.error('trigger-invalid', `${il} config must specify the job where to fetch the artifact from`, item);
      if (isTruthy(item.entries.get('project')) && isBlank(item.entries.get('file'))) r.error('trigger-invalid', `${il} config must specify the file where to fetch the config from`, item);
    }
  }
}


const isBlankish = (n: Node | undefined) => !n || isNull(n) || (isStr(n) && n.value.trim() === '');

const GIT_REF_BAD = /(^[./]|\/\.|\.\.|[\x00-\x20~^:?*[\\\x7f]|@\{|\.lock$|\/$|\.$|\/\/)/;

/**
 * What Ruby's `DateTime.iso8601` reads: a calendar (`2024-03-15`, `20240315`), ordinal (`2024-075`)
 * or week date (`2024-W11-5`), optionally with a time (`T10:00`, `T10:00:00.5`) and a zone (`Z`, `+01:00`).
 */
const ISO8601 = new RegExp(
  '^[+-]?(?:\\d{4}-\\d{2}-\\d{2}|\\d{8}|\\d{4}-\\d{3}|\\d{7}|\\d{4}-?W\\d{2}(?:-?\\d)?)' +
  '(?:T\\d{2}(?::?\\d{2}(?::?\\d{2}(?:[.,]\\d+)?)?)?(?:Z|[+-]\\d{2}(?::?\\d{2})?)?)?$',
  'i',
);

/** ISO 8601 in form, and a real calendar date and time of day (Ruby refuses `2024-02-30` and `25:00`). */
function isIsoDateTime(v: string): boolean {
  if (!ISO8601.test(v)) return false;
  const date = /^[+-]?(\d{4})-?(\d{2})-?(\d{2})(?:T|$)/i.exec(v);
  if (date) {
    const [y, m, d] = [+date[1], +date[2], +date[3]];
    const t = new Date(Date.UTC(y, m - 1, d));
    if (t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return false;
  }
  const time = /T(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?/i.exec(v);
  return !time || (+time[1] <= 24 && +(time[2] ?? 0) <= 59 && +(time[3] ?? 0) <= 60);
}

export function validateRelease(r: Report, loc: string, node: Node): void {
  if (isRef(node)) return;
  const rl = `${loc}:release`;
  if (!isMap(node)) {
    r.error('release-invalid', `${rl} config should be a hash`, node);
    return;
  }
  r.unknownKeys(rl, node, 'release');
  const e = node.entries;
  // tag_name and description are required strings, tag_message an optional one; GitLab checks not `name`'s type.
  for (const k of ['tag_name', 'description']) if (isBlankish(e.get(k))) r.error('release-invalid', `${rl} ${k.replace(/_/g, ' ')} can't be blank`, e.get(k) ?? node);
  for (const k of ['tag_name', 'tag_message', 'description', 'ref', 'released_at']) {
    const v = e.get(k);
    if (v && !isBlank(v) && !isStr(v) && !isRef(v)) r.error('release-invalid', `${rl} ${k.replace(/_/g, ' ')} should be a string`, v);
  }
  const ref = e.get('ref');
  if (isStr(ref) && !ref.value.includes('$') && GIT_REF_BAD.test(ref.value)) r.error('release-invalid', `${rl} ref must be a valid ref`, ref);
  const at = e.get('released_at');
  if (isStr(at) && !isIsoDateTime(at.value.trim())) r.error('release-invalid', `${rl} released at must be a valid datetime`, at);
  const milestones = e.get('milestones');
  if (milestones && !isRef(milestones) && !isBlank(milestones) && !isStringOrStringArray(milestones)) r.error('release-invalid', `${rl} milestones should be an array of strings or a string`, milestones);
  const assets = e.get('assets');
  if (assets && !isRef(assets) && !isNull(assets)) validateReleaseAssets(r, `${rl}:assets`, assets);
}

function validateReleaseAssets(r: Report, al: string, assets: Node): void {
  if (!isMap(assets)) {
    r.error('release-invalid', `${al} config should be a hash`, assets);
    return;
  }
  r.unknownKeys(al, assets, 'release-assets');
  const links = assets.entries.get('links');
  if (links && isRef(links)) return;
  if (!links || isBlank(links)) r.error('release-invalid', `${al} links can't be blank`, links ?? assets);
  else if (!isSeq(links) || !links.items.every((l) => isMap(l) || isRef(l))) r.error('release-invalid', `${al} links should be an array of hashes`, links);
  else for (const l of links.items) {
    if (!isMap(l)) continue;
    const ll = `${al}:links:link`;
    r.unknownKeys(ll, l, 'release-link');
    for (const k of ['name', 'url']) if (isBlankish(l.entries.get(k))) r.error('release-invalid', `${ll} ${k} can't be blank`, l.entries.get(k) ?? l);
    const name = l.entries.get('name');
    if (name && !isBlankish(name) && !isStr(name) && !isRef(name)) r.error('release-invalid', `${ll} name should be a string`, name);
  }
}

export function validatePages(r: Report, loc: string, node: Node): void {
  if (isRef(node) || isBool(node) || isNull(node)) return;
  const pl = `${loc}:pages`;
  if (!isMap(node)) {
    r.error('pages-invalid', `${pl} config should be a hash or a boolean value`, node);
    return;
  }
  r.unknownKeys(pl, node, 'pages');
  for (const k of ['path_prefix', 'publish']) {
    const v = node.entries.get(k);
    if (v && !isStr(v) && !isRef(v) && !isNull(v)) r.error('pages-invalid', `${pl} ${k.replace(/_/g, ' ')} should be a string`, v);
  }
  // A duration (or `never`); GitLab leaves one that holds a variable to be expanded.
  const exp = node.entries.get('expire_in');
  if (exp && !isRef(exp) && !isNull(exp) && !(isStr(exp) && (hasVariable(exp.value) || exp.value.toLowerCase() === 'never' || !durationProblem(exp.value)))) {
    r.error('pages-invalid', `${pl} expire in should be a duration`, exp);
  }
}

export function validateHooks(r: Report, loc: string, node: Node): void {
  if (isRef(node) || isNull(node)) return;
  if (!isMap(node)) {
    r.error('hooks-invalid', `${loc}:hooks config should be a hash`, node);
    return;
  }
  r.unknownKeys(`${loc}:hooks`, node, 'hooks');
  const pre = node.entries.get('pre_get_sources_script');
  if (pre && !isRef(pre) && !isNull(pre) && !isNestedStrings(pre)) r.error('hooks-invalid', `${loc}:hooks:pre_get_sources_script config should be a string or a nested array of strings up to 10 levels deep`, pre);
}

export function validateIdTokens(r: Report, loc: string, node: Node): void {
  if (isRef(node) || isNull(node)) return;
  if (!isMap(node)) {
    r.error('id-tokens-invalid', `${loc}:id_tokens config should be a hash`, node);
    return;
  }
  for (const [name, token] of node.entries) {
    const tl = `${loc}:id_tokens:${name}`;
    if (isRef(token)) continue;
    if (!isMap(token)) {
      r.error('id-tokens-invalid', `${tl} config should be a hash`, token);
      continue;
    }
    r.unknownKeys(tl, token, 'id-token');
    // `aud` must be written (an empty string passes), as a string or a list of strings.
    const aud = token.entries.get('aud');
    if (!aud) r.error('id-tokens-invalid', `${tl} config missing required keys: aud`, token);
    else if (!isRef(aud) && !isStringOrStringArray(aud)) r.error('id-tokens-invalid', `${tl} aud should be an array of strings or a string`, aud);
  }
}

export function validateInherit(r: Report, loc: string, node: Node): void {
  if (isRef(node) || isNull(node)) return;
  const il = `${loc}:inherit`;
  if (!isMap(node)) {
    r.error('inherit-invalid', `${il} config should be a hash`, node);
    return;
  }
  r.unknownKeys(il, node, 'inherit');
  for (const k of ['default', 'variables']) {
    const v = node.entries.get(k);
    if (!v || isRef(v) || isNull(v) || isBool(v)) continue;
    // GitLab's Inherit::Default / Inherit::Variables: a boolean or a list of strings (of default: keywords).
    if (!isSeq(v)) {
      r.error('inherit-invalid', `${il}:${k} should be a bool or array of strings`, v);
      continue;
    }
    if (!isStringArray(v)) r.error('inherit-invalid', `${il}:${k} config should be an array of strings`, v);
    if (k !== 'default') continue;
    const bad = v.items.filter((i) => !INHERIT_DEFAULT.includes((str(i) ?? '\0') as never));
    if (bad.length) r.invalidValue(`${il}:default config contains unknown values: ${bad.map(shown).join(', ')}`, bad[0], 'inherit', 'default', INHERIT_DEFAULT);
  }
}

/**
 * `variables:` of the root (value, description, options, expand) or of a job (value, expand).
 * GitLab lower-cases the whole message; names are kept as written here.
 */
export function validateVariables(r: Report, loc: string, node: Node, root: boolean): void {
  if (isRef(node) || isNull(node)) return;
  if (!isMap(node)) {
    r.error('variables-invalid', `${loc} config should be a hash`, node);
    return;
  }
  const allowed = root ? ['value', 'description', 'options', 'expand'] : ['value', 'expand'];
  for (const [name, v] of node.entries) {
    const vl = `${loc}:${name}`;
    if (isRef(v) || v.kind === 'scalar') continue;
    if (!isMap(v)) {
      r.error('variables-invalid', 'variable definition must be either a string or a hash', v);
      continue;
    }
    const bad = [...v.entries.keys()].filter((k) => !allowed.includes(k));
    if (bad.length) r.error('unknown-keys', `${vl} config uses invalid data keys: ${bad.join(', ')}`, v.keySpans.get(bad[0]) ?? v, { kind: 'unknown-keys', entry: root ? 'variable' : 'job-variable', keys: bad, allowed });
    validateVariableData(r, vl, v);
  }
}

function validateVariableData(r: Report, vl: string, v: MapNode): void {
  const value = v.entries.get('value');
  if (value && !isRef(value) && value.kind !== 'scalar') r.error('variables-invalid', `${vl} config value must be a scalar`, value);
  // description: a string or a number (GitLab's alphanumeric validator)
  const desc = v.entries.get('description');
  if (desc && !isRef(desc) && !isNull(desc) && !isStr(desc) && !isInt(desc)) r.error('variables-invalid', `${vl} config description must be an alphanumeric string`, desc);
  const expand = v.entries.get('expand');
  if (expand && !isRef(expand) && !isNull(expand) && !isBool(expand)) r.error('variables-invalid', `${vl} config expand should be a boolean value`, expand);
  const options = v.entries.get('options');
  if (!options || isRef(options) || isNull(options)) return;
  if (!isStringArray(options)) r.error('variables-invalid', `${vl} config options should be an array of strings`, options);
  // With options, the value must be one of them as written (`1` is not `"1"`; no value is none of them).
  if (isSeq(options) && options.items.length > 0 && !isRef(value) && !options.items.some((o) => o.kind === 'scalar' && value?.kind === 'scalar' && o.value === value.value)) {
    r.invalidValue(`${vl} config value must be present in options`, value ?? options, 'variable', 'value', options.items.map(shown));
  }
}
