/**
 * The validation stage's errors fail `check` and `expand` (exit 1) with GitLab's message at the
 * line where the value is written: in the root file, a local include, a project include served
 * with `--project`, and a preset file checked on its own (where some findings are only
 * information, these are not). A configuration GitLab accepts still exits 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cliIn, tempFolder } from '../support/cli.js';

const cli = (args: string[], cwd: string) => cliIn(cwd, args);
const folder = (files: Record<string, string>) => tempFolder(files, 'gcp-validation-');

test('root file: an unknown key fails check and expand at its line, with GitLab\'s message', () => {
  const dir = folder({ '.gitlab-ci.yml': 'build:\n  script: [make]\n  artefacts:\n    paths: [out]\n' });
  const check = cli(['check', '.'], dir);
  assert.equal(check.status, 1, check.stdout + check.stderr);
  assert.match(check.stdout, /^\.gitlab-ci\.yml:3:3: error: jobs:build config contains unknown keys: artefacts \[unknown-keys\]$/m);
  const expand = cli(['expand', '.'], dir);
  assert.equal(expand.status, 1);
  assert.match(expand.stderr, /^\.gitlab-ci\.yml:3:3: error: jobs:build config contains unknown keys: artefacts/m);
});

test('local include: a value a job inherits from a template is reported where the template writes it', () => {
  const dir = folder({
    '.gitlab-ci.yml': 'include:\n  - local: ci/templates.yml\ndeploy:\n  extends: .deploy\n  script: [deploy]\n',
    'ci/templates.yml': '.deploy:\n  when: manually\n',
  });
  const check = cli(['check', '.'], dir);
  assert.equal(check.status, 1, check.stdout + check.stderr);
  assert.match(check.stdout, /^ci\/templates\.yml:2:9: error: jobs:deploy when should be one of: .*\[invalid-value\]$/m);
  assert.equal(cli(['expand', '.'], dir).status, 1);
});

test('project include served with --project: its error fails check and expand', () => {
  const dir = folder({
    'app/.gitlab-ci.yml': 'include:\n  - project: acme/lib\n    file: jobs.yml\n',
    'lib/jobs.yml': 'lint:\n  script: [lint]\n  retry:\n    max: 1\n    when: [script_failure, sometimes]\n',
  });
  const check = cli(['check', 'app', '--project', 'acme/lib=lib'], dir);
  assert.equal(check.status, 1, check.stdout + check.stderr);
  assert.match(check.stdout, /^lib\/jobs\.yml:5:\d+: error: .*retry.*\[invalid-value\]$/m);
  assert.equal(cli(['expand', 'app', '--project', 'acme/lib=lib'], dir).status, 1);
});

test('preset file checked on its own: a validation error stays an error (exit 1)', () => {
  const dir = folder({ 'lib/deploy.yml': 'variables:\n  TARGET: staging\n.base:\n  image: alpine\nrelease:\n  extends: .base\n  script: [release]\n  when: sometimes\n' });
  const byPath = cli(['check', 'lib/deploy.yml'], dir);
  assert.equal(byPath.status, 1, byPath.stdout + byPath.stderr);
  assert.match(byPath.stdout, /^lib\/deploy\.yml:8:9: error: jobs:release when should be one of: .*\[invalid-value\]$/m);
  const byFolder = cli(['check', 'lib'], dir);
  assert.equal(byFolder.status, 1, byFolder.stdout + byFolder.stderr);
});

test('a configuration GitLab accepts: exit 0, no error', () => {
  const dir = folder({
    '.gitlab-ci.yml': 'include:\n  - local: ci/templates.yml\nstages: [build, deploy]\nbuild:\n  stage: build\n  script: [make]\n  artifacts:\n    paths: [out]\n    expire_in: 1 week\ndeploy:\n  extends: .deploy\n  stage: deploy\n  script: [deploy]\n  when: delayed\n  start_in: 30 minutes\n',
    'ci/templates.yml': '.deploy:\n  retry:\n    max: 2\n    when: [script_failure]\n  environment:\n    name: production\n',
  });
  const check = cli(['check', '.'], dir);
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.equal(cli(['expand', '.'], dir).status, 0);
});
