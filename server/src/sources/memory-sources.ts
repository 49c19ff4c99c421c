/**
 * A SourceProvider over in-memory files, keyed like `include:` sees them:
 * `path` (the root project), `project:GROUP/P@REF:/path` (`@REF` optional or `@HEAD` = default branch),
 * `remote:URL`, `template:NAME`. Used by tests and by callers that already hold the texts.
 */
import type { ListResult, ProjectLoc, ReadResult, SourceProvider, VersionResult } from '../pipeline/sources.js';
import { projectFileUri } from '../pipeline/sources.js';
import { isReleaseVersion, pickVersion } from './versions.js';

export class MemorySources implements SourceProvider {
  private files: Map<string, string>;

  constructor(files: Record<string, string> | Map<string, string>) {
    this.files = new Map();
    for (const [key, text] of files instanceof Map ? files : Object.entries(files)) this.files.set(normaliseKey(key), text);
  }

  private key(loc: ProjectLoc, path: string): string {
    if (loc.project === null) return path;
    return `project:${loc.project}${loc.ref ? `@${loc.ref}` : ''}:/${path}`;
  }

  async readProjectFile(loc: ProjectLoc, path: string): Promise<ReadResult> {
    const text = this.files.get(this.key(loc, path));
    if (text === undefined) return { ok: false, error: `\`${path}\` does not exist` };
    return { ok: true, uri: projectFileUri(loc, path), text };
  }

  async listProjectFiles(loc: ProjectLoc): Promise<ListResult> {
    const prefix = loc.project === null ? '' : `project:${loc.project}${loc.ref ? `@${loc.ref}` : ''}:/`;
    const files: string[] = [];
    for (const k of this.files.keys()) {
      if (loc.project === null) {
        if (!/^(project|remote|template):/.test(k)) files.push(k.replace(/^\/+/, ''));
      } else if (k.startsWith(prefix)) files.push(k.slice(prefix.length));
    }
    return { ok: true, files: files.sort() };
  }

  async readRemote(url: string): Promise<ReadResult> {
    const text = this.files.get(`remote:${url}`);
    return text === undefined ? { ok: false, error: 'not found' } : { ok: true, uri: url, text };
  }

  async readTemplate(name: string): Promise<ReadResult> {
    const text = this.files.get(`template:${name}`);
    return text === undefined ? { ok: false, error: 'not found' } : { ok: true, uri: `gitlab-ci-template:///${name}`, text };
  }

  async resolveComponentVersion(project: string, version: string): Promise<VersionResult> {
    const refs = new Set<string>();
    for (const k of this.files.keys()) {
      const m = /^project:([^@:]+)@([^:]+):\//.exec(k);
      if (m && m[1] === project) refs.add(m[2]);
    }
    const picked = pickVersion(version, [...refs]);
    if (picked === undefined) return { ok: true, ref: version };
    return { ok: true, ref: picked, ...(isReleaseVersion(picked) ? { version: picked } : {}) };
  }
}

/** One spelling per file: no leading slashes, `@HEAD` = no ref, `:/` before a project file's path. */
function normaliseKey(key: string): string {
  const m = /^project:([^@:]+)(?:@([^:]+))?:\/*(.*)$/.exec(key);
  if (m) return `project:${m[1]}${m[2] && m[2] !== 'HEAD' ? `@${m[2]}` : ''}:/${m[3]}`;
  if (/^(remote|template):/.test(key)) return key;
  return key.replace(/^\/+/, '');
}
