/**
 * The server's view of the workspace: which pipeline a document belongs to, the sources it is
 * read through (disk + unsaved buffers + mapped local projects), and the last expansion of each
 * pipeline. Expansions are cached by the versions of the documents they read.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { existsSync } from 'node:fs';
import { expandPipeline, expandText } from './pipeline/expand.js';
import type { ExpandedPipeline } from './pipeline/expand.js';
import type { ParseCache } from './pipeline/includes.js';
import { simulatedVariables } from './pipeline/simulated-context.js';
import { DirectorySources } from './sources/directory-sources.js';

export interface Settings {
  /** `{"group/project[@ref]": "path"}`, paths relative to the workspace folder. */
  localProjects: Record<string, string>;
  knownVariables: string[];
  templatesDir?: string;
}

export const DEFAULT_SETTINGS: Settings = { localProjects: {}, knownVariables: [] };

export interface Analysis {
  pipeline: ExpandedPipeline;
  /** True when the document was expanded on its own (a preset file with no root pipeline). */
  standalone: boolean;
  rootUri: string;
}

export class Workspace {
  private parseCache: ParseCache = new Map();

  constructor(
    private folders: () => string[],
    private openText: (uri: string) => string | undefined,
    private settings: () => Settings,
  ) {}

  folderOf(path: string): string {
    const folders = this.folders().filter((f) => path === f || path.startsWith(f + '/'));
    folders.sort((a, b) => b.length - a.length);
    return folders[0] ?? dirname(path);
  }

  sourcesFor(folder: string): DirectorySources {
    const s = this.settings();
    const projects = new Map(Object.entries(s.localProjects).map(([k, v]) => [k, resolve(folder, v)]));
    return new DirectorySources({
      rootDir: folder,
      projects,
      templatesDir: s.templatesDir ? resolve(folder, s.templatesDir) : undefined,
      overlay: (abs) => this.openText(pathToFileURL(abs).href),
    });
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
      if (pipeline.files.some((f) => f.uri === uri)) return { pipeline, standalone: false, rootUri: pathToFileURL(rootPath).href };
    }
    const text = this.openText(uri) ?? '';
    const rel = path.startsWith(folder + '/') ? path.slice(folder.length + 1) : path;
    const pipeline = await expandText({ uri, path: rel, text }, { sources, variables, parseCache: this.parseCache });
    return { pipeline, standalone: true, rootUri: uri };
  }
}
