/**
 * GitLab's CI Lint API through sources/ci-lint.ts against the REST stand-in: the request
 * (`POST /projects/:id/ci/lint`, JSON `{content, dry_run, ref, include_jobs}`, the token only in
 * the header and only to its own host), valid answers, errors and warnings mapped to the lines
 * that caused them, the merged-YAML diff, and every way the call can fail (401, 403, 404, 5xx,
 * time-out, redirect) with a message naming host and project and never the token.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { expandPipeline } from '../../server/src/pipeline/merge/expand.js';
import type { ExpandedPipeline } from '../../server/src/pipeline/merge/expand.js';
import { mergedYamlForLint } from '../../server/src/pipeline/edits/lint-mapping.js';
import { LineIndex } from '../../server/src/pipeline/yaml/positions.js';
import { simulatedVariables } from '../../server/src/pipeline/rules/simulated-context.js';
import { CiLint, lintTarget, validateRemotely } from '../../server/src/sources/ci-lint.js';
import { DirectorySources } from '../../server/src/sources/directory-sources.js';
import { ApiError } from '../../server/src/sources/gitlab-api.js';
import { RequestLimiter } from '../../server/src/sources/request-limits.js';
import { GitLabStandIn } from '../support/gitlab-stand-in.js';
import { LIBRARY, repo, tempDir, TOKEN } from './helpers.js';

const SERVICE = 'acme/orders-api';
let api: GitLabStandIn;
let dir: string;
let pipeline: ExpandedPipeline;

/** The example service + library, with a keyword GitLab does not know yet (an older instance than ours) planted in a library template. */
before(async () => {
  api = await GitLabStandIn.start({ tokens: [TOKEN] });
  api.addProject({ path: SERVICE, files: { 'README.md': 'orders' }, visibility: 'public' });
  api.addProject({ path: 'acme/private', files: { 'README.md': 'private' } });
  dir = tempDir('gcp-lint-');
  cpSync(join(repo, 'examples'), dir, { recursive: true });
  const jobs = join(dir, 'ci-library', 'common', 'jobs.yml');
  writeFileSync(jobs, readFileSync(jobs, 'utf8').replace('.python-test-job:\n  extends: .python-base-job\n', '.python-test-job:\n  extends: .python-base-job\n  manual_confirmation: Run the contract tests?\n'));
  const sources = new DirectorySources({ rootDir: join(dir, 'service-repo'), projects: new Map([[`${LIBRARY}@v1.2.0`, join(dir, 'ci-library')]]) });
  pipeline = await expandPipeline({ sources, variables: simulatedVariables() });
  assert.equal(pipeline.valid, true, JSON.stringify(pipeline.diagnostics));
});
after(async () => api.close());
beforeEach(() => {
  api.clearFailures();
  api.clearRequests();
  api.lintCalls.length = 0;
  api.lintAnswer = {};
  api.delayMs = 0;
});

const client = (opts: { token?: string; timeoutMs?: number; url?: string } = {}) =>
  new CiLint({ gitlabUrl: opts.url ?? api.url, token: 'token' in opts ? opts.token : TOKEN, limiter: new RequestLimiter({ timeoutMs: opts.timeoutMs ?? 5_000 }) });

/** 1-based line of a span, and the file it is in relative to the temp copy. */
function lineOf(span: { uri: string; start: number }): { file: string; line: number } {
  const f = pipeline.files.find((x) => x.uri === span.uri)!;
  return { file: span.uri.slice(span.uri.indexOf(dir) + dir.length + 1), line: new LineIndex(f.parsed.text).position(span.start).line + 1 };
}

function lineIn(file: string, needle: string): number {
  const text = readFileSync(join(dir, file), 'utf8');
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `${needle} in ${file}`);
  return text.slice(0, i).split('\n').length;
}

test('valid: one POST to /projects/:id/ci/lint with our merged YAML, dry_run, ref, the token in the header only', async () => {
  const r = await validateRemotely(pipeline, client(), SERVICE, { ref: 'feature/x' });
  assert.equal(r.valid, true);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual(r.mergedYamlDiff, [], 'GitLab echoed what we sent');
  assert.equal(api.requests.length, 1);
  const [req] = api.requests;
  assert.equal(req.method, 'POST');
  assert.equal(req.url, '/api/v4/projects/acme%2Forders-api/ci/lint');
  assert.equal(req.headers['private-token'], TOKEN);
  assert.match(String(req.headers['content-type']), /^application\/json/);
  const [call] = api.lintCalls;
  assert.deepEqual(Object.keys(call.body).sort(), ['content', 'dry_run', 'include_jobs', 'ref']);
  assert.equal(call.body.dry_run, true);
  assert.equal(call.body.include_jobs, false);
  assert.equal(call.body.ref, 'feature/x');
  assert.equal(call.body.content, mergedYamlForLint(pipeline));
  const sent = parse(String(call.body.content)) as Record<string, any>;
  assert.equal(sent.include, undefined, 'no include: the expansion is ours');
  assert.equal(sent['contract-tests'].manual_confirmation, 'Run the contract tests?', 'the library template reached the job through extends');
  assert.ok(!JSON.stringify(call.body).includes(TOKEN) && !req.url.includes(TOKEN), 'the token is only in the header');
});

