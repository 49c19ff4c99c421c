/** Small helpers for engine tests: expand in-memory files and read the result as plain data. */
import { expandPipeline } from '../../server/src/pipeline/merge/expand.js';
import type { ExpandedPipeline } from '../../server/src/pipeline/merge/expand.js';
import { renderPipeline } from '../../server/src/pipeline/merge/output.js';
import { simulatedVariables } from '../../server/src/pipeline/rules/simulated-context.js';
import { MemorySources } from '../../server/src/sources/memory-sources.js';

/** `variables` add to the simulated predefined ones; an undefined value is a name known without its value (a CI/CD settings key). */
export async function expandFiles(files: Record<string, string>, variables: Record<string, string | undefined> = {}): Promise<ExpandedPipeline> {
  return expandPipeline({ sources: new MemorySources(files), variables: { ...simulatedVariables(), ...variables } });
}

export async function expandPlain(files: Record<string, string>, opts: { full?: boolean; variables?: Record<string, string> } = {}) {
  const p = await expandFiles(files, opts.variables);
  return { plain: renderPipeline(p, { full: opts.full }) as Record<string, any>, pipeline: p, codes: p.diagnostics.map((d) => d.code) };
}

/** The text a span covers. */
export function spanText(p: ExpandedPipeline, span: { uri: string; start: number; end: number }): string {
  const f = p.files.find((x) => x.uri === span.uri);
  return f ? f.parsed.text.slice(span.start, span.end) : '';
}

/** Expand in-memory files: the pipeline, its error and warning messages, and the included files (by path, and as `project@ref:path`). */
export async function expandSummary(files: Record<string, string>, variables: Record<string, string | undefined> = {}) {
  const p = await expandFiles(files, variables);
  const errors = p.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
  const warnings = p.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.message);
  const includedFiles = p.files.filter((f) => f.kind !== 'root');
  return { p, errors, warnings, included: includedFiles.map((f) => f.path), includedAt: includedFiles.map((f) => `${f.loc.project ?? ''}@${f.loc.ref ?? ''}:${f.path}`) };
}
