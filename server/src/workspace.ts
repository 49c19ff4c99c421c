/**
 * The server's view of the workspace: which pipeline a document belongs to, the sources it is
 * read through (unsaved buffers, local checkouts, cache, GitLab API: sources/source-chain.ts), and the last expansion of each
 * pipeline. Expansions are cached by the versions of the documents they read.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { expandPipeline, expandText } from './pipeline/expand.js';
import type { ExpandedPipeline } from './pipeline/expand.js';
import { parseCached } from './pipeline/includes.js';
import type { ParseCache } from './pipeline/includes.js';
import type { ParsedFile } from './pipeline/parse.js';
import { standaloneInputs } from './pipeline/standalone-inputs.js';
import { simulatedVariables } from './pipeline/simulated-context.js';
import { serverSession } from './sources/source-session.js';
import type { SourceSession } from './sources/source-session.js';
import type { SourceChain } from './sources/source-chain.js';

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
  rootUri: string;
  /** The sources the pipeline was read through (completion lists project files with them). */
  sources?: SourceChain;
}

export class Workspace {
  private parseCache: ParseCache = new Map();

  constructor(
    private folders: () => string[],
    private openText: (uri: string) => string | undefined,
    private settings: () => Settings,
    /** Tokens, cache and API state shared by every analysis (features/tokens.ts feeds it). */
    private session: SourceSession = serverSession,
  ) {}

  folderOf(path: string): string {
    const folders = this.folders().filter((f) => path === f || path.startsWith(f + '/'));
    folders.sort((a, b) => b.length - a.length);
    return folders[0] ?? dirname(path);
  }

  /** A file parsed through the workspace's parse cache (the workspace index sniffs files with it; analyses reuse the result). */
  parse(uri: string, text: string): ParsedFile {
    return parseCached(this.parseCache, uri, text);
  }

  /** Local checkouts (mapped or found among the workspace folders) → cache → GitLab API; unsaved buffers win. */
  sourcesFor(folder: string): SourceChain {
    const overlay = (abs: string) => this.openText(pathToFileURL(abs).href);
    return this.session.sourcesFor({ folder, folders: this.folders(), settings: this.settings(), overlay });
  }

  /** Expand the pipeline `uri` belongs to: the folder's root pipeline when it reads the file, else the file on its own. */
  async analyse(uri: string): Promise<Analysis> {
    const path = fileURLToPath(uri);
    const folder = this.folderOf(path);
    const sources = this.sourcesFor(folder);
    const variables = simulatedVariables();
    const rootPath = resolve(folder, '.gitlab-ci.yml');
    if (existsSync(rootPath) || this.openText(pathToFileURL(rootPath).href) !== undefined) {
      const pipeline = await expandPipeline({ sources, variables, parseCache: this.parseCache });
      if (pipeline.files.some((f) => f.uri === uri)) return { pipeline, standalone: false, rootUri: pathToFileURL(rootPath).href, sources };
    }
    const rel = path.startsWith(folder + '/') ? path.slice(folder.length + 1) : path;
    let text = this.openText(uri);
    if (text === undefined) {
      const read = await sources.readProjectFile({ project: null }, rel);
      text = read.ok ? read.text : '';
    }
    // A preset file with a spec: header is expanded with stand-ins for the inputs consumers give.
    const rootInputs = standaloneInputs(parseCached(this.parseCache, uri, text).header);
    const pipeline = await expandText({ uri, path: rel, text }, { sources, variables, rootInputs, parseCache: this.parseCache });
    return { pipeline, standalone: true, rootUri: uri, sources };
  }
}
