/**
 * When the API cannot be asked: the cached copy with a note (which copy, from when, why), or a
 * clear error naming host, project, file and ref; Retry-After, time-outs, de-duplication and the
 * concurrency limit of the requests.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import type { GitLabStandIn } from '../support/gitlab-stand-in.js';
import { expand, folderWith, includeLibrary, LIBRARY, libraryStandIn, messages, session, sourcesOf, tempDir, warmAgedCache } from './helpers.js';

let api: GitLabStandIn;
/** A cache filled once from the API, aged past the maximum age (so every use asks the API again). */
let warmCache: string;
const root = folderWith({ '.gitlab-ci.yml': includeLibrary('v1.2.0', ['ci/python.yml']) });

before(async () => {
  api = await libraryStandIn();
  warmCache = await warmAgedCache(api, root);
});
after(async () => api.close());
beforeEach(() => {
  api.clearFailures();
  api.clearRequests();
  api.delayMs = 0;
});

/** Each way the API can fail, how to provoke it, and what the message must say. */
const FAILURES: Array<{ name: string; provoke: () => void; token?: string; limits?: { timeoutMs: number }; says: RegExp }> = [
  { name: '401', provoke: () => {}, token: 'glpat-wrong', says: /answered 401 Unauthorized \(the token was rejected\)/ },
  { name: '403', provoke: () => api.fail({ status: 403 }), says: /answered 403 Forbidden \(the token lacks access/ },
  { name: '404', provoke: () => api.fail({ status: 404 }), says: /answered 404 Not Found \(no such project, ref or file\)/ },
  { name: '429', provoke: () => api.fail({ status: 429, retryAfter: 3600 }), says: /answered 429 Too Many Requests \(rate limited; retry after 3600 s\)/ },
  { name: '500', provoke: () => api.fail({ status: 500 }), says: /answered 500 Internal Server Error/ },
  { name: '502', provoke: () => api.fail({ status: 502 }), says: /answered 502 Bad Gateway/ },
  { name: 'timeout', provoke: () => (api.delayMs = 1500), limits: { timeoutMs: 200 }, says: /did not answer within 0\.2 s/ },
];

for (const f of FAILURES) {
  test(`API ${f.name}: with a cached copy, a warning on the include line says which copy, from when and why`, async () => {
    f.provoke();
    const r = await expand(sourcesOf(session(api, { token: f.token, limits: f.limits }), root, { gitlabUrl: api.url, cacheDir: warmCache }));
    assert.equal(r.pipeline.valid, true, JSON.stringify(r.pipeline.diagnostics));
    assert.ok(r.plain['.python-test-job'], 'the cached library is used');
    const notes = r.pipeline.diagnostics.filter((d) => d.code === 'include-source');
    assert.equal(notes.length, 1, 'one warning: the nested files of the same copy are not flagged again');
    assert.equal(notes[0].severity, 'warning');
    assert.equal(notes[0].span.start, 'include:\n  - '.length, 'on the include entry');
    assert.match(notes[0].message, new RegExp(`^ci/python\\.yml: cached copy \\(commit ${api.shaOf(LIBRARY, 'v1.2.0')!.slice(0, 8)}\\) from \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC, API unreachable: `));
    assert.match(notes[0].message, f.says);
    assert.match(notes[0].message, new RegExp(api.host.replace(/\./g, '\\.')));
  });

  test(`API ${f.name}: without a cached copy, an error naming host, project, file and ref`, async () => {
    f.provoke();
    const r = await expand(sourcesOf(session(api, { token: f.token, limits: f.limits }), root, { gitlabUrl: api.url, cacheDir: tempDir() }));
    assert.equal(r.pipeline.valid, false);
    const [msg] = messages(r.pipeline, 'include-missing');
    assert.ok(msg, JSON.stringify(r.pipeline.diagnostics));
    assert.ok(msg.startsWith('Project `acme/ci-library` file `ci/python.yml` at ref v1.2.0 could not be read: '), msg);
    assert.ok(msg.includes(api.host), msg);
    assert.match(msg, f.says);
    assert.match(msg, /no cached copy/);
  });
}

test('Retry-After on a 429 is waited for, then the request is repeated', async () => {
  api.fail({ status: 429, retryAfter: 1, times: 1, match: /repository\/files\/ci%2Fpython\.yml\/raw/ });
  const r = await expand(sourcesOf(session(api), root, { gitlabUrl: api.url, cacheDir: tempDir() }));
  assert.equal(r.pipeline.valid, true, JSON.stringify(r.pipeline.diagnostics));
  const tries = api.requestsTo(/repository\/files\/ci%2Fpython\.yml\/raw/);
  assert.equal(tries.length, 2);
  assert.ok(tries[1].at - tries[0].at >= 950, `waited ${tries[1].at - tries[0].at} ms for Retry-After: 1`);
});

test('N concurrent reads of one file make one request (and one ref resolution)', async () => {
  api.delayMs = 50;
  const sources = sourcesOf(session(api), root, { gitlabUrl: api.url, cacheDir: tempDir() });
  const reads = await Promise.all(Array.from({ length: 12 }, () => sources.readProjectFile({ project: LIBRARY, ref: 'v1.2.0' }, 'ci/docker.yml')));
  assert.ok(reads.every((r) => r.ok && r.text === (reads[0] as { text: string }).text));
  assert.equal(api.requestsTo(/repository\/files\/ci%2Fdocker\.yml\/raw/).length, 1);
  assert.equal(api.requestsTo(/repository\/commits\/v1\.2\.0/).length, 1);
});

test('no more requests on the wire than the concurrency limit', async () => {
  api.delayMs = 100;
  const sources = sourcesOf(session(api, { limits: { timeoutMs: 10_000, concurrency: 2 } }), root, { gitlabUrl: api.url, cacheDir: tempDir() });
  await sources.readProjectFile({ project: LIBRARY, ref: 'v1.2.0' }, 'ci/docker.yml');
  api.maxConcurrent = 0;
  const files = ['ci/python.yml', 'cd/helm.yml', 'common/jobs.yml', 'common/stages.yml', 'group-vars.yml', 'README.md'];
  const reads = await Promise.all(files.map((f) => sources.readProjectFile({ project: LIBRARY, ref: 'v1.2.0' }, f)));
  assert.ok(reads.every((r) => r.ok));
  assert.equal(api.maxConcurrent, 2);
});

test('a failed resolution is remembered for a while: a dead host does not cost a time-out per expansion', async () => {
  api.delayMs = 1500;
  const s = session(api, { limits: { timeoutMs: 200 }, failureTtlMs: 60_000 });
  const settings = { gitlabUrl: api.url, cacheDir: warmCache };
  await expand(sourcesOf(s, root, settings));
  const asked = api.requests.length;
  const again = await expand(sourcesOf(s, root, settings));
  assert.equal(api.requests.length, asked, 'the second expansion did not ask again');
  assert.equal(messages(again.pipeline, 'include-source').length, 1, 'and still says the copy is stale');
});
