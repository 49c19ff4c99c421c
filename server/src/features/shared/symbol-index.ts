/**
 * The names a pipeline file mentions, each with the exact range it is written at: job names (job
 * keys, `extends`, the first element of `!reference`, `needs`, `dependencies`), the key paths of
 * `!reference`, variables (`variables:` keys and `$VAR` reads), stages, include entries and their
 * `inputs:`, and `$[[ inputs.x ]]` blocks. One walk per parsed file (cached on the ParsedFile, which
 * the parse cache reuses while a file's text is unchanged), on the file's own tree so the offsets
 * are the file's. Also what each name resolves to in an expanded pipeline.
 * Pure-ish: engine types in, engine spans out; the LSP features turn them into answers.
 */
import { baseJobName, GLOBAL_KEYWORDS } from '../../pipeline/merge/jobs.js';
import type { ExpandedPipeline } from '../../pipeline/merge/expand.js';
import { extendsNames } from '../../pipeline/merge/extends.js';
import { parseIncludeEntries } from '../../pipeline/includes/include-entries.js';
import type { IncludeEntry } from '../../pipeline/includes/include-entries.js';
import type { LoadedFile } from '../../pipeline/includes/includes.js';
import { findInterpolationBlocks, readInputSpecs } from '../../pipeline/inputs/inputs.js';
import { getPath, isMap } from '../../pipeline/model.js';
import type { MapNode, Node, Span } from '../../pipeline/model.js';
import type { ParsedFile } from '../../pipeline/yaml/parse.js';
import { definitionsInScope } from '../../pipeline/contract/index.js';
import { findVariableReads } from '../../pipeline/variables/variable-expansion.js';

export type JobRole = 'definition' | 'extends' | 'reference' | 'needs' | 'dependencies';

/** `job`: the top-level job the name is written in (the scope of a variable). */
export type Occurrence =
  | { kind: 'job'; role: JobRole; name: string; span: Span; job?: string }
  | { kind: 'reference-key'; path: string[]; span: Span; job?: string }
  | { kind: 'variable'; role: 'definition' | 'read'; name: string; span: Span; job?: string }
  | { kind: 'stage'; role: 'definition' | 'use'; name: string; span: Span; job?: string }
  | { kind: 'include'; entry: IncludeEntry; /** the `file:` item under the cursor */ file?: string; span: Span }
  | { kind: 'include-input'; entry: IncludeEntry; name: string; span: Span }
  | { kind: 'input'; name: string; span: Span };

/** Where a name resolves to: `span` is what to select, `range` the whole thing (a job's block). */
export interface Target {
  span: Span;
  range?: Span;
}

const cache = new WeakMap<ParsedFile, Occurrence[]>();

/** Every occurrence in a file, in text order. */
export function fileOccurrences(parsed: ParsedFile): Occurrence[] {
  let out = cache.get(parsed);
  if (!out) cache.set(parsed, (out = new Walker(parsed).run()));
  return out;
}

/** The innermost occurrence at `offset` (inclusive of both ends, so a cursor just after a name counts). */
export function occurrenceAt(parsed: ParsedFile, offset: number): Occurrence | undefined {
  let best: Occurrence | undefined;
  for (const o of fileOccurrences(parsed)) {
    if (o.span.start > offset) break;
    if (offset <= o.span.end && (!best || o.span.end - o.span.start <= best.span.end - best.span.start)) best = o;
  }
  return best;
}

/** The files of some pipelines, each URI once. */
export function uniqueFiles(pipelines: readonly ExpandedPipeline[]): LoadedFile[] {
  const seen = new Map<string, LoadedFile>();
  for (const p of pipelines) for (const f of p.files) if (!seen.has(f.uri)) seen.set(f.uri, f);
  return [...seen.values()];
}

/** Every occurrence of job `name` (definitions, extends, !reference, needs, dependencies) in the files of `pipelines`. */
export function jobOccurrences(pipelines: readonly ExpandedPipeline[], name: string): Extract<Occurrence, { kind: 'job' }>[] {
  const out: Extract<Occurrence, { kind: 'job' }>[] = [];
  for (const f of uniqueFiles(pipelines)) {
    for (const o of fileOccurrences(f.parsed)) if (o.kind === 'job' && (o.name === name || (o.role === 'needs' && baseJobName(o.name) === name))) out.push(o);
  }
  return out;
}

