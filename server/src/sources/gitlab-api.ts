/**
 * The GitLab REST API calls the sources need, through @gitbeaker/rest's resources (URLs, encoded
 * project paths, query parameters, pagination over `Link` headers) with our own transport plugged
 * in as gitbeaker's `requesterFn`: gitbeaker's default one retries 429/502 ten times on a fixed
 * sub-second backoff without reading `Retry-After`, has no de-duplication or concurrency cap, and
 * uses fetch's redirect handling, which keeps `PRIVATE-TOKEN` on a cross-origin redirect. The
 * transport (RequestLimiter) adds the token itself, only for this host (see hosts.ts).
 */
import { Branches, Commits, Groups, GroupVariables, Projects, ProjectVariables, Repositories, RepositoryFiles, Tags } from '@gitbeaker/rest';
import { hostOf, RequestFailure } from './request-limits.js';
import type { HttpResponse, RequestLimiter } from './request-limits.js';
import { mayCarryToken } from './hosts.js';

export type ApiErrorKind = 'http' | 'timeout' | 'network' | 'redirect' | 'offline';

/** A failed API call. `message` names the host and the reason; it never holds a token. */
export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface GitLabApiOptions {
  /** `https://host[:port][/prefix]`. */
  gitlabUrl: string;
  limiter: RequestLimiter;
  /** The current token of this host, asked at every request (tokens can change at run time). */
  token?: () => string | undefined;
}

export interface TagInfo {
  name: string;
  sha: string;
}

type SearchParams = Record<string, unknown> | undefined;
interface GitbeakerResponse {
  body: unknown;
  headers: Record<string, string>;
  status: number;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** A project as a group listing gives it. */
export interface GroupProject {
  path: string;
  /** Absent for an empty repository. */
  defaultBranch?: string;
  /** A CI file other than `.gitlab-ci.yml` (may name another project: `file@group/project`). */
  ciConfigPath?: string;
}

export class GitLabApi {
  readonly gitlabUrl: string;
  readonly host: string;
  private resources: {
    projects: InstanceType<typeof Projects>;
    branches: InstanceType<typeof Branches>;
    commits: InstanceType<typeof Commits>;
    tags: InstanceType<typeof Tags>;
    files: InstanceType<typeof RepositoryFiles>;
    repositories: InstanceType<typeof Repositories>;
    projectVariables: InstanceType<typeof ProjectVariables>;
    groupVariables: InstanceType<typeof GroupVariables>;
    groups: InstanceType<typeof Groups>;
  };

  constructor(private opts: GitLabApiOptions) {
    this.gitlabUrl = opts.gitlabUrl;
    this.host = hostOf(opts.gitlabUrl);
    const requester = (keysOnly: boolean) => (resource: { url: string }) => ({
      get: (endpoint: string, options?: { searchParams?: SearchParams }) => this.get(resource.url, endpoint, options?.searchParams, keysOnly),
      post: readOnly,
      put: readOnly,
      patch: readOnly,
      delete: readOnly,
    });
    // queryTimeout: null — the transport owns timeouts.
    const config = { host: opts.gitlabUrl, requesterFn: requester(false), queryTimeout: null } as unknown as ConstructorParameters<typeof Projects>[0];
    // CI/CD variables: the answer's values are dropped while it is parsed (see `get`), so no
    // value ever reaches gitbeaker, its page accumulator or anything after it.
    const keysOnly = { ...config, requesterFn: requester(true) } as typeof config;
    this.resources = {
      projects: new Projects(config),
      branches: new Branches(config),
      commits: new Commits(config),
      tags: new Tags(config),
      files: new RepositoryFiles(config),
      repositories: new Repositories(config),
      projectVariables: new ProjectVariables(keysOnly),
      groupVariables: new GroupVariables(keysOnly),
      groups: new Groups(config),
    };
  }

  async defaultBranch(project: string): Promise<string> {
    const p = (await this.resources.projects.show(project)) as { default_branch?: string | null };
    if (!p.default_branch) throw new ApiError('http', `${this.host}: project ${project} has no default branch (empty repository?)`);
    return p.default_branch;
  }

