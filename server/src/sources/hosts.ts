/**
 * GitLab hosts and their tokens. The instance of a workspace comes from the `gitlabUrl` setting
 * (CLI `--gitlab-url`), else the workspace's git remote, else gitlab.com. Each host has its own
 * token; a token is only ever sent to its own host, and only over https (plain http only to a
 * loopback address, for tests and local instances).
 */
import { primaryRemote, workingTreeOf } from './git-remotes.js';

export const DEFAULT_GITLAB_URL = 'https://gitlab.com';

/** Code hosts that are certainly not a GitLab instance (a GitLab CI file can live in a mirror there). */
const NOT_GITLAB = new Set(['github.com', 'bitbucket.org', 'ssh.dev.azure.com', 'dev.azure.com']);

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$/i;

export function isLoopback(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

/** `https://host[:port][/prefix]` without a trailing slash; throws on anything else. */
export function normaliseGitlabUrl(url: string): string {
  const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`GitLab URL must be https: \`${url}\``);
  if (u.username || u.password) throw new Error('GitLab URL must not carry credentials; pass the token separately');
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

/** The key a token is stored under: `host[:port]`, lower case (a URL or a bare host both work). */
export function hostKey(urlOrHost: string): string {
  const s = urlOrHost.trim();
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `https://${s}`).host.toLowerCase();
  } catch {
    return s.toLowerCase();
  }
}

/** May a request to `url` carry the token of the instance at `gitlabUrl`? Same host, and https (or http to loopback). */
export function mayCarryToken(url: string, gitlabUrl: string): boolean {
  let target: URL;
  let home: URL;
  try {
    target = new URL(url);
    home = new URL(gitlabUrl);
  } catch {
    return false;
  }
  if (target.host.toLowerCase() !== home.host.toLowerCase()) return false;
  if (target.protocol === 'https:') return true;
  return target.protocol === 'http:' && isLoopback(target.hostname);
}

/** Tokens by host. Values never appear in messages, logs or the cache. */
export class TokenStore {
  private tokens = new Map<string, string>();
  private listeners: Array<() => void> = [];

  constructor(initial: Record<string, string | undefined> = {}) {
    this.replace(initial);
  }

  /** Replace every token (the client sends the whole map). */
  replace(tokens: Record<string, string | undefined>): void {
    this.tokens.clear();
    for (const [host, token] of Object.entries(tokens)) {
      if (typeof token === 'string' && token.trim()) this.tokens.set(hostKey(host), token.trim());
    }
    for (const l of this.listeners) l();
  }

  set(host: string, token: string | undefined): void {
    if (token && token.trim()) this.tokens.set(hostKey(host), token.trim());
    else this.tokens.delete(hostKey(host));
    for (const l of this.listeners) l();
  }

  /** The token for requests to `url`, when `url` belongs to `gitlabUrl` and may carry it. */
  tokenFor(url: string, gitlabUrl: string): string | undefined {
    if (!mayCarryToken(url, gitlabUrl)) return undefined;
    return this.tokens.get(hostKey(gitlabUrl));
  }

  has(host: string): boolean {
    return this.tokens.has(hostKey(host));
  }

  hosts(): string[] {
    return [...this.tokens.keys()].sort();
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }
}

/** The GitLab instance of a folder: the setting, else the folder's git remote, else gitlab.com. */
export function chooseGitlabUrl(setting: string | undefined, folder: string | undefined): { url: string; from: 'setting' | 'git remote' | 'default' } {
  if (setting && setting.trim()) return { url: normaliseGitlabUrl(setting.trim()), from: 'setting' };
  const tree = folder ? workingTreeOf(folder) : undefined;
  const remote = tree ? primaryRemote(tree) : undefined;
  if (remote && !NOT_GITLAB.has(remote.hostname.toLowerCase())) {
    const http = remote.scheme === 'http' && isLoopback(remote.hostname);
    return { url: `${http ? 'http' : 'https'}://${remote.hostname}${remote.port ? `:${remote.port}` : ''}`, from: 'git remote' };
  }
  return { url: DEFAULT_GITLAB_URL, from: 'default' };
}
