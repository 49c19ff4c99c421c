/**
 * A preset file of a library opened on its own, over LSP against the real server: its preset files
 * do not include each other (consumers include them all, `common/base.yml` + `lib/f000.yml`), so a
 * template it extends that the library defines in another file resolves — no error, definition
 * and hover go there — and a name the library does not define is information. `check` agrees.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic, LocationLink } from 'vscode-languageserver-protocol/node';
import { runCli } from '../../server/src/cli/main.js';
import { LspClient } from '../support/lsp-client.js';

const FILES: Record<string, string> = {
  'common/base.yml': `# The base of every job of the library: image and runner tags.
.base:
  image: alpine:3.20
  tags: [docker]
  script:
    - echo base
`,
  'lib/f000.yml': `.f000-build:
  extends: .base
  stage: build
  script:
    - !reference [.base, script]
    - make build
.f000-lint:
  extends: [.base, .nowhere]
  script:
    - !reference [.missing-ref, script]
`,
  // What a consumer writes: both files, side by side.
  'README.md': 'include: [{project: acme/lib, file: [common/base.yml, lib/f000.yml]}]\n',
};

let dir: string;
let client: LspClient;
let uri: string;
let diagnostics: Diagnostic[];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-library-files-'));
  mkdirSync(join(dir, '.git'));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  client = new LspClient();
  await client.initialize(dir, {});
  uri = pathToFileURL(join(dir, 'lib/f000.yml')).href;
  client.open(uri, FILES['lib/f000.yml']);
  diagnostics = await client.waitForDiagnostics(uri, () => true);
});

after(async () => {
  await client?.close();
});

const position = (text: string, needle: string, nth = 0) => {
  let at = -1;
  for (let i = 0; i <= nth; i++) at = text.indexOf(needle, at + 1);
  const lines = text.slice(0, at + 1).split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
};

test('a template the library defines in another file resolves: no error on the templates that extend it', () => {
  assert.deepEqual(diagnostics.filter((d) => d.severity === 1).map((d) => d.message), []);
  assert.ok(!diagnostics.some((d) => String(d.message).includes('(.base)')), 'nothing about .base');
  assert.ok(!diagnostics.some((d) => String(d.message).includes('.base", "script"')), 'nor about !reference [.base, script]');
});

test('a name the library does not define at all is information, for the consumer to provide', () => {
  const info = diagnostics.filter((d) => d.severity === 3).map((d) => `${d.code} ${d.message}`);
  assert.equal(info.length, 2, info.join('\n'));
  assert.match(info.find((m) => m.startsWith('extends-unknown')) ?? '', /\(\.nowhere\).*the pipeline that includes it must provide it/);
  assert.match(info.find((m) => m.startsWith('reference-unknown')) ?? '', /\.missing-ref/);
});

test('go-to-definition and hover on the extends target go to the library file that defines it', async () => {
  const at = position(FILES['lib/f000.yml'], '.base');
  const defs = (await client.definition(uri, at)) as LocationLink[] | null;
  const targets = (defs ?? []).map((d) => ('targetUri' in d ? d.targetUri : (d as unknown as { uri: string }).uri));
  assert.ok(targets.some((t) => t.endsWith('/common/base.yml')), JSON.stringify(defs));
  const hover = await client.hover(uri, at);
  const md = hover && typeof hover.contents === 'object' && 'value' in hover.contents ? hover.contents.value : '';
  assert.match(md, /The base of every job of the library/);
});

test('check on the library agrees with the editor', async () => {
  const r = await runCli(['check', dir, '--format', 'json']);
  const findings = JSON.parse(r.stdout) as { file: string; severity: string; code: string; message: string }[];
  const f000 = findings.filter((f) => f.file.endsWith('f000.yml'));
  assert.deepEqual(f000.map((f) => `${f.severity} ${f.code}`).sort(), ['info extends-unknown', 'info reference-unknown']);
  assert.equal(r.code, 0, r.stdout);
});
