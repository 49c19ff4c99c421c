/**
 * Spans of an earlier analysis moved onto today's texts. While a document does not parse, features
 * answer from the last analysis in which it did (server/src/last-good-analysis.ts); its spans point
 * into the texts that analysis read. An edit between the two texts is one changed region: what lies
 * before it keeps its offset, what lies after it moves by the length difference, and a span that
 * starts inside it has no place in today's text (undefined).
 */
import type { Span } from '../../pipeline/model.js';

export type SpanMover = (span: Span) => Span | undefined;

interface Shift {
  /** Offsets below this are unchanged. */
  prefix: number;
  /** Offsets at or above this (in the old text) move by `delta`. */
  suffixStart: number;
  delta: number;
}

function shiftOf(before: string, after: string): Shift | undefined {
  if (before === after) return undefined;
  const max = Math.min(before.length, after.length);
  let prefix = 0;
  while (prefix < max && before.charCodeAt(prefix) === after.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < max - prefix && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { prefix, suffixStart: before.length - suffix, delta: after.length - before.length };
}

/** Moves spans from the texts an analysis read (`before`) onto the current ones (`after`; undefined: unchanged). */
export function spanMover(before: (uri: string) => string | undefined, after: (uri: string) => string | undefined): SpanMover {
  const shifts = new Map<string, Shift | undefined>();
  const shift = (uri: string) => {
    if (!shifts.has(uri)) {
      const old = before(uri);
      const now = after(uri);
      shifts.set(uri, old === undefined || now === undefined ? undefined : shiftOf(old, now));
    }
    return shifts.get(uri);
  };
  return (span) => {
    const s = shift(span.uri);
    if (!s) return span;
    const move = (o: number) => (o < s.prefix ? o : o >= s.suffixStart ? o + s.delta : undefined);
    const start = move(span.start);
    if (start === undefined) return undefined;
    const end = span.end <= span.start ? start : move(span.end) ?? Math.max(start, s.prefix);
    return { ...span, start, end };
  };
}
