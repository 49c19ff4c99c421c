/**
 * How GitLab's loader types a plain scalar: Ruby Psych's ScalarScanner (psych 5, the one GitLab
 * 18 runs) under `YAML.safe_load(permitted_classes: [Symbol, !reference])`. Facts, checked against
 * Psych:
 * - null: empty, `~`, `null` in any case; booleans: yes/true/on, no/false/off in any case (not y/n);
 * - a text that starts like a word (a letter, or one other character then a letter) is a string
 *   unless it is one of those;
 * - `yyyy-mm-dd` and timestamps would be Date and Time objects, which safe_load refuses: the file is
 *   rejected with `Tried to load unspecified class: Date` (or `Time`);
 * - `.inf`, `+.inf`, `-.inf`, `.nan` in any case;
 * - sexagesimal `a:b` and `a:b:c` (parts after the first below 60), every part weighed from 60² down:
 *   `1:20` is 4800, `1:2:3` is 3723; four parts stay a string;
 * - floats need a dot, and an exponent needs its sign (`1.0e+3`); `1e3` and `1.0e3` are strings;
 * - integers: `0b…`, `0…` octal (`08` is a string), `0x…`, decimal; `_` and `,` between digits are
 *   dropped (`1,000` is 1000);
 * - a scalar starting with `:` is a Ruby Symbol, which the engine has no type for: it stays the text.
 */
import type { Scalar as YScalar, Tags } from 'yaml';
import type { Scalar } from '../model.js';

/** A Ruby class safe_load refuses: the file is not loaded. */
export interface DisallowedClass {
  disallowed: string;
}

export const disallowedMessage = (d: DisallowedClass) => `Tried to load unspecified class: ${d.disallowed}`;

/** Texts Psych may type as something else than a string: they start like a number, null, boolean or timestamp (a symbol stays text). */
export const MAYBE_PSYCH_TYPED = /^(?:$|[~nNyYtToOfF0-9+\-.])/;

const WORDLIKE = /^[^\d.:-]?[\p{L}\p{M}_\s!@#$%^&*(){}<>|/\\~;=]+/u;
const TIME = /^-?\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|\s+)\d{1,2}:\d\d:\d\d(?:\.\d*)?(?:\s*(?:Z|[-+]\d{1,2}:?(?:\d\d)?))?$/;
const DATE = /^\d{4}-(?:1[012]|0\d|\d)-(?:[12]\d|3[01]|0\d|\d)$/;
const SEXAGESIMAL_INT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9]){1,2}$/;
const SEXAGESIMAL_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9]){1,2}\.[0-9_]*$/;
const FLOAT = /^[-+]?(?:[0-9][0-9_,]*)?\.[0-9]*(?:[eE][-+][0-9]+)?$/;
const INTEGER = /^(?:[-+]?0b[_,]*[01][01_,]*|[-+]?0[_,]*[0-7][0-7_,]*|[-+]?(?:0|[1-9](?:[0-9]|,[0-9]|_[0-9])*)|[-+]?0x[_,]*[0-9a-fA-F][0-9a-fA-F_,]*)$/;

