/**
 * What the network does besides answering an error status (those are in test/sources/
 * failures.test.ts): connection resets, hosts that never answer, bodies that trickle past the
 * time-out, truncated bodies, malformed JSON, a captive portal's HTML page — each gives a
 * diagnostic naming the host and the reason and falls back to the cache, and none leaves a
 * half-written or wrong cache entry. Then the cache shared by two processes writing the same
 * entries at once, and the language server over the protocol while the stand-in fails.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FaultRule, GitLabStandIn } from '../support/gitlab-stand-in.js';
import { LspClient, repoRoot } from '../support/lsp-client.js';
import { allFiles, expand, folderWith, includeLibrary, LIBRARY, LIBRARY_DIR, libraryStandIn, messages, SERVICE_DIR, session, sourcesOf, tempDir, TOKEN, warmAgedCache } from '../sources/helpers.js';

let api: GitLabStandIn;
/** Filled once from the API, then aged past the maximum age: every use asks the API again. */
let warmCache: string;
const root = folderWith({ '.gitlab-ci.yml': includeLibrary('v1.2.0', ['ci/python.yml']) });
const library = (path: string) => readFileSync(join(LIBRARY_DIR, path), 'utf8');

before(async () => {
  api = await libraryStandIn();
  warmCache = await warmAgedCache(api, root);
});
after(async () => api.close());
beforeEach(() => {
  api.clearFaults();
  api.clearFailures();
  api.clearRequests();
});

/** The cache's files (path → text), for "nothing was written" and "nothing half-written". */
const contents = (dir: string) => new Map(allFiles(dir).map((f) => [f.path, f.text]));

