/**
 * Every file of a pipeline that is not valid YAML fails `check` and `expand` (exit 1) with the
 * parser's reason at its line: the root file, a local include, a project include served with
 * `--project`, and a preset file checked on its own (given by path, or found in a checked folder).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cliIn, tempFolder } from '../support/cli.js';

const cli = (args: string[], cwd: string) => cliIn(cwd, args);
const folder = (files: Record<string, string>) => tempFolder(files, 'gcp-yaml-errors-');

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
  // The parser's reason in the included file; on the include entry at most GitLab's own message.
  assert.match(check.stdout, /^ci\/build\.yml:3:\d+: error: .*\[yaml-syntax\]$/m);
  assert.ok(lines.every((l) => l.startsWith('ci/build.yml:') || /^\.gitlab-ci\.yml:2:\d+: error: Included file `ci\/build\.yml` does not have valid YAML syntax!/.test(l)), check.stdout);
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
  assert.match(check.stdout, /^lib\/presets\.yml:3:11: error: An alias referenced an unknown anchor: bad_alias/m);
  const expand = cli(['expand', 'app', '--project', 'acme/lib=lib'], dir);
  assert.equal(expand.status, 1);
  assert.match(expand.stderr, /^lib\/presets\.yml:3:11: error: An alias referenced an unknown anchor: bad_alias/m);
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
