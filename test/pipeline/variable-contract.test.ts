import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { expandPipeline } from '../../server/src/pipeline/merge/expand.js';
import type { ExpandedPipeline } from '../../server/src/pipeline/merge/expand.js';
import { isPredefined, PREDEFINED_VARIABLES } from '../../server/src/pipeline/variables/predefined-variables.js';
import { simulatedVariables } from '../../server/src/pipeline/rules/simulated-context.js';
import { definitionsInScope, fileContract, missingRequiredVariables, templateContract } from '../../server/src/pipeline/contract/index.js';
import type { Contract, ContractVariable } from '../../server/src/pipeline/contract/index.js';
import { shellAssignments } from '../../server/src/pipeline/variables/shell-assignments.js';
import { DirectorySources } from '../../server/src/sources/directory-sources.js';
import { expandFiles, spanText } from '../support/engine.js';

const repo = resolve(__dirname, '..', '..');
const examples = join(repo, 'examples');
const xfenix = join(repo, '..', 'shared', 'corpus', 'xfenix-pycon2022');

async function expandDir(rootDir: string, projects: Record<string, string>, overlay?: Record<string, string>): Promise<ExpandedPipeline> {
  const sources = new DirectorySources({ rootDir, projects: new Map(Object.entries(projects)), overlay: overlay ? (p) => overlay[p] : undefined });
  return expandPipeline({ sources, variables: simulatedVariables() });
}

const service = () => expandDir(join(examples, 'service-repo'), { 'acme/ci-library@v1.2.0': join(examples, 'ci-library') });
const xfenixConsumer = () => expandDir(join(xfenix, 'cases', 'consumer-project-include'), { 'xfenix/pycon2022@master': join(xfenix, 'repo') });

function v(c: Contract, name: string): ContractVariable {
  const found = c.variables.find((x) => x.name === name);
  assert.ok(found, `${name} is in the contract of ${c.owner}: ${c.variables.map((x) => x.name).join(', ')}`);
  return found;
}
const names = (c: Contract, required: boolean) => c.variables.filter((x) => x.required === required).map((x) => x.name).sort();
const fileUri = (p: ExpandedPipeline, path: string) => p.files.find((f) => f.path === path)!.uri;

test('.python-test-job: required and optional variables from its and its parent\'s doc comments, with where they are read', async () => {
  const p = await service();
  const c = templateContract(p, '.python-test-job');
  assert.equal(c.owner, '.python-test-job');
  assert.deepEqual(names(c, true), ['PYTHON_VERSION', 'SERVICE_NAME']);
  assert.deepEqual(names(c, false), ['COVERAGE_SOURCE', 'PYTEST_ARGS', 'REQUIREMENTS_FILE']);
  const py = v(c, 'PYTHON_VERSION');
  assert.equal(py.why, 'comment');
  assert.equal(py.description, 'Python version used for the image tag, e.g. "3.12"');
  // read in the image (from .python-base-job), the cache key and the script
  assert.deepEqual(py.reads.map((r) => spanText(p, r.span)).sort(), ['$PYTHON_VERSION', '$PYTHON_VERSION', '${PYTHON_VERSION}']);
  assert.ok(py.reads.every((r) => r.job === '.python-test-job' && r.span.uri.endsWith('common/jobs.yml')));
  assert.equal(spanText(p, py.declaredAt!), '# @required PYTHON_VERSION: Python version used for the image tag, e.g. "3.12"');
  const args = v(c, 'PYTEST_ARGS');
  assert.equal(args.default, '-q --maxfail=5');
  assert.equal(spanText(p, args.reads[0].span), '${PYTEST_ARGS:--q --maxfail=5}');
  // required variables come first
  assert.deepEqual(c.variables.slice(0, 2).map((x) => x.required), [true, true]);
});

