/**
 * The conformance harness itself: normalisation (idempotent on every oracle output, GitLab forms
 * map onto the oracle's), deviation data (every patch still applies to the corpus), case
 * discovery (oracle.args paths resolved like oracle.sh).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  applyGitlabDefaultInheritance,
  CORPUS,
  corpusAvailable,
  deviationsFor,
  discoverCorpusCases,
  discoverSpecCases,
  errorMatches,
  expandCachePolicies,
  findCaseDirs,
  gitlabExpectation,
  readExpected,
  readOracleArgs,
  TEMPLATES_DIR,
} from './cases.js';
import { DEVIATIONS, ERROR_CASES_CHECKED } from './deviations.js';
import { diffPlain, normalise, variableText } from './normalise.js';

const skipNoCorpus = corpusAvailable() ? false : `corpus not found at ${CORPUS}`;

describe('normalise: rules on hand-written GitLab forms', () => {
  test('image/services/cache/needs/script/variables/extends map onto the oracle forms', () => {
    const gitlab = {
      stages: ['.pre', 'build', 'test', '.post'],
      job: {
        extends: '.base',
        image: 'alpine:3',
        services: ['postgres', { name: 'redis', alias: 'r', pull_policy: 'always' }],
        cache: { key: 'k', paths: ['a/'], untracked: true },
        needs: ['a', { job: 'b', optional: false }, { job: 'c', artifacts: false, optional: true }, { pipeline: '$P', job: 'd' }],
        script: 'echo hi',
        before_script: [['echo 1', ['echo 2']], 'echo 3'],
        variables: { N: 3, B: true, E: null, O: { value: 'x', description: 'd', options: ['x', 'y'] }, R: { value: '$X', expand: false } },
      },
    };
    const oracle = {
      job: {
        variables: { N: '3', B: 'true', E: '', O: 'x', R: '$$X' },
        script: ['echo hi'],
        before_script: ['echo 1', 'echo 2', 'echo 3'],
        needs: [
          { job: 'a', artifacts: true, optional: false },
          { job: 'b', artifacts: true },
          { job: 'c', artifacts: false, optional: true },
          { job: 'd', artifacts: true, pipeline: '$P' },
        ],
        cache: [{ key: 'k', paths: ['a/'], policy: 'pull-push', when: 'on_success' }],
        services: [{ name: 'postgres' }, { name: 'redis', alias: 'r' }],
        image: { name: 'alpine:3' },
      },
      stages: ['.pre', 'build', 'test', '.post'],
    };
    for (const mode of ['default', 'full'] as const) {
      assert.deepEqual(normalise(gitlab, { mode }), normalise(oracle, { mode }));
    }
  });

  test('--full: include dropped, deprecated globals become default:, empty default: tolerated, hidden jobs normalised', () => {
    const gitlab = {
      stages: ['.pre', 'build', '.post'],
      image: 'ruby:3',
      before_script: 'bundle',
      '.tpl': { script: 'x', extends: '.other', variables: { A: 1 } },
      job: { script: ['y'], image: { name: 'ruby:3' }, before_script: ['bundle'] },
    };
    const oracle = {
      stages: ['.pre', 'build', '.post'],
      include: [{ local: 'a.yml' }],
      '.tpl': { script: 'x', variables: { A: 1 } },
      job: { script: ['y'], image: { name: 'ruby:3' }, before_script: ['bundle'] },
      default: { image: 'ruby:3', before_script: 'bundle' },
    };
    assert.deepEqual(normalise(gitlab, { mode: 'full' }), normalise(oracle, { mode: 'full' }));
    assert.deepEqual(normalise({ stages: [], default: {} }, { mode: 'full' }), normalise({ stages: [] }, { mode: 'full' }));
  });

  test('key order is ignored, cache entries without paths are dropped, artifacts: null dropped', () => {
    const a = normalise({ j: { b: 1, a: 2, cache: [{ key: 'x' }, { paths: ['p'] }], artifacts: null } }, { mode: 'default' });
    const b = normalise({ j: { a: 2, b: 1, cache: [{ paths: ['p'], when: 'on_success', policy: 'pull-push' }] } }, { mode: 'default' });
    assert.deepEqual(a, b);
    assert.equal(JSON.stringify(a), JSON.stringify(b));
  });

  test('trigger:include string is the same as [{local: ...}]', () => {
    assert.deepEqual(
      normalise({ j: { trigger: { include: 'child.yml', strategy: 'depend' } } }, { mode: 'default' }),
      normalise({ j: { trigger: { include: [{ local: 'child.yml' }], strategy: 'depend' } } }, { mode: 'default' }),
    );
  });

  test('expandCachePolicies (omnibus deviation): $NAME expanded with job, then global, variables; hidden jobs untouched', () => {
    const doc = {
      variables: { CACHE_POLICY: 'pull-push', P2: 'pull' },
      a: { cache: { key: 'k', paths: ['x'], policy: '$CACHE_POLICY' } },
      b: { variables: { CACHE_POLICY: 'push' }, cache: [{ paths: ['x'], policy: '${CACHE_POLICY}' }] },
      c: { cache: [{ paths: ['x'], policy: '$UNDEFINED' }] },
      '.h': { cache: [{ paths: ['x'], policy: '$CACHE_POLICY' }] },
    };
    expandCachePolicies(doc);
    assert.equal(doc.a.cache.policy, 'pull-push');
    assert.equal(doc.b.cache[0].policy, 'push');
    assert.equal(doc.c.cache[0].policy, '$UNDEFINED');
    assert.equal(doc['.h'].cache[0].policy, '$CACHE_POLICY');
  });

  test('variableText', () => {
    assert.equal(variableText(1.5), '1.5');
    assert.equal(variableText(false), 'false');
    assert.equal(variableText(null), '');
    assert.equal(variableText({ description: 'no value' }), '');
  });

  test('diffPlain names the differing paths', () => {
    const d = diffPlain({ a: { b: [1, 2], c: 1 }, 'x:y': 1 }, { a: { b: [1, 3] }, z: 1 });
    assert.deepEqual(d.lines, ['a.b[1]: expected 2, got 3', 'a.c: missing (expected 1)', '["x:y"]: missing (expected 1)', 'z: unexpected (got 1)']);
  });

  test('errorMatches', () => {
    assert.ok(errorMatches(['test: circular dependency detected in `extends`'], 'circular dependency detected', 'contains', false));
    assert.ok(errorMatches(['.a: !reference ["b", "c"] is part of a circular chain'], '!reference ["b", "c"] is part of a circular chain', 'exact', false));
    assert.ok(!errorMatches(['something else'], 'x', 'exact', false));
    assert.ok(errorMatches(["!reference [] is not valid"], '!reference [] is not valid', 'exact', true));
    assert.ok(errorMatches(['anything'], 'x', 'any', false));
  });
});

describe('normalise: the oracle outputs', { skip: skipNoCorpus }, () => {
  test('normalise() is idempotent on every expected*.yml (both modes)', () => {
    let files = 0;
    for (const c of discoverCorpusCases()) {
      if (c.expectError) continue;
      files++;
      const once = normalise(readExpected(c.expectedFile), { mode: c.mode });
      const twice = normalise(once, { mode: c.mode });
      const d = diffPlain(once, twice);
      assert.equal(d.lines.length, 0, `${c.id}: not idempotent:\n${d.lines.join('\n')}`);
    }
    assert.ok(files > 50, `only ${files} oracle outputs found`);
  });

  test('the oracle forms are (nearly) a fixed point: real jobs change only where documented', () => {
    // The oracle already prints image/services/cache/needs in object form; only the
    // `optional: false` quirk of needs, hidden jobs/default: (not normalised by the oracle)
    // and `include:`/`default: {}` should differ.
    for (const c of discoverCorpusCases()) {
      if (c.expectError || c.mode !== 'default') continue;
      const raw = readExpected(c.expectedFile) as Record<string, Record<string, unknown>>;
      const norm = normalise(raw, { mode: 'default' }) as Record<string, Record<string, unknown>>;
      for (const [name, job] of Object.entries(raw)) {
        if (!job || typeof job !== 'object' || Array.isArray(job) || ['variables', 'workflow'].includes(name)) continue;
        for (const key of ['image', 'services', 'cache', 'script']) {
          if (job[key] === undefined) continue;
          assert.equal(sortedJson(norm[name][key]), sortedJson(job[key]), `${c.id} ${name}.${key} changed by normalise`);
        }
      }
    }
  });
});

function sortedJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]])) : x));
}

describe('deviations', { skip: skipNoCorpus }, () => {
  test('every deviation names an existing case and applies cleanly to each of its variants/modes', () => {
    const cases = discoverCorpusCases();
    for (const d of DEVIATIONS) {
      const mine = cases.filter((c) => c.caseDir === d.case && (!d.variants || d.variants.includes(c.variant)) && (!d.modes || d.modes.includes(c.mode)));
      assert.ok(mine.length > 0, `deviation for unknown case ${d.case}`);
      for (const c of mine) {
        assert.ok(!c.expectError, `${c.id}: a deviation on an expected.err case`);
        const before = normalise(readExpected(c.expectedFile), { mode: c.mode });
        const { expected, rejects } = gitlabExpectation(c);
        if (d.op === 'oracle-expands-cache-policy') continue; // applies to our output, not the oracle's
        if (d.op === 'rejects') {
          assert.ok(rejects);
          continue;
        }
        const after = normalise(expected, { mode: c.mode });
        assert.ok(diffPlain(before, after).lines.length > 0, `${c.id}: deviation ${d.op} ${'path' in d ? d.path.join('.') : ''} changes nothing (stale?)`);
      }
    }
  });

  test('03-default-globals: GitLab inherits tags/retry/interruptible/timeout, bridges inherit nothing', () => {
    const c = discoverCorpusCases().find((x) => x.id === 'handwritten/03-default-globals [default]');
    assert.ok(c);
    const { expected } = gitlabExpectation(c);
    const jobs = expected as Record<string, Record<string, unknown>>;
    assert.deepEqual(jobs['job-inherit-all'].tags, ['shared-runner']);
    assert.equal(jobs['job-inherit-all'].retry, 1);
    assert.equal(jobs['job-inherit-all'].interruptible, true);
    assert.equal(jobs['job-inherit-all'].timeout, '10m');
    assert.deepEqual(jobs['job-own'].tags, ['own']);
    assert.equal(jobs['job-own'].timeout, '10m');
    assert.equal(jobs['job-no-default'].tags, undefined);
    assert.equal(jobs['job-some-default'].retry, undefined);

    const doc: Record<string, Record<string, unknown>> = {
      bridge: { trigger: { project: 'a/b' }, before_script: ['x'], image: { name: 'i' } },
      job: { script: ['s'] },
    };
    applyGitlabDefaultInheritance(doc, { before_script: 'x', image: 'i', tags: ['t'] });
    assert.deepEqual(doc.bridge, { trigger: { project: 'a/b' } });
    assert.deepEqual(doc.job, { script: ['s'], tags: ['t'] });
  });

  test('a GitLab-form rendition of 03-default-globals matches the patched expectation', () => {
    // What GitLab computes for handwritten/03-default-globals (jobs after default: inheritance).
    const gitlab = {
      stages: ['.pre', 'build', 'test', 'deploy', '.post'],
      variables: { GLOBAL_A: 'a', GLOBAL_B: 'b', NUM: 3 },
      'job-inherit-all': {
        script: ['echo 1'],
        image: 'alpine:3.20',
        before_script: ['echo default-before'],
        after_script: ['echo default-after'],
        tags: ['shared-runner'],
        retry: 1,
        interruptible: true,
        timeout: '10m',
        cache: { key: 'default', paths: ['.cache/'] },
      },
      'job-own': {
        image: 'node:20',
        tags: ['own'],
        before_script: ['echo own-before'],
        variables: { GLOBAL_B: 'overridden' },
        script: ['echo 2'],
        after_script: ['echo default-after'],
        retry: 1,
        interruptible: true,
        timeout: '10m',
        cache: { key: 'default', paths: ['.cache/'] },
      },
      'job-no-default': { inherit: { default: false, variables: false }, script: ['echo 3'] },
      'job-some-default': { inherit: { default: ['image', 'tags'], variables: ['GLOBAL_A'] }, script: ['echo 4'], image: 'alpine:3.20', tags: ['shared-runner'] },
    };
    const c = discoverCorpusCases().find((x) => x.id === 'handwritten/03-default-globals [default]')!;
    const want = normalise(gitlabExpectation(c).expected, { mode: 'default' });
    const got = normalise(gitlab, { mode: 'default' });
    assert.deepEqual(diffPlain(want, got).lines, []);
  });

  test('every expected*.err of the corpus has been checked against GitLab (ERROR_CASES_CHECKED)', () => {
    const errCases = new Set(discoverCorpusCases().filter((c) => c.expectError).map((c) => c.caseDir));
    const checked = new Set(ERROR_CASES_CHECKED.map((e) => e.case));
    assert.deepEqual([...errCases].sort(), [...checked].sort(), 'a new expected.err needs a look: does GitLab reject it too? (deviations.ts)');
  });

  test('deviation lookup is per case', () => {
    assert.equal(deviationsFor({ caseDir: 'handwritten/01-extends', variant: 'default', mode: 'default' }).length, 0);
    assert.ok(deviationsFor({ caseDir: 'omnibus-gitlab', variant: 'canonical', mode: 'full' }).length >= 2);
  });
});

describe('discovery', { skip: skipNoCorpus }, () => {
  test('every case directory of ORACLE-RESULTS.tsv is found, with variants', () => {
    const dirs = findCaseDirs().map((d) => d.slice(CORPUS.length + 1));
    for (const expected of ['handwritten/01-extends', 'omnibus-gitlab', 'xfenix-pycon2022/repo', 'gitlab-templates/cases/Bash', 'glab-cli', 'esp-at']) {
      assert.ok(dirs.includes(expected), `${expected} not discovered`);
    }
    assert.ok(!dirs.some((d) => d.includes('/_') || d.startsWith('_')), 'fixtures under _* must not be cases');
    const ids = discoverCorpusCases().map((c) => c.id);
    assert.ok(ids.includes('omnibus-gitlab [canonical --full]'));
    assert.ok(ids.includes('xfenix-pycon2022/repo [default]'));
  });

  test('oracle.args paths are resolved against the case directory', () => {
    const dir = join(CORPUS, 'handwritten/06-include-project');
    assert.deepEqual(readOracleArgs(dir), [
      '--project', `acme/ci-presets@v1.0.0=${join(dir, '../_central/acme/ci-presets@v1.0.0')}`,
      '--project', `acme/ci-presets@HEAD=${join(dir, '../_central/acme/ci-presets@HEAD')}`,
    ]);
    const c = discoverCorpusCases().find((x) => x.id === 'handwritten/08-template [default]')!;
    assert.deepEqual(c.argv.slice(2, 4), ['--templates', TEMPLATES_DIR]);
    assert.ok(existsSync(TEMPLATES_DIR));
    const repo = discoverCorpusCases().find((x) => x.id === 'xfenix-pycon2022/repo [default --full]')!;
    assert.deepEqual(repo.argv.slice(2, 4), ['--file', 'public-example.yml']);
    assert.ok(repo.argv.includes('--full') && repo.argv.includes('--json'));
  });

  test('spec cases are all discovered with a known stage', () => {
    const cases = discoverSpecCases();
    assert.ok(cases.length >= 30);
    assert.ok(cases.every((c) => c.stage !== 'unknown'));
    assert.equal(new Set(cases.map((c) => c.id)).size, cases.length, 'spec case ids must be unique');
  });
});
