/**
 * Where the token goes (only to its own host's API, never to a `remote:` URL, another host, or
 * across a redirect), `remote:` over https with ETag/Last-Modified revalidation, and `template:`
 * from the instance — all asserted on what the stand-ins recorded.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { GitLabStandIn } from '../support/gitlab-stand-in.js';
import { ProjectCache } from '../../server/src/sources/project-cache.js';
import { RemoteFetcher } from '../../server/src/sources/remote-fetch.js';
import { RequestLimiter } from '../../server/src/sources/request-limits.js';
import { expand, folderWith, includeLibrary, LIBRARY, libraryStandIn, session, sourcesOf, tempDir, TOKEN } from './helpers.js';

let api: GitLabStandIn;
let other: GitLabStandIn;
const OTHER_TOKEN = 'glpat-OtherHostToken-9876543210';

before(async () => {
  api = await libraryStandIn();
  other = await GitLabStandIn.start({ tokens: [OTHER_TOKEN] });
});
after(async () => {
  await api.close();
  await other.close();
});
beforeEach(() => {
  for (const s of [api, other]) {
    s.clearRequests();
    s.clearFailures();
  }
});

const carriesCredentials = (h: Record<string, unknown>) => 'private-token' in h || 'authorization' in h || 'job-token' in h || 'cookie' in h;
const mentions = (h: Record<string, unknown>, secret: string) => Object.values(h).some((v) => String(v).includes(secret));

test('the token goes to its own host’s API only: not to remote: URLs (even on the same host), not to another host', async () => {
  api.setRemote('same-host.yml', 'same-host-job:\n  script: [echo same]\n');
  other.setRemote('shared.yml', 'other-host-job:\n  script: [echo other]\n');
  const root = folderWith({
    '.gitlab-ci.yml': includeLibrary('v1.2.0', ['ci/python.yml'], `  - remote: ${api.url}/remote/same-host.yml\n  - remote: ${other.url}/remote/shared.yml\n`),
  });
  const s = session(api);
  s.tokens.replace({ [api.host]: TOKEN, [other.url]: OTHER_TOKEN });
  const r = await expand(sourcesOf(s, root, { gitlabUrl: api.url, cacheDir: tempDir() }));
  assert.equal(r.pipeline.valid, true, JSON.stringify(r.pipeline.diagnostics));
  assert.ok(r.plain['same-host-job'] && r.plain['other-host-job'] && r.plain['.python-test-job']);

  const apiCalls = api.requestsTo(/^\/api\/v4\//);
  assert.ok(apiCalls.length > 3);
  assert.ok(apiCalls.every((q) => q.headers['private-token'] === TOKEN), 'every API request carries this host’s token');
  const remoteCalls = [...api.requestsTo(/^\/remote\//), ...other.requestsTo(/^\/remote\//)];
  assert.equal(remoteCalls.length, 2);
  for (const q of remoteCalls) assert.ok(!carriesCredentials(q.headers), `a remote: request carried credentials: ${q.url}`);
  for (const q of other.requests) assert.ok(!mentions(q.headers, TOKEN) && !mentions(q.headers, OTHER_TOKEN), 'nothing secret reached the other host');
  for (const q of api.requests) assert.ok(!mentions(q.headers, OTHER_TOKEN), 'the other host’s token never reached this one');
});

test('a redirect to another origin drops the token; the redirected file is still read', async () => {
  other.setRemote('docker.yml', 'redirected-job:\n  script: [echo redirected]\n');
  api.redirect(/repository\/files\/ci%2Fdocker\.yml\/raw/, `${other.url}/remote/docker.yml`);
  const sources = sourcesOf(session(api), folderWith({ '.gitlab-ci.yml': 'x:\n  script: [echo]\n' }), { gitlabUrl: api.url, cacheDir: tempDir() });
  const r = await sources.readProjectFile({ project: LIBRARY, ref: 'v1.2.0' }, 'ci/docker.yml');
  assert.ok(r.ok && r.text.includes('redirected-job'));
  assert.equal(api.requestsTo(/ci%2Fdocker\.yml\/raw/)[0].headers['private-token'], TOKEN, 'the request to the API itself had the token');
  const [followed] = other.requestsTo(/^\/remote\/docker\.yml/);
  assert.ok(followed && !carriesCredentials(followed.headers), 'the redirected request had none');
});

test('remote: is cached and revalidated with If-None-Match / If-Modified-Since; a 304 keeps the copy, a change replaces it', async () => {
  other.setRemote('conditional.yml', 'v1:\n  script: [echo 1]\n');
  const url = `${other.url}/remote/conditional.yml`;
  const cache = new ProjectCache(tempDir());
  const fetcher = () => new RemoteFetcher({ cache, limiter: new RequestLimiter(), maxAgeMs: 0 });
  const first = await fetcher().read(url);
  assert.ok(first.ok && first.text.includes('v1') && first.uri === url);
  assert.equal(other.requests[0].headers['if-none-match'], undefined);

  const second = await fetcher().read(url);
  assert.ok(second.ok && second.text.includes('v1') && !second.note);
  assert.ok(other.requests[1].headers['if-none-match'], 'revalidated with the ETag');
  assert.ok(other.requests[1].headers['if-modified-since'], 'and with Last-Modified');

  other.setRemote('conditional.yml', 'v2:\n  script: [echo 2]\n');
  const third = await fetcher().read(url);
  assert.ok(third.ok && third.text.includes('v2'));

  const fresh = new RemoteFetcher({ cache, limiter: new RequestLimiter() });
  other.clearRequests();
  const fromCache = await fresh.read(url);
  assert.ok(fromCache.ok && fromCache.text.includes('v2'));
  assert.equal(other.requests.length, 0, 'a copy younger than the maximum age is used as is');

  other.fail({ status: 503, match: /conditional/ });
  const stale = await fetcher().read(url);
  assert.ok(stale.ok && stale.text.includes('v2'));
  assert.match(stale.note ?? '', new RegExp(`^cached copy from \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC, URL unreachable: ${other.host.replace(/\./g, '\\.')} answered 503`));
});

test('remote: only over https (plain http only to loopback), never with credentials in the URL', async () => {
  const f = new RemoteFetcher({ cache: new ProjectCache(tempDir()), limiter: new RequestLimiter() });
  const http = await f.read('http://ci.example.com/presets.yml');
  assert.deepEqual(http, { ok: false, error: 'remote includes are fetched over https only (not http)' });
  const creds = await f.read('https://user:secret@ci.example.com/presets.yml');
  assert.deepEqual(creds, { ok: false, error: 'a remote include URL must not carry credentials' });
});

test('template: from the instance’s templates API, then from the cache', async () => {
  api.templates.set('Bash', 'bash-template-job:\n  script: [echo bash]\n');
  const cacheDir = tempDir();
  const root = folderWith({ '.gitlab-ci.yml': 'include:\n  - template: Bash.gitlab-ci.yml\n' });
  const r = await expand(sourcesOf(session(api), root, { gitlabUrl: api.url, cacheDir }));
  assert.deepEqual(r.plain['bash-template-job']?.script, ['echo bash']);
  assert.deepEqual(api.requests.map((q) => q.url), ['/api/v4/templates/gitlab_ci_ymls/Bash']);
  api.clearRequests();
  const again = await expand(sourcesOf(session(api), root, { gitlabUrl: api.url, cacheDir }));
  assert.deepEqual(again.plain['bash-template-job']?.script, ['echo bash']);
  assert.equal(api.requests.length, 0);
});