/** Every definition and read of variable `name` in the files of `pipelines`. */
export function variableOccurrences(pipelines: readonly ExpandedPipeline[], name: string): Extract<Occurrence, { kind: 'variable' }>[] {
  const out: Extract<Occurrence, { kind: 'variable' }>[] = [];
  for (const f of uniqueFiles(pipelines)) for (const o of fileOccurrences(f.parsed)) if (o.kind === 'variable' && o.name === name) out.push(o);
  return out;
}


/** Where `from` (a key span) ends up as a block when its value is in the same file. */
function block(key: Span, value: Node | undefined): Span {
  const v = value?.span;
  return v && v.uri === key.uri && v.end > key.start ? { uri: key.uri, start: key.start, end: v.end } : key;
}

/** The job key of `name` in the file that defines the merged job. */
export function jobDefinition(pipeline: ExpandedPipeline, name: string): Target | undefined {
  const key = pipeline.merged.keySpans.has(name) ? name : baseJobName(name);
  const span = pipeline.merged.keySpans.get(key);
  if (!span || GLOBAL_KEYWORDS.has(key)) return undefined;
  return { span, range: block(span, pipeline.merged.entries.get(key)) };
}

/** The key a `!reference` path lands on, in the file that defines the value there. */
export function referenceDefinition(pipeline: ExpandedPipeline, path: readonly string[]): Target | undefined {
  const parent = getPath(pipeline.merged, path.slice(0, -1));
  if (!isMap(parent)) return undefined;
  const last = path[path.length - 1];
  const span = parent.keySpans.get(last);
  return span ? { span, range: block(span, parent.entries.get(last)) } : undefined;
}

/** The entry of `stages:` that declares `name`. */
export function stageDefinition(pipeline: ExpandedPipeline, name: string): Target | undefined {
  const stages = pipeline.merged.entries.get('stages') ?? pipeline.merged.entries.get('types');
  const find = (n: Node | undefined): Span | undefined => {
    if (n?.kind === 'scalar') return String(n.value) === name ? n.span : undefined;
    if (n?.kind === 'seq') for (const i of n.items) {
      const s = find(i);
      if (s) return s;
    }
    return undefined;
  };
  const span = find(stages);
  return span ? { span } : undefined;
}

/** The files an include entry of `fromUri` loaded (only the one of `file` when it names one). */
export function includedFiles(pipeline: ExpandedPipeline, fromUri: string, entry: IncludeEntry, file?: string): LoadedFile[] {
  const loaded = pipeline.files.filter((f) => f.includedFrom?.uri === fromUri && f.includedFrom.span.start === entry.span.start && f.includedFrom.span.end === entry.span.end);
  const wanted = file?.replace(/^\/+/, '');
  const picked = wanted !== undefined ? loaded.filter((f) => f.path === wanted) : loaded;
  const out = picked.length ? picked : loaded;
  return out.filter((f, i) => out.findIndex((g) => g.uri === f.uri) === i);
}

function inputTarget(file: LoadedFile, name: string): Target | undefined {
  const span = readInputSpecs(file.parsed.header).find((s) => s.name === name)?.span;
  return span ? { span } : undefined;
}

/** Where the occurrence at the cursor is defined. `file` is the file the occurrence is in. */
export function definitionTargets(pipeline: ExpandedPipeline, file: LoadedFile, occ: Occurrence): Target[] {
  const one = (t: Target | undefined) => (t ? [t] : []);
  switch (occ.kind) {
    case 'job':
      return one(jobDefinition(pipeline, occ.name));
    case 'reference-key':
      return one(referenceDefinition(pipeline, occ.path));
    case 'variable': {
      const span = definitionsInScope(pipeline, occ.job, { withoutPredefined: true }).get(occ.name)?.find((d) => d.span)?.span;
      return span ? [{ span }] : [];
    }
    case 'stage':
      return occ.role === 'use' ? one(stageDefinition(pipeline, occ.name)) : [];
    case 'input':
      return one(inputTarget(file, occ.name));
    case 'include':
      return includedFiles(pipeline, file.uri, occ.entry, occ.file).map((f) => ({ span: { uri: f.uri, start: 0, end: 0 } }));
    case 'include-input':
      return includedFiles(pipeline, file.uri, occ.entry).flatMap((f) => one(inputTarget(f, occ.name)));
  }
}

