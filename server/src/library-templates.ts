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

/** Listings are kept a few seconds: an analysis runs on every edit, a library's files change rarely. */
const LISTING_TTL_MS = 5_000;
const listings = new Map<string, { at: number; files: string[] }>();
const keys = new Map<string, { mtimeMs: number; size: number; keys: Set<string> }>();

/** The preset-file candidates of a folder: YAML, not a root pipeline, at most LIMITS.read of them. */
function yamlFiles(folder: string): string[] {
  const hit = listings.get(folder);
  if (hit && Date.now() - hit.at < LISTING_TTL_MS) return hit.files;
  // A root pipeline (`.gitlab-ci.yml`, `x.gitlab-ci.yml`) is the library's own CI, not a preset consumers include.
  const files = listFilesRecursive(folder, LIMITS.files)
    .filter((rel) => /\.ya?ml$/i.test(rel) && !/(?:^|\/|\.)\.?gitlab-ci\.ya?ml$/i.test(rel))
    .slice(0, LIMITS.read);
  listings.set(folder, { at: Date.now(), files });
  return files;
}

const HIDDEN_KEY = /^(\.[^\s:#'"]+)[ \t]*:/gm;

/** The hidden jobs a text writes as top-level keys. */
function hiddenKeys(text: string): Set<string> {
  return new Set([...text.matchAll(HIDDEN_KEY)].map((m) => m[1]));
}

/** The hidden keys of a file on disk, read again only when its size or time changed; undefined when too large or unreadable. */
function diskKeys(abs: string): Set<string> | undefined {
  try {
    const st = statSync(abs);
    if (st.size > LIMITS.bytes) return undefined;
    const hit = keys.get(abs);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.keys;
    if (keys.size > 4 * LIMITS.read) keys.clear();
    const found = hiddenKeys(readFileSync(abs, 'utf8'));
    keys.set(abs, { mtimeMs: st.mtimeMs, size: st.size, keys: found });
    return found;
  } catch {
    return undefined;
  }
}

/**
 * The YAML files of `folder` (paths relative to it, not `except`) that write one of the hidden jobs
 * `names` as a top-level key; `openText` gives an editor's unsaved text of a path.
 */
export function filesDefining(folder: string, names: readonly string[], except: string, openText: (rel: string) => string | undefined): string[] {
  if (!names.length) return [];
  const out: string[] = [];
  for (const rel of yamlFiles(folder)) {
    if (rel === except) continue;
    const open = openText(rel);
    const defined = open !== undefined ? hiddenKeys(open) : diskKeys(join(folder, rel));
    if (defined && names.some((n) => defined.has(n))) out.push(rel);
  }
  return out;
}
