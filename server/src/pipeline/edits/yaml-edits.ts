/**
 * Small, layout-preserving edits of a CI file's text (for quick-fixes): add entries to a
 * `variables:` block (top level or a job's), an item to `stages:`, keys to an include's
 * `inputs:`, a key beside another of its mapping, and replace a scalar keeping its quotes. Each
 * edit is one insertion or replacement at character offsets; everything else in the text
 * (comments, blank lines, quoting, indentation) stays as written. Pure: text in, change out.
 */
import { GLOBAL_KEYWORDS } from '../merge/jobs.js';
import type { MapNode, Node } from '../model.js';
import { parseYaml } from '../yaml/parse.js';

export interface TextChange {
  start: number;
  end: number;
  text: string;
}

export interface NewEntry {
  name: string;
  /** The value as YAML text (already quoted when needed), or a snippet placeholder. */
  value: string;
  /** A comment written on the line above the entry. */
  comment?: string;
}

export interface EditOptions {
  /** Escape the literal text for an LSP snippet (values are then inserted verbatim). */
  snippet?: boolean;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
}

function columnOf(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

/** Offset just after the line holding the last non-blank character before `end`. */
function afterLastLine(text: string, end: number): number {
  let e = Math.min(end, text.length);
  while (e > 0 && /\s/.test(text[e - 1])) e--;
  const nl = text.indexOf('\n', e);
  return nl < 0 ? text.length : nl + 1;
}

function lineBreakBefore(text: string, at: number): string {
  return at > 0 && text[at - 1] !== '\n' ? '\n' : '';
}

/** The indentation step the file uses (the column of its first nested key), default 2. */
export function indentUnit(text: string): number {
  const m = /^[^\s#-][^\n]*:[ \t]*(?:#.*)?\r?\n(?:[ \t]*(?:#.*)?\r?\n)*( +)\S/m.exec(text);
  const n = m ? m[1].length : 2;
  return n > 0 && n <= 8 ? n : 2;
}

function escapeSnippet(s: string): string {
  return s.replace(/[\\$}]/g, (c) => `\\${c}`);
}

function sortedKeys(map: MapNode): { key: string; start: number }[] {
  return [...map.keySpans].map(([key, span]) => ({ key, start: span.start })).sort((a, b) => a.start - b.start);
}

/** Quote character the existing values of a block use most (`"` when none is quoted). */
export function quoteStyle(text: string, map: MapNode | undefined): '"' | "'" {
  let single = 0;
  let double = 0;
  for (const v of map?.entries.values() ?? []) {
    const node = v.kind === 'map' ? v.entries.get('value') : v;
    if (node?.kind !== 'scalar' || !node.span) continue;
    const c = text[node.span.start];
    if (c === "'") single++;
    else if (c === '"') double++;
  }
  return single > double ? "'" : '"';
}

/** Lines for new `NAME: value` entries at `indent` spaces (comments above each). */
function entryLines(entries: NewEntry[], indent: number, opts: EditOptions): string {
  const pad = ' '.repeat(indent);
  const lit = (s: string) => (opts.snippet ? escapeSnippet(s) : s);
  return entries
    .map((e) => {
      const comment = e.comment ? `${pad}# ${lit(e.comment.replace(/\s*\n\s*/g, ' '))}\n` : '';
      return `${comment}${pad}${lit(e.name)}: ${e.value}\n`;
    })
    .join('');
}

function flowInsert(text: string, node: Node, items: string[]): TextChange | undefined {
  if (!node.span) return undefined;
  const close = text.lastIndexOf(node.kind === 'seq' ? ']' : '}', node.span.end);
  if (close < node.span.start) return undefined;
  const inner = text.slice(node.span.start + 1, close).trim();
  return { start: close, end: close, text: (inner ? ', ' : '') + items.join(', ') };
}

/** Where a new top-level block goes: before the first job (and its doc comment), else at the end. */
function newTopLevelBlockAt(text: string, root: MapNode): number {
  const keys = sortedKeys(root);
  const firstJob = keys.find((k) => !GLOBAL_KEYWORDS.has(k.key) && root.entries.get(k.key)?.kind === 'map');
  if (!firstJob) return text.length;
  let at = lineStart(text, firstJob.start);
  for (;;) {
    const prev = at > 0 ? lineStart(text, at - 1) : -1;
    if (prev < 0 || !/^\s*#/.test(text.slice(prev, at))) break;
    at = prev;
  }
  return at;
}

/**
 * Add variables to the top-level `variables:` (no `job`) or to a job's `variables:`, creating
 * the block when absent. Undefined when the file cannot be read as a mapping.
 */
export function insertVariables(uri: string, text: string, entries: NewEntry[], target: { job?: string } = {}, opts: EditOptions = {}): TextChange | undefined {
  if (!entries.length) return undefined;
  const parsed = parseYaml(uri, text);
  const root = parsed.content;
  if (root.kind !== 'map' && !parsed.empty) return undefined;
  const unit = indentUnit(text);
  if (root.kind !== 'map') return { start: text.length, end: text.length, text: `${lineBreakBefore(text, text.length)}variables:\n${entryLines(entries, unit, opts)}` };
  let owner: MapNode = root;
  let ownerIndent = 0;
  if (target.job !== undefined) {
    const job = root.entries.get(target.job);
    const keySpan = root.keySpans.get(target.job);
    if (job?.kind !== 'map' || !keySpan) return undefined;
    owner = job;
    const first = sortedKeys(job)[0];
    ownerIndent = first ? columnOf(text, first.start) : columnOf(text, keySpan.start) + unit;
  }
  const vars = owner.entries.get('variables');
  const varsKey = owner.keySpans.get('variables');
  if (vars && varsKey) {
    if (vars.kind === 'map' && vars.span && text[vars.span.start] === '{') {
      return flowInsert(text, vars, entries.map((e) => `${e.name}: ${e.value}`));
    }
    if (vars.kind === 'map' && vars.entries.size) {
      const keys = sortedKeys(vars);
      const indent = columnOf(text, keys[0].start);
      const at = afterLastLine(text, vars.span?.end ?? keys[keys.length - 1].start);
      return { start: at, end: at, text: lineBreakBefore(text, at) + entryLines(entries, indent, opts) };
    }
    // `variables:` with nothing (or a null) under it.
    const at = afterLastLine(text, varsKey.end);
    return { start: at, end: at, text: lineBreakBefore(text, at) + entryLines(entries, columnOf(text, varsKey.start) + unit, opts) };
  }
  const pad = ' '.repeat(ownerIndent);
  const block = `${pad}variables:\n${entryLines(entries, ownerIndent + unit, opts)}`;
  if (target.job !== undefined) {
    const at = afterLastLine(text, owner.span?.end ?? root.keySpans.get(target.job)!.end);
    return { start: at, end: at, text: lineBreakBefore(text, at) + block };
  }
  const at = newTopLevelBlockAt(text, root);
  if (at >= text.length) return { start: at, end: at, text: `${lineBreakBefore(text, at)}\n${block}` };
  return { start: at, end: at, text: `${block}\n` };
}

/** Add a stage to this file's `stages:`, or write a `stages:` with `current` + the stage. */
export function appendStage(uri: string, text: string, stage: string, current: readonly string[]): TextChange | undefined {
  const parsed = parseYaml(uri, text);
  const root = parsed.content;
  if (root.kind !== 'map') return undefined;
  const unit = indentUnit(text);
  const node = root.entries.get('stages');
  const key = root.keySpans.get('stages');
  if (node && key) {
    // `.post` stays last: a new stage goes before it when the list names it.
    const items = node.kind === 'seq' ? node.items : [];
    const post = items.find((i) => i.kind === 'scalar' && i.value === '.post' && i.span);
    if (node.kind === 'seq' && node.span && text[node.span.start] === '[') {
      if (post?.span) return { start: post.span.start, end: post.span.start, text: `${stage}, ` };
      return flowInsert(text, node, [stage]);
    }
    if (items.length) {
      const anchor = post ?? items[items.length - 1];
      const anchorStart = anchor.span?.start ?? key.end;
      const ls = lineStart(text, anchorStart);
      const dash = text.slice(ls, anchorStart).match(/^(\s*)-/);
      const indent = dash ? dash[1] : ' '.repeat(unit);
      const line = `${indent}- ${stage}\n`;
      if (post && dash) return { start: ls, end: ls, text: line };
      const at = afterLastLine(text, anchor.span?.end ?? anchorStart);
      return { start: at, end: at, text: lineBreakBefore(text, at) + line };
    }
    const at = afterLastLine(text, key.end);
    return { start: at, end: at, text: `${lineBreakBefore(text, at)}${' '.repeat(unit)}- ${stage}\n` };
  }
  const list = [...current.filter((s) => s !== '.pre' && s !== '.post' && s !== stage), stage];
  const block = `stages:\n${list.map((s) => `${' '.repeat(unit)}- ${s}\n`).join('')}`;
  const at = newTopLevelBlockAt(text, root);
  if (at >= text.length) return { start: at, end: at, text: `${lineBreakBefore(text, at)}\n${block}` };
  return { start: at, end: at, text: `${block}\n` };
}

/** The include entry (a mapping) that starts at `offset`, with the file's parse. */
export function includeEntryAt(uri: string, text: string, offset: number): MapNode | undefined {
  const root = parseYaml(uri, text).content;
  const include = root.kind === 'map' ? root.entries.get('include') : undefined;
  const items = include?.kind === 'seq' ? include.items : include ? [include] : [];
  const hit = items.find((i) => i.span && i.span.start <= offset && offset <= i.span.end);
  return hit?.kind === 'map' ? hit : undefined;
}

/** Add `inputs:` entries to the include entry at `offset` (creating `inputs:` when absent). */
export function addIncludeInputs(uri: string, text: string, offset: number, entries: NewEntry[], opts: EditOptions = {}): TextChange | undefined {
  const entry = includeEntryAt(uri, text, offset);
  if (!entry || !entries.length) return undefined;
  const unit = indentUnit(text);
  const keys = sortedKeys(entry);
  if (!keys.length) return undefined;
  const keyIndent = columnOf(text, keys[0].start);
  const inputs = entry.entries.get('inputs') ?? entry.entries.get('with');
  const inputsKey = entry.keySpans.get('inputs') ?? entry.keySpans.get('with');
  if (inputs && inputsKey) {
    if (inputs.kind === 'map' && inputs.span && text[inputs.span.start] === '{') return flowInsert(text, inputs, entries.map((e) => `${e.name}: ${e.value}`));
    if (inputs.kind === 'map' && inputs.entries.size) {
      const ik = sortedKeys(inputs);
      const at = afterLastLine(text, inputs.span?.end ?? ik[ik.length - 1].start);
      return { start: at, end: at, text: lineBreakBefore(text, at) + entryLines(entries, columnOf(text, ik[0].start), opts) };
    }
    const at = afterLastLine(text, inputsKey.end);
    return { start: at, end: at, text: lineBreakBefore(text, at) + entryLines(entries, columnOf(text, inputsKey.start) + unit, opts) };
  }
  const at = afterLastLine(text, entry.span?.end ?? keys[keys.length - 1].start);
  return { start: at, end: at, text: `${lineBreakBefore(text, at)}${' '.repeat(keyIndent)}inputs:\n${entryLines(entries, keyIndent + unit, opts)}` };
}

/** Replace the scalar written at [start, end) by `value`, keeping its quotes. */
export function replaceScalar(text: string, start: number, end: number, value: string): TextChange {
  const q = text[start];
  if ((q === '"' || q === "'") && text[end - 1] === q && end - start >= 2) {
    const escaped = q === '"' ? value.replace(/["\\]/g, (c) => `\\${c}`) : value.replace(/'/g, "''");
    return { start: start + 1, end: end - 1, text: escaped };
  }
  return { start, end, text: value };
}

/** A YAML scalar for `value` in a block (quoted with `quote` when plain would change its meaning). */
export function yamlScalar(value: string, quote: '"' | "'" = '"'): string {
  if (value !== '' && /^[A-Za-z0-9_./][A-Za-z0-9_./ :-]*$/.test(value) && !/:\s|\s$|^(?:true|false|yes|no|on|off|null|~|[0-9.+-]+)$/i.test(value)) return value;
  return quote === "'" ? `'${value.replace(/'/g, "''")}'` : JSON.stringify(value);
}

/** The innermost mapping of the file with an entry whose key is written at `offset` (inside the key's span), and that key. */
export function mappingWithKeyAt(uri: string, text: string, offset: number): { map: MapNode; key: string } | undefined {
  const seen = new Set<Node>();
  const walk = (node: Node): { map: MapNode; key: string } | undefined => {
    if (seen.has(node)) return undefined;
    seen.add(node);
    if (node.kind === 'map') {
      for (const [key, span] of node.keySpans) if (span.uri === uri && span.start <= offset && offset < Math.max(span.end, span.start + 1)) return { map: node, key };
      for (const v of node.entries.values()) {
        const hit = walk(v);
        if (hit) return hit;
      }
    } else if (node.kind === 'seq') {
      for (const i of node.items) {
        const hit = walk(i);
        if (hit) return hit;
      }
    }
    return undefined;
  };
  return walk(parseYaml(uri, text).content);
}

/**
 * In the mapping with a key written at `offset`, set `key: value`: replace the value when the key
 * is there (a scalar), else add the entry on the line after that key's entry, at its indentation.
 */
export function setKeyBeside(uri: string, text: string, offset: number, key: string, value: string): TextChange | undefined {
  const hit = mappingWithKeyAt(uri, text, offset);
  if (!hit) return undefined;
  const { map } = hit;
  const existing = map.entries.get(key);
  if (existing) return existing.kind === 'scalar' && existing.span && existing.span.uri === uri ? replaceScalar(text, existing.span.start, existing.span.end, value) : undefined;
  if (map.span && text[map.span.start] === '{') return flowInsert(text, map, [`${key}: ${value}`]);
  const anchorKey = map.keySpans.get(hit.key)!;
  const anchorValue = map.entries.get(hit.key)?.span;
  const end = anchorValue && anchorValue.uri === uri && anchorValue.end > anchorKey.end ? anchorValue.end : anchorKey.end;
  const at = afterLastLine(text, end);
  return { start: at, end: at, text: `${lineBreakBefore(text, at)}${' '.repeat(columnOf(text, anchorKey.start))}${key}: ${value}\n` };
}
