/**
 * A simulated pipeline as the preview and `gitlab-ci-presets simulate` both show it: the request
 * (source, branch or tag, target, default branch, extra variables, changed paths) normalised once,
 * the rules verdicts (rules.ts) and, per real job, its stage — one code path for both.
 */
import type { ExpandedPipeline } from '../merge/expand.js';
import type { JobView } from '../merge/jobs.js';
import { evaluateRules } from './rules.js';
import type { JobVerdict, RulesResult } from './rules.js';
import type { SimulatedContext } from './simulated-context.js';

/** What pipeline to simulate (every field optional: a push to the default branch). */
export interface SimulationRequest {
  source?: SimulatedContext['source'];
  branch?: string;
  tag?: string;
  /** A merge request's target branch (default: the default branch). */
  targetBranch?: string;
  /** Extra pipeline variables. */
  variables?: Record<string, string>;
  defaultBranch?: string;
  /** Paths changed by the simulated push; absent = unknown (every `changes:` holds). */
  changes?: string[];
}

export interface NormalisedRequest {
  source: NonNullable<SimulatedContext['source']>;
  branch: string;
  tag: string;
  defaultBranch: string;
  targetBranch?: string;
  variables: Record<string, string>;
}

export interface SimulatedJob {
  job: JobView;
  stage: string;
  verdict: JobVerdict;
}

export interface Simulation {
  request: NormalisedRequest;
  verdicts: RulesResult;
  /** Real jobs in file order. */
  jobs: SimulatedJob[];
  /** The pipeline's stages, `.pre` and `.post` included. */
  stages: string[];
}

export function normaliseRequest(c: SimulationRequest): NormalisedRequest {
  return {
    source: c.source ?? 'push',
    branch: c.branch ?? '',
    tag: c.tag ?? '',
    defaultBranch: c.defaultBranch || 'main',
    ...(c.targetBranch ? { targetBranch: c.targetBranch } : {}),
    variables: Object.fromEntries(Object.entries(c.variables ?? {}).filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k)).map(([k, v]) => [k, String(v)])),
  };
}

/** A job's stage as GitLab reads it (`test` when not set). */
export function jobStage(job: JobView): string {
  const stage = job.node.entries.get('stage');
  return stage?.kind === 'scalar' && stage.value !== null ? String(stage.value) : 'test';
}

/** Runs the rules of `pipeline` for `request`; `files` are the project's files (for `exists:`), when known. */
export function simulate(pipeline: ExpandedPipeline, request: SimulationRequest, files?: readonly string[]): Simulation {
  const r = normaliseRequest(request);
  const context: SimulatedContext = { source: r.source, branch: r.branch || undefined, tag: r.tag || undefined, defaultBranch: r.defaultBranch, targetBranch: r.targetBranch };
  const verdicts = evaluateRules(pipeline, { context, variables: r.variables, changedPaths: request.changes ?? 'unknown', files });
  const jobs: SimulatedJob[] = [];
  for (const job of pipeline.jobs.values()) if (!job.hidden) jobs.push({ job, stage: jobStage(job), verdict: verdicts.jobs.get(job.name)! });
  return { request: r, verdicts, jobs, stages: pipeline.stages };
}
