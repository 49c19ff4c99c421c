/**
 * A code lens "extended by N jobs" above every template (hidden) job key of a document. Clicking
 * it runs `editor.action.showReferences` with `[uri, position, locations]` (the document URI, the
 * job key's start and the `extends:` values naming the template), as LSP JSON: the client turns
 * them into VS Code objects.
 */
import type { CodeLens } from 'vscode-languageserver/node';
import type { ExpandedPipeline } from '../pipeline/expand.js';
import type { Feature, FeatureContext } from './context.js';
import { clientUri, featureContext } from './read-only-files.js';
import { clientLocations, relatedPipelines } from './references.js';
import { fileOccurrences, jobOccurrences } from './symbol-index.js';

export const SHOW_REFERENCES_COMMAND = 'editor.action.showReferences';

export function templateLenses(ctx: FeatureContext, pipelines: readonly ExpandedPipeline[]): CodeLens[] {
  if (!ctx.file) return [];
  const out: CodeLens[] = [];
  for (const def of fileOccurrences(ctx.file.parsed)) {
    if (def.kind !== 'job' || def.role !== 'definition' || !def.name.startsWith('.')) continue;
    const range = ctx.range(def.span);
    if (!range) continue;
    const uses = jobOccurrences(pipelines, def.name).filter((o) => o.role === 'extends');
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
      return templateLenses(ctx, await relatedPipelines(host, ctx));
    });
  },
};
