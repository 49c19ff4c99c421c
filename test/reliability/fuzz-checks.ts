/**
 * What the fuzzer checks in every answer besides its arrival: each range that refers to an open
 * document lies inside that document's current text (the server's copy of the text and the
 * editor's agree after any sequence of incremental edits), and figures over the latencies.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';

interface Pos {
  line: number;
  character: number;
}
interface Rng {
  start: Pos;
  end: Pos;
}

const isPos = (v: unknown): v is Pos => !!v && typeof v === 'object' && typeof (v as Pos).line === 'number' && typeof (v as Pos).character === 'number';
const isRange = (v: unknown): v is Rng => !!v && typeof v === 'object' && isPos((v as Rng).start) && isPos((v as Rng).end);

/** Line `line` of `doc` without its line break. */
function lineText(doc: TextDocument, line: number): string {
  return doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/(\r\n|\r|\n)$/, '');
}

function posInside(doc: TextDocument, p: Pos): boolean {
  if (!Number.isInteger(p.line) || !Number.isInteger(p.character) || p.line < 0 || p.character < 0) return false;
  // The start of the line after the last one ends a range that takes the last line break.
  if (p.line === doc.lineCount) return p.character === 0;
  if (p.line > doc.lineCount) return false;
  return p.character <= lineText(doc, p.line).length;
}

export function rangeInside(doc: TextDocument, r: Rng): boolean {
  if (!posInside(doc, r.start) || !posInside(doc, r.end)) return false;
  return r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character);
}

/**
 * Every range in `answer` that refers to one of `docs`, with the URI it refers to: a range belongs
 * to the nearest enclosing `uri` / `targetUri` / `textDocument.uri` / `changes` key, else to the
 * document the request was about (`requestUri`); `originSelectionRange` always to the latter.
 */
export function rangesOutside(answer: unknown, requestUri: string, docs: ReadonlyMap<string, TextDocument>): string[] {
  const bad: string[] = [];
  const check = (uri: string | undefined, r: Rng, where: string) => {
    const doc = uri === undefined ? undefined : docs.get(uri);
    if (doc && !rangeInside(doc, r)) bad.push(`${where}: ${JSON.stringify(r)} outside ${uri} (${doc.lineCount} lines)`);
  };
  const walk = (v: unknown, uri: string | undefined, path: string, depth: number) => {
    if (depth > 40 || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, uri, `${path}[${i}]`, depth + 1));
      return;
    }
    const o = v as Record<string, unknown>;
    let here = uri;
    if (typeof o.uri === 'string') here = o.uri;
    if (typeof o.targetUri === 'string') here = o.targetUri;
    const td = o.textDocument as { uri?: unknown } | undefined;
    if (td && typeof td.uri === 'string') here = td.uri;
    for (const [k, x] of Object.entries(o)) {
      if (k === 'data') continue; // opaque to the client
      if (k === 'originSelectionRange' && isRange(x)) check(requestUri, x, `${path}.${k}`);
      else if (k === 'changes' && x && typeof x === 'object' && !Array.isArray(x)) {
        for (const [u, edits] of Object.entries(x)) walk(edits, u, `${path}.changes`, depth + 1);
      } else if (isRange(x)) check(here, x, `${path}.${k}`);
      else walk(x, here, `${path}.${k}`, depth + 1);
    }
  };
  walk(answer, requestUri, '$', 0);
  return bad;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
