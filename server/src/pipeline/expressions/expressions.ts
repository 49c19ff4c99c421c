/**
 * GitLab CI/CD expressions: `rules:if`, `workflow:rules:if`, `include:rules:if` and
 * `only/except:variables`, evaluated the way GitLab's `Gitlab::Ci::Pipeline::Expression`
 * (Statement, Lexer, Parser, Lexeme::*) evaluates them. Pure: no I/O.
 *
 * What GitLab does, and so what this module does:
 *
 * - Lexing is greedy and ordered: `(`, `)`, `$[[ inputs.x ]]`, `$VAR`, strings, regex
 *   literals, `null`, `true`/`false`, `==`, `=~`, `!=`, `!~`, `&&`, `||`, `!`. Anything else
 *   is "Unknown lexeme". At most 99 tokens.
 *   - `$VAR` only: GitLab has no `${VAR}` lexeme (opt in with `allowBracedVariables`).
 *   - Strings are `"…"` or `'…'` on one line, without escapes.
 *   - Regex literals must match `/([^/]|\/)+[^\\]/[ismU]*`: at least two characters between
 *     the slashes, so `/a/` is a syntax error. `\/` becomes `/`; flags become a `(?flags)` prefix.
 * - Parsing is a shunting-yard over precedences `!`=1, comparisons=10, `&&`=11, `||`=12, so
 *   `&&` binds tighter than `||`, and `!$A == "x"` means `(!$A) == "x"`. It accepts a few
 *   non-infix orders (`$A $B ==`); those parse but get a warning here.
 * - Values are Ruby values: a variable is its string or nil (undefined); `&&`/`||` return an
 *   operand, not a boolean (so `$EMPTY && $SET` is `$SET`, because "" is truthy in Ruby);
 *   `==` compares a boolean with a string by its text; `=~` is true when the regex matches
 *   anywhere in the left value (nil reads as ""); a string on the right of `=~` is used as
 *   a regex when it reads `/…/flags`, and otherwise as a plain substring the left value
 *   must occur in; nil on the right makes `=~` false and `!~` true.
 * - The result is `present?`: nil, false, "", whitespace-only strings and empty lists are false.
 *
 * Regular expressions are RE2 (GitLab's `UntrustedRegexp`), run by `re2js` in linear time;
 * RE2 syntax errors (look-arounds, back-references, `\Z`, …) are syntax errors, and `\C`
 * (valid RE2 the port cannot run) is reported as `unsupported`.
 *
 * - `Statement#valid?` evaluates the expression without variables: what GitLab raises on there
 *   (`/re/ == $X`: UntrustedRegexp#== wants a regex; `$X =~ true`: no String#gsub) is rejected.
 *
 * Homes: expression-lexer.ts (lexemes, shared types), expression-parser.ts (shunting-yard, AST),
 * expression-eval.ts (values, `present?`), re2.ts (RE2 patterns, Ruby `/…/flags` literals); this
 * file is the public API (everything is importable from here).
 */
import { lex, uniqueNames } from './expression-lexer.js';
import type { ExprError, ExprOptions, TokenizeResult } from './expression-lexer.js';
import { parseCached } from './expression-parser.js';
import { evaluateAst } from './expression-eval.js';
import type { ExprVars } from './expression-eval.js';

export type { ExprError, ExprErrorKind, ExprOptions, ExprToken, ExprTokenKind, TokenizeResult } from './expression-lexer.js';
export { parseExpression } from './expression-parser.js';
export type {
  BinaryNode,
  BinaryOperator,
  BooleanNode,
  ExprNode,
  ExprWarning,
  InputNode,
  NotNode,
  NullNode,
  ParseResult,
  RegexNode,
  StringNode,
  VariableNode,
} from './expression-parser.js';
export { compileRe2, compileRubyRegexLiteral } from './re2.js';
export type { Re2CompileResult, Re2Pattern } from './re2.js';
export { evaluateAst, ExprRegex, isPresent } from './expression-eval.js';
export type { ExprValue, ExprVars } from './expression-eval.js';

// ---------------------------------------------------------------------------------------------
// Public API

/**
 * Evaluates an expression to the boolean GitLab uses (`present?` of the value).
 * Never throws.
 */
export function evaluateExpression(
  expr: string,
  vars: ExprVars,
  opts: ExprOptions = {},
): { ok: true; value: boolean } | ExprError {
  const parsed = parseCached(expr, opts);
  if (!parsed.ok) return parsed;
  const r = evaluateAst(parsed.ast, vars, opts);
  return r.ok ? { ok: true, value: r.value } : r;
}

/** Splits an expression into GitLab's lexemes. On error, `tokens` holds those read before it. */
export function tokenizeExpression(expr: string, opts: ExprOptions = {}): TokenizeResult {
  return lex(expr, opts);
}

/** Names of the variables an expression reads, in order of first use (those lexed before
 *  any syntax error are still listed). `${VAR}` counts when braced variables are allowed. */
export function expressionVariables(expr: string, opts: ExprOptions = {}): string[] {
  return uniqueNames(lex(expr, opts).tokens, 'variable');
}

/** Names of the `$[[ inputs.x ]]` operands an expression reads. */
export function expressionInputs(expr: string, opts: ExprOptions = {}): string[] {
  return uniqueNames(lex(expr, opts).tokens, 'input');
}
