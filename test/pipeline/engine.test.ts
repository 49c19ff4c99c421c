import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandPipeline } from '../../server/src/pipeline/merge/expand.js';
import { MemorySources } from '../../server/src/sources/memory-sources.js';
import { expandPlain, spanText } from '../support/engine.js';

const job = (extra = '') => `  script: [echo]\n${extra}`;

test('extends: multi-level deep merge, arrays replaced, null kept as deletion marker', async () => {
  const { plain, codes } = await expandPlain({
    '.gitlab-ci.yml': `.a:\n  variables: {A: a, B: a}\n  tags: [x]\n  script: [one]\n.b:\n  extends: .a\n  variables: {B: b}\n  tags: [y]\nj:\n  extends: .b\n  variables: {C: c}\n  tags: null\n`,
  });
  assert.deepEqual(codes, []);
  assert.deepEqual(plain.j, { variables: { A: 'a', B: 'b', C: 'c' }, tags: null, script: ['one'] });
});

test('extends: list of parents, later parent wins, child on top', async () => {
  const { plain } = await expandPlain({
    '.gitlab-ci.yml': `.a:\n  image: a\n  variables: {X: a}\n.b:\n  image: b\nj:\n  extends: [.a, .b]\n${job()}`,
  });
  assert.equal(plain.j.image, 'b');
  assert.deepEqual(plain.j.variables, { X: 'a' });
});

for (const [name, yaml, code] of [
  ['unknown parent', `j:\n  extends: .nope\n${job()}`, 'extends-unknown'],
  ['cycle', `.a:\n  extends: .b\n.b:\n  extends: .a\nj:\n  extends: .a\n${job()}`, 'extends-cycle'],
  ['self', `j:\n  extends: j\n${job()}`, 'extends-cycle'],
  ['non-hash base', `.a: text\nj:\n  extends: .a\n${job()}`, 'extends-invalid-base'],
  ['unknown reference', `j:\n  script: !reference [.x, script]\n`, 'reference-unknown'],
  ['circular reference', `.a:\n  s: !reference [.b, s]\n.b:\n  s: !reference [.a, s]\nj:\n  script: !reference [.a, s]\n`, 'reference-cycle'],
  ['unknown stage', `j:\n  stage: nope\n${job()}`, 'stage-unknown'],
  ['no script', `j:\n  image: x\n`, 'job-no-script'],
  ['only hidden jobs', `.j:\n${job()}`, 'no-visible-job'],
  ['broken YAML', `j:\n  script: [echo\n`, 'yaml-syntax'],
  ['non-hash root', `- a\n- b\n`, 'config-invalid'],
  ['missing local include', `include: nope.yml\nj:\n${job()}`, 'include-missing'],
] as const) {
  test(`rejected like GitLab: ${name} → ${code}`, async () => {
    const { pipeline, codes } = await expandPlain({ '.gitlab-ci.yml': yaml });
    assert.ok(codes.includes(code), `expected ${code}, got ${codes.join(', ')}`);
    assert.equal(pipeline.valid, false);
    for (const d of pipeline.diagnostics) assert.ok(d.span.uri, `diagnostic ${d.code} has a position`);
  });
}

test('extends-too-deep beyond 10 levels', async () => {
  let yaml = '.l0:\n  script: [x]\n';
  for (let i = 1; i <= 12; i++) yaml += `.l${i}:\n  extends: .l${i - 1}\n`;
  yaml += 'j:\n  extends: .l12\n';
  const { codes } = await expandPlain({ '.gitlab-ci.yml': yaml });
  assert.ok(codes.includes('extends-too-deep'), codes.join(','));
});

test('!reference: nested, flattened in script, nesting kept elsewhere, runs after extends', async () => {
  const { plain, codes } = await expandPlain({
    '.gitlab-ci.yml': [
      '.setup:\n  script: [a, b]\n  vars: {K: v}',
      '.base:\n  extends: .setup\n  after: [!reference [.setup, script], c]',
      'j:\n  script:\n    - !reference [.base, after]\n    - d\n  variables: !reference [.setup, vars]\n  tags: [!reference [.setup, script], t]',
    ].join('\n') + '\n',
  });
  assert.deepEqual(codes, []);
  assert.deepEqual(plain.j.script, ['a', 'b', 'c', 'd']);
  assert.deepEqual(plain.j.variables, { K: 'v' });
  assert.deepEqual(plain.j.tags, [['a', 'b'], 't']);
});

