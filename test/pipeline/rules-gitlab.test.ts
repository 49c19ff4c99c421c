/**
 * Rules / only-except cases checked against GitLab's own classes: Entry::Processable#compose!
 * (default only), Entry::Job#ignored? (allow_failure), Seed::Build + Chain::Seed (root variables),
 * Build::Policy::Refs/Changes, Build::Rules::Rule::Clause::Changes/Exists (File.fnmatch? with
 * FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB, comparison limits).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRules } from '../../server/src/pipeline/rules/rules.js';
import type { RulesOptions } from '../../server/src/pipeline/rules/rules.js';
import { refPatternMatches } from '../../server/src/pipeline/rules/rules-only-except.js';
import { fnmatch } from '../../server/src/pipeline/rules/fnmatch.js';
import { expandFiles } from '../support/engine.js';

async function run(yaml: string, opts: RulesOptions = {}) {
  const p = await expandFiles({ '.gitlab-ci.yml': yaml });
  const r = evaluateRules(p, opts);
  return { r, included: [...r.jobs.values()].filter((j) => j.included).map((j) => j.name) };
}

const push = (branch: string, changedPaths?: string[], files?: string[]): RulesOptions => ({ context: { branch, source: 'push' }, changedPaths, files });
const mr: RulesOptions = { context: { branch: 'feature', source: 'merge_request_event' } };
const tag: RulesOptions = { context: { tag: 'v1', source: 'push' } };

test('with workflow:rules a job without rules/only gets no default only: [branches, tags]', async () => {
  const jobs = `
plain:
  script: x
no-tags:
  script: x
  except: [tags]
`;
  const withWorkflow = `workflow:\n  rules:\n    - when: always\n${jobs}`;
  assert.deepEqual((await run(withWorkflow, mr)).included, ['plain', 'no-tags']);
  assert.deepEqual((await run(withWorkflow, tag)).included, ['plain']);
  // Counterpart: without workflow:rules the default only keeps both out of merge request pipelines.
  assert.deepEqual((await run(jobs, mr)).included, []);
  assert.deepEqual((await run(jobs, push('main'))).included, ['plain', 'no-tags']);
});

test('allow_failure defaults follow the job-level when:, not the rule\'s', async () => {
  const yaml = `
rule-manual:
  script: x
  rules:
    - when: manual
job-manual:
  script: x
  when: manual
  rules:
    - if: $CI_COMMIT_BRANCH
job-manual-rule-delayed:
  script: x
  when: manual
  rules:
    - when: delayed
      start_in: 1 hour
rule-overrides:
  script: x
  when: manual
  rules:
    - allow_failure: false
exit-codes:
  script: x
  when: manual
  allow_failure: {exit_codes: [3]}
  only: [branches]
bridge:
  trigger: other/project
  when: manual
  only: [branches]
classic-manual:
  script: x
  when: manual
  only: [branches]
`;
  const { r } = await run(yaml, push('main'));
  const af = Object.fromEntries([...r.jobs.values()].map((j) => [j.name, [j.when, j.allowFailure]]));
  assert.deepEqual(af, {
    'rule-manual': ['manual', false],
    'job-manual': ['manual', true],
    'job-manual-rule-delayed': ['delayed', true],
    'rule-overrides': ['manual', false],
    'exit-codes': ['manual', false],
    bridge: ['manual', false],
    'classic-manual': ['manual', true],
  });
});

test('inherit:variables filters the workflow rule\'s variables too', async () => {
  const yaml = `
workflow:
  rules:
    - variables: {FROM_WF: "yes", OTHER: "1"}
variables:
  GLOBAL: g
none:
  script: x
  inherit: {variables: false}
  rules: [{if: $FROM_WF == "yes"}]
listed:
  script: x
  inherit: {variables: [FROM_WF]}
  rules: [{if: $FROM_WF == "yes" && $OTHER == null && $GLOBAL == null}]
all:
  script: x
  rules: [{if: $FROM_WF == "yes" && $OTHER == "1" && $GLOBAL == "g"}]
`;
  assert.deepEqual((await run(yaml, push('main'))).included, ['listed', 'all']);
});

test('only:refs: regexes and names never match merge request pipelines; the pattern splits at its first @', async () => {
  const mrCtx = { branch: 'feature', source: 'merge_request_event' as const };
  assert.equal(refPatternMatches('/.*/', mrCtx), false);
  assert.equal(refPatternMatches('feature', mrCtx), false);
  assert.equal(refPatternMatches('merge_requests', mrCtx), true);
  assert.equal(refPatternMatches('/.*/', { branch: 'feature', source: 'push' }), true);
  const rel = { branch: 'release/1.0', source: 'push' as const, projectPath: 'gitlab-org/gitlab' };
  assert.equal(refPatternMatches('/^release/.*$/@gitlab-org/gitlab', rel), true);
  assert.equal(refPatternMatches('/^release/.*$/@fork/gitlab', rel), false);
  assert.equal(refPatternMatches('branches@gitlab-org/gitlab', rel), true);
  assert.equal(refPatternMatches('/^main/', rel), false);
});

