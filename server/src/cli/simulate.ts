/**
 * `gitlab-ci-presets simulate [DIR] (--branch NAME | --tag NAME | --mr [--target BRANCH] | --source SOURCE)
 * [--var K=V]… [--json]`: which jobs that pipeline runs, through the preview's own simulation
 * (pipeline/rules/simulation.ts) — each job with stage, when, allow_failure, start_in and the rule
 * that decided; the jobs left out with the reason (workflow:rules included). A `parallel:matrix`
 * job is listed per instance, as GitLab creates them.
 */
import { parseArgs } from 'node:util';
import { expandPipeline } from '../pipeline/merge/expand.js';
import type { PipelineDiagnostic } from '../pipeline/model.js';
import { simulate } from '../pipeline/rules/simulation.js';
import type { Simulation, SimulationRequest } from '../pipeline/rules/simulation.js';
import type { JobVerdict } from '../pipeline/rules/rules.js';
import type { SimulatedContext } from '../pipeline/rules/simulated-context.js';
import { listFilesRecursive } from '../sources/directory-sources.js';
import { formatDiagnostics } from './diagnostic-lines.js';
import { CliUsageError, keyValuePairs } from './path-options.js';
import { cachedCopyLines, PIPELINE_OPTIONS, pipelineSetup } from './pipeline-sources.js';

const SOURCES = new Set(['push', 'merge_request_event', 'schedule', 'web', 'api', 'trigger', 'pipeline', 'parent_pipeline']);

export interface SimulatedRun {
  jobs: { name: string; stage: string; when: string; allowFailure: boolean; startIn: string | null; decidedBy: string }[];
  leftOut: { name: string; reason: string }[];
}

