/**
 * Where the cursor is in a YAML document, read from the raw text so that it also works while the
 * user is typing and the YAML does not parse (`extends: ` with nothing after, `- !reference [`,
 * a half-typed key). Walks up from the cursor line by indentation: cost proportional to the lines
 * above the cursor, no parse. Pure: text in, context out.
 *
 * The path has the shape of locate()'s: keys and sequence indexes from the document root.
 */
import { GLOBAL_KEYWORDS } from '../../pipeline/merge/jobs.js';
import { closingQuote, lineAt, opensBlock, parseLine, unquote, valueText } from './yaml-lines.js';
import type { Line } from './yaml-lines.js';

export type CursorKind = 'key' | 'value' | 'item' | 'reference' | 'comment';

export interface Token {
  /** Offsets into the text (end exclusive); the word under the cursor, quotes excluded. */
  start: number;
  end: number;
  text: string;
}

export interface YamlContext {
  kind: CursorKind;
  /**
   * - `key`: the path of the mapping whose key is under the cursor (the key itself is `token`);
   * - `value`: down to the key whose value the cursor is in, e.g. `[job, 'extends']`;
   * - `item`: down to the sequence item, e.g. `[job, 'extends', 1]`;
   * - `reference`: where the `!reference` tag is written, e.g. `[job, 'script', 0]`.
   */
  path: (string | number)[];
  /** Where each path step starts: the key, or the item's content after `- `. */
  starts: number[];
  token: Token;
  /** Column of the keys of the mapping holding `token` (`key`) or holding the value's key (`value`). */
  mapColumn?: number;
  /** `!reference [a, b, |]`: the elements before the one under the cursor. */
  reference?: { elements: string[]; index: number };
  /** A `$NAME` / `${NAME` under or just before the cursor (name range; `braced` for `${`). */
  variable?: { name: string; start: number; end: number; braced: boolean };
  /** True inside a block scalar (`|`, `>`) or a continued multi-line scalar. */
  block?: boolean;
  /** True when the cursor sits right after `key:` with no space (an inserted value needs one). */
  needsSpace?: boolean;
  /** Column of the dash of a block sequence item (`item` on a `- ` line). */
  seqColumn?: number;
}

type Container = { type: 'map'; col: number } | { type: 'seq'; col: number; count: number; ownStart?: number };

class PathBuilder {
  path: (string | number)[] = [];
  starts: number[] = [];
  constructor(public container: Container) {}

  key(name: string, offset: number): void {
    this.path.unshift(name);
    this.starts.unshift(offset);
  }

  /** Leave the current sequence: the index of our item in it is final. */
  closeSeq(): void {
    const c = this.container;
    if (c.type === 'seq') {
      this.path.unshift(c.count);
      this.starts.unshift(c.ownStart ?? 0);
    }
  }

  /**
   * The current container starts on line `l` right after the dashes `dashes` (outermost first;
   * `contentOffset` is where it starts): each dash is a sequence whose item holds the next one.
   */
  throughDashes(l: Line, dashes: number[], contentOffset: number): void {
    for (let m = dashes.length - 1; m >= 0; m--) {
      if (this.container.type === 'seq') this.closeSeq();
      this.container = { type: 'seq', col: dashes[m], count: 0, ownStart: m === dashes.length - 1 ? contentOffset : l.start + dashes[m + 1] };
    }
  }
}

/** The builder for the value on line `l`: its key's value, or its last dash's item. */
function lineValueBuilder(l: Line): PathBuilder {
  if (l.key) {
    const b = new PathBuilder({ type: 'map', col: l.key.col });
    b.key(l.key.text, l.start + l.key.textCol);
    if (l.dashes.length) b.throughDashes(l, l.dashes, l.start + l.contentCol);
    return b;
  }
  const d = l.dashes;
  const b = new PathBuilder({ type: 'seq', col: d[d.length - 1], count: 0, ownStart: l.start + l.contentCol });
  if (d.length > 1) b.throughDashes(l, d.slice(0, -1), l.start + d[d.length - 1]);
  return b;
}

