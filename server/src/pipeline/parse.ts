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
import type { Document, Node as YNode, ParsedNode, Tags } from 'yaml';
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

/** Maximum number of YAML nodes a file may expand to through aliases. */
export const MAX_ALIAS_EXPANSION = 1_000_000;

export function parseYaml(uri: string, text: string): ParsedFile {
  const diagnostics: PipelineDiagnostic[] = [];
  const span = (start: number, end: number): Span => ({ uri, start, end });
  let docs: Document.Parsed[];
  try {
    docs = parseAllDocuments(text, PARSE_OPTIONS) as Document.Parsed[];
    if (!Array.isArray(docs)) docs = [docs as unknown as Document.Parsed];
  } catch (e) {
    diagnostics.push({ severity: 'error', code: 'yaml-syntax', message: `Invalid YAML: ${(e as Error).message}`, span: span(0, 0) });
    return { uri, text, content: scalarNode(null, span(0, 0)), empty: true, diagnostics };
  }
  for (const doc of docs) {
    for (const err of doc.errors) {
      diagnostics.push({ severity: 'error', code: 'yaml-syntax', message: err.message.split('\n')[0], span: span(err.pos[0], err.pos[1]) });
    }
    for (const w of doc.warnings) {
      if (/Unresolved tag/.test(w.message)) {
        diagnostics.push({ severity: 'warning', code: 'yaml-tag', message: w.message.split('\n')[0], span: span(w.pos[0], w.pos[1]) });
      }
    }
  }
  if (diagnostics.some((d) => d.severity === 'error')) {
    return { uri, text, content: scalarNode(null, span(0, 0)), empty: true, diagnostics };
  }
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
  const empty = content.kind === 'scalar' && content.value === null;
  return { uri, text, header, content, empty, diagnostics };
}

class Converter {
  private memo = new Map<YNode, Node>();
  private budget = MAX_ALIAS_EXPANSION;
  private reportedBudget = false;

  constructor(
    private uri: string,
    private diagnostics: PipelineDiagnostic[],
  ) {}

  private span(n: YNode | null | undefined): Span | undefined {
    const r = (n as ParsedNode | undefined)?.range;
    return r ? { uri: this.uri, start: r[0], end: r[1] } : undefined;
  }

  convert(n: YNode | Alias | null, doc: Document.Parsed): Node {
    if (n === null || n === undefined) return scalarNode(null);
    if (isAlias(n)) {
      const target = n.resolve(doc as never) as YNode | undefined;
      if (!target) {
        this.diagnostics.push({ severity: 'error', code: 'yaml-alias', message: `Unknown anchor *${n.source}`, span: this.span(n as never)! });
        return scalarNode(null, this.span(n as never));
      }
      return this.convert(target, doc);
    }
    const cached = this.memo.get(n);
    if (cached) {
      this.budget -= 1;
      return cached;
    }
    if (--this.budget < 0) {
      if (!this.reportedBudget) {
        this.reportedBudget = true;
        this.diagnostics.push({ severity: 'error', code: 'yaml-too-large', message: 'The YAML document is too large (alias expansion limit reached)', span: this.span(n)! });
      }
      return scalarNode(null, this.span(n));
    }
    const out = this.convertFresh(n, doc);
    this.memo.set(n, out);
    return out;
  }

  private convertFresh(n: YNode, doc: Document.Parsed): Node {
    const span = this.span(n);
    if (n.tag === '!reference' && yIsScalar(n)) {
      const src = String(n.source ?? n.value ?? '');
      return this.invalidReference(src === '' ? '[]' : JSON.stringify(src), span);
    }
    if (yIsScalar(n)) {
      // The YAML 1.1 float pattern of the yaml package matches a lone "." (NaN); Psych keeps it a string.
      if (typeof n.value === 'number' && Number.isNaN(n.value) && !/^[-+]?\.nan$/i.test(String(n.source))) return scalarNode(String(n.source), span);
      return scalarNode(toScalar(n.value), span);
    }
    if (yIsSeq(n)) {
      const items = n.items.map((i) => this.convert(i as YNode, doc));
      if (n.tag === '!reference') {
        const path = items.map((i) => (i.kind === 'scalar' ? String(i.value ?? '') : ''));
        if (items.some((i) => i.kind !== 'scalar')) {
          this.diagnostics.push({ severity: 'error', code: 'reference-invalid', message: '!reference takes a list of keys, e.g. !reference [.job, script]', span: span! });
        }
        return { kind: 'ref', path, span };
      }
      return seqNode(items, span);
    }
    if (yIsMap(n)) {
      const m = mapNode(span);
      for (const pair of n.items) {
        if (!isPair(pair)) continue;
        const keyNode = pair.key as YNode | null;
        const keyVal = yIsScalar(keyNode) ? keyNode.value : keyNode === null ? '' : undefined;
        const isMerge = yIsScalar(keyNode) && (keyVal === '<<' || String(keyNode.source) === '<<') && keyNode.type === 'PLAIN';
        if (isMerge) {
          this.mergeInto(m, pair.value as YNode, doc);
          continue;
        }
        const key = keyVal === undefined ? String(keyNode) : keyVal === null ? '' : String(keyVal);
        m.entries.set(key, this.convert(pair.value as YNode | null, doc));
        const ks = this.span(keyNode);
        if (ks) m.keySpans.set(key, ks);
      }
      // Psych's hash, before GitLab symbolizes it: string keys.
      if (n.tag === '!reference') return this.invalidReference(rubyInspect(m, 'string'), span);
      return m;
    }
    return scalarNode(null, span);
  }

  private invalidReference(shown: string, span: Span | undefined): Node {
    this.diagnostics.push({ severity: 'error', code: 'reference-invalid', message: `!reference ${shown} is not valid`, span: span ?? { uri: this.uri, start: 0, end: 0 } });
    return { kind: 'ref', path: [], span };
  }

  /** Psych's merge-key rules: a map or alias merges over what is there; a list merges its maps, earlier ones winning. */
  private mergeInto(target: MapNode, value: YNode | null, doc: Document.Parsed): void {
    const v = this.convert(value, doc);
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
  }
}

function toScalar(v: unknown): Scalar {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return String(v);
}
