/**
 * The language server reading the preset library from GitLab (the stand-in): settings
 * `gitlabUrl` + `cacheDir`, tokens per host through `gitlabCiPresets/setTokens`, and
 * `gitlabCiPresets/refresh` picking up a moved tag — over the LSP protocol against dist/server.js.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient, repoRoot } from '../support/lsp-client.js';
import type { GitLabStandIn } from '../support/gitlab-stand-in.js';
import { allFiles, LIBRARY, LIBRARY_DIR, libraryStandIn, tempDir, TOKEN } from './helpers.js';

/** A diagnostic's message as text (LSP 3.18 also allows markup). */
const text = (m: string | { value: string }) => (typeof m === 'string' ? m : m.value);

let api: GitLabStandIn;
let client: LspClient;
let cacheDir: string;
let serviceDir: string;

before(async () => {
  api = await libraryStandIn();
  cacheDir = tempDir('gcp-lsp-cache-');
  serviceDir = join(tempDir('gcp-lsp-'), 'service-repo');
  cpSync(join(repoRoot, 'examples', 'service-repo'), serviceDir, { recursive: true });
  client = new LspClient();
  await client.initialize(serviceDir, { gitlabUrl: api.url, cacheDir });
});
after(async () => {
  await client.close();
  await api.close();
});

test('tokens per host from the client, then a refresh that picks up a moved tag', async () => {
  const uri = pathToFileURL(join(serviceDir, '.gitlab-ci.yml')).href;
  client.open(uri, readFileSync(join(serviceDir, '.gitlab-ci.yml'), 'utf8'));

  const noToken = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'include-missing'));
  const missing = noToken.find((x) => x.code === 'include-missing')!;
  assert.match(text(missing.message), new RegExp(`Project \`acme/ci-library\` file \`ci/python-postgres.yml\` at ref v1.2.0 could not be read: ${api.host.replace(/\./g, '\\.')} answered 404 Not Found .*no token is set for ${api.host.replace(/\./g, '\\.')}`));
  assert.ok(api.requests.length > 0 && api.requests.every((q) => !('private-token' in q.headers)), 'no token was sent before the client gave one');

  api.clearRequests();
  await client.connection.sendNotification('gitlabCiPresets/setTokens', { tokens: { [api.host]: TOKEN, 'gitlab.com': 'glpat-NotForThisHost' } });
  const withToken = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'include-newer-tag'));
  assert.deepEqual(withToken.filter((x) => x.severity === 1), [], JSON.stringify(withToken));
  const newer = withToken.find((x) => x.code === 'include-newer-tag')!;
  assert.equal(newer.severity, 3);
  assert.equal(text(newer.message), 'acme/ci-library: a newer tag v1.3.0 exists (this include pins v1.2.0)');
  assert.ok(api.requests.length > 0 && api.requests.every((q) => q.headers['private-token'] === TOKEN), 'every request now carries this host’s token');

  // Move v1.2.0 to a commit whose .python-test-job is gone: contract-tests extends it.
  const oldSha = api.shaOf(LIBRARY, 'v1.2.0')!;
  const jobs = readFileSync(join(LIBRARY_DIR, 'common', 'jobs.yml'), 'utf8').replace(/^\.python-test-job:/m, '.python-test-job-renamed:');
  const newSha = api.commit(LIBRARY, { 'common/jobs.yml': jobs }, { branch: 'hotfix' });
  api.tag(LIBRARY, 'v1.2.0', newSha);
  const summary = (await client.connection.sendRequest('gitlabCiPresets/refresh')) as { hosts: string[]; checked: number; moved: string[]; failed: string[] };
  assert.deepEqual(summary.hosts, [api.host]);
  assert.deepEqual(summary.moved, [`acme/ci-library@v1.2.0: ${oldSha.slice(0, 8)} → ${newSha.slice(0, 8)}`]);
  assert.deepEqual(summary.failed, []);
  await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'extends-unknown' && text(x.message).includes('.python-test-job')));

  assert.ok(!client.stderr.includes(TOKEN), 'the token is not logged');
  assert.deepEqual(allFiles(cacheDir).filter((f) => f.text.includes(TOKEN)).map((f) => f.path), [], 'nor cached');
});
