/**
 * Engine diagnostics → LSP diagnostics, grouped by the file they point into; in a consumer's
 * pipeline (not a preset file checked on its own) also the preset variable contract's findings:
 * `variable-missing` on the include entry or job that brings a preset whose required variable
 * is set nowhere (code-actions.ts offers to add them).
 */
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { Diagnostic } from 'vscode-languageserver';
import type { ExpandedPipeline } from '../../pipeline/merge/expand.js';
import type { PipelineDiagnostic } from '../../pipeline/model.js';
import { LineIndex } from '../../pipeline/yaml/positions.js';
import { jobFile, jobsPlacingIn, missingRequiredVariables } from '../../pipeline/contract/index.js';
import type { MissingVariable } from '../../pipeline/contract/index.js';
import type { SpanMover } from './moved-spans.js';

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

/** Codes that only make sense for a whole pipeline, not for a preset file checked on its own. */
export const PIPELINE_ONLY_CODES = new Set(['no-visible-job', 'job-no-script', 'config-empty']);

/**
 * Findings a preset file checked on its own cannot settle: the stages, the other jobs and the
 * templates of the pipeline that includes it decide (GitLab's own templates leave `stages:` to the
 * consumer; a template the library defines in another file is found there, see `contextFiles`). Shown
 * as information there; in a consumer's pipeline they are errors as GitLab says.
 */
export const CONSUMER_DECIDES_CODES = new Set(['stage-unknown', 'needs-unknown', 'needs-later-stage', 'extends-unknown', 'reference-unknown']);
const CONSUMER_DECIDES = ' (this file on its own: the pipeline that includes it must provide it)';

export function diagnosticsByUri(
  pipeline: ExpandedPipeline,
  texts: (uri: string) => string | undefined,
  opts: { standalone?: boolean; knownVariables?: readonly string[]; moveSpan?: SpanMover } = {},
): Map<string, Diagnostic[]> {
  const all = opts.standalone ? pipeline.diagnostics : [...pipeline.diagnostics, ...missingVariableDiagnostics(pipeline, opts.knownVariables ?? [])];
  return lspByUri(pipeline, texts, all, opts);
}

/** Below this many jobs the whole pipeline's findings come fast enough: no early set. */
const EARLY_FROM_JOBS = 1000;

/**
 * The first analysis of a big pipeline: one document's diagnostics before every job's contract is
 * done — the same diagnostics `diagnosticsByUri` gives it, computed from the jobs whose findings
 * can be placed there (contract/document-jobs.ts). Their quick-fix data may lack `job` (that a
 * variable is missing nowhere else depends on the other jobs); the full set, sent after, has it.
 * Undefined when the document is not one of jobs only, the pipeline is small, or the full set is
 * already known.
 */
export function earlyDocumentDiagnostics(pipeline: ExpandedPipeline, uri: string, texts: (uri: string) => string | undefined, knownVariables: readonly string[]): Diagnostic[] | undefined {
  if (pipeline.jobs.size < EARLY_FROM_JOBS || missingCache.get(pipeline)?.known === knownVariables.join('\n')) return undefined;
  let missing: MissingVariable[];
  try {
    const jobs = jobsPlacingIn(pipeline, uri);
    if (!jobs) return undefined;
    missing = missingRequiredVariables(pipeline, { knownVariables, jobs }).filter((m) => m.span.uri === uri);
  } catch {
    // The full set (which reports its own failure) is computed next anyway.
    return undefined;
  }
  const all = [...pipeline.diagnostics.filter((d) => d.span.uri === uri), ...missingDiagnostics(pipeline, missing, false)];
  return lspByUri(pipeline, texts, all, {}).get(uri) ?? [];
}

