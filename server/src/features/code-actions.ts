/**
 * Quick-fixes, tied to the diagnostics they repair by code:
 * - `variable-missing`: add the missing variable (or all of them) to the consumer's top-level
 *   `variables:` — or to the job's when only that job needs it — with an empty value (a snippet
 *   placeholder when the client takes LSP 3.18 snippet edits) and the description as a comment;
 * - `extends-unknown`, `needs-unknown`, `dependencies-unknown`, `stage-unknown`: did-you-mean
 *   replacements by edit distance; `stage-unknown` also adds the stage to `stages:`;
 * - `input-missing`: add the missing `inputs:` of an include (one, or all);
 * - `include-missing` on a `local:` include of the project: create the file;
 * - validation (keyword table): `unknown-keys` → "Change to `script`" (the closest keywords the
 *   entry allows), `invalid-value` → one action per allowed value, `start-in-without-delayed` →
 *   add (or set) `when: delayed`. `rules-with-only-except` gets none: its message says what to keep.
 */
import { CodeActionKind } from 'vscode-languageserver/node';
import type { ClientCapabilities, CodeAction, CodeActionParams, Diagnostic, TextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import { isGlob } from '../pipeline/includes/glob.js';
import { readInputSpecs } from '../pipeline/inputs/inputs.js';
import { isJobKey } from '../pipeline/merge/jobs.js';
import { isConsumerFile } from '../pipeline/contract/index.js';
import { parseYaml } from '../pipeline/yaml/parse.js';
import { LineIndex } from '../pipeline/yaml/positions.js';
import { addIncludeInputs, appendStage, insertVariables, mappingWithKeyAt, quoteStyle, replaceScalar, setKeyBeside, yamlScalar } from '../pipeline/edits/yaml-edits.js';
import type { NewEntry, TextChange } from '../pipeline/edits/yaml-edits.js';
import type { InvalidValueData, StartInWithoutDelayedData, UnknownKeysData } from '../pipeline/validate/keywords.js';
import type { Feature, FeatureContext } from './shared/context.js';
import { missingVariableDiagnostics } from './shared/diagnostics.js';
import type { MissingVariableData } from './shared/diagnostics.js';

interface Env {
  ctx: FeatureContext;
  caps: ClientCapabilities | undefined;
  uri: string;
  text: string;
  index: LineIndex;
}

const SUGGEST_CODES = new Set(['extends-unknown', 'needs-unknown', 'dependencies-unknown', 'stage-unknown']);

function snippetEdits(caps: ClientCapabilities | undefined): boolean {
  const ws = caps?.workspace?.workspaceEdit as { snippetEditSupport?: boolean; documentChanges?: boolean } | undefined;
  return !!ws?.snippetEditSupport && ws.documentChanges !== false;
}

/** A WorkspaceEdit of text changes in files whose text we know (snippet edits when asked and supported). */
function workspaceEdit(env: Env, changes: { uri: string; text: string; change: TextChange }[], snippet = false): WorkspaceEdit {
  const byUri = new Map<string, TextEdit[]>();
  for (const c of changes) {
    const idx = c.uri === env.uri ? env.index : new LineIndex(c.text);
    const edit = { range: { start: idx.position(c.change.start), end: idx.position(c.change.end) }, newText: c.change.text };
    byUri.set(c.uri, [...(byUri.get(c.uri) ?? []), edit]);
  }
  if (snippet) {
    return {
      documentChanges: [...byUri].map(([uri, edits]) => ({
        textDocument: { uri, version: uri === env.uri ? env.ctx.document.version : null },
        edits: edits.map((e) => ({ range: e.range, snippet: { kind: 'snippet' as const, value: e.newText } })),
      })),
    } as WorkspaceEdit;
  }
  return { changes: Object.fromEntries(byUri) };
}

function action(title: string, diagnostics: Diagnostic[], edit: WorkspaceEdit, isPreferred = false): CodeAction {
  return { title, kind: CodeActionKind.QuickFix, diagnostics, edit, ...(isPreferred ? { isPreferred } : {}) };
}

// ───────────────────────────────────────────────────────────── missing variables ──

function variableFixes(env: Env, asked: Diagnostic[]): CodeAction[] {
  const { ctx } = env;
  if (ctx.analysis.standalone) return [];
  const all = missingVariableDiagnostics(ctx.analysis.pipeline, ctx.settings.knownVariables ?? []).filter((d) => d.span.uri === env.uri);
  if (!all.length) return [];
  const data = (d: { data?: unknown }) => d.data as MissingVariableData | undefined;
  const snippet = snippetEdits(env.caps);
  const parsed = parseYaml(env.uri, env.text).content;
  const topVars = parsed.kind === 'map' ? parsed.entries.get('variables') : undefined;
  const quote = quoteStyle(env.text, topVars?.kind === 'map' ? topVars : undefined);
  // One entry per variable; a variable several places need goes to the top level.
  const targets = new Map<string, MissingVariableData>();
  for (const d of all) {
    const m = data(d);
    if (!m) continue;
    const prev = targets.get(m.variable);
    if (prev && prev.job !== m.job) targets.set(m.variable, { ...prev, job: undefined });
    else if (!prev) targets.set(m.variable, m);
  }
  const build = (names: string[]): WorkspaceEdit | undefined => {
    const groups = new Map<string, NewEntry[]>();
    let tab = 0;
    for (const name of names) {
      const m = targets.get(name)!;
      const where = m.preset ? `${m.preset}, ${m.neededBy}` : m.neededBy;
      const value = snippet ? `${quote}\${${++tab}:}${quote}` : `${quote}${quote}`;
      const comment = m.description ? `${m.description} (${where})` : `required by ${where}`;
      const key = m.job ?? '';
      groups.set(key, [...(groups.get(key) ?? []), { name, value, comment }]);
    }
    const changes: TextChange[] = [];
    for (const [job, entries] of groups) {
      const c = insertVariables(env.uri, env.text, entries, job ? { job } : {}, { snippet }) ?? (job ? insertVariables(env.uri, env.text, entries, {}, { snippet }) : undefined);
      if (c) changes.push(c);
    }
    if (!changes.length) return undefined;
    return workspaceEdit(env, changes.map((change) => ({ uri: env.uri, text: env.text, change })), snippet);
  };
  const out: CodeAction[] = [];
  const askedNames = new Set<string>();
  for (const d of asked) {
    const name = (d.data as MissingVariableData | undefined)?.variable ?? /^(\S+) is not set/.exec(typeof d.message === 'string' ? d.message : d.message.value)?.[1];
    if (!name || !targets.has(name) || askedNames.has(name)) continue;
    askedNames.add(name);
    const edit = build([name]);
    const where = targets.get(name)!.job ? `the variables of ${targets.get(name)!.job}` : 'variables:';
    if (edit) out.push(action(`Add missing variable ${name} to ${where}`, [d], edit, targets.size === 1));
  }
  if (targets.size > 1 && askedNames.size) {
    const edit = build([...targets.keys()]);
    if (edit) out.push(action(`Add all ${targets.size} missing variables`, asked, edit, true));
  }
  return out;
}

// ──────────────────────────────────────────────────────────────── did you mean ──

/** Edit distance counting a swap of two neighbours as one edit (optimal string alignment). */
export function editDistance(a: string, b: string, max = Infinity): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest candidates (at most 3, best first) within a distance that grows with the name's length. */
export function closestNames(name: string, candidates: Iterable<string>): { name: string; distance: number }[] {
  const max = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  const scored: { name: string; distance: number }[] = [];
  for (const c of new Set(candidates)) {
    if (c === name) continue;
    const distance = c.toLowerCase() === name.toLowerCase() ? 0.5 : editDistance(name, c, max);
    if (distance <= max) scored.push({ name: c, distance });
  }
  return scored.sort((x, y) => x.distance - y.distance || x.name.localeCompare(y.name)).slice(0, 3);
}

function suggestionFixes(env: Env, d: Diagnostic): CodeAction[] {
  const pipeline = env.ctx.analysis.pipeline;
  const data = (d.data ?? {}) as { name?: string; stage?: string; stages?: string[] };
  const name = d.code === 'stage-unknown' ? data.stage : data.name;
  if (name === undefined) return [];
  let candidates: Iterable<string>;
  if (d.code === 'stage-unknown') candidates = data.stages ?? pipeline.stages;
  else if (d.code === 'extends-unknown') candidates = [...pipeline.merged.entries].filter(([k, v]) => isJobKey(k, v)).map(([k]) => k);
  else candidates = [...pipeline.jobs.values()].filter((j) => !j.hidden).map((j) => j.name);
  const start = env.index.offset(d.range.start);
  const end = env.index.offset(d.range.end);
  const written = env.text.slice(start, end);
  if (!written.includes(name)) return [];
  // The best suggestion is preferred when it is strictly closer than the next one.
  const out = closestNames(name, candidates).map((s, i, all) => {
    const change = replaceScalar(env.text, start, end, s.name);
    const preferred = i === 0 && (all.length === 1 || all[1].distance > s.distance);
    return action(`Change to '${s.name}'`, [d], workspaceEdit(env, [{ uri: env.uri, text: env.text, change }]), preferred);
  });
  if (d.code === 'stage-unknown') out.push(...addStageFix(env, d, name));
  return out;
}

function addStageFix(env: Env, d: Diagnostic, stage: string): CodeAction[] {
  const pipeline = env.ctx.analysis.pipeline;
  const definedIn = pipeline.merged.keySpans.get('stages')?.uri;
  const defining = definedIn ? pipeline.files.find((f) => f.uri === definedIn) : undefined;
  const root = pipeline.files.find((f) => f.kind === 'root');
  const target = defining && isConsumerFile(defining) ? defining : root;
  if (!target) return [];
  const text = target.uri === env.uri ? env.text : env.ctx.textOf(target.uri);
  if (text === undefined) return [];
  const change = appendStage(target.uri, text, stage, pipeline.stages);
  if (!change) return [];
  return [action(`Add stage '${stage}' to stages:`, [d], workspaceEdit(env, [{ uri: target.uri, text, change }]))];
}

// ──────────────────────────────────────────────────────────────────────── inputs ──

function inputValue(spec: { type: string; options?: unknown[]; default?: unknown } | undefined): string {
  if (spec?.options?.length) return yamlScalar(String(spec.options[0]));
  switch (spec?.type) {
    case 'boolean': return 'false';
    case 'number': return '0';
    case 'array': return '[]';
    default: return '""';
  }
}

function inputFixes(env: Env, d: Diagnostic): CodeAction[] {
  const pipeline = env.ctx.analysis.pipeline;
  const offset = env.index.offset(d.range.start);
  const same = pipeline.diagnostics.filter((x) => x.code === 'input-missing' && x.span.uri === env.uri && x.span.start === offset);
  const entryOf = (x: { data?: Record<string, unknown> }): NewEntry | undefined => {
    const name = x.data?.input as string | undefined;
    if (!name) return undefined;
    const at = x.data?.declaredAt as { uri: string } | undefined;
    const file = at ? pipeline.files.find((f) => f.uri === at.uri) : undefined;
    const spec = readInputSpecs(file?.parsed.header).find((s) => s.name === name);
    return { name, value: inputValue(spec), comment: spec?.description };
  };
  const own = entryOf(d as { data?: Record<string, unknown> });
  if (!own) return [];
  const out: CodeAction[] = [];
  const one = addIncludeInputs(env.uri, env.text, offset, [own]);
  if (one) out.push(action(`Add missing input '${own.name}'`, [d], workspaceEdit(env, [{ uri: env.uri, text: env.text, change: one }]), same.length <= 1));
  const entries = same.map(entryOf).filter((e): e is NewEntry => !!e);
  if (entries.length > 1) {
    const all = addIncludeInputs(env.uri, env.text, offset, entries);
    if (all) out.push(action(`Add all ${entries.length} missing inputs`, [d], workspaceEdit(env, [{ uri: env.uri, text: env.text, change: all }]), true));
  }
  return out;
}

// ──────────────────────────────────────────────────────────── missing local file ──

function createFileFix(env: Env, d: Diagnostic): CodeAction[] {
  const data = (d.data ?? {}) as { project?: string | null; path?: string };
  if (data.project || !data.path || isGlob(data.path) || !/\.ya?ml$/i.test(data.path)) return [];
  const written = env.text.slice(env.index.offset(d.range.start), env.index.offset(d.range.end));
  if (/\b(?:project|remote|template|component)\s*:/.test(written) || /https?:\/\//.test(written)) return [];
  const ops = env.caps?.workspace?.workspaceEdit?.resourceOperations;
  if (env.caps && (!ops || !ops.includes('create'))) return [];
  const root = env.ctx.analysis.pipeline.files.find((f) => f.kind === 'root');
  if (!root || !root.uri.endsWith(root.path)) return [];
  const uri = root.uri.slice(0, root.uri.length - root.path.length) + data.path.replace(/^\/+/, '');
  const from = env.ctx.file?.path ?? root.path;
  const edit: WorkspaceEdit = {
    documentChanges: [
      { kind: 'create', uri, options: { ignoreIfExists: true } },
      { textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: `# Included by ${from}.\nvariables: {}\n` }] },
    ],
  };
  return [action(`Create ${data.path}`, [d], edit, true)];
}

