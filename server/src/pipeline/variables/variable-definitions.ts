/**
 * Where a variable is defined for a job, in GitLab's precedence (winner first): CI/CD settings
 * variables (the `knownVariables` setting), the job's `rules:variables`, its `parallel:matrix`,
 * its own `variables:`, its `extends` parents' (later parents first), then the global ones —
 * `workflow:rules:variables`, the root file's `variables:`, then those that arrived through
 * includes (a group-vars.yml file, say), in merge order — unless `inherit:variables` filters
 * them, and last GitLab's predefined variables. `default:` holds no
 * variables in GitLab, so it is no source here.
 */
import type { ExpandedPipeline } from '../merge/expand.js';
import type { LoadedFile } from '../includes/includes.js';
import { matrixEntries } from '../merge/matrix.js';
import { getPath, scalarText } from '../model.js';
import type { MapNode, Node, Span, ViaStep } from '../model.js';
import { PREDEFINED_VARIABLES } from './predefined-variables.js';
import { inheritsGlobal } from './inherit-variables.js';

export interface VariableDefinition {
  name: string;
  value?: string;
  description?: string;
  options?: string[];
  /** The variable's key where it is written. */
  span?: Span;
  scope: 'job' | 'extends' | 'default' | 'global' | 'included-file' | 'predefined' | 'known';
  /** The job (or extends parent) whose `variables:` holds it. */
  job?: string;
  via?: readonly ViaStep[];
  /** The value node (a string, or the `value:` of a rich variable). */
  node?: Node;
}

export interface ScopeOptions {
  knownVariables?: readonly string[];
  /** Leave out GitLab's predefined variables. */
  withoutPredefined?: boolean;
}

/** Set from the pipeline's user after the YAML variables (variables/builder.rb `user_variables`). */
const USER_VARIABLES = PREDEFINED_VARIABLES.filter((p) => /^GITLAB_USER_(ID|EMAIL|LOGIN|NAME)$/.test(p.name));

const mergeOrderCache = new WeakMap<ExpandedPipeline, LoadedFile[]>();
const globalsCache = new WeakMap<ExpandedPipeline, Map<string, VariableDefinition[]>>();

/** The loaded files in merge order, lowest precedence first: a file's includes (in order, each
 *  with its own includes first), then the file itself on top; each file once, at its last place. */
export function filesInMergeOrder(pipeline: ExpandedPipeline): LoadedFile[] {
  const cached = mergeOrderCache.get(pipeline);
  if (cached) return cached;
  const children = new Map<LoadedFile, LoadedFile[]>();
  const roots: LoadedFile[] = [];
  const stack: LoadedFile[] = [];
  for (const f of pipeline.files) {
    if (!f.includedFrom) {
      roots.push(f);
      stack.length = 0;
      stack.push(f);
      continue;
    }
    while (stack.length && stack[stack.length - 1].uri !== f.includedFrom.uri) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) {
      const list = children.get(parent) ?? [];
      list.push(f);
      children.set(parent, list);
    } else roots.push(f);
    stack.push(f);
  }
  const order: LoadedFile[] = [];
  const visit = (f: LoadedFile) => {
    for (const c of children.get(f) ?? []) visit(c);
    order.push(f);
  };
  for (const r of roots) visit(r);
  // A file included twice merges the same content twice: its last place is the one that counts.
  const last = new Map(order.map((f, i) => [f.uri, i]));
  const out = order.filter((f, i) => last.get(f.uri) === i);
  mergeOrderCache.set(pipeline, out);
  return out;
}

function resolveRef(pipeline: ExpandedPipeline, node: Node | undefined): Node | undefined {
  if (node?.kind !== 'ref') return node;
  return getPath(pipeline.merged, node.path);
}

/** A definition from a `variables:` entry (`X: value` or `X: {value, description, options}`). */
export function definitionOf(
  pipeline: ExpandedPipeline,
  name: string,
  raw: Node,
  keySpan: Span | undefined,
  scope: VariableDefinition['scope'],
  extra: { job?: string; via?: readonly ViaStep[] } = {},
): VariableDefinition {
  const node = resolveRef(pipeline, raw) ?? raw;
  const def: VariableDefinition = { name, scope, span: keySpan ?? node.span };
  if (extra.job) def.job = extra.job;
  const via = extra.via ?? node.via;
  if (via?.length) def.via = via;
  if (node.kind === 'map') {
    const value = resolveRef(pipeline, node.entries.get('value'));
    if (value?.kind === 'scalar') def.value = scalarText(value.value);
    if (value) def.node = value;
    const d = node.entries.get('description');
    if (d?.kind === 'scalar' && d.value !== null) def.description = String(d.value);
    const o = node.entries.get('options');
    if (o?.kind === 'seq') def.options = o.items.map((i) => (i.kind === 'scalar' ? scalarText(i.value) : ''));
  } else if (node.kind === 'scalar') {
    def.value = scalarText(node.value);
    def.node = node;
  } else def.node = node;
  return def;
}

