/**
 * RE2 patterns (GitLab's `Gitlab::UntrustedRegexp`) run with JavaScript's RegExp: the one
 * translation used for `rules:if` regexes, `only/except` regex refs and `spec:inputs` `regex:`.
 *
 * `compileRe2` gives the full answer: RE2 syntax errors (look-arounds, back-references, `\Z`,
 * `a**`, …) are `syntax` errors with their index, and the few valid RE2 constructs with no
 * faithful JS form (`\C`, …) are `unsupported`. `re2RegExp` is the short form for callers that
 * only need a RegExp or nothing. The translation targets JS's `v` flag and reproduces RE2's
 * flags (`(?imsU)`, also scoped and negated), `\A`/`\z`, `(?P<name>…)`, POSIX and Perl classes,
 * `\pL`/`\p{Greek}`, `\Q…\E`, RE2's case folding and its repeat-count limit (1000).
 * Never throws.
 */
import { PERL_CLASSES, Re2Error, Re2Scanner, RetryWithoutNativeI, rangesJs } from './re2-classes.js';
import type { Piece, Re2Flags } from './re2-classes.js';

export type Re2CompileResult =
  | { ok: true; regex: RegExp; js: string }
  | { ok: false; error: string; index: number; kind: 'syntax' | 'unsupported' };

const RE2_CACHE = new Map<string, Re2CompileResult>();
const RE2_CACHE_MAX = 500;

/**
 * Compiles an RE2 pattern (Perl-like RE2 syntax, as GitLab's UntrustedRegexp uses it) into an
 * equivalent JS RegExp, for match/no-match tests. `syntax` errors are patterns RE2 rejects;
 * `unsupported` ones are valid RE2 with no faithful JS translation. Never throws.
 */
export function compileRe2(pattern: string): Re2CompileResult {
  const hit = RE2_CACHE.get(pattern);
  if (hit) return hit;
  const r = compileRe2Uncached(pattern);
  if (RE2_CACHE.size >= RE2_CACHE_MAX) RE2_CACHE.delete(RE2_CACHE.keys().next().value as string);
  RE2_CACHE.set(pattern, r);
  return r;
}

function compileRe2Uncached(pattern: string): Re2CompileResult {
  const attempts = /\(\?[A-Za-z-]*i/.test(pattern) ? [true, false] : [false];
  for (const nativeI of attempts) {
    let js: string;
    try {
      js = new Re2Translator(pattern, nativeI).translate();
    } catch (e) {
      if (e instanceof RetryWithoutNativeI) continue;
      if (e instanceof Re2Error) return { ok: false, error: e.message, index: e.index, kind: e.kind };
      return { ok: false, error: String((e as Error)?.message ?? e), index: 0, kind: 'unsupported' };
    }
    try {
      return { ok: true, regex: new RegExp(js, nativeI ? 'vi' : 'v'), js };
    } catch (e) {
      return { ok: false, error: `cannot translate to a JS regex: ${(e as Error).message}`, index: 0, kind: 'unsupported' };
    }
  }
  return { ok: false, error: 'cannot translate case-insensitive pattern', index: 0, kind: 'unsupported' };
}

/** The RegExp for an RE2 pattern, or undefined when RE2 rejects it or it has no faithful JS form. */
export function re2RegExp(pattern: string): RegExp | undefined {
  const c = compileRe2(pattern);
  return c.ok ? c.regex : undefined;
}

// ---------------------------------------------------------------------------------------------
// Ruby regex literal syntax (Gitlab::UntrustedRegexp::RubySyntax)

export interface RubyRegexLiteral {
  /** RE2 pattern: `(?flags)` + body. */
  pattern: string;
  prefixLength: number;
  /** For each character of the body, its offset in the original text. */
  bodyMap: number[];
}

const RUBY_SYNTAX_RE = /(?<![^\n])\/([^\n]*)\/([ismU]*)(?![^\n])/;

/**
 * `/body/flags` as GitLab reads it: every `\/` becomes `/`, then the first line of the form
 * `/…/flags` (greedy, so the last slash of that line) is the regex. Undefined if none.
 */
export function rubyRegexLiteral(text: string): RubyRegexLiteral | undefined {
  let unescaped = '';
  const map: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && text[i + 1] === '/') {
      map.push(i);
      unescaped += '/';
      i++;
    } else {
      map.push(i);
      unescaped += text[i];
    }
  }
  const m = RUBY_SYNTAX_RE.exec(unescaped);
  if (!m) return undefined;
  const body = m[1];
  const flags = m[2];
  const bodyStart = m.index + 1;
  const prefix = flags ? `(?${flags})` : '';
  return { pattern: prefix + body, prefixLength: prefix.length, bodyMap: map.slice(bodyStart, bodyStart + body.length) };
}

