/**
 * The workspace index (server/src/workspace-index.ts) through the real server: a multi-root
 * workspace (a copy of examples/ci-library and examples/service-repo) where only a library file is
 * open still sees the unopened consumer, in references, the code lens and rename; watched-file
 * events and workspace folder changes update it; heavy folders (node_modules, dist) are not indexed.
 */
import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Location, Position } from 'vscode-languageserver-protocol/node';
import { LineIndex } from '../../server/src/pipeline/yaml/positions.js';
import { LspClient, repoRoot } from '../support/lsp-client.js';

const SETTINGS = { localProjects: { 'acme/ci-library@v1.2.0': '../ci-library' } };
const JOBS = 'ci-library/common/jobs.yml';
const CONSUMER = 'service-repo/.gitlab-ci.yml';

let dir: string;
let client: LspClient | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-index-'));
  for (const name of ['ci-library', 'service-repo']) cpSync(join(repoRoot, 'examples', name), join(dir, name), { recursive: true });
});

afterEach(async () => {
  await client?.close();
  client = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const uriOf = (rel: string) => pathToFileURL(join(dir, rel)).href;

function write(rel: string, text: string): void {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), text);
}

/** A server on workspace folders `names` (under the temp dir), announcing workspace folder support. */
async function start(names: string[]): Promise<LspClient> {
  const c = (client = new LspClient());
  await c.connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    workspaceFolders: names.map((n) => ({ uri: uriOf(n), name: n })),
    capabilities: { workspace: { workspaceFolders: true, didChangeWatchedFiles: { dynamicRegistration: false } } },
    initializationOptions: { settings: { ...SETTINGS, cacheDir: join(dir, 'cache') } },
  });
  await c.connection.sendNotification('initialized', {});
  return c;
}

/** Open `rel` with its text on disk; the position of `‸` in the snippet `at`. */
function openAt(c: LspClient, rel: string, at: string): { uri: string; position: Position } {
  const text = readFileSync(join(dir, rel), 'utf8');
  c.open(uriOf(rel), text);
  const start = text.indexOf(at.replace('‸', ''));
  assert.ok(start >= 0, `${rel} holds ${at}`);
  return { uri: uriOf(rel), position: new LineIndex(text).position(start + at.indexOf('‸')) };
}

/** A location as `path:line-text` (path relative to the temp dir, the line trimmed). */
function show(loc: Location): string {
  const path = fileURLToPath(loc.uri);
  const line = readFileSync(path, 'utf8').split('\n')[loc.range.start.line] ?? '(past the end on disk: an unsaved buffer)';
  return `${relative(dir, path)}:${line.trim()}`;
}

/** The title of the code lens on template job `name` of `rel`, and the places it lists. */
async function lens(c: LspClient, rel: string, name: string): Promise<{ title: string; locations: string[] }> {
  const lines = readFileSync(join(dir, rel), 'utf8').split('\n');
  const found = ((await c.codeLenses(uriOf(rel))) ?? []).find((l) => lines[l.range.start.line].startsWith(`${name}:`));
  assert.ok(found?.command, `a lens on ${name}`);
  const [, , locations] = found.command.arguments as [string, Position, Location[]];
  return { title: found.command.title, locations: locations.map(show).sort() };
}

const LIBRARY_USES = ['ci-library/ci/python-postgres.yml:- .python-test-job', 'ci-library/ci/python.yml:extends: .python-test-job'];
const CONSUMER_USES = ['service-repo/.gitlab-ci.yml:- !reference [.python-test-job, before_script]', 'service-repo/.gitlab-ci.yml:extends: .python-test-job'];

test('references on a library template include the unopened consumer in another workspace folder', async () => {
  const c = await start(['ci-library', 'service-repo']);
  const { uri, position } = openAt(c, JOBS, '.python-te‸st-job:');
  const all = (await c.references(uri, position, true))!.map(show).sort();
  assert.deepEqual(all, [...LIBRARY_USES, 'ci-library/common/jobs.yml:.python-test-job:', ...CONSUMER_USES].sort());
});

