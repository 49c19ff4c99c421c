/**
 * `impact` on a copy of `examples/` whose library is a git repository tagged v1.2.0: with the
 * planted changes in the working tree it lists exactly the changed jobs, the new missing variable
 * and the broken extends and exits 1; without a change it lists nothing and exits 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, libraryRepo, PLANTED, plantRename, plantRequiredVariable, plantScriptLine, repoRoot } from '../support/library-repo.js';

const cli = (cwd: string, args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), 'impact', ...args], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } });

function lineOf(file: string, needle: string): number {
  const text = readFileSync(file, 'utf8');
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `${needle} in ${file}`);
  return text.slice(0, i).split('\n').length;
}

test('impact without a change: exit 0, no consumer listed (text, json, markdown)', () => {
  const { dir } = libraryRepo();
  const text = cli(dir, ['ci-library', '--base', 'v1.2.0', '--consumer', 'service-repo']);
  assert.equal(text.status, 0, text.stderr);
  assert.equal(text.stdout, 'acme/ci-library since v1.2.0: 0 consumers changed, 1 unchanged\n');
  const json = JSON.parse(cli(dir, ['ci-library', '--base', 'v1.2.0', '--consumer', 'service-repo', '--format', 'json']).stdout);
  assert.deepEqual(json, { project: 'acme/ci-library', base: 'v1.2.0', consumers: [], unchanged: ['service-repo'], failing: false });
  const md = cli(dir, ['ci-library', '--base', 'v1.2.0', '--consumer', 'service-repo', '--format', 'markdown']).stdout;
  assert.match(md, /No consumer's pipeline changes \(1 checked\)/);
  assert.doesNotMatch(md, /<details>/);
});

test('impact with the planted changes: exactly the changed jobs, the new missing variable and the broken extends; exit 1', () => {
  const { dir, library } = libraryRepo();
  plantScriptLine(library);
  plantRequiredVariable(library);
  plantRename(library);
  const r = cli(dir, ['ci-library', '--base', 'v1.2.0', '--consumer', 'service-repo', '--format', 'json']);
  assert.equal(r.status, 1, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.failing, true);
  assert.equal(report.consumers.length, 1);
  const [c] = report.consumers;
  assert.equal(c.name, 'service-repo');
  const d = c.diff;
  // python-test: the script line; contract-tests (extends the renamed template) and openapi-diff
  // (!reference into it) lose what the template gave them. No other job is mentioned.
  assert.deepEqual(d.changed.map((j: { job: string }) => j.job), ['contract-tests', 'openapi-diff', 'python-test']);
  assert.deepEqual(d.added, []);
  assert.deepEqual(d.removed, []);
  const script = d.changed.find((j: { job: string }) => j.job === 'python-test').keys;
  assert.deepEqual(script.map((k: { key: string }) => k.key), ['script']);
  const added = script[0].lines.filter((l: { op: string }) => l.op === 'add');
  assert.equal(added.length, 1);
  assert.ok(added[0].text.startsWith(PLANTED.scriptLine.slice(6)));
  assert.equal(added[0].span.file, 'ci-library/common/jobs.yml');
  assert.equal(added[0].span.line, lineOf(join(library, 'common', 'jobs.yml'), PLANTED.scriptLine));
  const removed = script[0].lines.filter((l: { op: string }) => l.op === 'remove');
  assert.equal(removed.length, 1);
  assert.equal(removed[0].span.file, 'acme/ci-library@v1.2.0:common/jobs.yml', 'the old line is read from git at the base ref');
  // The gate: the new missing variable and the broken extends (and the !reference beside it).
  assert.deepEqual(d.missingVariables.added.map((m: { variable: string }) => m.variable), [PLANTED.variable]);
  assert.deepEqual(d.missingVariables.resolved, []);
  assert.deepEqual(d.errors.added.map((e: { code: string }) => e.code).sort(), ['extends-unknown', 'reference-unknown']);
  const ext = d.errors.added.find((e: { code: string }) => e.code === 'extends-unknown');
  assert.match(ext.message, /\.python-test-job/);
  assert.equal(ext.span.file, 'service-repo/.gitlab-ci.yml');
  assert.equal(ext.span.line, lineOf(join(dir, 'service-repo', '.gitlab-ci.yml'), 'extends: .python-test-job'));
  assert.deepEqual(c.summary, { jobsChanged: 3, runsDifferently: d.runs.length + d.pipelines.length, newErrors: 2, newMissingVariables: 1 });

  const text = cli(dir, ['ci-library', '--base', 'v1.2.0', '--consumer', 'service-repo']);
  assert.equal(text.status, 1);
  for (const job of ['contract-tests', 'openapi-diff', 'python-test']) assert.match(text.stdout, new RegExp(`~ job ${job}\\n`));
  for (const untouched of ['python-lint', 'db-migrations', 'helm-lint', 'deploy-staging', 'docs-build', 'docker-build']) assert.doesNotMatch(text.stdout, new RegExp(`job ${untouched}\\b`));
  assert.match(text.stdout, /new missing variable: PIP_EXTRA_INDEX_URL/);
  assert.match(text.stdout, /new error: contract-tests: unknown keys in `extends` \(\.python-test-job\) \[extends-unknown\]/);
});

test('only the script line changed: listed, exit 0 (no new error or missing variable)', () => {
  const { dir, library } = libraryRepo();
  plantScriptLine(library);
  const r = cli(dir, ['ci-library', '--base', 'v1.2.0', '--consumer', 'service-repo', '--format', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const d = JSON.parse(r.stdout).consumers[0].diff;
  assert.deepEqual(d.changed.map((j: { job: string }) => j.job), ['contract-tests', 'python-test']);
  assert.deepEqual([d.errors.added, d.missingVariables.added, d.runs], [[], [], []]);
});

test('markdown: the summary table and one <details> per consumer, ready for a merge request', () => {
  const { dir, library } = libraryRepo();
  plantRequiredVariable(library);
  const md = cli(dir, ['ci-library', '--base', 'v1.2.0', '--consumer', 'service-repo', '--format', 'markdown']).stdout;
  assert.match(md, /\| consumer \| jobs changed \| runs differently \| new errors \| new missing variables \|/);
  assert.match(md, /\| `service-repo` \| 0 \| 0 \| 0 \| \*\*1\*\* \|/);
  assert.match(md, /<details><summary>service-repo: 0 jobs changed, 0 run differences, 0 new errors, 1 new missing variable<\/summary>/);
  assert.match(md, /new missing variable: PIP_EXTRA_INDEX_URL \(required by \.python-base-job; jobs contract-tests, db-migrations, python-lint, python-test\)/);
});

test('base from git, head from the working tree: a committed change against its own commit is no change; any pinned ref is served', () => {
  const { dir, library } = libraryRepo({ repoAtTop: true });
  plantScriptLine(library);
  git(dir, 'commit', '-qam', 'pytest flags');
  assert.equal(cli(dir, ['ci-library', '--base', 'HEAD', '--consumer', 'service-repo']).status, 0);
  const r = cli(dir, ['ci-library', '--base', 'v1.2.0', '--consumer', 'service-repo', '--format', 'json']);
  assert.deepEqual(JSON.parse(r.stdout).consumers[0].diff.changed.map((j: { job: string }) => j.job), ['contract-tests', 'python-test']);
  // The consumer pins another ref: the library is served from base and head all the same.
  const ci = join(dir, 'service-repo', '.gitlab-ci.yml');
  writeFileSync(ci, readFileSync(ci, 'utf8').replaceAll('ref: v1.2.0', 'ref: v0.9.0'));
  const pinned = JSON.parse(cli(dir, ['ci-library', '--base', 'v1.2.0', '--consumer', 'service-repo', '--format', 'json']).stdout);
  assert.deepEqual(pinned.consumers[0].diff.changed.map((j: { job: string }) => j.job), ['contract-tests', 'python-test']);
});

test('usage errors exit 2: no --base, a ref git does not know, no consumer, a bad format', () => {
  const { dir } = libraryRepo();
  const cases: [string[], RegExp][] = [
    [['ci-library', '--consumer', 'service-repo'], /--base REF is required/],
    [['ci-library', '--base', 'v9.9.9', '--consumer', 'service-repo'], /`v9\.9\.9` names no commit/],
    [['ci-library', '--base=--upload-pack=x', '--consumer', 'service-repo'], /not a git ref/],
    [['ci-library', '--base', 'v1.2.0'], /no consumers/],
    [['ci-library', '--base', 'v1.2.0', '--consumer', 'service-repo', '--format', 'yaml'], /--format must be text, markdown or json/],
    [['ci-library', '--base', 'v1.2.0', '--consumer', 'ci-library/ci'], /has no \.gitlab-ci\.yml/],
  ];
  for (const [args, message] of cases) {
    const r = cli(dir, args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
  }
});
