/**
 * A job's `inputs:` (job inputs) as GitLab checks them: each input is a JobInput entry
 * (lib/gitlab/ci/config/entry/job_input.rb + base_input.rb: its keys, their types, a default it
 * must have), and Entry::Job then runs the inputs through Ci::Inputs::Builder with no values given
 * (lib/ci/inputs/*.rb: the input's type, and its default against the type, `options` and `regex`).
 * The builder's messages arrive as `jobs:NAME inputs `x`: …`, the entries' as `jobs:NAME:inputs:x …`,
 * lower-cased like every validator message.
 *
 * The builder's values are coerced as Ci::Inputs does it: a string input takes the value's text; the
 * other types read the value's text as JSON when it parses (`"30"` is the number 30, `"true"` a
 * boolean), so a default written as a quoted number or boolean passes. (A `spec:inputs` header is
 * checked by inputs/input-spec.ts: GitLab's Interpolation::Inputs, stricter about types.)
 */
import type { Node, ScalarNode } from '../model.js';
import { toPlain } from '../model.js';
import { compileRe2 } from '../expressions/re2.js';
import { rubyInspectPlain, rubyToS } from '../yaml/ruby-format.js';
import type { Report } from './report.js';
import { isInt, isMap, isNull, isRef, isSeq, isStr } from './values.js';

/** BaseInput's COMMON_ALLOWED_KEYS. */
export const JOB_INPUT_KEYS = ['default', 'description', 'options', 'regex', 'type'] as const;
/** Ci::Inputs::Builder's types, in its order. */
const TYPES = ['array', 'boolean', 'number', 'string'] as const;
type InputType = (typeof TYPES)[number];
const MAX_OPTIONS = 50;

const RUBY_CLASS = (n: Node): string =>
  n.kind === 'seq' ? 'Array' : n.kind === 'map' ? 'Hash' : n.kind === 'ref' ? 'Object'
    : typeof n.value === 'string' ? 'String' : typeof n.value === 'boolean' ? (n.value ? 'TrueClass' : 'FalseClass')
      : n.value === null ? 'NilClass' : Number.isInteger(n.value) ? 'Integer' : 'Float';

/** `inputs:` of one job (a Job, not a trigger job). */
export function validateJobInputs(r: Report, loc: string, v: Node): void {
  const at = `${loc}:inputs`;
  // GitLab lower-cases the whole line; we keep the job's name as written (as every other message does).
  const err = (message: string, node: Node) => r.error('job-inputs-invalid', message.startsWith(loc) ? loc + message.slice(loc.length).toLowerCase() : message.toLowerCase(), node);
  if (!isMap(v)) {
    err(`${at} config should be a hash`, v);
    // The builder is given the value itself: anything but a hash-like value is refused again.
    if (v.kind === 'scalar') err(`${loc} inputs invalid input specification: expected a hash-like object, got ${RUBY_CLASS(v)}`, v);
    return;
  }
  // Entry::Job's check through the builder comes first, then each JobInput entry's own.
  for (const [name, spec] of v.entries) if (!isRef(spec)) builderCheck(name, spec, (m, n) => err(`${loc} inputs ${m}`, n ?? spec));
  for (const [name, spec] of v.entries) if (!isRef(spec)) entryCheck(`${at}:${name}`, spec, err);
}

/** JobInput's validations (BaseInput's first, then its own). */
function entryCheck(loc: string, spec: Node, err: (m: string, n: Node) => void): void {
  // A hash entry given no value is composed from `{}`.
  if (isNull(spec)) return err(`${loc} must have a default value`, spec);
  if (!isMap(spec)) return err(`${loc} config should be a hash`, spec);
  const e = spec.entries;
  const val = (k: string) => e.get(k);
  const present = (k: string) => !!val(k) && !isNull(val(k)) && !isRef(val(k));
  if (present('description') && !isStr(val('description')) && !isInt(val('description'))) err(`${loc} input description must be an alphanumeric string`, val('description')!);
  if (present('regex') && !isStr(val('regex'))) err(`${loc} input regex should be a string`, val('regex')!);
  if (present('type') && !(isStr(val('type')) && (TYPES as readonly string[]).includes(val('type')!.kind === 'scalar' ? String((val('type') as ScalarNode).value) : ''))) {
    err(`${loc} input type unknown value: ${rubyToS(val('type'))}`, val('type')!);
  }
  if (present('options') && !isSeq(val('options'))) err(`${loc} input options should be an array`, val('options')!);
  const options = val('options');
  if (isSeq(options) && options.items.length > MAX_OPTIONS) err(`${loc} config cannot define more than ${MAX_OPTIONS} options`, options);
  const unknown = [...e.keys()].filter((k) => !(JOB_INPUT_KEYS as readonly string[]).includes(k));
  if (unknown.length) err(`${loc} config contains unknown keys: ${unknown.join(', ')}`, spec);
  if (!e.has('default') || isNull(e.get('default'))) err(`${loc} must have a default value`, spec);
}

