/**
 * The validation stage: the merged configuration (after includes, extends, !reference and
 * default:) checked the way GitLab's config entries and YamlProcessor check it. Pure: nodes in,
 * diagnostics out. `validateRoot` and `validateJob` are separate so a per-job analysis can cache
 * each job's findings by its node.
 */
import type { JobView } from '../merge/jobs.js';
import type { MapNode, PipelineDiagnostic, Span } from '../model.js';
import { validateAcrossJobs } from './cross-job.js';
import { validateJob } from './job.js';
import { validateRoot } from './root.js';

export { validateRoot } from './root.js';
export { validateJob } from './job.js';
export type { JobInput } from './job.js';
export { validateAcrossJobs } from './cross-job.js';

/** Every finding of the stage for one merged configuration. */
export function validatePipeline(doc: MapNode, jobs: Map<string, JobView>, stages: string[]): PipelineDiagnostic[] {
  const where = (key: string): Span => doc.keySpans.get(key) ?? doc.span ?? { uri: '', start: 0, end: 0 };
  const out = validateRoot(doc);
  for (const job of jobs.values()) {
    if (job.hidden) continue;
    out.push(...validateJob({ name: job.name, node: job.node, keySpan: doc.keySpans.get(job.name) }));
  }
  out.push(...validateAcrossJobs(doc, jobs, stages, where));
  return out;
}
