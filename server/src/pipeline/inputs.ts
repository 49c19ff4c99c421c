/**
 * `spec:inputs` and `$[[ ... ]]` interpolation, the way GitLab does it when it loads a file
 * (Gitlab::Ci::Config::Interpolation::Interpolator, before the file's includes are read):
 *
 * 1. A file without a `spec:` header is not interpolated (`$[[ ]]` stays as written); giving it
 *    inputs is an error.
 * 2. The header is validated (`spec:` keys, each input's keys and their types).
 * 3. The given inputs are checked against the declared ones: unknown names, missing required
 *    values, type / `options` / `regex` of the given values and of the defaults.
 * 4. Every string of the content document, mapping keys included, is scanned for blocks
 *    `$[[ inputs.NAME | fn | fn(args) ]]` / `$[[ component.FIELD ]]`. A block that is the whole
 *    string takes the value with its type (number, boolean, array, ...); an array replacing a
 *    whole sequence item is spliced into that sequence; blocks inside a longer string are
 *    replaced by the value's Ruby `to_s` (arrays and hashes as Ruby's `inspect`). Replacement
 *    values are not scanned again. `!reference` tags are opaque to interpolation (GitLab keeps
 *    them as tag objects at this stage).
 *
 * GitLab stops at the first failing step and rejects the file. Here every problem becomes a
 * diagnostic with a span, and the interpolation goes on as far as it can: a block that cannot be
 * evaluated (unknown key, failing function, missing required input) stays as written.
 * Nothing here throws on user input.
 */
import { compileFunction, noFunctionMessage } from './interpolation-functions.js';
import type { FunctionEnv, InterpolationFunction } from './interpolation-functions.js';
import { isMap, isScalar, isSeq, mapNode, scalarNode, toPlain, withVia } from './model.js';
import type { MapNode, Node, PipelineDiagnostic, ScalarNode, SeqNode, Severity, Span, ViaStep } from './model.js';

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

/** GitLab's limits (Interpolation::Template, ::Config, ::Block, ::Access, Header::Input). */
export const MAX_BLOCKS = 10_000;
export const MAX_NODES = 500_000;
export const MAX_NODE_SIZE = 1024 * 1024;
export const MAX_FUNCTIONS = 3;
export const MAX_ACCESS_OBJECTS = 5;
export const MAX_ACCESS_BYTESIZE = 1024;
export const MAX_ACCESS_ARRAY_DEPTH = 5;
export const MAX_INPUT_OPTIONS = 50;

export const INPUT_TYPES = ['array', 'boolean', 'number', 'string'] as const;
type InputType = (typeof INPUT_TYPES)[number];
const SPEC_KEYS = ['inputs', 'component', 'include'];
const INPUT_KEYS = ['default', 'description', 'options', 'regex', 'type', 'rules'];
export const COMPONENT_FIELDS = ['name', 'sha', 'version', 'reference'] as const;
/** Contexts GitLab leaves for later (`$[[ matrix.X ]]` is resolved with parallel:matrix). */
const SKIPPED_CONTEXTS = new Set(['matrix']);

/** `$[[ data ]]`: GitLab's BLOCK_REGEXP (data starts and ends with a non-space, no newline). */
const BLOCK_PATTERN = /\$\[\[\s*(\S.*?\S)\s*\]\]/g;
const BLOCK_PREFIX = '$[[';

// ---------------------------------------------------------------------------------------------
// Public helpers

/** One `$[[ ... ]]` block of a string. */
export interface InterpolationBlock {
  /** Offsets into the string. */
  start: number;
  end: number;
  text: string;
  /** The text between the brackets, trimmed. */
  data: string;
  /** `inputs.NAME`, `component.name`, ... */
  access: string;
  functions: string[];
}

/** The `$[[ ... ]]` blocks of a string (for hover, completion, go-to-definition). */
export function findInterpolationBlocks(text: string): InterpolationBlock[] {
  const out: InterpolationBlock[] = [];
  if (!text.includes(BLOCK_PREFIX)) return out;
  for (const m of text.matchAll(BLOCK_PATTERN)) {
    const [access, ...functions] = splitPipes(m[1]);
    out.push({ start: m.index ?? 0, end: (m.index ?? 0) + m[0].length, text: m[0], data: m[1], access: access ?? '', functions });
  }
  return out;
}

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

