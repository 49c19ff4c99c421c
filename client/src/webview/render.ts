/**
 * The preview's markup, as strings built from the server's model. Every value that comes from
 * YAML (job names, stage names, rule texts, keys, values, messages, paths) passes through `esc`;
 * nothing else is ever interpolated. Locations are not put in the markup: links carry an index
 * into `locations`, which the script resolves on click. Pure (no DOM), so it can be measured
 * and tested outside the webview.
 */
import type { PreviewInstance, PreviewJob, PreviewModel } from '../../../server/src/features/preview.js';
import type { PreviewYamlLine } from '../../../server/src/features/preview-yaml.js';

/** A file and range, as the server sends them. */
export type Location = NonNullable<PreviewJob['origin']>;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escapes text for element content and quoted attribute values. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export interface Rendered {
  html: string;
  /** Targets of the `data-loc` links in `html`. */
  locations: Location[];
}

export class Links {
  /** Appends to `locations` (pass the table of an earlier render to continue its numbering). */
  constructor(readonly locations: Location[] = []) {}

  /** An anchor to a location (or plain text when there is none). */
  link(text: string, loc: Location | undefined, cls = 'origin', title?: string): string {
    const t = title ? ` title="${esc(title)}"` : '';
    if (!loc) return `<span class="${cls}"${t}>${text}</span>`;
    this.locations.push(loc);
    return `<a href="#" class="${cls}" data-loc="${this.locations.length - 1}"${t}>${text}</a>`;
  }
}

const WHEN_LABEL: Record<string, string> = { manual: 'manual', delayed: 'delayed', always: 'always', on_failure: 'on failure' };

function badges(job: PreviewJob): string {
  const out: string[] = [];
  if (job.included && WHEN_LABEL[job.when]) out.push(`<span class="badge when-${esc(job.when)}">${esc(WHEN_LABEL[job.when])}${job.when === 'delayed' && job.startIn ? ` ${esc(job.startIn)}` : ''}</span>`);
  if (job.allowFailure) out.push('<span class="badge allow-failure" title="allow_failure: true">may fail</span>');
  if (job.trigger) out.push('<span class="badge trigger" title="trigger: a downstream pipeline">trigger</span>');
  if (job.parallel) out.push(`<span class="badge parallel" title="${job.matrix ? 'parallel:matrix' : 'parallel'}">${job.matrix ? 'matrix' : 'parallel'} ×${esc(job.parallel)}</span>`);
  if (job.needsNone) out.push('<span class="badge needs-none" title="needs: [] starts at once">needs: []</span>');
  return out.join('');
}

/** Matrix instances listed open on their card up to this many; a longer list is folded. */
export const INSTANCES_UNFOLDED = 6;

/** Every instance is skipped for the same reason: the card says it once. */
function sharedDecision(instances: readonly PreviewInstance[]): boolean {
  return instances.every((i) => !i.included && i.decidedBy.text === instances[0].decidedBy.text);
}

/** The instances of a `parallel:matrix` card, skipped ones greyed with the rule that decided. */
function renderInstances(job: PreviewJob, instances: readonly PreviewInstance[], links: Links, open: boolean): string {
  const shared = sharedDecision(instances);
  const items = instances.map((i) => {
    const vars = Object.entries(i.variables).map(([k, v]) => `${k}=${v}`).join(' ');
    const when = i.included && WHEN_LABEL[i.when] ? ` <span class="badge when-${esc(i.when)}">${esc(WHEN_LABEL[i.when])}</span>` : '';
    const rule = !i.included && !shared ? ` <span class="rule">${links.link(esc(i.decidedBy.text), i.decidedBy.location, 'rule-link', i.decidedBy.assumed)}</span>` : '';
    const title = i.included ? `${vars} · ${i.decidedBy.text}` : vars;
    return `<li class="instance ${i.included ? 'included' : 'skipped'}" title="${esc(title)}"><span class="instance-values">[${esc(i.values.join(', '))}]</span>${when}${rule}</li>`;
  });
  const run = instances.filter((i) => i.included).length;
  const count = `${run} of ${instances.length} instance${instances.length === 1 ? '' : 's'} run`;
  const list = `<ul class="instances" aria-label="${esc(`${job.name}: ${count}`)}">${items.join('')}</ul>`;
  if (instances.length <= INSTANCES_UNFOLDED) return list;
  return `<details class="instances" data-instances="${esc(job.name)}"${open ? ' open' : ''}><summary>${esc(count)}</summary>${list}</details>`;
}

