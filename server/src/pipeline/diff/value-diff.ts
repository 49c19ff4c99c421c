/**
 * Key-by-key comparison of one job on two sides: script-like keys as a line diff, `variables:`
 * entry by entry, everything else as old value → new value. Values are compared as plain data,
 * so a value that moved to another file or line but reads the same is not a change.
 */
import { isMap, isSeq, toPlain } from '../model.js';
import type { MapNode, Node, Span } from '../model.js';
import type { EntryChange, KeyChange, LineChange } from './types.js';

/** Keys whose items are shell lines. */
const LINE_KEYS = new Set(['script', 'before_script', 'after_script']);
/** Keys compared entry by entry. */
const ENTRY_KEYS = new Set(['variables']);
/** Keys that are applied, not part of the job GitLab runs. */
const IGNORED_KEYS = new Set(['extends']);
/** Above this many cells the line diff only trims the common head and tail. */
const MAX_LCS_CELLS = 250_000;

export function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The changed keys of a job, sorted by key. */
export function diffJobKeys(before: MapNode, after: MapNode): KeyChange[] {
  const keys = [...new Set([...before.entries.keys(), ...after.entries.keys()])].filter((k) => !IGNORED_KEYS.has(k)).sort();
  const out: KeyChange[] = [];
  for (const key of keys) {
    const a = before.entries.get(key);
    const b = after.entries.get(key);
    const pa = toPlain(a);
    const pb = toPlain(b);
    if (same(pa, pb)) continue;
    if (LINE_KEYS.has(key) && (!a || isSeq(a) || a.kind === 'scalar') && (!b || isSeq(b) || b.kind === 'scalar')) {
      out.push({ key, kind: 'lines', lines: diffLines(lineItems(a), lineItems(b)) });
    } else if (ENTRY_KEYS.has(key) && (!a || isMap(a)) && (!b || isMap(b))) {
      out.push({ key, kind: 'entries', entries: diffEntries(a as MapNode | undefined, b as MapNode | undefined) });
    } else {
      const change: KeyChange = { key, kind: 'value' };
      if (a) change.old = pa;
      if (b) change.new = pb;
      const span = spanOf(b ?? a, after.keySpans.get(key) ?? before.keySpans.get(key));
      if (span) change.span = span;
      out.push(change);
    }
  }
  return out;
}

function spanOf(n: Node | undefined, fallback?: Span): Span | undefined {
  return n?.span ?? fallback;
}

interface Line {
  text: string;
  span?: Span;
}

function lineItems(n: Node | undefined): Line[] {
  if (!n) return [];
  const items = isSeq(n) ? n.items : [n];
  return items.map((i) => ({ text: i.kind === 'scalar' ? String(i.value ?? '') : JSON.stringify(toPlain(i)), span: i.span }));
}

/** Added and removed lines (a longest-common-subsequence diff), in order of the lines. */
export function diffLines(a: Line[], b: Line[]): LineChange[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head].text === b[head].text) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail].text === b[b.length - 1 - tail].text) tail++;
  const ma = a.slice(head, a.length - tail);
  const mb = b.slice(head, b.length - tail);
  const out: LineChange[] = [];
  const remove = (i: number) => out.push(line('remove', a[head + i], head + i));
  const add = (j: number) => out.push(line('add', b[head + j], head + j));
  if (ma.length * mb.length > MAX_LCS_CELLS) {
    ma.forEach((_, i) => remove(i));
    mb.forEach((_, j) => add(j));
    return out;
  }
  // lcs[i][j]: length of the longest common subsequence of ma[i..] and mb[j..].
  const lcs = Array.from({ length: ma.length + 1 }, () => new Uint32Array(mb.length + 1));
  for (let i = ma.length - 1; i >= 0; i--) {
    for (let j = mb.length - 1; j >= 0; j--) {
      lcs[i][j] = ma[i].text === mb[j].text ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  let i = 0;
  let j = 0;
  while (i < ma.length || j < mb.length) {
    if (i < ma.length && j < mb.length && ma[i].text === mb[j].text) {
      i++;
      j++;
    } else if (i < ma.length && (j === mb.length || lcs[i + 1][j] >= lcs[i][j + 1])) remove(i++);
    else add(j++);
  }
  return out;
}

function line(op: 'add' | 'remove', l: Line, index: number): LineChange {
  const c: LineChange = { op, text: l.text, index };
  if (l.span) c.span = l.span;
  return c;
}

function diffEntries(a: MapNode | undefined, b: MapNode | undefined): EntryChange[] {
  const names = [...new Set([...(a?.entries.keys() ?? []), ...(b?.entries.keys() ?? [])])].sort();
  const out: EntryChange[] = [];
  for (const name of names) {
    const va = a?.entries.get(name);
    const vb = b?.entries.get(name);
    const pa = toPlain(va);
    const pb = toPlain(vb);
    if (same(pa, pb)) continue;
    const c: EntryChange = { name };
    if (va) c.old = pa;
    if (vb) c.new = pb;
    const span = vb?.span ?? b?.keySpans.get(name) ?? va?.span ?? a?.keySpans.get(name);
    if (span) c.span = span;
    out.push(c);
  }
  return out;
}