export function interpolateFile(
  file: { header?: MapNode; content: Node; uri: string; text?: string },
  ctx: InterpolationContext,
): { content: Node; diagnostics: PipelineDiagnostic[] } {
  const diagnostics: PipelineDiagnostic[] = [];
  try {
    return { content: run(file, ctx, diagnostics), diagnostics };
  } catch (e) {
    // Defensive: a bug here must not take the whole pipeline down.
    diagnostics.push({
      severity: 'error',
      code: 'interpolation-internal',
      message: `Internal error during inputs interpolation: ${(e as Error)?.message ?? String(e)}`,
      span: ctx.includeSpan,
    });
    return { content: file.content, diagnostics };
  }
}

// ---------------------------------------------------------------------------------------------
// The run

type Report = (severity: Severity, code: string, message: string, span: Span, data?: Record<string, unknown>) => void;

function run(file: { header?: MapNode; content: Node; uri: string; text?: string }, ctx: InterpolationContext, diagnostics: PipelineDiagnostic[]): Node {
  const seen = new Set<string>();
  const report: Report = (severity, code, message, span, data) => {
    const key = `${code}\0${message}\0${span.uri}\0${span.start}\0${span.end}`;
    if (seen.has(key)) return;
    seen.add(key);
    const d: PipelineDiagnostic = { severity, code, message, span };
    if (data) d.data = data;
    diagnostics.push(d);
  };
  const given = ctx.given;
  const givenNames = given ? [...given.entries.keys()] : [];

  if (!file.header) {
    if (givenNames.length > 0) {
      report('error', 'input-no-spec', 'Given inputs not defined in the `spec` section of the included configuration file', given?.span ?? ctx.includeSpan, {
        inputs: givenNames,
      });
    }
    return file.content;
  }

  const headerSpan = file.header.span ?? { uri: file.uri, start: 0, end: 0 };
  const header = analyzeHeader(file.header, report, headerSpan);
  const inputs = resolveInputs(header, ctx, report);
  const component = componentEntries(header, ctx);
  const interpolator = new Interpolator({
    inputs,
    component,
    componentDeclared: header.component !== undefined,
    externalInputs: header.externalInputs,
    declared: header.inputs.map((d) => d.name),
    fnEnv: { variables: ctx.variables },
    report,
    uri: file.uri,
    text: file.text,
    includeSpan: ctx.includeSpan,
  });
  return interpolator.run(file.content);
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

interface HeaderInfo {
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

function analyzeHeader(header: MapNode, report: Report, fallback: Span): HeaderInfo {
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
  for (const [name, node] of inputs.entries) {
    info.inputs.push(analyzeInput(name, node, inputs.keySpans.get(name), report, hs(node, inputs.keySpans.get(name))));
  }
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
    } else {
      headerError(report, loc, 'input options should be an array', at('options'));
    }
  }

  if (node.entries.has('rules')) def.rules = node.entries.get('rules');
  return def;
}

// ---------------------------------------------------------------------------------------------
// Inputs

/** One name of a context (`inputs.X`, `component.X`): its value, or undefined when it has none (left as written). */
interface ContextEntry {
  node?: Node;
  step: ViaStep;
}

