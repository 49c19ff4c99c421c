/**
 * YAML text → engine nodes, typed the way GitLab's loader (Ruby Psych, YAML 1.1) types them.
 *
 * - `yes/no/on/off` are booleans, `0755` is octal, `1:30` is sexagesimal (YAML 1.1);
 *   timestamps stay strings (GitLab's safe_load refuses Date objects).
 * - `!reference [a, b]` becomes a RefNode; anchors/aliases are shared subtrees;
 *   merge keys `<<` follow Psych: merged in order, a later key overwrites an earlier one.
 * - A file of two documents whose first holds `spec:` is a header + content.
 */
import { Alias, isAlias, isMap as yIsMap, isPair, isScalar as yIsScalar, isSeq as yIsSeq, parseAllDocuments } from 'yaml';
import type { Document, Node as YNode, ParsedNode, Scalar as YScalar, Tags } from 'yaml';
import { mapNode, scalarNode, seqNode } from './model.js';
import type { MapNode, Node, PipelineDiagnostic, Scalar, Span } from './model.js';
import { rubyInspect } from './ruby-format.js';

export interface ParsedFile {
  uri: string;
  text: string;
  /** The `spec:` header document, when the file has one. */
  header?: MapNode;
  /** The content document (null node for an empty file). */
  content: Node;
  /** True when the content is empty (no document or a null document). */
  empty: boolean;
  diagnostics: PipelineDiagnostic[];
}

const referenceTag = {
  tag: '!reference',
  collection: 'seq' as const,
  resolve: (value: unknown) => value,
};
const referenceScalarTag = { tag: '!reference', resolve: (value: string) => value };
const referenceMapTag = { tag: '!reference', collection: 'map' as const, resolve: (value: unknown) => value };

/** Psych's booleans: yes/true/on and no/false/off in any case (`y`/`n` stay strings). */
const psychBool = {
  identify: (value: unknown) => typeof value === 'boolean',
  default: true,
  tag: 'tag:yaml.org,2002:bool',
  test: /^(?:yes|true|on|no|false|off)$/i,
  resolve: (str: string) => /^(?:yes|true|on)$/i.test(str),
};

function gitlabTags(tags: Tags): Tags {
  const kept = tags.filter((t) => typeof t === 'object' && t.tag !== 'tag:yaml.org,2002:timestamp' && t.tag !== 'tag:yaml.org,2002:bool');
  return [psychBool as never, ...kept, referenceTag as never, referenceScalarTag as never, referenceMapTag as never];
}

const PARSE_OPTIONS = {
  version: '1.1' as const,
  merge: true,
  uniqueKeys: false,
  customTags: gitlabTags,
  prettyErrors: false,
  strict: false,
};

/**
 * GitLab's `max_yaml_size_bytes` (2 MB since GitLab 17.3): the memory a file's parsed YAML may
 * take as Gitlab::Utils::DeepSize measures it — every use of an alias counted again, so an alias
 * bomb is too big however short its text. Also the most text a file may hold to be read at all.
 */
export const MAX_YAML_SIZE = 2 * 1024 * 1024;
/** GitLab's `max_yaml_depth`: how many hashes and arrays may nest. */
export const MAX_YAML_DEPTH = 100;

/** Syntax errors reported per file (GitLab reports the first); the rest are counted in one more. */
export const MAX_SYNTAX_ERRORS = 100;

const TOO_BIG = 'The parsed YAML is too big';
const megabytes = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

