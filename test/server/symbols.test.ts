import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SymbolKind } from 'vscode-languageserver-protocol/node';
import type { DocumentSymbol, Range } from 'vscode-languageserver-protocol/node';
import { LspClient, repoRoot } from '../support/lsp-client.js';

const XFENIX = join(repoRoot, '..', 'shared', 'corpus', 'xfenix-pycon2022', 'repo');

let dir: string;
let client: LspClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-sym-'));
  cpSync(join(repoRoot, 'examples'), dir, { recursive: true });
  client = new LspClient();
  await client.initialize(join(dir, 'service-repo'), { localProjects: { 'acme/ci-library@v1.2.0': '../ci-library' }, cacheDir: join(dir, 'cache') });
});
after(async () => client?.close());

/** The outline as `name: child, child` lines (top level in order). */
function outline(symbols: DocumentSymbol[]): string[] {
  return symbols.map((s) => `${s.name}: ${(s.children ?? []).map((c) => c.name).join(', ')}`);
}

const inside = (inner: Range, outer: Range) =>
  (inner.start.line > outer.start.line || (inner.start.line === outer.start.line && inner.start.character >= outer.start.character)) &&
  (inner.end.line < outer.end.line || (inner.end.line === outer.end.line && inner.end.character <= outer.end.character));

/** What the editor requires of a symbol tree: selection inside the range, children inside their parent. */
function checkRanges(symbols: DocumentSymbol[], parent?: DocumentSymbol): void {
  for (const s of symbols) {
    assert.ok(inside(s.selectionRange, s.range), `${s.name}: selection inside range`);
    if (parent) assert.ok(inside(s.range, parent.range), `${s.name} inside ${parent.name}`);
    checkRanges(s.children ?? [], s);
  }
}

const cases: { file: () => string; outline: string[] }[] = [
  {
    file: () => join(dir, 'service-repo', '.gitlab-ci.yml'),
    outline: [
      'include: acme/ci-library, acme/ci-library, .gitlab/ci/extra.yml',
      'workflow: rules',
      'variables: SERVICE_NAME, PYTHON_VERSION, PYTEST_ARGS, COVERAGE_SOURCE, LINT_PATHS',
      'test: contract-tests, openapi-diff',
    ],
  },
  {
    file: () => join(dir, 'service-repo', '.gitlab', 'ci', 'extra.yml'),
    outline: ['build: docs-build', 'verify: smoke-test-staging'],
  },
  {
    file: () => join(dir, 'ci-library', 'ci', 'docker.yml'),
    outline: ['spec: image-name, push, platforms, stage', 'include: /common/stages.yml, /common/jobs.yml', 'build: docker-build', 'publish: docker-publish', 'templates: .registry-login'],
  },
  {
    file: () => join(dir, 'ci-library', 'common', 'jobs.yml'),
    outline: ['templates: .default-job, .check-rules, .vars-check-job, .python-base-job, .python-test-job, .python-lint-job, .docker-build-job, .helm-base-job, .helm-deploy-job'],
  },
  {
    // A real consumer of the xfenix library: jobs grouped by the stage their template gives them.
    file: () => join(XFENIX, 'public-example.yml'),
    outline: ['include: jobs.yml', 'test: test-python, lint-python', 'deploy: clean-ci-images', 'after-test: publish'],
  },
];

for (const c of cases) {
  test(`document symbols: jobs by stage, templates apart, top-level keys (${c.file().split('/').slice(-2).join('/')})`, async () => {
    const uri = pathToFileURL(c.file()).href;
    client.open(uri, readFileSync(c.file(), 'utf8'));
    const symbols = (await client.documentSymbols(uri)) ?? [];
    assert.deepEqual(outline(symbols), c.outline);
    checkRanges(symbols);
  });
}

test('document symbols: kinds and details say what each entry is', async () => {
  const uri = pathToFileURL(join(dir, 'service-repo', '.gitlab-ci.yml')).href;
  const symbols = (await client.documentSymbols(uri)) ?? [];
  const stage = symbols.find((s) => s.name === 'test')!;
  assert.equal(stage.kind, SymbolKind.Namespace);
  assert.equal(stage.detail, 'stage');
  const job = stage.children!.find((s) => s.name === 'contract-tests')!;
  assert.equal(job.kind, SymbolKind.Function);
  assert.equal(job.detail, 'extends .python-test-job');
  const text = readFileSync(join(dir, 'service-repo', '.gitlab-ci.yml'), 'utf8').split('\n');
  assert.equal(text[job.selectionRange.start.line], 'contract-tests:');
  assert.ok(text[job.range.end.line - 1].includes('python-lint'), 'the job range covers its block');
  const vars = symbols.find((s) => s.name === 'variables')!;
  assert.equal(vars.children!.find((v) => v.name === 'SERVICE_NAME')?.detail, 'orders-api');
  assert.equal(vars.children!.find((v) => v.name === 'PYTHON_VERSION')?.kind, SymbolKind.Variable);

  const lib = pathToFileURL(join(dir, 'ci-library', 'common', 'jobs.yml')).href;
  const templates = ((await client.documentSymbols(lib)) ?? []).find((s) => s.name === 'templates')!;
  const testJob = templates.children!.find((s) => s.name === '.python-test-job')!;
  assert.equal(testJob.kind, SymbolKind.Class);
  assert.equal(testJob.detail, 'stage test · extends .python-base-job');
});
