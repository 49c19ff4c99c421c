/**
 * A consumer's sources with one project — the library under change — served from elsewhere (its
 * working tree, or its files at a git ref), whatever ref or component version the consumer pins.
 * Everything else goes to the consumer's own provider.
 */
import type { ListResult, ProjectLoc, ReadResult, SourceProvider, VersionResult } from '../pipeline/sources.js';

export class LibraryOverlay implements SourceProvider {
  constructor(
    private consumer: SourceProvider,
    private project: string,
    private library: SourceProvider,
  ) {}

  private isLibrary(loc: ProjectLoc): boolean {
    return loc.project !== null && loc.project === this.project;
  }

  readProjectFile(loc: ProjectLoc, path: string): Promise<ReadResult> {
    return this.isLibrary(loc) ? this.library.readProjectFile({ project: null }, path) : this.consumer.readProjectFile(loc, path);
  }

  listProjectFiles(loc: ProjectLoc): Promise<ListResult> {
    return this.isLibrary(loc) ? this.library.listProjectFiles({ project: null }) : this.consumer.listProjectFiles(loc);
  }

  readRemote(url: string): Promise<ReadResult> {
    return this.consumer.readRemote(url);
  }

  readTemplate(name: string): Promise<ReadResult> {
    return this.consumer.readTemplate(name);
  }

  async resolveComponentVersion(project: string, version: string): Promise<VersionResult> {
    // Any version of the library is the one under change.
    if (project === this.project) return { ok: true, ref: version, version };
    return this.consumer.resolveComponentVersion(project, version);
  }
}
