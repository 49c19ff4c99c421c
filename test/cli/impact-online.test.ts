/**
 * `impact --consumers-of GROUP` against the GitLab stand-in (a group of 20 consumers, subgroups
 * and local includes among them, and projects that are not consumers), the SHA-keyed cache on a
 * second run, and `--post-note` posting the Markdown report on a merge request.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliAsync } from '../support/cli.js';
import type { GitLabStandIn } from '../support/gitlab-stand-in.js';
import { consumerGroup, GROUP, STAND_IN_TOKEN } from '../support/consumer-group.js';
import { libraryRepo, PLANTED, plantRename, plantRequiredVariable, plantScriptLine, repoRoot } from '../support/library-repo.js';

function cli(cwd: string, args: string[], env: Record<string, string | undefined> = {}) {
  return cliAsync(cwd, ['impact', ...args], { PATH: process.env.PATH, HOME: process.env.HOME, ...env });
}

let api: GitLabStandIn;
let consumers: string[];
let dir: string;

before(async () => {
  ({ api, consumers } = await consumerGroup(20));
  const repo = libraryRepo();
  dir = repo.dir;
  plantScriptLine(repo.library);
  plantRequiredVariable(repo.library);
});
after(async () => api.close());

test('--consumers-of: the 20 projects of the group and its subgroups that include the library, each with its diff; cached by SHA on the second run', async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'gcp-impact-cache-'));
  const args = ['ci-library', '--base', 'v1.2.0', '--project', 'acme/ci-library', '--consumers-of', GROUP, '--gitlab-url', api.url, '--cache-dir', cacheDir, '--format', 'json'];
  const r = await cli(dir, args, { GITLAB_TOKEN: STAND_IN_TOKEN });
  assert.equal(r.status, 1, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(report.consumers.map((c: { name: string }) => c.name), consumers, 'exactly the consumers, subgroups and local includes included');
  assert.equal(consumers.length, 20);
  for (const c of report.consumers) {
    assert.deepEqual(c.diff.changed.map((j: { job: string }) => j.job), ['contract-tests', 'python-test'], c.name);
    assert.deepEqual(c.diff.missingVariables.added.map((m: { variable: string }) => m.variable), [PLANTED.variable], c.name);
  }
  // A consumer's own files are named by project and commit; the library's new line by its path on disk.
  const first = report.consumers[0];
  const line = first.diff.changed[1].keys[0].lines.find((l: { op: string }) => l.op === 'add');
  assert.equal(line.span.file, 'ci-library/common/jobs.yml');
  assert.match(first.diff.missingVariables.added[0].span.file, new RegExp(`^${first.name}@[0-9a-f]{8}:\\.gitlab-ci\\.yml$`));
  assert.ok(api.requests.every((q) => q.headers['private-token'] === STAND_IN_TOKEN), 'every request carries the token');
  assert.ok(api.requestsTo(/\/groups\/acme%2Fservices\/projects\?/).some((q) => q.url.includes('include_subgroups=true')));

  api.clearRequests();
  const warm = await cli(dir, args, { GITLAB_TOKEN: STAND_IN_TOKEN });
  assert.equal(warm.stdout, r.stdout, 'the same report from the cache');
  // Files are read from the SHA-keyed cache; only a CI file that does not exist is asked again (a 404 is not stored).
  assert.deepEqual(api.requestsTo(/\/repository\/files\//).map((q) => q.url.split('/repository')[0]), ['/api/v4/projects/acme%2Fservices%2Fno-ci']);
  assert.deepEqual(api.requestsTo(/\/repository\/(commits|branches)\//), [], 'fresh ref resolutions are reused');

  // Kept results are reused only while every file they read reads the same: a library edit shows.
  plantRename(join(dir, 'ci-library'));
  const edited = await cli(dir, args, { GITLAB_TOKEN: STAND_IN_TOKEN });
  const after = JSON.parse(edited.stdout);
  for (const c of after.consumers) assert.deepEqual(c.diff.errors.added.map((e: { code: string }) => e.code).sort(), ['extends-unknown', 'reference-unknown'], c.name);
});

test('--consumers-of needs a token; a group GitLab does not know is exit 2', async () => {
  const noToken = await cli(dir, ['ci-library', '--base', 'v1.2.0', '--project', 'acme/ci-library', '--consumers-of', GROUP, '--gitlab-url', api.url]);
  assert.equal(noToken.status, 2);
  assert.match(noToken.stderr, /--consumers-of needs a token in GITLAB_TOKEN/);
  const unknown = await cli(dir, ['ci-library', '--base', 'v1.2.0', '--project', 'acme/ci-library', '--consumers-of', 'acme/nothing-here', '--gitlab-url', api.url, '--cache-dir', mkdtempSync(join(tmpdir(), 'gcp-c-'))], { GITLAB_TOKEN: STAND_IN_TOKEN });
  assert.equal(unknown.status, 2, unknown.stderr);
  assert.match(unknown.stderr, /the projects of group acme\/nothing-here: .*404/);
  assert.doesNotMatch(unknown.stderr, new RegExp(STAND_IN_TOKEN));
});

test('--post-note: the Markdown report as a note on the merge request (from CI_* variables, or the options)', async () => {
  api.addProject({ path: 'acme/ci-library', files: { 'README.md': '' } });
  api.addMergeRequest('acme/ci-library', 7);
  const before = api.notes.length;
  // A library of its own (the first test renamed a template in the shared one).
  const repo = libraryRepo();
  plantScriptLine(repo.library);
  plantRequiredVariable(repo.library);
  const dir = repo.dir;
  const args = ['ci-library', '--base', 'v1.2.0', '--consumer', join(dir, 'service-repo'), '--format', 'markdown', '--post-note'];
  const env = { GITLAB_TOKEN: STAND_IN_TOKEN, CI_SERVER_URL: api.url, CI_MERGE_REQUEST_PROJECT_ID: 'acme/ci-library', CI_MERGE_REQUEST_IID: '7' };
  const r = await cli(dir, args, env);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /posted the report on merge request !7/);
  assert.equal(api.notes.length, before + 1);
  const note = api.notes[api.notes.length - 1];
  assert.equal(note.project, 'acme/ci-library');
  assert.equal(note.mergeRequest, 7);
  assert.equal(note.body, r.stdout, 'the note is the Markdown report');
  assert.match(note.body, /\| `service-repo` \| 2 \| 0 \| 0 \| \*\*1\*\* \|/);
  assert.equal(note.headers['private-token'], STAND_IN_TOKEN);

  const viaOptions = await cli(dir, [...args.slice(0, -1), '--post-note', '--gitlab-url', api.url, '--note-project', 'acme/ci-library', '--merge-request', '7'], { GITLAB_TOKEN: STAND_IN_TOKEN });
  assert.match(viaOptions.stderr, /posted the report/);
  const wrongMr = await cli(dir, args, { ...env, CI_MERGE_REQUEST_IID: '8' });
  assert.equal(wrongMr.status, 1, 'the gate decides the exit code first');
  assert.match(wrongMr.stderr, /could not post the note: 127\.0\.0\.1:\d+ answered 404/);
  const noMr = await cli(dir, args, { GITLAB_TOKEN: STAND_IN_TOKEN, CI_SERVER_URL: api.url });
  assert.equal(noMr.status, 2);
  assert.match(noMr.stderr, /--post-note: no project/);
  const notHttps = await cli(dir, args, { ...env, CI_SERVER_URL: 'http://gitlab.example.com' });
  assert.match(notHttps.stderr, /could not post the note: the token is not sent to http:\/\/gitlab\.example\.com/);
});
