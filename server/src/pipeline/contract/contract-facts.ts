/**
 * The raw material of a variable contract: for one job, every read of a variable, every
 * declaration (`# @required`/`# @optional` tags above the job and its extends ancestors, rich
 * `variables:` entries, `${X?msg}`, the echoes of a vars-check job), and the fold that turns
 * them into ContractVariables given what is defined where.
 */
import { docCommentAbove, tagDefault } from './doc-comments.js';
import type { DocComment } from './doc-comments.js';
import type { ExpandedPipeline } from '../merge/expand.js';
import type { LoadedFile } from '../includes/includes.js';
import type { MapNode, Span, ViaStep } from '../model.js';
import type { ParsedFile } from '../yaml/parse.js';
import { isPredefined, isShellEnvironment } from '../variables/predefined-variables.js';
import type { ContractVariable } from './contract-types.js';
import type { VariableDefinition } from '../variables/variable-definitions.js';
import { filesWriting } from '../variables/variable-definitions.js';
import { jobReads, valueReads } from '../variables/variable-reads.js';
import type { ReadFact, TextOf } from '../variables/variable-reads.js';
import { varsCheckReads } from './vars-check.js';

export type FactKind = 'comment' | 'vars-check' | 'required-expansion' | 'rich' | 'global' | 'read';

export interface Fact {
  kind: FactKind;
  name: string;
  /** The job the fact belongs to (absent for a file-level fact: header tags, file globals). */
  job?: string;
  /** Who declares or reads it: the template whose comment holds the tag, the job, or the file. */
  owner: string;
  span?: Span;
  /** For a comment tag: @required (true) or @optional (false). */
  required?: boolean;
  description?: string;
  default?: string;
  options?: string[];
  read?: ReadFact;
  via?: readonly ViaStep[];
}

const textCache = new WeakMap<ExpandedPipeline, TextOf>();

/** The text of each file of the pipeline, by uri. */
export function textsOf(pipeline: ExpandedPipeline): TextOf {
  let t = textCache.get(pipeline);
  if (!t) {
    const map = new Map(pipeline.files.map((f) => [f.uri, f.parsed.text]));
    textCache.set(pipeline, (t = (uri) => map.get(uri)));
  }
  return t;
}

const factCache = new WeakMap<ExpandedPipeline, Map<string, Fact[]>>();

/** The job itself and all its extends ancestors, nearest first. */
export function extendsLineage(pipeline: ExpandedPipeline, job: string): string[] {
  const out: string[] = [];
  const queue = [job];
  while (queue.length) {
    const j = queue.shift()!;
    if (out.includes(j)) continue;
    out.push(j);
    queue.push(...[...(pipeline.extendsParents.get(j) ?? [])].reverse());
  }
  return out;
}

const docCache = new WeakMap<ParsedFile, Map<number, DocComment | undefined>>();
const jobDocCache = new WeakMap<ExpandedPipeline, Map<string, DocComment[]>>();

const writtenAtCache = new WeakMap<ExpandedPipeline, Map<string, { file: LoadedFile; start: number }[]>>();

/** Where a top-level key is written in the pipeline's files (in the files' order; remembered per pipeline and key, so an edit that asks for a few keys does not index them all). */
export function writtenAt(pipeline: ExpandedPipeline, key: string): { file: LoadedFile; start: number }[] {
  let index = writtenAtCache.get(pipeline);
  if (!index) writtenAtCache.set(pipeline, (index = new Map()));
  let list = index.get(key);
  if (!list) {
    list = [];
    for (const f of filesWriting(pipeline, key)) {
      const ks = (f.content as MapNode).keySpans.get(key);
      if (ks && ks.uri === f.uri) list.push({ file: f, start: ks.start });
    }
    index.set(key, list);
  }
  return list;
}

/** The doc comment of the key written at `start` of a parsed file (remembered per parsed file). */
export function docCommentAt(uri: string, parsed: ParsedFile, start: number): DocComment | undefined {
  let perFile = docCache.get(parsed);
  if (!perFile) docCache.set(parsed, (perFile = new Map()));
  if (!perFile.has(start)) perFile.set(start, docCommentAbove(uri, parsed.text, start));
  return perFile.get(start);
}

