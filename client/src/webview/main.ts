/**
 * The preview webview's script: owns the context bar, renders the model it receives from the
 * extension (markup from render.ts, every YAML value escaped there), draws the `needs` edges
 * once the cards are laid out, and turns clicks and Enter on links into "open this location".
 */
import type { PreviewModel } from '../../../server/src/features/preview.js';
import { renderJobsYaml, renderPreview } from './render.js';
import type { Location } from './render.js';
import { DEFAULT_UI_CONTEXT, requestContext } from './context.js';
import type { UiContext, UiSource } from './context.js';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const saved = (vscode.getState() ?? {}) as { context?: UiContext; selected?: string };
let context: UiContext = saved.context ?? { ...DEFAULT_UI_CONTEXT };
let selected: string | undefined = saved.selected;
let model: PreviewModel | undefined;
let locations: Location[] = [];
/** Matrix cards whose folded instance list is open (kept across re-renders). */
const openInstances = new Set<string>();

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const body = $('body');
const status = $('status');
const sourceEl = $<HTMLSelectElement>('ctx-source');
const branchEl = $<HTMLInputElement>('ctx-branch');
const tagEl = $<HTMLInputElement>('ctx-tag');
const varsEl = $<HTMLInputElement>('ctx-vars');
const targetEl = $('target');

function showContext(): void {
  sourceEl.value = context.source;
  branchEl.value = context.branch;
  tagEl.value = context.tag;
  varsEl.value = context.variables;
  tagEl.disabled = context.source !== 'tag';
  branchEl.disabled = context.source === 'tag';
}

function contextChanged(): void {
  const next: UiContext = { source: sourceEl.value as UiSource, branch: branchEl.value, tag: tagEl.value, variables: varsEl.value };
  if (JSON.stringify(next) === JSON.stringify(context)) return;
  context = next;
  showContext();
  save();
  status.textContent = 'updating…';
  vscode.postMessage({ type: 'context', context: requestContext(context) });
}

function save(): void {
  vscode.setState({ context, selected });
}

function render(): void {
  if (!model) return;
  const active = document.activeElement as HTMLElement | null;
  const focusedJob = active?.closest<HTMLElement>('.job')?.dataset.job;
  const onSummary = active?.tagName === 'SUMMARY';
  const t0 = performance.now();
  if (selected && !model.jobs.some((j) => j.name === selected)) selected = undefined;
  const r = renderPreview(model, selected, { openInstances });
  locations = r.locations;
  body.innerHTML = r.html; // markup from render.ts: every YAML-derived value is escaped there
  drawEdges();
  body.dataset.renderMs = String(Math.round(performance.now() - t0));
  appendYaml(model, r.yamlJobsRendered, ++renderGeneration);
  if (focusedJob) {
    const card = body.querySelector<HTMLElement>(`[data-job="${CSS.escape(focusedJob)}"]`);
    (onSummary ? card?.querySelector<HTMLElement>('summary') ?? card : card)?.focus();
  }
}

let renderGeneration = 0;
const YAML_CHUNK = 60;

/** The rest of the whole-pipeline YAML, a chunk per task, so a large pipeline paints at once. */
function appendYaml(m: PreviewModel, from: number, generation: number): void {
  if (selected || from >= m.jobs.length) return;
  setTimeout(() => {
    if (generation !== renderGeneration || m !== model) return; // a newer render took over
    const pane = body.querySelector('.yaml');
    if (!pane) return;
    const to = Math.min(from + YAML_CHUNK, m.jobs.length);
    pane.insertAdjacentHTML('beforeend', renderJobsYaml(m, from, to, locations)); // escaped in render.ts
    if (to >= m.jobs.length) body.dataset.yamlComplete = 'true';
    appendYaml(m, to, generation);
  }, 0);
}

