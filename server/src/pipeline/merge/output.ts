/**
 * The expanded pipeline as plain data, in the shape the CLI prints: real jobs + `stages`,
 * `variables`, `workflow` by default; `full` adds hidden jobs and `default:`.
 * `extends:` is dropped (it has been applied).
 */
import type { ExpandedPipeline } from './expand.js';
import { GLOBAL_KEYWORDS } from './jobs.js';
import { toPlain } from '../model.js';

export function renderPipeline(p: ExpandedPipeline, opts: { full?: boolean } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { stages: p.stages };
  for (const key of ['variables', 'workflow'] as const) {
    const v = p.merged.entries.get(key);
    if (v) out[key] = toPlain(v);
  }
  if (opts.full) {
    for (const [key, value] of p.merged.entries) {
      if (key === 'stages' || key === 'types' || key === 'include' || key === 'spec' || key in out || p.jobs.has(key)) continue;
      // Global keywords, and hidden entries that are not hashes (anchors holding lists, ...).
      if (GLOBAL_KEYWORDS.has(key) || key.startsWith('.')) out[key] = toPlain(value);
    }
  }
  for (const job of p.jobs.values()) {
    if (job.hidden && !opts.full) continue;
    const plain = toPlain(job.node) as Record<string, unknown>;
    delete plain.extends;
    out[job.name] = plain;
  }
  return out;
}