// ---------------------------------------------------------------------------------------------
// The walk

class Walker {
  private out: Occurrence[] = [];
  private seen = new Set<string>();
  private text: string;

  constructor(private parsed: ParsedFile) {
    this.text = parsed.text;
  }

  run(): Occurrence[] {
    const root = this.parsed.content;
    if (root.kind === 'map') {
      for (const [key, value] of root.entries) {
        const keySpan = root.keySpans.get(key);
        const isJob = !GLOBAL_KEYWORDS.has(key) && value.kind === 'map';
        if (key === 'include') this.include(value);
        else if (key === 'variables') this.variableKeys(value, undefined);
        else if (key === 'stages' || key === 'types') this.stages(value);
        else if (key === 'workflow' && isMap(value)) this.rules(value.entries.get('rules'), undefined);
        else if (isJob) {
          if (keySpan) this.push({ kind: 'job', role: 'definition', name: key, span: this.unquoted(keySpan) });
          this.job(key, value as MapNode);
        }
        if (keySpan) this.interpolation(keySpan);
        this.values(value, isJob ? key : undefined);
      }
    } else this.values(root, undefined);
    return this.out.sort((a, b) => a.span.start - b.span.start || b.span.end - a.span.end);
  }

  private push(o: Occurrence): void {
    const id = `${o.kind}:${o.span.start}:${o.span.end}`;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.out.push(o);
  }

  /** A span without the quotes of a quoted scalar. */
  private unquoted(span: Span): Span {
    const first = this.text[span.start];
    if ((first === '"' || first === "'") && span.end - span.start >= 2 && this.text[span.end - 1] === first) return { uri: span.uri, start: span.start + 1, end: span.end - 1 };
    return span;
  }

  private jobName(n: Node | undefined, role: JobRole, job: string): void {
    if (n?.kind !== 'scalar' || n.value === null || !n.span) return;
    this.push({ kind: 'job', role, name: String(n.value), span: this.unquoted(n.span), job });
  }

  private job(name: string, node: MapNode): void {
    const ext = node.entries.get('extends');
    for (const b of extendsNames(ext)) if (b.span && b.name) this.push({ kind: 'job', role: 'extends', name: b.name, span: this.unquoted(b.span), job: name });
    this.needs(node.entries.get('needs'), name);
    const deps = node.entries.get('dependencies');
    if (deps?.kind === 'seq') for (const d of deps.items) this.jobName(d, 'dependencies', name);
    const stage = node.entries.get('stage');
    if (stage?.kind === 'scalar' && typeof stage.value === 'string' && stage.span && !stage.value.includes('$[[')) {
      this.push({ kind: 'stage', role: 'use', name: stage.value, span: this.unquoted(stage.span), job: name });
    }
    this.variableKeys(node.entries.get('variables'), name);
    this.rules(node.entries.get('rules'), name);
  }

  private needs(needs: Node | undefined, job: string): void {
    if (needs?.kind !== 'seq') return;
    for (const item of needs.items) {
      if (item.kind === 'scalar') this.jobName(item, 'needs', job);
      else if (item.kind === 'map' && !item.entries.has('project') && !item.entries.has('pipeline')) this.jobName(item.entries.get('job'), 'needs', job);
    }
  }

  private rules(rules: Node | undefined, job: string | undefined): void {
    if (rules?.kind !== 'seq') return;
    for (const r of rules.items) {
      if (r.kind !== 'map') continue;
      this.variableKeys(r.entries.get('variables'), job);
      if (job) this.needs(r.entries.get('needs'), job);
    }
  }

  private variableKeys(vars: Node | undefined, job: string | undefined): void {
    if (vars?.kind !== 'map') return;
    for (const name of vars.entries.keys()) {
      const span = vars.keySpans.get(name);
      if (span) this.push({ kind: 'variable', role: 'definition', name, span: this.unquoted(span), job });
    }
  }