/** Walk up from the line starting at `lineStart` (exclusive) to the root, completing the path. */
function walkUp(text: string, lineStart: number, b: PathBuilder): void {
  let pos = lineStart;
  while (pos > 0) {
    const c = b.container;
    if (c.type === 'map' && c.col === 0) return;
    const { start, end } = lineAt(text, pos - 1);
    pos = start;
    const l = parseLine(text, start, end);
    if (l.indent < 0) continue;
    const lastDash = l.dashes.length ? l.dashes[l.dashes.length - 1] : -1;
    const bareDash = !l.key && lastDash >= 0 && l.contentCol >= l.raw.length;
    if (c.type === 'map') {
      if (l.key && l.key.col === c.col) {
        if (l.dashes.length) b.throughDashes(l, l.dashes, l.start + l.contentCol);
        continue;
      }
      if (l.key && l.key.col < c.col) {
        if (!opensBlock(l)) return;
        b.key(l.key.text, l.start + l.key.textCol);
        b.container = { type: 'map', col: l.key.col };
        if (l.dashes.length) b.throughDashes(l, l.dashes, l.start + l.contentCol);
        continue;
      }
      if (bareDash && lastDash < c.col) {
        b.throughDashes(l, l.dashes, l.start + l.contentCol);
        continue;
      }
      if (l.indent >= c.col) continue;
      return;
    }
    const at = l.dashes.indexOf(c.col);
    if (at >= 0) {
      c.count++;
      c.ownStart ??= l.start + l.contentCol;
      if (at > 0) b.throughDashes(l, l.dashes.slice(0, at), l.start + c.col);
      continue;
    }
    if (l.key && l.key.col <= c.col) {
      if (!opensBlock(l)) return;
      b.closeSeq();
      b.key(l.key.text, l.start + l.key.textCol);
      b.container = { type: 'map', col: l.key.col };
      if (l.dashes.length) b.throughDashes(l, l.dashes, l.start + l.contentCol);
      continue;
    }
    if (bareDash && lastDash < c.col) {
      b.throughDashes(l, l.dashes, l.start + l.contentCol);
      continue;
    }
    if (l.indent > c.col) continue;
    return;
  }
  b.closeSeq();
}

/**
 * The nearest line above that owns the cursor line as scalar content (a block scalar `key: |`, a
 * `- >-` item, or a plain scalar continued on the next lines), if any.
 */
function scalarOwner(text: string, lineStart: number, indent: number): Line | undefined {
  if (indent === 0) return undefined;
  let pos = lineStart;
  while (pos > 0) {
    const { start, end } = lineAt(text, pos - 1);
    pos = start;
    const l = parseLine(text, start, end);
    if (l.indent < 0) continue;
    const structural = l.key ? l.key.col : l.dashes.length ? l.dashes[l.dashes.length - 1] : l.indent;
    if (structural >= indent) continue;
    return valueText(l) === '' ? undefined : l;
  }
  return undefined;
}

const NAME_CHAR = /[A-Za-z0-9_]/;

/** `$NAME` or `${NAME` ending at (or running through) `offset` in `text` between `from` and `to`. */
function variableAtCursor(text: string, from: number, to: number, offset: number): YamlContext['variable'] {
  let i = offset;
  while (i > from && NAME_CHAR.test(text[i - 1])) i--;
  const nameStart = i;
  let braced = false;
  if (text[i - 1] === '{' && text[i - 2] === '$') {
    braced = true;
    i -= 2;
  } else if (text[i - 1] === '$') i -= 1;
  else return undefined;
  if (i < from) return undefined;
  if (nameStart < offset && /[0-9]/.test(text[nameStart])) return undefined;
  let dollars = 0;
  for (let j = i; j >= from && text[j] === '$'; j--) dollars++;
  if (dollars % 2 === 0) return undefined;
  let end = offset;
  while (end < to && NAME_CHAR.test(text[end])) end++;
  return { name: text.slice(nameStart, end), start: nameStart, end, braced };
}

/** A scalar token between columns `from` and `to` of a line, quotes excluded. */
function scalarToken(l: Line, from: number, to: number): Token {
  let s = from;
  let e = to;
  const q = l.raw[s];
  if ((q === '"' || q === "'") && s < e) {
    s++;
    const close = closingQuote(l.raw, from);
    e = Math.min(e, close);
  }
  return { start: l.start + s, end: l.start + Math.max(s, e), text: l.raw.slice(s, Math.max(s, e)) };
}

interface FlowInfo {
  reference: boolean;
  elements: string[];
  index: number;
  token: Token;
  /** When the reference sits inside an outer flow list, the element index in it. */
  outerIndex?: number;
}

