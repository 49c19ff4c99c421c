/**
 * Short documentation of a job for hover and completion: where its key is written, the doc
 * comment above it (without its variable tags), a link to its place.
 */
import { docCommentAbove } from '../../pipeline/contract/index.js';
import type { DocComment } from '../../pipeline/contract/index.js';
import type { Span } from '../../pipeline/model.js';
import { baseJobName } from '../../pipeline/merge/jobs.js';
import type { Analysis } from '../../workspace.js';
import { analysedText, lineOf, spanLabel } from './analysis.js';

const comments = new WeakMap<Analysis, Map<string, DocComment | null>>();

/** The key span of job `name` in the file that writes it last (what its origin is). */
export function jobKeySpan(analysis: Analysis, name: string): Span | undefined {
  const merged = analysis.pipeline.merged;
  return merged.keySpans.get(name) ?? merged.keySpans.get(baseJobName(name));
}

/** The doc comment above the job's key (cached per analysis). */
export function jobComment(analysis: Analysis, name: string): DocComment | undefined {
  let m = comments.get(analysis);
  if (!m) comments.set(analysis, (m = new Map()));
  const hit = m.get(name);
  if (hit !== undefined) return hit ?? undefined;
  const span = jobKeySpan(analysis, name);
  const text = span && analysedText(analysis, span.uri);
  const c = span && text !== undefined ? docCommentAbove(span.uri, text, span.start) : undefined;
  m.set(name, c ?? null);
  return c;
}

/** Markdown link to a span when it is a file of the workspace, else its label alone. */
export function spanLink(analysis: Analysis, span: Span): string {
  const label = spanLabel(analysis, span);
  if (!span.uri.startsWith('file:')) return `\`${label}\``;
  const line = lineOf(analysis, span.uri, span.start) ?? 1;
  return `[${label}](${span.uri}#L${line})`;
}

/** The doc comment without its `@required`/`@optional` tag lines (they are listed as variables). */
export function commentProse(c: DocComment | undefined): string {
  if (!c) return '';
  return c.text
    .split('\n')
    .filter((l) => !/^@(required|optional)\b/.test(l.trim()))
    .join('\n')
    .trim();
}

/** Short documentation of a job for a completion item: comment and origin. */
export function jobSummary(analysis: Analysis, name: string): string {
  const parts: string[] = [];
  const prose = commentProse(jobComment(analysis, name));
  if (prose) parts.push(prose);
  const span = jobKeySpan(analysis, name);
  if (span) parts.push(`*Defined in* ${spanLink(analysis, span)}`);
  return parts.join('\n\n');
}