/** Doc comments above every place a job key is written (parsed files are shared between analyses). */
export function jobDocComments(pipeline: ExpandedPipeline, job: string): DocComment[] {
  let perPipeline = jobDocCache.get(pipeline);
  if (!perPipeline) jobDocCache.set(pipeline, (perPipeline = new Map()));
  const cached = perPipeline.get(job);
  if (cached) return cached;
  const out: DocComment[] = [];
  for (const { file: f, start } of writtenAt(pipeline, job)) {
    const doc = docCommentAt(f.uri, f.parsed, start);
    if (doc && !out.some((d) => d.span.uri === doc.span.uri && d.span.start === doc.span.start)) out.push(doc);
  }
  perPipeline.set(job, out);
  return out;
}

const writtenCache = new WeakMap<ExpandedPipeline, Map<string, KeyIndex | undefined>>();
/** Per file content (a parsed file's top-level hash): unchanged files keep theirs from one analysis to the next. */
const keyIndexes = new WeakMap<MapNode, KeyIndex>();

/** The top-level key (job, template, `variables`, ...) of its file that a span lies in. */
export function writtenIn(pipeline: ExpandedPipeline, span: Span | undefined): string | undefined {
  if (!span) return undefined;
  let perPipeline = writtenCache.get(pipeline);
  if (!perPipeline) writtenCache.set(pipeline, (perPipeline = new Map()));
  let index = perPipeline.get(span.uri);
  if (index === undefined && !perPipeline.has(span.uri)) {
    const f = pipeline.files.find((x) => x.uri === span.uri);
    index = f?.content.kind === 'map' ? keyIndexOf(f.content, span.uri) : undefined;
    perPipeline.set(span.uri, index);
  }
  return index && keyAround(index, span.start);
}

/**
 * The ranges of a file's top-level keys (key to the end of its value) sorted by start — in
 * parallel arrays, with each range's place in file order and the largest end up to it.
 */
interface KeyIndex {
  keys: string[];
  starts: Float64Array;
  ends: Float64Array;
  orders: Int32Array;
  maxEnds: Float64Array;
}

function keyIndexOf(content: MapNode, uri: string): KeyIndex {
  const known = keyIndexes.get(content);
  if (known) return known;
  const keys: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let sorted = true;
  for (const [key, v] of content.entries) {
    const ks = content.keySpans.get(key);
    if (ks?.uri !== uri || !v.span) continue;
    if (starts.length && ks.start < starts[starts.length - 1]) sorted = false;
    keys.push(key);
    starts.push(ks.start);
    ends.push(Math.max(ks.end, v.span.end));
  }
  // File order is start order but where a top-level merge (`<<:`) brings keys in from elsewhere.
  const order = keys.map((_, i) => i);
  if (!sorted) order.sort((a, b) => starts[a] - starts[b] || a - b);
  const index: KeyIndex = { keys: [], starts: new Float64Array(order.length), ends: new Float64Array(order.length), orders: new Int32Array(order.length), maxEnds: new Float64Array(order.length) };
  let maxEnd = -1;
  order.forEach((o, i) => {
    index.keys.push(keys[o]);
    index.starts[i] = starts[o];
    index.ends[i] = ends[o];
    index.orders[i] = o;
    index.maxEnds[i] = maxEnd = Math.max(maxEnd, ends[o]);
  });
  keyIndexes.set(content, index);
  return index;
}

/**
 * The key whose range holds `at`, the first in file order when several do (a key a top-level merge
 * brings in lies inside the anchored block): a binary search, since a job file holds a thousand keys.
 */
function keyAround(index: KeyIndex, at: number): string | undefined {
  let lo = 0;
  let hi = index.starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (index.starts[mid] <= at) lo = mid + 1;
    else hi = mid;
  }
  let best = -1;
  for (let i = lo - 1; i >= 0 && index.maxEnds[i] >= at; i--) {
    if (index.ends[i] >= at && (best < 0 || index.orders[i] < index.orders[best])) best = i;
  }
  return best < 0 ? undefined : index.keys[best];
}

