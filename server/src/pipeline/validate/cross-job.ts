/**
 * GitLab's checks across jobs (Gitlab::Ci::YamlProcessor#validate_job!): the stage exists, needs
 * and dependencies name jobs of this or earlier stages, dependencies are part of needs, on_stop
 * names a job that stops the environment; matrix instance count; at least one visible job.
 */
import { changedKeys, perNode } from '../merge/incremental.js';
import type { StageMemory } from '../merge/incremental.js';
import type { JobView } from '../merge/jobs.js';
import { baseJobName, validateMatrix } from '../merge/matrix.js';
import type { MapNode, Node, PipelineDiagnostic, Span } from '../model.js';
import { isMap, isSeq, str } from './values.js';

function needName(n: Node): { name: string; optional: boolean; span?: Span } | undefined {
  if (n.kind === 'scalar') return { name: String(n.value ?? ''), optional: false, span: n.span };
  if (n.kind === 'map') {
    const job = n.entries.get('job');
    if (job?.kind !== 'scalar') return undefined;
    if (n.entries.has('project') || n.entries.has('pipeline')) return undefined; // cross-project / cross-pipeline
    const optional = n.entries.get('optional');
    return { name: String(job.value ?? ''), optional: optional?.kind === 'scalar' && optional.value === true, span: job.span };
  }
  return undefined;
}

/**
 * A job's findings of an earlier expansion: reused while its merged node, its name and key, and
 * what it reads of the other jobs (the `epoch`: the same stages, and each real job's name, stage
 * and environment action) are the same.
 */
const perJob = perNode<MapNode, { epoch: object; name: string; keySpan: Span; found: PipelineDiagnostic[] }>();

/** What one job's findings read of another: its name, stage and environment action. */
function readByOthers(j: JobView): string {
  const env = j.node.entries.get('environment');
  return `${j.name}\u0001${str(j.node.entries.get('stage')) ?? ''}\u0001${env ? (isMap(env) ? str(env.entries.get('action')) ?? '-' : '-') : ''}`;
}

interface LastRun {
  jobs: Map<string, JobView>;
  stages: string;
  /** `readByOthers` of every real job. */
  parts: Map<string, string>;
  epoch: object;
  /** Each real job's findings. */
  found: Map<string, PipelineDiagnostic[]>;
}

/**
 * This run's epoch — the last run's while stages and what jobs read of each other are the same —
 * and, after an edit (the same jobs, a few changed), which jobs changed since the last run.
 */
function epochOf(jobs: Map<string, JobView>, realJob: (name: string) => JobView | undefined, stages: string[], last: LastRun | undefined): { epoch: object; parts: Map<string, string>; changed?: Set<string> } {
  const stagesText = stages.join('\n');
  const changed = last && last.stages === stagesText ? changedKeys(last.jobs, jobs) : undefined;
  if (last && changed && [...changed].every((k) => !realJob(k) || last.parts.get(k) === readByOthers(realJob(k)!))) return { epoch: last.epoch, parts: last.parts, changed };
  const parts = new Map<string, string>();
  jobs.forEach((j, name) => !j.hidden && parts.set(name, readByOthers(j)));
  const same = last && last.stages === stagesText && last.parts.size === parts.size && [...parts].every(([k, v]) => last.parts.get(k) === v);
  return { epoch: same ? last.epoch : {}, parts };
}