/** A plain scalar's text as Psych types it (also a key's, and a scalar under an unknown tag). */
export function psychTyped(s: string): Scalar | DisallowedClass {
  if (s === '') return null;
  // An ASCII letter first (most keys and words): WORDLIKE's answer without its Unicode pattern.
  const c = s.charCodeAt(0) | 0x20;
  if ((c >= 0x61 && c <= 0x7a) || WORDLIKE.test(s) || s.includes('\n')) {
    if (s.length > 5 || /^[^ytonf~]/i.test(s)) return s;
    if (s === '~' || /^null$/i.test(s)) return null;
    if (/^(?:yes|true|on)$/i.test(s)) return true;
    if (/^(?:no|false|off)$/i.test(s)) return false;
    return s;
  }
  if (TIME.test(s)) return { disallowed: 'Time' };
  if (DATE.test(s)) return { disallowed: 'Date' };
  if (/^\+?\.inf$/i.test(s)) return Infinity;
  if (/^-\.inf$/i.test(s)) return -Infinity;
  if (/^\.nan$/i.test(s)) return NaN;
  if (/^:./.test(s)) return s;
  if (SEXAGESIMAL_INT.test(s)) return sexagesimal(s, false);
  if (SEXAGESIMAL_FLOAT.test(s)) return sexagesimal(s, true);
  if (FLOAT.test(s)) return /^[-+]?\.$/.test(s) ? s : Number(s.replace(/[,_]/g, '').replace(/\.(?=[eE]|$)/, ''));
  if (INTEGER.test(s)) return rubyInteger(s.replace(/[,_]/g, ''));
  return s;
}

/** Psych's base 60: each part times 60 to the power of its distance from the third place (so `a:b` is a·3600 + b·60). */
function sexagesimal(s: string, float: boolean): number {
  let total = 0;
  s.split(':').forEach((part, i) => {
    const n = float ? parseFloat(part.replace(/_/g, '')) : parseInt(part.replace(/_/g, ''), 10);
    total += (Number.isNaN(n) ? 0 : n) * 60 ** Math.abs(i - 2);
  });
  return total;
}

/** Ruby's Integer() of a sign and digits: `0b`, `0x` and a leading `0` (octal) choose the base. */
function rubyInteger(s: string): number {
  const negative = s.startsWith('-');
  const digits = s.replace(/^[-+]/, '');
  const value = /^0b/i.test(digits) ? parseInt(digits.slice(2), 2) : /^0x/i.test(digits) ? parseInt(digits.slice(2), 16) : /^0./.test(digits) ? parseInt(digits.slice(1), 8) : parseInt(digits, 10);
  return negative ? -value : value;
}

/** `!!binary`: the base64 text decoded (Psych's `unpack('m')`), read as UTF-8. */
export function psychBinary(s: string): string {
  return Buffer.from(s.replace(/\s+/g, ''), 'base64').toString('utf8');
}

/**
 * Psych's typing of plain scalars in place of the YAML 1.1 null, bool, int,
 * float and timestamp tags: one tag tried on every text that may be typed; a Date or Time fails
 * it (GitLab's safe_load refuses them), which the fast front ends take as "not sure".
 */
const psychPlain = {
  identify: () => false,
  default: true,
  tag: 'tag:yaml.org,2002:psych',
  test: MAYBE_PSYCH_TYPED,
  resolve: (str: string, onError: (message: string) => void) => {
    const v = psychTyped(str);
    if (v !== null && typeof v === 'object') {
      onError(disallowedMessage(v));
      return str;
    }
    return v;
  },
};

/** An explicit `!!int`, `!!bool`, `!!null`, `!!timestamp` types its text as a plain one; `!!float` makes it a number; `!!binary` decodes it. */
const explicitTag = (name: string, resolve: (str: string, onError: (message: string) => void) => unknown) => ({ identify: () => false, default: false, tag: `tag:yaml.org,2002:${name}`, resolve });
const explicitTags = [
  ...['int', 'bool', 'null', 'timestamp'].map((name) => explicitTag(name, psychPlain.resolve)),
  explicitTag('float', (str, onError) => {
    const v = psychPlain.resolve(str, onError);
    return typeof v === 'number' || typeof v === 'boolean' ? Number(v) : v;
  }),
  explicitTag('binary', (str) => psychBinary(str)),
];

const TYPED_BY_PSYCH = new Set(['null', 'bool', 'int', 'float', 'timestamp', 'binary'].map((t) => `tag:yaml.org,2002:${t}`));

