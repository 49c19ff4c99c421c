/**
 * `!reference [job, key, ...]` resolution, as GitLab's Tags::Resolver does it after `extends`:
 * each tag is replaced by the value at that path (its own tags resolved first). Arrays are not
 * flattened here; only script-like keys and rules are flattened later, in the job view.
 */
import { getPath, mapNode, seqNode, withVia } from '../model.js';
import type { MapNode, Node, PipelineDiagnostic, RefNode, Span } from '../model.js';
import { changedKeys, deltaFor, expandedSizes, forgetAfter, holdsReference, referenceResults } from './incremental.js';
import type { Delta, ReferenceResult, StageMemory } from './incremental.js';

/**
 * How many tags may be followed through one chain. GitLab's Tags::Resolver has no such limit (the
 * "10 levels" of its docs is the script entries' nesting, checked on the job); this bound only
 * keeps a hostile chain from exhausting the stack (a bound of this tool, not a number of GitLab's).
 */
export const MAX_REFERENCE_DEPTH = 100;
/**
 * How many values resolving tags may add to the configuration in all. Resolved values are shared,
 * so tags that each reference nine others nine levels deep cost nothing here but expand to 9^9
 * values in every later step (flattening, the preview, the CLI's output): past this, a tag stays
 * unresolved with an error (a bound of this tool, not a number of GitLab's).
 */
export const MAX_REFERENCE_EXPANSION = 1_000_000;

export interface ReferencesResult {
  doc: MapNode;
  diagnostics: PipelineDiagnostic[];
}

/** What Ruby's `unless value` refuses: nil and false. */
const isFalsy = (n: Node): boolean => n.kind === 'scalar' && (n.value === null || n.value === false);

function showPath(path: readonly string[]): string {
  return `!reference [${path.map((p) => JSON.stringify(p)).join(', ')}]`;
}

/**
 * Entries reuse their result of an earlier expansion (merge/incremental.ts) while every path they
 * looked up still holds the same node. The expansion budget is counted per run as tags are met,
 * which depends on what earlier entries already resolved: a run that reused results and came near
 * the budget is done again without reuse, so the limit's findings are exactly a full run's.
 */
export function resolveReferences(doc: MapNode, memory?: StageMemory, changed?: Delta): ReferencesResult & { changed?: Delta } {
  const last = memory?.references as LastRun | undefined;
  const inc = last && resolveChanged(doc, last, deltaFor(changed, { run: last.expansion }));
  // A run that updated the last result in place and then ran in full: the stages after it must not compare with what they saw.
  if (inc === false && memory) forgetAfter(memory, 'references');
  let run = inc ? inc.run : undefined;
  if (!run) {
    run = resolveWith(doc, true, doc.entries.keys());
    if (run.reused && run.expanded > MAX_REFERENCE_EXPANSION / 4) run = resolveWith(doc, false, doc.entries.keys());
  }
  if (memory) memory.references = { input: doc, run, expansion: memory.run as number } satisfies LastRun;
  return { doc: run.doc, diagnostics: run.diagnostics, changed: inc && changed ? { keys: inc.dirty, since: changed.since } : undefined };
}

interface Run extends ReferencesResult {
  /** The document resolved. */
  input: MapNode;
  reused: boolean;
  expanded: number;
  /** Per entry with tags: the top-level entries its tags looked up and how many values they added. */
  perKey: Map<string, { tops: string[]; expanded: number }>;
}

interface LastRun {
  input: MapNode;
  run: Run;
  /** The expansion it was made in (`StageMemory.run`). */
  expansion?: number;
}

/**
 * After an edit: only the entries that changed since the last run (the same keys in the same
 * order) and those whose tags looked up a changed entry are resolved again; the others keep their
 * results. The full run is used instead (undefined) when there were or are findings, or near the
 * expansion budget, where the order in which tags are met decides the outcome.
 */
function resolveChanged(doc: MapNode, last: LastRun, given: Set<string> | undefined): { run: Run; dirty: Set<string> } | false | undefined {
  const before = last.run;
  if (before.diagnostics.length || before.expanded > MAX_REFERENCE_EXPANSION / 4) return undefined;
  const changed = given ?? changedKeys(last.input.entries, doc.entries);
  if (!changed) return undefined;
  const dirty = new Set(changed);
  before.perKey.forEach(({ tops }, key) => tops.some((t) => changed.has(t)) && dirty.add(key));
  // In place only when the last result is this stage's own map and the next stage is told what changed.
  const inPlace = !!given && before.doc !== before.input;
  const run = resolveWith(doc, true, dirty, before, inPlace);
  if (run.diagnostics.length || run.expanded > MAX_REFERENCE_EXPANSION / 4) return false;
  return { run, dirty };
}

