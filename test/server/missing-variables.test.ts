import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { LspClient, repoRoot } from '../support/lsp-client.js';

let dir: string;
const library = { 'acme/ci-library@v1.2.0': '../ci-library' };
const clients: LspClient[] = [];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-missing-'));
  cpSync(join(repoRoot, 'examples'), dir, { recursive: true });
});
after(async () => {
  for (const c of clients) await c.close();
});

async function start(folder: string, settings: Record<string, unknown>): Promise<LspClient> {
  const c = new LspClient();
  clients.push(c);
  await c.initialize(folder, settings);
  return c;
}

const msg = (d: Diagnostic) => (typeof d.message === 'string' ? d.message : d.message.value);
const textOf = (text: string, d: Diagnostic) => {
  const lines = text.split('\n');
  const start = lines.slice(0, d.range.start.line).join('\n').length + (d.range.start.line ? 1 : 0) + d.range.start.character;
  const end = lines.slice(0, d.range.end.line).join('\n').length + (d.range.end.line ? 1 : 0) + d.range.end.character;
  return text.slice(start, end);
};

test('the example service gets one variable-missing warning, for HELM_CHART, on the include that brings cd/helm.yml', async () => {
  const client = await start(join(dir, 'service-repo'), { localProjects: library });
  const file = join(dir, 'service-repo', '.gitlab-ci.yml');
  const uri = pathToFileURL(file).href;
  const text = readFileSync(file, 'utf8');
  client.open(uri, text);
  const diags = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'variable-missing'));
  const missing = diags.filter((d) => d.code === 'variable-missing');
  assert.equal(missing.length, 1, JSON.stringify(missing));
  const d = missing[0];
  assert.equal(d.severity, 2);
  assert.equal(d.source, 'gitlab-ci-presets');
  assert.match(msg(d), /^HELM_CHART is not set: cd\/helm\.yml \(\.helm-base-job\) needs it — path of the service's chart in its repository, e\.g\. deploy\/chart$/);
  const covered = textOf(text, d);
  assert.ok(covered.startsWith('project: acme/ci-library') && covered.includes('- cd/helm.yml'), covered);
  assert.deepEqual((d.data as { variable: string }).variable, 'HELM_CHART');
  assert.deepEqual(diags.filter((x) => x.severity === 1), [], 'and no errors');

  // Setting it makes the warning go away; removing SERVICE_NAME makes two presets miss it.
  client.change(uri, text.replace('  SERVICE_NAME: orders-api\n', '  HELM_CHART: deploy/chart\n'), 2);
  const after = await client.waitForDiagnostics(uri, (x) => !x.some((y) => msg(y).startsWith('HELM_CHART')) && x.some((y) => y.code === 'variable-missing'));
  const names = after.filter((x) => x.code === 'variable-missing').map((x) => msg(x).split(' ')[0]);
  assert.deepEqual([...new Set(names)], ['SERVICE_NAME']);
});

test('knownVariables (CI/CD settings) are never reported missing', async () => {
  const client = await start(join(dir, 'service-repo'), { localProjects: library, knownVariables: ['HELM_CHART'] });
  const file = join(dir, 'service-repo', '.gitlab-ci.yml');
  const uri = pathToFileURL(file).href;
  client.open(uri, readFileSync(file, 'utf8'));
  const diags = await client.waitForDiagnostics(uri, () => true);
  assert.deepEqual(diags.filter((d) => d.code === 'variable-missing'), []);
  // the check is live in this server: a variable the setting does not list is reported
  client.change(uri, readFileSync(file, 'utf8').replace('SERVICE_NAME: orders-api', 'SERVICE_NAME_: orders-api'), 2);
  const again = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'variable-missing'));
  assert.deepEqual(again.filter((d) => d.code === 'variable-missing').map((d) => msg(d).split(' ')[0]).sort(), ['SERVICE_NAME', 'SERVICE_NAME']);
});

test('a preset file checked on its own reports nothing missing', async () => {
  const client = await start(join(dir, 'ci-library'), {});
  const file = join(dir, 'ci-library', 'cd', 'helm.yml');
  const uri = pathToFileURL(file).href;
  const text = readFileSync(file, 'utf8');
  client.open(uri, `${text}\nextra:\n  extends: .broken-ref\n`);
  const diags = await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'extends-unknown'));
  assert.deepEqual(diags.filter((d) => d.code === 'variable-missing'), []);
});
