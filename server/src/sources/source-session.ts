/**
 * What outlives one expansion in the language server: the tokens the client sent, one request
 * limiter, and one RemoteProjects per GitLab instance (its in-memory memo of ref resolutions),
 * one RemoteFetcher per cache folder, one VariableKeys per instance and cache folder. `sourcesFor`
 * builds the SourceChain of a workspace folder from the settings; `settingsVariables` gives the
 * keys of the CI/CD variables its project and groups set in GitLab; `refresh` revalidates
 * everything this session has resolved or listed.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { chooseGitlabUrl, TokenStore } from './hosts.js';
import { defaultCacheDir, ProjectCache } from './project-cache.js';
import { RemoteFetcher } from './remote-fetch.js';
import { RemoteProjects } from './remote-projects.js';
import type { RefreshSummary } from './remote-projects.js';
import { RequestLimiter } from './request-limits.js';
import type { LimitOptions } from './request-limits.js';
import { SourceChain } from './source-chain.js';
import { folderProject, VariableKeys } from './settings-variables.js';
import type { SettingsVariables } from './settings-variables.js';

export interface SourceSettings {
  /** `{"group/project[@ref]": "path"}`, paths relative to the folder. */
  localProjects?: Record<string, string>;
  templatesDir?: string;
  /** The GitLab instance; default: the folder's git remote, else gitlab.com. */
  gitlabUrl?: string;
  /** Default `$XDG_CACHE_HOME/gitlab-ci-presets` or `~/.cache/gitlab-ci-presets`. */
  cacheDir?: string;
  /** Read projects, templates and remote URLs from the cache only. */
  offline?: boolean;
  /** Local folders only: no cache, no API, no remote URLs (the CLI when no online option is given). */
  localOnly?: boolean;
}

export interface SessionOptions {
  limits?: LimitOptions;
  maxAgeMs?: number;
  failureTtlMs?: number;
  env?: Record<string, string | undefined>;
}

export interface SessionRefreshSummary extends RefreshSummary {
  hosts: string[];
  /** CI/CD variable key lists asked again (their failures are in `failed`). */
  variableLists: number;
}

/** `~/x` and folder-relative paths → absolute. */
export function expandPath(p: string, base: string): string {
  if (p === '~' || p.startsWith('~/')) return join(homedir(), p.slice(1));
  return isAbsolute(p) ? p : resolve(base, p);
}

export class SourceSession {
  readonly tokens = new TokenStore();
  readonly limiter: RequestLimiter;
  private instances = new Map<string, RemoteProjects>();
  private fetchers = new Map<string, RemoteFetcher>();
  private variableKeys = new Map<string, VariableKeys>();
  /** Where the session says what it could not read (the server's output channel); never given a token. */
  log?: (line: string) => void;
  /** Set by invalidate(): instances created later revalidate what was cached before it too. */
  private invalidatedAt?: number;

  constructor(private opts: SessionOptions = {}) {
    this.limiter = new RequestLimiter(opts.limits);
  }

  /** The cache + API of an instance, created on first use and kept (with its memo) for the session. */
  instance(gitlabUrl: string, cacheDir: string, offline = false): RemoteProjects {
    const key = JSON.stringify([gitlabUrl, cacheDir, offline]);
    let p = this.instances.get(key);
    if (!p) {
      p = new RemoteProjects({ gitlabUrl, cache: new ProjectCache(cacheDir), limiter: this.limiter, tokens: this.tokens, offline, maxAgeMs: this.opts.maxAgeMs, failureTtlMs: this.opts.failureTtlMs });
      if (this.invalidatedAt !== undefined) p.invalidate(this.invalidatedAt);
      this.instances.set(key, p);
    }
    return p;
  }

  fetcher(cacheDir: string, offline = false): RemoteFetcher {
    const key = JSON.stringify([cacheDir, offline]);
    let f = this.fetchers.get(key);
    if (!f) {
      f = new RemoteFetcher({ cache: new ProjectCache(cacheDir), limiter: this.limiter, offline, maxAgeMs: this.opts.maxAgeMs });
      if (this.invalidatedAt !== undefined) f.refresh(this.invalidatedAt);
      this.fetchers.set(key, f);
    }
    return f;
  }

  /** The CI/CD variable key lists of an instance through a cache folder, kept for the session. */
  variableKeysOf(gitlabUrl: string, cacheDir: string, offline = false): VariableKeys {
    const key = JSON.stringify([gitlabUrl, cacheDir, offline]);
    let v = this.variableKeys.get(key);
    if (!v) {
      v = new VariableKeys({ gitlabUrl, cache: new ProjectCache(cacheDir), limiter: this.limiter, tokens: this.tokens, offline, maxAgeMs: this.opts.maxAgeMs, failureTtlMs: this.opts.failureTtlMs, log: (line) => this.log?.(line) });
      if (this.invalidatedAt !== undefined) v.invalidate(this.invalidatedAt);
      this.variableKeys.set(key, v);
    }
    return v;
  }

