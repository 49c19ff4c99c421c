/**
 * Engine diagnostics → LSP diagnostics, grouped by the file they point into.
 */
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { Diagnostic } from 'vscode-languageserver';
import type { ExpandedPipeline } from '../pipeline/expand.js';
import type { PipelineDiagnostic } from '../pipeline/model.js';
import { LineIndex } from '../pipeline/positions.js';

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

/** Codes that only make sense for a whole pipeline, not for a preset file checked on its own. */
export const PIPELINE_ONLY_CODES = new Set(['no-visible-job', 'job-no-script', 'config-empty']);

export function diagnosticsByUri(
  pipeline: ExpandedPipeline,
  texts: (uri: string) => string | undefined,
  opts: { standalone?: boolean } = {},
): Map<string, Diagnostic[]> {
  const out = new Map<string, Diagnostic[]>();
  for (const f of pipeline.files) out.set(f.uri, []);
  const indexes = new Map<string, LineIndex>();
  for (const d of pipeline.diagnostics) {
    if (opts.standalone && PIPELINE_ONLY_CODES.has(d.code)) continue;
    const text = texts(d.span.uri) ?? pipeline.files.find((f) => f.uri === d.span.uri)?.parsed.text;
    if (text === undefined) continue;
    let index = indexes.get(d.span.uri);
    if (!index) indexes.set(d.span.uri, (index = new LineIndex(text)));
    const list = out.get(d.span.uri) ?? [];
    list.push(toLsp(d, index));
    out.set(d.span.uri, list);
  }
  return out;
}

export function toLsp(d: PipelineDiagnostic, index: LineIndex): Diagnostic {
  return {
    range: { start: index.position(d.span.start), end: index.position(Math.max(d.span.end, d.span.start)) },
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'gitlab-ci-presets',
    message: d.message,
    data: d.data,
  };
}
