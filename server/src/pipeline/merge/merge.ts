/**
 * GitLab's deep merge (Ruby `Hash#deep_merge`): hashes merge key by key, recursively; anything
 * else (arrays, scalars, !reference tags) is replaced by the value on top. Untouched subtrees
 * are shared, so their provenance is kept.
 */
import { changedKeys } from './incremental.js';
import { copyWithVia, mapNode, withVia } from '../model.js';
import type { MapNode, Node, Span, ViaStep } from '../model.js';

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
 * `v` written over `prev` under one key: maps deep-merged — each value carrying the chain of the
 * map it came from — anything else replaced. (One new map: `deepMerge` of the two maps with their
 * chains carried into their values, without the two carried copies.)
 */
function mergeValue(prev: Node | undefined, v: Node): Node {
  if (!prev || prev.kind !== 'map' || v.kind !== 'map') return v;
  const out = mapNode(v.span ?? prev.span);
  for (const [k, x] of prev.entries) {
    out.entries.set(k, carried(x, prev.via));
    const ks = prev.keySpans.get(k);
    if (ks) out.keySpans.set(k, ks);
  }
  for (const [k, x] of v.entries) {
    out.entries.set(k, mergeValue(out.entries.get(k), carried(x, v.via)));
    const ks = v.keySpans.get(k);
    if (ks) out.keySpans.set(k, ks);
  }
  out.via = v.via;
  return out;
}

/**
 * `top`'s entries merged into `out` in place (maps deep-merged, anything else replaced): what
 * `deepMerge(out, top, topVia)` holds, for a map the caller has just made and shares with nobody.
 */
export function mergeInto(out: MapNode, top: MapNode, topVia?: ViaStep): void {
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
  /** The expansion it was made in (`StageMemory.run`). */
  run?: number;
}

/**
 * A file's included files deep-merged in order (`tops`), its own keys over them (`own`): what
 * `deepMerge(deepMergeAll(span, tops), own)` gives. With `last` (the same file's merge in the
 * pipeline's previous expansion), when every map holds the keys it held in the same order, only
 * the keys whose value (or key span) changed are merged again — an edit of one included file of a
 * hundred costs its changed keys, not the whole configuration — and `changed` lists them.
 * `inPlace`: the last result's entries are brought up to date in place instead of copied (for the
 * root file, whose result only the next stage reads; that stage is then told what changed).
 */
export function mergeFiles(span: MapNode['span'], tops: readonly MapNode[], own: MapNode, last?: MergedFiles, inPlace = false): { out: MapNode; changed?: Set<string> } {
  const dirty = last && changedEntries(last, tops, own);
  if (!last || !dirty) return { out: deepMerge(deepMergeAll(span, tops), own) };
  let keySpans = last.out.keySpans;
  const entries = inPlace ? last.out.entries : new Map(last.out.entries);
  for (const k of dirty) {
    let value: Node | undefined;
    let ks: Span | undefined;
    for (const top of [...tops, own]) {
      const v = top.entries.get(k);
      if (v === undefined) continue;
      value = mergeValue(value, v);
      ks = top.keySpans.get(k) ?? ks;
    }
    entries.set(k, value!);
    // Key spans are shared with the configuration the last analysis holds: copied before a change,
    // unless updated in place (that analysis is then superseded, as its moved spans are: yaml/parse.ts).
    if (ks && keySpans.get(k) !== ks) {
      if (keySpans === last.out.keySpans && !inPlace) keySpans = new Map(keySpans);
      keySpans.set(k, ks);
    }
  }
  const out = mapNode(last.out.span, entries, keySpans);
  out.via = own.via;
  return { out, changed: dirty };
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