  async branchSha(project: string, branch: string): Promise<string> {
    const b = (await this.resources.branches.show(project, branch)) as { commit?: { id?: string } };
    if (!b.commit?.id) throw new ApiError('http', `${this.host}: branch ${branch} of ${project} has no commit`);
    return b.commit.id;
  }

  /** A branch, tag or SHA → the commit it designates (`GET /projects/:id/repository/commits/:ref`). */
  async commitSha(project: string, ref: string): Promise<string> {
    const c = (await this.resources.commits.show(project, ref)) as { id?: string };
    if (!c.id) throw new ApiError('http', `${this.host}: ${project}@${ref} did not resolve to a commit`);
    return c.id;
  }

  /** Every tag (all pages), newest update first as GitLab orders them. */
  async tags(project: string): Promise<TagInfo[]> {
    const list = (await this.resources.tags.all(project, { orderBy: 'updated', perPage: 100, maxPages: 20 })) as Array<{ name: string; commit?: { id?: string }; target?: string }>;
    return list.map((t) => ({ name: t.name, sha: t.commit?.id ?? t.target ?? '' }));
  }

  async rawFile(project: string, path: string, ref: string): Promise<string> {
    const body = await this.resources.files.showRaw(project, path, ref);
    return typeof body === 'string' ? body : JSON.stringify(body);
  }

  /** Every file path at `ref` (`repository/tree?recursive=true`, all pages). */
  async tree(project: string, ref: string): Promise<string[]> {
    const items = (await this.resources.repositories.allRepositoryTrees(project, { ref, recursive: true, perPage: 100, maxPages: 200 })) as unknown as Array<{ type: string; path: string }>;
    return items.filter((i) => i.type === 'blob').map((i) => i.path).sort();
  }

  /**
   * The keys of a project's CI/CD variables (`GET /projects/:id/variables`, all pages), sorted,
   * each once (a key can exist once per environment scope). Only the keys: values are secrets
   * and are dropped while the answer is parsed. Needs the Maintainer role (or a custom role with
   * `admin_cicd_variables`): any other token gets 403, or 404 when it cannot see the project.
   */
  async projectVariableKeys(project: string): Promise<string[]> {
    return variableKeys(await this.resources.projectVariables.all(project, { perPage: 100, maxPages: 50 }));
  }

  /** The keys of a group's own CI/CD variables (`GET /groups/:id/variables`, all pages; not its parents'). Needs the Owner role (Maintainer on some versions). */
  async groupVariableKeys(group: string): Promise<string[]> {
    return variableKeys(await this.resources.groupVariables.all(group, { perPage: 100, maxPages: 50 }));
  }

  /**
   * The projects of a group and its subgroups (`GET /groups/:id/projects?include_subgroups=true`,
   * not archived), at most `max` (whole pages of 100): path, default branch, CI file path.
   */
  async groupProjects(group: string, max: number): Promise<GroupProject[]> {
    const maxPages = Math.max(1, Math.ceil(max / 100));
    const list = (await this.resources.groups.allProjects(group, { includeSubgroups: true, archived: false, orderBy: 'path', sort: 'asc', perPage: 100, maxPages })) as unknown as Array<{ path_with_namespace?: string; default_branch?: string | null; ci_config_path?: string | null }>;
    return list
      .filter((p) => typeof p.path_with_namespace === 'string')
      .slice(0, max)
      .map((p) => ({ path: p.path_with_namespace!, defaultBranch: p.default_branch ?? undefined, ciConfigPath: p.ci_config_path || undefined }));
  }

  /**
   * `include: template:` from the instance (`GET /templates/gitlab_ci_ymls/:key`). Called on the
   * transport directly: gitbeaker's GitLabCIYMLTemplates.show emits a process DeprecationWarning on
   * every call, which would end up on the CLI's stderr.
   */
  async template(name: string): Promise<string> {
    const key = name.replace(/\.gitlab-ci\.yml$/, '');
    const r = await this.get(`${this.gitlabUrl}/api/v4/`, `templates/gitlab_ci_ymls/${encodeURIComponent(key)}`, undefined);
    const content = (r.body as { content?: unknown }).content;
    if (typeof content !== 'string') throw new ApiError('http', `${this.host}: template ${name} has no content`);
    return content;
  }

