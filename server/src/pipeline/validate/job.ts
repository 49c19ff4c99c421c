/**
 * One merged job (after extends, !reference and default:) as GitLab's Entry::Job (a job with
 * `script`/`run`) or Entry::Bridge (a job with `trigger`, or `needs` without `script`) validates it.
 * Callable per job, so an incremental analysis can cache its result per job node.
 */
import { mapNode } from '../model.js';
import type { MapNode, Node, PipelineDiagnostic, Span } from '../model.js';
import { validateArtifacts, validateCache } from './artifacts-cache.js';
import { validateImage, validateServices } from './containers.js';
import { durationProblem, WEEK } from './duration.js';
import { compileRubyRegexLiteral } from '../expressions/re2.js';
import {
  validateAllowFailure, validateEnvironment, validateHooks, validateIdTokens, validateInherit,
  validateParallel, validatePages, validateRelease, validateRetry, validateTrigger, validateVariables,
} from './job-entries.js';
import { validateDastConfiguration, validateIdentity, validateSecrets } from './ee-entries.js';
import { WHEN_JOB } from './keywords.js';
import { Report, unmatchedJobMessage } from './report.js';
import { validateOnlyExcept, validateRules } from './rules.js';
import { validateRun } from './run-steps.js';
import { validateJobInputs } from './job-inputs.js';
import { bridgeNeeds, validateNeedsShape } from './needs.js';
import { isBlank, isBool, isNestedStrings, isNull, isRef, isSeq, isStr, isStringArray, str } from './values.js';

/** GitLab's Entry::Bridge takes no `delayed`. */
const WHEN_BRIDGE = ['on_success', 'on_failure', 'always', 'manual'];

export interface JobInput {
  name: string;
  /** The job after extends, !reference and default: (JobView.node). */
  node: MapNode;
  /** Where the job's name is written. */
  keySpan?: Span;
}

/** What GitLab's job entry rejects in one job: its keys, their values, and their combinations. */
export function validateJob(job: JobInput): PipelineDiagnostic[] {
  const r = new Report(job.keySpan ?? job.node.span, { name: job.name, keySpan: job.keySpan, span: job.node.span }, job.node);
  const n = ownEntries(job.node);
  const e = n.entries;
  // GitLab's Jobs entry takes the first type that matches: Job (script or run), then Bridge (trigger or needs).
  const bridge = !e.has('script') && !e.has('run') && (e.has('trigger') || e.has('needs'));
  // An entry whose key is blank is named after its class (Node#location): `jobs:job`, `jobs:bridge`.
  const loc = `jobs:${job.name || (bridge ? 'bridge' : 'job')}`;
  if (job.name === '') r.error('job-name-invalid', `${loc} name can't be blank`, job.keySpan);
  if (!e.has('script') && !e.has('run') && !e.has('trigger')) {
    if (!e.has('needs')) r.error('job-no-script', unmatchedJobMessage(job.name), job.keySpan);
    else if (bridgeNeeds(e.get('needs')!) === 0) r.error('job-no-script', `${loc} config should contain either a trigger or a needs:pipeline`, job.keySpan);
  }
  if (bridge && e.has('needs') && bridgeNeeds(e.get('needs')!) > 1) r.error('needs-invalid', `${loc} config should contain at most one bridge need`, job.keySpan);
  if (job.name.length > 255) r.error('job-name-invalid', `${loc} name is too long (maximum is 255 characters)`, job.keySpan);
  r.unknownKeys(loc, n, bridge ? 'bridge' : 'job');
  for (const [key, value] of e) {
    r.chain = value.via ?? [];
    checkKey(r, loc, job.name, key, value, n, bridge);
  }
  r.chain = [];
  checkCombinations(r, loc, n);
  return r.out;
}

/**
 * The job as its own entry sees it: without what it takes from `default:`. GitLab's job inherits the
 * default's entry objects after validating its own config (Inheritable#inherit!), so an inherited
 * value is validated once, as `default:…`, and no combination of the job's keys counts it.
 */
function ownEntries(node: MapNode): MapNode {
  let own: Map<string, Node> | undefined;
  for (const [key, value] of node.entries) {
    if (value.via?.[0]?.kind !== 'default') continue;
    own ??= new Map(node.entries);
    own.delete(key);
  }
  if (!own) return node;
  const out = mapNode(node.span, own, node.keySpans);
  out.via = node.via;
  return out;
}

