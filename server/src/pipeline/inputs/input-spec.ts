/**
 * The `spec:` header of a CI file and the inputs an include gives it, the way GitLab checks them
 * before interpolating (Gitlab::Ci::Config::Header, Interpolation::Inputs):
 *
 * - the header is validated (`spec:` keys, each input's keys and their types);
 * - the given inputs are checked against the declared ones: unknown names, missing required
 *   values, type / `options` / `regex` of the given values and of the defaults;
 * - the result is the value of every `inputs.NAME` and `component.FIELD`, with the span it
 *   came from, for the interpolator (interpolation.ts).
 *
 * Every problem is reported with a span; nothing here throws on user input.
 */
import { isAbsent, isMap, isScalar, isSeq, scalarNode, toPlain } from '../model.js';
import type { MapNode, Node, ScalarNode, SeqNode, Severity, Span, ViaStep } from '../model.js';
import { compileRe2 } from '../expressions/re2.js';
import { rubyToS } from '../yaml/ruby-format.js';
import { headerSpecProblems } from './header-spec.js';
import { inputRuleProblems, MAX_INPUT_OPTIONS } from './input-rules.js';
import { inputReferenceProblems } from './input-references.js';

export interface ComponentContext {
  name: string;
  sha?: string;
  version?: string;
  reference?: string;
}

export interface InterpolationContext {
  /** Inputs given by the include (or the CLI's --input), as a node so errors can point at them; undefined = none given. */
  given?: MapNode;
  /** Where the include was written (errors about given inputs go there when the input has no span). */
  includeSpan: Span;
  /** Variables visible to `expand_vars` (predefined + project variables; GitLab does not see YAML `variables:` here). */
  variables: Readonly<Record<string, string | undefined>>;
  component?: ComponentContext;
}

/** For features later: the declared inputs of a header, with spec details and spans. */
export interface InputSpec {
  name: string;
  type: 'string' | 'number' | 'boolean' | 'array';
  default?: unknown;
  hasDefault: boolean;
  description?: string;
  options?: unknown[];
  regex?: string;
  /** Where the input's name is declared in the header. */
  span?: Span;
}

/** GitLab's limit on `options:` (Header::Input). */
export { MAX_INPUT_OPTIONS };

export const INPUT_TYPES = ['array', 'boolean', 'number', 'string'] as const;
type InputType = (typeof INPUT_TYPES)[number];
const SPEC_KEYS = ['inputs', 'component', 'include', 'description'];
const INPUT_KEYS = ['default', 'description', 'options', 'regex', 'type', 'rules'];
export const COMPONENT_FIELDS = ['name', 'sha', 'version', 'reference'] as const;

/** Reports one diagnostic (the run drops exact duplicates). */
export type Report = (severity: Severity, code: string, message: string, span: Span, data?: Record<string, unknown>) => void;

/** The inputs a header declares (for hover, completion, checks); [] without a usable `spec:inputs`. */
export function readInputSpecs(header: MapNode | undefined): InputSpec[] {
  if (!header) return [];
  let info: HeaderInfo;
  try {
    info = analyzeHeader(header, () => undefined, header.span ?? { uri: '', start: 0, end: 0 });
  } catch {
    return [];
  }
  return info.inputs.map((d) => {
    const spec: InputSpec = { name: d.name, type: d.type, hasDefault: d.hasDefault, span: d.keySpan };
    if (d.hasDefault) spec.default = toPlain(d.defaultNode);
    if (d.description !== undefined) spec.description = d.description;
    if (d.options) spec.options = d.options.items.map(toPlain);
    if (d.regex !== undefined) spec.regex = d.regex;
    return spec;
  });
}

// ---------------------------------------------------------------------------------------------
// Header

interface InputDef {
  name: string;
  keySpan?: Span;
  /** The input's spec map (undefined for `name:` without a value). */
  spec?: MapNode;
  type: InputType;
  /** False when the declared type is invalid (no type check then). */
  typeKnown: boolean;
  hasDefault: boolean;
  defaultNode?: Node;
  options?: SeqNode;
  optionsSpan?: Span;
  /** `regex:` is present (GitLab checks the key, whatever its value). */
  regexPresent: boolean;
  regex?: string;
  regexSpan?: Span;
  description?: string;
  rules?: Node;
  /** Usable for validation (a spec that is not a hash is reported and skipped). */
  valid: boolean;
}

export interface HeaderInfo {
  inputs: InputDef[];
  /** `spec:component` fields, when declared. */
  component?: Set<string>;
  /** `spec:include` (inputs defined in external files) is present. */
  externalInputs: boolean;
}

