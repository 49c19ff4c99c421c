/**
 * A SourceProvider over directories on disk: the root project is a folder; other projects are
 * mapped per ref (`--project P[@REF]=DIR`) or laid out as `DIR/<project>/@<ref>/` (`--repo-dirs`);
 * templates come from a copy of GitLab's template folder; remote URLs map to files.
 * Paths never escape their folder.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ListResult, ProjectLoc, ReadResult, SourceProvider, VersionResult } from '../pipeline/sources.js';
import { compareVersions, isReleaseVersion, pickVersion } from './versions.js';

export interface DirectorySourceOptions {
  rootDir: string;
  /** `project` (every ref) or `project@ref` (that ref; `@HEAD` the default branch) → folder. */
  projects?: Map<string, string>;
  repoDirs?: string;
  templatesDir?: string;
  remotes?: Map<string, string>;
  /** Unsaved editor buffers (or other overrides) by absolute file path. */
  overlay?: (absPath: string) => string | undefined;
}

const SKIP_DIRS = new Set(['.git', 'node_modules']);

export function inside(base: string, path: string): string | undefined {
  const abs = resolve(base, path);
  const rel = relative(base, abs);
  if (rel.startsWith('..') || rel.startsWith(sep) || resolve(base, rel) !== abs) return undefined;
  return abs;
}

/** The project a file belongs to: the nearest folder above it with `.git` or a `.gitlab-ci.yml`, else its own folder. */
export function projectRootOf(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, '.git')) || existsSync(resolve(dir, '.gitlab-ci.yml'))) return dir;
    if (dirname(dir) === dir) return dirname(file);
  }
}

/** How to serve `loc` from a local folder when other refs of its project are mapped. */
export function mappingHint(loc: ProjectLoc): string {
  const ref = loc.ref ?? 'HEAD';
  return `; to read it from a local folder, map \`${loc.project}\` (every ref) or \`${loc.project}@${ref}\`${loc.ref === undefined ? ' (the default branch)' : ''} in gitlabCiPresets.localProjects (CLI: --project)`;
}

/** The files below `dir` (relative, `/`-separated, sorted), at most `limit`, never inside `skipDirs`. */
export function listFilesRecursive(dir: string, limit = 50_000, skipDirs: ReadonlySet<string> = SKIP_DIRS): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string) => {
    let entries;
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (out.length >= limit) return;
      if (e.isDirectory()) {
        if (!skipDirs.has(e.name)) walk(join(abs, e.name), rel ? `${rel}/${e.name}` : e.name);
      } else if (e.isFile()) out.push(rel ? `${rel}/${e.name}` : e.name);
    }
  };
  walk(dir, '');
  return out.sort();
}

/**
 * Texts read from disk, kept while the file's size, modification and change times (nanoseconds)
 * and inode are the same (and it was not written in the last second): an analysis per keystroke reads every file of the pipeline again, and
 * re-reading a hundred unchanged library files would cost more than the analysis itself.
 */
const texts = new Map<string, { stamp: string; text: string }>();
const MAX_TEXTS = 10_000;

function readText(abs: string, st: BigIntStats): string {
  const stamp = `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`;
  const hit = texts.get(abs);
  // File times tick coarsely (milliseconds): a file written in the last second may change again unseen.
  const settled = Date.now() - Number(st.mtimeMs) > 1000;
  if (hit?.stamp === stamp && settled) return hit.text;
  const text = readFileSync(abs, 'utf8');
  texts.delete(abs);
  texts.set(abs, { stamp, text });
  if (texts.size > MAX_TEXTS) texts.delete(texts.keys().next().value!);
  return text;
}

export class DirectorySources implements SourceProvider {
  constructor(private opts: DirectorySourceOptions) {}

  /** The tags of a project known from the mapped folders. */
  refsOf(project: string): string[] {
    const refs = new Set<string>();
    for (const key of this.opts.projects?.keys() ?? []) {
      const at = key.lastIndexOf('@');
      if (at > 0 && key.slice(0, at) === project) refs.add(key.slice(at + 1));
    }
    const repo = this.opts.repoDirs ? inside(this.opts.repoDirs, project) : undefined;
    if (repo && existsSync(repo)) {
      for (const e of readdirSync(repo)) if (e.startsWith('@')) refs.add(e.slice(1));
    }
    return [...refs].sort(compareVersions);
  }

