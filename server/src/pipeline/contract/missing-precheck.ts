/**
 * The cheap first look of the missing-variable check (missing-variables.ts): whether a job can
 * miss a variable at all. Most jobs of a big pipeline set what their presets need, and for them the
 * full check — the job's definitions gathered, every read as a fact with its place, owner and
 * provenance, folded per name — finds nothing; this look reads names only and answers for them.
 *
 * It is a superset of what the fold (`standing` in contract-facts.ts) can call required and
 * unsatisfied: a name is required only through a read that is neither a condition nor has a
 * default (a plain or braced read, `${X?}`, a vars-check job's echo), or through a doc comment
 * `@required` of the job's extends lineage, or through such a read in the value of a variable the
 * job sees (`withTransitiveReads`) — and only while the job's scope does not define it. Every one
 * of those names defined: nothing can be missing. "Defined" here is narrower than the full
 * scope's — always-known names, the merged job's own `variables:` (its lineage's, merged; their
 * values are read with the job already) and the global `variables:` it inherits; a name only
 * `parallel:matrix` or `rules:variables` set goes to the full check — and the look keeps reads the
 * fold drops (the job's own, not the library's; those its shell assigns first): it errs only
 * towards the full check.
 */
import type { ExpandedPipeline } from '../merge/expand.js';
import type { JobView } from '../merge/jobs.js';
import type { VariableDefinition } from '../variables/variable-definitions.js';
import { jobReadNames, valueReadNames } from '../variables/variable-reads.js';
import { extendsLineage, jobDocComments } from './contract-facts.js';

/** How many jobs the look answered (tests check it is taken). */
export const quickLook = { answered: 0 };

/** What the look knows of the pipeline's definitions. */
export interface QuickScope {
  /** Names every job has (predefined, settings, dotenv, ...). */
  always(name: string): unknown;
  /** Whether the job takes the global definition of `name` (`inherit: variables`). */
  inherits(name: string): boolean;
  /** The global `variables:` of the pipeline, winner first. */
  globals: ReadonlyMap<string, readonly VariableDefinition[]>;
}

/** False when `job` cannot miss a variable; true when the full check must look. */
export function mayMissVariables(pipeline: ExpandedPipeline, job: JobView, scope: QuickScope): boolean {
  const vars = job.node.entries.get('variables');
  const own = (n: string) => vars?.kind === 'map' && vars.entries.has(n);
  const global = (n: string) => (scope.inherits(n) ? scope.globals.get(n)?.[0] : undefined);
  const defined = (n: string) => !!scope.always(n) || own(n) || !!global(n);
  const undefinedIn = (names: Iterable<string>): boolean => {
    for (const n of names) if (!defined(n)) return true;
    return false;
  };
  const { all, unguarded } = jobReadNames(job);
  if (undefinedIn(unguarded)) return true;
  for (const template of extendsLineage(pipeline, job.name)) {
    for (const doc of jobDocComments(pipeline, template)) {
      for (const tag of doc.tags) if (tag.kind === 'required' && !defined(tag.name)) return true;
    }
  }
  // Through the values of the global variables it reads (its own are read with the job already).
  const seen = new Set<string>();
  const queue = [...all];
  while (queue.length) {
    const n = queue.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    if (scope.always(n) || own(n)) continue;
    const def = global(n);
    if (!def?.node) continue;
    const through = valueReadNames(def.node);
    if (undefinedIn(through.unguarded)) return true;
    for (const m of through.all) queue.push(m);
  }
  quickLook.answered++;
  return false;
}
