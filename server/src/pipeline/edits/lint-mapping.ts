/**
 * GitLab's CI Lint and our merged model (pure). What we send is our merged configuration in
 * full (`mergedYamlForLint`); GitLab's messages about it name configuration paths
 * (`jobs:build:script config should be …`, `root config contains unknown keys: x`,
 * `build job: chosen stage does not exist; …`, `'a' job needs 'b' job, but …`, `Included file …`)
 * and are mapped back through the provenance of the merged model — the job's key, the key's
 * span inside the job (wherever extends/default/!reference brought it from), the include entry —
 * to where the user wrote it; anything unmappable lands at the start of the root file.
 * `diffMergedYaml` compares GitLab's `merged_yaml` with ours, structurally (`extends` dropped
 * on both sides, maps compared without regard to key order).
 */
import { stringify } from 'yaml';
import type { ExpandedPipeline } from '../merge/expand.js';
import { parseExpression } from '../expressions/expressions.js';
import { isMap, isSeq, toPlain } from '../model.js';
import type { Node, PipelineDiagnostic, Span } from '../model.js';
import { renderPipeline } from '../merge/output.js';
import { parseYaml } from '../yaml/parse.js';

export const LINT_ERROR_CODE = 'gitlab-lint-error';
export const LINT_WARNING_CODE = 'gitlab-lint-warning';

/**
 * The configuration we send: the merged pipeline in full (hidden jobs, `default:`, extends and
 * !reference applied, `include:` and `spec:` gone), quoted for YAML 1.1 so that GitLab's loader
 * reads back the types we mean (`"yes"`, `"0755"`, `"1:30"` stay strings).
 */
export function mergedYamlForLint(p: ExpandedPipeline): string {
  return stringify(renderPipeline(p, { full: true }), { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false });
}

/**
 * GitLab's errors and warnings as diagnostics at source positions. Messages that repeat one of
 * our own diagnostics word for word are left out (the engine already reports them, positioned).
 */
export function mapLintMessages(p: ExpandedPipeline, lint: { valid: boolean; errors: readonly string[]; warnings: readonly string[] }): PipelineDiagnostic[] {
  const ours = new Set(p.diagnostics.map((d) => d.message));
  const out: PipelineDiagnostic[] = [];
  const add = (severity: 'error' | 'warning', code: string, message: string) => {
    if (ours.has(message) || out.some((d) => d.message === message && d.code === code)) return;
    out.push({ severity, code, message, span: lintMessageSpan(p, message) });
  };
  for (const m of lint.errors) add('error', LINT_ERROR_CODE, m);
  for (const m of lint.warnings) add('warning', LINT_WARNING_CODE, m);
  if (!lint.valid && lint.errors.length === 0) add('error', LINT_ERROR_CODE, 'GitLab rejected the configuration without saying why');
  return out;
}

/** Where a GitLab lint message points in the sources (the root file's start when it cannot tell). */
export function lintMessageSpan(p: ExpandedPipeline, message: string): Span {
  return includeSpan(p, message) ?? needsSpan(p, message) ?? pathSpan(p, message) ?? jobMessageSpan(p, message) ?? workflowSpan(p, message) ?? rootStart(p);
}

function rootStart(p: ExpandedPipeline): Span {
  const root = p.files.find((f) => f.kind === 'root') ?? p.files[0];
  return { uri: root?.uri ?? p.merged.span?.uri ?? '', start: 0, end: 0 };
}

/** The span of a key in a map node, else of its value. */
function keySpan(node: Node | undefined, key: string): Span | undefined {
  if (!isMap(node)) return undefined;
  return node.keySpans.get(key) ?? node.entries.get(key)?.span;
}

/** A job (or hidden job) as GitLab sees it: after extends, !reference and default:. */
function jobNode(p: ExpandedPipeline, name: string): Node | undefined {
  return p.jobs.get(name)?.node ?? p.merged.entries.get(name);
}

/** The longest job name `n` such that `text` continues with `n` followed by `:`, a space or its end. */
function jobNameAt(p: ExpandedPipeline, text: string): string | undefined {
  let best: string | undefined;
  for (const name of p.merged.entries.keys()) {
    if (!text.startsWith(name) || (best && best.length >= name.length)) continue;
    const next = text[name.length];
    if (next === undefined || next === ':' || next === ' ') best = name;
  }
  return best;
}