export function parseYaml(uri: string, text: string): ParsedFile {
  const diagnostics: PipelineDiagnostic[] = [];
  const span = (start: number, end: number): Span => ({ uri, start, end });
  const rejected = () => ({ uri, text, content: scalarNode(null, span(0, 0)), empty: true, diagnostics });
  // UTF-8 takes at least a byte per UTF-16 unit: more units than the limit is more bytes too.
  if (text.length > MAX_YAML_SIZE) {
    const message = `${TOO_BIG}: the file holds ${megabytes(text.length)} of text, more than GitLab's limit of ${megabytes(MAX_YAML_SIZE)} (max_yaml_size_bytes); it is not read`;
    diagnostics.push({ severity: 'error', code: 'yaml-too-large', message, span: span(MAX_YAML_SIZE, MAX_YAML_SIZE + 1) });
    return rejected();
  }
  const tooDeep = (message: string) => /Maximum call stack size exceeded/.test(message);
  const deepMessage = `${TOO_BIG}: it nests more than ${MAX_YAML_DEPTH} levels deep (max_yaml_depth)`;
  let docs: Document.Parsed[];
  // The parser builds an Error per syntax error: no stack traces (a broken file can hold tens of thousands).
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    docs = parseAllDocuments(text, PARSE_OPTIONS) as Document.Parsed[];
    if (!Array.isArray(docs)) docs = [docs as unknown as Document.Parsed];
  } catch (e) {
    const message = (e as Error).message;
    if (tooDeep(message)) diagnostics.push({ severity: 'error', code: 'yaml-too-large', message: deepMessage, span: span(0, 0) });
    else diagnostics.push({ severity: 'error', code: 'yaml-syntax', message: `Invalid YAML: ${message}`, span: span(0, 0) });
    return rejected();
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  let syntaxErrors = 0;
  for (const doc of docs) {
    for (const err of doc.errors) {
      // GitLab stops at the first; an editor shows the first hundred and how many more there are.
      if (++syntaxErrors > MAX_SYNTAX_ERRORS) continue;
      // The parser recurses per nesting level: thousands of levels exhaust the stack (GitLab stops at 100).
      if (tooDeep(err.message)) {
        if (!diagnostics.some((d) => d.code === 'yaml-too-large')) diagnostics.push({ severity: 'error', code: 'yaml-too-large', message: deepMessage, span: span(err.pos[0], err.pos[1]) });
      } else diagnostics.push({ severity: 'error', code: 'yaml-syntax', message: err.message.split('\n')[0], span: span(err.pos[0], err.pos[1]) });
    }
    if (syntaxErrors > MAX_SYNTAX_ERRORS && doc === docs[docs.length - 1]) {
      const last = diagnostics[diagnostics.length - 1].span;
      diagnostics.push({ severity: 'error', code: 'yaml-syntax', message: `… and ${syntaxErrors - MAX_SYNTAX_ERRORS} more YAML syntax errors`, span: last });
    }
    for (const w of doc.warnings) {
      if (/Unresolved tag/.test(w.message)) {
        diagnostics.push({ severity: 'warning', code: 'yaml-tag', message: w.message.split('\n')[0], span: span(w.pos[0], w.pos[1]) });
      }
    }
  }
  if (diagnostics.some((d) => d.severity === 'error')) return rejected();
  const converter = new Converter(uri, diagnostics);
  let header: MapNode | undefined;
  let contentDoc = docs[0];
  if (docs.length > 1) {
    const first = docs[0].contents;
    if (yIsMap(first) && first.items.some((p) => yIsScalar(p.key) && p.key.value === 'spec')) {
      const h = converter.convert(first, docs[0]);
      if (h.kind === 'map') header = h;
      contentDoc = docs[1];
    } else {
      diagnostics.push({
        severity: 'error',
        code: 'yaml-multidoc',
        message: 'A CI file may only hold two YAML documents: a `spec:` header and the configuration',
        span: span(docs[1].range[0], docs[1].range[0]),
      });
    }
    if (docs.length > 2) {
      diagnostics.push({
        severity: 'error',
        code: 'yaml-multidoc',
        message: 'Too many YAML documents: at most a `spec:` header and the configuration are allowed',
        span: span(docs[2].range[0], docs[2].range[0]),
      });
    }
  }
  const contents = contentDoc?.contents ?? null;
  const content = contents ? converter.convert(contents, contentDoc) : scalarNode(null, span(0, 0));
  if (converter.tooBig) return rejected();
  const empty = content.kind === 'scalar' && content.value === null;
  return { uri, text, header, content, empty, diagnostics };
}

/**
 * Ruby's ObjectSpace.memsize_of on 64-bit, roughly, for what Psych builds: a String is a 40-byte
 * object plus its bytes beyond 23 (shorter ones are embedded); integers, floats, booleans and nil
 * are immediates (0); an Array holds 8 bytes per item beyond 3; a Hash an 8-entry table when small.
 */
const RVALUE = 40;
const stringSize = (s: string) => RVALUE + (s.length > 23 ? s.length + 1 : 0);
const scalarSize = (v: Scalar) => (typeof v === 'string' ? stringSize(v) : 0);
const arraySize = (n: number) => RVALUE + (n > 3 ? 8 * n : 0);
const hashSize = (n: number) => RVALUE + (n === 0 ? 0 : n <= 8 ? 128 : 56 + 32 * n);

