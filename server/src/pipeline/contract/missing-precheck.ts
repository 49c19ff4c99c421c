/**
 * The cheap first look of the missing-variable check (missing-variables.ts): whether a job can
 * miss a variable at all. Most jobs of a big pipeline set what their presets need, and for them the
 * full check — every read as a fact, with its place, owner and provenance, folded per name — finds
 * nothing; this look reads names only and answers for those jobs.
 *
 * It is a superset of what the fold (`standing` in contract-facts.ts) can call required and
 * unsatisfied: a name is required only through a read that is neither a condition nor has a
 * default (a plain or braced read, `${X?}`, a vars-check job's echo), or through a doc comment
 * `@required` of the job's extends lineage, or through such a read in the value of a variable the
 * job sees (`withTransitiveReads`) — and only while the job's scope does not define it. Every one
 * of those names defined: nothing can be missing. The look keeps reads the fold drops (the job's
 * own, not the library's; those its shell assigns first), so it errs only towards the full check.
 */
import type { ExpandedPipeline } from '../merge/expand.js';
import type { JobView } from '../merge/jobs.js';
import { jobReadNames, valueReadNames } from '../variables/variable-reads.js';
import type { TextOf } from '../variables/variable-reads.js';
import { extendsLineage, jobDocComments } from './contract-facts.js';
import type { ContractScope } from './contract-facts.js';

/** How many jobs the look answered (tests check it is taken). */
export const quickLook = { answered: 0 };

/** False when `job` (seen through `scope`) cannot miss a variable; true when the full check must look. */
export function mayMissVariables(pipeline: ExpandedPipeline, job: JobView, scope: ContractScope, textOf: TextOf): boolean {
  const name = job.name;
  const undefinedIn = (names: Iterable<string>): boolean => {
    for (const n of names) if (!scope.defined(n, name)) return true;
    return false;
  };
  const { all, unguarded } = jobReadNames(job, textOf);
  if (undefinedIn(unguarded)) return true;
  for (const template of extendsLineage(pipeline, name)) {
    for (const doc of jobDocComments(pipeline, template)) {
      for (const tag of doc.tags) if (tag.kind === 'required' && !scope.defined(tag.name, name)) return true;
    }
  }
  // Through the values of the variables it reads (the job's own are read with the job already).
  const seen = new Set<string>();
  const queue = [...all];
  while (queue.length) {
    const n = queue.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    const def = scope.defined(n, name);
    if (!def?.node || def.scope === 'predefined' || def.scope === 'known' || (def.scope === 'job' && def.job === name)) continue;
    const through = valueReadNames(def.node, textOf);
    if (undefinedIn(through.unguarded)) return true;
    for (const m of through.all) queue.push(m);
  }
  quickLook.answered++;
  return false;
}
