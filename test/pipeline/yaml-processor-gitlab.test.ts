/**
 * The pipeline as GitLab's YamlProcessor builds and checks it (yaml_processor.rb and the entries it
 * composes): each rejected configuration with GitLab's message next to an accepted counterpart, so a
 * test fails both ways; expansions compared as plain data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandFiles, expandPlain, spanText } from '../support/engine.js';

const diagnostics = async (yaml: string, severity: 'error' | 'warning' = 'error') =>
  (await expandFiles({ '.gitlab-ci.yml': yaml })).diagnostics.filter((d) => d.severity === severity).map((d) => d.message);
const messages = (yaml: string) => diagnostics(yaml);

// ---------------------------------------------------------------- default: inheritance

test('a value taken from default: is checked once, as default:…, not again as the job\'s', async () => {
  assert.deepEqual(await messages('default:\n  cache: {untracked: true, bad: x}\na:\n  script: x\n'), ['default:cache config contains unknown keys: bad']);
  assert.deepEqual(await messages('cache: {untracked: true, bad: x}\na:\n  script: x\n'), ['cache config contains unknown keys: bad']);
  assert.deepEqual(await messages('default:\n  cache: {untracked: true}\na:\n  script: x\n'), []);
  // A template's value reaches the job through extends: the job's entry checks it.
  assert.deepEqual(await messages('.t:\n  cache: {bad: x}\na:\n  extends: .t\n  script: x\n'), [
    'jobs:a:cache config contains unknown keys: bad',
    'jobs:a:cache config contains unknown keys: bad (inherited by a)',
  ]);
});

test('run with a before_script from default: the exclusive keys are the job\'s own', async () => {
  const run = '  run: [{name: a, script: b}]\n';
  assert.deepEqual(await messages(`default:\n  before_script: [x]\na:\n${run}`), []);
  assert.deepEqual(await messages(`a:\n${run}  before_script: [x]\n`), ['jobs:a config these keys cannot be used together: run, before_script']);
});

test('hooks:pre_get_sources_script flattens nested lists as every Commands entry does, from default: too', async () => {
  const { plain, codes } = await expandPlain({ '.gitlab-ci.yml': 'default:\n  hooks: {pre_get_sources_script: [[a, [b]], c]}\nj:\n  script: x\nk:\n  script: x\n  hooks: {pre_get_sources_script: [[d], e]}\n' });
  assert.deepEqual(codes, []);
  assert.deepEqual(plain.j.hooks, { pre_get_sources_script: ['a', 'b', 'c'] });
  assert.deepEqual(plain.k.hooks, { pre_get_sources_script: ['d', 'e'] });
  assert.deepEqual(await messages('j:\n  script: x\n  hooks: {pre_get_sources_script: [1]}\n'), [
    'jobs:j:hooks:pre_get_sources_script config should be a string or a nested array of strings up to 10 levels deep',
  ]);
});

test('inherit:default decides what a job takes from default: and the top-level globals', async () => {
  const { plain } = await expandPlain({
    '.gitlab-ci.yml': 'before_script: [g]\ndefault:\n  image: i\na:\n  script: x\n  inherit: {default: false}\nb:\n  script: x\n  inherit: {default: [image]}\nc:\n  script: x\n',
  });
  assert.equal(plain.a.before_script, undefined);
  assert.equal(plain.a.image, undefined);
  assert.deepEqual([plain.b.before_script, plain.b.image], [undefined, 'i']);
  assert.deepEqual([plain.c.before_script, plain.c.image], [['g'], 'i']);
});

// ---------------------------------------------------------------- stages, needs, dependencies

test('a job without stage: is in test, which stages: may leave out', async () => {
  assert.deepEqual(await messages('stages: [build]\na:\n  script: x\n'), ['a job: chosen stage test does not exist; available stages are .pre, build, .post']);
  assert.deepEqual(await messages('stages: [build, test]\na:\n  script: x\n'), []);
  assert.deepEqual(await messages('stages: [build]\na:\n  script: x\n  stage: build\n'), []);
});

test('a needed or depended-on job in a stage that does not exist is not in current or prior stages', async () => {
  const yaml = (stage: string) => `stages: [one, two]\na:\n  stage: two\n  script: x\n  dependencies: [b]\nb:\n  stage: ${stage}\n  script: x\n`;
  assert.deepEqual(await messages(yaml('zero')), [
    'a job: dependency b is not defined in current or prior stages',
    'b job: chosen stage zero does not exist; available stages are .pre, one, two, .post',
  ]);
  assert.deepEqual(await messages(yaml('one')), []);
  const needs = (stage: string) => `stages: [one, two]\na:\n  stage: two\n  script: x\n  needs: [b]\nb:\n  stage: ${stage}\n  script: x\n`;
  assert.ok((await messages(needs('zero'))).includes('a job: need b is not defined in current or prior stages'));
  assert.deepEqual(await messages(needs('two')), []);
});

test('an optional need may be missing, but one that exists is still checked for its stage', async () => {
  const yaml = (need: string) => `a:\n  stage: build\n  script: x\n  needs: [{job: ${need}, optional: true}]\nb:\n  stage: test\n  script: x\n`;
  assert.deepEqual(await messages(yaml('b')), ['a job: need b is not defined in current or prior stages']);
  assert.deepEqual(await messages(yaml('missing')), []);
  const rule = 'a:\n  stage: build\n  script: x\n  rules: [{needs: [{job: b, optional: true}]}]\nb:\n  stage: test\n  script: x\n';
  assert.deepEqual(await messages(rule), ['a job: need b is not defined in current or prior stages']);
  assert.deepEqual(await messages(rule.replace('stage: test', 'stage: build')), []);
});

test('a need\'s name as the Normalizer expands it is at most 255 characters', async () => {
  const long = 'a'.repeat(255);
  const p = await expandFiles({ '.gitlab-ci.yml': `${long}:\n  stage: build\n  script: x\n  parallel: 1\nt:\n  script: x\n  needs: [${long}]\n` });
  const d = p.diagnostics.filter((x) => x.severity === 'error');
  assert.deepEqual(d.map((x) => [x.message, spanText(p, x.span)]), [[`t job: need \`${long} 1/1\` name is too long (maximum is 255 characters)`, long]]);
  assert.deepEqual(await messages(`${long}:\n  stage: build\n  script: x\nt:\n  script: x\n  needs: [${long}]\n`), []);
  const matrix = (v: string) => `p:\n  stage: build\n  script: x\n  parallel: {matrix: [{A: "${v}", B: "${v}"}]}\nt:\n  script: x\n  needs: [p]\n`;
  const v = '1'.repeat(127);
  assert.deepEqual(await messages(matrix(v)), [`t job: need \`p: [${v}, ${v}]\` name is too long (maximum is 255 characters)`]);
  assert.deepEqual(await messages(matrix('1'.repeat(120))), []);
});

test('dependencies not among the needs: the Job entry\'s error, whether or not the job exists', async () => {
  const yaml = (dep: string) => `b1:\n  stage: build\n  script: x\nb2:\n  stage: build\n  script: x\nt:\n  script: x\n  needs: [b1, {job: b2}]\n  dependencies: [${dep}]\n`;
  assert.deepEqual(await messages(yaml('b3')), ['jobs:t dependencies the b3 should be part of needs']);
  assert.deepEqual(await messages(yaml('b2')), []);
  assert.deepEqual(await messages(yaml('b3').replace('  needs: [b1, {job: b2}]\n', '')), ['t job: undefined dependency: b3']);
});

// ---------------------------------------------------------------- entries

test('trigger:include items are Include entries: an artifact names its job, a project its file', async () => {
  const yaml = (inc: string) => `b:\n  stage: build\n  script: x\nt:\n  trigger:\n    include: [${inc}]\n`;
  assert.deepEqual(await messages(yaml('{project: g/p}')), ['jobs:t:trigger:include:include config must specify the file where to fetch the config from']);
  assert.deepEqual(await messages(yaml('{project: g/p, file: ""}')), ['jobs:t:trigger:include:include config must specify the file where to fetch the config from']);
  assert.deepEqual(await messages(yaml('{project: g/p, file: c.yml}')), []);
  assert.deepEqual(await messages(yaml('{artifact: c.yml}')), ['jobs:t:trigger:include:include config must specify the job where to fetch the artifact from']);
  assert.deepEqual(await messages(yaml('{artifact: c.yml, job: b}')), []);
});

test('a job whose name is blank is named after its class', async () => {
  assert.deepEqual(await messages('"":\n  script: x\n'), ["jobs:job name can't be blank"]);
  assert.deepEqual(await messages('"":\n  trigger: a/b\n'), ["jobs:bridge name can't be blank"]);
  assert.deepEqual(await messages('" ":\n  script: x\n'), []);
});

test('a non-string when: fails both the type and the inclusion validator', async () => {
  assert.deepEqual(await messages('a:\n  script: x\n  when: 1\n'), [
    'jobs:a when should be a string',
    'jobs:a when should be one of: on_success, on_failure, always, manual, delayed',
  ]);
  assert.deepEqual(await messages('a:\n  script: x\n  when: manual\n'), []);
});

test('a variable that is neither a string nor a hash: Variable::UnknownStrategy\'s message, as written', async () => {
  assert.deepEqual(await messages('variables: {A: []}\na:\n  script: x\n'), ['variable definition must be either a string or a hash']);
  assert.deepEqual(await messages('a:\n  script: x\n  variables: {A: [1]}\n'), ['variable definition must be either a string or a hash']);
  assert.deepEqual(await messages('variables: {A: "1", B: {value: "2"}}\na:\n  script: x\n'), []);
});

test('an alias to no anchor: Psych\'s words', async () => {
  assert.deepEqual(await messages('a:\n  script: *nothing\n'), ['An alias referenced an unknown anchor: nothing']);
  assert.deepEqual(await messages('.s: &s [x]\na:\n  script: *s\n'), []);
});

// ---------------------------------------------------------------- warnings

test('a last rule of when: alone without workflow:rules may run several pipelines: a warning', async () => {
  const warning = 'jobs:a may allow multiple pipelines to run for a single action due to `rules:when` clause with no `workflow:rules` - read more: https://docs.gitlab.com/ee/ci/jobs/job_troubleshooting.html#job-may-allow-multiple-pipelines-to-run-for-a-single-action-warning';
  const job = (rules: string) => `a:\n  script: x\n  rules: ${rules}\n`;
  assert.deepEqual(await diagnostics(job('[{if: $X}, {when: always}]'), 'warning'), [warning]);
  assert.deepEqual(await diagnostics(job('[{when: on_success}]'), 'warning'), [warning]);
  assert.deepEqual(await diagnostics(job('[{when: never}]'), 'warning'), []);
  assert.deepEqual(await diagnostics(job('[{if: $X, when: always}]'), 'warning'), []);
  assert.deepEqual(await diagnostics(`workflow:\n  rules: [{if: $Y}]\n${job('[{when: always}]')}`, 'warning'), []);
  assert.deepEqual(await diagnostics(`.h:\n  rules: [{when: always}]\n${job('[{if: $X}]')}`, 'warning'), []);
});

// ---------------------------------------------------------------- expansion

test('extends: a job\'s variables merge over the template\'s; {} keeps them, null drops them', async () => {
  const { plain, codes } = await expandPlain({
    '.gitlab-ci.yml': '.b:\n  script: t\n  variables: {V1: base}\nt1:\n  extends: .b\n  variables: {V1: one, V2: two}\nt2:\n  extends: .b\n  variables: {V2: two}\nt3:\n  extends: .b\n  variables: {}\nt4:\n  extends: .b\n  variables: ~\n',
  });
  assert.deepEqual(codes, []);
  assert.deepEqual([plain.t1.variables, plain.t2.variables, plain.t3.variables, plain.t4.variables], [
    { V1: 'one', V2: 'two' }, { V1: 'base', V2: 'two' }, { V1: 'base' }, null,
  ]);
});

test('anchors and merge keys build jobs; hidden jobs, with or without script, are not jobs', async () => {
  const { plain, codes } = await expandPlain({ '.gitlab-ci.yml': '.t: &t\n  stage: build\n.h:\n  image: i\nj1:\n  <<: *t\n  script: s\nj2: &j\n  <<: *t\n  script: s\nj3: *j\n' });
  assert.deepEqual(codes, []);
  assert.deepEqual(Object.keys(plain).filter((k) => k !== 'stages'), ['j1', 'j2', 'j3']);
  assert.deepEqual(plain.j3, { stage: 'build', script: 's' });
});