function lspByUri(
  pipeline: ExpandedPipeline,
  texts: (uri: string) => string | undefined,
  all: readonly PipelineDiagnostic[],
  opts: { standalone?: boolean; moveSpan?: SpanMover },
): Map<string, Diagnostic[]> {
  const out = new Map<string, Diagnostic[]>();
  // Files loaded only for the templates a preset file uses speak for themselves in their own analysis.
  const own = new Set(pipeline.files.filter((f) => !f.context).map((f) => f.uri));
  for (const uri of own) out.set(uri, []);
  const indexes = new Map<string, LineIndex>();
  const indexOf = (uri: string): LineIndex | undefined => {
    let index = indexes.get(uri);
    if (index) return index;
    const text = texts(uri) ?? pipeline.files.find((f) => f.uri === uri)?.parsed.text;
    if (text === undefined) return undefined;
    indexes.set(uri, (index = new LineIndex(text)));
    return index;
  };
  for (const found of all) {
    if (!own.has(found.span.uri) && pipeline.files.some((f) => f.uri === found.span.uri)) continue;
    if (opts.standalone && PIPELINE_ONLY_CODES.has(found.code)) continue;
    // An earlier analysis's finding (the document does not parse now) where it is in today's text; none when its place was edited.
    const span = opts.moveSpan ? opts.moveSpan(found.span) : found.span;
    if (!span) continue;
    const original = span === found.span ? found : { ...found, span };
    const d = opts.standalone && CONSUMER_DECIDES_CODES.has(original.code) ? { ...original, severity: 'info' as const, message: original.message + CONSUMER_DECIDES } : original;
    const index = indexOf(d.span.uri);
    if (!index) continue;
    const list = out.get(d.span.uri) ?? [];
    list.push(toLsp(d, index, indexOf));
    out.set(d.span.uri, list);
  }
  return out;
}

export function toLsp(d: PipelineDiagnostic, index: LineIndex, indexOf?: (uri: string) => LineIndex | undefined): Diagnostic {
  const out: Diagnostic = {
    range: { start: index.position(d.span.start), end: index.position(Math.max(d.span.end, d.span.start)) },
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'gitlab-ci-presets',
    message: d.message,
    data: d.data,
  };
  // Where an inherited value was written and the chain that brought it (files the pipeline read).
  const related = (d.related ?? []).flatMap((r) => {
    const at = r.span.uri === d.span.uri ? index : indexOf?.(r.span.uri);
    return at ? [{ location: { uri: r.span.uri, range: { start: at.position(r.span.start), end: at.position(Math.max(r.span.end, r.span.start)) } }, message: r.message }] : [];
  });
  if (related.length) out.relatedInformation = related;
  return out;
}

/** What a `variable-missing` diagnostic carries for its quick-fixes. */
export interface MissingVariableData {
  variable: string;
  description?: string;
  /** The preset template or job that declares or reads it. */
  neededBy: string;
  /** The preset file the include brings (absent when a job of the consumer brings it). */
  preset?: string;
  jobs: string[];
  /** Set when only this job of the consumer needs it: the fix goes into the job's `variables:`. */
  job?: string;
}

const missingCache = new WeakMap<ExpandedPipeline, { known: string; list: PipelineDiagnostic[] }>();

/** The contract's findings as engine diagnostics (`variable-missing`, warning). Never throws. */
export function missingVariableDiagnostics(pipeline: ExpandedPipeline, knownVariables: readonly string[]): PipelineDiagnostic[] {
  const key = knownVariables.join('\n');
  const cached = missingCache.get(pipeline);
  if (cached && cached.known === key) return cached.list;
  let missing: MissingVariable[];
  try {
    missing = missingRequiredVariables(pipeline, { knownVariables });
  } catch {
    missing = [];
  }
  const list = missingDiagnostics(pipeline, missing, true);
  missingCache.set(pipeline, { known: key, list });
  return list;
}

/** `complete`: `missing` holds every finding of the pipeline (else a job-level fix is not offered: others may need the variable too). */
function missingDiagnostics(pipeline: ExpandedPipeline, missing: MissingVariable[], complete: boolean): PipelineDiagnostic[] {
  const byName = new Map<string, MissingVariable[]>();
  for (const m of missing) byName.set(m.variable.name, [...(byName.get(m.variable.name) ?? []), m]);
  return missing.map((m) => {
    const preset = m.presetUri ? pipeline.files.find((f) => f.uri === m.presetUri)?.path : undefined;
    const templateFile = jobFile(pipeline, m.neededBy)?.path;
    const where = preset ? `${preset} (${m.neededBy})` : `${m.neededBy}${templateFile ? ` in ${templateFile}` : ''}`;
    const desc = m.variable.description;
    const others = byName.get(m.variable.name)!;
    const onlyJob = complete && others.length === 1 && !m.presetUri && m.jobs.length === 1 && pipeline.merged.keySpans.get(m.jobs[0])?.uri === m.span.uri;
    const data: MissingVariableData = { variable: m.variable.name, neededBy: m.neededBy, jobs: m.jobs };
    if (desc) data.description = desc;
    if (preset) data.preset = preset;
    if (onlyJob) data.job = m.jobs[0];
    return {
      severity: 'warning' as const,
      code: 'variable-missing',
      message: `${m.variable.name} is not set: ${where} needs it${desc ? ` — ${desc}` : ''}`,
      span: m.span,
      data: data as unknown as Record<string, unknown>,
    };
  });
}
