import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Location, LocationLink, Position, TextEdit } from 'vscode-languageserver-protocol/node';
import { LineIndex } from '../../server/src/pipeline/yaml/positions.js';
import { GitLabStandIn } from '../support/gitlab-stand-in.js';
import { LspClient, repoRoot } from '../support/lsp-client.js';

const XFENIX = join(repoRoot, '..', 'shared', 'corpus', 'xfenix-pycon2022', 'repo');

const CONSUMER: Record<string, string> = {
  '.gitlab-ci.yml': `include:
  - project: xfenix/pycon2022
    ref: master
    file: jobs.yml
  - local: ci/extra.yml

unit-tests:
  extends: .python-test-job

smoke:
  extends: .shop-base
  stage: test
  needs: [unit-tests]
  script:
    - !reference [.shop-base, script]
`,
  'ci/extra.yml': `.shop-base:
  image: python:3.12-slim
  script:
    - echo smoke

docs:
  extends: [.shop-base]
  stage: build
`,
};

let dir: string;
const roots: Record<string, string> = {};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-refs-'));
  cpSync(join(repoRoot, 'examples'), dir, { recursive: true });
  for (const [rel, text] of Object.entries(CONSUMER)) {
    mkdirSync(dirname(join(dir, 'consumer', rel)), { recursive: true });
    writeFileSync(join(dir, 'consumer', rel), text);
  }
  Object.assign(roots, { service: join(dir, 'service-repo'), library: join(dir, 'ci-library'), consumer: join(dir, 'consumer'), xfenix: XFENIX });
});

async function start(ws: 'service' | 'consumer'): Promise<LspClient> {
  const c = new LspClient();
  const localProjects = ws === 'service' ? { 'acme/ci-library@v1.2.0': '../ci-library' } : { 'xfenix/pycon2022@master': XFENIX };
  await c.initialize(roots[ws], { localProjects, cacheDir: join(dir, 'cache') });
  return c;
}

const fileOf = (where: string) => join(roots[where.split(':')[0]], where.split(':')[1]);
const uriOf = (where: string) => pathToFileURL(fileOf(where)).href;

/** Open `where` with its text on disk; the position of `‸` in the snippet `at`. */
function openAt(client: LspClient, where: string, at?: string): { uri: string; position: Position } {
  const text = readFileSync(fileOf(where), 'utf8');
  client.open(uriOf(where), text);
  if (!at) return { uri: uriOf(where), position: { line: 0, character: 0 } };
  const start = text.indexOf(at.replace('‸', ''));
  assert.ok(start >= 0, `${where} holds ${at}`);
  return { uri: uriOf(where), position: new LineIndex(text).position(start + at.indexOf('‸')) };
}

/** A location as `root:path:line-text` (the whole line, trimmed). */
function show(loc: Location): string {
  const path = fileURLToPath(loc.uri);
  const root = Object.entries(roots).find(([, r]) => path.startsWith(r + '/'))!;
  const line = readFileSync(path, 'utf8').split('\n')[loc.range.start.line].trim();
  return `${root[0]}:${path.slice(root[1].length + 1)}:${line}`;
}

test('references of a template job: its definition and every extends / !reference, across the service and the library', async () => {
  const c = await start('service');
  try {
    const { uri, position } = openAt(c, 'service:.gitlab-ci.yml', 'extends: .python-te‸st-job');
    const all = (await c.references(uri, position, true))!.map(show).sort();
    assert.deepEqual(all, [
      'library:ci/python-postgres.yml:- .python-test-job',
      'library:ci/python.yml:extends: .python-test-job',
      'library:common/jobs.yml:.python-test-job:',
      'service:.gitlab-ci.yml:- !reference [.python-test-job, before_script]',
      'service:.gitlab-ci.yml:extends: .python-test-job',
    ]);
    const uses = (await c.references(uri, position, false))!.map(show);
    assert.equal(uses.length, 4);
    assert.ok(!uses.includes('library:common/jobs.yml:.python-test-job:'));
  } finally {
    await c.close();
  }
});