  private stages(node: Node): void {
    if (node.kind === 'seq') for (const i of node.items) this.stages(i);
    else if (node.kind === 'scalar' && node.span && node.value !== null) this.push({ kind: 'stage', role: 'definition', name: String(node.value), span: this.unquoted(node.span) });
  }

  private include(node: Node): void {
    for (const entry of parseIncludeEntries(node, () => undefined)) {
      this.push({ kind: 'include', entry, span: this.unquoted(entry.locationSpan) });
      if (entry.node.kind === 'map') {
        const file = entry.node.entries.get('file');
        const items = file?.kind === 'seq' ? file.items : file ? [file] : [];
        for (const i of items) if (i.kind === 'scalar' && i.span && i.value !== null) this.push({ kind: 'include', entry, file: String(i.value), span: this.unquoted(i.span) });
      }
      for (const [name, span] of entry.inputs?.keySpans ?? []) this.push({ kind: 'include-input', entry, name, span: this.unquoted(span) });
    }
  }

  /** `$[[ inputs.x ]]` blocks in a range of the text. */
  private interpolation(span: Span): void {
    const raw = this.text.slice(span.start, span.end);
    for (const b of findInterpolationBlocks(raw)) {
      const m = /^inputs\.([A-Za-z0-9_-]+)/.exec(b.access);
      if (!m) continue;
      const at = span.start + b.start + b.text.indexOf(m[0]) + 'inputs.'.length;
      this.push({ kind: 'input', name: m[1], span: { uri: span.uri, start: at, end: at + m[1].length } });
    }
  }

  /** Variable reads, interpolation blocks and !reference tags anywhere below `node`. */
  private values(node: Node, job: string | undefined): void {
    switch (node.kind) {
      case 'scalar': {
        if (typeof node.value !== 'string' || !node.span) return;
        const raw = this.text.slice(node.span.start, node.span.end);
        for (const r of findVariableReads(raw)) {
          const at = node.span.start + raw.indexOf(r.name, r.start);
          this.push({ kind: 'variable', role: 'read', name: r.name, span: { uri: node.span.uri, start: at, end: at + r.name.length }, job });
        }
        this.interpolation(node.span);
        return;
      }
      case 'seq':
        for (const i of node.items) this.values(i, job);
        return;
      case 'map':
        for (const [k, v] of node.entries) {
          const ks = node.keySpans.get(k);
          if (ks) this.interpolation(ks);
          this.values(v, job);
        }
        return;
      case 'ref':
        this.reference(node.path, node.span, job);
        return;
    }
  }

  private reference(path: string[], span: Span | undefined, job: string | undefined): void {
    if (!span) return;
    const tokens = referenceTokens(this.text, span.start, span.end);
    if (tokens.length !== path.length) return;
    tokens.forEach(([start, end], i) => {
      const s: Span = { uri: span.uri, start, end };
      if (i === 0) this.push({ kind: 'job', role: 'reference', name: path[0], span: s, job });
      else this.push({ kind: 'reference-key', path: path.slice(0, i + 1), span: s, job });
    });
  }
}

/** The ranges of the elements of a `!reference` sequence, flow (`[a, "b"]`) or block (`- a`), quotes excluded. */
export function referenceTokens(text: string, from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  const space = (c: string | undefined) => c === undefined || c === ' ' || c === '\t' || c === '\n' || c === '\r';
  let i = from;
  while (i < to) {
    const c = text[i];
    if (space(c) || c === ',' || c === '[' || c === ']') i++;
    else if (c === '#' && space(text[i - 1])) {
      while (i < to && text[i] !== '\n') i++;
    } else if (c === '-' && space(text[i + 1])) i++;
    else if (c === '"' || c === "'") {
      let j = i + 1;
      for (; j < to; j++) {
        if (c === '"' && text[j] === '\\') j++;
        else if (text[j] === c) {
          if (c === "'" && text[j + 1] === "'") j++;
          else break;
        }
      }
      out.push([i + 1, Math.min(j, to)]);
      i = j + 1;
    } else {
      let j = i;
      while (j < to && text[j] !== ',' && text[j] !== ']' && text[j] !== '\n' && !(text[j] === '#' && space(text[j - 1]))) j++;
      let end = j;
      while (end > i && space(text[end - 1])) end--;
      out.push([i, end]);
      i = j;
    }
  }
  return out;
}
