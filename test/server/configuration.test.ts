/**
 * Any LSP editor: a client that answers `workspace/configuration` (Neovim, Helix, Zed, Emacs) and
 * passes no `initializationOptions` is asked for the `gitlabCiPresets` section at start and again
 * on every `didChangeConfiguration`; published diagnostics carry the document's version.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { LspClient, repoRoot } from '../support/lsp-client.js';

let dir: string;
const clients: LspClient[] = [];
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-config-'));
  cpSync(join(repoRoot, 'examples'), dir, { recursive: true });
});
after(async () => {
  for (const c of clients) await c.close();
  rmSync(dir, { recursive: true, force: true });
});

const missing = (d: Diagnostic[]) => d.filter((x) => x.code === 'variable-missing').map((x) => (typeof x.message === 'string' ? x.message : x.message.value).split(' ')[0]);

test('settings pulled with workspace/configuration at start and again on didChangeConfiguration; diagnostics carry the version', async () => {
  const c = new LspClient();
  clients.push(c);
  const folder = join(dir, 'service-repo');
  let answer: Record<string, unknown> = { localProjects: { 'acme/ci-library@v1.2.0': '../ci-library' }, localOnly: true, cacheDir: join(dir, 'cache') };
  const asked: unknown[] = [];
  c.connection.onRequest('workspace/configuration', (params: { items: { section?: string; scopeUri?: string }[] }) => {
    asked.push(params);
    return params.items.map((i) => (i.section === 'gitlabCiPresets' ? answer : null));
  });
  await c.connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(folder).href,
    workspaceFolders: [{ uri: pathToFileURL(folder).href, name: 'ws' }],
    capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } } },
  });
  await c.connection.sendNotification('initialized', {});
  const uri = pathToFileURL(join(folder, '.gitlab-ci.yml')).href;
  c.open(uri, readFileSync(join(folder, '.gitlab-ci.yml'), 'utf8'), 7);
  // The mapping only the pulled settings give resolves the library: its required HELM_CHART is missing.
  await c.waitForDiagnostics(uri, (d) => missing(d).includes('HELM_CHART'));
  assert.ok(asked.length >= 1, 'the server asked');
  assert.deepEqual((asked[0] as { items: { section: string }[] }).items.map((i) => i.section), ['gitlabCiPresets']);
  const withVersion = c.published.filter((p) => p.uri === uri && missing(p.diagnostics).includes('HELM_CHART'));
  assert.equal(withVersion.at(-1)?.version, 7, 'publishDiagnostics carries the version of the open document');

  // The editor's settings change; the notification carries none (pull model): the server asks again.
  answer = { ...answer, knownVariables: ['HELM_CHART'] };
  await c.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  await c.waitForDiagnostics(uri, (d) => !missing(d).includes('HELM_CHART'));
  assert.ok(asked.length >= 2, 'asked again');
});
