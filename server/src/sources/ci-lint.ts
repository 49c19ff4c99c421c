/**
 * GitLab's CI Lint API (`POST /projects/:id/ci/lint` with `{content, dry_run, ref, include_jobs}`)
 * through @gitbeaker/rest's Lint resource, with our transport plugged in as its `requesterFn`
 * (as in gitlab-api.ts): the RequestLimiter's timeout, concurrency cap and Retry-After, and the
 * token only to its own host over https (plain http only to loopback, see hosts.ts).
 * `validateRemotely` sends an expanded pipeline (our merged configuration, unsaved and
 * uncommitted files included) and maps GitLab's answer back to source positions
 * (pipeline/edits/lint-mapping.ts). Failures are ApiErrors whose message names host and project and
 * never holds the token.
 */
import { STATUS_CODES } from 'node:http';
import { Lint } from '@gitbeaker/rest';
import type { ExpandedPipeline } from '../pipeline/merge/expand.js';
import type { PipelineDiagnostic } from '../pipeline/model.js';
import { diffMergedYaml, mapLintMessages, mergedYamlForLint } from '../pipeline/edits/lint-mapping.js';
import type { MergedYamlDifference } from '../pipeline/edits/lint-mapping.js';
import { ApiError, redact } from './gitlab-api.js';
import { primaryRemote, workingTreeOf } from './git-remotes.js';
import { chooseGitlabUrl, mayCarryToken } from './hosts.js';
import { hostOf, RequestFailure, RequestLimiter } from './request-limits.js';
import type { HttpResponse } from './request-limits.js';

export interface LintRequest {
  content: string;
  /** Simulate pipeline creation (default true): rules, needs and the project's variables count. */
  dryRun?: boolean;
  /** Branch or tag the dry run simulates (default: the project's default branch). */
  ref?: string;
  includeJobs?: boolean;
}

/** GitLab's answer, as it gave it. */
export interface LintResult {
  valid: boolean;
  errors: string[];
  warnings: string[];
  merged_yaml?: string;
}

export interface CiLintOptions {
  /** `https://host[:port][/prefix]`. */
  gitlabUrl: string;
  token?: string;
  /** Default: a limiter of its own with a 30 s timeout (a dry run can take a while). */
  limiter?: RequestLimiter;
}

export const DEFAULT_LINT_TIMEOUT_MS = 30_000;

type Body = Record<string, unknown> | undefined;

export class CiLint {
  readonly gitlabUrl: string;
  readonly host: string;
  private limiter: RequestLimiter;
  private resource: InstanceType<typeof Lint>;

  constructor(private opts: CiLintOptions) {
    this.gitlabUrl = opts.gitlabUrl;
    this.host = hostOf(opts.gitlabUrl);
    this.limiter = opts.limiter ?? new RequestLimiter({ timeoutMs: DEFAULT_LINT_TIMEOUT_MS });
    const refuse = () => Promise.reject(new Error('CI Lint only posts'));
    const requesterFn = (resource: { url: string }) => ({
      post: (endpoint: string, options?: { body?: Body }) => this.post(resource.url, endpoint, options?.body),
      get: refuse,
      put: refuse,
      patch: refuse,
      delete: refuse,
    });
    // queryTimeout: null — the transport owns timeouts.
    const config = { host: opts.gitlabUrl, requesterFn, queryTimeout: null } as unknown as ConstructorParameters<typeof Lint>[0];
    this.resource = new Lint(config);
  }

  /** Would the token go with a request to this instance? (same host, https or loopback http) */
  get sendsToken(): boolean {
    return this.opts.token !== undefined && mayCarryToken(`${this.gitlabUrl}/api/v4/`, this.gitlabUrl);
  }

  /** `POST /projects/:id/ci/lint`; `project` is a numeric id or a `group/project` path. Throws ApiError. */
  async lint(project: string | number, req: LintRequest): Promise<LintResult> {
    const what = `CI Lint of project ${project} on ${this.host}`;
    let body: unknown;
    try {
      body = await this.resource.lint(project, req.content, { dryRun: req.dryRun ?? true, ref: req.ref, includeJobs: req.includeJobs ?? false });
    } catch (e) {
      if (e instanceof ApiError) throw new ApiError(e.kind, `${what}: ${e.message}`, e.status, e.retryAfterMs);
      throw e;
    }
    const answer = body as { valid?: unknown; errors?: unknown; warnings?: unknown; merged_yaml?: unknown } | null;
    if (!answer || typeof answer !== 'object' || typeof answer.valid !== 'boolean') {
      throw new ApiError('http', `${what}: the answer is not a CI Lint result (is ${this.gitlabUrl} a GitLab instance?)`);
    }
    const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
    const out: LintResult = { valid: answer.valid, errors: strings(answer.errors), warnings: strings(answer.warnings) };
    if (typeof answer.merged_yaml === 'string') out.merged_yaml = answer.merged_yaml;
    return out;
  }

