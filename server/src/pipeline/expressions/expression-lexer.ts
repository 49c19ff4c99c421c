/**
 * The lexer of GitLab CI/CD expressions (`Gitlab::Ci::Pipeline::Expression::Lexer` and its
 * `Lexeme::*` patterns), with the token, option and error types the parser and evaluator share.
 * Lexing is greedy and ordered: `(`, `)`, `$[[ inputs.x ]]`, `$VAR`, strings, regex literals,
 * `null`, `true`/`false`, `==`, `=~`, `!=`, `!~`, `&&`, `||`, `!`; anything else is an
 * "Unknown lexeme", explained here in words. At most 99 tokens. See expressions.ts.
 */

/** Options of parsing and evaluating an expression. */
export interface ExprOptions {
  /** Values of `$[[ inputs.name ]]` operands (rules in `include:` / `spec:inputs` contexts). */
  inputs?: Readonly<Record<string, unknown>>;
  /** Accept `${VAR}` operands. GitLab's lexer rejects them, so this is off by default. */
  allowBracedVariables?: boolean;
}

/** `syntax`: GitLab rejects the expression. `unsupported`: valid for GitLab, but this
 *  evaluator cannot reproduce it. `runtime`: GitLab fails while evaluating it. */
export type ExprErrorKind = 'syntax' | 'unsupported' | 'runtime';

export interface ExprError {
  ok: false;
  error: string;
  /** Character offset into the expression. */
  offset?: number;
  kind: ExprErrorKind;
}

export type ExprTokenKind =
  | '('
  | ')'
  | 'input'
  | 'variable'
  | 'string'
  | 'regex'
  | 'null'
  | 'boolean'
  | '=='
  | '=~'
  | '!='
  | '!~'
  | '&&'
  | '||'
  | '!';

export interface ExprToken {
  kind: ExprTokenKind;
  start: number;
  end: number;
  /** The exact source text. */
  text: string;
  /** Variable or input name. */
  name?: string;
  /** `${VAR}` form (only with `allowBracedVariables`). */
  braced?: boolean;
  /** String contents, boolean value. */
  value?: string | boolean;
}

export type TokenizeResult = { ok: true; tokens: ExprToken[] } | (ExprError & { tokens: ExprToken[] });

// ---------------------------------------------------------------------------------------------
// Lexer

const MAX_TOKENS = 100;
const RUBY_WS = /[ \t\r\n\f\v]+/y;

const INPUT_RE = /\$\[\[[ \t\r\n\f\v]*inputs\.([A-Za-z0-9_-]+)[ \t\r\n\f\v]*\]\]/y;
const VARIABLE_RE = /\$([A-Za-z0-9_]+)/y;
const BRACED_VARIABLE_RE = /\$\{([A-Za-z0-9_]+)\}/y;
const STRING_RE = /"([^\n]*?)"|'([^\n]*?)'/y;
const PATTERN_RE = /\/(?:[^/]|\\\/)+[^\\]\/[ismU]*/y;
const NULL_RE = /null/y;
const BOOLEAN_RE = /(?:true|false)(?![\p{L}\p{M}\p{N}\p{Pc}])/uy;
const OPERATORS: ReadonlyArray<ExprTokenKind> = ['==', '=~', '!=', '!~', '&&', '||', '!'];

function stickyMatch(re: RegExp, s: string, pos: number): RegExpExecArray | null {
  re.lastIndex = pos;
  return re.exec(s);
}

function scanToken(s: string, pos: number, opts: ExprOptions): ExprToken | null {
  const c = s[pos];
  const tok = (kind: ExprTokenKind, end: number, extra: Partial<ExprToken> = {}): ExprToken => ({
    kind,
    start: pos,
    end,
    text: s.slice(pos, end),
    ...extra,
  });
  if (c === '(') return tok('(', pos + 1);
  if (c === ')') return tok(')', pos + 1);
  let m: RegExpExecArray | null;
  if (c === '$') {
    if ((m = stickyMatch(INPUT_RE, s, pos))) return tok('input', pos + m[0].length, { name: m[1] });
    if ((m = stickyMatch(VARIABLE_RE, s, pos))) return tok('variable', pos + m[0].length, { name: m[1] });
    if (opts.allowBracedVariables && (m = stickyMatch(BRACED_VARIABLE_RE, s, pos))) {
      return tok('variable', pos + m[0].length, { name: m[1], braced: true });
    }
    return null;
  }
  if (c === '"' || c === "'") {
    if ((m = stickyMatch(STRING_RE, s, pos))) return tok('string', pos + m[0].length, { value: m[1] ?? m[2] ?? '' });
    return null;
  }
  if (c === '/') {
    if ((m = stickyMatch(PATTERN_RE, s, pos))) return tok('regex', pos + m[0].length);
    return null;
  }
  if ((m = stickyMatch(NULL_RE, s, pos))) return tok('null', pos + 4);
  if ((m = stickyMatch(BOOLEAN_RE, s, pos))) return tok('boolean', pos + m[0].length, { value: m[0] === 'true' });
  for (const op of OPERATORS) {
    if (s.startsWith(op, pos)) return tok(op, pos + op.length);
  }
  return null;
}

