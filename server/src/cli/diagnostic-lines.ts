/** Engine diagnostics as the CLI prints them on stderr: `path:line:col: severity: message [code]`. */
import { fileURLToPath } from 'node:url';
import type { ExpandedPipeline } from '../pipeline/merge/expand.js';
import type { PipelineDiagnostic } from '../pipeline/model.js';
import { LineIndex } from '../pipeline/yaml/positions.js';

/** `path:line:col: severity: message [code]`, one per line, paths relative to cwd. */
export function formatDiagnostics(p: ExpandedPipeline, cwd: string): string {
  const texts = new Map(p.files.map((f) => [f.uri, f.parsed.text]));
  const lines = new Map<string, LineIndex>();
  return p.diagnostics.map((d) => `${location(d, texts, lines, cwd)}: ${d.severity}: ${d.message} [${d.code}]\n`).join('');
}

function location(d: PipelineDiagnostic, texts: Map<string, string>, lines: Map<string, LineIndex>, cwd: string): string {
  const uri = d.span.uri;
  let name = uri;
  if (uri.startsWith('file:')) {
    const path = fileURLToPath(uri);
    name = path.startsWith(cwd + '/') ? path.slice(cwd.length + 1) : path;
  }
  const text = texts.get(uri);
  if (text === undefined) return name;
  // One line table per file, built on its first diagnostic (a broken file can hold thousands).
  let index = lines.get(uri);
  if (!index) lines.set(uri, (index = new LineIndex(text)));
  const pos = index.position(d.span.start);
  return `${name}:${pos.line + 1}:${pos.character + 1}`;
}
