/**
 * YAML read line by line, without parsing: each line's indentation, `- ` markers, key, value and
 * comment, and the entries of the block around a line. What yaml-context.ts builds the cursor's
 * context from, and what completion reads a half-typed block with (the keys an `include` item or
 * a `variables:` block already has, the items a list already holds). Pure.
 */

export interface Line {
  start: number;
  end: number;
  /** Column of the first non-space character; -1 for a blank or comment-only line. */
  indent: number;
  /** Columns of the leading `- ` markers. */
  dashes: number[];
  /** Column of the content after the dashes (may equal the line length when nothing follows). */
  contentCol: number;
  key?: { text: string; col: number; end: number; textCol: number; textEnd: number };
  colon?: number;
  /** Value columns (after `key:`, or the content of a dash item), comment and trailing spaces excluded. */
  valueCol?: number;
  valueEnd?: number;
  commentCol?: number;
  raw: string;
}

export function lineAt(text: string, offset: number): { start: number; end: number } {
  // lastIndexOf clamps a negative start to 0: at offset 0 it would find a leading \n at 0 itself.
  const start = offset <= 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1;
  let end = text.indexOf('\n', offset);
  if (end < 0) end = text.length;
  if (end > start && text[end - 1] === '\r') end--;
  return { start, end };
}

/** Column of a `#` comment in `s` from `from`, honouring quoted scalars; -1 when none. */
function commentColumn(s: string, from: number): number {
  let atScalarStart = true;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (atScalarStart && (c === '"' || c === "'")) {
      i = closingQuote(s, i);
      atScalarStart = false;
      continue;
    }
    if (c === '#' && (i === 0 || s[i - 1] === ' ' || s[i - 1] === '\t')) return i;
    if (c === ' ' || c === '\t') continue;
    atScalarStart = c === '[' || c === '{' || c === ',' || ((c === ':' || c === '-') && (s[i + 1] === ' ' || i + 1 === s.length));
  }
  return -1;
}

/** Index of the quote closing the one at `i` (or the string's end). */
export function closingQuote(s: string, i: number): number {
  const q = s[i];
  for (let j = i + 1; j < s.length; j++) {
    if (q === '"' && s[j] === '\\') j++;
    else if (s[j] === q) {
      if (q === "'" && s[j + 1] === "'") j++;
      else return j;
    }
  }
  return s.length;
}

export function parseLine(text: string, start: number, end: number): Line {
  const raw = text.slice(start, end);
  const line: Line = { start, end, indent: -1, dashes: [], contentCol: 0, raw };
  let i = 0;
  while (i < raw.length && (raw[i] === ' ' || raw[i] === '\t')) i++;
  if (i >= raw.length || raw[i] === '#') {
    line.contentCol = raw.length;
    if (i < raw.length) line.commentCol = i;
    return line;
  }
  line.indent = i;
  while (raw[i] === '-' && (i + 1 === raw.length || raw[i + 1] === ' ' || raw[i + 1] === '\t')) {
    line.dashes.push(i);
    i++;
    while (i < raw.length && (raw[i] === ' ' || raw[i] === '\t')) i++;
  }
  line.contentCol = i;
  const comment = commentColumn(raw, i);
  if (comment >= 0) line.commentCol = comment;
  const stop = comment >= 0 ? comment : raw.length;
  const key = matchKey(raw, i, stop);
  if (key) {
    line.key = key.key;
    line.colon = key.colon;
    let v = key.colon + 1;
    while (v < stop && (raw[v] === ' ' || raw[v] === '\t')) v++;
    line.valueCol = v;
  } else line.valueCol = i;
  let e = stop;
  while (e > line.valueCol && (raw[e - 1] === ' ' || raw[e - 1] === '\t')) e--;
  line.valueEnd = e;
  return line;
}