function drawEdges(): void {
  const graph = body.querySelector('.graph') as HTMLElement | null;
  const svg = body.querySelector('svg.edges') as SVGSVGElement | null;
  if (!graph || !svg || !model) return;
  const origin = graph.getBoundingClientRect();
  const boxes = new Map<string, DOMRect>();
  for (const card of graph.querySelectorAll<HTMLElement>('.job')) boxes.set(card.dataset.job!, card.getBoundingClientRect());
  svg.setAttribute('width', String(graph.scrollWidth));
  svg.setAttribute('height', String(graph.scrollHeight));
  const included = new Set(model.jobs.filter((j) => j.included).map((j) => j.name));
  const ns = 'http://www.w3.org/2000/svg';
  const frag = document.createDocumentFragment();
  for (const e of model.edges) {
    const a = boxes.get(e.from);
    const b = boxes.get(e.to);
    if (!a || !b) continue;
    const left = -origin.left + graph.scrollLeft;
    const top = -origin.top + graph.scrollTop;
    const y1 = a.top + a.height / 2 + top;
    const y2 = b.top + b.height / 2 + top;
    let d: string;
    if (b.left >= a.right) {
      // The usual case: a later column. Right edge → left edge.
      const x1 = a.right + left;
      const x2 = b.left + left;
      const dx = Math.max(16, (x2 - x1) / 2);
      d = `M${x1},${y1} C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`;
    } else {
      // Same column (or an earlier one): a loop on the left side of the cards.
      const x1 = a.left + left;
      const x2 = b.left + left;
      const dx = 18;
      d = `M${x1},${y1} C${x1 - dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`;
    }
    const path = document.createElementNS(ns, 'path');
    path.setAttribute('d', d);
    path.setAttribute('class', `edge${included.has(e.from) && included.has(e.to) ? '' : ' skipped'}${e.optional ? ' optional' : ''}`);
    path.dataset.from = e.from;
    path.dataset.to = e.to;
    frag.appendChild(path);
  }
  svg.replaceChildren(frag);
}

function select(name: string | undefined): void {
  selected = name;
  save();
  render();
}

function openLocation(index: string | undefined): void {
  const loc = index === undefined ? undefined : locations[Number(index)];
  if (loc) vscode.postMessage({ type: 'open', location: loc });
}

body.addEventListener('click', (ev) => {
  const target = ev.target as HTMLElement;
  const link = target.closest<HTMLElement>('[data-loc]');
  if (link) {
    ev.preventDefault();
    ev.stopPropagation();
    openLocation(link.dataset.loc);
    return;
  }
  if (target.closest('[data-action="show-pipeline"]')) return select(undefined);
  if (target.closest('summary')) return; // folds the matrix instances open or shut, selects nothing
  const card = target.closest<HTMLElement>('.job');
  if (card) select(card.dataset.job === selected ? undefined : card.dataset.job);
});

// `toggle` does not bubble: listen in the capture phase.
body.addEventListener('toggle', (ev) => {
  const details = ev.target as HTMLDetailsElement;
  const name = details.dataset?.instances;
  if (name === undefined) return;
  if (details.open) openInstances.add(name);
  else openInstances.delete(name);
}, true);

body.addEventListener('keydown', (ev) => {
  const target = ev.target as HTMLElement;
  if ((ev.key === 'Enter' || ev.key === ' ') && target.classList.contains('job')) {
    ev.preventDefault();
    select(target.dataset.job);
  }
});

for (const el of [sourceEl, branchEl, tagEl, varsEl]) {
  el.addEventListener('change', contextChanged);
  el.addEventListener('keydown', (ev) => {
    if ((ev as KeyboardEvent).key === 'Enter') contextChanged();
  });
}
$('refresh').addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));

window.addEventListener('resize', () => drawEdges());
window.addEventListener('message', (ev: MessageEvent) => {
  const msg = ev.data as { type: string; model?: PreviewModel; message?: string; target?: string };
  if (msg.type === 'model' && msg.model) {
    model = msg.model;
    targetEl.textContent = msg.target ?? '';
    status.textContent = '';
    render();
  } else if (msg.type === 'error') {
    status.textContent = msg.message ?? 'error';
  } else if (msg.type === 'loading') {
    status.textContent = 'updating…';
  }
});

showContext();
vscode.postMessage({ type: 'ready', context: requestContext(context) });
