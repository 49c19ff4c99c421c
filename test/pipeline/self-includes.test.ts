/**
 * A components repository testing its own components: includes of the pipeline's own project at
 * its own commit read the working tree (GitLab: the commit the pipeline runs for).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandPipeline } from '../../server/src/pipeline/merge/expand.js';
import { renderPipeline } from '../../server/src/pipeline/merge/output.js';
import { simulatedVariables } from '../../server/src/pipeline/rules/simulated-context.js';
import { MemorySources } from '../../server/src/sources/memory-sources.js';

const templates = {
  'templates/pre-commit.yml': 'spec:\n  inputs:\n    stage: {default: test}\n---\npre-commit:\n  stage: $[[ inputs.stage ]]\n  script:\n    - echo $[[ component.name ]]\n',
  'templates/deploy/template.yml': 'deploy:\n  stage: deploy\n  script: [echo deploy]\n',
  'templates/lint.yml': 'lint:\n  script: [echo lint]\n',
  'shared/common.yml': 'common:\n  script: [echo common]\n',
};

async function expand(include: string, opts: { variables?: Record<string, string>; self?: boolean } = {}) {
  const sources = new MemorySources({ '.gitlab-ci.yml': `include:\n${include}\nown:\n  script: [echo]\n`, ...templates });
  const variables = { ...simulatedVariables({ serverHost: 'gitlab.example.com', projectPath: 'platform/components' }), ...opts.variables };
  const selfProject = opts.self === false ? undefined : { host: 'gitlab.example.com', path: 'platform/components' };
  const p = await expandPipeline({ sources, variables, selfProject });
  const unresolved = p.diagnostics.filter((d) => d.code === 'include-variable-unknown').map((d) => d.message);
  return { plain: renderPipeline(p) as Record<string, any>, errors: p.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), unresolved };
}

for (const [what, include, job] of [
  ['component at $CI_COMMIT_SHA through $CI_SERVER_FQDN/$CI_PROJECT_PATH', '  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/pre-commit@$CI_COMMIT_SHA\n    inputs: {stage: build}', 'pre-commit'],
  ['component at ${CI_COMMIT_REF_NAME} through $CI_SERVER_HOST, templates/NAME/template.yml', '  - component: $CI_SERVER_HOST/${CI_PROJECT_PATH}/deploy@${CI_COMMIT_REF_NAME}', 'deploy'],
  ['component at $CI_COMMIT_BRANCH named by the literal host and path of the git remote', '  - component: gitlab.example.com/platform/components/lint@$CI_COMMIT_BRANCH', 'lint'],
  ['component at the current branch by value', '  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/lint@main', 'lint'],
  ['include: project: $CI_PROJECT_PATH, ref: $CI_COMMIT_SHA', '  - project: $CI_PROJECT_PATH\n    ref: $CI_COMMIT_SHA\n    file: shared/common.yml', 'common'],
  ['include: project: (the remote\'s path), ref: $CI_COMMIT_REF_NAME', '  - project: platform/components\n    ref: $CI_COMMIT_REF_NAME\n    file: [/shared/common.yml]', 'common'],
] as const) {
  test(`self include read from the working tree: ${what}`, async () => {
    const { plain, errors } = await expand(include);
    assert.deepEqual(errors, []);
    assert.ok(plain[job], `${job} is in the pipeline`);
  });
}

test('self component: inputs and $[[ component.name ]] as for any component', async () => {
  const { plain } = await expand('  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/pre-commit@$CI_COMMIT_SHA\n    inputs: {stage: build}');
  assert.equal(plain['pre-commit'].stage, 'build');
  assert.deepEqual(plain['pre-commit'].script, ['echo pre-commit']);
});

test('a missing self component names the working tree', async () => {
  const { errors } = await expand('  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/nope@$CI_COMMIT_SHA');
  assert.deepEqual(errors, ["Component 'gitlab.example.com/platform/components/nope@$CI_COMMIT_SHA' - content not found (neither templates/nope.yml nor templates/nope/template.yml exists in the working tree of this project)"]);
});

for (const [what, include, opts] of [
  ['another project', '  - component: gitlab.example.com/platform/other/lint@$CI_COMMIT_SHA', {}],
  ['another host', '  - component: gitlab.com/platform/components/lint@$CI_COMMIT_SHA', {}],
  ['a pinned version of itself', '  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/lint@1.0.0', {}],
  ['its own project without a ref (the default branch)', '  - project: $CI_PROJECT_PATH\n    file: shared/common.yml', {}],
  ['the literal path when the folder has no git remote', '  - project: platform/components\n    ref: $CI_COMMIT_SHA\n    file: shared/common.yml', { self: false }],
] as const) {
  test(`not a self include: ${what}`, async () => {
    const { errors, unresolved } = await expand(include, opts);
    // Another project at $CI_COMMIT_SHA: a value GitLab has and this run has not — unresolved, with a warning.
    assert.equal(errors.length + unresolved.length, 1, 'asked of the sources as another project, which they do not hold');
  });
}
