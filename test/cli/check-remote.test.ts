/**
 * `check --remote` as a process against the GitLab REST stand-in: the locally merged pipeline
 * (uncommitted changes included) goes to `POST /projects/:id/ci/lint`; GitLab's errors and
 * warnings come back as findings at the lines that caused them in every output format; merged
 * YAML differences are listed; the exit codes; the token only in the header, only to the host.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { GitLabStandIn } from '../support/gitlab-stand-in.js';
import { repo, tempDir, TOKEN } from '../sources/helpers.js';

const SERVICE = 'acme/orders-api';
const MAP_LIBRARY = ['--project', 'acme/ci-library@v1.2.0=ci-library'];
const UNKNOWN_KEY = 'jobs:contract-tests config contains unknown keys: manual_confirmation';
const WARNING = 'jobs:docs-build may allow multiple pipelines to run for a single action due to `rules:when` clause with no `workflow:rules`';
let api: GitLabStandIn;
let dir: string;
let cache: string;

function cli(args: string[], env: Record<string, string | undefined> = {}, cwd = dir): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repo, 'dist', 'cli.js'), ...args], { cwd, env: { ...process.env, GITLAB_TOKEN: undefined, XDG_CACHE_HOME: cache, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const remote = (...extra: string[]) => cli(['check', 'service-repo', ...MAP_LIBRARY, '--remote', ...extra], { GITLAB_TOKEN: TOKEN });

/** `file:line:column` of `needle` in a file of the temp copy. */
function where(file: string, needle: string): string {
  const text = readFileSync(join(dir, file), 'utf8');
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `${needle} in ${file}`);
  const lines = text.slice(0, i).split('\n');
  return `${file}:${lines.length}:${lines[lines.length - 1].length + 1}`;
}

/** GitLab rejects the planted key, warns about docs-build, and dumps openapi-diff's script differently. */
function rejecting() {
  api.lintAnswer = (call) => {
    const theirs = parse(String(call.body.content)) as Record<string, any>;
    theirs['openapi-diff'].script[1] = 'diff openapi.json openapi.generated.json';
    return { valid: false, errors: [UNKNOWN_KEY], warnings: [WARNING], merged_yaml: JSON.stringify(theirs) };
  };
}

before(async () => {
  api = await GitLabStandIn.start({ tokens: [TOKEN] });
  api.addProject({ path: SERVICE, dir: join(repo, 'examples', 'service-repo') });
  dir = tempDir('gcp-check-remote-');
  cache = tempDir('gcp-check-cache-');
  cpSync(join(repo, 'examples'), dir, { recursive: true });
  // A keyword the instance's GitLab does not know yet (an older release than ours; only CI Lint can
  // tell) in a library template, and a local edit GitLab has never seen.
  const jobs = join(dir, 'ci-library', 'common', 'jobs.yml');
  writeFileSync(jobs, readFileSync(jobs, 'utf8').replace('.python-test-job:\n  extends: .python-base-job\n', '.python-test-job:\n  extends: .python-base-job\n  manual_confirmation: Run the contract tests?\n'));
  const ci = join(dir, 'service-repo', '.gitlab-ci.yml');
  writeFileSync(ci, readFileSync(ci, 'utf8').replace('- diff -u openapi.json openapi.generated.json', '- diff -u openapi.json openapi.generated.json\n    - echo uncommitted-local-change'));
  mkdirSync(join(dir, 'service-repo', '.git'));
  writeFileSync(join(dir, 'service-repo', '.git', 'config'), `[remote "origin"]\n\turl = http://127.0.0.1:${api.port}/${SERVICE}.git\n`);
});
after(async () => api.close());
beforeEach(() => {
  api.clearFailures();
  api.clearRequests();
  api.lintCalls.length = 0;
  api.lintAnswer = {};
});

