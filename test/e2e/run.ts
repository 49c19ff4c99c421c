/**
 * `npm run e2e`: the extension in a real VS Code (code-server 4.139 = VS Code 1.139, offline),
 * on a fresh copy of examples/ with service-repo as the workspace folder:
 *   1. the extension-host suite (test/e2e/suite, loaded through `extensionTestsPath`);
 *   2. UI checks with playwright-core in Debian's Chromium (test/e2e/ui-checks.ts);
 *   3. a second, small extension-host suite (test/e2e/suite/untrusted.ts) in a code-server with
 *      workspace trust on and the folder not trusted (restricted mode): no request, no token.
 * Screenshots go to test-results/screenshots/, results to test-results/e2e-results.json.
 * A check whose server feature has not landed is reported as todo (and counted as skipped),
 * never as passed. Exit code 1 when any check failed.
 */
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { ensureInstalled, repoRoot, startCodeServer } from '../../scripts/e2e/code-server.js';
import type { RunningCodeServer } from '../../scripts/e2e/code-server.js';
import type { CheckResult } from './suite/harness.js';
import { Ui, uiChecks } from './ui-checks.js';
import { generatePipeline } from '../../scripts/generate-pipeline.js';

const RESULTS_DIR = join(repoRoot, 'test-results');
const SHOTS = join(RESULTS_DIR, 'screenshots');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** An in-extension-host suite (test/e2e/suite/NAME.ts) as one CommonJS file (what `extensionTestsPath` loads). */
export async function buildSuite(name = 'index'): Promise<string> {
  const out = join(repoRoot, 'out', 'test', `${name}.js`);
  await build({ entryPoints: [join(repoRoot, 'test', 'e2e', 'suite', `${name}.ts`)], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], sourcemap: 'inline', logLevel: 'warning' });
  return out;
}

/** A fresh copy of examples/ whose service repo maps the library to the checkout beside it. */
export function prepareWorkspace(): { root: string; folder: string } {
  const root = mkdtempSync(join(tmpdir(), 'gcp-e2e-'));
  cpSync(join(repoRoot, 'examples'), root, { recursive: true });
  const folder = join(root, 'service-repo');
  mkdirSync(join(folder, '.vscode'), { recursive: true });
  writeFileSync(join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'gitlabCiPresets.localProjects': { 'acme/ci-library@v1.2.0': '../ci-library' } }, null, 2));
  // A generated 500-job pipeline, previewed on its own by the UI check that measures rendering.
  writeFileSync(join(folder, 'bench-500.gitlab-ci.yml'), generatePipeline(500, { inline: true })['.gitlab-ci.yml']);
  return { root, folder };
}

async function runSuite(browser: Browser, cs: RunningCodeServer, folder: string, suite: string, resultsFile: string, log: (s: string) => void, timeoutMs = 300_000): Promise<{ results: CheckResult[]; capabilities: string[]; exit: number }> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  let exited: (code: number) => void = () => undefined;
  const exit = new Promise<number>((r) => (exited = r));
  await page.exposeFunction('codeAutomationExit', (code: number) => exited(code));
  page.on('console', (m) => {
    const t = m.text();
    if (t.includes('[e2e]')) log(t.slice(t.indexOf('[e2e]')));
  });
  await page.goto(cs.workbenchUrl(folder, { extensionTestsPath: suite }));
  const code = await Promise.race([exit, new Promise<number>((r) => setTimeout(() => r(-1), timeoutMs))]);
  await context.close();
  if (!existsSync(resultsFile)) return { results: [{ name: 'extension-host suite', status: 'failed', detail: `no results (exit ${code}); code-server log: ${cs.log}`, ms: 0 }], capabilities: [], exit: code };
  const data = JSON.parse(readFileSync(resultsFile, 'utf8')) as { results: CheckResult[]; capabilities: string[] };
  return { ...data, exit: code };
}

async function runUi(browser: Browser, cs: RunningCodeServer, folder: string, capabilities: string[], log: (s: string) => void): Promise<CheckResult[]> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const ui = new Ui(page, folder, SHOTS);
  await page.goto(cs.workbenchUrl(folder));
  await ui.ready();
  await ui.screenshot('workbench');
  await page.keyboard.press('Control+B'); // hide the side bar: room for the editor and the preview side by side
  const results: CheckResult[] = [];
  for (const check of uiChecks) {
    const t0 = Date.now();
    if (check.needs && !capabilities.includes(check.needs)) {
      results.push({ name: `ui: ${check.name}`, status: 'todo', detail: `the language server does not offer ${check.needs} yet`, ms: 0 });
    } else {
      try {
        await check.run(ui);
        results.push({ name: `ui: ${check.name}`, status: 'passed', ms: Date.now() - t0 });
      } catch (e) {
        await ui.screenshot(`FAILED-${check.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`).catch(() => undefined);
        results.push({ name: `ui: ${check.name}`, status: 'failed', detail: (e as Error).stack ?? String(e), ms: Date.now() - t0 });
        await page.keyboard.press('Escape').catch(() => undefined);
      }
    }
    const r = results[results.length - 1];
    log(`${r.status === 'passed' ? 'ok' : r.status === 'todo' ? 'todo' : 'not ok'} - ${r.name} (${r.ms} ms)${r.detail ? `\n    ${r.detail.split('\n').slice(0, 4).join('\n    ')}` : ''}`);
  }
  for (const f of ui.figures) log(`figure: ${f}`);
  await context.close();
  return results;
}

