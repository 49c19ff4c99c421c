/**
 * The parser of GitLab CI/CD expressions: `Gitlab::Ci::Pipeline::Expression::Parser`'s
 * shunting-yard over precedences `!`=1, comparisons=10, `&&`=11, `||`=12, then RPN → tree.
 * It accepts the few non-infix orders GitLab accepts (`$A $B ==`), with a warning; regex
 * literals are compiled (re2.ts) so RE2 syntax errors are parse errors. See expressions.ts.
 */
import { lex } from './expression-lexer.js';
import type { ExprError, ExprOptions, ExprToken, ExprTokenKind } from './expression-lexer.js';
import { gitlabValidationError } from './expression-eval.js';
import { compileRe2, rubyRegexLiteral } from './re2.js';

export type {
  BinaryNode, BinaryOperator, BooleanNode, ExprNode, InputNode, NotNode, NullNode, RegexNode, StringNode, VariableNode,
} from './expression-ast.js';
import type { BinaryOperator, ExprNode } from './expression-ast.js';

export interface ExprWarning {
  message: string;
  offset: number;
}

export type ParseResult =
  | { ok: true; ast: ExprNode; tokens: ExprToken[]; warnings: ExprWarning[] }
  | ExprError;

// ---------------------------------------------------------------------------------------------
// Parser: GitLab's shunting-yard, then RPN → tree.

const PRECEDENCE: Partial<Record<ExprTokenKind, number>> = {
  '!': 1,
  '==': 10,
  '!=': 10,
  '=~': 10,
  '!~': 10,
  '&&': 11,
  '||': 12,
  ')': 900,
  '(': 901,
};
const BINARY = new Set<ExprTokenKind>(['==', '!=', '=~', '!~', '&&', '||']);
const VALUE = new Set<ExprTokenKind>(['input', 'variable', 'string', 'regex', 'null', 'boolean']);

const PARSE_CACHE = new Map<string, ParseResult>();
const PARSE_CACHE_MAX = 500;

/** parseExpression, remembering the last results (rules are evaluated many times). */
export function parseCached(expr: string, opts: ExprOptions): ParseResult {
  const key = (opts.allowBracedVariables ? '1' : '0') + expr;
  const hit = PARSE_CACHE.get(key);
  if (hit) return hit;
  const r = parseExpression(expr, opts);
  if (PARSE_CACHE.size >= PARSE_CACHE_MAX) PARSE_CACHE.delete(PARSE_CACHE.keys().next().value as string);
  PARSE_CACHE.set(key, r);
  return r;
}

/** Parses an expression the way GitLab does (lexer + shunting-yard). Never throws. */
export function parseExpression(expr: string, opts: ExprOptions = {}): ParseResult {
  try {
    return parse(expr, opts);
  } catch (e) {
    return { ok: false, error: `internal error: ${(e as Error)?.message ?? String(e)}`, kind: 'syntax' };
  }
}

function parse(expr: string, opts: ExprOptions): ParseResult {
  const lexed = lex(expr, opts);
  if (!lexed.ok) return { ok: false, error: lexed.error, offset: lexed.offset, kind: lexed.kind };
  const tokens = lexed.tokens;
  if (tokens.length === 0) return { ok: false, error: 'empty expression', offset: 0, kind: 'syntax' };

  const infix = checkInfix(tokens, expr.length);
  const fail = (gitlabMessage: string, offset: number): ExprError =>
    infix
      ? { ok: false, error: infix.message, offset: infix.offset, kind: 'syntax' }
      : { ok: false, error: gitlabMessage, offset, kind: 'syntax' };

  // Shunting-yard exactly as Gitlab::Ci::Pipeline::Expression::Parser#tokens_rpn.
  const output: ExprToken[] = [];
  const ops: ExprToken[] = [];
  const prec = (t: ExprToken) => PRECEDENCE[t.kind] ?? 0;
  for (const t of tokens) {
    if (VALUE.has(t.kind)) {
      output.push(t);
    } else if (BINARY.has(t.kind)) {
      while (ops.length > 0 && prec(t) >= prec(ops[ops.length - 1])) output.push(ops.pop()!);
      ops.push(t);
    } else if (t.kind === '(' || t.kind === '!') {
      ops.push(t);
    } else if (t.kind === ')') {
      while (ops.length > 0 && prec(t) >= prec(ops[ops.length - 1])) output.push(ops.pop()!);
      if (ops.length === 0) return fail("unmatched ')'", t.start);
      if (ops[ops.length - 1].kind === '(') ops.pop();
    }
  }
  for (let i = ops.length - 1; i >= 0; i--) output.push(ops[i]);

  // RPN → tree, as Parser#tree.
  const stack: ExprNode[] = [];
  for (const t of output) {
    if (VALUE.has(t.kind)) {
      const leaf = buildLeaf(t);
      if ('ok' in leaf) return leaf;
      stack.push(leaf);
    } else if (t.kind === '!') {
      const operand = stack.pop();
      if (!operand) return fail("'!' has no operand", t.start);
      stack.push({
        type: 'not',
        operand,
        opStart: t.start,
        start: Math.min(t.start, operand.start),
        end: Math.max(t.end, operand.end),
      });
    } else if (BINARY.has(t.kind)) {
      const right = stack.pop();
      const left = stack.pop();
      if (!left || !right) return fail(`'${t.kind}' needs an operand on each side`, t.start);
      stack.push({
        type: 'binary',
        op: t.kind as BinaryOperator,
        left,
        right,
        opStart: t.start,
        opEnd: t.end,
        start: Math.min(left.start, right.start, t.start),
        end: Math.max(left.end, right.end, t.end),
      });
    } else {
      return fail("unclosed '('", t.start);
    }
  }
  if (stack.length > 1) return fail('missing operator between operands', stack[1].start);
  if (stack.length < 1) return fail('empty expression', tokens[0].start);
  // Statement#valid? also evaluates the tree (without variables).
  const raises = gitlabValidationError(stack[0]);
  if (raises) return { ok: false, error: raises.error, offset: raises.offset, kind: 'syntax' };
  const warnings: ExprWarning[] = infix
    ? [{ message: `GitLab accepts this, but it is not a well-formed expression: ${infix.message}`, offset: infix.offset }]
    : [];
  return { ok: true, ast: stack[0], tokens, warnings };
}

