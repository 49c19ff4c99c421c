/**
 * Every HTTP request the sources make goes through a RequestLimiter: a timeout (default 10 s),
 * one request for identical GETs in flight at the same time, a cap on concurrent requests, and
 * `Retry-After` honoured on 429/503. Redirects are followed by hand so that credential headers
 * never follow a redirect to another origin or down to plain http (fetch would keep
 * `PRIVATE-TOKEN` on a cross-origin redirect).
 * Errors name the host and the reason, never a header value.
 */

export interface LimitOptions {
  /** Per request, including reading the body. Default 10 000 ms. */
  timeoutMs?: number;
  /** Requests on the wire at the same time. Default 6. */
  concurrency?: number;
  /** Retries after a 429/503 that carries `Retry-After`. Default 2. */
  maxRetries?: number;
  /** A longer `Retry-After` is not waited for: the 429 is returned at once. Default 30 000 ms. */
  maxRetryWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface HttpRequest {
  url: string;
  headers?: Record<string, string>;
  /** Header names (lower case) dropped when a redirect leaves the origin or goes to http. */
  sensitiveHeaders?: string[];
}

export interface HttpResponse {
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
  /** The URL that answered (after redirects). */
  url: string;
  /** How long a 429/503 asked to wait, when it said so. */
  retryAfterMs?: number;
}

export type FailureKind = 'timeout' | 'network' | 'redirect';

/** The request got no HTTP answer (an answer with any status is an HttpResponse). */
export class RequestFailure extends Error {
  constructor(readonly kind: FailureKind, message: string) {
    super(message);
    this.name = 'RequestFailure';
  }
}

const MAX_REDIRECTS = 5;

export class RequestLimiter {
  readonly timeoutMs: number;
  private concurrency: number;
  private maxRetries: number;
  private maxRetryWaitMs: number;
  private sleep: (ms: number) => Promise<void>;
  private active = 0;
  private queue: Array<() => void> = [];
  private inFlight = new Map<string, Promise<HttpResponse>>();

  constructor(opts: LimitOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.concurrency = Math.max(1, opts.concurrency ?? 6);
    this.maxRetries = opts.maxRetries ?? 2;
    this.maxRetryWaitMs = opts.maxRetryWaitMs ?? 30_000;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /**
   * GET `req.url`. Identical requests in flight share one answer: `key` says what identical
   * means (default: the URL and the names of the headers sent, so an authenticated and an
   * anonymous request are not merged; header values are never part of the key).
   */
  get(req: HttpRequest, key?: string): Promise<HttpResponse> {
    const k = key ?? `${req.url}\n${Object.keys(req.headers ?? {}).sort().join(',')}`;
    const pending = this.inFlight.get(k);
    if (pending) return pending;
    const p = this.withRetries(req).finally(() => this.inFlight.delete(k));
    this.inFlight.set(k, p);
    return p;
  }

  /**
   * POST `body` (CI Lint): same timeout, concurrency cap and Retry-After handling as a GET, but
   * never de-duplicated, and a redirect is returned as it is (a body and its credentials are not
   * re-sent anywhere).
   */
  post(req: HttpRequest & { body: string }): Promise<HttpResponse> {
    return this.withRetries(req, () => this.once(req.url, req.headers ?? {}, { method: 'POST', body: req.body }));
  }

  private async withRetries(req: HttpRequest, send: () => Promise<HttpResponse> = () => this.follow(req)): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.slot(send);
      const wait = res.retryAfterMs;
      if ((res.status !== 429 && res.status !== 503) || wait === undefined) return res;
      if (attempt >= this.maxRetries || wait > this.maxRetryWaitMs) return res;
      await this.sleep(wait);
    }
  }

  private async slot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }

  private async follow(req: HttpRequest): Promise<HttpResponse> {
    let url = req.url;
    let headers = { ...(req.headers ?? {}) };
    const origin = new URL(url).origin;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const res = await this.once(url, headers);
      if (res.status < 300 || res.status >= 400 || res.status === 304) return res;
      const location = res.headers.location;
      if (!location) return res;
      const next = new URL(location, url);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new RequestFailure('redirect', `${hostOf(url)} redirected to an unsupported ${next.protocol} URL`);
      if (next.origin !== origin || (new URL(url).protocol === 'https:' && next.protocol === 'http:')) {
        headers = dropHeaders(headers, req.sensitiveHeaders ?? []);
      }
      url = next.href;
    }
    throw new RequestFailure('redirect', `${hostOf(req.url)}: more than ${MAX_REDIRECTS} redirects`);
  }

  private async once(url: string, headers: Record<string, string>, init: { method?: string; body?: string } = {}): Promise<HttpResponse> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    let answered = false;
    try {
      const res = await fetch(url, { ...init, headers, redirect: 'manual', credentials: 'omit', signal });
      answered = true;
      const body = await res.text();
      const out: HttpResponse = { status: res.status, headers: Object.fromEntries(res.headers.entries()), body, url };
      const retry = parseRetryAfter(res.headers.get('retry-after'), Date.now());
      if (retry !== undefined) out.retryAfterMs = retry;
      return out;
    } catch (e) {
      const err = e as Error & { cause?: { code?: string; message?: string } };
      if (signal.aborted || err.name === 'TimeoutError' || err.name === 'AbortError') {
        throw new RequestFailure('timeout', `${hostOf(url)} did not answer within ${seconds(this.timeoutMs)}`);
      }
      const why = err.cause?.code ?? err.cause?.message ?? err.message;
      // Headers came, the body did not all come: a cut connection, not one that was never made.
      if (answered) throw new RequestFailure('network', `the connection to ${hostOf(url)} broke off mid-answer (${why})`);
      throw new RequestFailure('network', `cannot connect to ${hostOf(url)} (${why})`);
    }
  }
}

function dropHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  const drop = new Set(names.map((n) => n.toLowerCase()));
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !drop.has(k.toLowerCase())));
}

/** `Retry-After`: delay-seconds or an HTTP date → milliseconds from `now`. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