test('reads without a declaration: ${X?msg} is required, a shell variable the script sets is not a variable of the contract', async () => {
  const p = await service();
  const c = templateContract(p, '.docker-build-job');
  const img = v(c, 'DOCKER_IMAGE_NAME');
  assert.equal(img.required, true);
  for (const shell of ['PLATFORM', 'ARCH', 'IMAGE_REF']) assert.ok(!c.variables.some((x) => x.name === shell), `${shell} is assigned by the script`);
  assert.ok(!c.variables.some((x) => x.name.startsWith('CI_')), 'predefined variables are no part of a contract');

  const q = await expandFiles({
    '.gitlab-ci.yml': [
      '.deploy:',
      '  image: $DEPLOY_IMAGE',
      '  variables:',
      '    REGION:',
      '      value: eu-west-1',
      '      description: Cloud region',
      '      options: [eu-west-1, us-east-1]',
      '  script:',
      '    - deploy --token "${DEPLOY_TOKEN?set DEPLOY_TOKEN in the CI/CD settings}" --region $REGION',
      '    - for host in $HOSTS; do ping "$host"; done',
      '    - export TAG=$(git describe) && echo "$TAG ${NOTE:-none} ${VERBOSE:+-v}"',
      '  rules:',
      '    - if: $DEPLOY_ENABLED == "true"',
      'job:',
      '  extends: .deploy',
    ].join('\n'),
  });
  const d = templateContract(q, '.deploy');
  assert.deepEqual(names(d, true), ['DEPLOY_IMAGE', 'DEPLOY_TOKEN', 'HOSTS']);
  assert.equal(v(d, 'DEPLOY_TOKEN').why, 'required-expansion');
  assert.equal(v(d, 'DEPLOY_TOKEN').description, 'set DEPLOY_TOKEN in the CI/CD settings');
  assert.equal(v(d, 'DEPLOY_IMAGE').why, 'read-without-default');
  const region = v(d, 'REGION');
  assert.deepEqual([region.required, region.why, region.default, region.description, region.options], [false, 'rich-variable', 'eu-west-1', 'Cloud region', ['eu-west-1', 'us-east-1']]);
  assert.deepEqual([v(d, 'NOTE').required, v(d, 'NOTE').why, v(d, 'NOTE').default], [false, 'read-with-default', 'none']);
  // conditions (rules:if, ${X:+…}) read a variable that may well be unset
  assert.equal(v(d, 'DEPLOY_ENABLED').required, false);
  assert.equal(v(d, 'VERBOSE').required, false);
  for (const shell of ['host', 'TAG']) assert.ok(!d.variables.some((x) => x.name === shell), shell);
});

test('the vars-check job of the talk: `set -u` in before_script, its echoes declare what the preset needs', async () => {
  const p = await expandFiles({
    '.gitlab-ci.yml': 'include:\n  - project: xfenix/pycon2022\n    ref: master\n    file: jobs.yml\nstages: [.pre, test]\ncheck-vars:\n  extends: .vars-check-job\n  script:\n    - echo $SENTRY_DSN $PROJECT_SLUG\n',
    'project:xfenix/pycon2022@master:/jobs.yml': '.vars-check-job:\n  stage: .pre\n  before_script:\n    - set -u\n',
  });
  const c = templateContract(p, 'check-vars');
  assert.deepEqual(names(c, true), ['PROJECT_SLUG', 'SENTRY_DSN']);
  assert.ok(c.variables.every((x) => x.why === 'vars-check'));
  // without set -u the same echo is just a read
  const q = await expandFiles({ '.gitlab-ci.yml': 'check:\n  script:\n    - echo $SENTRY_DSN\n' });
  assert.equal(v(templateContract(q, 'check'), 'SENTRY_DSN').why, 'read-without-default');
});

