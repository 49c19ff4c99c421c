/**
 * The keys of the CI/CD variables a folder's pipelines get from GitLab's settings — the folder's
 * project's own (`GET /projects/:id/variables`) and those of every group above it
 * (`GET /groups/:id/variables` for `a` and `a/b` of `a/b/c`) — so that a variable set there is
 * never reported missing. Instance variables (`/admin/ci/variables`) need an administrator and
 * are not asked for.
 *
 * Only keys are kept. The transport drops every value while it parses the answer
 * (gitlab-api.ts); the key lists are cached on disk (project-cache.ts) so that an offline
 * session still knows them; a list is asked again when its cached copy is older than `maxAgeMs`
 * (5 minutes), on refresh, and after a token change (`invalidate`).
 *
 * Listing variables takes the Maintainer role (Owner for a group): a token that may not read
 * them gets 401/403/404, which means "no keys" — no error, one line in the log naming the
 * project or group and the status (never the token), and the cached list of that project or
 * group is forgotten. Without a token nothing is asked (the API never lists variables
 * anonymously): the cached lists are used. Offline: the cached lists only. An unreachable
 * host: the cached lists, asked again after `failureTtlMs`.
 */
import { STATUS_CODES } from 'node:http';
import { ApiError, GitLabApi } from './gitlab-api.js';
import { primaryRemote, workingTreeOf } from './git-remotes.js';
import { chooseGitlabUrl } from './hosts.js';
import { formatCacheTime } from './project-cache.js';
import type { VariableOwner } from './project-cache.js';
import type { ApiReaderOptions } from './remote-projects.js';

export interface VariableKeysOptions extends ApiReaderOptions {
  /** One line per list the token may not read or the API could not give (the server's log). */
  log?: (line: string) => void;
}

/** Where the keys of one project or group came from. */
export interface VariableKeysSource {
  owner: VariableOwner;
  /** `group/project` or `group[/subgroup]`. */
  path: string;
  keys: string[];
  /** `api`: listed now; `cache`: the cached list (fresh, or the API could not be asked); `none`: no keys known. */
  from: 'api' | 'cache' | 'none';
  /** Why the API was not asked or gave nothing: `offline mode`, `no token for …`, `403 Forbidden`, a transport error. */
  reason?: string;
  /** When the list was last fetched from the API (ms since the epoch). */
  fetchedAt?: number;
}

export interface SettingsVariables {
  /** Every key of the project's and its groups' CI/CD variables, sorted, each once. */
  keys: string[];
  /** The instance and project they were looked up for; absent when the folder has no GitLab project. */
  gitlabUrl?: string;
  project?: string;
  /** One entry per project and group asked, the project first. */
  sources: VariableKeysSource[];
}

type Listed = VariableKeysSource & { transient?: boolean };
type Memo = { at: number; result: Promise<Listed>; good?: boolean };