function isNil(n: Node | undefined): boolean {
  return n === undefined || (n.kind === 'scalar' && n.value === null);
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

function resolveInputs(header: HeaderInfo, ctx: InterpolationContext, report: Report): Map<string, ContextEntry> {
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
    const provided = !isNil(givenNode);
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
            const re = compileRe2(def.regex);
            if (!re) err('input-regex', 'invalid regular expression', def.regexSpan ?? span);
            else if (!re.test(value.value)) err('input-regex', `${which} value does not match required RegEx pattern`, span, { regex: def.regex });
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

function componentEntries(header: HeaderInfo, ctx: InterpolationContext): Map<string, ContextEntry> {
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

// ---------------------------------------------------------------------------------------------
// Interpolation

interface Env {
  inputs: Map<string, ContextEntry>;
  component: Map<string, ContextEntry>;
  componentDeclared: boolean;
  externalInputs: boolean;
  declared: string[];
  fnEnv: FunctionEnv;
  report: Report;
  uri: string;
  text?: string;
  includeSpan: Span;
}

type BlockOutcome =
  | { kind: 'value'; value: Node; step?: ViaStep }
  /** Leave the block as written (no value, skipped context, or an error already reported). */
  | { kind: 'keep' };

type TextOutcome = { kind: 'same' } | { kind: 'whole'; value: Node; steps: ViaStep[] } | { kind: 'text'; text: string; steps: ViaStep[] };

class TooLarge extends Error {}

class Interpolator {
  private memo = new Map<Node, Node>();
  private blocks = new Set<string>();
  private visited = 0;
  private stopped = false;
  private warnedComponent = new Set<string>();
  /** The via steps a whole-block array got, for its items when it is spliced into a list. */
  private spliceSteps = new WeakMap<Node, ViaStep[]>();

  constructor(private env: Env) {}

  run(content: Node): Node {
    try {
      return this.walk(content);
    } catch (e) {
      if (e instanceof TooLarge) return content;
      throw e;
    }
  }

  private walk(node: Node): Node {
    const cached = this.memo.get(node);
    if (cached) return cached;
    if (++this.visited > MAX_NODES) {
      this.env.report('error', 'interpolation-limit', 'config too large', node.span ?? this.env.includeSpan);
      throw new TooLarge();
    }
    let out: Node;
    switch (node.kind) {
      case 'scalar':
        out = this.scalar(node);
        break;
      case 'seq':
        out = this.seq(node);
        break;
      case 'map':
        out = this.map(node);
        break;
      default:
        out = node;
    }
    this.memo.set(node, out);
    return out;
  }

  private scalar(node: ScalarNode): Node {
    if (typeof node.value !== 'string' || !node.value.includes(BLOCK_PREFIX)) return node;
    const r = this.text(node.value, node.span);
    switch (r.kind) {
      case 'same':
        return node;
      case 'text':
        return addSteps({ ...node, value: r.text }, r.steps);
      case 'whole': {
        const v = r.value;
        let placed: Node;
        if (v.kind === 'scalar') {
          placed = scalarNode(v.value, node.span);
          if (node.via) placed.via = node.via;
        } else {
          placed = { ...v, span: node.span ?? v.span };
        }
        const out = addSteps(placed, r.steps);
        if (out.kind === 'seq') this.spliceSteps.set(out, r.steps);
        return out;
      }
    }
  }

  private seq(node: SeqNode): Node {
    let changed = false;
    const items: Node[] = [];
    for (const item of node.items) {
      const r = this.walk(item);
      if (r !== item) changed = true;
      if (r !== item && isScalar(item) && typeof item.value === 'string' && isSeq(r)) {
        // An array replacing a whole list item is spliced into the list.
        const steps = this.spliceSteps.get(r) ?? [];
        for (const sub of r.items) items.push(addSteps(sub, steps));
      } else {
        items.push(r);
      }
    }
    return changed ? { ...node, items } : node;
  }

  private map(node: MapNode): Node {
    let changed = false;
    const entries = new Map<string, Node>();
    const keySpans = new Map<string, Span>();
    for (const [key, value] of node.entries) {
      const keySpan = node.keySpans.get(key);
      let newKey = key;
      if (key.includes(BLOCK_PREFIX)) {
        const r = this.text(key, keySpan);
        if (r.kind === 'text') newKey = r.text;
        else if (r.kind === 'whole') newKey = rubyToS(r.value);
      }
      const newValue = this.walk(value);
      if (newKey !== key || newValue !== value) changed = true;
      entries.set(newKey, newValue);
      if (keySpan) keySpans.set(newKey, keySpan);
    }
    if (!changed) return node;
    const out = mapNode(node.span, entries, keySpans);
    if (node.via) out.via = node.via;
    return out;
  }

  /** Interpolate one string (a scalar or a key). */
  private text(value: string, span: Span | undefined): TextOutcome {
    if (this.stopped) return { kind: 'same' };
    if (value.length > MAX_NODE_SIZE / 4 && Buffer.byteLength(value, 'utf8') > MAX_NODE_SIZE) {
      this.env.report('error', 'interpolation-limit', 'config node too large', span ?? this.env.includeSpan);
      throw new TooLarge();
    }
    const matches = [...value.matchAll(BLOCK_PATTERN)];
    if (matches.length === 0) return { kind: 'same' };
    let searchFrom = span?.start ?? 0;
    const outcomes: BlockOutcome[] = [];
    for (const m of matches) {
      const blockText = m[0];
      this.blocks.add(blockText);
      if (this.blocks.size > MAX_BLOCKS) {
        this.env.report('error', 'interpolation-limit', 'too many interpolation blocks', span ?? this.env.includeSpan);
        this.stopped = true;
        return { kind: 'same' };
      }
      const blockSpan = this.blockSpan(span, blockText, searchFrom);
      if (blockSpan && blockSpan !== span) searchFrom = blockSpan.end;
      outcomes.push(this.block(blockText, m[1], blockSpan ?? span ?? this.env.includeSpan));
    }
    const whole = matches.length === 1 && matches[0][0].length === value.length;
    if (whole) {
      const o = outcomes[0];
      if (o.kind === 'keep') return { kind: 'same' };
      return { kind: 'whole', value: o.value, steps: o.step ? [o.step] : [] };
    }
    if (outcomes.every((o) => o.kind === 'keep')) return { kind: 'same' };
    let out = '';
    let last = 0;
    const steps: ViaStep[] = [];
    matches.forEach((m, i) => {
      const o = outcomes[i];
      const start = m.index ?? 0;
      out += value.slice(last, start);
      if (o.kind === 'value') {
        out += rubyToS(o.value);
        if (o.step && !steps.some((s) => s.name === o.step!.name)) steps.push(o.step);
      } else out += m[0];
      last = start + m[0].length;
    });
    out += value.slice(last);
    return { kind: 'text', text: out, steps };
  }

  /** The span of the block inside the scalar, when the file text shows it verbatim there. */
  private blockSpan(span: Span | undefined, blockText: string, from: number): Span | undefined {
    const text = this.env.text;
    if (!span || text === undefined || span.uri !== this.env.uri) return span;
    const idx = text.indexOf(blockText, Math.max(from, span.start));
    if (idx < 0 || idx + blockText.length > span.end) return span;
    return { uri: span.uri, start: idx, end: idx + blockText.length };
  }

  private block(blockText: string, data: string, span: Span): BlockOutcome {
    const report = this.env.report;
    const [access = '', ...fnExprs] = splitPipes(data);

    const contextName = access.split('.')[0];
    if (SKIPPED_CONTEXTS.has(contextName)) return { kind: 'keep' };

    const resolved = this.access(access, span);
    if (resolved.kind !== 'value') return resolved;

    if (fnExprs.length > MAX_FUNCTIONS) {
      report('error', 'interpolation-function', 'too many functions in interpolation block', span, { block: blockText });
      return { kind: 'keep' };
    }
    const fns: InterpolationFunction[] = [];
    let bad = false;
    for (const expr of fnExprs) {
      const fn = compileFunction(expr);
      if (fn) fns.push(fn);
      else {
        report('error', 'interpolation-function', noFunctionMessage(expr), span, { function: expr });
        bad = true;
      }
    }
    if (bad) return { kind: 'keep' };
    let value = resolved.value;
    for (const fn of fns) {
      const r = fn.apply(value, this.env.fnEnv);
      if (!r.ok) {
        report('error', 'interpolation-function', r.error, span, { function: fn.name });
        return { kind: 'keep' };
      }
      value = r.value;
    }
    return { kind: 'value', value, step: resolved.step };
  }

  private access(access: string, span: Span): BlockOutcome {
    const report = this.env.report;
    const objects = rubySplit(access, '.', MAX_ACCESS_OBJECTS);
    let invalid = false;
    if (objects.length <= 1) {
      report('error', 'interpolation-invalid', 'invalid interpolation access pattern', span, { access });
      invalid = true;
    }
    if (Buffer.byteLength(access, 'utf8') > MAX_ACCESS_BYTESIZE) {
      report('error', 'interpolation-invalid', 'maximum interpolation expression size exceeded', span, { access });
      invalid = true;
    }
    if (invalid) return { kind: 'keep' };

    const unknown = (key: string, candidates: string[]): BlockOutcome => {
      report('error', 'interpolation-unknown', `unknown interpolation key: \`${key}\``, span, { key, access, candidates });
      return { kind: 'keep' };
    };
    const segments: { key: string; indices: number[] }[] = [];
    for (const seg of objects) {
      const p = parseSegment(seg, access);
      if ('error' in p) {
        report('error', 'interpolation-invalid', p.error, span, { access });
        return { kind: 'keep' };
      }
      segments.push(p);
    }

    // Level 1: the context (`inputs`, `component`).
    const [first, second, ...rest] = segments;
    let entries: Map<string, ContextEntry>;
    if (first.key === 'inputs') entries = this.env.inputs;
    else if (first.key === 'component') {
      entries = this.env.component;
    } else return unknown(first.key, ['inputs', 'component']);
    if (first.indices.length) {
      report('error', 'interpolation-invalid', `cannot index into non-array value at [${first.indices[0]}] in \`${access}\``, span, { access });
      return { kind: 'keep' };
    }

    // Level 2: the input / component field.
    const entry = entries.get(second.key);
    if (!entry) {
      if (first.key === 'inputs' && this.env.externalInputs) return { kind: 'keep' };
      return unknown(second.key, [...entries.keys()]);
    }
    if (first.key === 'component' && !this.env.componentDeclared && !this.warnedComponent.has(second.key)) {
      this.warnedComponent.add(second.key);
      report('warning', 'component-undeclared', `\`component.${second.key}\` is not declared in \`spec:component\`: GitLab only interpolates declared fields (spec: component: [${second.key}])`, span, {
        field: second.key,
      });
    }
    if (!entry.node) return { kind: 'keep' };

    // Deeper: into the value (hash keys, array indices).
    let cur: Node = entry.node;
    const stepInto = (indices: number[]): Node | undefined => {
      for (const index of indices) {
        if (!isSeq(cur)) {
          report('error', 'interpolation-invalid', `cannot index into non-array value at [${index}] in \`${access}\``, span, { access });
          return undefined;
        }
        if (index >= cur.items.length) {
          report('error', 'interpolation-invalid', `array index ${index} out of bounds (size: ${cur.items.length}) in \`${access}\``, span, { access });
          return undefined;
        }
        cur = cur.items[index];
      }
      return cur;
    };
    if (!stepInto(second.indices)) return { kind: 'keep' };
    for (const seg of rest) {
      if (!isMap(cur) || !cur.entries.has(seg.key)) return unknown(seg.key, isMap(cur) ? [...cur.entries.keys()] : []);
      cur = cur.entries.get(seg.key)!;
      if (!stepInto(seg.indices)) return { kind: 'keep' };
    }
    return { kind: 'value', value: cur, step: entry.step };
  }
}

function addSteps<T extends Node>(node: T, steps: readonly ViaStep[]): T {
  let out = node;
  for (const s of steps) out = withVia(out, s);
  return out;
}

/** `a | b | c` → trimmed parts; like Ruby's `split('|')`, trailing empty parts are dropped. */
function splitPipes(data: string): string[] {
  const parts = data.split('|');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts.map((p) => p.replace(/^[\s\0]+|[\s\0]+$/g, ''));
}

/** Ruby's `str.split(sep, limit)` with a positive limit (trailing empty parts are kept). */
function rubySplit(text: string, sep: string, limit: number): string[] {
  if (text === '') return [];
  const parts = text.split(sep);
  if (parts.length <= limit) return parts;
  return [...parts.slice(0, limit - 1), parts.slice(limit - 1).join(sep)];
}

const INDEXED_SEGMENT = /^(\w*)((?:\[\d+\])+)$/;

function parseSegment(seg: string, access: string): { key: string; indices: number[] } | { error: string } {
  if (!seg.includes('[')) return { key: seg, indices: [] };
  const m = INDEXED_SEGMENT.exec(seg);
  if (m) {
    if (m[1] === '') return { error: `invalid indexed access without a key in \`${access}\`` };
    const indices = [...m[2].matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]));
    if (indices.length > MAX_ACCESS_ARRAY_DEPTH) return { error: `too many array indices in \`${access}\` (maximum depth: ${MAX_ACCESS_ARRAY_DEPTH})` };
    return { key: m[1], indices };
  }
  const open = (seg.match(/\[/g) ?? []).length;
  const close = (seg.match(/\]/g) ?? []).length;
  if (open !== close) return { error: `invalid array index in \`${access}\`: missing closing bracket` };
  const bad = [...seg.matchAll(/\[([^\]]*)\]/g)].map((x) => x[1]).find((c) => !/^\d+$/.test(c));
  if (bad !== undefined) return { error: `invalid array index in \`${access}\`: \`${bad}\` is not a valid index` };
  return { error: `invalid array index syntax in \`${access}\`` };
}

