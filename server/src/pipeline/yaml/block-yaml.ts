/**
 * The plain front end, tried first for a whole file: a line scanner for the layout most CI files
 * are written in — block mappings and sequences, one-line plain and quoted scalars, one-line flow
 * sequences of scalars, `!reference [...]`, comments — that builds engine nodes straight from the
 * text, without an event stream or the `yaml` package's node shapes in between (a library of a
 * hundred files is read at start-up; this is several times faster than yaml-events.ts).
 *
 * It refuses (undefined) whatever it does not take for certain, and the next front end parses:
 * anchors, aliases, merge keys, tags but `!reference`, block scalars, flow mappings, scalars over
 * several lines, a key written twice, tabs, CRs, document markers and directives, a file near
 * GitLab's size limit, layouts whose node ends the `yaml` package places its own way. What it
 * takes gives exactly the nodes, values, spans and key spans of the `yaml` package as the converter
 * types them (test/pipeline/yaml-events.test.ts: every corpus file and random edits).
 */
import { getScalarValue, SCALAR_STYLE } from 'js-yaml';
import { isScalar as yIsScalar } from 'yaml';
import { mapNode, scalarNode, seqNode } from '../model.js';
import type { Node, Scalar, Span } from '../model.js';
import { MAX_YAML_DEPTH, MAX_YAML_SIZE, arraySize, hashSize, scalarSize, stringSize } from './yaml-convert.js';
import { psychScalar } from './psych-scalars.js';
import { typePlain } from './yaml-events.js';
import type { PlainSchema } from './yaml-events.js';
import { blanks, emptyEnd, lineEnd, trailingComments, unsure } from './yaml-ranges.js';

/** A node with the two ends the `yaml` package gives it: its value's end, and its node's end (its comment and line break). */
interface Built {
  node: Node;
  end: number;
  nodeEnd: number;
}

/** A key as read: its name (typed as the converter types it), where it is written, and just past its `:`. */
interface Key {
  name: string;
  typed: boolean;
  start: number;
  end: number;
  colon: number;
}

const NL = 10;
const SPACE = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const SQUOTE = 39;
const DQUOTE = 34;
const BACKSLASH = 92;

/** First characters of a plain scalar in block context that this front end leaves to the others. */
const NOT_PLAIN_START = new Set([...'?:,[]{}#&*!|>\'"%@`'].map((c) => c.charCodeAt(0)));
/** The escapes YAML allows in a double-quoted scalar (`x`, `u`, `U` take hex digits). */
const ESCAPES = new Set([...'0abtnvfre "/\\N_LPxuU'].map((c) => c.charCodeAt(0)));
/** Well below GitLab's depth limit, which the converter reports. */
const MAX_DEPTH = MAX_YAML_DEPTH - 10;

