/**
 * extends, !reference, default: inheritance, parallel and trigger as GitLab's own classes do them
 * (Extendable::Entry, Yaml::Tags::Reference/Resolver, Entry::Job/Bridge/Default, Normalizer and
 * its Number/MatrixStrategy, Entry::Product::*, Entry::Trigger): each case with the counterpart
 * GitLab accepts, so a test fails both ways.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandPlain, spanText } from '../support/engine.js';

/** Errors as `message [code]` at the text they underline. */
async function errors(yaml: string): Promise<string[]> {
  const { pipeline } = await expandPlain({ '.gitlab-ci.yml': yaml });
  return pipeline.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.message} [${d.code}] @${spanText(pipeline, d.span)}`);
}

// ---------------------------------------------------------------- !reference

test('!reference: a referenced null or false is "could not be found" (Tags::Reference raises unless the value is truthy)', async () => {
  const base = `.a:\n  interruptible: false\n  timeout: ~\n  retry: 0\n  tags: ""\n`;
  assert.deepEqual(await errors(`${base}j:\n  script: x\n  interruptible: !reference [.a, interruptible]\n`), [
    '!reference [".a", "interruptible"] could not be found [reference-unknown] @[.a, interruptible]',
  ]);
  assert.deepEqual(await errors(`${base}j:\n  script: x\n  timeout: !reference [.a, timeout]\n`), [
    '!reference [".a", "timeout"] could not be found [reference-unknown] @[.a, timeout]',
  ]);
  // 0 and "" are truthy in Ruby: referenced as they are.
  const { plain, codes } = await expandPlain({ '.gitlab-ci.yml': `${base}.b:\n  interruptible: true\nj:\n  script: x\n  retry: !reference [.a, retry]\n  interruptible: !reference [.b, interruptible]\n` });
  assert.deepEqual(codes, []);
  assert.equal(plain.j.retry, 0);
  assert.equal(plain.j.interruptible, true);
});

test('!reference: no nesting limit of its own — a chain of a dozen tags resolves whatever the order of the keys', async () => {
  const chain = Array.from({ length: 12 }, (_, i) => `.v${12 - i}: !reference [.v${11 - i}]`).join('\n');
  const { plain, codes } = await expandPlain({ '.gitlab-ci.yml': `j:\n  script: x\n  variables: !reference [.v12]\n${chain}\n.v0:\n  A: x\n` });
  assert.deepEqual(codes, []);
  assert.deepEqual(plain.j.variables, { A: 'x' });
});

test('!reference: an index into a list is a key (Array#dig with a symbol): not found', async () => {
  assert.deepEqual(await errors(`.a:\n  script: [one, two]\nj:\n  script: !reference [.a, script, "0"]\n`), [
    '!reference [".a", "script", "0"] could not be found [reference-unknown] @[.a, script, "0"]',
  ]);
});

// ---------------------------------------------------------------- extends

test('extends: null extends nothing (Array(nil) is empty); the job is taken as written', async () => {
  const { plain, codes } = await expandPlain({ '.gitlab-ci.yml': `.a:\n  image: a\nj:\n  extends: ~\n  script: x\n` });
  assert.deepEqual(codes, []);
  assert.equal(plain.j.image, undefined);
  assert.equal(plain.j.script, 'x');
});

test('extends: names are Array(value).map(&:to_s) — a nested list or a hash is named by its Ruby inspect', async () => {
  assert.deepEqual(await errors(`.a:\n  script: x\nj:\n  extends: [.a, [.b]]\n  script: y\n`), [
    'j: unknown keys in `extends` ([".b"]) [extends-unknown] @[.b]',
  ]);
  assert.deepEqual(await errors(`.a:\n  script: x\nj:\n  extends: {a: b}\n  script: y\n`), [
    'j: unknown keys in `extends` ([:a, "b"]) [extends-unknown] @a',
  ]);
  // A number names the key it prints as.
  const { plain, codes } = await expandPlain({ '.gitlab-ci.yml': `"1":\n  image: one\n  script: z\nj:\n  extends: 1\n  script: y\n` });
  assert.deepEqual(codes, []);
  assert.equal(plain.j.image, 'one');
});

test('extends: several unknown bases are named together, as GitLab words its one message, on each name written', async () => {
  assert.deepEqual(await errors(`.a:\n  script: x\nj:\n  extends: [.b, .a, .c]\n  script: y\n`), [
    'j: unknown keys in `extends` (.b, .c) [extends-unknown] @.b',
    'j: unknown keys in `extends` (.b, .c) [extends-unknown] @.c',
  ]);
  assert.deepEqual(await errors(`.a:\n  script: x\nj:\n  extends: [.a]\n  script: y\n`), []);
});

test('extends: nesting too deep names the entry with more than 10 ancestors, down the first chain that is too deep', async () => {
  const chain = (n: number) => Array.from({ length: n }, (_, i) => (i < n - 1 ? `e${i + 1}:\n  extends: e${i + 2}` : `e${i + 1}:\n  script: y`)).join('\n');
  assert.deepEqual(await errors(`j0:\n  extends: [s1, e1]\n  script: x\ns1:\n  script: z\n${chain(12)}\n`), [
    'e11: nesting too deep in `extends` [extends-too-deep] @[s1, e1]',
  ]);
  // Ten ancestors at most: accepted.
  assert.deepEqual(await errors(`j0:\n  extends: e1\n  script: x\n${chain(11)}\n`), []);
});

// ---------------------------------------------------------------- default: inheritance

test('default: a keyword a job writes as null is unspecified, so the default fills it', async () => {
  const { plain, codes } = await expandPlain({ '.gitlab-ci.yml': `default:\n  image: b\n  timeout: 1h\nj:\n  script: x\n  image: ~\n  timeout: ~\nk:\n  script: x\n  image: own\n` });
  assert.deepEqual(codes, []);
  assert.equal(plain.j.image, 'b');
  assert.equal(plain.j.timeout, '1h');
  assert.equal(plain.k.image, 'own');
});

test('default: a trigger job (Bridge) takes interruptible, and only that, unless inherit:default says otherwise', async () => {
  const { plain, codes } = await expandPlain({ '.gitlab-ci.yml': `default:\n  image: b\n  interruptible: true\n  tags: [t]\nt:\n  trigger: a/b\nu:\n  trigger: a/b\n  inherit:\n    default: [image]\nj:\n  script: x\n` });
  assert.deepEqual(codes, []);
  assert.deepEqual(plain.t, { trigger: 'a/b', interruptible: true });
  assert.equal(plain.u.interruptible, undefined);
  assert.equal(plain.u.image, undefined);
  assert.equal(plain.j.image, 'b');
  assert.deepEqual(plain.j.tags, ['t']);
});

// ---------------------------------------------------------------- parallel

test('parallel: the strategy is picked by type — a string is neither a number nor a hash', async () => {
  assert.deepEqual(await errors(`j:\n  script: x\n  parallel: "3"\n`), ['jobs:j:parallel should be an integer or a hash [parallel-invalid] @"3"']);
  assert.deepEqual(await errors(`j:\n  script: x\n  parallel: 2.5\n`), ['jobs:j:parallel config must be an integer [parallel-invalid] @2.5']);
  assert.deepEqual(await errors(`t:\n  trigger: a/b\n  parallel: "3"\n`), ['jobs:t:parallel should be an integer or a hash [parallel-invalid] @"3"']);
  assert.deepEqual(await errors(`t:\n  trigger: a/b\n  parallel: 3\n`), ['jobs:t:parallel config cannot use "parallel: <number>". [parallel-invalid] @3']);
  assert.deepEqual(await errors(`j:\n  script: x\n  parallel: 3\n`), []);
});

test('parallel:matrix: an entry without variables is rejected (Product::Variables: at least 1 item); an empty list is not', async () => {
  assert.deepEqual(await errors(`j:\n  script: x\n  parallel:\n    matrix:\n      - {}\n      - A: [a]\n`), [
    'jobs:j:parallel:matrix:variables config requires at least 1 items [parallel-invalid] @{}',
  ]);
  assert.deepEqual(await errors(`j:\n  script: x\n  parallel:\n    matrix:\n      - A: []\n      - B: [b]\n`), []);
});

const parallelJobs = `build:\n  stage: build\n  script: x\n  parallel:\n    matrix:\n      - OS: [linux, mac]\nnum:\n  stage: build\n  script: x\n  parallel: 2\nplain:\n  stage: build\n  script: x\n`;

test('needs and dependencies name a parallel job or one of the instances GitLab makes of it — no other name', async () => {
  assert.deepEqual(await errors(`${parallelJobs}test:\n  script: x\n  needs: ["build: [windows]", "plain: [x]", "num 3/2"]\n`), [
    'test job: undefined need: build: [windows] [needs-unknown] @"build: [windows]"',
    'test job: undefined need: plain: [x] [needs-unknown] @"plain: [x]"',
    'test job: undefined need: num 3/2 [needs-unknown] @"num 3/2"',
  ]);
  assert.deepEqual(await errors(`${parallelJobs}test:\n  script: x\n  dependencies: ["build: [solaris]", "plain: [x]"]\n`), [
    'test job: undefined dependency: build: [solaris] [dependencies-unknown] @"build: [solaris]"',
    'test job: undefined dependency: plain: [x] [dependencies-unknown] @"plain: [x]"',
  ]);
  // The instances GitLab makes: `job: [values]` for a matrix, `job i/n` for a number.
  assert.deepEqual(await errors(`${parallelJobs}test:\n  script: x\n  needs: ["build: [mac]", "num 1/2", plain]\n  dependencies: ["build: [mac]", "num 1/2"]\nall:\n  script: x\n  needs: [build, num]\n  dependencies: [build, num]\n`), []);
});

test('needs are checked for duplicates once expanded: a parallel job stands for all its instances', async () => {
  assert.deepEqual(await errors(`${parallelJobs}test:\n  script: x\n  needs: [build, "build: [mac]", num, "num 1/2", "num 2/2"]\n`), [
    'test has the following needs duplicated: build: [mac], num 1/2, num 2/2. [needs-duplicated] @"build: [mac]"',
  ]);
  assert.deepEqual(await errors(`${parallelJobs}test:\n  script: x\n  needs: ["build: [linux]", "build: [mac]", "num 2/2"]\n`), []);
});

test('rules:needs are not expanded by the Normalizer: a parallel job is known there by its instances only', async () => {
  const rules = (need: string) => `${parallelJobs}test:\n  script: x\n  rules:\n    - needs: [${need}]\n`;
  assert.deepEqual(await errors(rules('build')), ['test job: undefined need: build [needs-unknown] @build']);
  assert.deepEqual(await errors(rules('"build: [mac]"')), []);
  assert.deepEqual(await errors(rules('plain')), []);
});

test('a matrix job\'s needs take its instance values through $[[ matrix.NAME ]] (MatrixInterpolator)', async () => {
  const job = (os: string, need: string) => `${parallelJobs}test:\n  script: x\n  parallel:\n    matrix:\n      - OS: ${os}\n  needs:\n${need}`;
  const selected = '    - job: build\n      parallel:\n        matrix:\n          - OS: $[[ matrix.OS ]]\n';
  assert.deepEqual(await errors(job('[linux, mac]', selected)), []);
  assert.deepEqual(await errors(job('[linux, mac]', '    - "build: [$[[ matrix.OS ]]]"\n')), []);
  assert.deepEqual(await errors(job('[linux, bsd]', '    - "build: [$[[ matrix.OS ]]]"\n')), ['test job: undefined need: build: [bsd] [needs-unknown] @"build: [$[[ matrix.OS ]]]"']);
  assert.deepEqual(await errors(job('[linux]', '    - "build: [$[[ matrix.ARCH ]]]"\n')), ['test job: \'ARCH\' does not exist in matrix configuration [needs-invalid] @needs']);
});

test('needs:parallel:matrix must select instances the job has (the Normalizer names them from the need\'s matrix)', async () => {
  const need = (os: string, extra = '') => `${parallelJobs}test:\n  script: x\n  needs:\n    - job: build\n${extra}      parallel:\n        matrix:\n          - OS: ${os}\n`;
  assert.deepEqual(await errors(need('[bsd, linux]')), ['test job: undefined need: build: [bsd] [needs-unknown] @OS: [bsd, linux]\n']);
  assert.deepEqual(await errors(need('[mac, linux]')), []);
  // Optional needs may name what is not there.
  assert.deepEqual(await errors(need('[bsd]', '      optional: true\n')), []);
});

test('dependencies are compared with the needs as written (Entry::Job, before the matrix is expanded)', async () => {
  assert.deepEqual(await errors(`${parallelJobs}test:\n  script: x\n  needs: [build]\n  dependencies: ["build: [linux]"]\n`), [
    'jobs:test dependencies the build: [linux] should be part of needs [dependencies-not-needed] @"build: [linux]"',
  ]);
  assert.deepEqual(await errors(`${parallelJobs}test:\n  script: x\n  needs: ["build: [linux]"]\n  dependencies: ["build: [linux]"]\n`), []);
});

// ---------------------------------------------------------------- trigger

test('trigger: blank, a hash without project, and the child pipeline include limit, worded as GitLab words them', async () => {
  assert.deepEqual(await errors(`t:\n  trigger: ""\n`), ['jobs:t:trigger config can\'t be blank [trigger-invalid] @""']);
  assert.deepEqual(await errors(`t:\n  trigger:\n    branch: main\n`), [
    'jobs:t:trigger project should be a string [trigger-invalid] @trigger',
    'jobs:t:trigger project can\'t be blank [trigger-invalid] @trigger',
  ]);
  assert.deepEqual(await errors(`t:\n  trigger: {}\n`), [
    'jobs:t:trigger config can\'t be blank [trigger-invalid] @trigger',
    'jobs:t:trigger project should be a string [trigger-invalid] @trigger',
    'jobs:t:trigger project can\'t be blank [trigger-invalid] @trigger',
  ]);
  assert.deepEqual(await errors(`t:\n  trigger:\n    include: [a.yml, b.yml, c.yml, d.yml]\n`), [
    'jobs:t:trigger:include config is too long (maximum is 3) [trigger-invalid] @include',
  ]);
  assert.deepEqual(await errors(`t:\n  trigger:\n    include: [a.yml, b.yml, c.yml]\n    strategy: mirror\n    forward: {yaml_variables: true}\nu:\n  trigger:\n    project: a/b\n    inputs: {a: 1}\n`), []);
});

test('trigger: inputs belong to a multi-project trigger; a child pipeline takes them in include:', async () => {
  const found = await errors(`t:\n  trigger:\n    include: a.yml\n    inputs: {a: 1}\n`);
  assert.equal(found.length, 1);
  assert.match(found[0], /^jobs:t:trigger config contains unknown keys: inputs \[unknown-keys\]/);
  assert.deepEqual(await errors(`t:\n  trigger:\n    include:\n      - local: a.yml\n        inputs: {a: 1}\n`), []);
});
