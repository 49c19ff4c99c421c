/**
 * `check` and CI/CD variables set in GitLab's settings, as a process against the GitLab REST
 * stand-in: the example consumer (acme/orders-api, its git remote on the stand-in) does not set
 * HELM_CHART, which its presets require; the stand-in sets it as a project CI/CD variable. With
 * GITLAB_TOKEN of a Maintainer it is not reported missing; without a token, with a Developer's
 * token (403) or without any online option it is. The planted value and the token appear in no
 * output and no cache file.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GitLabStandIn } from '../support/gitlab-stand-in.js';
import { allFiles, repo, tempDir, TOKEN } from '../sources/helpers.js';

const SERVICE = 'acme/orders-api';
const MAP_LIBRARY = ['--project', 'acme/ci-library@v1.2.0=ci-library'];
const DEV_TOKEN = 'glpat-DeveloperOnly-5555555555';
const SECRET = 's3cr3t-helm-chart-value-in-settings-41d7';
let api: GitLabStandIn;
let dir: string;

function cli(args: string[], env: Record<string, string | undefined>, cache: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repo, 'dist', 'cli.js'), ...args], { cwd: dir, env: { ...process.env, GITLAB_TOKEN: undefined, XDG_CACHE_HOME: cache, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const helmMissing = (stdout: string) => stdout.split('\n').filter((l) => l.includes('[variable-missing]') && l.includes('HELM_CHART'));

before(async () => {
  api = await GitLabStandIn.start({ tokens: [TOKEN, DEV_TOKEN], variableReaders: [TOKEN] });
  api.addProject({ path: SERVICE, dir: join(repo, 'examples', 'service-repo'), variables: [{ key: 'HELM_CHART', value: SECRET, masked: true }] });
  api.addGroup({ path: 'acme', variables: { ACME_ONLY: 'group-value' } });
  dir = tempDir('gcp-check-vars-');
  cpSync(join(repo, 'examples'), dir, { recursive: true });
  mkdirSync(join(dir, 'service-repo', '.git'));
  writeFileSync(join(dir, 'service-repo', '.git', 'config'), `[remote "origin"]\n\turl = http://127.0.0.1:${api.port}/${SERVICE}.git\n`);
});
after(async () => api.close());
beforeEach(() => api.clearRequests());

test('a variable set only as a project CI/CD variable in GitLab is not reported missing when the token may list them', async () => {
  const cache = tempDir('gcp-check-vars-cache-');
  const r = await cli(['check', 'service-repo', ...MAP_LIBRARY, '--gitlab-url', api.url], { GITLAB_TOKEN: TOKEN }, cache);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.deepEqual(helmMissing(r.stdout), [], r.stdout);
  assert.match(r.stdout, /^0 error\(s\), 0 warning\(s\)/m);
  const calls = api.requestsTo(/\/variables/).map((q) => q.url.split('?')[0]);
  assert.deepEqual(calls.sort(), ['/api/v4/groups/acme/variables', '/api/v4/projects/acme%2Forders-api/variables']);

  const json = await cli(['check', 'service-repo', ...MAP_LIBRARY, '--gitlab-url', api.url, '--format', 'json'], { GITLAB_TOKEN: TOKEN }, cache);
  assert.deepEqual(JSON.parse(json.stdout).filter((f: { code: string }) => f.code === 'variable-missing'), []);

  for (const out of [r, json]) assert.ok(![out.stdout, out.stderr].some((t) => t.includes(SECRET) || t.includes(TOKEN)), 'neither the value nor the token is printed');
  const files = allFiles(cache);
  assert.ok(files.some((f) => /variable-keys\.json$/.test(f.path)), 'the keys are cached');
  assert.deepEqual(files.filter((f) => f.text.includes(SECRET) || f.text.includes(TOKEN)).map((f) => f.path), [], 'no value and no token in the cache');
});

test('offline, the cached keys still count; without a token or with a Developer’s (403) nothing is known and HELM_CHART is reported', async () => {
  const cache = tempDir('gcp-check-vars-cache-');
  await cli(['check', 'service-repo', ...MAP_LIBRARY, '--gitlab-url', api.url], { GITLAB_TOKEN: TOKEN }, cache);
  api.clearRequests();
  const offline = await cli(['check', 'service-repo', ...MAP_LIBRARY, '--gitlab-url', api.url, '--offline'], {}, cache);
  assert.deepEqual(helmMissing(offline.stdout), [], offline.stdout);
  assert.equal(api.requests.length, 0, 'offline: no request');

  const local = await cli(['check', 'service-repo', ...MAP_LIBRARY], {}, cache);
  assert.equal(helmMissing(local.stdout).length, 1, `no online option: settings variables are not read, not even from the cache\n${local.stdout}`);

  const fresh = tempDir('gcp-check-vars-cache-');
  const noToken = await cli(['check', 'service-repo', ...MAP_LIBRARY, '--gitlab-url', api.url], {}, fresh);
  assert.equal(helmMissing(noToken.stdout).length, 1, noToken.stdout);
  assert.equal(api.requestsTo(/\/variables/).length, 0, 'no token: variables are not asked for');

  const dev = await cli(['check', 'service-repo', ...MAP_LIBRARY, '--gitlab-url', api.url], { GITLAB_TOKEN: DEV_TOKEN }, fresh);
  assert.equal(dev.status, 0, 'a token that may not list variables is not an error');
  assert.equal(helmMissing(dev.stdout).length, 1, dev.stdout);
  assert.ok(api.requestsTo(/\/variables/).length >= 1);
  assert.ok(![dev.stdout, dev.stderr].some((t) => t.includes(DEV_TOKEN) || t.includes(SECRET)));
  assert.doesNotMatch(dev.stdout + dev.stderr, /403/, 'no error finding, nothing on stderr');

  const known = await cli(['check', 'service-repo', ...MAP_LIBRARY, '--known-var', 'HELM_CHART'], {}, fresh);
  assert.deepEqual(helmMissing(known.stdout), [], '--known-var still works on its own');
});
