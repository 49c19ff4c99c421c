/**
 * The fast YAML front end: js-yaml's event stream (`parseEvents`, source offsets for every scalar,
 * anchor and tag) turned into the `yaml` package's nodes, with the ranges that package would give
 * them, so the converter (yaml-convert.ts) and everything after it see the same input either way.
 * It is an order of magnitude faster than composing with the `yaml` package, which matters for a
 * library of a hundred big files read at start-up.
 *
 * It takes only what it is sure of: one document, or a `spec:` header and a content document;
 * no directives, no tag but `!reference`, no empty node it cannot place. Anything else — and every
 * text js-yaml rejects — returns undefined, and the caller parses with the `yaml` package, whose
 * messages and recovery the editor shows. Same nodes and spans as that package: tested on every
 * YAML file of the corpus (test/pipeline/yaml-events.test.ts).
 */
import { CHOMPING_MODE, EVENT_ID, SCALAR_STYLE, COLLECTION_STYLE, getScalarValue, parseEvents } from 'js-yaml';
import type { Event, ScalarEvent } from 'js-yaml';
import { Document, isMap as yIsMap, isScalar as yIsScalar } from 'yaml';
import { aliasWork } from './yaml-convert.js';
import { afterColon, blockEnd, blockHeader, closing, emptyEnd, lineEnd, trailingComments, unsure } from './yaml-ranges.js';
import type { Alias, DocumentOptions, Node as YNode, Pair, ParseOptions, Scalar, SchemaOptions } from 'yaml';

/** What the converter needs of a document: its root node, and where each alias points. */
export interface EventDocument {
  contents: YNode | null;
  /** Every alias → the last node anchored with its name before it. */
  aliases: Map<Alias, YNode | undefined>;
  /** The last node anchored with each name. */
  anchors: Map<string, YNode>;
}

type Options = ParseOptions & DocumentOptions & SchemaOptions;
type ScalarTagLike = { default?: boolean | 'key'; test?: RegExp; resolve: (value: string, onError: (m: string) => void, options: unknown) => unknown; collection?: string; tag: string };

/** Plain scalars are typed by the schema the `yaml` package would use for `options`. */
const schemas = new WeakMap<object, PlainSchema>();
export function schemaOf(options: Options): PlainSchema {
  let s = schemas.get(options);
  if (!s) {
    const doc = new Document(null, options);
    s = { tags: (doc.schema.tags as unknown as ScalarTagLike[]).filter((t) => !t.collection), options: doc.options };
    schemas.set(options, s);
  }
  return s;
}

export type PlainSchema = { tags: ScalarTagLike[]; options: unknown };

/**
 * A plain scalar's value as the schema types it (`yes` → true, `012` → 10, ...): the tag's value,
 * a node of the schema's own for the merge key `<<`; not sure when the tag refuses the text.
 */
export function typePlain(value: string, atKey: boolean, schema: PlainSchema): unknown {
  const tag = MAYBE_TYPED.test(value) ? schema.tags.find((t) => (t.default === true || (atKey && t.default === 'key')) && t.test?.test(value)) : undefined;
  if (!tag) return value;
  let failed = false;
  const res = tag.resolve(value, () => (failed = true), schema.options);
  return failed ? unsure() : res;
}

/**
 * The `yaml` package tells its node kinds by these registered symbols (nodes/identity): plain
 * objects that carry them are its nodes to `isScalar`, `isMap`… and cost a fraction of its classes.
 */
const NODE_TYPE = Symbol.for('yaml.node.type');
const ALIAS = Symbol.for('yaml.alias');
const MAP = Symbol.for('yaml.map');
const PAIR = Symbol.for('yaml.pair');
const SCALAR = Symbol.for('yaml.scalar');
const SEQ = Symbol.for('yaml.seq');

type Range3 = [number, number, number];
const scalarNode = (value: unknown, source: string, type: Scalar['type'], range: Range3, tag: string | undefined): Ranged =>
  ({ [NODE_TYPE]: SCALAR, value, source, type, range, tag, anchor: undefined }) as unknown as Ranged;

/** Plain scalars that no implicit tag of GitLab's schema can type: they do not start like a null, boolean, number or `<<`. */
const MAYBE_TYPED = /^(?:$|[~nNyYtToOfF0-9+\-.<])/;

const REFERENCE = '!reference';
const NO = -1;

