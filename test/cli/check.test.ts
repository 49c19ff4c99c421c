/**
 * `check` on a copy of the example library with defects planted: unknown extends, an extends
 * cycle, a missing required variable in a consumer, a bad include input — each found at its
 * position, in every output format, with the documented exit codes.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(__dirname, '..', '..');
let dir: string;
const cli = (args: string[]) => spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), ...args], { cwd: dir, encoding: 'utf8' });
const mapLib = ['--project', 'acme/ci-library@v1.2.0=ci-library'];

/** 1-based line and column of `needle` in a file of the temp copy. */
function where(file: string, needle: string): { line: number; column: number } {
  const text = readFileSync(join(dir, file), 'utf8');
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `${needle} planted in ${file}`);
  const before = text.slice(0, i).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-check-'));
  cpSync(join(repo, 'examples'), dir, { recursive: true });
  const jobs = join(dir, 'ci-library', 'common', 'jobs.yml');
  writeFileSync(jobs, readFileSync(jobs, 'utf8') + '\n.planted-unknown:\n  extends: .no-such-template\n\n.planted-cycle-a:\n  extends: .planted-cycle-b\n.planted-cycle-b:\n  extends: .planted-cycle-a\n');
  const consumer = join(dir, 'service-repo', '.gitlab-ci.yml');
  writeFileSync(consumer, readFileSync(consumer, 'utf8').replace('push: true', 'push: maybe-later'));
});

test('check the library with its consumer: every planted defect, positioned (text)', () => {
  const r = cli(['check', 'ci-library', '--consumer', 'service-repo', ...mapLib]);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const unknown = where('ci-library/common/jobs.yml', '.no-such-template');
  assert.ok(r.stdout.includes(`ci-library/common/jobs.yml:${unknown.line}:${unknown.column}: error:`), r.stdout);
  assert.match(r.stdout, /\[extends-unknown\]/);
  assert.match(r.stdout, /circular dependency detected in `extends` \[extends-cycle\]/);
  const input = where('service-repo/.gitlab-ci.yml', 'maybe-later');
  assert.ok(r.stdout.includes(`service-repo/.gitlab-ci.yml:${input.line}:${input.column}: error:`), r.stdout);
  assert.match(r.stdout, /\[input-type\]/);
  const helm = where('service-repo/.gitlab-ci.yml', '- project: acme/ci-library');
  const missing = r.stdout.split('\n').find((l) => l.includes('[variable-missing]') && l.includes('HELM_CHART'));
  assert.ok(missing, `HELM_CHART reported missing:\n${r.stdout}`);
  assert.match(missing!, /^service-repo\/\.gitlab-ci\.yml:\d+:\d+: warning:/);
  assert.ok(Number(missing!.split(':')[1]) >= helm.line, 'on an include entry of the consumer');
});

test('json and codequality carry the same findings and positions', () => {
  const text = cli(['check', 'ci-library', '--consumer', 'service-repo', ...mapLib]).stdout;
  const json = JSON.parse(cli(['check', 'ci-library', '--consumer', 'service-repo', ...mapLib, '--format', 'json']).stdout);
  const cq = JSON.parse(cli(['check', 'ci-library', '--consumer', 'service-repo', ...mapLib, '--format', 'codequality']).stdout);
  assert.equal(json.length, text.trim().split('\n').length - 1, 'one JSON finding per text line');
  assert.equal(cq.length, json.length);
  for (const [i, f] of json.entries()) {
    assert.ok(text.includes(`${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message} [${f.code}]`));
    assert.equal(cq[i].location.path, f.file);
    assert.equal(cq[i].location.lines.begin, f.line);
    assert.equal(cq[i].check_name, f.code);
    assert.match(cq[i].fingerprint, /^[0-9a-f]{64}$/);
    assert.ok(['info', 'minor', 'major', 'critical', 'blocker'].includes(cq[i].severity));
  }
});

