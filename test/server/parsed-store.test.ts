/**
 * A restarted language server reads the library's parsed files from the cache folder
 * (server/src/sources/parsed-store.ts): the same diagnostics as the server that parsed them, a
 * library file changed on disk meanwhile is parsed again, and what is read back is what is used.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { LspClient } from '../support/lsp-client.js';
import { generateLibrary, LIBRARY_PROJECT, writeLibrary } from '../../scripts/generate-library.js';

let dir: string;
const cacheDir = () => join(dir, 'cache');
const settings = () => ({ localProjects: { [`${LIBRARY_PROJECT}@main`]: '../library' }, localOnly: true, cacheDir: cacheDir() });
const jobsUri = () => pathToFileURL(join(dir, 'consumer', 'jobs', 'jobs-0.yml')).href;

/** The open job file's diagnostics from a server started afresh on the same cache folder. */
async function diagnosticsOfNewServer(): Promise<Diagnostic[]> {
  const client = new LspClient();
  try {
    await client.initialize(join(dir, 'consumer'), settings());
    client.open(jobsUri(), readFileSync(join(dir, 'consumer', 'jobs', 'jobs-0.yml'), 'utf8'));
    return await client.waitForDiagnostics(jobsUri(), () => true, 60_000);
  } finally {
    await client.close(); // shutdown writes what is still queued
  }
}

function storedFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.bin') && out.push(join(d, e.name)));
  };
  walk(join(cacheDir(), 'v1', 'parsed'));
  return out;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-parsed-lsp-'));
  writeLibrary(dir, generateLibrary({ files: 3, templates: 50, jobs: 150, seed: 7 }));
  // p0.yml and p1.yml hold an anchor: the line scanner leaves them to the slower front ends, and
  // they are stored; p2.yml it reads itself, about as fast as the store would give it back.
  for (const name of ['p0', 'p1']) writeFileSync(join(dir, 'library', 'presets', `${name}.yml`), readFileSync(join(dir, 'library', 'presets', `${name}.yml`), 'utf8') + `\n.${name}-shared: &${name}-shared\n  tags: [docker]\n`);
  // One job does not set a variable its template requires: a finding to compare.
  const jobs = join(dir, 'consumer', 'jobs', 'jobs-0.yml');
  const text = readFileSync(jobs, 'utf8');
  const line = /^ {4}REQ_\w+: env-0\n/m.exec(text)!;
  writeFileSync(jobs, text.slice(0, line.index) + text.slice(line.index + line[0].length));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a restarted server answers from the parsed files on disk as the first one did from parsing', async () => {
  const first = await diagnosticsOfNewServer();
  assert.ok(first.some((d) => d.code === 'variable-missing'), JSON.stringify(first.map((d) => d.code)));
  const stored = storedFiles();
  const storedUris = stored.map((f) => (deserialize(readFileSync(f)) as { uri: string }).uri).sort();
  const preset = (name: string) => pathToFileURL(join(dir, 'library', 'presets', `${name}.yml`)).href;
  assert.deepEqual(storedUris, [preset('p0'), preset('p1')], 'the library files with an anchor (not p2.yml, the open file or the small root)');
  assert.deepEqual(await diagnosticsOfNewServer(), first);

  // What is read back is what is used: an entry whose p1.yml lost a template (the file on disk still has it).
  const p1 = pathToFileURL(join(dir, 'library', 'presets', 'p1.yml')).href;
  const entry = stored.find((f) => (deserialize(readFileSync(f)) as { uri: string }).uri === p1)!;
  const parsed = deserialize(readFileSync(entry)) as { content: { entries: Map<string, unknown> } };
  const extended = [...parsed.content.entries.keys()].find((k) => k.startsWith('.p1-') && readFileSync(join(dir, 'consumer', 'jobs', 'jobs-0.yml'), 'utf8').includes(`extends: ${k}\n`))!;
  assert.ok(extended, 'a template of p1.yml that a job extends');
  parsed.content.entries.delete(extended);
  writeFileSync(entry, serialize(parsed));
  const fromTampered = await diagnosticsOfNewServer();
  assert.ok(fromTampered.some((d) => d.code === 'extends-unknown' && String(d.message).includes(extended)), JSON.stringify(fromTampered.map((d) => d.message)));

  // A library file changed on disk is parsed anew: the tampered entry no longer answers for it.
  const p1Path = join(dir, 'library', 'presets', 'p1.yml');
  writeFileSync(p1Path, readFileSync(p1Path, 'utf8') + '\n# changed\n');
  assert.deepEqual(await diagnosticsOfNewServer(), first);
});
