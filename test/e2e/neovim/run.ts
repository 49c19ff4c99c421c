/**
 * `npm run e2e:neovim` — the language server under a real editor that is not VS Code: headless
 * Neovim from Debian's package (`apt-get install neovim`; .ci/run installs it when missing) runs
 * test/e2e/neovim/init.lua, which starts dist/server.js over stdio with settings Neovim answers to
 * `workspace/configuration`, opens examples/service-repo/.gitlab-ci.yml and records the diagnostics
 * and a completion. Checked here: the missing HELM_CHART warning arrives and completion after
 * `extends:` offers the library's `.python-test-job`. Prints what it saw; exit code 1 on failure.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repoRoot = resolve(__dirname, '..', '..', '..');

function main(): number {
  const version = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) {
    console.error('e2e:neovim: no `nvim` on PATH (Debian: apt-get install -y neovim; .ci/run installs it)');
    return 1;
  }
  const server = join(repoRoot, 'dist', 'server.js');
  if (!existsSync(server)) {
    console.error('e2e:neovim: dist/server.js is missing (npm run build)');
    return 1;
  }
  const dir = mkdtempSync(join(tmpdir(), 'gcp-nvim-'));
  try {
    cpSync(join(repoRoot, 'examples'), dir, { recursive: true });
    const out = join(dir, 'result.json');
    const run = spawnSync('nvim', ['--headless', '--clean', '-u', join(__dirname, 'init.lua')], {
      cwd: join(dir, 'service-repo'),
      env: { ...process.env, GCP_ROOT: dir, GCP_OUT: out, GCP_SERVER: server, GCP_NODE: process.execPath },
      encoding: 'utf8',
      timeout: 120_000,
    });
    console.log(`e2e:neovim: ${version.stdout.split('\n')[0]}`);
    if (!existsSync(out)) {
      console.error(`e2e:neovim: Neovim wrote no result (exit ${run.status}, signal ${run.signal})\n${run.stdout}\n${run.stderr}`);
      return 1;
    }
    const result = JSON.parse(readFileSync(out, 'utf8')) as { client?: boolean; diagnosticSeen?: boolean; diagnostics: string[]; completion: string[]; errors: string[] };
    const checks: Array<[string, boolean]> = [
      ['the server started as an LSP client of Neovim', result.client === true],
      ['the missing-variable warning for HELM_CHART arrived', result.diagnosticSeen === true && result.diagnostics.some((m) => m.startsWith('HELM_CHART is not set'))],
      ['completion after `extends:` offers .python-test-job', result.completion.includes('.python-test-job')],
      ['no error answers', result.errors.length === 0],
    ];
    for (const [what, ok] of checks) console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
    console.log(`  diagnostics: ${JSON.stringify(result.diagnostics).slice(0, 400)}`);
    console.log(`  completion: ${result.completion.length} items (${result.completion.slice(0, 8).join(', ')})`);
    for (const e of result.errors) console.log(`  error: ${e}`);
    return checks.every(([, ok]) => ok) ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exit(main());
