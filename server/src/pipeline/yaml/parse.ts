/**
 * YAML text → engine nodes, typed the way GitLab's loader (Ruby Psych, YAML 1.1) types them.
 *
 * - plain scalars are typed by Psych's rules (psych-scalars.ts): `yes/no/on/off` are booleans,
 *   `0755` is octal, `1:30` is Psych's sexagesimal; a date or timestamp rejects the file.
 * - `!reference [a, b]` becomes a RefNode; anchors/aliases are shared subtrees;
 *   merge keys `<<` follow Psych: merged in order, a later key overwrites an earlier one.
 * - A file of two documents whose first holds `spec:` is a header + content.
 * - Files are parsed in top-level blocks where their layout allows (yaml-blocks.ts), so a re-parse
 *   after an edit reuses the blocks the edit did not touch; the result is the same as a whole parse.
 */
import { isMap as yIsMap, isScalar as yIsScalar, parseAllDocuments } from 'yaml';
import type { Document, Node as YNode, Tags, YAMLMap } from 'yaml';
import { scalarNode } from '../model.js';
import type { MapNode, Node, PipelineDiagnostic, Span } from '../model.js';
import { anchorsOf, parseBlock, splitBlocks } from './yaml-blocks.js';
import type { BlockLayout, ParsedBlock, Range, YamlBlocks } from './yaml-blocks.js';
import { Converter, MAX_SYNTAX_ERRORS, MAX_YAML_DEPTH, TOO_BIG, withAliasTable } from './yaml-convert.js';
import { parseYamlEvents, schemaOf } from './yaml-events.js';
import { parseBlockYaml } from './block-yaml.js';
import { gitlabDocuments } from './documents.js';
import { htmlContent, rawTooBig, rawTooBigMessage } from './loader-limits.js';
import { psychTags } from './psych-scalars.js';
import { keepUnchangedEntries, moveSpan, moveSpans } from './kept-entries.js';
import type { Before } from './kept-entries.js';
import type { ConvertedNode, Src } from './yaml-convert.js';

export { MAX_SYNTAX_ERRORS, MAX_YAML_DEPTH, MAX_YAML_SIZE } from './yaml-convert.js';
export type { YamlBlocks } from './yaml-blocks.js';

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

function gitlabTags(tags: Tags): Tags {
  return [...psychTags(tags), referenceTag as never, referenceScalarTag as never, referenceMapTag as never];
}

const PARSE_OPTIONS = {
  version: '1.1' as const,
  merge: true,
  uniqueKeys: false,
  customTags: gitlabTags,
  prettyErrors: false,
  strict: false,
};


/** A file GitLab refuses: no content, only its diagnostics. */
function rejectedFile(uri: string, text: string, diagnostics: PipelineDiagnostic[]): ParsedFile {
  return { uri, text, content: scalarNode(null, { uri, start: 0, end: 0 }), empty: true, diagnostics };
}

export function parseYaml(uri: string, text: string): ParsedFile {
  return parseYamlWhole(uri, text);
}

/**
 * Parse `text`, reusing the blocks of an earlier parse of the same file that the text still holds
 * unchanged. `blocks` (when the file could be cut) is what to pass next time.
 */
export function parseYamlReusing(uri: string, text: string, previous?: YamlBlocks, before?: Before): { parsed: ParsedFile; blocks?: YamlBlocks } {
  if (!rawTooBig(text)) {
    const layout = splitBlocks(text);
    const inBlocks = layout && parseInBlocks(uri, text, layout, previous, before);
    if (inBlocks) return inBlocks;
  }
  return { parsed: parseYamlWhole(uri, text) };
}

