import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keywordAt, keywordDocs, keywordEntries, keywordOfValue, keywordSetAt, keywordsAt } from '../../server/src/features/shared/keyword-docs.js';

const WHERE: [string, (string | number)[], string | undefined][] = [
  ['the top level', [], 'root'],
  ['a job', ['build'], 'job'],
  ['a hidden job', ['.tpl'], 'job'],
  ['default:', ['default'], 'default'],
  ['an include item', ['include', 2], 'include'],
  ['a single include hash', ['include'], 'include'],
  ['an include rule', ['include', 0, 'rules', 1], 'include-rule'],
  ['workflow', ['workflow'], 'workflow'],
  ['a workflow rule', ['workflow', 'rules', 0], 'workflow-rule'],
  ['a job rule', ['build', 'rules', 3], 'rule'],
  ['artifacts', ['build', 'artifacts'], 'artifacts'],
  ['artifacts:reports', ['build', 'artifacts', 'reports'], 'reports'],
  ['cache as a list', ['build', 'cache', 1], 'cache'],
  ['a service', ['default', 'services', 0], 'service'],
  ['a needs item', ['deploy', 'needs', 0], 'need'],
  ['a rich global variable', ['variables', 'PYTHON_VERSION'], 'variable'],
  ['a rich job variable', ['build', 'variables', 'X'], 'job-variable'],
  ['a rule\'s changes:', ['build', 'rules', 0, 'changes'], 'rule-changes'],
  ['cache:key', ['build', 'cache', 'key'], 'cache-key'],
  ['environment:kubernetes', ['deploy', 'environment', 'kubernetes'], 'kubernetes'],
  ['trigger:include item', ['child', 'trigger', 'include', 0], 'trigger-include'],
  ['an input spec', ['spec', 'inputs', 'stage'], 'input'],
  ['deprecated top-level cache', ['cache'], 'cache'],
  ['the keys of variables: (names, not keywords)', ['variables'], undefined],
  ['stages', ['stages'], undefined],
  ['a script item', ['build', 'script', 0], undefined],
];

for (const [name, path, set] of WHERE) {
  test(`keywordSetAt: ${name}`, () => assert.equal(keywordSetAt(path), set));
}

test('default: allows only the keywords a job inherits', () => {
  const names = keywordsAt(['default']).map((d) => d.name);
  assert.ok(names.includes('image') && names.includes('retry') && names.includes('tags'));
  assert.ok(!names.includes('script') && !names.includes('stage') && !names.includes('rules'));
});

test('every keyword has a short doc and a docs link, and names are unique per entry', () => {
  for (const set of keywordEntries()) {
    const docs = keywordDocs(set);
    assert.equal(new Set(docs.map((d) => d.name)).size, docs.length, set);
    for (const d of docs) {
      assert.ok(d.doc.length > 10 && d.doc.length < 200, `${set}.${d.name}`);
      // The keyword reference, or a page of its own for a keyword it does not describe (job inputs).
      assert.match(d.url, /^https:\/\/docs\.gitlab\.com\/ci\/(yaml\/#[a-z0-9_-]+|[a-z_]+\/[a-z_]+\/)$/, `${set}.${d.name}`);
    }
  }
});

test('a job offers the keys of a job and of a trigger job', () => {
  const names = keywordsAt(['build']).map((d) => d.name);
  assert.ok(names.includes('script') && names.includes('trigger') && names.includes('start_in'));
  assert.equal(keywordAt(['build'], 'artifacts')!.url, 'https://docs.gitlab.com/ci/yaml/#artifacts');
  assert.equal(keywordAt(['build', 'artifacts'], 'expire_in')!.url, 'https://docs.gitlab.com/ci/yaml/#artifactsexpire_in');
});

test('keyword values: when at job level, in a rule, in artifacts; retry:when list items', () => {
  assert.ok(keywordOfValue(['build', 'when'])!.values!.includes('manual'));
  assert.ok(keywordOfValue(['build', 'rules', 0, 'when'])!.values!.includes('never'));
  assert.deepEqual(keywordOfValue(['build', 'artifacts', 'when'])!.values, ['on_success', 'on_failure', 'always']);
  assert.ok(keywordOfValue(['build', 'retry', 'when', 1])!.values!.includes('runner_system_failure'));
  assert.deepEqual(keywordOfValue(['workflow', 'rules', 0, 'when'])!.values, ['always', 'never']);
  assert.equal(keywordOfValue(['build', 'script', 0])?.name, 'script');
  assert.equal(keywordOfValue(['build', 'script', 0])?.values, undefined);
  assert.equal(keywordOfValue(['variables', 'X']), undefined);
  assert.equal(keywordAt(['build'], 'not_a_keyword'), undefined);
});
