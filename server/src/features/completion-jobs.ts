/**
 * Completion of names that point at jobs: `extends:` (templates first), `needs:` and
 * `dependencies:` (real jobs), the first element of `!reference [` (any top-level entry) and the
 * key path after it (keys of the merged model), and `stage:` (declared stages).
 */
import { CompletionItemKind, MarkupKind } from 'vscode-languageserver/node';
import type { CompletionItem } from 'vscode-languageserver/node';
import { GLOBAL_KEYWORDS } from '../pipeline/merge/jobs.js';
import { getPath, toPlain } from '../pipeline/model.js';
import type { Node } from '../pipeline/model.js';
import type { Analysis } from '../workspace.js';
import { fileIndex, fileLabel } from './shared/analysis.js';
import type { ItemRange } from './shared/completion-items.js';
import { item } from './shared/completion-items.js';
import { jobKeySpan, jobSummary } from './shared/job-docs.js';


function origin(analysis: Analysis, name: string): string | undefined {
  const span = jobKeySpan(analysis, name);
  const f = span && fileIndex(analysis).get(span.uri);
  return f ? fileLabel(f) : undefined;
}

function jobItem(analysis: Analysis, name: string, range: ItemRange, sortGroup: number): CompletionItem {
  const doc = jobSummary(analysis, name);
  return item({
    label: name,
    kind: name.startsWith('.') ? CompletionItemKind.Class : CompletionItemKind.Function,
    detail: origin(analysis, name),
    documentation: doc ? { kind: MarkupKind.Markdown, value: doc } : undefined,
    sortText: `${sortGroup}${name}`,
    range,
  });
}

/** Jobs a job may extend: templates first, then the other jobs; never the job itself. */
export function extendsItems(analysis: Analysis, self: string | undefined, range: ItemRange, taken: ReadonlySet<string>): CompletionItem[] {
  const out: CompletionItem[] = [];
  for (const name of analysis.pipeline.jobs.keys()) {
    if (name === self || taken.has(name)) continue;
    out.push(jobItem(analysis, name, range, name.startsWith('.') ? 0 : 1));
  }
  return out;
}

/** Jobs a job may need or depend on: the real (not hidden) jobs other than itself. */
export function needsItems(analysis: Analysis, self: string | undefined, range: ItemRange, taken: ReadonlySet<string>): CompletionItem[] {
  const out: CompletionItem[] = [];
  for (const [name, view] of analysis.pipeline.jobs) {
    if (view.hidden || name === self || taken.has(name)) continue;
    const stage = view.node.entries.get('stage');
    const it = jobItem(analysis, name, range, 0);
    it.detail = [stage?.kind === 'scalar' ? `stage ${String(stage.value)}` : undefined, it.detail].filter(Boolean).join(' · ');
    out.push(it);
  }
  return out;
}

/** A short, one-line picture of a value for an item's detail. */
function preview(node: Node | undefined): string {
  if (!node) return '';
  switch (node.kind) {
    case 'scalar':
      return String(node.value ?? 'null').slice(0, 60);
    case 'seq':
      return `list of ${node.items.length}`;
    case 'map':
      return `{ ${[...node.entries.keys()].slice(0, 6).join(', ')}${node.entries.size > 6 ? ', …' : ''} }`;
    case 'ref':
      return `!reference [${node.path.join(', ')}]`;
  }
}

/** `!reference [a, b, |`: the top-level entries (jobs, hidden keys) first, then the keys below `elements`. */
export function referenceItems(analysis: Analysis, elements: readonly string[], range: ItemRange): CompletionItem[] {
  const merged = analysis.pipeline.merged;
  if (elements.length === 0) {
    const out: CompletionItem[] = [];
    for (const [name] of merged.entries) {
      if (GLOBAL_KEYWORDS.has(name)) continue;
      out.push(jobItem(analysis, name, range, name.startsWith('.') ? 0 : 1));
    }
    return out;
  }
  const target = getPath(merged, elements);
  if (target?.kind !== 'map') return [];
  return [...target.entries].map(([key, value]) => {
    const plain = toPlain(value);
    const shown = typeof plain === 'string' ? plain : JSON.stringify(plain);
    return item({
      label: key,
      kind: CompletionItemKind.Property,
      detail: preview(value),
      documentation: shown && shown.length > 60 ? { kind: MarkupKind.Markdown, value: '```\n' + shown.slice(0, 2000) + '\n```' } : undefined,
      range,
    });
  });
}

/** The declared stages (with `.pre` and `.post`), in pipeline order. */
export function stageItems(analysis: Analysis, range: ItemRange): CompletionItem[] {
  return analysis.pipeline.stages.map((s, i) =>
    item({ label: s, kind: CompletionItemKind.EnumMember, detail: `stage ${i + 1} of ${analysis.pipeline.stages.length}`, sortText: String(i).padStart(4, '0'), range }),
  );
}
