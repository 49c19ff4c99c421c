/**
 * Evaluation of GitLab CI/CD expressions: the values of `Gitlab::Ci::Pipeline::Expression::Lexeme::*`
 * `#evaluate` (Ruby nil/true/false/String/UntrustedRegexp), `present?`, and the checks GitLab's
 * `Statement#valid?` makes by evaluating without variables. See expressions.ts.
 */
import type { ExprError, ExprErrorKind, ExprOptions } from './expression-lexer.js';
import type { BinaryNode, ExprNode } from './expression-ast.js';
import { compileRe2, rubyRegexLiteral } from './re2.js';
import type { Re2Pattern } from './re2.js';
import { rubyInspectPlain } from '../yaml/ruby-format.js';

export type ExprVars = Readonly<Record<string, string | undefined>>;

/** A compiled regex value (the result of evaluating a regex literal). */
export class ExprRegex {
  constructor(
    /** RE2 source, flags included as a `(?flags)` prefix. */
    readonly source: string,
    readonly regex: Re2Pattern,
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

/** Ruby/ActiveSupport `present?` of an evaluated value. */
export function isPresent(v: ExprValue): boolean {
  if (v === null || v === false) return false;
  if (v === true || typeof v === 'number' || v instanceof ExprRegex) return true;
  if (typeof v === 'string') return !RUBY_BLANK.test(v);
  if (Array.isArray(v)) return v.length > 0;
  return Object.keys(v).length > 0;
}

/** ActiveSupport's String#blank?: only [[:space:]] characters. */
const RUBY_BLANK = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/;

// ---------------------------------------------------------------------------------------------
// Evaluation

class EvalError extends Error {
  constructor(
    message: string,
    readonly offset: number | undefined,
    readonly kind: ExprErrorKind,
    /** GitLab raises here too (a Ruby NoMethodError): the pipeline is not created. */
    readonly gitlabRaises = false,
  ) {
    super(message);
  }
}

/**
 * What `Statement#valid?` (ExpressionValidator) meets when it evaluates the expression without
 * variables: an operation GitLab raises on (`/re/ == $X`, `$X =~ true`) fails the config
 * ("Undefined error" for a pipeline, a 500 from CI Lint). Undefined when it evaluates.
 */
export function gitlabValidationError(ast: ExprNode): { error: string; offset?: number } | undefined {
  try {
    evalNode(ast, { vars: {} });
  } catch (e) {
    if (e instanceof EvalError && e.gitlabRaises) return { error: `GitLab fails on this expression: ${e.message}`, offset: e.offset };
  }
  return undefined;
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
      if (l instanceof ExprRegex && !(r instanceof ExprRegex)) {
        // UntrustedRegexp#== compares `source`, which only another regex has.
        throw new EvalError(
          `a regex on the left of '${node.op}' is compared with ${describeValue(r)}, which Ruby cannot; to match, write $VAR =~ ${node.left.type === 'regex' ? node.left.raw : '/…/'}`,
          node.left.start,
          'runtime',
          true,
        );
      }
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
  if (pattern instanceof ExprRegex) return pattern.regex.test(matchText(text, node));
  if (typeof pattern === 'string') {
    // Lexeme::Pattern.build_and_evaluate: a "/re/flags" string becomes a regex; anything else
    // stays a String, and String#scan(text) finds the left value inside it.
    const lit = rubyRegexLiteral(pattern);
    if (lit) {
      const c = compileRe2(lit.pattern);
      if (c.ok) return c.regex.test(matchText(text, node));
      if (c.kind === 'unsupported') {
        throw new EvalError(`cannot evaluate regex ${pattern}: ${c.error}`, node.right.start, 'unsupported');
      }
    }
    return pattern.includes(matchText(text, node));
  }
  // Lexeme::Pattern.build_and_evaluate calls String#gsub on it: NoMethodError.
  throw new EvalError(
    `the right side of '${node.op}' is ${describeValue(pattern)}; GitLab cannot match against it`,
    node.right.start,
    'runtime',
    true,
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
function matchText(v: ExprValue, node: BinaryNode): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  if (v instanceof ExprRegex) {
    throw new EvalError(`the left side of '${node.op}' is a regex; GitLab cannot match it as text`, node.left.start, 'runtime');
  }
  return rubyInspectPlain(v);
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
  if (v instanceof ExprRegex) return 'a regex';
  return typeof v === 'string' ? 'a string' : 'a map';
}

