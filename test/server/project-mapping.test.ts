/**
 * Local library mapping (`localProjects`), over LSP against the real server with a local stand-in
 * for GitLab's REST API: a key with `@ref` serves that ref only; an include at another ref (or
 * without `ref:`) goes to GitLab, and when GitLab cannot serve it the diagnostic says what GitLab
 * answered, which ref is mapped and which setting to change; a public project is read without a
 * token. A key without `@ref` serves every ref. And `expand` and `check` take the same `--project` forms.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from '../../server/src/cli/main.js';
import { GitLabStandIn } from '../support/gitlab-stand-in.js';
import { LspClient, repoRoot } from '../support/lsp-client.js';

const LIB = { 'jobs.yml': '.test-job:\n  script: [pytest]\n' };
const CONSUMER = (ref: string | undefined) => `include:\n  - project: acme/lib\n${ref ? `    ref: ${ref}\n` : ''}    file: jobs.yml\ntest:\n  extends: .test-job\n`;

let api: GitLabStandIn;
let dir: string;

before(async () => {
  api = await GitLabStandIn.start();
  dir = mkdtempSync(join(tmpdir(), 'gcp-project-mapping-'));
  mkdirSync(join(dir, 'lib'));
  for (const [p, t] of Object.entries(LIB)) writeFileSync(join(dir, 'lib', p), t);
});

after(async () => {
  await api?.close();
});

/** Diagnostics of a consumer whose include has `ref` (none: the default branch), with `localProjects`. */
async function diagnosticsOf(name: string, ref: string | undefined, localProjects: Record<string, string>) {
  const ws = join(dir, name);
  mkdirSync(ws, { recursive: true });
  writeFileSync(join(ws, '.gitlab-ci.yml'), CONSUMER(ref));
  const client = new LspClient();
  try {
    await client.initialize(ws, { gitlabUrl: api.url, cacheDir: join(dir, `cache-${name}`), localProjects });
    const uri = pathToFileURL(join(ws, '.gitlab-ci.yml')).href;
    client.open(uri, CONSUMER(ref));
    return await client.waitForDiagnostics(uri, () => true);
  } finally {
    await client.close();
  }
}

test('a key with @ref serves that ref; another ref gets what GitLab answered, the mapped ref and the setting to change', async () => {
  assert.deepEqual(await diagnosticsOf('at-master', 'master', { 'acme/lib@master': '../lib' }), []);
  for (const [name, ref, asked] of [['no-ref', undefined, /the default branch/], ['other-ref', 'v2', /ref v2/]] as const) {
    const d = await diagnosticsOf(name, ref, { 'acme/lib@master': '../lib' });
    const include = d.find((x) => x.code === 'include-missing');
    assert.ok(include, JSON.stringify(d));
    const m = String(include.message);
    assert.match(m, /404|not found/i, `what GitLab answered: ${m}`);
    assert.match(m, /mapped only for acme\/lib@master/);
    assert.match(m, asked);
    assert.match(m, /gitlabCiPresets\.localProjects/);
    assert.match(m, new RegExp(`\`acme/lib\` \\(every ref\\) or \`acme/lib@${ref ?? 'HEAD'}\``));
  }
});

test('a public project on the instance is still read without a token when the mapped ref does not serve the include', async () => {
  api.addProject({ path: 'acme/lib', files: LIB, visibility: 'public', defaultBranch: 'main' });
  assert.deepEqual(await diagnosticsOf('public', undefined, { 'acme/lib@master': '../lib' }), []);
});

test('a key without @ref serves every ref', async () => {
  for (const ref of [undefined, 'master', 'v9.9.9']) assert.deepEqual(await diagnosticsOf(`bare-${ref}`, ref, { 'acme/lib': '../lib' }), [], `ref ${ref}`);
});

test('expand and check accept the same --project forms (P=DIR serves every ref, P@REF=DIR that ref)', async () => {
  const xfenix = join(repoRoot, '..', 'shared', 'corpus', 'xfenix-pycon2022');
  const consumer = join(xfenix, 'cases', 'consumer-project-include');
  const outputs: string[] = [];
  // The talk's library still writes `artifacts:reports:cobertura`, which GitLab rejects since 15.0:
  // that one error is expected; what the --project form decides is that every include is served.
  const onlyCobertura = (text: string) => text.split('\n').filter((l) => /: error: /.test(l)).every((l) => /unknown keys: cobertura/.test(l));
  for (const form of ['xfenix/pycon2022', 'xfenix/pycon2022@master']) {
    const expand = await runCli(['expand', consumer, '--partial', '--project', `${form}=${join(xfenix, 'repo')}`]);
    assert.ok(expand.stdout.includes('test-python'), `expand --project ${form}=DIR merged the library: ${expand.stderr}`);
    assert.ok(onlyCobertura(expand.stderr), `expand --project ${form}=DIR: ${expand.stderr}`);
    outputs.push(expand.stdout);
    const check = await runCli(['check', consumer, '--project', `${form}=${join(xfenix, 'repo')}`]);
    assert.ok(onlyCobertura(check.stdout), `check --project ${form}=DIR: ${check.stdout}`);
  }
  assert.equal(outputs[0], outputs[1]);
  const other = await runCli(['expand', consumer, '--project', `xfenix/pycon2022@v1=${join(xfenix, 'repo')}`]);
  assert.equal(other.code, 1);
  assert.match(other.stderr, /available refs: v1; to read it from a local folder, map `xfenix\/pycon2022` \(every ref\) or `xfenix\/pycon2022@master`/);
});