test('the example library\'s vars-check jobs and presets: cd/helm.yml and ci/python-postgres.yml', async () => {
  const p = await service();
  const deployVars = templateContract(p, 'check-deploy-vars');
  assert.equal(v(deployVars, 'HELM_CHART').required, true);
  const helm = fileContract(p, fileUri(p, 'cd/helm.yml'));
  assert.deepEqual(names(helm, true), ['HELM_CHART', 'SERVICE_NAME']);
  const timeout = v(helm, 'HELM_TIMEOUT');
  assert.deepEqual([timeout.required, timeout.default, timeout.options], [false, '5m', ['5m', '10m', '20m']]);
  // KUBE_CONTEXT is @required by .helm-deploy-job, and the preset's deploy jobs set it
  assert.equal(v(helm, 'KUBE_CONTEXT').required, false);
  // a group-vars.yml value the preset reads is optional, with the library's value as default
  const domain = v(helm, 'ACME_BASE_DOMAIN');
  assert.deepEqual([domain.required, domain.default, domain.description], [false, 'acme.example', 'Base domain of the review, staging and production URLs.']);
  const pg = fileContract(p, fileUri(p, 'ci/python-postgres.yml'));
  const version = v(pg, 'POSTGRES_VERSION');
  assert.deepEqual([version.required, version.default, version.why], [false, '16', 'comment']);
  assert.deepEqual(names(pg, true), ['PYTHON_VERSION', 'SERVICE_NAME']);
  const groupVars = fileContract(p, fileUri(p, 'group-vars.yml'));
  assert.deepEqual(names(groupVars, true), []);
  assert.equal(v(groupVars, 'ACME_LOG_FORMAT').why, 'rich-variable');
  assert.deepEqual(fileContract(p, 'file:///nowhere.yml'), { owner: 'file:///nowhere.yml', variables: [] });
});

test('file header tags declare a preset file\'s variables', async () => {
  const p = await expandFiles({
    '.gitlab-ci.yml': 'include: preset.yml\n',
    'preset.yml': '# Preset\n# @required TEAM: owning team\n# @optional CHANNEL: chat channel (default: #ci)\n\nnotify:\n  script:\n    - notify "$TEAM" "${CHANNEL:-#ci}"\n',
  });
  const c = fileContract(p, fileUri(p, 'preset.yml'));
  assert.deepEqual(c.variables.map((x) => [x.name, x.required, x.why, x.default ?? null]), [['TEAM', true, 'comment', null], ['CHANNEL', false, 'comment', '#ci']]);
});

test('xfenix jobs.yml as a central library: .python-test-job\'s contract', async () => {
  const p = await xfenixConsumer();
  const c = templateContract(p, '.python-test-job');
  assert.deepEqual(names(c, true), ['COVERAGE_FILE_NAME', 'DOCKER_REGISTRY_PASSWORD', 'DOCKER_REGISTRY_USER', 'JUNIT_FILE_NAME', 'OUT_DIR_IN_DOCKER', 'PROJECT_SLUG']);
  // exported by the script it takes from .prepare-build-tag / itself
  for (const shell of ['DOCKER_IMAGE_VERSION', 'DOCKER_TAG_FOR_CI', 'RAND_DOCKER_NAME_FOR_SYNC', 'TEST_DB_IP_ADDR', 'runAs']) {
    assert.ok(!c.variables.some((x) => x.name === shell), `${shell} is set by the job's shell`);
  }
  // PROJECT_SLUG is read through the library's DOCKER_PRODUCTION_TAG_BODY
  const slug = v(c, 'PROJECT_SLUG');
  assert.ok(slug.reads.some((r) => r.span.uri.endsWith('jobs.yml') && spanText(p, r.span) === '$PROJECT_SLUG'));
  const toolset = v(c, 'TOOLSET_FOLDER_NAME');
  assert.deepEqual([toolset.required, toolset.default, toolset.why], [false, '.', 'preset-default']);
  assert.equal(v(c, 'PYTEST_WORKERS_INFIX').default, '-n3');
});

