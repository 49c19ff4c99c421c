/**
 * `extends:` resolution, as GitLab's Extendable does it on the merged top-level hash (after
 * includes, before !reference): every top-level entry holding `extends` gets its bases
 * (themselves extended first) deep-merged in order, then itself on top. The `extends` key stays.
 */
import { mergeInto } from './merge.js';
import { extendsResults, sameNodes } from './incremental.js';
import { mapNode } from '../model.js';
import type { MapNode, Node, PipelineDiagnostic, Span } from '../model.js';

/** GitLab's Extendable::Entry::MAX_NESTING_LEVELS. */
export const MAX_EXTENDS_NESTING = 10;

export interface ExtendsResult {
  doc: MapNode;
  diagnostics: PipelineDiagnostic[];
  /** For every extended entry: its bases in merge order (direct parents only). */
  parents: Map<string, string[]>;
}

export function extendsNames(value: Node | undefined): { name: string; span?: Span }[] {
  if (!value) return [];
  if (value.kind === 'scalar') return [{ name: String(value.value ?? ''), span: value.span }];
  if (value.kind === 'seq') return value.items.map((i) => ({ name: i.kind === 'scalar' ? String(i.value ?? '') : '', span: i.span }));
  return [{ name: '', span: value.span }];
}

export function applyExtends(doc: MapNode): ExtendsResult {
  const diagnostics: PipelineDiagnostic[] = [];
  const parents = new Map<string, string[]>();
  const done = new Map<string, Node>();
  const failed = new Set<string>();
  const entries = new Map(doc.entries);

  const fallbackSpan = (key: string): Span => doc.keySpans.get(key) ?? doc.span ?? { uri: '', start: 0, end: 0 };
  const report = (key: string, code: string, message: string, span: Span | undefined, data?: Record<string, unknown>) => {
    diagnostics.push({ severity: 'error', code, message: `${key}: ${message}`, span: span ?? fallbackSpan(key), data });
  };

  const extend = (key: string, ancestors: string[]): Node | undefined => {
    const cached = done.get(key);
    if (cached) return cached;
    const value = entries.get(key);
    if (!value || value.kind !== 'map' || !value.entries.has('extends')) return value;
    if (failed.has(key)) return value;
    const extendsNode = value.entries.get('extends')!;
    const bases = extendsNames(extendsNode);
    const unknown = bases.filter((b) => !entries.has(b.name));
    if (unknown.length) {
      for (const u of unknown) {
        report(key, 'extends-unknown', `unknown keys in \`extends\` (${u.name})`, u.span ?? extendsNode.span, { name: u.name });
      }
      failed.add(key);
      return value;
    }
    const invalid = bases.filter((b) => entries.get(b.name)?.kind !== 'map');
    if (invalid.length) {
      report(key, 'extends-invalid-base', `invalid base hashes in \`extends\` (${invalid.map((b) => b.name).join(', ')})`, invalid[0].span ?? extendsNode.span);
      failed.add(key);
      return value;
    }
    if (ancestors.length === 0 && extensibleDepth(key) > MAX_EXTENDS_NESTING) {
      report(key, 'extends-too-deep', 'nesting too deep in `extends`', extendsNode.span);
      failed.add(key);
      return value;
    }
    if (ancestors.includes(key)) {
      report(key, 'extends-cycle', 'circular dependency detected in `extends`', extendsNode.span, { chain: [...ancestors, key] });
      failed.add(key);
      return value;
    }
    const resolvedBases = bases.map((base) => extend(base.name, [...ancestors, key]));
    parents.set(key, bases.map((b) => b.name));
    // The same entry over the same merged bases as in an earlier expansion: the same result.
    const earlier = extendsResults.get(value);
    if (earlier && sameNodes(earlier.bases, resolvedBases)) {
      done.set(key, earlier.result);
      entries.set(key, earlier.result);
      return earlier.result;
    }
    // The bases and the entry itself merged in order into one new map (no copy per step).
    const result = mapNode(value.span);
    bases.forEach((base, i) => {
      const resolved = resolvedBases[i];
      if (resolved?.kind === 'map') mergeInto(result, resolved, { kind: 'extends', name: base.name, span: base.span });
    });
    mergeInto(result, value);
    result.span = value.span;
    result.via = value.via;
    extendsResults.set(value, { bases: resolvedBases, result });
    done.set(key, result);
    entries.set(key, result);
    return result;
  };

  // GitLab re-walks every chain from each entry: an extensible entry with more than
  // MAX_EXTENDS_NESTING ancestors fails, whatever was extended before.
  const depthMemo = new Map<string, number>();
  const extensibleDepth = (key: string, seen: string[] = []): number => {
    const cached = depthMemo.get(key);
    if (cached !== undefined) return cached;
    const v = doc.entries.get(key);
    if (v?.kind !== 'map' || !v.entries.has('extends') || seen.includes(key)) return -1;
    let d = 0;
    for (const b of extendsNames(v.entries.get('extends'))) d = Math.max(d, 1 + extensibleDepth(b.name, [...seen, key]));
    depthMemo.set(key, d);
    return d;
  };

  for (const key of doc.entries.keys()) extend(key, []);
  const out = mapNode(doc.span, entries, doc.keySpans);
  out.via = doc.via;
  return { doc: out, diagnostics, parents };
}
