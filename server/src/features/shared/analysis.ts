/**
 * The analysis completion and hover answer from, and cheap indexes over it.
 *
 * While the user types, the document often does not parse (`- !reference [`, a half-typed key):
 * its pipeline then has no jobs at all. Completion and hover then answer from the last analysis
 * in which the document parsed (kept per document), whose other files are still right; the
 * cursor's context comes from the raw text (yaml-context.ts). Indexes are built once per analysis
 * (WeakMaps: they go with the analysis the server drops at the next generation).
 */
import type { Analysis } from '../../workspace.js';
import type { LoadedFile } from '../../pipeline/includes/includes.js';
import { LineIndex } from '../../pipeline/yaml/positions.js';
import { makeContext } from './context.js';
import type { FeatureContext, FeatureHost } from './context.js';
import { spanMover } from './moved-spans.js';
import type { PipelineDiagnostic } from '../../pipeline/model.js';

export interface Answering {
  analysis: Analysis;
  /** The document as a file of that analysis (absent when it never parsed). */
  file?: LoadedFile;
  /** False when the analysis is an earlier one (the document does not parse now). */
  fresh: boolean;
}

const MAX_REMEMBERED = 50;
const lastGood = new Map<string, Analysis>();

function remember(uri: string, analysis: Analysis): void {
  lastGood.delete(uri);
  lastGood.set(uri, analysis);
  if (lastGood.size > MAX_REMEMBERED) lastGood.delete(lastGood.keys().next().value!);
}

/** The analysis to answer from for the context's document. */
export function answering(ctx: FeatureContext): Answering {
  const uri = ctx.document.uri;
  if (ctx.file) {
    remember(uri, ctx.analysis);
    return { analysis: ctx.analysis, file: ctx.file, fresh: true };
  }
  // The workspace's last good analysis of this pipeline first (any file of it may be the broken one), else this document's own.
  const prev = ctx.analysis.lastGood ?? lastGood.get(uri);
  if (prev) return { analysis: prev, file: fileIndex(prev).get(uri), fresh: false };
  return { analysis: ctx.analysis, fresh: true };
}

/** Analyse documents as they open, so that a document broken by the first keystroke still has an earlier analysis. */
export function rememberOnOpen(host: FeatureHost): void {
  host.documents.onDidOpen((e) => {
    void host.context(e.document.uri).then((ctx) => ctx && answering(ctx), () => undefined);
  });
}

const filesByUri = new WeakMap<Analysis, Map<string, LoadedFile>>();
const lineIndexes = new WeakMap<Analysis, Map<string, LineIndex>>();

/** The files of an analysis by URI (the first load of each). */
export function fileIndex(analysis: Analysis): Map<string, LoadedFile> {
  let m = filesByUri.get(analysis);
  if (!m) {
    m = new Map();
    for (const f of analysis.pipeline.files) if (!m.has(f.uri)) m.set(f.uri, f);
    filesByUri.set(analysis, m);
  }
  return m;
}

/** The text a span of the analysis points into (the text it was parsed from). */
export function analysedText(analysis: Analysis, uri: string): string | undefined {
  return fileIndex(analysis).get(uri)?.parsed.text;
}

/** One-based line of an offset of a file of the analysis. */
export function lineOf(analysis: Analysis, uri: string, offset: number): number | undefined {
  let m = lineIndexes.get(analysis);
  if (!m) lineIndexes.set(analysis, (m = new Map()));
  let idx = m.get(uri);
  if (!idx) {
    const text = analysedText(analysis, uri);
    if (text === undefined) return undefined;
    m.set(uri, (idx = new LineIndex(text)));
  }
  return idx.position(offset).line + 1;
}

/** Who wrote a file: `acme/ci-library@v1.2.0 · common/jobs.yml`, `.gitlab/ci/extra.yml`, `template X`, a URL. */
export function fileLabel(f: LoadedFile): string {
  switch (f.kind) {
    case 'project':
      return `${f.loc.project}@${f.loc.ref ?? 'HEAD'} · ${f.path}`;
    case 'component':
      return `component ${f.loc.project}@${f.loc.ref ?? 'HEAD'} · ${f.path}`;
    case 'template':
      return `template ${f.path}`;
    case 'remote':
      return f.path;
    default:
      return f.loc.project ? `${f.loc.project}@${f.loc.ref ?? 'HEAD'} · ${f.path}` : f.path;
  }
}

/** `label:line` of a span of the analysis, e.g. `acme/ci-library@v1.2.0 · common/jobs.yml:42`. */
export function spanLabel(analysis: Analysis, span: { uri: string; start: number }): string {
  const f = fileIndex(analysis).get(span.uri);
  const line = lineOf(analysis, span.uri, span.start);
  const where = f ? fileLabel(f) : span.uri;
  return line ? `${where}:${line}` : where;
}

/** Where the pipeline does not parse now: the first syntax error, its one-based line, and its location in today's text. */
export interface YamlError {
  message: string;
  uri: string;
  line: number;
  location?: { uri: string; range: NonNullable<ReturnType<FeatureContext['range']>> };
}

export function yamlErrorOf(ctx: FeatureContext): YamlError | undefined {
  const errors: PipelineDiagnostic[] = ctx.analysis.syntaxErrors ?? [];
  // The document's own error first: that is what the user is typing in.
  const d = errors.find((e) => e.span.uri === ctx.document.uri) ?? errors[0];
  if (!d) return undefined;
  const location = ctx.location(d.span);
  return { message: d.message, uri: d.span.uri, line: (location?.range.start.line ?? 0) + 1, location };
}

/**
 * The context to answer from: `ctx` itself, or while a file of the pipeline does not parse, a context
 * over the last good analysis whose spans are moved onto today's texts (moved-spans.ts).
 */
export function lastGoodContext(ctx: FeatureContext): FeatureContext {
  const good = ctx.analysis.lastGood;
  if (!good) return ctx;
  const current = (uri: string) => (uri === ctx.document.uri ? ctx.document.text : ctx.textOf(uri));
  return makeContext(good, ctx.settings, ctx.document, ctx.textOf, spanMover((uri) => analysedText(good, uri), current));
}
