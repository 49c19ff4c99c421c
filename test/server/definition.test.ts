import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LocationLink } from 'vscode-languageserver-protocol/node';
import { LineIndex } from '../../server/src/pipeline/yaml/positions.js';
import { GitLabStandIn } from '../support/gitlab-stand-in.js';
import { LspClient, repoRoot } from '../support/lsp-client.js';

const XFENIX = join(repoRoot, '..', 'shared', 'corpus', 'xfenix-pycon2022', 'repo');

/** A service using the xfenix library the way the talk suggests (`include: project:` + extends). */
const CONSUMER: Record<string, string> = {
  '.gitlab-ci.yml': `include:
  - project: xfenix/pycon2022
    ref: master
    file: jobs.yml
  - local: ci/extra.yml

variables:
  DOCKER_REGISTRY_HOST: registry.example.com
  PROJECT_SLUG: shop

unit-tests:
  extends: .python-test-job
  variables:
    PYTEST_WORKERS_INFIX: -n4
  script:
    - !reference [.prepare-build-tag, script]
    - echo "$DOCKER_REGISTRY_HOST $TOOLSET_PATH $FF_NETWORK_PER_BUILD $PYTEST_WORKERS_INFIX"

smoke:
  extends: .shop-base
  stage: test
  needs: [unit-tests]
`,
  'ci/extra.yml': `.shop-base:
  image: python:3.12-slim
  script:
    - echo "$PROJECT_SLUG"
`,
};

let dir: string;
let service: LspClient;
let consumer: LspClient;
let consumerDir: string;
const roots: Record<string, string> = {};

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-def-'));
  cpSync(join(repoRoot, 'examples'), dir, { recursive: true });
  consumerDir = join(dir, 'consumer');
  for (const [rel, text] of Object.entries(CONSUMER)) {
    mkdirSync(dirname(join(consumerDir, rel)), { recursive: true });
    writeFileSync(join(consumerDir, rel), text);
  }
  Object.assign(roots, { service: join(dir, 'service-repo'), library: join(dir, 'ci-library'), consumer: consumerDir, xfenix: XFENIX });
  service = new LspClient();
  await service.initialize(roots.service, { localProjects: { 'acme/ci-library@v1.2.0': '../ci-library' }, cacheDir: join(dir, 'cache') });
  consumer = new LspClient();
  await consumer.initialize(consumerDir, { localProjects: { 'xfenix/pycon2022@master': XFENIX }, cacheDir: join(dir, 'cache') });
});
after(async () => {
  await service?.close();
  await consumer?.close();
});

/** `root:path` → the file on disk. */
function fileOf(where: string): string {
  const [root, rel] = where.split(':');
  return join(roots[root], rel);
}

/** Open `where` in `client` (once) and return the position of `‸` in `at`, a snippet of its text. */
const opened = new Set<string>();
function cursor(client: LspClient, where: string, at: string) {
  const path = fileOf(where);
  const uri = pathToFileURL(path).href;
  const text = readFileSync(path, 'utf8');
  const key = `${client === service ? 's' : 'c'}:${uri}`;
  if (!opened.has(key)) {
    client.open(uri, text);
    opened.add(key);
  }
  const start = text.indexOf(at.replace('‸', ''));
  assert.ok(start >= 0, `${where} holds ${at}`);
  return { uri, position: new LineIndex(text).position(start + at.indexOf('‸')) };
}

