/**
 * GitLab's checks across jobs (Gitlab::Ci::YamlProcessor#validate_job!): the stage exists, needs
 * and dependencies name jobs of this or earlier stages, dependencies are part of needs, on_stop
 * names a job that stops the environment; matrix instance count; at least one visible job.
 */
import { changedKeys, perNode } from '../merge/incremental.js';
import type { StageMemory } from '../merge/incremental.js';
import type { JobView } from '../merge/jobs.js';
import { expandMatrix, generatesNoJobs, holdsMatrixExpression, interpolateMatrix, parallelInstanceNames, validateMatrix } from '../merge/matrix.js';
import type { MapNode, Node, PipelineDiagnostic, Span } from '../model.js';
import { circularNeeds, reachesItself } from './needs-cycles.js';
import { isMap, isNull, isSeq, needEntries, needName, str } from './values.js';

/** Ci::BuildNeed::MAX_JOB_NAME_LENGTH: a need's name once the Normalizer expanded it. */
const MAX_NEED_NAME = 255;

/**
 * A job's findings of an earlier expansion: reused while its merged node, its name and key, and
 * what it reads of the other jobs (the `epoch`: the same stages, and each real job's name, stage
 * and environment action) are the same.
 */
const perJob = perNode<MapNode, { epoch: object; name: string; keySpan: Span; found: PipelineDiagnostic[] }>();

/** What one job's findings read of another: its name, stage, environment action and the names of its parallel instances. */
function readByOthers(j: JobView): string {
  const env = j.node.entries.get('environment');
  const envText = env ? (isMap(env) ? `${str(env.entries.get('name')) ?? '-'}\u0002${str(env.entries.get('action')) ?? '-'}` : `${str(env) ?? '-'}\u0002-`) : '';
  const parallel = j.node.entries.get('parallel');
  const instances = !parallel ? '' : generatesNoJobs(parallel) ? '\u0003' : parallelInstanceNames(j.name, parallel)?.join('\u0002') ?? '';
  return `${j.name}\u0001${str(j.node.entries.get('stage')) ?? ''}\u0001${envText}\u0001${instances}`;
}

interface LastRun {
  jobs: Map<string, JobView>;
  stages: string;
  /** `readByOthers` of every real job. */
  parts: Map<string, string>;
  epoch: object;
  /** Each real job's findings. */
  found: Map<string, PipelineDiagnostic[]>;
  /** The needs cycle found (null: none). */
  cycle: { names: string[]; span?: Span } | null;
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
  // The jobs GitLab's Normalizer makes of parallel jobs, by instance name (built at the first name that is no job's own).
  let instances: Map<string, JobView> | undefined;
  const instanceJob = (name: string): JobView | undefined => {
    if (!instances) {
      instances = new Map();
      for (const [key, j] of jobs) {
        const parallel = j.hidden ? undefined : j.node.entries.get('parallel');
        for (const i of (parallel && parallelInstanceNames(key, parallel)) ?? []) if (!instances.has(i)) instances.set(i, j);
      }
    }
    return instances.get(name);
  };
  /** The job a `needs:` or `dependencies:` name refers to: a job, or one instance of a parallel job. */
  const targetJob = (name: string): JobView | undefined => realJob(name) ?? instanceJob(name);
  /** The job a name refers to among the jobs GitLab's Normalizer leaves: a parallel job only by its instances' names. */
  const normalizedJob = (name: string): JobView | undefined => {
    const j = realJob(name);
    const parallel = j?.node.entries.get('parallel');
    return j && !(parallel && parallelInstanceNames(name, parallel)) ? j : instanceJob(name);
  };
  const stageOf = (j: JobView) => stages.indexOf(str(j.node.entries.get('stage')) ?? 'test');
  /** A job whose `parallel:matrix` generates no jobs: GitLab's Normalizer leaves nothing of it (matrix.ts). */
  const dropped = (name: string): boolean => generatesNoJobs(realJob(name)?.node.entries.get('parallel'));
  /** The jobs GitLab's YamlProcessor validates and its Dag orders: those the Normalizer leaves. */
  const keptJob = (name: string): JobView | undefined => (dropped(name) ? undefined : realJob(name));
  /**
   * GitLab's validate_job_dependency!: a needed job must sit in a stage that exists, at or before
   * the job's (a job whose own stage does not exist has that error, and GitLab stops there).
   */
  const notEarlier = (t: JobView, job: JobView): boolean => {
    const own = stageOf(job);
    const theirs = stageOf(t);
    return own >= 0 && (theirs < 0 || theirs > own);
  };
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
  // No cycle before and only `changed` jobs' needs differ: a new cycle would run through one of them.
  const noNewCycle = changed && last!.cycle === null && ![...changed].some((name) => keptJob(name) && reachesItself(name, keptJob));
  const cycle = noNewCycle ? undefined : circularNeeds(jobs, keptJob);
  if (memory) memory.crossJob = { jobs, stages: stages.join('\n'), parts, epoch, found, cycle: cycle ?? null } satisfies LastRun;
  if (cycle) out.push({ severity: 'error', code: 'needs-cycle', message: `The pipeline has circular dependencies: topological sort failed: [${cycle.names.map((x) => JSON.stringify(x)).join(', ')}]`, span: cycle.span ?? where(cycle.names[0]) });
  if (visible === 0) {
    out.push({ severity: 'error', code: 'no-visible-job', message: 'jobs config should contain at least one visible job', span: doc.span ?? where('') });
  }
  return out;

