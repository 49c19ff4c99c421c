/**
 * Searching the workspace's pipelines for a symbol: which pipelines a request looks in, which of
 * them share a job, every occurrence of the same job or variable, spans as client locations.
 * Used by references, rename and the code lens.
 */
import type { Location } from 'vscode-languageserver/node';
import type { ExpandedPipeline } from '../../pipeline/merge/expand.js';
import type { Span } from '../../pipeline/model.js';
import type { Analysis } from '../../workspace.js';
import { LineIndex } from '../../pipeline/yaml/positions.js';
import { baseJobName } from '../../pipeline/merge/jobs.js';
import type { FeatureContext, FeatureHost } from './context.js';
import { clientUri, isEditable } from './client-uris.js';
import { jobOccurrences, uniqueFiles, variableOccurrences } from './symbol-index.js';
import type { Occurrence } from './symbol-index.js';

/**
 * The document's pipeline first, then every other pipeline of the workspace index (each folder's
 * root pipeline and every CI or preset file it does not read, opened or not), then those of open
 * documents the index does not hold; each pipeline once.
 */
export async function relatedPipelines(host: FeatureHost, ctx: FeatureContext): Promise<ExpandedPipeline[]> {
  const out = [ctx.analysis.pipeline];
  // Each pipeline once (documents of one root share its pipeline; a conditionally included file has its own).
  const seen = new Set([ctx.analysis.pipeline]);
  const open = host.documents.all().map((d) => d.uri).filter((u) => u !== ctx.document.uri && isEditable(u));
  const others: Analysis[] = host.workspacePipelines ? await host.workspacePipelines(open, [ctx.analysis]) : [];
  if (!host.workspacePipelines) {
    for (const uri of open) {
      const other = await host.context(uri);
      if (other) others.push(other.analysis);
    }
  }
  for (const a of others) {
    if (seen.has(a.pipeline)) continue;
    seen.add(a.pipeline);
    out.push(a.pipeline);
  }
  return out;
}

/**
 * The pipelines that share job `name` with the first one (the document's): the first, and those
 * reading a file where the first defines the job. Another pipeline of the workspace with a job of
 * the same name of its own is left out. All of them when the first defines no such job.
 */
export function jobScope(pipelines: readonly ExpandedPipeline[], name: string): ExpandedPipeline[] {
  const defined = new Set(jobOccurrences(pipelines.slice(0, 1), name).filter((o) => o.role === 'definition').map((o) => o.span.uri));
  if (!defined.size) return [...pipelines];
  return pipelines.filter((p, i) => i === 0 || p.files.some((f) => defined.has(f.uri)));
}

/** The occurrences that refer to the same job or variable as `occ` (spans deduplicated). */
export function sameSymbol(pipelines: readonly ExpandedPipeline[], occ: Occurrence, includeDeclaration = true): Span[] {
  let found: { role: string; span: Span }[];
  if (occ.kind === 'job') {
    const name = occ.role === 'needs' ? baseJobName(occ.name) : occ.name;
    found = jobOccurrences(jobScope(pipelines, name), name);
  }
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
