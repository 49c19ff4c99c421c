/**
 * Where the token may go and where it must never appear, proven on everything captured: every
 * request two loopback hosts received (the GitLab stand-in, and a second one acting as another
 * host and as the target of `remote:` includes and redirects), every log line (server stderr,
 * `window/logMessage`, CLI stdout/stderr), every published diagnostic, the answers to the preview,
 * sources, hover, completion and validate requests, and every cache file. Then: an untrusted
 * workspace makes no request at all; cache paths stay inside the cache folder whatever a project,
 * ref, file or template name holds; and no script or markup from YAML reaches the webview.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseFragment } from 'parse5';
import type { DefaultTreeAdapterMap } from 'parse5';
import type { PreviewModel } from '../../server/src/features/preview.js';
import { ProjectCache } from '../../server/src/sources/project-cache.js';
import { renderJobsYaml, renderPreview } from '../../client/src/webview/render.js';
import { GitLabStandIn } from '../support/gitlab-stand-in.js';
import type { RecordedRequest } from '../support/gitlab-stand-in.js';
import { LspClient, repoRoot } from '../support/lsp-client.js';
import { allFiles, LIBRARY, libraryStandIn, tempDir, TOKEN } from '../sources/helpers.js';

let api: GitLabStandIn;
/** Another host: `remote:` targets and redirects land here. It must never see a credential. */
let other: GitLabStandIn;

before(async () => {
  api = await libraryStandIn();
  other = await GitLabStandIn.start();
  api.setRemote('same-host.yml', 'same-host-job:\n  script: [echo same host]\n');
  other.setRemote('shared.yml', 'other-host-job:\n  script: [echo other host]\n');
  other.setRemote('redirected.yml', '.redirected:\n  script: [echo redirected]\n');
  api.redirect(/repository\/files\/ci%2Fmoved\.yml\/raw/, `${other.url}/remote/redirected.yml`);
});
after(async () => {
  await api.close();
  await other.close();
});
beforeEach(() => {
  api.clearRequests();
  other.clearRequests();
  api.clearFaults();
});

const CREDENTIAL_HEADERS = ['private-token', 'authorization', 'job-token', 'cookie', 'proxy-authorization'];
const credentialsOf = (q: RecordedRequest) => CREDENTIAL_HEADERS.filter((h) => h in q.headers);
const mentionsToken = (q: RecordedRequest) => q.url.includes(TOKEN) || Object.values(q.headers).some((v) => String(v).includes(TOKEN));

/** A service pipeline reaching every kind of source: the API, a redirect off it, remote: on both hosts, a failing file. */
function servicePipeline(): string {
  return [
    'include:',
    `  - project: ${LIBRARY}`,
    '    ref: v1.2.0',
    '    file: [ci/python.yml, ci/moved.yml, ci/echoes-token.yml]',
    `  - remote: ${other.url}/remote/shared.yml`,
    `  - remote: ${api.url}/remote/same-host.yml`,
    'unit:',
    '  extends: .python-test-job',
    '  variables: { SERVICE_NAME: orders }',
    '',
  ].join('\n');
}

function workspace(text: string): { folder: string; uri: string } {
  const folder = join(tempDir('gcp-sec-'), 'service');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, '.gitlab-ci.yml'), text);
  return { folder, uri: pathToFileURL(join(folder, '.gitlab-ci.yml')).href };
}

function lsp(): { client: LspClient; logs: string[] } {
  const client = new LspClient();
  const logs: string[] = [];
  for (const m of ['window/logMessage', 'window/showMessage', 'telemetry/event']) client.connection.onNotification(m, (p: unknown) => void logs.push(JSON.stringify(p)));
  return { client, logs };
}