export async function simulateCommand(args: string[], cwd: string, env: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...PIPELINE_OPTIONS,
      branch: { type: 'string' },
      tag: { type: 'string' },
      mr: { type: 'boolean' },
      target: { type: 'string' },
      source: { type: 'string' },
      'default-branch': { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const request = simulationRequest(values);
  const setup = await pipelineSetup('simulate', values, positionals, cwd, env, contextOf(request));
  const { sources, variables, rootInputs, rootPath, selfProject } = setup;
  const pipeline = await expandPipeline({ sources, variables, rootInputs, rootPath, selfProject });
  let stderr = setup.notice + cachedCopyLines(pipeline.files) + formatDiagnostics(pipeline, cwd);
  if (!pipeline.valid) return { code: 1, stdout: '', stderr };
  // --var values are pipeline variables of the run (they win over YAML variables in rules).
  const extra = Object.fromEntries(keyValuePairs('--var', values.var));
  const simulation = simulate(pipeline, { ...request, variables: extra }, listFilesRecursive(setup.rootDir));
  stderr += formatDiagnostics({ ...pipeline, diagnostics: simulation.verdicts.diagnostics as PipelineDiagnostic[] }, cwd);
  const run = simulatedRun(simulation);
  const stdout = values.json ? `${JSON.stringify(run, null, 2)}\n` : textReport(simulation, run);
  return { code: 0, stdout, stderr };
}

function simulationRequest(values: { branch?: string; tag?: string; mr?: boolean; target?: string; source?: string; 'default-branch'?: string }): SimulationRequest {
  const kinds = [values.tag !== undefined && '--tag', values.mr && '--mr', values.source !== undefined && '--source'].filter(Boolean);
  if (kinds.length > 1) throw new CliUsageError(`${kinds.join(' and ')} exclude each other`);
  if (values.tag !== undefined && values.branch !== undefined) throw new CliUsageError('--branch and --tag exclude each other');
  if (!kinds.length && values.branch === undefined) throw new CliUsageError('say which pipeline: --branch NAME, --tag NAME, --mr or --source SOURCE');
  if (values.target !== undefined && !values.mr) throw new CliUsageError('--target needs --mr');
  for (const [o, v] of [['--branch', values.branch], ['--tag', values.tag], ['--target', values.target], ['--default-branch', values['default-branch']]] as const) {
    if (v !== undefined && !v.trim()) throw new CliUsageError(`${o} needs a name`);
  }
  let source = values.source as SimulatedContext['source'];
  if (values.source !== undefined && !SOURCES.has(values.source)) throw new CliUsageError(`--source must be one of ${[...SOURCES].join(', ')}, not \`${values.source}\``);
  if (values.mr) source = 'merge_request_event';
  return { source, branch: values.branch, tag: values.tag, targetBranch: values.target, defaultBranch: values['default-branch'] };
}

/** The predefined variables of the simulated pipeline also drive include paths and include rules. */
function contextOf(r: SimulationRequest): SimulatedContext {
  const c: SimulatedContext = {};
  if (r.source) c.source = r.source;
  if (r.branch) c.branch = r.branch;
  if (r.tag) c.tag = r.tag;
  if (r.targetBranch) c.targetBranch = r.targetBranch;
  if (r.defaultBranch) c.defaultBranch = r.defaultBranch;
  return c;
}

/** The jobs that run (a matrix job per instance) and the ones left out, with why. */
export function simulatedRun(s: Simulation): SimulatedRun {
  const run: SimulatedRun = { jobs: [], leftOut: [] };
  const blocked = !s.verdicts.workflow.created ? s.verdicts.workflow.decidedBy.text : s.verdicts.pipelineError?.message;
  // Stage by stage, as GitLab shows a pipeline (jobs of a stage in file order).
  const order = (stage: string) => (s.stages.includes(stage) ? s.stages.indexOf(stage) : s.stages.length);
  const jobs = [...s.jobs].sort((a, b) => order(a.stage) - order(b.stage));
  for (const { stage, verdict } of jobs) {
    // A matrix job that generates no jobs is left out as itself.
    const verdicts: JobVerdict[] = verdict.instances?.length ? verdict.instances : [verdict];
    for (const v of verdicts) {
      if (blocked) run.leftOut.push({ name: v.name, reason: blocked });
      else if (v.included) run.jobs.push({ name: v.name, stage, when: v.when, allowFailure: v.allowFailure, startIn: v.startIn ?? null, decidedBy: v.decidedBy.text });
      else run.leftOut.push({ name: v.name, reason: v.decidedBy.text });
    }
  }
  return run;
}

function textReport(s: Simulation, run: SimulatedRun): string {
  const r = s.request;
  const what = r.tag ? `tag ${r.tag}` : r.source === 'merge_request_event' ? `merge request ${r.branch || r.defaultBranch} → ${r.targetBranch ?? r.defaultBranch}` : `branch ${r.branch || r.defaultBranch}`;
  const lines = [`${r.source} pipeline for ${what}: ${s.verdicts.workflow.created && !s.verdicts.pipelineError ? 'created' : 'not created'} (${s.verdicts.workflow.decidedBy.text})`];
  if (s.verdicts.pipelineError) lines.push(`  ${s.verdicts.pipelineError.message}`);
  lines.push('', `Jobs (${run.jobs.length}):`);
  const width = Math.max(0, ...run.jobs.map((j) => j.name.length));
  const stageWidth = Math.max(0, ...run.jobs.map((j) => j.stage.length));
  for (const j of run.jobs) {
    const when = `${j.when}${j.startIn ? ` in ${j.startIn}` : ''}${j.allowFailure ? ', may fail' : ''}`;
    lines.push(`  ${j.stage.padEnd(stageWidth)}  ${j.name.padEnd(width)}  ${when.padEnd(22)}  ${j.decidedBy}`);
  }
  lines.push('', `Left out (${run.leftOut.length}):`);
  for (const j of run.leftOut) lines.push(`  ${j.name}: ${j.reason}`);
  return `${lines.join('\n')}\n`;
}
