/**
 * Our CI components (templates/check.yml, templates/impact.yml): they pass our own check, expand
 * as a component with their inputs, and the impact job's script — run with sh in a copy of the
 * example library with planted changes (npx resolved to this build, the only substitution) —
 * finds the latest tag as base, fails the job on a new missing variable, keeps the report as
 * impact.md and, with a token, posts it on the merge request (the GitLab stand-in).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitLabStandIn } from '../support/gitlab-stand-in.js';
import { libraryRepo, plantRequiredVariable, repoRoot } from '../support/library-repo.js';

const TOKEN = 'glpat-ComponentToken-0123456789';
const COMPONENT = 'gitlab.com/gitlab-ci-presets/gitlab-ci-presets';
let api: GitLabStandIn;

before(async () => {
  api = await GitLabStandIn.start({ tokens: [TOKEN] });
  api.addProject({ path: 'acme/ci-library', files: { 'README.md': '' } });
  api.addMergeRequest('acme/ci-library', 3);
});
after(async () => api.close());

const cli = (cwd: string, args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], { cwd, encoding: 'utf8' });

/** The impact job as a library including the component gets it (expanded by our CLI). */
function impactJob(dir: string, inputs: string): { variables: Record<string, string>; script: string[]; artifacts: unknown } {
  writeFileSync(join(dir, '.gitlab-ci.yml'), `include:\n  - component: ${COMPONENT}/impact@1.0.0\n    inputs:\n${inputs}\n`);
  const r = cli(dir, ['expand', '.', '--project', `gitlab-ci-presets/gitlab-ci-presets@1.0.0=${repoRoot}`, '--json']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout)['gitlab-ci-presets-impact'];
}

function sh(script: string[], cwd: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const bin = mkdtempSync(join(tmpdir(), 'gcp-npx-'));
  // `npx --yes gitlab-ci-presets@VERSION ARGS…` → this build's CLI.
  writeFileSync(join(bin, 'npx'), `#!/bin/sh\nshift 2\nexec "${process.execPath}" "${join(repoRoot, 'dist', 'cli.js')}" "$@"\n`);
  chmodSync(join(bin, 'npx'), 0o755);
  return new Promise((resolve) => {
    const child = spawn('sh', ['-e', '-c', script.join('\n')], { cwd, env: { PATH: `${bin}:${process.env.PATH}`, HOME: tmpdir(), ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('the components pass our own check', () => {
  const r = cli(repoRoot, ['check', 'templates']);
  assert.equal(r.status, 0, r.stdout);
  assert.match(r.stdout, /^0 error\(s\), 0 warning\(s\)/m);
});

test('templates/check.yml expands with its inputs: the check and its Code Quality report', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-comp-'));
  writeFileSync(join(dir, '.gitlab-ci.yml'), `include:\n  - component: ${COMPONENT}/check@1.0.0\n    inputs:\n      strict: true\n      path: presets\n`);
  const r = cli(dir, ['expand', '.', '--project', `gitlab-ci-presets/gitlab-ci-presets@1.0.0=${repoRoot}`, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const job = JSON.parse(r.stdout)['gitlab-ci-presets-check'];
  assert.deepEqual(job.variables, { PRESETS_PATH: 'presets' });
  assert.ok(job.script.includes('if [ "true" = "true" ]; then STRICT=--strict; else STRICT=; fi'), job.script.join('\n'));
  assert.equal(job.artifacts.reports.codequality, 'gl-code-quality-report.json');
  assert.ok(job.script.some((l: string) => l.includes('check "$PRESETS_PATH" --format codequality')));
});

test('templates/impact.yml: the job fails on the planted missing variable, keeps impact.md and posts it as a note', async () => {
  const { library, consumer } = libraryRepo();
  plantRequiredVariable(library);
  const job = impactJob(library, `      consumers: ${consumer}\n      token: $PRESETS_IMPACT_TOKEN`);
  assert.equal(job.variables.GIT_DEPTH, '0');
  assert.deepEqual((job.artifacts as { paths: string[] }).paths, ['impact.md']);
  const ci = { CI_SERVER_URL: api.url, CI_DEFAULT_BRANCH: 'main', CI_MERGE_REQUEST_PROJECT_ID: 'acme/ci-library', CI_MERGE_REQUEST_IID: '3' };
  // GitLab expands the job's variables: IMPACT_TOKEN holds the masked variable's value.
  const vars = { ...job.variables, IMPACT_TOKEN: TOKEN };
  const r = await sh(job.script, library, { ...ci, ...vars });
  assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
  const md = readFileSync(join(library, 'impact.md'), 'utf8');
  assert.match(md, /since `v1\.2\.0`/, 'the latest tag is the base');
  assert.match(md, /PIP_EXTRA_INDEX_URL/);
  assert.ok(r.stdout.includes(md), 'the report is in the job log');
  assert.equal(api.notes.at(-1)?.body, md, 'and on the merge request');

  // No token: nothing posted; no change: the job passes.
  const notes = api.notes.length;
  const clean = libraryRepo();
  const job2 = impactJob(clean.library, `      consumers: ${clean.consumer}`);
  const ok = await sh(job2.script, clean.library, { ...ci, ...job2.variables });
  assert.equal(ok.status, 0, `${ok.stdout}\n${ok.stderr}`);
  assert.match(readFileSync(join(clean.library, 'impact.md'), 'utf8'), /No consumer's pipeline changes/);
  assert.equal(api.notes.length, notes);
});