test('no ref: the body leaves it out (GitLab takes the default branch)', async () => {
  await client().lint(SERVICE, { content: 'a:\n  script: [x]\n' });
  assert.deepEqual(Object.keys(api.lintCalls[0].body).sort(), ['content', 'dry_run', 'include_jobs']);
});

test('errors and warnings are mapped to the lines that caused them', async () => {
  api.lintAnswer = {
    valid: false,
    errors: [
      'jobs:contract-tests config contains unknown keys: manual_confirmation',
      "'contract-tests' job needs 'python-lint' job, but 'python-lint' is not in any previous stage",
      'jobs:openapi-diff:script config should be a string or a nested array of strings up to 10 levels deep',
      'a message GitLab might add one day',
    ],
    warnings: ['jobs:docs-build may allow multiple pipelines to run for a single action due to `rules:when` clause with no `workflow:rules`'],
  };
  const r = await validateRemotely(pipeline, client(), SERVICE);
  assert.equal(r.valid, false);
  const got = r.diagnostics.map((d) => ({ code: d.code, severity: d.severity, at: lineOf(d.span), message: d.message }));
  assert.deepEqual(got, [
    { code: 'gitlab-lint-error', severity: 'error', at: { file: 'ci-library/common/jobs.yml', line: lineIn('ci-library/common/jobs.yml', 'manual_confirmation') }, message: 'jobs:contract-tests config contains unknown keys: manual_confirmation' },
    { code: 'gitlab-lint-error', severity: 'error', at: { file: 'service-repo/.gitlab-ci.yml', line: lineIn('service-repo/.gitlab-ci.yml', '- python-lint') }, message: "'contract-tests' job needs 'python-lint' job, but 'python-lint' is not in any previous stage" },
    { code: 'gitlab-lint-error', severity: 'error', at: { file: 'service-repo/.gitlab-ci.yml', line: lineIn('service-repo/.gitlab-ci.yml', '  script:\n    - python -m orders_api') }, message: 'jobs:openapi-diff:script config should be a string or a nested array of strings up to 10 levels deep' },
    { code: 'gitlab-lint-error', severity: 'error', at: { file: 'service-repo/.gitlab-ci.yml', line: 1 }, message: 'a message GitLab might add one day' },
    { code: 'gitlab-lint-warning', severity: 'warning', at: { file: 'service-repo/.gitlab/ci/extra.yml', line: lineIn('service-repo/.gitlab/ci/extra.yml', 'docs-build:') }, message: 'jobs:docs-build may allow multiple pipelines to run for a single action due to `rules:when` clause with no `workflow:rules`' },
  ]);
});

test('a merged_yaml that differs from ours comes back as a structural diff', async () => {
  api.lintAnswer = (call) => {
    const theirs = parse(String(call.body.content)) as Record<string, any>;
    theirs['openapi-diff'].script[1] = 'diff openapi.json openapi.generated.json';
    delete theirs['contract-tests'].manual_confirmation;
    return { merged_yaml: JSON.stringify(theirs) };
  };
  const r = await validateRemotely(pipeline, client(), SERVICE);
  assert.equal(r.valid, true);
  assert.deepEqual(r.mergedYamlDiff, [
    { path: ['contract-tests', 'manual_confirmation'], ours: 'Run the contract tests?' },
    { path: ['openapi-diff', 'script', 1], ours: 'diff -u openapi.json openapi.generated.json', theirs: 'diff openapi.json openapi.generated.json' },
  ]);
});

