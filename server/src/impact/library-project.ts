/**
 * Which project a library folder is, for its consumers: what `check LIBRARY --consumer DIR` and
 * `impact` serve from the folder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseIncludeEntries } from '../pipeline/includes/include-entries.js';
import { parseYaml } from '../pipeline/yaml/parse.js';
import { folderProject } from '../sources/settings-variables.js';
import type { Settings } from '../workspace.js';

/**
 * `check LIBRARY --consumer DIR` without a `--project` for the library: the project the library's
 * git remote names, else the one project the consumers include (and no option maps) whose every
 * included file the library holds. Undefined when that is not clear.
 */
export function servedByLibrary(library: string, consumers: string[], settings: Pick<Settings, 'localProjects' | 'gitlabUrl'>): string | undefined {
  const mapped = new Set(Object.keys(settings.localProjects).map((k) => k.split('@')[0]));
  const remote = folderProject(library, settings.gitlabUrl)?.project;
  if (remote) return mapped.has(remote) ? undefined : remote;
  const files = new Map<string, string[]>();
  for (const c of consumers) {
    const parsed = parseYaml('check:', readFileSync(resolve(c, '.gitlab-ci.yml'), 'utf8'));
    const include = parsed.content.kind === 'map' ? parsed.content.entries.get('include') : undefined;
    if (!include) continue;
    for (const e of parseIncludeEntries(include, () => undefined)) {
      if (e.kind !== 'project' || e.location.includes('$') || mapped.has(e.location)) continue;
      files.set(e.location, [...(files.get(e.location) ?? []), ...e.files]);
    }
  }
  const fits = [...files].filter(([, fs]) => fs.length > 0 && fs.every((f) => existsSync(resolve(library, f.replace(/^\/+/, '')))));
  return fits.length === 1 ? fits[0][0] : undefined;
}