test('default: inherits every keyword GitLab inherits; inherit:default false / list', async () => {
  const { plain } = await expandPlain({
    '.gitlab-ci.yml':
      'default:\n  image: i\n  tags: [t]\n  retry: 1\n  interruptible: true\n  timeout: 10m\n  before_script: [b]\n' +
      `all:\n${job()}none:\n  inherit: {default: false}\n${job()}some:\n  inherit: {default: [tags]}\n${job()}own:\n  tags: [mine]\n${job()}`,
  });
  assert.deepEqual(
    { image: plain.all.image, tags: plain.all.tags, retry: plain.all.retry, interruptible: plain.all.interruptible, timeout: plain.all.timeout },
    { image: 'i', tags: ['t'], retry: 1, interruptible: true, timeout: '10m' },
  );
  assert.equal(plain.none.image, undefined);
  assert.deepEqual(plain.some.tags, ['t']);
  assert.equal(plain.some.image, undefined);
  assert.deepEqual(plain.own.tags, ['mine']);
});

test('includes: deep-merged in order, including file wins, nested includes resolved in their project', async () => {
  const { plain, codes, pipeline } = await expandPlain({
    '.gitlab-ci.yml': `include:\n  - local: a.yml\n  - project: g/lib\n    ref: v1\n    file: preset.yml\nj:\n  variables: {X: root}\n`,
    'a.yml': `j:\n  script: [from-a]\n  variables: {X: a, Y: a}\n`,
    'project:g/lib@v1:/preset.yml': `include: common.yml\nk:\n  extends: .tpl\n`,
    'project:g/lib@v1:/common.yml': `.tpl:\n  script: [from-lib]\n`,
  });
  assert.deepEqual(codes, []);
  assert.deepEqual(plain.j, { script: ['from-a'], variables: { X: 'root', Y: 'a' } });
  assert.deepEqual(plain.k.script, ['from-lib']);
  const tpl = pipeline.jobs.get('k')!.node.entries.get('script')!;
  assert.match(tpl.span!.uri, /g\/lib\/-\/v1\/common\.yml$/, 'provenance points into the library file');
  assert.equal(spanText(pipeline, tpl.span!), '[from-lib]');
  assert.deepEqual(tpl.via?.map((v) => v.kind), ['extends']);
});

test('includes: local globs (* within a folder, ** across: `**/` needs at least one folder), rules if/exists, variables in paths', async () => {
  const { plain, codes } = await expandPlain(
    {
      '.gitlab-ci.yml': `include:\n  - local: ci/*.yml\n  - local: deep/**/x-*.yml\n  - local: $FLAVOUR.yml\n  - local: never.yml\n    rules: [{if: '$CI_COMMIT_BRANCH == "nope"'}]\n  - local: exists.yml\n    rules: [{exists: [Dockerfile]}]\n`,
      'ci/a.yml': `a:\n${job()}`,
      'ci/sub/b.yml': `b:\n${job()}`,
      'deep/x-1.yml': `d1:\n${job()}`,
      'deep/m/n/x-2.yml': `d2:\n${job()}`,
      'docker.yml': `flavour:\n${job()}`,
      'never.yml': `never:\n${job()}`,
      'exists.yml': `exists:\n${job()}`,
      Dockerfile: 'FROM x',
    },
    { variables: { FLAVOUR: 'docker' } },
  );
  assert.deepEqual(codes, []);
  // deep/x-1.yml: GitLab's `**/` is `.*?/`, which needs a folder between `deep/` and `x-`.
  assert.deepEqual(Object.keys(plain).filter((k) => k !== 'stages').sort(), ['a', 'd2', 'exists', 'flavour']);
});

test('include cycle is a positioned error, not a hang', async () => {
  const { pipeline, codes } = await expandPlain({
    '.gitlab-ci.yml': `include: a.yml\nj:\n${job()}`,
    'a.yml': `include: b.yml\n`,
    'b.yml': `include: a.yml\n`,
  });
  assert.ok(codes.includes('include-cycle'));
  const d = pipeline.diagnostics.find((x) => x.code === 'include-cycle')!;
  assert.equal(spanText(pipeline, d.span), 'a.yml');
});