function add(map: Map<string, VariableDefinition[]>, def: VariableDefinition): void {
  const list = map.get(def.name);
  if (list) list.push(def);
  else map.set(def.name, [def]);
}

/** Global `variables:` of every file, winner first (the root file's, then included files'). */
export function globalDefinitions(pipeline: ExpandedPipeline): Map<string, VariableDefinition[]> {
  const cached = globalsCache.get(pipeline);
  if (cached) return cached;
  const out = new Map<string, VariableDefinition[]>();
  // `workflow:rules:variables` are merged over the global `variables:` (GitLab's root variables).
  const workflow = pipeline.merged.entries.get('workflow');
  if (workflow?.kind === 'map') for (const d of ruleDefinitions(pipeline, workflow.entries.get('rules'), 'global')) add(out, d);
  for (const f of [...filesInMergeOrder(pipeline)].reverse()) {
    for (const d of fileGlobals(pipeline, f)) add(out, d);
  }
  globalsCache.set(pipeline, out);
  return out;
}

/** The global `variables:` one file writes itself. */
export function fileGlobals(pipeline: ExpandedPipeline, f: LoadedFile): VariableDefinition[] {
  if (f.content.kind !== 'map') return [];
  const vars = resolveRef(pipeline, f.content.entries.get('variables'));
  if (vars?.kind !== 'map') return [];
  const scope = f.includedFrom ? 'included-file' : 'global';
  return [...vars.entries].map(([name, v]) => definitionOf(pipeline, name, v, vars.keySpans.get(name), scope));
}

const holders = new WeakMap<ExpandedPipeline, { asked: number; all?: Map<string, LoadedFile[]> }>();

/**
 * The pipeline's files whose content writes the top-level key (in the pipeline's file order). An
 * edit asks for a few keys: each is looked up file by file. A first analysis asks for thousands:
 * past 256 keys every key of every file is indexed at once.
 */
export function filesWriting(pipeline: ExpandedPipeline, key: string): LoadedFile[] {
  let h = holders.get(pipeline);
  if (!h) holders.set(pipeline, (h = { asked: 0 }));
  if (!h.all && ++h.asked > 256) {
    const all = new Map<string, LoadedFile[]>();
    for (const f of pipeline.files) {
      if (f.content.kind !== 'map') continue;
      for (const k of f.content.entries.keys()) {
        const list = all.get(k);
        if (list) list.push(f);
        else all.set(k, [f]);
      }
    }
    h.all = all;
  }
  if (h.all) return h.all.get(key) ?? [];
  return pipeline.files.filter((f) => f.content.kind === 'map' && f.content.entries.has(key));
}

const rawCache = new WeakMap<ExpandedPipeline, Map<string, MapNode[]>>();
const mergeOrder = new WeakMap<ExpandedPipeline, Map<LoadedFile, number>>();

/** The raw (pre-extends) definitions of a job in each file that writes it, winner first (remembered per pipeline and job). */
export function rawJobNodes(pipeline: ExpandedPipeline, job: string): MapNode[] {
  let index = rawCache.get(pipeline);
  if (!index) rawCache.set(pipeline, (index = new Map()));
  let list = index.get(job);
  if (!list) {
    let order = mergeOrder.get(pipeline);
    if (!order) mergeOrder.set(pipeline, (order = new Map(filesInMergeOrder(pipeline).map((f, i) => [f, i]))));
    const at = order;
    const writers = filesWriting(pipeline, job).filter((f) => at.has(f)).sort((a, b) => at.get(b)! - at.get(a)!);
    list = [];
    for (const f of writers) {
      const n = (f.content as MapNode).entries.get(job)!;
      if (n.kind === 'map') list.push(n);
    }
    index.set(job, list);
  }
  return list;
}

