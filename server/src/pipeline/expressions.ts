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
 * Regular expressions are RE2 (GitLab's `UntrustedRegexp`). They are translated to JS
 * RegExps (flag `v`); RE2 syntax errors (look-arounds, back-references, `\Z`, …) are syntax
 * errors, and the few valid RE2 constructs with no faithful JS form are reported as
 * `unsupported`.
 */

export type ExprVars = Readonly<Record<string, string | undefined>>;

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

export type BinaryOperator = '==' | '!=' | '=~' | '!~' | '&&' | '||';

interface NodeBase {
  /** Offsets into the expression (parentheses are not part of any node, as in GitLab). */
  start: number;
  end: number;
}

export interface VariableNode extends NodeBase {
  type: 'variable';
  name: string;
  braced: boolean;
}
export interface InputNode extends NodeBase {
  type: 'input';
  name: string;
}
export interface StringNode extends NodeBase {
  type: 'string';
  value: string;
}
export interface RegexNode extends NodeBase {
  type: 'regex';
  /** The literal as written, e.g. `/^v\/\d+/i`. */
  raw: string;
  /** The RE2 pattern GitLab compiles, e.g. `(?i)^v/\d+`. */
  pattern: string;
  /** The JS translation; undefined when the pattern is valid RE2 that cannot be translated. */
  regex?: RegExp;
  /** Why `regex` is missing. */
  unsupported?: string;
}
export interface NullNode extends NodeBase {
  type: 'null';
}
export interface BooleanNode extends NodeBase {
  type: 'boolean';
  value: boolean;
}
export interface NotNode extends NodeBase {
  type: 'not';
  operand: ExprNode;
  opStart: number;
}
export interface BinaryNode extends NodeBase {
  type: 'binary';
  op: BinaryOperator;
  left: ExprNode;
  right: ExprNode;
  opStart: number;
  opEnd: number;
}

export type ExprNode =
  | VariableNode
  | InputNode
  | StringNode
  | RegexNode
  | NullNode
  | BooleanNode
  | NotNode
  | BinaryNode;

export interface ExprWarning {
  message: string;
  offset: number;
}

export type ParseResult =
  | { ok: true; ast: ExprNode; tokens: ExprToken[]; warnings: ExprWarning[] }
  | ExprError;

export type TokenizeResult = { ok: true; tokens: ExprToken[] } | (ExprError & { tokens: ExprToken[] });

/** A compiled regex value (the result of evaluating a regex literal). */
export class ExprRegex {
  constructor(
    /** RE2 source, flags included as a `(?flags)` prefix. */
    readonly source: string,
    readonly regex: RegExp,
  ) {}
}

/** A value as GitLab's evaluator sees it (Ruby nil/true/false/String/…). */
export type ExprValue =
  | string
  | boolean
  | number
  | null
  | ExprRegex
  | readonly unknown[]
  | Readonly<Record<string, unknown>>;

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

/** Evaluates a parsed expression; `raw` is the Ruby-level value before `present?`. Never throws. */
export function evaluateAst(
  ast: ExprNode,
  vars: ExprVars,
  opts: ExprOptions = {},
): { ok: true; value: boolean; raw: ExprValue } | ExprError {
  try {
    const raw = evalNode(ast, { vars, inputs: opts.inputs });
    return { ok: true, value: isPresent(raw), raw };
  } catch (e) {
    if (e instanceof EvalError) return { ok: false, error: e.message, offset: e.offset, kind: e.kind };
    return { ok: false, error: `internal error: ${(e as Error)?.message ?? String(e)}`, kind: 'runtime' };
  }
}

/** Parses an expression the way GitLab does (lexer + shunting-yard). Never throws. */
export function parseExpression(expr: string, opts: ExprOptions = {}): ParseResult {
  try {
    return parse(expr, opts);
  } catch (e) {
    return { ok: false, error: `internal error: ${(e as Error)?.message ?? String(e)}`, kind: 'syntax' };
  }
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

/** Ruby/ActiveSupport `present?` of an evaluated value. */
export function isPresent(v: ExprValue): boolean {
  if (v === null || v === false) return false;
  if (v === true || typeof v === 'number' || v instanceof ExprRegex) return true;
  if (typeof v === 'string') return !RUBY_BLANK.test(v);
  if (Array.isArray(v)) return v.length > 0;
  return Object.keys(v).length > 0;
}

// ---------------------------------------------------------------------------------------------
// Lexer

const MAX_TOKENS = 100;
const RUBY_WS = /[ \t\r\n\f\v]+/y;
/** ActiveSupport's String#blank?: only [[:space:]] characters. */
const RUBY_BLANK = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

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

function lex(s: string, opts: ExprOptions): TokenizeResult {
  const tokens: ExprToken[] = [];
  let pos = 0;
  for (let n = 0; n < MAX_TOKENS; n++) {
    const ws = stickyMatch(RUBY_WS, s, pos);
    if (ws) pos += ws[0].length;
    if (pos >= s.length) return { ok: true, tokens };
    const t = scanToken(s, pos, opts);
    if (!t) return { ok: false, error: unknownLexemeMessage(s, pos), offset: pos, kind: 'syntax', tokens };
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
    if (close === 2) {
      return `GitLab cannot read a one-character regex literal like ${line.slice(0, 3)}; write e.g. /[${line[1]}]/`;
    }
    return 'invalid regex literal: the closing / must not be escaped';
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

function uniqueNames(tokens: readonly ExprToken[], kind: 'variable' | 'input'): string[] {
  const out: string[] = [];
  for (const t of tokens) if (t.kind === kind && t.name !== undefined && !out.includes(t.name)) out.push(t.name);
  return out;
}

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

function parseCached(expr: string, opts: ExprOptions): ParseResult {
  const key = (opts.allowBracedVariables ? '1' : '0') + expr;
  const hit = PARSE_CACHE.get(key);
  if (hit) return hit;
  const r = parseExpression(expr, opts);
  if (PARSE_CACHE.size >= PARSE_CACHE_MAX) PARSE_CACHE.delete(PARSE_CACHE.keys().next().value as string);
  PARSE_CACHE.set(key, r);
  return r;
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

// ---------------------------------------------------------------------------------------------
// Evaluation

class EvalError extends Error {
  constructor(
    message: string,
    readonly offset: number | undefined,
    readonly kind: ExprErrorKind,
  ) {
    super(message);
  }
}

interface EvalContext {
  vars: ExprVars;
  inputs?: Readonly<Record<string, unknown>>;
}

function evalNode(node: ExprNode, ctx: EvalContext): ExprValue {
  switch (node.type) {
    case 'variable': {
      const v = Object.hasOwn(ctx.vars, node.name) ? ctx.vars[node.name] : undefined;
      return typeof v === 'string' ? v : v === undefined || v === null ? null : String(v);
    }
    case 'input': {
      const inputs = ctx.inputs;
      if (!inputs || !Object.hasOwn(inputs, node.name)) return null;
      return toExprValue(inputs[node.name]);
    }
    case 'string':
      return node.value;
    case 'null':
      return null;
    case 'boolean':
      return node.value;
    case 'regex':
      if (!node.regex) {
        throw new EvalError(`cannot evaluate regex ${node.raw}: ${node.unsupported ?? 'unsupported'}`, node.start, 'unsupported');
      }
      return new ExprRegex(node.pattern, node.regex);
    case 'not':
      return !isPresent(evalNode(node.operand, ctx));
    case 'binary':
      return evalBinary(node, ctx);
  }
}

function evalBinary(node: BinaryNode, ctx: EvalContext): ExprValue {
  switch (node.op) {
    case '&&': {
      const l = evalNode(node.left, ctx);
      return rubyTruthy(l) ? evalNode(node.right, ctx) : l;
    }
    case '||': {
      const l = evalNode(node.left, ctx);
      return rubyTruthy(l) ? l : evalNode(node.right, ctx);
    }
    case '==':
    case '!=': {
      const l = evalNode(node.left, ctx);
      const r = evalNode(node.right, ctx);
      const eq = compareWithCoercion(l, r);
      return node.op === '==' ? eq : !eq;
    }
    case '=~':
    case '!~': {
      const text = evalNode(node.left, ctx);
      const pattern = evalNode(node.right, ctx);
      if (!rubyTruthy(pattern)) return node.op === '!~';
      const matched = matches(pattern, text, node);
      return node.op === '=~' ? matched : !matched;
    }
  }
}

function matches(pattern: ExprValue, text: ExprValue, node: BinaryNode): boolean {
  if (pattern instanceof ExprRegex) return pattern.regex.test(rubyToS(text, node));
  if (typeof pattern === 'string') {
    // Lexeme::Pattern.build_and_evaluate: a "/re/flags" string becomes a regex; anything else
    // stays a String, and String#scan(text) finds the left value inside it.
    const lit = rubyRegexLiteral(pattern);
    if (lit) {
      const c = compileRe2(lit.pattern);
      if (c.ok) return c.regex.test(rubyToS(text, node));
      if (c.kind === 'unsupported') {
        throw new EvalError(`cannot evaluate regex ${pattern}: ${c.error}`, node.right.start, 'unsupported');
      }
    }
    return pattern.includes(rubyToS(text, node));
  }
  throw new EvalError(
    `the right side of '${node.op}' is ${describeValue(pattern)}; GitLab cannot match against it`,
    node.right.start,
    'runtime',
  );
}

function rubyTruthy(v: ExprValue): boolean {
  return v !== null && v !== false;
}

/** LogicalOperator#compare_with_coercion: a boolean and a string compare as text. */
function compareWithCoercion(l: ExprValue, r: ExprValue): boolean {
  if (typeof l === 'boolean' && typeof r === 'string') return String(l) === r;
  if (typeof l === 'string' && typeof r === 'boolean') return l === String(r);
  return rubyEqual(l, r);
}

function rubyEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof ExprRegex || b instanceof ExprRegex) {
    return a instanceof ExprRegex && b instanceof ExprRegex && a.source === b.source;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => rubyEqual(x, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length &&
      ka.every((k) => Object.hasOwn(b, k) && rubyEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return false;
}

/** Ruby `to_s` of a value used as the text of a match. */
function rubyToS(v: ExprValue, node: BinaryNode): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (v instanceof ExprRegex) {
    throw new EvalError(`the left side of '${node.op}' is a regex; GitLab cannot match it as text`, node.left.start, 'runtime');
  }
  return rubyInspect(v);
}

function rubyInspect(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(rubyInspect).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${JSON.stringify(k)} => ${rubyInspect(x)}`)
      .join(', ')}}`;
  }
  return String(v);
}

function toExprValue(v: unknown): ExprValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (v instanceof ExprRegex) return v;
  if (Array.isArray(v)) return v;
  if (typeof v === 'object') return v as Readonly<Record<string, unknown>>;
  return String(v);
}

function describeValue(v: ExprValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return `the boolean ${v}`;
  if (typeof v === 'number') return `the number ${v}`;
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v}`;
}

// ---------------------------------------------------------------------------------------------
// Ruby regex literal syntax (Gitlab::UntrustedRegexp::RubySyntax)

interface RubyRegexLiteral {
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
function rubyRegexLiteral(text: string): RubyRegexLiteral | undefined {
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
// RE2 → JS RegExp

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

class Re2Error extends Error {
  constructor(
    message: string,
    readonly index: number,
    readonly kind: 'syntax' | 'unsupported' = 'syntax',
  ) {
    super(message);
  }
}

class RetryWithoutNativeI extends Error {}

interface Re2Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

interface Piece {
  js: string;
  /** Product of the `{n,m}` bounds nested in this piece (RE2 caps it at 1000). */
  weight: number;
  /** Already carries a repetition operator (RE2 rejects `a**`). */
  repeated: boolean;
}

/** A set of code point ranges, possibly negated, inside or outside a bracket class. */
interface RangeSet {
  ranges: Array<[number, number]>;
  negated: boolean;
}

const PERL_CLASSES: Record<string, RangeSet> = {
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

function rangesJs(ranges: ReadonlyArray<[number, number]>): string {
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

class Re2Translator {
  private i = 0;
  private readonly names = new Set<string>();

  constructor(
    private readonly src: string,
    private readonly nativeI: boolean,
  ) {}

  translate(): string {
    const flags: Re2Flags = { i: false, m: false, s: false, U: false };
    const { js } = this.parseAlternation(flags, 0);
    return js;
  }

  private err(message: string, index = this.i, kind: 'syntax' | 'unsupported' = 'syntax'): never {
    throw new Re2Error(message, index, kind);
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

  private literal(cp: number, flags: Re2Flags): Piece {
    const variants = caseVariants(cp);
    if (variants.length > 1) {
      if (this.nativeI && !flags.i) throw new RetryWithoutNativeI();
      if (flags.i && !this.nativeI) {
        return { js: `[${variants.map(jsChar).join('')}]`, weight: 1, repeated: false };
      }
    }
    return { js: jsChar(cp), weight: 1, repeated: false };
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

  /** `\p{…}` / `\pL` / `\P…` at this.i; returns the JS class-set operand. */
  private parseUnicodeClass(flags: Re2Flags): string {
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
  private parseEscapeChar(): number {
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

  private parseClass(flags: Re2Flags): Piece {
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

  private classChar(open: number): number {
    const src = this.src;
    if (this.i >= src.length) this.err(`missing closing ]: ${src.slice(open)}`, open);
    if (src[this.i] === '\\') return this.parseEscapeChar();
    const cp = src.codePointAt(this.i)!;
    this.i += cp > 0xffff ? 2 : 1;
    return cp;
  }
}
