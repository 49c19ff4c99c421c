/**
 * The first analysis of a big pipeline publishes the open document's missing-variable findings
 * from the jobs `jobsPlacingIn` names (contract/document-jobs.ts) before every job is looked at.
 * That must give exactly the findings the whole pipeline places in that document: checked on
 * random consumers of a real preset library (xfenix/pycon2022 in ../shared/corpus) whose jobs are
 * spread over several files and extend, `!reference` and override each other across them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expandPipeline } from '../../server/src/pipeline/merge/expand.js';
import { simulatedVariables } from '../../server/src/pipeline/rules/simulated-context.js';
import { jobsPlacingIn, missingRequiredVariables } from '../../server/src/pipeline/contract/index.js';
import { DirectorySources } from '../../server/src/sources/directory-sources.js';

const library = join(resolve(__dirname, '..', '..'), '..', 'shared', 'corpus', 'xfenix-pycon2022', 'repo');
const TEMPLATES = ['.python-test-job', '.python-postgres-test-job', '.lint-python', '.build-docker-job', '.publish-docker-image', '.scan-with-sonar', '.keydb-test', '.pypi-build-with-poetry', '.tag-release-job', '.auto-semver'];
const VARIABLES = ['PYLINT_ARGS', 'SONAR_TOKEN', 'DOCKER_REGISTRY_HOST', 'POSTGRES_DB', 'PYPI_TOKEN', 'APP_NAME'];
const FILES = ['jobs/a.yml', 'jobs/b.yml', 'jobs/c.yml'];

function rng(seed: number) {
  return () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

/** A consumer: the library's jobs.yml and group-vars.yml, and jobs spread over three local files. */
function randomConsumer(r: () => number): Record<string, string> {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  const files: Record<string, string[]> = Object.fromEntries(FILES.map((f) => [f, []]));
  // Consumer templates first (any file), then jobs that extend or reference them or the library's.
  const own: string[] = [];
  for (let i = 0; i < 4; i++) {
    const name = `.own-${i}`;
    const lines = [`${name}:`, `  extends: ${pick(TEMPLATES)}`];
    if (r() < 0.5) lines.push('  variables:', `    ${pick(VARIABLES)}: set-by-template`);
    files[pick(FILES)].push(...lines);
    own.push(name);
  }
  const jobs = 8 + Math.floor(r() * 10);
  for (let i = 0; i < jobs; i++) {
    const name = `job-${i % 12}`; // some names twice: a job written in two files is merged
    const lines = [`${name}:`];
    const parents = [r() < 0.4 ? pick(own) : pick(TEMPLATES)];
    if (r() < 0.3) parents.push(pick(TEMPLATES));
    lines.push(`  extends: [${parents.join(', ')}]`);
    if (r() < 0.35) lines.push(`  script:`, `    - !reference [${r() < 0.5 ? pick(own) : pick(TEMPLATES)}, script]`, '    - echo $APP_NAME');
    if (r() < 0.4) lines.push('  variables:', `    ${pick(VARIABLES)}: set`);
    files[pick(FILES)].push(...lines);
  }
  const out: Record<string, string> = {};
  for (const f of FILES) out[f] = files[f].join('\n') + '\n';
  out['.gitlab-ci.yml'] = [
    'include:',
    '  - project: xfenix/pycon2022',
    '    ref: master',
    '    file: [group-vars.yml, jobs.yml]',
    ...FILES.map((f) => `  - local: ${f}`),
    'stages: [.pre, build, test, after-test, deploy, lint, .post]',
    '.podman-login-arti:',
    '  script: [buildah login -u $DOCKER_REGISTRY_USER]',
    '.podman-logout-arti:',
    '  script: [buildah logout --all]',
    '',
  ].join('\n');
  return out;
}

test('random consumers over several files: the findings of the jobs named for a file are the pipeline’s findings there', async () => {
  const base = mkdtempSync(join(tmpdir(), 'gcp-document-jobs-'));
  const lib = join(base, 'lib');
  cpSync(library, lib, { recursive: true });
  const r = rng(20261207);
  let placed = 0;
  let narrowed = 0;
  for (let run = 0; run < 25; run++) {
    const app = join(base, `app-${run}`);
    mkdirSync(join(app, 'jobs'), { recursive: true });
    for (const [path, text] of Object.entries(randomConsumer(r))) writeFileSync(join(app, path), text);
    const sources = new DirectorySources({ rootDir: app, projects: new Map([['xfenix/pycon2022@master', lib]]) });
    const p = await expandPipeline({ sources, variables: simulatedVariables() });
    const all = missingRequiredVariables(p, { knownVariables: [] });
    for (const f of FILES) {
      const uri = pathToFileURL(join(app, f)).href;
      const jobs = jobsPlacingIn(p, uri);
      assert.ok(jobs, `${f} holds jobs only: the jobs that place findings there can be told`);
      if (jobs.size < [...p.jobs.values()].filter((j) => !j.hidden).length) narrowed++;
      const expected = all.filter((m) => m.span.uri === uri);
      const early = missingRequiredVariables(p, { knownVariables: [], jobs }).filter((m) => m.span.uri === uri);
      assert.deepStrictEqual(early, expected, `run ${run}, ${f}`);
      placed += expected.length;
    }
    // The root holds include entries: it is not one of jobs only.
    assert.equal(jobsPlacingIn(p, pathToFileURL(join(app, '.gitlab-ci.yml')).href), undefined);
  }
  // Not vacuous: findings are placed in the job files, and the jobs named are fewer than all.
  assert.ok(placed > 25, `findings placed in job files: ${placed}`);
  assert.ok(narrowed > 40, `files whose jobs were narrowed: ${narrowed}`);
});
