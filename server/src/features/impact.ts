/**
 * "Show Impact of My Changes" for a library workspace: `gitlabCiPresets/impact`
 * `{library, base, consumers, groups}` expands every consumer with the library at the git ref
 * `base` and as it is now (unsaved editors included) and answers the report (impact/), each
 * location with its file URI so the view can open the library line behind a value;
 * `gitlabCiPresets/impactRefs` `{library}` answers the tags (newest first) and branches to pick a
 * base from. Consumers are folders and GitLab groups (read with the session's token and cache).
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GitRefError, GitRefSources, gitRefs, gitTags, resolveCommit } from '../impact/git-ref-sources.js';
import { computeImpact } from '../impact/impact-report.js';
import type { ConsumerInput, ImpactReport } from '../impact/impact-report.js';
import { servedByLibrary } from '../impact/library-project.js';
import { groupConsumers, GroupListError } from '../impact/remote-consumers.js';
import { DirectorySources } from '../sources/directory-sources.js';
import { chooseGitlabUrl } from '../sources/hosts.js';
import { defaultCacheDir } from '../sources/project-cache.js';
import { folderProject } from '../sources/settings-variables.js';
import { expandPath, serverSession } from '../sources/source-session.js';
import type { Feature, FeatureHost } from './shared/context.js';

export const IMPACT_REQUEST = 'gitlabCiPresets/impact';
export const IMPACT_REFS_REQUEST = 'gitlabCiPresets/impactRefs';

export interface ImpactParams {
  /** The library folder (a path or a `file:` URI). */
  library: string;
  /** A tag, branch or SHA of the library's repository. */
  base: string;
  /** Consumer folders (absolute, or relative to the library folder). */
  consumers?: string[];
  /** GitLab groups whose projects that include the library are consumers. */
  groups?: string[];
}

export type ImpactAnswer = { report: ImpactReport; notes: string[] } | { error: string };

export interface ImpactRefs {
  /** Tags, newest version first. */
  tags: string[];
  /** Tags, then local branches by recent commit. */
  refs: string[];
}

function folderOf(p: string): string {
  return p.startsWith('file:') ? fileURLToPath(p) : p;
}

export async function impactOf(host: FeatureHost, params: ImpactParams): Promise<ImpactAnswer> {
  const library = folderOf(String(params?.library ?? ''));
  if (!library || !existsSync(library)) return { error: `no such library folder: ${library}` };
  if (typeof params.base !== 'string' || !params.base) return { error: 'no base ref' };
  const settings = host.settings();
  const trusted = host.initializationOptions().trusted !== false;
  const dirs = (params.consumers ?? []).map((c) => (isAbsolute(folderOf(c)) ? folderOf(c) : resolve(library, c))).filter((c) => existsSync(resolve(c, '.gitlab-ci.yml')));
  const groups = trusted ? params.groups ?? [] : [];
  const project = folderProject(library, settings.gitlabUrl)?.project ?? (dirs.length ? servedByLibrary(library, dirs, { localProjects: {}, gitlabUrl: settings.gitlabUrl }) : undefined);
  if (!project) return { error: `cannot tell which project ${library} is: it has no git remote, and no consumer folder includes one project whose files it holds` };
  let commit: string;
  try {
    commit = await resolveCommit(library, params.base);
  } catch (e) {
    if (e instanceof GitRefError) return { error: e.message };
    throw e;
  }
  const overlay = (abs: string) => host.documents.get(pathToFileURL(abs).href)?.getText();
  const consumers: ConsumerInput[] = dirs.map((dir) => ({
    name: relative(dirname(library), dir) || dir,
    sources: serverSession.sourcesFor({ folder: dir, folders: [dir], settings, overlay }),
    projectPath: folderProject(dir, settings.gitlabUrl)?.project,
  }));
  const notes: string[] = [];
  if (groups.length && !settings.localOnly) {
    let gitlabUrl: string;
    try {
      gitlabUrl = chooseGitlabUrl(settings.gitlabUrl, library).url;
    } catch (e) {
      return { error: (e as Error).message };
    }
    const cacheDir = settings.cacheDir ? expandPath(settings.cacheDir, library) : defaultCacheDir();
    const instance = serverSession.instance(gitlabUrl, cacheDir, settings.offline);
    const sources = serverSession.sourcesFor({ folder: library, folders: [library], settings, overlay });
    for (const group of groups) {
      try {
        const found = await groupConsumers({ group, project, instance, sources });
        consumers.push(...found.consumers);
        notes.push(...found.notes);
      } catch (e) {
        if (!(e instanceof GroupListError)) throw e;
        notes.push(e.message);
      }
    }
  }
  if (!consumers.length) return { error: 'no consumers: set gitlabCiPresets.consumers to their folders or GitLab groups' };
  const report = await computeImpact({
    project,
    baseRef: params.base,
    base: new GitRefSources(library, commit, project, params.base),
    head: new DirectorySources({ rootDir: library, overlay }),
    consumers,
    knownVariables: settings.knownVariables,
    displayFile: (uri) => (uri.startsWith('file:') ? relative(dirname(library), fileURLToPath(uri)) : uri),
  });
  return { report, notes };
}

export const impactFeature: Feature = {
  capabilities: {},
  register(host) {
    host.connection.onRequest(IMPACT_REQUEST, (params: ImpactParams) => impactOf(host, params));
    host.connection.onRequest(IMPACT_REFS_REQUEST, async (params: { library: string }): Promise<ImpactRefs> => {
      const library = folderOf(String(params?.library ?? ''));
      if (!existsSync(library)) return { tags: [], refs: [] };
      return { tags: await gitTags(library), refs: await gitRefs(library) };
    });
  },
};
