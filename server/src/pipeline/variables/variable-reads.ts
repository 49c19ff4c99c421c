/**
 * The variables a job reads, with where each read is written: `$VAR`, `${VAR}`, `${VAR:-x}`,
 * `${VAR?msg}`, ... in every string GitLab or the job's shell expands (scripts, image, services,
 * variables values, artifacts, cache, environment, rules, ...). Reads in `rules:if` and
 * `only/except:variables` are conditions (an unset variable is a normal state there).
 * Variables the job's own shell assigns before reading them (`export X=...`, `X=...`,
 * `for X in`, `read X`) are not reads of the pipeline's variables.
 */
import { expressionVariables } from '../expressions/expressions.js';
import type { JobView } from '../merge/jobs.js';
import type { Node, ScalarNode, Span, ViaStep } from '../model.js';
import { spanWithin } from '../model.js';
import { findVariableReads } from './variable-expansion.js';
import { shellAssignments } from './shell-assignments.js';
import type { VariableRead, VariableReadForm } from './variable-expansion.js';

export interface ReadFact {
  name: string;
  /** Where the read is written (the whole scalar when the exact place is unknown). */
  span?: Span;
  form: VariableReadForm | 'expression';
  /** The fallback of `${X:-d}` / `${X-d}` / `${X:=d}`. */
  default?: string;
  /** The message of `${X?msg}` / `${X:?msg}`. */
  message?: string;
  /** A condition (rules:if, only:variables, `${X:+…}`): reading an unset variable is fine. */
  conditional: boolean;
  /** The job keyword the read sits under (`script`, `image`, `variables`, `rules`, ...). */
  keyword: string;
  /** Provenance of the value holding the read (extends, !reference, default: steps). */
  via: readonly ViaStep[];
  /** For a read inside a variable's value: that variable. */
  through?: string;
  /** For script reads: which script item (used by the vars-check job recognition). */
  item?: { key: string; index: number; text: string };
}

export type TextOf = (uri: string) => string | undefined;

/** Keywords whose values GitLab does not expand (names, flags, durations, regexes, structure;
 *  `needs:` is walked on its own). */
const NOT_EXPANDED = new Set([
  'extends', 'stage', 'dependencies', 'when', 'allow_failure', 'inherit', 'interruptible',
  'retry', 'timeout', 'coverage', 'start_in', 'parallel', 'manual_confirmation', 'dast_configuration',
]);
const SCRIPT_KEYS = ['before_script', 'script', 'after_script'];

/**
 * What a walk of a job's values does with each scalar it finds expanded: facts with their places
 * and provenance (`jobReads`), or names only (`jobReadNames`). The walk is the one home of which
 * keywords GitLab or the shell expand and how.
 */
interface Sink {
  /** A value GitLab or the job's shell (`shell`) expands. */
  value(node: ScalarNode, keyword: string, via: readonly ViaStep[], shell: boolean): void;
  /** An `if:` or `only/except: variables:` expression: its reads are conditions. */
  expression(node: ScalarNode, keyword: string, via: readonly ViaStep[]): void;
  /** The script line whose reads come next (undefined after it). */
  line(item: { key: string; index: number; text: string } | undefined): void;
  /** False when provenance is not wanted: the chains are not joined. */
  readonly via: boolean;
}

const NO_VIA: readonly ViaStep[] = [];

class FactSink implements Sink {
  readonly out: PendingRead[] = [];
  readonly via = true;
  private item: { key: string; index: number; text: string } | undefined;
  constructor(private readonly textOf: TextOf) {}
  value(node: ScalarNode, keyword: string, via: readonly ViaStep[], shell: boolean): void {
    for (const r of scalarReads(node, keyword, via, this.textOf, shell)) {
      if (this.item) r.item = this.item;
      this.out.push(r);
    }
  }
  expression(node: ScalarNode, keyword: string, via: readonly ViaStep[]): void {
    for (const r of expressionReads(node, keyword, via, this.textOf)) this.out.push(r);
  }
  line(item: { key: string; index: number; text: string } | undefined): void {
    this.item = item;
  }
}

/** Names read, and those read `unguarded`: neither as a condition nor with a default. */
class NameSink implements Sink {
  readonly all = new Set<string>();
  readonly unguarded = new Set<string>();
  readonly via = false;
  value(node: ScalarNode, _keyword: string, _via: readonly ViaStep[], shell: boolean): void {
    if (typeof node.value !== 'string' || !node.value.includes('$')) return;
    for (const read of scalarReadsOf(node, shell)) {
      this.all.add(read.name);
      if (read.form !== 'alternate' && read.form !== 'default') this.unguarded.add(read.name);
    }
  }
  expression(node: ScalarNode): void {
    for (const name of expressionNames(node)) this.all.add(name);
  }
  line(): void {}
}

