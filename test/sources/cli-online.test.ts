/**
 * The done-when check through the real CLI process: `expand examples/service-repo` gives
 * the same pipeline with acme/ci-library taken (a) from a local checkout, (b) from the GitLab API
 * (the stand-in), (c) from the cache with the API stopped — plus the stale warning on stderr.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cliAsync } from '../support/cli.js';
import type { GitLabStandIn } from '../support/gitlab-stand-in.js';
import { ageCache, allFiles, LIBRARY, LIBRARY_DIR, libraryStandIn, repo, SERVICE_DIR, tempDir, TOKEN } from './helpers.js';

/** The CLI as a process (async, so the stand-in in this process keeps answering). */
function cli(args: string[], env: Record<string, string | undefined> = {}) {
  return cliAsync(repo, args, { ...process.env, GITLAB_TOKEN: undefined, ...env });
}

let api: GitLabStandIn;
let cacheDir: string;

before(async () => {
  api = await libraryStandIn();
  cacheDir = tempDir('gcp-cli-cache-');
});
after(async () => api.close());

test('expand examples/service-repo: local checkout, stand-in API and cache with the API stopped give the same pipeline', async () => {
  const local = await cli(['expand', SERVICE_DIR, '--project', `${LIBRARY}@v1.2.0=${LIBRARY_DIR}`]);
  assert.equal(local.status, 0, local.stderr);
  assert.match(local.stdout, /contract-tests:/);

  const online = ['expand', SERVICE_DIR, '--gitlab-url', api.url, '--cache-dir', cacheDir];
  const fromApi = await cli(online, { GITLAB_TOKEN: TOKEN });
  assert.equal(fromApi.status, 0, fromApi.stderr);
  assert.equal(fromApi.stdout, local.stdout, 'the API gives the same pipeline as the local checkout');
  const raw = api.requestsTo(/\/repository\/files\/.*\/raw/);
  assert.ok(raw.length >= 5, `files came from the API (${raw.length} raw requests)`);
  assert.ok(raw.every((r) => r.headers['private-token'] === TOKEN), 'the API requests carry the token');
  assert.match(fromApi.stderr, /info: acme\/ci-library: a newer tag v1\.3\.0 exists \(this include pins v1\.2\.0\) \[include-newer-tag\]/);
  assert.doesNotMatch(fromApi.stderr, /include-source/, 'a fresh answer has no staleness warning');

  await api.stop();
  const stale = await cli([...online, '--refresh'], { GITLAB_TOKEN: TOKEN });
  ageCache(cacheDir, 3_600_000);
  const staleCheck = await cli(['check', SERVICE_DIR, '--gitlab-url', api.url, '--cache-dir', cacheDir], { GITLAB_TOKEN: TOKEN });
  await api.restart();
  // One plain line per project read from the cache because GitLab could not be reached (a CI job sees it checked a stale copy).
  const usingCache = new RegExp(`^gitlab-ci-presets: using the cached copy of ${LIBRARY.replace('/', '\\/')}@v1\\.2\\.0 \\(commit [0-9a-f]{8}\\) from \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC, API unreachable: cannot connect to 127\\.0\\.0\\.1:\\d+`);
  for (const run of [stale, staleCheck]) assert.equal(run.stderr.split('\n').filter((l) => usingCache.test(l)).length, 1, run.stderr);
  assert.equal(stale.status, 0, stale.stderr);
  assert.equal(stale.stdout, local.stdout, 'the cache gives the same pipeline');
  const warnings = stale.stderr.split('\n').filter((l) => l.includes('[include-source]'));
  assert.equal(warnings.length, 3, `one warning per file of the include lines:\n${stale.stderr}`);
  for (const w of warnings) {
    assert.match(w, /^examples\/service-repo\/\.gitlab-ci\.yml:\d+:\d+: warning: /);
    assert.match(w, /cached copy \(commit [0-9a-f]{8}\) from \d{4}-\d\d-\d\d \d\d:\d\d UTC, API unreachable: cannot connect to 127\.0\.0\.1:\d+/);
  }

  for (const out of [local, fromApi, stale]) assert.ok(!out.stdout.includes(TOKEN) && !out.stderr.includes(TOKEN), 'the token is never printed');
  assert.deepEqual(allFiles(cacheDir).filter((f) => f.text.includes(TOKEN)).map((f) => f.path), [], 'the token is not in the cache');
});

test('--offline reads only the cache and says so; without a cached copy the error names host, project, file and ref', async () => {
  const dir = tempDir('gcp-cli-cache-');
  await cli(['expand', SERVICE_DIR, '--gitlab-url', api.url, '--cache-dir', dir], { GITLAB_TOKEN: TOKEN });
  api.clearRequests();
  const fresh = await cli(['expand', SERVICE_DIR, '--gitlab-url', api.url, '--cache-dir', dir, '--offline']);
  assert.equal(fresh.status, 0, fresh.stderr);
  assert.doesNotMatch(fresh.stderr, /include-source/, 'a cached answer younger than the maximum age is as good as a fresh one');
  ageCache(dir, 3_600_000);
  const offline = await cli(['expand', SERVICE_DIR, '--gitlab-url', api.url, '--cache-dir', dir, '--offline']);
  assert.equal(offline.status, 0, offline.stderr);
  assert.equal(api.requests.length, 0, 'offline: no request at all');
  assert.match(offline.stderr, /warning: .*cached copy \(commit [0-9a-f]{8}\) from .* UTC, API unreachable: offline mode \[include-source\]/);

  const empty = tempDir('gcp-cli-cache-');
  const none = await cli(['expand', SERVICE_DIR, '--gitlab-url', api.url, '--cache-dir', empty, '--offline']);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /error: Project `acme\/ci-library` file `ci\/python-postgres\.yml` at ref v1\.2\.0 could not be read: offline mode; no cached copy of acme\/ci-library@v1\.2\.0 \(127\.0\.0\.1:\d+\) \[include-missing\]/);
});

test('without a token the private project is not found, and the message says no token is set for the host', async () => {
  const r = await cli(['expand', SERVICE_DIR, '--gitlab-url', api.url, '--cache-dir', tempDir('gcp-cli-cache-')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, new RegExp(`Project \`acme/ci-library\` file \`ci/python-postgres.yml\` at ref v1.2.0 could not be read: 127.0.0.1:${api.port} answered 404 Not Found \\(404 Project Not Found; .*no token is set for 127.0.0.1:${api.port}\\)`));
});

test('without --gitlab-url, GITLAB_TOKEN or a cache option the CLI stays local: no request leaves it', async () => {
  api.clearRequests();
  const r = await cli(['expand', SERVICE_DIR]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /project acme\/ci-library@v1\.2\.0 is not available/);
  assert.equal(api.requests.length, 0);
});

test('a token is not sent over plain http to a host that is not loopback (and the CLI says so)', async () => {
  const r = await cli(['expand', SERVICE_DIR, '--gitlab-url', 'http://gitlab.invalid', '--cache-dir', tempDir('gcp-cli-cache-'), '--offline'], { GITLAB_TOKEN: TOKEN });
  assert.match(r.stderr, /GITLAB_TOKEN is not sent to http:\/\/gitlab\.invalid \(a token only goes over https/);
  assert.ok(!r.stderr.includes(TOKEN));
});
