/**
 * The impact of a library change on its consumers: each consumer's pipeline expanded twice —
 * with the library as it was at the base ref and as it is in the working tree — and diffed
 * (pipeline/diff/). Spans become locations (file, line, column) so the CLI, a merge-request note
 * and the editor's view can name the library line behind every new value.
 */
import { diffPipelines, isEmptyDiff } from '../pipeline/diff/index.js';
import type { PipelineDiff } from '../pipeline/diff/index.js';
import { expandPipeline } from '../pipeline/merge/expand.js';
import type { ParseCache } from '../pipeline/includes/includes.js';
import type { Span } from '../pipeline/model.js';
import { simulatedVariables } from '../pipeline/rules/simulated-context.js';
import type { SourceProvider } from '../pipeline/sources.js';
import { LineIndex } from '../pipeline/yaml/positions.js';
import { LibraryOverlay } from './library-overlay.js';
import { ImpactResultCache, ReadRecorder } from './result-cache.js';

export interface ConsumerInput {
  /** How reports name it: a folder relative to the working directory, or a project path. */
  name: string;
  /** The consumer's own files (its root project) and whatever else it includes. */
  sources: SourceProvider;
  /** Its project path, for the simulated predefined variables. */
  projectPath?: string;
  /** Its CI file (default `.gitlab-ci.yml`). */
  rootPath?: string;
}

export interface ImpactOptions {
  /** The library's project path, as consumers include it. */
  project: string;
  /** The base ref, as given (for the report). */
  baseRef: string;
  base: SourceProvider;
  head: SourceProvider;
  consumers: ConsumerInput[];
  knownVariables?: readonly string[];
  /** How a file URI is shown (default: the URI). */
  displayFile?: (uri: string) => string;
  /** Parallel expansions (default 4). */
  concurrency?: number;
  /** A cache folder: results are kept there and reused while every file they read is unchanged (result-cache.ts). */
  resultCacheDir?: string;
}

/** A span as a reader wants it: 1-based line and column, the file shown as the caller chose. */
export interface Location {
  uri: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** The diff with every span turned into a location. */
export type Located<T> = T extends Span ? Location : T extends (infer U)[] ? Located<U>[] : T extends object ? { [K in keyof T]: Located<T[K]> } : T;

export interface ImpactSummary {
  /** Jobs added, removed or changed. */
  jobsChanged: number;
  /** Job verdicts and pipeline creations that differ in a simulated pipeline. */
  runsDifferently: number;
  newErrors: number;
  newMissingVariables: number;
}

export interface ConsumerImpact {
  name: string;
  summary: ImpactSummary;
  diff: Located<PipelineDiff>;
}

export interface ImpactReport {
  project: string;
  base: string;
  /** Consumers whose pipeline changes; unchanged ones only counted. */
  consumers: ConsumerImpact[];
  unchanged: string[];
  /** True when a consumer gains an error or a missing required variable (the CI gate). */
  failing: boolean;
}

export async function computeImpact(o: ImpactOptions): Promise<ImpactReport> {
  const baseCache: ParseCache = new Map();
  const headCache: ParseCache = new Map();
  const displayFile = o.displayFile ?? ((u: string) => u);
  const cache = o.resultCacheDir ? new ImpactResultCache<{ impact: ConsumerImpact | null }>(o.resultCacheDir) : undefined;
  /** Per consumer: its impact, or null when its pipeline does not change. */
  const results: (ConsumerImpact | null)[] = new Array(o.consumers.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < o.consumers.length) {
      const i = next++;
      const c = o.consumers[i];
      const base = new LibraryOverlay(c.sources, o.project, o.base);
      const head = new LibraryOverlay(c.sources, o.project, o.head);
      const key = [c.name, c.rootPath ?? null, c.projectPath ?? null, o.project, o.knownVariables ?? []];
      const hit = await cache?.get(key, base, head);
      if (hit) {
        results[i] = hit.result.impact && relabel(hit.result.impact, displayFile);
        continue;
      }
      const variables = simulatedVariables({ projectPath: c.projectPath });
      const recorders = [new ReadRecorder(base), new ReadRecorder(head)] as const;
      const [before, after] = await Promise.all([
        expandPipeline({ sources: recorders[0], variables, parseCache: baseCache, rootPath: c.rootPath }),
        expandPipeline({ sources: recorders[1], variables, parseCache: headCache, rootPath: c.rootPath }),
      ]);
      const diff = diffPipelines(before, after, { knownVariables: o.knownVariables });
      let impact: ConsumerImpact | null = null;
      if (!isEmptyDiff(diff)) {
        const texts = new Map<string, string>();
        for (const f of [...before.files, ...after.files]) texts.set(f.uri, f.parsed.text);
        impact = { name: c.name, summary: summarise(diff), diff: locate(diff, texts, displayFile) };
      }
      results[i] = impact;
      cache?.set(key, recorders[0], recorders[1], { impact });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency ?? 4, o.consumers.length)) }, worker));
  const consumers = results.filter((r): r is ConsumerImpact => r !== null);
  const unchanged = o.consumers.filter((_, i) => results[i] === null).map((c) => c.name);
  const failing = consumers.some((c) => c.summary.newErrors > 0 || c.summary.newMissingVariables > 0);
  return { project: o.project, base: o.baseRef, consumers, unchanged, failing };
}

/** A stored result with its files named as this run names them. */
function relabel<T>(value: T, displayFile: (uri: string) => string): T {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const o = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      if (typeof o.uri === 'string' && typeof o.file === 'string' && typeof o.line === 'number') o.file = displayFile(o.uri);
      return o;
    }
    return v;
  };
  return walk(value) as T;
}

export function summarise(d: PipelineDiff): ImpactSummary {
  return {
    jobsChanged: d.added.length + d.removed.length + d.changed.length,
    runsDifferently: d.runs.length + d.pipelines.length,
    newErrors: d.errors.added.length,
    newMissingVariables: d.missingVariables.added.length,
  };
}

function isSpan(v: unknown): v is Span {
  const o = v as Span;
  return !!o && typeof o === 'object' && typeof o.uri === 'string' && typeof o.start === 'number' && typeof o.end === 'number';
}

/** A copy of `value` with every span replaced by its location in `texts`. */
export function locate<T>(value: T, texts: Map<string, string>, displayFile: (uri: string) => string): Located<T> {
  const indexes = new Map<string, LineIndex>();
  const at = (s: Span): Location => {
    let index = indexes.get(s.uri);
    if (!index) indexes.set(s.uri, (index = new LineIndex(texts.get(s.uri) ?? '')));
    const a = index.position(s.start);
    const b = index.position(Math.max(s.start, s.end));
    return { uri: s.uri, file: displayFile(s.uri), line: a.line + 1, column: a.character + 1, endLine: b.line + 1, endColumn: b.character + 1 };
  };
  const walk = (v: unknown): unknown => {
    if (isSpan(v)) return at(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as Located<T>;
}