/** Every read of a job (its merged node), minus what its shell assigns itself. */
export function jobReads(job: JobView, textOf: TextOf): ReadFact[] {
  const sink = new FactSink(textOf);
  walkJob(job, sink);
  return withoutShellAssigned(sink.out, scriptItems(job));
}

/**
 * The names a job reads, without places or provenance (a cheap pass for contract/): `all` of them,
 * and those read `unguarded` — not as a condition, not with a default. Reads of what the job's own
 * shell assigns first are kept: a superset of `jobReads`' names.
 */
export function jobReadNames(job: JobView): { all: Set<string>; unguarded: Set<string> } {
  const sink = new NameSink();
  walkJob(job, sink);
  return sink;
}

/** The names read in a variable's value, as `jobReadNames` gives them (what `valueReads` reads). */
export function valueReadNames(value: Node): { all: Set<string>; unguarded: Set<string> } {
  const sink = new NameSink();
  const node = value.kind === 'map' ? value.entries.get('value') : value;
  if (node && !isNoExpand(value)) walk(node, 'variables', NO_VIA, sink);
  return sink;
}

function walkJob(job: JobView, sink: Sink): void {
  for (const [key, value] of job.node.entries) {
    if (key === 'needs') {
      needsReads(value, value.via ?? NO_VIA, sink);
      continue;
    }
    if (NOT_EXPANDED.has(key)) continue;
    const via = value.via ?? NO_VIA;
    if (SCRIPT_KEYS.includes(key)) scriptReads(key, value, via, sink);
    else if (key === 'variables') variablesReads(value, via, sink);
    else if (key === 'rules') rulesReads(value, via, sink);
    else if (key === 'only' || key === 'except') onlyExceptReads(key, value, via, sink);
    else walk(value, key, via, sink);
  }
}

/** The reads in a variable's value (for reads that go through a variable). */
export function valueReads(name: string, value: Node, textOf: TextOf, conditional: boolean): ReadFact[] {
  const sink = new FactSink(textOf);
  const node = value.kind === 'map' ? value.entries.get('value') : value;
  if (value.kind === 'map' && isNoExpand(value)) return sink.out;
  if (node) walk(node, 'variables', value.via ?? NO_VIA, sink);
  for (const r of sink.out) {
    r.through = name;
    if (conditional) r.conditional = true;
  }
  return sink.out;
}

function join(sink: Sink, a: readonly ViaStep[], b: readonly ViaStep[] | undefined): readonly ViaStep[] {
  if (!sink.via || !b?.length) return a;
  if (!a.length) return b;
  return [...b, ...a.filter((s) => !b.includes(s))];
}

function walk(node: Node, keyword: string, via: readonly ViaStep[], sink: Sink, shell = false): void {
  const v = join(sink, via, node.via);
  if (node.kind === 'scalar') sink.value(node, keyword, v, shell);
  else if (node.kind === 'seq') for (const i of node.items) walk(i, keyword, v, sink, shell);
  else if (node.kind === 'map') for (const child of node.entries.values()) walk(child, keyword, v, sink, shell);
}

function isNoExpand(map: Node): boolean {
  if (map.kind !== 'map') return false;
  const e = map.entries.get('expand');
  return e?.kind === 'scalar' && e.value === false;
}

function scriptReads(key: string, value: Node, via: readonly ViaStep[], sink: Sink): void {
  const items = value.kind === 'seq' ? value.items : [value];
  items.forEach((item, index) => {
    sink.line({ key, index, text: item.kind === 'scalar' ? String(item.value ?? '') : '' });
    walk(item, key, via, sink, true);
  });
  sink.line(undefined);
}

function variablesReads(value: Node, via: readonly ViaStep[], sink: Sink): void {
  if (value.kind !== 'map') return;
  // `X: $X` reads the outer X (a pipeline or settings variable), as GitLab does.
  for (const v of value.entries.values()) {
    if (v.kind === 'map') {
      if (isNoExpand(v)) continue;
      const inner = v.entries.get('value');
      if (inner) walk(inner, 'variables', join(sink, via, v.via), sink);
    } else walk(v, 'variables', via, sink);
  }
}

