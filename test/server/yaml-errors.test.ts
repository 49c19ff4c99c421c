/**
 * A file of the pipeline that is not valid YAML, over LSP: its errors are published on that file
 * even when it is not open, the preview's problems list shows them at their line, and fixing the
 * file in the editor clears them. The problems list shows validation errors the same way.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PreviewModel } from '../../server/src/features/preview.js';
import { LspClient } from '../support/lsp-client.js';

let dir: string;
let client: LspClient;
const ROOT = 'include:\n  - local: ci/build.yml\nstages: [build, test]\nunit:\n  stage: test\n  script: [make test]\n';
const BROKEN = 'build:\n  stage: build\n  script: [make, [all\n';
let rootUri: string;
let buildUri: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-yaml-errors-'));
  mkdirSync(join(dir, 'ci'));
  writeFileSync(join(dir, '.gitlab-ci.yml'), ROOT);
  writeFileSync(join(dir, 'ci', 'build.yml'), BROKEN);
  rootUri = pathToFileURL(join(dir, '.gitlab-ci.yml')).href;
  buildUri = pathToFileURL(join(dir, 'ci', 'build.yml')).href;
  client = new LspClient();
  await client.initialize(dir);
  client.open(rootUri, ROOT);
});
after(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

const preview = (uri: string) => client.connection.sendRequest('gitlabCiPresets/preview', { uri, context: { source: 'push', branch: 'main' } }) as Promise<PreviewModel | null>;

test('an included file that is not valid YAML and not open: its syntax error is published on it', async () => {
  const diags = await client.waitForDiagnostics(buildUri, (d) => d.some((x) => x.code === 'yaml-syntax'));
  const d = diags.find((x) => x.code === 'yaml-syntax')!;
  assert.equal(d.severity, 1);
  assert.ok(d.range.start.line >= 2, JSON.stringify(d.range));
});

test('the preview of the root pipeline lists the YAML error with its place in the included file', async () => {
  const m = (await preview(rootUri))!;
  assert.ok(m, 'a model');
  const d = m.diagnostics.find((x) => x.code === 'yaml-syntax');
  assert.ok(d, JSON.stringify(m.diagnostics));
  assert.equal(d!.severity, 'error');
  assert.equal(d!.location?.uri, buildUri);
  assert.ok(d!.location!.range.start.line >= 2);
});

test('the root file itself broken: the preview lists its error; fixing it in the editor clears it', async () => {
  const broken = ROOT.replace('script: [make test]', 'script: echo: test: fail');
  client.change(rootUri, broken, 2);
  await client.waitForDiagnostics(rootUri, (d) => d.some((x) => x.code === 'yaml-syntax'));
  const m = (await preview(rootUri))!;
  const d = m.diagnostics.find((x) => x.code === 'yaml-syntax' && x.location?.uri === rootUri);
  assert.ok(d, JSON.stringify(m.diagnostics));
  assert.equal(d!.location!.range.start.line, 5);
  client.change(rootUri, ROOT, 3);
  await client.waitForDiagnostics(rootUri, (x) => !x.some((y) => y.code === 'yaml-syntax'));
});

test('fixing the included file in the editor clears its error and the root pipeline sees its job', async () => {
  client.open(buildUri, BROKEN);
  await client.waitForDiagnostics(buildUri, (d) => d.some((x) => x.code === 'yaml-syntax'));
  client.change(buildUri, 'build:\n  stage: build\n  script: [make, all]\n', 2);
  await client.waitForDiagnostics(buildUri, (d) => !d.some((x) => x.code === 'yaml-syntax'));
  const m = (await preview(rootUri))!;
  assert.ok(!m.diagnostics.some((x) => x.code === 'yaml-syntax'), JSON.stringify(m.diagnostics));
  assert.ok(m.jobs.some((j) => j.name === 'build'), 'the fixed file\'s job is in the pipeline');
});

test('the preview\'s problems list shows validation errors at the key, and drops them once fixed', async () => {
  const typo = ROOT.replace('  script: [make test]', '  scirpt: [make test]');
  client.change(rootUri, typo, 4);
  await client.waitForDiagnostics(rootUri, (d) => d.some((x) => x.code === 'unknown-keys'));
  const m = (await preview(rootUri))!;
  const d = m.diagnostics.find((x) => x.code === 'unknown-keys');
  assert.ok(d, JSON.stringify(m.diagnostics));
  assert.equal(d!.severity, 'error');
  assert.match(d!.message, /jobs:unit config contains unknown keys: scirpt/);
  assert.equal(d!.location?.uri, rootUri);
  assert.equal(typo.split('\n')[d!.location!.range.start.line].slice(d!.location!.range.start.character, d!.location!.range.end.character), 'scirpt');
  client.change(rootUri, ROOT, 5);
  await client.waitForDiagnostics(rootUri, (x) => !x.some((y) => y.code === 'unknown-keys'));
  assert.ok(!(await preview(rootUri))!.diagnostics.some((x) => x.code === 'unknown-keys'));
});
