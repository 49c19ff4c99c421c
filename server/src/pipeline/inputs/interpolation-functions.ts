/**
 * The functions of a `$[[ inputs.NAME | fn | fn(args) ]]` block, with GitLab's names, argument
 * syntax, behaviour and error texts (lib/gitlab/ci/config/interpolation/functions/*):
 *
 * - `expand_vars`: expands `$VAR`, `${VAR}` and `%VAR%` of the variables GitLab can see when it
 *   loads the file (predefined + project variables, not YAML `variables:`); unknown variables
 *   are left as written.
 * - `truncate(offset, length)`: Ruby's `str[offset, length]` (characters, not UTF-16 units).
 * - `posix_escape`: Ruby's `Shellwords.shellescape`.
 * - `split('sep')`: Ruby's `split` (a single space splits on runs of whitespace), strips every part
 *   (Ruby's `strip`) and drops the empty ones (the result is an array).
 *
 * Every function takes a string; anything else is an error, as in GitLab.
 */
import { scalarNode, seqNode } from '../model.js';
import type { Node } from '../model.js';
import { rubySplit, rubyStrip } from '../yaml/ruby-format.js';

export interface FunctionEnv {
  variables: Readonly<Record<string, string | undefined>>;
}

export type FunctionOutcome = { ok: true; value: Node } | { ok: false; error: string };

export interface InterpolationFunction {
  name: string;
  apply(value: Node, env: FunctionEnv): FunctionOutcome;
}

/** The function names GitLab knows (for completion). */
export const FUNCTION_NAMES = ['expand_vars', 'truncate', 'posix_escape', 'split'] as const;

/** GitLab's message for a function expression no function matches. */
export function noFunctionMessage(expression: string): string {
  return `no function matching \`${expression}\`: check that the function name, arguments, and types are correct`;
}

function stringOf(value: Node): string | undefined {
  return value.kind === 'scalar' && typeof value.value === 'string' ? value.value : undefined;
}

function fnError(name: string, message: string): FunctionOutcome {
  return { ok: false, error: `error in \`${name}\` function: ${message}` };
}

function stringOnly(name: string, run: (s: string, env: FunctionEnv) => FunctionOutcome): InterpolationFunction {
  return {
    name,
    apply(value, env) {
      const s = stringOf(value);
      if (s === undefined) return fnError(name, `invalid input type: ${name} can only be used with string inputs`);
      return run(s, env);
    },
  };
}

/** `%VAR%` as well as `$VAR` / `${VAR}`, like GitLab's ExpandVariables. */
const VARIABLE_PATTERN = /\$([a-zA-Z_][a-zA-Z0-9_]*)|\$\{([a-zA-Z_][a-zA-Z0-9_]*)\}|%([a-zA-Z_][a-zA-Z0-9_]*)%/g;

/** Expands the variables that exist; leaves the others as written. */
export function expandExistingVariables(text: string, variables: Readonly<Record<string, string | undefined>>): string {
  return text.replace(VARIABLE_PATTERN, (whole, a?: string, b?: string, c?: string) => {
    const name = a ?? b ?? c ?? '';
    const value = Object.prototype.hasOwnProperty.call(variables, name) ? variables[name] : undefined;
    return value === undefined ? whole : value;
  });
}

/** Ruby's Shellwords.shellescape. */
export function shellEscape(text: string): string {
  if (text === '') return "''";
  let out = '';
  for (const ch of text) {
    if (ch === '\n') out += "'\n'";
    else if (/^[A-Za-z0-9_\-.,:+/@]$/.test(ch)) out += ch;
    else out += '\\' + ch;
  }
  return out;
}

/** Ruby's `str[offset, length].to_s`, counting characters. */
export function rubySlice(text: string, offset: number, length: number): string {
  const chars = Array.from(text);
  if (offset > chars.length) return '';
  return chars.slice(offset, offset + length).join('');
}

const TRUNCATE = /^truncate\(\s*(\d+)\s*,\s*(\d+)\s*\)?$/;
const SPLIT = /^split\('([^']*)'\)$/;

/** The function an expression (one `| ...` part of a block, already stripped) names, or undefined. */
export function compileFunction(expression: string): InterpolationFunction | undefined {
  if (expression === 'expand_vars') {
    return stringOnly('expand_vars', (s, env) => ({ ok: true, value: scalarNode(expandExistingVariables(s, env.variables)) }));
  }
  if (expression === 'posix_escape') {
    return stringOnly('posix_escape', (s) => ({ ok: true, value: scalarNode(shellEscape(s)) }));
  }
  const t = TRUNCATE.exec(expression);
  if (t) {
    const offset = Number(t[1]);
    const length = Number(t[2]);
    return stringOnly('truncate', (s) => ({ ok: true, value: scalarNode(rubySlice(s, offset, length)) }));
  }
  const sp = SPLIT.exec(expression);
  if (sp) {
    const separator = sp[1];
    return stringOnly('split', (s) => {
      if (separator === '') return fnError('split', 'invalid argument: separator cannot be empty');
      const parts = rubySplit(s, separator)
        .map(rubyStrip)
        .filter((p) => p !== '');
      return { ok: true, value: seqNode(parts.map((p) => scalarNode(p))) };
    });
  }
  return undefined;
}