/** Each way the call can fail, and what the message must say after `CI Lint of project P on HOST: `. */
const FAILURES: Array<{ name: string; provoke: () => void; token?: string | undefined; timeoutMs?: number; project?: string; kind: string; says: RegExp }> = [
  { name: '401 (wrong token)', provoke: () => {}, token: 'glpat-wrong', kind: 'http', says: /answered 401 Unauthorized \(the token was rejected\)/ },
  { name: '401 (no token, public project)', provoke: () => {}, token: undefined, kind: 'http', says: /answered 401 Unauthorized \(no token is set for 127\.0\.0\.1:\d+\)/ },
  { name: '404 (no token, private project)', provoke: () => {}, token: undefined, project: 'acme/private', kind: 'http', says: /answered 404 Not Found \(404 Project Not Found; no such project, or it is private and no token is set for 127\.0\.0\.1:\d+\)/ },
  { name: '403', provoke: () => api.fail({ status: 403, match: /ci\/lint/ }), kind: 'http', says: /answered 403 Forbidden \(the token lacks access: CI Lint needs the `api` scope/ },
  { name: '404', provoke: () => {}, project: 'acme/nope', kind: 'http', says: /answered 404 Not Found \(404 Project Not Found; no such project, or the token cannot see it\)/ },
  { name: '500', provoke: () => (api.lintAnswer = { status: 500 }), kind: 'http', says: /answered 500 Internal Server Error$/ },
  { name: '502', provoke: () => api.fail({ status: 502, match: /ci\/lint/ }), kind: 'http', says: /answered 502 Bad Gateway$/ },
  { name: 'timeout', provoke: () => (api.lintAnswer = { delayMs: 1500 }), timeoutMs: 200, kind: 'timeout', says: /127\.0\.0\.1:\d+ did not answer within 0\.2 s$/ },
];

for (const f of FAILURES) {
  test(`${f.name}: an ApiError naming host and project, never the token`, async () => {
    f.provoke();
    const project = f.project ?? SERVICE;
    const err = await validateRemotely(pipeline, client({ token: 'token' in f ? f.token : TOKEN, timeoutMs: f.timeoutMs }), project).then(
      () => assert.fail('the call should fail'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ApiError, String(err));
    assert.equal(err.kind, f.kind);
    assert.ok(err.message.startsWith(`CI Lint of project ${project} on ${api.host}: `), err.message);
    assert.match(err.message, f.says);
    assert.ok(!err.message.includes(TOKEN) && !err.message.includes('glpat-wrong'));
  });
}

test('a redirect is not followed: the body and the token stay with the configured host', async () => {
  const other = await GitLabStandIn.start({ tokens: [TOKEN] });
  try {
    other.addProject({ path: SERVICE, files: {} });
    api.redirect(/ci\/lint/, `http://localhost:${other.port}/api/v4/projects/acme%2Forders-api/ci/lint`);
    const err = await client().lint(SERVICE, { content: 'a:\n  script: [x]\n' }).catch((e: unknown) => e);
    assert.ok(err instanceof ApiError);
    assert.match(err.message, /answered 302 \(a redirect to localhost:\d+\)/);
    assert.equal(other.requests.length, 0, 'nothing went to the other host');
  } finally {
    await other.close();
  }
});

test('the token goes only over https or to loopback: not to a plain-http host', () => {
  assert.equal(client().sendsToken, true, 'loopback http');
  assert.equal(client({ url: 'https://gitlab.example.com' }).sendsToken, true);
  assert.equal(client({ url: 'http://gitlab.example.com' }).sendsToken, false);
  assert.equal(client({ url: 'https://gitlab.example.com', token: undefined }).sendsToken, false);
});

test('lintTarget: --project-id wins; else the git remote of the folder; else a clear error', () => {
  const withRemote = tempDir('gcp-lint-remote-');
  mkdirSync(join(withRemote, '.git'));
  writeFileSync(join(withRemote, '.git', 'config'), `[remote "origin"]\n\turl = http://127.0.0.1:${api.port}/acme/orders-api.git\n`);
  assert.deepEqual(lintTarget(withRemote), { gitlabUrl: `http://127.0.0.1:${api.port}`, project: 'acme/orders-api', projectFrom: 'git remote' });
  assert.deepEqual(lintTarget(withRemote, { projectId: '42', gitlabUrl: 'https://gitlab.example.com/' }), { gitlabUrl: 'https://gitlab.example.com', project: '42', projectFrom: 'option' });
  const none = tempDir('gcp-lint-none-');
  assert.throws(() => lintTarget(none), /has no git remote; give the project id or path/);
  const github = tempDir('gcp-lint-gh-');
  mkdirSync(join(github, '.git'));
  writeFileSync(join(github, '.git', 'config'), '[remote "origin"]\n\turl = git@github.com:acme/orders-api.git\n');
  assert.throws(() => lintTarget(github), /is on github\.com, not on a GitLab instance/);
});
