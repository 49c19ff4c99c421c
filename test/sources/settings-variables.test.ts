/**
 * Keys of the CI/CD variables set in GitLab's settings (project + every group above it), through
 * the session entry point against the GitLab REST stand-in: all pages; only keys, never a value
 * (not in the result, the cache or the log); a token that may not list them gets none and no
 * error, and the log names the project and the status, never the token; the cache keeps the
 * keys for offline sessions and an unreachable host; refresh and token changes ask again.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GitLabStandIn } from '../support/gitlab-stand-in.js';
import { GitLabApi } from '../../server/src/sources/gitlab-api.js';
import { RequestLimiter } from '../../server/src/sources/request-limits.js';
import { ancestorGroups, folderProject } from '../../server/src/sources/settings-variables.js';
import { allFiles, folderWith, session, tempDir, TOKEN } from './helpers.js';

const PROJECT = 'acme/platform/orders-api';
/** A valid token of a Developer: it reads the project, not its CI/CD variables. */
const DEV_TOKEN = 'glpat-DeveloperOnly-5555555555';
/** Values planted in the stand-in: none may appear anywhere the sources write or say. */
const SECRETS = ['s3cr3t-helm-chart-value-7f1c', 's3cr3t-registry-password-91ab', 's3cr3t-platform-value-c0de', 's3cr3t-hidden-value-aaaa', 's3cr3t-generated-value'];
const GENERATED = Array.from({ length: 230 }, (_, i) => `GEN_${String(i).padStart(3, '0')}`);

const PROJECT_VARIABLES = [
  { key: 'HELM_CHART', value: SECRETS[0] },
  { key: 'HELM_CHART', value: SECRETS[0], environment_scope: 'production' },
  { key: 'DB_PASSWORD', value: SECRETS[3], hidden: true },
];

let api: GitLabStandIn;
let folder: string;

before(async () => {
  api = await GitLabStandIn.start({ tokens: [TOKEN, DEV_TOKEN], variableReaders: [TOKEN] });
  api.addProject({
    path: PROJECT,
    files: { '.gitlab-ci.yml': 'build:\n  script: [echo]\n' },
    variables: PROJECT_VARIABLES,
  });
  api.addGroup({ path: 'acme', variables: { REGISTRY_PASSWORD: SECRETS[1] } });
  api.addGroup({ path: 'acme/platform', variables: [{ key: 'PLATFORM_URL', value: SECRETS[2] }, ...GENERATED.map((key, i) => ({ key, value: `${SECRETS[4]}-${i}` }))] });
  folder = folderWith({ '.gitlab-ci.yml': 'build:\n  script: [echo]\n' });
  mkdirSync(join(folder, '.git'));
  writeFileSync(join(folder, '.git', 'config'), `[remote "origin"]\n\turl = http://127.0.0.1:${api.port}/${PROJECT}.git\n`);
});
after(async () => api.close());
beforeEach(() => {
  api.clearRequests();
  api.clearFailures();
});

const ALL_KEYS = ['DB_PASSWORD', ...GENERATED, 'HELM_CHART', 'PLATFORM_URL', 'REGISTRY_PASSWORD'].sort();
const secretIn = (text: string) => SECRETS.some((s) => text.includes(s));

test('ancestor groups of a/b/c are a and a/b; the project of a folder is its git remote’s path', () => {
  assert.deepEqual(ancestorGroups('a/b/c'), ['a', 'a/b']);
  assert.deepEqual(ancestorGroups('user/project'), ['user']);
  assert.deepEqual(folderProject(folder), { gitlabUrl: api.url, project: PROJECT });
  assert.equal(folderProject(folderWith({ 'x.yml': '' })), undefined, 'no git remote: no project');
});

test('keys of the project and of every group above it, all pages; values nowhere (result, cache, log)', async () => {
  const cacheDir = tempDir();
  const s = session(api);
  const log: string[] = [];
  s.log = (l) => log.push(l);
  const r = await s.settingsVariables(folder, { cacheDir });
  assert.equal(r.project, PROJECT);
  assert.deepEqual(r.keys, ALL_KEYS, 'one key per name (two environment scopes of HELM_CHART), hidden ones too');
  assert.deepEqual(r.sources.map((x) => [x.owner, x.path, x.from]), [['project', PROJECT, 'api'], ['group', 'acme', 'api'], ['group', 'acme/platform', 'api']]);

  const calls = api.requestsTo(/\/variables/).map((q) => q.url.split('?')[0]);
  assert.ok(calls.includes('/api/v4/projects/acme%2Fplatform%2Forders-api/variables'), calls.join('\n'));
  assert.ok(calls.includes('/api/v4/groups/acme/variables'));
  assert.equal(calls.filter((c) => c === '/api/v4/groups/acme%2Fplatform/variables').length, 3, '230 variables: three pages of 100');
  assert.ok(api.requestsTo(/\/variables/).every((q) => q.method === 'GET' && q.headers['private-token'] === TOKEN));
  assert.ok(!api.requests.some((q) => q.url.includes('/admin/')), 'instance variables are not asked for');

  assert.ok(!secretIn(JSON.stringify(r)), 'the result holds no value');
  assert.deepEqual(log, []);
  const files = allFiles(cacheDir);
  assert.equal(files.length, 3, files.map((f) => f.path).join('\n'));
  for (const f of files) {
    assert.match(f.path, /[/\\](variable-keys|group-variable-keys)\.json$/);
    assert.ok(!secretIn(f.text), `no value in ${f.path}`);
    assert.ok(!f.text.includes(TOKEN), `no token in ${f.path}`);
    assert.deepEqual(Object.keys(JSON.parse(f.text)).sort(), ['fetchedAt', 'keys'], 'keys and the time, nothing else');
  }
  const projectFile = files.find((f) => f.path.includes(join('acme', 'platform', 'orders-api', '-', 'variable-keys.json')));
  assert.deepEqual(JSON.parse(projectFile!.text).keys, ['DB_PASSWORD', 'HELM_CHART']);
});

