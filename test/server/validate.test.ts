/**
 * "Validate with GitLab" over the LSP protocol against the real server process and the GitLab
 * REST stand-in: `gitlabCiPresets/validate` sends the pipeline with the unsaved buffer, answers
 * GitLab's findings at their positions and the merged-YAML diff, publishes them next to the
 * local diagnostics until the next edit, and says why when GitLab cannot be asked.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import type { ValidateResult } from '../../server/src/features/validate.js';
import { GitLabStandIn } from '../support/gitlab-stand-in.js';
import { LspClient, repoRoot } from '../support/lsp-client.js';
import { tempDir, TOKEN } from '../sources/helpers.js';

const SERVICE = 'acme/orders-api';
let api: GitLabStandIn;
let client: LspClient;
let uri: string;
let text: string;

const validate = (params: Record<string, unknown>): Promise<ValidateResult> => client.connection.sendRequest('gitlabCiPresets/validate', params);
const setToken = (token?: string) => client.connection.sendNotification('gitlabCiPresets/setTokens', { tokens: token ? { [api.host]: token } : {} });

before(async () => {
  api = await GitLabStandIn.start({ tokens: [TOKEN] });
  api.addProject({ path: SERVICE, files: {}, visibility: 'public' });
  const dir = tempDir('gcp-validate-');
  cpSync(join(repoRoot, 'examples'), dir, { recursive: true });
  const service = join(dir, 'service-repo');
  mkdirSync(join(service, '.git'));
  writeFileSync(join(service, '.git', 'config'), `[remote "origin"]\n\turl = http://127.0.0.1:${api.port}/${SERVICE}.git\n`);
  const file = join(service, '.gitlab-ci.yml');
  uri = pathToFileURL(file).href;
  // An unsaved edit, only in the editor buffer: a job with a keyword the instance's GitLab does not
  // know yet (an older release than ours: only CI Lint can tell).
  text = `${readFileSync(file, 'utf8')}\nunsaved-job:\n  stage: test\n  script:\n    - echo unsaved-buffer\n  manual_confirmation: Really?\n`;
  client = new LspClient();
  await client.initialize(service, { localProjects: { 'acme/ci-library@v1.2.0': '../ci-library' } });
  client.open(uri, text);
  await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'variable-missing'));
});
after(async () => {
  await client.close();
  await api.close();
});

test('validate: the unsaved buffer goes to GitLab; its findings come back at their positions and are published with the local ones', async () => {
  await setToken(TOKEN);
  api.lintAnswer = (call) => {
    const theirs = parse(String(call.body.content)) as Record<string, any>;
    theirs['unsaved-job'].script = ['echo something else'];
    return { valid: false, errors: ['jobs:unsaved-job config contains unknown keys: manual_confirmation'], merged_yaml: JSON.stringify(theirs) };
  };
  const r = await validate({ uri, ref: 'main' });
  assert.equal(r.error, undefined, r.error);
  assert.equal(r.valid, false);
  assert.equal(r.project, SERVICE);
  assert.equal(r.gitlabUrl, api.url);
  const line = text.split('\n').indexOf('  manual_confirmation: Really?');
  assert.deepEqual(r.diagnostics, [
    { uri, range: { start: { line, character: 2 }, end: { line, character: 21 } }, severity: 'error', code: 'gitlab-lint-error', message: 'jobs:unsaved-job config contains unknown keys: manual_confirmation' },
  ]);
  assert.deepEqual(r.mergedYamlDiff, [{ path: ['unsaved-job', 'script', 0], ours: 'echo unsaved-buffer', theirs: 'echo something else', pathText: 'unsaved-job:script[0]' }]);
  const [call] = api.lintCalls.slice(-1);
  assert.equal(call.body.ref, 'main');
  assert.equal(call.body.dry_run, true);
  assert.match(String(call.body.content), /echo unsaved-buffer/);
  assert.equal(api.requestsTo(/\/ci\/lint$/).slice(-1)[0].headers['private-token'], TOKEN);

  const published = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'gitlab-lint-error'));
  assert.ok(published.some((d) => d.code === 'variable-missing'), 'the local diagnostics stay');
  assert.equal(published.find((d) => d.code === 'gitlab-lint-error')!.range.start.line, line);

  client.change(uri, text.replace('echo unsaved-buffer', 'echo edited'), 2);
  const after = await client.waitForDiagnostics(uri, (d) => !d.some((x) => x.code === 'gitlab-lint-error'));
  assert.ok(after.some((d) => d.code === 'variable-missing'), 'the next edit brings back the local diagnostics only');
});

test('validate without a token: valid is null and the error names host and project', async () => {
  await setToken(undefined);
  api.lintAnswer = {};
  const r = await validate({ uri });
  assert.equal(r.valid, null);
  assert.deepEqual(r.diagnostics, []);
  assert.equal(r.error, `CI Lint of project ${SERVICE} on ${api.host}: answered 401 Unauthorized (no token is set for ${api.host})`);
});

test('validate with a project id that does not exist, and for a file that is not part of a pipeline', async () => {
  await setToken(TOKEN);
  const missing = await validate({ uri, projectId: 'acme/none' });
  assert.equal(missing.valid, null);
  assert.match(missing.error!, /CI Lint of project acme\/none on 127\.0\.0\.1:\d+: answered 404 Not Found/);
  const outside = await validate({ uri: 'file:///nowhere/.gitlab-ci.yml' });
  assert.equal(outside.valid, null);
  assert.match(outside.error!, /is not an open document/);
});