test('the code lens counts the unopened consumer; deleting it on disk (didChangeWatchedFiles) drops the count', async () => {
  const c = await start(['ci-library', 'service-repo']);
  openAt(c, JOBS, '.python-test-job:');
  assert.deepEqual(await lens(c, JOBS, '.python-test-job'), { title: 'extended by 3 jobs', locations: [...LIBRARY_USES, 'service-repo/.gitlab-ci.yml:extends: .python-test-job'].sort() });
  assert.equal((await lens(c, JOBS, '.python-test-job')).title, 'extended by 3 jobs', 'asked again (reused analyses): the same');

  rmSync(join(dir, CONSUMER));
  await c.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(CONSUMER), type: 3 }] });
  assert.deepEqual(await lens(c, JOBS, '.python-test-job'), { title: 'extended by 2 jobs', locations: LIBRARY_USES });

  // A new consumer file appears (a `*.gitlab-ci.yml` in the service folder): counted again.
  write('service-repo/review.gitlab-ci.yml', 'include:\n  - project: acme/ci-library\n    ref: v1.2.0\n    file: common/jobs.yml\nreview-tests:\n  extends: .python-test-job\n');
  await c.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf('service-repo/review.gitlab-ci.yml'), type: 1 }] });
  assert.equal((await lens(c, JOBS, '.python-test-job')).title, 'extended by 3 jobs');
});

test('an unopened consumer changed on disk is read again after didChangeWatchedFiles', async () => {
  const c = await start(['ci-library', 'service-repo']);
  openAt(c, JOBS, '.python-test-job:');
  assert.equal((await lens(c, JOBS, '.python-test-job')).title, 'extended by 3 jobs');
  const text = readFileSync(join(dir, CONSUMER), 'utf8');
  write(CONSUMER, text + '\nmore-tests:\n  extends: .python-test-job\n');
  await c.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(CONSUMER), type: 2 }] });
  assert.equal((await lens(c, JOBS, '.python-test-job')).title, 'extended by 4 jobs');
});

test('unsaved edits of a consumer count while open, and no longer once it is closed unsaved', async () => {
  const c = await start(['ci-library', 'service-repo']);
  openAt(c, JOBS, '.python-test-job:');
  assert.equal((await lens(c, JOBS, '.python-test-job')).title, 'extended by 3 jobs');
  const text = readFileSync(join(dir, CONSUMER), 'utf8');
  c.open(uriOf(CONSUMER), text + '\nmore-tests:\n  extends: .python-test-job\n');
  assert.equal((await lens(c, JOBS, '.python-test-job')).title, 'extended by 4 jobs');
  c.change(uriOf(CONSUMER), text + '\nmore-tests:\n  extends: .python-test-job\nyet-more:\n  extends: .python-test-job\n', 2);
  assert.equal((await lens(c, JOBS, '.python-test-job')).title, 'extended by 5 jobs');
  await c.connection.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(CONSUMER) } });
  assert.equal((await lens(c, JOBS, '.python-test-job')).title, 'extended by 3 jobs');
});

test('rename of a library template edits the unopened consumer too', async () => {
  const c = await start(['ci-library', 'service-repo']);
  const { uri, position } = openAt(c, JOBS, '.python-te‸st-job:');
  const edit = await c.rename(uri, position, '.py-test-job');
  const changes = edit?.changes ?? {};
  assert.equal(changes[uriOf(CONSUMER)]?.length, 2, JSON.stringify(Object.keys(changes)));
  assert.ok(Object.keys(changes).every((u) => u.startsWith('file:')));
  assert.deepEqual(Object.keys(changes).map((u) => relative(dir, fileURLToPath(u))).sort(), ['ci-library/ci/python-postgres.yml', 'ci-library/ci/python.yml', JOBS, CONSUMER].sort());
});

test('a consumer added as a workspace folder (didChangeWorkspaceFolders) is indexed', async () => {
  const c = await start(['ci-library']);
  openAt(c, JOBS, '.python-test-job:');
  assert.equal((await lens(c, JOBS, '.python-test-job')).title, 'extended by 2 jobs');
  await c.connection.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [{ uri: uriOf('service-repo'), name: 'service-repo' }], removed: [] } });
  assert.equal((await lens(c, JOBS, '.python-test-job')).title, 'extended by 3 jobs');
});