test('definitionsInScope: the override chain of a variable, winner first, with scope and provenance', async () => {
  const p = await service();
  const defs = definitionsInScope(p, 'contract-tests', { knownVariables: ['PYTEST_ARGS'] });
  const chain = defs.get('PYTEST_ARGS')!;
  assert.deepEqual(chain.map((d) => d.scope), ['known', 'job', 'global', 'included-file']);
  assert.deepEqual(chain.slice(1).map((d) => d.value), ['-q tests/contract', '-q --maxfail=3 --ignore=tests/contract', '-q --maxfail=5']);
  assert.equal(chain[3].span!.uri, fileUri(p, 'ci/python.yml'));
  assert.equal(chain[3].description, 'Extra pytest arguments of python-test (and of jobs extending .python-test-job).');
  assert.equal(spanText(p, chain[1].span!), 'PYTEST_ARGS');
  // extends parents' variables follow the job's own
  const pip = definitionsInScope(p, 'contract-tests').get('PIP_CACHE_DIR')!;
  assert.deepEqual(pip.map((d) => [d.scope, d.job]), [['extends', '.python-base-job']]);
  assert.deepEqual(pip[0].via?.map((s) => s.name), ['.python-test-job', '.python-base-job']);
  // group-vars.yml: a global that arrived through an include
  const repoUrl = definitionsInScope(p, 'helm-lint').get('HELM_REPO_URL')!;
  assert.deepEqual(repoUrl.map((d) => d.scope), ['included-file']);
  assert.equal(repoUrl[0].span!.uri, fileUri(p, 'group-vars.yml'));
  const sha = definitionsInScope(p).get('CI_COMMIT_SHA')!;
  assert.equal(sha[0].scope, 'predefined');
  assert.ok(sha[0].description);
  // parallel:matrix defines the variable for each instance
  assert.deepEqual(definitionsInScope(p, 'docker-build').get('DOCKER_PLATFORM')!.map((d) => d.options), [['linux/amd64', 'linux/arm64']]);
});

test('definitionsInScope respects inherit:variables', async () => {
  const p = await expandFiles({ '.gitlab-ci.yml': 'variables:\n  A: a\n  B: b\nnone:\n  inherit: {variables: false}\n  script: [x]\nsome:\n  inherit: {variables: [B]}\n  script: [x]\nall:\n  script: [x]\n' });
  const own = (job: string) => ['A', 'B'].filter((n) => definitionsInScope(p, job).has(n));
  assert.deepEqual([own('none'), own('some'), own('all')], [[], ['B'], ['A', 'B']]);
});

test('missing required variables of the example service: HELM_CHART, once, on the include of cd/helm.yml', async () => {
  const p = await service();
  const missing = missingRequiredVariables(p, { knownVariables: [] });
  assert.deepEqual(missing.map((m) => m.variable.name), ['HELM_CHART']);
  const m = missing[0];
  const entry = spanText(p, m.span);
  assert.match(entry, /^project: acme\/ci-library\n\s+ref: v1\.2\.0\n\s+file:\n\s+- ci\/python-postgres\.yml\n\s+- cd\/helm\.yml/);
  assert.equal(m.presetUri, fileUri(p, 'cd/helm.yml'));
  assert.equal(m.variable.description, "path of the service's chart in its repository, e.g. deploy/chart");
  assert.equal(m.neededBy, '.helm-base-job');
  assert.deepEqual(m.jobs.sort(), ['check-deploy-vars', 'deploy-production', 'deploy-staging', 'helm-lint']);
  assert.deepEqual(missingRequiredVariables(p, { knownVariables: ['HELM_CHART'] }), []);
});

