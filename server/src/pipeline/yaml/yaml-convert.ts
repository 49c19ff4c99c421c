/**
 * Parsed YAML (the `yaml` package's nodes) → engine nodes, typed the way GitLab's loader (Ruby
 * Psych, YAML 1.1) types them, measured against GitLab's size and depth limits as it goes.
 * A document may come in one piece or as top-level blocks parsed on their own (yaml-blocks.ts):
 * every yaml node is converted with its `Src` — its block's document and where the block starts
 * in the file — and an alias its own block cannot resolve looks in the blocks before it.
 */
import { isAlias, isMap as yIsMap, isPair, isScalar as yIsScalar, isSeq as yIsSeq, visit } from 'yaml';
import type { Alias, Document, Node as YNode, ParsedNode, Scalar as YScalar } from 'yaml';
import { mapNode, scalarNode, seqNode } from '../model.js';
import type { MapNode, Node, PipelineDiagnostic, Scalar, Span } from '../model.js';
import { rubyInspect } from './ruby-format.js';
import { disallowedMessage, psychBinary, psychScalar, psychTyped, taggedClass } from './psych-scalars.js';
import type { DisallowedClass } from './psych-scalars.js';

/** Tags whose scalars the schema (parse.ts) already gives Psych's value; under any other the text is typed as a plain scalar. */
const PSYCH_OWN_TAG = /^(?:tag:yaml\.org,2002:(?:str|binary|float|int|bool|null|timestamp)|!(?:str|reference)|!ruby\/.*)$/;

/** Where a yaml node was parsed: its document, the file offset its ranges count from, and the anchors of earlier blocks. */
export interface Src {
  doc: Document.Parsed;
  base: number;
  /** The last node anchored `name` in the blocks before this one (same YAML document). */
  anchorBefore?: (name: string) => { node: YNode; src: Src } | undefined;
}

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

export const TOO_BIG = 'The parsed YAML is too big';
export const megabytes = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/**
 * Ruby's ObjectSpace.memsize_of on 64-bit, roughly, for what Psych builds: a String is a 40-byte
 * object plus its bytes beyond 23 (shorter ones are embedded); integers, floats, booleans and nil
 * are immediates (0); an Array holds 8 bytes per item beyond 3; a Hash an 8-entry table when small.
 */
const RVALUE = 40;
export const stringSize = (s: string) => RVALUE + (s.length > 23 ? s.length + 1 : 0);
export const scalarSize = (v: Scalar) => (typeof v === 'string' ? stringSize(v) : 0);
export const arraySize = (n: number) => RVALUE + (n > 3 ? 8 * n : 0);
export const hashSize = (n: number) => RVALUE + (n === 0 ? 0 : n <= 8 ? 128 : 56 + 32 * n);

export interface ConvertedNode {
  node: Node;
  size: number;
  height: number;
}

export class Converter {
  /**
   * Yaml node → its conversion, for the nodes that can be reached twice or are asked for later:
   * anchored nodes (an alias reuses them) and the top-level values (`converted()`, `seed()`).
   * Other nodes are converted once, on their only path, and not remembered (a whole file holds
   * hundreds of thousands of them).
   */
  private memo = new Map<YNode, Node>();
  /** Where each top-level key was written: seeded for reused blocks, so a key keeps its span object. */
  private topKeySpans = new Map<unknown, Span>();
  /** Deep size and nesting height of the remembered nodes: a node an alias reuses costs them again at each use. */
  private measures = new Map<Node, { size: number; height: number }>();
  /** The deep size and nesting height of the node the last `convert` returned (0 for one not built: the file is rejected). */
  private lastSize = 0;
  private lastHeight = 0;
  /** DeepSize's running total, in document order (GitLab stops where it crosses the limit). */
  private total = 0;
  /** Set once a limit is crossed: the file is rejected and nothing more is built. */
  tooBig = false;

  constructor(
    private uri: string,
    private diagnostics: PipelineDiagnostic[],
  ) {}