/** `json`: the fault only spoils JSON answers (a raw file passes). */
const FAULTS: Array<{ name: string; fault: FaultRule; timeoutMs?: number; says: RegExp; json?: boolean }> = [
  { name: 'a connection reset', fault: { kind: 'reset' }, says: /cannot connect to 127\.0\.0\.1:\d+ \(/ },
  { name: 'a host that never answers', fault: { kind: 'hang' }, timeoutMs: 300, says: /127\.0\.0\.1:\d+ did not answer within 0\.3 s/ },
  { name: 'a body that trickles past the time-out', fault: { kind: 'slow-body', delayMs: 150 }, timeoutMs: 300, says: /127\.0\.0\.1:\d+ did not answer within 0\.3 s/ },
  { name: 'a truncated body', fault: { kind: 'truncate' }, says: /the connection to 127\.0\.0\.1:\d+ broke off mid-answer \(/ },
  { name: 'malformed JSON', fault: { kind: 'malformed-json' }, says: /127\.0\.0\.1:\d+ sent malformed JSON/, json: true },
  { name: "a captive portal's HTML page", fault: { kind: 'html' }, says: /127\.0\.0\.1:\d+ answered with a web page instead of the API/ },
];

for (const f of FAULTS) {
  test(`${f.name}: the cached copy with a warning saying why, and the cache untouched`, async () => {
    const before = contents(warmCache);
    api.fault(f.fault);
    const r = await expand(sourcesOf(session(api, { limits: { timeoutMs: f.timeoutMs ?? 10_000 } }), root, { gitlabUrl: api.url, cacheDir: warmCache }));
    assert.equal(r.pipeline.valid, true, JSON.stringify(r.pipeline.diagnostics));
    assert.ok(r.plain['.python-test-job'], 'the cached library is used');
    const [note, ...more] = messages(r.pipeline, 'include-source');
    assert.deepEqual(more, []);
    assert.match(note, /^ci\/python\.yml: cached copy \(commit [0-9a-f]{8}\) from .* UTC, API unreachable: /);
    assert.match(note, f.says);
    assert.deepEqual(contents(warmCache), before, 'a failed answer changes nothing in the cache');
  });

  if (!f.json) test(`${f.name} on a file: an error naming host, file and reason; no file entry until a complete answer`, async () => {
    const cacheDir = tempDir();
    const s = session(api, { limits: { timeoutMs: f.timeoutMs ?? 10_000 } });
    api.fault({ ...f.fault, match: /\/repository\/files\/.*\/raw/ });
    const r = await expand(sourcesOf(s, root, { gitlabUrl: api.url, cacheDir }));
    assert.equal(r.pipeline.valid, false);
    const [msg] = messages(r.pipeline, 'include-missing');
    assert.ok(msg?.includes('ci/python.yml') && msg.includes(api.host), msg ?? JSON.stringify(r.pipeline.diagnostics));
    assert.match(msg, f.says);
    const written = allFiles(cacheDir).map((x) => x.path);
    assert.deepEqual(written.filter((p) => /[/\\]files[/\\]|\.tmp$/.test(p)), [], 'no file entry, no temporary file');

    api.clearFaults();
    const again = await expand(sourcesOf(s, root, { gitlabUrl: api.url, cacheDir }));
    assert.equal(again.pipeline.valid, true, JSON.stringify(again.pipeline.diagnostics));
    const cached = allFiles(cacheDir).filter((x) => /[/\\]files[/\\]ci[/\\]python\.yml$/.test(x.path));
    assert.equal(cached.length, 1);
    assert.equal(cached[0].text, library('ci/python.yml'), 'the complete file, once it came whole');
  });
}

/** Runs `code` (TypeScript, with ProjectCache in scope) in a child process. */
function child(code: string): ReturnType<typeof spawn> {
  const prelude = `const { ProjectCache } = require(${JSON.stringify(join(repoRoot, 'server', 'src', 'sources', 'project-cache.ts'))});`;
  return spawn(process.execPath, ['--import', 'tsx', '-e', `${prelude}\n${code}`], { stdio: ['ignore', 'pipe', 'pipe'] });
}

test('two processes writing the same cache entries at once: a reader only ever sees a whole entry, and no temporary file is left', async () => {
  const dir = tempDir('gcp-shared-');
  const sha = 'a'.repeat(40);
  const paths = ['ci/a.yml', 'ci/b.yml', 'common/jobs.yml'];
  // Every version is 256 KiB and says who wrote it: a torn read is shorter or mixes two writers.
  const writer = (id: number) => `
    const cache = new ProjectCache(${JSON.stringify(dir)});
    const body = (n) => ('# writer ${id} version ' + n + '\\n').padEnd(262144 - 4, '${'xy'[id]}') + 'END\\n';
    for (let n = 0; n < 150; n++) for (const p of ${JSON.stringify(paths)}) cache.writeFile('gitlab.example.com', 'acme/lib', '${sha}', p, body(n));
  `;
  const writers = [child(writer(0)), child(writer(1))];
  const done = writers.map((w) => new Promise<number | null>((res) => w.on('exit', res)));
  let running = 2;
  void Promise.all(done).then(() => (running = 0));
  const { ProjectCache } = await import('../../server/src/sources/project-cache.js');
  const cache = new ProjectCache(dir);
  let reads = 0;
  const torn: string[] = [];
  while (running) {
    for (const p of paths) {
      const hit = cache.readFile('gitlab.example.com', 'acme/lib', sha, p);
      if (!hit) continue;
      reads++;
      const t = hit.text;
      const m = /^# writer (\d) version \d+\n/.exec(t);
      if (t.length !== 262144 || !t.endsWith('END\n') || !m || t.slice(m[0].length, -4).replace(new RegExp('xy'[Number(m[1])], 'g'), '') !== '') torn.push(`${p}: ${t.length} chars`);
    }
    await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual(await Promise.all(done), [0, 0], 'both writers finished');
  assert.ok(reads > 10, `the reader overlapped the writers (${reads} reads)`);
  assert.deepEqual(torn.slice(0, 5), [], `${torn.length} torn reads of ${reads}`);
  assert.deepEqual(allFiles(dir).filter((f) => f.path.endsWith('.tmp')).map((f) => f.path), []);
});

/** The CLI as a process, asynchronous (the stand-in in this process keeps answering). */
function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], { cwd: repoRoot, env: { ...process.env, GITLAB_TOKEN: undefined, ...env } });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('two CLI processes expanding at once into one empty cache: the same pipeline from both, every cached file whole', async () => {
  const local = spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'expand', SERVICE_DIR, '--project', `${LIBRARY}@v1.2.0=${LIBRARY_DIR}`], { encoding: 'utf8' });
  assert.equal(local.status, 0, local.stderr);
  for (let round = 0; round < 3; round++) {
    const cacheDir = tempDir('gcp-two-');
    api.delayMs = 15; // the two runs' requests interleave
    const runs = await Promise.all([0, 1].map(() => cli(['expand', SERVICE_DIR, '--gitlab-url', api.url, '--cache-dir', cacheDir], { GITLAB_TOKEN: TOKEN })));
    api.delayMs = 0;
    for (const r of runs) {
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, local.stdout);
    }
    const files = allFiles(cacheDir);
    assert.deepEqual(files.filter((f) => f.path.endsWith('.tmp')).map((f) => f.path), []);
    const cached = files.filter((f) => /[/\\]files[/\\]/.test(f.path));
    assert.ok(cached.length >= 5, `${cached.length} files cached`);
    for (const f of cached) assert.equal(f.text, library(f.path.split(/[/\\]files[/\\]/)[1]), f.path);
    for (const f of files.filter((x) => x.path.endsWith('.json'))) assert.doesNotThrow(() => JSON.parse(f.text), f.path);
  }
});

