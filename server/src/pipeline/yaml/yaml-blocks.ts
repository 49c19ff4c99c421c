/**
 * A CI file cut into its top-level blocks — one per key written at column 0, with the comment
 * and `- item` lines that follow it, grouped into chunks of a kilobyte or so — so that an edit
 * re-parses only the chunk it touches:
 * parse.ts keeps the parsed blocks of a file's last text and reuses every block whose text is
 * unchanged (its ranges count from the block's start, so a block that moved is still reusable).
 *
 * Only plain layouts are cut: one document, or a `spec:` header, a `---` line and the content.
 * Anything else (flow or complex keys at column 0, tags, anchors or aliases written at column 0,
 * directives, `...`, more documents, lone CR line breaks) is parsed whole; so is a file where
 * any block fails to parse on its own — the whole parse then gives the error, at its place.
 */
import { isMap as yIsMap, parseAllDocuments, visit } from 'yaml';
import type { Document, DocumentOptions, Node as YNode, ParseOptions, SchemaOptions } from 'yaml';
import { withAliasTable } from './yaml-convert.js';
import type { ConvertedNode } from './yaml-convert.js';
import { parseYamlEvents } from './yaml-events.js';
import type { Span } from '../model.js';

export interface Range {
  start: number;
  end: number;
}

export interface BlockLayout {
  /** The `spec:` header document, when a `---` line follows it. */
  header?: Range;
  /** The content document's blocks, in order (none for an empty document). */
  blocks: Range[];
}

/** A first character that no plain top-level key of a CI file has: parse such a file whole. */
const UNSUPPORTED_START = /[[\]{}?:&*!|>%@`,]/;
/** Lines that continue the block above: indented, comments, compact sequence items, blank. */
const CONTINUATION = /[ \t#\-\r]/;
const DOCUMENT_MARKER = /^---[ \t]*(?:#.*)?\r?$/;

/** Where the top-level blocks of `text` are; undefined when the layout is not one we cut. */
export function splitBlocks(text: string): BlockLayout | undefined {
  if (/\r(?!\n)/.test(text)) return undefined;
  let header: Range | undefined;
  let docStart = 0;
  let starts: number[] = [];
  let sawContent = false;
  let leadingMarker = false;
  for (let pos = 0; pos < text.length; ) {
    const nl = text.indexOf('\n', pos);
    const lineEnd = nl < 0 ? text.length : nl;
    const next = nl < 0 ? text.length : nl + 1;
    if (pos < lineEnd) {
      const c = text[pos];
      if (text.startsWith('---', pos)) {
        if (!DOCUMENT_MARKER.test(text.slice(pos, lineEnd))) return undefined;
        if (!sawContent && !header && !leadingMarker) leadingMarker = true;
        else if (sawContent && !header) header = { start: docStart, end: pos };
        else return undefined;
        docStart = next;
        starts = [];
        sawContent = false;
      } else if (text.startsWith('...', pos) || UNSUPPORTED_START.test(c)) return undefined;
      else if (!CONTINUATION.test(c)) {
        if (sawContent) starts.push(pos);
        sawContent = true;
      } else if (c === '-') sawContent = true;
    }
    pos = next;
  }
  return { header, blocks: chunks(text, [docStart, ...starts, text.length]) };
}

/** A chunk is cut after a block whose key line hashes to 0 mod this, once it holds MIN_CHUNK characters. */
const CUT_EVERY = 4;
const MIN_CHUNK = 1024;
const MAX_CHUNK = 16 * 1024;

/**
 * Consecutive blocks grouped into chunks of about a kilobyte or more (a parse has a fixed cost:
 * thousands of one-line keys parsed one by one would cost more than the whole file). Where a chunk
 * ends depends on the key lines near it, not on its position, so an edit changes the chunks around
 * it and leaves the others as they were — and reusable.
 */
function chunks(text: string, bounds: number[]): Range[] {
  const out: Range[] = [];
  let start = bounds[0];
  for (let i = 1; i < bounds.length; i++) {
    const end = bounds[i];
    const size = end - start;
    const last = i === bounds.length - 1;
    if (last || size >= MAX_CHUNK || (size >= MIN_CHUNK && keyHash(text, bounds[i - 1]) % CUT_EVERY === 0)) {
      out.push({ start, end });
      start = end;
    }
  }
  return out;
}

/** FNV-1a of the line a block starts with (its key), its high bits folded in. */
function keyHash(text: string, at: number): number {
  let h = 0x811c9dc5;
  for (let i = at; i < text.length && text.charCodeAt(i) !== 10; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h ^ (h >>> 16)) >>> 0;
}

export interface ParsedBlock {
  text: string;
  /** Absent for a block of comments only. */
  doc?: Document.Parsed;
  /** The last node anchored with each name, in document order (filled when first asked). */
  anchors?: Map<string, YNode>;
  /**
   * Its top-level values (and the spans of their keys) as converted the last time, at file offset
   * `base` of file `uri`: reused as they are (same node objects, so the engine's per-node results
   * hold) while the block's text is unchanged. A block that moved (an edit above it) keeps its
   * nodes: their spans are moved in place to the new offset (parse.ts). Kept only for a block whose
   * conversion reported nothing and used no anchor of another block. `shared`: its text may share
   * nodes (anchors, merge keys), so a move records what it has moved.
   */
  converted?: { uri: string; base: number; values: Map<YNode, ConvertedNode>; keys: Map<unknown, Span>; shared: boolean };
}

/** Parsed blocks of a file's last text, by block text. */
export type YamlBlocks = Map<string, ParsedBlock>;

type Options = ParseOptions & DocumentOptions & SchemaOptions;

/** One block on its own; undefined when it does not parse cleanly into one hash (or nothing). */
export function parseBlock(text: string, options: Options): ParsedBlock | undefined {
  const fast = parseYamlEvents(text, options);
  if (fast) {
    if (fast.length > 1) return undefined;
    const d = fast[0];
    if (!d) return { text };
    if (d.contents !== null && !yIsMap(d.contents)) return undefined;
    return { text, doc: withAliasTable({ contents: d.contents, errors: [], warnings: [] } as unknown as Document.Parsed, d.aliases), anchors: d.anchors };
  }
  const docs = parseAllDocuments(text, options);
  if (!Array.isArray(docs) || docs.length > 1) return undefined;
  const doc = docs[0] as Document.Parsed | undefined;
  if (!doc) return { text };
  if (doc.errors.length) return undefined;
  if (doc.contents !== null && !yIsMap(doc.contents)) return undefined;
  return { text, doc };
}

export function anchorsOf(block: ParsedBlock): Map<string, YNode> {
  if (!block.anchors) {
    const anchors = new Map<string, YNode>();
    if (block.doc)
      visit(block.doc, {
        Node: (_key, node) => {
          const anchor = (node as { anchor?: string }).anchor;
          if (anchor) anchors.set(anchor, node as YNode);
        },
      });
    block.anchors = anchors;
  }
  return block.anchors;
}