test('exit codes: clean library 0, warnings fail only with --strict, usage 2', () => {
  const clean = spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'check', 'examples/ci-library'], { cwd: repo, encoding: 'utf8' });
  assert.equal(clean.status, 0, clean.stdout);
  const svc = spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'check', 'examples/service-repo', '--project', 'acme/ci-library@v1.2.0=examples/ci-library'], { cwd: repo, encoding: 'utf8' });
  assert.equal(svc.status, 0, 'the only finding of the example service repo is a warning');
  assert.match(svc.stdout, /HELM_CHART/);
  const strict = spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'check', 'examples/service-repo', '--strict', '--project', 'acme/ci-library@v1.2.0=examples/ci-library'], { cwd: repo, encoding: 'utf8' });
  assert.equal(strict.status, 1);
  assert.equal(cli(['check', '--format', 'xml']).status, 2);
  assert.equal(cli(['check', 'no-such-dir']).status, 2);
});

test('a single preset file is read from disk and checked on its own, inputs standing in', () => {
  const r = cli(['check', 'ci-library/common/jobs.yml']);
  assert.equal(r.status, 1, r.stdout);
  // A template no file of the library defines: for the consumer to provide (information on its own).
  assert.match(r.stdout, /ci-library\/common\/jobs\.yml:\d+:\d+: info: .*\(\.no-such-template\).*\[extends-unknown\]/);
  const docker = spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'check', 'examples/ci-library/ci/docker.yml'], { cwd: repo, encoding: 'utf8' });
  assert.equal(docker.status, 0, `a preset with required inputs is not an error on its own:\n${docker.stdout}`);
  assert.match(docker.stdout, /^0 error\(s\)/m);
});

test('without an online option or token, check reads local folders only (no cache, no network)', () => {
  const home = mkdtempSync(join(tmpdir(), 'gcp-home-'));
  const r = spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'check', 'service-repo'], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: join(home, 'cache') },
  });
  assert.equal(r.status, 1);
  assert.match(r.stdout, /Project `acme\/ci-library` file `ci\/python-postgres\.yml` at ref v1\.2\.0 could not be read: project acme\/ci-library@v1\.2\.0 is not available/);
  assert.doesNotMatch(r.stdout, /cannot connect|gitlab\.com/);
  assert.equal(existsSync(join(home, 'cache')), false, 'no cache folder created');
});

test('a component project checked on its own: $[[ component.name ]] is the template name, GitLab templates\' stages are left to the consumer', () => {
  const comp = mkdtempSync(join(tmpdir(), 'gcp-check-component-'));
  const header = 'spec:\n  component: [name, version]\n  inputs:\n    stage:\n      default: test\n---\n';
  const body = (job: string) => `"${job}-$[[ component.name ]]":\n  stage: $[[ inputs.stage ]]\n  script:\n    - echo "$[[ component.name ]] at $[[ component.version ]]"\n`;
  mkdirSync(join(comp, 'templates', 'lint'), { recursive: true });
  writeFileSync(join(comp, 'templates', 'lint', 'template.yml'), header + body('lint'));
  writeFileSync(join(comp, 'templates', 'deploy.yml'), header.replace('default: test', 'default: review') + body('deploy'));
  const r = spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'check', comp, '--format', 'json'], { encoding: 'utf8' });
  const findings = JSON.parse(r.stdout) as { code: string; severity: string; file: string }[];
  assert.deepEqual(findings.filter((f) => f.severity === 'error'), [], 'no unknown interpolation key, no error');
  // `review` is not a stage of the template on its own: information, the consumer provides it.
  assert.deepEqual(findings.map((f) => [f.code, f.severity]), [['stage-unknown', 'info']]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('check LIBRARY --consumer DIR without --project: the library serves the one project the consumer includes from it', () => {
  const r = cli(['check', 'ci-library', '--consumer', 'service-repo']);
  assert.doesNotMatch(r.stdout, /\[include-missing\]/, r.stdout);
  assert.match(r.stderr, /the consumers' includes of acme\/ci-library are read from ci-library/);
  // The planted defects are found as with the explicit mapping.
  const mapped = cli(['check', 'ci-library', '--consumer', 'service-repo', ...mapLib]);
  assert.equal(r.stdout, mapped.stdout);
  assert.equal(mapped.stderr, '', 'an explicit --project: nothing to say');
});
