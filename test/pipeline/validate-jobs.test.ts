/**
 * Jobs as a whole against GitLab's rules (Entry::Job, Entry::Bridge, Need/Needs, and
 * YamlProcessor's checks across jobs): each rejected configuration with GitLab's exact message,
 * next to an accepted counterpart so a test fails both ways.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandFiles, spanText } from '../support/engine.js';

const errors = async (yaml: string, files: Record<string, string> = {}) =>
  (await expandFiles({ '.gitlab-ci.yml': yaml, ...files })).diagnostics.filter((d) => d.severity === 'error');
const messages = async (yaml: string) => (await errors(yaml)).map((d) => d.message);

test('script with trigger: a Job (script wins) that takes no trigger, and the keys are exclusive', async () => {
  assert.deepEqual(await messages('a:\n  script: x\n  trigger: foo/bar\n'), [
    'jobs:a config contains unknown keys: trigger',
    'jobs:a config these keys cannot be used together: script, trigger',
  ]);
  assert.deepEqual(await messages('a:\n  trigger: foo/bar\n'), []);
});

test('run excludes script, before_script and after_script', async () => {
  const run = '  run: [{name: a, script: b}]\n';
  assert.deepEqual(await messages(`a:\n  script: x\n${run}`), ['jobs:a config these keys cannot be used together: script, run']);
  assert.deepEqual(await messages(`a:\n${run}  before_script: x\n`), ['jobs:a config these keys cannot be used together: run, before_script']);
  assert.deepEqual(await messages(`a:\n  after_script: x\n${run}`), ['jobs:a config these keys cannot be used together: after_script, run']);
  assert.deepEqual(await messages(`a:\n${run}`), []);
});

test('a blank script: null or an empty string is "script can\'t be blank"', async () => {
  assert.deepEqual(await messages('a:\n  script: ~\n'), ["jobs:a script can't be blank"]);
  assert.deepEqual(await messages('a:\n  script: ""\n'), ["jobs:a script can't be blank"]);
  assert.deepEqual(await messages('a:\n  script: []\n'), ["jobs:a script can't be blank"]);
  assert.deepEqual(await messages('a:\n  script: [""]\n'), []);
});

test('a job name longer than 255 characters', async () => {
  const long = 'a'.repeat(256);
  assert.deepEqual(await messages(`${long}:\n  script: x\n`), [`jobs:${long} name is too long (maximum is 255 characters)`]);
  assert.deepEqual(await messages(`${'a'.repeat(255)}:\n  script: x\n`), []);
});

test('a trigger job: when values in GitLab\'s words, no start_in check', async () => {
  assert.deepEqual(await messages('a:\n  trigger: foo/bar\n  when: delayed\n'), ['jobs:a when should be one of: on_success, on_failure, always, manual']);
  assert.deepEqual(await messages('a:\n  trigger: foo/bar\n  when: manual\n'), []);
});

test('needs:pipeline makes a bridge (at most one), and a script job cannot use it', async () => {
  assert.deepEqual(await messages('a:\n  needs: {pipeline: $UP}\nb:\n  needs: [{pipeline: $UP}]\n'), []);
  assert.deepEqual(await messages('a:\n  needs: [{pipeline: $X}, {pipeline: $Y}]\n'), ['jobs:a config should contain at most one bridge need']);
  assert.deepEqual(await messages('b:\n  script: x\na:\n  needs: [b]\n'), ['jobs:a config should contain either a trigger or a needs:pipeline']);
  const p = await expandFiles({ '.gitlab-ci.yml': 'a:\n  script: x\n  needs: [{pipeline: $X}]\n' });
  const d = p.diagnostics.filter((x) => x.severity === 'error');
  assert.deepEqual(d.map((x) => [x.message, spanText(p, x.span)]), [['jobs:a:needs config uses invalid types: bridge', 'needs']]);
});

test('a trigger job takes no cross-project need', async () => {
  const yaml = 'd:\n  script: x\nc:\n  trigger: a/b\n  needs: [{job: d, project: x/y, ref: main}]\n';
  assert.deepEqual(await messages(yaml), ['jobs:c:needs config uses invalid types: cross_dependency']);
  assert.deepEqual(await messages(yaml.replace('{job: d, project: x/y, ref: main}', 'd')), []);
});

test('needs entries: each kind takes its keys and requires its values', async () => {
  const job = (need: string) => `b:\n  script: x\na:\n  script: x\n  needs: [${need}]\n`;
  assert.deepEqual(await messages(job('{job: b, ref: main}')), ["jobs:a:needs:need project can't be blank"]);
  assert.deepEqual(await messages(job('{job: b, project: x/y}')), ["jobs:a:needs:need ref can't be blank"]);
  assert.deepEqual(await messages(job('{job: b, project: x/y, ref: main}')), []);
  // A cross-pipeline need takes optional (Need::CrossPipelineDependency), not parallel.
  assert.deepEqual(await messages(job('{job: b, pipeline: $P, optional: true}')), []);
  assert.deepEqual(await messages(job('{job: b, pipeline: $P, parallel: {matrix: [{A: x}]}}')), ['jobs:a:needs:need config contains unknown keys: parallel']);
  assert.deepEqual(await messages(job('{job: b, pipeline: $P}')), []);
  assert.deepEqual(await messages(job('""')), ["jobs:a:needs:need config can't be blank"]);
  assert.deepEqual(await messages(job('~')), ['jobs:a:needs:need has an unsupported type']);
});

test('needs: parallel as a number is refused by needs', async () => {
  const yaml = 'b:\n  script: x\n  parallel: 2\na:\n  script: x\n  needs: [{job: b, parallel: 2}]\n';
  assert.deepEqual(await messages(yaml), ['jobs:a:needs config cannot use "parallel: <number>".']);
  assert.deepEqual(await messages(yaml.replace('{job: b, parallel: 2}', 'b')), []);
});

test('cross-pipeline and cross-project needs are limited to 5 each', async () => {
  const needs = (n: number, m: number) => [...Array(n).keys()].map((i) => `{job: j, pipeline: "${i}"}`).concat([...Array(m).keys()].map((i) => `{job: j, project: p${i}, ref: main}`)).join(', ');
  assert.deepEqual(await messages(`a:\n  script: x\n  needs: [${needs(5, 5)}]\n`), []);
  assert.deepEqual(await messages(`a:\n  script: x\n  needs: [${needs(6, 0)}]\n`), ['jobs:a:needs config must be less than or equal to 5']);
  assert.deepEqual(await messages(`a:\n  script: x\n  needs: [${needs(0, 6)}]\n`), ['jobs:a:needs config must be less than or equal to 5']);
});

test('dependencies of the same stage are allowed; of a later stage are not', async () => {
  assert.deepEqual(await messages('a:\n  script: x\nb:\n  script: x\n  dependencies: [a]\n'), []);
  assert.deepEqual(await messages('a:\n  stage: deploy\n  script: x\nb:\n  script: x\n  dependencies: [a]\n'), ['b job: dependency a is not defined in current or prior stages']);
});

test('dependencies with needs: empty needs do not restrict; only cross needs are refused', async () => {
  assert.deepEqual(await messages('a:\n  script: x\nb:\n  script: x\n  needs: []\n  dependencies: [a]\n'), []);
  assert.deepEqual(await messages('a:\n  script: x\nb:\n  script: x\n  needs: [{job: x, project: p/q, ref: main}]\n  dependencies: [a]\n'), [
    'jobs:b needs corresponding to dependencies must be from the same pipeline',
  ]);
});

test('a needs list names a job once', async () => {
  const p = await expandFiles({ '.gitlab-ci.yml': 'a:\n  script: x\nb:\n  script: x\n  needs: [a, {job: a, optional: true}]\n' });
  const d = p.diagnostics.filter((x) => x.severity === 'error');
  assert.deepEqual(d.map((x) => [x.message, spanText(p, x.span)]), [['b has the following needs duplicated: a.', 'a']]);
  assert.deepEqual(await messages('a:\n  script: x\nb:\n  script: x\n  rules: [{needs: [a, a]}]\n'), ['b has the following needs duplicated: a.']);
  assert.deepEqual(await messages('a:\n  script: x\nb:\n  script: x\n  needs: [a]\n'), []);
});

test('circular needs: the cycle in the order GitLab\'s TSort enters it', async () => {
  assert.deepEqual(await messages('a:\n  script: x\n  needs: [c]\nb:\n  script: x\n  needs: [a]\nc:\n  script: x\n  needs: [b]\n'), [
    'The pipeline has circular dependencies: topological sort failed: ["a", "c", "b"]',
  ]);
  assert.deepEqual(await messages('a:\n  script: x\nb:\n  script: x\n  needs: [a]\nc:\n  script: x\n  needs: [a, b]\n'), []);
});

test('on_stop: the stop job has the same environment name; a variable is not expanded', async () => {
  const yaml = 'a:\n  script: x\n  environment: {name: review, on_stop: b}\nb:\n  script: x\n  environment: {name: other, action: stop}\n';
  assert.deepEqual(await messages(yaml), ['a job: on_stop job b have different environment name']);
  assert.deepEqual(await messages(yaml.replace('name: other', 'name: review')), []);
  assert.deepEqual(await messages('a:\n  script: x\n  environment: {name: review, on_stop: $STOP}\n'), ['a job: on_stop job $STOP is not defined']);
  assert.deepEqual(await messages('a:\n  script: x\n  environment: {name: review, on_stop: b}\nb:\n  script: x\n  environment: review\n'), [
    'a job: on_stop job b needs to have action stop defined',
  ]);
});

test('a dynamic child pipeline depends on the job that writes its artifact', async () => {
  const yaml = 'gen:\n  stage: build\n  script: x\nt:\n  trigger:\n    include: [{artifact: c.yml, job: gen}]\n';
  assert.deepEqual(await messages(yaml), []);
  assert.deepEqual(await messages(yaml.replace('job: gen', 'job: nope')), ['t job: undefined dependency: nope']);
  assert.deepEqual(await messages(yaml.replace('stage: build', 'stage: deploy')), ['t job: dependency gen is not defined in current or prior stages']);
});

test('pages: publish and pages:publish together', async () => {
  assert.deepEqual(await messages('pages:\n  script: x\n  publish: out\n  pages: {publish: out2}\n'), ['pages job: use either pages:publish or pages:pages:publish']);
  assert.deepEqual(await messages('pages:\n  script: x\n  pages: {publish: out2}\n'), []);
});

test('stage: the Stage entry\'s own message', async () => {
  assert.deepEqual(await messages('a:\n  script: x\n  stage: [build]\n'), ['jobs:a:stage config should be a string']);
  assert.deepEqual(await messages('a:\n  script: x\n  stage: test\n'), []);
});

test('timeout: a string duration below Rails\' month; a number is not a duration', async () => {
  assert.deepEqual(await messages('a:\n  script: x\n  timeout: 100\n'), ['jobs:a:timeout config should be a duration']);
  assert.deepEqual(await messages('a:\n  script: x\n  timeout: 3 months\n'), ['jobs:a:timeout config should not exceed the limit']);
  assert.deepEqual(await messages('a:\n  script: x\n  timeout: "100"\n'), []);
  assert.deepEqual(await messages('a:\n  script: x\n  timeout: 1 month 1 hour\n'), []);
});

test('start_in: a number is not a duration; null start_in is absent', async () => {
  assert.deepEqual(await messages('a:\n  script: x\n  when: delayed\n  start_in: 60\n'), ['jobs:a start in should be a duration']);
  assert.deepEqual(await messages('a:\n  script: x\n  when: delayed\n  start_in: "60"\n'), []);
  assert.deepEqual(await messages('a:\n  script: x\n  start_in: ~\n'), []);
});

test('rules: null is no rules, and null only/except go with rules', async () => {
  assert.deepEqual(await messages('a:\n  script: x\n  rules: ~\n  only: [main]\n'), []);
  assert.deepEqual(await messages('a:\n  script: x\n  rules: [{when: always}]\n  only: ~\n'), []);
  assert.match((await messages('a:\n  script: x\n  rules: [{when: always}]\n  only: [main]\n'))[0], /^jobs:a config key may not be used with `rules`: only/);
});

test('publish: only in a pages job (a present pages:, or the job named pages unless pages: false)', async () => {
  const msg = 'jobs:a publish can only be used within a `pages` job';
  assert.deepEqual(await messages('a:\n  script: x\n  publish: out\n  pages: false\n'), [msg]);
  assert.deepEqual(await messages('a:\n  script: x\n  publish: out\n  pages: true\n'), []);
  assert.deepEqual(await messages('pages:\n  script: x\n  publish: out\n  pages: false\n'), [msg.replace('jobs:a', 'jobs:pages')]);
  assert.deepEqual(await messages('pages:\n  script: x\n  publish: out\n'), []);
});

test('needs as a hash is one need, checked across jobs like a list', async () => {
  assert.deepEqual(await messages('a:\n  script: x\n  needs: {job: nope}\n'), ['a job: undefined need: nope']);
  assert.deepEqual(await messages('b:\n  script: x\na:\n  script: x\n  needs: {job: b}\n  dependencies: [b]\n'), []);
  assert.deepEqual(await messages('b:\n  script: x\nc:\n  script: x\na:\n  script: x\n  needs: {job: b}\n  dependencies: [c]\n'), ['jobs:a dependencies the c should be part of needs']);
});
