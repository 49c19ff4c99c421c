/**
 * The on-disk cache shared by the language server and the CLI. Files are stored by host +
 * project + commit SHA, so an entry never changes once written; what a ref (tag, branch, default
 * branch) points to is a separate small record with the time it was last confirmed. A moved tag
 * therefore yields a new commit folder and the old one stays valid for its SHA.
 *
 *   <dir>/v1/<host>/<group>/<project>/-/refs/<ref>.json         {sha, resolvedAt}   (<host>: `:` → `_`)
 *   <dir>/v1/<host>/<group>/<project>/-/tags.json               {tags, fetchedAt}
 *   <dir>/v1/<host>/<group>/<project>/-/commits/<sha>/files/…    raw file contents
 *   <dir>/v1/<host>/<group>/<project>/-/commits/<sha>/tree.json  {files}
 *   <dir>/v1/<host>/<group>/<project>/-/variable-keys.json       {keys, fetchedAt}   (project CI/CD variables)
 *   <dir>/v1/<host>/<group>/-/group-variable-keys.json           {keys, fetchedAt}   (group CI/CD variables)
 *   <dir>/v1/<host>/-/templates/<name>.json                      {text, fetchedAt}
 *   <dir>/v1/remote/<sha256 of url>.json                         {url, etag, lastModified, fetchedAt, text}
 *
 * Every write goes to a temporary file that is then renamed over the target, so a reader in
 * another process sees the old or the new content, never half of it. No token is ever stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { inside } from './directory-sources.js';
import { VARIABLE_KEY } from './gitlab-api.js';
import type { TagInfo } from './gitlab-api.js';

export const CACHE_LAYOUT = 'v1';

/** `$XDG_CACHE_HOME/gitlab-ci-presets`, else `~/.cache/gitlab-ci-presets`. */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'gitlab-ci-presets');
}

export interface RefRecord {
  sha: string;
  /** When the API last said that the ref points at `sha` (ms since the epoch). */
  resolvedAt: number;
}

export interface TagsRecord {
  tags: TagInfo[];
  fetchedAt: number;
}

/** The keys (names only) of the CI/CD variables of a project or a group, when the API last listed them. */
export interface VariableKeysRecord {
  keys: string[];
  fetchedAt: number;
}

export type VariableOwner = 'project' | 'group';

export interface TextRecord {
  text: string;
  fetchedAt: number;
}