/**
 * The untrusted-workspace suite in its own code-server: workspace trust on (no
 * `--disable-workspace-trust`, `security.workspace.trust.enabled: true`, no startup prompt) and
 * nothing trusted, so the folder opens in restricted mode; on its own fresh copy of examples/.
 */
async function runUntrusted(browser: Browser, paths: ReturnType<typeof ensureInstalled>, suite: string, log: (s: string) => void): Promise<{ results: CheckResult[]; cleanup: () => void; csLog: string }> {
  const ws = prepareWorkspace();
  const resultsFile = join(ws.root, 'untrusted-results.json');
  const cs = await startCodeServer({ paths, workspace: ws.folder, env: { E2E_RESULTS: resultsFile }, restricted: true });
  try {
    const run = await runSuite(browser, cs, ws.folder, suite, resultsFile, log, 120_000);
    return {
      results: run.results.map((r) => ({ ...r, name: `untrusted workspace: ${r.name}` })),
      csLog: cs.log,
      cleanup: () => {
        rmSync(ws.root, { recursive: true, force: true });
        rmSync(cs.dir, { recursive: true, force: true });
      },
    };
  } finally {
    await cs.stop();
  }
}

async function main(): Promise<number> {
  const log = (s: string) => console.log(s);
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const paths = ensureInstalled();
  const suite = await buildSuite();
  const untrustedSuite = await buildSuite('untrusted');
  const ws = prepareWorkspace();
  const resultsFile = join(ws.root, 'suite-results.json');
  log(`e2e: code-server ${paths.codeServer}\ne2e: workspace ${ws.folder}`);
  const cs = await startCodeServer({ paths, workspace: ws.folder, env: { E2E_RESULTS: resultsFile } });
  const browser = await chromium.launch({ executablePath: paths.chromium, headless: true, args: CHROMIUM_ARGS });
  let all: CheckResult[] = [];
  let untrusted: Awaited<ReturnType<typeof runUntrusted>> | undefined;
  try {
    log('\n# extension host suite');
    const suiteRun = await runSuite(browser, cs, ws.folder, suite, resultsFile, log);
    all = suiteRun.results.map((r) => ({ ...r, name: `extension host: ${r.name}` }));
    log(`\n# UI checks (screenshots in ${SHOTS})`);
    all.push(...(await runUi(browser, cs, ws.folder, suiteRun.capabilities, log)));
  } catch (e) {
    all.push({ name: 'e2e run', status: 'failed', detail: (e as Error).stack ?? String(e), ms: 0 });
  } finally {
    await cs.stop();
  }
  try {
    log('\n# untrusted workspace (restricted mode), extension host suite');
    const t0 = Date.now();
    untrusted = await runUntrusted(browser, paths, untrustedSuite, log);
    all.push(...untrusted.results);
    log(`figure: untrusted-workspace run ${((Date.now() - t0) / 1000).toFixed(1)} s (code-server start to stop)`);
  } catch (e) {
    all.push({ name: 'untrusted workspace run', status: 'failed', detail: (e as Error).stack ?? String(e), ms: 0 });
  } finally {
    await browser.close().catch(() => undefined);
  }
  writeFileSync(join(RESULTS_DIR, 'e2e-results.json'), JSON.stringify(all, null, 2));
  const passed = all.filter((r) => r.status === 'passed').length;
  const failed = all.filter((r) => r.status === 'failed');
  const todo = all.filter((r) => r.status === 'todo');
  for (const t of todo) log(`TODO (not passed): ${t.name} — ${t.detail?.split('\n')[0]}`);
  for (const f of failed) log(`FAILED: ${f.name}\n  ${f.detail?.split('\n').slice(0, 8).join('\n  ')}`);
  if (failed.length) log(`code-server logs: ${cs.log}${untrusted ? `, ${untrusted.csLog} (untrusted)` : ''}`);
  else {
    rmSync(ws.root, { recursive: true, force: true });
    rmSync(cs.dir, { recursive: true, force: true });
    untrusted?.cleanup();
  }
  log(`e2e: ${passed} passed, ${failed.length} failed, ${todo.length} skipped`);
  return failed.length ? 1 : 0;
}

if (require.main === module) {
  main().then((code) => process.exit(code), (e) => {
    console.error(e);
    process.exit(1);
  });
}
