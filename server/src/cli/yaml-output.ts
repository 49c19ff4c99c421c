/**
 * The CLI's YAML output of the expanded pipeline (plain data: maps, lists, strings, numbers,
 * booleans, null), written directly: building a `yaml` Document of the whole pipeline to print it
 * cost more than parsing every file. Strings stay plain where no YAML 1.1 or 1.2 reader could take
 * them for anything else, multi-line strings are literal blocks, the rest is double-quoted (JSON's
 * escapes are YAML's). Reading the output back gives the same data (test/cli/yaml-output.test.ts).
 * Values may be left as engine nodes (NodeValue): written as their plain data would be.
 */
import { NodeValue } from '../pipeline/merge/output.js';
import type { MapNode, Node } from '../pipeline/model.js';

/** Words YAML 1.1 or 1.2 reads as booleans or null. */
const RESERVED = /^(?:y|n|yes|no|true|false|on|off|null|~)$/i;
/** A plain scalar: no indicator first, nothing a reader could take for a number, key, comment or other type. */
const PLAIN = /^[A-Za-z_$/\\(][^\n\r\t]*$/;
const UNSAFE_INSIDE = /: |:$| #|\s$|[^\x20-\x7e\u00a0-\ud7ff\ue000-\ufffd]/;
/** Lines a literal block holds as they are. */
const LITERAL_LINE = /^[^\r\t]*$/;

function scalar(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? '.nan' : v > 0 ? '.inf' : '-.inf';
  if (PLAIN.test(v) && !UNSAFE_INSIDE.test(v) && !RESERVED.test(v)) return v;
  return JSON.stringify(v);
}

/** A multi-line string as a literal block (`|`, `|-`, `|+`), or undefined when it cannot be one. */
function literal(v: string, indent: string): string | undefined {
  if (!v.includes('\n') || /^[ \n]/.test(v) || UNSAFE_CHARS.test(v)) return undefined;
  const trailing = /\n*$/.exec(v)![0].length;
  const body = v.slice(0, v.length - trailing);
  const lines = body.split('\n');
  if (!lines.every((l) => LITERAL_LINE.test(l) && !/ $/.test(l))) return undefined;
  const chomp = trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  const extra = trailing > 1 ? '\n'.repeat(trailing - 1) : '';
  return `|${chomp}\n${lines.map((l) => (l === '' ? '' : indent + l)).join('\n')}\n${extra}`;
}
const UNSAFE_CHARS = /[^\n\x20-\x7e\u00a0-\ud7ff\ue000-\ufffd]/;

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The text being written: `line` starts a line, `add` continues the last one. */
class Out {
  text = '';
  lines = 0;
  line(s: string): void {
    this.text += this.lines++ ? `\n${s}` : s;
  }
  add(s: string): void {
    this.text += s;
  }
}

function write(v: unknown, indent: string, out: Out): void {
  if (v instanceof NodeValue) writeNode(v.node, indent, out, v.omit);
  else if (Array.isArray(v)) {
    for (const item of v) {
      out.line(`${indent}-`);
      value(item, indent + '  ', out, true);
    }
  } else if (isMap(v)) {
    for (const [k, item] of Object.entries(v)) {
      out.line(`${indent}${scalar(k)}:`);
      value(item, indent + '  ', out, false);
    }
  }
}

/** A value after `key:` or `-` (already written on the last line). */
function value(v: unknown, indent: string, out: Out, inList: boolean): void {
  if (v instanceof NodeValue) valueNode(v.node, indent, out, inList, v.omit);
  else if (Array.isArray(v)) valueCollection(v, undefined, true, v.length === 0, indent, out, inList);
  else if (isMap(v)) valueCollection(v, undefined, false, Object.keys(v).length === 0, indent, out, inList);
  else valueScalar(v, indent, out);
}

function valueNode(n: Node, indent: string, out: Out, inList: boolean, omit?: string): void {
  if (n.kind === 'scalar') valueScalar(n.value, indent, out);
  else valueCollection(undefined, n, n.kind === 'seq', isEmptyNode(n, omit), indent, out, inList, omit);
}

/** A list or map (`plain`, or `node` as its plain data) after `key:` or `-`. */
function valueCollection(plain: unknown, node: Node | undefined, list: boolean, empty: boolean, indent: string, out: Out, inList: boolean, omit?: string): void {
  if (empty) {
    out.add(list ? ' []' : ' {}');
    return;
  }
  if (inList) {
    // `- key: value` on the dash's line, the rest of the map below it.
    const inner = new Out();
    if (node) writeNode(node, indent, inner, omit);
    else write(plain, indent, inner);
    out.add(' ' + inner.text.slice(indent.length));
    return;
  }
  // A list under a key is written at the key's indentation, as `yaml` does.
  const at = list ? indent.slice(2) : indent;
  if (node) writeNode(node, at, out, omit);
  else write(plain, at, out);
}

function valueScalar(v: unknown, indent: string, out: Out): void {
  if (typeof v === 'string') {
    const block = literal(v, indent);
    if (block !== undefined) {
      out.add(' ' + block.slice(0, -1));
      return;
    }
  }
  out.add(' ' + scalar(v as string | number | boolean | null));
}

/** A node written as `toPlain(node)` (without the key `omit`) would be. */
function writeNode(n: Node, indent: string, out: Out, omit?: string): void {
  if (n.kind === 'seq') {
    for (const item of n.items) {
      out.line(`${indent}-`);
      valueNode(item, indent + '  ', out, true);
    }
  } else if (n.kind === 'ref') write({ '!reference': n.path }, indent, out);
  else if (n.kind === 'map') {
    for (const k of plainKeys(n, omit)) {
      out.line(`${indent}${scalar(k)}:`);
      valueNode(n.entries.get(k)!, indent + '  ', out, false);
    }
  }
}

function isEmptyNode(n: Node, omit?: string): boolean {
  if (n.kind === 'seq') return n.items.length === 0;
  if (n.kind === 'map') {
    for (const k of n.entries.keys()) if (k !== omit && k !== '__proto__') return false;
    return true;
  }
  return false;
}

/** An array index as a JS object orders it: before the other keys, in ascending order. */
const INDEX = /^(?:0|[1-9]\d{0,9})$/;
const isIndex = (k: string) => INDEX.test(k) && Number(k) < 4294967295;

/**
 * The keys of the plain object `toPlain` makes of `m`, in its order: array indices first in
 * ascending order, then the others as inserted; `__proto__` is no own key of it.
 */
function plainKeys(m: MapNode, omit?: string): Iterable<string> {
  // Most maps have none of those keys: their own order, as it is.
  let plain = true;
  for (const k of m.entries.keys()) {
    const c = k.charCodeAt(0);
    if (k === omit || k === '__proto__' || (c >= 48 && c <= 57)) {
      plain = false;
      break;
    }
  }
  if (plain) return m.entries.keys();
  const keys: string[] = [];
  let indices: string[] | undefined;
  for (const k of m.entries.keys()) {
    if (k === omit || k === '__proto__') continue;
    if (isIndex(k)) (indices ??= []).push(k);
    else keys.push(k);
  }
  return indices ? [...indices.sort((a, b) => Number(a) - Number(b)), ...keys] : keys;
}

/** `data` (a map or list of plain values) as a YAML document. */
export function yamlOutput(data: unknown): string {
  if (!Array.isArray(data) && !isMap(data)) return `${scalar(data as string)}\n`;
  const out = new Out();
  write(data, '', out);
  if (!out.lines) return Array.isArray(data) ? '[]\n' : '{}\n';
  return out.text + '\n';
}
