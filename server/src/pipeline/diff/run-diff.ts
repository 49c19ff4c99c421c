/**
 * What runs differently: both sides through the rules engine the preview uses, in the simulated
 * pipelines a library change matters for — a push to the default branch, a `v*` release tag and
 * a merge request. A job present on both sides is reported when it runs on one side only, or
 * with another `when:` or `allow_failure:`; a scenario whose pipeline is created on one side only
 * is reported once, not per job.
 */
import type { ExpandedPipeline } from '../merge/expand.js';
import { evaluateRules } from '../rules/rules.js';
import type { JobVerdict, RulesResult } from '../rules/rules.js';
import type { SimulatedContext } from '../rules/simulated-context.js';
import type { PipelineCreation, RunChange, RunState, ScenarioName } from './types.js';

export interface Scenario {
  name: ScenarioName;
  context: SimulatedContext;
}

/** The scenarios; `defaultBranch` and `tag` name the simulated refs (`main`, `v1.0.0` by default). */
export function scenarios(o: { defaultBranch?: string; tag?: string; projectPath?: string } = {}): Scenario[] {
  const defaultBranch = o.defaultBranch ?? 'main';
  const common = { defaultBranch, projectPath: o.projectPath };
  return [
    { name: 'default-branch', context: { ...common, branch: defaultBranch, source: 'push' } },
    { name: 'tag', context: { ...common, tag: o.tag ?? 'v1.0.0', source: 'push' } },
    { name: 'merge-request', context: { ...common, branch: 'feature', source: 'merge_request_event' } },
  ];
}

function created(r: RulesResult): boolean {
  return r.workflow.created && !r.pipelineError;
}

function state(v: JobVerdict | undefined, pipelineCreated: boolean): RunState {
  if (!v || !pipelineCreated) return { runs: false, when: 'never', allowFailure: false };
  return { runs: v.included, when: v.included ? v.when : 'never', allowFailure: v.included ? v.allowFailure : false };
}

export function diffRuns(base: ExpandedPipeline, head: ExpandedPipeline, list: Scenario[]): { runs: RunChange[]; pipelines: PipelineCreation[] } {
  const runs: RunChange[] = [];
  const pipelines: PipelineCreation[] = [];
  for (const s of list) {
    // Changed files are unknown to a simulation: `changes:` is assumed true, as in the preview.
    const a = evaluateRules(base, { context: s.context, changedPaths: 'unknown' });
    const b = evaluateRules(head, { context: s.context, changedPaths: 'unknown' });
    const ca = created(a);
    const cb = created(b);
    if (ca !== cb) {
      // The reason of the side that has no pipeline.
      const none = cb ? a : b;
      pipelines.push({ scenario: s.name, before: ca, after: cb, reason: none.pipelineError?.message ?? none.workflow.decidedBy.text });
      continue;
    }
    if (!cb) continue;
    for (const [name, vb] of b.jobs) {
      const va = a.jobs.get(name);
      if (!va) continue;
      const before = state(va, ca);
      const after = state(vb, cb);
      if (before.runs === after.runs && (!after.runs || (before.when === after.when && before.allowFailure === after.allowFailure))) continue;
      const change: RunChange = { scenario: s.name, job: name, before, after, decidedBy: vb.decidedBy.text };
      if (vb.decidedBy.span) change.span = vb.decidedBy.span;
      runs.push(change);
    }
  }
  const order = new Map(list.map((s, i) => [s.name, i]));
  runs.sort((x, y) => x.job.localeCompare(y.job) || order.get(x.scenario)! - order.get(y.scenario)!);
  return { runs, pipelines };
}
