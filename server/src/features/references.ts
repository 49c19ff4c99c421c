/**
 * Find references: for a job name, its definition and every `extends`, `!reference`, `needs` and
 * `dependencies` naming it; for a variable, its definitions and reads. Searched in the files of
 * the document's pipeline and of the pipelines of the other open documents (so a library file
 * open next to a consumer finds the consumer's uses).
 */
import type { Location } from 'vscode-languageserver/node';
import type { ExpandedPipeline } from '../pipeline/expand.js';
import type { Span } from '../pipeline/model.js';
import { LineIndex } from '../pipeline/positions.js';
import type { Feature, FeatureContext, FeatureHost } from './context.js';
import { clientUri, featureContext, isEditable } from './read-only-files.js';
import { baseJobName } from '../pipeline/jobs.js';
import { jobOccurrences, occurrenceAt, uniqueFiles, variableOccurrences } from './symbol-index.js';
import type { Occurrence } from './symbol-index.js';

/** The document's pipeline first, then those of the other open workspace documents (each once). */
export async function relatedPipelines(host: FeatureHost, ctx: FeatureContext): Promise<ExpandedPipeline[]> {
  const out = [ctx.analysis.pipeline];
  const roots = new Set([ctx.analysis.rootUri]);
  for (const doc of host.documents.all()) {
    if (doc.uri === ctx.document.uri || !isEditable(doc.uri)) continue;
    const other = await host.context(doc.uri);
    if (!other || roots.has(other.analysis.rootUri)) continue;
    roots.add(other.analysis.rootUri);
    out.push(other.analysis.pipeline);
  }
  return out;
}

/** The occurrences that refer to the same job or variable as `occ` (spans deduplicated). */
export function sameSymbol(pipelines: readonly ExpandedPipeline[], occ: Occurrence, includeDeclaration = true): Span[] {
  let found: { role: string; span: Span }[];
  if (occ.kind === 'job') found = jobOccurrences(pipelines, occ.role === 'needs' ? baseJobName(occ.name) : occ.name);
  else if (occ.kind === 'variable') found = variableOccurrences(pipelines, occ.name);
  else return [];
  const seen = new Set<string>();
  const out: Span[] = [];
  for (const o of found) {
    if (!includeDeclaration && o.role === 'definition') continue;
    const id = `${o.span.uri}\0${o.span.start}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(o.span);
  }
  return out;
}

/** Spans as client locations (read-only files under their scheme); texts from `pipelines` when the document's pipeline lacks the file. */
export function clientLocations(ctx: FeatureContext, spans: readonly Span[], pipelines: readonly ExpandedPipeline[] = []): Location[] {
  const indexes = new Map<string, LineIndex | undefined>();
  const out: Location[] = [];
  for (const s of spans) {
    let range = ctx.range(s);
    if (!range) {
      if (!indexes.has(s.uri)) {
        const text = uniqueFiles(pipelines).find((f) => f.uri === s.uri)?.parsed.text;
        indexes.set(s.uri, text === undefined ? undefined : new LineIndex(text));
      }
      const idx = indexes.get(s.uri);
      if (idx) range = { start: idx.position(s.start), end: idx.position(Math.max(s.start, s.end)) };
    }
    if (range) out.push({ uri: clientUri(ctx, s.uri), range });
  }
  return out;
}

export const references: Feature = {
  capabilities: { referencesProvider: true },
  register(host) {
    host.connection.onReferences(async (params) => {
      const ctx = await featureContext(host, params.textDocument.uri);
      const idx = ctx?.lineIndex(ctx.document.uri);
      if (!ctx?.file || !idx) return null;
      const occ = occurrenceAt(ctx.file.parsed, idx.offset(params.position));
      if (!occ) return null;
      const pipelines = await relatedPipelines(host, ctx);
      return clientLocations(ctx, sameSymbol(pipelines, occ, params.context?.includeDeclaration ?? true), pipelines);
    });
  },
};
