/**
 * `!reference [job, key, ...]` resolution, as GitLab's Tags::Resolver does it after `extends`:
 * each tag is replaced by the value at that path (its own tags resolved first). Arrays are not
 * flattened here; only script-like keys and rules are flattened later, in the job view.
 */
import { getPath, mapNode, seqNode, withVia } from './model.js';
import type { MapNode, Node, PipelineDiagnostic, RefNode, Span } from './model.js';

/** How many tags may be followed through one chain (GitLab: Tags::Reference nesting limit). */
export const MAX_REFERENCE_DEPTH = 10;

export interface ReferencesResult {
  doc: MapNode;
  diagnostics: PipelineDiagnostic[];
}

function showPath(path: readonly string[]): string {
  return `!reference [${path.map((p) => JSON.stringify(p)).join(', ')}]`;
}

export function resolveReferences(doc: MapNode): ReferencesResult {
  const diagnostics: PipelineDiagnostic[] = [];
  const memo = new Map<string, Node>();
  const reported = new Set<string>();
  const fallback: Span = doc.span ?? { uri: '', start: 0, end: 0 };

  const report = (ref: RefNode, code: string, message: string) => {
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
    const cached = memo.get(id);
    if (cached) return withVia(cached, { kind: 'reference', name: ref.path.join('.'), span: ref.span });
    const target = getPath(doc, ref.path);
    if (target === undefined) {
      report(ref, 'reference-unknown', `${showPath(ref.path)} could not be found`);
      return ref;
    }
    const value = walk(target, [...chain, id]);
    if (!containsRef(value)) memo.set(id, value);
    return withVia(value, { kind: 'reference', name: ref.path.join('.'), span: ref.span });
  };

  const walk = (node: Node, chain: string[]): Node => {
    switch (node.kind) {
      case 'scalar':
        return node;
      case 'ref':
        return resolveRef(node, chain);
      case 'seq': {
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

  const out = walk(doc, []) as MapNode;
  return { doc: out, diagnostics };
}

function containsRef(node: Node): boolean {
  if (node.kind === 'ref') return true;
  if (node.kind === 'seq') return node.items.some(containsRef);
  if (node.kind === 'map') for (const v of node.entries.values()) if (containsRef(v)) return true;
  return false;
}