test('references of a variable: every definition and read', async () => {
  const c = await start('service');
  try {
    const { uri, position } = openAt(c, 'service:.gitlab-ci.yml', '  PYTEST_AR‸GS: -q --maxfail=3');
    const all = (await c.references(uri, position, true))!.map(show).sort();
    assert.deepEqual(all, [
      'library:ci/python.yml:PYTEST_ARGS:',
      'library:common/jobs.yml:- pytest ${PYTEST_ARGS:--q --maxfail=5} --junitxml=report.xml --cov="${COVERAGE_SOURCE:-src}" --cov-report=term --cov-report=xml:coverage.xml',
      'service:.gitlab-ci.yml:PYTEST_ARGS: -q --maxfail=3 --ignore=tests/contract',
      'service:.gitlab-ci.yml:PYTEST_ARGS: -q tests/contract',
    ]);
  } finally {
    await c.close();
  }
});

test("references from the central library (xfenix jobs.yml) include the consumer's usage when the consumer is open", async () => {
  const c = await start('consumer');
  try {
    openAt(c, 'consumer:.gitlab-ci.yml');
    const { uri, position } = openAt(c, 'xfenix:jobs.yml', '.python-te‸st-job:');
    const all = (await c.references(uri, position, true))!.map(show).sort();
    assert.deepEqual(all, ['consumer:.gitlab-ci.yml:extends: .python-test-job', 'xfenix:jobs.yml:.python-test-job:']);
  } finally {
    await c.close();
  }
});

/** Lenses of a document as `job line → title`, checking each one's showReferences arguments. */
async function lenses(c: LspClient, where: string): Promise<Map<string, { title: string; locations: string[] }>> {
  const uri = uriOf(where);
  const lines = readFileSync(fileOf(where), 'utf8').split('\n');
  const out = new Map<string, { title: string; locations: string[] }>();
  for (const lens of (await c.codeLenses(uri)) ?? []) {
    assert.equal(lens.command?.command, 'editor.action.showReferences');
    const [argUri, argPos, locations] = lens.command!.arguments as [string, Position, Location[]];
    assert.equal(argUri, uri);
    assert.deepEqual(argPos, lens.range.start);
    out.set(lines[lens.range.start.line].replace(/:.*/, ''), { title: lens.command!.title, locations: locations.map(show).sort() });
  }
  return out;
}

test('code lens "extended by N jobs" on the template jobs of a library file', async () => {
  const c = await start('service');
  try {
    openAt(c, 'service:.gitlab-ci.yml');
    openAt(c, 'library:common/jobs.yml');
    const got = await lenses(c, 'library:common/jobs.yml');
    assert.deepEqual(got.get('.python-test-job'), {
      title: 'extended by 3 jobs',
      locations: ['library:ci/python-postgres.yml:- .python-test-job', 'library:ci/python.yml:extends: .python-test-job', 'service:.gitlab-ci.yml:extends: .python-test-job'],
    });
    assert.equal(got.get('.python-base-job')?.title, 'extended by 3 jobs');
    assert.equal(got.get('.check-rules')?.title, 'extended by 0 jobs', 'used only through !reference');
    const templates = readFileSync(fileOf('library:common/jobs.yml'), 'utf8').match(/^\.[\w-]+(?=:)/gm)!;
    assert.deepEqual([...got.keys()].sort(), [...templates].sort(), 'one lens per template job, none on anything else');
  } finally {
    await c.close();
  }
});

test('code lens in the xfenix library counts the consumer job', async () => {
  const c = await start('consumer');
  try {
    openAt(c, 'consumer:.gitlab-ci.yml');
    openAt(c, 'xfenix:jobs.yml');
    const got = await lenses(c, 'xfenix:jobs.yml');
    assert.deepEqual(got.get('.python-test-job'), { title: 'extended by 1 job', locations: ['consumer:.gitlab-ci.yml:extends: .python-test-job'] });
  } finally {
    await c.close();
  }
});

/** Apply LSP edits to a text. */
function applyEdits(text: string, edits: TextEdit[]): string {
  const idx = new LineIndex(text);
  const sorted = [...edits].sort((a, b) => idx.offset(b.range.start) - idx.offset(a.range.start));
  for (const e of sorted) text = text.slice(0, idx.offset(e.range.start)) + e.newText + text.slice(idx.offset(e.range.end));
  return text;
}

