/**
 * Document symbols (the outline): real jobs grouped under their stage (the stage of the merged job,
 * `test` when none), template (hidden) jobs in a group of their own, and the top-level keywords
 * (`variables` with each variable, `include` with each entry, `stages`, `workflow`, `default`, ...)
 * plus the `spec:inputs` header when the file has one.
 */
import { SymbolKind } from 'vscode-languageserver/node';
import type { DocumentSymbol, Range } from 'vscode-languageserver/node';
import { extendsNames } from '../pipeline/merge/extends.js';
import { parseIncludeEntries } from '../pipeline/includes/include-entries.js';
import { findInterpolationBlocks, readInputSpecs } from '../pipeline/inputs/inputs.js';
import type { InputSpec } from '../pipeline/inputs/inputs.js';
import { GLOBAL_KEYWORDS } from '../pipeline/merge/jobs.js';
import type { MapNode, Node, Span } from '../pipeline/model.js';
import type { Feature, FeatureContext } from './shared/context.js';
import { featureContext } from './shared/client-uris.js';

export const TEMPLATES_GROUP = 'templates';

const KEYWORD_KIND: Record<string, SymbolKind> = {
  variables: SymbolKind.Namespace,
  include: SymbolKind.Module,
  stages: SymbolKind.Array,
  types: SymbolKind.Array,
  workflow: SymbolKind.Object,
  default: SymbolKind.Object,
};

function short(n: Node | undefined): string | undefined {
  if (n?.kind === 'scalar') return n.value === null ? undefined : String(n.value).split('\n')[0].slice(0, 80);
  if (n?.kind === 'map') {
    const v = n.entries.get('value');
    return v?.kind === 'scalar' ? short(v) : undefined;
  }
  return undefined;
}

export function documentSymbols(ctx: FeatureContext): DocumentSymbol[] {
  const parsed = ctx.file?.parsed;
  if (!parsed) return [];
  const pipeline = ctx.analysis.pipeline;

  /** A symbol for a key and its value; undefined when the file's text cannot place it. */
  const symbol = (name: string, kind: SymbolKind, key: Span | undefined, value: Node | undefined, detail?: string, children?: DocumentSymbol[]): DocumentSymbol | undefined => {
    const selectionRange = key && ctx.range(key);
    if (!selectionRange) return undefined;
    const v = value?.span;
    const range = (v && v.uri === key!.uri && v.end > key!.start && ctx.range({ uri: key!.uri, start: key!.start, end: v.end })) || selectionRange;
    return { name: name || '""', kind, range, selectionRange, ...(detail ? { detail } : {}), ...(children?.length ? { children } : {}) };
  };
  const keyed = (m: MapNode, kind: SymbolKind, detail: (v: Node) => string | undefined = short) =>
    [...m.entries].flatMap(([k, v]) => symbol(k, kind, m.keySpans.get(k), v, detail(v)) ?? []);
  const group = (name: string, detail: string, children: DocumentSymbol[]): DocumentSymbol => ({
    name,
    detail,
    kind: SymbolKind.Namespace,
    range: { start: children[0].range.start, end: children.reduce<Range['end']>((e, c) => (before(e, c.range.end) ? c.range.end : e), children[0].range.end) },
    selectionRange: children[0].selectionRange,
    children,
  });

  const out: DocumentSymbol[] = [];
  const header = parsed.header?.entries.get('spec');
  if (header?.kind === 'map') {
    const inputs = header.entries.get('inputs');
    const s = symbol('spec', SymbolKind.Interface, parsed.header!.keySpans.get('spec'), header, undefined, inputs?.kind === 'map' ? keyed(inputs, SymbolKind.Property, (v) => (v.kind === 'map' ? short(v.entries.get('type')) : undefined)) : []);
    if (s) out.push(s);
  }
  const root = parsed.content;
  if (root.kind !== 'map') return out;
  const specs = readInputSpecs(parsed.header);
  const stages = new Map<string, DocumentSymbol[]>();
  const templates: DocumentSymbol[] = [];
  for (const [key, value] of root.entries) {
    const keySpan = root.keySpans.get(key);
    if (GLOBAL_KEYWORDS.has(key)) {
      let children: DocumentSymbol[] = [];
      if (key === 'variables' && value.kind === 'map') children = keyed(value, SymbolKind.Variable);
      else if ((key === 'stages' || key === 'types') && value.kind === 'seq') {
        children = value.items.flatMap((i) => (i.kind === 'scalar' && i.span ? symbol(String(i.value), SymbolKind.EnumMember, i.span, i) ?? [] : []));
      } else if (key === 'include') {
        children = parseIncludeEntries(value, () => undefined).flatMap((e) => symbol(e.location, SymbolKind.File, e.locationSpan, e.node, e.kind === 'project' ? `${e.kind}${e.ref ? `@${e.ref}` : ''}: ${e.files.join(', ')}` : e.kind) ?? []);
      } else if (value.kind === 'map') children = keyed(value, SymbolKind.Property, () => undefined);
      const s = symbol(key, KEYWORD_KIND[key] ?? SymbolKind.Property, keySpan, value, undefined, children);
      if (s) out.push(s);
      continue;
    }
    if (value.kind !== 'map') continue;
    const hidden = key.startsWith('.');
    const bases = extendsNames(value.entries.get('extends')).map((b) => b.name).filter(Boolean);
    const merged = pipeline.jobs.get(key)?.node ?? value;
    const stageNode = merged.entries.get('stage');
    const stage = stageNode?.kind === 'scalar' && stageNode.value !== null ? uninterpolated(String(stageNode.value), specs) : 'test';
    const detail = [hidden && stageNode ? `stage ${stage}` : '', bases.length ? `extends ${bases.join(', ')}` : ''].filter(Boolean).join(' · ');
    const s = symbol(key, hidden ? SymbolKind.Class : SymbolKind.Function, keySpan, value, detail);
    if (!s) continue;
    if (hidden) templates.push(s);
    else {
      const list = stages.get(stage) ?? [];
      list.push(s);
      stages.set(stage, list);
    }
  }
  const order = (s: string) => {
    const i = pipeline.stages.indexOf(s);
    return i < 0 ? pipeline.stages.length : i;
  };
  for (const [stage, jobs] of [...stages].sort((a, b) => order(a[0]) - order(b[0]))) out.push(group(stage, 'stage', jobs));
  if (templates.length) out.push(group(TEMPLATES_GROUP, 'hidden jobs', templates));
  return out;
}

/** A stage still written as `$[[ inputs.x ]]` (the file was not interpolated): the input's default. */
function uninterpolated(stage: string, specs: InputSpec[]): string {
  const [block] = findInterpolationBlocks(stage);
  if (!block || block.text !== stage || block.functions.length) return stage;
  const spec = specs.find((s) => `inputs.${s.name}` === block.access);
  return spec?.hasDefault && typeof spec.default === 'string' ? spec.default : stage;
}

function before(a: Range['end'], b: Range['end']): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

export const documentSymbol: Feature = {
  capabilities: { documentSymbolProvider: true },
  register(host) {
    host.connection.onDocumentSymbol(async (params) => {
      const ctx = await featureContext(host, params.textDocument.uri);
      return ctx ? documentSymbols(ctx) : null;
    });
  },
};
