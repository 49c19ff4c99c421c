/**
 * The engine's only window on files: everything it reads comes through a SourceProvider.
 * Disk, unsaved editor buffers, the cache and the GitLab API live outside the engine and
 * implement this interface; the engine itself does no I/O.
 */

/** A project at a ref. `project: null` is the pipeline's own project (the workspace / CLI dir). */
export interface ProjectLoc {
  project: string | null;
  /** Branch, tag or SHA; undefined = the default branch (HEAD). */
  ref?: string;
}

export type ReadResult =
  | { ok: true; uri: string; text: string; /** e.g. "cached copy from 2026-11-01 (API unreachable)" */ note?: string }
  | { ok: false; error: string };

export type ListResult = { ok: true; files: string[] } | { ok: false; error: string };

/**
 * A resolved component version: the ref to read; `version` = the release (semantic-version tag) it
 * designates — GitLab's `component.version` —, absent for a branch, a SHA or another ref.
 */
export type VersionResult = { ok: true; ref: string; version?: string; sha?: string } | { ok: false; error: string };

export interface SourceProvider {
  /** A file of a project; `path` is relative to the project root, without a leading slash. */
  readProjectFile(loc: ProjectLoc, path: string): Promise<ReadResult>;
  /** Every file path of a project (for `local:` globs and `rules:exists`). */
  listProjectFiles(loc: ProjectLoc): Promise<ListResult>;
  /** `include: remote:` — fetched without credentials. */
  readRemote(url: string): Promise<ReadResult>;
  /** `include: template:` — a file of GitLab's lib/gitlab/ci/templates. */
  readTemplate(name: string): Promise<ReadResult>;
  /** Resolve a component version (`1.2.3`, `1`, `1.2`, `~latest`, a branch or SHA) of a project to a ref. */
  resolveComponentVersion(project: string, version: string): Promise<VersionResult>;
  /** The project's newest release tag when it is newer than `ref` (a maintainer signal); optional. */
  newerTag?(project: string, ref: string): Promise<string | undefined>;
}

/** The URI the engine gives to a file of a project when a provider does not supply its own. */
export function projectFileUri(loc: ProjectLoc, path: string): string {
  if (loc.project === null) return `gitlab-ci-root:///${path}`;
  return `gitlab-ci-project:///${loc.project}/-/${loc.ref ?? 'HEAD'}/${path}`;
}
