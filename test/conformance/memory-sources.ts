/**
 * An in-memory SourceProvider for the GitLab spec cases (gitlab-spec-cases/cases.jsonl), built
 * from a case's `files` map, whose keys are:
 *   `path` or `/path`             a file of the pipeline's own project
 *   `remote:URL`                  an `include: remote:` URL
 *   `project:GROUP/P@REF:/file`   a file of another project at REF (`HEAD` = default branch)
 *   `template:NAME`               a GitLab CI template
 * Written for the conformance tests on purpose (not the engine's own MemorySources), so the
 * engine is not tested with its own helper.
 */
import type { ListResult, ProjectLoc, ReadResult, SourceProvider, VersionResult } from '../../server/src/pipeline/sources.js';

interface ProjectFiles {
  /** ref (`HEAD` for the default branch) → path (no leading slash) → text */
  refs: Map<string, Map<string, string>>;
}

export class CaseSources implements SourceProvider {
  private own = new Map<string, string>();
  private projects = new Map<string, ProjectFiles>();
  private remotes = new Map<string, string>();
  private templates = new Map<string, string>();
  /** Every read, in order (for failure messages). */
  readonly log: string[] = [];

  constructor(rootPath: string, rootText: string, files: Record<string, string> = {}) {
    this.own.set(stripSlash(rootPath), rootText);
    for (const [key, text] of Object.entries(files)) {
      if (key.startsWith('remote:')) this.remotes.set(key.slice('remote:'.length), text);
      else if (key.startsWith('template:')) this.templates.set(key.slice('template:'.length), text);
      else if (key.startsWith('project:')) {
        const m = /^project:([^@:]+)(?:@([^:]+))?:(.*)$/.exec(key);
        if (!m) throw new Error(`bad project file key ${key}`);
        const [, project, ref = 'HEAD', path] = m;
        const p = this.projects.get(project) ?? { refs: new Map() };
        this.projects.set(project, p);
        const files = p.refs.get(ref) ?? new Map<string, string>();
        p.refs.set(ref, files);
        files.set(stripSlash(path), text);
      } else this.own.set(stripSlash(key), text);
    }
  }

  private filesOf(loc: ProjectLoc): Map<string, string> | undefined {
    if (loc.project === null) return this.own;
    return this.projects.get(loc.project)?.refs.get(loc.ref ?? 'HEAD');
  }

  async readProjectFile(loc: ProjectLoc, path: string): Promise<ReadResult> {
    const where = loc.project === null ? '' : `${loc.project}@${loc.ref ?? 'HEAD'}:`;
    this.log.push(`read ${where}${path}`);
    const text = this.filesOf(loc)?.get(stripSlash(path));
    if (text === undefined) return { ok: false, error: `Local file \`${path}\` does not exist!` };
    const uri = loc.project === null ? `memory:///${stripSlash(path)}` : `memory://${loc.project}/-/${loc.ref ?? 'HEAD'}/${stripSlash(path)}`;
    return { ok: true, uri, text };
  }

  async listProjectFiles(loc: ProjectLoc): Promise<ListResult> {
    const files = this.filesOf(loc);
    if (!files) return { ok: false, error: `project ${loc.project}@${loc.ref ?? 'HEAD'} not found` };
    return { ok: true, files: [...files.keys()].sort() };
  }

  async readRemote(url: string): Promise<ReadResult> {
    this.log.push(`remote ${url}`);
    const text = this.remotes.get(url);
    return text === undefined ? { ok: false, error: `Remote file \`${url}\` could not be fetched` } : { ok: true, uri: url, text };
  }

  async readTemplate(name: string): Promise<ReadResult> {
    this.log.push(`template ${name}`);
    const text = this.templates.get(name);
    return text === undefined ? { ok: false, error: `Template file \`${name}\` is not a valid location!` } : { ok: true, uri: `memory-template:///${name}`, text };
  }

  async resolveComponentVersion(project: string, version: string): Promise<VersionResult> {
    const refs = this.projects.get(project)?.refs;
    if (!refs?.has(version)) return { ok: false, error: `component ${project}@${version} not found` };
    return { ok: true, ref: version, version };
  }
}

function stripSlash(p: string): string {
  return p.replace(/^\/+/, '');
}