// ---------------------------------------------------------------------------------------------
// Ruby stringification (what `"#{value}"` gives in GitLab)

/** Ruby's `to_s` of a value: strings as is, nil as '', arrays and hashes as `inspect`. */
export function rubyToS(node: Node | undefined): string {
  if (!node) return '';
  if (node.kind === 'scalar') {
    const v = node.value;
    if (v === null) return '';
    if (typeof v === 'number') return rubyNumber(v);
    return String(v);
  }
  return rubyInspect(node);
}

function rubyNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return String(n);
}

/** Ruby 3.3's `inspect` (hash keys are symbols: GitLab symbolizes the loaded YAML). */
export function rubyInspect(node: Node): string {
  switch (node.kind) {
    case 'scalar': {
      const v = node.value;
      if (v === null) return 'nil';
      if (typeof v === 'string') return rubyStringInspect(v);
      if (typeof v === 'number') return rubyNumber(v);
      return String(v);
    }
    case 'seq':
      return `[${node.items.map(rubyInspect).join(', ')}]`;
    case 'map':
      return `{${[...node.entries].map(([k, v]) => `${rubySymbolInspect(k)}=>${rubyInspect(v)}`).join(', ')}}`;
    case 'ref':
      return `!reference ${rubyInspect({ kind: 'seq', items: node.path.map((p) => scalarNode(p)) })}`;
  }
}