test('text: GitLab findings at their lines next to the local ones, exit 1, merged YAML differences under a heading', async () => {
  rejecting();
  const r = await remote();
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const lines = r.stdout.split('\n');
  const error = `${where('ci-library/common/jobs.yml', 'manual_confirmation')}: error: ${UNKNOWN_KEY} [gitlab-lint-error]`;
  const warning = `${where('service-repo/.gitlab/ci/extra.yml', 'docs-build:')}: warning: ${WARNING} [gitlab-lint-warning]`;
  assert.ok(lines.includes(error), `${error}\n---\n${r.stdout}`);
  assert.ok(lines.includes(warning), `${warning}\n---\n${r.stdout}`);
  assert.ok(lines.some((l) => l.includes('[variable-missing]') && l.includes('HELM_CHART')), 'the local findings are still there');
  const summary = lines.findIndex((l) => /^\d+ error\(s\), \d+ warning\(s\), \d+ info$/.test(l));
  assert.equal(lines[summary + 1], `GitLab CI Lint (${SERVICE} on ${api.host}): service-repo/.gitlab-ci.yml is invalid`);
  const heading = lines.indexOf("GitLab's merged YAML differs from ours (service-repo/.gitlab-ci.yml):");
  assert.ok(heading > summary, 'the differences come after the findings');
  assert.deepEqual(lines.slice(heading + 1).filter(Boolean), ['  openapi-diff:script[1]: ours "diff -u openapi.json openapi.generated.json", GitLab "diff openapi.json openapi.generated.json"']);
  assert.equal(r.stderr, '');
});

test('json is {findings, mergedYamlDiff, remote} with the same findings as text; codequality carries GitLab findings too', async () => {
  rejecting();
  const text = (await remote()).stdout;
  const json = JSON.parse((await remote('--format', 'json')).stdout);
  const cq = JSON.parse((await remote('--format', 'codequality')).stdout);
  assert.deepEqual(Object.keys(json), ['findings', 'mergedYamlDiff', 'remote']);
  for (const f of json.findings) assert.ok(text.includes(`${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message} [${f.code}]`), JSON.stringify(f));
  const lint = json.findings.find((f: { code: string }) => f.code === 'gitlab-lint-error');
  assert.deepEqual(
    { file: lint.file, at: `${lint.file}:${lint.line}:${lint.column}`, severity: lint.severity, message: lint.message },
    { file: 'ci-library/common/jobs.yml', at: where('ci-library/common/jobs.yml', 'manual_confirmation'), severity: 'error', message: UNKNOWN_KEY },
  );
  assert.deepEqual(json.mergedYamlDiff, [
    { file: 'service-repo/.gitlab-ci.yml', path: ['openapi-diff', 'script', 1], ours: 'diff -u openapi.json openapi.generated.json', theirs: 'diff openapi.json openapi.generated.json' },
  ]);
  assert.deepEqual(json.remote, [{ file: 'service-repo/.gitlab-ci.yml', project: SERVICE, gitlabUrl: api.url, valid: false }]);
  assert.ok(Array.isArray(cq), 'Code Quality stays an array');
  assert.equal(cq.length, json.findings.length);
  const entry = cq.find((e: { check_name: string }) => e.check_name === 'gitlab-lint-error');
  assert.deepEqual(entry.location, { path: 'ci-library/common/jobs.yml', lines: { begin: lint.line, end: lint.endLine } });
  assert.equal(entry.severity, 'major');
  assert.equal(cq.find((e: { check_name: string }) => e.check_name === 'gitlab-lint-warning').severity, 'minor');
});

test('the request carries our merged YAML with the uncommitted change, dry_run and --ref; the token only in its header', async () => {
  const r = await remote('--ref', 'feature/x');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`GitLab CI Lint \\(${SERVICE} on ${api.host.replace(/\./g, '\\.')}\\): service-repo/\\.gitlab-ci\\.yml is valid`));
  assert.equal(api.lintCalls.length, 1, 'one pipeline, one lint');
  const [call] = api.lintCalls;
  assert.equal(call.project, SERVICE, 'the project of the git remote');
  assert.equal(call.body.dry_run, true);
  assert.equal(call.body.ref, 'feature/x');
  const sent = parse(String(call.body.content)) as Record<string, any>;
  assert.deepEqual(sent['openapi-diff'].script.slice(-1), ['echo uncommitted-local-change'], 'the local edit, not what GitLab has');
  assert.equal(sent['contract-tests'].manual_confirmation, 'Run the contract tests?', 'the library as checked out locally, through extends');
  assert.equal(sent.include, undefined);
  const lintRequests = api.requestsTo(/\/ci\/lint$/);
  assert.equal(lintRequests.length, 1);
  assert.equal(lintRequests[0].headers['private-token'], TOKEN);
  assert.ok(!lintRequests[0].url.includes(TOKEN) && !JSON.stringify(call.body).includes(TOKEN));
  assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN));
});

test('--project-id overrides the git remote', async () => {
  const r = await remote('--project-id', '1');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(api.requestsTo(/\/ci\/lint$/)[0].url, '/api/v4/projects/1/ci/lint');
  assert.equal(api.lintCalls[0].project, SERVICE);
});

