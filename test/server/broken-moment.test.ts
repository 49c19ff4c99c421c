/**
 * A momentary YAML syntax error (what every edit passes through) over the real server: while the
 * document does not parse, the findings of the last good analysis stay next to the positioned
 * syntax error, the preview says where the YAML breaks, hover says it answers from the last good
 * analysis; once the text is restored everything is as before (issue 13).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { LspClient, repoRoot } from '../support/lsp-client.js';
import type { PreviewModel } from '../../server/src/features/preview.js';

let dir: string;
const library = { 'acme/ci-library@v1.2.0': '../ci-library' };
const clients: LspClient[] = [];

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-broken-'));
  cpSync(join(repoRoot, 'examples'), dir, { recursive: true });
});
after(async () => {
  for (const c of clients) await c.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<LspClient> {
  const c = new LspClient();
  clients.push(c);
  await c.initialize(join(dir, 'service-repo'), { localProjects: library });
  return c;
}

const rootFile = () => join(dir, 'service-repo', '.gitlab-ci.yml');
const rootUri = () => pathToFileURL(rootFile()).href;
const missing = (d: Diagnostic[]) => d.filter((x) => x.code === 'variable-missing').map((x) => `${x.message}@${x.range.start.line}`);
const syntax = (d: Diagnostic[]) => d.filter((x) => x.code === 'yaml-syntax');
const preview = (c: LspClient, uri: string): Promise<PreviewModel> => c.connection.sendRequest('gitlabCiPresets/preview', { uri });

/** The three broken moments of the issue, each made from the original text. */
const BREAKS: Record<string, (text: string) => string> = {
  'PRO typed on a new line': (t) => t.replace('variables:\n', 'variables:\nPRO\n'),
  'an unclosed quote': (t) => t.replace('PYTHON_VERSION:\n    value: "3.12"', 'PYTHON_VERSION:\n    value: "3.12'),
  'a tab': (t) => t.replace('  SERVICE_NAME: orders-api', '\tSERVICE_NAME: orders-api'),
};

for (const [name, breakIt] of Object.entries(BREAKS)) {
  test(`after ${name} in .gitlab-ci.yml the missing-variable warning stays, beside the syntax error, and the restored text gets the same answers`, async () => {
    const c = await start();
    const uri = rootUri();
    const text = readFileSync(rootFile(), 'utf8');
    const broken = breakIt(text);
    assert.notEqual(broken, text, 'the break applies');
    c.open(uri, text);
    const original = await c.waitForDiagnostics(uri, (d) => missing(d).length > 0);
    const originalPreview = await preview(c, uri);
    assert.equal(originalPreview.standalone, false);
    assert.ok(originalPreview.jobs.some((j) => j.included));

    c.change(uri, broken, 2);
    const during = await c.waitForDiagnostics(uri, (d) => syntax(d).length > 0);
    assert.deepEqual(missing(during), missing(original), 'the last good findings stay where they are in the broken text');
    const p = await preview(c, uri);
    assert.equal(p.standalone, false, 'the root pipeline is not a preset file on its own');
    assert.ok(p.yamlError, 'the preview says the YAML does not parse');
    assert.equal(p.yamlError.lastGood, true);
    assert.equal(p.yamlError.line, syntax(during)[0].range.start.line + 1);
    assert.equal(p.yamlError.location?.range.start.line, syntax(during)[0].range.start.line);
    assert.equal(p.pipelineError, undefined, 'not "no job matches the simulated pipeline"');
    assert.deepEqual(p.jobs.map((j) => j.name), originalPreview.jobs.map((j) => j.name), 'the jobs of the last good analysis');

    c.change(uri, text, 3);
    const restored = await c.waitForDiagnostics(uri, (d) => syntax(d).length === 0);
    assert.deepEqual(restored, original);
    const again = await preview(c, uri);
    assert.deepEqual(again, originalPreview);
  });
}

