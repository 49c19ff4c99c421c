/**
 * The workspace index: every pipeline of the workspace folders, so references, the "extended by
 * N jobs" code lens and job rename see consumers and preset files that are not open.
 *
 * Per workspace folder it lists (with `listFilesRecursive`, bounded, heavy folders skipped) the CI
 * files: the folder's root `.gitlab-ci.yml`, `.gitlab/ci/**` YAML, `*.gitlab-ci.yml` (a nested
 * `.gitlab-ci.yml` too: a consumer kept in a sub-folder of a library), and YAML files holding hidden
 * jobs or `variables:` (top-level hashes): preset files. The *roots* are each folder's root pipeline
 * plus every listed file that pipeline does not read (analysed on its own, as Workspace.analyse does).
 *
 * Analyses come from the workspace (`analysis`), which remembers each while the texts it read are
 * unchanged: an edit re-expands only the roots that read the edited document. Built lazily on the
 * first request that needs it, never on the validate path.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ExpandedPipeline } from './pipeline/merge/expand.js';
import type { ParsedFile } from './pipeline/yaml/parse.js';
import { listFilesRecursive } from './sources/directory-sources.js';
import type { Analysis } from './workspace.js';

/** Folders never walked: VCS data, dependencies, virtualenvs, build output and caches. */
export const INDEX_SKIP_DIRS: ReadonlySet<string> = new Set([
  '.git', '.hg', '.svn', 'node_modules', 'bower_components', 'dist', 'vendor', 'target', 'coverage',
  '.venv', 'venv', '.tox', '__pycache__', '.mypy_cache', '.pytest_cache', '.ruff_cache', '.terraform', '.gradle', '.next', '.nuxt', '.cache',
]);

export interface IndexLimits {
  /** Files listed per folder (all files, not only YAML). */
  files: number;
  /** YAML files read per folder to see whether they are preset files. */
  sniffed: number;
  /** Larger files are not read to be sniffed. */
  bytes: number;
}

export const DEFAULT_INDEX_LIMITS: IndexLimits = { files: 50_000, sniffed: 2_000, bytes: 1024 * 1024 };

export interface IndexHost {
  folders(): string[];
  /** The workspace's analysis of a file (remembered while its texts are unchanged; unopened files are read from disk). */
  analysis(uri: string): Promise<Analysis>;
  /** The text of an open document. */
  openText(uri: string): string | undefined;
  /** Parse through the workspace's parse cache. */
  parse(uri: string, text: string): ParsedFile;
  log?(message: string): void;
}

/** LSP `FileChangeType`: 1 created, 2 changed, 3 deleted. */
export interface FileChange {
  uri: string;
  type: number;
}

export interface IndexedFolder {
  /** The folder's root `.gitlab-ci.yml`, when it has one. */
  root?: string;
  /** The other indexed files (URIs). */
  files: Set<string>;
}

const YAML = /\.ya?ml$/i;
/** A line that may start a hidden job, `variables:` or a `spec:` header at the top level (parsing decides). */
const MAYBE_PRESET = /^(?:["']?\.[^\s]|["']?variables["']?\s*:|spec\s*:)/m;

/** CI files by name: `.gitlab-ci.yml` and `*.gitlab-ci.yml` anywhere, YAML under `.gitlab/ci/`. */
export function isCiFileName(rel: string): boolean {
  return rel.endsWith('.gitlab-ci.yml') || (YAML.test(rel) && (rel.startsWith('.gitlab/ci/') || rel.includes('/.gitlab/ci/')));
}

/** A preset file: a `spec:` header (inputs for its includers: a component template, say), or a top-level hidden job or `variables:` that is a hash. */
export function isPresetFile(parsed: ParsedFile): boolean {
  if (parsed.header) return true;
  if (parsed.content.kind !== 'map') return false;
  for (const [key, value] of parsed.content.entries) if ((key.startsWith('.') || key === 'variables') && value.kind === 'map') return true;
  return false;
}

const isFileUri = (uri: string) => uri.startsWith('file:');

export class WorkspaceIndex {
  /** Per folder: its listing (a promise while it is being walked). */
  private lists = new Map<string, { walking: Promise<IndexedFolder>; list?: IndexedFolder }>();
  /** Sniff results by path, valid while mtime and size are unchanged. */
  private sniffs = new Map<string, { mtimeMs: number; size: number; preset: boolean }>();

  constructor(private host: IndexHost, private limits: IndexLimits = DEFAULT_INDEX_LIMITS) {}

  private folders(): string[] {
    return [...new Set(this.host.folders())].sort();
  }

  /** The folder (longest match) holding `path` and the path relative to it. */
  private locate(path: string): { folder: string; rel: string } | undefined {
    let best: string | undefined;
    for (const f of this.folders()) if (path.startsWith(f + '/') && (!best || f.length > best.length)) best = f;
    return best === undefined ? undefined : { folder: best, rel: path.slice(best.length + 1) };
  }

  private skipped(rel: string): boolean {
    return rel.split('/').slice(0, -1).some((d) => INDEX_SKIP_DIRS.has(d));
  }

  /** Whether a YAML file (not a CI file by name) is a preset file, from its text on disk. */
  private sniff(abs: string): boolean {
    let st;
    try {
      st = statSync(abs);
    } catch {
      return false;
    }
    if (!st.isFile() || st.size > this.limits.bytes) return false;
    const hit = this.sniffs.get(abs);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.preset;
    let preset = false;
    try {
      const text = readFileSync(abs, 'utf8');
      preset = MAYBE_PRESET.test(text) && isPresetFile(this.host.parse(pathToFileURL(abs).href, text));
    } catch {
      preset = false;
    }
    this.sniffs.set(abs, { mtimeMs: st.mtimeMs, size: st.size, preset });
    return preset;
  }

