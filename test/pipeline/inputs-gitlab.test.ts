/**
 * `spec:inputs`, `include: inputs:` and `$[[ … ]]` checked against GitLab's own specs and source
 * (lib/gitlab/ci/config/header/**, lib/gitlab/ci/config/interpolation/**): each rule with a
 * rejected configuration and GitLab's message next to an accepted counterpart, through the engine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandPlain } from '../support/engine.js';

const J = 'x:\n  script: [echo]\n';

/** `t.yml` with the given header inputs and body, included locally with `inputs`. */
async function run(spec: string, body: string, inputs = '{}', extra: Record<string, string> = {}) {
  const files = { '.gitlab-ci.yml': `include:\n  - local: t.yml\n    inputs: ${inputs}\n${J}`, 't.yml': `spec:\n  inputs:\n${spec}\n---\n${body}`, ...extra };
  const r = await expandPlain(files);
  const errors = r.pipeline.diagnostics.filter((d) => d.severity === 'error');
  for (const d of errors) assert.ok(d.span && d.span.end >= d.span.start, `positioned: ${d.message}`);
  return { errors: errors.map((d) => d.message), plain: r.plain, diagnostics: r.pipeline.diagnostics };
}

const rulesOf = (name: string, ...conditions: string[]) =>
  `    ${name}:\n      rules:\n${conditions.map((c) => `        - if: ${c}\n          options: [a]\n`).join('')}        - options: [b]`;

// ── Header::Inputs::Validator: references between inputs through `rules: if:` ──

test('an input rule may only read declared inputs (rule index, names in order of use)', async () => {
  const bad = await run(`    env: {default: a}\n${rulesOf('tier', '$[[ inputs.env ]] == "a"', '$[[ inputs.nope ]] == "v" && $[[ inputs.gone ]] == "w"')}`, 'j:\n  script: echo');
  assert.deepEqual(bad.errors, ['`t.yml`: header:spec:inputs:tier config rule[1] references undefined inputs: nope, gone']);
  const ok = await run(`    env: {default: a}\n${rulesOf('tier', '$[[ inputs.env ]] == "a" && $CI_COMMIT_BRANCH == "main"')}`, 'j:\n  script: echo');
  assert.deepEqual(ok.errors, []);
});

test('input rules that depend on each other in a circle, or on themselves, are rejected once, on the first input', async () => {
  const circle = await run(`    first: {default: a}\n${rulesOf('b', '$[[ inputs.c ]] == "x"')}\n${rulesOf('c', '$[[ inputs.b ]] == "y"')}`, 'j:\n  script: echo');
  assert.deepEqual(circle.errors, ['`t.yml`: header:spec:inputs:first config circular dependency detected']);
  const self = await run(rulesOf('region', '$[[ inputs.region ]] == "us"'), 'j:\n  script: echo');
  assert.deepEqual(self.errors, ['`t.yml`: header:spec:inputs:region config circular dependency detected']);
  const chain = await run(`    env: {default: a}\n${rulesOf('b', '$[[ inputs.env ]] == "x"')}\n${rulesOf('c', '$[[ inputs.b ]] == "y"')}`, 'j:\n  script: echo');
  assert.deepEqual(chain.errors, []);
});

// ── Interpolator#interpolate!: the header, then the given inputs, then the blocks ──

test('header errors stop the file: the given inputs and blocks are not checked after them', async () => {
  const bad = await run(`    a: {type: number, descriptio: x}`, 'j:\n  script: $[[ inputs.nope ]]', '{a: text}');
  assert.deepEqual(bad.errors, ['`t.yml`: header:spec:inputs:a config contains unknown keys: descriptio']);
  const inputsOnly = await run(`    a: {type: number}`, 'j:\n  script: $[[ inputs.nope ]]', '{a: text}');
  assert.deepEqual(inputsOnly.errors, ['`t.yml`: `a` input: provided value is not a number']);
  const blocks = await run(`    a: {type: number}`, 'j:\n  script: $[[ inputs.nope ]]', '{a: 1}');
  assert.deepEqual(blocks.errors, ['`t.yml`: unknown interpolation key: `nope`']);
});

// ── Functions::Split: Ruby's String#split and #strip ──

test("split(' ') splits on runs of ASCII whitespace, as Ruby's awk-style split does; strip keeps Unicode spaces", async () => {
  const r = await run('    a: {}', "j:\n  script: $[[ inputs.a | split(' ') ]]", '{a: " x\\ty\\n z\\u00a0"}');
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.plain.j.script, ['x', 'y', 'z\u00a0']);
  const comma = await run('    a: {}', "j:\n  script: $[[ inputs.a | split(',') ]]", '{a: " x\\t, y ,,"}');
  assert.deepEqual(comma.plain.j.script, ['x', 'y']);
  const empty = await run('    a: {}', "j:\n  script: $[[ inputs.a | split('') ]]", '{a: x}');
  assert.deepEqual(empty.errors, ['`t.yml`: error in `split` function: invalid argument: separator cannot be empty']);
});

// ── File::Component / File::Local: the component context of nested local files ──

test("a component's nested local files see its `component.*` context; a local file of the pipeline has none", async () => {
  const C = 'spec:\n  component: [name, version]\n---\n';
  const job = (name: string) => `${name}:\n  script:\n    - echo "$[[ component.name ]]@$[[ component.version ]]"\n`;
  const r = await expandPlain({
    '.gitlab-ci.yml': 'include:\n  - component: gitlab.com/g/p/c@1.0.0\n',
    'project:g/p@1.0.0:/templates/c.yml': `${C}include:\n  - local: templates/shared.yml\n${job('c')}`,
    'project:g/p@1.0.0:/templates/shared.yml': `${C}include:\n  - local: templates/deeper.yml\n${job('shared')}`,
    'project:g/p@1.0.0:/templates/deeper.yml': `${C}${job('deeper')}`,
  });
  assert.deepEqual(r.pipeline.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), []);
  assert.deepEqual([r.plain.c.script, r.plain.shared.script, r.plain.deeper.script], [['echo "c@1.0.0"'], ['echo "c@1.0.0"'], ['echo "c@1.0.0"']]);
  const local = await run('    a: {default: x}', job('j'));
  assert.deepEqual(local.errors, ['`t.yml`: unknown interpolation key: `name`', 'unknown interpolation key: `version`']);
});