  /**
   * The keys of the CI/CD variables set in GitLab for the project of `folder` (its git remote)
   * and the groups above it: never report them missing. `localOnly`: none, nothing read;
   * `offline` (and an untrusted workspace, which the server reads offline): the cached lists.
   * Memoised: a call while the answer is fresh costs a map lookup.
   */
  async settingsVariables(folder: string, settings: SourceSettings): Promise<SettingsVariables> {
    if (settings.localOnly) return { keys: [], sources: [] };
    const target = folderProject(folder, settings.gitlabUrl);
    if (!target) return { keys: [], sources: [] };
    return this.variableKeysOf(target.gitlabUrl, this.cacheDirOf(folder, settings), settings.offline).forProject(target.project);
  }

  /** The cache folder the settings name for a workspace folder (relative to it), else the default one. */
  cacheDirOf(folder: string, settings: Pick<SourceSettings, 'cacheDir'>): string {
    return settings.cacheDir ? expandPath(settings.cacheDir, folder) : defaultCacheDir(this.opts.env);
  }

  sourcesFor(args: { folder: string; folders: string[]; settings: SourceSettings; overlay?: (abs: string) => string | undefined }): SourceChain {
    const { folder, settings } = args;
    const cacheDir = this.cacheDirOf(folder, settings);
    let gitlabUrl: string | undefined;
    try {
      gitlabUrl = chooseGitlabUrl(settings.gitlabUrl, folder).url;
    } catch {
      gitlabUrl = undefined; // an invalid gitlabUrl setting: local sources only
    }
    const projects = new Map(Object.entries(settings.localProjects ?? {}).map(([k, v]) => [k, expandPath(v, folder)]));
    return new SourceChain({
      rootDir: folder,
      projects,
      templatesDir: settings.templatesDir ? expandPath(settings.templatesDir, folder) : undefined,
      overlay: args.overlay,
      checkoutFolders: args.folders,
      instance: gitlabUrl && !settings.localOnly ? this.instance(gitlabUrl, cacheDir, settings.offline) : undefined,
      urls: settings.localOnly ? undefined : this.fetcher(cacheDir, settings.offline),
    });
  }

  /** Forget every in-memory answer (after a token change): the next reads ask again. */
  invalidate(): void {
    this.invalidatedAt = Date.now();
    for (const p of this.instances.values()) p.invalidate(this.invalidatedAt);
    for (const f of this.fetchers.values()) f.refresh(this.invalidatedAt);
    for (const v of this.variableKeys.values()) v.invalidate(this.invalidatedAt);
  }

  /** Revalidate every ref and URL this session has read; say what moved and what could not be asked. */
  async refresh(): Promise<SessionRefreshSummary> {
    this.invalidatedAt = Date.now();
    for (const f of this.fetchers.values()) f.refresh(this.invalidatedAt);
    const out: SessionRefreshSummary = { hosts: [], checked: 0, moved: [], failed: [], variableLists: 0 };
    for (const p of this.instances.values()) {
      const s = await p.refresh();
      out.hosts.push(p.host);
      out.checked += s.checked;
      out.moved.push(...s.moved);
      out.failed.push(...s.failed);
    }
    for (const v of this.variableKeys.values()) {
      const s = await v.refresh();
      out.variableLists += s.checked;
      out.failed.push(...s.failed);
    }
    return out;
  }
}

/** The language server's session (the tokens feature and the workspace share it). */
export const serverSession = new SourceSession();

export interface OnlineCliOptions {
  rootDir: string;
  /** `project[@ref]` → folder, `--repo-dirs`, `--templates`, `--remote URL=FILE`: these still win. */
  projects?: Map<string, string>;
  repoDirs?: string;
  templatesDir?: string;
  remotes?: Map<string, string>;
  gitlabUrl?: string;
  token?: string;
  cacheDir?: string;
  /** Revalidate every ref and remote URL now, whatever the age of the cached answer. */
  refresh?: boolean;
  offline?: boolean;
  env?: Record<string, string | undefined>;
  limits?: LimitOptions;
}

/** The CLI's sources when it may use the cache and the API: one run, one chain. */
export function onlineCliSources(o: OnlineCliOptions): { sources: SourceChain; instance: RemoteProjects; gitlabUrl: string; from: string; tokenSent: boolean } {
  const chosen = chooseGitlabUrl(o.gitlabUrl, o.rootDir);
  const cacheDir = o.cacheDir ?? defaultCacheDir(o.env);
  const limiter = new RequestLimiter(o.limits);
  const tokens = new TokenStore(o.token ? { [chosen.url]: o.token } : {});
  const cache = new ProjectCache(cacheDir);
  const instance = new RemoteProjects({ gitlabUrl: chosen.url, cache, limiter, tokens, offline: o.offline });
  const urls = new RemoteFetcher({ cache, limiter, offline: o.offline });
  if (o.refresh) {
    // Everything cached before this run is asked again (once: the run's memo keeps the answer).
    instance.invalidate();
    urls.refresh();
  }
  const sources = new SourceChain({ rootDir: o.rootDir, projects: o.projects, repoDirs: o.repoDirs, templatesDir: o.templatesDir, remotes: o.remotes, instance, urls });
  return { sources, instance, gitlabUrl: chosen.url, from: chosen.from, tokenSent: tokens.tokenFor(chosen.url, chosen.url) !== undefined };
}
