/**
 * "Validate with GitLab": the request `gitlabCiPresets/validate` `{uri, projectId?, ref?}` sends
 * the pipeline the document belongs to, as merged here (unsaved editors and uncommitted files
 * included), to GitLab's CI Lint API (sources/ci-lint.ts) with the token the client set for the
 * instance (features/tokens.ts), and answers GitLab's verdict, its errors and warnings at source
 * positions, and where its merged YAML differs from ours.
 * GitLab's findings are also published, next to the local diagnostics of the same files, until
 * the server next publishes that pipeline's diagnostics (the next edit or setting change).
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic, Range } from 'vscode-languageserver/node';
import { formatDiffPath } from '../pipeline/edits/lint-mapping.js';
import type { MergedYamlDifference } from '../pipeline/edits/lint-mapping.js';
import type { PipelineDiagnostic } from '../pipeline/model.js';
import { CiLint, lintTarget, validateRemotely } from '../sources/ci-lint.js';
import { ApiError } from '../sources/gitlab-api.js';
import { serverSession } from '../sources/source-session.js';
import type { Feature, FeatureContext, FeatureHost } from './shared/context.js';
import { diagnosticsByUri, toLsp } from './shared/diagnostics.js';
import { clientUri, featureContext } from './shared/client-uris.js';

export const VALIDATE_REQUEST = 'gitlabCiPresets/validate';

export interface ValidateParams {
  /** Any document of the pipeline (its root `.gitlab-ci.yml` or a file it includes). */
  uri: string;
  /** Numeric id or `group/project`; default: the project of the workspace folder's git remote. */
  projectId?: string;
  /** Branch or tag GitLab's dry run simulates; default: the project's default branch. */
  ref?: string;
}

export interface ValidateDiagnostic {
  /** As the client opens it (files that are not in the workspace under the read-only scheme). */
  uri: string;
  range: Range;
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** `gitlab-lint-error` or `gitlab-lint-warning`. */
  code: string;
}

export interface ValidateResult {
  /** GitLab's verdict; null when GitLab could not be asked (`error` says why). */
  valid: boolean | null;
  /** GitLab's errors and warnings (not the local diagnostics, which are published as always). */
  diagnostics: ValidateDiagnostic[];
  /** Where GitLab's merged YAML differs from ours; `pathText` is the path as the CLI prints it. */
  mergedYamlDiff: (MergedYamlDifference & { pathText: string })[];
  /** The project and instance that were asked (when they could be determined). */
  project?: string;
  gitlabUrl?: string;
  /** Why GitLab could not be asked: no pipeline, no project, no token, 401, time-out, … */
  error?: string;
}

/** Per root pipeline, the files GitLab's findings were last published to. */
const publishedRemote = new Map<string, Set<string>>();

function failure(error: string, target?: { project: string; gitlabUrl: string }): ValidateResult {
  return { valid: null, diagnostics: [], mergedYamlDiff: [], project: target?.project, gitlabUrl: target?.gitlabUrl, error };
}

export async function validateWithGitLab(host: FeatureHost, params: ValidateParams): Promise<ValidateResult> {
  if (host.initializationOptions().trusted === false) return failure('GitLab is not asked from an untrusted workspace: trust the workspace first');
  const ctx = await featureContext(host, typeof params?.uri === 'string' ? params.uri : '');
  if (!ctx) return failure(`${params?.uri} is not an open document of a workspace pipeline`);
  const { analysis } = ctx;
  if (analysis.standalone || !analysis.rootUri.startsWith('file:')) {
    return failure(`${analysis.rootUri} is not part of a pipeline (a preset file is checked on its own); validate the .gitlab-ci.yml that includes it`);
  }
  let target;
  try {
    target = lintTarget(dirname(fileURLToPath(analysis.rootUri)), { gitlabUrl: ctx.settings.gitlabUrl, projectId: params.projectId });
  } catch (e) {
    return failure((e as Error).message);
  }
  const token = serverSession.tokens.tokenFor(`${target.gitlabUrl}/api/v4/`, target.gitlabUrl);
  const lint = new CiLint({ gitlabUrl: target.gitlabUrl, token });
  let r;
  try {
    r = await validateRemotely(analysis.pipeline, lint, target.project, { ref: params.ref });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    return failure(e.message, target);
  }
  publish(host, ctx, r.diagnostics);
  return {
    valid: r.valid,
    diagnostics: r.diagnostics.flatMap((d) => {
      const range = ctx.range(d.span);
      return range ? [{ uri: clientUri(ctx, d.span.uri), range, severity: d.severity, message: d.message, code: d.code }] : [];
    }),
    mergedYamlDiff: r.mergedYamlDiff.map((d) => ({ ...d, pathText: formatDiffPath(d.path) })),
    project: target.project,
    gitlabUrl: target.gitlabUrl,
  };
}

/** GitLab's findings next to the local diagnostics of each file; files that had GitLab findings before get local ones only. */
function publish(host: FeatureHost, ctx: FeatureContext, remote: PipelineDiagnostic[]): void {
  const { analysis } = ctx;
  const local = diagnosticsByUri(analysis.pipeline, (u) => host.documents.get(u)?.getText(), { standalone: false, knownVariables: ctx.settings.knownVariables });
  const byUri = new Map<string, Diagnostic[]>();
  for (const d of remote) {
    const index = ctx.lineIndex(d.span.uri);
    if (!index) continue;
    byUri.set(d.span.uri, [...(byUri.get(d.span.uri) ?? []), toLsp(d, index)]);
  }
  const before = publishedRemote.get(analysis.rootUri) ?? new Set<string>();
  for (const uri of new Set([...before, ...byUri.keys()])) {
    host.sendDiagnostics(uri, [...(local.get(uri) ?? []), ...(byUri.get(uri) ?? [])]);
  }
  publishedRemote.set(analysis.rootUri, new Set(byUri.keys()));
}

export const validateFeature: Feature = {
  capabilities: {},
  register(host) {
    host.connection.onRequest(VALIDATE_REQUEST, (params: ValidateParams) => validateWithGitLab(host, params));
  },
};
