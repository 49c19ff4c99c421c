import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseJobName, expandMatrix, MATRIX_LIMIT, matrixJobCount, neededInstances } from '../../server/src/pipeline/merge/matrix.js';
import { fromPlain } from '../../server/src/pipeline/model.js';
import { evaluateRules } from '../../server/src/pipeline/rules/rules.js';
import type { RulesOptions } from '../../server/src/pipeline/rules/rules.js';
import { expandFiles, spanText } from '../support/engine.js';

const parallel = (matrix: unknown) => fromPlain({ matrix });

test('instances are named job: [v1, v2] in key order; lists expand to their cartesian product, entry after entry', () => {
  // GitLab's own example (docs: ci/yaml/#parallelmatrix, MR 39985).
  const m = expandMatrix('deploystacks', parallel([
    { PROVIDER: 'aws', STACK: ['monitoring', 'app1', 'app2'] },
    { PROVIDER: 'ovh', STACK: ['monitoring', 'backup', 'app'] },
    { PROVIDER: ['gcp', 'vultr'], STACK: ['data', 'processing'] },
  ]))!;
  assert.deepEqual(m.instances.map((i) => i.name), [
    'deploystacks: [aws, monitoring]', 'deploystacks: [aws, app1]', 'deploystacks: [aws, app2]',
    'deploystacks: [ovh, monitoring]', 'deploystacks: [ovh, backup]', 'deploystacks: [ovh, app]',
    'deploystacks: [gcp, data]', 'deploystacks: [gcp, processing]', 'deploystacks: [vultr, data]', 'deploystacks: [vultr, processing]',
  ]);
  assert.equal(m.total, 10);
  assert.deepEqual(m.instances[7].variables, { PROVIDER: 'gcp', STACK: 'processing' });
  assert.deepEqual(m.instances[7].values, ['gcp', 'processing']);
  assert.equal(m.instances[7].entry, 2);
  assert.equal(expandMatrix('j', fromPlain({ matrix: 'x' })), undefined, 'not a list: no matrix');
  assert.equal(expandMatrix('j', fromPlain(3)), undefined, 'parallel: N is no matrix');
});

test('values are stringified like Ruby to_s; key order, not alphabetical; duplicate names overwrite in place', () => {
  const m = expandMatrix('build_job', parallel([{ VERSION: [1, 2], MODE: ['A', 'B'] }]))!;
  assert.deepEqual(m.instances.map((i) => i.name), ['build_job: [1, A]', 'build_job: [1, B]', 'build_job: [2, A]', 'build_job: [2, B]']);
  assert.deepEqual(m.instances[0].variables, { VERSION: '1', MODE: 'A' });
  const z = expandMatrix('t', parallel([{ Z: 'z', A: [10, 'b'] }]))!;
  assert.deepEqual(z.instances.map((i) => i.name), ['t: [z, 10]', 't: [z, b]']);
  // docs: "matrix entries with identical values generate identical job names that overwrite each other"
  const dup = expandMatrix('test', parallel([{ OS: ['ubuntu'], PROVIDER: ['aws', 'gcp'] }, { OS2: ['ubuntu'], PROVIDER: ['aws', 'gcp'] }]))!;
  assert.deepEqual(dup.instances.map((i) => i.name), ['test: [ubuntu, aws]', 'test: [ubuntu, gcp]']);
  assert.deepEqual(dup.instances[0].variables, { OS2: 'ubuntu', PROVIDER: 'aws' }, 'the later entry wins');
  assert.equal(dup.total, 4, 'the limit counts generated jobs, before they overwrite each other');
});