/** The cross-job checks; `where(name)` is where the job's name is written. */
export function validateAcrossJobs(doc: MapNode, jobs: Map<string, JobView>, stages: string[], where: (key: string) => Span, memory?: StageMemory): PipelineDiagnostic[] {
  const out: PipelineDiagnostic[] = [];
  const realJob = (name: string): JobView | undefined => {
    const j = jobs.get(name);
    return j && !j.hidden ? j : undefined;
  };
  const stageOf = (j: JobView) => stages.indexOf(str(j.node.entries.get('stage')) ?? 'test');
  const last = memory?.crossJob as LastRun | undefined;
  const { epoch, parts, changed } = epochOf(jobs, realJob, stages, last);
  // After an edit with the same epoch, the jobs it did not change keep the last run's findings (updated in place).
  const reuse = changed && epoch === last!.epoch ? last!.found : undefined;
  const found = reuse ?? new Map<string, PipelineDiagnostic[]>();
  let visible = 0;
  jobs.forEach((job, name) => {
    if (job.hidden) return;
    visible++;
    let f = reuse && !changed!.has(name) ? reuse.get(name) : undefined;
    if (!f) {
      const keySpan = where(name);
      const earlier = perJob.get(job.node);
      if (earlier && earlier.epoch === epoch && earlier.name === name && earlier.keySpan === keySpan) f = earlier.found;
      else {
        const from = out.length;
        checkJob(job);
        f = out.splice(from);
        perJob.set(job.node, { epoch, name, keySpan, found: f });
      }
      found.set(name, f);
    }
    for (let i = 0; i < f.length; i++) out.push(f[i]);
  });
  if (memory) memory.crossJob = { jobs, stages: stages.join('\n'), parts, epoch, found } satisfies LastRun;
  if (visible === 0) {
    out.push({ severity: 'error', code: 'no-visible-job', message: 'jobs config should contain at least one visible job', span: doc.span ?? where('') });
  }
  return out;

  function checkJob(job: JobView): void {
    const n = job.node;
    const stage = n.entries.get('stage');
    const stageName = stage?.kind === 'scalar' ? String(stage.value) : undefined;
    if (stageName !== undefined && !stages.includes(stageName)) {
      out.push({
        severity: 'error', code: 'stage-unknown',
        message: `${job.name} job: chosen stage ${stageName} does not exist; available stages are ${stages.join(', ')}`,
        span: stage?.span ?? where(job.name), data: { stage: stageName, stages },
      });
    }
    out.push(...validateMatrix(job.name, n, where(job.name)));
    const needsNode = n.entries.get('needs');
    const needs = (isSeq(needsNode) ? needsNode.items : []).map(needName).filter((x) => x !== undefined);
    for (const rule of isSeq(n.entries.get('rules')) ? (n.entries.get('rules') as { items: Node[] }).items : []) {
      const rn = isMap(rule) ? rule.entries.get('needs') : undefined;
      if (isSeq(rn)) needs.push(...rn.items.map(needName).filter((x) => x !== undefined));
    }
    for (const need of needs) {
      if (need.name === job.name) {
        out.push({ severity: 'error', code: 'needs-cycle', message: `The pipeline has circular dependencies: self-dependency: ${job.name}`, span: need.span ?? where(job.name) });
        continue;
      }
      if (need.optional) continue;
      const target = realJob(need.name) ?? realJob(baseJobName(need.name));
      if (!target) {
        out.push({ severity: 'error', code: 'needs-unknown', message: `${job.name} job: undefined need: ${need.name}`, span: need.span ?? where(job.name), data: { name: need.name } });
      } else if (stageOf(target) > stageOf(job)) {
        out.push({ severity: 'error', code: 'needs-later-stage', message: `${job.name} job: need ${need.name} is not defined in current or prior stages`, span: need.span ?? where(job.name), data: { name: need.name } });
      }
    }
    const deps = n.entries.get('dependencies');
    if (isSeq(deps)) {
      const needed = isSeq(needsNode) ? new Set(needs.flatMap((x) => [x.name, baseJobName(x.name)])) : undefined;
      for (const d of deps.items) {
        const name = d.kind === 'scalar' ? String(d.value ?? '') : '';
        // A `parallel:matrix` instance (`build: [linux]`) is a job once GitLab expands the matrix.
        const target = realJob(name) ?? realJob(baseJobName(name));
        if (!target) out.push({ severity: 'error', code: 'dependencies-unknown', message: `${job.name} job: undefined dependency: ${name}`, span: d.span ?? where(job.name), data: { name } });
        else if (needed && !needed.has(name) && !needed.has(baseJobName(name))) out.push({ severity: 'error', code: 'dependencies-not-needed', message: `jobs:${job.name} dependencies the ${name} should be part of needs`, span: d.span ?? where(job.name), data: { name } });
        else if (!needed && stageOf(target) >= stageOf(job)) out.push({ severity: 'error', code: 'dependencies-later-stage', message: `${job.name} job: dependency ${name} is not defined in current or prior stages`, span: d.span ?? where(job.name), data: { name } });
      }
    }
    const env = n.entries.get('environment');
    const onStop = isMap(env) ? env.entries.get('on_stop') : undefined;
    const stopName = str(onStop);
    if (stopName !== undefined && !stopName.includes('$')) {
      const stopJob = realJob(stopName);
      const stopEnv = stopJob?.node.entries.get('environment');
      const msg = !stopJob ? `on_stop job ${stopName} is not defined`
        : !stopEnv ? `on_stop job ${stopName} does not have environment defined`
        : !(isMap(stopEnv) && str(stopEnv.entries.get('action')) === 'stop') ? `on_stop job ${stopName} needs to have action stop defined` : undefined;
      if (msg) out.push({ severity: 'error', code: 'on-stop-invalid', message: `${job.name} job: ${msg}`, span: onStop!.span ?? where(job.name), data: { name: stopName } });
    }
  }
}
