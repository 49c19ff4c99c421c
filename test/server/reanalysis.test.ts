/**
 * Which pipeline a document is analysed in, and what an edit re-analyses (server/src/workspace.ts).
 * A file the root pipeline includes only under an include rule is shown in that pipeline.
 * Expansions are remembered by the texts they read and reused across edits of other documents, so
 * everything a remembered expansion depended on must make it stale when it changes, with no
 * watched-file event from the client: a file a glob include now matches, a root pipeline that
 * starts including an open preset file, and an open document closed with unsaved changes.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic, Location, LocationLink } from 'vscode-languageserver-protocol/node';
import { LspClient } from '../support/lsp-client.js';

let dir: string;
let client: LspClient;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-reanalysis-'));
});
afterEach(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

const uriOf = (rel: string) => pathToFileURL(join(dir, rel)).href;
function write(rel: string, text: string): void {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), text);
}
const unknownExtends = (d: Diagnostic[]) => d.some((x) => x.code === 'extends-unknown');
const clean = (d: Diagnostic[]) => !d.some((x) => x.severity === 1);

async function start(files: Record<string, string>, settings: Record<string, unknown> = {}): Promise<void> {
  for (const [rel, text] of Object.entries(files)) write(rel, text);
  client = new LspClient();
  await client.initialize(join(dir, 'repo'), { cacheDir: join(dir, 'cache'), localOnly: true, ...settings });
}

test('a file a glob include now matches counts at the next validation, though no text the pipeline read changed', async () => {
  const root = 'include: "ci/*.yml"\njob:\n  extends: .from-new\n';
  await start({ 'repo/.gitlab-ci.yml': root, 'repo/ci/old.yml': '.old:\n  script: [echo]\n' });
  client.open(uriOf('repo/.gitlab-ci.yml'), root);
  await client.waitForDiagnostics(uriOf('repo/.gitlab-ci.yml'), unknownExtends);
  write('repo/ci/new.yml', '.from-new:\n  script: [echo new]\n');
  // The same text again (an undo, say): nothing the expansion read has changed, but the folder has.
  client.change(uriOf('repo/.gitlab-ci.yml'), root, 2);
  await client.waitForDiagnostics(uriOf('repo/.gitlab-ci.yml'), (d) => !unknownExtends(d) && clean(d));
});

test('an open preset file the root pipeline starts to include is answered from the root pipeline', async () => {
  const root = '.root-template:\n  script: [echo]\nbuild:\n  script: [echo]\n';
  const preset = 'job-p:\n  extends: .root-template\n';
  await start({ 'repo/.gitlab-ci.yml': root, 'repo/presets/p.yml': preset });
  const rootUri = uriOf('repo/.gitlab-ci.yml');
  const presetUri = uriOf('repo/presets/p.yml');
  client.open(rootUri, root);
  client.open(presetUri, preset);
  // On its own the preset file does not know the root's template.
  await client.waitForDiagnostics(presetUri, unknownExtends);
  const at = { line: 1, character: preset.split('\n')[1].indexOf('.root') + 3 };
  assert.deepEqual(await client.definition(presetUri, at), [], 'standalone: no definition');
  client.change(rootUri, 'include: presets/p.yml\n' + root, 2);
  await client.waitForDiagnostics(presetUri, (d) => !unknownExtends(d));
  const links = (await client.definition(presetUri, at)) as (Location | LocationLink)[];
  const target = links.map((l) => ('targetUri' in l ? l.targetUri : l.uri));
  assert.deepEqual(target, [rootUri], 'now part of the root pipeline: the template in the root file');
});

test('closing a document with unsaved changes: the pipelines that read it use the file on disk again', async () => {
  const lib = '.python-test-job:\n  script: [pytest]\n';
  const root = 'include:\n  - project: acme/lib\n    file: jobs.yml\ntest:\n  extends: .python-test-job\n';
  await start({ 'lib/jobs.yml': lib, 'repo/.gitlab-ci.yml': root }, { localProjects: { 'acme/lib': '../lib' } });
  const rootUri = uriOf('repo/.gitlab-ci.yml');
  const libUri = uriOf('lib/jobs.yml');
  client.open(rootUri, root);
  await client.waitForDiagnostics(rootUri, clean);
  // An unsaved rename in the library checkout: the consumer's extends no longer resolves.
  client.open(libUri, lib);
  client.change(libUri, lib.replace('.python-test-job', '.py-test-job'), 2);
  client.change(rootUri, root + '# 1\n', 2);
  await client.waitForDiagnostics(rootUri, unknownExtends);
  client.closeDocument(libUri);
  // The consumer's own text as it was validated last: only the closed document differs.
  client.change(rootUri, root + '# 1\n', 3);
  await client.waitForDiagnostics(rootUri, (d) => !unknownExtends(d) && clean(d));
});

test('a file the root pipeline includes only under a rule the simulation does not meet is analysed in that pipeline', async () => {
  const root = '.vault-integration:\n  id_tokens:\n    VAULT_ID_TOKEN:\n      aud: https://vault.example\ninclude:\n  - local: ci/secure.yml\n    rules:\n      - if: $CI_PROJECT_PATH == "security/mirror"\nbuild:\n  script: [make]\n';
  const secure = '.with-build-token:\n  extends: .vault-integration\nsigned-build:\n  extends: .with-build-token\n  script: [sign]\n';
  await start({ 'repo/.gitlab-ci.yml': root, 'repo/ci/secure.yml': secure });
  const rootUri = uriOf('repo/.gitlab-ci.yml');
  const secureUri = uriOf('repo/ci/secure.yml');
  client.open(rootUri, root);
  client.open(secureUri, secure);
  // Not "unknown keys in extends": the template comes from the pipeline that includes the file.
  const d = await client.waitForDiagnostics(secureUri, () => true);
  assert.deepEqual(d.filter((x) => x.severity === 1), []);
  const links = (await client.definition(secureUri, { line: 1, character: 15 })) as (Location | LocationLink)[];
  assert.deepEqual(links.map((l) => ('targetUri' in l ? l.targetUri : l.uri)), [rootUri]);
  // The root pipeline itself is as the simulation says: without the file, and clean.
  const rootDiags = await client.waitForDiagnostics(rootUri, () => true);
  assert.deepEqual(rootDiags.filter((x) => x.severity === 1), []);
});
