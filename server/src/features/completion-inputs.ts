/**
 * Completion inside `$[[ … ]]` interpolation blocks of a file with a `spec:` header:
 * - `$[[ |` → the contexts `inputs.` and `component.` (inputs first);
 * - `$[[ inputs.|` → the inputs the document's own `spec:inputs` declares;
 * - `$[[ component.|` → GitLab's component fields (pipeline/inputs/input-spec.ts `COMPONENT_FIELDS`);
 * - `$[[ inputs.x | |` → the functions the engine implements (pipeline/inputs/interpolation-functions.ts
 *   `FUNCTION_NAMES`, the one list; this file only adds how to insert and explain each).
 *
 * The block under the cursor is read from the raw line (a block never spans lines), so it works in
 * keys, plain, quoted and block scalars, and while the YAML does not parse. The header is the
 * analysed file's when the document parses, else the header document of the current text (the
 * content below `---` may be half-typed), else the last analysed one.
 */
import { CompletionItemKind, MarkupKind } from 'vscode-languageserver/node';
import type { CompletionItem } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeHeader } from '../pipeline/inputs/input-spec.js';
import { COMPONENT_FIELDS, MAX_FUNCTIONS, readInputSpecs } from '../pipeline/inputs/inputs.js';
import type { InputSpec } from '../pipeline/inputs/inputs.js';
import { FUNCTION_NAMES } from '../pipeline/inputs/interpolation-functions.js';
import type { MapNode } from '../pipeline/model.js';
import { parseYaml } from '../pipeline/yaml/parse.js';
import type { Answering } from './shared/analysis.js';
import { inputDoc } from './shared/input-docs.js';
import { item, snippetText } from './shared/completion-items.js';
import type { ItemRange } from './shared/completion-items.js';
import { lineAt } from './shared/yaml-lines.js';

/** What the cursor is typing inside a `$[[ … ]]` block. */
export interface BlockCursor {
  /** `context`: `$[[ inp|`; `name`: `$[[ inputs.na|`; `function`: `$[[ inputs.x | tru|`; `other`: anything else. */
  part: 'context' | 'name' | 'function' | 'other';
  /** For `name`: the context written before the dot. */
  context?: string;
  /** The word to replace (offsets into the text): what is typed before the cursor and the word it runs into. */
  start: number;
  end: number;
  /** `]]` closes the block later on the line. */
  closed: boolean;
  /** For `function`: how many functions the block applies before this one. */
  functionsBefore: number;
}

const BLOCK_OPEN = '$[[';

/**
 * The `$[[ … ]]` block the cursor is in (an open one on its line: after `$[[`, before `]]`),
 * `'opening'` right after a lone `$[` (the second `[` is coming: nothing to offer yet), else undefined.
 */
