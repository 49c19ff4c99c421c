/**
 * `include:` loading checked against GitLab's Mapper and File classes
 * (lib/gitlab/ci/config/external/): each case states what GitLab does, with an accepted
 * counterpart next to the rejected one where there is one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { expandPlain, expandSummary, spanText } from '../support/engine.js';

const J = 'x:\n  script: [echo]\n';
const job = (name: string) => `${name}:\n  script: [echo ${name}]\n`;

const run = expandSummary;

// ── File::Base#validate_location!: the YAML extension, before anything is read ──

for (const [what, include, name] of [
  ['a missing local file', 'ci/x.txt', 'ci/x.txt'],
  ['a local file named only `.yml`', 'ci/.yml', 'ci/.yml'],
  ['a project file', '{project: g/p, file: a.txt}', 'a.txt'],
  ['a remote URL with a query after `.yml` (File.basename keeps it)', '{remote: "https://h.example/x.yml?ref=main"}', 'https://h.example/x.yml?ref=main'],
  ['a template', '{template: Bash}', 'Bash'],
] as const) {
  test(`an include without a YAML extension: ${what}`, async () => {
    const files = { '.gitlab-ci.yml': `include: ${include}\n${J}`, 'ci/.yml': job('a'), 'project:g/p:/a.txt': job('a'), 'remote:https://h.example/x.yml?ref=main': job('a') };
    assert.deepEqual((await run(files)).errors, [`Included file \`${name}\` does not have YAML extension!`]);
  });
}

test('YAML extensions are case-insensitive, .yaml counts', async () => {
  const r = await run({ '.gitlab-ci.yml': `include: [ci/A.YML, ci/b.yaml]\n${J}`, 'ci/A.YML': job('a'), 'ci/b.yaml': job('b') });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.included, ['ci/A.YML', 'ci/b.yaml']);
});

// ── File::Local / File::Project: leading slashes removed, their own "empty" words ──

test('local: leading slashes are removed, in messages too', async () => {
  assert.deepEqual((await run({ '.gitlab-ci.yml': `include: {local: /ci/missing.yml}\n${J}` })).errors, ['Local file `ci/missing.yml` does not exist!']);
  const ok = await run({ '.gitlab-ci.yml': `include: {local: //ci/a.yml}\n${J}`, 'ci/a.yml': job('a') });
  assert.deepEqual([ok.errors, ok.included], [[], ['ci/a.yml']]);
});

test('a blank local file is "empty"; one with only comments or `{}` has no valid YAML syntax', async () => {
  const files = (text: string) => ({ '.gitlab-ci.yml': `include: ci/a.yml\n${J}`, 'ci/a.yml': text });
  assert.deepEqual((await run(files(' \n\n'))).errors, ['Local file `ci/a.yml` is empty!']);
  assert.deepEqual((await run(files('# nothing yet\n'))).errors, ['Included file `ci/a.yml` does not have valid YAML syntax!']);
  assert.deepEqual((await run(files('{}\n'))).errors, ['Included file `ci/a.yml` does not have valid YAML syntax!']);
  assert.deepEqual((await run(files(job('a')))).errors, []);
});

test('project: the file without leading slashes, the project downcased, no ref in "does not exist", its own "empty"', async () => {
  const include = (file: string) => `include: {project: Group/Lib, ref: v1, file: ${file}}\n${J}`;
  assert.deepEqual((await run({ '.gitlab-ci.yml': include('/missing.yml') })).errors, ['Project `group/lib` file `missing.yml` does not exist!']);
  assert.deepEqual((await run({ '.gitlab-ci.yml': include('blank.yml'), 'project:Group/Lib@v1:/blank.yml': '\n' })).errors, ['Project `group/lib` file `blank.yml` is empty!']);
  const ok = await run({ '.gitlab-ci.yml': include('/a.yml'), 'project:Group/Lib@v1:/a.yml': job('a') });
  assert.deepEqual([ok.errors, ok.included], [[], ['a.yml']]);
});

// ── File::Template ──

test('template: a name not ending in .gitlab-ci.yml is no valid location; a missing one is "empty or does not exist"', async () => {
  assert.deepEqual((await run({ '.gitlab-ci.yml': `include: {template: Bash.yml}\n${J}` })).errors, ['Template file `Bash.yml` is not a valid location!']);
  assert.deepEqual((await run({ '.gitlab-ci.yml': `include: {template: Nope.gitlab-ci.yml}\n${J}` })).errors, ['Included file `Nope.gitlab-ci.yml` is empty or does not exist!']);
  assert.deepEqual((await run({ '.gitlab-ci.yml': `include: {template: Bash.gitlab-ci.yml}\n${J}`, 'template:Bash.gitlab-ci.yml': '  \n' })).errors, ['Included file `Bash.gitlab-ci.yml` is empty or does not exist!']);
  const ok = await run({ '.gitlab-ci.yml': `include: {template: Bash.gitlab-ci.yml}\n${J}`, 'template:Bash.gitlab-ci.yml': job('bash') });
  assert.deepEqual([ok.errors, ok.included], [[], ['Bash.gitlab-ci.yml']]);
});

// ── File::Remote ──

test('remote: an address that is not an http(s)/ssh/git URL is invalid', async () => {
  assert.deepEqual((await run({ '.gitlab-ci.yml': `include: {remote: "ftp://h.example/x.yml"}\n${J}` })).errors, ['Remote file `ftp://h.example/x.yml` does not have a valid address!']);
});

test('remote: integrity is the SHA-256 of the content', async () => {
  const text = job('r');
  const sha = createHash('sha256').update(text).digest('base64');
  const files = (integrity: string) => ({ '.gitlab-ci.yml': `include:\n  - remote: https://h.example/r.yml\n    integrity: ${integrity}\n${J}`, 'remote:https://h.example/r.yml': text });
  assert.deepEqual((await run(files(`sha256-${sha}`))).errors, []);
  assert.deepEqual((await run(files('sha256-AAAA'))).errors, ['Remote file `https://h.example/r.yml` failed integrity check!']);
});

test('a string include is expanded before it is told local from remote (Mapper::Normalizer)', async () => {
  const files = { '.gitlab-ci.yml': `include: $SHARED\n${J}`, 'remote:https://h.example/r.yml': job('r') };
  const r = await run(files, { SHARED: 'https://h.example/r.yml' });
  assert.deepEqual([r.errors, r.included], [[], ['https://h.example/r.yml']]);
  // In a hash, `local:` stays local.
  const local = await run({ '.gitlab-ci.yml': `include: {local: $SHARED}\n${J}` }, { SHARED: 'https://h.example/r.yml' });
  assert.deepEqual(local.errors, ['Local file `https://h.example/r.yml` does not exist!']);
});

// ── Mapper::LocationExpander: wildcards ──

const tree = { 'ci/a.yml': job('a'), 'ci/sub/b.yml': job('b'), 'ci/sub/deep/c.yml': job('c'), 'ci/x.yml': job('x') };

for (const [pattern, expected] of [
  ['ci/*.yml', ['ci/a.yml', 'ci/x.yml']],
  ['ci/**.yml', ['ci/a.yml', 'ci/sub/b.yml', 'ci/sub/deep/c.yml', 'ci/x.yml']],
  ['ci/**/*.yml', ['ci/sub/b.yml', 'ci/sub/deep/c.yml']],
  ['/ci/*.yml', ['ci/a.yml', 'ci/x.yml']],
] as const) {
  test(`local wildcard ${pattern}: ${expected.join(', ')}`, async () => {
    const r = await run({ '.gitlab-ci.yml': `include: {local: "${pattern}"}\n${J}`, ...tree });
    assert.deepEqual([r.errors, r.warnings, r.included], [[], [], expected]);
  });
}

