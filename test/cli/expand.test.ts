import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const repo = resolve(__dirname, '..', '..');
const cli = (args: string[], cwd = repo) => spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), ...args], { cwd, encoding: 'utf8' });

test('expand: the bundled service repo on top of the preset library', () => {
  const r = cli(['expand', 'examples/service-repo', '--project', 'acme/ci-library@v1.2.0=examples/ci-library']);
  assert.equal(r.status, 0, r.stderr);
  const out = parse(r.stdout);
  assert.ok(out.stages.includes('.pre') && out.stages.includes('.post'));
  assert.ok(out['contract-tests'], 'the service job extending a template is there');
  assert.ok(Array.isArray(out['contract-tests'].script) && out['contract-tests'].script.length > 0);
  assert.equal(out['.python-test-job'], undefined, 'hidden jobs only with --full');
  const full = parse(cli(['expand', 'examples/service-repo', '--full', '--project', 'acme/ci-library@v1.2.0=examples/ci-library']).stdout);
  assert.ok(full['.python-test-job']);
});

test('expand --json, --var and --input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-cli-'));
  writeFileSync(join(dir, '.gitlab-ci.yml'), 'spec:\n  inputs:\n    n: {type: number, default: 1}\n---\ninclude:\n  - local: $WHICH.yml\nj:\n  parallel: $[[ inputs.n ]]\n  script: [echo]\n');
  writeFileSync(join(dir, 'x.yml'), 'k:\n  script: [x]\n');
  const r = cli(['expand', dir, '--json', '--var', 'WHICH=x', '--input', 'n=3']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.j.parallel, 3);
  assert.deepEqual(out.k.script, ['x']);
});

test('a configuration GitLab rejects: exit 1, positioned reason on stderr', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-cli-'));
  writeFileSync(join(dir, '.gitlab-ci.yml'), 'j:\n  extends: .nope\n  script: [echo]\n');
  const r = cli(['expand', dir]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /\.gitlab-ci\.yml:2:12: error: j: unknown keys in `extends` \(\.nope\) \[extends-unknown\]/);
});

test('usage errors exit 2', () => {
  assert.equal(cli(['frobnicate']).status, 2);
  assert.equal(cli(['expand', '--var', 'novalue']).status, 2);
});
