/**
 * GitLab's deep merge (Ruby `Hash#deep_merge`): hashes merge key by key, recursively; anything
 * else (arrays, scalars, !reference tags) is replaced by the value on top. Untouched subtrees
 * are shared, so their provenance is kept.
 */
import { copyWithVia, mapNode, withVia } from '../model.js';
import type { MapNode, Node, ViaStep } from '../model.js';

/** Values taken out of a map that was carried somewhere keep the map's chain. */
function carried(node: Node, via: readonly ViaStep[] | undefined): Node {
  if (!via?.length || node.via === via) return node;
  return copyWithVia(node, node.via ? [...via, ...node.via.filter((v) => !via.includes(v))] : via);
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

/**
 * `top`'s entries merged into `out` in place (maps deep-merged, anything else replaced): what
 * `deepMerge(out, top, topVia)` holds, for a map the caller has just made and shares with nobody.
 */
export function mergeInto(out: MapNode, top: MapNode, topVia?: ViaStep): void {
  for (const [k, raw] of top.entries) {
    const v = topVia ? withVia(raw, topVia) : raw;
    const prev = out.entries.get(k);
    if (prev && prev.kind === 'map' && v.kind === 'map') {
      const merged = deepMerge(carriedMap(prev), carriedMap(v));
      merged.via = v.via;
      out.entries.set(k, merged);
    } else out.entries.set(k, v);
    const ks = top.keySpans.get(k);
    if (ks) out.keySpans.set(k, ks);
  }
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