test('the 200-instance limit: GitLab\'s message at the matrix key; a hostile product is never built', async () => {
  const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
  assert.equal(matrixJobCount(parallel([{ A: values(20), B: values(10) }])), 200);
  const ok = await expandFiles({ '.gitlab-ci.yml': `j:\n  script: x\n  parallel:\n    matrix:\n      - A: [${values(20)}]\n        B: [${values(10)}]\n` });
  assert.deepEqual(ok.diagnostics.map((d) => d.code), []);
  const yaml = `j:\n  script: x\n  parallel:\n    matrix:\n      - A: [${values(20)}]\n        B: [${values(10)}]\n      - A: extra\n`;
  const p = await expandFiles({ '.gitlab-ci.yml': yaml });
  const d = p.diagnostics.find((x) => x.code === 'matrix-too-many-jobs')!;
  assert.ok(d, p.diagnostics.map((x) => x.code).join(', '));
  assert.equal(d.message, 'jobs:j:parallel:matrix config generates too many jobs (maximum is 200)');
  assert.equal(spanText(p, d.span), 'matrix');
  assert.equal(p.valid, false);
  const hidden = await expandFiles({ '.gitlab-ci.yml': `.t:\n  parallel:\n    matrix:\n      - A: [${values(201)}]\nj:\n  script: x\n` });
  assert.ok(!hidden.diagnostics.some((x) => x.code === 'matrix-too-many-jobs'), 'hidden jobs are not jobs');

  const huge = parallel([Object.fromEntries(Array.from({ length: 10 }, (_, k) => [`K${k}`, values(10)]))]);
  const t = performance.now();
  const m = expandMatrix('j', huge)!;
  assert.equal(m.instances.length, MATRIX_LIMIT);
  assert.equal(m.total, 1e10);
  assert.ok(performance.now() - t < 200);
});

test('needs on a matrix job wait for every instance, the one named, or those needs:parallel:matrix selects', () => {
  const target = { name: 'build', instances: [{ name: 'build: [aws]' }, { name: 'build: [gcp]' }] };
  assert.deepEqual(neededInstances('build', fromPlain('build'), target), ['build: [aws]', 'build: [gcp]']);
  assert.deepEqual(neededInstances('build: [gcp]', fromPlain('build: [gcp]'), target), ['build: [gcp]']);
  assert.deepEqual(neededInstances('build', fromPlain({ job: 'build', parallel: { matrix: [{ P: 'aws' }] } }), target), ['build: [aws]']);
  assert.deepEqual(neededInstances('lint', fromPlain('lint'), { name: 'lint' }), ['lint']);
  assert.equal(baseJobName('build: [aws, x]'), 'build');
  assert.equal(baseJobName('build'), 'build');
});

const MATRIX_RULES = `
variables:
  PROVIDER: global
build:
  stage: build
  script: make
  variables:
    PROVIDER: job
    REGION: $PROVIDER-eu
  parallel:
    matrix:
      - PROVIDER: [aws, gcp]
        STACK: [app, db]
  rules:
    - if: $PROVIDER == "aws" && $STACK == "db"
      when: manual
    - if: $PROVIDER == "aws"
    - if: $REGION == "gcp-eu" && $CI_COMMIT_TAG
deploy:
  stage: deploy
  script: deploy
  needs: [build]
`;

async function verdicts(yaml: string, opts: RulesOptions) {
  return evaluateRules(await expandFiles({ '.gitlab-ci.yml': yaml }), opts);
}

test('rules are evaluated per instance with its matrix values on top of the job\'s variables', async () => {
  const r = await verdicts(MATRIX_RULES, { context: { branch: 'main' } });
  const build = r.jobs.get('build')!;
  assert.deepEqual(build.instances!.map((i) => [i.name, i.included, i.when]), [
    ['build: [aws, app]', true, 'on_success'],
    ['build: [aws, db]', true, 'manual'],
    ['build: [gcp, app]', false, 'never'],
    ['build: [gcp, db]', false, 'never'],
  ]);
  assert.equal(build.instances![1].decidedBy.index, 0);
  assert.match(build.instances![2].decidedBy.text, /none of the 3 rules matches/);
  assert.deepEqual(build.instances![3].matrixVariables, { PROVIDER: 'gcp', STACK: 'db' });
  assert.equal(build.included, true, 'the job runs when any instance runs');
  assert.equal(build.when, 'on_success');
  // deploy needs every instance of build; two are not added, so GitLab refuses the pipeline.
  assert.match(r.pipelineError!.message, /'deploy' job needs 'build: \[gcp, app\]' job, but 'build: \[gcp, app\]' does not exist in the pipeline\. This might be because of the only, except, or rules keywords\./);

  // Matrix values win over job variables, which reach the instance's other variables; pipeline variables win over both.
  const tag = await verdicts(MATRIX_RULES, { context: { tag: 'v1' } });
  assert.deepEqual(tag.jobs.get('build')!.instances!.map((i) => i.included), [true, true, true, true]);
  assert.equal(tag.pipelineError, undefined);
  const forced = await verdicts(MATRIX_RULES, { context: { branch: 'main' }, variables: { PROVIDER: 'aws' } });
  assert.deepEqual(forced.jobs.get('build')!.instances!.map((i) => i.included), [true, true, true, true]);
});

