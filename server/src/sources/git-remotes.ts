/**
 * The git remotes of a folder, read from `.git/config` (no git process): which GitLab host and
 * project a checkout belongs to. Used to pick the GitLab instance of a workspace and to find
 * local checkouts of included projects among the workspace folders.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';

export interface GitRemote {
  name: string;
  url: string;
}

export interface RemoteAddress {
  /** `https`, `http`, `ssh` or `scp` (the `git@host:group/p.git` form). */
  scheme: string;
  hostname: string;
  /** Only meaningful for http(s) remotes; an ssh port says nothing about the web host. */
  port?: string;
  /** `group/subgroup/project`, without `.git`. */
  projectPath: string;
}

/** The host and project path of a git remote URL (https://host/group/p.git, git@host:group/p.git, ssh://git@host:22/group/p.git). */
export function parseGitRemoteUrl(url: string): RemoteAddress | undefined {
  const m = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(?:[^@/]+@)?([^:/]+)(?::(\d+))?[:/](.+?)(?:\.git)?\/?$/i.exec(url.trim());
  if (!m) return undefined;
  const scheme = (m[1] ?? 'scp').toLowerCase();
  const out: RemoteAddress = { scheme, hostname: m[2], projectPath: m[4].replace(/^\/+/, '') };
  if (m[3] && (scheme === 'https' || scheme === 'http')) out.port = m[3];
  return out;
}

/** The folder holding git's metadata for a working tree: `.git/`, or where a `.git` file (worktree, submodule) points. */
function gitDirOf(folder: string): string | undefined {
  const dotGit = join(folder, '.git');
  try {
    const st = statSync(dotGit);
    if (st.isDirectory()) return dotGit;
    const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'));
    if (!m) return undefined;
    const dir = isAbsolute(m[1].trim()) ? m[1].trim() : resolve(folder, m[1].trim());
    // A worktree's gitdir has a `commondir` file pointing at the main repository's .git.
    const common = join(dir, 'commondir');
    if (existsSync(common)) return resolve(dir, readFileSync(common, 'utf8').trim());
    return dir;
  } catch {
    return undefined;
  }
}

/** The remotes in `folder/.git/config` (only the folder itself, not its parents). */
export function readGitRemotes(folder: string): GitRemote[] {
  const gitDir = gitDirOf(folder);
  if (!gitDir) return [];
  let text: string;
  try {
    text = readFileSync(join(gitDir, 'config'), 'utf8');
  } catch {
    return [];
  }
  return parseGitConfigRemotes(text);
}

export function parseGitConfigRemotes(text: string): GitRemote[] {
  const out: GitRemote[] = [];
  let remote: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)[#;].*$/, '').trim();
    if (!line) continue;
    const section = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]$/.exec(line);
    if (section) {
      remote = section[1].toLowerCase() === 'remote' ? section[2] : undefined;
      continue;
    }
    const kv = /^([A-Za-z0-9-]+)\s*=\s*(.*)$/.exec(line);
    if (remote !== undefined && kv && kv[1].toLowerCase() === 'url') out.push({ name: remote, url: kv[2].replace(/^"(.*)"$/, '$1') });
  }
  // origin first: it is the one that says where the project lives.
  return out.sort((a, b) => (a.name === 'origin' ? -1 : b.name === 'origin' ? 1 : 0));
}

/** The first remote of `folder` that parses as a host + project. */
export function primaryRemote(folder: string): RemoteAddress | undefined {
  for (const r of readGitRemotes(folder)) {
    const a = parseGitRemoteUrl(r.url);
    if (a) return a;
  }
  return undefined;
}

/** The folder itself, or the nearest parent that is a git working tree. */
export function workingTreeOf(folder: string): string | undefined {
  let dir = resolve(folder);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** The project a folder is a checkout of (its working tree's first parseable remote), for includes of itself. */
export function folderSelfProject(folder: string): { host: string; path: string } | undefined {
  const tree = workingTreeOf(folder);
  const remote = tree ? primaryRemote(tree) : undefined;
  return remote && { host: remote.hostname, path: remote.projectPath };
}