function rubySymbolInspect(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*[?!]?$/.test(key) ? `:${key}` : `:${rubyStringInspect(key)}`;
}

const RUBY_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r', '\f': '\\f', '\v': '\\v', '\b': '\\b', '\x07': '\\a', '\x1b': '\\e' };

function rubyStringInspect(s: string): string {
  let out = '"';
  const chars = Array.from(s);
  chars.forEach((ch, i) => {
    const esc = RUBY_ESCAPES[ch];
    if (esc) out += esc;
    else if (ch === '#' && (chars[i + 1] === '{' || chars[i + 1] === '$' || chars[i + 1] === '@')) out += '\\#';
    else {
      const cp = ch.codePointAt(0) ?? 0;
      if (cp < 0x20 || cp === 0x7f) out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
      else out += ch;
    }
  });
  return out + '"';
}

// ---------------------------------------------------------------------------------------------
// RE2 patterns (GitLab's UntrustedRegexp) run with JavaScript's RegExp

const POSIX_CLASSES: Record<string, string> = {
  alnum: 'A-Za-z0-9',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: ' \\t',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: 'A-Za-z0-9_',
  xdigit: '0-9A-Fa-f',
};

/**
 * A RegExp for an RE2 pattern, or undefined when RE2 would reject it (lookaround and
 * backreferences are not RE2) or JavaScript cannot compile it. Handles leading `(?flags)`,
 * `\A`, `\z`, `(?P<name>` and `[[:class:]]`.
 */
