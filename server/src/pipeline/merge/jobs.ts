/**
 * Jobs as GitLab builds them from the merged configuration: top-level keys that are not global
 * keywords; `default:` (and the deprecated top-level image/services/cache/before_script/
 * after_script) inherited unless `inherit:default` says otherwise (nested lists are already
 * flattened: flatten.ts); stages with `.pre`/`.post`.
 */
import { baseJobName, validateMatrix } from './matrix.js';
import { compileRubyRegexLiteral } from '../expressions/re2.js';
import { flattenStages } from './flatten.js';
import { perNode, sameNodes } from './incremental.js';
import { mapNode, seqNode, withVia } from '../model.js';
import type { MapNode, Node, PipelineDiagnostic, SeqNode, Span } from '../model.js';

/** Top-level keys that are configuration, not jobs. */
export const GLOBAL_KEYWORDS = new Set([
  'default', 'include', 'stages', 'types', 'variables', 'workflow', 'spec',
  'image', 'services', 'cache', 'before_script', 'after_script',
]);

/** Keywords a job takes from `default:` when it does not set them (GitLab's Entry::Default). */
export const DEFAULT_KEYWORDS = [
  'after_script', 'artifacts', 'before_script', 'cache', 'hooks', 'id_tokens', 'image',
  'interruptible', 'retry', 'services', 'tags', 'timeout',
] as const;

/** Deprecated global keywords that act as defaults. */
const DEPRECATED_GLOBALS = ['image', 'services', 'cache', 'before_script', 'after_script'];

export const DEFAULT_STAGES = ['build', 'test', 'deploy'];

export interface JobView {
  name: string;
  hidden: boolean;
  /** The job after extends, !reference and (for real jobs) default: inheritance. */
  node: MapNode;
  /** Keywords taken from `default:`. */
  fromDefault: string[];
}

export function isJobKey(key: string, value: Node): boolean {
  return !GLOBAL_KEYWORDS.has(key) && value.kind === 'map';
}

export function readStages(doc: MapNode): string[] {
  const node = doc.entries.get('stages') ?? doc.entries.get('types');
  const declared = node?.kind === 'seq'
    ? (flattenStages(node) as SeqNode).items.map((n) => (n.kind === 'scalar' ? String(n.value) : ''))
    : DEFAULT_STAGES;
  const stages = declared.filter((s) => s !== '.pre' && s !== '.post');
  return ['.pre', ...stages, '.post'];
}

/** The keywords `inherit:default` lets through: all (true/absent), none (false) or a list. */
function inheritedDefaults(job: MapNode): Set<string> {
  const inherit = job.entries.get('inherit');
  const d = inherit?.kind === 'map' ? inherit.entries.get('default') : undefined;
  if (!d) return new Set(DEFAULT_KEYWORDS);
  if (d.kind === 'scalar') return d.value === false ? new Set() : new Set(DEFAULT_KEYWORDS);
  if (d.kind === 'seq') return new Set(d.items.map((i) => (i.kind === 'scalar' ? String(i.value) : '')));
  return new Set(DEFAULT_KEYWORDS);
}

/** `default:` merged with the deprecated top-level globals (default: wins). */
export function effectiveDefault(doc: MapNode): MapNode {
  const def = doc.entries.get('default');
  const out = mapNode(def?.span);
  for (const k of DEPRECATED_GLOBALS) {
    const v = doc.entries.get(k);
    if (v) out.entries.set(k, v);
  }
  if (def?.kind === 'map') for (const [k, v] of def.entries) out.entries.set(k, v);
  return out;
}

export function buildJob(name: string, node: MapNode, defaults: MapNode): JobView {
  const hidden = name.startsWith('.');
  const entries = new Map(node.entries);
  const fromDefault: string[] = [];
  // Trigger jobs (bridges) take nothing from `default:` in GitLab.
  if (!hidden && !node.entries.has('trigger')) {
    const allowed = inheritedDefaults(node);
    const defaultSpan = defaults.span;
    for (const key of DEFAULT_KEYWORDS) {
      if (entries.has(key) || !allowed.has(key)) continue;
      const v = defaults.entries.get(key);
      if (v === undefined) continue;
      entries.set(key, withVia(v, { kind: 'default', name: key, span: defaultSpan }));
      fromDefault.push(key);
    }
  }
  const out = mapNode(node.span, entries, node.keySpans);
  out.via = node.via;
  return { name, hidden, node: out, fromDefault };
}

/** Job views of earlier expansions, by the job's node: reused while its name and the defaults it may take are the same. */
const jobViews = perNode<MapNode, { name: string; defaults: readonly (Node | undefined)[]; defaultSpan: Span | undefined; view: JobView }>();

export function buildJobs(doc: MapNode): Map<string, JobView> {
  const defaults = effectiveDefault(doc);
  const defaultValues = DEFAULT_KEYWORDS.map((k) => defaults.entries.get(k));
  const jobs = new Map<string, JobView>();
  for (const [key, value] of doc.entries) {
    if (!isJobKey(key, value)) continue;
    const node = value as MapNode;
    const earlier = jobViews.get(node);
    if (earlier && earlier.name === key && earlier.defaultSpan === defaults.span && sameNodes(earlier.defaults, defaultValues)) {
      jobs.set(key, earlier.view);
      continue;
    }
    const view = buildJob(key, node, defaults);
    jobViews.set(node, { name: key, defaults: defaultValues, defaultSpan: defaults.span, view });
    jobs.set(key, view);
  }
  return jobs;
}