  private span(n: YNode | null | undefined, src: Src): Span | undefined {
    const r = (n as ParsedNode | undefined)?.range;
    return r ? { uri: this.uri, start: r[0] + src.base, end: r[1] + src.base } : undefined;
  }

  private reject(why: string, span: Span | undefined): Node {
    if (!this.tooBig) {
      this.tooBig = true;
      this.diagnostics.push({ severity: 'error', code: 'yaml-too-large', message: `${TOO_BIG}: ${why}`, span: span ?? { uri: this.uri, start: 0, end: 0 } });
    }
    return this.none();
  }

  /** A null node that is not measured (nothing built: the file is rejected, or the value is empty). */
  private none(span?: Span): Node {
    this.lastSize = 0;
    this.lastHeight = 0;
    return scalarNode(null, span);
  }

  /** Count `size` more bytes; false (and the file rejected) once over the limit. */
  private add(size: number, span: Span | undefined): boolean {
    this.total += size;
    if (this.total <= MAX_YAML_SIZE) return true;
    this.reject(`more than ${megabytes(MAX_YAML_SIZE)} once loaded (max_yaml_size_bytes; every use of an alias counts)`, span);
    return false;
  }

  /** `depth`: how many hashes and arrays hold this node. `site`: where an alias to it was written. */
  convert(n: YNode | Alias | null, src: Src, depth = 0, site?: Span): Node {
    if (this.tooBig) return this.none();
    if (n === null || n === undefined) return this.none();
    if (isAlias(n)) {
      const aliasSpan = this.span(n as never, src);
      const own = aliasTargets(src.doc).get(n);
      const target = own ? { node: own, src } : src.anchorBefore?.(n.source);
      if (!target) {
        this.diagnostics.push({ severity: 'error', code: 'yaml-alias', message: `An alias referenced an unknown anchor: ${n.source}`, span: aliasSpan! });
        return this.none(aliasSpan);
      }
      return this.convert(target.node, target.src, depth, aliasSpan);
    }
    const remembered = depth <= 1 || !!n.anchor;
    if (!remembered) return this.convertFresh(n, src, depth);
    const cached = this.memo.get(n);
    if (cached) {
      const m = this.measures.get(cached);
      // An alias inside its own anchor (not yet built): GitLab's DeepSize would recurse without end.
      if (!m) return this.reject(`an alias refers to the node that holds it`, site ?? this.span(n, src));
      if (depth + m.height > MAX_YAML_DEPTH) return this.reject(`it nests more than ${MAX_YAML_DEPTH} levels deep (max_yaml_depth)`, site ?? this.span(n, src));
      if (!this.add(m.size, site ?? this.span(n, src))) return this.none();
      this.lastSize = m.size;
      this.lastHeight = m.height;
      return cached;
    }
    const placeholder = scalarNode(null);
    this.memo.set(n, placeholder);
    const out = this.convertFresh(n, src, depth);
    this.memo.set(n, out);
    // A node not built (the file is rejected) stays unmeasured, as the placeholder was.
    if (!this.tooBig) this.measures.set(out, { size: this.lastSize, height: this.lastHeight });
    return out;
  }

  /** What `n` was converted to, with its measures (parse.ts keeps the top-level values of clean blocks for the next parse). */
  converted(n: YNode): ConvertedNode | undefined {
    const node = this.memo.get(n);
    const m = node && this.measures.get(node);
    return node && m ? { node, ...m } : undefined;
  }

  /** The span object of a top-level key (parse.ts keeps them with the values). */
  topKeySpan(key: unknown): Span | undefined {
    return this.topKeySpans.get(key);
  }

  /** Start from earlier conversions of the same yaml nodes at the same offsets: they are used as they are. */
  seed(nodes: ReadonlyMap<YNode, ConvertedNode>, keys: ReadonlyMap<unknown, Span>): void {
    for (const [n, c] of nodes) {
      this.memo.set(n, c.node);
      this.measures.set(c.node, { size: c.size, height: c.height });
    }
    for (const [k, span] of keys) this.topKeySpans.set(k, span);
  }