/** Reads and declarations of one job (as merged: extends, !reference, default: applied). */
export function jobFacts(pipeline: ExpandedPipeline, job: string): Fact[] {
  let perPipeline = factCache.get(pipeline);
  if (!perPipeline) factCache.set(pipeline, (perPipeline = new Map()));
  const cached = perPipeline.get(job);
  if (cached) return cached;
  const view = pipeline.jobs.get(job);
  const facts: Fact[] = [];
  if (view) {
    const reads = jobReads(view, textsOf(pipeline));
    // The owner of a read is the job or template it is written in (`.python-test-job` for a job
    // that extends it, `.prepare-build-tag` for a script taken with !reference).
    const ownerOf = (r: ReadFact) => {
      const key = writtenIn(pipeline, r.span);
      return key && pipeline.jobs.has(key) ? key : job;
    };
    for (const r of reads) {
      const owner = ownerOf(r);
      facts.push({ kind: 'read', name: r.name, job, owner, span: r.span, read: r, via: r.via, default: r.default });
      if (r.form === 'required') facts.push({ kind: 'required-expansion', name: r.name, job, owner, span: r.span, description: r.message || undefined, via: r.via });
    }
    for (const r of varsCheckReads(view, reads)) facts.push({ kind: 'vars-check', name: r.name, job, owner: ownerOf(r), span: r.span, via: r.via });
    for (const template of extendsLineage(pipeline, job)) {
      for (const doc of jobDocComments(pipeline, template)) {
        for (const tag of doc.tags) {
          facts.push({ kind: 'comment', name: tag.name, job, owner: template, span: tag.span, required: tag.kind === 'required', description: tag.description || undefined, default: tagDefault(tag.description) });
        }
      }
    }
    const vars = view.node.entries.get('variables');
    if (vars?.kind === 'map') {
      for (const [name, v] of vars.entries) {
        if (v.kind !== 'map') continue;
        const desc = v.entries.get('description');
        const value = v.entries.get('value');
        const options = v.entries.get('options');
        facts.push({
          kind: 'rich',
          name,
          job,
          owner: job,
          span: vars.keySpans.get(name),
          description: desc?.kind === 'scalar' && desc.value !== null ? String(desc.value) : undefined,
          default: value?.kind === 'scalar' && value.value !== null ? String(value.value) : undefined,
          options: options?.kind === 'seq' ? options.items.map((i) => (i.kind === 'scalar' ? String(i.value ?? '') : '')) : undefined,
        });
      }
    }
  }
  perPipeline.set(job, facts);
  return facts;
}

/** Facts of a file-level definition (a preset file's own `variables:`). */
export function definitionFact(def: VariableDefinition, owner: string): Fact {
  const rich = def.description !== undefined || def.options !== undefined;
  return { kind: rich ? 'rich' : 'global', name: def.name, owner, span: def.span, description: def.description, default: def.value, options: def.options };
}

export interface ContractScope {
  /** The definition that satisfies `name` for the facts of `job` (absent job: the file level). */
  defined(name: string, job: string | undefined): VariableDefinition | undefined;
  /** True when only the job's own `variables:` (or its parents') define it: an internal of the job. */
  jobLevel(name: string, job: string | undefined): boolean;
}

