/**
 * The contract as a consumer sees it, on the talk's library (xfenix/pycon2022 in ../shared/corpus)
 * used as a central preset library: what is required for this consumer, with the same label and
 * default in the top-level block, a job's block and the `variable-missing` findings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expandPipeline } from '../../server/src/pipeline/merge/expand.js';
import type { ExpandedPipeline } from '../../server/src/pipeline/merge/expand.js';
import { simulatedVariables } from '../../server/src/pipeline/rules/simulated-context.js';
import { documentContract, missingRequiredVariables } from '../../server/src/pipeline/contract/index.js';
import type { ContractVariable } from '../../server/src/pipeline/contract/index.js';
import { findVariableReads } from '../../server/src/pipeline/variables/variable-expansion.js';
import { DirectorySources } from '../../server/src/sources/directory-sources.js';

const library = join(resolve(__dirname, '..', '..'), '..', 'shared', 'corpus', 'xfenix-pycon2022', 'repo');

const HEAD = `include:
  - project: xfenix/pycon2022
    ref: master
    file: [group-vars.yml, jobs.yml]
stages: [.pre, build, test, after-test, deploy, lint, .post]
`;
// jobs.yml reads !reference [.podman-login-arti, script] and friends, which it never defines.
const ARTI = `.podman-login-arti:
  script: [buildah login -u $DOCKER_REGISTRY_USER -p $DOCKER_REGISTRY_PASSWORD $DOCKER_REGISTRY_HOST]
.podman-logout-arti:
  script: [buildah logout --all]
`;

/** The consumer `ci` (its .gitlab-ci.yml) with the library mapped; `extra` files go into a copy of the library. */
async function consumer(ci: string, extra: Record<string, string> = {}): Promise<{ p: ExpandedPipeline; root: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-consumer-contract-'));
  const lib = join(dir, 'lib');
  cpSync(library, lib, { recursive: true });
  for (const [path, text] of Object.entries(extra)) writeFileSync(join(lib, path), text);
  mkdirSync(join(dir, 'app'));
  writeFileSync(join(dir, 'app', '.gitlab-ci.yml'), ci);
  const sources = new DirectorySources({ rootDir: join(dir, 'app'), projects: new Map([['xfenix/pycon2022@master', lib]]) });
  const p = await expandPipeline({ sources, variables: simulatedVariables() });
  return { p, root: pathToFileURL(join(dir, 'app', '.gitlab-ci.yml')).href };
}

function v(list: ContractVariable[], name: string): ContractVariable {
  const found = list.find((x) => x.name === name);
  assert.ok(found, `${name} is offered: ${list.map((x) => x.name).join(', ')}`);
  return found;
}
const missing = (p: ExpandedPipeline) => missingRequiredVariables(p, { knownVariables: [] }).map((m) => `${m.variable.name} ${m.jobs.join(',')}`).sort();

test("'$X' inside a double-quoted string is a read (bash -c \"…'$PYLINT_ARGS'…\" of .lint-python)", async () => {
  const reads = (t: string) => findVariableReads(t, { shell: true }).map((r) => r.name);
  assert.deepEqual(reads(`bash -c "lint -pylint_args='$PYLINT_ARGS' &&"`), ['PYLINT_ARGS']);
  assert.deepEqual(reads(`echo '$A' "$B" "$(echo '$C')" "'$D'"`), ['B', 'D'], "'…' outside double quotes, also inside $( ), still hides");
  const { p, root } = await consumer(`${HEAD}lint-python:\n  extends: .lint-python\n${ARTI}`);
  assert.ok(missing(p).includes('PYLINT_ARGS lint-python'), missing(p).join('; '));
  assert.equal(v(documentContract(p, root, 'lint-python'), 'EXTRA_MYPY_ARGS').required, true);
});

test('a variable the job exports before reading it is not required (RAND_DOCKER_NAME_FOR_SYNC of .python-test-job)', async () => {
  const { p, root } = await consumer(`${HEAD}test-python:\n  extends: .python-test-job\n${ARTI}`);
  for (const list of [documentContract(p, root, undefined), documentContract(p, root, 'test-python')]) {
    const rand = list.find((x) => x.name === 'RAND_DOCKER_NAME_FOR_SYNC');
    assert.ok(!rand?.required, 'exported by the job before .after-test-run reads it');
  }
  assert.ok(!missing(p).some((m) => m.startsWith('RAND_DOCKER_NAME_FOR_SYNC')));
});