/** Definitions a job's own `variables:` and `parallel:matrix` and its extends parents give, winner first. */
export function jobDefinitions(pipeline: ExpandedPipeline, job: string): Map<string, VariableDefinition[]> {
  const out = new Map<string, VariableDefinition[]>();
  const visit = (name: string, scope: 'job' | 'extends', via: readonly ViaStep[], seen: Set<string>) => {
    if (seen.has(name)) return;
    seen.add(name);
    if (scope === 'job') {
      // GitLab merges `rules:variables` over the job's variables, and each `parallel:matrix`
      // instance's variables over the job's own (normalizer: `config.deep_merge(matrix)`).
      // A top-level entry the cursor names need not be a hash (`job:` alone is null).
      const entry = pipeline.jobs.get(name)?.node ?? pipeline.merged.entries.get(name);
      const merged = entry?.kind === 'map' ? entry : undefined;
      for (const d of ruleDefinitions(pipeline, merged?.entries.get('rules'), 'job', name)) add(out, d);
      for (const d of matrixDefinitions(merged, name)) add(out, d);
    }
    const nodes = rawJobNodes(pipeline, name);
    for (const n of nodes) {
      const vars = resolveRef(pipeline, n.entries.get('variables'));
      if (vars?.kind === 'map') {
        for (const [k, v] of vars.entries) add(out, definitionOf(pipeline, k, v, vars.keySpans.get(k), scope, { job: name, via }));
      }
    }
    const parents = pipeline.extendsParents.get(name) ?? [];
    for (const p of [...parents].reverse()) {
      const step: ViaStep = { kind: 'extends', name: p };
      visit(p, 'extends', [...via, step], seen);
    }
  };
  visit(job, 'job', [], new Set());
  return out;
}

/** `rules:variables` (of a job, or of `workflow:`): set when their rule matches. */
function ruleDefinitions(pipeline: ExpandedPipeline, rules: Node | undefined, scope: 'job' | 'global', job?: string): VariableDefinition[] {
  if (rules?.kind !== 'seq') return [];
  const out: VariableDefinition[] = [];
  for (const rule of rules.items) {
    const vars = rule.kind === 'map' ? rule.entries.get('variables') : undefined;
    if (vars?.kind !== 'map') continue;
    for (const [k, v] of vars.entries) out.push(definitionOf(pipeline, k, v, vars.keySpans.get(k), scope, { job }));
  }
  return out;
}

/** `parallel:matrix` variables of a job (each instance gets one of the values). */
function matrixDefinitions(job: MapNode | undefined, name: string): VariableDefinition[] {
  const out: VariableDefinition[] = [];
  for (const entry of matrixEntries(job?.entries.get('parallel'))) {
    for (const v of entry.variables) {
      const options = v.values.map((i) => (i.kind === 'scalar' ? scalarText(i.value) : ''));
      out.push({ name: v.name, scope: 'job', job: name, span: v.keySpan, value: options[0], options, node: v.values[0] });
    }
  }
  return out;
}


/**
 * Every variable defined for `job` (or, without a job, for the pipeline as a whole), with its
 * override chain, winner first.
 */
export function definitionsInScope(pipeline: ExpandedPipeline, job?: string, opts: ScopeOptions = {}): Map<string, VariableDefinition[]> {
  const out = new Map<string, VariableDefinition[]>();
  for (const name of opts.knownVariables ?? []) add(out, { name, scope: 'known' });
  // GitLab appends the GITLAB_USER_* variables after the YAML ones: `variables:` cannot override them.
  if (!opts.withoutPredefined) for (const p of USER_VARIABLES) add(out, { name: p.name, scope: 'predefined', description: p.description });
  if (job !== undefined) for (const list of jobDefinitions(pipeline, job).values()) for (const d of list) add(out, d);
  const jobNode = job !== undefined ? pipeline.jobs.get(job)?.node ?? (pipeline.merged.entries.get(job) as MapNode | undefined) : undefined;
  const inherits = job !== undefined ? inheritsGlobal(jobNode?.kind === 'map' ? jobNode : undefined) : () => true;
  for (const [name, list] of globalDefinitions(pipeline)) {
    if (!inherits(name)) continue;
    for (const d of list) add(out, d);
  }
  if (!opts.withoutPredefined) {
    for (const p of PREDEFINED_VARIABLES) if (!USER_VARIABLES.includes(p)) add(out, { name: p.name, scope: 'predefined', description: p.description });
  }
  return out;
}
