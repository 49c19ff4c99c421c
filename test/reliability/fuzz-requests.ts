/**
 * What the fuzzer does to a document once it is open: one didChange's content changes (typing,
 * deletes, pastes of random code units, unicode, huge lines, generated blocks, whole-text
 * replacements, several changes per notification) and the requests it sends in between, at
 * random positions (inside the text, at line ends, past the end).
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { Diagnostic, Position } from 'vscode-languageserver-protocol/node';
import { generateCiFile, hugeLine, mutate, randomUnits, TOKENS, UNICODE } from './fuzz-inputs.js';
import type { Rng } from './fuzz-inputs.js';

/** A notification or request as sent. */
export interface FuzzOp {
  method: string;
  params: unknown;
}

function position(r: Rng, doc: TextDocument): Position {
  const roll = r.next();
  if (roll < 0.8) return doc.positionAt(r.int(0, doc.getText().length));
  const line = r.int(0, doc.lineCount - 1);
  if (roll < 0.9) return doc.positionAt(doc.offsetAt({ line: line + 1, character: 0 }) - 1);
  return { line: doc.lineCount + r.int(0, 3), character: r.int(0, 400) };
}

/** One didChange's content changes, each relative to the text after the ones before it. */
export function randomChanges(r: Rng, doc: TextDocument, env: { standIn: string; component: string }): TextDocumentContentChangeEvent[] {
  const scratch = TextDocument.create(doc.uri, 'yaml', 0, doc.getText());
  const changes: TextDocumentContentChangeEvent[] = [];
  for (let n = r.chance(0.15) ? r.int(2, 4) : 1; n > 0; n--) {
    const len = scratch.getText().length;
    let a = r.int(0, len);
    let b = a;
    let text = '';
    switch (r.int(0, 11)) {
      case 0:
      case 1:
      case 2:
        text = r.pick(['a', 'x', ':', ' ', '\n', '  ', '- ', '$', '.', '#', '"', '[', ']', '{', '}', '\t', r.pick(TOKENS)]);
        break;
      case 3:
        text = r.pick(TOKENS);
        break;
      case 4:
        b = Math.min(len, a + r.int(1, 12));
        break;
      case 5:
        a = r.int(0, len);
        b = r.int(a, len);
        break;
      case 6:
        text = randomUnits(r, r.int(1, 300));
        break;
      case 7:
        text = r.pick(UNICODE).repeat(r.int(1, 5));
        break;
      case 8:
        text = r.chance(0.25) ? `\n${hugeLine(r)}\n` : r.pick(TOKENS);
        break;
      case 9:
        text = generateCiFile(r, env);
        b = r.chance(0.5) ? a : r.int(a, len);
        break;
      case 10: {
        const full = mutate(r, scratch.getText());
        changes.push({ text: full });
        TextDocument.update(scratch, [{ text: full }], 0);
        continue;
      }
      default:
        text = '';
        b = Math.min(len, a + 1);
    }
    const change = { range: { start: scratch.positionAt(a), end: scratch.positionAt(b) }, text };
    changes.push(change);
    TextDocument.update(scratch, [change], 0);
  }
  return changes;
}

const TRIGGERS = ['$', ':', ' ', '.', '-', '/', '[', '"', '{', '@'];
const SOURCES = ['push', 'merge_request_event', 'schedule', 'tag', 'web', 'api', '<script>'];

/** A request about `doc` at a random position or range. */
export function randomRequest(r: Rng, doc: TextDocument, diagnostics: Diagnostic[]): FuzzOp {
  const textDocument = { uri: doc.uri };
  const roll = r.int(0, 99);
  if (roll < 22) return { method: 'textDocument/completion', params: { textDocument, position: position(r, doc), context: r.chance(0.4) ? { triggerKind: 2, triggerCharacter: r.pick(TRIGGERS) } : { triggerKind: 1 } } };
  if (roll < 40) return { method: 'textDocument/hover', params: { textDocument, position: position(r, doc) } };
  if (roll < 52) return { method: 'textDocument/definition', params: { textDocument, position: position(r, doc) } };
  if (roll < 60) return { method: 'textDocument/references', params: { textDocument, position: position(r, doc), context: { includeDeclaration: r.chance(0.5) } } };
  if (roll < 72) {
    const [x, y] = [position(r, doc), position(r, doc)].sort((p, q) => p.line - q.line || p.character - q.character);
    const inside = diagnostics.filter((d) => d.range.end.line < doc.lineCount);
    return { method: 'textDocument/codeAction', params: { textDocument, range: { start: x, end: y }, context: { diagnostics: inside.slice(0, r.int(0, 6)), triggerKind: r.int(1, 2) } } };
  }
  if (roll < 79) return { method: 'textDocument/documentSymbol', params: { textDocument } };
  if (roll < 89) {
    const variables = r.chance(0.3) ? { [r.pick(['CI_COMMIT_TAG', 'X', 'bad name', '__proto__'])]: r.pick(['v1.0.0', '', '<img src=x onerror=alert(1)>']) } : {};
    return { method: 'gitlabCiPresets/preview', params: { uri: doc.uri, context: { source: r.pick(SOURCES), branch: r.pick(['', 'main', 'feature/x', '../../x']), tag: r.pick(['', 'v1.2.3', 'x']), variables } } };
  }
  if (roll < 93) return { method: 'textDocument/codeLens', params: { textDocument } };
  if (roll < 96) return { method: 'textDocument/prepareRename', params: { textDocument, position: position(r, doc) } };
  if (roll < 99) return { method: 'gitlabCiPresets/pipelineSources', params: { uri: doc.uri } };
  return { method: 'gitlabCiPresets/refresh', params: {} };
}
