/**
 * Consumers found on GitLab: the projects of a group (subgroups included, bounded) whose CI file
 * at the default branch — or one of its local includes — includes the library (`include:
 * project:` or a component of the library's project). Files are read through the same cache and
 * API reader as presets: a default branch resolves to a commit SHA, files are kept by SHA, so a
 * second run reads them from disk. Each consumer found is served from its commit.
 */
import { parseIncludeEntries } from '../pipeline/includes/include-entries.js';
import type { ListResult, ProjectLoc, ReadResult, SourceProvider, VersionResult } from '../pipeline/sources.js';
import { parseYaml } from '../pipeline/yaml/parse.js';
import { ApiError } from '../sources/gitlab-api.js';
import type { RemoteProjects } from '../sources/remote-projects.js';
import type { ConsumerInput } from './impact-report.js';

export interface GroupConsumerOptions {
  group: string;
  /** The library's project path. */
  project: string;
  /** The cache + API reader of the instance (with its token). */
  instance: RemoteProjects;
  /** What the consumers' other includes are read through (the same instance). */
  sources: SourceProvider;
  /** At most this many projects are looked at (default 500). */
  maxProjects?: number;
}

export class GroupListError extends Error {}

/** Local includes followed per project, at most. */
const MAX_LOCAL_FILES = 50;

export async function groupConsumers(o: GroupConsumerOptions): Promise<{ consumers: ConsumerInput[]; notes: string[]; scanned: number }> {
  const { instance, sources } = o;
  const max = o.maxProjects ?? 500;
  let projects;
  try {
    projects = await instance.api.groupProjects(o.group, max);
  } catch (e) {
    if (e instanceof ApiError) throw new GroupListError(`the projects of group ${o.group}: ${e.message}`);
    throw e;
  }
  const notes: string[] = [];
  if (projects.length >= max) notes.push(`group ${o.group}: only the first ${max} projects are looked at`);
  const found = await Promise.all(
    projects.map(async (p): Promise<ConsumerInput | undefined> => {
      if (p.path.toLowerCase() === o.project.toLowerCase() || !p.defaultBranch) return undefined;
      const ciPath = p.ciConfigPath ?? '.gitlab-ci.yml';
      if (/@|:\/\//.test(ciPath)) {
        notes.push(`${p.path}: its CI file ${ciPath} is in another project or at a URL; not looked at`);
        return undefined;
      }
      const at = await instance.resolve(p.path, p.defaultBranch);
      if (!at.ok) {
        notes.push(`${p.path}: ${at.error}`);
        return undefined;
      }
      if (!(await includesLibrary(instance, p.path, at.sha, ciPath, o.project))) return undefined;
      return { name: p.path, projectPath: p.path, rootPath: ciPath, sources: new ProjectAtCommit(sources, p.path, at.sha) };
    }),
  );
  const consumers = found.filter((c): c is ConsumerInput => !!c).sort((a, b) => a.name.localeCompare(b.name));
  return { consumers, notes: notes.sort(), scanned: projects.length };
}

/** Does the CI file (or a local file it includes, transitively) include the library? */
async function includesLibrary(instance: RemoteProjects, project: string, sha: string, ciPath: string, library: string): Promise<boolean> {
  const lib = library.toLowerCase();
  const queue = [ciPath.replace(/^\/+/, '')];
  const seen = new Set<string>();
  while (queue.length && seen.size < MAX_LOCAL_FILES) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const r = await instance.readFile(project, sha, path);
    if (!r.ok) continue;
    const parsed = parseYaml(r.uri, r.text);
    const include = parsed.content.kind === 'map' ? parsed.content.entries.get('include') : undefined;
    if (!include) continue;
    for (const e of parseIncludeEntries(include, () => undefined)) {
      if (e.kind === 'project' && e.location.toLowerCase() === lib) return true;
      // `host/group/project/name@version`: the component's project is the path between host and name.
      if (e.kind === 'component' && e.location.toLowerCase().split('@')[0].split('/').slice(1, -1).join('/') === lib) return true;
      if (e.kind === 'local' && !/[*$]/.test(e.location)) queue.push(e.location.replace(/^\/+/, ''));
    }
  }
  return false;
}

/** A project at a commit as the root project; everything else through the shared sources. */
class ProjectAtCommit implements SourceProvider {
  constructor(
    private sources: SourceProvider,
    private project: string,
    private sha: string,
  ) {}

  private loc(loc: ProjectLoc): ProjectLoc {
    return loc.project === null ? { project: this.project, ref: this.sha } : loc;
  }

  readProjectFile(loc: ProjectLoc, path: string): Promise<ReadResult> {
    return this.sources.readProjectFile(this.loc(loc), path);
  }

  listProjectFiles(loc: ProjectLoc): Promise<ListResult> {
    return this.sources.listProjectFiles(this.loc(loc));
  }

  readRemote(url: string): Promise<ReadResult> {
    return this.sources.readRemote(url);
  }

  readTemplate(name: string): Promise<ReadResult> {
    return this.sources.readTemplate(name);
  }

  resolveComponentVersion(project: string, version: string): Promise<VersionResult> {
    return this.sources.resolveComponentVersion(project, version);
  }
}
