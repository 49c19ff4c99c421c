/**
 * The expanded pipeline as plain data, in the shape the CLI prints: real jobs + `stages`,
 * `variables`, `workflow` by default; `full` adds hidden jobs and `default:`.
 * `extends:` is dropped (it has been applied).
 */
import type { ExpandedPipeline } from './expand.js';
import { GLOBAL_KEYWORDS } from './jobs.js';
import { toPlain as plainOf } from '../model.js';
import type { Node } from '../model.js';

/**
 * A merged value left as its node, for a writer that reads nodes (the CLI's YAML output): what it
 * stands for is `toPlain(node)` without the key `omit`. Making the plain copy of a big pipeline
 * only to write it out cost as much as the writing.
 */
export class NodeValue {
  constructor(
    readonly node: Node,
    readonly omit?: string,
  ) {}
}

/** `nodes`: job and keyword values as NodeValue instead of plain data. */
export function renderPipeline(p: ExpandedPipeline, opts: { full?: boolean; nodes?: boolean } = {}): Record<string, unknown> {
  const toPlain = opts.nodes ? (n: Node) => new NodeValue(n) : plainOf;
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
    if (opts.nodes) {
      out[job.name] = new NodeValue(job.node, 'extends');
      continue;
    }
    const plain = toPlain(job.node) as Record<string, unknown>;
    delete plain.extends;
    out[job.name] = plain;
  }
  return out;
}
