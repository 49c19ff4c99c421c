import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { evaluateRules } from '../../server/src/pipeline/rules/rules.js';
import type { RulesOptions } from '../../server/src/pipeline/rules/rules.js';
import { refPatternMatches } from '../../server/src/pipeline/rules/rules-only-except.js';
import { expandFiles, spanText } from '../support/engine.js';
import { repoRoot } from '../support/lsp-client.js';

async function verdicts(yaml: string, opts: RulesOptions = {}) {
  const p = await expandFiles({ '.gitlab-ci.yml': yaml });
  const r = evaluateRules(p, opts);
  return { p, r, included: [...r.jobs.values()].filter((j) => j.included).map((j) => j.name) };
}

const onTag = (tag: string): RulesOptions => ({ context: { tag, source: 'push' } });
const onBranch = (branch: string, source: 'push' | 'schedule' | 'web' = 'push'): RulesOptions => ({ context: { branch, source } });
const onMr = (branch = 'feature'): RulesOptions => ({ context: { branch, source: 'merge_request_event' } });

test('workflow:rules: first match decides; when: never and no match stop the pipeline; rule variables reach job rules', async () => {
  const yaml = `
workflow:
  rules:
    - if: $CI_COMMIT_BRANCH == "skip-me"
      when: never
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
      variables:
        DEPLOY: "no"
    - if: $CI_COMMIT_BRANCH
      variables:
        DEPLOY: "yes"
build:
  script: make
  rules:
    - if: $DEPLOY == "yes"
`;
  const main = await verdicts(yaml, onBranch('main'));
  assert.equal(main.r.workflow.created, true);
  assert.equal(main.r.workflow.decidedBy.index, 2);
  assert.deepEqual(main.r.workflow.variables, { DEPLOY: 'yes' });
  assert.deepEqual(main.included, ['build']);

  const mr = await verdicts(yaml, onMr());
  assert.equal(mr.r.workflow.decidedBy.index, 1);
  assert.deepEqual(mr.included, []);
  assert.match(mr.r.pipelineError!.message, /no job/);

  const skipped = await verdicts(yaml, onBranch('skip-me'));
  assert.equal(skipped.r.workflow.created, false);
  assert.match(skipped.r.workflow.decidedBy.text, /when: never/);
  assert.equal(skipped.r.jobs.get('build')!.decidedBy.kind, 'workflow');

  const tag = await verdicts(yaml, onTag('v1'));
  assert.equal(tag.r.workflow.created, false);
  assert.equal(tag.r.workflow.decidedBy.kind, 'workflow-no-match');
});

test('job rules: first matching rule gives when, allow_failure, start_in, variables and needs; no match = not added', async () => {
  const yaml = `
stages: [build, deploy]
build:
  stage: build
  script: make
lint:
  stage: build
  script: lint
  allow_failure: true
  rules:
    - if: $CI_COMMIT_TAG
      when: never
    - when: on_success
deploy:
  stage: deploy
  script: deploy
  when: manual
  rules:
    - if: $CI_COMMIT_TAG =~ /^v\\d+/
      allow_failure: true
      variables:
        TARGET: production
      needs: [build]
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
      when: delayed
      start_in: 5 minutes
`;
  const tag = await verdicts(yaml, onTag('v1.2.3'));
  const deploy = tag.r.jobs.get('deploy')!;
  assert.equal(deploy.included, true);
  assert.equal(deploy.when, 'manual', 'a rule without when: keeps the job-level when');
  assert.equal(deploy.allowFailure, true);
  assert.deepEqual(deploy.ruleVariables, { TARGET: 'production' });
  assert.equal(deploy.ruleNeeds?.kind, 'seq');
  assert.equal(deploy.decidedBy.index, 0);
  assert.equal(spanText(tag.p, deploy.decidedBy.span!).trim().split('\n')[0], 'if: $CI_COMMIT_TAG =~ /^v\\d+/');
  assert.equal(tag.r.jobs.get('lint')!.included, false);
  assert.equal(tag.r.jobs.get('lint')!.decidedBy.kind, 'rule');

  const main = await verdicts(yaml, onBranch('main'));
  const d2 = main.r.jobs.get('deploy')!;
  assert.equal(d2.when, 'delayed');
  assert.equal(d2.startIn, '5 minutes');
  assert.equal(d2.allowFailure, true, 'the job-level when: manual sets the default allow_failure (Entry::Job#ignored?), the rule does not reset it');
  assert.equal(main.r.jobs.get('lint')!.allowFailure, true, 'job-level allow_failure is kept when the rule does not set it');

  const feature = await verdicts(yaml, onBranch('feature'));
  assert.deepEqual(feature.included, ['build', 'lint']);
  assert.equal(feature.r.jobs.get('deploy')!.decidedBy.kind, 'no-rule-matched');
});

