/**
 * The validation stage: the merged configuration (after includes, extends, !reference and
 * default:) checked the way GitLab's config entries and YamlProcessor check it. Pure: nodes in,
 * diagnostics out. `validateRoot` and `validateJob` are separate so a per-job analysis can cache
 * each job's findings by its node.
 */
import type { JobView } from '../merge/jobs.js';
import { changedKeys, perNode } from '../merge/incremental.js';
import type { StageMemory } from '../merge/incremental.js';
import type { MapNode, Node, PipelineDiagnostic, Span } from '../model.js';
import { validateAcrossJobs } from './cross-job.js';
import { validateJob } from './job.js';
import { validateRoot } from './root.js';
import { MULTIPLE_PIPELINES, multiplePipelinesWarning } from './rules.js';
import { jobVariableCycle } from '../variables/variable-collection.js';

export { validateRoot } from './root.js';
export { validateJob } from './job.js';
export type { JobInput } from './job.js';
export { validateAcrossJobs } from './cross-job.js';

const jobFindings = perNode<MapNode, { name: string; keySpan: Span | undefined; found: PipelineDiagnostic[] }>();

interface LastRun {
  jobs: Map<string, JobView>;
  keySpans: Map<string, Span>;
  found: Map<string, PipelineDiagnostic[]>;
}

/**
 * Every finding of the stage for one merged configuration. With `memory` (the pipeline's last
 * run), the jobs an edit did not change keep their findings without being looked at again.
 */
export function validatePipeline(doc: MapNode, jobs: Map<string, JobView>, stages: string[], memory?: StageMemory, files: readonly { uri: string; content: Node }[] = []): PipelineDiagnostic[] {
  const where = (key: string): Span => doc.keySpans.get(key) ?? doc.span ?? { uri: '', start: 0, end: 0 };
  const out = validateRoot(doc);
  const last = memory?.validate as LastRun | undefined;
  const changed = last && changedKeys(last.jobs, jobs);
  // After an edit (the same jobs, a few changed) the last run's table is brought up to date in place.
  const found = changed ? last!.found : new Map<string, PipelineDiagnostic[]>();
  const findings = (job: JobView, keySpan: Span | undefined): PipelineDiagnostic[] => {
    // A job whose merged node, name and key are those of an earlier expansion has the same findings.
    const earlier = jobFindings.get(job.node);
    if (earlier && earlier.name === job.name && earlier.keySpan === keySpan) return earlier.found;
    const f = validateJob({ name: job.name, node: job.node, keySpan });
    // Kept with the job's findings; shown only while the pipeline has no `workflow:rules`.
    const multiple = multiplePipelinesWarning(job.name, job.node);
    if (multiple) f.push(multiple);
    jobFindings.set(job.node, { name: job.name, keySpan, found: f });
    return f;
  };
  const workflow = doc.entries.get('workflow');
  const workflowRules = workflow?.kind === 'map' && workflow.entries.has('rules');
  jobs.forEach((job, name) => {
    if (job.hidden) return;
    let f = changed && !changed.has(name) ? found.get(name) : undefined;
    // The key span: the same object while the job's text block is reused (moved or not).
    const keySpan = doc.keySpans.get(name);
    if (!f || last!.keySpans.get(name) !== keySpan) found.set(name, (f = findings(job, keySpan)));
    for (let i = 0; i < f.length; i++) if (!workflowRules || f[i].code !== MULTIPLE_PIPELINES) out.push(f[i]);
  });
  if (memory) memory.validate = { jobs, keySpans: doc.keySpans, found } satisfies LastRun;
  for (const d of variableCycles(doc, jobs)) out.push(d);
  for (const d of validateAcrossJobs(doc, jobs, stages, where, memory)) out.push(d);
  for (const d of unsymbolizedJobNames(doc, jobs, files)) out.push(d);
  return out;
}

/**
 * Jobs whose key YAML typed as a number, boolean or null (`10:`): GitLab's loader symbolizes string
 * keys only, and a job entry's name must be a symbol. The file that wrote the job's key decides.
 */
function unsymbolizedJobNames(doc: MapNode, jobs: Map<string, JobView>, files: readonly { uri: string; content: Node }[]): PipelineDiagnostic[] {
  const out: PipelineDiagnostic[] = [];
  for (const f of files) {
    if (f.content.kind !== 'map' || !f.content.typedKeys) continue;
    for (const name of f.content.typedKeys) {
      const keySpan = doc.keySpans.get(name);
      if (!jobs.has(name) || keySpan?.uri !== f.uri) continue;
      out.push({ severity: 'error', code: 'job-name-invalid', message: `jobs:${name} name should be a symbol`, span: keySpan });
    }
  }
  return out;
}

/** Jobs whose variables (with the global ones they inherit) refer to each other in a loop: GitLab
 *  refuses to create such a job (`<job>: circular variable reference detected: [...]`). */
function variableCycles(doc: MapNode, jobs: Map<string, JobView>): PipelineDiagnostic[] {
  const out: PipelineDiagnostic[] = [];
  const globals = doc.entries.get('variables');
  const workflow = doc.entries.get('workflow');
  const workflowRules = workflow?.kind === 'map' && workflow.entries.has('rules');
  jobs.forEach((job, name) => {
    if (job.hidden) return;
    const error = jobVariableCycle(globals, job.node);
    if (!error) return;
    const span = job.node.keySpans.get('variables') ?? doc.keySpans.get(name) ?? job.node.span ?? { uri: '', start: 0, end: 0 };
    out.push({ severity: 'error', code: 'variable-cycle', message: `${name}: ${error}`, span });
  });
  return out;
}