/** `Included file `x` …`, `Local file `x` does not exist!`, `Project `a/b` file `c` …`: the include entry. */
function includeSpan(p: ExpandedPipeline, message: string): Span | undefined {
  if (!/^(Included|Local file|Project `|Remote file|Template|Component|include\b)/i.test(message)) return undefined;
  const names = [...message.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
  const included = p.files.filter((f) => f.includedFrom);
  for (const name of [...names].reverse()) {
    const bare = name.replace(/^\/+/, '');
    const hit = included.find((f) => f.path === bare || f.path.replace(/^\/+/, '') === bare || f.uri.endsWith(`/${bare}`) || f.uri === name);
    if (hit) return hit.includedFrom!.span;
  }
  for (const name of names) {
    const hit = included.find((f) => f.loc.project === name);
    if (hit) return hit.includedFrom!.span;
  }
  const root = p.files.find((f) => f.kind === 'root');
  return keySpan(root?.content, 'include') ?? keySpan(root?.parsed.content, 'include');
}

/** `'a' job needs 'b' job, but 'b' is not in any previous stage` (and `… does not exist in the pipeline`). */
function needsSpan(p: ExpandedPipeline, message: string): Span | undefined {
  const m = /^'(.+?)' job needs '(.+?)' job\b/.exec(message);
  if (!m || !p.merged.entries.has(m[1])) return undefined;
  return listItemSpan(jobNode(p, m[1]), 'needs', m[2]) ?? keySpan(p.merged, m[1]);
}

/** The item of a list keyword naming `name` (`needs: [b]`, `needs: [{job: b}]`, `dependencies: [b]`), else the keyword. */
function listItemSpan(job: Node | undefined, key: string, name: string): Span | undefined {
  if (!isMap(job)) return undefined;
  const list = job.entries.get(key);
  if (isSeq(list)) {
    for (const item of list.items) {
      if (item.kind === 'scalar' && String(item.value) === name) return item.span;
      const j = isMap(item) ? item.entries.get('job') : undefined;
      if (j?.kind === 'scalar' && String(j.value) === name) return j.span ?? item.span;
    }
  }
  return keySpan(job, key);
}

/**
 * Messages that start with a configuration path: `jobs:NAME[:key…] …`, `root config …`,
 * `variables config …`, `workflow:rules:rule if …`, `default:image …`.
 */
function pathSpan(p: ExpandedPipeline, message: string): Span | undefined {
  let node: Node | undefined;
  let span: Span | undefined;
  let rest: string;
  let job = message.startsWith('jobs:') ? jobNameAt(p, message.slice(5)) : undefined;
  if (job !== undefined) {
    node = jobNode(p, job);
    span = keySpan(p.merged, job);
    rest = message.slice(5 + job.length);
  } else {
    const m = /^([A-Za-z_][\w-]*)(?=[: ])/.exec(message);
    if (!m) return undefined;
    if (m[1] === 'root') node = p.merged;
    else if (m[1] !== 'jobs' && p.merged.entries.has(m[1])) {
      if (p.jobs.has(m[1])) job = m[1];
      node = job !== undefined ? jobNode(p, job) : p.merged.entries.get(m[1]);
      span = keySpan(p.merged, m[1]);
    } else return undefined;
    rest = message.slice(m[1].length);
  }
  if (rest.startsWith(':')) {
    const space = rest.indexOf(' ');
    const segments = (space < 0 ? rest.slice(1) : rest.slice(1, space)).split(':');
    rest = space < 0 ? '' : rest.slice(space);
    for (const seg of segments) {
      if (isMap(node) && node.entries.has(seg)) {
        span = keySpan(node, seg) ?? span;
        node = node.entries.get(seg);
      } else if (isSeq(node)) {
        // `rules:rule`, `needs:need`, `services:service` name the items; `rules:rule:changes` a key of one.
        const item = node.items.find((i) => isMap(i) && i.entries.has(seg));
        if (item) {
          span = keySpan(item, seg) ?? span;
          node = (item as { entries: Map<string, Node> }).entries.get(seg);
        }
      } else break;
    }
  }
  return refine(node, rest, job !== undefined ? jobNode(p, job) : undefined) ?? span;
}

/** A closer span from what the message says after its path. */
function refine(node: Node | undefined, detail: string, job: Node | undefined): Span | undefined {
  const unknown = /contains unknown keys: (.+)$/.exec(detail);
  if (unknown) {
    const keys = unknown[1].split(/,\s*/).map((k) => k.trim());
    const maps = isSeq(node) ? node.items.filter(isMap) : isMap(node) ? [node] : [];
    for (const m of maps) for (const k of keys) if (m.entries.has(k)) return keySpan(m, k);
    return undefined;
  }
  if (/invalid expression syntax|\bif\b.*(syntax|invalid)/i.test(detail)) {
    const rules = isSeq(node) ? node.items : isMap(node) ? [node] : [];
    for (const rule of rules) {
      const cond = isMap(rule) ? rule.entries.get('if') : undefined;
      if (cond?.kind === 'scalar' && !parseExpression(String(cond.value ?? '')).ok) return cond.span;
    }
    return undefined;
  }
  return jobDetailSpan(job, detail);
}

/** `chosen stage …`, `undefined need: b`, `need b is not defined …`, `undefined dependency: b`, `extends`. */
function jobDetailSpan(job: Node | undefined, detail: string): Span | undefined {
  if (!isMap(job)) return undefined;
  if (/chosen stage/.test(detail)) return job.entries.get('stage')?.span ?? keySpan(job, 'stage');
  const need = /undefined need: (.+?)\s*$/.exec(detail) ?? /\bneed (.+?) is not defined/.exec(detail);
  if (need) return listItemSpan(job, 'needs', need[1]);
  const dep = /undefined dependency: (.+?)\s*$/.exec(detail);
  if (dep) return listItemSpan(job, 'dependencies', dep[1]);
  if (/`extends`/.test(detail)) return keySpan(job, 'extends');
  return undefined;
}

/** `build job: chosen stage does not exist; …`, `build: unknown keys in `extends` (.x)`: job name, then detail. */
function jobMessageSpan(p: ExpandedPipeline, message: string): Span | undefined {
  const name = jobNameAt(p, message);
  if (name === undefined) return undefined;
  const detail = message.slice(name.length);
  if (!/^(?: job)?:/.test(detail)) return undefined;
  return jobDetailSpan(jobNode(p, name), detail) ?? keySpan(p.merged, name);
}

function workflowSpan(p: ExpandedPipeline, message: string): Span | undefined {
  return /workflow/i.test(message) ? keySpan(p.merged, 'workflow') : undefined;
}

// ───────────────────────────────────────────────────────────── merged YAML ──

/** One place where GitLab's merged YAML and ours disagree. An absent side is left out. */
export interface MergedYamlDifference {
  /** Keys and list indexes from the top (a job name first for job keys). */
  path: (string | number)[];
  ours?: unknown;
  theirs?: unknown;
}

/** Our merged configuration (as sent) against GitLab's `merged_yaml`. */
export function diffMergedYaml(p: ExpandedPipeline, mergedYaml: string): MergedYamlDifference[] {
  const parsed = parseYaml('gitlab:merged_yaml', mergedYaml);
  const broken = parsed.diagnostics.find((d) => d.severity === 'error');
  if (broken) return [{ path: [], theirs: `unreadable merged_yaml (${broken.message})` }];
  return diffPlain(comparable(renderPipeline(p, { full: true })), comparable(unsymbolise(toPlain(parsed.content))));
}

/** Ruby symbol keys (`:script:` in older GitLab dumps) as plain keys. */
function unsymbolise(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unsymbolise);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k.startsWith(':') ? k.slice(1) : k, unsymbolise(x)]));
  return v;
}

/** The top level without `extends:` in any job (it has been applied; GitLab may keep the key). */
function comparable(v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v ?? {};
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => {
      if (!x || typeof x !== 'object' || Array.isArray(x) || !('extends' in x)) return [k, x];
      const { extends: _dropped, ...rest } = x as Record<string, unknown>;
      return [k, rest];
    }),
  );
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Structural differences of two plain values: maps by key (order ignored), lists by index (a length change is one difference). */
export function diffPlain(ours: unknown, theirs: unknown, path: (string | number)[] = [], out: MergedYamlDifference[] = []): MergedYamlDifference[] {
  if (isObject(ours) && isObject(theirs)) {
    for (const k of Object.keys(ours)) {
      if (!(k in theirs)) out.push({ path: [...path, k], ours: ours[k] });
      else diffPlain(ours[k], theirs[k], [...path, k], out);
    }
    for (const k of Object.keys(theirs)) if (!(k in ours)) out.push({ path: [...path, k], theirs: theirs[k] });
    return out;
  }
  if (Array.isArray(ours) && Array.isArray(theirs) && ours.length === theirs.length) {
    ours.forEach((o, i) => diffPlain(o, theirs[i], [...path, i], out));
    return out;
  }
  if (!sameValue(ours, theirs)) out.push({ path, ours, theirs });
  return out;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && sameValue(a[k], b[k]));
  }
  return false;
}

/** `build:script[0]`, `.tpl:variables:X` — GitLab's own way of naming configuration paths. */
export function formatDiffPath(path: readonly (string | number)[]): string {
  if (!path.length) return '(whole configuration)';
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : `${i ? ':' : ''}${s}`)).join('');
}

/** One line: `build:script[0]: ours "make", GitLab "make all"`. */
export function formatDifference(d: MergedYamlDifference, max = 120): string {
  const show = (v: unknown, present: boolean) => {
    if (!present) return '(absent)';
    const s = JSON.stringify(v) ?? 'null';
    return s.length > max ? `${s.slice(0, max - 1)}…` : s;
  };
  return `${formatDiffPath(d.path)}: ours ${show(d.ours, 'ours' in d)}, GitLab ${show(d.theirs, 'theirs' in d)}`;
}