  private async post(base: string, endpoint: string, body: Body): Promise<{ body: unknown; headers: Record<string, string>; status: number }> {
    const url = new URL(endpoint, base.endsWith('/') ? base : `${base}/`).href;
    const token = this.opts.token;
    const send = token !== undefined && mayCarryToken(url, this.gitlabUrl);
    const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json' };
    if (send) headers['private-token'] = token;
    // gitbeaker hands the options camelCased; the API takes snake_case (top-level keys only: `content` is text).
    const payload = Object.fromEntries(Object.entries(body ?? {}).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]));
    let res: HttpResponse;
    try {
      res = await this.limiter.post({ url, headers, body: JSON.stringify(payload), sensitiveHeaders: ['private-token', 'authorization'] });
    } catch (e) {
      if (e instanceof RequestFailure) throw new ApiError(e.kind, redact(e.message, token));
      throw e;
    }
    if (res.status >= 300 && res.status < 400) {
      const to = res.headers.location ? ` to ${hostOf(new URL(res.headers.location, url).href)}` : '';
      throw new ApiError('redirect', `answered ${res.status} (a redirect${to}); point the GitLab URL at the instance itself`, res.status);
    }
    if (res.status < 200 || res.status >= 300) throw lintHttpError(res, send, this.host, token);
    try {
      return { body: JSON.parse(res.body), headers: res.headers, status: res.status };
    } catch {
      throw new ApiError('http', 'sent malformed JSON');
    }
  }
}

function lintHttpError(res: HttpResponse, sentToken: boolean, host: string, token: string | undefined): ApiError {
  const status = res.status;
  let said = '';
  try {
    const j = JSON.parse(res.body) as { message?: unknown; error?: unknown };
    const m = j.message ?? j.error;
    if (typeof m === 'string') said = m;
  } catch {
    // not JSON: the status says it
  }
  const reason = STATUS_CODES[status] ?? '';
  let hint = '';
  if (status === 401) hint = sentToken ? 'the token was rejected' : `no token is set for ${host}`;
  else if (status === 403) hint = 'the token lacks access: CI Lint needs the `api` scope and the right to run pipelines in the project';
  else if (status === 404) hint = sentToken ? 'no such project, or the token cannot see it' : `no such project, or it is private and no token is set for ${host}`;
  else if (status === 429) hint = res.retryAfterMs !== undefined ? `rate limited; retry after ${Math.ceil(res.retryAfterMs / 1000)} s` : 'rate limited';
  const detail = [said && said !== `${status} ${reason}` ? said : '', hint].filter(Boolean).join('; ');
  const head = `answered ${status} ${reason}`.trimEnd();
  return new ApiError('http', redact(detail ? `${head} (${detail})` : head, token), status, res.retryAfterMs);
}

/** Where a folder's pipeline is linted: the GitLab instance and the project. */
export interface LintTarget {
  gitlabUrl: string;
  project: string;
  /** Where the project came from. */
  projectFrom: 'option' | 'git remote';
}

/**
 * The instance (`gitlabUrl`, else the folder's git remote, else gitlab.com) and the project
 * (`projectId`, else the path of the folder's git remote). Throws an Error saying what is missing.
 */
export function lintTarget(folder: string, opts: { gitlabUrl?: string; projectId?: string } = {}): LintTarget {
  const chosen = chooseGitlabUrl(opts.gitlabUrl, folder);
  const given = opts.projectId?.trim();
  if (given) return { gitlabUrl: chosen.url, project: given, projectFrom: 'option' };
  const tree = workingTreeOf(folder);
  const remote = tree ? primaryRemote(tree) : undefined;
  if (!remote) throw new Error(`no project to lint ${folder} in: it has no git remote; give the project id or path`);
  // `default`: the remote is not on a GitLab instance (a GitHub mirror, say): its path means nothing there.
  if (chosen.from === 'default') throw new Error(`the git remote of ${folder} is on ${remote.hostname}, not on a GitLab instance; give the project id or path`);
  return { gitlabUrl: chosen.url, project: remote.projectPath, projectFrom: 'git remote' };
}

export interface RemoteValidation {
  /** GitLab's verdict. */
  valid: boolean;
  /** GitLab's errors and warnings (`gitlab-lint-error` / `gitlab-lint-warning`) at source positions. */
  diagnostics: PipelineDiagnostic[];
  /** Where GitLab's merged YAML differs from ours (empty when it sent none). */
  mergedYamlDiff: MergedYamlDifference[];
  result: LintResult;
}

/** Send the pipeline as we merged it and map GitLab's answer back. Throws ApiError. */
export async function validateRemotely(pipeline: ExpandedPipeline, lint: CiLint, project: string | number, opts: { ref?: string; dryRun?: boolean } = {}): Promise<RemoteValidation> {
  const result = await lint.lint(project, { content: mergedYamlForLint(pipeline), ref: opts.ref, dryRun: opts.dryRun ?? true });
  return {
    valid: result.valid,
    diagnostics: mapLintMessages(pipeline, result),
    mergedYamlDiff: result.merged_yaml !== undefined ? diffMergedYaml(pipeline, result.merged_yaml) : [],
    result,
  };
}