  /** A top-level value converted to `fresh` stands for `kept` (an earlier node of the same text: kept-entries.ts), with its key span. */
  replace(n: YNode, fresh: Node, kept: Node, key: unknown, keySpan: Span): void {
    const m = this.measures.get(fresh);
    this.memo.set(n, kept);
    if (m) this.measures.set(kept, m);
    this.topKeySpans.set(key, keySpan);
  }

  private measured(node: Node, size: number, height: number): Node {
    this.lastSize = size;
    this.lastHeight = height;
    return node;
  }

  private convertFresh(n: YNode, src: Src, depth: number): Node {
    const span = this.span(n, src);
    if (n.tag === '!reference' && yIsScalar(n)) {
      const src = String(n.source ?? n.value ?? '');
      return this.measured(this.invalidReference(src === '' ? '[]' : JSON.stringify(src), span), scalarSize(src), 0);
    }
    // A tag naming a Ruby class (`!ruby/object:Foo`, `!!set`, ...): safe_load refuses the file.
    const refused = n.tag && n.tag !== '!reference' ? taggedClass(n.tag, yIsScalar(n) ? 'scalar' : yIsSeq(n) ? 'seq' : 'map', yIsScalar(n) ? String(n.source ?? n.value ?? '') : '') : undefined;
    if (refused && !refused.late) return this.refuse(refused, this.withTag(n.tag!, span));
    if (yIsScalar(n)) {
      const value = n.tag && !PSYCH_OWN_TAG.test(n.tag) ? this.underUnknownTag(n, span) : psychScalar(n);
      const size = scalarSize(value);
      if (!this.add(size, span)) return this.none();
      return this.measured(scalarNode(value, span), size, 0);
    }
    const level = depth + 1;
    if (level > MAX_YAML_DEPTH) return this.reject(`it nests more than ${MAX_YAML_DEPTH} levels deep (max_yaml_depth)`, span);
    if (yIsSeq(n)) {
      let size = arraySize(n.items.length);
      if (!this.add(size, span)) return this.none();
      let height = 0;
      const items: Node[] = [];
      for (const i of n.items) {
        const item = this.convert(i as YNode, src, level);
        size += this.lastSize;
        if (this.lastHeight > height) height = this.lastHeight;
        items.push(item);
      }
      if (this.tooBig) return this.none();
      if (n.tag === '!reference') {
        // Tags::Reference#valid?: every key a String (`!reference [1]` is not valid, as Psych typed it).
        const seq = seqNode(items, span);
        if (items.some((i) => i.kind !== 'scalar' || typeof i.value !== 'string')) return this.measured(this.invalidReference(rubyInspect(seq, 'string'), span), size, height + 1);
        return this.measured({ kind: 'ref', path: items.map((i) => String((i as { value: unknown }).value)), span, via: undefined }, size, height + 1);
      }
      return this.measured(seqNode(items, span), size, height + 1);
    }
    if (yIsMap(n)) {
      const map = this.convertMap(n.items, () => src, span, depth, n.tag === '!reference');
      return refused ? this.refuse(refused, this.withTag(n.tag!, span)) : map;
    }
    return this.none(span);
  }