/** `a/b/c` → `a`, `a/b`: the groups whose variables a project's pipelines inherit. */
export function ancestorGroups(project: string): string[] {
  const parts = project.split('/');
  return parts.slice(1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/**
 * The GitLab instance and project of a folder: the instance as everywhere (`gitlabUrl` setting,
 * else the git remote's host), the project from the path of the folder's git remote. None when
 * the folder has no git remote or its remote is not on a GitLab instance (a GitHub mirror).
 */
export function folderProject(folder: string, gitlabUrlSetting?: string): { gitlabUrl: string; project: string } | undefined {
  let chosen: ReturnType<typeof chooseGitlabUrl>;
  try {
    chosen = chooseGitlabUrl(gitlabUrlSetting, folder);
  } catch {
    return undefined; // an invalid gitlabUrl setting
  }
  if (chosen.from === 'default') return undefined;
  const tree = workingTreeOf(folder);
  const remote = tree ? primaryRemote(tree) : undefined;
  if (!remote) return undefined;
  // An instance under a path prefix (`https://host/gitlab`): its remotes read `/gitlab/group/project`.
  const prefix = new URL(chosen.url).pathname.replace(/^\/+|\/+$/g, '');
  const project = prefix && remote.projectPath.startsWith(`${prefix}/`) ? remote.projectPath.slice(prefix.length + 1) : remote.projectPath;
  return { gitlabUrl: chosen.url, project };
}

/** The key lists of one GitLab instance, through one cache folder, memoised for the session. */
export class VariableKeys {
  readonly gitlabUrl: string;
  readonly host: string;
  readonly api: GitLabApi;
  private memos = new Map<string, Memo>();
  private forceUntil = -Infinity;
  /** Lines already logged since the last invalidate: a list that stays unreadable is said once. */
  private logged = new Set<string>();

  constructor(private opts: VariableKeysOptions) {
    this.gitlabUrl = opts.gitlabUrl;
    this.api = new GitLabApi({ gitlabUrl: opts.gitlabUrl, limiter: opts.limiter, token: () => this.token() });
    this.host = this.api.host;
  }

  private token(): string | undefined {
    return this.opts.tokens?.tokenFor(this.gitlabUrl, this.gitlabUrl);
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private get maxAge(): number {
    return this.opts.maxAgeMs ?? 5 * 60_000;
  }

  /** The keys of `project`'s variables and of its groups'. */
  async forProject(project: string): Promise<SettingsVariables> {
    const owners: Array<[VariableOwner, string]> = [['project', project], ...ancestorGroups(project).map((g): [VariableOwner, string] => ['group', g])];
    const listed = await Promise.all(owners.map(([owner, path]) => this.list(owner, path)));
    const sources = listed.map(({ transient: _, ...s }) => s);
    return { keys: [...new Set(sources.flatMap((s) => s.keys))].sort(), gitlabUrl: this.gitlabUrl, project, sources };
  }

  /** One project's or group's keys: a pending answer is shared; a good one kept for maxAge, a failed one for failureTtl. */
  list(owner: VariableOwner, path: string): Promise<Listed> {
    const key = JSON.stringify([owner, path]);
    const hit = this.memos.get(key);
    if (hit) {
      if (hit.good === undefined) return hit.result;
      if (this.now() - hit.at < (hit.good ? this.maxAge : this.opts.failureTtlMs ?? 30_000)) return hit.result;
    }
    const entry: Memo = { at: this.now(), result: this.listNow(owner, path) };
    entry.result.then(
      (r) => (entry.good = !r.transient),
      () => this.memos.delete(key),
    );
    this.memos.set(key, entry);
    return entry.result;
  }

  /** Forget what this process knows; lists cached up to `at` are asked again on their next use. */
  invalidate(at = this.now()): void {
    this.memos.clear();
    this.logged.clear();
    this.forceUntil = Math.max(this.forceUntil, at);
  }

  private log(line: string): void {
    if (this.logged.has(line)) return;
    this.logged.add(line);
    this.opts.log?.(line);
  }

  /** Ask again for every list this session has used; say which could not be asked. */
  async refresh(): Promise<{ checked: number; failed: string[] }> {
    const used = [...this.memos.keys()].map((k) => JSON.parse(k) as [VariableOwner, string]);
    this.invalidate();
    const again = await Promise.all(used.map(([owner, path]) => this.list(owner, path)));
    const failed = again.filter((r) => r.transient).map((r) => `CI/CD variable keys of ${r.owner} ${r.path}: ${r.reason}`);
    return { checked: used.length, failed };
  }

  private async listNow(owner: VariableOwner, path: string): Promise<Listed> {
    const { cache } = this.opts;
    const base = { owner, path };
    if (!cache.projectDir(this.host, path)) return { ...base, keys: [], from: 'none', reason: `\`${path}\` is not a GitLab path` };
    const cached = cache.readVariableKeys(this.host, owner, path);
    const fromCache = (reason: string | undefined, transient = false): Listed =>
      cached ? { ...base, keys: cached.keys, from: 'cache', fetchedAt: cached.fetchedAt, ...(reason ? { reason } : {}), transient } : { ...base, keys: [], from: 'none', reason, transient };
    if (cached && cached.fetchedAt > this.forceUntil && this.now() - cached.fetchedAt < this.maxAge) return fromCache(undefined);
    if (this.opts.offline) return fromCache('offline mode');
    // GitLab never lists variables to an anonymous request: without a token there is nothing to ask.
    if (this.token() === undefined) return fromCache(`no token for ${this.host}`);
    try {
      const keys = owner === 'project' ? await this.api.projectVariableKeys(path) : await this.api.groupVariableKeys(path);
      const fetchedAt = this.now();
      this.write(() => cache.writeVariableKeys(this.host, owner, path, { keys, fetchedAt }));
      return { ...base, keys, from: 'api', fetchedAt };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      const status = e.status;
      if (e.kind === 'http' && (status === 401 || status === 403 || status === 404)) {
        // This user may not read them (or the project or group is gone): no keys, and no copy kept from a time it could.
        this.write(() => cache.removeVariableKeys(this.host, owner, path));
        const said = `${status} ${STATUS_CODES[status] ?? ''}`.trimEnd();
        this.log(`${this.host}: the CI/CD variables of ${owner} ${path} are not readable with this token (${said}; listing them takes the ${owner === 'project' ? 'Maintainer' : 'Owner'} role); none are used`);
        return { ...base, keys: [], from: 'none', reason: said };
      }
      this.log(`the CI/CD variables of ${owner} ${path} could not be listed: ${e.message}${cached ? `; using the keys cached ${formatCacheTime(cached.fetchedAt)}` : ''}`);
      return fromCache(e.message, true);
    }
  }

  private write(fn: () => void): void {
    try {
      fn();
    } catch {
      // A read-only or full cache folder costs only the offline copy, never the answer.
    }
  }
}