/**
 * Compiles a Ruby-style `/pattern/flags` string as GitLab does for regex values
 * (`only: refs`, `=~` right operands, …). `notALiteral` when the text is not of that form.
 */
export function compileRubyRegexLiteral(
  text: string,
): { ok: true; regex: RegExp; pattern: string } | { ok: false; error: string; kind: 'syntax' | 'unsupported'; notALiteral?: boolean } {
  const lit = rubyRegexLiteral(text);
  if (!lit) return { ok: false, error: 'not a /pattern/flags literal', kind: 'syntax', notALiteral: true };
  const c = compileRe2(lit.pattern);
  return c.ok ? { ok: true, regex: c.regex, pattern: lit.pattern } : { ok: false, error: c.error, kind: c.kind };
}

// ---------------------------------------------------------------------------------------------
// The translator: alternation, groups, repetition (classes and escapes: re2-classes.ts)

class Re2Translator extends Re2Scanner {
  private readonly names = new Set<string>();

  translate(): string {
    const flags: Re2Flags = { i: false, m: false, s: false, U: false };
    const { js } = this.parseAlternation(flags, 0);
    return js;
  }

  /** Parses `a|b|…` up to a `)` (left for the caller) or the end. */
  private parseAlternation(flags: Re2Flags, depth: number): { js: string; weight: number } {
    const branches: string[] = [];
    let weight = 1;
    let seq: Piece[] = [];
    const flush = () => {
      branches.push(seq.map((p) => p.js).join(''));
      for (const p of seq) weight = Math.max(weight, p.weight);
      seq = [];
    };
    const src = this.src;
    while (this.i < src.length) {
      const c = src[this.i];
      if (c === ')') {
        if (depth === 0) this.err('unexpected )');
        break;
      }
      if (c === '|') {
        flush();
        this.i++;
        continue;
      }
      if (c === '*' || c === '+' || c === '?') {
        const start = this.i;
        this.i++;
        const lazy = src[this.i] === '?';
        if (lazy) this.i++;
        this.repeat(seq, c, start, lazy, flags, 0, -1);
        continue;
      }
      if (c === '{') {
        const rep = /\{(\d+)(?:(,)(\d*))?\}/y;
        rep.lastIndex = this.i;
        const m = rep.exec(src);
        const leadingZero = m && (/^0\d/.test(m[1]) || (m[3] !== undefined && /^0\d/.test(m[3])));
        if (m && !leadingZero) {
          const start = this.i;
          const min = Number(m[1]);
          const max = m[2] ? (m[3] ? Number(m[3]) : -1) : min;
          this.i += m[0].length;
          const lazy = src[this.i] === '?';
          if (lazy) this.i++;
          if (min > 1000 || max > 1000 || (max >= 0 && min > max)) this.err(`invalid repeat count: ${m[0]}`, start);
          this.repeat(seq, m[0], start, lazy, flags, min, max);
          continue;
        }
        seq.push(this.literal('{'.codePointAt(0)!, flags));
        this.i++;
        continue;
      }
      if (c === '(') {
        const piece = this.parseGroup(flags, depth);
        if (piece) seq.push(piece);
        continue;
      }
      if (c === '[') {
        seq.push(this.parseClass(flags));
        continue;
      }
      if (c === '\\') {
        this.parseEscapeOutside(seq, flags);
        continue;
      }
      if (c === '.') {
        seq.push({ js: flags.s ? '[\\s\\S]' : '[^\\n]', weight: 1, repeated: false });
        this.i++;
        continue;
      }
      if (c === '^') {
        seq.push({ js: flags.m ? '(?<![^\\n])' : '^', weight: 1, repeated: false });
        this.i++;
        continue;
      }
      if (c === '$') {
        seq.push({ js: flags.m ? '(?![^\\n])' : '$', weight: 1, repeated: false });
        this.i++;
        continue;
      }
      const cp = src.codePointAt(this.i)!;
      this.i += cp > 0xffff ? 2 : 1;
      seq.push(this.literal(cp, flags));
    }
    flush();
    return { js: branches.join('|'), weight };
  }

  private repeat(seq: Piece[], op: string, start: number, lazy: boolean, flags: Re2Flags, min: number, max: number): void {
    const last = seq[seq.length - 1];
    const opText = this.src.slice(start, this.i);
    if (!last) this.err(`missing argument to repetition operator: ${opText}`, start);
    if (last.repeated) this.err(`invalid nested repetition operator: ${this.src.slice(start - 1, this.i)}`, start);
    let weight = last.weight;
    if (op.startsWith('{')) {
      const m = max === -1 ? min : max;
      if (m > 0) weight = m * last.weight;
      if ((min >= 2 || max >= 2) && weight > 1000) this.err(`invalid repeat count: ${opText}`, start);
    }
    const greedy = lazy === flags.U;
    seq[seq.length - 1] = { js: `(?:${last.js})${op}${greedy ? '' : '?'}`, weight, repeated: true };
  }

