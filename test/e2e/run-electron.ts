/**
 * `npm run e2e:electron`: the same extension-host suite in a desktop VS Code that
 * @vscode/test-electron downloads (needs network access to VS Code's update server; CI here
 * runs the suite in code-server instead, see test/e2e/run.ts). Set VSCODE_VERSION to pin one.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { repoRoot } from '../../scripts/e2e/code-server.js';
import { buildSuite, prepareWorkspace } from './run.js';
import type { CheckResult } from './suite/harness.js';

async function main(): Promise<number> {
  const suite = await buildSuite();
  const ws = prepareWorkspace();
  const results = join(mkdtempSync(join(tmpdir(), 'gcp-electron-')), 'results.json');
  try {
    await runTests({
      version: process.env.VSCODE_VERSION ?? 'stable',
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: suite,
      launchArgs: [ws.folder, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
      extensionTestsEnv: { E2E_RESULTS: results },
    });
  } catch (e) {
    console.error(`e2e (electron): ${(e as Error).message}`);
  }
  let list: CheckResult[] = [];
  try {
    list = (JSON.parse(readFileSync(results, 'utf8')) as { results: CheckResult[] }).results;
  } catch {
    console.error('e2e (electron): the suite wrote no results');
    return 1;
  }
  const failed = list.filter((r) => r.status === 'failed').length;
  const todo = list.filter((r) => r.status === 'todo').length;
  console.log(`e2e (electron): ${list.length - failed - todo} passed, ${failed} failed, ${todo} skipped`);
  return failed ? 1 : 0;
}

main().then((c) => process.exit(c), (e) => {
  console.error(e);
  process.exit(1);
});