function rulesReads(value: Node, via: readonly ViaStep[], sink: Sink): void {
  if (value.kind !== 'seq') return;
  for (const rule of value.items) {
    if (rule.kind !== 'map') continue;
    const v = join(sink, via, rule.via);
    for (const [k, n] of rule.entries) {
      if (k === 'if') {
        if (n.kind === 'scalar') sink.expression(n, 'rules', join(sink, v, n.via));
      } else if (k === 'changes' || k === 'exists') walk(n, 'rules', v, sink);
      else if (k === 'variables' && n.kind === 'map') for (const x of n.entries.values()) walk(x, 'rules', v, sink);
    }
  }
}

/** `needs:` names jobs literally, except entries of another pipeline or project: GitLab expands
 *  their `pipeline:`, `project:`, `ref:` and `job:` (`pipeline: $PARENT_PIPELINE_ID`). */
function needsReads(value: Node, via: readonly ViaStep[], sink: Sink): void {
  if (value.kind !== 'seq') return;
  for (const need of value.items) {
    if (need.kind !== 'map' || !(need.entries.has('pipeline') || need.entries.has('project'))) continue;
    const v = join(sink, via, need.via);
    for (const k of ['pipeline', 'project', 'ref', 'job']) {
      const n = need.entries.get(k);
      if (n) walk(n, 'needs', v, sink);
    }
  }
}

function onlyExceptReads(key: string, value: Node, via: readonly ViaStep[], sink: Sink): void {
  if (value.kind !== 'map') return;
  const vars = value.entries.get('variables');
  const items = vars?.kind === 'seq' ? vars.items : vars ? [vars] : [];
  for (const i of items) if (i.kind === 'scalar') sink.expression(i, key, join(sink, via, i.via));
}

/**
 * Caches are keyed by the scalar's span object when it has one: copies made to record provenance
 * (`withVia`) share it, and so do analyses through the parse cache. The value is kept too, since
 * interpolation makes scalars with the same span and another value.
 */
function cacheKey(node: ScalarNode): object {
  return node.span ?? node;
}

const expressionCache = new WeakMap<object, { value: unknown; names: Set<string>; located?: LocatedRead[] }>();

/** The variables an `if:` expression reads (per node; its places come with `expressionLocated`). */
function expressionEntry(node: ScalarNode): { value: unknown; names: Set<string>; located?: LocatedRead[] } {
  const hit = expressionCache.get(cacheKey(node));
  if (hit && hit.value === node.value) return hit;
  const text = String(node.value ?? '');
  let names = new Set<string>();
  try {
    if (text.includes('$')) names = new Set(expressionVariables(text));
  } catch {
    names = new Set();
  }
  const entry = { value: node.value, names };
  expressionCache.set(cacheKey(node), entry);
  return entry;
}

function expressionNames(node: ScalarNode): Set<string> {
  return expressionEntry(node).names;
}

function expressionReads(node: ScalarNode, keyword: string, via: readonly ViaStep[], textOf: TextOf): ReadFact[] {
  return expressionLocated(node, textOf).map((l) => ({ name: l.read.name, span: l.span, form: 'expression', conditional: true, keyword, via }));
}

/** The reads of an `if:` expression with their places, per node. */
function expressionLocated(node: ScalarNode, textOf: TextOf): LocatedRead[] {
  const entry = expressionEntry(node);
  if (!entry.located) {
    const { names } = entry;
    const text = String(node.value ?? '');
    const reads = names.size ? findVariableReads(text).filter((r) => names.has(r.name)) : [];
    const spans = reads.length ? locate(text, reads, node.span, textOf) : [];
    entry.located = reads.map((read, i) => ({ read, span: spans[i] }));
  }
  return entry.located;
}

interface PendingRead extends ReadFact {
  /** Offset of the read inside its scalar's value (for shell-assignment ordering). */
  valueOffset?: number;
}

interface LocatedRead {
  read: VariableRead;
  span: Span | undefined;
}

/** Reads of a scalar with their source ranges, per node (nodes are immutable and shared between
 *  jobs through extends/!reference, and between analyses through the parse cache). */
interface ScalarEntry {
  value: unknown;
  shell?: VariableRead[];
  plain?: VariableRead[];
  shellLocated?: LocatedRead[];
  plainLocated?: LocatedRead[];
}
const scalarCache = new WeakMap<object, ScalarEntry>();

function scalarEntry(node: ScalarNode): ScalarEntry {
  let entry = scalarCache.get(cacheKey(node));
  if (!entry || entry.value !== node.value) scalarCache.set(cacheKey(node), (entry = { value: node.value }));
  return entry;
}

/** The reads of a string scalar, without places (what a names-only walk needs). */
function scalarReadsOf(node: ScalarNode, shell: boolean, entry = scalarEntry(node)): VariableRead[] {
  const cached = shell ? entry.shell : entry.plain;
  if (cached) return cached;
  const reads = findVariableReads(node.value as string, { shell });
  if (shell) entry.shell = reads;
  else entry.plain = reads;
  return reads;
}

