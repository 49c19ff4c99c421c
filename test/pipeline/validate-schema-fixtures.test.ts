/**
 * Rules found by comparing GitLab's CI JSON-schema fixtures with its backend: where the backend
 * accepts what we refused, or refuses what we let through. Each rejected configuration carries
 * GitLab's exact message, next to an accepted counterpart so a test fails both ways. Our own
 * minimal cases, not GitLab's fixture files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandFiles, spanText } from '../support/engine.js';
import { keyword, keywordUrl, entry } from '../../server/src/pipeline/validate/keywords.js';

const errors = async (yaml: string) => (await expandFiles({ '.gitlab-ci.yml': yaml })).diagnostics.filter((d) => d.severity === 'error');
const messages = async (yaml: string) => (await errors(yaml)).map((d) => d.message);

test('a cross-pipeline need takes optional: (Need::CrossPipelineDependency), as a boolean', async () => {
  assert.deepEqual(await messages('a:\n  script: x\n  needs: [{pipeline: $UP, job: b, optional: true}]\n'), []);
  assert.deepEqual(await messages('a:\n  script: x\n  needs: [{pipeline: $UP, job: b, optional: maybe}]\n'), [
    'jobs:a:needs:need optional should be a boolean value',
  ]);
  assert.deepEqual(await messages('a:\n  script: x\n  needs: [{pipeline: $UP, job: b, parallel: {matrix: [{A: x}]}}]\n'), [
    'jobs:a:needs:need config contains unknown keys: parallel',
  ]);
});

test('run: a list of steps, each a function step or a script step', async () => {
  const ok = [
    '  run:\n    - name: a\n      step: gitlab.com/x/y@v1\n      inputs: {n: 1, list: [a], deep: {k: v}}\n      env: {A: "1"}\n',
    '  run:\n    - name: b\n      script: echo hi\n      env: {A: x}\n',
    '  run:\n    - name: c\n      func: ./local\n',
    '  run:\n    - name: d\n      step: {git: {url: gitlab.com/a/b, rev: v1, dir: x}}\n',
    '  run:\n    - name: e\n      step: {oci: {registry: r.io, repository: a/b, tag: "1"}}\n',
    '  run: []\n',
  ];
  for (const body of ok) assert.deepEqual(await messages(`j:\n${body}`), [], body);
  assert.deepEqual(await messages('j:\n  run: not a list\n'), ['jobs:j run value at root is not an array']);
  assert.deepEqual(await messages('j:\n  run:\n    - name: s1\n'), [
    'jobs:j run object at `/0` is missing required properties: step',
    'jobs:j run object at `/0` is missing required properties: func',
    'jobs:j run object at `/0` is missing required properties: script',
  ]);
  assert.deepEqual(await messages('j:\n  run:\n    - step: x\n'), [
    'jobs:j run object at `/0` is missing required properties: name',
    'jobs:j run object property at `/0/step` is a disallowed additional property',
    'jobs:j run object at `/0` is missing required properties: name, script',
  ]);
});

test('run: a step with both step and script, an unknown key, a bad env, a bad name', async () => {
  assert.deepEqual(await messages('j:\n  run:\n    - name: s\n      step: x\n      script: y\n'), [
    'jobs:j run object property at `/0/script` is a disallowed additional property',
    'jobs:j run object property at `/0/step` is a disallowed additional property',
  ]);
  // `action:` is not in the backend's schema (the editor schema has it).
  const action = await messages('j:\n  run:\n    - name: s\n      action: a/b@main\n');
  assert.ok(action.includes('jobs:j run object property at `/0/action` is a disallowed additional property'), action.join('\n'));
  assert.deepEqual(await messages('j:\n  run:\n    - name: s\n      script: x\n      env: {MY_VAR: 1}\n'), [
    'jobs:j run object property at `/0/script` is a disallowed additional property',
    'jobs:j run object at `/0` is missing required properties: step',
    'jobs:j run object at `/0` is missing required properties: func',
    'jobs:j run value at `/0/env/my_var` is not a string',
  ]);
  assert.deepEqual(await messages('j:\n  run:\n    - name: s\n      script: x\n      env: {MY_VAR: "1"}\n'), []);
  const bad = await messages('j:\n  run:\n    - name: 1st\n      script: ""\n');
  assert.ok(bad.includes('jobs:j run string at `/0/name` does not match pattern: ^[a-za-z_][a-za-z0-9_]*$'), bad.join('\n'));
  assert.ok(bad.includes('jobs:j run string length at `/0/script` is less than: 1'), bad.join('\n'));
  assert.deepEqual(await messages('j:\n  run:\n    - name: s\n      step: {git: {url: u}}\n'), [
    // The function step's errors (its reference: not a string, a git one without rev, not an OCI one) …
    'jobs:j run value at `/0/step` is not a string',
    'jobs:j run object at `/0/step/git` is missing required properties: rev',
    'jobs:j run object property at `/0/step/git` is a disallowed additional property',
    'jobs:j run object at `/0/step` is missing required properties: oci',
    // … then the script step's.
    'jobs:j run object property at `/0/step` is a disallowed additional property',
    'jobs:j run object at `/0` is missing required properties: script',
  ]);
});

test('run: each finding sits on the value it is about', async () => {
  const yaml = 'j:\n  run:\n    - name: s\n      script: x\n      extra: 1\n';
  const p = await expandFiles({ '.gitlab-ci.yml': yaml });
  const d = p.diagnostics.find((x) => x.message.includes('`/0/extra`'))!;
  assert.equal(spanText(p, d.span), '1');
});

test('job inputs: accepted with defaults (Entry::Job inputs, JobInput), in the keyword table', async () => {
  const ok = 'j:\n  inputs:\n    env: {default: staging, options: [staging, prod], regex: "^s"}\n    n: {type: number, default: 30}\n    b: {type: boolean, default: false}\n    l: {type: array, default: [a]}\n    s: {type: string, default: 12}\n  script: x\n';
  assert.deepEqual(await messages(ok), []);
  const kw = keyword('job', 'inputs');
  assert.ok(kw, 'inputs is a job keyword');
  assert.equal(keywordUrl(entry('job'), kw!), 'https://docs.gitlab.com/ci/jobs/job_inputs/');
  assert.equal(keyword('bridge', 'inputs'), undefined);
  assert.deepEqual(await messages('j:\n  trigger: a/b\n  inputs: {x: {default: 1}}\n'), ['jobs:j config contains unknown keys: inputs']);
});

test('job inputs: a missing default, an unknown type, unknown keys, a non-hash', async () => {
  assert.deepEqual(await messages('j:\n  inputs:\n    env: {type: string}\n  script: x\n'), [
    'jobs:j inputs `env`: required value has not been provided',
    'jobs:j:inputs:env must have a default value',
  ]);
  assert.deepEqual(await messages('j:\n  inputs:\n    d: {type: object, default: {}}\n  script: x\n'), [
    'jobs:j inputs unknown input specification for `d` (valid types: array, boolean, number, string)',
    'jobs:j:inputs:d input type unknown value: object',
  ]);
  assert.deepEqual(await messages('j:\n  inputs:\n    d: {default: a, rules: []}\n  script: x\n'), ['jobs:j:inputs:d config contains unknown keys: rules']);
  assert.deepEqual(await messages('j:\n  inputs: abc\n  script: x\n'), [
    'jobs:j:inputs config should be a hash',
    'jobs:j inputs invalid input specification: expected a hash-like object, got string',
  ]);
});

test('job inputs: defaults coerced as Ci::Inputs does (quoted numbers and booleans pass)', async () => {
  assert.deepEqual(await messages('j:\n  inputs:\n    n: {type: number, default: "30"}\n    b: {type: boolean, default: "true"}\n  script: x\n'), []);
  assert.deepEqual(await messages('j:\n  inputs:\n    n: {type: number, default: thirty}\n    b: {type: boolean, default: yes please}\n    l: {type: array, default: {k: v}}\n  script: x\n'), [
    'jobs:j inputs `n`: default value is not a number',
    'jobs:j inputs `b`: default value is not a boolean',
    'jobs:j inputs `l`: default value is not an array',
  ]);
  assert.deepEqual(await messages('j:\n  inputs:\n    e: {default: dev, options: [staging, prod]}\n  script: x\n'), [
    'jobs:j inputs `e`: `dev` cannot be used because it is not in the list of allowed options',
  ]);
  assert.deepEqual(await messages('j:\n  inputs:\n    e: {default: dev, regex: "^s"}\n  script: x\n'), [
    'jobs:j inputs `e`: default value does not match required regex pattern',
  ]);
  assert.deepEqual(await messages('j:\n  inputs:\n    b: {type: boolean, default: true, options: [true]}\n  script: x\n'), [
    'jobs:j inputs `b`: options can only be used with string and number inputs',
  ]);
});

test('run: and job inputs: messages keep the job name as written (the rest lower-cased as GitLab words it)', async () => {
  assert.deepEqual(await messages('Build:\n  run: not a list\n'), ['jobs:Build run value at root is not an array']);
  const inputs = await messages('Build:\n  script: x\n  inputs:\n    Size: {type: number}\n');
  assert.ok(inputs.length > 0 && inputs.every((m) => m.startsWith('jobs:Build')), inputs.join('\n'));
});
