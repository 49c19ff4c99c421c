/**
 * The impact view's page, built from the server's report: a summary table, then one section per
 * consumer with its job diffs, each new value linked to the library line it comes from. A strict
 * Content-Security-Policy with a fresh nonce (preview-html.ts); every YAML-derived value passes
 * through `esc` (webview/render.ts); links carry an index into `locations`, which the extension
 * side resolves — the only script is a fixed one that posts that index.
 */
import type { KeyChange, LineChange, RunState } from '../../server/src/pipeline/diff/types.js';
import type { ConsumerImpact, ImpactReport, Located, Location as ReportLocation } from '../../server/src/impact/impact-report.js';
import { documentHead, makeNonce } from './preview-html.js';
import { esc, Links } from './webview/render.js';
import type { Location } from './webview/render.js';

const SCENARIO: Record<string, string> = { 'default-branch': 'default branch', tag: 'release tag', 'merge-request': 'merge request' };

/** A report location as an editor range (0-based); only files on disk are opened. */
export function editorLocation(l: ReportLocation | undefined): Location | undefined {
  if (!l || !l.uri.startsWith('file:')) return undefined;
  return { uri: l.uri, range: { start: { line: l.line - 1, character: l.column - 1 }, end: { line: l.endLine - 1, character: l.endColumn - 1 } } };
}

function value(v: unknown): string {
  if (v === undefined) return '<span class="unset">(unset)</span>';
  return `<code>${esc(typeof v === 'string' ? v : JSON.stringify(v))}</code>`;
}

function at(links: Links, l: ReportLocation | undefined): string {
  if (!l) return '';
  const text = esc(`${l.file}:${l.line}`);
  const loc = editorLocation(l);
  return ` ${loc ? links.link(text, loc, 'origin', 'open the library line') : `<span class="origin">${text}</span>`}`;
}

function run(s: RunState): string {
  return s.runs ? esc(`${s.when.replace('_', ' ')}${s.allowFailure ? ', may fail' : ''}`) : 'does not run';
}

function keyChange(k: Located<KeyChange>, links: Links): string {
  if (k.kind === 'lines') {
    const lines = k.lines.map((l: Located<LineChange>) => `<li class="${l.op}"><span class="sign">${l.op === 'add' ? '+' : '−'}</span><code>${esc(l.text)}</code>${l.op === 'add' ? at(links, l.span) : ''}</li>`);
    return `<li class="key"><span class="key-name">${esc(k.key)}:</span><ul class="lines">${lines.join('')}</ul></li>`;
  }
  if (k.kind === 'entries') {
    const entries = k.entries.map((e) => `<li><span class="key-name">${esc(e.name)}:</span> ${value(e.old)} → ${value(e.new)}${'new' in e ? at(links, e.span) : ''}</li>`);
    return `<li class="key"><span class="key-name">${esc(k.key)}:</span><ul class="entries">${entries.join('')}</ul></li>`;
  }
  return `<li class="key"><span class="key-name">${esc(k.key)}:</span> ${value(k.old)} → ${value(k.new)}${'new' in k ? at(links, k.span) : ''}</li>`;
}

function consumerSection(c: ConsumerImpact, index: number, links: Links): string {
  const d = c.diff;
  const parts: string[] = [];
  const jobs: string[] = [];
  for (const j of d.added) jobs.push(`<li class="job added"><span class="sign">+</span> <b>${esc(j.job)}</b> added${at(links, j.span)}</li>`);
  for (const j of d.removed) jobs.push(`<li class="job removed"><span class="sign">−</span> <b>${esc(j.job)}</b> removed</li>`);
  for (const j of d.changed) jobs.push(`<li class="job changed"><b>${esc(j.job)}</b><ul class="keys">${j.keys.map((k) => keyChange(k, links)).join('')}</ul></li>`);
  if (jobs.length) parts.push(`<h3>Jobs</h3><ul class="jobs">${jobs.join('')}</ul>`);
  const runs = [
    ...d.pipelines.map((p) => `<li>${esc(SCENARIO[p.scenario] ?? p.scenario)}: the pipeline is ${p.after ? 'now created' : 'no longer created'} <span class="why">(${esc(p.reason)})</span></li>`),
    ...d.runs.map((r) => `<li>${esc(SCENARIO[r.scenario] ?? r.scenario)}: <b>${esc(r.job)}</b> ${run(r.before)} → ${run(r.after)} <span class="why">(${esc(r.decidedBy)})</span>${at(links, r.span)}</li>`),
  ];
  if (runs.length) parts.push(`<h3>Runs differently</h3><ul class="runs">${runs.join('')}</ul>`);
  const findings = [
    ...d.errors.added.map((e) => `<li class="new error">new error: ${esc(e.message)} <span class="code">[${esc(e.code)}]</span>${at(links, e.span)}</li>`),
    ...d.missingVariables.added.map((m) => `<li class="new missing">new missing variable <b>${esc(m.variable)}</b> (required by ${esc(m.neededBy)}; jobs ${esc(m.jobs.join(', '))})${at(links, m.span)}</li>`),
    ...d.errors.resolved.map((e) => `<li class="resolved">resolved error: ${esc(e.message)}</li>`),
    ...d.missingVariables.resolved.map((m) => `<li class="resolved">resolved missing variable <b>${esc(m.variable)}</b></li>`),
  ];
  if (findings.length) parts.push(`<h3>Errors and variables</h3><ul class="findings">${findings.join('')}</ul>`);
  return `<details class="consumer" id="consumer-${index}" open><summary>${esc(c.name)}</summary>${parts.join('')}</details>`;
}

