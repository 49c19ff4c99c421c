/**
 * Go to definition (LocationLink[]): a job name (extends, !reference, needs, dependencies) → its
 * job key in the file that defines the merged job; a `!reference` key path → that key; a variable
 * → its winning definition; `stage:` → the entry of `stages:`; an include → the file(s) it loaded;
 * an include's `inputs:` key and `$[[ inputs.x ]]` → the input in the `spec:inputs` header.
 * Files outside the workspace come back under the read-only scheme (read-only-files.ts).
 */
import type { LocationLink } from 'vscode-languageserver/node';
import type { Feature, FeatureContext } from './shared/context.js';
import { clientUri, featureContext } from './shared/client-uris.js';
import { definitionTargets, occurrenceAt } from './shared/symbol-index.js';

export function definitionLinks(ctx: FeatureContext, offset: number): LocationLink[] {
  const file = ctx.file;
  if (!file) return [];
  const occ = occurrenceAt(file.parsed, offset);
  if (!occ) return [];
  const origin = ctx.range(occ.span);
  const out: LocationLink[] = [];
  for (const t of definitionTargets(ctx.analysis.pipeline, file, occ)) {
    const selection = ctx.range(t.span);
    if (!selection) continue;
    out.push({
      originSelectionRange: origin,
      targetUri: clientUri(ctx, t.span.uri),
      targetRange: (t.range && ctx.range(t.range)) ?? selection,
      targetSelectionRange: selection,
    });
  }
  return out;
}

export const definition: Feature = {
  capabilities: { definitionProvider: true },
  register(host) {
    host.connection.onDefinition(async (params) => {
      const ctx = await featureContext(host, params.textDocument.uri);
      const idx = ctx?.lineIndex(ctx.document.uri);
      if (!ctx || !idx) return null;
      return definitionLinks(ctx, idx.offset(params.position));
    });
  },
};