test('rules:if sees global, job and extra pipeline variables with the documented precedence; inherit:variables limits globals', async () => {
  const yaml = `
variables:
  MODE: global
  OTHER: { value: "set", description: a described variable }
a:
  script: x
  rules: [{ if: $MODE == "global" }]
b:
  script: x
  variables: { MODE: job }
  rules: [{ if: $MODE == "job" }]
c:
  script: x
  inherit: { variables: false }
  rules: [{ if: $MODE }]
d:
  script: x
  inherit: { variables: [OTHER] }
  rules: [{ if: $OTHER == "set" && $MODE == null }]
`;
  assert.deepEqual((await verdicts(yaml)).included, ['a', 'b', 'd']);
  const extra = await verdicts(yaml, { variables: { MODE: 'job' } });
  assert.deepEqual(extra.included, ['b', 'c'], 'extra pipeline variables win over YAML variables');
});

test('values referring to other variables are expanded before rules read them; expand: false and string literals are not', async () => {
  const yaml = `
variables:
  MAIN: $CI_DEFAULT_BRANCH
  RELEASE: "release-$MAIN"
  LITERAL: { value: $CI_DEFAULT_BRANCH, expand: false }
a:
  script: x
  rules: [{ if: $CI_COMMIT_BRANCH == $MAIN }]
b:
  script: x
  rules: [{ if: $RELEASE == "release-main" }]
c:
  script: x
  rules: [{ if: $LITERAL == "$CI_DEFAULT_BRANCH" }]
d:
  script: x
  rules: [{ if: $CI_COMMIT_BRANCH == "$MAIN" }]
`;
  assert.deepEqual((await verdicts(yaml, onBranch('main'))).included, ['a', 'b', 'c']);
  assert.deepEqual((await verdicts(yaml, { context: { branch: 'dev', defaultBranch: 'dev' } })).included, ['a', 'c']);
});

test('changes: true when GitLab cannot know the changed files (tags, schedules, unknown); matched against the list otherwise', async () => {
  const yaml = `
docs:
  script: x
  rules:
    - changes: ["docs/**/*.md", "$EXTRA_DIR/*"]
api:
  script: x
  rules:
    - changes: { paths: [src/api/**], compare_to: main }
`;
  assert.deepEqual((await verdicts(yaml, { ...onBranch('f'), changedPaths: ['src/api/x.ts'] })).included, ['api']);
  assert.deepEqual((await verdicts(yaml, { ...onBranch('f'), changedPaths: ['docs/guide/a.md'] })).included, ['docs']);
  assert.deepEqual((await verdicts(yaml, { context: { branch: 'f' }, variables: { EXTRA_DIR: 'site' }, changedPaths: ['site/index.html'] })).included, ['docs']);
  assert.deepEqual((await verdicts(yaml, { ...onBranch('f'), changedPaths: ['README'] })).included, []);
  const unknown = await verdicts(yaml, { ...onBranch('f'), changedPaths: 'unknown' });
  assert.deepEqual(unknown.included, ['docs', 'api']);
  assert.match(unknown.r.jobs.get('docs')!.decidedBy.assumed!, /unknown/);
  assert.deepEqual((await verdicts(yaml, { ...onTag('v1'), changedPaths: ['README'] })).included, ['docs', 'api'], 'tags: changes is always true');
  assert.deepEqual((await verdicts(yaml, { ...onBranch('main', 'schedule'), changedPaths: ['README'] })).included, ['docs', 'api']);
});

