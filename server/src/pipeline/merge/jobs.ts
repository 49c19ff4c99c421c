/**
 * Jobs as GitLab builds them from the merged configuration: top-level keys that are not global
 * keywords; `default:` (and the deprecated top-level image/services/cache/before_script/
 * after_script) inherited unless `inherit:default` says otherwise (nested lists are already
 * flattened: flatten.ts); stages with `.pre`/`.post`. What GitLab rejects in them is checked in
 * validate/.
 */
import { baseJobName } from './matrix.js';
import { flattenStages } from './flatten.js';
import { changedKeys, deltaFor, perNode, sameNodes } from './incremental.js';
import type { Delta, StageMemory } from './incremental.js';
import { mapNode, seqNode, withVia } from '../model.js';
import type { MapNode, Node, SeqNode, Span } from '../model.js';

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

/**
 * What a trigger job (GitLab's Bridge: no `script`/`run`, but `trigger` or `needs`) takes from
 * `default:`: only Processable's inheritable entry, `interruptible`.
 */
const BRIDGE_DEFAULT_KEYWORDS = ['interruptible'] as const;

const isBridge = (job: MapNode) => !job.entries.has('script') && !job.entries.has('run') && (job.entries.has('trigger') || job.entries.has('needs'));

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
  // The job's own entries (nodes are not changed once built), copied once a default is added to them.
  let entries = node.entries;
  const fromDefault: string[] = [];
  if (!hidden && defaults.entries.size) {
    const allowed = inheritedDefaults(node);
    const defaultSpan = defaults.span;
    for (const key of isBridge(node) ? BRIDGE_DEFAULT_KEYWORDS : DEFAULT_KEYWORDS) {
      // A keyword written as null is not specified (GitLab's Undefined entry): the default fills it.
      const own = node.entries.get(key);
      if ((own && !(own.kind === 'scalar' && own.value === null)) || !allowed.has(key)) continue;
      const v = defaults.entries.get(key);
      if (v === undefined) continue;
      if (entries === node.entries) entries = new Map(node.entries);
      entries.set(key, withVia(v, { kind: 'default', name: key, span: defaultSpan }));
      fromDefault.push(key);
    }
  }
  // A job that takes nothing from `default:` is its merged entry itself (ten thousand jobs, ten thousand maps fewer).
  if (!fromDefault.length) return { name, hidden, node, fromDefault };
  const out = mapNode(node.span, entries, node.keySpans);
  out.via = node.via;
  return { name, hidden, node: out, fromDefault };
}

/** Job views of earlier expansions, by the job's node: reused while its name and the defaults it may take are the same. */
const jobViews = perNode<MapNode, { name: string; defaults: readonly (Node | undefined)[]; defaultSpan: Span | undefined; view: JobView }>();

interface LastRun {
  input: MapNode;
  defaults: readonly (Node | undefined)[];
  defaultSpan: Span | undefined;
  jobs: Map<string, JobView>;
  run: number;
}

export function buildJobs(doc: MapNode, memory?: StageMemory, given?: Delta): Map<string, JobView> {
  const defaults = effectiveDefault(doc);
  const defaultValues = DEFAULT_KEYWORDS.map((k) => defaults.entries.get(k));
  const view = (key: string, node: MapNode): JobView => {
    const earlier = jobViews.get(node);
    if (earlier && earlier.name === key && earlier.defaultSpan === defaults.span && sameNodes(earlier.defaults, defaultValues)) return earlier.view;
    const built = buildJob(key, node, defaults);
    jobViews.set(node, { name: key, defaults: defaultValues, defaultSpan: defaults.span, view: built });
    return built;
  };
  const last = memory?.jobs as LastRun | undefined;
  let jobs: Map<string, JobView> | undefined;
  // After an edit with the same defaults: the changed entries built again, the other jobs as they were.
  if (last && last.defaultSpan === defaults.span && sameNodes(last.defaults, defaultValues)) {
    const changed = deltaFor(given, last) ?? changedKeys(last.input.entries, doc.entries);
    if (changed && [...changed].every((k) => isJobKey(k, last.input.entries.get(k)!) === isJobKey(k, doc.entries.get(k)!))) {
      jobs = new Map(last.jobs);
      for (const key of changed) {
        const value = doc.entries.get(key)!;
        if (isJobKey(key, value)) jobs.set(key, view(key, value as MapNode));
      }
    }
  }
  if (!jobs) {
    jobs = new Map();
    for (const [key, value] of doc.entries) if (isJobKey(key, value)) jobs.set(key, view(key, value as MapNode));
  }
  if (memory) memory.jobs = { input: doc, defaults: defaultValues, defaultSpan: defaults.span, jobs, run: memory.run as number } satisfies LastRun;
  return jobs;
}

// Instance names live with the matrix expansion; re-exported for the features that import it here.
export { baseJobName };