test('only:changes expands no variables; rules:changes does', async () => {
  const yaml = `
variables:
  DIR: src
classic:
  script: x
  only:
    changes: ["$DIR/*"]
ruled:
  script: x
  rules:
    - changes: ["$DIR/*"]
literal:
  script: x
  only:
    changes: ["$$DIR/*"]
`;
  assert.deepEqual((await run(yaml, push('main', ['src/a.ts']))).included, ['ruled']);
  assert.deepEqual((await run(yaml, push('main', ['$DIR/a.ts']))).included, ['classic']);
});

test('changes: File.fnmatch? globs; no changed file or no glob is false; past 50,000 comparisons it is true', async () => {
  const yaml = (globs: string[]) => `j:\n  script: x\n  rules:\n    - changes: ${JSON.stringify(globs)}\n`;
  const ran = async (globs: string[], changed: string[]) => (await run(yaml(globs), push('main', changed))).included.length === 1;
  assert.equal(await ran(['docs/**'], ['docs/a/b.md']), false, '** not followed by / is a single *');
  assert.equal(await ran(['docs/**'], ['docs/a.md']), true);
  assert.equal(await ran(['docs/**/*'], ['docs/a/b.md']), true);
  assert.equal(await ran(['src/{*.js,lib/*.ts}'], ['src/lib/a.ts']), true, 'braces may hold wildcards');
  assert.equal(await ran(['src/{*.js,lib/*.ts}'], ['src/lib/a.js']), false);
  assert.equal(await ran(['[Dd]ockerfile'], ['dockerfile']), true);
  assert.equal(await ran(['[!D]ockerfile'], ['Dockerfile']), false);
  assert.equal(await ran(['./src/*'], ['src/a']), false, 'a ./ prefix is not stripped');
  assert.equal(await ran(['src/*'], ['src/a']), true);
  assert.equal(await ran(['*'], []), false, 'an empty diff changes nothing');
  const many = Array.from({ length: 50_001 }, (_, i) => `f${i}`);
  const big = await run(yaml(['nothing-matches']), push('main', many));
  assert.deepEqual(big.included, ['j']);
  assert.match(big.r.jobs.get('j')!.decidedBy.assumed ?? '', /50000/);
  assert.equal(await ran(['nothing-matches'], many.slice(0, 50_000)), false);
});

test('exists: exact names, directories with a trailing /, extension globs, top-level-only and the 50,000 limit', async () => {
  const files = ['README.md', 'docs/guide.md', 'src/app/main.js', '.gitlab-ci.yml'];
  const yaml = (globs: string[]) => `j:\n  script: x\n  rules:\n    - exists: ${JSON.stringify(globs)}\n`;
  const ran = async (globs: string[], list = files) => (await run(yaml(globs), push('main', undefined, list))).included.length === 1;
  assert.equal(await ran(['docs']), false, 'a directory is not a file');
  assert.equal(await ran(['docs/']), true);
  assert.equal(await ran(['lib/']), false);
  assert.equal(await ran(['**/*.js']), true);
  assert.equal(await ran(['**/*.py']), false);
  assert.equal(await ran(['*.md']), true);
  assert.equal(await ran(['*.js']), false, 'no / nor **: only top-level files');
  assert.equal(await ran(['*.yml']), true, '* matches a leading dot (FNM_DOTMATCH)');
  assert.equal(await ran([]), false);
  const many = Array.from({ length: 50_001 }, (_, i) => `d/f${i}`);
  assert.equal(await ran(['d/*.none'], many), true, 'more than 50,000 comparisons: assumed to match');
  assert.equal(await ran(['d/*.none'], many.slice(0, 50_000)), false);
});