test('only `*` makes a wildcard: `?` and `{a,b}` are literal characters of a path', async () => {
  const r = await run({ '.gitlab-ci.yml': `include: {local: "ci/?.yml"}\n${J}`, ...tree });
  assert.deepEqual(r.errors, ['Local file `ci/?.yml` does not exist!']);
  const braces = await run({ '.gitlab-ci.yml': `include: {local: "ci/{a,x}*.yml"}\n${J}`, ...tree, 'ci/{a,x}1.yml': job('literal') });
  assert.deepEqual([braces.errors, braces.included], [[], ['ci/{a,x}1.yml']]);
});

test('a wildcard matching nothing includes nothing: no error, a warning', async () => {
  const r = await run({ '.gitlab-ci.yml': `include: {local: "nope/*.yml"}\n${J}`, ...tree });
  assert.deepEqual([r.errors, r.included], [[], []]);
  assert.deepEqual(r.warnings, ['No file matches `nope/*.yml`: GitLab includes nothing here']);
  const { plain } = await expandPlain({ '.gitlab-ci.yml': `include: {local: "nope/*.yml"}\n${J}` });
  assert.ok(plain.x, 'the pipeline stands');
});

test('variables: a string wildcard is expanded first; a `local:` wildcard is matched before its variables are expanded', async () => {
  const string = await run({ '.gitlab-ci.yml': `include: "$DIR/*.yml"\n${J}`, ...tree }, { DIR: 'ci' });
  assert.deepEqual([string.errors, string.included], [[], ['ci/a.yml', 'ci/x.yml']]);
  const hash = await run({ '.gitlab-ci.yml': `include: {local: "$DIR/*.yml"}\n${J}`, ...tree }, { DIR: 'ci' });
  assert.deepEqual([hash.errors, hash.included], [[], []]);
  assert.deepEqual(hash.warnings, ['No file matches `$DIR/*.yml`: GitLab includes nothing here (GitLab matches the pattern before it expands variables)']);
});

