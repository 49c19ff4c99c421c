/**
 * A local HTTP server on 127.0.0.1 that speaks the part of GitLab's REST API (v4) the sources
 * use, as documented: URL-encoded project paths, `PRIVATE-TOKEN` and `Authorization: Bearer`
 * auth, JSON error bodies (`{"message":"401 Unauthorized"}`, `{"message":"404 File Not Found"}`),
 * offset pagination headers (`X-Page`, `X-Next-Page`, `X-Total-Pages`, `Link`), 429 with
 * `Retry-After`. It serves projects built from folders or file maps, with commits, branches and
 * tags that tests can move; it records every request (method, URL, headers); failures and
 * slowness can be switched on; `stop()` makes it unreachable and `restart()` brings it back on
 * the same port. It also serves plain files under `/remote/` with ETag / Last-Modified, for
 * `include: remote:`, and answers `POST /projects/:id/ci/lint` with a configurable result
 * (`lintAnswer`: valid, errors, warnings, merged_yaml, an HTTP error, a delay), recording each
 * request's JSON body in `lintCalls`. `fault()` adds what the network does besides an error
 * status (resets, hangs, slow or truncated bodies, malformed JSON, a captive portal's page).
 * CI/CD variables: `GET /projects/:id/variables` and `GET /groups/:id/variables` (paginated,
 * GitLab's variable objects with their values; `hidden` ones with `value: null`) answer only a
 * token listed in `variableReaders` (a Maintainer of the project, Owner of the group); any other
 * valid token gets `403 Forbidden`, no token `401 Unauthorized`, an unknown group
 * `404 Group Not Found`. Every project's parent namespaces exist as (private) groups.
 * Groups list their projects (`GET /groups/:id/projects`, `include_subgroups`, paginated, private
 * ones only with a token); merge requests (`addMergeRequest`) take notes
 * (`POST /projects/:id/merge_requests/:iid/notes`, token needed, recorded in `notes`).
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { ServerResponse } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RecordedRequest {
  method: string;
  /** Path and query as sent (still URL-encoded). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  at: number;
}

export interface FailureRule {
  status: number;
  /** How many matching requests fail (default: all until cleared). */
  times?: number;
  /** `Retry-After` value (seconds or an HTTP date). */
  retryAfter?: string | number;
  /** Which requests (matched against the raw path + query); default every request under /api/v4/. */
  match?: RegExp;
  /** The error body's `message` (default `"<status> <reason>"`), e.g. one that echoes a secret. */
  message?: string;
}

/**
 * A transport fault: what a network, a proxy or an overloaded host does besides answering an error
 * status. `reset` drops the connection at once; `hang` never answers; `slow-body` sends the real
 * status and headers at once and the body a few bytes every `delayMs`; `truncate` sends the real
 * status, headers (with the full Content-Length) and half the body, then cuts the connection;
 * `malformed-json` sends half of a JSON answer as if it were complete (other answers pass);
 * `html` answers 200 with an HTML page, as a captive portal or a proxy's login page does.
 */
export interface FaultRule {
  kind: 'reset' | 'hang' | 'slow-body' | 'truncate' | 'malformed-json' | 'html';
  /** Which requests (raw path + query); default every request under /api/v4/. */
  match?: RegExp;
  /** How many matching requests get the fault (default: all until cleared). */
  times?: number;
  /** `slow-body`: milliseconds between chunks (default 200). */
  delayMs?: number;
}

/** What `POST /projects/:id/ci/lint` answers (GitLab's shape); `status` answers that HTTP error instead; `delayMs` waits first. */
export interface LintAnswer {
  valid?: boolean;
  errors?: string[];
  warnings?: string[];
  /** Default: the content sent, echoed (what GitLab gives back for a configuration without includes); null: none. */
  merged_yaml?: string | null;
  status?: number;
  delayMs?: number;
}