/** A `key:` (plain or quoted) at `i`, followed by a space or the end of the content. */
function matchKey(raw: string, i: number, stop: number): { key: NonNullable<Line['key']>; colon: number } | undefined {
  if (i >= stop) return undefined;
  const c = raw[i];
  if (c === '"' || c === "'") {
    const close = closingQuote(raw, i);
    let j = close + 1;
    while (j < stop && raw[j] === ' ') j++;
    if (raw[j] !== ':' || !(j + 1 >= stop || raw[j + 1] === ' ' || raw[j + 1] === '\t')) return undefined;
    const inner = raw.slice(i + 1, close);
    const text = c === "'" ? inner.replace(/''/g, "'") : inner.replace(/\\(.)/g, '$1');
    return { key: { text, col: i, end: close + 1, textCol: i + 1, textEnd: close }, colon: j };
  }
  if ('[]{}!&*|>%@`'.includes(c)) return undefined;
  for (let j = i; j < stop; j++) {
    if (raw[j] === ':' && (j + 1 >= stop || raw[j + 1] === ' ' || raw[j + 1] === '\t')) {
      let e = j;
      while (e > i && raw[e - 1] === ' ') e--;
      if (e === i) return undefined;
      return { key: { text: raw.slice(i, e), col: i, end: e, textCol: i, textEnd: e }, colon: j };
    }
  }
  return undefined;
}

/** The value of a line without a leading anchor (`&name`); `''` when nothing follows. */
export function valueText(l: Line): string {
  const v = l.raw.slice(l.valueCol ?? l.contentCol, l.valueEnd ?? l.raw.length);
  return v.replace(/^&\S+\s*/, '');
}

/** A line whose key (or dash) opens a nested block: nothing after it but maybe an anchor. */
export function opensBlock(l: Line): boolean {
  return valueText(l) === '';
}

export function unquote(v: string): string {
  if (v.length >= 2 && v[0] === '"' && v[v.length - 1] === '"') return v.slice(1, -1).replace(/\\(.)/g, '$1');
  if (v.length >= 2 && v[0] === "'" && v[v.length - 1] === "'") return v.slice(1, -1).replace(/''/g, "'");
  return v;
}

/**
 * The scalar items of the block sequence whose dashes sit at column `col` around the line of
 * `offset`, that line excluded (what a list already holds: `extends`, `needs`, `file`). A
 * `job: name` item gives `name`.
 */
export function sequenceItems(text: string, offset: number, col: number): string[] {
  const out: string[] = [];
  const here = lineAt(text, offset);
  const visit = (l: Line): boolean => {
    if (l.indent < 0 || l.indent > col) return true;
    if (l.dashes[0] !== col) return false;
    if (l.dashes.length === 1) {
      const v = l.key ? (l.key.text === 'job' ? valueText(l) : '') : valueText(l);
      if (v) out.push(unquote(v));
    }
    return true;
  };
  for (let pos = here.start; pos > 0; ) {
    const { start, end } = lineAt(text, pos - 1);
    pos = start;
    if (!visit(parseLine(text, start, end))) break;
  }
  for (let pos = here.end; pos < text.length; ) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) break;
    const { start, end } = lineAt(text, nl + 1);
    pos = Math.max(end, nl + 1);
    if (!visit(parseLine(text, start, end))) break;
  }
  return out;
}

export interface MappingEntry {
  key: string;
  /** The raw scalar value written after `key:` (`''` when the value is a nested block). */
  value: string;
  keyStart: number;
}

/**
 * The entries of the block mapping whose keys sit at column `col` around the line of `offset`
 * (that line excluded when it holds no complete key): what a half-typed `include` item or
 * `variables:` block already contains.
 */
export function mappingEntries(text: string, offset: number, col: number): Map<string, MappingEntry> {
  const out = new Map<string, MappingEntry>();
  const add = (l: Line) => {
    if (l.key && !out.has(l.key.text)) out.set(l.key.text, { key: l.key.text, value: unquote(valueText(l)), keyStart: l.start + l.key.textCol });
  };
  const here = lineAt(text, offset);
  const first = parseLine(text, here.start, here.end);
  const sibling = (l: Line) => !!l.key && l.key.col === col;
  if (sibling(first)) add(first);
  if (!(sibling(first) && first.dashes.length)) {
    for (let pos = here.start; pos > 0; ) {
      const { start, end } = lineAt(text, pos - 1);
      pos = start;
      const l = parseLine(text, start, end);
      if (l.indent < 0 || l.indent > col) continue;
      if (sibling(l)) {
        add(l);
        if (l.dashes.length) break;
        continue;
      }
      if (l.indent === col && l.dashes.length) continue;
      break;
    }
  }
  for (let pos = here.end; pos < text.length; ) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) break;
    const { start, end } = lineAt(text, nl + 1);
    pos = Math.max(end, nl + 1);
    const l = parseLine(text, start, end);
    if (l.indent < 0 || l.indent > col) continue;
    if (l.indent === col && l.dashes.length) continue;
    if (sibling(l) && !l.dashes.length) {
      add(l);
      continue;
    }
    break;
  }
  return out;
}