  /**
   * GitLab's YamlProcessor: a needs list names a job at most once — the job's own needs as the
   * Normalizer expanded them (`normalized`: a parallel job stands for its instances), rules' as written.
   */
  function duplicatedNeeds(name: string, items: Node[], normalized: boolean): void {
    // Counted by name in order of first appearance (Ruby's group_by).
    const count = new Map<string, number>();
    let at: Span | undefined;
    for (const item of items) {
      const need = needName(item);
      if (!need) continue;
      for (const n of normalized ? normalizedNeed(need.name, item) : [need.name]) {
        const c = (count.get(n) ?? 0) + 1;
        count.set(n, c);
        if (c === 2) at ??= need.span;
      }
    }
    const dup = [...count].filter(([, c]) => c > 1).map(([n]) => n);
    if (dup.length) out.push({ severity: 'error', code: 'needs-duplicated', message: `${name} has the following needs duplicated: ${dup.join(', ')}.`, span: at ?? where(name), data: { names: dup } });
  }

  /** The names a need stands for once GitLab's Normalizer expanded it: a parallel job's instances (those its `parallel:matrix` selects), else itself. */
  function normalizedNeed(name: string, item: Node): string[] {
    const parallel = realJob(name)?.node.entries.get('parallel');
    const all = parallel && parallelInstanceNames(name, parallel);
    if (!all) return [name];
    const selection = isMap(item) ? item.entries.get('parallel') : undefined;
    return selection ? expandMatrix(name, selection)?.instances.map((i) => i.name) ?? [] : all;
  }

  /**
   * A matrix job's `needs:` per instance when they hold `$[[ matrix.NAME ]]` (GitLab's Normalizer
   * interpolates them with the instance's values); a name no instance has is an error of its own.
   */
  function needsPerInstance(job: JobView, needsNode: Node | undefined): Node[][] | undefined {
    if (!holdsMatrixExpression(needsNode)) return undefined;
    const instances = expandMatrix(job.name, job.node.entries.get('parallel'))?.instances;
    if (!instances?.length) return undefined;
    const missing = new Set<string>();
    const lists: Node[][] = [];
    for (const i of instances) {
      const unknown = new Set<string>();
      const needs = interpolateMatrix(needsNode!, i.variables, unknown);
      // GitLab keeps such an instance's needs as written and reports the names: only that is reported here.
      if (unknown.size) unknown.forEach((n) => missing.add(n));
      else lists.push(needEntries(needs));
    }
    for (const name of missing) out.push({ severity: 'error', code: 'needs-invalid', message: `${job.name} job: '${name}' does not exist in matrix configuration`, span: job.node.keySpans.get('needs') ?? where(job.name), data: { name } });
    return lists;
  }

