/**
 * GitLab's variables collection: a list of variables (later entries win for the same name) whose
 * values may refer to each other. `sortAndExpandAll` orders them so that each comes after what it
 * refers to and expands the references, as `Gitlab::Ci::Variables::Collection#sort_and_expand_all`
 * does before rules are evaluated and jobs are created. Pure.
 *
 * - References are `$VAR`, `${VAR}` and `%VAR%`; `$$` and `%%` are left as they are (the runner
 *   unescapes them), and so is `${}`.
 * - Each value is expanded once, with the values of the variables sorted before it, already
 *   expanded: `A: $B`, `B: $C`, `C: x` gives A = x. `X: $X` reads the X defined before it.
 * - A raw variable (`expand: false`) refers to nothing; a reference to it takes its value as
 *   written (`expandRawRefs`, default) or stays for the runner. File variables likewise
 *   (`expandFileRefs`, default true).
 * - Unknown variables become "" unless `keepUndefined`.
 * - Variables that refer to each other in a loop are an error, "circular variable reference
 *   detected: ["A", "B"]", and then nothing is expanded at all.
 */
import { scalarText } from '../model.js';
import type { MapNode, Node } from '../model.js';
import { inheritsGlobal } from './inherit-variables.js';

export interface CollectionVariable {
  key: string;
  value: string;
  /** `expand: false`: its value is not expanded. */
  raw?: boolean;
  /** A file-type variable. */
  file?: boolean;
}

export interface SortAndExpandOptions {
  keepUndefined?: boolean;
  expandFileRefs?: boolean;
  expandRawRefs?: boolean;
}

export interface ExpandedCollection {
  variables: CollectionVariable[];
  /** The cycle message when variables refer to each other in a loop (nothing is expanded then). */
  error?: string;
}

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
/** `$$`, `%%`, `$VAR`, `${VAR}` (and `${}`), `%VAR%`: GitLab's Collection::Item pattern. */
const REFERENCE = new RegExp(`\\$\\$|%%|\\$(${NAME})|\\$\\{(${NAME})?\\}|%(${NAME})%`, 'g');

/** The names a value refers to, in order (repeats kept); undefined for a raw variable or a value
 *  without `$` or `%`. */
export function dependsOn(v: CollectionVariable): string[] | undefined {
  if (v.raw || typeof v.value !== 'string' || !(v.value.includes('$') || v.value.includes('%'))) return undefined;
  const out: string[] = [];
  for (const m of v.value.matchAll(REFERENCE)) {
    const name = m[1] ?? m[2] ?? m[3];
    if (name !== undefined) out.push(name);
  }
  return out;
}

/**
 * The variables in dependency order (Tarjan's strongly connected components, visiting them in
 * list order and each variable's references in text order, every definition of a referenced name
 * in list order), or the cycle error.
 */
export function sortVariables(vars: readonly CollectionVariable[]): { sorted?: CollectionVariable[]; error?: string } {
  const byKey = new Map<string, number[]>();
  vars.forEach((v, i) => {
    const list = byKey.get(v.key);
    if (list) list.push(i);
    else byKey.set(v.key, [i]);
  });
  const children = vars.map((v) => (dependsOn(v) ?? []).flatMap((name) => byKey.get(name) ?? []));
  const index = new Array<number>(vars.length).fill(-1);
  const low = new Array<number>(vars.length).fill(0);
  const onStack = new Array<boolean>(vars.length).fill(false);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  // Iterative Tarjan: frames of (node, next child position).
  for (let root = 0; root < vars.length; root++) {
    if (index[root] >= 0) continue;
    const frames: Array<[number, number]> = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (frames.length) {
      const frame = frames[frames.length - 1];
      const [node, pos] = frame;
      if (pos < children[node].length) {
        frame[1]++;
        const child = children[node][pos];
        if (index[child] < 0) {
          index[child] = low[child] = counter++;
          stack.push(child);
          onStack[child] = true;
          frames.push([child, 0]);
        } else if (onStack[child]) low[node] = Math.min(low[node], index[child]);
        continue;
      }
      frames.pop();
      if (frames.length) {
        const parent = frames[frames.length - 1][0];
        low[parent] = Math.min(low[parent], low[node]);
      }
      if (low[node] === index[node]) {
        const at = stack.lastIndexOf(node);
        const component = stack.splice(at);
        for (const n of component) onStack[n] = false;
        components.push(component);
      }
    }
  }
  const cycles = components.filter((c) => c.length > 1);
  if (cycles.length) {
    const shown = cycles.map((c) => `[${c.map((n) => JSON.stringify(vars[n].key)).join(', ')}]`);
    return { error: `circular variable reference detected: ${shown.join(', ')}` };
  }
  return { sorted: components.map((c) => vars[c[0]]) };
}

