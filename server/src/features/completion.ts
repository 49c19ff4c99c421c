/**
 * textDocument/completion. The cursor's context comes from the raw text (shared/yaml-context.ts, so it
 * works on half-typed YAML); the names come from the analysis (the last one in which the document
 * parsed, shared/analysis.ts). What is offered where:
 * - `$`/`${` in a string: variables in scope + predefined (completion-variables.ts);
 * - keys of a consumer's `variables:`: the variables its presets expect, required first;
 * - `extends:`, `needs:`, `dependencies:`, `!reference [`, `stage:` (completion-jobs.ts);
 * - include `file:` / `local:` paths and `inputs:` names and values (completion-includes.ts);
 * - inside `$[[ … ]]`: `inputs.`/`component.`, the file's own inputs, component fields and
 *   `| functions` (completion-inputs.ts), before anything else: the block owns the cursor;
 * - GitLab keywords and their fixed values (keyword-docs.ts), unless the Red Hat YAML extension
 *   offers them already: setting `gitlabCiPresets.completion.keywords` = `auto` (default: on
 *   unless the client's initializationOptions say `redhatYamlActive: true`), `always` or `never`.
 */
import { CompletionItemKind, MarkupKind } from 'vscode-languageserver/node';
import type { CompletionItem, CompletionParams } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { definitionsInScope, documentContract } from '../pipeline/contract/index.js';
import type { Analysis } from '../workspace.js';
import { answering, rememberOnOpen } from './shared/analysis.js';
import { entryFiles, inputNameItems, inputValueItems, localFileItems, projectFileItems } from './completion-includes.js';
import { blockAt, interpolationItems } from './completion-inputs.js';
import { item } from './shared/completion-items.js';
import type { ItemRange } from './shared/completion-items.js';
import { extendsItems, needsItems, referenceItems, stageItems } from './completion-jobs.js';
import { dollarItems, presetVariableItems } from './completion-variables.js';
import type { Feature, FeatureContext, FeatureHost } from './shared/context.js';
import { keywordOfValue, keywordsAt } from './shared/keyword-docs.js';
import type { KeywordDoc } from './shared/keyword-docs.js';
import { jobOfPath, yamlContext } from './shared/yaml-context.js';
import { mappingEntries, sequenceItems } from './shared/yaml-lines.js';
import type { YamlContext } from './shared/yaml-context.js';

export const TRIGGER_CHARACTERS = ['$', '[', ':', ' ', '-', '/', '.', '{', '|'];

type Path = YamlContext['path'];
const isIndex = (p: unknown): p is number => typeof p === 'number';

/** Whether keyword items are offered: the setting, and in `auto` whether the Red Hat YAML extension is active. */
export function keywordsEnabled(host: Pick<FeatureHost, 'settings' | 'initializationOptions'>): boolean {
  const mode = host.settings().completion?.keywords ?? 'auto';
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  return host.initializationOptions().redhatYamlActive !== true;
}

export interface CompletionRequest {
  ctx: FeatureContext;
  doc: Pick<TextDocument, 'positionAt'>;
  offset: number;
  triggerCharacter?: string;
  keywords: boolean;
}

/** The last key of a path, skipping a trailing sequence index. */
function lastKey(path: Path): { key?: string; parent: Path } {
  const p = isIndex(path.at(-1)) ? path.slice(0, -1) : path;
  const key = p.at(-1);
  return { key: typeof key === 'string' ? key : undefined, parent: p.slice(0, -1) };
}