test('needs:parallel:matrix, a named instance or optional: only the instances needed must run', async () => {
  const base = MATRIX_RULES.replace('  needs: [build]\n', '');
  const ctx: RulesOptions = { context: { branch: 'main' } };
  const selected = await verdicts(`${base}  needs:\n    - job: build\n      parallel:\n        matrix:\n          - PROVIDER: aws\n            STACK: [app, db]\n`, ctx);
  assert.equal(selected.pipelineError, undefined);
  const named = await verdicts(`${base}  needs: ["build: [aws, db]"]\n`, ctx);
  assert.equal(named.pipelineError, undefined);
  const namedSkipped = await verdicts(`${base}  needs: ["build: [gcp, db]"]\n`, ctx);
  assert.match(namedSkipped.pipelineError!.message, /needs 'build: \[gcp, db\]'/);
  const optional = await verdicts(`${base}  needs: [{ job: build, optional: true }]\n`, ctx);
  assert.equal(optional.pipelineError, undefined);
});

test('a matrix job in a pipeline workflow:rules does not create; rule findings are reported once, not per instance', async () => {
  const off = await verdicts(`workflow:\n  rules: [{ if: $CI_COMMIT_TAG }]\n${MATRIX_RULES}`, { context: { branch: 'main' } });
  const build = off.jobs.get('build')!;
  assert.equal(build.instances!.length, 4);
  assert.ok(build.instances!.every((i) => !i.included && i.decidedBy.kind === 'workflow'));
  const bad = await verdicts(`j:\n  script: x\n  parallel:\n    matrix:\n      - A: [1, 2, 3]\n  rules:\n    - if: $A == "1" &&\n`, {});
  assert.equal(bad.diagnostics.filter((d) => d.code === 'rules-invalid').length, 1);
});

test('a parallel:matrix that generates no jobs: GitLab accepts it and its Normalizer drops the job; needs and dependencies on it stand for nothing', async () => {
  // Entry::Product::Matrix accepts an empty list (array_of_hashes), Product::Variables an empty list of values;
  // MatrixStrategy.build_from then yields no job, and Normalizer#expand_parallelized_needs maps a need on it to none.
  const yaml = (matrix: string) => `
stages: [build, test]
none:
  stage: test
  script: x
  parallel:
    matrix: ${matrix}
use:
  stage: build
  script: x
  needs: [none]
  dependencies: [none]
`;
  for (const matrix of ['[]', '[{ A: [] }]', '[{ A: [x], B: [] }]']) {
    const p = await expandFiles({ '.gitlab-ci.yml': yaml(matrix) });
    assert.deepEqual(p.diagnostics.map((d) => d.message), [], `${matrix}: no need/dependency on a later stage once the job is gone`);
    const r = evaluateRules(p, { context: { branch: 'main' } });
    const none = r.jobs.get('none')!;
    assert.equal(none.included, false, matrix);
    assert.deepEqual(none.instances, []);
    assert.equal(none.decidedBy.kind, 'no-instances');
    assert.equal(spanText(p, none.decidedBy.span!), 'parallel');
    assert.equal(r.pipelineError, undefined, 'use waits for nothing');
    assert.deepEqual([...r.jobs.values()].filter((j) => j.included).map((j) => j.name), ['use']);
  }
  // What the job itself says is not YamlProcessor's to check (an unknown stage); a selected instance it lacks still is.
  const p = await expandFiles({ '.gitlab-ci.yml': `none:\n  stage: nowhere\n  script: x\n  parallel: { matrix: [] }\nuse:\n  script: x\n  needs: [{ job: none, parallel: { matrix: [{ A: x }] } }]\n` });
  assert.deepEqual(p.diagnostics.map((d) => d.message), ['use job: undefined need: none: [x]']);
});
