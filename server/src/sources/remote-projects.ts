/**
 * Projects of one GitLab instance, read through the on-disk cache and the REST API:
 * a ref (tag, branch, default branch) is resolved to a commit SHA — from the cache while that
 * answer is younger than `maxAgeMs`, else from the API — and files are read by SHA, from the
 * cache when present (they never change), else from the API and stored. When the API cannot be
 * asked (offline, unreachable, 401/403/404/429/5xx) the last cached resolution is used and the
 * result carries a note saying which copy, from when and why; with no copy, the error names the
 * host and the reason. Nothing here knows about local checkouts (source-chain.ts does).
 */
import type { ListResult, ReadResult, VersionResult } from '../pipeline/sources.js';
import { projectFileUri } from '../pipeline/sources.js';
import { ApiError, GitLabApi } from './gitlab-api.js';
import type { TagInfo } from './gitlab-api.js';
import { cachedCopyNote, isFullSha } from './project-cache.js';
import type { ProjectCache } from './project-cache.js';
import type { RequestLimiter } from './request-limits.js';
import type { TokenStore } from './hosts.js';
import { compareVersions, isReleaseVersion, pickVersion } from './versions.js';

/** What every reader of one instance's API shares: where it is, the cache, the limiter, tokens, and how long answers hold. */
export interface ApiReaderOptions {
  gitlabUrl: string;
  cache: ProjectCache;
  limiter: RequestLimiter;
  tokens?: TokenStore;
  /** Only the cache is read. */
  offline?: boolean;
  /** An answer younger than this is used without asking the API. Default 5 minutes. */
  maxAgeMs?: number;
  /** A failed request is not retried sooner than this (each keystroke must not wait for a dead host). Default 30 s. */
  failureTtlMs?: number;
  now?: () => number;
}

export interface RemoteProjectsOptions extends ApiReaderOptions {
  /** Templates change with the instance's version only. Default 1 day. */
  templateMaxAgeMs?: number;
}

type Resolution = { ok: true; sha: string; at: number; stale?: string } | { ok: false; error: string };
type Tags = { ok: true; tags: TagInfo[]; stale?: string } | { ok: false; error: string };
/** `good` is undefined while the answer is pending. */
type Memo<T> = { at: number; result: Promise<T>; good?: boolean };

export interface RefreshSummary {
  checked: number;
  /** `project@ref: old → new` for every ref that moved. */
  moved: string[];
  failed: string[];
}

