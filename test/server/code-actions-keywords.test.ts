/**
 * Quick-fixes for the findings of the validation stage, over LSP with the real server: a typo'd
 * key becomes the closest keyword, a value outside a fixed set one of the allowed values,
 * `start_in` gets its `when: delayed`; `rules` with `only` gets no automatic fix. Each fix applied
 * clears its finding.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol/node';
import { tempFolder } from '../support/cli.js';
import { LspClient } from '../support/lsp-client.js';
import { applyWorkspaceEdit } from '../support/workspace-edit.js';

const clients: LspClient[] = [];
after(async () => {
  for (const c of clients) await c.close();
});

/** A folder with these files, a server on it, and its `.gitlab-ci.yml` open. */
async function session(root: string, others: Record<string, string> = {}) {
  const folder = tempFolder({ '.gitlab-ci.yml': root, ...others }, 'gcp-keyword-fixes-');
  const client = new LspClient();
  clients.push(client);
  await client.initialize(folder);
  const uri = pathToFileURL(join(folder, '.gitlab-ci.yml')).href;
  let text = root;
  let version = 1;
  client.open(uri, text);
  return {
    client,
    uri,
    get text() {
      return text;
    },
    apply(a: CodeAction) {
      assert.ok(a.edit, `${a.title} has an edit`);
      text = applyWorkspaceEdit(a.edit, { [uri]: text })[uri];
      client.change(uri, text, ++version);
    },
    wait: (pred: (d: Diagnostic[]) => boolean) => client.waitForDiagnostics(uri, pred),
  };
}

const kind = (d: Diagnostic) => (d.data as { kind?: string } | undefined)?.kind;
const ofKind = (k: string) => (ds: Diagnostic[]) => ds.filter((d) => kind(d) === k);
const titles = (actions: CodeAction[]) => actions.map((a) => a.title);

test('unknown key `scirpt:` → "Change to `script`", preferred; applied, the finding is gone', async () => {
  const s = await session('stages: [build]\nbuild:\n  stage: build\n  scirpt:\n    - make\n');
  const [d] = ofKind('unknown-keys')(await s.wait((ds) => ofKind('unknown-keys')(ds).length > 0));
  assert.match(typeof d.message === 'string' ? d.message : '', /jobs:build config contains unknown keys: scirpt/);
  const actions = await s.client.codeActions(s.uri, [d]);
  const fix = actions.find((a) => a.title === 'Change to `script`');
  assert.ok(fix, JSON.stringify(titles(actions)));
  assert.equal(fix!.kind, 'quickfix');
  assert.equal(fix!.isPreferred, true);
  s.apply(fix!);
  assert.equal(s.text, 'stages: [build]\nbuild:\n  stage: build\n  script:\n    - make\n');
  const after = await s.wait((ds) => ofKind('unknown-keys')(ds).length === 0);
  assert.deepEqual(after.filter((x) => x.severity === 1), []);
});

test('unknown keys in nested entries: `enviroment:` and `artefacts:` in a job, `expir_in:` in artifacts', async () => {
  const s = await session('job:\n  script: [x]\n  enviroment: production\n  artefacts:\n    paths: [out]\nother:\n  script: [x]\n  artifacts:\n    paths: [out]\n    expir_in: 1 week\n');
  const found = ofKind('unknown-keys')(await s.wait((ds) => ofKind('unknown-keys')(ds).length >= 3));
  const byKey = (k: string) => found.find((d) => (d.data as { keys: string[] }).keys[0] === k)!;
  const preferred = async (k: string) => (await s.client.codeActions(s.uri, [byKey(k)])).find((a) => a.isPreferred);
  assert.equal((await preferred('enviroment'))?.title, 'Change to `environment`');
  assert.equal((await preferred('artefacts'))?.title, 'Change to `artifacts`');
  const exp = (await preferred('expir_in'))!;
  assert.equal(exp?.title, 'Change to `expire_in`');
  s.apply(exp);
  assert.match(s.text, /\n {4}expire_in: 1 week\n$/);
  await s.wait((ds) => ofKind('unknown-keys')(ds).length === 2);
});

test('invalid value `when: manually` → one action per allowed value, `manual` preferred', async () => {
  const s = await session('deploy:\n  script: [deploy]\n  when: manually\n');
  const [d] = ofKind('invalid-value')(await s.wait((ds) => ofKind('invalid-value')(ds).length > 0));
  const allowed = (d.data as { allowed: string[] }).allowed;
  assert.ok(allowed.includes('manual') && allowed.includes('on_success'), JSON.stringify(allowed));
  const actions = await s.client.codeActions(s.uri, [d]);
  assert.deepEqual(titles(actions), allowed.map((v) => `Change to \`${v}\``));
  assert.deepEqual(actions.filter((a) => a.isPreferred).map((a) => a.title), ['Change to `manual`']);
  s.apply(actions.find((a) => a.title === 'Change to `manual`')!);
  assert.equal(s.text, 'deploy:\n  script: [deploy]\n  when: manual\n');
  await s.wait((ds) => ofKind('invalid-value')(ds).length === 0);
});

