/**
 * The preset contract as the consumer of the talk's library (xfenix/pycon2022) sees it, over LSP
 * against the real server: one label and one default for a variable in the top-level block, a
 * job's block, a hover and the `variable-missing` warnings.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { CompletionItem, Diagnostic } from 'vscode-languageserver-protocol/node';
import { at, byLabel, copyFixtures, labels, openWorkspace, XFENIX_SETTINGS } from '../support/lsp-workspace.js';
import type { OpenFile } from '../support/lsp-workspace.js';

const CONSUMER = `include:
  - project: xfenix/pycon2022
    ref: master
    file: [group-vars.yml, jobs.yml]
stages: [.pre, build, test, after-test, deploy, lint, .post]
variables:
  PROJECT_SLUG: shop
test-db:
  extends: .python-postgres-test-job
  variables:
    DSN_VARIABLE_NAME: DB_URL
lint-python:
  extends: .lint-python
.podman-login-arti:
  script: [buildah login -u $DOCKER_REGISTRY_USER -p $DOCKER_REGISTRY_PASSWORD $DOCKER_REGISTRY_HOST]
.podman-logout-arti:
  script: [buildah logout --all]
`;

let ws: OpenFile;
let warnings: Diagnostic[];

before(async () => {
  const dir = copyFixtures('gcp-consumer-contract-', CONSUMER);
  ws = await openWorkspace(join(dir, 'consumer'), '.gitlab-ci.yml', XFENIX_SETTINGS);
  warnings = (await ws.client.waitForDiagnostics(ws.uri, (d) => d.some((x) => x.code === 'variable-missing'))).filter((d) => d.code === 'variable-missing');
});

after(async () => {
  await ws?.client.close();
});

async function complete(search: string, replacement: string): Promise<CompletionItem[]> {
  assert.ok(ws.text.includes(search));
  const { text, position } = at(ws.text.replace(search, () => replacement));
  ws.client.change(ws.uri, text, ++ws.version);
  return ws.client.completion(ws.uri, position);
}

const warned = () => new Set(warnings.map((d) => String(d.message).split(' ')[0]));
const required = (i: CompletionItem) => /^required/.test(i.detail ?? '');

test('top-level variables: required exactly when a job of this pipeline needs it and nothing sets it', async () => {
  const items = await complete('  PROJECT_SLUG: shop\n', '  PROJECT_SLUG: shop\n  $0\n');
  // '$PYLINT_ARGS' inside bash -c "…" is a read of .lint-python
  assert.ok(required(byLabel(items, 'PYLINT_ARGS')));
  assert.ok(warned().has('PYLINT_ARGS'), 'and it is reported missing');
  // exported by the job before .after-test-run reads it
  assert.ok(!labels(items).includes('RAND_DOCKER_NAME_FOR_SYNC') || !required(byLabel(items, 'RAND_DOCKER_NAME_FOR_SYNC')));
  // only .scan-with-sonar reads it, and no job extends it
  assert.match(byLabel(items, 'SONAR_TOKEN').detail ?? '', /^optional/);
  // set by the library: the same label and default as in the job's block
  assert.match(byLabel(items, 'DOCKER_REGISTRY_HOST').detail ?? '', /^default my-company\.gitlab\.com/);
  assert.match(byLabel(items, 'BEFORE_TESTS_HOOK').detail ?? '', /^default alembic upgrade head/);
  for (const i of items) if (required(i) && !/set in/.test(i.detail ?? '')) assert.ok(warned().has(i.label), `${i.label} is required and set nowhere: it is reported missing`);
  for (const name of warned()) assert.ok(required(byLabel(items, name)), `${name} is reported missing: it is required here too`);
});

test("a job's variables: the template's own variables with their values, labels as at the top level", async () => {
  const items = await complete('    DSN_VARIABLE_NAME: DB_URL\n', '    DSN_VARIABLE_NAME: DB_URL\n    $0\n');
  assert.match(byLabel(items, 'POSTGRES_DB').detail ?? '', /^default db-for-tests/);
  assert.match(byLabel(items, 'DB_HOST').detail ?? '', /^default test-server/);
  assert.match(byLabel(items, 'DOCKER_REGISTRY_HOST').detail ?? '', /^default my-company\.gitlab\.com/);
  assert.match(byLabel(items, 'BEFORE_TESTS_HOOK').detail ?? '', /^default alembic upgrade head/);
  assert.ok(required(byLabel(items, 'JUNIT_FILE_NAME')));
  assert.ok(!labels(items).includes('DSN_VARIABLE_NAME'), 'the block sets it already');
});

test('hover on a key the consumer sets says what the presets need of it', async () => {
  ws.client.change(ws.uri, CONSUMER, ++ws.version);
  const line = CONSUMER.split('\n').findIndex((l) => l.startsWith('  PROJECT_SLUG'));
  const hover = await ws.client.hover(ws.uri, { line, character: 4 });
  const md = hover && typeof hover.contents === 'object' && 'value' in hover.contents ? hover.contents.value : '';
  assert.match(md, /Required for the included presets/);
  const host = CONSUMER.split('\n').findIndex((l) => l.startsWith('    DSN_VARIABLE_NAME'));
  const inJob = await ws.client.hover(ws.uri, { line: host, character: 6 });
  const md2 = inJob && typeof inJob.contents === 'object' && 'value' in inJob.contents ? inJob.contents.value : '';
  assert.match(md2, /Required for this job/);
});

test("hover on the consumer's job lists what the library needs from it with the same labels", async () => {
  ws.client.change(ws.uri, CONSUMER, ++ws.version);
  const line = CONSUMER.split('\n').findIndex((l) => l.startsWith('test-db:'));
  const hover = await ws.client.hover(ws.uri, { line, character: 2 });
  const md = hover && typeof hover.contents === 'object' && 'value' in hover.contents ? hover.contents.value : '';
  const section = (title: string) => md.split('\n\n').find((p) => p.startsWith(`**${title}**`)) ?? '';
  assert.match(section('Required variables'), /`JUNIT_FILE_NAME`/);
  assert.doesNotMatch(section('Required variables'), /`DOCKER_REGISTRY_HOST`|`TOOLSET_PATH`/, 'the library sets them');
  assert.match(section('Optional variables'), /`DOCKER_REGISTRY_HOST` — default `my-company\.gitlab\.com`/);
  assert.match(section('Optional variables'), /`BEFORE_TESTS_HOOK` — default `alembic upgrade head`/);
});