test('fnmatch: Ruby semantics for the corners', () => {
  assert.equal(fnmatch('**/foo', 'a/.b/c/foo'), true);
  assert.equal(fnmatch('**/foo', 'foo'), true);
  assert.equal(fnmatch('a?c', 'a/c'), false);
  assert.equal(fnmatch('a[/]c', 'a/c'), false);
  assert.equal(fnmatch('a\\*', 'a*'), true);
  assert.equal(fnmatch('a\\*', 'ab'), false);
  assert.equal(fnmatch('{a,b{c,d}}', 'bd'), true);
  assert.equal(fnmatch('{a', '{a'), true);
  assert.equal(fnmatch('[ab', 'a'), false);
});

test('merge request pipelines carry CI_MERGE_REQUEST_ID and the other merge request variables; branch pipelines do not', async () => {
  const yaml = `
mr-id:
  script: x
  rules: [{if: $CI_MERGE_REQUEST_ID && $CI_MERGE_REQUEST_EVENT_TYPE == "detached" && $CI_OPEN_MERGE_REQUESTS == "group/project!1"}]
`;
  assert.deepEqual((await run(yaml, mr)).included, ['mr-id']);
  assert.deepEqual((await run(yaml, push('feature'))).included, []);
});

test('only:refs: the cases of GitLab\'s refs_spec', () => {
  const main = { branch: 'master', source: 'push' as const };
  const any = (patterns: string[], ctx: Parameters<typeof refPatternMatches>[1]) => patterns.some((p) => refPatternMatches(p, ctx));
  assert.equal(any(['master', 'deploy'], main), true);
  assert.equal(any(['feature', 'fix'], main), false);
  assert.equal(any(['master', 'tags'], { tag: 'feature', source: 'push' }), true);
  assert.equal(any(['master', 'tags'], { branch: 'feature', source: 'push' }), false);
  assert.equal(any(['master@group/project'], main), true);
  assert.equal(any(['master@some/fork/repository'], main), false);
  assert.equal(any(['pushes'], main), true);
  assert.equal(any(['triggers'], main), false);
  const mrCtx = { branch: 'feature', source: 'merge_request_event' as const };
  assert.equal(any(['merge_requests'], mrCtx), true);
  assert.equal(any(['merge_request_events'], mrCtx), false);
  const docs = { branch: 'docs-something', source: 'push' as const };
  assert.equal(any(['/docs-.*/'], docs), true);
  assert.equal(any(['/DOCS-.*/i'], docs), true);
  assert.equal(any(['/fix-.*/'], docs), false);
  assert.equal(any(['/^(?!master).+/'], docs), false, 'a regexp RE2 refuses is compared as a name');
});

test('rules read the collection as sort_and_expand_all leaves it (Context::Base#variables_hash_expanded)', async () => {
  const yaml = `
variables:
  A: normal
  B: { value: "raw-$A", expand: false }
  C: $B
  P: "%CI_DEFAULT_BRANCH%-\${CI_DEFAULT_BRANCH}"
  U: "x-$NOPE"
raw-ref:
  script: x
  rules: [{ if: $C == "raw-$A" }]
percent-braces:
  script: x
  rules: [{ if: $P == "main-main" }]
unknown-is-empty:
  script: x
  rules: [{ if: $U == "x-" }]
raw-itself:
  script: x
  rules: [{ if: $B == "raw-$A" }]
`;
  assert.deepEqual((await run(yaml, push('main'))).included, ['raw-ref', 'percent-braces', 'unknown-is-empty', 'raw-itself']);
  const cycle = `
variables:
  X: $Y
  Y: $X
  M: $CI_DEFAULT_BRANCH
as-written:
  script: x
  rules: [{ if: $M == "$CI_DEFAULT_BRANCH" }]
expanded:
  script: x
  rules: [{ if: $M == "main" }]
`;
  assert.deepEqual((await run(cycle, push('main'))).included, ['as-written'], 'a circular reference leaves every value as written');
  const changes = `
variables:
  DIR: src
  NESTED: "%DIR%"
j:
  script: x
  rules: [{ changes: ["$NESTED/*"] }]
`;
  assert.deepEqual((await run(changes, push('main', ['src/a.ts']))).included, ['j'], 'changes: reads the expanded collection too');
});