function headerError(report: Report, location: string, message: string, span: Span, code = 'input-header'): void {
  // Gitlab::Config::Entry::Validator downcases "<location> <message>".
  report('error', code, `${location} ${message}`.toLowerCase(), span);
}

function keyList(m: MapNode, allowed: readonly string[]): string[] {
  return [...m.entries.keys()].filter((k) => !allowed.includes(k));
}

export function analyzeHeader(header: MapNode, report: Report, fallback: Span): HeaderInfo {
  const info: HeaderInfo = { inputs: [], externalInputs: false };
  const hs = (n: Node | undefined, keySpan?: Span): Span => n?.span ?? keySpan ?? header.span ?? fallback;

  const unknownRoot = keyList(header, ['spec']);
  if (unknownRoot.length) headerError(report, 'header', `config contains unknown keys: ${unknownRoot.join(', ')}`, header.keySpans.get(unknownRoot[0]) ?? hs(header));

  const spec = header.entries.get('spec');
  if (!spec || (isScalar(spec) && spec.value === null)) return info;
  if (!isMap(spec)) {
    headerError(report, 'header:spec', 'config should be a hash', hs(spec, header.keySpans.get('spec')));
    return info;
  }
  const unknownSpec = keyList(spec, SPEC_KEYS);
  if (unknownSpec.length) headerError(report, 'header:spec', `config contains unknown keys: ${unknownSpec.join(', ')}`, spec.keySpans.get(unknownSpec[0]) ?? hs(spec));

  if (spec.entries.has('include')) info.externalInputs = true;
  for (const f of headerSpecProblems(spec)) headerError(report, f.location, f.message, f.span ?? hs(spec));

  const comp = spec.entries.get('component');
  if (comp !== undefined) {
    const compSpan = hs(comp, spec.keySpans.get('component'));
    const fields = new Set<string>();
    if (isSeq(comp) && comp.items.every((i) => isScalar(i) && typeof i.value === 'string')) {
      const values = comp.items.map((i) => String((i as ScalarNode).value));
      const unknown = values.filter((v) => !(COMPONENT_FIELDS as readonly string[]).includes(v));
      if (unknown.length) headerError(report, 'header:spec:component', `config contains unknown values: ${unknown.join(', ')}`, compSpan);
      for (const v of values) if ((COMPONENT_FIELDS as readonly string[]).includes(v)) fields.add(v);
    } else if (!(isScalar(comp) && comp.value === null)) {
      headerError(report, 'header:spec:component', 'config should be an array of strings', compSpan);
    }
    info.component = fields;
  }

  const inputs = spec.entries.get('inputs');
  if (inputs === undefined || (isScalar(inputs) && inputs.value === null)) return info;
  if (!isMap(inputs)) {
    headerError(report, 'header:spec:inputs', 'config should be a hash', hs(inputs, spec.keySpans.get('inputs')));
    return info;
  }
  // Each input's errors, then the references between inputs added to them, in declaration order.
  const held = new Map<string, Parameters<Report>[]>();
  for (const [name, node] of inputs.entries) {
    const own: Parameters<Report>[] = [];
    held.set(name, own);
    info.inputs.push(analyzeInput(name, node, inputs.keySpans.get(name), (...args) => own.push(args), hs(node, inputs.keySpans.get(name))));
  }
  for (const p of inputReferenceProblems(info.inputs)) {
    const def = info.inputs.find((d) => d.name === p.input)!;
    def.valid = false;
    headerError((...args) => held.get(p.input)!.push(args), `header:spec:inputs:${p.input}`, `config ${p.message}`, p.span ?? def.keySpan ?? hs(inputs));
  }
  for (const own of held.values()) for (const args of own) report(...args);
  return info;
}