function locatedReads(node: ScalarNode, textOf: TextOf, shell: boolean): LocatedRead[] {
  const entry = scalarEntry(node);
  const cached = shell ? entry.shellLocated : entry.plainLocated;
  if (cached) return cached;
  const text = node.value as string;
  const reads = scalarReadsOf(node, shell, entry);
  const spans = reads.length ? locate(text, reads, node.span, textOf) : [];
  const out = reads.map((read, i) => ({ read, span: spans[i] }));
  if (shell) entry.shellLocated = out;
  else entry.plainLocated = out;
  return out;
}

function scalarReads(node: ScalarNode, keyword: string, via: readonly ViaStep[], textOf: TextOf, shell: boolean): PendingRead[] {
  if (typeof node.value !== 'string' || !node.value.includes('$')) return [];
  return locatedReads(node, textOf, shell).map((l) => toFact(l.read, l.span, keyword, via));
}

function toFact(r: VariableRead, span: Span | undefined, keyword: string, via: readonly ViaStep[]): PendingRead {
  const fact: PendingRead = { name: r.name, span, form: r.form, conditional: r.form === 'alternate', keyword, via, valueOffset: r.start };
  if (r.form === 'default') fact.default = r.default;
  if (r.form === 'required') fact.message = r.required;
  // `${#X}`, `${!X}` and pattern operators still need X; `${X:+…}` only tests it.
  return fact;
}

/** Source ranges of reads found in a scalar's value: the same reads found in its YAML source, in order. */
function locate(value: string, reads: VariableRead[], span: Span | undefined, textOf: TextOf): (Span | undefined)[] {
  if (!span) return reads.map(() => undefined);
  const src = textOf(span.uri)?.slice(span.start, span.end);
  if (src === undefined) return reads.map(() => span);
  if (src === value) return reads.map((r) => spanWithin(span, r.start, r.end));
  const inSource = findVariableReads(src);
  let next = 0;
  return reads.map((r) => {
    for (let k = next; k < inSource.length; k++) {
      if (inSource[k].name === r.name) {
        next = k + 1;
        return spanWithin(span, inSource[k].start, inSource[k].end);
      }
    }
    return span;
  });
}

/** Drops reads of variables the same shell assigned earlier (before_script + script share one
 *  shell; after_script runs in another). */
function withoutShellAssigned(reads: PendingRead[], items: { key: string; index: number; text: string }[]): ReadFact[] {
  const shellOf = (key: string) => (key === 'after_script' ? 'after' : 'main');
  const orderOf = (key: string, index: number) => (key === 'script' ? 100_000 + index : index);
  const assigned = new Map<string, { shell: string; order: number; from: number }[]>();
  for (const item of items) {
    if (!/[A-Za-z_]/.test(item.text)) continue;
    for (const a of shellAssignments(item.text)) {
      const list = assigned.get(a.name) ?? [];
      list.push({ shell: shellOf(item.key), order: orderOf(item.key, item.index), from: a.from });
      assigned.set(a.name, list);
    }
  }
  return reads
    .filter((r) => {
      const list = r.item && assigned.get(r.name);
      if (!r.item || !list) return true;
      const shell = shellOf(r.item.key);
      const order = orderOf(r.item.key, r.item.index);
      return !list.some((a) => a.shell === shell && (a.order < order || (a.order === order && (r.valueOffset ?? 0) >= a.from)));
    })
    .map(({ valueOffset: _v, ...rest }) => rest);
}

/** Script items of a job in run order: before_script + script (one shell), then after_script. */
export function scriptItems(job: JobView): { key: string; index: number; text: string }[] {
  const out: { key: string; index: number; text: string }[] = [];
  for (const key of SCRIPT_KEYS) {
    const v = job.node.entries.get(key);
    const items = v?.kind === 'seq' ? v.items : v ? [v] : [];
    items.forEach((n, index) => {
      if (n.kind === 'scalar' && typeof n.value === 'string') out.push({ key, index, text: n.value });
    });
  }
  return out;
}

/** Variables a job writes into its `artifacts:reports:dotenv` file (passed on to later jobs). */
export function dotenvVariables(job: JobView): string[] {
  const reports = job.node.entries.get('artifacts');
  const dotenv = reports?.kind === 'map' ? reports.entries.get('reports') : undefined;
  if (dotenv?.kind !== 'map' || !dotenv.entries.has('dotenv')) return [];
  const names = new Set<string>();
  for (const item of scriptItems(job)) for (const m of item.text.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)=/g)) names.add(m[1]);
  return [...names];
}