/** The target of a link: its file, the text it selects, the whole line it is on, the job (top-level key) it is in. */
function landing(link: LocationLink) {
  const text = readFileSync(new URL(link.targetUri), 'utf8');
  const idx = new LineIndex(text);
  const r = link.targetSelectionRange;
  const lines = text.split('\n');
  const job = lines.slice(0, r.start.line + 1).reverse().find((l) => /^[^\s#].*:\s*$/.test(l));
  return { uri: link.targetUri, selected: text.slice(idx.offset(r.start), idx.offset(r.end)), line: lines[r.start.line].trim(), job: job?.slice(0, -1) };
}

/** `ws` = which workspace; `in` = `root:path`; `at` = snippet with the cursor `‸`; `lands` = file, selected text, line and enclosing job. */
const cases: { name: string; ws: 'service' | 'consumer'; in: string; at: string; origin: string; lands: { in: string; selected: string; line?: string; job?: string } }[] = [
  { name: 'extends → the template job in the library', ws: 'service', in: 'service:.gitlab-ci.yml', at: 'extends: .python-te‸st-job', origin: '.python-test-job', lands: { in: 'library:common/jobs.yml', selected: '.python-test-job', line: '.python-test-job:' } },
  { name: '!reference job → that job', ws: 'service', in: 'service:.gitlab-ci.yml', at: '!reference [.python-t‸est-job, before_script]', origin: '.python-test-job', lands: { in: 'library:common/jobs.yml', selected: '.python-test-job', line: '.python-test-job:' } },
  { name: '!reference key → the key in the job that defines it (through extends)', ws: 'service', in: 'service:.gitlab-ci.yml', at: '[.python-test-job, before_sc‸ript]', origin: 'before_script', lands: { in: 'library:common/jobs.yml', selected: 'before_script', job: '.python-base-job' } },
  { name: 'needs → the job of a preset', ws: 'service', in: 'service:.gitlab-ci.yml', at: '- python-li‸nt', origin: 'python-lint', lands: { in: 'library:ci/python.yml', selected: 'python-lint', line: 'python-lint:' } },
  { name: 'include project file: → that file', ws: 'service', in: 'service:.gitlab-ci.yml', at: 'file: ci/dock‸er.yml', origin: 'ci/docker.yml', lands: { in: 'library:ci/docker.yml', selected: '' } },
  { name: 'include local: → that file', ws: 'service', in: 'service:.gitlab-ci.yml', at: 'local: .gitlab/ci/ex‸tra.yml', origin: '.gitlab/ci/extra.yml', lands: { in: 'service:.gitlab/ci/extra.yml', selected: '' } },
  { name: 'include inputs: key → the spec:inputs entry', ws: 'service', in: 'service:.gitlab-ci.yml', at: 'image-na‸me: $CI', origin: 'image-name', lands: { in: 'library:ci/docker.yml', selected: 'image-name', line: 'image-name:' } },
  { name: '$[[ inputs.x ]] → its spec:inputs entry', ws: 'service', in: 'library:ci/docker.yml', at: 'stage: $[[ inputs.st‸age ]]', origin: 'stage', lands: { in: 'library:ci/docker.yml', selected: 'stage', line: 'stage:' } },
  { name: 'stage: → the entry of stages:', ws: 'service', in: 'service:.gitlab-ci.yml', at: 'stage: te‸st', origin: 'test', lands: { in: 'library:common/stages.yml', selected: 'test', line: '- test' } },
  { name: 'a variable read → the global definition of the service', ws: 'service', in: 'service:.gitlab/ci/extra.yml', at: '$SERVICE_NA‸ME.staging', origin: 'SERVICE_NAME', lands: { in: 'service:.gitlab-ci.yml', selected: 'SERVICE_NAME', job: 'variables' } },
  { name: 'a variable read → a preset variable file', ws: 'service', in: 'service:.gitlab/ci/extra.yml', at: '$ACME_BASE_DOM‸AIN', origin: 'ACME_BASE_DOMAIN', lands: { in: 'library:group-vars.yml', selected: 'ACME_BASE_DOMAIN', job: 'variables' } },
  { name: 'consumer extends → .python-test-job in jobs.yml', ws: 'consumer', in: 'consumer:.gitlab-ci.yml', at: 'extends: .python-tes‸t-job', origin: '.python-test-job', lands: { in: 'xfenix:jobs.yml', selected: '.python-test-job', line: '.python-test-job:' } },
  { name: 'consumer !reference key → the script of .prepare-build-tag', ws: 'consumer', in: 'consumer:.gitlab-ci.yml', at: '[.prepare-build-tag, scri‸pt]', origin: 'script', lands: { in: 'xfenix:jobs.yml', selected: 'script', job: '.prepare-build-tag' } },
  { name: 'consumer include file: → jobs.yml', ws: 'consumer', in: 'consumer:.gitlab-ci.yml', at: 'file: jobs.y‸ml', origin: 'jobs.yml', lands: { in: 'xfenix:jobs.yml', selected: '' } },
  { name: 'consumer needs → the job', ws: 'consumer', in: 'consumer:.gitlab-ci.yml', at: 'needs: [unit-te‸sts]', origin: 'unit-tests', lands: { in: 'consumer:.gitlab-ci.yml', selected: 'unit-tests', line: 'unit-tests:' } },
  { name: 'consumer extends a template of another local file', ws: 'consumer', in: 'consumer:.gitlab-ci.yml', at: 'extends: .shop-ba‸se', origin: '.shop-base', lands: { in: 'consumer:ci/extra.yml', selected: '.shop-base', line: '.shop-base:' } },
  { name: 'a variable the consumer overrides → the consumer wins over jobs.yml', ws: 'consumer', in: 'consumer:.gitlab-ci.yml', at: '$DOCKER_REGISTRY_HO‸ST', origin: 'DOCKER_REGISTRY_HOST', lands: { in: 'consumer:.gitlab-ci.yml', selected: 'DOCKER_REGISTRY_HOST', job: 'variables' } },
  { name: 'a global library variable → jobs.yml variables', ws: 'consumer', in: 'consumer:.gitlab-ci.yml', at: '$TOOLSET_PA‸TH', origin: 'TOOLSET_PATH', lands: { in: 'xfenix:jobs.yml', selected: 'TOOLSET_PATH', job: 'variables' } },
  { name: 'a variable of the extended template → its variables: in jobs.yml', ws: 'consumer', in: 'consumer:.gitlab-ci.yml', at: '$FF_NETWORK_PER_BU‸ILD', origin: 'FF_NETWORK_PER_BUILD', lands: { in: 'xfenix:jobs.yml', selected: 'FF_NETWORK_PER_BUILD', job: '.python-test-job' } },
  { name: "a job's own variable → the job's variables:", ws: 'consumer', in: 'consumer:.gitlab-ci.yml', at: '$PYTEST_WORKERS_IN‸FIX"', origin: 'PYTEST_WORKERS_INFIX', lands: { in: 'consumer:.gitlab-ci.yml', selected: 'PYTEST_WORKERS_INFIX', job: 'unit-tests' } },
  { name: 'a variable read in a local include → the root file', ws: 'consumer', in: 'consumer:ci/extra.yml', at: '$PROJECT_SL‸UG', origin: 'PROJECT_SLUG', lands: { in: 'consumer:.gitlab-ci.yml', selected: 'PROJECT_SLUG', job: 'variables' } },
  { name: '!reference with a variables path inside the library', ws: 'consumer', in: 'xfenix:jobs.yml', at: '[.keydb-test, variables, SENTINEL_NA‸ME]', origin: 'SENTINEL_NAME', lands: { in: 'xfenix:jobs.yml', selected: 'SENTINEL_NAME', job: '.keydb-test' } },
];

for (const c of cases) {
  test(`definition: ${c.name}`, async () => {
    const client = c.ws === 'service' ? service : consumer;
    const { uri, position } = cursor(client, c.in, c.at);
    const links = (await client.definition(uri, position)) as LocationLink[] | null;
    assert.ok(links?.length, `a definition for ${c.at}: ${JSON.stringify(links)}\n${client.stderr}`);
    assert.equal(links.length, 1, JSON.stringify(links));
    const link = links[0];
    assert.ok(link.targetSelectionRange && link.originSelectionRange, 'a LocationLink');
    const src = readFileSync(fileOf(c.in), 'utf8');
    const idx = new LineIndex(src);
    assert.equal(src.slice(idx.offset(link.originSelectionRange!.start), idx.offset(link.originSelectionRange!.end)), c.origin);
    const got = landing(link);
    assert.equal(got.uri, pathToFileURL(fileOf(c.lands.in)).href);
    assert.equal(got.selected, c.lands.selected);
    if (c.lands.selected === '') assert.deepEqual(link.targetSelectionRange.start, { line: 0, character: 0 });
    if (c.lands.line !== undefined) assert.equal(got.line, c.lands.line);
    if (c.lands.job !== undefined) assert.equal(got.job, c.lands.job);
  });
}

test('definition: nothing under the cursor (a plain script word, a predefined variable) gives no location', async () => {
  for (const [where, at] of [['consumer:.gitlab-ci.yml', '- e‸cho "$DOCKER'], ['xfenix:jobs.yml', '$CI_COMMIT_SHORT‸_SHA']]) {
    const { uri, position } = cursor(consumer, where, at);
    assert.deepEqual((await consumer.definition(uri, position)) ?? [], [], at);
  }
});

test('definition: a file of the pipeline outside the workspace (remote include) opens read-only and its text is served', async () => {
  const api = await GitLabStandIn.start();
  const remoteText = '# shared by every team\n.remote-template:\n  extends: .remote-base\n.remote-base:\n  image: alpine:3.20\n';
  api.setRemote('shared.yml', remoteText);
  const ws = join(dir, 'remote-consumer');
  mkdirSync(ws, { recursive: true });
  const text = `include:\n  - remote: ${api.url}/remote/shared.yml\nuses-remote:\n  extends: .remote-template\n  script: [echo]\n`;
  writeFileSync(join(ws, '.gitlab-ci.yml'), text);
  const client = new LspClient();
  try {
    await client.initialize(ws, { gitlabUrl: api.url, cacheDir: join(dir, 'cache-remote') });
    const uri = pathToFileURL(join(ws, '.gitlab-ci.yml')).href;
    client.open(uri, text);
    const idx = new LineIndex(text);
    const links = (await client.definition(uri, idx.position(text.indexOf('.remote-template') + 3))) as LocationLink[];
    assert.equal(links?.length, 1, `${JSON.stringify(links)}\n${client.stderr}`);
    const target = links[0].targetUri;
    assert.match(target, /^gitlab-ci-presets:\/remote\/.*\/shared\.yml\?/);
    assert.equal(decodeURIComponent(target.slice(target.indexOf('?') + 1)), `${api.url}/remote/shared.yml`);
    const served = await client.readFile(target);
    assert.equal(served.text, remoteText);
    const served2 = await client.readFile(`${api.url}/remote/shared.yml`);
    assert.equal(served2.text, remoteText, 'the original URI works too');
    assert.equal(links[0].targetSelectionRange.start.line, 1);
    await assert.rejects(client.readFile('gitlab-ci-presets:/remote/x/none.yml?https%3A%2F%2Fexample.com%2Fnone.yml'), /not a file of any open pipeline/);

    // The editor opens the read-only document (with its own encoding of the URI): navigation works inside it.
    const q = target.indexOf('?');
    const opened = target.slice(0, q + 1) + encodeURI(`${api.url}/remote/shared.yml`).replace(/:/g, '%3A');
    client.open(opened, served.text);
    const inside = new LineIndex(served.text);
    const inner = (await client.definition(opened, inside.position(served.text.indexOf('.remote-base') + 3))) as LocationLink[];
    assert.equal(inner?.length, 1, JSON.stringify(inner));
    assert.equal(decodeURIComponent(inner[0].targetUri.slice(inner[0].targetUri.indexOf('?') + 1)), `${api.url}/remote/shared.yml`);
    assert.equal(inner[0].targetSelectionRange.start.line, 3);
    const symbols = (await client.documentSymbols(opened)) ?? [];
    assert.deepEqual(symbols.map((s) => `${s.name}: ${(s.children ?? []).map((c) => c.name).join(', ')}`), ['templates: .remote-template, .remote-base']);
  } finally {
    await client.close();
    await api.close();
  }
});