test('a quoted invalid value keeps its quotes: cache `policy: "pul"` → `"pull"`', async () => {
  const s = await session('job:\n  script: [x]\n  cache:\n    key: k\n    paths: [p]\n    policy: "pul"\n');
  const [d] = ofKind('invalid-value')(await s.wait((ds) => ofKind('invalid-value')(ds).length > 0));
  const actions = await s.client.codeActions(s.uri, [d]);
  assert.equal(actions.find((a) => a.isPreferred)?.title, 'Change to `pull`', JSON.stringify(titles(actions)));
  s.apply(actions.find((a) => a.isPreferred)!);
  assert.match(s.text, /\n {4}policy: "pull"\n$/);
  await s.wait((ds) => ofKind('invalid-value')(ds).length === 0);
});

test('`start_in` without `when: delayed` → "Add `when: delayed`" beside it', async () => {
  const s = await session('stages: [deploy]\nlater:\n  stage: deploy\n  start_in: 30 minutes\n  script: [deploy]\n');
  const [d] = ofKind('start-in-without-delayed')(await s.wait((ds) => ofKind('start-in-without-delayed')(ds).length > 0));
  const actions = await s.client.codeActions(s.uri, [d]);
  const fix = actions.find((a) => a.title === 'Add `when: delayed`');
  assert.ok(fix, JSON.stringify(titles(actions)));
  s.apply(fix!);
  assert.equal(s.text, 'stages: [deploy]\nlater:\n  stage: deploy\n  start_in: 30 minutes\n  when: delayed\n  script: [deploy]\n');
  const after = await s.wait((ds) => ofKind('start-in-without-delayed')(ds).length === 0);
  assert.deepEqual(after.filter((x) => x.severity === 1), []);
});

test('`start_in` with `when: manual` → the `when:` written there becomes `delayed`', async () => {
  const s = await session('later:\n  when: manual\n  script: [deploy]\n  start_in: 1 hour\n');
  const [d] = ofKind('start-in-without-delayed')(await s.wait((ds) => ofKind('start-in-without-delayed')(ds).length > 0));
  const actions = await s.client.codeActions(s.uri, [d]);
  const fix = actions.find((a) => /when: delayed/.test(a.title));
  assert.ok(fix, JSON.stringify(titles(actions)));
  s.apply(fix!);
  assert.equal(s.text, 'later:\n  when: delayed\n  script: [deploy]\n  start_in: 1 hour\n');
  await s.wait((ds) => ofKind('start-in-without-delayed')(ds).length === 0);
});

test('`rules` with `only` in one job: no automatic fix, the message says what to keep', async () => {
  const s = await session('job:\n  script: [x]\n  rules:\n    - if: $CI_COMMIT_TAG\n  only: [main]\n');
  const [d] = ofKind('rules-with-only-except')(await s.wait((ds) => ofKind('rules-with-only-except')(ds).length > 0));
  assert.match(typeof d.message === 'string' ? d.message : '', /rules/);
  assert.equal((d.data as { keep: string }).keep, 'rules');
  assert.deepEqual(titles(await s.client.codeActions(s.uri, [d])), []);
});

test('a typo a job inherits from an included template: fixed where it is written, not on the job', async () => {
  const s = await session('include:\n  - local: ci/templates.yml\nbuild:\n  extends: .tpl\n', { 'ci/templates.yml': '.tpl:\n  scirpt: [make]\n' });
  const onJob = ofKind('unknown-keys')(await s.wait((ds) => ofKind('unknown-keys')(ds).length > 0));
  assert.ok(onJob.length > 0);
  assert.deepEqual(titles(await s.client.codeActions(s.uri, onJob)), [], 'the job\'s name is not the key to change');
  const tplUri = s.uri.replace(/\.gitlab-ci\.yml$/, 'ci/templates.yml');
  const tplText = '.tpl:\n  scirpt: [make]\n';
  s.client.open(tplUri, tplText);
  const [d] = ofKind('unknown-keys')(await s.client.waitForDiagnostics(tplUri, (ds) => ofKind('unknown-keys')(ds).length > 0));
  const actions = await s.client.codeActions(tplUri, [d]);
  const fix = actions.find((a) => a.title === 'Change to `script`');
  assert.ok(fix, JSON.stringify(titles(actions)));
  assert.equal(applyWorkspaceEdit(fix!.edit!, { [tplUri]: tplText })[tplUri], '.tpl:\n  script: [make]\n');
});
