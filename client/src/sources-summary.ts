/**
 * The status bar's words for where a pipeline's files come from (pure, so it can be tested
 * outside VS Code): workspace only, local checkout, GitLab API, or cache (stale since …, offline).
 */
import type { PipelineFile } from '../../server/src/features/preview.js';

export interface SourcesSummary {
  text: string;
  tooltip: string;
  warning: boolean;
}

/** The one-line summary of a pipeline's files. */
export function summarise(files: readonly PipelineFile[]): SourcesSummary {
  const lib = files.filter((f) => f.origin !== 'workspace');
  const lines = lib.map((f) => `${f.origin.padEnd(5)} ${f.kind === 'project' || f.kind === 'local' ? f.path : safeDecode(f.uri.replace(/^.*\?/, ''))}${f.note ? ` — ${f.note}` : ''}`);
  if (!lib.length) return { text: '$(check) Presets: workspace', tooltip: 'GitLab CI Presets: this pipeline includes no project, template or remote file.', warning: false };
  const origins = new Set(lib.map((f) => f.origin));
  const cached = lib.filter((f) => f.origin === 'cache');
  const offline = lib.some((f) => /unreachable|offline/i.test(f.note ?? ''));
  let text: string;
  if (cached.length) {
    const since = cached.map((f) => /from (\d{4}-\d\d-\d\d \d\d:\d\d UTC)/.exec(f.note ?? '')?.[1]).filter(Boolean).sort()[0];
    text = `$(warning) Presets: cache${since ? `, stale since ${since}` : ''}${offline ? ' (offline)' : ''}`;
  } else {
    const names = (['local', 'api'] as const).filter((o) => origins.has(o)).map((o) => (o === 'api' ? 'API' : 'local'));
    text = `$(${origins.has('api') ? 'cloud' : 'folder'}) Presets: ${names.join(' + ')}`;
  }
  const tooltip = `GitLab CI Presets — where the included files come from (click to refresh):\n${lines.join('\n')}`;
  return { text, tooltip, warning: cached.length > 0 || offline };
}


function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
