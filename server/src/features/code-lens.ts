/**
 * A code lens "extended by N jobs" above every template (hidden) job key of a document, counted
 * over every pipeline of the workspace that reads the document (shared/symbol-search.ts `relatedPipelines`). Clicking
 * it runs `editor.action.showReferences` with `[uri, position, locations]` (the document URI, the
 * job key's start and the `extends:` values naming the template), as LSP JSON: the client turns
 * them into VS Code objects.
 */
import type { CodeLens } from 'vscode-languageserver/node';
import type { ExpandedPipeline } from '../pipeline/merge/expand.js';
import type { Feature, FeatureContext } from './shared/context.js';
import { clientUri, featureContext } from './shared/client-uris.js';
import { clientLocations, relatedPipelines } from './shared/symbol-search.js';
import { fileOccurrences, uniqueFiles } from './shared/symbol-index.js';
import type { Occurrence } from './shared/symbol-index.js';
import { withConsumerUses } from './shared/impact-lens.js';

export const SHOW_REFERENCES_COMMAND = 'editor.action.showReferences';

export function templateLenses(ctx: FeatureContext, pipelines: readonly ExpandedPipeline[]): CodeLens[] {
  if (!ctx.file) return [];
  const out: CodeLens[] = [];
  // The pipelines that read this document (so share its templates), one pass over their files: `extends:` by name.
  const sharing = pipelines.filter((p) => p.files.some((f) => f.uri === ctx.document.uri));
  const extendsOf = new Map<string, Extract<Occurrence, { kind: 'job' }>[]>();
  for (const f of uniqueFiles(sharing)) {
    for (const o of fileOccurrences(f.parsed)) if (o.kind === 'job' && o.role === 'extends' && o.name.startsWith('.')) (extendsOf.get(o.name) ?? extendsOf.set(o.name, []).get(o.name)!).push(o);
  }
  for (const def of fileOccurrences(ctx.file.parsed)) {
    if (def.kind !== 'job' || def.role !== 'definition' || !def.name.startsWith('.')) continue;
    const range = ctx.range(def.span);
    if (!range) continue;
    const uses = extendsOf.get(def.name) ?? [];
    const seen = new Set<string>();
    const spans = uses.filter((o) => {
      const id = `${o.span.uri}\0${o.span.start}`;
      return !seen.has(id) && !!seen.add(id);
    });
    const jobs = new Set(spans.map((o) => `${o.span.uri}\0${o.job}`)).size;
    out.push({
      range,
      command: {
        title: `extended by ${jobs} job${jobs === 1 ? '' : 's'}`,
        command: SHOW_REFERENCES_COMMAND,
        arguments: [clientUri(ctx, ctx.document.uri), range.start, clientLocations(ctx, spans.map((o) => o.span), pipelines)],
      },
    });
  }
  return out;
}

export const codeLens: Feature = {
  capabilities: { codeLensProvider: { resolveProvider: false } },
  register(host) {
    host.connection.onCodeLens(async (params) => {
      const ctx = await featureContext(host, params.textDocument.uri);
      if (!ctx) return null;
      return withConsumerUses(host, ctx, templateLenses(ctx, await relatedPipelines(host, ctx)));
    });
  },
};
