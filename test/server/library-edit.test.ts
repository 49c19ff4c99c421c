/**
 * A library file open in the editor beside its consumer: an edit of the library re-publishes the
 * diagnostics of the open consumer that reads it (its pipeline is analysed again), with no save
 * and no watched-file event.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { LspClient } from '../support/lsp-client.js';

const dir = mkdtempSync(join(tmpdir(), 'gcp-library-edit-'));
let client: LspClient | undefined;
after(async () => {
  await client?.close();
  rmSync(dir, { recursive: true, force: true });
});

function write(rel: string, text: string): string {
  mkdirSync(dirname(join(dir, rel)), { recursive: true });
  writeFileSync(join(dir, rel), text);
  return pathToFileURL(join(dir, rel)).href;
}

const unknownBase = (d: Diagnostic[]) => d.some((x) => x.code === 'extends-unknown' && String(x.message).includes(".deploy-base"));
const missingRegion = (d: Diagnostic[]) => d.some((x) => x.code === 'variable-missing' && String(x.message).includes("REGION"));

test('editing an open library file re-publishes the open consumer’s diagnostics', async () => {
  const library = '.deploy-base:\n  script: [deploy]\n';
  const consumer = 'include:\n  - project: org/lib\n    ref: main\n    file: presets/deploy.yml\ndeploy:\n  extends: .deploy-base\n';
  const libraryUri = write('lib/presets/deploy.yml', library);
  const consumerUri = write('app/.gitlab-ci.yml', consumer);
  client = new LspClient();
  await client.initialize(join(dir, 'app'), { localProjects: { 'org/lib@main': '../lib' }, localOnly: true });
  client.open(consumerUri, consumer);
  await client.waitForDiagnostics(consumerUri, (d) => !unknownBase(d) && !missingRegion(d));
  client.open(libraryUri, library);
  await client.waitForDiagnostics(libraryUri, () => true);

  // The template renamed in the library buffer: the consumer's extends no longer resolves.
  client.change(libraryUri, library.replace('.deploy-base:', '.deploy-basis:'), 2);
  const broken = await client.waitForDiagnostics(consumerUri, unknownBase, 10_000);
  assert.ok(broken.some((d) => d.range.start.line === 5), 'the finding is on the consumer’s extends line');

  // Back, and now the template documents a required variable the consumer does not set.
  client.change(libraryUri, `# @required REGION: where to deploy\n${library.replace('[deploy]', '[deploy "$REGION"]')}`, 3);
  await client.waitForDiagnostics(consumerUri, (d) => !unknownBase(d) && missingRegion(d), 10_000);
});
