/**
 * What every LSP feature receives: the analysis of the pipeline the document belongs to, the
 * document's own loaded file in it, and helpers to turn engine spans into LSP ranges.
 * A feature module exports a `Feature`: the capabilities it adds and how it registers its handlers.
 */
import type { ClientCapabilities, Connection, Diagnostic, Location, Range, ServerCapabilities, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { LoadedFile } from '../../pipeline/includes/includes.js';
import type { Span } from '../../pipeline/model.js';
import { LineIndex } from '../../pipeline/yaml/positions.js';
import type { Analysis, Settings } from '../../workspace.js';
import type { SpanMover } from './moved-spans.js';

export interface FeatureContext {
  analysis: Analysis;
  settings: Settings;
  document: { uri: string; text: string; version: number };
  /** This document as a file of the pipeline (absent when the pipeline does not read it, or it is not valid YAML). */
  file?: LoadedFile;
  /** The current text of a file of the pipeline (open editor first). */
  textOf(uri: string): string | undefined;
  lineIndex(uri: string): LineIndex | undefined;
  /** An engine span as an LSP range (undefined when the file's text is unknown). */
  range(span: Span): Range | undefined;
  location(span: Span): Location | undefined;
}

export interface FeatureHost {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  settings(): Settings;
  /** What the client passed as `initializationOptions` (e.g. `redhatYamlActive`). */
  initializationOptions(): Readonly<Record<string, unknown>>;
  /** The analysis for a document, cached until any document or setting changes. */
  context(uri: string): Promise<FeatureContext | undefined>;
  /** Publish a document's diagnostics (the server remembers what it last sent, to skip sending an unchanged set again). */
  sendDiagnostics(uri: string, diagnostics: Diagnostic[]): void;
  /** Ask for fresh diagnostics of a document (after an edit the server did itself, say). */
  revalidate(uri: string): void;
  /**
   * Every pipeline of the workspace folders (server/src/workspace-index.ts, built on first use),
   * then those of `openUris` the index does not hold; analyses reused while their files are unchanged.
   * `known`: analyses at hand (the document's own), used for their root instead of expanding it again.
   */
  workspacePipelines?(openUris: readonly string[], known?: readonly Analysis[]): Promise<Analysis[]>;
  /** What the client said it supports in `initialize` (snippet edits, resource operations, ...). */
  clientCapabilities?(): ClientCapabilities | undefined;
}

export interface Feature {
  capabilities: Partial<ServerCapabilities>;
  register(host: FeatureHost): void;
}

/** `moveSpan`: for an earlier analysis (the document does not parse now), where its spans are in today's texts. */
export function makeContext(analysis: Analysis, settings: Settings, document: FeatureContext['document'], openText: (uri: string) => string | undefined, moveSpan?: SpanMover): FeatureContext {
  const indexes = new Map<string, LineIndex>();
  const textOf = (uri: string) => openText(uri) ?? analysis.pipeline.files.find((f) => f.uri === uri)?.parsed.text;
  const lineIndex = (uri: string) => {
    let idx = indexes.get(uri);
    if (!idx) {
      const text = uri === document.uri ? document.text : textOf(uri);
      if (text === undefined) return undefined;
      indexes.set(uri, (idx = new LineIndex(text)));
    }
    return idx;
  };
  const range = (found: Span): Range | undefined => {
    const span = moveSpan ? moveSpan(found) : found;
    if (!span) return undefined;
    const idx = lineIndex(span.uri);
    return idx ? { start: idx.position(span.start), end: idx.position(Math.max(span.start, span.end)) } : undefined;
  };
  return {
    analysis,
    settings,
    document,
    file: analysis.pipeline.files.find((f) => f.uri === document.uri && !f.invalid),
    textOf,
    lineIndex,
    range,
    location: (span) => {
      const r = range(span);
      return r ? { uri: span.uri, range: r } : undefined;
    },
  };
}