export function blockAt(text: string, offset: number): BlockCursor | 'opening' | undefined {
  const { start: ls, end: le } = lineAt(text, offset);
  if (offset < ls || offset > le) return undefined;
  const before = text.slice(ls, offset);
  const open = before.lastIndexOf(BLOCK_OPEN);
  const inner = open >= 0 ? before.slice(open + BLOCK_OPEN.length) : undefined;
  if (inner === undefined || inner.includes(']]')) return /(?:^|[^$])(?:\$\$)*\$\[$/.test(before) ? 'opening' : undefined;
  const after = text.slice(offset, le);
  const close = after.indexOf(']]');
  const next = after.indexOf(BLOCK_OPEN);
  const closed = close >= 0 && (next < 0 || close < next);
  const parts = inner.split('|');
  const word = parts[parts.length - 1].trimStart();
  const runOn = (chars: RegExp) => {
    let e = offset;
    while (e < le && chars.test(text[e])) e++;
    return e;
  };
  const base = { closed, functionsBefore: parts.length - 2 };
  if (parts.length === 1) {
    const m = /^([A-Za-z_]\w*)\.([\w-]*)$/.exec(word);
    if (m) return { ...base, part: 'name', context: m[1], start: offset - m[2].length, end: runOn(/[\w-]/) };
    if (/^\w*$/.test(word)) return { ...base, part: 'context', start: offset - word.length, end: runOn(/\w/) };
  } else if (/^\w*$/.test(word)) {
    return { ...base, part: 'function', start: offset - word.length, end: runOn(/\w/) };
  }
  return { ...base, part: 'other', start: offset, end: offset };
}

/** The `spec:` header of the document and where its content (below `---`) starts. */
interface Header {
  header?: MapNode;
  /** Offset of the content document (0 without a header). */
  contentStart: number;
}

/** Where the header document of a raw text ends: the first `---` line with a `spec:` key above it. */
function separatorOf(text: string): { separator: number; contentStart: number } | undefined {
  for (const m of text.matchAll(/^---[ \t]*(?:#.*)?$/gm)) {
    if (/^spec:/m.test(text.slice(0, m.index))) return { separator: m.index!, contentStart: m.index! + m[0].length };
  }
  return undefined;
}

function documentHeader(uri: string, text: string, answering: Answering): Header {
  const sep = separatorOf(text);
  if (!sep) return { contentStart: 0 };
  // The analysis read this very text: its header is exact (and cached).
  const analysed = answering.file?.parsed.header;
  if (answering.fresh && analysed) return { header: analysed, contentStart: sep.contentStart };
  // The content may be half-typed: the header document alone, else the last one that parsed.
  const doc = parseYaml(uri, text.slice(0, sep.separator)).content;
  const header = doc.kind === 'map' && doc.entries.has('spec') ? doc : analysed;
  return { header, contentStart: sep.contentStart };
}

/** The `spec:component` fields the header declares (undefined: no `spec:component`). */
function declaredComponentFields(header: MapNode): ReadonlySet<string> | undefined {
  try {
    return analyzeHeader(header, () => undefined, header.span ?? { uri: '', start: 0, end: 0 }).component;
  } catch {
    return undefined;
  }
}

/** Markdown and insert text of each function the engine implements (exhaustive over FUNCTION_NAMES). */
const FUNCTION_DOCS: Record<(typeof FUNCTION_NAMES)[number], { signature: string; snippet: string; doc: string }> = {
  expand_vars: {
    signature: 'expand_vars',
    snippet: 'expand_vars',
    doc: 'Expands `$VAR`, `${VAR}` and `%VAR%` with the variables GitLab knows when it loads the file (predefined and project/group CI/CD variables — not the YAML `variables:`). Unknown variables stay as written.',
  },
  truncate: {
    signature: 'truncate(offset, length)',
    snippet: 'truncate(${1:0}, ${2:8})',
    doc: 'The `length` characters starting at `offset` (zero-based), e.g. `truncate(0,8)` keeps the first eight.',
  },
  posix_escape: {
    signature: 'posix_escape',
    snippet: 'posix_escape',
    doc: 'Escapes the value for a POSIX shell (Ruby `Shellwords.shellescape`), so it is passed as one word.',
  },
  split: {
    signature: "split('separator')",
    snippet: "split('${1:,}')",
    doc: 'Splits the value at `separator`, strips each part and drops empty ones: the result is an array.',
  },
};

/** One line on each `component.` field, in our words. */
const COMPONENT_DOCS: Record<(typeof COMPONENT_FIELDS)[number], string> = {
  name: "The component's name: the last segment of its `include: component:` path (`templates/<name>.yml`).",
  sha: 'The commit SHA the included version of the component resolved to.',
  version: 'The release version it resolved to (`~latest` or `1.2` → e.g. `1.2.3`); empty when a branch or SHA was included.',
  reference: 'The version exactly as written after `@` in `include: component:` (`~latest`, `1.2`, a branch, a SHA).',
};

function shown(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function firstLine(s: string, max = 80): string {
  const line = s.split('\n')[0].trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function inputDetail(spec: InputSpec): string {
  const parts: string[] = [spec.type, spec.hasDefault ? `default ${shown(spec.default)}` : 'required'];
  if (spec.options?.length) parts.push(`options: ${spec.options.map(shown).join(', ')}`);
  const detail = parts.join(' · ');
  return spec.description ? `${detail} — ${firstLine(spec.description)}` : detail;
}

export interface BlockRequest {
  uri: string;
  text: string;
  doc: Pick<TextDocument, 'positionAt'>;
  answering: Answering;
}

/** Items for the cursor in a `$[[ … ]]` block (`[]` when nothing fits: the block owns the cursor). */
export function interpolationItems(req: BlockRequest, cursor: BlockCursor): CompletionItem[] {
  const { text, doc } = req;
  const { header, contentStart } = documentHeader(req.uri, text, req.answering);
  // Blocks in the header itself are not interpolated.
  if (header && cursor.start < contentStart) return [];
  const range = { start: doc.positionAt(cursor.start), end: doc.positionAt(cursor.end) };
  // A name or function completes the block: `]]` when it is not closed yet (and no `|` follows), a space before a `]]` right after.
  const closing = !cursor.closed ? (/^[ \t]*\|/.test(text.slice(cursor.end, cursor.end + 200)) ? '' : ' ]]') : text[cursor.end] === ']' ? ' ' : '';
  switch (cursor.part) {
    case 'context':
      return contextItems(text, cursor, range, header);
    case 'name':
      if (cursor.context === 'inputs') return inputItems(text.slice(cursor.start, cursor.end), range, header, closing);
      if (cursor.context === 'component') return componentItems(range, header, closing);
      return [];
    case 'function': {
      if (cursor.functionsBefore >= MAX_FUNCTIONS) return [];
      const space = text[cursor.start - 1] === '|' ? ' ' : '';
      const argsFollow = text[cursor.end] === '(';
      return FUNCTION_NAMES.map((name, i) => {
        const f = FUNCTION_DOCS[name];
        return item({
          label: name,
          kind: CompletionItemKind.Function,
          detail: f.signature,
          documentation: { kind: MarkupKind.Markdown, value: `**${f.signature}** — interpolation function\n\n${f.doc}` },
          sortText: String(i).padStart(2, '0'),
          insert: space + (argsFollow ? name : f.snippet) + snippetText(argsFollow ? '' : closing),
          snippet: true,
          filterText: name,
          range,
        });
      });
    }
    default:
      return [];
  }
}

function contextItems(text: string, cursor: BlockCursor, range: ItemRange, header: MapNode | undefined): CompletionItem[] {
  const space = text[cursor.start - 1] === '[' ? ' ' : '';
  const dotFollows = text[cursor.end] === '.';
  const names = readInputSpecs(header).map((s) => s.name);
  const noHeader = 'This file has no `spec:` header: GitLab leaves its `$[[ … ]]` blocks as written.';
  const contexts = [
    {
      label: 'inputs',
      detail: header ? (names.length ? `spec:inputs: ${names.join(', ')}` : 'spec:inputs declares no inputs') : 'no spec: header in this file',
      doc: header ? 'An input declared in this file\'s `spec:inputs`, given by the `include:` that loads it (or its default).' : noHeader,
    },
    {
      label: 'component',
      detail: `${COMPONENT_FIELDS.join(', ')} (when included as a component)`,
      doc: "A field of the component this file is the template of (`include: component:`); declare the fields used in `spec:component`.",
    },
  ];
  return contexts.map((c, i) => {
    const it = item({
      label: `${c.label}.`,
      kind: CompletionItemKind.Module,
      detail: c.detail,
      documentation: { kind: MarkupKind.Markdown, value: c.doc },
      sortText: String(i),
      insert: space + c.label + (dotFollows ? '' : '.'),
      filterText: c.label,
      range,
    });
    if (!dotFollows) it.command = { title: 'Suggest', command: 'editor.action.triggerSuggest' };
    return it;
  });
}

/** A hint in place of names that cannot be offered: replaces the typed word by itself. */
function hint(typed: string, range: ItemRange, label: string, doc: string): CompletionItem {
  return item({ label, kind: CompletionItemKind.Text, detail: 'no inputs to offer', documentation: { kind: MarkupKind.Markdown, value: doc }, insert: typed, filterText: typed || label, range });
}

const HEADER_EXAMPLE = ['```yaml', 'spec:', '  inputs:', '    stage:', '      default: test', '---', 'job:', '  stage: $[[ inputs.stage ]]', '```'].join('\n');

function inputItems(typed: string, range: ItemRange, header: MapNode | undefined, closing: string): CompletionItem[] {
  if (!header) {
    return [hint(typed, range, 'no spec:inputs header', `This file has no \`spec:\` header, so it takes no inputs and GitLab leaves \`$[[ inputs.… ]]\` as written. Declare them in a header document above \`---\`:\n\n${HEADER_EXAMPLE}`)];
  }
  const specs = readInputSpecs(header);
  if (!specs.length) return [hint(typed, range, 'no inputs declared', `The \`spec:\` header of this file declares no \`inputs:\`:\n\n${HEADER_EXAMPLE}`)];
  return specs.map((spec, i) =>
    item({
      label: spec.name,
      kind: CompletionItemKind.Field,
      detail: inputDetail(spec),
      documentation: { kind: MarkupKind.Markdown, value: inputDoc(spec) },
      sortText: String(i).padStart(4, '0'),
      insert: spec.name + closing,
      filterText: spec.name,
      range,
    }),
  );
}

function componentItems(range: ItemRange, header: MapNode | undefined, closing: string): CompletionItem[] {
  const declared = header ? declaredComponentFields(header) : undefined;
  return COMPONENT_FIELDS.map((field, i) => {
    const isDeclared = declared?.has(field) ?? false;
    const note = isDeclared ? '' : `\n\nNot declared in \`spec:component\` of this file: GitLab only interpolates declared fields (\`spec: component: [${field}]\`).`;
    return item({
      label: field,
      kind: CompletionItemKind.Property,
      detail: `component.${field}${isDeclared ? '' : ' · not in spec:component'}`,
      documentation: { kind: MarkupKind.Markdown, value: `**component.${field}** — ${COMPONENT_DOCS[field]}${note}` },
      // Declared fields first, each group in GitLab's order.
      sortText: `${isDeclared ? 0 : 1}${i}`,
      insert: field + closing,
      filterText: field,
      range,
    });
  });
}