test('a local file\'s wildcard does not include that file itself', async () => {
  const r = await run({ '.gitlab-ci.yml': `include: ci/a.yml\n${J}`, 'ci/a.yml': `include: {local: "ci/*.yml"}\n${job('a')}`, 'ci/x.yml': job('x') });
  assert.deepEqual([r.errors, r.included], [[], ['ci/a.yml', 'ci/x.yml']]);
});

test('a wildcard match without a YAML extension is rejected like a written one', async () => {
  const r = await run({ '.gitlab-ci.yml': `include: {local: "ci/*"}\n${J}`, 'ci/a.yml': job('a'), 'ci/notes.txt': 'hello' });
  assert.deepEqual(r.errors, ['Included file `ci/notes.txt` does not have YAML extension!']);
});

// ── Mapper::Verifier / Context: the include limit; no depth limit of its own ──

test('the include limit says "nested"; a chain of includes only stops there', async () => {
  const files: Record<string, string> = { '.gitlab-ci.yml': `include: c0.yml\n${J}` };
  for (let i = 0; i < 160; i++) files[`c${i}.yml`] = `include: c${i + 1}.yml\n.c${i}:\n  script: [echo]\n`;
  files['c160.yml'] = job('end');
  const r = await run(files);
  assert.deepEqual(r.errors, ['Maximum of 150 nested includes are allowed!']);
  assert.equal(spanText(r.p, r.p.diagnostics[0].span), 'c150.yml');
  // 120 deep is fine (GitLab has no depth limit of its own).
  const ok: Record<string, string> = { '.gitlab-ci.yml': `include: c0.yml\n${J}` };
  for (let i = 0; i < 120; i++) ok[`c${i}.yml`] = `include: c${i + 1}.yml\n.c${i}:\n  script: [echo]\n`;
  ok['c120.yml'] = job('end');
  const deep = await run(ok);
  assert.deepEqual(deep.errors, []);
  assert.equal(deep.included.length, 121);
});

test('the same file included twice is loaded twice (no dedup, no error)', async () => {
  const r = await run({ '.gitlab-ci.yml': `include: [a.yml, a.yml]\n${J}`, 'a.yml': job('a') });
  assert.deepEqual([r.errors, r.included], [[], ['a.yml', 'a.yml']]);
});

// ── Ci::Components::FetchService / InstancePath ──

test('components: GitLab\'s FetchService messages', async () => {
  const files = { '.gitlab-ci.yml': '', 'project:g/p@1.0:/templates/c.yml': job('c') };
  const with_ = (address: string) => ({ ...files, '.gitlab-ci.yml': `include: {component: "${address}"}\n${J}` });
  assert.deepEqual((await run(with_('gitlab.com/g/p/c'))).errors, ["Component 'gitlab.com/g/p/c' - the component path is not supported"]);
  assert.deepEqual((await run(with_('gitlab.com/c@1.0'))).errors, ["Component 'gitlab.com/c@1.0' - content not found"]);
  assert.deepEqual((await run(with_('gitlab.com/g/p/nope@1.0'))).errors, [
    "Component 'gitlab.com/g/p/nope@1.0' - content not found (neither templates/nope.yml nor templates/nope/template.yml exists in g/p@1.0)",
  ]);
  const ok = await run(with_('gitlab.com/g/p/c@1.0'));
  assert.deepEqual([ok.errors, ok.included], [[], ['templates/c.yml']]);
});

// ── Yaml::Loader (MultiDocYaml max_documents: 2, reject_empty) and Yaml::Result ──

test('an included list or scalar is an "Invalid configuration format" after its location', async () => {
  assert.deepEqual((await run({ '.gitlab-ci.yml': `include: a.yml\n${J}`, 'a.yml': '- a\n' })).errors, ['`a.yml`: Invalid configuration format']);
  assert.deepEqual((await run({ '.gitlab-ci.yml': `include: a.yml\n${J}`, 'a.yml': 'hello\n' })).errors, ['`a.yml`: Invalid configuration format']);
});

