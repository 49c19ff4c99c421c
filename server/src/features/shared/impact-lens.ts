/**
 * The template code lens, when the library's consumers are known (`gitlabCiPresets.consumers`
 * folders): "· used by N consumer jobs" after "extended by N jobs" — the real jobs of the
 * consumers' pipelines, expanded with this library as it is now (unsaved editors included),
 * whose `extends:` chain reaches the template. Expansions are kept for a few seconds: the editor
 * asks for lenses on every change.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CodeLens } from 'vscode-languageserver/node';
import { LibraryOverlay } from '../../impact/library-overlay.js';
import { servedByLibrary } from '../../impact/library-project.js';
import type { ExpandedPipeline } from '../../pipeline/merge/expand.js';
import { expandPipeline } from '../../pipeline/merge/expand.js';
import { simulatedVariables } from '../../pipeline/rules/simulated-context.js';
import { DirectorySources, projectRootOf } from '../../sources/directory-sources.js';
import { folderProject } from '../../sources/settings-variables.js';
import { serverSession } from '../../sources/source-session.js';
import type { FeatureContext, FeatureHost } from './context.js';

const KEEP_MS = 5_000;
const memo = new Map<string, { at: number; pipelines: Promise<ExpandedPipeline[]> }>();

/** The consumer folders of the setting (relative to the library folder), with a root pipeline. */
function consumerFolders(library: string, setting: unknown): string[] {
  if (!Array.isArray(setting)) return [];
  return setting
    .filter((c): c is string => typeof c === 'string' && !c.startsWith('group:'))
    .map((c) => (isAbsolute(c) ? c : resolve(library, c)))
    .filter((c) => existsSync(resolve(c, '.gitlab-ci.yml')));
}

function consumerPipelines(host: FeatureHost, library: string, folders: string[]): Promise<ExpandedPipeline[]> {
  const key = JSON.stringify([library, folders]);
  const hit = memo.get(key);
  if (hit && Date.now() - hit.at < KEEP_MS) return hit.pipelines;
  const settings = host.settings();
  const project = folderProject(library, settings.gitlabUrl)?.project ?? servedByLibrary(library, folders, { localProjects: {}, gitlabUrl: settings.gitlabUrl });
  const overlay = (abs: string) => host.documents.get(pathToFileURL(abs).href)?.getText();
  const head = new DirectorySources({ rootDir: library, overlay });
  const pipelines = project
    ? Promise.all(folders.map((dir) => expandPipeline({ sources: new LibraryOverlay(serverSession.sourcesFor({ folder: dir, folders: [dir], settings, overlay }), project, head), variables: simulatedVariables() })))
    : Promise.resolve([]);
  memo.set(key, { at: Date.now(), pipelines });
  return pipelines;
}

/** How many real jobs of the pipelines have `template` in their `extends:` chain. */
function usesOf(pipelines: ExpandedPipeline[], template: string): number {
  let n = 0;
  for (const p of pipelines) {
    for (const job of p.jobs.values()) {
      if (job.hidden) continue;
      const seen = new Set<string>();
      const queue = [...(p.extendsParents.get(job.name) ?? [])];
      while (queue.length) {
        const t = queue.shift()!;
        if (seen.has(t)) continue;
        seen.add(t);
        queue.push(...(p.extendsParents.get(t) ?? []));
      }
      if (seen.has(template)) n++;
    }
  }
  return n;
}

/** The lenses with the consumer count added to each template's title (unchanged when no consumer folder is set). */
export async function withConsumerUses(host: FeatureHost, ctx: FeatureContext, lenses: CodeLens[]): Promise<CodeLens[]> {
  if (!lenses.length || !ctx.document.uri.startsWith('file:')) return lenses;
  const library = projectRootOf(fileURLToPath(ctx.document.uri));
  const folders = consumerFolders(library, (host.settings() as { consumers?: unknown }).consumers);
  if (!folders.length) return lenses;
  const pipelines = await consumerPipelines(host, library, folders);
  if (!pipelines.length) return lenses;
  const index = ctx.lineIndex(ctx.document.uri);
  return lenses.map((l) => {
    if (!l.command || !index) return l;
    const name = ctx.document.text.slice(index.offset(l.range.start), index.offset(l.range.end));
    const n = usesOf(pipelines, name);
    return { ...l, command: { ...l.command, title: `${l.command.title} · used by ${n} consumer job${n === 1 ? '' : 's'}` } };
  });
}