test('the token reaches only its own host\'s API: never a log line, a diagnostic, an answer, the cache, a remote: URL or another host', async () => {
  // A server that echoes the token in an error body: what it says must not carry the token on.
  api.fail({ status: 500, match: /echoes-token/, message: `500 cannot read file with PRIVATE-TOKEN ${TOKEN}` });
  const cacheDir = tempDir('gcp-sec-cache-');
  const { folder, uri } = workspace(servicePipeline());
  const { client, logs } = lsp();
  const answers: unknown[] = [];
  try {
    await client.initializeWithOptions(folder, { settings: { gitlabUrl: api.url, cacheDir }, trusted: true });
    await client.connection.sendNotification('gitlabCiPresets/setTokens', { tokens: { [api.host]: TOKEN } });
    client.open(uri, servicePipeline());
    await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'include-missing' && String(x.message).includes('echoes-token')), 20_000);
    const text = servicePipeline();
    const at = (needle: string) => ({ line: text.slice(0, text.indexOf(needle)).split('\n').length - 1, character: 6 });
    answers.push(
      await client.connection.sendRequest('gitlabCiPresets/preview', { uri, context: { source: 'push', branch: 'main' } }),
      await client.connection.sendRequest('gitlabCiPresets/pipelineSources', { uri }),
      await client.hover(uri, at(`project: ${LIBRARY}`)),
      await client.hover(uri, at('remote:')),
      await client.completion(uri, { line: 3, character: 15 }),
      await client.definition(uri, at('.python-test-job')),
      await client.connection.sendRequest('gitlabCiPresets/validate', { uri, projectId: LIBRARY }),
      await client.connection.sendRequest('gitlabCiPresets/refresh'),
    );
    await client.waitForDiagnostics(uri, () => true);
  } finally {
    await client.close();
  }
  const apiCalls = api.requestsTo(/^\/api\/v4\//);
  assert.ok(apiCalls.length >= 5 && apiCalls.every((q) => q.headers['private-token'] === TOKEN), 'the API got the token (so it was in play)');
  assert.ok(api.lintCalls.length >= 1, 'validate reached CI Lint');
  for (const q of api.requestsTo(/^\/remote\//)) assert.deepEqual(credentialsOf(q), [], `remote: on the API host sent credentials: ${q.url}`);
  assert.ok(other.requests.length >= 2, `the other host was asked (${other.requests.map((q) => q.url).join(', ')})`);
  for (const q of other.requests) {
    assert.deepEqual(credentialsOf(q), [], `${q.url} on the other host got credentials`);
    assert.ok(!mentionsToken(q), `${q.url} on the other host got the token`);
  }
  const published = JSON.stringify(client.published);
  assert.ok(published.includes('[token]'), 'the echoed token was redacted (the echo did reach a diagnostic)');
  for (const [where, text] of [
    ['published diagnostics', published],
    ['answers', JSON.stringify(answers)],
    ['window/logMessage and friends', logs.join('\n')],
    ['server stderr', client.stderr],
  ] as const) assert.ok(!text.includes(TOKEN), `the token is in the ${where}`);
  assert.deepEqual(allFiles(cacheDir).filter((f) => f.text.includes(TOKEN)).map((f) => f.path), [], 'the token is in a cache file');
  assert.ok(allFiles(cacheDir).length > 3, 'the cache was written');
});

/** The CLI as a process; asynchronous, so the stand-ins in this process keep answering. */
function cli(args: string[], env: Record<string, string | undefined>): Promise<{ status: number | null; out: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], { cwd: repoRoot, env: { ...process.env, GITLAB_TOKEN: undefined, ...env } });
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    c.on('close', (status) => resolve({ status, out }));
  });
}

