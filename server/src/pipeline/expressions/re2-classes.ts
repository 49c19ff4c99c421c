/**
 * The lower half of the RE2 → JS RegExp translation (see re2.ts): errors, flags, character
 * classes (`[...]`, `[[:posix:]]`, `\d`, `\pL`), single-character escapes and RE2's case
 * folding. `Re2Scanner` holds the cursor over the pattern; re2.ts's translator extends it with
 * alternation, groups and repetition.
 */

export class Re2Error extends Error {
  constructor(
    message: string,
    readonly index: number,
    readonly kind: 'syntax' | 'unsupported' = 'syntax',
  ) {
    super(message);
  }
}

export class RetryWithoutNativeI extends Error {}

export interface Re2Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

export interface Piece {
  js: string;
  /** Product of the `{n,m}` bounds nested in this piece (RE2 caps it at 1000). */
  weight: number;
  /** Already carries a repetition operator (RE2 rejects `a**`). */
  repeated: boolean;
}

/** A set of code point ranges, possibly negated, inside or outside a bracket class. */
export interface RangeSet {
  ranges: Array<[number, number]>;
  negated: boolean;
}

export const PERL_CLASSES: Record<string, RangeSet> = {
  d: { ranges: [[0x30, 0x39]], negated: false },
  D: { ranges: [[0x30, 0x39]], negated: true },
  s: { ranges: [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]], negated: false },
  S: { ranges: [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]], negated: true },
  w: { ranges: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]], negated: false },
  W: { ranges: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]], negated: true },
};

const POSIX_CLASSES: Record<string, Array<[number, number]>> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

const GENERAL_CATEGORIES = new Set([
  'C', 'Cc', 'Cf', 'Co', 'Cs', 'L', 'Ll', 'Lm', 'Lo', 'Lt', 'Lu', 'M', 'Mc', 'Me', 'Mn', 'N', 'Nd', 'Nl', 'No',
  'P', 'Pc', 'Pd', 'Pe', 'Pf', 'Pi', 'Po', 'Ps', 'S', 'Sc', 'Sk', 'Sm', 'So', 'Z', 'Zl', 'Zp', 'Zs',
]);

/** Case orbits that simple upper/lower mapping misses (RE2 folds these together). */
const EXTRA_FOLDS: Record<number, number[]> = {
  0x6b: [0x212a], 0x4b: [0x212a], 0x212a: [0x6b, 0x4b],
  0x73: [0x17f], 0x53: [0x17f], 0x17f: [0x73, 0x53],
  0xe5: [0x212b], 0xc5: [0x212b], 0x212b: [0xe5, 0xc5],
  0xb5: [0x3bc, 0x39c], 0x3bc: [0xb5], 0x39c: [0xb5],
  0x3c3: [0x3c2], 0x3a3: [0x3c2], 0x3c2: [0x3c3, 0x3a3],
};

function caseVariants(cp: number): number[] {
  const out = new Set<number>([cp]);
  const add = (s: string) => {
    const c = s.codePointAt(0);
    if (c !== undefined && String.fromCodePoint(c) === s) out.add(c);
  };
  for (let round = 0; round < 2; round++) {
    for (const c of [...out]) {
      const ch = String.fromCodePoint(c);
      add(ch.toLowerCase());
      add(ch.toUpperCase());
      for (const x of EXTRA_FOLDS[c] ?? []) out.add(x);
    }
  }
  return [...out];
}

function jsChar(cp: number): string {
  if ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a)) {
    return String.fromCharCode(cp);
  }
  return `\\u{${cp.toString(16)}}`;
}

/** The body of a JS class for code point ranges (`a-z0-9`). */
export function rangesJs(ranges: ReadonlyArray<[number, number]>): string {
  return ranges.map(([lo, hi]) => (lo === hi ? jsChar(lo) : `${jsChar(lo)}-${jsChar(hi)}`)).join('');
}

