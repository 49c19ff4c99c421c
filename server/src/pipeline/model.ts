/**
 * The value model of the engine: a YAML tree whose every node remembers where it came from.
 *
 * Nodes are immutable once built. Merging creates new map/sequence nodes but shares untouched
 * subtrees, so provenance (the `span` of the original text and the `via` chain that brought a
 * value to where it is) survives every step: includes, extends, !reference and default:.
 */

/** A range of one source file, as character offsets into its text. */
export interface Span {
  uri: string;
  start: number;
  end: number;
}

/** One step of the chain that carried a value to its place in the merged pipeline. */
export interface ViaStep {
  kind: 'include' | 'extends' | 'reference' | 'default' | 'input';
  /** The include location, the parent job, the reference path, or the input name. */
  name: string;
  /** Where the step was written (the `extends:` value, the `!reference` tag, ...). */
  span?: Span;
}

interface NodeBase {
  span?: Span;
  via?: readonly ViaStep[];
}

export interface MapNode extends NodeBase {
  kind: 'map';
  entries: Map<string, Node>;
  /** Where each key was written. */
  keySpans: Map<string, Span>;
  /**
   * A file's top-level keys that YAML typed as other than strings (`10:`, `true:`, `~:`): GitLab
   * symbolizes only string keys, and a job whose name is no symbol is rejected. Set by the parser.
   */
  typedKeys?: Set<string>;
}

export interface SeqNode extends NodeBase {
  kind: 'seq';
  items: Node[];
}

export type Scalar = string | number | boolean | null;

export interface ScalarNode extends NodeBase {
  kind: 'scalar';
  value: Scalar;
}

/** An unresolved `!reference [job, key, ...]` tag. */
export interface RefNode extends NodeBase {
  kind: 'ref';
  path: string[];
}

export type Node = MapNode | SeqNode | ScalarNode | RefNode;

export type Severity = 'error' | 'warning' | 'info';

export interface PipelineDiagnostic {
  severity: Severity;
  /** Stable machine-readable code, e.g. `extends-unknown`. */
  code: string;
  message: string;
  span: Span;
  /** Extra data a quick-fix can use (e.g. the candidate names). */
  data?: Record<string, unknown>;
  /** Other places that explain it: where an inherited value was written, the extends/default chain. */
  related?: RelatedSpan[];
}

export interface RelatedSpan {
  span: Span;
  message: string;
}

/**
 * A range inside `base`, `from`..`to` counted from its start, that moves with it: a block reused
 * after an edit above it has its spans moved in place (yaml/parse.ts), and results kept per node
 * (a read's place inside a script line, an `if:` error's token) must move too.
 */
export function spanWithin(base: Span, from: number, to: number): Span {
  return {
    uri: base.uri,
    get start() {
      return base.start + from;
    },
    get end() {
      return base.start + to;
    },
  };
}

export function mapNode(span?: Span, entries?: Map<string, Node>, keySpans?: Map<string, Span>): MapNode {
  return { kind: 'map', entries: entries ?? new Map(), keySpans: keySpans ?? new Map(), span, via: undefined };
}

export function seqNode(items: Node[], span?: Span): SeqNode {
  return { kind: 'seq', items, span, via: undefined };
}

export function scalarNode(value: Scalar, span?: Span): ScalarNode {
  return { kind: 'scalar', value, span, via: undefined };
}

/** A shallow copy of `node` with one more step on its provenance chain. */
export function withVia<T extends Node>(node: T, step: ViaStep): T {
  return copyWithVia(node, node.via ? [step, ...node.via] : [step]);
}

/**
 * A shallow copy of `node` whose provenance chain is `via`. Built field by field: a merge makes
 * one per value it carries, and spreading nodes of every shape costs ten times as much.
 */
export function copyWithVia<T extends Node>(node: T, via: readonly ViaStep[]): T {
  const n = node as Node;
  switch (n.kind) {
    case 'scalar':
      return { kind: 'scalar', value: n.value, span: n.span, via } as T;
    case 'map':
      return { kind: 'map', entries: n.entries, keySpans: n.keySpans, span: n.span, via } as T;
    case 'seq':
      return { kind: 'seq', items: n.items, span: n.span, via } as T;
    case 'ref':
      return { kind: 'ref', path: n.path, span: n.span, via } as T;
  }
}

export function isMap(n: Node | undefined): n is MapNode {
  return n?.kind === 'map';
}

export function isSeq(n: Node | undefined): n is SeqNode {
  return n?.kind === 'seq';
}

export function isScalar(n: Node | undefined): n is ScalarNode {
  return n?.kind === 'scalar';
}

/** Not written, or written as YAML null (`key:` / `~`): Ruby's nil either way. */
export function isAbsent(n: Node | undefined): boolean {
  return n === undefined || (n.kind === 'scalar' && n.value === null);
}

export function getPath(node: Node | undefined, path: readonly string[]): Node | undefined {
  let cur = node;
  for (const key of path) {
    if (!isMap(cur)) return undefined;
    cur = cur.entries.get(key);
  }
  return cur;
}

/** The node as plain data (what `JSON.stringify` or a YAML dump would show). */
export function toPlain(node: Node | undefined): unknown {
  if (!node) return undefined;
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(toPlain);
    case 'ref':
      return { '!reference': node.path };
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, v] of node.entries) out[k] = toPlain(v);
      return out;
    }
  }
}

/** Build a node from plain data (no spans), e.g. for values given on the command line. */
export function fromPlain(value: unknown, span?: Span): Node {
  if (Array.isArray(value)) return seqNode(value.map((v) => fromPlain(v, span)), span);
  if (value !== null && typeof value === 'object') {
    const m = mapNode(span);
    for (const [k, v] of Object.entries(value)) m.entries.set(k, fromPlain(v, span));
    return m;
  }
  if (value === undefined) return scalarNode(null, span);
  return scalarNode(value as Scalar, span);
}

/** Text of a scalar the way GitLab stringifies it into a string context. */
export function scalarText(value: Scalar): string {
  if (value === null) return '';
  return String(value);
}
