/**
 * The top level, rules and includes against GitLab's entries: workflow rules' extra keys, rules'
 * `changes:`/`exists:` shapes, `start_in` without `when: delayed`, include rules checked before
 * evaluation, include entries' matching, only/except hashes, keys without a value, the rules of
 * `spec:inputs`. Each rejected configuration has an accepted counterpart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandFiles, spanText } from '../support/engine.js';

const JOB = 'j:\n  script: x\n';
const errorsOf = async (files: Record<string, string>) => (await expandFiles(files)).diagnostics.filter((d) => d.severity === 'error');
const messages = async (yaml: string, files: Record<string, string> = {}) => (await errorsOf({ '.gitlab-ci.yml': yaml, ...files })).map((d) => d.message);
const rule = (body: string) => `j:\n  script: x\n  rules:\n    - ${body}\n`;

test('workflow rules take start_in, allow_failure and needs (GitLab keeps them allowed), checked like job rules', async () => {
  assert.deepEqual(await messages(`workflow:\n  rules:\n    - if: $A\n      allow_failure: true\n      needs: [j]\n${JOB}`), []);
  assert.deepEqual(await messages(`workflow:\n  rules:\n    - if: $A\n      allow_failure: yes please\n${JOB}`), ['workflow:rules:rule allow failure should be a boolean value']);
  assert.deepEqual(await messages(`workflow:\n  rules:\n    - if: $A\n      start_in: 1 day\n${JOB}`), ['workflow:rules:rule config contains disallowed keys: start_in']);
  assert.deepEqual(await messages(`workflow:\n  rules:\n    - if: $A\n      interruptible: true\n${JOB}`), ['workflow:rules:rule config contains unknown keys: interruptible']);
});

test('a rule with start_in but no when: delayed: disallowed key, on the key', async () => {
  const p = await expandFiles({ '.gitlab-ci.yml': rule('if: $A\n      start_in: 1 day') });
  const d = p.diagnostics.find((x) => x.code === 'start-in-without-delayed')!;
  assert.equal(d.message, 'jobs:j:rules:rule config contains disallowed keys: start_in');
  assert.equal(spanText(p, d.span), 'start_in');
  assert.deepEqual(await messages(rule('if: $A\n      when: delayed\n      start_in: 1 day')), []);
});

test('rules: [] is blank', async () => {
  assert.deepEqual(await messages('j:\n  script: x\n  rules: []\n'), ["jobs:j:rules config can't be blank"]);
  assert.deepEqual(await messages(`workflow:\n  rules: []\n${JOB}`), ["workflow:rules config can't be blank"]);
});

test('changes: a list or a hash of paths (required, a list) and compare_to', async () => {
  assert.deepEqual(await messages(rule('changes: src/a.rb')), ['jobs:j:rules:rule:changes should be an array or a hash']);
  assert.deepEqual(await messages(rule('changes: {paths: src/a.rb}')), ['jobs:j:rules:rule:changes paths should be an array of strings']);
  assert.deepEqual(await messages(rule('changes: {paths: null}')), ['jobs:j:rules:rule:changes paths should be an array of strings']);
  const many = JSON.stringify(Array.from({ length: 51 }, (_, i) => `f${i}`));
  assert.deepEqual(await messages(rule(`changes: {paths: ${many}}`)), ['jobs:j:rules:rule:changes paths has too many entries (maximum 50)']);
  assert.deepEqual(await messages(rule(`changes: ${many}`)), ['jobs:j:rules:rule:changes config has too many entries (maximum 50)']);
  assert.deepEqual(await messages(rule('changes: {compare_to: main}')), ['jobs:j:rules:rule:changes config missing required keys: paths']);
  assert.deepEqual(await messages(rule('changes: {paths: [src/a.rb], compare_to: main}')), []);
  assert.deepEqual(await messages(rule('changes: [src/a.rb]')), []);
});

test('exists: a string, a list, or a hash of paths, project and ref (ref needs project)', async () => {
  assert.deepEqual(await messages(rule('exists: 5')), ['jobs:j:rules:rule:exists should be a string, an array of strings, or a hash']);
  assert.deepEqual(await messages(rule('exists: {paths: [a], ref: main}')), ['jobs:j:rules:rule:exists config missing required keys: project']);
  assert.deepEqual(await messages(rule('exists: {paths: a}')), ['jobs:j:rules:rule:exists paths should be an array of strings']);
  assert.deepEqual(await messages(rule('exists: {paths: [a], project: [g/p]}')), ['jobs:j:rules:rule:exists project should be a string']);
  assert.deepEqual(await messages(rule('exists: {paths: null}')), []);
  assert.deepEqual(await messages(rule('exists: {paths: [a], project: g/p, ref: main}')), []);
  assert.deepEqual(await messages(rule('exists: Gemfile')), []);
});

test('include rules are all checked before any is evaluated (include:rules / include:rule messages)', async () => {
  const inc = (rules: string) => `include:\n  - local: a.yml\n    rules:\n${rules}${JOB}`;
  const files = { 'a.yml': 'k:\n  script: y\n' };
  // The first rule does not match, GitLab still rejects the second one.
  assert.deepEqual(await messages(inc('      - if: $NOPE\n      - when: on_success\n'), files), ['include:rule when unknown value: on_success']);
  assert.deepEqual(await messages(inc('      - exists: 5\n'), files), ['include:rule:exists should be a string, an array of strings, or a hash']);
  assert.deepEqual(await messages('include:\n  - local: a.yml\n    rules: {if: $A}\n' + JOB, files), ['include:rules config should be an array']);
  assert.deepEqual(await messages('include:\n  - local: a.yml\n    rules: [x]\n' + JOB, files), ['include:rule config should be a hash']);
  // Nested lists are flattened; `when:` without a value is no value.
  const p = await expandFiles({ '.gitlab-ci.yml': inc('      - [{when: null}]\n'), ...files });
  assert.deepEqual(p.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.ok(p.jobs.has('k'), 'the file is included');
});

test('include entries: a file class matches on a present location; locations must be strings', async () => {
  const files = { 'a.yml': 'k:\n  script: y\n' };
  const VALID = 'Valid subkeys are: `local`, `project`, `remote`, `template`, `artifact`, `component`';
  assert.deepEqual(await messages(`include:\n  - project: g/p\n${JOB}`), [`\`{"project":"g/p"}\` does not have a valid subkey for include. ${VALID}`]);
  assert.deepEqual(await messages(`include:\n  - local: ""\n${JOB}`), [`\`{"local":""}\` does not have a valid subkey for include. ${VALID}`]);
  assert.deepEqual(await messages(`include:\n  - local: [a.yml]\n${JOB}`, files), ['Included file `["a.yml"]` needs to be a string']);
  assert.deepEqual(await messages(`include:\n  - local: a.yml\n    remote: ""\n${JOB}`, files), []);
  assert.deepEqual(await messages(`include:\n  - artifact: gen.yml\n${JOB}`), ['Job must be provided when including configs from artifacts']);
  assert.deepEqual(await messages(`include:\n  - artifact: gen.yml\n    job: make\n${JOB}`), []);
  assert.deepEqual(await messages(`include:\n  - artifact: gen.yml\n    job: make\n    local: a.yml\n${JOB}`, files), ['Each include must use only one of: `local`, `project`, `remote`, `template`, `artifact`, `component`']);
  assert.deepEqual(await messages(`include:\n${JOB}`), []);
  assert.deepEqual(await messages(`include:\n  - project: g/p\n    file: []\n${JOB}`), []);
});

test('only/except hashes: refs, variables and changes are lists; an empty hash is blank', async () => {
  const only = (v: string) => `j:\n  script: x\n  only: ${v}\n`;
  assert.deepEqual(await messages(only('{refs: main}')), ['jobs:j:only refs should be an array of strings or regular expressions using re2 syntax']);
  assert.deepEqual(await messages(only('{variables: $A}')), ['jobs:j:only variables should be an array of strings']);
  assert.deepEqual(await messages(only('{changes: a.txt}')), ['jobs:j:only changes should be an array of strings']);
  assert.deepEqual(await messages(only('{kubernetes: inactive}')), ['jobs:j:only kubernetes unknown value: inactive']);
  assert.deepEqual(await messages(only('{}')), ["jobs:j:only config can't be blank"]);
  assert.deepEqual(await messages(only('{refs: [main, /^release/], variables: [$A == "b"], changes: [a.txt], kubernetes: active}')), []);
});

test('workflow:, default: and stages: without a value are unspecified', async () => {
  assert.deepEqual(await messages(`workflow:\ndefault:\nstages:\n${JOB}`), []);
  assert.deepEqual(await messages(`workflow: build\n${JOB}`), ['workflow config should be a hash']);
  assert.deepEqual(await messages(`default: []\n${JOB}`), ['default config should be a hash']);
});

test('spec:inputs rules as Header::Input::Rules checks them; options without null values', async () => {
  const withHeader = (spec: string) => messages('include:\n  - local: t.yml\n', { 't.yml': `spec:\n  inputs:\n${spec}---\nk:\n  script: y\n` });
  assert.deepEqual(await withHeader('    a:\n      rules: {if: x}\n'), ['`t.yml`: header:spec:inputs:a:rules config should be an array']);
  assert.deepEqual(await withHeader('    a:\n      rules:\n        - default: c\n'), ["`t.yml`: header:spec:inputs:a:rules:rule config fallback rule must define 'options'"]);
  assert.deepEqual(await withHeader('    b: {default: x}\n    a:\n      rules:\n        - if: $[[ inputs.b ]] == "x"\n        - options: [c]\n'), ["`t.yml`: header:spec:inputs:a:rules:rule config rule with 'if' must define 'options' or 'default'"]);
  assert.deepEqual(await withHeader('    a:\n      rules:\n        - options: [c]\n          when: always\n'), ['`t.yml`: header:spec:inputs:a:rules:rule config contains unknown keys: when']);
  assert.deepEqual(await withHeader('    a:\n      options: [x, null]\n      default: x\n'), ['`t.yml`: header:spec:inputs:a config options array cannot contain null values']);
  assert.deepEqual(await withHeader('    b:\n      default: x\n    a:\n      rules:\n        - if: $[[ inputs.b ]] == "x"\n          options: [c, d]\n          default: c\n        - [{options: [e]}]\n'), []);
});

test('a blank include string is a local include no file class matches', async () => {
  assert.deepEqual(await messages(`include:\n  - ""\n${JOB}`), ['`{"local":""}` does not have a valid subkey for include. Valid subkeys are: `local`, `project`, `remote`, `template`, `artifact`, `component`']);
  assert.deepEqual(await messages(`include:\n  - a.yml\n${JOB}`, { 'a.yml': 'k:\n  script: y\n' }), []);
});

test('spec: in a single document is not a header: GitLab reads it as a job without script', async () => {
  const p = await expandFiles({ '.gitlab-ci.yml': `spec:\n  inputs:\n    a:\n${JOB}` });
  const errs = p.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errs.map((d) => d.message), ['jobs spec config should implement the script:, run:, or trigger: keyword']);
  assert.equal(spanText(p, errs[0].span), 'spec');
  assert.deepEqual(await messages(`spec:\n  inputs:\n    a:\n      default: x\n---\n${JOB}`), []);
});

test('rules variables take plain values only (Entry::Variables without value data)', async () => {
  assert.deepEqual(await messages(rule('if: $A\n      variables: {A: {value: x}}')), ['jobs:j:rules:rule:variables:A config must be a string']);
  assert.deepEqual(await messages(`workflow:\n  rules:\n    - variables: {B: [1]}\n${JOB}`), ['variable definition must be either a string or a hash']);
  assert.deepEqual(await messages(rule('if: $A\n      variables: {A: x, B: 1, C: true, D: null}')), []);
});