test('YAML 1.1 scalars typed like Psych', async () => {
  const { plain } = await expandPlain({ '.gitlab-ci.yml': `j:\n${job()}  interruptible: yes\n  variables: {A: on, B: 0755, C: 1:30, D: y, E: '0755'}\n` });
  assert.equal(plain.j.interruptible, true);
  // Psych weighs a:b from 60² down (ScalarScanner: 60 ** (index - 2).abs): 1:30 is 5400, not YAML's 90.
  assert.deepEqual(plain.j.variables, { A: true, B: 493, C: 5400, D: 'y', E: '0755' });
});

test('stages get .pre/.post; default stages when none declared', async () => {
  assert.deepEqual((await expandPlain({ '.gitlab-ci.yml': `stages: [a, b]\nj:\n  stage: a\n${job()}` })).plain.stages, ['.pre', 'a', 'b', '.post']);
  assert.deepEqual((await expandPlain({ '.gitlab-ci.yml': `j:\n${job()}` })).plain.stages, ['.pre', 'build', 'test', 'deploy', '.post']);
});

test('forceInclude: the one file an include rule leaves out is taken; other left-out entries stay out and say nothing', async () => {
  const files = {
    '.gitlab-ci.yml': `.t:\n  script: [echo]\ninclude:\n  - local: a.yml\n    rules: [{ if: '$NEVER == "1"' }]\n  - local: missing.yml\n    rules: [{ if: '$NEVER == "1"' }]\n  - local: b.yml\n    rules: [{ if: '$NEVER == "1"' }]\nroot-job:\n  extends: .t\n`,
    'a.yml': 'a-job:\n  extends: .t\n',
    'b.yml': 'b-job:\n  extends: .t\n',
  };
  const sources = new MemorySources(files);
  const plainRun = await expandPipeline({ sources, variables: {} });
  assert.deepEqual([...plainRun.jobs.keys()].filter((j) => !j.startsWith('.')), ['root-job']);
  const a = await sources.readProjectFile({ project: null }, 'a.yml');
  assert.ok(a.ok);
  const forced = await expandPipeline({ sources, variables: {}, forceInclude: a.uri });
  assert.deepEqual([...forced.jobs.keys()].filter((j) => !j.startsWith('.')).sort(), ['a-job', 'root-job']);
  assert.deepEqual(forced.diagnostics.map((d) => d.code), [], 'the missing, left-out entry is not reported');
});

test('coverage: a /…/ literal that RE2 compiles, else GitLab rejects the job', async () => {
  const ok = await expandPlain({ '.gitlab-ci.yml': `j:\n  coverage: '/Total: (\\d+\\.\\d+)%/'\n${job()}` });
  assert.deepEqual(ok.codes, []);
  for (const bad of ["'Total: \\d+'", "'/(?=x)\\d/'", "'/a**/'"]) {
    const { pipeline, codes } = await expandPlain({ '.gitlab-ci.yml': `j:\n  coverage: ${bad}\n${job()}` });
    assert.deepEqual(codes, ['coverage-invalid'], bad);
    assert.equal(pipeline.diagnostics[0].message, 'jobs:j:coverage config must be a regular expression with re2 syntax');
    assert.equal(spanText(pipeline, pipeline.diagnostics[0].span), bad);
  }
});

test('errors of loading an included file lead with its location, as GitLab words them (File::Base: "`LOCATION`: …")', async () => {
  const tmpl = 'spec:\n  inputs:\n    stage:\n---\njob:\n  stage: $[[ inputs.stage ]]\n  script: x\n';
  const messages = async (include: string, files: Record<string, string>) => {
    const { pipeline } = await expandPlain({ '.gitlab-ci.yml': `include:\n  - ${include}\n    inputs:\n      stage: test\n      foo: bar\n`, ...files });
    return pipeline.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
  };
  assert.deepEqual(await messages('local: ci/tmpl.yml', { 'ci/tmpl.yml': tmpl }), ['`ci/tmpl.yml`: unknown input arguments: foo']);
  assert.deepEqual(await messages('project: org/lib\n    file: t/x.yml', { 'project:org/lib:/t/x.yml': tmpl }), ['`t/x.yml`: unknown input arguments: foo']);
  // A header GitLab refuses: its message keeps GitLab's own `header:` location after the file's.
  const badHeader = 'spec:\n  inputs:\n    stage:\n      type: datetime\n---\njob:\n  script: x\n';
  const { pipeline } = await expandPlain({ '.gitlab-ci.yml': 'include:\n  - local: ci/tmpl.yml\n', 'ci/tmpl.yml': badHeader });
  assert.deepEqual(pipeline.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), ['`ci/tmpl.yml`: header:spec:inputs:stage input type unknown value: datetime']);
});
