/**
 * RE2 patterns (GitLab's `Gitlab::UntrustedRegexp`), run by `re2js` — a port of RE2 with RE2's
 * syntax and semantics and linear-time matching — for `rules:if` regexes, include `rules`,
 * `only/except` refs and variables, `spec:inputs` `regex:` and `coverage`; the one home of
 * regex compilation in the engine.
 *
 * `compileRe2` gives the full answer: patterns RE2 rejects (look-arounds, back-references, `\Z`,
 * `a**`, …) are `syntax` errors with their index in the pattern; `\C` (any byte), valid RE2 that
 * the port does not accept, is `unsupported`. `re2RegExp` is the short form for callers that only
 * need a matcher or nothing. Never throws.
 */
import { RE2JS, RE2JSSyntaxException } from 're2js';

/** A compiled RE2 pattern: `test` searches the text (unanchored, as Ruby's `=~` does). */
export interface Re2Pattern {
  test(text: string): boolean;
}

export type Re2CompileResult =
  | { ok: true; regex: Re2Pattern }
  | { ok: false; error: string; index: number; kind: 'syntax' | 'unsupported' };

const RE2_CACHE = new Map<string, Re2CompileResult>();
const RE2_CACHE_MAX = 500;

/**
 * Compiles an RE2 pattern (as GitLab's UntrustedRegexp reads it). `syntax` errors are patterns
 * RE2 rejects; `unsupported` ones are valid RE2 the port cannot run. Never throws.
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
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (e) {
    if (!(e instanceof RE2JSSyntaxException)) {
      return { ok: false, error: String((e as Error)?.message ?? e), index: 0, kind: 'unsupported' };
    }
    const description = e.getDescription();
    const offending = e.getPattern();
    if (offending === '\\C') return { ok: false, error: '\\C (any byte) is not supported by the RE2 port this engine runs', index: pattern.indexOf('\\C'), kind: 'unsupported' };
    const index = errorIndex(pattern, description, offending);
    const error = `${offending === null ? description : `${description}: ${offending}`}${hint(pattern, index)}`;
    return { ok: false, error, index, kind: 'syntax' };
  }
  return { ok: true, regex: { test: (text: string) => compiled.matcher(text).find() } };
}

/** Where in the pattern RE2's error is (the parser names the offending text, not its position). */
function errorIndex(pattern: string, description: string, offending: string | null): number {
  if (offending === null) return Math.max(0, pattern.length - 1);
  if (description === 'unexpected )') return unbalancedParen(pattern);
  if (description === 'duplicate capture group name') {
    const at = Math.max(pattern.lastIndexOf(`<${offending}>`), 0);
    return Math.max(0, pattern.lastIndexOf('(', at));
  }
  const at = Math.max(pattern.indexOf(offending), 0);
  // `a**`, `a{2}{3}`: the second operator is the one RE2 refuses.
  if (description === 'invalid nested repetition operator') return at + (/^(?:[*+?]|\{\d*(?:,\d*)?\})\??/.exec(offending)?.[0].length ?? 0);
  return at;
}

/** The first `)` closing no group (escapes and bracket classes skipped). */
function unbalancedParen(pattern: string): number {
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '[') {
      i += pattern[i + 1] === '^' ? 2 : 1;
      while (i + 1 < pattern.length && pattern[i + 1] !== ']') i += pattern[i + 1] === '\\' ? 2 : 1;
      i++;
    } else if (c === '(') depth++;
    else if (c === ')' && depth-- === 0) return i;
  }
  return 0;
}

/** What RE2's terse message means for the constructs users bring from other regex dialects. */
function hint(pattern: string, index: number): string {
  if (/^\(\?(?:=|!|<=|<!)/.test(pattern.slice(index))) return ' (look-arounds are not supported by RE2, GitLab\'s regex engine)';
  if (/^\\[1-9]/.test(pattern.slice(index))) return ' (back-references are not supported by RE2, GitLab\'s regex engine)';
  return '';
}

/** The matcher for an RE2 pattern, or undefined when RE2 rejects it or the port cannot run it. */
export function re2RegExp(pattern: string): Re2Pattern | undefined {
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
): { ok: true; regex: Re2Pattern; pattern: string } | { ok: false; error: string; kind: 'syntax' | 'unsupported'; notALiteral?: boolean } {
  const lit = rubyRegexLiteral(text);
  if (!lit) return { ok: false, error: 'not a /pattern/flags literal', kind: 'syntax', notALiteral: true };
  const c = compileRe2(lit.pattern);
  return c.ok ? { ok: true, regex: c.regex, pattern: lit.pattern } : { ok: false, error: c.error, kind: c.kind };
}