test('exit codes: GitLab warnings fail only with --strict; GitLab errors 1; without --remote json stays an array', async () => {
  api.lintAnswer = { warnings: [WARNING] };
  assert.equal((await remote()).status, 0);
  assert.equal((await remote('--strict')).status, 1);
  api.lintAnswer = { errors: ['jobs:openapi-diff:script config should be a string or a nested array of strings up to 10 levels deep'] };
  const rejected = await remote();
  assert.equal(rejected.status, 1);
  assert.ok(rejected.stdout.includes(`${where('service-repo/.gitlab-ci.yml', 'script:\n    - python -m orders_api')}: error: jobs:openapi-diff:script config`), rejected.stdout);
  const local = await cli(['check', 'service-repo', ...MAP_LIBRARY, '--format', 'json']);
  assert.ok(Array.isArray(JSON.parse(local.stdout)));
  assert.equal(api.lintCalls.length, 3, 'without --remote nothing is sent');
});

/** GitLab cannot be asked: exit 2, the reason on stderr naming host and project, the local findings still printed. */
const UNREACHABLE: Array<{ name: string; provoke: () => void; env?: Record<string, string>; args?: string[]; says: RegExp }> = [
  { name: '401', provoke: () => {}, env: { GITLAB_TOKEN: 'glpat-wrong' }, says: /answered 401 Unauthorized \(the token was rejected\)/ },
  { name: '500', provoke: () => (api.lintAnswer = { status: 500 }), says: /answered 500 Internal Server Error/ },
  { name: '503', provoke: () => api.fail({ status: 503, match: /ci\/lint/ }), says: /answered 503 Service Unavailable/ },
  { name: 'timeout', provoke: () => (api.lintAnswer = { delayMs: 3000 }), args: ['--timeout', '0.3'], says: /did not answer within 0\.3 s/ },
];

for (const u of UNREACHABLE) {
  test(`GitLab ${u.name}: exit 2 with the reason on stderr`, async () => {
    u.provoke();
    const r = await cli(['check', 'service-repo', ...MAP_LIBRARY, '--remote', ...(u.args ?? [])], { GITLAB_TOKEN: TOKEN, ...u.env });
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.ok(r.stderr.startsWith(`gitlab-ci-presets: service-repo/.gitlab-ci.yml: CI Lint of project ${SERVICE} on ${api.host}: `), r.stderr);
    assert.match(r.stderr, u.says);
    assert.match(r.stdout, /\[variable-missing\]/, 'the local findings are still printed');
    assert.ok(!r.stderr.includes('glpat-wrong') && !r.stderr.includes(TOKEN));
  });
}

test('usage errors (exit 2): no project to lint in, a bad --gitlab-url, --ref without --remote, a bad --timeout', async () => {
  const lonely = tempDir('gcp-check-lonely-');
  cpSync(join(dir, 'service-repo'), lonely, { recursive: true, filter: (src) => !src.includes('.git/') && !src.endsWith('.git') });
  cpSync(join(dir, 'ci-library'), join(lonely, 'lib'), { recursive: true });
  const r = await cli(['check', '.', '--project', 'acme/ci-library@v1.2.0=lib', '--remote'], { GITLAB_TOKEN: TOKEN }, lonely);
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /--remote: no project to lint .* in: it has no git remote; give the project id or path \(--project-id\)/);
  const badUrl = await cli(['check', 'service-repo', ...MAP_LIBRARY, '--remote', '--gitlab-url', 'ftp://gitlab.example.com'], { GITLAB_TOKEN: TOKEN });
  assert.equal(badUrl.status, 2);
  assert.match(badUrl.stderr, /--remote: GitLab URL must be https: `ftp:\/\/gitlab\.example\.com` \(usage: gitlab-ci-presets check --help\)\n$/);
  assert.equal((await cli(['check', 'service-repo', '--ref', 'main'])).status, 2);
  assert.equal((await cli(['check', 'service-repo', '--remote', '--timeout', 'soon'])).status, 2);
  assert.equal(api.lintCalls.length, 0);
});

test('a token is not sent to a plain-http host that is not loopback, and the CLI says so', async () => {
  const r = await cli(['check', 'service-repo', ...MAP_LIBRARY, '--remote', '--gitlab-url', 'http://gitlab.invalid', '--project-id', SERVICE, '--timeout', '5'], { GITLAB_TOKEN: TOKEN });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /GITLAB_TOKEN is not sent to http:\/\/gitlab\.invalid \(a token only goes over https/);
  assert.match(r.stderr, /CI Lint of project acme\/orders-api on gitlab\.invalid: /);
  assert.ok(!r.stderr.includes(TOKEN) && !r.stdout.includes(TOKEN));
});