  /**
   * A hash from its pairs: one yaml map's, or (for a document parsed in blocks) the top-level
   * pairs of every block, each converted with its own block's `Src`.
   */
  convertMap(pairs: readonly unknown[], srcOf: (index: number) => Src, span: Span | undefined, depth: number, referenceTag = false): Node {
    const level = depth + 1;
    if (level > MAX_YAML_DEPTH) return this.reject(`it nests more than ${MAX_YAML_DEPTH} levels deep (max_yaml_depth)`, span);
    const m = mapNode(span);
    let size = hashSize(pairs.length);
    if (!this.add(size, span)) return this.none();
    let height = 0;
    /**
     * Keys written in this mapping itself (a `<<` merge may be overridden without a warning): the
     * map's own keys until a merge brings others in, then this set (made at the first merge).
     */
    let written: Set<string> | undefined;
    for (let index = 0; index < pairs.length; index++) {
      const pair = pairs[index];
      if (this.tooBig) return this.none();
      if (!isPair(pair)) continue;
      const src = srcOf(index);
      const keyNode = pair.key as YNode | null;
      const keyVal = yIsScalar(keyNode) ? psychScalar(keyNode) : keyNode === null ? '' : undefined;
      // Psych merges under a `<<` key, quoted too (not `!!str <<`), when the value is a mapping, an alias of one or a list of them; otherwise `<<` is a key.
      const mergeKey = yIsScalar(keyNode) && (keyVal === '<<' || String(keyNode.source) === '<<') && keyNode.tag !== 'tag:yaml.org,2002:str';
      const isMerge = mergeKey && this.merges(pair.value as YNode | null, src);
      if (isMerge) {
        written ??= new Set(m.entries.keys());
        // The merged entries land in this hash: measured at this hash's own depth.
        if (this.mergeInto(m, pair.value as YNode, src, depth)) {
          size += this.lastSize;
          if (this.lastHeight > height) height = this.lastHeight;
        }
        continue;
      }
      const key = mergeKey ? '<<' : keyVal === undefined ? String(keyNode) : keyVal === null ? '' : String(keyVal);
      if (depth === 0 && !mergeKey && keyVal !== undefined && typeof keyVal !== 'string') (m.typedKeys ??= new Set()).add(key);
      const keySize = stringSize(key);
      let ks = depth === 0 ? this.topKeySpans.get(keyNode) : undefined;
      if (!ks) {
        ks = this.span(keyNode, src);
        if (depth === 0 && ks) this.topKeySpans.set(keyNode, ks);
      }
      if (!this.add(keySize, ks ?? span)) return this.none();
      size += keySize;
      const value = this.convert(pair.value as YNode | null, src, level);
      size += this.lastSize;
      if (this.lastHeight > height) height = this.lastHeight;
      if (written ? written.has(key) : m.entries.has(key)) this.duplicateKey(key, ks ?? span, m.keySpans.get(key));
      written?.add(key);
      m.entries.set(key, value);
      if (ks) m.keySpans.set(key, ks);
    }
    if (this.tooBig) return this.none();
    // Psych's hash, before GitLab symbolizes it: string keys.
    if (referenceTag) return this.measured(this.invalidReference(rubyInspect(m, 'string'), span), size, height + 1);
    return this.measured(m, size, height + 1);
  }

  /** A key written twice in one mapping: YAML 1.1 as Psych loads it keeps the later value silently. */
  private duplicateKey(key: string, span: Span | undefined, first: Span | undefined): void {
    this.diagnostics.push({
      severity: 'warning',
      code: 'yaml-duplicate-key',
      message: `\`${key}:\` is written twice in this mapping: the later \`${key}:\` wins, as in GitLab, and the earlier one is ignored`,
      span: span ?? { uri: this.uri, start: 0, end: 0 },
      related: first ? [{ span: first, message: `the earlier \`${key}:\`` }] : undefined,
      data: { key },
    });
  }

  /** A scalar under a tag Psych does not know (`!foo 12`, `! 12`): the tag is ignored and the text typed as a plain one, quoted or not. */
  private underUnknownTag(n: YScalar, span: Span | undefined): Scalar {
    const text = String(n.source ?? n.value ?? '');
    const v = n.tag === '!binary' ? psychBinary(text) : psychTyped(text);
    if (v === null || typeof v !== 'object') return v;
    this.refuse(v, span);
    return null;
  }

