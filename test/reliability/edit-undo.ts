/**
 * Edit–undo invariance on the real server: a random edit (insert a character, delete a line, break
 * a quote, insert a tab) followed by its undo must leave everything as it was — the diagnostics of
 * every file, completion at fixed points of the edited document and its preview. Run over the
 * examples (service-repo with acme/ci-library mapped), the xfenix/pycon2022 library with a consumer
 * and the corpus's hand-written cases (local includes), all open in one server.
 *
 * Each pair: a no-op change of the target document gives the baseline (the same text validated
 * again), then the edit (the server validates it and answers completion and the preview while the
 * text may not parse), then the undo, byte for byte; the state after it is compared with the
 * baseline. `npm test` runs a small fixed-seed count (edit-undo.test.ts), `npm run fuzz -- --pairs N`
 * runs it at scale (scripts/fuzz.ts).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic, Position, PublishDiagnosticsParams, Range } from 'vscode-languageserver-protocol/node';
import { caseRng } from './fuzz-inputs.js';
import type { Rng } from './fuzz-inputs.js';
import { LspClient, repoRoot } from '../support/lsp-client.js';

export interface EditUndoOptions {
  seed?: number;
  pairs?: number;
  progress?: (line: string) => void;
}

export interface EditUndoReport {
  seed: number;
  pairs: number;
  /** Edits after which the target did not parse (the broken moments exercised). */
  brokenMoments: number;
  /** Per kind of edit. */
  kinds: Record<EditKind, number>;
  differences: Array<{ pair: number; target: string; edit: string; what: string }>;
  durationMs: number;
}

type EditKind = 'insert-character' | 'delete-line' | 'break-quote' | 'insert-tab';
interface Edit {
  kind: EditKind;
  range: Range;
  text: string;
  /** The change that undoes it (the replaced text back over the inserted one). */
  undo: { range: Range; text: string };
}

const CORPUS = join(repoRoot, '..', 'shared', 'corpus');
const HANDWRITTEN = ['01-extends', '02-reference', '03-default-globals', '04-include-local', '05-inputs', '07-anchors', '11-include-rules', '14-docs-yaml-optimization'];
const CHARACTERS = ['P', 'x', ':', '-', ' ', '"', "'", '#', '[', '{', '$', '&', '*', '!', '|', '>', '\n'];

/** Position of an offset in a text (LSP lines and UTF-16 characters). */
function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

function applyChange(text: string, change: { range: Range; text: string }): string {
  const offset = (p: Position) => {
    const lines = text.split('\n');
    return lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  };
  return text.slice(0, offset(change.range.start)) + change.text + text.slice(offset(change.range.end));
}