export function lex(s: string, opts: ExprOptions): TokenizeResult {
  const tokens: ExprToken[] = [];
  let pos = 0;
  for (let n = 0; n < MAX_TOKENS; n++) {
    const ws = stickyMatch(RUBY_WS, s, pos);
    if (ws) pos += ws[0].length;
    if (pos >= s.length) return { ok: true, tokens };
    const t = scanToken(s, pos, opts);
    if (!t) {
      const prev = tokens[tokens.length - 1];
      const error = prev?.kind === 'regex' ? afterRegexMessage(prev, s, pos) : unknownLexemeMessage(s, pos);
      return { ok: false, error, offset: pos, kind: 'syntax', tokens };
    }
    tokens.push(t);
    pos = t.end;
  }
  const last = tokens[tokens.length - 1];
  return {
    ok: false,
    error: `too many tokens: GitLab reads at most ${MAX_TOKENS - 1} tokens in an expression`,
    offset: last ? last.start : pos,
    kind: 'syntax',
    tokens,
  };
}

function unknownLexemeMessage(s: string, pos: number): string {
  const c = s[pos];
  const rest = s.slice(pos);
  if (c === '$') {
    const braced = /^\$\{([A-Za-z0-9_]*)\}?/.exec(rest);
    if (braced) {
      return braced[1]
        ? `GitLab expressions do not accept \${${braced[1]}}; write $${braced[1]}`
        : 'GitLab expressions do not accept ${...}; write $NAME';
    }
    if (rest.startsWith('$[[')) return 'invalid input reference: write $[[ inputs.name ]]';
    return "'$' must be followed by a variable name";
  }
  if (c === '"' || c === "'") return `unterminated string: no closing ${c} on the same line`;
  if (c === '/') {
    const lineEnd = rest.indexOf('\n');
    const line = lineEnd < 0 ? rest : rest.slice(0, lineEnd);
    const close = findRegexClose(line);
    if (close < 0) return 'unterminated regex literal: no closing /';
    if (close === 1) return 'empty regex literal //';
    if (close === 2 && line[1] === '[') return REGEX_ENDS_AT_SLASH;
    if (close === 2) {
      return `GitLab cannot read a one-character regex literal like ${line.slice(0, 3)}; write e.g. /[${line[1]}]/`;
    }
    // Lexeme::Pattern wants a character other than a backslash before the closing slash.
    return 'GitLab cannot read a regex literal ending in an escaped backslash (\\\\ right before the closing /); write it as [\\\\]';
  }
  if (c === '=') return "unknown operator '='; use '==' or '=~'";
  if (c === '&') return "unknown operator '&'; use '&&'";
  if (c === '|') return "unknown operator '|'; use '||'";
  const word = /^[\p{L}\p{N}_][\p{L}\p{N}_.-]*/u.exec(rest);
  if (word) {
    const w = word[0];
    if (/^(?:and|AND)$/.test(w)) return "unknown operator 'and'; use '&&'";
    if (/^(?:or|OR)$/.test(w)) return "unknown operator 'or'; use '||'";
    if (/^(?:NULL|Null|nil|TRUE|True|FALSE|False)$/.test(w)) return `unknown keyword '${w}'; keywords are null, true and false`;
    return `unexpected '${w}': quote strings ("${w}") and write variables as $NAME`;
  }
  const cp = String.fromCodePoint(s.codePointAt(pos) ?? 0);
  return `unexpected character '${cp}'`;
}

/** Why a regex literal holding a `/` in a bracket class is cut short. */
const REGEX_ENDS_AT_SLASH = 'GitLab ends a regex literal at the first unescaped /, also inside [...]: write \\/';

/** An unknown lexeme right after a regex literal: a flag GitLab does not read, or a literal cut at a `/` in `[...]`. */
function afterRegexMessage(regex: ExprToken, s: string, pos: number): string {
  const flag = regex.end === pos ? /^[A-Za-z]/.exec(s.slice(pos)) : null;
  if (flag) return `unknown regex flag '${flag[0]}': GitLab reads the flags i, s, m and U`;
  // `/a[/]b/` lexes as `/a[/` then `]b/`.
  const literal = regex.text;
  if (literal.lastIndexOf('[') > literal.lastIndexOf(']')) return `the regex literal ${literal} is cut short: ${REGEX_ENDS_AT_SLASH}`;
  return unknownLexemeMessage(s, pos);
}

/** Index of the first unescaped `/` after position 0, or -1. */
function findRegexClose(line: string): number {
  for (let i = 1; i < line.length; i++) {
    if (line[i] === '\\') {
      i++;
      continue;
    }
    if (line[i] === '/') return i;
  }
  return -1;
}

export function uniqueNames(tokens: readonly ExprToken[], kind: 'variable' | 'input'): string[] {
  const out: string[] = [];
  for (const t of tokens) if (t.kind === kind && t.name !== undefined && !out.includes(t.name)) out.push(t.name);
  return out;
}
