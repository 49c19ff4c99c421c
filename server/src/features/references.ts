/**
 * Find references: for a job name, its definition and every `extends`, `!reference`, `needs` and
 * `dependencies` naming it (in the pipelines that share the job: shared/symbol-search.ts `jobScope`); for a variable, its
 * definitions and reads. Searched in the files of
 * the document's pipeline and of every pipeline of the workspace (server/src/workspace-index.ts:
 * consumers and preset files in any workspace folder, open or not) and of the other open documents,
 * so a library file finds the uses of a consumer in another folder.
 */
import type { Feature } from './shared/context.js';
import { featureContext } from './shared/client-uris.js';
import { occurrenceAt } from './shared/symbol-index.js';
import { clientLocations, relatedPipelines, sameSymbol } from './shared/symbol-search.js';

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
