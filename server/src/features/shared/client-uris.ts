/**
 * Files of a pipeline that are not on disk in the workspace (a project file fetched from GitLab,
 * a template, a remote URL: any URI that is not `file:`) are shown read-only in the editor under
 * the scheme `gitlab-ci-presets:`:
 *
 *   gitlab-ci-presets:/<kind>/<readable path>?<encodeURIComponent(original URI)>
 *
 * `kind` is `project`, `root`, `template`, `remote` or the original scheme; the path ends with the
 * file's own name (so the editor picks the YAML language); only the query matters to the server.
 * The client's content provider for that scheme asks `gitlabCiPresets/readFile` `{uri}` (either
 * form of the URI) and gets `{text}` back: the text the analysis loaded.
 * Every feature that hands a location to the client passes its URI through `clientUri`, and gets
 * its context through `featureContext`, so requests made inside a read-only document work too.
 */
import type { LoadedFile } from '../../pipeline/includes/includes.js';
import { makeContext } from './context.js';
import type { Feature, FeatureContext, FeatureHost } from './context.js';

export const READ_ONLY_SCHEME = 'gitlab-ci-presets';
export const READ_FILE_REQUEST = 'gitlabCiPresets/readFile';

export interface ReadFileParams {
  uri: string;
}
export interface ReadFileResult {
  text: string;
}

/** True for files the user edits in the workspace (edits and renames go only there). */
export function isEditable(uri: string): boolean {
  return uri.startsWith('file:');
}

const KIND_BY_SCHEME: Record<string, string> = {
  'gitlab-ci-project': 'project',
  'gitlab-ci-root': 'root',
  'gitlab-ci-template': 'template',
  http: 'remote',
  https: 'remote',
};

/** The URI the client should open for a pipeline file (unchanged for `file:`). */
export function toClientUri(uri: string): string {
  if (isEditable(uri) || uri.startsWith(`${READ_ONLY_SCHEME}:`)) return uri;
  const colon = uri.indexOf(':');
  const scheme = colon > 0 ? uri.slice(0, colon) : 'file';
  const kind = KIND_BY_SCHEME[scheme] ?? scheme.replace(/[^A-Za-z0-9.+-]/g, '');
  const rest = uri.slice(colon + 1).replace(/^\/+/, '').replace(/[?#].*$/, '');
  const path = rest
    .split('/')
    .filter(Boolean)
    .map((s) => encodeURIComponent(safeDecode(s)))
    .join('/');
  return `${READ_ONLY_SCHEME}:/${kind}/${path}?${encodeURIComponent(uri)}`;
}

/** The pipeline file URI behind a client URI (unchanged when it is not ours). */
export function fromClientUri(uri: string): string {
  if (!uri.startsWith(`${READ_ONLY_SCHEME}:`)) return uri;
  const q = uri.indexOf('?');
  if (q < 0) return uri;
  const hash = uri.indexOf('#', q);
  return safeDecode(uri.slice(q + 1, hash < 0 ? undefined : hash));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Texts of read-only files handed to the client, most recent last (bounded). */
const handedOut = new Map<string, string>();
const MAX_REMEMBERED = 500;

function remember(uri: string, text: string): void {
  handedOut.delete(uri);
  handedOut.set(uri, text);
  if (handedOut.size > MAX_REMEMBERED) handedOut.delete(handedOut.keys().next().value as string);
}

/** `uri` as the client should see it; a read-only file's text is kept so the client can read it. */
export function clientUri(ctx: FeatureContext, uri: string): string {
  if (isEditable(uri)) return uri;
  const text = ctx.textOf(uri);
  if (text !== undefined) remember(uri, text);
  return toClientUri(uri);
}

/** A file of the pipelines of the open workspace documents, with the context of the first that holds it. */
async function findPipelineFile(host: FeatureHost, original: string): Promise<{ ctx: FeatureContext; file: LoadedFile } | undefined> {
  for (const doc of host.documents.all()) {
    if (!isEditable(doc.uri)) continue;
    const ctx = await host.context(doc.uri);
    const file = ctx?.analysis.pipeline.files.find((f) => f.uri === original);
    if (ctx && file) return { ctx, file };
  }
  return undefined;
}

/** The text of a pipeline file: the analyses of the open documents first, then what was handed out. */
export async function readPipelineFile(host: FeatureHost, uri: string): Promise<string | undefined> {
  const original = fromClientUri(uri);
  const found = await findPipelineFile(host, original);
  if (found) return found.ctx.textOf(original) ?? found.file.parsed.text;
  return handedOut.get(original);
}

/**
 * The feature context of a document: the host's for workspace files; for a read-only document
 * (a `gitlab-ci-presets:` URI) the analysis of an open document whose pipeline loaded that file,
 * with the file as the document (under its original URI), so navigation works inside it too.
 */
export async function featureContext(host: FeatureHost, uri: string): Promise<FeatureContext | undefined> {
  if (!uri.startsWith(`${READ_ONLY_SCHEME}:`)) return host.context(uri);
  const original = fromClientUri(uri);
  const found = await findPipelineFile(host, original);
  if (!found) return undefined;
  const { ctx, file } = found;
  return makeContext(ctx.analysis, ctx.settings, { uri: original, text: file.parsed.text, version: 0 }, (u) => host.documents.get(u)?.getText());
}