/** The file's content, or undefined when this front end is not sure of the text. */
export function parseBlockYaml(uri: string, text: string, schema: PlainSchema): Node | undefined {
  if (!text.length || /[\t\r\0\uFEFF]/.test(text) || /^(?:---|\.\.\.|%)/m.test(text)) return undefined;
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new LineScanner(uri, text, schema).document();
  } catch {
    return undefined;
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

class LineScanner {
  /** The start of the first line not yet read. */
  private line = 0;
  /** GitLab's DeepSize of what is built so far. */
  private size = 0;
  private readonly length: number;

  constructor(
    private readonly uri: string,
    private readonly text: string,
    private readonly schema: PlainSchema,
  ) {
    this.length = text.length;
  }

  document(): Node {
    const first = this.content(0);
    if (first >= this.length || this.indent(first) !== 0) unsure();
    const root = this.block(first, 0, 0);
    if (this.content(this.line) < this.length) unsure();
    if (this.size > MAX_YAML_SIZE) unsure();
    return root.node;
  }

  private span(start: number, end: number): Span {
    return { uri: this.uri, start, end };
  }

  /** The start of the first line at or after `from` (a line start) that holds more than spaces and a comment; the text's length if none. */
  private content(from: number): number {
    const t = this.text;
    let at = from;
    while (at < this.length) {
      let i = at;
      while (t.charCodeAt(i) === SPACE) i++;
      const c = t.charCodeAt(i);
      if (i < this.length && c !== NL && c !== HASH) return at;
      const nl = t.indexOf('\n', i);
      if (nl < 0) return this.length;
      at = nl + 1;
    }
    return this.length;
  }

  private indent(lineStart: number): number {
    let i = lineStart;
    while (this.text.charCodeAt(i) === SPACE) i++;
    return i - lineStart;
  }

  private nextLine(pos: number): number {
    const nl = this.text.indexOf('\n', pos);
    return nl < 0 ? this.length : nl + 1;
  }

  /** A `-` that starts a sequence item at `pos`. */
  private isDash(pos: number): boolean {
    const c = this.text.charCodeAt(pos + 1);
    return this.text.charCodeAt(pos) === DASH && (c === SPACE || c === NL || pos + 1 >= this.length);
  }

  /** The block collection whose first line starts at `lineStart`, its content at column `indent`. */
  private block(lineStart: number, indent: number, depth: number): Built {
    if (depth > MAX_DEPTH) unsure();
    const at = lineStart + indent;
    return this.isDash(at) ? this.sequence(at, indent, depth) : this.mapping(at, indent, depth);
  }

  /** A value written on the lines below its key or dash (`from`: the line after them); undefined when none follows (an empty value). */
  private below(from: number, parentIndent: number, depth: number, indentless: boolean): Built | undefined {
    const next = this.content(from);
    if (next >= this.length) return undefined;
    const indent = this.indent(next);
    if (indent > parentIndent || (indentless && indent === parentIndent && this.isDash(next + indent))) return this.block(next, indent, depth);
    return undefined;
  }

  /** A block mapping from its first key at `first` (`firstKey`: that key, when already read). */
  private mapping(first: number, indent: number, depth: number, firstKey?: Key): Built {
    const t = this.text;
    // The node is made once its span is known (a span set afterwards changes its field's type: V8 deoptimizes).
    const entries = new Map<string, Node>();
    const keySpans = new Map<string, Span>();
    let typedKeys: Set<string> | undefined;
    let at = first;
    let last: Built;
    let pairs = 0;
    for (let pending = firstKey; ; pending = undefined) {
      const key = pending ?? this.key(at);
      if (!key) unsure();
      const { name, typed, start, end, colon } = key!;
      if (entries.has(name)) unsure();
      if (typed && depth === 0) (typedKeys ??= new Set()).add(name);
      this.size += stringSize(name);
      const valueAt = blanks(t, colon);
      const c = t.charCodeAt(valueAt);
      let value: Built | undefined;
      if (valueAt >= this.length || c === NL || (c === HASH && valueAt > colon)) {
        value = this.below(this.nextLine(valueAt), indent, depth + 1, true);
        if (!value) {
          // An empty value: a null right after the `:`.
          if (c === HASH) unsure();
          value = { node: scalarNode(null, this.span(valueAt, valueAt)), end: valueAt, nodeEnd: emptyEnd(t, valueAt) };
          this.line = this.nextLine(valueAt);
        }
      } else {
        // A more indented line after it (a scalar going on, or an error) is refused below.
        value = this.inline(valueAt, depth + 1);
      }
      entries.set(name, value.node);
      keySpans.set(name, this.span(start, end));
      pairs++;
      last = value;
      const next = this.content(this.line);
      if (next >= this.length) break;
      const ni = this.indent(next);
      if (ni > indent) unsure();
      if (ni < indent || this.isDash(next + ni)) break;
      at = next + ni;
    }
    this.size += hashSize(pairs);
    const m = mapNode(this.span(first, last!.nodeEnd), entries, keySpans);
    if (typedKeys) m.typedKeys = typedKeys;
    return { node: m, end: last!.nodeEnd, nodeEnd: trailingComments(t, first, last!.nodeEnd) };
  }

  private sequence(first: number, indent: number, depth: number): Built {
    const t = this.text;
    const items: Node[] = [];
    let at = first;
    let last: Built;
    for (;;) {
      const c = blanks(t, at + 1);
      const ch = t.charCodeAt(c);
      let item: Built | undefined;
      let probed: Key | undefined;
      if (c >= this.length || ch === NL || (ch === HASH && c > at + 1)) {
        item = this.below(this.nextLine(c), indent, depth + 1, false);
        if (!item) unsure();
      } else if (this.isDash(c)) {
        return unsure();
      } else if ((probed = this.key(c))) {
        item = this.mapping(c, c - (at - indent), depth + 1, probed);
      } else {
        item = this.inline(c, depth + 1);
      }
      items.push(item!.node);
      last = item!;
      const next = this.content(this.line);
      if (next >= this.length) break;
      const ni = this.indent(next);
      if (ni > indent) unsure();
      if (ni < indent || !this.isDash(next + ni)) break;
      at = next + ni;
    }
    this.size += arraySize(items.length);
    return { node: seqNode(items, this.span(first, last!.nodeEnd)), end: last!.nodeEnd, nodeEnd: trailingComments(t, first, last!.nodeEnd) };
  }

  /** A key at `at` and its `:` (a plain or quoted scalar on one line); undefined when the line holds no key there. */
  private key(at: number): Key | undefined {
    const t = this.text;
    const c = t.charCodeAt(at);
    let end: number;
    let name: string;
    let typed = false;
    if (c === SQUOTE || c === DQUOTE) {
      const close = this.closingQuote(at);
      if (close < 0) return undefined;
      end = close + 1;
      name = this.quoted(at, close);
      let i = blanks(t, end);
      if (t.charCodeAt(i) !== COLON) return undefined;
      i++;
      if (i < this.length && t.charCodeAt(i) !== SPACE && t.charCodeAt(i) !== NL) return undefined;
      // A quoted `<<` merges too (Psych): left to the converter.
      if (name === '<<') unsure();
      return { name, typed, start: at, end, colon: i };
    }
    if (NOT_PLAIN_START.has(c) || c === DASH || c === SPACE || c === NL || at >= this.length) return undefined;
    let i = at;
    for (;;) {
      const ch = t.charCodeAt(i);
      if (i >= this.length || ch === NL) return undefined;
      if (ch === COLON) {
        const after = t.charCodeAt(i + 1);
        if (i + 1 >= this.length || after === SPACE || after === NL) break;
      }
      // A comment before any `:`; flow indicators in a key: the others' to read.
      if ((ch === HASH && t.charCodeAt(i - 1) === SPACE) || ch === 91 || ch === 93 || ch === 123 || ch === 125 || ch === 44) return undefined;
      i++;
    }
    end = i;
    while (t.charCodeAt(end - 1) === SPACE) end--;
    if (end - at > 1000) unsure();
    const source = t.slice(at, end);
    const value = this.plain(source, true);
    if (typeof value !== 'string') typed = true;
    name = value === null ? '' : String(value);
    return { name, typed, start: at, end, colon: i + 1 };
  }

  /** A plain scalar's text typed as the converter types it (Psych's YAML 1.1); the merge key is not taken. */
  private plain(source: string, atKey: boolean): Scalar {
    const res = typePlain(source, atKey, this.schema);
    // Some tags give a node of their own (null, NaN): its value; the merge key's is a symbol.
    const value = yIsScalar(res) ? res.value : res;
    if (typeof value === 'symbol' || source === '<<') unsure();
    return psychScalar({ value, source } as never);
  }

  /** The index of the quote closing the one at `open` on its line; -1 when the line holds none. */
  private closingQuote(open: number): number {
    const t = this.text;
    const q = t.charCodeAt(open);
    for (let i = open + 1; i < this.length; i++) {
      const ch = t.charCodeAt(i);
      if (ch === NL) return -1;
      if (q === SQUOTE) {
        if (ch === SQUOTE) {
          if (t.charCodeAt(i + 1) === SQUOTE) i++;
          else return i;
        }
      } else if (ch === BACKSLASH) {
        if (!ESCAPES.has(t.charCodeAt(i + 1))) return -1;
        i++;
      } else if (ch === DQUOTE) return i;
    }
    return -1;
  }

  /** The value of the quoted scalar from `open` to `close` (its quotes). */
  private quoted(open: number, close: number): string {
    const style = this.text.charCodeAt(open) === SQUOTE ? SCALAR_STYLE.SINGLE_QUOTED : SCALAR_STYLE.DOUBLE_QUOTED;
    if (style === SCALAR_STYLE.DOUBLE_QUOTED && !/^(?:[^\\]|\\(?:[0abtnvfre "/\\N_LP]|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}))*$/.test(this.text.slice(open + 1, close))) unsure();
    return getScalarValue(this.text, { valueStart: open + 1, valueEnd: close, style, fast: false } as never);
  }

  /** A value on its key's or dash's line, at `at`: a scalar, a flow sequence of scalars or a `!reference`; the line must end after it. */
  private inline(at: number, depth: number): Built {
    const t = this.text;
    const c = t.charCodeAt(at);
    let built: Built;
    if (c === SQUOTE || c === DQUOTE) {
      const close = this.closingQuote(at);
      if (close < 0) unsure();
      const value = this.quoted(at, close);
      this.size += stringSize(value);
      built = { node: scalarNode(value, this.span(at, close + 1)), end: close + 1, nodeEnd: lineEnd(t, close + 1) };
    } else if (c === 91 /* [ */) {
      built = this.flow(at, false, depth);
    } else if (c === 33 /* ! */) {
      if (!t.startsWith('!reference ', at)) unsure();
      const open = blanks(t, at + 11);
      if (t.charCodeAt(open) !== 91) unsure();
      built = this.flow(open, true, depth);
    } else {
      if (NOT_PLAIN_START.has(c) || (c === DASH && this.isDash(at))) unsure();
      let i = at;
      let end = at;
      for (; i < this.length; i++) {
        const ch = t.charCodeAt(i);
        if (ch === NL || (ch === HASH && t.charCodeAt(i - 1) === SPACE)) break;
        if (ch === COLON && (t.charCodeAt(i + 1) === SPACE || t.charCodeAt(i + 1) === NL || i + 1 >= this.length)) unsure();
        if (ch !== SPACE) end = i + 1;
      }
      const value = this.plain(t.slice(at, end), false);
      this.size += scalarSize(value);
      built = { node: scalarNode(value, this.span(at, end)), end, nodeEnd: lineEnd(t, end) };
    }
    // Nothing else on the line but a comment.
    const after = built.nodeEnd;
    if (after < this.length && t.charCodeAt(after - 1) !== NL) unsure();
    this.line = after;
    return built;
  }

  /** A one-line flow sequence of scalars from `open` (its `[`); a `!reference` when `reference` (its span, as the package's, starts at the `[`). */
  private flow(open: number, reference: boolean, depth: number): Built {
    if (depth > MAX_DEPTH) unsure();
    const t = this.text;
    const items: Node[] = [];
    let i = blanks(t, open + 1);
    if (t.charCodeAt(i) !== 93 /* ] */) {
      for (;;) {
        const c = t.charCodeAt(i);
        if (c === SQUOTE || c === DQUOTE) {
          const close = this.closingQuote(i);
          if (close < 0) unsure();
          const value = this.quoted(i, close);
          this.size += stringSize(value);
          items.push(scalarNode(value, this.span(i, close + 1)));
          i = close + 1;
        } else {
          if (NOT_PLAIN_START.has(c) || c === DASH || c === NL || i >= this.length) unsure();
          let end = i;
          let j = i;
          for (; j < this.length; j++) {
            const ch = t.charCodeAt(j);
            if (ch === 44 || ch === 93) break;
            if (ch === NL || ch === COLON || ch === HASH || ch === 91 || ch === 123 || ch === 125) unsure();
            if (ch !== SPACE) end = j + 1;
          }
          const value = this.plain(t.slice(i, end), false);
          this.size += scalarSize(value);
          items.push(scalarNode(value, this.span(i, end)));
          i = j;
        }
        i = blanks(t, i);
        const sep = t.charCodeAt(i);
        if (sep === 93) break;
        if (sep !== 44) unsure();
        i = blanks(t, i + 1);
        // A trailing comma: the others' to read.
        if (t.charCodeAt(i) === 93) unsure();
      }
    }
    const end = i + 1;
    this.size += arraySize(items.length);
    const span = this.span(open, end);
    if (!reference) return { node: seqNode(items, span), end, nodeEnd: lineEnd(t, end) };
    // A reference to names only (what GitLab accepts); anything else is the converter's to report.
    if (items.some((n) => n.kind !== 'scalar' || typeof n.value !== 'string')) unsure();
    const path = items.map((n) => (n as { value: string }).value);
    return { node: { kind: 'ref', path, span, via: undefined }, end, nodeEnd: lineEnd(t, end) };
  }
}