  /**
   * The folder holding `loc`, or an error that says what is mapped and how to map more. A key
   * `project@ref` serves that ref (`@HEAD` an include without `ref:`), a bare `project` every ref
   * (with `anyRef: false`, only an include without `ref:`).
   */
  projectDir(loc: ProjectLoc, opts: { anyRef?: boolean } = {}): { dir: string } | { error: string } {
    if (loc.project === null) return { dir: this.opts.rootDir };
    const p = this.opts.projects;
    const exact = loc.ref !== undefined ? p?.get(`${loc.project}@${loc.ref}`) ?? (opts.anyRef !== false ? p?.get(loc.project) : undefined) : p?.get(loc.project) ?? p?.get(`${loc.project}@HEAD`);
    if (exact) return { dir: exact };
    if (this.opts.repoDirs) {
      const refs = this.refsOf(loc.project);
      const ref = loc.ref ?? refs[refs.length - 1];
      const dir = ref !== undefined ? inside(this.opts.repoDirs, `${loc.project}/@${ref}`) : undefined;
      if (dir && existsSync(dir)) return { dir };
    }
    const known = this.refsOf(loc.project);
    const hint = known.length ? ` (available refs: ${known.join(', ')}${mappingHint(loc)})` : ' (no local copy is mapped for this project)';
    return { error: `project ${loc.project}${loc.ref ? `@${loc.ref}` : ''} is not available${hint}` };
  }

  private readAbs(abs: string): ReadResult {
    const over = this.opts.overlay?.(abs);
    if (over !== undefined) return { ok: true, uri: pathToFileURL(abs).href, text: over };
    try {
      const st = statSync(abs, { bigint: true });
      if (!st.isFile()) return { ok: false, error: 'not a file' };
      return { ok: true, uri: pathToFileURL(abs).href, text: readText(abs, st) };
    } catch {
      return { ok: false, error: 'file does not exist' };
    }
  }

  async readProjectFile(loc: ProjectLoc, path: string): Promise<ReadResult> {
    const d = this.projectDir(loc);
    if ('error' in d) return { ok: false, error: d.error };
    const abs = inside(d.dir, path);
    if (!abs) return { ok: false, error: `path \`${path}\` leaves the project` };
    const r = this.readAbs(abs);
    return r.ok ? r : { ok: false, error: `\`${path}\` does not exist` };
  }

  async listProjectFiles(loc: ProjectLoc): Promise<ListResult> {
    const d = this.projectDir(loc);
    if ('error' in d) return { ok: false, error: d.error };
    return { ok: true, files: listFilesRecursive(d.dir) };
  }

  async readRemote(url: string): Promise<ReadResult> {
    const file = this.opts.remotes?.get(url);
    if (!file) return { ok: false, error: 'no local copy is mapped for this URL (use --remote URL=FILE)' };
    const r = this.readAbs(file);
    return r.ok ? { ...r, uri: url } : r;
  }

  async readTemplate(name: string): Promise<ReadResult> {
    if (!this.opts.templatesDir) return { ok: false, error: 'no template folder configured (setting gitlabCiPresets.templatesDir, CLI --templates DIR)' };
    const abs = inside(this.opts.templatesDir, name);
    if (!abs) return { ok: false, error: 'invalid template name' };
    return this.readAbs(abs);
  }

  async resolveComponentVersion(project: string, version: string): Promise<VersionResult> {
    const refs = this.refsOf(project);
    const picked = pickVersion(version, refs);
    if (picked) return { ok: true, ref: picked, ...(isReleaseVersion(picked) ? { version: picked } : {}) };
    if (/^\d+(\.\d+)?$|^~latest$/.test(version)) {
      return { ok: false, error: `no release of ${project} matches ${version}${refs.length ? ` (known: ${refs.join(', ')})` : ''}` };
    }
    return { ok: true, ref: version };
  }
}