  /**
   * Undefined needs (an optional one may be missing) and needs of later stages; `target` finds the
   * job a name refers to, `expanded` the names GitLab's Normalizer made of a need (instance names
   * are checked against the 255 characters of a need's name).
   */
  function checkNeeds(job: JobView, items: Node[], target: (name: string) => JobView | undefined, expanded?: (name: string, item: Node) => string[]): void {
    for (const item of items) {
      const need = needName(item);
      // A blank name is the Need entry's error (`need job can't be blank`): GitLab stops there.
      if (!need || need.name === '') continue;
      if (need.name === job.name) {
        out.push({ severity: 'error', code: 'needs-cycle', message: `The pipeline has circular dependencies: self-dependency: ${job.name}`, span: need.span ?? where(job.name) });
        continue;
      }
      const t = target(need.name);
      const long = t && expanded?.(need.name, item).find((n) => n.length > MAX_NEED_NAME);
      if (!t) {
        if (!need.optional) out.push({ severity: 'error', code: 'needs-unknown', message: `${job.name} job: undefined need: ${need.name}`, span: need.span ?? where(job.name), data: { name: need.name } });
      } else if (long) {
        out.push({ severity: 'error', code: 'needs-invalid', message: `${job.name} job: need \`${long}\` name is too long (maximum is ${MAX_NEED_NAME} characters)`, span: need.span ?? where(job.name) });
      } else if (notEarlier(t, job)) {
        out.push({ severity: 'error', code: 'needs-later-stage', message: `${job.name} job: need ${need.name} is not defined in current or prior stages`, span: need.span ?? where(job.name), data: { name: need.name } });
      }
    }
  }

  /**
   * A need with `parallel:matrix` on a parallel job waits for the instances that matrix names
   * (GitLab's Normalizer builds their names from it): each must be one of the job's instances.
   */
  function selectedInstances(name: string, items: Node[]): void {
    for (const item of items) {
      const need = needName(item);
      const parallel = isMap(item) ? item.entries.get('parallel') : undefined;
      if (!need || need.optional || !parallel) continue;
      const target = realJob(need.name);
      if (!target?.node.entries.get('parallel')) continue;
      for (const i of expandMatrix(need.name, parallel)?.instances ?? []) {
        if (instanceJob(i.name) === target) continue;
        out.push({ severity: 'error', code: 'needs-unknown', message: `${name} job: undefined need: ${i.name}`, span: i.span ?? need.span ?? where(name), data: { name: i.name } });
      }
    }
  }

  /**
   * `dependencies:`: GitLab's Job entry wants them among the same-pipeline needs (names as written,
   * before parallel jobs become their instances); `resolve` adds YamlProcessor's checks of the jobs
   * they name — none for a job that generates no jobs (the Normalizer drops the name).
   */
  function dependenciesInNeeds(job: JobView, needItems: Node[], resolve = false): void {
    const n = job.node;
    const deps = n.entries.get('dependencies');
    const ownNeeds = needItems.map(needName).filter((x) => x !== undefined);
    const crossNeeds = needItems.filter((x) => isMap(x) && (x.entries.has('project') || x.entries.has('pipeline'))).length;
    if (isSeq(deps) && deps.items.length && !ownNeeds.length && crossNeeds) {
      out.push({ severity: 'error', code: 'dependencies-not-needed', message: `jobs:${job.name} needs corresponding to dependencies must be from the same pipeline`, span: n.keySpans.get('needs') ?? where(job.name) });
      return;
    }
    if (!isSeq(deps)) return;
    const needed = ownNeeds.length ? new Set(ownNeeds.map((x) => x.name)) : undefined;
    for (const d of deps.items) {
      const name = d.kind === 'scalar' ? String(d.value ?? '') : '';
      // A parallel job's instance (`build: [linux]`, `build 1/2`) is a job once GitLab's Normalizer made it.
      const target = targetJob(name);
      const at = { span: d.span ?? where(job.name), data: { name } };
      // The Job entry's check comes first (GitLab checks across jobs only a valid configuration).
      if (needed && !needed.has(name)) out.push({ severity: 'error', code: 'dependencies-not-needed', message: `jobs:${job.name} dependencies the ${name} should be part of needs`, ...at });
      else if (!resolve || (target && dropped(name))) continue;
      else if (!target) out.push({ severity: 'error', code: 'dependencies-unknown', message: `${job.name} job: undefined dependency: ${name}`, ...at });
      else if (notEarlier(target, job)) out.push({ severity: 'error', code: 'dependencies-later-stage', message: `${job.name} job: dependency ${name} is not defined in current or prior stages`, ...at });
    }
  }