function parseInBlocks(uri: string, text: string, layout: BlockLayout, previous: YamlBlocks | undefined, before: Before | undefined): { parsed: ParsedFile; blocks: YamlBlocks } | undefined {
  const blocks: YamlBlocks = new Map();
  const used = new Set<ParsedBlock>();
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  const block = (r: Range): ParsedBlock | undefined => {
    const t = text.slice(r.start, r.end);
    let b = previous?.get(t) ?? blocks.get(t);
    // The same text twice in one file: each needs its own nodes (the converter remembers nodes).
    if (!b || used.has(b)) b = parseBlock(t, PARSE_OPTIONS);
    if (!b) return undefined;
    used.add(b);
    if (!blocks.has(t)) blocks.set(t, b);
    return b;
  };
  let header: ParsedBlock | undefined;
  const parts: ParsedBlock[] = [];
  try {
    if (layout.header && !(header = block(layout.header))) return undefined;
    for (const r of layout.blocks) {
      const b = block(r);
      if (!b || (parts.length && !b.doc?.contents)) return undefined;
      parts.push(b);
    }
  } catch {
    return undefined;
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  const headerMap = header?.doc?.contents;
  if (layout.header && !(yIsMap(headerMap) && headerMap.items.some((p) => yIsScalar(p.key) && p.key.value === 'spec'))) return undefined;

  const diagnostics: PipelineDiagnostic[] = [];
  const withBase = (b: ParsedBlock | undefined, base: number) => {
    for (const w of b?.doc?.warnings ?? []) {
      if (/Unresolved tag/.test(w.message)) diagnostics.push({ severity: 'warning', code: 'yaml-tag', message: w.message.split('\n')[0], span: { uri, start: w.pos[0] + base, end: w.pos[1] + base } });
    }
  };
  if (layout.header) withBase(header, layout.header.start);
  parts.forEach((b, i) => withBase(b, layout.blocks[i].start));

  const first = parts[0]?.doc?.contents as YAMLMap | null | undefined;
  // An empty document is cheap to parse whole, which places its null where a whole parse does.
  if (!first) return undefined;
  const converter = new Converter(uri, diagnostics);
  // Unchanged blocks start from their earlier conversion, moved to where the block is now.
  let seeded = false;
  const moved: [NonNullable<ParsedBlock['converted']>, number][] = [];
  const fresh: ParsedBlock[] = [];
  parts.forEach((b, i) => {
    const c = b.converted;
    if (c && c.uri === uri) {
      if (c.base !== layout.blocks[i].start) {
        moved.push([c, c.base]);
        moveConversion(c, layout.blocks[i].start);
      }
      converter.seed(c.values, c.keys);
      seeded = true;
    } else fresh.push(b);
  });
  const lookedOutside = new Set<number>();
  let headerNode: MapNode | undefined;
  if (header?.doc && layout.header) {
    const h = converter.convert(headerMap as YAMLMap, { doc: header.doc, base: layout.header.start });
    if (h.kind === 'map') headerNode = h;
  }
  // Which blocks anchor each name (ascending), built on the first alias that looks outside its block.
  let anchoredIn: Map<string, number[]> | undefined;
  const blocksAnchoring = (name: string): number[] => {
    if (!anchoredIn) {
      anchoredIn = new Map();
      parts.forEach((b, j) => {
        for (const anchor of anchorsOf(b).keys()) {
          const list = anchoredIn!.get(anchor);
          if (list) list.push(j);
          else anchoredIn!.set(anchor, [j]);
        }
      });
    }
    return anchoredIn.get(name) ?? [];
  };
  const srcs: Src[] = parts.map((b, i) => ({
    doc: b.doc as Document.Parsed,
    base: layout.blocks[i].start,
    anchorBefore: (name) => {
      lookedOutside.add(i);
      const list = blocksAnchoring(name);
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (list[mid] < i) lo = mid + 1;
        else hi = mid;
      }
      if (lo === 0) return undefined;
      const j = list[lo - 1];
      return { node: anchorsOf(parts[j]).get(name)!, src: srcs[j] };
    },
  }));
  let content: Node;
  if (parts.length === 1) content = converter.convert(first, srcs[0]);
  else {
    // One hash of every block's top-level pairs, spanning as a whole parse's would.
    const pairs: unknown[] = [];
    const srcOf: Src[] = [];
    parts.forEach((b, i) => {
      for (const p of (b.doc!.contents as YAMLMap).items) {
        pairs.push(p);
        srcOf.push(srcs[i]);
      }
    });
    const last = parts[parts.length - 1].doc!.contents as YAMLMap;
    const span: Span = { uri, start: first.range![0] + srcs[0].base, end: last.range![1] + srcs[srcs.length - 1].base };
    content = converter.convertMap(pairs, (index) => srcOf[index], span, 0);
  }
  if (converter.tooBig) {
    // Where the limit is crossed depends on the order values are measured in: a seeded conversion is done again.
    if (seeded) {
      // The earlier parse (the last good one, still shown while this text is rejected) keeps its places.
      for (const [c, base] of moved) moveConversion(c, base);
      for (const b of parts) b.converted = undefined;
      return parseInBlocks(uri, text, layout, previous, before);
    }
    return { parsed: rejectedFile(uri, text, diagnostics), blocks };
  }
  // The entries of re-parsed blocks that the edit did not touch: their earlier nodes.
  if (content.kind === 'map') keepUnchangedEntries(uri, text, before, content, fresh, converter, diagnostics);
  rememberConversions(uri, parts, layout.blocks, converter, diagnostics, lookedOutside);
  const empty = content.kind === 'scalar' && content.value === null;
  return { parsed: { uri, text, header: headerNode, content, empty, diagnostics }, blocks };
}

