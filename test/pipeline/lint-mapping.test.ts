/**
 * GitLab's CI Lint messages mapped back to where the user wrote the thing (through extends,
 * includes and the merged model), what we send, and the structural diff of merged YAML.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import type { ExpandedPipeline } from '../../server/src/pipeline/merge/expand.js';
import { diffMergedYaml, diffPlain, formatDiffPath, formatDifference, lintMessageSpan, mapLintMessages, mergedYamlForLint } from '../../server/src/pipeline/edits/lint-mapping.js';
import { toPlain } from '../../server/src/pipeline/model.js';
import { renderPipeline } from '../../server/src/pipeline/merge/output.js';
import { parseYaml } from '../../server/src/pipeline/yaml/parse.js';
import { LineIndex } from '../../server/src/pipeline/yaml/positions.js';
import { expandFiles, spanText } from '../support/engine.js';

const ROOT = `include:
  - project: acme/lib
    ref: v1
    file: /templates.yml
  - local: /extra.yml

stages: [build, test]

variables:
  GREETING: "yes"
  MODE: "0755"

build:
  extends: .build-tpl
  stage: build
  script:
    - make
  needs:
    - prepare

test job:
  stage: test
  script: [make test]
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
    - if: $X ==== "y"
`;
const TEMPLATES = `.build-tpl:
  image: gcc:14
  cache_key: abc
  artifacts:
    pathz: [out]
`;
const EXTRA = `prepare:
  stage: build
  script: [echo prep]
`;
const FILES = { '.gitlab-ci.yml': ROOT, 'project:acme/lib@v1:/templates.yml': TEMPLATES, 'extra.yml': EXTRA };

/** File path (as in FILES), 1-based line, and the text the span covers. */
function at(p: ExpandedPipeline, message: string): { file: string; line: number; text: string } {
  const span = lintMessageSpan(p, message);
  const f = p.files.find((x) => x.uri === span.uri);
  assert.ok(f, `${message} → a file of the pipeline (got ${span.uri})`);
  return { file: f.path.replace(/^\//, ''), line: new LineIndex(f.parsed.text).position(span.start).line + 1, text: spanText(p, span) };
}

function lineOf(text: string, needle: string, from = 0): number {
  const i = text.indexOf(needle, from);
  assert.ok(i >= 0, needle);
  return text.slice(0, i).split('\n').length;
}

test('each kind of GitLab message lands where the user wrote the thing, through extends and includes', async () => {
  const p = await expandFiles(FILES);
  const cases: Array<[string, { file: string; line: number; text: string }]> = [
    ['jobs:build config contains unknown keys: cache_key', { file: 'templates.yml', line: lineOf(TEMPLATES, 'cache_key'), text: 'cache_key' }],
    ['jobs:build:artifacts config contains unknown keys: pathz', { file: 'templates.yml', line: lineOf(TEMPLATES, 'pathz'), text: 'pathz' }],
    ['jobs:build:script config should be a string or a nested array of strings up to 10 levels deep', { file: '.gitlab-ci.yml', line: lineOf(ROOT, 'script:'), text: 'script' }],
    ['build job: chosen stage does not exist; available stages are .pre, build, test, .post', { file: '.gitlab-ci.yml', line: lineOf(ROOT, 'stage: build'), text: 'build' }],
    ['jobs:build chosen stage build does not exist; available stages are .pre, test, .post', { file: '.gitlab-ci.yml', line: lineOf(ROOT, 'stage: build'), text: 'build' }],
    ['jobs:test job:rules:rule if invalid expression syntax', { file: '.gitlab-ci.yml', line: lineOf(ROOT, '$X ===='), text: '$X ==== "y"' }],
    ['root config contains unknown keys: prepare', { file: 'extra.yml', line: 1, text: 'prepare' }],
    ["'build' job needs 'prepare' job, but 'prepare' is not in any previous stage", { file: '.gitlab-ci.yml', line: lineOf(ROOT, '- prepare'), text: 'prepare' }],
    ['jobs:build job: undefined need: prepare', { file: '.gitlab-ci.yml', line: lineOf(ROOT, '- prepare'), text: 'prepare' }],
    ['variables config should be a hash of key value pairs', { file: '.gitlab-ci.yml', line: lineOf(ROOT, 'variables:'), text: 'variables' }],
    ['jobs:test job may allow multiple pipelines to run for a single action due to `rules:when` clause with no `workflow:rules` - read more: https://docs.gitlab.com/ee/ci/troubleshooting.html#pipeline-warnings', { file: '.gitlab-ci.yml', line: lineOf(ROOT, 'test job:'), text: 'test job' }],
  ];
  for (const [message, want] of cases) assert.deepEqual(at(p, message), want, message);

  const project = at(p, 'Project `acme/lib` file `/templates.yml` is empty or does not exist!');
  assert.equal(project.file, '.gitlab-ci.yml');
  assert.equal(project.line, lineOf(ROOT, '- project: acme/lib'), 'on the include entry that brought the file');
  assert.equal(at(p, 'Local file `extra.yml` does not exist!').line, lineOf(ROOT, '- local: /extra.yml'));
});

test('a message nothing can place goes to the start of the root file', async () => {
  const p = await expandFiles(FILES);
  for (const m of ['Something went wrong on our side', 'jobs:no-such-job config contains unknown keys: x', 'jobs config should contain at least one visible job']) {
    const span = lintMessageSpan(p, m);
    assert.equal(span.uri, p.files[0].uri, m);
    assert.equal(span.start, 0, m);
  }
});

test('mapLintMessages: errors and warnings with their codes; our own messages are not repeated; an unexplained rejection still shows', async () => {
  const p = await expandFiles(FILES);
  const d = mapLintMessages(p, { valid: false, errors: ['jobs:build config contains unknown keys: cache_key', 'jobs:build config contains unknown keys: cache_key'], warnings: ['jobs:test job may allow multiple pipelines'] });
  // The engine reports the unknown key itself (validate/), so GitLab's same words are not shown twice.
  assert.deepEqual(d.map((x) => [x.severity, x.code, x.message]), [
    ['warning', 'gitlab-lint-warning', 'jobs:test job may allow multiple pipelines'],
  ]);
  const own = p.diagnostics.find((x) => x.message === 'jobs:build config contains unknown keys: cache_key');
  assert.ok(own, 'the engine reports the unknown key itself');
  assert.equal(spanText(p, own.span), 'cache_key');

  const bad = await expandFiles({ '.gitlab-ci.yml': 'deploy:\n  stage: ship\n  script: [x]\n' });
  const local = bad.diagnostics.find((x) => x.code === 'stage-unknown');
  assert.ok(local, 'the engine reports the unknown stage itself');
  assert.deepEqual(mapLintMessages(bad, { valid: false, errors: [local.message], warnings: [] }), [], 'same words as our diagnostic: not twice');

  const silent = mapLintMessages(p, { valid: false, errors: [], warnings: [] });
  assert.equal(silent.length, 1);
  assert.equal(silent[0].severity, 'error');
  assert.equal(silent[0].span.start, 0);
  assert.deepEqual(mapLintMessages(p, { valid: true, errors: [], warnings: [] }), []);
});

test('what we send: the full merged configuration without include:, typed the same when GitLab reads it back', async () => {
  const p = await expandFiles(FILES);
  const sent = mergedYamlForLint(p);
  const back = toPlain(parseYaml('sent', sent).content) as Record<string, any>;
  assert.deepEqual({ ...back }, renderPipeline(p, { full: true }));
  assert.equal(back.include, undefined);
  assert.equal(back.build.extends, undefined, 'extends is applied, not sent');
  assert.equal(back.build.image, 'gcc:14', 'the template brought by extends is merged in');
  assert.ok(back['.build-tpl'], 'hidden jobs go too');
  assert.equal(back.variables.GREETING, 'yes', 'a YAML 1.1 boolean word stays a string');
  assert.equal(back.variables.MODE, '0755', 'an octal-looking string stays a string');
  assert.match(sent, /GREETING: "yes"/);
});

test('diff of merged YAML: nothing when GitLab gives back what we sent, in any key order, with extends or Ruby symbol keys', async () => {
  const p = await expandFiles(FILES);
  const ours = renderPipeline(p, { full: true }) as Record<string, any>;
  assert.deepEqual(diffMergedYaml(p, mergedYamlForLint(p)), []);
  const reordered = Object.fromEntries(Object.entries(ours).reverse().map(([k, v]) => [k, v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v]));
  assert.deepEqual(diffMergedYaml(p, stringify(reordered, { version: '1.1' })), []);
  const withExtends = { ...ours, build: { ...ours.build, extends: '.build-tpl' } };
  assert.deepEqual(diffMergedYaml(p, stringify(withExtends, { version: '1.1' })), []);
  const symbols = `---\n${stringify(ours, { version: '1.1' }).replace(/^(\s*)([A-Za-z.][\w .-]*):/gm, '$1:$2:')}`;
  assert.match(symbols, /^:build:$/m);
  assert.deepEqual(diffMergedYaml(p, symbols), []);
});

test('diff of merged YAML: changed, added and removed values, a list of another length, an unreadable answer', async () => {
  const p = await expandFiles(FILES);
  const ours = renderPipeline(p, { full: true }) as Record<string, any>;
  const theirs = structuredClone(ours);
  theirs.build.script = ['make all'];
  theirs.build.tags = ['docker'];
  delete theirs.variables.MODE;
  theirs.stages = ['.pre', 'build', '.post'];
  const diff = diffMergedYaml(p, stringify(theirs, { version: '1.1' }));
  assert.deepEqual(diff, [
    { path: ['stages'], ours: ours.stages, theirs: ['.pre', 'build', '.post'] },
    { path: ['variables', 'MODE'], ours: '0755' },
    { path: ['build', 'script', 0], ours: 'make', theirs: 'make all' },
    { path: ['build', 'tags'], theirs: ['docker'] },
  ]);
  assert.deepEqual(diff.map((d) => formatDifference(d)), [
    `stages: ours ${JSON.stringify(ours.stages)}, GitLab [".pre","build",".post"]`,
    'variables:MODE: ours "0755", GitLab (absent)',
    'build:script[0]: ours "make", GitLab "make all"',
    'build:tags: ours (absent), GitLab ["docker"]',
  ]);
  const broken = diffMergedYaml(p, 'a: [unclosed');
  assert.equal(broken.length, 1);
  assert.deepEqual(broken[0].path, []);
  assert.match(String(broken[0].theirs), /unreadable merged_yaml/);
  assert.equal(formatDiffPath(['test job', 'rules', 1, 'if']), 'test job:rules[1]:if');
  assert.deepEqual(diffPlain({ a: 1 }, { a: '1' }), [{ path: ['a'], ours: 1, theirs: '1' }], 'a number is not its string');
});