test('a document opened while it does not parse: the preview names the YAML error and its line, not an empty pipeline', async () => {
  const c = await start();
  const uri = rootUri();
  const text = readFileSync(rootFile(), 'utf8');
  c.open(uri, BREAKS['PRO typed on a new line'](text));
  const d = await c.waitForDiagnostics(uri, (x) => syntax(x).length > 0);
  const p = await preview(c, uri);
  assert.equal(p.standalone, false);
  assert.equal(p.yamlError?.lastGood, false);
  assert.equal(p.yamlError?.line, d.filter((x) => x.code === 'yaml-syntax')[0].range.start.line + 1);
  assert.equal(p.pipelineError, undefined);
  // And once it parses, the whole analysis is there.
  c.change(uri, text, 2);
  await c.waitForDiagnostics(uri, (x) => missing(x).length > 0 && syntax(x).length === 0);
  assert.equal((await preview(c, uri)).yamlError, undefined);
});

test('a broken included file: the root keeps its findings, the included file shows its error and answers hover from the last good analysis', async () => {
  const c = await start();
  const uri = rootUri();
  const extraFile = join(dir, 'service-repo', '.gitlab', 'ci', 'extra.yml');
  const extraUri = pathToFileURL(extraFile).href;
  const extra = readFileSync(extraFile, 'utf8');
  c.open(uri, readFileSync(rootFile(), 'utf8'));
  c.open(extraUri, extra);
  const original = await c.waitForDiagnostics(uri, (d) => missing(d).length > 0);
  await c.waitForDiagnostics(extraUri, () => true);
  // The job name docs-build: its hover (the job's origin and merged keys) comes from the pipeline.
  const jobAt = (t: string) => ({ line: t.split('\n').indexOf('docs-build:'), character: 3 });
  const hoverBefore = JSON.stringify(await c.hover(extraUri, jobAt(extra)));

  const broken = extra.replace('\n# Checks', '\nPRO\n# Checks');
  assert.notEqual(broken, extra);
  c.change(extraUri, broken, 2);
  const errs = await c.waitForDiagnostics(extraUri, (d) => syntax(d).length > 0);
  assert.ok(syntax(errs).some((e) => e.range.start.line === broken.split('\n').indexOf('PRO') + 1 || e.range.start.line === broken.split('\n').indexOf('PRO')), `positioned at the broken line: ${JSON.stringify(syntax(errs))}`);
  const rootDuring = await c.waitForDiagnostics(uri, () => true);
  assert.deepEqual(missing(rootDuring), missing(original));
  const p = await preview(c, extraUri);
  assert.equal(p.standalone, false, 'still in the root pipeline');
  assert.ok(p.jobs.some((j) => j.name === 'docs-build'), 'the jobs of the broken file as they last parsed');
  const hover = await c.hover(extraUri, jobAt(broken));
  const md = hover && typeof hover.contents === 'object' && 'value' in hover.contents ? hover.contents.value : '';
  assert.match(md, /last analysis in which the YAML parsed: it does not parse now \(line \d+\)/);

  c.change(extraUri, extra, 3);
  await c.waitForDiagnostics(extraUri, (d) => syntax(d).length === 0);
  assert.deepEqual(missing(await c.waitForDiagnostics(uri, () => true)), missing(original));
  assert.equal(JSON.stringify(await c.hover(extraUri, jobAt(extra))), hoverBefore);
});

test('a file broken on disk and never opened does not keep the analysis stale once it is fixed and reopened', async () => {
  // The root's expansion depends on the text of an included file that does not parse, so fixing it counts.
  const c = await start();
  const extraFile = join(dir, 'service-repo', '.gitlab', 'ci', 'extra.yml');
  const extra = readFileSync(extraFile, 'utf8');
  const extraUri = pathToFileURL(extraFile).href;
  writeFileSync(extraFile, 'docs-build: [\n');
  try {
    const uri = rootUri();
    c.open(uri, readFileSync(rootFile(), 'utf8'));
    c.open(extraUri, 'docs-build: [\n');
    await c.waitForDiagnostics(extraUri, (d) => syntax(d).length > 0);
    c.change(extraUri, extra, 2);
    await c.waitForDiagnostics(extraUri, (d) => syntax(d).length === 0);
    const p = await preview(c, uri);
    assert.ok(p.jobs.some((j) => j.name === 'docs-build'));
    assert.equal(p.yamlError, undefined);
  } finally {
    writeFileSync(extraFile, extra);
  }
});