function keywordDoc(d: KeywordDoc): string {
  const values = d.values?.length ? `\n\nValues: ${d.values.map((v) => `\`${v}\``).join(', ')}` : '';
  return `${d.doc}${values}\n\n[GitLab docs](${d.url})`;
}

function keywordItems(path: Path, present: ReadonlySet<string>, colonFollows: boolean, range: ItemRange): CompletionItem[] {
  return keywordsAt(path)
    .filter((d) => !present.has(d.name))
    .map((d) => {
      const tail = colonFollows ? '' : d.shape === 'map' ? ':\n  $0' : d.shape === 'seq' ? ':\n  - $0' : ': $0';
      return item({
        label: d.name,
        kind: CompletionItemKind.Property,
        detail: 'GitLab CI keyword',
        documentation: { kind: MarkupKind.Markdown, value: keywordDoc(d) },
        sortText: `2${d.name}`,
        insert: d.name + tail,
        snippet: true,
        filterText: d.name,
        range,
      });
    });
}

/** Values a keyword accepts (`when:`, `policy:`, ...). */
function keywordValueItems(path: Path, range: ItemRange): CompletionItem[] {
  const d = keywordOfValue(path);
  return (d?.values ?? []).map((v, i) => item({ label: v, kind: CompletionItemKind.EnumMember, detail: `${d!.name}`, sortText: String(i).padStart(3, '0'), range }));
}

/** Names already written in the same list (`extends: [.a, |]`, `needs:`, `file:`), from the raw text. */
function listedNames(text: string, yc: YamlContext): Set<string> {
  const out = new Set<string>();
  const line = text.slice(text.lastIndexOf('\n', yc.token.start - 1) + 1, yc.token.start);
  const flow = /\[([^\]]*)$/.exec(line);
  if (flow) for (const s of flow[1].split(',')) if (s.trim()) out.add(s.trim().replace(/^["']|["']$/g, ''));
  if (yc.seqColumn !== undefined) for (const s of sequenceItems(text, yc.token.start, yc.seqColumn)) out.add(s);
  return out;
}

export async function completionItems(req: CompletionRequest): Promise<CompletionItem[]> {
  const { ctx, doc, offset } = req;
  const text = ctx.document.text;
  const yc = yamlContext(text, offset);
  if (yc.kind === 'comment') return [];
  const answer = answering(ctx);
  const { analysis } = answer;
  const block = blockAt(text, offset);
  if (block === 'opening') return [];
  if (block) return interpolationItems({ uri: ctx.document.uri, text, doc, answering: answer }, block);
  // `|` only asks inside a block, not for a block scalar (`script: |`).
  if (req.triggerCharacter === '|') return [];
  const range: ItemRange = { start: doc.positionAt(yc.token.start), end: doc.positionAt(yc.token.end) };
  const job = jobOfPath(yc.path);

  if (yc.variable) {
    const v = yc.variable;
    const vr: ItemRange = { start: doc.positionAt(v.start), end: doc.positionAt(v.end) };
    return dollarItems(analysis, job, ctx.settings.knownVariables ?? [], v.braced, text[v.end] === '}', vr);
  }
  if (req.triggerCharacter === '$' || req.triggerCharacter === '{') return [];
  // A space only asks for values (`key: |`, `- |`), not for keys while indenting.
  if (req.triggerCharacter === ' ' && yc.kind === 'key') return [];

  let items: CompletionItem[];
  if (yc.kind === 'reference') items = referenceItems(analysis, yc.reference!.elements.slice(0, yc.reference!.index), range);
  else if (yc.kind === 'key') items = keyItems(req, yc, analysis, range);
  else items = await valueItems(req, yc, analysis, range);
  if (yc.needsSpace) for (const it of items) if (it.textEdit && 'range' in it.textEdit) it.textEdit.newText = ' ' + it.textEdit.newText;
  return items;
}

function keyItems(req: CompletionRequest, yc: YamlContext, analysis: Analysis, range: ItemRange): CompletionItem[] {
  const text = req.ctx.document.text;
  const col = yc.mapColumn ?? 0;
  const lineStart = text.lastIndexOf('\n', yc.token.start - 1) + 1;
  const present = new Set(mappingEntries(text, lineStart + col, col).keys());
  present.delete(yc.token.text);
  const colonFollows = /^\s*:/.test(text.slice(yc.token.end, yc.token.end + 40));
  const p = yc.path;
  if (p.at(-1) === 'variables' && (p.length === 1 || jobOfPath(p) !== undefined)) {
    const items = presetVariableItems(analysis, req.ctx.document.uri, p.length === 1 ? undefined : jobOfPath(p), present, req.ctx.settings.knownVariables ?? [], range);
    if (colonFollows) for (const it of items) if (it.textEdit) it.textEdit.newText = it.label;
    return items;
  }
  if (p[0] === 'include' && p.at(-1) === 'inputs') {
    const files = includeEntryFiles(req, yc, analysis, p.length - 1);
    return inputNameItems(files, present, range);
  }
  return req.keywords ? keywordItems(p, present, colonFollows, range) : [];
}

/** The files loaded by the include entry that holds path step `stepIndex` (a key of the entry). */
function includeEntryFiles(req: CompletionRequest, yc: YamlContext, analysis: Analysis, stepIndex: number) {
  const text = req.ctx.document.text;
  const keyAt = yc.starts[stepIndex];
  const col = keyAt - (text.lastIndexOf('\n', keyAt - 1) + 1);
  const entries = mappingEntries(text, keyAt, col);
  const start = Math.min(...[...entries.values()].map((e) => e.keyStart));
  return entryFiles(analysis, req.ctx.document.uri, start, entries);
}

async function valueItems(req: CompletionRequest, yc: YamlContext, analysis: Analysis, range: ItemRange): Promise<CompletionItem[]> {
  const text = req.ctx.document.text;
  const p = yc.path;
  const { key, parent } = lastKey(p);
  const job = jobOfPath(p);
  const typed = text.slice(yc.token.start, req.offset);
  const out: CompletionItem[] = [];

  if (job !== undefined && key === 'extends' && parent.length === 1) out.push(...extendsItems(analysis, job, range, listedNames(text, yc)));
  else if (job !== undefined && (key === 'needs' || key === 'dependencies' || (key === 'job' && lastKey(parent).key === 'needs'))) out.push(...needsItems(analysis, job, range, listedNames(text, yc)));
  else if (job !== undefined && key === 'stage' && parent.length === 1) out.push(...stageItems(analysis, range));
  else if (p[0] === 'include') {
    const fileStep = p.lastIndexOf('file');
    if (key === 'file' && fileStep > 0) {
      const keyAt = yc.starts[fileStep];
      const col = keyAt - (text.lastIndexOf('\n', keyAt - 1) + 1);
      const entries = mappingEntries(text, keyAt, col);
      const project = entries.get('project')?.value;
      if (project) out.push(...(await projectFileItems(analysis, project, entries.get('ref')?.value || undefined, typed, listedNames(text, yc), range)));
    } else if (key === 'local' || (yc.kind === 'item' && p.length === 2) || (p.length === 1 && yc.kind === 'value')) {
      const self = req.ctx.file?.path;
      out.push(...(await localFileItems(analysis, self, typed, range)));
    } else if (p.length >= 3 && p.at(-2) === 'inputs' && typeof key === 'string') {
      out.push(...inputValueItems(includeEntryFiles(req, yc, analysis, p.length - 2), key, range));
    }
  } else if (key && lastKey(parent).key === 'variables' && !isIndex(p.at(-1))) {
    out.push(...variableValueItems(req, analysis, key, job, range));
  }
  if (req.keywords) {
    out.push(...keywordValueItems(p, range));
    // `- |` under a list of mappings: the keys a new item may take.
    if (yc.kind === 'item' && isIndex(p.at(-1))) out.push(...keywordItems(p, new Set(), false, range));
  }
  return out;
}

/** The options of a variable being given a value (rich variables, the presets' contracts). */
function variableValueItems(req: CompletionRequest, analysis: Analysis, name: string, job: string | undefined, range: ItemRange): CompletionItem[] {
  const options = new Set<string>();
  for (const d of definitionsInScope(analysis.pipeline, job, { withoutPredefined: true }).get(name) ?? []) for (const o of d.options ?? []) options.add(o);
  for (const v of documentContract(analysis.pipeline, req.ctx.document.uri, job)) if (v.name === name) for (const o of v.options ?? []) options.add(o);
  return [...options].map((o, i) => item({ label: o, kind: CompletionItemKind.Value, sortText: String(i).padStart(3, '0'), range }));
}

export const completion: Feature = {
  capabilities: { completionProvider: { triggerCharacters: TRIGGER_CHARACTERS, resolveProvider: false } },
  register(host) {
    rememberOnOpen(host);
    host.connection.onCompletion(async (params: CompletionParams) => {
      const doc = host.documents.get(params.textDocument.uri);
      if (!doc) return null;
      const ctx = await host.context(params.textDocument.uri);
      if (!ctx) return null;
      const items = await completionItems({ ctx, doc, offset: doc.offsetAt(params.position), triggerCharacter: params.context?.triggerCharacter, keywords: keywordsEnabled(host) });
      return { isIncomplete: false, items };
    });
  },
};
