/**
 * Impact results kept between runs, like an expansion the server reuses: each consumer's result
 * is stored with every file its two expansions read (through which provider, and a hash of the
 * text, or that it was missing). A later run first reads those files again — for a GitLab
 * consumer from the SHA-keyed cache, for the library from git and the working tree — and reuses
 * the result only when every one reads the same; an expansion that listed a folder is not kept.
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ListResult, ProjectLoc, ReadResult, SourceProvider, VersionResult } from '../pipeline/sources.js';
import { writeAtomic } from '../sources/project-cache.js';

type Read =
  | { kind: 'file'; loc: ProjectLoc; path: string; hash: string | null }
  | { kind: 'remote' | 'template'; name: string; hash: string | null }
  | { kind: 'version'; project: string; version: string; hash: string };

const hash = (text: string) => createHash('sha256').update(text).digest('hex');

/** Records what an expansion reads through it. */
export class ReadRecorder implements SourceProvider {
  readonly reads: Read[] = [];
  /** Set when the expansion depended on a folder listing (not replayable). */
  uncertain = false;

  constructor(private inner: SourceProvider) {}

  async readProjectFile(loc: ProjectLoc, path: string): Promise<ReadResult> {
    const r = await this.inner.readProjectFile(loc, path);
    this.reads.push({ kind: 'file', loc, path, hash: r.ok ? hash(r.text) : null });
    return r;
  }

  listProjectFiles(loc: ProjectLoc): Promise<ListResult> {
    this.uncertain = true;
    return this.inner.listProjectFiles(loc);
  }

  async readRemote(url: string): Promise<ReadResult> {
    const r = await this.inner.readRemote(url);
    this.reads.push({ kind: 'remote', name: url, hash: r.ok ? hash(r.text) : null });
    return r;
  }

  async readTemplate(name: string): Promise<ReadResult> {
    const r = await this.inner.readTemplate(name);
    this.reads.push({ kind: 'template', name, hash: r.ok ? hash(r.text) : null });
    return r;
  }

  async resolveComponentVersion(project: string, version: string): Promise<VersionResult> {
    const r = await this.inner.resolveComponentVersion(project, version);
    this.reads.push({ kind: 'version', project, version, hash: hash(JSON.stringify(r)) });
    return r;
  }
}

/** Do the recorded reads read the same now? */
async function unchanged(reads: Read[], sources: SourceProvider): Promise<boolean> {
  for (const r of reads) {
    let now: string | null;
    if (r.kind === 'file') {
      const x = await sources.readProjectFile(r.loc, r.path);
      now = x.ok ? hash(x.text) : null;
    } else if (r.kind === 'version') {
      now = hash(JSON.stringify(await sources.resolveComponentVersion(r.project, r.version)));
    } else {
      const x = r.kind === 'remote' ? await sources.readRemote(r.name) : await sources.readTemplate(r.name);
      now = x.ok ? hash(x.text) : null;
    }
    if (now !== r.hash) return false;
  }
  return true;
}

/** This program's build: results of another build are not reused (its engine may answer otherwise). */
function buildStamp(): string {
  try {
    const s = statSync(__filename);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return 'unknown';
  }
}

interface Entry<T> {
  base: Read[];
  head: Read[];
  result: T;
}

export class ImpactResultCache<T> {
  private stamp = buildStamp();

  constructor(private dir: string) {}

  private file(key: unknown): string {
    return join(this.dir, 'impact', `${hash(JSON.stringify([this.stamp, key]))}.json`);
  }

  /** The stored result when every read of both sides reads the same through `base` and `head`. */
  async get(key: unknown, base: SourceProvider, head: SourceProvider): Promise<{ result: T } | undefined> {
    let entry: Entry<T>;
    try {
      entry = JSON.parse(readFileSync(this.file(key), 'utf8')) as Entry<T>;
    } catch {
      return undefined;
    }
    if (!(await unchanged(entry.base, base)) || !(await unchanged(entry.head, head))) return undefined;
    return { result: entry.result };
  }

  set(key: unknown, base: ReadRecorder, head: ReadRecorder, result: T): void {
    if (base.uncertain || head.uncertain) return;
    try {
      writeAtomic(this.file(key), JSON.stringify({ base: base.reads, head: head.reads, result } satisfies Entry<T>));
    } catch {
      // a cache that cannot be written only costs time
    }
  }
}