/** Keep each clean block's converted top-level values for the next parse of the file. */
function rememberConversions(uri: string, parts: ParsedBlock[], ranges: Range[], converter: Converter, diagnostics: PipelineDiagnostic[], lookedOutside: Set<number>): void {
  parts.forEach((b, i) => {
    const r = ranges[i];
    const reported = diagnostics.some((d) => d.span.uri === uri && d.span.start < r.end && d.span.end >= r.start);
    const contents = b.doc?.contents;
    if (reported || lookedOutside.has(i) || !yIsMap(contents)) {
      b.converted = undefined;
      return;
    }
    if (b.converted?.base === r.start && b.converted.uri === uri) return;
    const values = new Map<YNode, ConvertedNode>();
    const keys = new Map<unknown, Span>();
    for (const pair of contents.items) {
      const value = pair.value as YNode | null;
      const c = value && converter.converted(value);
      if (c) values.set(value, c);
      const ks = converter.topKeySpan(pair.key);
      if (ks) keys.set(pair.key, ks);
    }
    b.converted = { uri, base: r.start, values, keys, shared: b.text.includes('&') || b.text.includes('<<') };
  });
}

/**
 * A reused block's nodes moved to offset `base`: every span its converted values and keys hold is
 * shifted in place, once (aliases and merge keys share nodes and spans). Results the engine keeps
 * per node (merge/incremental.ts) hold these same span objects, so they move with them.
 */
function moveConversion(c: NonNullable<ParsedBlock['converted']>, base: number): void {
  const delta = base - c.base;
  c.base = base;
  // Only anchors and merge keys share nodes: a block without them is a tree, moved without a record of what was moved.
  const seen = c.shared ? new Set<object>() : undefined;
  for (const v of c.values.values()) moveSpans(v.node, delta, seen);
  for (const ks of c.keys.values()) moveSpan(ks, delta, seen);
}

/** The whole text in one parse: every layout, and the exact errors of a broken file. */
/**
 * GitLab reports a YAML syntax error in libyaml's words (Psych): where the `yaml` package's error
 * is one libyaml names for certain, its words lead and the package's detail follows.
 */
