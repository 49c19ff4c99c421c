/**
 * Pipeline diff: two expansions of one consumer (the library as released, the library as
 * edited) → jobs added, removed and changed (key by key, with the new value's provenance), what
 * runs differently in the simulated pipelines that matter, and new or resolved errors and missing
 * required variables. Pure and deterministic: jobs, keys, entries and findings come sorted.
 */
import type { ExpandedPipeline } from '../merge/expand.js';
import { addedAndResolved, errorsOf, missingOf } from './diagnostics-diff.js';
import { diffRuns, scenarios } from './run-diff.js';
import type { Scenario } from './run-diff.js';
import type { JobChange, JobPresence, PipelineDiff } from './types.js';
import { diffJobKeys } from './value-diff.js';

export type * from './types.js';
export { isEmptyDiff } from './types.js';
export { scenarios } from './run-diff.js';
export type { Scenario } from './run-diff.js';

export interface DiffOptions {
  /** Variables set outside the files (CI/CD settings): never missing. */
  knownVariables?: readonly string[];
  /** The simulated pipelines (default: `scenarios()`). */
  scenarios?: Scenario[];
}

export function diffPipelines(base: ExpandedPipeline, head: ExpandedPipeline, opts: DiffOptions = {}): PipelineDiff {
  const realJobs = (p: ExpandedPipeline) => [...p.jobs.values()].filter((j) => !j.hidden);
  const before = new Map(realJobs(base).map((j) => [j.name, j]));
  const after = new Map(realJobs(head).map((j) => [j.name, j]));
  const names = [...new Set([...before.keys(), ...after.keys()])].sort();
  const added: JobPresence[] = [];
  const removed: JobPresence[] = [];
  const changed: JobChange[] = [];
  const presence = (p: ExpandedPipeline, job: string): JobPresence => {
    const span = p.merged.keySpans.get(job);
    return span ? { job, span } : { job };
  };
  for (const name of names) {
    const a = before.get(name);
    const b = after.get(name);
    if (!a) added.push(presence(head, name));
    else if (!b) removed.push(presence(base, name));
    else {
      const keys = diffJobKeys(a.node, b.node);
      if (keys.length) changed.push({ job: name, keys });
    }
  }
  const { runs, pipelines } = diffRuns(base, head, opts.scenarios ?? scenarios());
  const known = opts.knownVariables ?? [];
  return {
    added,
    removed,
    changed,
    runs,
    pipelines,
    errors: addedAndResolved(errorsOf(base), errorsOf(head), (d) => `${d.code}\u0000${d.message}`),
    missingVariables: addedAndResolved(missingOf(base, known), missingOf(head, known), (m) => m.variable),
  };
}
