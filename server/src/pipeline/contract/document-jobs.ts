/**
 * Which jobs' missing-variable findings can be placed in one document — so that the first
 * analysis of a big pipeline can publish the open document's diagnostics before the contract of
 * every other job is done (thousands of jobs, most of them in other files).
 *
 * A finding is placed (missing-variables.ts `bringer`) at the include entry that brought a library
 * job or a file it reads, or — for a consumer job — at a step of its provenance (an `extends:` or
 * `!reference` written in a consumer file), at its `extends:`, or at its key. A document that
 * holds jobs only (no `include:`, no global keyword, no `spec:` header) holds none of the include
 * entries, and none of the globals or defaults other jobs take in; so a finding lands in it only
 * from a job whose merged value or raw entry holds something written there (a node, a key or a
 * provenance step). Those are the jobs returned: a superset, which is what exactness needs.
 */
import type { ExpandedPipeline } from '../merge/expand.js';
import type { Node, Span } from '../model.js';
import { isConsumerFile } from './consumer-contract.js';

/** The jobs whose findings may be placed in `uri`; undefined when that cannot be told this way (then every job may). */
export function jobsPlacingIn(pipeline: ExpandedPipeline, uri: string): Set<string> | undefined {
  const loads = pipeline.files.filter((f) => f.uri === uri);
  if (!loads.length) return undefined;
  for (const f of loads) {
    if (f.invalid || f.context || f.parsed.header || !isConsumerFile(f) || f.content.kind !== 'map') return undefined;
    for (const key of f.content.entries.keys()) if (!pipeline.jobs.has(key)) return undefined;
  }
  const inDoc = (s: Span | undefined) => s?.uri === uri;
  // Per node: does it hold anything written in the document? Merged jobs share subtrees, so each is looked at once.
  const memo = new Map<Node, boolean>();
  const holds = (n: Node): boolean => {
    const known = memo.get(n);
    if (known !== undefined) return known;
    memo.set(n, false);
    let found = inDoc(n.span) || !!n.via?.some((step) => inDoc(step.span));
    if (!found && n.kind === 'map') {
      for (const ks of n.keySpans.values()) if ((found = inDoc(ks))) break;
      if (!found) for (const v of n.entries.values()) if ((found = holds(v))) break;
    } else if (!found && n.kind === 'seq') {
      for (const item of n.items) if ((found = holds(item))) break;
    }
    memo.set(n, found);
    return found;
  };
  const out = new Set<string>();
  for (const [name, job] of pipeline.jobs) {
    if (job.hidden) continue;
    const raw = pipeline.merged.entries.get(name);
    if (inDoc(pipeline.merged.keySpans.get(name)) || holds(job.node) || (raw && holds(raw))) out.add(name);
  }
  return out;
}
