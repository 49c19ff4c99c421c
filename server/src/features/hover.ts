/**
 * textDocument/hover (markdown). The name under the cursor comes from the file's symbol index
 * (symbol-index.ts) when the document parses, else from the raw text (yaml-context.ts) against
 * the last analysis in which it parsed:
 * - a job name (key, `extends:`, `!reference`, `needs:`) → hover-job.ts;
 * - a `!reference` key path → the value it points at;
 * - a variable (`variables:` key, `$VAR`) → its value and override chain (hover-variable.ts);
 * - an include entry, an include's input, `$[[ inputs.x ]]` → hover-include.ts;
 * - a stage → its place and jobs; a GitLab keyword (or one of its values) → its short doc.
 */
import { MarkupKind } from 'vscode-languageserver/node';
import type { Hover, HoverParams } from 'vscode-languageserver/node';
import { stringify } from 'yaml';
import { getPath, toPlain } from '../pipeline/model.js';
import type { LoadedFile } from '../pipeline/includes/includes.js';
import type { Analysis } from '../workspace.js';
import { answering, yamlErrorOf } from './shared/analysis.js';
import type { Feature, FeatureContext } from './shared/context.js';
import { includeHover, includeInputHover, ownInputHover } from './hover-include.js';
import { jobHover } from './hover-job.js';
import { spanLink } from './shared/job-docs.js';
import { variableHover } from './hover-variable.js';
import { keywordAt, keywordOfValue } from './shared/keyword-docs.js';
import type { KeywordDoc } from './shared/keyword-docs.js';
import { occurrenceAt, referenceDefinition } from './shared/symbol-index.js';
import type { Occurrence } from './shared/symbol-index.js';
import { jobOfPath, yamlContext } from './shared/yaml-context.js';

const MAX_REFERENCE_LINES = 40;

function referenceHover(analysis: Analysis, path: readonly string[]): string | undefined {
  const value = getPath(analysis.pipeline.merged, path);
  if (!value) return `**!reference [${path.join(', ')}]** — not found in the merged configuration`;
  const parts = [`**!reference [${path.join(', ')}]**`];
  const def = referenceDefinition(analysis.pipeline, path);
  if (def) parts.push(`*Defined in* ${spanLink(analysis, def.span)}`);
  let yaml = stringify(toPlain(value), { lineWidth: 0 }).trimEnd();
  const lines = yaml.split('\n');
  if (lines.length > MAX_REFERENCE_LINES) yaml = [...lines.slice(0, MAX_REFERENCE_LINES), '# …'].join('\n');
  parts.push(['```yaml', yaml, '```'].join('\n'));
  return parts.join('\n\n');
}

function stageHover(analysis: Analysis, name: string): string {
  const stages = analysis.pipeline.stages;
  const i = stages.indexOf(name);
  if (i < 0) return `**stage ${name}** — not declared in \`stages:\` (declared: ${stages.map((s) => `\`${s}\``).join(', ')})`;
  const jobs = [...analysis.pipeline.jobs.values()].filter((j) => {
    if (j.hidden) return false;
    const s = j.node.entries.get('stage');
    return (s?.kind === 'scalar' ? String(s.value) : 'test') === name;
  });
  const list = jobs.slice(0, 20).map((j) => `\`${j.name}\``).join(', ');
  return `**stage ${name}** — ${i + 1} of ${stages.length}\n\n${jobs.length ? `Jobs (${jobs.length}): ${list}${jobs.length > 20 ? ', …' : ''}` : 'No job runs in this stage.'}`;
}

function keywordHover(d: KeywordDoc): string {
  const values = d.values?.length ? `\n\nValues: ${d.values.map((v) => `\`${v}\``).join(', ')}` : '';
  return `**${d.name}** — GitLab CI keyword\n\n${d.doc}${values}\n\n[GitLab docs](${d.url})`;
}

function occurrenceHover(ctx: FeatureContext, analysis: Analysis, file: LoadedFile, occ: Occurrence): string | undefined {
  switch (occ.kind) {
    case 'job':
      return jobHover(analysis, occ.name);
    case 'reference-key':
      return referenceHover(analysis, occ.path);
    case 'variable':
      return variableHover(analysis, occ.name, occ.job, ctx.settings.knownVariables ?? [], ctx.document.uri);
    case 'stage':
      return stageHover(analysis, occ.name);
    case 'include':
      return includeHover(analysis, file.uri, occ.entry, occ.file);
    case 'include-input':
      return includeInputHover(analysis, file.uri, occ.entry, occ.name);
    case 'input':
      return ownInputHover(file, occ.name);
  }
}

/** Hover from the raw text: keywords always; job names and variables when the document does not parse. */
function textHover(ctx: FeatureContext, analysis: Analysis, offset: number, fresh: boolean): { md: string; start: number; end: number } | undefined {
  const yc = yamlContext(ctx.document.text, offset);
  if (yc.kind === 'comment') return undefined;
  const tok = yc.token;
  const at = (md: string | undefined, start = tok.start, end = tok.end) => (md ? { md, start, end } : undefined);
  if (!fresh) {
    if (yc.variable) return at(variableHover(analysis, yc.variable.name, jobOfPath(yc.path), ctx.settings.knownVariables ?? [], ctx.document.uri), yc.variable.start, yc.variable.end);
    const key = yc.path.filter((p) => typeof p === 'string').at(-1);
    const isJobRef = yc.kind === 'reference' ? yc.reference!.index === 0 : yc.kind === 'key' ? yc.path.length === 0 : key === 'extends' || key === 'needs' || key === 'dependencies';
    if (isJobRef && analysis.pipeline.merged.entries.has(tok.text)) return at(jobHover(analysis, tok.text));
    if (yc.kind === 'reference' && yc.reference!.index > 0) return at(referenceHover(analysis, [...yc.reference!.elements.slice(0, yc.reference!.index), tok.text]));
  }
  if (yc.kind === 'key') {
    const d = keywordAt(yc.path, tok.text);
    return d ? at(keywordHover(d)) : undefined;
  }
  if (yc.kind === 'value' || yc.kind === 'item') {
    const d = keywordOfValue(yc.path);
    if (d?.values?.includes(tok.text)) return at(keywordHover(d));
  }
  return undefined;
}

export function hoverAt(ctx: FeatureContext, offset: number): Hover | null {
  const { analysis, file, fresh } = answering(ctx);
  const markdown = (value: string, start: number, end: number): Hover => ({
    contents: { kind: MarkupKind.Markdown, value },
    range: ctx.range({ uri: ctx.document.uri, start, end }),
  });
  if (fresh && file) {
    const occ = occurrenceAt(file.parsed, offset);
    const md = occ && occurrenceHover(ctx, analysis, file, occ);
    if (occ && md) return markdown(md, occ.span.start, occ.span.end);
  }
  const t = textHover(ctx, analysis, offset, fresh && !!file);
  if (!t) return null;
  // Answered from an earlier analysis: say so, and where the YAML breaks now.
  const broken = fresh ? undefined : yamlErrorOf(ctx);
  const note = fresh ? '' : `\n\n---\n_From the last analysis in which the YAML parsed${broken ? `: it does not parse now (line ${broken.line})` : ''}._`;
  return markdown(t.md + note, t.start, t.end);
}

export const hover: Feature = {
  capabilities: { hoverProvider: true },
  register(host) {
    host.connection.onHover(async (params: HoverParams) => {
      const doc = host.documents.get(params.textDocument.uri);
      if (!doc) return null;
      const ctx = await host.context(params.textDocument.uri);
      if (!ctx) return null;
      return hoverAt(ctx, doc.offsetAt(params.position));
    });
  },
};
