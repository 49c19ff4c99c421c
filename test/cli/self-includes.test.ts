/**
 * `expand` and `check` in a components repository that tests its own components at the current
 * commit: the includes read the working tree, named by CI variables or by the folder's git remote.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const repo = resolve(__dirname, '..', '..');
const cli = (args: string[], cwd: string) => spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, GITLAB_TOKEN: '' } });
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-components-'));
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(dir, '.git', 'config'), '[remote "origin"]\n\turl = git@gitlab.example.com:platform/components.git\n');
  mkdirSync(join(dir, 'templates', 'deploy'), { recursive: true });
  writeFileSync(join(dir, 'templates', 'pre-commit.yml'), 'spec:\n  inputs:\n    stage: {default: test}\n---\npre-commit:\n  stage: $[[ inputs.stage ]]\n  script: [pre-commit run]\n');
  writeFileSync(join(dir, 'templates', 'deploy', 'template.yml'), 'deploy:\n  stage: deploy\n  script: [./deploy]\n');
  writeFileSync(
    join(dir, '.gitlab-ci.yml'),
    [
      'include:',
      '  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/pre-commit@$CI_COMMIT_SHA',
      '    inputs: {stage: build}',
      '  - component: gitlab.example.com/platform/components/deploy@$CI_COMMIT_REF_NAME',
      '  - project: $CI_PROJECT_PATH',
      '    ref: $CI_COMMIT_SHA',
      '    file: templates/deploy/template.yml',
      '',
    ].join('\n'),
  );
});

test('expand: self components and a self project include come from the working tree', () => {
  const r = cli(['expand', '.'], dir);
  assert.equal(r.status, 0, r.stderr);
  const out = parse(r.stdout);
  assert.equal(out['pre-commit'].stage, 'build');
  assert.deepEqual(out.deploy.script, ['./deploy']);
});

test('check: no false "does not exist" on self includes', () => {
  const r = cli(['check', '.', '--format', 'json'], dir);
  const findings = JSON.parse(r.stdout) as Array<{ message: string; severity: string }>;
  assert.deepEqual(findings.filter((f) => f.severity === 'error').map((f) => f.message), []);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