/**
 * Resolve the tags of the entries `keys` (all, or after an edit those that may have changed; the
 * others then keep the results of `before`).
 */
function resolveWith(doc: MapNode, reuse: boolean, keys: Iterable<string>, previous?: Run, inPlace = false): Run {
  const diagnostics: PipelineDiagnostic[] = [];
  /** Every path looked up in this run with what was there, in order; and per resolved path, the lookups it took. */
  const lookups: { path: readonly string[]; top: Node | undefined; target: Node | undefined }[] = [];
  const lookupsOf = new Map<string, typeof lookups>();
  let failed = false;
  let reused = false;
  const memo = new Map<string, Node>();
  const reported = new Set<string>();
  const fallback: Span = doc.span ?? { uri: '', start: 0, end: 0 };
  const hasRef = refChecker();
  const sizeOf = expandedSizer();
  let expanded = 0;

  const report = (ref: RefNode, code: string, message: string) => {
    failed = true;
    const id = `${code}:${ref.span?.uri}:${ref.span?.start}`;
    if (reported.has(id)) return;
    reported.add(id);
    diagnostics.push({ severity: 'error', code, message, span: ref.span ?? fallback, data: { path: ref.path } });
  };

  const resolveRef = (ref: RefNode, chain: string[]): Node => {
    if (ref.path.length === 0 || ref.path.some((p) => p === '')) {
      report(ref, 'reference-invalid', `${showPath(ref.path)} is not valid`);
      return ref;
    }
    const id = JSON.stringify(ref.path);
    if (chain.includes(id)) {
      report(ref, 'reference-cycle', `${showPath(ref.path)} is part of a circular chain`);
      return ref;
    }
    if (chain.length >= MAX_REFERENCE_DEPTH) {
      report(ref, 'reference-too-deep', `${showPath(ref.path)}: more than ${MAX_REFERENCE_DEPTH} nested references (a bound of this tool: GitLab sets none)`);
      return ref;
    }
    // Once over the limit, no tag is expanded any more (expanding first would cost what the limit saves).
    if (expanded > MAX_REFERENCE_EXPANSION) {
      report(ref, 'reference-too-large', `${showPath(ref.path)}: the references expand to more than ${MAX_REFERENCE_EXPANSION} values`);
      return ref;
    }
    const cached = memo.get(id);
    let value: Node;
    if (cached) {
      value = cached;
      lookups.push(...lookupsOf.get(id)!);
    } else {
      const target = getPath(doc, ref.path);
      const from = lookups.length;
      lookups.push({ path: ref.path, top: doc.entries.get(ref.path[0]), target });
      // Tags::Reference raises unless the value is truthy: a referenced null or `false` is not found either.
      if (target === undefined || isFalsy(target)) {
        report(ref, 'reference-unknown', `${showPath(ref.path)} could not be found`);
        return ref;
      }
      value = walk(target, [...chain, id]);
      if (!hasRef(value)) {
        memo.set(id, value);
        lookupsOf.set(id, lookups.slice(from));
      }
    }
    expanded += sizeOf(value);
    if (expanded > MAX_REFERENCE_EXPANSION) {
      report(ref, 'reference-too-large', `${showPath(ref.path)}: the references expand to more than ${MAX_REFERENCE_EXPANSION} values`);
      return ref;
    }
    return withVia(value, { kind: 'reference', name: ref.path.join('.'), span: ref.span });
  };

  const walk = (node: Node, chain: string[]): Node => {
    switch (node.kind) {
      case 'scalar':
        return node;
      case 'ref':
        return resolveRef(node, chain);
      case 'seq': {
        if (!hasRef(node)) return node;
        let changed = false;
        const items = node.items.map((i) => {
          const r = walk(i, chain);
          if (r !== i) changed = true;
          return r;
        });
        if (!changed) return node;
        const out = seqNode(items, node.span);
        out.via = node.via;
        return out;
      }
      case 'map': {
        if (!hasRef(node)) return node;
        let changed = false;
        const entries = new Map<string, Node>();
        for (const [k, v] of node.entries) {
          const r = walk(v, chain);
          if (r !== v) changed = true;
          entries.set(k, r);
        }
        if (!changed) return node;
        const out = mapNode(node.span, entries, node.keySpans);
        out.via = node.via;
        return out;
      }
    }
  };

  /** The paths the last entry's tags looked up. */
  let lastLookups: ReferenceResult['lookups'] = [];

  /** A top-level entry: its earlier result while its lookups find the same nodes, else resolved (and remembered when clean). */
  const entry = (value: Node): Node => {
    if (!hasRef(value)) return value;
    const earlier = reuse ? referenceResults.get(value) : undefined;
    // Nodes are immutable: the same top-level entry holds the same node at every path below it.
    if (earlier && earlier.lookups.every((l) => doc.entries.get(l.path[0]) === l.top)) {
      reused = true;
      expanded += earlier.expanded;
      lastLookups = earlier.lookups;
      return earlier.result;
    }
    const before = { failed, expanded };
    failed = false;
    lookups.length = 0;
    const result = walk(value, []);
    lastLookups = [...lookups];
    if (!failed) referenceResults.set(value, { result, lookups: lastLookups, expanded: expanded - before.expanded });
    failed ||= before.failed;
    return result;
  };

  // After an edit the previous run's table is brought up to date in place (that run is not used again).
  const perKey: Run['perKey'] = previous?.perKey ?? new Map();
  let changed = !!previous && previous.doc !== previous.input;
  const entries = previous ? (inPlace ? previous.doc.entries : new Map(previous.doc.entries)) : new Map<string, Node>();
  if (previous) expanded = previous.expanded;
  for (const k of keys) {
    const v = doc.entries.get(k)!;
    const old = perKey.get(k);
    if (old) expanded -= old.expanded;
    perKey.delete(k);
    const from = expanded;
    lastLookups = [];
    const r = entry(v);
    if (r !== v) {
      changed = true;
      perKey.set(k, { tops: [...new Set(lastLookups.map((l) => l.path[0]))], expanded: expanded - from });
    }
    entries.set(k, r);
  }
  let out = doc;
  if (changed) {
    out = mapNode(doc.span, entries, doc.keySpans);
    out.via = doc.via;
  }
  return { doc: out, diagnostics, reused, expanded, perKey, input: doc };
}

