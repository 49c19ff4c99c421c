/**
 * The server's view of the workspace: which pipeline a document belongs to, the sources it is
 * read through (unsaved buffers, local checkouts, cache, GitLab API: sources/source-chain.ts), and the
 * last expansion of each pipeline.
 *
 * Expansions are remembered by the texts they read: an edit re-expands only the pipelines that read
 * the edited document (each folder's root pipeline once, however many of its files are open); the
 * others are reused. Changes the texts do not show (settings, tokens, files changed on disk) call
 * `invalidate()`.
 */
import { basename, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { expandPipeline, expandText } from './pipeline/merge/expand.js';
import type { ExpandedPipeline } from './pipeline/merge/expand.js';
import { parseCached, prepareBlocks } from './pipeline/includes/includes.js';
import type { ParseCache } from './pipeline/includes/includes.js';
import type { ParsedFile } from './pipeline/yaml/parse.js';
import { standaloneComponent, standaloneInputs } from './pipeline/contract/index.js';
import { simulatedVariables } from './pipeline/rules/simulated-context.js';
import { expandPath, serverSession } from './sources/source-session.js';
import { projectRootOf } from './sources/directory-sources.js';
import { DiskParsedStore, serverBuild } from './sources/parsed-store.js';
import { folderSelfProject } from './sources/git-remotes.js';
import { filesDefining, unknownTemplates } from './library-templates.js';
import type { SourceSession } from './sources/source-session.js';
import type { SourceChain } from './sources/source-chain.js';
import type { ProjectLoc, ReadResult, SourceProvider } from './pipeline/sources.js';
import type { PipelineDiagnostic } from './pipeline/model.js';
import { LastGoodAnalyses, syntaxErrors } from './last-good-analysis.js';

export interface Settings {
  /** `{"group/project[@ref]": "path"}`, paths relative to the workspace folder. */
  localProjects: Record<string, string>;
  knownVariables: string[];
  templatesDir?: string;
  /** The GitLab instance; default: the folder's git remote, else gitlab.com. */
  gitlabUrl?: string;
  /** The cache folder; default `$XDG_CACHE_HOME/gitlab-ci-presets` or `~/.cache/gitlab-ci-presets`. */
  cacheDir?: string;
  /** Local folders only: no cache, no GitLab API, no remote URLs. */
  localOnly?: boolean;
  /** Read projects, templates and remote URLs from the cache only. */
  offline?: boolean;
  /** Keyword items in completion: `auto` leaves them to the Red Hat YAML extension when the client says it is active. */
  completion?: { keywords?: 'auto' | 'always' | 'never' };
}

export const DEFAULT_SETTINGS: Settings = { localProjects: {}, knownVariables: [] };

export interface Analysis {
  pipeline: ExpandedPipeline;
  /** True when the document was expanded on its own (a preset file with no root pipeline). */
  standalone: boolean;
  /**
   * The root pipeline includes the document only under a condition (an include's `rules:`) the
   * simulated context does not meet: this is that pipeline with the document included. Only the
   * document's own findings come from it (the root's come from the root pipeline as it is).
   */
  conditional?: boolean;
  rootUri: string;
  /** The sources the pipeline was read through (completion lists project files with them). */
  sources?: SourceChain;
  /** The workspace files it read, with their text and whether that was an open document's: it is current while they are. */
  reads?: Reads;
  /** Variables set outside the files: the `knownVariables` setting and, for a root pipeline, the keys of the project's and its groups' CI/CD variables in GitLab. */
  knownVariables: string[];
  /** The syntax errors of the files of this pipeline that do not parse now (absent when every file parses). */
  syntaxErrors?: PipelineDiagnostic[];
  /** While a file does not parse: the last analysis of this pipeline in which every file did (last-good-analysis.ts); features answer from it. */
  lastGood?: Analysis;
}

export type Reads = Map<string, { text: string; open: boolean }>;

interface Memo<T> {
  generation: number;
  promise: Promise<T>;
  value?: T;
}

/** What a root pipeline's expansion gives every document it reads. */
interface RootPipeline {
  pipeline: ExpandedPipeline;
  sources: SourceChain;
  reads?: Reads;
  knownVariables: string[];
}

/**
 * The engine's reads through a source chain, watched for what the texts it returns do not show: a
 * folder listing (`local:` globs, `rules: exists`) or a file that could not be read. An expansion
 * that depended on either is not reused across edits (a file may appear without any text changing).
 */
class SourceWatch implements SourceProvider {
  uncertain = false;
  /** Every workspace file read, with its text: also those that do not parse, which the pipeline's files leave out. */
  texts = new Map<string, string>();
  constructor(private sources: SourceProvider) {}
  private seen<T extends { ok: boolean }>(r: T): T {
    if (!r.ok) this.uncertain = true;
    return r;
  }
  async readProjectFile(loc: ProjectLoc, path: string) {
    const r: ReadResult = this.seen(await this.sources.readProjectFile(loc, path));
    if (r.ok && r.uri.startsWith('file:') && !this.texts.has(r.uri)) this.texts.set(r.uri, r.text);
    return r;
  }
  async listProjectFiles(loc: ProjectLoc) {
    this.uncertain = true;
    return this.sources.listProjectFiles(loc);
  }
  async readRemote(url: string) {
    return this.seen(await this.sources.readRemote(url));
  }
  async readTemplate(name: string) {
    return this.seen(await this.sources.readTemplate(name));
  }
  async resolveComponentVersion(project: string, version: string) {
    return this.seen(await this.sources.resolveComponentVersion(project, version));
  }
  newerTag(project: string, ref: string): Promise<string | undefined> {
    return this.sources.newerTag?.(project, ref) ?? Promise.resolve(undefined);
  }
}

/** The running server build (a hash of its script; '' when unknown: no parsed files on disk). */
let build: string | undefined;

export class Workspace {
  private parseCache: ParseCache & { store?: DiskParsedStore } = new Map();
  /** Moves on every document edit, open and close: within one generation a remembered expansion is reused as it is. */
  private generation = 0;
  private analyses = new Map<string, Memo<Analysis>>();
  private rootPipelines = new Map<string, Memo<RootPipeline>>();
  private lastGood = new LastGoodAnalyses<Analysis>();
  /** Per folder, the keys of the CI/CD variables GitLab last listed for its project. */
  private listedKeys = new Map<string, string[]>();

  constructor(
    private folders: () => string[],
    private openText: (uri: string) => string | undefined,
    private settings: () => Settings,
    /** Tokens, cache and API state shared by every analysis (features/tokens.ts feeds it). */
    private session: SourceSession = serverSession,
  ) {}

  /**
   * The local checkouts `localProjects` maps (paths relative to the first workspace folder): files
   * there belong to that project, though the folder is not part of the workspace.
   */
  mappedCheckouts(): string[] {
    const base = this.folders()[0];
    if (base === undefined) return [];
    return [...new Set(Object.values(this.settings().localProjects ?? {}).map((p) => expandPath(p, base)))];
  }

  /** The project folder of a file: a workspace folder, else a mapped checkout, else the nearest folder with `.git` or a root pipeline. */
  folderOf(path: string): string {
    const holding = (dirs: string[]) => dirs.filter((f) => path === f || path.startsWith(f + '/')).sort((a, b) => b.length - a.length)[0];
    return holding(this.folders()) ?? holding(this.mappedCheckouts()) ?? projectRootOf(path);
  }

  /** Parsed files of earlier sessions, under the cache folder the settings name (sources/parsed-store.ts). */
  private useParsedStore(folder: string): void {
    const dir = this.session.cacheDirOf(folder, this.settings());
    if (this.parseCache.store?.cacheDir === dir) return;
    build ??= serverBuild() ?? '';
    this.parseCache.store = build ? new DiskParsedStore(dir, build) : undefined;
  }

  /** Write the parsed files still waiting for the disk (on shutdown). */
  persist(): void {
    this.parseCache.store?.flushAll();
  }

  /** Whether a file is open in the editor (its first parse keeps blocks for the next keystroke). */
  private openInEditor = (uri: string): boolean => this.openText(uri) !== undefined;

  /** A file parsed through the workspace's parse cache (the workspace index sniffs files with it; analyses reuse the result). */
  parse(uri: string, text: string): ParsedFile {
    return parseCached(this.parseCache, uri, text, this.openText(uri) !== undefined);
  }

  /** Blocks for the open document `uri` if its text was parsed whole (after its first analysis; its first keystroke then re-parses one block). */
  prepareBlocks(uri: string): void {
    const text = this.openText(uri);
    if (text !== undefined && this.parseCache.get(uri)?.text === text) prepareBlocks(this.parseCache, uri);
  }

  /** Local checkouts (mapped or found among the workspace folders) → cache → GitLab API; unsaved buffers win. */
  sourcesFor(folder: string): SourceChain {
    const overlay = (abs: string) => this.openText(pathToFileURL(abs).href);
    const folders = this.folders();
    let settings = this.settings();
    // Outside the workspace folders (a mapped checkout), mappings still count from the workspace.
    if (!folders.includes(folder) && folders.length) {
      settings = { ...settings, localProjects: Object.fromEntries(Object.entries(settings.localProjects ?? {}).map(([k, v]) => [k, expandPath(v, folders[0])])) };
    }
    return this.session.sourcesFor({ folder, folders, settings, overlay });
  }

  /** A document was opened, changed or closed. */
  edited(): void {
    this.generation++;
    this.parseCache.store?.busy();
  }

  /** Something besides the documents changed (settings, tokens, files on disk): expand everything again. */
  invalidate(): void {
    this.generation++;
    this.analyses.clear();
    this.rootPipelines.clear();
  }

  /**
   * Documents other than `uri` whose last analysis read it (or may have: one that listed a folder,
   * or is still running): an edit of `uri` — a library file open beside its consumer — changes their findings.
   */
  readersOf(uri: string): string[] {
    const out: string[] = [];
    // Documents analysed in the same pipeline as `uri` are published with it.
    const own = this.analyses.get(uri)?.value?.pipeline;
    for (const [doc, memo] of this.analyses) {
      if (doc === uri || (own && memo.value?.pipeline === own)) continue;
      const reads = memo.value?.reads;
      if (!reads || reads.has(uri)) out.push(doc);
    }
    return out;
  }

  /** The analysis of `uri`: the remembered one while every text it read is unchanged. */
  analysisFor(uri: string): Promise<Analysis> {
    return this.remembered(this.analyses, uri, async () => this.withLastGood(uri, await this.analyse(uri)));
  }

  /** An analysis in which every file parses is remembered as the pipeline's last good one; one in which a file does not parse is given it. */
  private withLastGood(uri: string, a: Analysis): Analysis {
    if (this.lastGood.record(a, uri)) return a;
    return { ...a, syntaxErrors: syntaxErrors(a.pipeline), lastGood: this.lastGood.forBroken(a, uri) };
  }

  /** Is every text these reads saw still what the workspace holds? (Unopened files change through `invalidate`.) */
  private current(reads: Reads | undefined): boolean {
    if (!reads) return false;
    for (const [uri, r] of reads) {
      const open = this.openText(uri);
      if (open !== undefined ? open !== r.text : r.open) return false;
    }
    return true;
  }

  private remembered<T extends { reads?: Reads }>(memos: Map<string, Memo<T>>, key: string, compute: () => Promise<T>): Promise<T> {
    const hit = memos.get(key);
    // A run still going is shared within its generation only: after an edit it may have read the old text.
    if (hit && (hit.generation === this.generation || (hit.value && this.current(hit.value.reads)))) {
      hit.generation = this.generation;
      return hit.promise;
    }
    const memo: Memo<T> = { generation: this.generation, promise: compute() };
    memo.promise.then(
      (v) => (memo.value = v),
      () => memos.delete(key),
    );
    memos.set(key, memo);
    return memo.promise;
  }

  /** The texts a pipeline read; undefined when it also depended on what no text shows (a folder listing, a file that was missing). */
  private readsOf(pipeline: ExpandedPipeline, watch: SourceWatch, into: Reads | undefined = new Map()): Reads | undefined {
    if (!into || watch.uncertain) return undefined;
    for (const f of pipeline.files) {
      if (f.uri.startsWith('file:') && !into.has(f.uri)) into.set(f.uri, { text: f.parsed.text, open: this.openText(f.uri) !== undefined });
    }
    // A file that did not parse is no file of the pipeline, but the expansion depends on its text all the same.
    for (const [uri, text] of watch.texts) if (!into.has(uri)) into.set(uri, { text, open: this.openText(uri) !== undefined });
    return into;
  }

  /**
   * Expand the pipeline `uri` belongs to: the folder's root pipeline when it reads the file; that
   * pipeline with the file forced in when an include's `rules:` leave it out; else the file on its own.
   */
  async analyse(uri: string): Promise<Analysis> {
    const path = fileURLToPath(uri);
    const folder = this.folderOf(path);
    this.useParsedStore(folder);
    // CI/CD variables GitLab sets, known by key only (the `knownVariables` setting, the keys last listed
    // from GitLab for this folder): an include path reading one is left unresolved (locations.ts).
    const byKey = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, undefined]));
    const variables = { ...byKey(this.settings().knownVariables), ...byKey(this.listedKeys.get(folder) ?? []), ...simulatedVariables() };
    const selfProject = folderSelfProject(folder);
    const rootPath = resolve(folder, '.gitlab-ci.yml');
    const rootUri = pathToFileURL(rootPath).href;
    let rootReads: Reads | undefined;
    const hasRoot = existsSync(rootPath) || this.openText(rootUri) !== undefined;
    if (hasRoot) {
      const root = await this.remembered(this.rootPipelines, folder, async () => {
        const sources = this.sourcesFor(folder);
        const watch = new SourceWatch(sources);
        // Asked beside the expansion: the keys of the CI/CD variables GitLab holds for the folder's project.
        const settingsKeys = this.session.settingsVariables(folder, this.settings()).then(
          (v) => v.keys,
          () => [] as string[],
        );
        let pipeline = await expandPipeline({ sources: watch, variables, selfProject, parseCache: this.parseCache, openInEditor: this.openInEditor });
        const listed = await settingsKeys;
        this.listedKeys.set(folder, listed);
        // Keys listed for the first time that an include entry with a finding reads: expanded again with them.
        const fresh = listed.filter((k) => !Object.hasOwn(variables, k));
        if (fresh.length && includeFindingsRead(pipeline, fresh)) {
          pipeline = await expandPipeline({ sources: watch, variables: { ...variables, ...byKey(fresh) }, selfProject, parseCache: this.parseCache, openInEditor: this.openInEditor });
        }
        const knownVariables = [...new Set([...this.settings().knownVariables, ...listed])];
        return { pipeline, sources, reads: this.readsOf(pipeline, watch), knownVariables };
      });
      // A file that does not parse now is where it was when the root pipeline last parsed (the root file itself is always).
      const member = (p: ExpandedPipeline | undefined) => p?.files.some((f) => f.uri === uri);
      const broken = syntaxErrors(root.pipeline).length > 0;
      if (member(root.pipeline) || (broken && (uri === rootUri || member(this.lastGood.root(rootUri)?.pipeline)))) {
        return { pipeline: root.pipeline, standalone: false, rootUri, sources: root.sources, reads: root.reads, knownVariables: root.knownVariables };
      }
      // A file the root pipeline includes only under a condition the simulation does not meet (an
      // include's `rules:`): shown in that pipeline, as it is when the condition holds.
      const name = basename(path);
      if (root.pipeline.files.some((f) => f.parsed.text.includes(name))) {
        const watch = new SourceWatch(root.sources);
        const pipeline = await expandPipeline({ sources: watch, variables, selfProject, parseCache: this.parseCache, openInEditor: this.openInEditor, forceInclude: uri });
        if (pipeline.files.some((f) => f.uri === uri)) {
          const reads = this.readsOf(pipeline, watch, root.reads && new Map(root.reads));
          return { pipeline, standalone: false, conditional: true, rootUri, sources: root.sources, reads, knownVariables: root.knownVariables };
        }
      }
      // Whether the file stands on its own depends on the root pipeline too.
      rootReads = root.reads;
    }
    const sources = this.sourcesFor(folder);
    const rel = path.startsWith(folder + '/') ? path.slice(folder.length + 1) : path;
    let text = this.openText(uri);
    if (text === undefined) {
      const read = await sources.readProjectFile({ project: null }, rel);
      text = read.ok ? read.text : '';
    }
    // A preset file with a spec: header is expanded with stand-ins for the inputs consumers give.
    const rootInputs = standaloneInputs(parseCached(this.parseCache, uri, text, this.openInEditor(uri)).header);
    const rootComponent = standaloneComponent(rel);
    const watch = new SourceWatch(sources);
    const expandAlone = (contextFiles?: string[]) => expandText({ uri, path: rel, text }, { sources: watch, variables, selfProject, rootInputs, rootComponent, parseCache: this.parseCache, openInEditor: this.openInEditor, contextFiles });
    let pipeline = await expandAlone();
    // Templates it uses that the library defines in its other files: expanded beneath it, as consumers include them.
    const context: string[] = [];
    const sought = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const names = unknownTemplates(pipeline).filter((n) => !sought.has(n));
      names.forEach((n) => sought.add(n));
      const found = filesDefining(folder, names, rel, (p) => this.openText(pathToFileURL(resolve(folder, p)).href)).filter((p) => !context.includes(p));
      if (!found.length) break;
      context.push(...found);
      pipeline = await expandAlone(context);
    }
    const reads = this.readsOf(pipeline, watch, rootReads === undefined && hasRoot ? undefined : new Map(rootReads));
    if (reads && !reads.has(uri)) reads.set(uri, { text, open: this.openText(uri) !== undefined });
    return { pipeline, standalone: true, rootUri: uri, sources, reads, knownVariables: this.settings().knownVariables };
  }
}

/** Whether an include entry the pipeline has a finding on reads one of `names` (`$X`, `${X}`, `%X%`). */
function includeFindingsRead(pipeline: ExpandedPipeline, names: string[]): boolean {
  const reads = new RegExp(`[$](?:\\{)?(?:${names.join('|')})\\b|%(?:${names.join('|')})%`);
  return pipeline.diagnostics.some((d) => {
    if (!d.code.startsWith('include') && !d.code.startsWith('component')) return false;
    const text = pipeline.files.find((f) => f.uri === d.span.uri)?.parsed.text;
    return text !== undefined && reads.test(text.slice(d.span.start, d.span.end));
  });
}