const short = (sha: string) => sha.slice(0, 8);
/** A lone UTF-16 surrogate: no project, ref, path or name GitLab has, and nothing a URL or file name can hold. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const illFormed = (...texts: Array<string | undefined>) => texts.some((t) => t !== undefined && LONE_SURROGATE.test(t));
const ILL_FORMED = 'not valid Unicode text (a lone surrogate)';
const refName = (ref: string | undefined) => ref ?? 'default branch';

export class RemoteProjects {
  readonly gitlabUrl: string;
  readonly host: string;
  readonly api: GitLabApi;
  private refs = new Map<string, Memo<Resolution>>();
  private tagLists = new Map<string, Memo<Tags>>();
  /** Files and trees by commit: immutable, so kept for the life of the process. */
  private files = new Map<string, Promise<ReadResult>>();
  private trees = new Map<string, Promise<ListResult>>();
  private forceUntil = -Infinity;

  constructor(private opts: RemoteProjectsOptions) {
    this.gitlabUrl = opts.gitlabUrl;
    this.api = new GitLabApi({ gitlabUrl: opts.gitlabUrl, limiter: opts.limiter, token: () => opts.tokens?.tokenFor(opts.gitlabUrl, opts.gitlabUrl) });
    this.host = this.api.host;
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  private get maxAge(): number {
    return this.opts.maxAgeMs ?? 5 * 60_000;
  }

  /** Memoise `compute` under `key`: a pending answer is shared; a good one is kept for maxAge, a failed or stale one for failureTtl. */
  private memo<T extends { ok: boolean; stale?: string }>(map: Map<string, Memo<T>>, key: string, compute: () => Promise<T>): Promise<T> {
    const hit = map.get(key);
    if (hit) {
      if (hit.good === undefined) return hit.result;
      const age = this.now() - hit.at;
      if (age < (hit.good ? this.maxAge : this.opts.failureTtlMs ?? 30_000)) return hit.result;
    }
    const entry: Memo<T> = { at: this.now(), result: compute() };
    entry.result.then(
      (r) => (entry.good = r.ok && !r.stale),
      () => map.delete(key),
    );
    map.set(key, entry);
    return entry.result;
  }

  /** Forget what this process knows; the next use of every ref, tag list and template cached up to `at` asks the API. */
  invalidate(at = this.now()): void {
    this.refs.clear();
    this.tagLists.clear();
    this.forceUntil = Math.max(this.forceUntil, at);
  }

  /** Revalidate every ref this process has resolved and say which ones moved. */
  async refresh(): Promise<RefreshSummary> {
    const before = await Promise.all([...this.refs.entries()].map(async ([key, v]) => [key, await v.result] as const));
    this.invalidate();
    const summary: RefreshSummary = { checked: 0, moved: [], failed: [] };
    for (const [key, old] of before) {
      const [project, ref] = JSON.parse(key) as [string, string | null];
      const now = await this.resolve(project, ref ?? undefined);
      summary.checked++;
      const label = `${project}@${refName(ref ?? undefined)}`;
      if (!now.ok || now.stale) summary.failed.push(`${label}: ${now.ok ? now.stale : now.error}`);
      else if (old.ok && old.sha !== now.sha) summary.moved.push(`${label}: ${short(old.sha)} → ${short(now.sha)}`);
    }
    return summary;
  }

  /** `ref` (undefined = the default branch) → commit SHA. */
  resolve(project: string, ref: string | undefined): Promise<Resolution> {
    if (illFormed(project, ref)) return Promise.resolve({ ok: false, error: `${project}@${refName(ref)}: ${ILL_FORMED}` });
    if (isFullSha(ref)) return Promise.resolve({ ok: true, sha: ref, at: this.now() });
    return this.memo(this.refs, JSON.stringify([project, ref ?? null]), () => this.resolveNow(project, ref));
  }

  private async resolveNow(project: string, ref: string | undefined): Promise<Resolution> {
    const { cache } = this.opts;
    if (!cache.projectDir(this.host, project)) return { ok: false, error: `\`${project}\` is not a GitLab project path` };
    const cached = cache.readRef(this.host, project, ref);
    if (cached && cached.resolvedAt > this.forceUntil && this.now() - cached.resolvedAt < this.maxAge) return { ok: true, sha: cached.sha, at: cached.resolvedAt };
    let reason: string;
    if (this.opts.offline) reason = 'offline mode';
    else {
      try {
        const sha = ref === undefined ? await this.api.branchSha(project, await this.api.defaultBranch(project)) : await this.api.commitSha(project, ref);
        const at = this.now();
        this.write(() => cache.writeRef(this.host, project, ref, { sha, resolvedAt: at }));
        return { ok: true, sha, at };
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        reason = e.message;
      }
    }
    if (cached) return { ok: true, sha: cached.sha, at: cached.resolvedAt, stale: reason };
    return { ok: false, error: `${reason}; no cached copy of ${project}@${refName(ref)} (${this.host})` };
  }

  async readFile(project: string, ref: string | undefined, path: string): Promise<ReadResult> {
    if (illFormed(path)) return { ok: false, error: `\`${path}\`: ${ILL_FORMED}` };
    const r = await this.resolve(project, ref);
    if (!r.ok) return r;
    const file = await this.fileAt(project, r.sha, path);
    if (!file.ok) return file;
    // Not the cache file's path: files from GitLab are read-only in the editor (features/shared/client-uris.ts).
    const uri = projectFileUri({ project, ref }, path);
    if (!r.stale) return { ...file, uri };
    return { ...file, uri, note: cachedCopyNote(r.at, r.stale, { what: `(commit ${short(r.sha)})` }) };
  }

  private fileAt(project: string, sha: string, path: string): Promise<ReadResult> {
    const key = `${project}\n${sha}\n${path}`;
    let p = this.files.get(key);
    if (!p) {
      p = this.fetchFile(project, sha, path);
      this.files.set(key, p);
      // Keep answers that cannot change (content, or 404 at a commit); forget transient failures.
      void p.then((r) => !r.ok && !/\b404\b/.test(r.error) && this.files.delete(key));
    }
    return p;
  }

  private async fetchFile(project: string, sha: string, path: string): Promise<ReadResult> {
    const { cache } = this.opts;
    const hit = cache.readFile(this.host, project, sha, path);
    if (hit) return { ok: true, uri: projectFileUri({ project, ref: sha }, path), text: hit.text };
    if (!cache.filePath(this.host, project, sha, path)) return { ok: false, error: `path \`${path}\` leaves the project` };
    if (this.opts.offline) return { ok: false, error: `offline mode; \`${path}\` at commit ${short(sha)} is not in the cache (${this.host})` };
    try {
      const text = await this.api.rawFile(project, path, sha);
      this.write(() => cache.writeFile(this.host, project, sha, path, text));
      return { ok: true, uri: projectFileUri({ project, ref: sha }, path), text };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.status === 404) return { ok: false, error: `\`${path}\` does not exist at commit ${short(sha)} (${e.message})` };
      return { ok: false, error: `${e.message}; \`${path}\` at commit ${short(sha)} is not in the cache` };
    }
  }

  async listFiles(project: string, ref: string | undefined): Promise<ListResult> {
    const r = await this.resolve(project, ref);
    if (!r.ok) return r;
    const key = `${project}\n${r.sha}`;
    let p = this.trees.get(key);
    if (!p) {
      p = this.fetchTree(project, r.sha);
      this.trees.set(key, p);
      void p.then((t) => !t.ok && this.trees.delete(key));
    }
    return p;
  }

  private async fetchTree(project: string, sha: string): Promise<ListResult> {
    const { cache } = this.opts;
    const hit = cache.readTree(this.host, project, sha);
    if (hit) return { ok: true, files: hit };
    if (this.opts.offline) return { ok: false, error: `offline mode; the file list of ${project} at commit ${short(sha)} is not in the cache` };
    try {
      const files = await this.api.tree(project, sha);
      this.write(() => cache.writeTree(this.host, project, sha, files));
      return { ok: true, files };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return { ok: false, error: `${e.message}; the file list of ${project} at commit ${short(sha)} is not in the cache` };
    }
  }

  tags(project: string): Promise<Tags> {
    return this.memo(this.tagLists, project, () => this.tagsNow(project));
  }

  private async tagsNow(project: string): Promise<Tags> {
    const { cache } = this.opts;
    if (!cache.projectDir(this.host, project)) return { ok: false, error: `\`${project}\` is not a GitLab project path` };
    const cached = cache.readTags(this.host, project);
    if (cached && cached.fetchedAt > this.forceUntil && this.now() - cached.fetchedAt < this.maxAge) return { ok: true, tags: cached.tags };
    let reason: string;
    if (this.opts.offline) reason = 'offline mode';
    else {
      try {
        const tags = await this.api.tags(project);
        this.write(() => cache.writeTags(this.host, project, { tags, fetchedAt: this.now() }));
        return { ok: true, tags };
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        reason = e.message;
      }
    }
    if (cached) return { ok: true, tags: cached.tags, stale: reason };
    return { ok: false, error: `${reason}; no cached tag list of ${project} (${this.host})` };
  }

  /** A component version: exact tag, `~latest`, `1`, `1.2` (through the tag list), a SHA, or a branch. */
  async resolveComponentVersion(project: string, version: string): Promise<VersionResult> {
    if (isFullSha(version)) return { ok: true, ref: version, sha: version };
    const tags = await this.tags(project);
    if (tags.ok) {
      const picked = pickVersion(version, tags.tags.map((t) => t.name));
      const tag = picked !== undefined ? tags.tags.find((t) => t.name === picked) : undefined;
      if (tag) return { ok: true, ref: tag.name, ...(isReleaseVersion(tag.name) ? { version: tag.name } : {}), ...(tag.sha ? { sha: tag.sha } : {}) };
    }
    if (/^\d+(\.\d+)?$|^~latest$/.test(version)) {
      if (!tags.ok) return { ok: false, error: tags.error };
      const known = tags.tags.map((t) => t.name).sort(compareVersions);
      return { ok: false, error: `no release of ${project} matches ${version}${known.length ? ` (tags: ${known.join(', ')})` : ' (the project has no tags)'}` };
    }
    const r = await this.resolve(project, version);
    if (!r.ok) return r;
    return { ok: true, ref: version, sha: r.sha };
  }

  /** The newest release tag when it is newer than `ref` (which must look like a version). */
  async newerTag(project: string, ref: string): Promise<string | undefined> {
    if (!/^v?\d+\.\d+\.\d+$/.test(ref)) return undefined;
    const tags = await this.tags(project);
    if (!tags.ok) return undefined;
    return newestAbove(ref, tags.tags.map((t) => t.name));
  }

  async readTemplate(name: string): Promise<ReadResult> {
    if (illFormed(name)) return { ok: false, error: `template ${name}: ${ILL_FORMED}` };
    const { cache } = this.opts;
    const cached = cache.readTemplate(this.host, name);
    const uri = `gitlab-ci-template:///${name}`;
    if (cached && cached.fetchedAt > this.forceUntil && this.now() - cached.fetchedAt < (this.opts.templateMaxAgeMs ?? 86_400_000)) return { ok: true, uri, text: cached.text };
    let reason: string;
    if (this.opts.offline) reason = 'offline mode';
    else {
      try {
        const text = await this.api.template(name);
        this.write(() => cache.writeTemplate(this.host, name, { text, fetchedAt: this.now() }));
        return { ok: true, uri, text };
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        reason = e.message;
      }
    }
    if (cached) return { ok: true, uri, text: cached.text, note: cachedCopyNote(cached.fetchedAt, reason) };
    return { ok: false, error: `${reason}; no cached copy` };
  }

  private write(fn: () => void): void {
    try {
      fn();
    } catch {
      // A read-only or full cache folder costs only speed, never the answer.
    }
  }
}

/** The newest release among `tags` when it is newer than `ref`. */
export function newestAbove(ref: string, tags: readonly string[]): string | undefined {
  const latest = pickVersion('~latest', tags);
  return latest !== undefined && compareVersions(latest, ref) > 0 ? latest : undefined;
}
