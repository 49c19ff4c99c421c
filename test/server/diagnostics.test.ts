import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient, repoRoot } from '../support/lsp-client.js';

let dir: string;
let client: LspClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-lsp-'));
  cpSync(join(repoRoot, 'examples'), dir, { recursive: true });
  client = new LspClient();
  await client.initialize(join(dir, 'service-repo'), { localProjects: { 'acme/ci-library@v1.2.0': '../ci-library' } });
});
after(async () => client.close());

test('a clean service pipeline has no errors; an unknown extends appears at its position and goes away when fixed', async () => {
  const file = join(dir, 'service-repo', '.gitlab-ci.yml');
  const uri = pathToFileURL(file).href;
  const text = readFileSync(file, 'utf8');
  client.open(uri, text);
  const clean = await client.waitForDiagnostics(uri, () => true);
  assert.deepEqual(clean.filter((d) => d.severity === 1), [], JSON.stringify(clean));

  const broken = text.replace('extends: .python-test-job', 'extends: .python-tset-job');
  assert.notEqual(broken, text, 'the example has a job extending .python-test-job');
  client.change(uri, broken, 2);
  const errs = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'extends-unknown'));
  const d = errs.find((x) => x.code === 'extends-unknown')!;
  const line = broken.split('\n')[d.range.start.line];
  assert.equal(line.slice(d.range.start.character, d.range.end.character), '.python-tset-job');

  client.change(uri, text, 3);
  await client.waitForDiagnostics(uri, (x) => !x.some((y) => y.code === 'extends-unknown'));
});

test('a preset library file without a root pipeline is checked on its own, without "no visible job" noise', async () => {
  const file = join(dir, 'ci-library', 'common', 'jobs.yml');
  const uri = pathToFileURL(file).href;
  const text = readFileSync(file, 'utf8');
  const lsp2 = new LspClient();
  try {
    await lsp2.initialize(join(dir, 'ci-library'));
    lsp2.open(uri, text + '\n.broken:\n  extends: .does-not-exist\n');
    const diags = await lsp2.waitForDiagnostics(uri, (d) => d.length > 0);
    assert.deepEqual(diags.map((d) => d.code), ['extends-unknown']);
  } finally {
    await lsp2.close();
  }
});

test('a preset file on its own: stages and needs the including pipeline must provide are information; in the consumer they are errors', async () => {
  const presetFile = join(dir, 'ci-library', 'ci', 'review.yml');
  const preset = 'review-app:\n  stage: review\n  needs: [build-image]\n  script: [deploy-review]\n';
  const lsp2 = new LspClient();
  try {
    await lsp2.initialize(join(dir, 'ci-library'));
    const uri = pathToFileURL(presetFile).href;
    lsp2.open(uri, preset);
    const diags = await lsp2.waitForDiagnostics(uri, (d) => d.length >= 2);
    assert.deepEqual(diags.map((d) => [d.code, d.severity]).sort(), [['needs-unknown', 3], ['stage-unknown', 3]]);
    assert.ok(diags.every((d) => /the pipeline that includes it must provide it/.test(String(d.message))));
    // The same job in a pipeline of its own: GitLab rejects it.
    const root = pathToFileURL(join(dir, 'ci-library', '.gitlab-ci.yml')).href;
    lsp2.open(root, preset);
    const errors = await lsp2.waitForDiagnostics(root, (d) => d.length >= 2);
    assert.deepEqual(errors.map((d) => [d.code, d.severity]).sort(), [['needs-unknown', 1], ['stage-unknown', 1]]);
  } finally {
    await lsp2.close();
  }
});
