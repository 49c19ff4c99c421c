/**
 * A preset file checked on its own, in a library whose preset files do not include each other
 * (consumers include them all: `common/base.yml` + `lib/f000.yml`), extends and references templates
 * the library defines in its other files. This finds those files, so the file is expanded with
 * them beneath it (`contextFiles` of the engine) and `.base` resolves — diagnostics, definition and
 * hover — as it does in a consumer's pipeline. A name no file of the library defines stays unknown
 * (information for a file on its own: the consumer must provide it).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ExpandedPipeline } from './pipeline/merge/expand.js';
import { listFilesRecursive } from './sources/directory-sources.js';

/** Files listed and YAML files read per lookup, and the largest file read. */
const LIMITS = { files: 20_000, read: 2_000, bytes: 1024 * 1024 };

/** The hidden jobs `extends:` or `!reference` name that the pipeline does not define. */
export function unknownTemplates(pipeline: ExpandedPipeline): string[] {
  const names = new Set<string>();
  for (const d of pipeline.diagnostics) {
    const data = d.data as { name?: unknown; path?: unknown } | undefined;
    if (d.code === 'extends-unknown' && typeof data?.name === 'string') names.add(data.name);
    if (d.code === 'reference-unknown' && Array.isArray(data?.path) && typeof data.path[0] === 'string') names.add(data.path[0]);
  }
  return [...names].filter((n) => n.startsWith('.'));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The YAML files of `folder` (paths relative to it, not `except`) that write one of the hidden jobs
 * `names` as a top-level key; `openText` gives an editor's unsaved text of a path.
 */
export function filesDefining(folder: string, names: readonly string[], except: string, openText: (rel: string) => string | undefined): string[] {
  if (!names.length) return [];
  const key = new RegExp(`^(?:${names.map(escape).join('|')})[ \\t]*:`, 'm');
  const out: string[] = [];
  let read = 0;
  for (const rel of listFilesRecursive(folder, LIMITS.files)) {
    // A root pipeline (`.gitlab-ci.yml`, `x.gitlab-ci.yml`) is the library's own CI, not a preset consumers include.
    if (rel === except || !/\.ya?ml$/i.test(rel) || /(?:^|\/|\.)\.?gitlab-ci\.ya?ml$/i.test(rel)) continue;
    if (read++ >= LIMITS.read) break;
    let text = openText(rel);
    if (text === undefined) {
      try {
        const abs = join(folder, rel);
        if (statSync(abs).size > LIMITS.bytes) continue;
        text = readFileSync(abs, 'utf8');
      } catch {
        continue;
      }
    }
    if (key.test(text)) out.push(rel);
  }
  return out;
}