for (const [what, text, jobs, ignored] of [
  ['two documents without a header: the first one', `${job('a')}---\n${job('b')}`, ['a'], 1],
  ['a header and three documents: the last one', `spec:\n  inputs: {}\n---\n${job('a')}---\n${job('b')}`, ['b'], 1],
  ['a leading `---`: only two documents are read', `---\nspec:\n  inputs: {}\n---\n${job('a')}---\n${job('b')}`, ['a'], 1],
  ['blank documents are dropped before the header is looked for', `spec:\n  inputs: {}\n---\n---\n${job('a')}`, ['a'], 0],
] as const) {
  test(`YAML documents GitLab uses: ${what}`, async () => {
    const { plain, pipeline } = await expandPlain({ '.gitlab-ci.yml': `include: t.yml\n${J}`, 't.yml': text });
    assert.deepEqual(pipeline.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.deepEqual(Object.keys(plain).filter((k) => k !== 'stages' && k !== 'x'), jobs);
    assert.equal(pipeline.diagnostics.filter((d) => d.code === 'yaml-document-ignored').length, ignored);
  });
}

test('the root file: a second document without a header is unused, with a warning on it', async () => {
  const { plain, pipeline } = await expandPlain({ '.gitlab-ci.yml': `${job('a')}---\n${job('b')}` });
  assert.ok(plain.a && !plain.b);
  const [w] = pipeline.diagnostics.filter((d) => d.code === 'yaml-document-ignored');
  assert.equal(w.severity, 'warning');
  assert.equal(spanText(pipeline, { ...w.span, end: w.span.start + 2 }), 'b:');
});

test('every document GitLab reads must be a hash', async () => {
  const r = await run({ '.gitlab-ci.yml': `${job('a')}---\n- b\n` });
  assert.deepEqual(r.errors, ['Invalid configuration format']);
});

// ── Interpolation::Interpolator: the given inputs ──

test('inputs that are not a hash reject the file, after its location; `inputs:` without a value is no inputs', async () => {
  const files = (inputs: string) => ({ '.gitlab-ci.yml': `include:\n  - local: /a.yml\n    inputs: ${inputs}\n${J}`, 'a.yml': job('a') });
  assert.deepEqual((await run(files('[x]'))).errors, ['`a.yml`: Given inputs must be a hash']);
  assert.deepEqual((await run(files('some'))).errors, ['`a.yml`: Given inputs must be a hash']);
  const none = await run(files(''));
  assert.deepEqual([none.errors, none.included], [[], ['a.yml']]);
  assert.deepEqual((await run(files('{x: 1}'))).errors, ['`a.yml`: Given inputs not defined in the `spec` section of the included configuration file']);
});

// ── Mapper::VariablesExpander: ExpandVariables.expand with the variables an include sees ──

test('include variables: $VAR, ${VAR} and %VAR% expand; an unknown one becomes "" (ExpandVariables.expand)', async () => {
  const r = await run({ '.gitlab-ci.yml': `include:\n  - local: "ci/a$NOT_SET.yml"\n  - local: "%DIR%/\${DIR}-x.yml"\n${J}`, 'ci/a.yml': job('a'), 'ci/ci-x.yml': job('cx') }, { DIR: 'ci' });
  assert.deepEqual([r.errors, r.warnings, r.included], [[], [], ['ci/a.yml', 'ci/ci-x.yml']]);
  // YAML `variables:` are not among them.
  const yaml = await run({ '.gitlab-ci.yml': `variables:\n  DIR: ci\ninclude: {local: "$DIR/a.yml"}\n${J}`, 'ci/a.yml': job('a') });
  assert.deepEqual(yaml.errors, ['Local file `a.yml` does not exist!']);
});

test('include variables GitLab has a value for and this run has not (a CI/CD settings key, an unset predefined variable): a positioned warning, not a wrong path', async () => {
  const text = `include:\n  - local: "$SETTINGS_DIR/a.yml"\n  - project: g/p\n    ref: $CI_PIPELINE_ID\n    file: a.yml\n${J}`;
  const r = await run({ '.gitlab-ci.yml': text, 'a.yml': job('wrong') }, { SETTINGS_DIR: undefined });
  assert.deepEqual([r.errors, r.included], [[], []]);
  assert.deepEqual(r.warnings, [
    '`$SETTINGS_DIR/a.yml` reads $SETTINGS_DIR, which GitLab sets but whose value is not known here: this include is not resolved',
    '`g/p` reads $CI_PIPELINE_ID, which GitLab sets but whose value is not known here: this include is not resolved',
  ]);
  const spans = r.p.diagnostics.filter((d) => d.code === 'include-variable-unknown').map((d) => spanText(r.p, d.span));
  assert.ok(spans[0].includes('$SETTINGS_DIR/a.yml') && spans[1].includes('$CI_PIPELINE_ID'), spans.join(' | '));
  // Given a value, it is read.
  const valued = await run({ '.gitlab-ci.yml': `include: {local: "$SETTINGS_DIR/a.yml"}\n${J}`, 'ci/a.yml': job('a') }, { SETTINGS_DIR: 'ci' });
  assert.deepEqual([valued.errors, valued.warnings, valued.included], [[], [], ['ci/a.yml']]);
});