/** One CI Lint request as the stand-in received it. */
export interface LintCall {
  project: string;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

/** A note as the stand-in received it. */
export interface NoteCall {
  project: string;
  mergeRequest: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** A CI/CD variable as GitLab's variables API lists it (`GET /projects/:id/variables`). */
export interface VariableSpec {
  key: string;
  value: string;
  variable_type?: 'env_var' | 'file';
  protected?: boolean;
  masked?: boolean;
  /** Masked and hidden: GitLab lists it with `value: null`. */
  hidden?: boolean;
  raw?: boolean;
  environment_scope?: string;
  description?: string | null;
}

interface Group {
  id: number;
  path: string;
  visibility: 'public' | 'private';
  variables: VariableSpec[];
}

interface Commit {
  sha: string;
  files: Map<string, string>;
  date: string;
}

interface Project {
  id: number;
  path: string;
  visibility: 'public' | 'private';
  defaultBranch: string;
  commits: Map<string, Commit>;
  branches: Map<string, string>;
  tags: Map<string, { sha: string; updated: number }>;
  variables: VariableSpec[];
  ciConfigPath?: string;
  mergeRequests: Set<number>;
}

export interface ProjectSpec {
  path: string;
  /** Files from a folder (`.git` and `node_modules` skipped). */
  dir?: string;
  files?: Record<string, string>;
  /** Tags created in order, each on its own commit of the default branch (same files). */
  tags?: string[];
  defaultBranch?: string;
  /** Default private: reads need a valid token. */
  visibility?: 'public' | 'private';
  /** CI/CD variables set in the project's settings. */
  variables?: VariableSpec[] | Record<string, string>;
  /** Settings → CI/CD → CI/CD configuration file (`ci_config_path`). */
  ciConfigPath?: string;
}

export interface GroupSpec {
  /** `group` or `group/subgroup`. */
  path: string;
  visibility?: 'public' | 'private';
  variables?: VariableSpec[] | Record<string, string>;
}

function variableList(v: VariableSpec[] | Record<string, string> | undefined): VariableSpec[] {
  if (!v) return [];
  return Array.isArray(v) ? v.map((x) => ({ ...x })) : Object.entries(v).map(([key, value]) => ({ key, value }));
}

const REASON: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };

function readTree(dir: string, rel = '', out = new Map<string, string>()): Map<string, string> {
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      if (e.name !== '.git' && e.name !== 'node_modules') readTree(dir, p, out);
    } else if (e.isFile()) out.set(p, readFileSync(join(dir, p), 'utf8'));
  }
  return out;
}

