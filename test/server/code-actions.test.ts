import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic, TextDocumentEdit } from 'vscode-languageserver-protocol/node';
import { LspClient, repoRoot } from '../support/lsp-client.js';
import { applyWorkspaceEdit } from '../support/workspace-edit.js';

const xfenix = join(repoRoot, '..', 'shared', 'corpus', 'xfenix-pycon2022');
const library = { 'acme/ci-library@v1.2.0': '../ci-library' };
const SNIPPETS = { workspace: { workspaceEdit: { documentChanges: true, snippetEditSupport: true, resourceOperations: ['create'] } } };
const clients: LspClient[] = [];
after(async () => {
  for (const c of clients) await c.close();
});

/** A fresh copy of the examples (or of a given consumer) with a server on it and its root file open. */
async function session(opts: { consumer?: string; settings?: Record<string, unknown>; capabilities?: Record<string, unknown> } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-actions-'));
  let folder: string;
  if (opts.consumer !== undefined) {
    folder = join(dir, 'consumer');
    mkdirSync(folder);
    writeFileSync(join(folder, '.gitlab-ci.yml'), opts.consumer);
  } else {
    cpSync(join(repoRoot, 'examples'), dir, { recursive: true });
    folder = join(dir, 'service-repo');
  }
  const client = new LspClient();
  clients.push(client);
  const settings = opts.settings ?? { localProjects: library };
  if (opts.capabilities) await client.initializeWithCapabilities(folder, settings, opts.capabilities);
  else await client.initialize(folder, settings);
  const uri = pathToFileURL(join(folder, '.gitlab-ci.yml')).href;
  let text = readFileSync(join(folder, '.gitlab-ci.yml'), 'utf8');
  let version = 1;
  client.open(uri, text);
  return {
    client,
    folder,
    uri,
    get text() {
      return text;
    },
    /** Send new text for the root file. */
    set(next: string) {
      text = next;
      client.change(uri, text, ++version);
    },
    /** Apply a code action's edit to the root file (and create files it creates), then send it. */
    apply(action: CodeAction) {
      assert.ok(action.edit, `${action.title} has an edit`);
      const files = applyWorkspaceEdit(action.edit, { [uri]: text });
      for (const [u, t] of Object.entries(files)) if (u !== uri) writeFileSync(fileURLToPath(u), t);
      this.set(files[uri]);
      return files;
    },
    wait: (pred: (d: Diagnostic[]) => boolean) => client.waitForDiagnostics(uri, pred),
  };
}

const msg = (d: Diagnostic) => (typeof d.message === 'string' ? d.message : d.message.value);
const withCode = (code: string) => (d: Diagnostic[]) => d.some((x) => x.code === code);
const withoutCode = (code: string) => (d: Diagnostic[]) => !d.some((x) => x.code === code);
const titled = (actions: CodeAction[], title: string) => {
  const a = actions.find((x) => x.title === title);
  assert.ok(a, `"${title}" among ${JSON.stringify(actions.map((x) => x.title))}`);
  return a;
};

test('the quick-fix for HELM_CHART adds it to the service\'s variables: and the warning disappears', async () => {
  const s = await session();
  const diags = await s.wait(withCode('variable-missing'));
  const d = diags.filter((x) => x.code === 'variable-missing');
  const actions = await s.client.codeActions(s.uri, d);
  const fix = titled(actions, 'Add missing variable HELM_CHART to variables:');
  assert.equal(fix.kind, 'quickfix');
  assert.equal(fix.isPreferred, true);
  assert.deepEqual(fix.diagnostics?.map((x) => x.code), ['variable-missing']);
  assert.ok(fix.edit?.changes, 'a plain WorkspaceEdit for a client without snippet edits');
  const before = s.text;
  s.apply(fix);
  const expected = before.replace(
    '  LINT_PATHS: orders_api tests\n',
    "  LINT_PATHS: orders_api tests\n  # path of the service's chart in its repository, e.g. deploy/chart (cd/helm.yml, .helm-base-job)\n  HELM_CHART: \"\"\n",
  );
  assert.equal(s.text, expected);
  const fixed = await s.wait(withoutCode('variable-missing'));
  assert.deepEqual(fixed.filter((x) => x.severity === 1), []);
});