function foldRanges(ranges: ReadonlyArray<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [...ranges];
  for (const [lo, hi] of ranges) {
    const end = Math.min(hi, 0x1ffff);
    for (let cp = lo; cp <= end; cp++) {
      for (const v of caseVariants(cp)) if (v < lo || v > hi) out.push([v, v]);
    }
  }
  return out;
}

/** The cursor over an RE2 pattern, with the parts of the translation that read one class or escape. */
export class Re2Scanner {
  protected i = 0;

  constructor(
    protected readonly src: string,
    protected readonly nativeI: boolean,
  ) {}

  protected err(message: string, index = this.i, kind: 'syntax' | 'unsupported' = 'syntax'): never {
    throw new Re2Error(message, index, kind);
  }

  protected literal(cp: number, flags: Re2Flags): Piece {
    const variants = caseVariants(cp);
    if (variants.length > 1) {
      if (this.nativeI && !flags.i) throw new RetryWithoutNativeI();
      if (flags.i && !this.nativeI) {
        return { js: `[${variants.map(jsChar).join('')}]`, weight: 1, repeated: false };
      }
    }
    return { js: jsChar(cp), weight: 1, repeated: false };
  }

  /** `\p{…}` / `\pL` / `\P…` at this.i; returns the JS class-set operand. */
  protected parseUnicodeClass(flags: Re2Flags): string {
    const src = this.src;
    const start = this.i;
    let negated = src[start + 1] === 'P';
    let name: string;
    if (src[start + 2] === '{') {
      const close = src.indexOf('}', start + 3);
      if (close < 0) this.err(`invalid character class range: ${src.slice(start)}`, start);
      name = src.slice(start + 3, close);
      this.i = close + 1;
    } else {
      if (start + 2 >= src.length) this.err(`invalid character class range: ${src.slice(start)}`, start);
      const cp = src.codePointAt(start + 2)!;
      name = String.fromCodePoint(cp);
      this.i = start + 2 + name.length;
    }
    const text = src.slice(start, this.i);
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    if (flags.i && !this.nativeI) this.err(`case-insensitive ${text} inside a partly case-sensitive pattern`, start, 'unsupported');
    if (this.nativeI && !flags.i) throw new RetryWithoutNativeI();
    let js: string;
    if (name === 'Any') {
      js = negated ? '[^\\p{Any}]' : '\\p{Any}';
      return js;
    }
    if (name === 'C') {
      js = '[\\p{Cc}\\p{Cf}\\p{Co}\\p{Cs}]';
      return negated ? `[^${js}]` : js;
    }
    const prop = GENERAL_CATEGORIES.has(name) ? name : `Script=${name}`;
    try {
      new RegExp(`\\p{${prop}}`, 'v');
    } catch {
      this.err(`invalid character class range: ${text}`, start);
    }
    return `\\${negated ? 'P' : 'p'}{${prop}}`;
  }