test('exists: globs against the project file list; unknown list or another project is assumed true', async () => {
  const yaml = `
docker:
  script: x
  rules:
    - exists: [Dockerfile, "**/Dockerfile"]
helm:
  script: x
  rules:
    - exists: { paths: [deploy/chart/Chart.yaml] }
other:
  script: x
  rules:
    - exists: { paths: [x], project: g/p }
`;
  assert.deepEqual((await verdicts(yaml, { files: ['services/api/Dockerfile', 'README.md'] })).included, ['docker', 'other']);
  assert.deepEqual((await verdicts(yaml, { files: ['deploy/chart/Chart.yaml'] })).included, ['helm', 'other']);
  assert.deepEqual((await verdicts(yaml)).included, ['docker', 'helm', 'other']);
});

test('a rule matches only when if, changes and exists all hold', async () => {
  const yaml = `
j:
  script: x
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
      changes: [src/*]
      exists: [package.json]
      when: manual
    - when: never
`;
  const opts = { changedPaths: ['src/a.ts'], files: ['package.json'] };
  assert.equal((await verdicts(yaml, { ...onBranch('main'), ...opts })).r.jobs.get('j')!.when, 'manual');
  assert.equal((await verdicts(yaml, { ...onBranch('dev'), ...opts })).r.jobs.get('j')!.included, false);
  assert.equal((await verdicts(yaml, { ...onBranch('main'), changedPaths: ['lib/a.ts'], files: ['package.json'] })).r.jobs.get('j')!.included, false);
  assert.equal((await verdicts(yaml, { ...onBranch('main'), changedPaths: ['src/a.ts'], files: [] })).r.jobs.get('j')!.decidedBy.index, 1);
});

test('only/except: refs keywords, regexes, names, @project; variables; changes; the default only: [branches, tags]', async () => {
  const yaml = `
plain:
  script: x
tags-only:
  script: x
  only: [tags]
release:
  script: x
  only: ['/^release-.*$/', main]
mrs:
  script: x
  only: [merge_requests]
scheduled:
  script: x
  only: { refs: [schedules], variables: [$NIGHTLY == "1"] }
not-main:
  script: x
  except: [main]
scoped:
  script: x
  only: [branches@acme/other]
manual-only:
  script: x
  when: manual
  only: { variables: [$CI_COMMIT_BRANCH] }
`;
  assert.deepEqual((await verdicts(yaml, onBranch('main'))).included, ['plain', 'release', 'manual-only']);
  assert.deepEqual((await verdicts(yaml, onBranch('release-2'))).included, ['plain', 'release', 'not-main', 'manual-only']);
  assert.deepEqual((await verdicts(yaml, onTag('v1.0.0'))).included, ['plain', 'tags-only', 'not-main']);
  assert.deepEqual((await verdicts(yaml, onMr())).included, ['mrs'], 'MR pipelines are neither branches nor tags (default only: excludes them too)');
  assert.deepEqual((await verdicts(yaml, { context: { branch: 'main', source: 'schedule' }, variables: { NIGHTLY: '1' } })).included, ['plain', 'release', 'scheduled', 'manual-only']);
  const main = await verdicts(yaml, onBranch('main'));
  assert.equal(main.r.jobs.get('manual-only')!.allowFailure, true, 'manual jobs with only/except default to allow_failure: true');
  assert.equal(main.r.jobs.get('not-main')!.decidedBy.kind, 'except');
  assert.equal(main.r.jobs.get('tags-only')!.decidedBy.kind, 'only');
  assert.equal((await verdicts(yaml, { context: { branch: 'x', projectPath: 'acme/other' } })).r.jobs.get('scoped')!.included, true);
  assert.equal(refPatternMatches('pushes', { source: 'push' }), true);
  assert.equal(refPatternMatches('web', { source: 'web' }), true);
  assert.equal(refPatternMatches('/^V\\d/i', { tag: 'v2' }), true);
});