/** The `yaml` package's YAML 1.1 tags with Psych's typing in place of its null, bool, int, float, timestamp and binary. */
export function psychTags(tags: Tags): Tags {
  const kept = tags.filter((t) => typeof t === 'object' && !TYPED_BY_PSYCH.has(t.tag));
  return [psychPlain as never, ...kept, ...(explicitTags as never[])];
}

/**
 * The Ruby class Psych's ToRuby (psych 5, lib/psych/visitors/to_ruby.rb) asks its class loader for
 * under a tag, which safe_load refuses (only Symbol is permitted): `!ruby/object:Foo {}` → Foo,
 * `!ruby/regexp /x/` → Regexp, `!ruby/range 1..2` → Range, `!!set` → Psych::Set, a mapping under
 * `!!omap` → Psych::Omap (a sequence under it is a Hash), `!ruby/hash:Foo` → Foo, ... A tag Psych
 * does not know, `!ruby/sym` (a Symbol) and a class-less `!ruby/string` or `!ruby/hash-with-ivars`
 * load. An empty class name is no class (`!ruby/object {}` is Object, `!ruby/class` with no text nil).
 * `late`: Psych builds the children first (an exception, an anonymous struct or data), so a refused
 * child is the one reported.
 */
export function taggedClass(tag: string, kind: 'scalar' | 'seq' | 'map', text: string): (DisallowedClass & { late?: boolean }) | undefined {
  const named = (name: string | undefined, otherwise?: string, late: 'anonymous' | 'always' | undefined = undefined) => {
    const cls = name || otherwise;
    return cls && cls !== 'Symbol' ? { disallowed: cls, late: late === 'always' || (late === 'anonymous' && !name) } : undefined;
  };
  let m: RegExpMatchArray | null;
  if (kind === 'scalar') {
    if ((m = tag.match(/^!(?:str|ruby\/string):(.*)$/))) return named(m[1]);
    if ((m = tag.match(/^!ruby\/object:(BigDecimal|DateTime|Complex|Rational)$/))) return named(m[1]);
    if (tag === '!ruby/class' || tag === '!ruby/module') return named(text);
    if (tag === '!ruby/regexp') return named('Regexp');
    if (tag === '!ruby/range') return named('Range');
    return undefined;
  }
  if (kind === 'seq') return (m = tag.match(/^!(?:seq|ruby\/array):(.*)$/)) ? named(m[1]) : undefined;
  if ((m = tag.match(/^!ruby\/struct:?(.*)$/))) return named(m[1], 'Struct', 'anonymous');
  if ((m = tag.match(/^!ruby\/data(?:-with-ivars)?(?::(.*))?$/))) return named(m[1], 'Data', 'anonymous');
  if ((m = tag.match(/^!ruby\/object:?(.*)$/))) return m[1] === 'Hash' ? undefined : named(m[1], 'Object');
  if ((m = tag.match(/^!(?:str|ruby\/string):(.*)$/))) return named(m[1]);
  if ((m = tag.match(/^!ruby\/(?:array|hash-with-ivars|hash|marshalable):(.*)$/) ?? tag.match(/^!map:(.*)$/))) return named(m[1]);
  if (tag === '!ruby/range') return named('Range');
  if ((m = tag.match(/^!ruby\/exception:?(.*)$/))) return named(m[1], 'Exception', 'always');
  if (tag === '!set' || tag === 'tag:yaml.org,2002:set') return named('Psych::Set');
  if (tag === '!omap' || tag === 'tag:yaml.org,2002:omap') return named('Psych::Omap');
  return undefined;
}

/** A scalar (value or key) as Psych types it. */
export function psychScalar(n: YScalar): Scalar {
  // The YAML 1.1 float pattern of the yaml package matches a lone "." or `.e0` (NaN); Psych keeps them strings.
  if (typeof n.value === 'number' && Number.isNaN(n.value) && !/^[-+]?\.nan$/i.test(String(n.source))) return String(n.source);
  return toScalar(n.value);
}

function toScalar(v: unknown): Scalar {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return String(v);
}