/** The type Ci::Inputs::Builder picks for a spec (StringInput also takes a spec without `type`). */
function builderType(spec: Node): InputType | undefined {
  if (isNull(spec)) return 'string';
  if (!isMap(spec)) return undefined;
  const t = spec.entries.get('type');
  if (!t) return 'string';
  return isStr(t) && (TYPES as readonly string[]).includes(t.value) ? (t.value as InputType) : undefined;
}

/** A value as a non-string Ci::Inputs input reads it: its text parsed as JSON when that works. */
function coerce(n: Node): unknown {
  const plain = toPlain(n);
  if (typeof plain !== 'string') return plain;
  try {
    return JSON.parse(plain);
  } catch {
    return plain;
  }
}

const sameJson = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

/** Ci::Inputs::Builder#validate_input_params!({}) for one input: its errors, `\`name\`: message`. */
function builderCheck(name: string, spec: Node, err: (m: string, n?: Node) => void): void {
  const type = builderType(spec);
  if (!type) return err(`unknown input specification for \`${name}\` (valid types: ${TYPES.join(', ')})`, isMap(spec) ? spec.entries.get('type') : spec);
  const e = isMap(spec) ? spec.entries : new Map<string, Node>();
  const fail = (m: string, n?: Node) => err(`\`${name}\`: ${m}`, n);
  if (!e.has('default')) return fail('required value has not been provided', spec);
  const node = e.get('default')!;
  if (isRef(node)) return;
  const options = e.get('options');
  const optionValues = options && !isNull(options) ? toPlain(options) : undefined;
  if (type === 'string') {
    // The value's text; no type check.
    const text = isNull(node) ? '' : rubyToS(node);
    if (Array.isArray(optionValues) && !optionValues.map((o) => rubyInspectPlainToS(o)).includes(text)) {
      fail(`\`${text}\` cannot be used because it is not in the list of allowed options`, node);
    }
    const regex = e.get('regex');
    if (regex && isStr(regex)) {
      const re = compileRe2(regex.value);
      if (!re.ok && re.kind === 'syntax') fail('invalid regular expression', regex);
      else if (re.ok && !re.regex.test(text)) fail('default value does not match required RegEx pattern', node);
    }
    return;
  }
  const value = isNull(node) ? null : coerce(node);
  const ok = type === 'number' ? typeof value === 'number' : type === 'boolean' ? typeof value === 'boolean' : Array.isArray(value);
  if (!ok) fail(`default value is not ${type === 'array' ? 'an array' : `a ${type}`}`, node);
  if (optionValues !== undefined && optionValues !== null && optionValues !== false && value !== null && value !== false) {
    if (type === 'number') {
      if (!(Array.isArray(optionValues) && optionValues.some((o) => sameJson(o, value)))) fail(`\`${rubyInspectPlainToS(value)}\` cannot be used because it is not in the list of the allowed options`, node);
    } else if (type === 'array') {
      if (Array.isArray(value) && Array.isArray(optionValues)) {
        const invalid = value.filter((x) => !optionValues.some((o) => sameJson(o, x)));
        if (invalid.length) fail(`${invalid.map(rubyInspectPlainToS).join(', ')} cannot be used because it is not in the list of allowed options`, node);
      }
    } else fail('Options can only be used with string and number inputs', options);
  }
  if (e.has('regex')) fail('RegEx validation can only be used with string inputs', e.get('regex'));
}

/** Ruby's `to_s` of a plain value (strings bare, others as Ruby prints them). */
function rubyInspectPlainToS(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  return rubyInspectPlain(v);
}