export class GitLabStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly tokens = new Set<string>();
  /** Tokens that may read CI/CD variables (Maintainer/Owner); other valid tokens get 403 there. */
  readonly variableReaders = new Set<string>();
  /** Every request answers 401 without a valid token (an instance without anonymous API access). */
  requireAuth = false;
  /** Milliseconds to wait before answering. */
  delayMs = 0;
  /** The most requests that were being answered at the same time. */
  maxConcurrent = 0;
  private concurrent = 0;
  private redirects: Array<{ match: RegExp; location: string }> = [];
  readonly templates = new Map<string, string>();
  private remotes = new Map<string, { text: string; etag: string; lastModified: string }>();
  private projects = new Map<string, Project>();
  private groups = new Map<string, Group>();
  private failures: FailureRule[] = [];
  private faults: FaultRule[] = [];
  private counter = 0;
  private tagClock = 0;
  private server: Server;
  port = 0;
  /** The CI Lint endpoint's answer (fixed, or computed from the request). */
  lintAnswer: LintAnswer | ((call: LintCall) => LintAnswer) = {};
  /** Every CI Lint request with its parsed JSON body. */
  readonly lintCalls: LintCall[] = [];
  /** Every merge-request note posted. */
  readonly notes: NoteCall[] = [];

  private constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static async start(opts: { tokens?: string[]; variableReaders?: string[] } = {}): Promise<GitLabStandIn> {
    const s = new GitLabStandIn();
    for (const t of opts.tokens ?? []) s.tokens.add(t);
    for (const t of opts.variableReaders ?? []) s.variableReaders.add(t);
    await s.listen(0);
    return s;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        const a = this.server.address();
        if (a && typeof a === 'object') this.port = a.port;
        resolve();
      });
    });
  }

  /** Stop listening and drop open connections: the host becomes unreachable. */
  stop(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  restart(): Promise<void> {
    return this.listen(this.port);
  }

  close(): Promise<void> {
    return this.stop();
  }

  // ─────────────────────────────────────────────────────────── fixtures ──

  addProject(spec: ProjectSpec): void {
    const files = spec.dir ? readTree(spec.dir) : new Map<string, string>();
    for (const [k, v] of Object.entries(spec.files ?? {})) files.set(k, v);
    const branch = spec.defaultBranch ?? 'main';
    const p: Project = { id: this.projects.size + 1, path: spec.path, visibility: spec.visibility ?? 'private', defaultBranch: branch, commits: new Map(), branches: new Map(), tags: new Map(), variables: variableList(spec.variables), ciConfigPath: spec.ciConfigPath, mergeRequests: new Set() };
    this.projects.set(spec.path, p);
    // A project lives in a namespace: its parent groups exist.
    const parts = spec.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const g = parts.slice(0, i).join('/');
      if (!this.groups.has(g)) this.addGroup({ path: g });
    }
    this.commit(spec.path, Object.fromEntries(files), { branch, replace: true });
    for (const tag of spec.tags ?? []) {
      const sha = this.commit(spec.path, {}, { branch });
      this.tag(spec.path, tag, sha);
    }
  }

  /** An open merge request `!iid` of a project (it takes notes). */
  addMergeRequest(projectPath: string, iid: number): void {
    this.project(projectPath).mergeRequests.add(iid);
  }

  /** Create a group (or replace its visibility and variables). */
  addGroup(spec: GroupSpec): void {
    const old = this.groups.get(spec.path);
    this.groups.set(spec.path, { id: old?.id ?? 1000 + this.groups.size, path: spec.path, visibility: spec.visibility ?? 'private', variables: variableList(spec.variables) });
  }

  /** Replace the CI/CD variables of a project or a group. */
  setVariables(target: { project: string } | { group: string }, variables: VariableSpec[] | Record<string, string>): void {
    const holder = 'project' in target ? this.project(target.project) : this.groups.get(target.group);
    if (!holder) throw new Error(`stand-in: no group ${(target as { group: string }).group}`);
    holder.variables = variableList(variables);
  }

  private project(path: string): Project {
    const p = this.projects.get(path);
    if (!p) throw new Error(`stand-in: no project ${path}`);
    return p;
  }

  /** A new commit on `branch` (created from the default branch if new): its files + `changes` (null deletes). Returns the SHA. */
  commit(projectPath: string, changes: Record<string, string | null>, opts: { branch?: string; replace?: boolean } = {}): string {
    const p = this.project(projectPath);
    const branch = opts.branch ?? p.defaultBranch;
    // A new branch starts from the default branch.
    const parent = p.branches.get(branch) ?? p.branches.get(p.defaultBranch);
    const files = new Map(opts.replace || !parent ? [] : p.commits.get(parent)!.files);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) files.delete(k);
      else files.set(k, v);
    }
    const sha = createHash('sha1').update(`${projectPath}\n${++this.counter}\n${JSON.stringify([...files])}`).digest('hex');
    p.commits.set(sha, { sha, files, date: new Date(Date.UTC(2026, 0, 1) + this.counter * 60_000).toISOString() });
    p.branches.set(branch, sha);
    return sha;
  }

  /** Create or move a tag to a ref (branch, tag or SHA). */
  tag(projectPath: string, name: string, ref: string): string {
    const p = this.project(projectPath);
    const sha = this.resolve(p, ref);
    if (!sha) throw new Error(`stand-in: no ref ${ref}`);
    p.tags.set(name, { sha, updated: ++this.tagClock });
    return sha;
  }

  shaOf(projectPath: string, ref: string): string | undefined {
    return this.resolve(this.project(projectPath), ref);
  }

  setRemote(path: string, text: string): void {
    const etag = `"${createHash('sha1').update(text).digest('hex').slice(0, 16)}"`;
    this.remotes.set(path, { text, etag, lastModified: new Date(Date.UTC(2026, 0, 1) + ++this.counter * 1000).toUTCString() });
  }

  /** Answer requests matching `match` with `302 Location: location`. */
  redirect(match: RegExp, location: string): void {
    this.redirects.push({ match, location });
  }

  fail(rule: FailureRule): void {
    this.failures.push({ ...rule });
  }

  clearFailures(): void {
    this.failures = [];
    this.redirects = [];
  }

  /** Answer requests matching the rule with a transport fault (see FaultRule). */
  fault(rule: FaultRule): void {
    this.faults.push({ ...rule });
  }

  clearFaults(): void {
    this.faults = [];
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  /** Requests whose URL matches `re`. */
  requestsTo(re: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => re.test(r.url));
  }

  // ─────────────────────────────────────────────────────────── serving ──

  private resolve(p: Project, ref: string): string | undefined {
    if (p.branches.has(ref)) return p.branches.get(ref);
    if (p.tags.has(ref)) return p.tags.get(ref)!.sha;
    if (p.commits.has(ref)) return ref;
    if (/^[0-9a-f]{7,39}$/.test(ref)) {
      const hits = [...p.commits.keys()].filter((s) => s.startsWith(ref));
      if (hits.length === 1) return hits[0];
    }
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    this.requests.push({ method: req.method ?? 'GET', url, headers: { ...req.headers }, at: Date.now() });
    this.maxConcurrent = Math.max(this.maxConcurrent, ++this.concurrent);
    res.once('close', () => this.concurrent--);
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (res.destroyed) return;
    const fault = this.faults.find((f) => (f.match ?? /^\/api\/v4\//).test(url) && (f.times === undefined || f.times > 0));
    if (fault) {
      if (fault.times !== undefined) fault.times--;
      if (this.applyFault(fault, req, res)) return;
    }
    const redirect = this.redirects.find((r) => r.match.test(url));
    if (redirect) {
      res.writeHead(302, { location: redirect.location });
      return void res.end();
    }
    try {
      this.route(req, res, url);
    } catch (e) {
      this.json(res, 500, { message: `500 Internal Server Error: ${(e as Error).message}` });
    }
  }

  /** True when the fault is the whole answer; else the answer is routed as usual through the fault's filter. */
  private applyFault(f: FaultRule, req: IncomingMessage, res: ServerResponse): boolean {
    if (f.kind === 'reset') {
      req.socket.destroy();
      return true;
    }
    if (f.kind === 'hang') return true;
    if (f.kind === 'html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><html><head><title>Sign in to the network</title></head><body><form action="/login"><input name="user"></form></body></html>');
      return true;
    }
    // Let the route build its answer, then deliver it through the fault.
    const writeHead = res.writeHead.bind(res) as (status: number, headers?: Record<string, string | number>) => ServerResponse;
    const end = (chunk?: Buffer) => (ServerResponse.prototype.end as (this: ServerResponse, chunk?: Buffer) => ServerResponse).call(res, chunk);
    let status = 200;
    let headers: Record<string, string | number> = {};
    res.writeHead = ((s: number, h?: Record<string, string | number>) => {
      status = s;
      headers = h ?? {};
      return res;
    }) as never;
    res.end = ((chunk?: unknown) => {
      const body = chunk === undefined || typeof chunk === 'function' ? Buffer.alloc(0) : Buffer.from(chunk as string);
      const half = body.subarray(0, body.length >> 1);
      if (f.kind === 'malformed-json') {
        writeHead(status, headers);
        return end(/json/.test(String(headers['content-type'] ?? '')) ? half : body);
      }
      writeHead(status, { ...headers, 'content-length': body.length });
      if (f.kind === 'truncate') {
        res.write(half, () => res.socket?.destroy());
        return res;
      }
      // slow-body: 16 bytes at a time.
      let at = 0;
      const next = () => {
        if (res.destroyed) return;
        if (at >= body.length) return void end();
        res.write(body.subarray(at, (at += 16)));
        setTimeout(next, f.delayMs ?? 200);
      };
      next();
      return res;
    }) as never;
    return false;
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  private error(res: ServerResponse, status: number, what?: string, headers: Record<string, string> = {}): void {
    this.json(res, status, { message: what ? `${status} ${what}` : `${status} ${REASON[status] ?? ''}`.trim() }, headers);
  }

  private route(req: IncomingMessage, res: ServerResponse, url: string): void {
    const [rawPath, rawQuery = ''] = url.split('?', 2);
    const query = new URLSearchParams(rawQuery);
    const rule = this.failures.find((f) => (f.match ?? /^\/api\/v4\//).test(url) && (f.times === undefined || f.times > 0));
    if (rule) {
      if (rule.times !== undefined) rule.times--;
      const headers: Record<string, string> = rule.retryAfter !== undefined ? { 'retry-after': String(rule.retryAfter) } : {};
      if (rule.message !== undefined) return this.json(res, rule.status, { message: rule.message }, headers);
      return this.error(res, rule.status, undefined, headers);
    }
    if (rawPath.startsWith('/remote/')) return this.serveRemote(req, res, rawPath);
    if (!rawPath.startsWith('/api/v4/')) return this.json(res, 404, { error: '404 Not Found' });
    const token = this.tokenOf(req);
    if (token !== undefined && !this.tokens.has(token)) return this.error(res, 401);
    if (token === undefined && this.requireAuth) return this.error(res, 401);
    const seg = rawPath.slice('/api/v4/'.length).split('/');
    if (seg[0] === 'templates' && seg[1] === 'gitlab_ci_ymls' && seg.length === 3) {
      const key = decodeURIComponent(seg[2]);
      const content = this.templates.get(key);
      return content === undefined ? this.error(res, 404, 'Template Not Found') : this.json(res, 200, { name: key, content });
    }
    if (seg[0] === 'groups' && seg.length >= 2) return this.serveGroup(res, seg, token, query, rawPath);
    if (seg[0] !== 'projects' || seg.length < 2) return this.json(res, 404, { error: '404 Not Found' });
    const id = decodeURIComponent(seg[1]);
    const p = [...this.projects.values()].find((x) => x.path === id || String(x.id) === id);
    if (!p || (p.visibility === 'private' && token === undefined)) return this.error(res, 404, 'Project Not Found');
    const rest = seg.slice(2);
    if (rest.length === 0) {
      return this.json(res, 200, { id: p.id, path_with_namespace: p.path, name: p.path.split('/').pop(), default_branch: p.defaultBranch, visibility: p.visibility, web_url: `${this.url}/${p.path}` });
    }
    if (rest[0] === 'ci' && rest[1] === 'lint' && rest.length === 2 && req.method === 'POST') {
      return void this.serveLint(req, res, p, token).catch((e) => this.json(res, 500, { message: `500 Internal Server Error: ${(e as Error).message}` }));
    }
    if (rest[0] === 'variables' && rest.length === 1 && (req.method ?? 'GET') === 'GET') return this.serveVariables(res, p.variables, token, query, rawPath);
    if (rest[0] === 'merge_requests' && rest[2] === 'notes' && rest.length === 3 && req.method === 'POST') {
      return void this.serveNote(req, res, p, Number(decodeURIComponent(rest[1])), token).catch((e) => this.json(res, 500, { message: `500 Internal Server Error: ${(e as Error).message}` }));
    }
    if (rest[0] !== 'repository') return this.json(res, 404, { error: '404 Not Found' });
    const [what, arg, tail] = rest.slice(1);
    if (what === 'files' && arg !== undefined && tail === 'raw' && rest.length === 4) {
      const sha = this.resolve(p, query.get('ref') ?? p.defaultBranch);
      if (!sha) return this.error(res, 404, 'Commit Not Found');
      const text = p.commits.get(sha)!.files.get(decodeURIComponent(arg));
      if (text === undefined) return this.error(res, 404, 'File Not Found');
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-gitlab-commit-id': sha });
      return void res.end(text);
    }
    if (what === 'branches' && arg !== undefined && rest.length === 3) {
      const name = decodeURIComponent(arg);
      const sha = p.branches.get(name);
      if (!sha) return this.error(res, 404, 'Branch Not Found');
      return this.json(res, 200, { name, default: name === p.defaultBranch, protected: false, commit: this.commitJson(p, sha) });
    }
    if (what === 'commits' && arg !== undefined && rest.length === 3) {
      const sha = this.resolve(p, decodeURIComponent(arg));
      return sha ? this.json(res, 200, this.commitJson(p, sha)) : this.error(res, 404, 'Commit Not Found');
    }
    if (what === 'tags' && rest.length === 2) return this.serveTags(res, p, query, rawPath);
    if (what === 'tags' && arg !== undefined && rest.length === 3) {
      const t = p.tags.get(decodeURIComponent(arg));
      return t ? this.json(res, 200, this.tagJson(p, decodeURIComponent(arg))) : this.error(res, 404, 'Tag Not Found');
    }
    if (what === 'tree' && rest.length === 2) return this.serveTree(res, p, query, rawPath);
    return this.json(res, 404, { error: '404 Not Found' });
  }

  /** `/groups/:id` and `/groups/:id/variables`: a private group is not found without a token. */
  private serveGroup(res: ServerResponse, seg: string[], token: string | undefined, query: URLSearchParams, rawPath: string): void {
    const id = decodeURIComponent(seg[1]);
    const g = [...this.groups.values()].find((x) => x.path === id || String(x.id) === id);
    if (!g || (g.visibility === 'private' && token === undefined)) return this.error(res, 404, 'Group Not Found');
    const rest = seg.slice(2);
    if (rest.length === 0) return this.json(res, 200, { id: g.id, full_path: g.path, path: g.path.split('/').pop(), visibility: g.visibility, web_url: `${this.url}/groups/${g.path}` });
    if (rest[0] === 'variables' && rest.length === 1) return this.serveVariables(res, g.variables, token, query, rawPath);
    if (rest[0] === 'projects' && rest.length === 1) return this.serveGroupProjects(res, g, token, query, rawPath);
    return this.json(res, 404, { error: '404 Not Found' });
  }

  /** `GET /groups/:id/projects`: the group's projects (with `include_subgroups=true` those of its subgroups too), by path. */
  private serveGroupProjects(res: ServerResponse, g: Group, token: string | undefined, query: URLSearchParams, rawPath: string): void {
    const deep = query.get('include_subgroups') === 'true';
    const list = [...this.projects.values()]
      .filter((p) => p.path.startsWith(`${g.path}/`) && (deep || !p.path.slice(g.path.length + 1).includes('/')))
      .filter((p) => p.visibility === 'public' || token !== undefined)
      .sort((a, b) => a.path.localeCompare(b.path))
      .map((p) => ({
        id: p.id,
        name: p.path.split('/').pop(),
        path: p.path.split('/').pop(),
        path_with_namespace: p.path,
        default_branch: p.defaultBranch,
        visibility: p.visibility,
        archived: false,
        ci_config_path: p.ciConfigPath ?? null,
        web_url: `${this.url}/${p.path}`,
      }));
    this.paginate(res, list, query, rawPath);
  }

  /** `POST /projects/:id/merge_requests/:iid/notes` `{body}`: needs a token; the merge request must exist. */
  private async serveNote(req: IncomingMessage, res: ServerResponse, p: Project, iid: number, token: string | undefined): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (token === undefined) return this.error(res, 401);
    if (!p.mergeRequests.has(iid)) return this.error(res, 404, 'Not found');
    let body: { body?: unknown };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { body?: unknown };
    } catch {
      return this.error(res, 400);
    }
    if (typeof body.body !== 'string' || body.body === '') return this.json(res, 400, { error: 'body is missing' });
    this.notes.push({ project: p.path, mergeRequest: iid, body: body.body, headers: { ...req.headers } });
    this.json(res, 201, { id: this.notes.length, type: null, body: body.body, noteable_type: 'MergeRequest', noteable_iid: iid, system: false, created_at: new Date().toISOString() });
  }

  /** A list of variables, as GitLab's variables API answers it: only to a Maintainer/Owner token, paginated. */
  private serveVariables(res: ServerResponse, variables: VariableSpec[], token: string | undefined, query: URLSearchParams, rawPath: string): void {
    if (token === undefined) return this.error(res, 401);
    if (!this.variableReaders.has(token)) return this.error(res, 403);
    const items = variables.map((v) => ({
      variable_type: v.variable_type ?? 'env_var',
      key: v.key,
      value: v.hidden ? null : v.value,
      protected: v.protected ?? false,
      masked: v.masked ?? !!v.hidden,
      hidden: v.hidden ?? false,
      raw: v.raw ?? false,
      environment_scope: v.environment_scope ?? '*',
      description: v.description ?? null,
    }));
    this.paginate(res, items, query, rawPath);
  }

  private tokenOf(req: IncomingMessage): string | undefined {
    const pt = req.headers['private-token'];
    if (typeof pt === 'string') return pt;
    const auth = req.headers.authorization;
    const m = typeof auth === 'string' ? /^Bearer\s+(.+)$/i.exec(auth) : null;
    return m ? m[1] : undefined;
  }

  private commitJson(p: Project, sha: string) {
    const c = p.commits.get(sha)!;
    return { id: sha, short_id: sha.slice(0, 8), title: `commit ${sha.slice(0, 8)}`, committed_date: c.date, created_at: c.date, parent_ids: [] };
  }

  private tagJson(p: Project, name: string) {
    const t = p.tags.get(name)!;
    return { name, target: t.sha, message: '', protected: false, commit: this.commitJson(p, t.sha) };
  }

  private paginate<T>(res: ServerResponse, items: T[], query: URLSearchParams, rawPath: string): void {
    const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 20) || 20));
    const totalPages = Math.max(1, Math.ceil(items.length / perPage));
    const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
    const link = (n: number) => {
      const q = new URLSearchParams(query);
      q.set('page', String(n));
      q.set('per_page', String(perPage));
      return `${this.url}${rawPath}?${q.toString()}`;
    };
    const links = [];
    if (page > 1) links.push(`<${link(page - 1)}>; rel="prev"`);
    if (page < totalPages) links.push(`<${link(page + 1)}>; rel="next"`);
    links.push(`<${link(1)}>; rel="first"`, `<${link(totalPages)}>; rel="last"`);
    this.json(res, 200, items.slice((page - 1) * perPage, page * perPage), {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-total': String(items.length),
      'x-total-pages': String(totalPages),
      'x-next-page': page < totalPages ? String(page + 1) : '',
      'x-prev-page': page > 1 ? String(page - 1) : '',
      link: links.join(', '),
    });
  }

  private serveTags(res: ServerResponse, p: Project, query: URLSearchParams, rawPath: string): void {
    const order = query.get('order_by') ?? 'updated';
    const names = [...p.tags.keys()];
    const num = (n: string) => (/^v?(\d+)\.(\d+)\.(\d+)/.exec(n) ?? []).slice(1).map(Number);
    if (order === 'name') names.sort();
    else if (order === 'version') names.sort((a, b) => {
      const [x, y] = [num(a), num(b)];
      return (x[0] ?? 0) - (y[0] ?? 0) || (x[1] ?? 0) - (y[1] ?? 0) || (x[2] ?? 0) - (y[2] ?? 0) || a.localeCompare(b);
    });
    else names.sort((a, b) => p.tags.get(a)!.updated - p.tags.get(b)!.updated);
    if ((query.get('sort') ?? 'desc') === 'desc') names.reverse();
    this.paginate(res, names.map((n) => this.tagJson(p, n)), query, rawPath);
  }

  private serveTree(res: ServerResponse, p: Project, query: URLSearchParams, rawPath: string): void {
    const sha = this.resolve(p, query.get('ref') ?? p.defaultBranch);
    if (!sha) return this.error(res, 404, 'Tree Not Found');
    const recursive = query.get('recursive') === 'true';
    const base = (query.get('path') ?? '').replace(/^\/+|\/+$/g, '');
    const entries = new Map<string, 'tree' | 'blob'>();
    for (const file of p.commits.get(sha)!.files.keys()) {
      if (base && !file.startsWith(`${base}/`)) continue;
      const rel = base ? file.slice(base.length + 1) : file;
      const parts = rel.split('/');
      const depth = recursive ? parts.length : 1;
      for (let i = 1; i <= depth; i++) {
        const path = [base, ...parts.slice(0, i)].filter(Boolean).join('/');
        entries.set(path, i === parts.length ? 'blob' : 'tree');
      }
    }
    const items = [...entries].sort(([a], [b]) => a.localeCompare(b)).map(([path, type]) => ({
      id: createHash('sha1').update(`${sha}:${path}`).digest('hex'),
      name: path.split('/').pop(),
      type,
      path,
      mode: type === 'tree' ? '040000' : '100644',
    }));
    this.paginate(res, items, query, rawPath);
  }

  /** `POST /projects/:id/ci/lint` `{content, dry_run, ref, include_jobs}`: needs a token, like GitLab. */
  private async serveLint(req: IncomingMessage, res: ServerResponse, p: Project, token: string | undefined): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return this.error(res, 400);
    }
    const call: LintCall = { project: p.path, body, headers: { ...req.headers } };
    this.lintCalls.push(call);
    if (token === undefined) return this.error(res, 401);
    if (typeof body.content !== 'string' || body.content === '') return this.json(res, 400, { error: 'content is missing' });
    const a = typeof this.lintAnswer === 'function' ? this.lintAnswer(call) : this.lintAnswer;
    if (a.delayMs) await new Promise((r) => setTimeout(r, a.delayMs));
    if (res.destroyed) return;
    if (a.status) return this.error(res, a.status);
    const errors = a.errors ?? [];
    this.json(res, 200, {
      valid: a.valid ?? errors.length === 0,
      errors,
      warnings: a.warnings ?? [],
      merged_yaml: a.merged_yaml === undefined ? body.content : a.merged_yaml,
      includes: [],
    });
  }

  private serveRemote(req: IncomingMessage, res: ServerResponse, rawPath: string): void {
    const r = this.remotes.get(decodeURIComponent(rawPath.slice('/remote/'.length)));
    if (!r) return this.error(res, 404);
    const headers = { etag: r.etag, 'last-modified': r.lastModified };
    if (req.headers['if-none-match'] === r.etag || (!req.headers['if-none-match'] && req.headers['if-modified-since'] === r.lastModified)) {
      res.writeHead(304, headers);
      return void res.end();
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', ...headers });
    res.end(r.text);
  }
}