/**
 * Does a node hold a tag? Remembered per node (across expansions): anchors and resolved tags share
 * subtrees, which must not be walked once per use. A short hash or list of scalars and tags only
 * (most of them: scripts, variables, rules' clauses) is answered from its items, not remembered:
 * looking it up costs as much as reading it.
 */
function refChecker(): (node: Node) => boolean {
  const check = (node: Node): boolean => {
    if (node.kind === 'ref') return true;
    if (node.kind === 'scalar') return false;
    const items = node.kind === 'seq' ? node.items : node.entries.values();
    let flat = node.kind === 'seq' ? node.items.length <= SHORT : node.entries.size <= SHORT;
    if (flat) {
      for (const i of items) {
        if (i.kind === 'ref') return true;
        if (i.kind !== 'scalar') flat = false;
      }
      if (flat) return false;
    }
    const contents = node.kind === 'seq' ? node.items : node.entries;
    const hit = holdsReference.get(contents);
    if (hit !== undefined) return hit;
    let found = false;
    if (node.kind === 'seq') found = node.items.some(check);
    else for (const v of node.entries.values()) if ((found = check(v))) break;
    holdsReference.set(contents, found);
    return found;
  };
  return check;
}

/** The most items a hash or list of scalars may hold to be read rather than looked up (refChecker). */
const SHORT = 16;

/** How many values a node stands for once every shared subtree is counted at each use (remembered per node, across expansions). */
function expandedSizer(): (node: Node) => number {
  const size = (node: Node): number => {
    if (node.kind === 'scalar' || node.kind === 'ref') return 1;
    const contents = node.kind === 'seq' ? node.items : node.entries;
    const hit = expandedSizes.get(contents);
    if (hit !== undefined) return hit;
    let n = 1;
    if (node.kind === 'seq') for (const i of node.items) n += size(i);
    else for (const v of node.entries.values()) n += size(v);
    expandedSizes.set(contents, n);
    return n;
  };
  return size;
}