/** The innermost unclosed `[` of the value text before the cursor, its elements and the current one. */
function flowAt(l: Line, fromCol: number, cursorCol: number): FlowInfo | undefined {
  const s = l.raw;
  const stack: { col: number; elements: { start: number; end: number }[]; itemStart: number }[] = [];
  for (let i = fromCol; i < cursorCol; i++) {
    const c = s[i];
    if ((c === '"' || c === "'") && (stack.length === 0 || /[[,]\s*$/.test(s.slice(0, i)))) {
      if (stack.length === 0) continue;
      i = closingQuote(s, i);
      continue;
    }
    if (c === '[') stack.push({ col: i, elements: [], itemStart: i + 1 });
    else if (c === ']' && stack.length) stack.pop();
    else if (c === ',' && stack.length) {
      const top = stack[stack.length - 1];
      top.elements.push({ start: top.itemStart, end: i });
      top.itemStart = i + 1;
    }
  }
  if (!stack.length) return undefined;
  const top = stack[stack.length - 1];
  const before = s.slice(0, top.col).trimEnd();
  const reference = /!reference$/.test(before);
  let ts = top.itemStart;
  while (ts < cursorCol && (s[ts] === ' ' || s[ts] === '\t')) ts++;
  let te = cursorCol;
  const stopAt = l.valueEnd ?? s.length;
  while (te < stopAt && s[te] !== ',' && s[te] !== ']') te++;
  while (te > ts && (s[te - 1] === ' ' || s[te - 1] === '\t')) te--;
  const token = scalarToken(l, ts, Math.max(ts, te));
  const elements = top.elements.map((e) => unquote(s.slice(e.start, e.end).trim()));
  const info: FlowInfo = { reference, elements, index: elements.length, token };
  if (stack.length > 1) info.outerIndex = stack[stack.length - 2].elements.length;
  return info;
}

export function yamlContext(text: string, offset: number): YamlContext {
  const o = Math.max(0, Math.min(offset, text.length));
  const { start, end } = lineAt(text, o);
  const l = parseLine(text, start, end);
  const col = o - start;
  const token = (s: number, e: number): Token => ({ start: start + s, end: start + e, text: l.raw.slice(s, e) });
  if (l.commentCol !== undefined && col > l.commentCol) return { kind: 'comment', path: [], starts: [], token: token(col, col) };

  const indent = l.indent < 0 ? col : Math.min(l.indent, col);
  const owner = scalarOwner(text, start, indent);
  if (owner) {
    const b = lineValueBuilder(owner);
    walkUp(text, owner.start, b);
    let ws = col;
    while (ws > 0 && !/\s/.test(l.raw[ws - 1])) ws--;
    let we = col;
    while (we < l.raw.length && !/\s/.test(l.raw[we])) we++;
    return {
      kind: owner.key ? 'value' : 'item',
      path: b.path,
      starts: b.starts,
      token: token(ws, we),
      variable: variableAtCursor(text, start, end, o),
      block: true,
      mapColumn: owner.key?.col,
    };
  }

  // On a key (or typing one).
  if ((l.key && col <= (l.colon ?? l.key.end)) || (!l.key && !l.dashes.length)) {
    const mapCol = l.key ? l.key.col : l.indent < 0 ? col : l.indent;
    const b = new PathBuilder({ type: 'map', col: mapCol });
    if (l.dashes.length) b.throughDashes(l, l.dashes, start + l.contentCol);
    walkUp(text, start, b);
    const tok = l.key ? token(l.key.textCol, l.key.textEnd) : token(Math.min(l.contentCol, col), Math.max(col, l.valueEnd ?? col));
    return { kind: 'key', path: b.path, starts: b.starts, token: tok, mapColumn: mapCol, variable: undefined };
  }

  // A key's value, or a sequence item.
  const b = lineValueBuilder(l);
  walkUp(text, start, b);
  const valueCol = l.valueCol ?? l.contentCol;
  const valueEnd = Math.max(l.valueEnd ?? l.raw.length, valueCol);
  const kind: CursorKind = l.key ? 'value' : 'item';
  const ctx: YamlContext = { kind, path: b.path, starts: b.starts, token: token(col, col), mapColumn: l.key?.col };
  if (!l.key) {
    ctx.seqColumn = l.dashes[l.dashes.length - 1];
    if (col === ctx.seqColumn + 1 && l.raw[col] !== ' ') ctx.needsSpace = true;
  }
  if (l.key && col === (l.colon ?? 0) + 1 && (col >= l.raw.length || l.raw[col] !== ' ')) ctx.needsSpace = true;
  const flow = col >= valueCol ? flowAt(l, valueCol, col) : undefined;
  if (flow) {
    ctx.token = flow.token;
    if (flow.reference) {
      ctx.kind = 'reference';
      if (flow.outerIndex !== undefined) {
        ctx.path.push(flow.outerIndex);
        ctx.starts.push(ctx.token.start);
      }
      ctx.reference = { elements: flow.elements, index: flow.index };
    } else {
      ctx.kind = 'item';
      ctx.path.push(flow.index);
      ctx.starts.push(flow.token.start);
    }
  } else if (col >= valueCol) {
    ctx.token = scalarToken(l, valueCol, valueEnd);
  }
  ctx.variable = variableAtCursor(text, start + valueCol, start + Math.max(valueEnd, col), o);
  return ctx;
}

/** The job a path is inside (its first key, unless that is a global keyword). */
export function jobOfPath(path: readonly (string | number)[]): string | undefined {
  const head = path[0];
  return typeof head === 'string' && !GLOBAL_KEYWORDS.has(head) ? head : undefined;
}
