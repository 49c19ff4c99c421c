/**
 * `simulate`: the preview's rules engine on the command line, on the classic service pipeline of
 * examples/classic-service (and the preset-library service of examples/service-repo).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const repo = resolve(__dirname, '..', '..');
const cli = (args: string[]) => spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, GITLAB_TOKEN: '' } });

interface Run {
  jobs: { name: string; stage: string; when: string; allowFailure: boolean; startIn: string | null; decidedBy: string }[];
  leftOut: { name: string; reason: string }[];
}
const simulate = (...args: string[]): Run => {
  const r = cli(['simulate', 'examples/classic-service', '--json', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Run;
};
const names = (run: Run) => run.jobs.map((j) => j.name);

test('simulate --tag v1.2.3: deploy-production manual, deploy-staging left out', () => {
  const run = simulate('--tag', 'v1.2.3');
  assert.deepEqual(names(run), ['lint', 'test', 'build', 'push', 'deploy-production']);
  const prod = run.jobs.find((j) => j.name === 'deploy-production')!;
  assert.deepEqual(prod, { name: 'deploy-production', stage: 'deploy', when: 'manual', allowFailure: false, startIn: null, decidedBy: 'rules[0]: if: $CI_COMMIT_TAG =~ /^v\\d+\\.\\d+\\.\\d+$/ → manual' });
  assert.deepEqual(run.leftOut, [{ name: 'deploy-staging', reason: 'none of the 1 rules matches: if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }]);
});

test('simulate --branch main: deploy-staging automatic, deploy-production left out', () => {
  const run = simulate('--branch', 'main');
  assert.deepEqual(names(run), ['lint', 'test', 'build', 'push', 'deploy-staging']);
  assert.equal(run.jobs.find((j) => j.name === 'deploy-staging')!.when, 'on_success');
  assert.deepEqual(run.leftOut.map((j) => j.name), ['deploy-production']);
});

test('simulate a feature branch, a merge request and --var: workflow rules decide, with the reason', () => {
  assert.deepEqual(names(simulate('--branch', 'feature/x')), ['lint', 'test', 'build']);
  const mr = simulate('--mr', '--branch', 'feature/x', '--target', 'develop');
  assert.deepEqual(names(mr), ['lint', 'test', 'build']);
  assert.match(mr.jobs[0].decidedBy, /merge_request_event/);
  const blocked = simulate('--branch', 'feature/x', '--var', 'CI_OPEN_MERGE_REQUESTS=feature/x');
  assert.deepEqual(blocked.jobs, []);
  assert.equal(blocked.leftOut.length, 6);
  assert.ok(blocked.leftOut.every((j) => j.reason === 'workflow:rules[1]: if: $CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS → when: never'));
  const tagged = simulate('--source', 'web', '--branch', 'main', '--default-branch', 'trunk');
  assert.deepEqual(names(tagged), ['lint', 'test', 'build']);
});

test('simulate (text): a matrix job per instance, and the same verdicts as --json', () => {
  const lib = ['--project', 'acme/ci-library@v1.2.0=examples/ci-library'];
  const text = cli(['simulate', 'examples/service-repo', '--tag', 'v1.2.3', ...lib]);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /^push pipeline for tag v1\.2\.3: created \(workflow:rules\[2\]: if: \$CI_COMMIT_TAG =~ \/\^v\\d\+\/\)$/m);
  assert.match(text.stdout, /^ {2}build +docker-build: \[linux\/amd64\] +on_success/m);
  assert.match(text.stdout, /^ {2}deploy-staging: none of the 1 rules matches/m);
  const json = JSON.parse(cli(['simulate', 'examples/service-repo', '--tag', 'v1.2.3', '--json', ...lib]).stdout) as Run;
  assert.ok(json.jobs.some((j) => j.name === 'docker-build: [linux/arm64]'));
  assert.deepEqual(json.jobs.find((j) => j.name === 'deploy-production')?.when, 'manual');
});

test('simulate usage errors: exit 2, one line', () => {
  for (const args of [[], ['--tag', 'v1', '--mr'], ['--branch', 'a', '--tag', 'b'], ['--target', 'x', '--branch', 'a'], ['--source', 'nope'], ['--branch', '']]) {
    const r = cli(['simulate', 'examples/classic-service', ...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  }
});
