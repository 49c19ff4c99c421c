/**
 * `gitlabCiPresets/impact` over LSP (the real server process) on the example library under git
 * with a planted change: the unsaved editor buffer of a library file counts, every new value's
 * location names the library file as a `file:` URI, groups come from the GitLab stand-in with
 * the token the client set; `gitlabCiPresets/impactRefs` lists the tags for the base picker.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ImpactAnswer, ImpactRefs } from '../../server/src/features/impact.js';
import type { ImpactReport } from '../../server/src/impact/impact-report.js';
import { consumerGroup, GROUP, STAND_IN_TOKEN } from '../support/consumer-group.js';
import type { GitLabStandIn } from '../support/gitlab-stand-in.js';
import { git, libraryRepo, PLANTED, plantScriptLine } from '../support/library-repo.js';
import { LspClient } from '../support/lsp-client.js';

let client: LspClient;
let api: GitLabStandIn;
let repo: ReturnType<typeof libraryRepo>;

before(async () => {
  repo = libraryRepo();
  plantScriptLine(repo.library);
  git(repo.library, 'tag', 'v1.1.0', 'v1.2.0');
  ({ api } = await consumerGroup(3));
  client = new LspClient();
  await client.initialize(repo.library, { gitlabUrl: api.url });
});
after(async () => {
  await client.close();
  await api.close();
});

const impact = (params: Record<string, unknown>): Promise<ImpactAnswer> => client.connection.sendRequest('gitlabCiPresets/impact', params);

function report(a: ImpactAnswer): ImpactReport {
  assert.ok('report' in a, JSON.stringify(a));
  return a.report;
}

test('impactRefs: the tags, newest first, then branches', async () => {
  const refs: ImpactRefs = await client.connection.sendRequest('gitlabCiPresets/impactRefs', { library: pathToFileURL(repo.library).href });
  assert.deepEqual(refs.tags, ['v1.2.0', 'v1.1.0']);
  assert.deepEqual(refs.refs, ['v1.2.0', 'v1.1.0', 'main']);
});

test('impact: the planted script line, located in the library file on disk; an unsaved buffer of the library counts', async () => {
  const r = report(await impact({ library: repo.library, base: 'v1.2.0', consumers: ['../service-repo'] }));
  assert.deepEqual(r.consumers.map((c) => c.name), ['service-repo']);
  const jobs = r.consumers[0].diff.changed;
  assert.deepEqual(jobs.map((j) => j.job), ['contract-tests', 'python-test']);
  const key = jobs[1].keys[0];
  assert.equal(key.kind, 'lines');
  const added = key.kind === 'lines' ? key.lines.find((l) => l.op === 'add') : undefined;
  const jobsFile = join(repo.library, 'common', 'jobs.yml');
  assert.equal(added?.span?.uri, pathToFileURL(jobsFile).href);
  assert.equal(added?.span?.file, 'ci-library/common/jobs.yml');

  // The editor holds an unsaved change of another template: it is part of "my changes".
  const uri = pathToFileURL(jobsFile).href;
  client.open(uri, readFileSync(jobsFile, 'utf8').replace('  image: alpine:3.20\n', '  image: alpine:3.21\n'));
  const withBuffer = report(await impact({ library: repo.library, base: 'v1.2.0', consumers: [repo.consumer] }));
  const vars = withBuffer.consumers[0].diff.changed.filter((j) => j.keys.some((k) => k.key === 'image'));
  assert.deepEqual(vars.map((j) => j.job), ['check-deploy-vars', 'check-python-vars']);
  client.closeDocument(uri);
});

test('impact: consumers from a GitLab group with the token the client set; errors are answers, not failures', async () => {
  await client.connection.sendNotification('gitlabCiPresets/setTokens', { tokens: { [api.host]: STAND_IN_TOKEN } });
  const r = report(await impact({ library: repo.library, base: 'v1.2.0', consumers: [repo.consumer], groups: [GROUP] }));
  assert.deepEqual(r.consumers.map((c) => c.name).sort(), [`${GROUP}/service-01`, `${GROUP}/service-02`, `${GROUP}/service-03`, 'service-repo']);
  for (const c of r.consumers) assert.ok(c.diff.changed.some((j) => j.job === 'python-test'), c.name);
  assert.ok(JSON.stringify(r).includes(PLANTED.scriptLine.trim().slice(2)));

  assert.match((await impact({ library: repo.library, base: 'no-such-tag', consumers: [repo.consumer] }) as { error: string }).error, /`no-such-tag` names no commit/);
  assert.match((await impact({ library: repo.library, base: 'v1.2.0', consumers: [] }) as { error: string }).error, /cannot tell which project|no consumers/);
});

test('code lens: with consumer folders set, a template says how many consumer jobs use it; without them the lens is unchanged', async () => {
  const c = new LspClient();
  try {
    await c.initialize(repo.library, { consumers: ['../service-repo'] });
    const file = join(repo.library, 'common', 'jobs.yml');
    const uri = pathToFileURL(file).href;
    const text = readFileSync(file, 'utf8');
    c.open(uri, text);
    const titles = async () => {
      const out = new Map<string, string>();
      const rows = text.split('\n');
      for (const lens of (await c.codeLenses(uri)) ?? []) out.set(rows[lens.range.start.line].replace(/:.*/, ''), lens.command!.title);
      return out;
    };
    const got = await titles();
    // python-test (the preset's job) and contract-tests (the service's) extend .python-test-job;
    // every Python job and the helm jobs reach .default-job.
    assert.match(got.get('.python-test-job') ?? '', /^extended by \d+ jobs? · used by 2 consumer jobs$/);
    assert.match(got.get('.python-lint-job') ?? '', / · used by 1 consumer job$/);
    assert.match(got.get('.check-rules') ?? '', / · used by 0 consumer jobs$/, 'used through !reference only');
  } finally {
    await c.close();
  }
  // Without consumers set, the lens is as before.
  const plain = new LspClient();
  try {
    await plain.initialize(repo.library, {});
    const uri = pathToFileURL(join(repo.library, 'common', 'jobs.yml')).href;
    plain.open(uri, readFileSync(join(repo.library, 'common', 'jobs.yml'), 'utf8'));
    for (const lens of (await plain.codeLenses(uri)) ?? []) assert.doesNotMatch(lens.command!.title, /consumer/);
  } finally {
    await plain.close();
  }
});
