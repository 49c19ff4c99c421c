import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PreviewContext, PreviewModel } from '../../server/src/features/preview.js';
import { LspClient, repoRoot } from '../support/lsp-client.js';

let dir: string;
let client: LspClient;
let uri: string;
let text: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-preview-'));
  cpSync(join(repoRoot, 'examples'), dir, { recursive: true });
  client = new LspClient();
  await client.initialize(join(dir, 'service-repo'), { localProjects: { 'acme/ci-library@v1.2.0': '../ci-library' } });
  const file = join(dir, 'service-repo', '.gitlab-ci.yml');
  uri = pathToFileURL(file).href;
  text = readFileSync(file, 'utf8');
  client.open(uri, text);
});
after(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

const preview = (context: PreviewContext, u = uri) => client.connection.sendRequest('gitlabCiPresets/preview', { uri: u, context }) as Promise<PreviewModel | null>;

function lineAt(file: string, line: number): string {
  return readFileSync(new URL(file), 'utf8').split('\n')[line];
}

test('the preview of the example: stages in order, jobs in their stage, needs edges, badges', async () => {
  const m = (await preview({ source: 'push', branch: 'main' }))!;
  assert.ok(m, 'a model for an open pipeline file');
  assert.deepEqual(m.stages.map((s) => s.name), ['.pre', 'build', 'test', 'publish', 'deploy', 'verify']);
  const stageOf = (job: string) => m.stages.find((s) => s.jobs.includes(job))?.name;
  assert.equal(stageOf('check-deploy-vars'), '.pre');
  assert.equal(stageOf('contract-tests'), 'test');
  assert.equal(stageOf('smoke-test-staging'), 'verify');
  assert.ok(m.edges.some((e) => e.from === 'python-lint' && e.to === 'contract-tests'));
  assert.ok(m.edges.some((e) => e.from === 'deploy-staging' && e.to === 'smoke-test-staging'));
  const build = m.jobs.find((j) => j.name === 'docker-build')!;
  assert.equal(build.parallel, 2);
  assert.equal(build.matrix, true);
  assert.equal(m.jobs.find((j) => j.name === 'openapi-diff')!.needsNone, true);
  assert.equal(m.workflow.created, true);
});

test('each merged key links to the file and line it was written at, across extends and includes', async () => {
  const m = (await preview({ source: 'push', branch: 'main' }))!;
  const job = m.jobs.find((j) => j.name === 'contract-tests')!;
  const stage = job.yaml.find((l) => l.depth === 0 && l.text === 'stage: test')!;
  assert.ok(stage, JSON.stringify(job.yaml.slice(0, 5)));
  assert.match(stage.origin!.uri, /ci-library\/common\/jobs\.yml$/);
  assert.match(lineAt(stage.origin!.uri, stage.origin!.range.start.line), /^\s*stage: test/);
  assert.match(stage.via ?? '', /extends/);
  const needs = job.yaml.find((l) => l.depth === 0 && l.text === 'needs:')!;
  assert.equal(needs.origin!.uri, uri, 'the job\'s own key points into the service file');
  assert.match(lineAt(uri, needs.origin!.range.start.line), /^\s*needs:/);
  assert.ok(!job.yaml.some((l) => l.depth === 0 && l.text.startsWith('extends')), 'extends is applied, not shown');
  assert.ok(job.origin && job.origin.uri === uri && /^contract-tests:/.test(lineAt(uri, job.origin.range.start.line)));
  assert.ok(m.globals.some((l) => l.text === 'variables:'));
  const lib = m.files.find((f) => f.path === 'common/jobs.yml')!;
  assert.equal(lib.origin, 'local');
  assert.equal(m.files.find((f) => f.kind === 'root')!.origin, 'workspace');
});

test('the simulated context decides: a v1.2.3 tag runs the manual production deploy and skips staging, with the deciding rule', async () => {
  const main = (await preview({ source: 'push', branch: 'main' }))!;
  const tag = (await preview({ source: 'push', tag: 'v1.2.3' }))!;
  const job = (m: PreviewModel, n: string) => m.jobs.find((j) => j.name === n)!;
  assert.equal(job(main, 'deploy-production').included, false);
  assert.equal(job(main, 'deploy-staging').included, true);
  const prod = job(tag, 'deploy-production');
  assert.equal(prod.included, true);
  assert.equal(prod.when, 'manual');
  assert.match(prod.decidedBy.text, /CI_COMMIT_TAG/);
  assert.match(lineAt(prod.decidedBy.location!.uri, prod.decidedBy.location!.range.start.line), /if: \$CI_COMMIT_TAG/);
  const staging = job(tag, 'deploy-staging');
  assert.equal(staging.included, false);
  assert.match(staging.decidedBy.text, /none of the 1 rules/);

  const feature = (await preview({ source: 'push', branch: 'feature/x' }))!;
  assert.equal(feature.workflow.created, false);
  assert.ok(feature.jobs.every((j) => !j.included));
  const withVar = (await preview({ source: 'web', branch: 'main', variables: { CI_COMMIT_BRANCH: 'other' } }))!;
  assert.equal(job(withVar, 'deploy-staging').included, false, 'extra variables reach the rules');
});

test('diagnostics carry locations; the preview follows edits', async () => {
  const broken = text.replace('    - python-lint', '    - python-lnt');
  assert.notEqual(broken, text);
  client.change(uri, broken, 2);
  const m = (await preview({ source: 'push', branch: 'main' }))!;
  const d = m.diagnostics.find((x) => x.code === 'needs-unknown')!;
  assert.ok(d, JSON.stringify(m.diagnostics));
  assert.equal(d.location!.uri, uri);
  assert.match(broken.split('\n')[d.location!.range.start.line], /python-lnt/);
  client.change(uri, text, 3);
  const fixed = (await preview({ source: 'push', branch: 'main' }))!;
  assert.ok(!fixed.diagnostics.some((x) => x.code === 'needs-unknown'));
  const helm = fixed.diagnostics.find((x) => /HELM_CHART/.test(x.message));
  assert.ok(helm?.location, 'the missing required variable is listed with its place');
  const sources = (await client.connection.sendRequest('gitlabCiPresets/pipelineSources', { uri })) as { files: { origin: string }[] };
  assert.ok(sources.files.some((f) => f.origin === 'local'));
});

test('a file that is not open gets no preview (null), never an error', async () => {
  assert.equal(await preview({}, pathToFileURL(join(dir, 'nope.yml')).href), null);
});