test('memoised: asked again only on refresh or a token change, which pick up a new key', async () => {
  const cacheDir = tempDir();
  const s = session(api);
  await s.settingsVariables(folder, { cacheDir });
  api.clearRequests();
  await s.settingsVariables(folder, { cacheDir });
  assert.equal(api.requestsTo(/\/variables/).length, 0, 'a fresh answer is reused');

  api.setVariables({ project: PROJECT }, { HELM_CHART: SECRETS[0], NEW_KEY: 'new-value' });
  try {
    const summary = await s.refresh();
    assert.equal(summary.variableLists, 3);
    assert.deepEqual(summary.failed, []);
    assert.ok(api.requestsTo(/\/projects\/.*\/variables/).length >= 1, 'refresh asks again');
    assert.ok((await s.settingsVariables(folder, { cacheDir })).keys.includes('NEW_KEY'));
    api.setVariables({ project: PROJECT }, { HELM_CHART: SECRETS[0] });
    api.clearRequests();
    s.invalidate(); // what a token change does
    const again = await s.settingsVariables(folder, { cacheDir });
    assert.ok(!again.keys.includes('NEW_KEY'));
    assert.equal(api.requestsTo(/\/variables/).length, 5, 'the project, acme, and the three pages of acme/platform');
  } finally {
    api.setVariables({ project: PROJECT }, PROJECT_VARIABLES);
  }
});

test('a token that may not list variables (403): no keys, no error, the log names project and status, never the token', async () => {
  const cacheDir = tempDir();
  // A list cached while the user could read it is forgotten once GitLab says they may not.
  await session(api).settingsVariables(folder, { cacheDir });
  assert.equal(allFiles(cacheDir).length, 3);
  api.clearRequests();

  const s = session(api, { token: DEV_TOKEN });
  s.invalidate();
  const log: string[] = [];
  s.log = (l) => log.push(l);
  const r = await s.settingsVariables(folder, { cacheDir });
  assert.deepEqual(r.keys, []);
  assert.deepEqual(r.sources.map((x) => [x.path, x.from, x.reason]), [[PROJECT, 'none', '403 Forbidden'], ['acme', 'none', '403 Forbidden'], ['acme/platform', 'none', '403 Forbidden']]);
  assert.ok(api.requestsTo(/\/variables/).every((q) => q.headers['private-token'] === DEV_TOKEN));
  assert.equal(log.length, 3, log.join('\n'));
  assert.match(log[0], new RegExp(`^127\\.0\\.0\\.1:${api.port}: the CI/CD variables of project ${PROJECT} are not readable with this token \\(403 Forbidden; listing them takes the Maintainer role\\); none are used$`));
  assert.ok(log.some((l) => /group acme .*403 Forbidden.*Owner role/.test(l)));
  for (const l of log) assert.ok(!l.includes(DEV_TOKEN) && !l.includes(TOKEN), 'no token in the log');
  assert.deepEqual(allFiles(cacheDir), [], 'the cached lists are gone');

  await s.settingsVariables(folder, { cacheDir });
  assert.equal(log.length, 3, 'a list that stays unreadable is logged once');
});