test('a variable read only by a template no job uses is not required (SONAR_TOKEN of .scan-with-sonar)', async () => {
  const { p, root } = await consumer(`${HEAD}test-python:\n  extends: .python-test-job\n${ARTI}`);
  const sonar = v(documentContract(p, root, undefined), 'SONAR_TOKEN');
  assert.deepEqual([sonar.required, sonar.why], [false, 'not-used']);
  // Once a job uses the template, it is.
  const used = await consumer(`${HEAD}sonar:\n  extends: .scan-with-sonar\n`);
  assert.equal(v(documentContract(used.p, used.root, undefined), 'SONAR_TOKEN').required, true);
  assert.ok(missing(used.p).includes('SONAR_TOKEN sonar'));
});

test('a variable the library sets has one label and default at the top level, in the job and in the findings', async () => {
  const { p, root } = await consumer(`${HEAD}test-python:\n  extends: .python-test-job\nlint-python:\n  extends: .lint-python\n${ARTI}`);
  const top = documentContract(p, root, undefined);
  const warned = new Set(missingRequiredVariables(p, { knownVariables: [] }).map((m) => m.variable.name));
  for (const job of ['test-python', 'lint-python']) {
    for (const x of documentContract(p, root, job)) {
      const t = top.find((y) => y.name === x.name);
      if (!t) continue; // a template variable: only the job's block offers it
      if (!x.required) assert.equal(t.required, false, `${x.name}: optional in ${job}, optional at the top level`);
      else assert.equal(t.required, true, `${x.name}: required in ${job}, required at the top level`);
      assert.equal(x.required, warned.has(x.name), `${x.name}: required in ${job} exactly when it is reported missing`);
    }
  }
  for (const name of ['DOCKER_REGISTRY_HOST', 'TOOLSET_FOLDER_NAME', 'PODMAN_IMAGE_FOR_CI']) {
    const inJob = v(documentContract(p, root, 'test-python'), name);
    const atTop = v(top, name);
    assert.deepEqual([inJob.required, inJob.why, inJob.default], [false, 'preset-default', atTop.default]);
    assert.equal(atTop.required, false);
  }
  assert.equal(v(top, 'DOCKER_REGISTRY_HOST').default, 'my-company.gitlab.com');
});

test("a job's block offers its template's own variables, with their values as defaults (POSTGRES_DB, DB_HOST)", async () => {
  const { p, root } = await consumer(`${HEAD}test-db:\n  extends: .python-postgres-test-job\n${ARTI}`);
  const inJob = documentContract(p, root, 'test-db');
  for (const [name, value] of [['POSTGRES_DB', 'db-for-tests'], ['DB_HOST', 'test-server'], ['POSTGRES_USER', 'simpleuser'], ['FF_NETWORK_PER_BUILD', '1']]) {
    const x = v(inJob, name);
    assert.deepEqual([x.required, x.default], [false, value], name);
  }
  // A global value would not override a job's own variable: the top-level block leaves them out.
  assert.ok(!documentContract(p, root, undefined).some((x) => x.name === 'POSTGRES_DB'));
});

test('a default with a value wins over `${X:-}` (BEFORE_TESTS_HOOK: alembic upgrade head)', async () => {
  const { p, root } = await consumer(`${HEAD}test-db:\n  extends: .python-postgres-test-job\ntest-python:\n  extends: .python-test-job\n${ARTI}`);
  assert.equal(v(documentContract(p, root, 'test-db'), 'BEFORE_TESTS_HOOK').default, 'alembic upgrade head');
  assert.equal(v(documentContract(p, root, undefined), 'BEFORE_TESTS_HOOK').default, 'alembic upgrade head');
  assert.equal(v(documentContract(p, root, 'test-python'), 'BEFORE_TESTS_HOOK').default, '', '.python-test-job alone: `${BEFORE_TESTS_HOOK:-}`');
});

test('the top-level block offers what the templates the pipeline\'s jobs extend require, also through a nested include (DB_DSN)', async () => {
  const extra = {
    'db.yml': `.migrate-db:\n  extends: .default-job\n  stage: test\n  image: $PYTHON_IMAGE_FOR_CI\n  script:\n    - alembic -x dsn="\${DB_DSN?DSN of the database to migrate}" upgrade head\n`,
    'python-db.yml': `include:\n  - local: /jobs.yml\n  - local: /db.yml\n`,
  };
  const { p, root } = await consumer(`include:\n  - project: xfenix/pycon2022\n    ref: master\n    file: [group-vars.yml, python-db.yml]\nstages: [test]\nmigrate:\n  extends: .migrate-db\n`, extra);
  const dsn = v(documentContract(p, root, undefined), 'DB_DSN');
  assert.deepEqual([dsn.required, dsn.why, dsn.description], [true, 'required-expansion', 'DSN of the database to migrate']);
  assert.equal(v(documentContract(p, root, 'migrate'), 'DB_DSN').required, true);
  assert.deepEqual(missing(p), ['DB_DSN migrate']);
});