export function renderImpact(report: ImpactReport, notes: readonly string[] = []): { html: string; locations: Location[] } {
  const links = new Links();
  const head = `<h1>Impact on consumers of <code>${esc(report.project)}</code> since <code>${esc(report.base)}</code></h1>`;
  const gate = report.failing ? '<p class="gate failing" role="status">A consumer gains an error or a missing required variable.</p>' : '';
  const noteList = notes.length ? `<ul class="notes">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : '';
  if (!report.consumers.length) {
    return { html: `${head}<p class="empty" role="status">No consumer's pipeline changes (${esc(report.unchanged.length)} checked).</p>${noteList}`, locations: [] };
  }
  const rows = report.consumers.map((c, i) => {
    const s = c.summary;
    const bad = (n: number) => (n ? `<td class="num bad">${esc(n)}</td>` : '<td class="num">0</td>');
    return `<tr><td><a href="#consumer-${i}">${esc(c.name)}</a></td><td class="num">${esc(s.jobsChanged)}</td><td class="num">${esc(s.runsDifferently)}</td>${bad(s.newErrors)}${bad(s.newMissingVariables)}</tr>`;
  });
  const table = `<table class="summary-table"><thead><tr><th>consumer</th><th>jobs changed</th><th>runs differently</th><th>new errors</th><th>new missing variables</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  const unchanged = report.unchanged.length ? `<p class="unchanged">Unchanged: ${esc(report.unchanged.length)} consumer${report.unchanged.length === 1 ? '' : 's'}.</p>` : '';
  const sections = report.consumers.map((c, i) => consumerSection(c, i, links)).join('');
  return { html: `${head}${gate}${table}${unchanged}${noteList}${sections}`, locations: links.locations };
}

const STYLE = `
h1 { font-size: 1.15em; margin: 12px 0; }
.summary-table { border-collapse: collapse; margin: 8px 0 16px; }
.summary-table th, .summary-table td { border: 1px solid var(--vscode-widget-border, #8884); padding: 3px 10px; text-align: left; }
.summary-table .num { text-align: right; }
.bad { color: var(--vscode-errorForeground); font-weight: 600; }
.gate.failing { color: var(--vscode-errorForeground); }
.consumer { margin: 10px 0; border-top: 1px solid var(--vscode-widget-border, #8884); padding-top: 6px; }
.consumer > summary { font-weight: 600; cursor: pointer; }
ul { list-style: none; padding-left: 14px; margin: 4px 0; }
.lines li.add { color: var(--vscode-gitDecoration-addedResourceForeground, inherit); }
.lines li.remove { color: var(--vscode-gitDecoration-deletedResourceForeground, inherit); }
.sign { display: inline-block; width: 1.2em; }
.origin { margin-left: 8px; font-size: 0.9em; }
.why, .code, .unset, .unchanged { color: var(--vscode-descriptionForeground); }
.new.error { color: var(--vscode-errorForeground); }
code { font-family: var(--vscode-editor-font-family); white-space: pre-wrap; line-height: 1.5; }
`;

/** Posts the index of a clicked link; no data from the report is in the script. */
const SCRIPT = `
const vscode = acquireVsCodeApi();
document.addEventListener('click', (e) => {
  const a = e.target instanceof Element ? e.target.closest('a[data-loc]') : null;
  if (!a) return;
  e.preventDefault();
  vscode.postMessage({ type: 'open', index: Number(a.getAttribute('data-loc')) });
});
`;

export function impactPage(body: string, r: { cspSource: string; styleUri: string; nonce?: string }): string {
  const nonce = r.nonce ?? makeNonce();
  return `${documentHead(r, nonce, 'Impact of my changes', `<style nonce="${nonce}">${STYLE}</style>\n`)}
<body>
<main id="impact">${body}</main>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>`;
}
