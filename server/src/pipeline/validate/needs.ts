/**
 * `needs:` of a job, a trigger job or a rule, as GitLab's Needs and Need entries (EE's included)
 * check them: each need's shape, the types its owner allows, and the limits.
 */
import type { MapNode, Node } from '../model.js';
import { validateParallel } from './job-entries.js';
import type { Report } from './report.js';
import { isBlank, isBool, isInt, isMap, isNull, isRef, isSeq, isStr, needEntries } from './values.js';

/**
 * Whose needs: a job takes job and cross-pipeline/project needs, a trigger job job and bridge
 * (`needs:pipeline`) needs, a rule only job needs (Rules::Rule's `allowed_needs: [:job]`).
 */
export type NeedsOwner = 'job' | 'bridge' | 'rule';

const ALLOWED_TYPES: Record<NeedsOwner, string[]> = {
  job: ['job', 'cross_dependency'],
  bridge: ['job', 'bridge'],
  rule: ['job'],
};

/** The kind of one `needs:` entry, as GitLab's Need strategies (EE included) pick it. */
type NeedKind = 'job' | 'cross_pipeline' | 'bridge' | 'cross_project' | undefined;
function needKind(n: Node): NeedKind {
  if (isStr(n)) return 'job';
  if (!isMap(n)) return undefined;
  const has = (k: string) => n.entries.has(k);
  if (has('job') && !has('project') && !has('ref') && !has('pipeline')) return 'job';
  if (has('job') && has('pipeline') && !has('project')) return 'cross_pipeline';
  if (!has('job') && !has('project')) return 'bridge';
  return 'cross_project';
}

/** How many `needs:pipeline` entries (a bridge's upstream status) `needs` holds. */
export function bridgeNeeds(v: Node): number {
  return needEntries(v).filter((i) => needKind(i) === 'bridge').length;
}

/** The keys each kind of need takes. */
const NEED_KEYS: Record<Exclude<NeedKind, undefined>, string[]> = {
  job: ['job', 'artifacts', 'optional', 'parallel'],
  cross_pipeline: ['pipeline', 'job', 'artifacts', 'optional'],
  bridge: ['pipeline'],
  cross_project: ['project', 'ref', 'job', 'artifacts'],
};

/** `needs:` (GitLab's Needs/Need entries): names, `{job, artifacts, optional, parallel}`, `{project, job, ref}`, `{pipeline, job}`, `{pipeline}`. */
export function validateNeedsShape(r: Report, loc: string, v: Node, owner: NeedsOwner): void {
  const nl = `${loc}:needs`;
  if (isMap(v) && v.entries.size === 0) {
    r.error('needs-invalid', `${nl} config can not be an empty Hash`, v);
    return;
  }
  if (!isMap(v) && !isSeq(v)) {
    r.error('needs-invalid', `${nl} config can only be a Hash or an Array`, v);
    return;
  }
  // A hash is one need (GitLab wraps it in a list).
  const items = isSeq(v) ? v.items : [v];
  if (items.some((i) => isMap(i) && isInt(i.entries.get('parallel')))) r.error('needs-invalid', `${nl} config cannot use "parallel: <number>".`, v);
  const count = { job: 0, cross_pipeline: 0, bridge: 0, cross_project: 0 };
  const invalid: string[] = [];
  // On a job the finding sits on `needs:`; on a rule, on its first need of a type rules do not take.
  let firstInvalid: Node | undefined;
  for (const item of items) {
    if (isRef(item)) continue;
    const kind = needKind(item);
    if (!kind) {
      r.error('needs-invalid', `${nl}:need has an unsupported type`, item);
      continue;
    }
    count[kind]++;
    const type = kind === 'cross_pipeline' || kind === 'cross_project' ? 'cross_dependency' : kind;
    if (!ALLOWED_TYPES[owner].includes(type) && !invalid.includes(type)) {
      invalid.push(type);
      firstInvalid ??= item;
    }
    if (isStr(item)) {
      if (item.value === '') r.error('needs-invalid', `${nl}:need config can't be blank`, item);
    } else validateNeed(r, nl, item as MapNode, kind);
  }
  if (invalid.length) r.error('needs-invalid', `${nl} config uses invalid types: ${invalid.join(', ')}`, owner === 'rule' ? firstInvalid ?? v : v);
  if (count.cross_pipeline > 5 || count.cross_project > 5) r.error('needs-invalid', `${nl} config must be less than or equal to 5`, v);
  // YamlProcessor's limit on a job's own needs (a rule's needs replace them later, unchecked).
  if (owner !== 'rule' && count.job > 50) r.error('needs-invalid', `${loc.replace(/^jobs:/, '')}: one job can only need 50 others, but you have listed ${count.job}. See needs keyword documentation for more details`, v);
}

function validateNeed(r: Report, nl: string, need: MapNode, kind: Exclude<NeedKind, undefined>): void {
  const l = `${nl}:need`;
  r.unknownKeys(l, need, 'need', NEED_KEYS[kind]);
  const required = kind === 'job' ? ['job'] : kind === 'cross_pipeline' ? ['pipeline', 'job'] : kind === 'bridge' ? ['pipeline'] : ['project', 'ref', 'job'];
  for (const k of required) {
    const x = need.entries.get(k);
    if (!x || isBlank(x)) r.error('needs-invalid', `${l} ${k} can't be blank`, x ?? need);
    else if (!isStr(x) && !isRef(x)) r.error('needs-invalid', `${l} ${k} should be a string`, x);
  }
  for (const k of kind === 'job' || kind === 'cross_pipeline' ? ['artifacts', 'optional'] : ['artifacts']) {
    const b = need.entries.get(k);
    if (b && !isBool(b) && !isRef(b) && !isNull(b)) r.error('needs-invalid', `${l} ${k} should be a boolean value`, b);
  }
  const par = need.entries.get('parallel');
  if (kind === 'job' && par && !isInt(par)) validateParallel(r, l, par, false);
}