  /** List a folder; reading and sniffing YAML yields to other requests every few milliseconds. */
  private async walk(folder: string): Promise<IndexedFolder> {
    const started = Date.now();
    let slice = Date.now();
    const nested = this.folders().filter((f) => f.startsWith(folder + '/')).map((f) => f.slice(folder.length + 1) + '/');
    const listed = listFilesRecursive(folder, this.limits.files, INDEX_SKIP_DIRS);
    const out: IndexedFolder = { files: new Set() };
    let sniffed = 0;
    for (const rel of listed) {
      if (Date.now() - slice > 15) {
        await new Promise((r) => setImmediate(r));
        slice = Date.now();
      }
      if (!YAML.test(rel) || nested.some((n) => rel.startsWith(n))) continue;
      const uri = pathToFileURL(join(folder, rel)).href;
      if (rel === '.gitlab-ci.yml') out.root = uri;
      else if (isCiFileName(rel)) out.files.add(uri);
      else if (sniffed++ < this.limits.sniffed && this.sniff(join(folder, rel))) out.files.add(uri);
    }
    if (listed.length >= this.limits.files) this.host.log?.(`workspace index: ${folder} has more than ${this.limits.files} files; only the first ones are indexed`);
    if (sniffed > this.limits.sniffed) this.host.log?.(`workspace index: ${folder} has ${sniffed} YAML files; only ${this.limits.sniffed} were read`);
    this.host.log?.(`workspace index: ${folder}: ${out.root ? 'a root pipeline and ' : ''}${out.files.size} other CI/preset files (${Date.now() - started} ms)`);
    return out;
  }

  /** The indexed files of every workspace folder (listed once, kept until files or folders change). */
  async discover(): Promise<IndexedFolder[]> {
    const folders = this.folders();
    for (const f of [...this.lists.keys()]) if (!folders.includes(f)) this.lists.delete(f);
    return Promise.all(
      folders.map((f) => {
        let slot = this.lists.get(f);
        if (!slot) {
          const s: { walking: Promise<IndexedFolder>; list?: IndexedFolder } = { walking: this.walk(f).then((list) => (s.list = list)) };
          this.lists.set(f, (slot = s));
        }
        return slot.walking;
      }),
    );
  }

  /** The analysis of `uri`: `known` when it is of that root (the requesting document's own), else the workspace's. */
  private analysisOf(uri: string, known: readonly Analysis[] = []): Promise<Analysis> {
    return Promise.resolve(known.find((a) => a.rootUri === uri && !a.conditional) ?? this.host.analysis(uri));
  }

  /** Each folder's root pipeline, then every indexed file that pipeline does not read (each root once). */
  async roots(known: readonly Analysis[] = []): Promise<Analysis[]> {
    const out: Analysis[] = [];
    const seen = new Set<ExpandedPipeline>();
    const add = (a: Analysis | undefined) => {
      if (a && !seen.has(a.pipeline)) seen.add(a.pipeline), out.push(a);
    };
    for (const list of await this.discover()) {
      const root = list.root ? await this.tryAnalysis(list.root, known) : undefined;
      add(root);
      const inRoot = new Set(root?.pipeline.files.map((f) => f.uri));
      for (const uri of list.files) if (!inRoot.has(uri)) add(await this.tryAnalysis(uri, known));
    }
    return out;
  }

  /** The roots, then the pipelines of `openUris` the index does not hold (a library checkout outside the folders, say). */
  async related(openUris: readonly string[], known: readonly Analysis[] = []): Promise<Analysis[]> {
    const out = await this.roots(known);
    const seen = new Set(out.map((a) => a.pipeline));
    const lists = await this.discover();
    for (const uri of openUris) {
      if (!isFileUri(uri) || lists.some((l) => l.root === uri || l.files.has(uri))) continue;
      const a = await this.tryAnalysis(uri);
      if (a && !seen.has(a.pipeline)) seen.add(a.pipeline), out.push(a);
    }
    return out;
  }

  private async tryAnalysis(uri: string, known: readonly Analysis[] = []): Promise<Analysis | undefined> {
    try {
      return await this.analysisOf(uri, known);
    } catch (e) {
      this.host.log?.(`workspace index: analysis of ${uri} failed: ${(e as Error).stack ?? e}`);
      return undefined;
    }
  }

  /**
   * Files changed on disk (`workspace/didChangeWatchedFiles`). Returns whether analyses may have
   * changed (a file that is not open changed, or a file appeared or went away): the server then
   * starts a new generation.
   */
  filesChanged(changes: readonly FileChange[]): boolean {
    let affects = false;
    for (const { uri, type } of changes) {
      if (!isFileUri(uri)) continue;
      let path: string;
      try {
        path = fileURLToPath(uri);
      } catch {
        continue;
      }
      const where = this.locate(path);
      const slot = where && this.lists.get(where.folder);
      // A listing still being walked may have missed the change: list again.
      if (where && slot && !slot.list) this.lists.delete(where.folder);
      const list = slot?.list;
      if (type !== 2 || this.host.openText(uri) === undefined) affects = true;
      if (!YAML.test(path)) {
        // A folder (or a file type we do not index): list the folder again.
        if (where) this.lists.delete(where.folder);
        continue;
      }
      if (!where || !list || this.skipped(where.rel)) continue;
      if (where.rel === '.gitlab-ci.yml') list.root = type === 3 ? undefined : uri;
      else if (type === 3) list.files.delete(uri);
      else if (isCiFileName(where.rel) || this.sniff(path)) list.files.add(uri);
      else list.files.delete(uri);
    }
    return affects;
  }

  /** Workspace folders changed: list everything again. */
  foldersChanged(): void {
    this.lists.clear();
  }
}