/** A random edit of `text` and its undo. */
export function randomEdit(r: Rng, text: string): Edit {
  const kind = r.pick<EditKind>(['insert-character', 'delete-line', 'break-quote', 'insert-tab']);
  const lines = text.split('\n');
  const lineStart = (l: number) => lines.slice(0, l).reduce((n, x) => n + x.length + 1, 0);
  const insert = (offset: number, inserted: string): Edit => {
    const at = positionAt(text, offset);
    const edited = text.slice(0, offset) + inserted + text.slice(offset);
    return { kind, range: { start: at, end: at }, text: inserted, undo: { range: { start: at, end: positionAt(edited, offset + inserted.length) }, text: '' } };
  };
  switch (kind) {
    case 'insert-character':
      return insert(r.int(0, text.length), r.pick(CHARACTERS));
    case 'insert-tab':
      return insert(lineStart(r.int(0, lines.length - 1)) + (r.chance(0.5) ? 0 : r.int(0, 4)), '\t');
    case 'break-quote': {
      const quotes = [...text.matchAll(/["']/g)].map((m) => m.index!);
      if (quotes.length && r.chance(0.6)) {
        // Delete one quote of a pair: the string runs on.
        const o = r.pick(quotes);
        const start = positionAt(text, o);
        const end = positionAt(text, o + 1);
        return { kind, range: { start, end }, text: '', undo: { range: { start, end: start }, text: text[o] } };
      }
      return insert(r.int(0, text.length), r.pick(['"', "'"]));
    }
    case 'delete-line': {
      const l = r.int(0, Math.max(0, lines.length - 2));
      const start = { line: l, character: 0 };
      const end = { line: l + 1, character: 0 };
      return { kind, range: { start, end }, text: '', undo: { range: { start, end: start }, text: lines[l] + '\n' } };
    }
  }
}

/** Fixed completion points of a document: inside its first `variables:` block, after its first `extends:`, after its first `$`. */
export function completionPoints(text: string): Position[] {
  const lines = text.split('\n');
  const points: Position[] = [];
  const vars = lines.findIndex((l) => /^\s*variables:\s*$/.test(l));
  if (vars >= 0 && vars + 1 < lines.length) points.push({ line: vars + 1, character: lines[vars + 1].length - lines[vars + 1].trimStart().length });
  const ext = lines.findIndex((l) => /^\s+extends:\s*\S/.test(l));
  if (ext >= 0) points.push({ line: ext, character: lines[ext].length });
  const dollar = lines.findIndex((l) => /\$[A-Z_]/.test(l));
  if (dollar >= 0) points.push({ line: dollar, character: lines[dollar].search(/\$[A-Z_]/) + 1 });
  return points.length ? points : [{ line: 0, character: 0 }];
}

interface Target {
  uri: string;
  label: string;
  text: string;
  version: number;
  points: Position[];
}

/** The diagnostics of every URI as last published, keyed and sorted for comparison. */
function diagnosticsState(published: PublishDiagnosticsParams[]): Map<string, string> {
  const last = new Map<string, Diagnostic[]>();
  for (const p of published) last.set(p.uri, p.diagnostics);
  return new Map([...last].map(([u, d]) => [u, JSON.stringify(d)]));
}

export async function runEditUndo(opts: EditUndoOptions = {}): Promise<EditUndoReport> {
  const seed = opts.seed ?? 1;
  const pairs = opts.pairs ?? 2000;
  const log = opts.progress ?? (() => undefined);
  const started = performance.now();
  const root = mkdtempSync(join(tmpdir(), 'gcp-edit-undo-'));
  cpSync(join(repoRoot, 'examples'), root, { recursive: true });
  cpSync(join(CORPUS, 'xfenix-pycon2022', 'repo'), join(root, 'pycon2022'), { recursive: true });
  mkdirSync(join(root, 'consumer'));
  cpSync(join(CORPUS, 'xfenix-pycon2022', 'cases', 'consumer-project-include', '.gitlab-ci.yml'), join(root, 'consumer', '.gitlab-ci.yml'));
  for (const c of HANDWRITTEN) cpSync(join(CORPUS, 'handwritten', c), join(root, 'cases', c), { recursive: true, filter: (src) => !/expected|oracle\.args/.test(src) });

  const folders = ['service-repo', 'consumer', ...HANDWRITTEN.map((c) => `cases/${c}`)].map((f) => join(root, f));
  const files = [
    'service-repo/.gitlab-ci.yml',
    'service-repo/.gitlab/ci/extra.yml',
    'ci-library/ci/python.yml',
    'ci-library/cd/helm.yml',
    'consumer/.gitlab-ci.yml',
    'pycon2022/jobs.yml',
    ...HANDWRITTEN.map((c) => `cases/${c}/.gitlab-ci.yml`),
  ];
  const client = new LspClient();
  const differences: EditUndoReport['differences'] = [];
  const kinds: Record<EditKind, number> = { 'insert-character': 0, 'delete-line': 0, 'break-quote': 0, 'insert-tab': 0 };
  let brokenMoments = 0;
  try {
    await client.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(folders[0]).href,
      workspaceFolders: folders.map((f, i) => ({ uri: pathToFileURL(f).href, name: `f${i}` })),
      capabilities: {},
      initializationOptions: {
        settings: { localOnly: true, cacheDir: join(root, 'cache'), localProjects: { 'acme/ci-library@v1.2.0': '../ci-library', 'xfenix/pycon2022@master': '../pycon2022' } },
      },
    });
    await client.connection.sendNotification('initialized', {});
    const targets: Target[] = files.map((f) => {
      const text = readFileSync(join(root, f), 'utf8');
      return { uri: pathToFileURL(join(root, f)).href, label: f, text, version: 1, points: completionPoints(text) };
    });
    for (const t of targets) client.open(t.uri, t.text, 1);
    for (const t of targets) await client.waitForDiagnostics(t.uri, () => true, 60_000);

    /** Send a change and wait for the target's diagnostics of that version, then a round trip (the rest of the batch). */
    const change = async (t: Target, contentChanges: unknown[]) => {
      const version = ++t.version;
      const from = client.published.length;
      void client.connection.sendNotification('textDocument/didChange', { textDocument: { uri: t.uri, version }, contentChanges });
      const deadline = Date.now() + 30_000;
      while (!client.published.slice(from).some((p) => p.uri === t.uri && p.version === version)) {
        if (Date.now() > deadline) throw new Error(`no diagnostics of ${t.label} version ${version}`);
        await new Promise((done) => setTimeout(done, 5));
      }
      return client.published.slice(from).filter((p) => p.uri === t.uri && p.version === version).at(-1)!.diagnostics;
    };
    const observe = async (t: Target) => {
      const completion = [];
      for (const p of t.points) completion.push(JSON.stringify(await client.completion(t.uri, p)));
      const preview = JSON.stringify(await client.connection.sendRequest('gitlabCiPresets/preview', { uri: t.uri }));
      return { diagnostics: diagnosticsState(client.published), completion, preview };
    };

    for (let i = 0; i < pairs; i++) {
      const r = caseRng(seed, i);
      const t = r.pick(targets);
      // The baseline: the original text validated again (an editor's no-op change).
      await change(t, [{ text: t.text }]);
      const before = await observe(t);
      const edit = randomEdit(r, t.text);
      kinds[edit.kind]++;
      const describe = `${edit.kind} ${JSON.stringify(edit.text)} at ${edit.range.start.line + 1}:${edit.range.start.character + 1}`;
      try {
        const during = await change(t, [{ range: edit.range, text: edit.text }]);
        if (during.some((d) => d.code === 'yaml-syntax' || d.code === 'yaml-multidoc')) brokenMoments++;
        // The user keeps working while it is broken: completion and the preview are asked.
        await observe(t);
        await change(t, [edit.undo]);
        const after = await observe(t);
        for (const [uri, d] of before.diagnostics) {
          if ((after.diagnostics.get(uri) ?? '[]') !== d) differences.push({ pair: i, target: t.label, edit: describe, what: `diagnostics of ${uri.slice(root.length + 8)}: ${d.slice(0, 300)} → ${(after.diagnostics.get(uri) ?? 'none').slice(0, 300)}` });
        }
        // A file never published has no diagnostics, as one published empty.
        for (const [uri, d] of after.diagnostics) if (!before.diagnostics.has(uri) && d !== '[]') differences.push({ pair: i, target: t.label, edit: describe, what: `diagnostics of ${uri} only after the undo: ${d.slice(0, 300)}` });
        before.completion.forEach((c, k) => {
          if (after.completion[k] !== c) differences.push({ pair: i, target: t.label, edit: describe, what: `completion at ${JSON.stringify(t.points[k])}: ${c.slice(0, 200)} → ${after.completion[k].slice(0, 200)}` });
        });
        if (after.preview !== before.preview) differences.push({ pair: i, target: t.label, edit: describe, what: `preview: ${before.preview.slice(0, 200)} → ${after.preview.slice(0, 200)}` });
      } catch (e) {
        differences.push({ pair: i, target: t.label, edit: describe, what: `no answer: ${(e as Error).message}` });
        // Start the document over from its original text.
        await change(t, [{ text: t.text }]).catch(() => undefined);
      }
      if ((i + 1) % 250 === 0) log(`${i + 1}/${pairs} edit–undo pairs, ${differences.length} differences, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  } finally {
    await client.close();
    rmSync(root, { recursive: true, force: true });
  }
  return { seed, pairs, brokenMoments, kinds, differences, durationMs: performance.now() - started };
}

export function formatEditUndo(r: EditUndoReport): string {
  const lines = [
    `edit–undo: seed ${r.seed}, ${r.pairs} pairs (${Object.entries(r.kinds).map(([k, n]) => `${n} ${k}`).join(', ')}), ${r.brokenMoments} left the YAML broken until the undo, in ${(r.durationMs / 1000).toFixed(1)} s`,
    `  differences after the undo: ${r.differences.length}`,
  ];
  for (const d of r.differences.slice(0, 20)) lines.push(`  pair ${d.pair} (${d.target}, ${d.edit}): ${d.what}`);
  return lines.join('\n');
}
