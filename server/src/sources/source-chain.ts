/**
 * The SourceProvider the language server and the online CLI read through. For a project include:
 *   1. a local checkout — mapped (`localProjects`: `project@ref` for one ref, a bare `project` for
 *      every ref) or found among the workspace folders by their git remote; files on disk win,
 *      and unsaved editor buffers win over disk (the overlay); a checkout is authoritative for
 *      its project, so a file missing there is missing;
 *   2. the on-disk cache by commit SHA, and 3. the GitLab API (both in remote-projects.ts), which
 *      falls back to the cache with a note when the API cannot be asked.
 * `remote:` goes to the RemoteFetcher (no token), `template:` to a local template folder when one
 * is configured, else to the instance. Without a RemoteProjects the chain is local only.
 */
import { resolve as resolvePath } from 'node:path';
import type { ListResult, ProjectLoc, ReadResult, SourceProvider, VersionResult } from '../pipeline/sources.js';
import { DirectorySources, mappingHint } from './directory-sources.js';
import type { DirectorySourceOptions } from './directory-sources.js';
import { primaryRemote } from './git-remotes.js';
import type { RemoteFetcher } from './remote-fetch.js';
import { newestAbove } from './remote-projects.js';
import type { RemoteProjects } from './remote-projects.js';
import { pickVersion } from './versions.js';

export interface SourceChainOptions extends DirectorySourceOptions {
  /** Folders that may be checkouts of included projects, recognised by their git remote (the workspace folders). */
  checkoutFolders?: string[];
  /** Cache + API of the GitLab instance; absent = local sources only. */
  instance?: RemoteProjects;
  /** `include: remote:` over https; absent = only `remotes` (URL → file) mappings. */
  urls?: RemoteFetcher;
}

/** Where a project's files come from when they come from disk. */
type Checkout = { dir: string; how: string; exact: boolean };

export class SourceChain implements SourceProvider {
  readonly local: DirectorySources;
  private detected?: Map<string, string>;
  private checkoutSources = new Map<string, DirectorySources>();

  constructor(private opts: SourceChainOptions) {
    this.local = new DirectorySources(opts);
  }

  /** Folders among `checkoutFolders` whose git remote is a project of this instance: project path (lower case) → folder. */
  detectedCheckouts(): Map<string, string> {
    if (this.detected) return this.detected;
    this.detected = new Map();
    const wantHost = this.opts.instance ? new URL(this.opts.instance.gitlabUrl).hostname.toLowerCase() : undefined;
    for (const folder of this.opts.checkoutFolders ?? []) {
      const remote = primaryRemote(folder);
      if (!remote || (wantHost && remote.hostname.toLowerCase() !== wantHost)) continue;
      const key = remote.projectPath.toLowerCase();
      if (!this.detected.has(key)) this.detected.set(key, resolvePath(folder));
    }
    return this.detected;
  }

  /** The local checkout serving `loc`, if any. `exact`: a `project@ref` mapping or the root, read as DirectorySources does. */
  checkoutFor(loc: ProjectLoc): Checkout | undefined {
    if (loc.project === null) return { dir: this.opts.rootDir, how: 'the root project', exact: true };
    const d = this.local.projectDir(loc, { anyRef: false });
    if ('dir' in d) return { dir: d.dir, how: 'localProjects', exact: true };
    const bare = this.opts.projects?.get(loc.project);
    if (bare) return { dir: bare, how: 'localProjects', exact: false };
    const auto = this.detectedCheckouts().get(loc.project.toLowerCase());
    if (auto) return { dir: auto, how: 'a workspace folder with this git remote', exact: false };
    return undefined;
  }

  async readProjectFile(loc: ProjectLoc, path: string): Promise<ReadResult> {
    const checkout = this.checkoutFor(loc);
    if (checkout?.exact || (!checkout && !this.opts.instance) || loc.project === null) return this.local.readProjectFile(loc, path);
    if (!checkout) return this.withMappingHint(loc, await this.opts.instance!.readFile(loc.project, loc.ref, path));
    const r = await this.dirSources(checkout.dir).readProjectFile({ project: null }, path);
    return r.ok ? r : { ok: false, error: `\`${path}\` does not exist in the local checkout ${checkout.dir} (${checkout.how})` };
  }

  /** What GitLab answered, and which refs of the project a local folder is mapped at (none serves this one). */
  private withMappingHint<T extends ReadResult | ListResult>(loc: ProjectLoc, r: T): T {
    if (r.ok || loc.project === null) return r;
    const refs = this.localRefs(loc.project);
    if (!refs.length) return r;
    const mapped = refs.map((ref) => `${loc.project}@${ref}`).join(', ');
    return { ...r, error: `${r.error} — a local folder is mapped only for ${mapped}, not for ${loc.ref === undefined ? 'the default branch (no ref:)' : `ref ${loc.ref}`}${mappingHint(loc)}` };
  }

  /** A checkout read like a root project (same overlay, same path guard). */
  private dirSources(dir: string): DirectorySources {
    let d = this.checkoutSources.get(dir);
    if (!d) this.checkoutSources.set(dir, (d = new DirectorySources({ rootDir: dir, overlay: this.opts.overlay })));
    return d;
  }

  async listProjectFiles(loc: ProjectLoc): Promise<ListResult> {
    const checkout = this.checkoutFor(loc);
    if (checkout?.exact || (!checkout && !this.opts.instance) || loc.project === null) return this.local.listProjectFiles(loc);
    if (!checkout) return this.withMappingHint(loc, await this.opts.instance!.listFiles(loc.project, loc.ref));
    return this.dirSources(checkout.dir).listProjectFiles({ project: null });
  }

  async readRemote(url: string): Promise<ReadResult> {
    if (this.opts.remotes?.has(url) || !this.opts.urls) return this.local.readRemote(url);
    return this.opts.urls.read(url);
  }

  async readTemplate(name: string): Promise<ReadResult> {
    if (this.opts.templatesDir || !this.opts.instance) return this.local.readTemplate(name);
    return this.opts.instance.readTemplate(name);
  }

  /** Refs a local checkout is known to serve (from `project@ref` mappings and `--repo-dirs` layouts). */
  private localRefs(project: string): string[] {
    return this.local.refsOf(project);
  }

  async resolveComponentVersion(project: string, version: string): Promise<VersionResult> {
    const refs = this.localRefs(project);
    if (refs.length) {
      const picked = pickVersion(version, refs);
      if (picked) return { ok: true, ref: picked, version: picked };
    }
    const checkout = this.checkoutFor({ project, ref: version });
    if (checkout && !checkout.exact) return { ok: true, ref: version, version };
    if (this.opts.instance) return this.opts.instance.resolveComponentVersion(project, version);
    return this.local.resolveComponentVersion(project, version);
  }

  async newerTag(project: string, ref: string): Promise<string | undefined> {
    if (this.checkoutFor({ project, ref })) {
      const refs = this.localRefs(project);
      return refs.length ? newestAbove(ref, refs) : undefined;
    }
    return this.opts.instance?.newerTag(project, ref);
  }
}