function analyzeInput(name: string, node: Node, keySpan: Span | undefined, outerReport: Report, span: Span): InputDef {
  const loc = `header:spec:inputs:${name}`;
  const def: InputDef = { name, keySpan, type: 'string', typeKnown: true, hasDefault: false, regexPresent: false, valid: true };
  // GitLab stops at header errors: an input whose spec is wrong gets no value checks.
  const report: Report = (...args) => {
    def.valid = false;
    outerReport(...args);
  };
  if (isScalar(node) && node.value === null) return def;
  if (!isMap(node)) {
    headerError(report, loc, 'config should be a hash', span);
    def.valid = false;
    return def;
  }
  def.spec = node;
  const at = (key: string): Span => node.entries.get(key)?.span ?? node.keySpans.get(key) ?? span;
  const unknown = keyList(node, INPUT_KEYS);
  if (unknown.length) headerError(report, loc, `config contains unknown keys: ${unknown.join(', ')}`, node.keySpans.get(unknown[0]) ?? span);
  const exclusive = (a: string, b: string) => {
    const present = [...node.entries.keys()].filter((k) => k === a || k === b);
    if (present.length > 1) headerError(report, loc, `config these keys cannot be used together: ${present.join(', ')}`, span);
  };
  exclusive('rules', 'options');
  exclusive('rules', 'default');

  const type = node.entries.get('type');
  if (type !== undefined && isScalar(type) && type.value === null) {
    // `type:` without a value: no input type matches it (Interpolation::Inputs).
    report('error', 'input-spec', `unknown input specification for \`${name}\` (valid types: ${INPUT_TYPES.join(', ')})`, at('type'));
    def.typeKnown = false;
    def.valid = false;
  } else if (type !== undefined) {
    const t = isScalar(type) ? type.value : undefined;
    if (typeof t === 'string' && (INPUT_TYPES as readonly string[]).includes(t)) def.type = t as InputType;
    else {
      headerError(report, loc, `input type unknown value: ${t === undefined ? rubyToS(type) : t === null ? '' : String(t)}`, at('type'));
      def.typeKnown = false;
    }
  }

  if (node.entries.has('default')) {
    def.hasDefault = true;
    def.defaultNode = node.entries.get('default');
  }

  const description = node.entries.get('description');
  if (description !== undefined && !(isScalar(description) && description.value === null)) {
    if (isScalar(description) && (typeof description.value === 'string' || (typeof description.value === 'number' && Number.isInteger(description.value)))) {
      def.description = String(description.value);
    } else {
      headerError(report, loc, 'input description must be an alphanumeric string', at('description'));
    }
  }

  if (node.entries.has('regex')) {
    def.regexPresent = true;
    def.regexSpan = at('regex');
    const r = node.entries.get('regex');
    if (isScalar(r) && typeof r.value === 'string') def.regex = r.value;
    else if (!(isScalar(r) && r.value === null)) headerError(report, loc, 'input regex should be a string', at('regex'));
  }

  const options = node.entries.get('options');
  if (options !== undefined && !(isScalar(options) && options.value === null)) {
    def.optionsSpan = at('options');
    if (isSeq(options)) {
      def.options = options;
      if (options.items.length > MAX_INPUT_OPTIONS) headerError(report, loc, `config cannot define more than ${MAX_INPUT_OPTIONS} options`, at('options'));
      if (options.items.some((o) => isAbsent(o))) headerError(report, loc, 'config options array cannot contain null values', at('options'));
    } else {
      headerError(report, loc, 'input options should be an array', at('options'));
    }
  }

  if (node.entries.has('rules')) {
    def.rules = node.entries.get('rules');
    if (!isAbsent(def.rules)) {
      for (const p of inputRuleProblems(def.rules!, at('rules'))) headerError(report, `${loc}:rules${p.rule ? ':rule' : ''}`, p.message, p.span);
    }
  }
  return def;
}

// ---------------------------------------------------------------------------------------------
// Inputs

/** One name of a context (`inputs.X`, `component.X`): its value, or undefined when it has none (left as written). */
export interface ContextEntry {
  node?: Node;
  step: ViaStep;
}


function typeMatches(type: InputType, n: Node): boolean {
  switch (type) {
    case 'string':
      return isScalar(n) && typeof n.value === 'string';
    case 'number':
      return isScalar(n) && typeof n.value === 'number';
    case 'boolean':
      return isScalar(n) && typeof n.value === 'boolean';
    case 'array':
      return isSeq(n);
  }
}

const TYPE_ARTICLE: Record<InputType, string> = { string: 'a string', number: 'a number', boolean: 'a boolean', array: 'an array' };

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

function hasDefaultThroughRules(rules: Node | undefined): boolean {
  if (!isSeq(rules)) return false;
  return rules.items.some((r) => isMap(r) && (r.entries.has('default') || !r.entries.has('if')));
}

