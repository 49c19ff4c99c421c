/**
 * A chunk re-parsed after an edit (yaml-blocks.ts) holds a dozen top-level entries, and the edit
 * changed one of them. Each of the others whose text is the same as in the file's last parse —
 * from its key to the end of its value, with no anchor, alias or merge key in it and nothing
 * reported there — takes back its node and key span of that parse, moved to where it is now. The
 * engine's per-node results (merge/incremental.ts, the contract's and validation's caches) then
 * hold for them: an edit re-merges and re-validates the entry it touched, not its neighbours.
 * `moveSpans` moves a reused node to its new place (here, and for whole moved blocks in parse.ts).
 */
import { isMap as yIsMap, isScalar as yIsScalar } from 'yaml';
import type { Node as YNode } from 'yaml';
import type { MapNode, Node, PipelineDiagnostic, Span } from '../model.js';
import type { Converter } from './yaml-convert.js';
import type { ParsedBlock } from './yaml-blocks.js';

/** What the old node stands for could differ although its text is the same. */
const SHARED = /[&*]|<</;

export interface Before {
  text: string;
  content: Node;
}

/**
 * In `content` (the new parse's top-level hash), the entries of the `fresh` blocks that are
 * unchanged since `before`, replaced by their earlier nodes; `converter` remembers them as the
 * conversions of the new yaml nodes (parse.ts keeps those for the next edit).
 */
export function keepUnchangedEntries(
  uri: string,
  text: string,
  before: Before | undefined,
  content: MapNode,
  fresh: readonly ParsedBlock[],
  converter: Converter,
  diagnostics: readonly PipelineDiagnostic[],
): void {
  if (before?.content.kind !== 'map') return;
  const old = before.content;
  const reported = (start: number, end: number) => diagnostics.some((d) => d.span.uri === uri && d.span.start < end && d.span.end >= start);
  for (const block of fresh) {
    const map = block.doc?.contents;
    if (!yIsMap(map)) continue;
    for (const pair of map.items) {
      if (!yIsScalar(pair.key) || pair.value === null) continue;
      const key = String(pair.key.value);
      const ks = converter.topKeySpan(pair.key);
      const node = content.entries.get(key);
      const was = old.entries.get(key);
      const wasKs = old.keySpans.get(key);
      if (!ks || ks !== content.keySpans.get(key) || !node?.span || !was?.span || !wasKs || was === node) continue;
      // Written after its key (an alias's node is where its anchor is).
      if (was.span.uri !== uri || wasKs.uri !== uri || node.span.start < ks.end || was.span.start < wasKs.end) continue;
      const end = Math.max(ks.end, node.span.end);
      const wasEnd = Math.max(wasKs.end, was.span.end);
      if (end - ks.start !== wasEnd - wasKs.start) continue;
      const region = text.slice(ks.start, end);
      if (SHARED.test(region) || region !== before.text.slice(wasKs.start, wasEnd) || reported(ks.start, end)) continue;
      // A tree (no anchor in it): nothing is reached twice.
      const delta = ks.start - wasKs.start;
      if (delta) {
        moveSpans(was, delta);
        moveSpan(wasKs, delta);
      }
      content.entries.set(key, was);
      content.keySpans.set(key, wasKs);
      converter.replace(pair.value as YNode, node, was, pair.key, wasKs);
    }
  }
}

/**
 * Spans moved by `delta` in place: a node's (and its keys', all the way down), or one span. With
 * `seen` (a node that may share nodes and spans: anchors, merge keys) each is moved once.
 */
export function moveSpans(node: Node, delta: number, seen?: Set<object>): void {
  if (seen) {
    if (seen.has(node)) return;
    seen.add(node);
  }
  moveSpan(node.span, delta, seen);
  if (node.kind === 'map') {
    for (const s of node.keySpans.values()) moveSpan(s, delta, seen);
    for (const v of node.entries.values()) moveSpans(v, delta, seen);
  } else if (node.kind === 'seq') for (const i of node.items) moveSpans(i, delta, seen);
}

export function moveSpan(s: Span | undefined, delta: number, seen?: Set<object>): void {
  if (!s || seen?.has(s)) return;
  seen?.add(s);
  s.start += delta;
  s.end += delta;
}