export function checkKey(r: Report, loc: string, name: string, key: string, v: Node, job: MapNode, bridge: boolean): void {
  // `key: null` leaves the keyword unset, as GitLab's entry factory does (and how extends deletes a value).
  if (isRef(v) || (v.kind === 'scalar' && v.value === null)) return;
  const at = (k: string) => (loc ? `${loc}:${k}` : k);
  switch (key) {
    case 'script':
    case 'before_script':
    case 'after_script':
      // A job's script keys arrive flattened (merge/jobs.ts, 10 levels): anything still nested was deeper.
      if (loc.startsWith('jobs:') ? !(isStr(v) || (isSeq(v) && v.items.every(isStr))) : !isNestedStrings(v)) r.error('script-invalid', `${at(key)} config should be a string or a nested array of strings up to 10 levels deep`, v);
      return;
    case 'stage':
      if (!isStr(v)) r.error('stage-invalid', `${at('stage')} config should be a string`, v);
      return;
    case 'when': {
      // `validates :when, type: String, inclusion: …`: both validators run, a non-string fails both.
      const allowed: readonly string[] = bridge ? WHEN_BRIDGE : WHEN_JOB;
      if (!isStr(v)) r.error('when-invalid', `${loc} when should be a string`, v);
      if (!isStr(v) || !allowed.includes(v.value)) r.invalidValue(`${loc} when should be one of: ${allowed.join(', ')}`, v, bridge ? 'bridge' : 'job', 'when', allowed);
      return;
    }
    case 'rules':
      return validateRules(r, loc, v, 'job');
    case 'only':
    case 'except':
      return validateOnlyExcept(r, `${loc}:${key}`, v);
    case 'allow_failure':
      return validateAllowFailure(r, loc, v, bridge);
    case 'interruptible':
      if (!isBool(v)) r.error('value-type', `${loc}:interruptible config should be a boolean value`, v);
      return;
    case 'resource_group':
      if (!isStr(v)) r.error('value-type', `${loc} resource group should be a string`, v);
      return;
    case 'tags':
      // Lists that a `!reference` brings into the list are accepted (nested strings).
      if (!isSeq(v) || !isNestedStrings(v)) r.error('tags-invalid', `${loc}:tags config should be an array of strings`, v);
      else if (v.items.length >= 50) r.error('tags-invalid', `${loc}:tags config must be less than the limit of 50 tags`, v);
      return;
    case 'timeout':
      // GitLab's duration validator takes strings only (`timeout: 100` is refused); the limit is Rails' 1.month.
      if (!isStr(v)) r.error('duration-invalid', `${at('timeout')} config should be a duration`, v);
      else {
        const p = durationProblem(v.value, MAX_BUILD_TIMEOUT);
        if (p) r.error('duration-invalid', `${at('timeout')} config ${p}`, v);
      }
      return;
    case 'coverage':
      if (!isStr(v) || !/^\/.*\/[a-zA-Z]*$/s.test(v.value) || !compileRubyRegexLiteral(v.value).ok) r.error('coverage-invalid', `${loc}:coverage config must be a regular expression with re2 syntax`, v);
      return;
    case 'dependencies':
      if (!isStringArray(v)) r.error('dependencies-invalid', `${loc} dependencies should be an array of strings`, v);
      return;
    case 'needs':
      return validateNeedsShape(r, loc, v, bridge ? 'bridge' : 'job');
    case 'artifacts':
      return validateArtifacts(r, `${loc}:artifacts`, v);
    case 'cache':
      return validateCache(r, at('cache'), v);
    case 'image':
      return validateImage(r, at('image'), v);
    case 'services':
      return validateServices(r, at('services'), v);
    case 'environment':
      return validateEnvironment(r, loc, v);
    case 'retry':
      return validateRetry(r, v);
    case 'parallel':
      return validateParallel(r, loc, v, bridge);
    case 'trigger':
      if (bridge) validateTrigger(r, loc, v);
      return;
    case 'release':
      return validateRelease(r, loc, v);
    case 'pages':
      return validatePages(r, loc, v);
    case 'publish':
      if (!isStr(v)) r.error('pages-invalid', `${loc} publish should be a string`, v);
      else if (!isPagesJob(name, job)) r.error('pages-invalid', `${loc} publish can only be used within a \`pages\` job`, job.keySpans.get('publish') ?? v);
      return;
    case 'hooks':
      return validateHooks(r, loc, v);
    case 'id_tokens':
      return validateIdTokens(r, loc, v);
    case 'secrets':
      return validateSecrets(r, loc, v);
    case 'identity':
      return validateIdentity(r, loc, v);
    case 'dast_configuration':
      return validateDastConfiguration(r, loc, v);
    case 'inherit':
      return validateInherit(r, loc, v);
    case 'variables':
      return validateVariables(r, `${loc}:variables`, v, false);
    case 'inputs':
      if (!bridge) validateJobInputs(r, loc, v);
      return;
    case 'run':
      // Only a Job (a job with `script` or `run`) checks `run` against the steps schema.
      if (!bridge) validateRun(r, loc, v);
      return;
    case 'manual_confirmation':
      if (!isStr(v)) r.error('value-type', `${loc} manual confirmation should be a string`, v);
      return;
  }
}

