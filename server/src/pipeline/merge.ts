/**
 * GitLab's deep merge (Ruby `Hash#deep_merge`): hashes merge key by key, recursively; anything
 * else (arrays, scalars, !reference tags) is replaced by the value on top. Untouched subtrees
 * are shared, so their provenance is kept.
 */
import { mapNode, withVia } from './model.js';
import type { MapNode, Node, ViaStep } from './model.js';

/** `base` deep-merged with `top` over it. `topVia` is added to values taken from `top`. */
export function deepMerge(base: MapNode, top: MapNode, baseVia?: ViaStep): MapNode {
  const out = mapNode(top.span ?? base.span);
  out.via = top.via;
  for (const [k, v] of base.entries) {
    out.entries.set(k, baseVia ? withVia(v, baseVia) : v);
    const ks = base.keySpans.get(k);
    if (ks) out.keySpans.set(k, ks);
  }
  for (const [k, v] of top.entries) {
    const prev = out.entries.get(k);
    if (prev && prev.kind === 'map' && v.kind === 'map') out.entries.set(k, deepMerge(prev, v));
    else out.entries.set(k, v);
    const ks = top.keySpans.get(k);
    if (ks) out.keySpans.set(k, ks);
  }
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

/** A shallow copy of a map with one entry replaced (or added). */
export function withEntry(node: MapNode, key: string, value: Node): MapNode {
  const out = mapNode(node.span, new Map(node.entries), new Map(node.keySpans));
  out.via = node.via;
  out.entries.set(key, value);
  return out;
}