  private async get(base: string, endpoint: string, searchParams: SearchParams, keysOnly = false): Promise<GitbeakerResponse> {
    const url = new URL(endpoint, base.endsWith('/') ? base : `${base}/`);
    for (const [k, v] of Object.entries(searchParams ?? {})) {
      if (v === undefined || v === null) continue;
      url.searchParams.set(k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), String(v));
    }
    const token = this.opts.token?.();
    const send = token !== undefined && mayCarryToken(url.href, this.gitlabUrl);
    const headers: Record<string, string> = { accept: 'application/json, text/plain, */*' };
    if (send) headers['private-token'] = token;
    let res: HttpResponse;
    try {
      res = await this.opts.limiter.get({ url: url.href, headers, sensitiveHeaders: ['private-token', 'authorization'] }, `${url.href}\n${send ? 'auth' : 'anon'}`);
    } catch (e) {
      if (e instanceof RequestFailure) throw new ApiError(e.kind, redact(e.message, token));
      throw e;
    }
    if (res.status < 200 || res.status >= 300) throw this.httpError(res, send, token);
    const type = (res.headers['content-type'] ?? '').split(';')[0].trim();
    // The API answers JSON or a file's bytes (raw files as text/plain), never a web page: a 2xx HTML
    // page is a proxy's or captive portal's, and must not be cached as a file of a commit.
    if (type === 'text/html') throw new ApiError('http', `${this.host} answered with a web page instead of the API (a proxy or captive portal?)`);
    let body: unknown = res.body;
    if (type === 'application/json') {
      try {
        body = keysOnly ? JSON.parse(res.body, keepOnlyKeys) : JSON.parse(res.body);
      } catch {
        throw new ApiError('http', `${this.host} sent malformed JSON`);
      }
    }
    return { body, headers: res.headers, status: res.status };
  }

  private httpError(res: HttpResponse, sentToken: boolean, token: string | undefined): ApiError {
    const status = res.status;
    let said = '';
    try {
      const j = JSON.parse(res.body) as { message?: unknown; error?: unknown };
      const m = j.message ?? j.error;
      if (typeof m === 'string') said = m;
    } catch {
      // not JSON: keep only the status
    }
    const head = `${this.host} answered ${status} ${REASONS[status] ?? ''}`.trimEnd();
    let hint = '';
    if (status === 401) hint = sentToken ? 'the token was rejected' : `no token is set for ${this.host}`;
    else if (status === 403) hint = 'the token lacks access (it needs the read_api scope)';
    else if (status === 404) hint = sentToken ? 'no such project, ref or file' : `no such project, ref or file, or it is private and no token is set for ${this.host}`;
    else if (status === 429) hint = res.retryAfterMs !== undefined ? `rate limited; retry after ${Math.ceil(res.retryAfterMs / 1000)} s` : 'rate limited';
    const detail = [said && said !== `${status} ${REASONS[status]}` ? said : '', hint].filter(Boolean).join('; ');
    return new ApiError('http', redact(detail ? `${head} (${detail})` : head, token), status, res.retryAfterMs);
  }
}

/** GitLab's rule for a variable key: letters, digits and `_`, at most 255. */
export const VARIABLE_KEY = /^[A-Za-z0-9_]{1,255}$/;

/**
 * JSON.parse reviver for a list of variables: keeps array items and `key` fields, drops every
 * other field (`value` above all) as soon as the parser has built it.
 */
function keepOnlyKeys(this: unknown, name: string, value: unknown): unknown {
  if (name === '' || Array.isArray(this) || name === 'key') return value;
  return undefined;
}

function variableKeys(list: unknown): string[] {
  const keys = new Set<string>();
  for (const v of Array.isArray(list) ? list : []) {
    const key = (v as { key?: unknown } | null)?.key;
    if (typeof key === 'string' && VARIABLE_KEY.test(key)) keys.add(key);
  }
  return [...keys].sort();
}

function readOnly(): Promise<never> {
  return Promise.reject(new Error('the sources only read from GitLab'));
}

/** Belt and braces: a server that echoes the token must not get it into a message. */
export function redact(text: string, token: string | undefined): string {
  return token ? text.split(token).join('[token]') : text;
}