  /** A single-character escape at this.i (octal, hex, control letters, escaped punctuation). */
  protected parseEscapeChar(): number {
    const src = this.src;
    const start = this.i;
    if (start + 1 >= src.length) this.err('trailing backslash at end of expression', start);
    const cp = src.codePointAt(start + 1)!;
    const c = String.fromCodePoint(cp);
    this.i = start + 1 + c.length;
    if (cp < 0x80 && !/[A-Za-z0-9]/.test(c)) return cp;
    if (c >= '1' && c <= '7' && !/[0-7]/.test(src[this.i] ?? '')) {
      this.err(`invalid escape sequence: \\${c} (RE2 has no back-references)`, start);
    }
    if (c >= '0' && c <= '7') {
      let code = cp - 0x30;
      for (let k = 0; k < 2 && /[0-7]/.test(src[this.i] ?? ''); k++) code = code * 8 + (src.charCodeAt(this.i++) - 0x30);
      return code;
    }
    switch (c) {
      case 'x': {
        if (src[this.i] === '{') {
          const close = src.indexOf('}', this.i);
          const hex = close < 0 ? '' : src.slice(this.i + 1, close);
          if (!/^[0-9A-Fa-f]+$/.test(hex) || parseInt(hex, 16) > 0x10ffff) {
            this.err(`invalid escape sequence: ${src.slice(start, close < 0 ? src.length : close + 1)}`, start);
          }
          this.i = close + 1;
          return parseInt(hex, 16);
        }
        const hex = src.slice(this.i, this.i + 2);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) this.err(`invalid escape sequence: ${src.slice(start, this.i + 2)}`, start);
        this.i += 2;
        return parseInt(hex, 16);
      }
      case 'a':
        return 0x07;
      case 'f':
        return 0x0c;
      case 't':
        return 0x09;
      case 'n':
        return 0x0a;
      case 'r':
        return 0x0d;
      case 'v':
        return 0x0b;
    }
    const hint = c === 'Z' ? ' (use \\z)' : /[89]/.test(c) ? ' (RE2 has no back-references)' : '';
    this.err(`invalid escape sequence: \\${c}${hint}`, start);
  }

  protected parseClass(flags: Re2Flags): Piece {
    const src = this.src;
    const open = this.i;
    this.i++;
    let negated = false;
    if (src[this.i] === '^') {
      negated = true;
      this.i++;
    }
    if (this.nativeI && !flags.i) throw new RetryWithoutNativeI();
    const fold = flags.i && !this.nativeI;
    const ranges: Array<[number, number]> = [];
    const nested: string[] = [];
    const addSet = (set: RangeSet) => {
      const r = fold ? foldRanges(set.ranges) : set.ranges;
      if (set.negated) nested.push(`[^${rangesJs(r)}]`);
      else ranges.push(...r);
    };
    let first = true;
    for (;;) {
      if (this.i >= src.length) this.err(`missing closing ]: ${src.slice(open)}`, open);
      const c = src[this.i];
      if (c === ']' && !first) break;
      first = false;
      if (c === '[' && src[this.i + 1] === ':') {
        const close = src.indexOf(':]', this.i + 2);
        if (close >= 0) {
          let name = src.slice(this.i + 2, close);
          const neg = name.startsWith('^');
          if (neg) name = name.slice(1);
          const posix = Object.hasOwn(POSIX_CLASSES, name) ? POSIX_CLASSES[name] : undefined;
          if (!posix) this.err(`invalid character class range: ${src.slice(this.i, close + 2)}`, this.i);
          addSet({ ranges: posix, negated: neg });
          this.i = close + 2;
          continue;
        }
      }
      if (c === '\\' && (src[this.i + 1] === 'p' || src[this.i + 1] === 'P')) {
        nested.push(this.parseUnicodeClass(flags));
        continue;
      }
      if (c === '\\' && PERL_CLASSES[src[this.i + 1]]) {
        addSet(PERL_CLASSES[src[this.i + 1]]);
        this.i += 2;
        continue;
      }
      const lo = this.classChar(open);
      let hi = lo;
      if (src[this.i] === '-' && this.i + 1 < src.length && src[this.i + 1] !== ']') {
        const dash = this.i;
        this.i++;
        hi = this.classChar(open);
        if (hi < lo) this.err(`invalid character class range: ${src.slice(dash - 1, this.i)}`, dash - 1);
      }
      addSet({ ranges: [[lo, hi]], negated: false });
    }
    this.i++; // ]
    const body = rangesJs(ranges) + nested.join('');
    const js = body === '' ? (negated ? '[\\s\\S]' : '[]') : `[${negated ? '^' : ''}${body}]`;
    return { js, weight: 1, repeated: false };
  }

  protected classChar(open: number): number {
    const src = this.src;
    if (this.i >= src.length) this.err(`missing closing ]: ${src.slice(open)}`, open);
    if (src[this.i] === '\\') return this.parseEscapeChar();
    const cp = src.codePointAt(this.i)!;
    this.i += cp > 0xffff ? 2 : 1;
    return cp;
  }
}
