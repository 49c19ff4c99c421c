/**
 * Shared fixtures for LSP feature tests: a `$0` cursor in a text, a temp copy of examples/ and of
 * the xfenix/pycon2022 corpus library beside a small consumer, and a real server opened on them.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CompletionItem, Position } from 'vscode-languageserver-protocol/node';
import { LspClient, repoRoot } from './lsp-client.js';

/** Text with a `$0` cursor → the text without it and the cursor's LSP position. */
export function at(marked: string): { text: string; position: Position } {
  const o = marked.indexOf('$0');
  assert.ok(o >= 0, 'fixture has a $0 cursor');
  const text = marked.slice(0, o) + marked.slice(o + 2);
  const lines = text.slice(0, o).split('\n');
  return { text, position: { line: lines.length - 1, character: lines[lines.length - 1].length } };
}

export interface OpenFile {
  client: LspClient;
  uri: string;
  text: string;
  version: number;
}

/** A real server on `folder` with `file` open, once its first diagnostics have arrived. */
export async function openWorkspace(folder: string, file: string, settings: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<OpenFile> {
  const client = new LspClient();
  await client.initializeWithOptions(folder, { settings, ...extra });
  const uri = pathToFileURL(join(folder, file)).href;
  const text = readFileSync(join(folder, file), 'utf8');
  client.open(uri, text);
  await client.waitForDiagnostics(uri, () => true);
  return { client, uri, text, version: 1 };
}

/** A temp folder with examples/ (service-repo, ci-library), the xfenix library as `pycon2022/` and `consumer/.gitlab-ci.yml`. */
export function copyFixtures(prefix: string, consumer: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(repoRoot, 'examples'), dir, { recursive: true });
  cpSync(join(repoRoot, '..', 'shared', 'corpus', 'xfenix-pycon2022', 'repo'), join(dir, 'pycon2022'), { recursive: true });
  mkdirSync(join(dir, 'consumer'));
  writeFileSync(join(dir, 'consumer', '.gitlab-ci.yml'), consumer);
  return dir;
}

export const SERVICE_SETTINGS = { localProjects: { 'acme/ci-library@v1.2.0': '../ci-library' } };
export const XFENIX_SETTINGS = { localProjects: { 'xfenix/pycon2022@master': '../pycon2022' } };

/** Completion items: their labels, one by label (asserted present), its documentation as text, in the client's order. */
export const labels = (items: CompletionItem[]) => items.map((i) => i.label);
export const byLabel = (items: CompletionItem[], label: string) => {
  const it = items.find((i) => i.label === label);
  assert.ok(it, `${label} is offered; got ${labels(items).slice(0, 40).join(', ')}`);
  return it;
};
export const docOf = (it: CompletionItem) => (typeof it.documentation === 'string' ? it.documentation : it.documentation?.value ?? '');
export const sorted = (items: CompletionItem[]) => [...items].sort((a, b) => (a.sortText ?? a.label).localeCompare(b.sortText ?? b.label));
