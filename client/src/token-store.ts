/**
 * GitLab access tokens, one per host, kept in VS Code's SecretStorage (never in settings or
 * logs). The command "GitLab CI Presets: Set Access Token" asks for a host and a token (an empty
 * token removes it). The whole map goes to the server with `gitlabCiPresets/setTokens` — but
 * never from an untrusted workspace, whose settings could point a host at a stranger.
 */
import * as vscode from 'vscode';

export const SET_TOKENS_NOTIFICATION = 'gitlabCiPresets/setTokens';
const HOSTS_KEY = 'gitlabCiPresets.tokenHosts';
const tokenKey = (host: string) => `gitlabCiPresets.token.${host}`;

/** `https://gitlab.example.com/x` or `gitlab.example.com` → `gitlab.example.com` (port kept). */
export function hostOf(input: string): string | undefined {
  const text = input.trim();
  if (!text) return undefined;
  try {
    const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`);
    return url.host.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

export class TokenStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async hosts(): Promise<string[]> {
    const raw = await this.secrets.get(HOSTS_KEY);
    try {
      const list = JSON.parse(raw ?? '[]');
      return Array.isArray(list) ? list.filter((h): h is string => typeof h === 'string') : [];
    } catch {
      return [];
    }
  }

  async all(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const host of await this.hosts()) {
      const token = await this.secrets.get(tokenKey(host));
      if (token) out[host] = token;
    }
    return out;
  }

  async set(host: string, token: string | undefined): Promise<void> {
    const hosts = new Set(await this.hosts());
    if (token) {
      await this.secrets.store(tokenKey(host), token);
      hosts.add(host);
    } else {
      await this.secrets.delete(tokenKey(host));
      hosts.delete(host);
    }
    await this.secrets.store(HOSTS_KEY, JSON.stringify([...hosts].sort()));
  }

  onDidChange(listener: () => void): vscode.Disposable {
    return this.secrets.onDidChange((e) => {
      if (e.key === HOSTS_KEY || e.key.startsWith('gitlabCiPresets.token.')) listener();
    });
  }
}

/** The command: pick the host (the configured one first), then paste the token. */
export async function promptForToken(store: TokenStore): Promise<string | undefined> {
  const configured = hostOf(vscode.workspace.getConfiguration('gitlabCiPresets').get<string>('gitlabUrl') ?? '');
  const known = await store.hosts();
  const defaultHost = configured ?? known[0] ?? 'gitlab.com';
  const hostInput = await vscode.window.showInputBox({
    title: 'GitLab CI Presets: Set Access Token (1/2)',
    prompt: 'GitLab host the token is for',
    value: defaultHost,
    validateInput: (v) => (hostOf(v) ? undefined : 'A host name such as gitlab.com or gitlab.example.com'),
  });
  const host = hostInput === undefined ? undefined : hostOf(hostInput);
  if (!host) return undefined;
  const token = await vscode.window.showInputBox({
    title: `GitLab CI Presets: Set Access Token (2/2)`,
    prompt: `Personal, project or group access token for ${host} with read_api (or read_repository) scope. Leave empty to remove the stored token.`,
    password: true,
    ignoreFocusOut: true,
  });
  if (token === undefined) return undefined;
  await store.set(host, token.trim() || undefined);
  void vscode.window.showInformationMessage(token.trim() ? `GitLab CI Presets: token for ${host} stored in the secret storage.` : `GitLab CI Presets: token for ${host} removed.`);
  return host;
}