/** Rails' 1.month in seconds (GitLab's Project::MAX_BUILD_TIMEOUT). */
const MAX_BUILD_TIMEOUT = 2629746;

/** GitLab's Job#pages_job?: a present `pages:` value, or the job named `pages` unless `pages: false`. */
function isPagesJob(name: string, job: MapNode): boolean {
  const pages = job.entries.get('pages');
  if (pages && !isBlank(pages)) return true;
  return name === 'pages' && !(pages?.kind === 'scalar' && pages.value === false);
}

/** Keys that depend on each other: rules vs only/except/start_in, when: delayed and start_in. */
function checkCombinations(r: Report, loc: string, n: MapNode): void {
  const e = n.entries;
  // GitLab's mutually_exclusive_keys (Processable: script/run with trigger; Job: script, before_script, after_script with run).
  const isJob = e.has('script') || e.has('run');
  const pairs: [string, string][] = isJob ? [['script', 'trigger'], ['run', 'trigger'], ['script', 'run'], ['before_script', 'run'], ['after_script', 'run']] : [];
  const keys = [...e.keys()];
  for (const [a, b] of pairs) {
    if (!e.has(a) || !e.has(b)) continue;
    const [first, second] = keys.indexOf(a) < keys.indexOf(b) ? [a, b] : [b, a];
    r.chain = e.get(second)?.via ?? [];
    r.error('mutually-exclusive-keys', `${loc} config these keys cannot be used together: ${first}, ${second}`, n.keySpans.get(second) ?? e.get(second));
  }
  r.chain = [];
  const script = e.get('script');
  if (script && !e.has('run') && isBlank(script)) r.error('script-invalid', `${loc} script can't be blank`, n.keySpans.get('script') ?? script);
  // `rules: null` is no rules, and null only/except/start_in are ignored (GitLab's has_rules_value? and ignore_nil).
  const hasRules = e.has('rules') && !isNull(e.get('rules'));
  const withRules = ['only', 'except', 'start_in'].filter((k) => e.has(k) && !isNull(e.get(k)));
  if (hasRules && withRules.length) {
    const keys = withRules.join(', ');
    r.chain = e.get(withRules[0])?.via ?? [];
    const advice = ` — keep \`rules:\` and remove ${withRules.map((k) => `\`${k}:\``).join(', ')}${withRules.some((k) => k !== 'start_in') ? ' (`only`/`except` are deprecated; a rule can say the same)' : ' (a rule can carry `start_in` with `when: delayed`)'}`;
    r.error('rules-with-only-except', `${loc} config key may not be used with \`rules\`: ${keys}${advice}`, n.keySpans.get(withRules[0]) ?? e.get(withRules[0]), {
      kind: 'rules-with-only-except', keys: withRules, keep: 'rules',
    });
    r.chain = [];
    return;
  }
  // Only a Job validates start_in (a Bridge does not take the key at all).
  if (!isJob) return;
  const when = str(e.get('when'));
  const startIn = e.get('start_in');
  if (when === 'delayed') {
    if (!startIn) r.error('start-in-invalid', `${loc} start in should be a duration`, e.get('when'));
    else if (isStr(startIn)) {
      const p = durationProblem(startIn.value, WEEK);
      if (p) r.error('start-in-invalid', `${loc} start in ${p}`, startIn);
    } else if (!isRef(startIn)) r.error('start-in-invalid', `${loc} start in should be a duration`, startIn);
  } else if (startIn && !isNull(startIn) && !hasRules) {
    r.error('start-in-without-delayed', `${loc} start in must be blank`, n.keySpans.get('start_in') ?? startIn, { kind: 'start-in-without-delayed', when });
  }
}
