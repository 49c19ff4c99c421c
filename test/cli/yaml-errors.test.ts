/**
 * Every file of a pipeline that is not valid YAML fails `check` and `expand` (exit 1) with the
 * parser's reason at its line: the root file, a local include, a project include served with
 * `--project`, and a preset file checked on its own (given by path, or found in a checked folder).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const repo = resolve(__dirname, '..', '..');
const cli = (args: string[], cwd: string) => spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), ...args], { cwd, encoding: 'utf8' });

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-yaml-errors-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

/** `check` text output: the error lines, and the summary. */
function errorLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => / error: /.test(l));
}

test('root file: `script: echo: test: fail` fails check and expand at its line', () => {
  const dir = folder({ '.gitlab-ci.yml': 'stages: [test]\njob:\n  script: echo: test: fail\n' });
  const check = cli(['check', '.'], dir);
  assert.equal(check.status, 1, check.stdout + check.stderr);
  assert.match(check.stdout, /^\.gitlab-ci\.yml:3:\d+: error: .*\[yaml-syntax\]$/m);
  assert.doesNotMatch(check.stdout, /^0 error\(s\)/m);
  const expand = cli(['expand', '.'], dir);
  assert.equal(expand.status, 1);
  assert.equal(expand.stdout, '');
  assert.match(expand.stderr, /^\.gitlab-ci\.yml:3:\d+: error: .*\[yaml-syntax\]$/m);
});

test('included local file with an unclosed `[`: check and expand fail on that file', () => {
  const dir = folder({
    '.gitlab-ci.yml': 'include:\n  - local: ci/build.yml\njob:\n  script: [echo]\n',
    'ci/build.yml': 'build:\n  script: [make, [all\n',
  });
  const check = cli(['check', '.'], dir);
  assert.equal(check.status, 1, check.stdout + check.stderr);
  const lines = errorLines(check.stdout);
  assert.ok(lines.length > 0 && lines.every((l) => l.startsWith('ci/build.yml:')), check.stdout);
  assert.match(check.stdout, /\[yaml-syntax\]/);
  const expand = cli(['expand', '.'], dir);
  assert.equal(expand.status, 1);
  assert.match(expand.stderr, /^ci\/build\.yml:\d+:\d+: error: .*\[yaml-syntax\]$/m);
});

test('project file served with --project using an unknown alias: check and expand fail there', () => {
  const dir = folder({
    'app/.gitlab-ci.yml': 'include:\n  - project: acme/lib\n    file: presets.yml\njob:\n  script: [echo]\n',
    'lib/presets.yml': '.base:\n  image: alpine\n  script: *bad_alias\n',
  });
  const check = cli(['check', 'app', '--project', 'acme/lib=lib'], dir);
  assert.equal(check.status, 1, check.stdout + check.stderr);
  assert.match(check.stdout, /^lib\/presets\.yml:3:11: error: Unknown anchor \*bad_alias/m);
  const expand = cli(['expand', 'app', '--project', 'acme/lib=lib'], dir);
  assert.equal(expand.status, 1);
  assert.match(expand.stderr, /^lib\/presets\.yml:3:11: error: Unknown anchor \*bad_alias/m);
});

test('preset file checked on its own: by path, and found in a checked library folder', () => {
  const dir = folder({
    'lib/common/jobs.yml': '.build:\n  script: [make, [all\n',
    'lib/ok.yml': '.fine:\n  script: [echo]\n',
    // Not a CI file: broken YAML that does not read like one is left alone.
    'lib/chart/templates/deploy.yaml': 'apiVersion: v1\nkind: {{ .Values.kind }}\nitems: [\n',
  });
  const byPath = cli(['check', 'lib/common/jobs.yml'], dir);
  assert.equal(byPath.status, 1, byPath.stdout + byPath.stderr);
  assert.match(byPath.stdout, /^lib\/common\/jobs\.yml:\d+:\d+: error: .*\[yaml-syntax\]$/m);
  const byFolder = cli(['check', 'lib'], dir);
  assert.equal(byFolder.status, 1, byFolder.stdout + byFolder.stderr);
  const lines = errorLines(byFolder.stdout);
  assert.ok(lines.length > 0 && lines.every((l) => l.startsWith('lib/common/jobs.yml:')), byFolder.stdout);
  // The same folder without the broken preset passes.
  const clean = folder({ 'lib/ok.yml': '.fine:\n  script: [echo]\n', 'lib/chart/templates/deploy.yaml': 'apiVersion: v1\nkind: {{ .Values.kind }}\nitems: [\n' });
  const ok = cli(['check', 'lib'], clean);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
});