test('with LSP 3.18 snippet edits the value is a ${1:} placeholder', async () => {
  const s = await session({ capabilities: SNIPPETS });
  const d = (await s.wait(withCode('variable-missing'))).filter((x) => x.code === 'variable-missing');
  const fix = titled(await s.client.codeActions(s.uri, d), 'Add missing variable HELM_CHART to variables:');
  const docEdit = fix.edit?.documentChanges?.[0] as TextDocumentEdit;
  const snippet = (docEdit.edits[0] as unknown as { snippet: { kind: string; value: string } }).snippet;
  assert.equal(snippet.kind, 'snippet');
  assert.match(snippet.value, /^ {2}# path of the service's chart .*\n {2}HELM_CHART: "\$\{1:\}"\n$/);
  s.apply(fix);
  assert.ok(s.text.includes('  HELM_CHART: ""\n'));
  await s.wait(withoutCode('variable-missing'));
});

test('xfenix jobs.yml as the central library: "add all" puts shared variables at the top, one job\'s in its variables:', async () => {
  const consumer = readFileSync(join(xfenix, 'cases', 'consumer-project-include', '.gitlab-ci.yml'), 'utf8');
  const s = await session({ consumer, settings: { localProjects: { 'xfenix/pycon2022@master': join(xfenix, 'repo') } } });
  const diags = (await s.wait(withCode('variable-missing'))).filter((x) => x.code === 'variable-missing');
  const names = [...new Set(diags.map((x) => msg(x).split(' ')[0]))].sort();
  assert.deepEqual(names, ['COVERAGE_FILE_NAME', 'DOCKER_REGISTRY_PASSWORD', 'DOCKER_REGISTRY_USER', 'EXTRA_MYPY_ARGS', 'JUNIT_FILE_NAME', 'OUT_DIR_IN_DOCKER', 'PROJECT_SLUG', 'PYLINT_ARGS']);
  const junit = diags.find((x) => msg(x).startsWith('JUNIT_FILE_NAME'))!;
  assert.equal(s.text.split('\n')[junit.range.start.line].trim(), 'extends: .python-test-job');
  assert.match(msg(junit), /^JUNIT_FILE_NAME is not set: \.python-test-job in jobs\.yml needs it$/);

  const one = titled(await s.client.codeActions(s.uri, [junit]), 'Add missing variable JUNIT_FILE_NAME to the variables of test-python');
  assert.ok(one);
  const all = titled(await s.client.codeActions(s.uri, diags), `Add all ${names.length} missing variables`);
  s.apply(all);
  const lines = s.text.split('\n');
  const top = lines.indexOf('variables:');
  assert.ok(top > 0 && top < lines.indexOf('test-python:'), 'a top-level variables: block before the first job');
  const job = lines.indexOf('test-python:');
  const next = lines.indexOf('lint-python:');
  assert.deepEqual(lines.slice(job, job + 4), ['test-python:', '  extends: .python-test-job', '  variables:', '    # required by .python-test-job']);
  const jobVars = lines.slice(job, next).filter((l) => /^ {4}\w+: ""$/.test(l)).sort();
  assert.deepEqual(jobVars, ['    COVERAGE_FILE_NAME: ""', '    JUNIT_FILE_NAME: ""', '    OUT_DIR_IN_DOCKER: ""']);
  for (const n of ['PROJECT_SLUG', 'DOCKER_REGISTRY_USER', 'DOCKER_REGISTRY_PASSWORD']) assert.ok(lines.slice(top, job).includes(`  ${n}: ""`), n);
  await s.wait(withoutCode('variable-missing'));
});

test('did-you-mean for a misspelled extends and needs', async () => {
  const s = await session();
  const original = s.text;
  s.set(original.replace('extends: .python-test-job', 'extends: .python-tset-job'));
  const d = (await s.wait(withCode('extends-unknown'))).filter((x) => x.code === 'extends-unknown');
  const fix = titled(await s.client.codeActions(s.uri, d), "Change to '.python-test-job'");
  assert.equal(fix.isPreferred, true);
  s.apply(fix);
  assert.equal(s.text, original);
  await s.wait(withoutCode('extends-unknown'));

  s.set(original.replace('  needs:\n    - python-lint\n', '  needs:\n    - "python-lnit"\n'));
  const n = (await s.wait(withCode('needs-unknown'))).filter((x) => x.code === 'needs-unknown');
  s.apply(titled(await s.client.codeActions(s.uri, n), "Change to 'python-lint'"));
  assert.ok(s.text.includes('    - "python-lint"\n'), 'the quotes stay');
  await s.wait(withoutCode('needs-unknown'));
});

test('a misspelled stage: did-you-mean, or add it to stages: (written in the service, the library\'s list kept)', async () => {
  const s = await session();
  const original = s.text;
  s.set(original.replace('openapi-diff:\n  stage: test\n', 'openapi-diff:\n  stage: tset\n'));
  const d = (await s.wait(withCode('stage-unknown'))).filter((x) => x.code === 'stage-unknown');
  const actions = await s.client.codeActions(s.uri, d);
  titled(actions, "Change to 'test'");
  s.apply(titled(actions, "Add stage 'tset' to stages:"));
  assert.ok(s.text.includes('stages:\n  - build\n  - test\n  - publish\n  - deploy\n  - verify\n  - tset\n\n# Contract tests'), s.text);
  await s.wait(withoutCode('stage-unknown'));
});

test('a missing include input is added to the include\'s inputs:', async () => {
  const s = await session();
  s.set(s.text.replace('      image-name: $CI_REGISTRY_IMAGE/orders-api\n', ''));
  const d = (await s.wait(withCode('input-missing'))).filter((x) => x.code === 'input-missing');
  const fix = titled(await s.client.codeActions(s.uri, d), "Add missing input 'image-name'");
  s.apply(fix);
  assert.ok(s.text.includes('        - linux/arm64\n      # Image repository without tag, e.g. $CI_REGISTRY_IMAGE/orders-api.\n      image-name: ""\n  - local: .gitlab/ci/extra.yml'), s.text);
  await s.wait(withoutCode('input-missing'));
});

test('a missing local include file is created', async () => {
  const s = await session({ capabilities: SNIPPETS });
  s.set(s.text.replace('  - local: .gitlab/ci/extra.yml\n', '  - local: .gitlab/ci/extra.yml\n  - local: .gitlab/ci/lint.yml\n'));
  const d = (await s.wait(withCode('include-missing'))).filter((x) => x.code === 'include-missing');
  const fix = titled(await s.client.codeActions(s.uri, d), 'Create .gitlab/ci/lint.yml');
  const created = join(s.folder, '.gitlab', 'ci', 'lint.yml');
  assert.ok(!existsSync(created));
  s.apply(fix);
  assert.ok(existsSync(created));
  const diags = await s.wait(withoutCode('include-missing'));
  assert.deepEqual(diags.filter((x) => x.severity === 1), []);
});
