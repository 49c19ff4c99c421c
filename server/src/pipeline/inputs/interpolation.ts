/**
 * `$[[ ... ]]` blocks and the interpolator that replaces them in a file's content once the
 * inputs are known (input-spec.ts): GitLab's Interpolation::Interpolator, ::Block, ::Access.
 * The rules are described in inputs.ts. A block that cannot be evaluated is reported and stays
 * as written.
 */
import { compileFunction, noFunctionMessage } from './interpolation-functions.js';
import type { FunctionEnv, InterpolationFunction } from './interpolation-functions.js';
import type { ContextEntry, Report } from './input-spec.js';
import { isMap, isScalar, isSeq, mapNode, scalarNode, withVia } from '../model.js';
import type { MapNode, Node, ScalarNode, SeqNode, Span, ViaStep } from '../model.js';
import { rubyStrip, rubyToS } from '../yaml/ruby-format.js';

/** GitLab's limits (Interpolation::Template, ::Config, ::Block, ::Access). */
export const MAX_BLOCKS = 10_000;
export const MAX_NODES = 500_000;
export const MAX_NODE_SIZE = 1024 * 1024;
export const MAX_FUNCTIONS = 3;
export const MAX_ACCESS_OBJECTS = 5;
export const MAX_ACCESS_BYTESIZE = 1024;
export const MAX_ACCESS_ARRAY_DEPTH = 5;

/** Contexts GitLab leaves for later (`$[[ matrix.X ]]` is resolved with parallel:matrix). */
const SKIPPED_CONTEXTS = new Set(['matrix']);

/** `$[[ data ]]`: GitLab's BLOCK_REGEXP (data starts and ends with a non-space, no newline). */
const BLOCK_PATTERN = /\$\[\[\s*(\S.*?\S)\s*\]\]/g;
const BLOCK_PREFIX = '$[[';

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

// ---------------------------------------------------------------------------------------------
// The interpolator

/** What the interpolator works with: the resolved values and where to report. */
export interface InterpolatorEnv {
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

export class Interpolator {
  private memo = new Map<Node, Node>();
  private blocks = new Set<string>();
  private visited = 0;
  private stopped = false;
  private warnedComponent = new Set<string>();
  /** The via steps a whole-block array got, for its items when it is spliced into a list. */
  private spliceSteps = new WeakMap<Node, ViaStep[]>();

  constructor(private env: InterpolatorEnv) {}

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
  return parts.map(rubyStrip);
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