test('offline: the keys from the cache, no request; an unreachable host: the cached keys, said in the log', async () => {
  const cacheDir = tempDir();
  await session(api).settingsVariables(folder, { cacheDir });
  api.clearRequests();

  const offline = await session(api).settingsVariables(folder, { cacheDir, offline: true });
  assert.deepEqual(offline.keys, ALL_KEYS);
  assert.ok(offline.sources.every((x) => x.from === 'cache'));
  assert.equal(api.requests.length, 0, 'offline: no request');

  // Time passes: the cached lists are too old to be used without asking.
  for (const f of allFiles(cacheDir)) {
    const j = JSON.parse(readFileSync(f.path, 'utf8'));
    j.fetchedAt -= 3_600_000;
    writeFileSync(f.path, JSON.stringify(j));
  }
  const stale = await session(api).settingsVariables(folder, { cacheDir, offline: true });
  assert.deepEqual(stale.keys, ALL_KEYS, 'offline, any age will do');
  assert.ok(stale.sources.every((x) => x.reason === 'offline mode'));

  await api.stop();
  try {
    const s = session(api);
    const log: string[] = [];
    s.log = (l) => log.push(l);
    const unreachable = await s.settingsVariables(folder, { cacheDir });
    assert.deepEqual(unreachable.keys, ALL_KEYS);
    assert.ok(unreachable.sources.every((x) => x.from === 'cache' && /cannot connect to 127\.0\.0\.1/.test(x.reason ?? '')));
    assert.equal(log.length, 3);
    assert.match(log[0], /could not be listed: cannot connect to 127\.0\.0\.1:\d+ .*; using the keys cached \d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
    const summary = await s.refresh();
    assert.equal(summary.failed.length, 3, 'refresh says which lists it could not ask');
  } finally {
    await api.restart();
  }
});

test('no token: nothing asked (GitLab lists variables to no anonymous request), the cache only; localOnly: nothing at all', async () => {
  const cacheDir = tempDir();
  const none = await session(api, { token: null }).settingsVariables(folder, { cacheDir });
  assert.deepEqual(none.keys, []);
  assert.ok(none.sources.every((x) => x.from === 'none' && x.reason === `no token for ${api.host}`));
  assert.equal(api.requests.length, 0);

  await session(api).settingsVariables(folder, { cacheDir });
  api.clearRequests();
  const local = await session(api).settingsVariables(folder, { cacheDir, localOnly: true });
  assert.deepEqual(local, { keys: [], sources: [] });
  const noRemote = await session(api).settingsVariables(folderWith({ '.gitlab-ci.yml': '' }), { cacheDir, gitlabUrl: api.url });
  assert.deepEqual(noRemote, { keys: [], sources: [] }, 'a folder without a git remote has no project');
  assert.equal(api.requests.length, 0);
});

test('a project whose variables cannot be parsed or answered (5xx) is not an error: cached keys or none', async () => {
  const cacheDir = tempDir();
  api.fail({ status: 500, match: /\/variables/ });
  const s = session(api);
  const r = await s.settingsVariables(folder, { cacheDir });
  assert.deepEqual(r.keys, []);
  assert.ok(r.sources.every((x) => x.from === 'none' && /500 Internal Server Error/.test(x.reason ?? '')));
  api.clearFailures();
  const later = await s.settingsVariables(folder, { cacheDir });
  assert.deepEqual(later.keys, ALL_KEYS, 'a failure is not kept (failure TTL 0 in tests)');
});

test('the stand-in speaks the documented contract: JSON errors 401/403/404, pagination headers, hidden values null', async () => {
  const get = async (path: string, token?: string) => {
    const r = await fetch(`${api.url}/api/v4/${path}`, { headers: token ? { 'private-token': token } : {} });
    return { status: r.status, headers: r.headers, body: (await r.json()) as any };
  };
  assert.deepEqual(await get('projects/acme%2Fplatform%2Forders-api/variables').then((r) => [r.status, r.body]), [404, { message: '404 Project Not Found' }]);
  assert.deepEqual(await get('groups/acme/variables', DEV_TOKEN).then((r) => [r.status, r.body]), [403, { message: '403 Forbidden' }]);
  assert.deepEqual(await get('groups/nobody/variables', TOKEN).then((r) => [r.status, r.body]), [404, { message: '404 Group Not Found' }]);
  const page = await get('groups/acme%2Fplatform/variables?per_page=100&page=2', TOKEN);
  assert.equal(page.status, 200);
  assert.equal(page.body.length, 100);
  assert.equal(page.headers.get('x-total-pages'), '3');
  assert.match(page.headers.get('link') ?? '', /rel="next"/);
  const project = await get('projects/acme%2Fplatform%2Forders-api/variables', TOKEN);
  const hidden = project.body.find((v: any) => v.key === 'DB_PASSWORD');
  assert.equal(hidden.value, null);
  assert.equal(hidden.hidden, true);
  assert.equal(project.body.find((v: any) => v.key === 'HELM_CHART').value, SECRETS[0], 'GitLab does send values: the client must drop them');
});

test('values are dropped while the answer is parsed: gitbeaker (and its page accumulator) only ever sees keys', async () => {
  const gl = new GitLabApi({ gitlabUrl: api.url, limiter: new RequestLimiter(), token: () => TOKEN });
  const resources = (gl as any).resources;
  const answer = await resources.projectVariables.requester.get(`${encodeURIComponent(PROJECT)}/variables`, { searchParams: {} });
  assert.deepEqual(answer.body, [{ key: 'HELM_CHART' }, { key: 'HELM_CHART' }, { key: 'DB_PASSWORD' }]);
  const group = await resources.groupVariables.requester.get('acme/variables', { searchParams: {} });
  assert.deepEqual(group.body, [{ key: 'REGISTRY_PASSWORD' }]);
  assert.deepEqual(await gl.projectVariableKeys(PROJECT), ['DB_PASSWORD', 'HELM_CHART']);
  // Other endpoints keep their whole answer.
  const p = await resources.projects.requester.get(`projects/${encodeURIComponent(PROJECT)}`, { searchParams: {} });
  assert.equal(p.body.default_branch, 'main');
});
