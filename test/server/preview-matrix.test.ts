import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PreviewContext, PreviewModel } from '../../server/src/features/preview.js';
import { LspClient } from '../support/lsp-client.js';

// A matrix job whose rules read its matrix variables, a job that needs it, and one that needs a
// single instance (GitLab's example in ci/jobs/job_control: needs:parallel:matrix).
const PIPELINE = `stages: [build, deploy]
build:
  stage: build
  script: make
  parallel:
    matrix:
      - PROVIDER: [aws, gcp]
        STACK: [app, db]
  rules:
    - if: $PROVIDER == "aws"
    - if: $PROVIDER == "gcp" && $CI_COMMIT_TAG
      when: manual
deploy-aws:
  stage: deploy
  script: deploy
  needs:
    - job: build
      parallel:
        matrix:
          - PROVIDER: aws
            STACK: [app, db]
deploy-all:
  stage: deploy
  script: deploy
  needs: [build]
  rules:
    - if: $CI_COMMIT_TAG
`;

let dir: string;
let client: LspClient;
let uri: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-preview-matrix-'));
  const file = join(dir, '.gitlab-ci.yml');
  writeFileSync(file, PIPELINE);
  client = new LspClient();
  await client.initialize(dir);
  uri = pathToFileURL(file).href;
  client.open(uri, PIPELINE);
});
after(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

const preview = (context: PreviewContext) => client.connection.sendRequest('gitlabCiPresets/preview', { uri, context }) as Promise<PreviewModel | null>;
const lineAt = (line: number) => PIPELINE.split('\n')[line];

test('a branch pipeline runs the aws instances only; the gcp ones are greyed with the rule that decided', async () => {
  const m = (await preview({ source: 'push', branch: 'main' }))!;
  const build = m.jobs.find((j) => j.name === 'build')!;
  assert.equal(build.matrix, true);
  assert.equal(build.parallel, 4);
  assert.deepEqual(build.instances!.map((i) => [i.name, i.included]), [
    ['build: [aws, app]', true],
    ['build: [aws, db]', true],
    ['build: [gcp, app]', false],
    ['build: [gcp, db]', false],
  ]);
  const gcp = build.instances![2];
  assert.deepEqual(gcp.values, ['gcp', 'app']);
  assert.deepEqual(gcp.variables, { PROVIDER: 'gcp', STACK: 'app' });
  assert.match(gcp.decidedBy.text, /none of the 2 rules matches/);
  assert.match(lineAt(gcp.decidedBy.location!.range.start.line), /^\s*rules:/);
  const aws = build.instances![0];
  assert.match(lineAt(aws.decidedBy.location!.range.start.line), /if: \$PROVIDER == "aws"/);
  assert.equal(build.included, true);
  // needs edges to the matrix job still draw, from its card
  assert.ok(m.edges.some((e) => e.from === 'build' && e.to === 'deploy-aws'));
  assert.ok(m.edges.some((e) => e.from === 'build' && e.to === 'deploy-all'));
  assert.equal(m.pipelineError, undefined, 'deploy-aws needs only the aws instances, deploy-all does not run');
});

test('a tag pipeline runs every instance, the gcp ones manual; pipeline variables win over matrix values', async () => {
  const tag = (await preview({ source: 'push', tag: 'v1' }))!;
  const build = tag.jobs.find((j) => j.name === 'build')!;
  assert.deepEqual(build.instances!.map((i) => i.when), ['on_success', 'on_success', 'manual', 'manual']);
  assert.equal(tag.pipelineError, undefined);
  const forced = (await preview({ source: 'web', branch: 'main', variables: { PROVIDER: 'gcp' } }))!;
  assert.ok(forced.jobs.find((j) => j.name === 'build')!.instances!.every((i) => !i.included));
});

test('the 200-instance limit is a positioned problem in the preview', async () => {
  const values = Array.from({ length: 201 }, (_, i) => `v${i}`).join(', ');
  const text = PIPELINE.replace('- PROVIDER: [aws, gcp]\n        STACK: [app, db]', `- PROVIDER: [${values}]`);
  client.change(uri, text, 2);
  const m = (await preview({ source: 'push', branch: 'main' }))!;
  const d = m.diagnostics.find((x) => x.code === 'matrix-too-many-jobs')!;
  assert.ok(d, JSON.stringify(m.diagnostics));
  assert.equal(d.message, 'jobs:build:parallel:matrix config generates too many jobs (maximum is 200)');
  assert.match(text.split('\n')[d.location!.range.start.line], /^\s*matrix:/);
  const build = m.jobs.find((j) => j.name === 'build')!;
  assert.equal(build.parallel, 201);
  assert.equal(build.instances!.length, 200, 'no more instances than GitLab would ever create');
  client.change(uri, PIPELINE, 3);
});