/** GitLab's `sort_and_expand_all`: see the module comment. */
export function sortAndExpandAll(vars: readonly CollectionVariable[], opts: SortAndExpandOptions = {}): ExpandedCollection {
  const { sorted, error } = sortVariables(vars);
  if (!sorted) return { variables: [...vars], error };
  const expandFile = opts.expandFileRefs ?? true;
  const expandRaw = opts.expandRawRefs ?? true;
  const done = new Map<string, CollectionVariable>();
  const out: CollectionVariable[] = [];
  for (const v of sorted) {
    let item = v;
    if (dependsOn(v)) {
      const value = v.value.replace(REFERENCE, (match: string, a?: string, b?: string, c?: string) => {
        const name = a ?? b ?? c;
        if (name === undefined) return match;
        const ref = done.get(name);
        if (!ref) return opts.keepUndefined ? match : '';
        if (ref.file) return expandFile ? ref.value : match;
        if (ref.raw) return expandRaw ? ref.value : match;
        return ref.value;
      });
      item = { ...v, value };
    }
    done.set(item.key, item);
    out.push(item);
  }
  return { variables: out };
}

/** The collection as name → value, later definitions winning. */
export function collectionValues(vars: readonly CollectionVariable[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of vars) out[v.key] = v.value;
  return out;
}

/** A `variables:` map's entries as collection variables, in written order (`null` = ""). */
export function variablesNodeEntries(node: Node | undefined): CollectionVariable[] {
  if (node?.kind !== 'map') return [];
  const out: CollectionVariable[] = [];
  for (const [k, v] of node.entries) {
    const item = entryVariable(k, v);
    if (item) out.push(item);
  }
  return out;
}

/** A `variables:` entry as a collection variable (`expand: false` is raw). */
function entryVariable(key: string, node: Node): CollectionVariable | undefined {
  if (node.kind === 'scalar') return { key, value: node.value === null ? '' : scalarText(node.value) };
  if (node.kind !== 'map') return undefined;
  const value = node.entries.get('value');
  const expand = node.entries.get('expand');
  const raw = expand?.kind === 'scalar' && expand.value === false;
  return { key, value: value?.kind === 'scalar' && value.value !== null ? scalarText(value.value) : '', ...(raw ? { raw } : {}) };
}

const referringCache = new WeakMap<Node, CollectionVariable[]>();

/** The global variables that refer to others (remembered per `variables:` node). */
function referringGlobals(globals: Node | undefined): CollectionVariable[] {
  if (globals?.kind !== 'map') return [];
  let list = referringCache.get(globals);
  if (!list) {
    list = [];
    for (const [k, v] of globals.entries) {
      const item = entryVariable(k, v);
      if (item && dependsOn(item)?.length) list.push(item);
    }
    referringCache.set(globals, list);
  }
  return list;
}

/**
 * The cycle error GitLab gives a job whose variables refer to each other in a loop ("circular
 * variable reference detected: [...]", pipeline/seed/build.rb `variable_expansion_errors`): the
 * global `variables:` the job inherits, overridden by its own (`parallel:matrix` keys override
 * those and refer to nothing). Only variables that refer to others can be in a loop, so only
 * those are looked at.
 */
export function jobVariableCycle(globals: Node | undefined, job: MapNode): string | undefined {
  // A job's merged node is kept across analyses while it is unchanged: its answer too, per globals node.
  const known = cycleCache.get(job);
  if (known && known.globals === globals) return known.error;
  const error = findJobVariableCycle(globals, job);
  cycleCache.set(job, { globals, error });
  return error;
}

const cycleCache = new WeakMap<MapNode, { globals: Node | undefined; error: string | undefined }>();

function findJobVariableCycle(globals: Node | undefined, job: MapNode): string | undefined {
  const own = job.entries.get('variables');
  const fromGlobals = referringGlobals(globals);
  const referring = new Map<string, CollectionVariable | undefined>();
  if (fromGlobals.length) {
    const inherits = inheritsGlobal(job);
    for (const v of fromGlobals) if (inherits(v.key)) referring.set(v.key, v);
  }
  if (own?.kind === 'map') {
    for (const [k, v] of own.entries) {
      const item = entryVariable(k, v);
      referring.set(k, item && dependsOn(item)?.length ? item : undefined);
    }
  }
  if (referring.size < 2) return undefined;
  const parallel = job.entries.get('parallel');
  const matrix = parallel?.kind === 'map' ? parallel.entries.get('matrix') : undefined;
  if (matrix?.kind === 'seq') {
    for (const m of matrix.items) if (m.kind === 'map') for (const k of m.entries.keys()) referring.set(k, undefined);
  }
  const list = [...referring.values()].filter((v): v is CollectionVariable => v !== undefined);
  return list.length < 2 ? undefined : sortVariables(list).error;
}