  function checkJob(job: JobView): void {
    const n = job.node;
    // YamlProcessor validates the jobs the Normalizer leaves: nothing of a matrix that generates none.
    if (dropped(job.name)) return void dependenciesInNeeds(job, needEntries(n.entries.get('needs')));
    const stage = n.entries.get('stage');
    // A job without `stage:` is in `test` (Entry::Stage's default), which `stages:` may not list.
    const stageName = stage === undefined || isNull(stage) ? 'test' : stage.kind === 'scalar' ? String(stage.value) : undefined;
    if (stageName !== undefined && !stages.includes(stageName)) {
      out.push({
        severity: 'error', code: 'stage-unknown',
        message: `${job.name} job: chosen stage ${stageName} does not exist; available stages are ${stages.join(', ')}`,
        span: stage?.span ?? where(job.name), data: { stage: stageName, stages },
      });
    }
    out.push(...validateMatrix(job.name, n, where(job.name)));
    const needsNode = n.entries.get('needs');
    const needItems = needEntries(needsNode);
    // A matrix job's needs as each of its instances has them ($[[ matrix.NAME ]] replaced); findings once each.
    const from = out.length;
    for (const items of needsPerInstance(job, needsNode) ?? [needItems]) {
      duplicatedNeeds(job.name, items, true);
      selectedInstances(job.name, items);
      // A need on a job that generates no jobs stands for nothing once normalized.
      checkNeeds(job, items.filter((x) => !dropped(needName(x)?.name ?? '')), targetJob, normalizedNeed);
    }
    const seen = new Set<string>();
    out.splice(from, out.length - from, ...out.slice(from).filter((d) => !seen.has(`${d.message}\u0001${d.span.start}`) && !!seen.add(`${d.message}\u0001${d.span.start}`)));
    // Rules' needs are not expanded by GitLab's Normalizer: a parallel job is known there by its instances' names only.
    for (const rule of isSeq(n.entries.get('rules')) ? (n.entries.get('rules') as { items: Node[] }).items : []) {
      const rn = isMap(rule) ? rule.entries.get('needs') : undefined;
      duplicatedNeeds(job.name, needEntries(rn), false);
      checkNeeds(job, needEntries(rn), normalizedJob);
    }
    dependenciesInNeeds(job, needItems, true);
    // A dynamic child pipeline's `trigger:include: [{artifact, job}]` depends on that job.
    const trigger = n.entries.get('trigger');
    const includes = isMap(trigger) ? trigger.entries.get('include') : undefined;
    for (const inc of isSeq(includes) ? includes.items : []) {
      const dep = isMap(inc) ? inc.entries.get('job') : undefined;
      const name = str(dep);
      if (name === undefined) continue;
      const target = realJob(name);
      if (!target) out.push({ severity: 'error', code: 'dependencies-unknown', message: `${job.name} job: undefined dependency: ${name}`, span: dep!.span ?? where(job.name), data: { name } });
      else if (notEarlier(target, job)) out.push({ severity: 'error', code: 'dependencies-later-stage', message: `${job.name} job: dependency ${name} is not defined in current or prior stages`, span: dep!.span ?? where(job.name), data: { name } });
    }
    const pages = n.entries.get('pages');
    if (isMap(pages) && pages.entries.has('publish') && n.entries.has('publish')) {
      out.push({ severity: 'error', code: 'pages-invalid', message: `${job.name} job: use either ${job.name}:publish or ${job.name}:pages:publish`, span: n.keySpans.get('publish') ?? where(job.name) });
    }
    const env = n.entries.get('environment');
    const onStop = isMap(env) ? env.entries.get('on_stop') : undefined;
    const stopName = str(onStop);
    if (stopName !== undefined) {
      const stopJob = realJob(stopName);
      const stopEnv = stopJob?.node.entries.get('environment');
      const envName = (e: Node | undefined) => (isMap(e) ? str(e.entries.get('name')) : str(e));
      const msg = !stopJob ? `on_stop job ${stopName} is not defined`
        : !stopEnv ? `on_stop job ${stopName} does not have environment defined`
        : envName(stopEnv) !== envName(env) ? `on_stop job ${stopName} have different environment name`
        : !(isMap(stopEnv) && str(stopEnv.entries.get('action')) === 'stop') ? `on_stop job ${stopName} needs to have action stop defined` : undefined;
      if (msg) out.push({ severity: 'error', code: 'on-stop-invalid', message: `${job.name} job: ${msg}`, span: onStop!.span ?? where(job.name), data: { name: stopName } });
    }
  }
}
