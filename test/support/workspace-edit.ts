/**
 * Applies an LSP WorkspaceEdit to texts the way an editor would: `changes` and `documentChanges`
 * (TextDocumentEdit with plain or LSP 3.18 snippet edits, CreateFile), edits of one document
 * applied against its original text. A snippet's placeholders become their default text.
 */
import type { Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol/node';

function offsetOf(text: string, pos: { line: number; character: number }): number {
  let offset = 0;
  for (let line = 0; line < pos.line; line++) {
    const nl = text.indexOf('\n', offset);
    if (nl < 0) return text.length;
    offset = nl + 1;
  }
  return Math.min(offset + pos.character, text.length);
}

/** The text a snippet inserts when every placeholder keeps its default (`${1:}` → "", `${1:x}` → "x"). */
export function snippetText(snippet: string): string {
  let out = '';
  for (let i = 0; i < snippet.length; i++) {
    const c = snippet[i];
    if (c === '\\' && i + 1 < snippet.length) {
      out += snippet[++i];
    } else if (c === '$' && snippet[i + 1] === '{') {
      const m = /^\$\{\d+(?::([^}]*))?\}/.exec(snippet.slice(i));
      if (!m) throw new Error(`unsupported snippet syntax at ${i}: ${snippet}`);
      out += m[1] ?? '';
      i += m[0].length - 1;
    } else if (c === '$' && /\d/.test(snippet[i + 1] ?? '')) {
      const m = /^\$\d+/.exec(snippet.slice(i))!;
      i += m[0].length - 1;
    } else out += c;
  }
  return out;
}

export function applyTextEdits(text: string, edits: { range: Range; newText: string }[]): string {
  const resolved = edits.map((e) => ({ start: offsetOf(text, e.range.start), end: offsetOf(text, e.range.end), newText: e.newText }));
  resolved.sort((a, b) => b.start - a.start || b.end - a.end);
  for (let i = 1; i < resolved.length; i++) {
    if (resolved[i].end > resolved[i - 1].start) throw new Error('overlapping edits');
  }
  let out = text;
  for (const e of resolved) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** Files after the edit: `texts` (uri → text) updated, created files added. */
export function applyWorkspaceEdit(edit: WorkspaceEdit, texts: Record<string, string>): Record<string, string> {
  const out = { ...texts };
  for (const [uri, edits] of Object.entries(edit.changes ?? {})) {
    if (out[uri] === undefined) throw new Error(`edit of an unknown document ${uri}`);
    out[uri] = applyTextEdits(out[uri], edits as TextEdit[]);
  }
  for (const change of edit.documentChanges ?? []) {
    if ('kind' in change) {
      if (change.kind === 'create') {
        if (out[change.uri] === undefined || !change.options?.ignoreIfExists) out[change.uri] = out[change.uri] ?? '';
      } else throw new Error(`unsupported resource operation ${change.kind}`);
      continue;
    }
    const uri = change.textDocument.uri;
    if (out[uri] === undefined) throw new Error(`edit of an unknown document ${uri}`);
    const edits = change.edits.map((e) => {
      const s = e as { range: Range; newText?: string; snippet?: { kind: string; value: string } };
      return { range: s.range, newText: s.snippet ? snippetText(s.snippet.value) : s.newText ?? '' };
    });
    out[uri] = applyTextEdits(out[uri], edits);
  }
  return out;
}