test('files in node_modules and dist are not indexed, nor YAML without hidden jobs or variables; a consumer in a sub-folder and a preset file by content are', async () => {
  const consumer = (job: string) => `include:\n  - project: acme/ci-library\n    ref: v1.2.0\n    file: common/jobs.yml\n${job}:\n  extends: .python-test-job\n`;
  write('ci-library/node_modules/some-pkg/.gitlab-ci.yml', consumer('from-node-modules'));
  write('ci-library/node_modules/some-pkg/.gitlab/ci/tests.yml', '.t:\n  extends: .python-test-job\n');
  write('ci-library/dist/ci/python.yml', readFileSync(join(dir, 'ci-library/ci/python.yml'), 'utf8'));
  write('ci-library/examples/consumer/.gitlab-ci.yml', consumer('from-sub-folder'));
  write('ci-library/more/presets.yml', 'include:\n  - local: /common/jobs.yml\n.more-tests:\n  extends: .python-test-job\n  variables:\n    X: "1"\n');
  write('ci-library/more/not-a-preset.yml', 'include:\n  - local: /common/jobs.yml\nplain-job:\n  extends: .python-test-job\n');
  const c = await start(['ci-library']);
  const { uri, position } = openAt(c, JOBS, '.python-te‸st-job:');
  const files = new Set((await c.references(uri, position, false))!.map((l) => relative(dir, fileURLToPath(l.uri))));
  assert.deepEqual([...files].sort(), ['ci-library/ci/python-postgres.yml', 'ci-library/ci/python.yml', 'ci-library/examples/consumer/.gitlab-ci.yml', 'ci-library/more/presets.yml']);
});

test('a job of the same name in an unrelated pipeline of the workspace is neither counted, listed nor renamed', async () => {
  write('other-service/.gitlab-ci.yml', '.python-test-job:\n  script: [echo other]\nother-tests:\n  extends: .python-test-job\ndocs-build:\n  script: [echo docs]\n');
  const c = await start(['ci-library', 'service-repo', 'other-service']);
  const lib = openAt(c, JOBS, '.python-te‸st-job:');
  assert.equal((await lens(c, JOBS, '.python-test-job')).title, 'extended by 3 jobs');
  const refs = (await c.references(lib.uri, lib.position, true))!.map(show);
  assert.ok(!refs.some((r) => r.startsWith('other-service/')), refs.join('\n'));

  const extra = openAt(c, 'service-repo/.gitlab/ci/extra.yml', 'docs-bu‸ild:');
  const edit = await c.rename(extra.uri, extra.position, 'other-tests');
  assert.deepEqual(Object.keys(edit?.changes ?? {}), [extra.uri], 'other-service keeps its docs-build; its other-tests is no conflict');
});

test('a library checkout mapped in localProjects outside the workspace: its uses count, and its files are read in their own project', async () => {
  // Only the service is a workspace folder; the library lies beside it, mapped as ../ci-library.
  // A preset the service does not include: only indexing the checkout finds its use.
  write('ci-library/ci/nightly.yml', 'include:\n  - local: /common/jobs.yml\n.nightly-tests:\n  extends: .python-test-job\n');
  const c = await start(['service-repo']);
  const { uri, position } = openAt(c, JOBS, '.python-te‸st-job:');
  const all = (await c.references(uri, position, true))!.map(show).sort();
  const nightly = 'ci-library/ci/nightly.yml:extends: .python-test-job';
  assert.deepEqual(all, [...LIBRARY_USES, nightly, 'ci-library/common/jobs.yml:.python-test-job:', ...CONSUMER_USES].sort());
  // A preset file opened from there: its `local: /common/jobs.yml` resolves in the library, not next to the file.
  const postgres = 'ci-library/ci/python-postgres.yml';
  c.open(uriOf(postgres), readFileSync(join(dir, postgres), 'utf8'));
  const d = await c.waitForDiagnostics(uriOf(postgres), () => true);
  assert.deepEqual(d.filter((x) => x.severity === 1).map((x) => x.message), []);
});

test('a file the root pipeline includes only under an include rule: its uses of the root\'s templates count', async () => {
  write('service-repo/ci/secure.yml', '.secure-tests:\n  extends: .python-test-job\nsigned-tests:\n  extends: .secure-tests\n');
  const root = readFileSync(join(dir, CONSUMER), 'utf8').replace('include:\n', 'include:\n  - local: ci/secure.yml\n    rules:\n      - if: $CI_PROJECT_PATH == "acme/security-mirror"\n');
  write(CONSUMER, root);
  const c = await start(['ci-library', 'service-repo']);
  const { uri, position } = openAt(c, JOBS, '.python-te‸st-job:');
  const all = (await c.references(uri, position, false))!.map(show).sort();
  assert.ok(all.includes('service-repo/ci/secure.yml:extends: .python-test-job'), JSON.stringify(all));
});
