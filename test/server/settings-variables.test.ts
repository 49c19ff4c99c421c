/**
 * Variables set in GitLab's CI/CD settings, through the real server: the example consumer
 * (acme/orders-api, its git remote on the GitLab stand-in) does not set HELM_CHART, which its
 * presets require; the stand-in holds it as a project CI/CD variable. With a token that may list
 * the project's variables the warning is gone;
 * with a Developer's token (403) it stays. The value never reaches the client.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { GitLabStandIn } from '../support/gitlab-stand-in.js';
import { LspClient, repoRoot } from '../support/lsp-client.js';
import { tempDir, TOKEN } from '../sources/helpers.js';

const DEV_TOKEN = 'glpat-DeveloperOnly-6666666666';
const SECRET = 's3cr3t-helm-chart-value-lsp-0c5e';
let api: GitLabStandIn;
let dir: string;

before(async () => {
  api = await GitLabStandIn.start({ tokens: [TOKEN, DEV_TOKEN], variableReaders: [TOKEN] });
  api.addProject({ path: 'acme/orders-api', dir: join(repoRoot, 'examples', 'service-repo'), variables: [{ key: 'HELM_CHART', value: SECRET, masked: true }, { key: 'DEPLOY_FLAVOUR', value: 'blue' }] });
  dir = tempDir('gcp-lsp-vars-');
  cpSync(join(repoRoot, 'examples'), dir, { recursive: true });
  mkdirSync(join(dir, 'service-repo', '.git'));
  writeFileSync(join(dir, 'service-repo', '.git', 'config'), `[remote "origin"]\n\turl = http://127.0.0.1:${api.port}/acme/orders-api.git\n`);
});
after(async () => api.close());

const helmMissing = (d: Diagnostic[]) => d.filter((x) => x.code === 'variable-missing' && String(x.message).startsWith('HELM_CHART'));

async function session(token: string, edit = (t: string) => t): Promise<{ client: LspClient; uri: string; text: string }> {
  const client = new LspClient();
  const folder = join(dir, 'service-repo');
  await client.initializeWithOptions(folder, {
    settings: { gitlabUrl: api.url, cacheDir: tempDir('gcp-lsp-vars-cache-'), localProjects: { 'acme/ci-library@v1.2.0': '../ci-library' } },
    trusted: true,
  });
  await client.connection.sendNotification('gitlabCiPresets/setTokens', { tokens: { [api.host]: token } });
  const uri = pathToFileURL(join(folder, '.gitlab-ci.yml')).href;
  const text = edit(readFileSync(join(folder, '.gitlab-ci.yml'), 'utf8'));
  client.open(uri, text);
  return { client, uri, text };
}

test('a variable set as a project CI/CD variable in GitLab is not reported missing', async () => {
  const { client, uri } = await session(TOKEN);
  try {
    // The keys are read with the root pipeline: the first diagnostics already count them.
    const d = await client.waitForDiagnostics(uri, () => true, 20_000);
    assert.deepEqual(helmMissing(d), []);
    assert.ok(api.requestsTo(/\/projects\/acme%2Forders-api\/variables/).length > 0, 'the project variables were listed');
    assert.ok(!client.stderr.includes(SECRET) && !client.stderr.includes(TOKEN));
  } finally {
    await client.close();
  }
});

test('with a token that may not list the variables (403), HELM_CHART is reported missing, and nothing logs the token', async () => {
  const { client, uri } = await session(DEV_TOKEN);
  try {
    const d = await client.waitForDiagnostics(uri, (ds) => helmMissing(ds).length === 1, 20_000);
    assert.equal(helmMissing(d).length, 1);
    assert.ok(!client.stderr.includes(DEV_TOKEN));
  } finally {
    await client.close();
  }
});

test('an include path that reads a CI/CD variable GitLab holds is left unresolved with a warning, not read as an empty name', async () => {
  const withInclude = (t: string) => t.replace('include:\n', 'include:\n  - local: ci/$DEPLOY_FLAVOUR.yml\n');
  // Opened with the include (the keys are listed beside the first expansion), then typed (the keys known before it).
  const { client, uri, text } = await session(TOKEN, withInclude);
  try {
    assert.match(text, /DEPLOY_FLAVOUR/);
    const check = (d: Diagnostic[], t: string) => {
      const entry = d.find((x) => x.code === 'include-variable-unknown');
      assert.ok(entry, JSON.stringify(d.map((x) => x.message)));
      assert.match(String(entry.message), /\$DEPLOY_FLAVOUR/);
      assert.equal(entry.range.start.line, t.split('\n').findIndex((l) => l.includes('$DEPLOY_FLAVOUR')));
      assert.deepEqual(d.filter((x) => x.severity === 1 && /ci\/\.yml|DEPLOY_FLAVOUR/.test(String(x.message))), []);
    };
    check(await client.waitForDiagnostics(uri, () => true, 20_000), text);
    const typed = `# a comment\n${text}`;
    client.change(uri, typed, 2);
    check(await client.waitForDiagnostics(uri, (ds) => ds.some((x) => x.code === 'include-variable-unknown' && x.range.start.line > 11), 20_000), typed);
  } finally {
    await client.close();
  }
});