// ──────────────────────────────────────────────────────────── keywords (validation) ──

/** The scalar a diagnostic's range covers, unquoted, with its offsets (undefined when it is not `expected`). */
function writtenScalar(env: Env, d: Diagnostic, expected: string): { start: number; end: number } | undefined {
  const start = env.index.offset(d.range.start);
  const end = env.index.offset(d.range.end);
  const written = env.text.slice(start, end).replace(/^(["'])(.*)\1$/s, '$2');
  // The copy of a finding on an inheriting job's name is not where the value is written: no edit there.
  return written === expected ? { start, end } : undefined;
}

function replaceWith(env: Env, d: Diagnostic, at: { start: number; end: number }, value: string, preferred: boolean): CodeAction {
  const change = replaceScalar(env.text, at.start, at.end, value);
  return action(`Change to \`${value}\``, [d], workspaceEdit(env, [{ uri: env.uri, text: env.text, change }]), preferred);
}

/** An unknown key: the closest keywords its entry allows (best first; preferred when strictly closest). */
function unknownKeyFixes(env: Env, d: Diagnostic): CodeAction[] {
  const data = d.data as UnknownKeysData | undefined;
  const key = data?.kind === 'unknown-keys' ? data.keys[0] : undefined;
  const at = key === undefined ? undefined : writtenScalar(env, d, key);
  if (!at) return [];
  return closestNames(key!, data!.allowed).map((s, i, all) => replaceWith(env, d, at, s.name, i === 0 && (all.length === 1 || all[1].distance > s.distance)));
}

/** A value outside a fixed set: one action per allowed value, the closest preferred. */
function invalidValueFixes(env: Env, d: Diagnostic): CodeAction[] {
  const data = d.data as InvalidValueData | undefined;
  if (data?.kind !== 'invalid-value' || !data.allowed.length) return [];
  const at = writtenScalar(env, d, data.value);
  if (!at) return [];
  const best = closestNames(data.value, data.allowed);
  const preferred = best.length && (best.length === 1 || best[1].distance > best[0].distance) ? best[0].name : undefined;
  return data.allowed.map((v) => replaceWith(env, d, at, v, v === preferred));
}

/** `start_in` without `when: delayed`: set `when: delayed` in the mapping where `start_in` is written. */
function delayedFix(env: Env, d: Diagnostic): CodeAction[] {
  const data = d.data as StartInWithoutDelayedData | undefined;
  if (data?.kind !== 'start-in-without-delayed') return [];
  const offset = env.index.offset(d.range.start);
  if (mappingWithKeyAt(env.uri, env.text, offset)?.key !== 'start_in') return [];
  const change = setKeyBeside(env.uri, env.text, offset, 'when', 'delayed');
  if (!change) return [];
  const title = data.when !== undefined ? `Change \`when: ${data.when}\` to \`when: delayed\`` : 'Add `when: delayed`';
  return [action(title, [d], workspaceEdit(env, [{ uri: env.uri, text: env.text, change }]), true)];
}

// ─────────────────────────────────────────────────────────────────────── feature ──

export function quickFixes(ctx: FeatureContext, params: CodeActionParams, caps: ClientCapabilities | undefined): CodeAction[] {
  const only = params.context.only;
  if (only && !only.some((k) => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(`${k}.`) || k === CodeActionKind.Empty)) return [];
  const index = ctx.lineIndex(ctx.document.uri);
  if (!index) return [];
  const env: Env = { ctx, caps, uri: ctx.document.uri, text: ctx.document.text, index };
  const diags = params.context.diagnostics;
  const out: CodeAction[] = [];
  const missing = diags.filter((d) => d.code === 'variable-missing');
  if (missing.length) out.push(...variableFixes(env, missing));
  for (const d of diags) {
    if (typeof d.code !== 'string') continue;
    if (SUGGEST_CODES.has(d.code)) out.push(...suggestionFixes(env, d));
    else if (d.code === 'input-missing') out.push(...inputFixes(env, d));
    else if (d.code === 'include-missing') out.push(...createFileFix(env, d));
    else if (d.code === 'unknown-keys') out.push(...unknownKeyFixes(env, d));
    else if (d.code === 'invalid-value') out.push(...invalidValueFixes(env, d));
    else if (d.code === 'start-in-without-delayed') out.push(...delayedFix(env, d));
  }
  return out;
}

export const codeActions: Feature = {
  capabilities: { codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] } },
  register(host) {
    host.connection.onCodeAction(async (params) => {
      const ctx = await host.context(params.textDocument.uri);
      if (!ctx) return [];
      return quickFixes(ctx, params, host.clientCapabilities?.());
    });
  },
};