const LIBYAML_PROBLEMS: Record<string, (message: string) => string | undefined> = {
  BLOCK_AS_IMPLICIT_KEY: () => 'mapping values are not allowed in this context',
  MISSING_CHAR: (m) => (/^Missing closing ["']quote/.test(m) ? 'found unexpected end of stream while scanning a quoted scalar' : undefined),
};

function syntaxMessage(err: { code: string; message: string }): string {
  const own = err.message.split('\n')[0];
  const libyaml = LIBYAML_PROBLEMS[err.code]?.(own);
  return libyaml ? `${libyaml} (${own.replace(/:$/, '')})` : own;
}

/** The files the line scanner read. */
const scanned = new WeakSet<ParsedFile>();

/** Whether the line scanner (block-yaml.ts) read `parsed`: it reads a file about as fast as V8 deserializes one, so such a file is not worth storing. */
export function readByScanner(parsed: ParsedFile): boolean {
  return scanned.has(parsed);
}

/**
 * `front`: `plain` tries the line scanner first (block-yaml.ts), then js-yaml's event stream
 * (yaml-events.ts; ten times faster than the package), then the `yaml` package, each where the one
 * before is not sure; `events` starts with the event stream; `yaml` uses the package only.
 */
export function parseYamlWhole(uri: string, text: string, front: 'plain' | 'events' | 'yaml' = 'plain'): ParsedFile {
  const diagnostics: PipelineDiagnostic[] = [];
  const span = (start: number, end: number): Span => ({ uri, start, end });
  const rejected = () => rejectedFile(uri, text, diagnostics);
  const tooBig = rawTooBig(text);
  if (tooBig) {
    diagnostics.push({ severity: 'error', code: 'yaml-too-large', message: rawTooBigMessage(tooBig), span: span(tooBig.at, tooBig.at + 1) });
    return rejected();
  }
  const plain = front === 'plain' ? parseBlockYaml(uri, text, schemaOf(PARSE_OPTIONS)) : undefined;
  if (plain) {
    const parsed: ParsedFile = { uri, text, header: undefined, content: plain, empty: false, diagnostics };
    scanned.add(parsed);
    return parsed;
  }
  const fast = front !== 'yaml' ? parseYamlEvents(text, PARSE_OPTIONS) : undefined;
  if (fast) {
    const docs = fast.map((d) => withAliasTable({ contents: d.contents, errors: [], warnings: [] } as unknown as Document.Parsed, d.aliases));
    return composeFile(uri, text, docs, diagnostics);
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
      } else diagnostics.push({ severity: 'error', code: 'yaml-syntax', message: syntaxMessage(err), span: span(err.pos[0], err.pos[1]) });
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
  const firstSyntax = diagnostics.findIndex((d) => d.code === 'yaml-syntax');
  if (firstSyntax >= 0 && htmlContent(text)) {
    // GitLab's loader words a syntax error in an HTML page (a login page served for a remote
    // include, ...) as the page not being a configuration: one error, where the first one is.
    const span = diagnostics[firstSyntax].span;
    const rest = diagnostics.filter((d) => d.code !== 'yaml-syntax');
    diagnostics.length = 0;
    diagnostics.push({ severity: 'error', code: 'yaml-syntax', message: 'Invalid configuration format', span }, ...rest);
  }
  if (diagnostics.some((d) => d.severity === 'error')) return rejected();
  return composeFile(uri, text, docs, diagnostics);
}

/** A file's documents, parsed without errors, converted: a `spec:` header and the content. */
function composeFile(uri: string, text: string, docs: Document.Parsed[], diagnostics: PipelineDiagnostic[]): ParsedFile {
  const span = (start: number, end: number): Span => ({ uri, start, end });
  const converter = new Converter(uri, diagnostics);
  let header: MapNode | undefined;
  // GitLab's choice of documents (documents.ts): the others are not part of the pipeline.
  const chosen = gitlabDocuments(text, docs);
  const contentDoc = chosen.content;
  const at = (d: Document.Parsed) => {
    const start = (d.contents as { range?: number[] } | null)?.range?.[0] ?? d.range?.[0] ?? 0;
    return span(start, start);
  };
  if (chosen.header) {
    const h = converter.convert(chosen.header.contents!, { doc: chosen.header, base: 0 });
    if (h.kind === 'map') header = h;
  }
  for (const d of chosen.notHash) diagnostics.push({ severity: 'error', code: 'config-invalid', message: 'Invalid configuration format', span: at(d) });
  for (const d of chosen.ignored) {
    diagnostics.push({
      severity: 'warning',
      code: 'yaml-document-ignored',
      message: 'GitLab does not use this YAML document: a CI file is a `spec:` header and the configuration, or the configuration alone (later documents are ignored)',
      span: at(d),
    });
  }
  const contents = contentDoc?.contents ?? null;
  const content = contents ? converter.convert(contents, { doc: contentDoc!, base: 0 }) : scalarNode(null, span(0, 0));
  if (converter.tooBig) return rejectedFile(uri, text, diagnostics);
  const empty = content.kind === 'scalar' && content.value === null;
  return { uri, text, header, content, empty, diagnostics };
}

/** Whether the line scanner (block-yaml.ts) takes `text` whole, with the options every parse here uses. */
export function plainFrontTakes(text: string): boolean {
  return parseBlockYaml('file:///front.yml', text, schemaOf(PARSE_OPTIONS)) !== undefined;
}
