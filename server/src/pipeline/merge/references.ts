/**
 * `!reference [job, key, ...]` resolution, as GitLab's Tags::Resolver does it after `extends`:
 * each tag is replaced by the value at that path (its own tags resolved first). Arrays are not
 * flattened here; only script-like keys and rules are flattened later, in the job view.
 */
import { getPath, mapNode, seqNode, withVia } from '../model.js';
import type { MapNode, Node, PipelineDiagnostic, RefNode, Span } from '../model.js';
import { expandedSizes, holdsReference, referenceResults } from './incremental.js';

/** How many tags may be followed through one chain (GitLab: Tags::Reference nesting limit). */
export const MAX_REFERENCE_DEPTH = 10;
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

function showPath(path: readonly string[]): string {
  return `!reference [${path.map((p) => JSON.stringify(p)).join(', ')}]`;
}

/**
 * Entries reuse their result of an earlier expansion (merge/incremental.ts) while every path they
 * looked up still holds the same node. The expansion budget is counted per run as tags are met,
 * which depends on what earlier entries already resolved: a run that reused results and came near
 * the budget is done again without reuse, so the limit's findings are exactly a full run's.
 */
export function resolveReferences(doc: MapNode, reuse = true): ReferencesResult {
  const result = resolveWith(doc, reuse);
  if (result.reused && result.expanded > MAX_REFERENCE_EXPANSION / 4) return resolveWith(doc, false);
  return result;
}

function resolveWith(doc: MapNode, reuse: boolean): ReferencesResult & { reused: boolean; expanded: number } {
  const diagnostics: PipelineDiagnostic[] = [];
  /** Every path looked up in this run with what was there, in order; and per resolved path, the lookups it took. */
  const lookups: { path: readonly string[]; target: Node | undefined }[] = [];
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
      report(ref, 'reference-too-deep', `${showPath(ref.path)}: too many nested references (limit ${MAX_REFERENCE_DEPTH})`);
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
      lookups.push({ path: ref.path, target });
      if (target === undefined) {
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

  /** A top-level entry: its earlier result while its lookups find the same nodes, else resolved (and remembered when clean). */
  const entry = (value: Node): Node => {
    if (!hasRef(value)) return value;
    const earlier = reuse ? referenceResults.get(value) : undefined;
    if (earlier && earlier.lookups.every((l) => getPath(doc, l.path) === l.target)) {
      reused = true;
      expanded += earlier.expanded;
      return earlier.result;
    }
    const before = { failed, expanded };
    failed = false;
    lookups.length = 0;
    const result = walk(value, []);
    if (!failed) referenceResults.set(value, { result, lookups: [...lookups], expanded: expanded - before.expanded });
    failed ||= before.failed;
    return result;
  };

  let changed = false;
  const entries = new Map<string, Node>();
  for (const [k, v] of doc.entries) {
    const r = entry(v);
    if (r !== v) changed = true;
    entries.set(k, r);
  }
  let out = doc;
  if (changed) {
    out = mapNode(doc.span, entries, doc.keySpans);
    out.via = doc.via;
  }
  return { doc: out, diagnostics, reused, expanded };
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