function buildLeaf(t: ExprToken): ExprNode | ExprError {
  const base = { start: t.start, end: t.end };
  switch (t.kind) {
    case 'variable':
      return { type: 'variable', name: t.name!, braced: !!t.braced, ...base };
    case 'input':
      return { type: 'input', name: t.name!, ...base };
    case 'string':
      return { type: 'string', value: t.value as string, ...base };
    case 'null':
      return { type: 'null', ...base };
    case 'boolean':
      return { type: 'boolean', value: t.value as boolean, ...base };
    case 'regex': {
      const lit = rubyRegexLiteral(t.text);
      if (!lit) return { ok: false, error: 'invalid regex literal', offset: t.start, kind: 'syntax' };
      const c = compileRe2(lit.pattern);
      if (!c.ok && c.kind === 'syntax') {
        // Map the error position back into the literal (GitLab turned `\/` into `/`).
        const inBody = c.index - lit.prefixLength;
        const offset = inBody >= 0 && inBody < lit.bodyMap.length ? t.start + lit.bodyMap[inBody] : t.start;
        return { ok: false, error: `invalid regular expression ${t.text}: ${c.error}`, offset, kind: 'syntax' };
      }
      return c.ok
        ? { type: 'regex', raw: t.text, pattern: lit.pattern, regex: c.regex, ...base }
        : { type: 'regex', raw: t.text, pattern: lit.pattern, unsupported: c.error, ...base };
    }
    default:
      return { ok: false, error: `unexpected token '${t.text}'`, offset: t.start, kind: 'syntax' };
  }
}

/**
 * Where a token sequence stops being an ordinary infix expression
 * (`expr := '!'* operand (binop '!'* operand)*`, operand = value | '(' expr ')').
 * Used for error positions and messages, and for warnings on orders GitLab still accepts.
 */
function checkInfix(tokens: readonly ExprToken[], length: number): ExprWarning | undefined {
  let expectOperand = true;
  const open: ExprToken[] = [];
  let prev: ExprToken | undefined;
  for (const t of tokens) {
    if (VALUE.has(t.kind)) {
      if (!expectOperand) return { message: `missing operator before '${t.text}'`, offset: t.start };
      expectOperand = false;
    } else if (t.kind === '!') {
      if (!expectOperand) return { message: `'!' cannot follow an operand; did you mean '!=' or '!~'?`, offset: t.start };
    } else if (t.kind === '(') {
      if (!expectOperand) return { message: "missing operator before '('", offset: t.start };
      open.push(t);
    } else if (t.kind === ')') {
      if (open.length === 0) return { message: "unmatched ')'", offset: t.start };
      if (expectOperand) {
        return prev?.kind === '('
          ? { message: 'empty parentheses', offset: prev.start }
          : { message: `missing operand before ')'`, offset: t.start };
      }
      open.pop();
    } else if (BINARY.has(t.kind)) {
      if (expectOperand) return { message: `'${t.kind}' is missing its left operand`, offset: t.start };
      expectOperand = true;
    }
    prev = t;
  }
  if (expectOperand && prev) {
    return BINARY.has(prev.kind) || prev.kind === '!'
      ? { message: `'${prev.kind}' is missing its right operand`, offset: prev.start }
      : { message: 'incomplete expression', offset: length };
  }
  if (open.length > 0) return { message: "unclosed '('", offset: open[open.length - 1].start };
  return undefined;
}