/** Parse `text` into at most two documents; undefined when this front end is not sure (see above). */
export function parseYamlEvents(text: string, options: Options): EventDocument[] | undefined {
  // A byte-order mark, lone CRs, tabs in indentation: the packages differ on them.
  if (text.charCodeAt(0) === 0xfeff || /\r(?!\n)/.test(text) || /^ *\t/m.test(text)) return undefined;
  // No stack traces: js-yaml's errors are caught here, and a broken file may make many.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const events = parseEvents(text, { maxDepth: 1000 });
    return new Builder(text, events, schemaOf(options)).documents();
  } catch {
    // js-yaml rejects the text, this front end is not sure of it (NOT_SURE), or an event stream of a
    // shape not met before: the `yaml` package parses.
    return undefined;
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** Ranges are `[start, valueEnd, nodeEnd]` as the `yaml` package sets them; nodeEnd takes a trailing comment and line break. */
type Ranged = YNode & { range: [number, number, number] };

class Builder {
  private at = 0;
  private doc!: EventDocument;
  constructor(
    private text: string,
    private events: Event[],
    private schema: PlainSchema,
  ) {}

  documents(): EventDocument[] {
    const docs: EventDocument[] = [];
    const ev = this.events;
    while (this.at < ev.length) {
      const e = ev[this.at++];
      if (e.type !== EVENT_ID.DOCUMENT || e.directives.length) unsure();
      if (docs.length === 2) unsure();
      this.doc = { contents: null, aliases: new Map(), anchors: new Map() };
      if (ev[this.at]?.type === EVENT_ID.POP) unsure(); // an explicit empty document: its place is the `yaml` package's to say
      this.doc.contents = this.node(undefined);
      if (ev[this.at++]?.type !== EVENT_ID.POP) unsure();
      docs.push(this.doc);
    }
    if (docs.length === 2) {
      const first = docs[0].contents;
      if (!(yIsMap(first) && first.items.some((p) => yIsScalar(p.key) && p.key.value === 'spec'))) unsure();
    }
    return docs;
  }

  /** The node at the cursor. `emptyAt`: where an empty scalar sits (after its key's `:`). */
  private node(emptyAt: number | undefined, atKey = false): Ranged {
    const e = this.events[this.at++];
    aliasWork.nodesVisited++;
    switch (e.type) {
      case EVENT_ID.SCALAR:
        return this.anchored(this.scalar(e, emptyAt, atKey), e.anchorStart, e.anchorEnd);
      case EVENT_ID.ALIAS: {
        const name = this.anchorName(e.anchorStart, e.anchorEnd);
        const start = e.anchorStart - 1;
        if (this.text.charCodeAt(start) !== 42 /* * */) unsure();
        const a = { [NODE_TYPE]: ALIAS, source: name, range: [start, e.anchorEnd, lineEnd(this.text, e.anchorEnd)], anchor: undefined } as unknown as Ranged;
        this.doc.aliases.set(a as unknown as Alias, this.doc.anchors.get(name));
        return a;
      }
      case EVENT_ID.MAPPING:
      case EVENT_ID.SEQUENCE: {
        const tag = this.tagOf(e.tagStart, e.tagEnd);
        const isMap = e.type === EVENT_ID.MAPPING;
        const c = { [NODE_TYPE]: isMap ? MAP : SEQ, items: [], range: undefined, tag, anchor: undefined, flow: false } as unknown as Ranged & { items: unknown[]; flow: boolean };
        // An anchor names the node from its start: an alias inside it (to itself) already sees it.
        this.anchored(c, e.anchorStart, e.anchorEnd);
        const flow = e.style === COLLECTION_STYLE.FLOW;
        if (flow) c.flow = true;
        // A block collection starts its line, or follows the `- ` of a sequence item on it (js-yaml takes `key: !tag a: b`; YAML does not).
        else if (!/^[ ]*(?:-[ ]+)*$/.test(this.text.slice(this.text.lastIndexOf('\n', e.start - 1) + 1, e.start))) unsure();
        let last: Ranged | undefined;
        while (this.events[this.at].type !== EVENT_ID.POP) {
          if (isMap) {
            const key = this.node(undefined, true);
            // A collection or alias as a key: its text form is the `yaml` package's to give.
            if ((key as { [NODE_TYPE]?: symbol })[NODE_TYPE] !== SCALAR) unsure();
            const value = this.node(afterColon(this.text, key.range[1]));
            (c.items as Pair[]).push({ [NODE_TYPE]: PAIR, key, value } as unknown as Pair);
            last = value;
          } else {
            last = this.node(undefined);
            c.items.push(last);
          }
        }
        this.at++;
        if (flow) {
          const end = closing(this.text, last ? last.range[2] : e.start + 1, isMap ? 125 : 93);
          c.range = [e.start, end, lineEnd(this.text, end)];
        } else {
          if (!last) unsure();
          // It starts at its first key or `-` (js-yaml counts an anchor or tag on the line before them in).
          const first = isMap ? (c.items[0] as Pair & { key: Ranged }).key.range[0] : this.text.charCodeAt(e.start) === 45 ? e.start : NO;
          if (first !== e.start) unsure();
          const end = last!.range[2];
          c.range = [e.start, end, trailingComments(this.text, e.start, end)];
        }
        return c;
      }
      default:
        return unsure();
    }
  }

  private anchored<T extends Ranged>(n: T, start: number, end: number): T {
    if (start !== NO) {
      const name = this.anchorName(start, end);
      // White space after an anchor (YAML requires it; js-yaml does not).
      if (!/[ \t\r\n]/.test(this.text[end] ?? '\n')) unsure();
      n.anchor = name;
      this.doc.anchors.set(name, n);
    }
    return n;
  }

  /** An anchor's name: no flow indicator in it (YAML forbids them; js-yaml takes some). */
  private anchorName(start: number, end: number): string {
    const name = this.text.slice(start, end);
    return /[[\]{},]/.test(name) ? unsure() : name;
  }

  private tagOf(start: number, end: number): string | undefined {
    if (start === NO) return undefined;
    const tag = this.text.slice(start, end);
    return tag === REFERENCE ? tag : unsure();
  }

  private scalar(e: ScalarEvent, emptyAt: number | undefined, atKey: boolean): Ranged {
    const tag = this.tagOf(e.tagStart, e.tagEnd);
    const text = this.text;
    if (e.valueStart === NO) {
      // An empty value: the `yaml` package places it right after its key's `:`.
      if (emptyAt === undefined || tag || e.anchorStart !== NO || e.style !== SCALAR_STYLE.PLAIN) unsure();
      const end = emptyEnd(this.text, emptyAt!);
      return this.typed('', atKey, [emptyAt!, emptyAt!, end]);
    }
    const value = getScalarValue(text, e);
    switch (e.style) {
      case SCALAR_STYLE.PLAIN: {
        const range: Range3 = [e.valueStart, e.valueEnd, lineEnd(this.text, e.valueEnd)];
        return tag ? scalarNode(value, value, 'PLAIN', range, tag) : this.typed(value, atKey, range);
      }
      case SCALAR_STYLE.SINGLE_QUOTED:
      case SCALAR_STYLE.DOUBLE_QUOTED:
        return scalarNode(value, value, e.style === SCALAR_STYLE.SINGLE_QUOTED ? 'QUOTE_SINGLE' : 'QUOTE_DOUBLE', [e.valueStart - 1, e.valueEnd + 1, lineEnd(this.text, e.valueEnd + 1)], tag);
      default: {
        // An empty block scalar: where its node ends is not placed here.
        if (!/[^\n]/.test(value)) unsure();
        // Trailing blank lines are the node's only when kept (`|+`).
        const end = e.chomping === CHOMPING_MODE.KEEP ? e.valueEnd : blockEnd(this.text, e.valueStart, e.valueEnd);
        return scalarNode(value, value, e.style === SCALAR_STYLE.LITERAL_BLOCK ? 'BLOCK_LITERAL' : 'BLOCK_FOLDED', [blockHeader(this.text, e.valueStart), end, end], tag);
      }
    }
  }

  /** A plain scalar typed as the `yaml` package types it (a key may also be `<<`). */
  private typed(value: string, atKey: boolean, range: Range3): Ranged {
    const res = typePlain(value, atKey, this.schema);
    if (!yIsScalar(res)) return scalarNode(res, value, 'PLAIN', range, undefined);
    // A node of the schema's own (the merge key): kept, as the `yaml` package keeps it.
    const s = res as Scalar & { range: Range3 };
    s.source = value;
    s.type = 'PLAIN';
    s.range = range;
    return s as unknown as Ranged;
  }
}
