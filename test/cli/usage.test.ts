/**
 * The CLI as a new user meets it: `--help`/`-h` on every command (usage on stdout, exit 0); every
 * path option fed a bad value (missing, wrong kind, unreadable) stops before any work with exit 2
 * and one line naming the option; `expand --partial` prints what was merged of a rejected pipeline.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const repo = resolve(__dirname, '..', '..');
const cli = (args: string[], cwd = repo) => spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, GITLAB_TOKEN: '' } });

for (const command of ['expand', 'check', 'simulate']) {
  for (const flag of ['--help', '-h']) {
    test(`${command} ${flag}: usage on stdout, exit 0`, () => {
      const r = cli([command, flag]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^Usage: gitlab-ci-presets ${command} `));
      assert.equal(r.stderr, '');
    });
  }
}

test('gitlab-ci-presets --help lists every command', () => {
  const r = cli(['--help']);
  assert.equal(r.status, 0);
  for (const c of ['expand', 'check', 'simulate']) assert.match(r.stdout, new RegExp(`^ {2}${c} `, 'm'));
});

let dir: string;
let file: string;
let unreadable: string;
/** Root reads every folder: as root, the unreadable-folder runs go as `nobody`. */
const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-usage-'));
  file = join(dir, 'a-file.yml');
  writeFileSync(file, 'x: 1\n');
  unreadable = join(dir, 'locked');
  mkdirSync(unreadable);
  chmodSync(unreadable, 0o000);
  chmodSync(dir, 0o755);
});

const missing = () => join(dir, 'missing');
const bad: Record<string, Array<[string, () => string[], RegExp]>> = {};
const pipelineOptions = (command: string) => {
  const lead = command === 'simulate' ? ['--branch', 'main'] : [];
  return [
    ['DIR', () => [...lead, missing()], /^gitlab-ci-presets \w+: DIR \S+: no such folder/],
    ['DIR', () => [...lead, file], /DIR \S+: not a folder/],
    ['--file', () => [...lead, 'examples/classic-service', '--file', 'nope.yml'], /--file nope\.yml: no such file/],
    ['--project', () => [...lead, 'examples/classic-service', '--project', `a/b=${missing()}`], /--project a\/b= \S+: no such folder/],
    ['--project', () => [...lead, 'examples/classic-service', '--project', `a/b=${file}`], /--project a\/b= \S+: not a folder/],
    ['--repo-dirs', () => [...lead, 'examples/classic-service', '--repo-dirs', missing()], /--repo-dirs \S+: no such folder/],
    ['--templates', () => [...lead, 'examples/classic-service', '--templates', file], /--templates \S+: not a folder/],
    ['--remote', () => [...lead, 'examples/classic-service', '--remote', `https://x.test/a.yml=${missing()}`], /--remote https:\/\/x\.test\/a\.yml= \S+: no such file/],
    ['--remote', () => [...lead, 'examples/classic-service', '--remote', `https://x.test/a.yml=${dir}`], /--remote \S+ \S+: not a file/],
    ['--cache-dir', () => [...lead, 'examples/classic-service', '--cache-dir', join(missing(), 'deeper')], /--cache-dir \S+: no such folder, nor a folder to create it in/],
    ['--cache-dir', () => [...lead, 'examples/classic-service', '--cache-dir', file], /--cache-dir \S+: not a folder/],
  ] as Array<[string, () => string[], RegExp]>;
};
bad.expand = pipelineOptions('expand');
bad.simulate = pipelineOptions('simulate');
bad.check = [
  ['PATH', () => [missing()], /^gitlab-ci-presets check: PATH \S+: no such file or folder/],
  ['--consumer', () => ['examples/ci-library', '--consumer', missing()], /--consumer \S+: no such folder/],
  ['--consumer', () => ['examples/ci-library', '--consumer', file], /--consumer \S+: not a folder/],
  ['--consumer', () => ['examples/ci-library', '--consumer', dir], /--consumer \S+: no \.gitlab-ci\.yml in it/],
  ['--project', () => ['examples/ci-library', '--project', `a/b=${missing()}`], /--project a\/b= \S+: no such folder/],
  ['--repo-dirs', () => ['examples/ci-library', '--repo-dirs', file], /--repo-dirs \S+: not a folder/],
  ['--repo-dirs', () => ['examples/ci-library', '--repo-dirs', 'MISSING_DIR'], /--repo-dirs MISSING_DIR: no such folder/],
  ['--templates', () => ['examples/ci-library', '--templates', missing()], /--templates \S+: no such folder/],
  ['--cache-dir', () => ['examples/ci-library', '--cache-dir', file], /--cache-dir \S+: not a folder/],
];

for (const [command, cases] of Object.entries(bad)) {
  for (const [option, args, message] of cases) {
    test(`${command} ${option} with a bad value: exit 2, one line naming it (${message.source})`, () => {
      const r = cli([command, ...args()]);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
      assert.match(r.stderr, message);
      assert.ok(r.stderr.includes(option), `names ${option}`);
    });
  }
  test(`${command}: an unreadable folder is refused up front`, () => {
    const args = command === 'check' ? [unreadable] : command === 'simulate' ? ['--branch', 'main', unreadable] : [unreadable];
    const r = spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), command, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, GITLAB_TOKEN: '' }, ...asUser });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /: not readable/);
  });
}

test('expand --partial: a rejected configuration still prints what was merged; errors on stderr, exit 1', () => {
  const d = mkdtempSync(join(tmpdir(), 'gcp-partial-'));
  writeFileSync(join(d, '.gitlab-ci.yml'), '.base:\n  image: alpine\nj:\n  extends: [.base, .nope]\n  script: [echo]\nk:\n  script: [echo k]\n');
  const plain = cli(['expand', d]);
  assert.equal(plain.status, 1);
  assert.equal(plain.stdout, '');
  const partial = cli(['expand', d, '--partial']);
  assert.equal(partial.status, 1);
  assert.match(partial.stderr, /error: .*\.nope.* \[extends-unknown\]/);
  const out = parse(partial.stdout);
  assert.deepEqual(out.k.script, ['echo k']);
  assert.ok(out.j, 'the rejected job is shown as far as it was merged');
});