  /** A refused node's span from its tag on, when the tag was warned about as unresolved: that warning is dropped (the error says more). */
  private withTag(tag: string, span: Span | undefined): Span | undefined {
    if (!span) return span;
    const message = `Unresolved tag: ${tag}`;
    for (let i = this.diagnostics.length - 1; i >= 0; i--) {
      const d = this.diagnostics[i];
      if (d.code !== 'yaml-tag' || d.message !== message || d.span.end > span.start) continue;
      this.diagnostics.splice(i, 1);
      return { uri: span.uri, start: d.span.start, end: span.end };
    }
    return span;
  }

  /** A Ruby class safe_load refuses (a Date, a Time, a tag's class): the file is rejected here, the first one reported. */
  private refuse(d: DisallowedClass, span: Span | undefined): Node {
    if (!this.tooBig) {
      this.tooBig = true;
      this.diagnostics.push({ severity: 'error', code: 'yaml-syntax', message: disallowedMessage(d), span: span ?? { uri: this.uri, start: 0, end: 0 } });
    }
    return this.none();
  }

  private invalidReference(shown: string, span: Span | undefined): Node {
    this.diagnostics.push({ severity: 'error', code: 'reference-invalid', message: `!reference ${shown} is not valid`, span: span ?? { uri: this.uri, start: 0, end: 0 } });
    return { kind: 'ref', path: [], span, via: undefined };
  }

  /** Whether Psych merges `value` under `<<`: a mapping or an alias of one, or a written list whose every item is (an alias of) a mapping. */
  private merges(value: YNode | Alias | null, src: Src): boolean {
    const target = (n: unknown) => (isAlias(n) ? (aliasTargets(src.doc).get(n) ?? src.anchorBefore?.(n.source)?.node) : n);
    if (isAlias(value)) return yIsMap(target(value));
    if (yIsMap(value)) return true;
    return yIsSeq(value) && value.items.every((i) => yIsMap(target(i)));
  }

  /** Psych's merge-key rules: a map or alias merges over what is there; a list merges its maps, earlier ones winning. */
  private mergeInto(target: MapNode, value: YNode | null, src: Src, depth: number): Node | undefined {
    const v = this.convert(value, src, depth);
    if (this.tooBig) return undefined;
    const sources: MapNode[] = [];
    if (v.kind === 'map') sources.push(v);
    else if (v.kind === 'seq') {
      for (const item of [...v.items].reverse()) if (item.kind === 'map') sources.push(item);
    } else {
      this.diagnostics.push({ severity: 'error', code: 'yaml-merge', message: 'A merge key `<<` needs a mapping or a list of mappings', span: v.span ?? this.span(value, src)! });
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

/**
 * The nodes visited while alias tables are built (the engine's work counter for aliases: one walk
 * per document here, or one pass over its events in yaml-events.ts, however many aliases it holds;
 * tests read it to check the growth is linear).
 */
export const aliasWork = { nodesVisited: 0 };

const aliasTables = new WeakMap<Document.Parsed, Map<Alias, YNode | undefined>>();

/**
 * Every alias of `doc` → the node it names: the last node anchored with that name before it in
 * document order (YAML's rule, what the package's `Alias.resolve` finds). One walk of the document
 * for all its aliases, remembered per document: `Alias.resolve` without a cache walks the whole
 * document once per alias, which is quadratic in a file of hundreds of aliases.
 */
export function aliasTargets(doc: Document.Parsed): Map<Alias, YNode | undefined> {
  let table = aliasTables.get(doc);
  if (table) return table;
  const t = new Map<Alias, YNode | undefined>();
  const anchored = new Map<string, YNode>();
  visit(doc, {
    Node: (_key, node) => {
      aliasWork.nodesVisited++;
      if (isAlias(node)) t.set(node, anchored.get(node.source));
      else if (node.anchor) anchored.set(node.anchor, node as YNode);
    },
  });
  aliasTables.set(doc, (table = t));
  return table;
}

/** A document whose alias table its builder made as it went (yaml-events.ts): `aliasTargets` need not walk it. */
export function withAliasTable(doc: Document.Parsed, table: Map<Alias, YNode | undefined>): Document.Parsed {
  aliasTables.set(doc, table);
  return doc;
}
