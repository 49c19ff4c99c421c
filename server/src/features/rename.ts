/**
 * Rename a job: its key and every `extends`, `!reference`, `needs` and `dependencies` naming it,
 * in the files of the document's pipeline and of every other pipeline of the workspace index and
 * of the open documents that share the job (shared/symbol-search.ts `relatedPipelines`, `jobScope`: a job
 * of the same name in an unrelated pipeline is left alone); only `file:` URIs are edited. Refused
 * (with a message) when one of them is in a read-only file (not a `file:` URI), when the new name
 * is taken, or when it is not a plain YAML word that fits everywhere a job name is written.
 */
import { ErrorCodes, ResponseError } from 'vscode-languageserver/node';
import type { Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import type { ExpandedPipeline } from '../pipeline/merge/expand.js';
import { GLOBAL_KEYWORDS } from '../pipeline/merge/jobs.js';
import type { Span } from '../pipeline/model.js';
import type { Feature, FeatureContext } from './shared/context.js';
import { featureContext, fromClientUri, isEditable } from './shared/client-uris.js';
import { clientLocations, jobScope, relatedPipelines } from './shared/symbol-search.js';
import { baseJobName } from '../pipeline/merge/jobs.js';
import { jobDefinition, jobOccurrences, occurrenceAt } from './shared/symbol-index.js';

/** Job names we write unquoted in keys, flow lists and `!reference` tags alike. */
const PLAIN_NAME = /^[A-Za-z0-9_./](?:[A-Za-z0-9_./ -]*[A-Za-z0-9_./-])?$/;

function refuse(message: string): never {
  throw new ResponseError(ErrorCodes.InvalidRequest, message);
}

interface RenameTarget {
  name: string;
  /** The occurrence under the cursor (the base name of a matrix `needs`). */
  span: Span;
  /** The spans to replace: the job name part of every occurrence. */
  edits: Span[];
  /** The pipelines that share the job (shared/symbol-search.ts `jobScope`). */
  scope: ExpandedPipeline[];
}

/** The job under the cursor and its occurrences; refuses when it cannot be renamed. */
export function renameTarget(ctx: FeatureContext, pipelines: readonly ExpandedPipeline[], offset: number): RenameTarget | undefined {
  const occ = ctx.file && occurrenceAt(ctx.file.parsed, offset);
  if (!occ || occ.kind !== 'job') return undefined;
  const name = occ.role === 'needs' ? baseJobName(occ.name) : occ.name;
  if (!pipelines.some((p) => jobDefinition(p, name))) refuse(`No job \`${name}\` is defined in this pipeline.`);
  const scope = jobScope(pipelines, name);
  const seen = new Set<string>();
  const edits: Span[] = [];
  for (const o of jobOccurrences(scope, name)) {
    const id = `${o.span.uri}\0${o.span.start}`;
    if (seen.has(id)) continue;
    seen.add(id);
    if (!isEditable(o.span.uri)) refuse(`\`${name}\` is also written in ${fromClientUri(o.span.uri)}, which is read-only here; rename it there first.`);
    edits.push({ uri: o.span.uri, start: o.span.start, end: o.span.start + name.length });
  }
  return { name, span: { uri: occ.span.uri, start: occ.span.start, end: occ.span.start + name.length }, edits, scope };
}

export function renameEdit(ctx: FeatureContext, pipelines: readonly ExpandedPipeline[], offset: number, newName: string): WorkspaceEdit | null {
  const target = renameTarget(ctx, pipelines, offset);
  if (!target) return null;
  if (!PLAIN_NAME.test(newName)) refuse(`\`${newName}\` is not a plain job name (letters, digits, \`_ . / -\` and inner spaces).`);
  if (GLOBAL_KEYWORDS.has(newName) || (newName !== target.name && target.scope.some((p) => p.merged.entries.has(newName)))) refuse(`A job or keyword \`${newName}\` already exists.`);
  const changes: Record<string, TextEdit[]> = {};
  for (const loc of clientLocations(ctx, target.edits, pipelines)) (changes[loc.uri] ??= []).push({ range: loc.range, newText: newName });
  return { changes };
}

export const rename: Feature = {
  capabilities: { renameProvider: { prepareProvider: true } },
  register(host) {
    host.connection.onPrepareRename(async (params): Promise<{ range: Range; placeholder: string } | null> => {
      const ctx = await featureContext(host, params.textDocument.uri);
      const idx = ctx?.lineIndex(ctx.document.uri);
      if (!ctx || !idx) return null;
      const target = renameTarget(ctx, await relatedPipelines(host, ctx), idx.offset(params.position));
      const range = target && ctx.range(target.span);
      return target && range ? { range, placeholder: target.name } : null;
    });
    host.connection.onRenameRequest(async (params) => {
      const ctx = await featureContext(host, params.textDocument.uri);
      const idx = ctx?.lineIndex(ctx.document.uri);
      if (!ctx || !idx) return null;
      return renameEdit(ctx, await relatedPipelines(host, ctx), idx.offset(params.position), params.newName);
    });
  },
};