test('the service with HELM_CHART set (or set in a job only) — missing where the job does not get it', async () => {
  const dir = join(examples, 'service-repo');
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8');
  const root = join(dir, '.gitlab-ci.yml');
  const lib = { 'acme/ci-library@v1.2.0': join(examples, 'ci-library') };
  const fixed = await expandDir(dir, lib, { [root]: text.replace('  SERVICE_NAME: orders-api\n', '  SERVICE_NAME: orders-api\n  HELM_CHART: deploy/chart\n') });
  assert.deepEqual(missingRequiredVariables(fixed, { knownVariables: [] }), []);
  // a job that opts out of global variables loses SERVICE_NAME as well
  const optOut = await expandDir(dir, lib, { [root]: `${text}\nhelm-lint:\n  inherit:\n    variables: false\n` });
  const missing = missingRequiredVariables(optOut, { knownVariables: [] });
  assert.deepEqual(missing.map((m) => m.variable.name).sort(), ['HELM_CHART', 'SERVICE_NAME']);
  assert.ok(missing.find((m) => m.variable.name === 'SERVICE_NAME')!.jobs.includes('helm-lint'));
});

test('xfenix consumer: missing variables are reported on the consumer job that extends the template', async () => {
  const p = await xfenixConsumer();
  const missing = missingRequiredVariables(p, { knownVariables: ['DOCKER_REGISTRY_USER', 'DOCKER_REGISTRY_PASSWORD'] });
  const byJob = new Map<string, string[]>();
  for (const m of missing) byJob.set(spanText(p, m.span), [...(byJob.get(spanText(p, m.span)) ?? []), m.variable.name].sort());
  assert.deepEqual(Object.fromEntries(byJob), {
    '.python-test-job': ['COVERAGE_FILE_NAME', 'JUNIT_FILE_NAME', 'OUT_DIR_IN_DOCKER', 'PROJECT_SLUG'],
    // `-pylint_args='$PYLINT_ARGS'` inside `bash -c "…"`: the single quotes do not stop expansion
    '.lint-python': ['EXTRA_MYPY_ARGS', 'PROJECT_SLUG', 'PYLINT_ARGS'],
    '.clean-current-docker-image': ['PROJECT_SLUG'],
  });
  assert.ok(missing.every((m) => m.presetUri === undefined && m.jobs.length === 1));
});

test('a preset file on its own (standalone) reports nothing missing; nor a pipeline with no library', async () => {
  const own = await expandFiles({ '.gitlab-ci.yml': 'job:\n  script: [echo $UNSET]\n' });
  assert.deepEqual(missingRequiredVariables(own, { knownVariables: [] }), []);
});

test('shell assignments: command position only, in effect after their command', () => {
  const names = (s: string) => shellAssignments(s).map((a) => a.name);
  assert.deepEqual(names('export A=1 B="x y" && C=$(cmd; other) run --build-arg D=$D'), ['A', 'B', 'C']);
  assert.deepEqual(names('if [ -n "$X" ]; then Y=1; else Z=2; fi'), ['Y', 'Z']);
  assert.deepEqual(names('for f in *.tar; do docker load -i "$f"; done'), ['f']);
  assert.deepEqual(names('read -r -p "name? " NAME'), ['NAME']);
  assert.deepEqual(names('podman run -e NV_ENVIRONMENT=test img'), []);
  const [a] = shellAssignments('A=1; echo $A');
  assert.equal(a.from, 'A=1;'.length);
});

test('the predefined variables list: GitLab\'s current names, each with a one-line description', () => {
  assert.ok(PREDEFINED_VARIABLES.length > 150);
  assert.equal(new Set(PREDEFINED_VARIABLES.map((x) => x.name)).size, PREDEFINED_VARIABLES.length);
  for (const x of PREDEFINED_VARIABLES) {
    assert.match(x.name, /^[A-Z][A-Z0-9_]*$/);
    assert.ok(x.description.length > 5 && !x.description.includes('\n'), x.name);
  }
  for (const n of ['CI_COMMIT_SHA', 'CI_PIPELINE_SOURCE', 'CI_MERGE_REQUEST_IID', 'CI_JOB_TOKEN', 'GITLAB_USER_LOGIN', 'CI_PIPELINE_SCHEDULE_DESCRIPTION']) assert.ok(isPredefined(n), n);
  for (const n of ['CI_JOB_JWT', 'CI_BUILD_REF', 'HELM_CHART']) assert.ok(!isPredefined(n), n);
});