/**
 * Stage columns with job cards; edges are drawn over them by the script once laid out.
 * `openInstances`: matrix cards whose folded instance list the user opened.
 */
export function renderGraph(model: PreviewModel, selected: string | undefined, links: Links, openInstances: ReadonlySet<string> = new Set()): string {
  const byName = new Map(model.jobs.map((j) => [j.name, j]));
  const cols: string[] = [];
  for (const stage of model.stages) {
    const cards = stage.jobs.map((name) => {
      const job = byName.get(name)!;
      const state = job.included ? 'included' : 'skipped';
      const instances = job.instances?.length ? job.instances : undefined;
      const run = instances ? `, ${instances.filter((i) => i.included).length} of ${instances.length} matrix instances run` : '';
      const label = `${job.name}, ${job.included ? job.when.replace('_', ' ') : 'skipped'}${run}`;
      // Skipped jobs show the rule that decided; for the others it is in the tooltip.
      const rule = job.included || (instances && !sharedDecision(instances)) ? '' : `<div class="rule">${links.link(esc(job.decidedBy.text), job.decidedBy.location, 'rule-link', job.decidedBy.assumed)}</div>`;
      const title = job.included && !instances ? ` title="${esc(job.decidedBy.text + (job.decidedBy.assumed ? ` (${job.decidedBy.assumed})` : ''))}"` : '';
      const list = instances ? renderInstances(job, instances, links, openInstances.has(name)) : '';
      return `<div class="job ${state}${name === selected ? ' selected' : ''}" tabindex="0" role="button" aria-pressed="${name === selected}" aria-label="${esc(label)}"${title} data-job="${esc(name)}"><div class="job-name">${esc(name)}</div><div class="badges">${badges(job)}</div>${rule}${list}</div>`;
    });
    cols.push(`<section class="stage" aria-label="stage ${esc(stage.name)}"><h3>${esc(stage.name)}</h3>${cards.join('')}</section>`);
  }
  return `<div class="graph">${cols.join('')}<svg class="edges" aria-hidden="true"></svg></div>`;
}

/** YAML lines, each key linked to where it was written. */
export function renderYamlLines(lines: readonly PreviewYamlLine[], links: Links): string {
  const out: string[] = [];
  // A provenance note is shown where it changes, not on every line it holds for.
  const viaAt: (string | undefined)[] = [];
  for (const l of lines) {
    const depth = Math.min(l.depth, 15);
    viaAt.length = l.depth;
    const inherited = viaAt.slice(0, l.depth).reverse().find((v) => v !== undefined);
    viaAt[l.depth] = l.via ?? inherited;
    const colon = l.text.indexOf(':');
    const isKey = colon > 0 && !l.text.startsWith('-') && !l.text.startsWith('"');
    const head = isKey ? l.text.slice(0, colon + 1) : l.text.startsWith('-') ? '-' : '';
    const rest = l.text.slice(head.length);
    const via = l.via && l.via !== inherited ? ` <span class="via">${esc(l.via)}</span>` : '';
    const body = head ? `${links.link(`<span class="key">${esc(head)}</span>`, l.origin, 'origin', l.origin ? 'open where this is written' : undefined)}<span class="value">${esc(rest)}</span>` : `<span class="value">${esc(rest)}</span>`;
    out.push(`<div class="yl d${depth}">${body}${via}</div>`);
  }
  return out.join('');
}

export function renderJobYaml(job: PreviewJob, links: Links): string {
  const head = links.link(`<span class="key">${esc(job.name)}:</span>`, job.origin, 'origin', 'open the job');
  const ext = job.extends.length ? ` <span class="via">extends ${esc(job.extends.join(', '))}</span>` : '';
  const fake: PreviewYamlLine[] = job.yaml.map((l) => ({ ...l, depth: l.depth + 1 }));
  return `<div class="job-yaml"><div class="yl d0">${head}${ext}</div>${renderYamlLines(fake, links)}</div>`;
}