test('only: with several keys needs all of them; except: with several keys needs any', async () => {
  const yaml = `
a:
  script: x
  only: { refs: [main], changes: [src/*] }
b:
  script: x
  except: { refs: [main], variables: [$SKIP] }
`;
  assert.deepEqual((await verdicts(yaml, { ...onBranch('main'), changedPaths: ['doc.md'] })).included, []);
  assert.deepEqual((await verdicts(yaml, { ...onBranch('main'), changedPaths: ['src/a'] })).included, ['a']);
  assert.deepEqual((await verdicts(yaml, { ...onBranch('dev'), changedPaths: ['src/a'], variables: { SKIP: '1' } })).included, []);
  assert.deepEqual((await verdicts(yaml, { ...onBranch('dev'), changedPaths: ['src/a'] })).included, ['b']);
});

test('invalid expressions and unknown rule keys are diagnostics with spans, never exceptions', async () => {
  const yaml = `
j:
  script: x
  rules:
    - if: $A = "x"
    - iff: $B
      when: sometimes
`;
  const { r, p } = await verdicts(yaml);
  const messages = r.diagnostics.map((d) => d.message).join('\n');
  assert.match(messages, /invalid expression syntax/);
  assert.match(messages, /unknown keys: iff/);
  assert.match(messages, /when: sometimes/);
  const bad = r.diagnostics.find((d) => /invalid expression/.test(d.message))!;
  assert.equal(spanText(p, bad.span), '$A = "x"');
});

test('a job needing a job that the rules drop stops the pipeline; optional needs do not', async () => {
  const yaml = `
build:
  stage: build
  script: x
  rules: [{ if: $CI_COMMIT_TAG }]
test:
  stage: test
  script: x
  needs: [build]
test2:
  stage: test
  script: x
  needs: [{ job: build, optional: true }]
`;
  const branch = await verdicts(yaml, onBranch('main'));
  assert.match(branch.r.pipelineError!.message, /'test' job needs 'build' job/);
  assert.equal((await verdicts(yaml, onTag('v1'))).r.pipelineError, undefined);
  const onlyPre = await verdicts('check:\n  stage: .pre\n  script: x\n');
  assert.match(onlyPre.r.pipelineError!.message, /\.pre\/\.post/);
});

test('the example service: branch, merge request and v1.2.3 tag pipelines differ as its presets say', async () => {
  const lib = join(repoRoot, 'examples', 'ci-library');
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.yml')) files[`project:acme/ci-library@v1.2.0:/${relative(lib, p)}`] = readFileSync(p, 'utf8');
    }
  };
  walk(lib);
  const svc = join(repoRoot, 'examples', 'service-repo');
  files['.gitlab-ci.yml'] = readFileSync(join(svc, '.gitlab-ci.yml'), 'utf8');
  files['.gitlab/ci/extra.yml'] = readFileSync(join(svc, '.gitlab', 'ci', 'extra.yml'), 'utf8');
  const p = await expandFiles(files);
  const run = (o: RulesOptions) => evaluateRules(p, o);

  const main = run(onBranch('main'));
  assert.equal(main.jobs.get('deploy-staging')!.included, true);
  assert.equal(main.jobs.get('deploy-production')!.included, false);
  assert.equal(main.jobs.get('docker-publish')!.included, true);

  const tag = run(onTag('v1.2.3'));
  const prod = tag.jobs.get('deploy-production')!;
  assert.equal(prod.included, true);
  assert.equal(prod.when, 'manual');
  assert.equal(tag.jobs.get('deploy-staging')!.included, false);
  assert.equal(tag.jobs.get('smoke-test-staging')!.included, false);
  // python-test's rules come from .check-rules in the library: the deciding rule points there.
  const pyTest = tag.jobs.get('python-test')!;
  assert.equal(pyTest.included, true);
  assert.match(pyTest.decidedBy.span!.uri, /common\/jobs\.yml$/);

  const feature = run(onBranch('feature/x'));
  assert.equal(feature.workflow.created, false, 'workflow: a feature branch without a merge request gets no pipeline');
  const mr = run(onMr('feature/x'));
  assert.equal(mr.workflow.created, true);
  assert.equal(mr.jobs.get('python-lint')!.included, true);
  assert.equal(mr.jobs.get('docker-build')!.included, true, 'with workflow:rules there is no default only: [branches, tags] (Entry::Processable#compose!)');
});