  /** `(`…`)`, `(?:`…`)`, `(?P<name>`…`)`, `(?flags)`, `(?flags:`…`)`. Null for a bare flags group. */
  private parseGroup(flags: Re2Flags, depth: number): Piece | null {
    const src = this.src;
    const open = this.i;
    let inner: Re2Flags = { ...flags };
    if (src.startsWith('(?', open)) {
      const named = /\(\?P?<(?![=!])/y;
      named.lastIndex = open;
      const nm = named.exec(src);
      if (nm) {
        const close = src.indexOf('>', open + nm[0].length);
        const name = close < 0 ? '' : src.slice(open + nm[0].length, close);
        if (close < 0 || !/^[\p{L}\p{N}\p{M}_]+$/u.test(name)) {
          this.err(`invalid named capture group: ${close < 0 ? src.slice(open) : src.slice(open, close + 1)}`, open);
        }
        if (this.names.has(name)) this.err(`duplicate capture group name: ${name}`, open);
        this.names.add(name);
        this.i = close + 1;
      } else if (/^\(\?(?:=|!|<=|<!)/.test(src.slice(open, open + 4))) {
        this.err(
          `look-around ${src.slice(open, open + (src[open + 2] === '<' ? 4 : 3))}…) is not supported by RE2, GitLab's regex engine`,
          open,
        );
      } else {
        let j = open + 2;
        let sign = 1;
        let sawFlag = false;
        const next: Re2Flags = { ...flags };
        for (;;) {
          if (j >= src.length) this.err(`missing closing ): ${src.slice(open)}`, open);
          const c = src[j];
          if (c === 'i' || c === 'm' || c === 's' || c === 'U') {
            next[c] = sign > 0;
            sawFlag = true;
            j++;
          } else if (c === '-') {
            if (sign < 0) this.err(`invalid or unsupported Perl syntax: ${src.slice(open, j + 1)}`, open);
            sign = -1;
            sawFlag = false;
            j++;
          } else if (c === ':' || c === ')') {
            if (sign < 0 && !sawFlag) this.err(`invalid or unsupported Perl syntax: ${src.slice(open, j + 1)}`, open);
            this.i = j + 1;
            if (c === ')') {
              Object.assign(flags, next);
              return null;
            }
            inner = next;
            break;
          } else {
            this.err(`invalid or unsupported Perl syntax: ${src.slice(open, j + 1)}`, open);
          }
        }
      }
    } else {
      this.i = open + 1;
    }
    const body = this.parseAlternation(inner, depth + 1);
    if (this.i >= src.length || src[this.i] !== ')') this.err(`missing closing ): ${src.slice(open)}`, open);
    this.i++;
    return { js: `(?:${body.js})`, weight: body.weight, repeated: false };
  }

  private parseEscapeOutside(seq: Piece[], flags: Re2Flags): void {
    const src = this.src;
    const start = this.i;
    if (start + 1 >= src.length) this.err('trailing backslash at end of expression', start);
    const c = src[start + 1];
    const simple = (js: string) => {
      seq.push({ js, weight: 1, repeated: false });
      this.i = start + 2;
    };
    switch (c) {
      case 'A':
        return simple('^');
      case 'z':
        return simple('$');
      case 'b':
        return simple('\\b');
      case 'B':
        return simple('\\B');
      case 'C':
        return this.err('\\C (any byte) has no JS equivalent', start, 'unsupported');
      case 'Q': {
        const end = src.indexOf('\\E', start + 2);
        const text = src.slice(start + 2, end < 0 ? src.length : end);
        for (const ch of text) seq.push(this.literal(ch.codePointAt(0)!, flags));
        this.i = end < 0 ? src.length : end + 2;
        return;
      }
      case 'p':
      case 'P': {
        const js = this.parseUnicodeClass(flags);
        seq.push({ js, weight: 1, repeated: false });
        return;
      }
    }
    const perl = PERL_CLASSES[c];
    if (perl) {
      this.i = start + 2;
      seq.push({ js: `[${perl.negated ? '^' : ''}${rangesJs(perl.ranges)}]`, weight: 1, repeated: false });
      return;
    }
    const cp = this.parseEscapeChar();
    seq.push(this.literal(cp, flags));
  }
}