/** What GitLab's job validation rejects, for the parts that do not depend on rules. */
export function validateJobs(doc: MapNode, jobs: Map<string, JobView>, stages: string[]): PipelineDiagnostic[] {
  const out: PipelineDiagnostic[] = [];
  const where = (key: string): Span => doc.keySpans.get(key) ?? doc.span ?? { uri: '', start: 0, end: 0 };
  for (const [key, value] of doc.entries) {
    if (GLOBAL_KEYWORDS.has(key) || key.startsWith('.') || value.kind === 'map') continue;
    out.push({ severity: 'error', code: 'job-not-hash', message: `jobs:${key} config should be a hash`, span: where(key) });
  }
  let visible = 0;
  for (const job of jobs.values()) {
    if (job.hidden) continue;
    visible++;
    const n = job.node;
    if (!n.entries.has('script') && !n.entries.has('trigger') && !n.entries.has('run')) {
      out.push({ severity: 'error', code: 'job-no-script', message: `jobs:${job.name} config should implement the script:, run:, or trigger: keyword`, span: where(job.name) });
    }
    const stage = n.entries.get('stage');
    const stageName = stage?.kind === 'scalar' ? String(stage.value) : undefined;
    if (stageName !== undefined && !stages.includes(stageName)) {
      out.push({
        severity: 'error',
        code: 'stage-unknown',
        message: `jobs:${job.name} chosen stage ${stageName} does not exist; available stages are ${stages.join(', ')}`,
        span: stage?.span ?? where(job.name),
        data: { stage: stageName, stages },
      });
    }
    out.push(...validateMatrix(job.name, n, where(job.name)));
    const coverage = n.entries.get('coverage');
    if (coverage?.kind === 'scalar' && typeof coverage.value === 'string') {
      // Entry::Coverage: a `/…/` literal RE2 compiles (UntrustedRegexp::RubySyntax.valid?).
      const re = compileRubyRegexLiteral(coverage.value);
      if (!re.ok && re.kind === 'syntax') {
        out.push({ severity: 'error', code: 'coverage-invalid', message: `jobs:${job.name}:coverage config must be a regular expression with re2 syntax`, span: coverage.span ?? where(job.name) });
      }
    }
  }
  out.push(...validateNeeds(jobs, stages, where));
  if (visible === 0) {
    out.push({ severity: 'error', code: 'no-visible-job', message: 'jobs config should contain at least one visible job', span: doc.span ?? where('') });
  }
  return out;
}

function needName(n: Node): { name: string; optional: boolean; span?: Span } | undefined {
  if (n.kind === 'scalar') return { name: String(n.value ?? ''), optional: false, span: n.span };
  if (n.kind === 'map') {
    const job = n.entries.get('job');
    if (job?.kind !== 'scalar') return undefined; // needs:pipeline / needs:project are cross-pipeline
    if (n.entries.has('project') || n.entries.has('pipeline')) return undefined;
    const optional = n.entries.get('optional');
    return { name: String(job.value ?? ''), optional: optional?.kind === 'scalar' && optional.value === true, span: job.span };
  }
  return undefined;
}

// Instance names live with the matrix expansion; re-exported for the features that import it here.
export { baseJobName };

/** GitLab's static needs/dependencies checks: the job exists, and (for needs) is not in a later stage. */
function validateNeeds(jobs: Map<string, JobView>, stages: string[], where: (key: string) => Span): PipelineDiagnostic[] {
  const out: PipelineDiagnostic[] = [];
  const stageOf = (j: JobView) => {
    const s = j.node.entries.get('stage');
    return stages.indexOf(s?.kind === 'scalar' ? String(s.value) : 'test');
  };
  const real = new Map([...jobs].filter(([, j]) => !j.hidden));
  for (const job of real.values()) {
    const needs = job.node.entries.get('needs');
    const list = needs?.kind === 'seq' ? needs.items : needs?.kind === 'map' ? [] : [];
    for (const item of list) {
      const need = needName(item);
      if (!need || need.optional) continue;
      const target = real.get(need.name) ?? real.get(baseJobName(need.name));
      if (!target) {
        out.push({ severity: 'error', code: 'needs-unknown', message: `jobs:${job.name} job: undefined need: ${need.name}`, span: need.span ?? where(job.name), data: { name: need.name } });
      } else if (stageOf(target) > stageOf(job)) {
        out.push({ severity: 'error', code: 'needs-later-stage', message: `jobs:${job.name} job: need ${need.name} is not defined in current or prior stages`, span: need.span ?? where(job.name), data: { name: need.name } });
      }
    }
    const deps = job.node.entries.get('dependencies');
    if (deps?.kind === 'seq') {
      for (const d of deps.items) {
        const name = d.kind === 'scalar' ? String(d.value ?? '') : '';
        if (!real.has(name)) out.push({ severity: 'error', code: 'dependencies-unknown', message: `jobs:${job.name} job: undefined dependency: ${name}`, span: d.span ?? where(job.name), data: { name } });
      }
    }
  }
  return out;
}