export function compileRe2(pattern: string): RegExp | undefined {
  let src = pattern;
  let flags = '';
  const lead = /^\(\?([imsU]+)\)/.exec(src);
  if (lead) {
    if (lead[1].includes('U')) return undefined;
    for (const f of lead[1]) if (!flags.includes(f)) flags += f;
    src = src.slice(lead[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      const n = src[i + 1];
      if (n === undefined) return undefined;
      if (!inClass && n === 'A') out += '(?<![\\s\\S])';
      else if (!inClass && n === 'z') out += '(?![\\s\\S])';
      else if (/[1-9]/.test(n)) return undefined; // backreference
      else out += c + n;
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[' && src[i + 1] === ':') {
        const end = src.indexOf(':]', i + 2);
        const name = end > 0 ? src.slice(i + 2, end) : '';
        const neg = name.startsWith('^');
        const cls = POSIX_CLASSES[neg ? name.slice(1) : name];
        if (cls && !neg) {
          out += cls;
          i = end + 1;
          continue;
        }
        if (end > 0) return undefined;
      }
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (src[i + 1] === '^') {
        out += '^';
        i++;
      }
      if (src[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && src[i + 1] === '?') {
      const rest = src.slice(i + 2);
      if (/^(=|!|<=|<!|>)/.test(rest)) return undefined; // lookaround / atomic: not RE2
      if (rest.startsWith('P<')) {
        out += '(?<';
        i += 3;
        continue;
      }
    }
    out += c;
  }
  try {
    return new RegExp(out, flags);
  } catch {
    try {
      return new RegExp(out, flags + 'u');
    } catch {
      return undefined;
    }
  }
}
