/**
 * The validation stage: the merged configuration (after includes, extends, !reference and
 * default:) checked the way GitLab's config entries and YamlProcessor check it. Pure: nodes in,
 * diagnostics out. `validateRoot` and `validateJob` are separate so a per-job analysis can cache
 * each job's findings by its node.
 */
import type { JobView } from '../merge/jobs.js';
import { perNode } from '../merge/incremental.js';
import type { MapNode, PipelineDiagnostic, Span } from '../model.js';
import { validateAcrossJobs } from './cross-job.js';
import { validateJob } from './job.js';
import { validateRoot } from './root.js';

export { validateRoot } from './root.js';
export { validateJob } from './job.js';
export type { JobInput } from './job.js';
export { validateAcrossJobs } from './cross-job.js';

const jobFindings = perNode<MapNode, { name: string; keySpan: Span | undefined; found: PipelineDiagnostic[] }>();

/** Every finding of the stage for one merged configuration. */
export function validatePipeline(doc: MapNode, jobs: Map<string, JobView>, stages: string[]): PipelineDiagnostic[] {
  const where = (key: string): Span => doc.keySpans.get(key) ?? doc.span ?? { uri: '', start: 0, end: 0 };
  const out = validateRoot(doc);
  for (const job of jobs.values()) {
    if (job.hidden) continue;
    const keySpan = doc.keySpans.get(job.name);
    // A job whose merged node, name and key are those of an earlier expansion has the same findings.
    const earlier = jobFindings.get(job.node);
    if (earlier && earlier.name === job.name && earlier.keySpan === keySpan) {
      out.push(...earlier.found);
      continue;
    }
    const found = validateJob({ name: job.name, node: job.node, keySpan });
    jobFindings.set(job.node, { name: job.name, keySpan, found });
    out.push(...found);
  }
  out.push(...validateAcrossJobs(doc, jobs, stages, where));
  return out;
}
