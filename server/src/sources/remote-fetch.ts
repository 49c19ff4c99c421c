/**
 * `include: remote:` — a URL fetched over https (plain http only to a loopback address, for
 * tests), never with a token or any other credential, cached on disk and revalidated with
 * `If-None-Match` / `If-Modified-Since` once the cached copy is older than `maxAgeMs`. When the
 * URL cannot be fetched the cached copy is used with a note saying from when and why.
 */
import type { ReadResult } from '../pipeline/sources.js';
import { isLoopback } from './hosts.js';
import { cachedCopyNote } from './project-cache.js';
import type { ProjectCache, RemoteRecord } from './project-cache.js';
import { RequestFailure } from './request-limits.js';
import type { RequestLimiter } from './request-limits.js';

export interface RemoteFetchOptions {
  cache: ProjectCache;
  limiter: RequestLimiter;
  /** `offline`: only the cache is read. */
  offline?: boolean;
  /** A cached copy younger than this is used without asking the server. Default 5 minutes. */
  maxAgeMs?: number;
  now?: () => number;
}

export class RemoteFetcher {
  private memo = new Map<string, { at: number; result: Promise<ReadResult> }>();
  private forceUntil = 0;

  constructor(private opts: RemoteFetchOptions) {}

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  /** Forget what this process knows: the next read of every URL cached up to `at` asks the server again. */
  refresh(at = this.now()): void {
    this.memo.clear();
    this.forceUntil = Math.max(this.forceUntil, at);
  }

  read(url: string): Promise<ReadResult> {
    const maxAge = this.opts.maxAgeMs ?? 5 * 60_000;
    const hit = this.memo.get(url);
    if (hit && this.now() - hit.at < maxAge) return hit.result;
    const result = this.fetch(url);
    this.memo.set(url, { at: this.now(), result });
    return result;
  }

  private async fetch(url: string): Promise<ReadResult> {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return { ok: false, error: 'not a valid URL' };
    }
    if (u.username || u.password) return { ok: false, error: 'a remote include URL must not carry credentials' };
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopback(u.hostname))) {
      return { ok: false, error: `remote includes are fetched over https only (not ${u.protocol.replace(':', '')})` };
    }
    const cached = this.opts.cache.readRemote(url);
    const maxAge = this.opts.maxAgeMs ?? 5 * 60_000;
    const forced = cached !== undefined && cached.fetchedAt <= this.forceUntil;
    if (cached && !forced && this.now() - cached.fetchedAt < maxAge) return { ok: true, uri: url, text: cached.text };
    if (this.opts.offline) {
      if (cached) return { ok: true, uri: url, text: cached.text, note: cachedCopyNote(cached.fetchedAt, 'offline mode', { source: 'URL' }) };
      return { ok: false, error: 'offline mode and no cached copy' };
    }
    // No credentials of any kind: no token, no cookies, no Authorization.
    const headers: Record<string, string> = { accept: 'text/plain, application/x-yaml, text/yaml, */*' };
    if (cached?.etag) headers['if-none-match'] = cached.etag;
    if (cached?.lastModified) headers['if-modified-since'] = cached.lastModified;
    let reason: string;
    try {
      const res = await this.opts.limiter.get({ url, headers }, `remote\n${url}\n${cached?.etag ?? ''}\n${cached?.lastModified ?? ''}`);
      if (res.status === 304 && cached) {
        this.store({ ...cached, fetchedAt: this.now() });
        return { ok: true, uri: url, text: cached.text };
      }
      if (res.status >= 200 && res.status < 300) {
        const record: RemoteRecord = { url, text: res.body, fetchedAt: this.now() };
        if (res.headers.etag) record.etag = res.headers.etag;
        if (res.headers['last-modified']) record.lastModified = res.headers['last-modified'];
        this.store(record);
        return { ok: true, uri: url, text: res.body };
      }
      reason = `${u.host} answered ${res.status}${res.retryAfterMs !== undefined ? ` (retry after ${Math.ceil(res.retryAfterMs / 1000)} s)` : ''}`;
    } catch (e) {
      if (!(e instanceof RequestFailure)) throw e;
      reason = e.message;
    }
    if (cached) return { ok: true, uri: url, text: cached.text, note: cachedCopyNote(cached.fetchedAt, reason, { source: 'URL' }) };
    return { ok: false, error: `${reason}; no cached copy` };
  }

  private store(record: RemoteRecord): void {
    try {
      this.opts.cache.writeRemote(record);
    } catch {
      // A read-only cache folder costs only speed.
    }
  }
}