test('rename a job across two files; the renamed pipeline still resolves', async () => {
  const c = await start('consumer');
  try {
    openAt(c, 'consumer:ci/extra.yml');
    const { uri, position } = openAt(c, 'consumer:.gitlab-ci.yml', 'extends: .shop-ba‸se');
    const prep = (await c.prepareRename(uri, position)) as { placeholder: string; range: { start: Position } };
    assert.equal(prep.placeholder, '.shop-base');
    assert.deepEqual(prep.range.start, { line: position.line, character: position.character - '.shop-ba'.length });

    const edit = await c.rename(uri, position, '.shop-job');
    const changes = edit?.changes ?? {};
    assert.deepEqual(Object.keys(changes).sort(), [uriOf('consumer:.gitlab-ci.yml'), uriOf('consumer:ci/extra.yml')].sort());
    const root = applyEdits(CONSUMER['.gitlab-ci.yml'], changes[uriOf('consumer:.gitlab-ci.yml')]);
    const extra = applyEdits(CONSUMER['ci/extra.yml'], changes[uriOf('consumer:ci/extra.yml')]);
    assert.equal(root, CONSUMER['.gitlab-ci.yml'].replaceAll('.shop-base', '.shop-job'));
    assert.equal(extra, CONSUMER['ci/extra.yml'].replaceAll('.shop-base', '.shop-job'));

    c.change(uriOf('consumer:ci/extra.yml'), extra, 2);
    c.change(uri, root, 2);
    const idx = new LineIndex(root);
    const links = (await c.definition(uri, idx.position(root.indexOf('.shop-job') + 2))) as LocationLink[];
    assert.equal(links?.[0]?.targetUri, uriOf('consumer:ci/extra.yml'));
    assert.equal(links[0].targetSelectionRange.start.line, 0);
    await c.waitForDiagnostics(uri, (d) => !d.some((x) => x.code === 'extends-unknown' || x.code === 'reference-unknown'));
  } finally {
    await c.close();
  }
});

test('rename a library template from the consumer edits the library file too; bad names are refused', async () => {
  const c = await start('consumer');
  try {
    const { uri, position } = openAt(c, 'consumer:.gitlab-ci.yml', 'extends: .python-te‸st-job');
    const edit = await c.rename(uri, position, '.py-test');
    const lib = edit?.changes?.[uriOf('xfenix:jobs.yml')] ?? [];
    assert.deepEqual(lib.map((e) => e.range.start.line), [readFileSync(fileOf('xfenix:jobs.yml'), 'utf8').split('\n').indexOf('.python-test-job:')]);
    assert.equal(edit?.changes?.[uri]?.length, 1);

    await assert.rejects(c.rename(uri, position, 'unit-tests'), /already exists/);
    await assert.rejects(c.rename(uri, position, 'bad: name'), /not a plain job name/);
    await assert.rejects(c.rename(uri, position, 'variables'), /already exists/);
    const onScript = openAt(c, 'consumer:.gitlab-ci.yml', 'scr‸ipt:');
    assert.equal(await c.prepareRename(uri, onScript.position), null, 'a keyword is not a job');
  } finally {
    await c.close();
  }
});

test('rename is refused when the job is also written in a read-only file (a remote include)', async () => {
  const api = await GitLabStandIn.start();
  api.setRemote('shared.yml', '.remote-template:\n  image: alpine:3.20\n');
  const ws = join(dir, 'remote-consumer');
  mkdirSync(ws, { recursive: true });
  const text = `include:\n  - remote: ${api.url}/remote/shared.yml\nlocal-job:\n  extends: .remote-template\n  script: [echo]\n`;
  writeFileSync(join(ws, '.gitlab-ci.yml'), text);
  const c = new LspClient();
  try {
    await c.initialize(ws, { gitlabUrl: api.url, cacheDir: join(dir, 'cache-remote') });
    const uri = pathToFileURL(join(ws, '.gitlab-ci.yml')).href;
    c.open(uri, text);
    const idx = new LineIndex(text);
    const onTemplate = idx.position(text.indexOf('.remote-template') + 2);
    await assert.rejects(c.prepareRename(uri, onTemplate), /read-only/);
    await assert.rejects(c.rename(uri, onTemplate, '.renamed'), /read-only/);
    const refs = (await c.references(uri, onTemplate, true))!;
    assert.equal(refs.length, 2);
    assert.ok(refs.some((r) => r.uri.startsWith('gitlab-ci-presets:/remote/')), JSON.stringify(refs));
    const onLocal = idx.position(text.indexOf('local-job') + 2);
    const edit = await c.rename(uri, onLocal, 'renamed-job');
    assert.deepEqual(Object.keys(edit?.changes ?? {}), [uri], 'a job written only in the workspace is renamed');
  } finally {
    await c.close();
    await api.close();
  }
});