class Converter {
  private memo = new Map<YNode, Node>();
  /** Deep size and nesting height of every converted node: a node an alias reuses costs them again at each use. */
  private measures = new Map<Node, { size: number; height: number }>();
  /** DeepSize's running total, in document order (GitLab stops where it crosses the limit). */
  private total = 0;
  /** Set once a limit is crossed: the file is rejected and nothing more is built. */
  tooBig = false;

  constructor(
    private uri: string,
    private diagnostics: PipelineDiagnostic[],
  ) {}

  private span(n: YNode | null | undefined): Span | undefined {
    const r = (n as ParsedNode | undefined)?.range;
    return r ? { uri: this.uri, start: r[0], end: r[1] } : undefined;
  }

  private reject(why: string, span: Span | undefined): Node {
    if (!this.tooBig) {
      this.tooBig = true;
      this.diagnostics.push({ severity: 'error', code: 'yaml-too-large', message: `${TOO_BIG}: ${why}`, span: span ?? { uri: this.uri, start: 0, end: 0 } });
    }
    return scalarNode(null);
  }

  /** Count `size` more bytes; false (and the file rejected) once over the limit. */
  private add(size: number, span: Span | undefined): boolean {
    this.total += size;
    if (this.total <= MAX_YAML_SIZE) return true;
    this.reject(`more than ${megabytes(MAX_YAML_SIZE)} once loaded (max_yaml_size_bytes; every use of an alias counts)`, span);
    return false;
  }

  /** `depth`: how many hashes and arrays hold this node. `site`: where an alias to it was written. */
  convert(n: YNode | Alias | null, doc: Document.Parsed, depth = 0, site?: Span): Node {
    if (this.tooBig) return scalarNode(null);
    if (n === null || n === undefined) return scalarNode(null);
    if (isAlias(n)) {
      const target = n.resolve(doc as never) as YNode | undefined;
      if (!target) {
        this.diagnostics.push({ severity: 'error', code: 'yaml-alias', message: `Unknown anchor *${n.source}`, span: this.span(n as never)! });
        return scalarNode(null, this.span(n as never));
      }
      return this.convert(target, doc, depth, this.span(n as never));
    }
    const cached = this.memo.get(n);
    if (cached) {
      const m = this.measures.get(cached);
      // An alias inside its own anchor (not yet built): GitLab's DeepSize would recurse without end.
      if (!m) return this.reject(`an alias refers to the node that holds it`, site ?? this.span(n));
      if (depth + m.height > MAX_YAML_DEPTH) return this.reject(`it nests more than ${MAX_YAML_DEPTH} levels deep (max_yaml_depth)`, site ?? this.span(n));
      if (!this.add(m.size, site ?? this.span(n))) return scalarNode(null);
      return cached;
    }
    const placeholder = scalarNode(null);
    this.memo.set(n, placeholder);
    const out = this.convertFresh(n, doc, depth);
    this.memo.set(n, out);
    return out;
  }

  private measured(node: Node, size: number, height: number): Node {
    this.measures.set(node, { size, height });
    return node;
  }

