/**
 * Building completion items: every item replaces the word under the cursor (a text edit over the
 * token yaml-context found), so typed prefixes, quotes and dots are handled the same everywhere.
 */
import { InsertTextFormat } from 'vscode-languageserver/node';
import type { CompletionItem, CompletionItemKind, MarkupContent, Range } from 'vscode-languageserver/node';

export type ItemRange = Range;

export interface ItemSpec {
  label: string;
  kind: CompletionItemKind;
  range: ItemRange;
  detail?: string;
  documentation?: MarkupContent;
  sortText?: string;
  /** Text inserted instead of the label (plain unless `snippet`). */
  insert?: string;
  snippet?: boolean;
  filterText?: string;
}

export function item(s: ItemSpec): CompletionItem {
  const out: CompletionItem = { label: s.label, kind: s.kind, textEdit: { range: s.range, newText: s.insert ?? s.label } };
  if (s.detail) out.detail = s.detail;
  if (s.documentation) out.documentation = s.documentation;
  if (s.sortText) out.sortText = s.sortText;
  if (s.snippet) out.insertTextFormat = InsertTextFormat.Snippet;
  if (s.filterText) out.filterText = s.filterText;
  return out;
}

/** Text as a literal inside a snippet (`$`, `}` and `\` escaped). */
export function snippetText(text: string): string {
  return text.replace(/[\\$}]/g, (c) => `\\${c}`);
}

/** A snippet placeholder for a value: a choice among `options`, the default, or an empty tab stop. */
export function valuePlaceholder(options: readonly string[] | undefined, def: string | undefined, n = 1): string {
  if (options?.length) {
    const choices = options.map((o) => o.replace(/[\\|,$}]/g, (c) => `\\${c}`));
    return `\${${n}|${choices.join(',')}|}`;
  }
  if (def !== undefined && def !== '') return `\${${n}:${snippetText(yamlScalarText(def))}}`;
  return `$${n}`;
}

/** A string as a YAML plain scalar when it can be one, else double-quoted. */
export function yamlScalarText(value: string): string {
  if (value === '') return '""';
  const plainSafe = /^[^\s\-?:,[\]{}#&*!|>'"%@`][^#]*$/.test(value) && !/:\s|\s#|\s$/.test(value) && !/^(?:true|false|yes|no|on|off|null|~|[-+]?\d[\d_.:eE+-]*)$/i.test(value);
  return plainSafe ? value : JSON.stringify(value);
}