test('over the protocol: the server keeps answering while the API resets, truncates, sends junk, 5xx and 429 — a warning each time, then clean', async () => {
  const dir = tempDir('gcp-lsp-faults-');
  cpSync(SERVICE_DIR, join(dir, 'service-repo'), { recursive: true });
  const uri = pathToFileURL(join(dir, 'service-repo', '.gitlab-ci.yml')).href;
  const client = new LspClient();
  const logged: string[] = [];
  client.connection.onNotification('window/logMessage', (p: { type: number; message: string }) => void (p.type <= 2 && logged.push(p.message)));
  try {
    await client.initialize(join(dir, 'service-repo'), { gitlabUrl: api.url, cacheDir: tempDir('gcp-lsp-cache-') });
    await client.connection.sendNotification('gitlabCiPresets/setTokens', { tokens: { [api.host]: TOKEN } });
    client.open(uri, readFileSync(join(SERVICE_DIR, '.gitlab-ci.yml'), 'utf8'));
    await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'include-newer-tag') && !d.some((x) => x.severity === 1), 20_000);
    const steps: Array<{ name: string; apply: () => void; says: RegExp }> = [
      { name: 'reset', apply: () => api.fault({ kind: 'reset' }), says: /cannot connect to/ },
      { name: 'truncate', apply: () => api.fault({ kind: 'truncate' }), says: /broke off mid-answer/ },
      { name: 'malformed JSON', apply: () => api.fault({ kind: 'malformed-json' }), says: /sent malformed JSON/ },
      { name: 'HTML page', apply: () => api.fault({ kind: 'html' }), says: /web page instead of the API/ },
      { name: '502', apply: () => api.fail({ status: 502 }), says: /answered 502 Bad Gateway/ },
      { name: '429', apply: () => api.fail({ status: 429, retryAfter: 3600 }), says: /answered 429 Too Many Requests \(rate limited; retry after 3600 s\)/ },
    ];
    for (const step of steps) {
      step.apply();
      await client.connection.sendRequest('gitlabCiPresets/refresh');
      const d = await client.waitForDiagnostics(uri, (ds) => ds.some((x) => x.code === 'include-source' && step.says.test(String(x.message))), 20_000);
      assert.deepEqual(d.filter((x) => x.severity === 1), [], `${step.name}: the cached copy serves, no error`);
      assert.ok((await client.documentSymbols(uri))?.length, `${step.name}: the server answers`);
      api.clearFaults();
      api.clearFailures();
      await client.connection.sendRequest('gitlabCiPresets/refresh');
      await client.waitForDiagnostics(uri, (ds) => !ds.some((x) => x.code === 'include-source'), 20_000);
    }
    assert.ok(client.alive());
    assert.deepEqual(logged, [], 'nothing logged as an error or a warning');
    assert.equal(client.stderr, '');
  } finally {
    await client.close();
  }
});