test('the CLI: the token in GITLAB_TOKEN goes to the API only, and into no output line or cache file', async () => {
  api.fail({ status: 500, match: /echoes-token/, message: `500 token ${TOKEN} rejected` });
  const cacheDir = tempDir('gcp-sec-cli-');
  const { folder } = workspace(servicePipeline());
  const expand = await cli(['expand', folder, '--gitlab-url', api.url, '--cache-dir', cacheDir], { GITLAB_TOKEN: TOKEN });
  const check = await cli(['check', folder, '--gitlab-url', api.url, '--cache-dir', cacheDir, '--format', 'json'], { GITLAB_TOKEN: TOKEN });
  api.clearFailures();
  for (const r of [expand, check]) {
    assert.match(r.out, /echoes-token/, 'the failing include is reported');
    assert.ok(!r.out.includes(TOKEN), `the token is printed:\n${r.out}`);
  }
  assert.ok(api.requestsTo(/^\/api\/v4\//).every((q) => q.headers['private-token'] === TOKEN));
  assert.ok(other.requests.length >= 1);
  for (const q of [...other.requests, ...api.requestsTo(/^\/remote\//)]) assert.deepEqual(credentialsOf(q), [], q.url);
  assert.deepEqual(allFiles(cacheDir).filter((f) => f.text.includes(TOKEN)).map((f) => f.path), []);
});

test('an untrusted workspace (initializationOptions trusted: false) makes no request and uses no token, whatever it asks for', async () => {
  const { folder, uri } = workspace(servicePipeline());
  const { client, logs } = lsp();
  try {
    await client.initializeWithOptions(folder, { settings: { gitlabUrl: api.url, cacheDir: tempDir('gcp-untrusted-') }, trusted: false });
    await client.connection.sendNotification('gitlabCiPresets/setTokens', { tokens: { [api.host]: TOKEN } });
    client.open(uri, servicePipeline());
    const d = await client.waitForDiagnostics(uri, (ds) => ds.some((x) => x.code === 'include-missing'), 20_000);
    assert.ok(d.some((x) => /offline mode/.test(String(x.message))), 'the includes are read from the cache only');
    await client.connection.sendRequest('gitlabCiPresets/refresh');
    await client.completion(uri, { line: 3, character: 15 });
    await client.connection.sendRequest('gitlabCiPresets/preview', { uri, context: {} });
    const validate = (await client.connection.sendRequest('gitlabCiPresets/validate', { uri, projectId: LIBRARY })) as { valid: unknown; error?: string };
    assert.equal(validate.valid, null);
    assert.match(validate.error ?? '', /untrusted workspace/);
    await client.waitForDiagnostics(uri, () => true);
  } finally {
    await client.close();
  }
  assert.deepEqual(api.requests.map((q) => q.url), [], 'no request to the GitLab host');
  assert.deepEqual(other.requests.map((q) => q.url), [], 'no request to any other host');
  assert.ok(!logs.join('\n').includes(TOKEN));
});

test('cache paths stay inside the cache folder whatever a project, ref, file, template or host holds', () => {
  const parent = tempDir('gcp-escape-');
  const dir = join(parent, 'cache');
  const cache = new ProjectCache(dir);
  const sha = 'b'.repeat(40);
  const hostile = ['..', '../..', '../../escaped', '/etc/passwd', '/tmp/escaped', 'a/../../escaped', '%2e%2e', '%2e%2e/%2e%2e/escaped', '..%2f..%2fescaped', 'a/%2E%2E/%2E%2E/escaped', '.', './x', '', 'a//b', '..\\..\\escaped', 'C:\\escaped', 'a\u0000b', '~/escaped', '$HOME/escaped'];
  const projects = [...hostile, 'acme/lib'];
  const inRoot = (p: string) => p === cache.root || p.startsWith(cache.root + sep);
  for (const project of projects) {
    const pd = cache.projectDir('gitlab.example.com', project);
    if (pd !== undefined) assert.ok(inRoot(pd), `projectDir(${JSON.stringify(project)}) = ${pd}`);
    for (const path of [...hostile, 'ci/ok.yml']) {
      const fp = cache.filePath('gitlab.example.com', project, sha, path);
      if (fp !== undefined) assert.ok(inRoot(fp), `filePath(${JSON.stringify(project)}, ${JSON.stringify(path)}) = ${fp}`);
      try {
        cache.writeFile('gitlab.example.com', project, sha, path, 'x');
      } catch {
        // a path that names a folder cannot be written: fine, as long as nothing lands outside
      }
    }
    for (const ref of hostile) cache.writeRef('gitlab.example.com', project, ref, { sha, resolvedAt: 1 });
    cache.writeTags('gitlab.example.com', project, { tags: [], fetchedAt: 1 });
    cache.writeTree('gitlab.example.com', project, sha, []);
  }
  for (const name of hostile) cache.writeTemplate('gitlab.example.com', name, { text: 'x', fetchedAt: 1 });
  for (const host of ['../escaped', '..', '.', '...', 'a/../../b', '/etc', '']) {
    cache.writeTemplate(host, 'Bash', { text: 'x', fetchedAt: 1 });
    cache.writeRef(host, 'acme/lib', 'main', { sha, resolvedAt: 1 });
  }
  for (const url of ['https://x/../../escaped', 'file:///etc/passwd']) cache.writeRemote({ url, text: 'x', fetchedAt: 1 });
  assert.deepEqual(readdirSync(parent), ['cache'], 'nothing beside the cache folder');
  const written = allFiles(dir).map((f) => f.path);
  assert.ok(written.length > 50);
  assert.deepEqual(written.filter((p) => !inRoot(p)), []);
  assert.ok(written.some((p) => p.endsWith(join('files', 'ci', 'ok.yml'))), 'ordinary paths are written');
});

test('an include whose file name climbs out of the project is refused before any request; nothing is written outside the cache', async () => {
  const cacheParent = tempDir('gcp-escape-e2e-');
  const cacheDir = join(cacheParent, 'cache');
  const { folder, uri } = workspace(`include:\n  - project: ${LIBRARY}\n    ref: main\n    file: ['../../../../escaped.yml', '/etc/passwd', '%2e%2e/%2e%2e/escaped.yml']\n  - project: 'acme/../../escaped'\n    file: x.yml\nx:\n  script: [echo]\n`);
  // The stand-in would serve it: only the client's refusal keeps it out.
  api.commit(LIBRARY, { '../../../../escaped.yml': 'escaped:\n  script: [echo]\n' }, { branch: 'main' });
  const { client } = lsp();
  try {
    await client.initializeWithOptions(folder, { settings: { gitlabUrl: api.url, cacheDir }, trusted: true });
    await client.connection.sendNotification('gitlabCiPresets/setTokens', { tokens: { [api.host]: TOKEN } });
    client.open(uri, (await import('node:fs')).readFileSync(join(folder, '.gitlab-ci.yml'), 'utf8'));
    // `/etc/passwd` has no YAML extension: GitLab refuses it for that before reading anything.
    const d = await client.waitForDiagnostics(uri, (ds) => ds.filter((x) => x.code === 'include-missing' || x.code === 'include-extension').length >= 4, 20_000);
    const messages = d.map((x) => String(x.message)).join('\n');
    assert.match(messages, /leaves the project/);
    assert.match(messages, /is not a GitLab project path/);
    assert.match(messages, /`etc\/passwd` does not have YAML extension/);
  } finally {
    await client.close();
  }
  // `/etc/passwd` is the project's own etc/passwd (a leading slash is the project root, as in GitLab).
  assert.deepEqual(api.requestsTo(/escaped/i).map((q) => q.url).filter((u) => !/%252e/i.test(u)), [], 'no request for a path that leaves the project');
  assert.deepEqual(readdirSync(cacheParent), ['cache']);
  assert.ok(allFiles(cacheDir).every((f) => f.path.startsWith(join(cacheDir, 'v1') + sep)));
});

const HOSTILE = `stages: [build, "<script>alert('stage')</script>"]
variables:
  GREETING: "<script>alert(1)</script>"
  LINK: "javascript:alert(document.cookie)"
"<script>alert('job')</script>":
  stage: build
  script: ['echo "><img src=x onerror=alert(1)>"']
'"><img src=x onerror=alert(2)>':
  stage: build
  script: ["echo &lt;b&gt;bold&lt;/b&gt; &amp; &#x3C;script&#x3E; <a href='javascript:alert(3)'>x</a>"]
  environment: { name: review, url: "javascript:alert(4)" }
"javascript:alert(5)":
  stage: "<script>alert('stage')</script>"
  script: [x]
  needs: ["<script>alert('job')</script>"]
  rules:
    - if: $CI_COMMIT_BRANCH == "<svg onload=alert(6)>"
      when: manual
".hidden-<b onmouseover=alert(7)>":
  script: [x]
include:
  - remote: "javascript:alert(8)"
  - local: "<img src=x onerror=alert(9)>.yml"
`;

/** What the renderer may create, whatever the YAML says: fixed lists, not derived from input. */
const ELEMENTS = new Set(['div', 'span', 'a', 'section', 'h2', 'h3', 'ul', 'li', 'p', 'button', 'svg']);
const ATTRIBUTES = new Set(['class', 'title', 'href', 'data-loc', 'data-job', 'data-action', 'tabindex', 'role', 'aria-label', 'aria-pressed', 'aria-hidden']);

type Element = DefaultTreeAdapterMap['element'];
type ChildNode = DefaultTreeAdapterMap['childNode'];

/** The elements and the text of a fragment, as the webview's innerHTML would build them. */
function dom(html: string): { elements: Element[]; text: string } {
  const elements: Element[] = [];
  let text = '';
  const walk = (nodes: ChildNode[]) => {
    for (const n of nodes) {
      if (n.nodeName === '#text') text += (n as DefaultTreeAdapterMap['textNode']).value;
      else if ('tagName' in n) {
        elements.push(n);
        walk(n.childNodes);
      }
    }
  };
  walk(parseFragment(html).childNodes);
  return { elements, text };
}

test('the preview model carries YAML as data, and the webview renderer makes only its own elements and attributes from it', async () => {
  const { folder, uri } = workspace(HOSTILE);
  const { client } = lsp();
  let model: PreviewModel;
  try {
    await client.initializeWithOptions(folder, { settings: {}, trusted: false });
    client.open(uri, HOSTILE);
    await client.waitForDiagnostics(uri, () => true);
    model = (await client.connection.sendRequest('gitlabCiPresets/preview', { uri, context: { source: 'push', branch: '<script>alert(10)</script>', variables: { X: '<img src=x onerror=alert(11)>' } } })) as PreviewModel;
  } finally {
    await client.close();
  }
  const names = model.jobs.map((j) => j.name).sort();
  assert.deepEqual(names, ['"><img src=x onerror=alert(2)>', "<script>alert('job')</script>", 'javascript:alert(5)'], 'job names are the YAML keys, verbatim');
  const uris = JSON.stringify(model).match(/"(?:uri|rootUri)":"[^"]*"/g) ?? [];
  assert.ok(uris.length > 3);
  for (const u of uris) assert.match(u, /:"(file|gitlab-ci-presets):/, `a location with another scheme: ${u}`);

  for (const selected of [undefined, ...model.jobs.map((j) => j.name)]) {
    const r = renderPreview(model, selected, { allYaml: true });
    const more = renderJobsYaml(model, 0, model.jobs.length, []);
    for (const html of [r.html, more]) {
      const { elements, text } = dom(html);
      for (const e of elements) {
        assert.ok(ELEMENTS.has(e.tagName), `a <${e.tagName}> element from YAML (selected: ${selected})`);
        for (const a of e.attrs) {
          assert.ok(ATTRIBUTES.has(a.name), `an attribute ${a.name}="${a.value}" on <${e.tagName}>`);
          if (a.name === 'href') assert.equal(a.value, '#');
          if (a.name === 'data-loc') assert.match(a.value, /^\d+$/);
        }
      }
      if (html === r.html) {
        for (const s of ["<script>alert('job')</script>", '"><img src=x onerror=alert(2)>', 'javascript:alert(5)']) assert.ok(text.includes(s), `${s} shown as text`);
      }
    }
    const { text } = dom(r.html);
    if (!selected) assert.ok(text.includes("echo &lt;b&gt;bold&lt;/b&gt; &amp; &#x3C;script&#x3E; <a href='javascript:alert(3)'>x</a>"), 'entities shown as typed, not decoded into markup');
  }
});
