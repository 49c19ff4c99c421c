/**
 * GitLab's deep merge (Ruby `Hash#deep_merge`): hashes merge key by key, recursively; anything
 * else (arrays, scalars, !reference tags) is replaced by the value on top. Untouched subtrees
 * are shared, so their provenance is kept.
 */
import { changedKeys } from './incremental.js';
import { mapNode, withVia } from '../model.js';
import type { MapNode, Node, ViaStep } from '../model.js';

/** Values taken out of a map that was carried somewhere keep the map's chain. */
function carried(node: Node, via: readonly ViaStep[] | undefined): Node {
  if (!via?.length || node.via === via) return node;
  return { ...node, via: node.via ? [...via, ...node.via.filter((v) => !via.includes(v))] : via };
}

/** `base` deep-merged with `top` over it. `topVia` is added to the values taken from `top`. */
export function deepMerge(base: MapNode, top: MapNode, topVia?: ViaStep): MapNode {
  const out = mapNode(top.span ?? base.span);
  out.via = top.via;
  for (const [k, v] of base.entries) {
    out.entries.set(k, v);
    const ks = base.keySpans.get(k);
    if (ks) out.keySpans.set(k, ks);
  }
  mergeInto(out, top, topVia);
  return out;
}

/** `v` written over `prev` under one key: maps deep-merged, anything else replaced. */
function mergeValue(prev: Node | undefined, v: Node): Node {
  if (!prev || prev.kind !== 'map' || v.kind !== 'map') return v;
  const merged = deepMerge(carriedMap(prev), carriedMap(v));
  merged.via = v.via;
  return merged;
}

/** `top`'s entries merged into `out` in place (maps deep-merged, anything else replaced). */
function mergeInto(out: MapNode, top: MapNode, topVia?: ViaStep): void {
  for (const [k, raw] of top.entries) {
    out.entries.set(k, mergeValue(out.entries.get(k), topVia ? withVia(raw, topVia) : raw));
    const ks = top.keySpans.get(k);
    if (ks) out.keySpans.set(k, ks);
  }
}

/** What `mergeFiles` merged last time for one including file. */
export interface MergedFiles {
  tops: readonly MapNode[];
  own: MapNode;
  out: MapNode;
}

/**
 * A file's included files deep-merged in order (`tops`), its own keys over them (`own`): what
 * `deepMerge(deepMergeAll(span, tops), own)` gives. With `last` (the same file's merge in the
 * pipeline's previous expansion), when every map holds the keys it held in the same order, only
 * the keys whose value (or key span) changed are merged again — an edit of one included file of a
 * hundred costs its changed keys, not the whole configuration.
 */
export function mergeFiles(span: MapNode['span'], tops: readonly MapNode[], own: MapNode, last?: MergedFiles): MapNode {
  const dirty = last && changedEntries(last, tops, own);
  if (!last || !dirty) return deepMerge(deepMergeAll(span, tops), own);
  const out = mapNode(last.out.span, new Map(last.out.entries), new Map(last.out.keySpans));
  out.via = own.via;
  for (const k of dirty) {
    let value: Node | undefined;
    for (const top of [...tops, own]) {
      const v = top.entries.get(k);
      if (v === undefined) continue;
      value = mergeValue(value, v);
      const ks = top.keySpans.get(k);
      if (ks) out.keySpans.set(k, ks);
    }
    out.entries.set(k, value!);
  }
  return out;
}

/** The keys whose value or key span changed in any of the maps; undefined when a map's keys changed. */
function changedEntries(last: MergedFiles, tops: readonly MapNode[], own: MapNode): Set<string> | undefined {
  if (tops.length !== last.tops.length) return undefined;
  const dirty = new Set<string>();
  const compare = (before: MapNode, now: MapNode): boolean => {
    if (before === now) return true;
    const values = changedKeys(before.entries, now.entries);
    const spans = values && changedKeys(before.keySpans, now.keySpans);
    if (!values || !spans) return false;
    for (const k of values) dirty.add(k);
    for (const k of spans) dirty.add(k);
    return true;
  };
  for (let i = 0; i < tops.length; i++) if (!compare(last.tops[i], tops[i])) return undefined;
  return compare(last.own, own) ? dirty : undefined;
}

/**
 * `tops` deep-merged in order over an empty map spanning `span`: what folding `deepMerge` over them
 * gives, without copying the growing result once per map (a pipeline of a hundred included files
 * of thousands of keys would copy it a hundred times).
 */
export function deepMergeAll(span: MapNode['span'], tops: readonly MapNode[]): MapNode {
  const out = mapNode(span);
  for (const top of tops) {
    out.span = top.span ?? out.span;
    out.via = top.via;
    mergeInto(out, top);
  }
  return out;
}

/** A map whose entries carry the map's own provenance chain. */
function carriedMap(m: MapNode): MapNode {
  if (!m.via?.length) return m;
  const out = mapNode(m.span, new Map([...m.entries].map(([k, v]) => [k, carried(v, m.via)])), m.keySpans);
  out.via = m.via;
  return out;
}

/** A map without some keys (a shallow copy). */
export function withoutKeys(node: MapNode, keys: readonly string[]): MapNode {
  const out = mapNode(node.span, new Map(node.entries), new Map(node.keySpans));
  out.via = node.via;
  for (const k of keys) {
    out.entries.delete(k);
    out.keySpans.delete(k);
  }
  return out;
}
