/** Shared set-up of the source tests: the stand-in serving the example library, temp folders, expansion. */
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { expandPipeline } from '../../server/src/pipeline/merge/expand.js';
import type { ExpandedPipeline } from '../../server/src/pipeline/merge/expand.js';
import { renderPipeline } from '../../server/src/pipeline/merge/output.js';
import type { SourceProvider } from '../../server/src/pipeline/sources.js';
import { simulatedVariables } from '../../server/src/pipeline/rules/simulated-context.js';
import { SourceSession } from '../../server/src/sources/source-session.js';
import type { SessionOptions, SourceSettings } from '../../server/src/sources/source-session.js';
import { GitLabStandIn } from '../support/gitlab-stand-in.js';

export const repo = resolve(__dirname, '..', '..');
export const LIBRARY_DIR = join(repo, 'examples', 'ci-library');
export const SERVICE_DIR = join(repo, 'examples', 'service-repo');
export const LIBRARY = 'acme/ci-library';
/** Looks like a GitLab personal access token; tests grep for it wherever it must not be. */
export const TOKEN = 'glpat-StandInToken-0123456789';

/** A stand-in serving examples/ci-library as acme/ci-library (private) with tags v1.0.0, v1.2.0, v1.3.0. */
export async function libraryStandIn(): Promise<GitLabStandIn> {
  const s = await GitLabStandIn.start({ tokens: [TOKEN] });
  s.addProject({ path: LIBRARY, dir: LIBRARY_DIR, tags: ['v1.0.0', 'v1.2.0', 'v1.3.0'] });
  return s;
}

export function tempDir(prefix = 'gcp-src-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A folder with the given files (`.gitlab-ci.yml` and friends). */
export function folderWith(files: Record<string, string>): string {
  const dir = tempDir('gcp-root-');
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

/** A session wired to the stand-in as the server wires it (token by host, cache in a temp folder). */
export function session(standIn: GitLabStandIn, opts: SessionOptions & { token?: string | null } = {}): SourceSession {
  const s = new SourceSession({ failureTtlMs: 0, ...opts });
  if (opts.token !== null) s.tokens.replace({ [standIn.host]: opts.token ?? TOKEN });
  return s;
}

export function sourcesOf(s: SourceSession, folder: string, settings: SourceSettings, extra: { folders?: string[]; overlay?: (abs: string) => string | undefined } = {}) {
  return s.sourcesFor({ folder, folders: extra.folders ?? [folder], settings, overlay: extra.overlay });
}

export async function expand(sources: SourceProvider): Promise<{ pipeline: ExpandedPipeline; plain: Record<string, any> }> {
  const pipeline = await expandPipeline({ sources, variables: simulatedVariables() });
  return { pipeline, plain: renderPipeline(pipeline, { full: true }) as Record<string, any> };
}

export function messages(p: ExpandedPipeline, code: string): string[] {
  return p.diagnostics.filter((d) => d.code === code).map((d) => d.message);
}

/** Every file under `dir` with its text (for "the token is nowhere on disk"). */
export function allFiles(dir: string): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ path: p, text: readFileSync(p, 'utf8') });
    }
  };
  walk(dir);
  return out;
}

/** An include of the library at `ref` (undefined = no `ref:`). */
export function includeLibrary(ref: string | undefined, files: string[], extra = ''): string {
  return `include:\n  - project: ${LIBRARY}\n${ref ? `    ref: ${ref}\n` : ''}    file: [${files.join(', ')}]\n${extra}`;
}

/** Make every ref resolution and tag list in a cache folder look `ms` older (time passing, without waiting). */
export function ageCache(dir: string, ms: number): void {
  for (const f of allFiles(dir)) {
    if (!/[/\\]refs[/\\][^/\\]+\.json$|[/\\]tags\.json$/.test(f.path)) continue;
    const j = JSON.parse(f.text);
    if (typeof j.resolvedAt === 'number') j.resolvedAt -= ms;
    if (typeof j.fetchedAt === 'number') j.fetchedAt -= ms;
    writeFileSync(f.path, JSON.stringify(j));
  }
}

/** A cache filled once from `api` for `root`, then aged past the maximum age: every use asks the API again. */
export async function warmAgedCache(api: GitLabStandIn, root: string): Promise<string> {
  const dir = tempDir('gcp-warm-');
  const r = await expand(sourcesOf(session(api), root, { gitlabUrl: api.url, cacheDir: dir }));
  if (!r.pipeline.valid) throw new Error(`the warm-up expansion failed: ${JSON.stringify(r.pipeline.diagnostics)}`);
  ageCache(dir, 3_600_000);
  return dir;
}