/** Adds the reads hidden in the values of the variables the facts read (`A: $B/x` → B). */
export function withTransitiveReads(facts: Fact[], scope: ContractScope, textOf: TextOf): Fact[] {
  const out = [...facts];
  const seen = new Set<string>();
  const queue = facts.filter((f) => f.kind === 'read');
  while (queue.length) {
    const f = queue.shift()!;
    const key = `${f.job ?? ''}\u0000${f.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const def = scope.defined(f.name, f.job);
    if (!def?.node || def.scope === 'predefined' || def.scope === 'known') continue;
    // A job's own variables' values are read as part of the job already.
    if (def.scope === 'job' && def.job === f.job) continue;
    for (const r of valueReads(f.name, def.node, textOf, !!f.read?.conditional)) {
      if (r.name === f.name) continue;
      const fact: Fact = { kind: 'read', name: r.name, job: f.job, owner: f.owner, span: r.span, read: r, via: [...(f.via ?? []), ...r.via], default: r.default };
      out.push(fact);
      queue.push(fact);
    }
  }
  return out;
}

/** The first value `pick` gives over the lists in order that `ok` accepts. */
function firstFact<T>(lists: readonly (readonly Fact[])[], pick: (f: Fact) => T, ok: (value: T) => boolean): T | undefined {
  for (const list of lists) {
    for (const f of list) {
      const value = pick(f);
      if (ok(value)) return value;
    }
  }
  return undefined;
}

function demands(f: Fact): boolean {
  return f.kind === 'read' && !!f.read && !f.read.conditional && (f.read.form === 'plain' || f.read.form === 'braced');
}

/** Facts by variable name, names in the order they are first met. */
function byName(facts: readonly Fact[]): Map<string, Fact[]> {
  const out = new Map<string, Fact[]>();
  for (const f of facts) {
    const list = out.get(f.name);
    if (list) list.push(f);
    else out.set(f.name, [f]);
  }
  return out;
}

const NOT_IN_CONTRACT = 0;
const OPTIONAL = 1;
const REQUIRED = 2;

/**
 * Where the facts of one name (`fs`) put it: not in the contract, optional or required. The one
 * home of these rules; it allocates nothing, as it runs for every name of every job.
 */
function standing(name: string, fs: readonly Fact[], scope: ContractScope): number {
  let comments = false;
  let declaredOrGlobal = false;
  for (const f of fs) {
    if (f.kind === 'comment') comments = true;
    else if (f.kind !== 'read') declaredOrGlobal = true;
  }
  if (!comments && (isPredefined(name) || isShellEnvironment(name))) return NOT_IN_CONTRACT;
  const unsatisfied = (f: Fact) => !scope.defined(name, f.job);
  if (!comments && !declaredOrGlobal && !fs.some((f) => f.kind === 'read' && !scope.jobLevel(name, f.job))) return NOT_IN_CONTRACT;
  const required = comments
    ? fs.some((f) => f.kind === 'comment' && f.required && unsatisfied(f))
    : fs.some((f) => (f.kind === 'vars-check' || f.kind === 'required-expansion') && unsatisfied(f)) || fs.some((f) => demands(f) && unsatisfied(f));
  return required ? REQUIRED : OPTIONAL;
}

/** The names the facts make required, each with its facts, in the order they were met (what foldFacts lists as required). */
export function requiredNames(facts: readonly Fact[], scope: ContractScope): { name: string; facts: Fact[] }[] {
  const out: { name: string; facts: Fact[] }[] = [];
  for (const [name, fs] of byName(facts)) if (standing(name, fs, scope) === REQUIRED) out.push({ name, facts: fs });
  return out;
}

/** True when the facts of `name` (all of them about it) put it in the contract, required or not. */
export function inContract(name: string, facts: readonly Fact[], scope: ContractScope): boolean {
  return standing(name, facts, scope) !== NOT_IN_CONTRACT;
}

/** Facts → the contract's variables: required ones first, then in the order they were met. */
export function foldFacts(facts: readonly Fact[], scope: ContractScope): ContractVariable[] {
  const out: ContractVariable[] = [];
  for (const [name, fs] of byName(facts)) {
    const stand = standing(name, fs, scope);
    if (stand === NOT_IN_CONTRACT) continue;
    const required = stand === REQUIRED;
    // The facts by kind, in order.
    const kinds: Record<FactKind, Fact[]> = { comment: [], 'vars-check': [], 'required-expansion': [], rich: [], global: [], read: [] };
    for (const f of fs) kinds[f.kind].push(f);
    const of = (k: FactKind) => kinds[k];
    const comments = of('comment');
    const rich = of('rich');
    const globals = of('global');
    const reads = of('read');
    let why: ContractVariable['why'];
    if (comments.length) why = 'comment';
    else if (of('vars-check').length) why = 'vars-check';
    else if (of('required-expansion').length) why = 'required-expansion';
    else if (rich.length) why = 'rich-variable';
    else if (required) why = 'read-without-default';
    else if (reads.some((r) => r.read?.form === 'default')) why = 'read-with-default';
    else why = 'preset-default';
    let def: VariableDefinition | undefined;
    for (const f of fs) if ((def = scope.defined(name, f.job))) break;
    const v: ContractVariable = { name, required, why, reads: [] };
    const description = firstFact([comments, rich, of('required-expansion')], (f) => f.description, (d) => !!d) ?? def?.description;
    if (description) v.description = description;
    // `${X:-}` only says X may be unset: a default with a value (`${X:-alembic upgrade head}`) wins.
    const withDefaults = [comments, rich, globals, reads];
    const dflt = firstFact(withDefaults, (f) => f.default, (d) => !!d) ?? (def?.value ? def.value : firstFact(withDefaults, (f) => f.default, (d) => d !== undefined) ?? def?.value);
    if (dflt !== undefined) v.default = dflt;
    const options = rich.find((r) => r.options)?.options ?? def?.options;
    if (options) v.options = options;
    for (const r of reads) if (r.span && r.job) v.reads.push({ job: r.job, span: r.span });
    // Where it is declared: the strongest declaration there is.
    const at = [comments, of('vars-check'), of('required-expansion'), rich, globals].find((l) => l.length)?.[0]?.span;
    if (at) v.declaredAt = at;
    out.push(v);
  }
  return [...out.filter((v) => v.required), ...out.filter((v) => !v.required)];
}