/** How many jobs' YAML the first paint of the whole-pipeline view holds; the rest follows in chunks. */
export const FIRST_YAML_JOBS = 40;

/** The merged YAML of jobs [from, to) of the pipeline, links numbered after `locations`. */
export function renderJobsYaml(model: PreviewModel, from: number, to: number, locations: Location[]): string {
  const links = new Links(locations);
  return model.jobs.slice(from, to).map((j) => renderJobYaml(j, links)).join('');
}

export function renderDiagnostics(model: PreviewModel, links: Links): string {
  if (!model.diagnostics.length) return '<p class="empty">No problems.</p>';
  const items = model.diagnostics.map((d) => {
    const where = d.location ? links.link(esc(`${shortPath(d.location.uri)}:${d.location.range.start.line + 1}`), d.location, 'diag-link') : '';
    return `<li class="diag ${esc(d.severity)}"><span class="sev">${esc(d.severity)}</span> ${esc(d.message)} ${where}</li>`;
  });
  return `<ul class="diagnostics">${items.join('')}</ul>`;
}

function shortPath(uri: string): string {
  const clean = uri.replace(/\?.*$/, '');
  return decodeURIComponentSafe(clean.slice(clean.lastIndexOf('/', clean.lastIndexOf('/') - 1) + 1));
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function renderBanner(model: PreviewModel, links: Links): string {
  const parts: string[] = [];
  if (model.yamlError) {
    const e = model.yamlError;
    const where = links.link(esc(`the YAML does not parse (line ${e.line})`), e.location, 'rule-link');
    const then = e.lastGood ? ' — showing the pipeline as it last parsed' : '';
    parts.push(`<div class="banner yaml-error" role="status">${where}: ${esc(e.message)}${esc(then)}</div>`);
  }
  if (model.yamlError && !model.yamlError.lastGood) {
    // Nothing was read past the error: no verdict to give.
  } else if (!model.workflow.created) parts.push(`<div class="banner not-created" role="status">Pipeline not created: ${links.link(esc(model.workflow.text), model.workflow.location, 'rule-link')}</div>`);
  else if (model.pipelineError) parts.push(`<div class="banner not-created" role="status">${links.link(esc(model.pipelineError.message), model.pipelineError.location, 'rule-link')}</div>`);
  const counts = model.jobs.filter((j) => j.included).length;
  const n = (count: number, word: string) => `${esc(count)} ${word}${count === 1 ? '' : 's'}`;
  parts.push(`<div class="summary">${esc(counts)} of ${n(model.jobs.length, 'job')} run · ${n(model.templates.length, 'template')} · ${n(model.files.length, 'file')}${model.standalone ? ' · preset file on its own' : ''}</div>`);
  return parts.join('');
}

/** The whole preview body (everything but the context bar, which the script owns). */
export function renderPreview(model: PreviewModel, selected?: string, opts: { allYaml?: boolean; openInstances?: ReadonlySet<string> } = {}): Rendered & { yamlJobsRendered: number } {
  const links = new Links();
  const banner = renderBanner(model, links);
  const graph = renderGraph(model, selected, links, opts.openInstances);
  const job = selected ? model.jobs.find((j) => j.name === selected) : undefined;
  let yaml: string;
  let yamlTitle: string;
  let rendered = 0;
  if (job) {
    yamlTitle = `Merged YAML of ${esc(job.name)} <button class="link-button" data-action="show-pipeline">show the whole pipeline</button>`;
    yaml = renderJobYaml(job, links);
  } else {
    yamlTitle = 'Merged YAML of the pipeline';
    const first = opts.allYaml ? model.jobs.length : Math.min(FIRST_YAML_JOBS, model.jobs.length);
    yaml = renderYamlLines(model.globals, links) + model.jobs.slice(0, first).map((j) => renderJobYaml(j, links)).join('');
    rendered = first;
  }
  const html = `${banner}${graph}<div class="panes"><section class="yaml-pane" aria-label="merged YAML"><h2>${yamlTitle}</h2><div class="yaml">${yaml}</div></section><section class="diag-pane" aria-label="problems"><h2>Problems (${esc(model.diagnostics.length)})</h2>${renderDiagnostics(model, links)}</section></div>`;
  return { html, locations: links.locations, yamlJobsRendered: rendered };
}
