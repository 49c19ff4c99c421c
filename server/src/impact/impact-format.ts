/**
 * The impact report as text (one block per consumer) and as Markdown for a merge request: a
 * summary table, then a collapsible `<details>` per consumer. Every value from YAML is put in a
 * code span or fence long enough for the backticks it holds, and table cells escape `|`, so
 * library content cannot break out of the report's markup.
 */
import type { KeyChange, LineChange, RunState } from '../pipeline/diff/index.js';
import type { ConsumerImpact, ImpactReport, Located, Location } from './impact-report.js';

const SCENARIO = { 'default-branch': 'push to the default branch', tag: 'release tag', 'merge-request': 'merge request' } as const;

function where(l: Location | undefined): string {
  return l ? `${l.file}:${l.line}` : '';
}

/** A value on one line: strings as they are, everything else as JSON. */
export function show(v: unknown): string {
  if (v === undefined) return '(unset)';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function run(s: RunState): string {
  if (!s.runs) return 'does not run';
  return `${s.when}${s.allowFailure ? ', may fail' : ''}`;
}

function counts(c: ConsumerImpact): string {
  const s = c.summary;
  const part = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  return [part(s.jobsChanged, 'job changed', 'jobs changed'), part(s.runsDifferently, 'run difference'), part(s.newErrors, 'new error'), part(s.newMissingVariables, 'new missing variable')].join(', ');
}

/** The lines describing one consumer's changes (shared by text and Markdown, which fences them). */
function detailLines(c: ConsumerImpact, indent: string): string[] {
  const d = c.diff;
  const out: string[] = [];
  const at = (l?: Location) => (l ? `   (${where(l)})` : '');
  for (const j of d.added) out.push(`${indent}+ job ${j.job} added${at(j.span)}`);
  for (const j of d.removed) out.push(`${indent}- job ${j.job} removed`);
  for (const j of d.changed) {
    out.push(`${indent}~ job ${j.job}`);
    for (const k of j.keys) out.push(...keyLines(k, `${indent}    `));
  }
  if (d.pipelines.length || d.runs.length) out.push(`${indent}runs differently:`);
  for (const p of d.pipelines) out.push(`${indent}    ${SCENARIO[p.scenario]}: the pipeline is ${p.after ? 'now created' : 'no longer created'} (${p.reason})`);
  for (const r of d.runs) out.push(`${indent}    ${SCENARIO[r.scenario]}: ${r.job}: ${run(r.before)} → ${run(r.after)} (${r.decidedBy})${at(r.span)}`);
  for (const e of d.errors.added) out.push(`${indent}new error: ${e.message} [${e.code}]${at(e.span)}`);
  for (const e of d.errors.resolved) out.push(`${indent}resolved error: ${e.message} [${e.code}]`);
  for (const m of d.missingVariables.added) out.push(`${indent}new missing variable: ${m.variable} (required by ${m.neededBy}; jobs ${m.jobs.join(', ')})${at(m.span)}`);
  for (const m of d.missingVariables.resolved) out.push(`${indent}resolved missing variable: ${m.variable}`);
  return out;
}

function keyLines(k: Located<KeyChange>, indent: string): string[] {
  const at = (l?: Location) => (l ? `   (${where(l)})` : '');
  if (k.kind === 'lines') {
    return [`${indent}${k.key}:`, ...k.lines.map((l: Located<LineChange>) => `${indent}  ${l.op === 'add' ? '+' : '-'} ${l.text}${l.op === 'add' ? at(l.span) : ''}`)];
  }
  if (k.kind === 'entries') {
    return k.entries.map((e) => `${indent}${k.key}.${e.name}: ${show(e.old)} → ${show(e.new)}${'new' in e ? at(e.span) : ''}`);
  }
  return [`${indent}${k.key}: ${show(k.old)} → ${show(k.new)}${'new' in k ? at(k.span) : ''}`];
}

export function renderText(r: ImpactReport): string {
  const lines: string[] = [];
  for (const c of r.consumers) {
    lines.push(`${c.name}: ${counts(c)}`, ...detailLines(c, '  '), '');
  }
  const n = r.consumers.length;
  lines.push(`${r.project} since ${r.base}: ${n} consumer${n === 1 ? '' : 's'} changed, ${r.unchanged.length} unchanged${r.failing ? '; a consumer gains an error or a missing required variable' : ''}`);
  return `${lines.join('\n')}\n`;
}

/** A Markdown code span holding `text` verbatim (no line breaks). */
export function code(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((m) => m.length));
  const ticks = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat.startsWith(' ') ? ' ' : '';
  return `${ticks}${pad}${flat}${pad}${ticks}`;
}

function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
}

/** HTML-escape (for text outside code: summaries of `<details>`). */
function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function renderMarkdown(r: ImpactReport): string {
  const out: string[] = [];
  out.push(`### Impact of this change of ${code(r.project)} on its consumers (since ${code(r.base)})`, '');
  if (!r.consumers.length) {
    out.push(`No consumer's pipeline changes (${r.unchanged.length} checked).`);
    return `${out.join('\n')}\n`;
  }
  out.push('| consumer | jobs changed | runs differently | new errors | new missing variables |', '| --- | ---: | ---: | ---: | ---: |');
  for (const c of r.consumers) {
    const s = c.summary;
    out.push(`| ${cell(code(c.name))} | ${s.jobsChanged} | ${s.runsDifferently} | ${s.newErrors ? `**${s.newErrors}**` : 0} | ${s.newMissingVariables ? `**${s.newMissingVariables}**` : 0} |`);
  }
  if (r.unchanged.length) out.push('', `Unchanged: ${r.unchanged.length} consumer${r.unchanged.length === 1 ? '' : 's'}.`);
  if (r.failing) out.push('', '**A consumer gains an error or a missing required variable.**');
  for (const c of r.consumers) {
    const body = detailLines(c, '').join('\n');
    const longest = Math.max(2, ...(body.match(/`+/g) ?? []).map((m) => m.length));
    const fence = '`'.repeat(longest + 1);
    out.push('', `<details><summary>${html(c.name)}: ${html(counts(c))}</summary>`, '', `${fence}diff`, body, fence, '', '</details>');
  }
  return `${out.join('\n')}\n`;
}