/** Checks the given inputs against the header; the value (or none) of every declared input. */
export function resolveInputs(header: HeaderInfo, ctx: InterpolationContext, report: Report): Map<string, ContextEntry> {
  const given = ctx.given;
  const out = new Map<string, ContextEntry>();
  const declared = new Set(header.inputs.map((d) => d.name));

  // Unknown arguments: GitLab names them all in one message; each gets it at its own place.
  if (given) {
    const unknown = [...given.entries.keys()].filter((k) => !declared.has(k));
    if (unknown.length) {
      if (header.externalInputs) {
        for (const name of unknown) {
          report('warning', 'input-external', `input \`${name}\` may be declared in a file of \`spec:include\`, which is not checked here`, given.keySpans.get(name) ?? given.span ?? ctx.includeSpan, { input: name });
        }
      } else {
        const message = `unknown input arguments: ${unknown.join(', ')}`;
        for (const name of unknown) {
          report('error', 'input-unknown', message, given.keySpans.get(name) ?? given.span ?? ctx.includeSpan, { input: name, unknown, candidates: [...declared] });
        }
      }
    }
  }

  for (const def of header.inputs) {
    const givenNode = given?.entries.get(def.name);
    const givenSpan = givenNode?.span ?? given?.keySpans.get(def.name) ?? ctx.includeSpan;
    const defaultSpan = def.defaultNode?.span ?? def.spec?.keySpans.get('default') ?? def.keySpan ?? ctx.includeSpan;
    const provided = !isAbsent(givenNode);
    const required = !def.hasDefault && !hasDefaultThroughRules(def.rules);
    const err = (code: string, message: string, span: Span, data?: Record<string, unknown>) =>
      report('error', code, `\`${def.name}\` input: ${message}`, span, { input: def.name, ...data });

    if (required && !provided && def.valid) {
      err('input-missing', 'required value has not been provided', ctx.includeSpan, { declaredAt: def.keySpan });
      out.set(def.name, { step: { kind: 'input', name: def.name, span: ctx.includeSpan } });
      continue;
    }

    if (def.valid) {
      const validate = (value: Node, isDefault: boolean, span: Span) => {
        const which = isDefault ? 'default' : 'provided';
        if (def.typeKnown && !typeMatches(def.type, value)) err('input-type', `${which} value is not ${TYPE_ARTICLE[def.type]}`, span, { type: def.type });
        // options
        if (def.options) {
          if (def.type === 'string' || def.type === 'number') {
            const plain = toPlain(value);
            if (plain !== null && plain !== false && !def.options.items.some((o) => sameValue(toPlain(o), plain))) {
              const list = def.type === 'number' ? 'the allowed options' : 'allowed options';
              err('input-options', `\`${rubyToS(value)}\` cannot be used because it is not in the list of ${list}`, span, {
                options: def.options.items.map(toPlain),
              });
            }
          } else {
            err('input-options', 'Options can only be used with string and number inputs', def.optionsSpan ?? span);
          }
        }
        // regex
        if (def.regexPresent) {
          if (def.type !== 'string') err('input-regex', 'RegEx validation can only be used with string inputs', def.regexSpan ?? span);
          else if (isScalar(value) && typeof value.value === 'string' && def.regex !== undefined) {
            // A valid RE2 pattern the port cannot run (`unsupported`, i.e. `\C`) is not checked.
            const re = compileRe2(def.regex);
            if (!re.ok && re.kind === 'syntax') err('input-regex', 'invalid regular expression', def.regexSpan ?? span);
            else if (re.ok && !re.regex.test(value.value)) err('input-regex', `${which} value does not match required RegEx pattern`, span, { regex: def.regex });
          }
        }
      };
      if (def.hasDefault) validate(def.defaultNode ?? scalarNode(null), true, defaultSpan);
      if (provided && givenNode) validate(givenNode, false, givenSpan);
    }

    if (provided && givenNode) {
      out.set(def.name, { node: givenNode, step: { kind: 'input', name: def.name, span: givenSpan } });
    } else if (def.hasDefault) {
      out.set(def.name, { node: def.defaultNode ?? scalarNode(null), step: { kind: 'input', name: def.name, span: defaultSpan } });
    } else if (!def.valid) {
      out.set(def.name, { step: { kind: 'input', name: def.name, span: def.keySpan ?? defaultSpan } });
    } else {
      // Only rules can give it a value; they are not evaluated here.
      report('info', 'input-rules', `\`${def.name}\` input: its value comes from \`rules\`, which are not evaluated here; \`$[[ inputs.${def.name} ]]\` is left as written`, def.keySpan ?? defaultSpan, {
        input: def.name,
      });
      out.set(def.name, { step: { kind: 'input', name: def.name, span: def.keySpan ?? defaultSpan } });
    }
  }
  return out;
}

/** The `component.FIELD` values the include gives, limited to the declared fields. */
export function componentEntries(header: HeaderInfo, ctx: InterpolationContext): Map<string, ContextEntry> {
  const out = new Map<string, ContextEntry>();
  const c = ctx.component;
  if (!c) return out;
  const values: Record<string, string | undefined> = { name: c.name, sha: c.sha, version: c.version, reference: c.reference };
  for (const field of COMPONENT_FIELDS) {
    if (header.component && !header.component.has(field)) continue;
    const v = values[field];
    out.set(field, { node: scalarNode(v === undefined ? null : v), step: { kind: 'input', name: `component.${field}`, span: ctx.includeSpan } });
  }
  return out;
}