  private convertFresh(n: YNode, doc: Document.Parsed, depth: number): Node {
    const span = this.span(n);
    if (n.tag === '!reference' && yIsScalar(n)) {
      const src = String(n.source ?? n.value ?? '');
      return this.measured(this.invalidReference(src === '' ? '[]' : JSON.stringify(src), span), scalarSize(src), 0);
    }
    if (yIsScalar(n)) {
      const value = psychScalar(n);
      const size = scalarSize(value);
      if (!this.add(size, span)) return scalarNode(null);
      return this.measured(scalarNode(value, span), size, 0);
    }
    const level = depth + 1;
    if (level > MAX_YAML_DEPTH) return this.reject(`it nests more than ${MAX_YAML_DEPTH} levels deep (max_yaml_depth)`, span);
    if (yIsSeq(n)) {
      let size = arraySize(n.items.length);
      if (!this.add(size, span)) return scalarNode(null);
      let height = 0;
      const items: Node[] = [];
      for (const i of n.items) {
        const item = this.convert(i as YNode, doc, level);
        const m = this.measures.get(item);
        if (m) {
          size += m.size;
          height = Math.max(height, m.height);
        }
        items.push(item);
      }
      if (this.tooBig) return scalarNode(null);
      if (n.tag === '!reference') {
        const path = items.map((i) => (i.kind === 'scalar' ? String(i.value ?? '') : ''));
        if (items.some((i) => i.kind !== 'scalar')) {
          this.diagnostics.push({ severity: 'error', code: 'reference-invalid', message: '!reference takes a list of keys, e.g. !reference [.job, script]', span: span! });
        }
        return this.measured({ kind: 'ref', path, span }, size, height + 1);
      }
      return this.measured(seqNode(items, span), size, height + 1);
    }
    if (yIsMap(n)) {
      const m = mapNode(span);
      let size = hashSize(n.items.length);
      if (!this.add(size, span)) return scalarNode(null);
      let height = 0;
      const measure = (node: Node) => {
        const x = this.measures.get(node);
        if (x) {
          size += x.size;
          height = Math.max(height, x.height);
        }
      };
      for (const pair of n.items) {
        if (this.tooBig) return scalarNode(null);
        if (!isPair(pair)) continue;
        const keyNode = pair.key as YNode | null;
        const keyVal = yIsScalar(keyNode) ? psychScalar(keyNode) : keyNode === null ? '' : undefined;
        const isMerge = yIsScalar(keyNode) && (keyVal === '<<' || String(keyNode.source) === '<<') && keyNode.type === 'PLAIN';
        if (isMerge) {
          // The merged entries land in this hash: measured at this hash's own depth.
          const merged = this.mergeInto(m, pair.value as YNode, doc, depth);
          if (merged) measure(merged);
          continue;
        }
        const key = keyVal === undefined ? String(keyNode) : keyVal === null ? '' : String(keyVal);
        const keySize = stringSize(key);
        if (!this.add(keySize, this.span(keyNode) ?? span)) return scalarNode(null);
        size += keySize;
        const value = this.convert(pair.value as YNode | null, doc, level);
        measure(value);
        m.entries.set(key, value);
        const ks = this.span(keyNode);
        if (ks) m.keySpans.set(key, ks);
      }
      if (this.tooBig) return scalarNode(null);
      // Psych's hash, before GitLab symbolizes it: string keys.
      if (n.tag === '!reference') return this.measured(this.invalidReference(rubyInspect(m, 'string'), span), size, height + 1);
      return this.measured(m, size, height + 1);
    }
    return this.measured(scalarNode(null, span), 0, 0);
  }

  private invalidReference(shown: string, span: Span | undefined): Node {
    this.diagnostics.push({ severity: 'error', code: 'reference-invalid', message: `!reference ${shown} is not valid`, span: span ?? { uri: this.uri, start: 0, end: 0 } });
    return { kind: 'ref', path: [], span };
  }

  /** Psych's merge-key rules: a map or alias merges over what is there; a list merges its maps, earlier ones winning. */
  private mergeInto(target: MapNode, value: YNode | null, doc: Document.Parsed, depth: number): Node | undefined {
    const v = this.convert(value, doc, depth);
    if (this.tooBig) return undefined;
    const sources: MapNode[] = [];
    if (v.kind === 'map') sources.push(v);
    else if (v.kind === 'seq') {
      for (const item of [...v.items].reverse()) if (item.kind === 'map') sources.push(item);
    } else {
      this.diagnostics.push({ severity: 'error', code: 'yaml-merge', message: 'A merge key `<<` needs a mapping or a list of mappings', span: v.span ?? this.span(value)! });
      return;
    }
    for (const src of sources) {
      for (const [k, node] of src.entries) {
        target.entries.set(k, node);
        const ks = src.keySpans.get(k);
        if (ks) target.keySpans.set(k, ks);
      }
    }
    return v;
  }
}

/** A scalar (value or key) as Psych types it. */
function psychScalar(n: YScalar): Scalar {
  // The YAML 1.1 float pattern of the yaml package matches a lone "." or `.e0` (NaN); Psych keeps them strings.
  if (typeof n.value === 'number' && Number.isNaN(n.value) && !/^[-+]?\.nan$/i.test(String(n.source))) return String(n.source);
  return toScalar(n.value);
}

function toScalar(v: unknown): Scalar {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return String(v);
}