export interface RemoteRecord extends TextRecord {
  url: string;
  etag?: string;
  lastModified?: string;
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const SHA = /^[0-9a-f]{40}$|^[0-9a-f]{64}$/;

export function isFullSha(ref: string | undefined): ref is string {
  return !!ref && SHA.test(ref);
}

/** Write `text` to `path` atomically (temp file in the same folder + rename). */
export function writeAtomic(path: string, text: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** `gitlab.example.com`, `127.0.0.1_8080`: a folder name on every OS (host names have no `_`). */
function hostDir(host: string): string {
  const dir = host.toLowerCase().replace(/[[\]]/g, '').replace(/[^a-z0-9.-]/g, '_');
  // `.` and `..` (a git remote can name any host) would leave the layout's folder.
  return /^\.*$/.test(dir) ? `_${dir.replace(/\./g, '_')}` : dir;
}

export class ProjectCache {
  readonly root: string;

  constructor(readonly dir: string) {
    this.root = join(dir, CACHE_LAYOUT);
  }

  /** `<root>/<host>/<project>/-`, or undefined when the project path is not a GitLab path. */
  projectDir(host: string, project: string): string | undefined {
    const segments = project.split('/');
    if (!segments.length || !segments.every((s) => SEGMENT.test(s))) return undefined;
    return join(this.root, hostDir(host), ...segments, '-');
  }

  private refFile(host: string, project: string, ref: string | undefined): string | undefined {
    const p = this.projectDir(host, project);
    // `.default`: git ref names cannot start with a dot, so no branch is called that.
    return p && join(p, 'refs', `${ref === undefined ? '.default' : encodeURIComponent(ref)}.json`);
  }

  readRef(host: string, project: string, ref: string | undefined): RefRecord | undefined {
    const f = this.refFile(host, project, ref);
    const r = f ? readJson<RefRecord>(f) : undefined;
    return r && SHA.test(r.sha) && typeof r.resolvedAt === 'number' ? r : undefined;
  }

  writeRef(host: string, project: string, ref: string | undefined, record: RefRecord): void {
    const f = this.refFile(host, project, ref);
    if (f && SHA.test(record.sha)) writeAtomic(f, JSON.stringify(record));
  }

  readTags(host: string, project: string): TagsRecord | undefined {
    const p = this.projectDir(host, project);
    const r = p ? readJson<TagsRecord>(join(p, 'tags.json')) : undefined;
    return r && Array.isArray(r.tags) ? r : undefined;
  }

  writeTags(host: string, project: string, record: TagsRecord): void {
    const p = this.projectDir(host, project);
    if (p) writeAtomic(join(p, 'tags.json'), JSON.stringify(record));
  }

  private commitDir(host: string, project: string, sha: string): string | undefined {
    const p = this.projectDir(host, project);
    return p && SHA.test(sha) ? join(p, 'commits', sha) : undefined;
  }

  /** Where a file of a commit lives in the cache (whether or not it is there yet). */
  filePath(host: string, project: string, sha: string, path: string): string | undefined {
    const c = this.commitDir(host, project, sha);
    return c ? inside(join(c, 'files'), path) : undefined;
  }

  readFile(host: string, project: string, sha: string, path: string): { text: string; abs: string; storedAt: number } | undefined {
    const abs = this.filePath(host, project, sha, path);
    if (!abs) return undefined;
    try {
      const st = statSync(abs);
      if (!st.isFile()) return undefined;
      return { text: readFileSync(abs, 'utf8'), abs, storedAt: st.mtimeMs };
    } catch {
      return undefined;
    }
  }

  writeFile(host: string, project: string, sha: string, path: string, text: string): string | undefined {
    const abs = this.filePath(host, project, sha, path);
    if (abs) writeAtomic(abs, text);
    return abs;
  }

  readTree(host: string, project: string, sha: string): string[] | undefined {
    const c = this.commitDir(host, project, sha);
    const r = c ? readJson<{ files: string[] }>(join(c, 'tree.json')) : undefined;
    return r && Array.isArray(r.files) ? r.files : undefined;
  }

  writeTree(host: string, project: string, sha: string, files: string[]): void {
    const c = this.commitDir(host, project, sha);
    if (c) writeAtomic(join(c, 'tree.json'), JSON.stringify({ files }));
  }

  private variableKeysFile(host: string, owner: VariableOwner, path: string): string | undefined {
    const p = this.projectDir(host, path);
    // Projects and groups share one path space on an instance; the file names differ anyway.
    return p && join(p, owner === 'project' ? 'variable-keys.json' : 'group-variable-keys.json');
  }

  readVariableKeys(host: string, owner: VariableOwner, path: string): VariableKeysRecord | undefined {
    const f = this.variableKeysFile(host, owner, path);
    const r = f ? readJson<VariableKeysRecord>(f) : undefined;
    if (!r || !Array.isArray(r.keys) || typeof r.fetchedAt !== 'number') return undefined;
    return { keys: r.keys.filter((k) => typeof k === 'string' && VARIABLE_KEY.test(k)), fetchedAt: r.fetchedAt };
  }

  /** Stores the keys and the time, nothing else (the record is rebuilt field by field). */
  writeVariableKeys(host: string, owner: VariableOwner, path: string, record: VariableKeysRecord): void {
    const f = this.variableKeysFile(host, owner, path);
    if (f) writeAtomic(f, JSON.stringify({ keys: record.keys.filter((k) => VARIABLE_KEY.test(k)), fetchedAt: record.fetchedAt }));
  }

  /** Forget a key list (the API said this user may no longer read it). */
  removeVariableKeys(host: string, owner: VariableOwner, path: string): void {
    const f = this.variableKeysFile(host, owner, path);
    if (f) rmSync(f, { force: true });
  }

  private templateFile(host: string, name: string): string {
    return join(this.root, hostDir(host), '-', 'templates', `${encodeURIComponent(name)}.json`);
  }

  readTemplate(host: string, name: string): TextRecord | undefined {
    const r = readJson<TextRecord>(this.templateFile(host, name));
    return r && typeof r.text === 'string' ? r : undefined;
  }

  writeTemplate(host: string, name: string, record: TextRecord): void {
    writeAtomic(this.templateFile(host, name), JSON.stringify(record));
  }

  private remoteFile(url: string): string {
    return join(this.root, 'remote', `${createHash('sha256').update(url).digest('hex')}.json`);
  }

  readRemote(url: string): RemoteRecord | undefined {
    const r = readJson<RemoteRecord>(this.remoteFile(url));
    return r && r.url === url && typeof r.text === 'string' ? r : undefined;
  }

  writeRemote(record: RemoteRecord): void {
    writeAtomic(this.remoteFile(record.url), JSON.stringify(record));
  }
}

/** `2026-11-01 14:03 UTC` */
export function formatCacheTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The note on an include served from the cache because the source could not be asked. */
export function cachedCopyNote(at: number, reason: string, opts: { what?: string; source?: string } = {}): string {
  return `cached copy${opts.what ? ` ${opts.what}` : ''} from ${formatCacheTime(at)}, ${opts.source ?? 'API'} unreachable: ${reason}`;
}
