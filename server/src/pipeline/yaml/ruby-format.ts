/**
 * Ruby's text forms of values, as GitLab's messages and interpolations show them: `to_s`
 * (what `"#{value}"` gives) and `inspect` (arrays, hashes, quoted strings, symbols).
 */
import { scalarNode } from '../model.js';
import type { Node } from '../model.js';

/** How hash keys are shown: `:key` (GitLab symbolizes the loaded YAML) or `"key"` (raw YAML hashes). */
export type RubyHashKeys = 'symbol' | 'string';

/** Ruby's `to_s` of a value: strings as is, nil as '', arrays and hashes as `inspect`. */
export function rubyToS(node: Node | undefined): string {
  if (!node) return '';
  if (node.kind === 'scalar') {
    const v = node.value;
    if (v === null) return '';
    if (typeof v === 'number') return rubyNumber(v);
    return String(v);
  }
  return rubyInspect(node);
}

function rubyNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return String(n);
}

/** Ruby 3.3's `inspect`; hash keys are symbols unless `keys` is 'string'. */
export function rubyInspect(node: Node, keys: RubyHashKeys = 'symbol'): string {
  switch (node.kind) {
    case 'scalar': {
      const v = node.value;
      if (v === null) return 'nil';
      if (typeof v === 'string') return rubyStringInspect(v);
      if (typeof v === 'number') return rubyNumber(v);
      return String(v);
    }
    case 'seq':
      return `[${node.items.map((item) => rubyInspect(item, keys)).join(', ')}]`;
    case 'map': {
      const key = keys === 'symbol' ? rubySymbolInspect : rubyStringInspect;
      return `{${[...node.entries].map(([k, v]) => `${key(k)}=>${rubyInspect(v, keys)}`).join(', ')}}`;
    }
    case 'ref':
      return `!reference ${rubyInspect({ kind: 'seq', items: node.path.map((p) => scalarNode(p)) })}`;
  }
}

/** Ruby's `Symbol#inspect`: `:name`, or `:"quoted name"` when it is not a plain identifier. */
export function rubySymbolInspect(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*[?!]?$/.test(key) ? `:${key}` : `:${rubyStringInspect(key)}`;
}

const RUBY_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r', '\f': '\\f', '\v': '\\v', '\b': '\\b', '\x07': '\\a', '\x1b': '\\e' };

/** Ruby's `String#inspect`. */
export function rubyStringInspect(s: string): string {
  let out = '"';
  const chars = Array.from(s);
  chars.forEach((ch, i) => {
    const esc = RUBY_ESCAPES[ch];
    if (esc) out += esc;
    else if (ch === '#' && (chars[i + 1] === '{' || chars[i + 1] === '$' || chars[i + 1] === '@')) out += '\\#';
    else {
      const cp = ch.codePointAt(0) ?? 0;
      if (cp < 0x20 || cp === 0x7f) out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
      else out += ch;
    }
  });
  return out + '"';
}

/**
 * `inspect` of a plain JS value (an expression operand: `$[[ inputs.list ]]` used as text),
 * in the form the expression evaluator has always produced: `["a", 1]`, `{"k" => v}`.
 */
export function rubyInspectPlain(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(rubyInspectPlain).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${JSON.stringify(k)} => ${rubyInspectPlain(x)}`)
      .join(', ')}}`;
  }
  return String(v);
}

/** Ruby's whitespace for `strip` and the awk-style `split(' ')`: space, \t, \n, \v, \f, \r (strip also drops NUL). */
const RUBY_STRIP = /^[\0\t\n\v\f\r ]+|[\0\t\n\v\f\r ]+$/g;

/** Ruby's `String#strip` (not JavaScript's `trim`, which also drops Unicode spaces). */
export function rubyStrip(s: string): string {
  return s.replace(RUBY_STRIP, '');
}

/** Ruby's `str.split(separator)` with a string separator and no limit: a single space splits awk-style
 *  (on runs of whitespace, leading whitespace ignored); trailing empty parts are dropped. */
export function rubySplit(s: string, separator: string): string[] {
  const parts = separator === ' ' ? s.replace(/^[\t\n\v\f\r ]+/, '').split(/[\t\n\v\f\r ]+/) : s.split(separator);
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}
