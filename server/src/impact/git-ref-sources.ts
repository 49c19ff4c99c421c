/**
 * A library folder as it was at a git ref, read with git plumbing (`git ls-tree`, `git cat-file`):
 * no network, no checkout, the working tree untouched. The folder may be a sub-folder of its
 * repository (paths are relative to it). Files get `gitlab-ci-project:` URIs naming the ref, so
 * no feature takes them for files on disk.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ListResult, ProjectLoc, ReadResult, SourceProvider, VersionResult } from '../pipeline/sources.js';
import { isReleaseVersion } from '../sources/versions.js';

const run = promisify(execFile);
const MAX_BUFFER = 64 * 1024 * 1024;

export class GitRefError extends Error {}

async function git(dir: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', ['-C', dir, ...args], { maxBuffer: MAX_BUFFER, encoding: 'utf8' });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; code?: string | number; message: string };
    if (err.code === 'ENOENT') throw new GitRefError('git is not installed');
    throw new GitRefError((err.stderr || err.message).trim().split('\n')[0]);
  }
}

/** `git cat-file --batch` for the given objects: each as `<id> <type> <size>\n<content>\n`. */
function gitBatch(dir: string, ids: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', ['-C', dir, 'cat-file', '--batch'], { maxBuffer: MAX_BUFFER, encoding: 'buffer' }, (err, stdout) => (err ? reject(new GitRefError(err.message.split('\n')[0])) : resolve(stdout)));
    child.stdin?.end(`${ids.join('\n')}\n`);
  });
}

/** The commit a ref names in the repository holding `dir`; a GitRefError when it names none. */
export async function resolveCommit(dir: string, ref: string): Promise<string> {
  if (!ref || ref.startsWith('-')) throw new GitRefError(`not a git ref: \`${ref}\``);
  return (await git(dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]).catch(() => {
    throw new GitRefError(`\`${ref}\` names no commit of the repository at ${dir}`);
  })).trim();
}

/** The repository's tags, newest (by version order) first. */
export async function gitTags(dir: string): Promise<string[]> {
  const out = await git(dir, ['tag', '--list', '--sort=-v:refname']).catch(() => '');
  return out.split('\n').filter(Boolean);
}

/** Recent branches and tags, for a picker: tags newest first, then local branches. */
export async function gitRefs(dir: string): Promise<string[]> {
  const branches = (await git(dir, ['for-each-ref', '--sort=-committerdate', '--format=%(refname:short)', 'refs/heads']).catch(() => '')).split('\n').filter(Boolean);
  return [...(await gitTags(dir)), ...branches];
}

/** YAML files up to this size are read together, in one `git cat-file --batch`, on the first read. */
const BATCH_MAX_BYTES = 1024 * 1024;

export class GitRefSources implements SourceProvider {
  private prefix: Promise<string>;
  private tree: Promise<Map<string, { blob: string; size: number }>> | undefined;
  private batch: Promise<Map<string, string>> | undefined;
  private texts = new Map<string, Promise<ReadResult>>();

  /** `commit` as `resolveCommit` returns it; `label` (the ref as given) names it in URIs. */
  constructor(
    private dir: string,
    private commit: string,
    private project: string,
    private label: string = commit,
  ) {
    this.prefix = git(dir, ['rev-parse', '--show-prefix']).then((s) => s.trim());
  }

  async listProjectFiles(_loc?: ProjectLoc): Promise<ListResult> {
    try {
      return { ok: true, files: [...(await this.list()).keys()].sort() };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }

  /** path (relative to the library folder) → blob and size, from one `git ls-tree`. */
  private list(): Promise<Map<string, { blob: string; size: number }>> {
    this.tree ??= this.prefix.then(async (prefix) => {
      const out = await git(this.dir, ['ls-tree', '-r', '-z', '-l', '--full-tree', this.commit, '--', prefix || '.']);
      const files = new Map<string, { blob: string; size: number }>();
      for (const entry of out.split('\0')) {
        const m = /^\d+ blob ([0-9a-f]+) +(\d+|-)\t(.*)$/s.exec(entry);
        if (m) files.set(m[3].slice(prefix.length), { blob: m[1], size: Number(m[2]) || 0 });
      }
      return files;
    });
    return this.tree;
  }

  /** Every YAML file of the tree (up to a size) in one `git cat-file --batch`. */
  private yamlTexts(): Promise<Map<string, string>> {
    this.batch ??= this.list().then(async (files) => {
      const wanted = [...files].filter(([p, f]) => /\.ya?ml$/i.test(p) && f.size <= BATCH_MAX_BYTES);
      const out = new Map<string, string>();
      if (!wanted.length) return out;
      const buf = await gitBatch(this.dir, wanted.map(([, f]) => f.blob));
      let at = 0;
      for (const [path] of wanted) {
        const nl = buf.indexOf(10, at);
        const m = /^[0-9a-f]+ blob (\d+)$/.exec(buf.subarray(at, nl).toString('utf8'));
        if (!m) break;
        const size = Number(m[1]);
        out.set(path, buf.subarray(nl + 1, nl + 1 + size).toString('utf8'));
        at = nl + 1 + size + 1;
      }
      return out;
    });
    return this.batch;
  }

  readProjectFile(_loc: ProjectLoc, path: string): Promise<ReadResult> {
    const clean = path.replace(/^\/+/, '');
    let r = this.texts.get(clean);
    if (!r) {
      r = this.read(clean);
      this.texts.set(clean, r);
    }
    return r;
  }

  private async read(path: string): Promise<ReadResult> {
    if (path.split('/').some((s) => s === '..' || s === '')) return { ok: false, error: `path \`${path}\` leaves the project` };
    const files = await this.list().catch(() => undefined);
    const file = files?.get(path);
    if (!file) return { ok: false, error: `\`${path}\` does not exist at ${this.label}` };
    const uri = `gitlab-ci-project:///${this.project}/-/${encodeURIComponent(this.label)}/${path}`;
    try {
      const text = (await this.yamlTexts()).get(path) ?? (await git(this.dir, ['cat-file', 'blob', file.blob]));
      return { ok: true, uri, text };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }

  async readRemote(): Promise<ReadResult> {
    return { ok: false, error: 'not served from git' };
  }

  async readTemplate(): Promise<ReadResult> {
    return { ok: false, error: 'not served from git' };
  }

  async resolveComponentVersion(_project: string, version: string): Promise<VersionResult> {
    return { ok: true, ref: version, ...(isReleaseVersion(version) ? { version } : {}) };
  }
}
