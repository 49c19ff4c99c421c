/**
 * The UI check of "Show Impact of My Changes": the example library (beside the workspace) under
 * git, tagged v1.2.0, with a template's script line changed on disk; the service as its consumer
 * (`gitlabCiPresets.consumers`). From a library file opened with go-to-definition, the command
 * palette runs the command, the quick pick offers the latest tag, the webview shows the summary
 * table and the job diffs, and the changed line's link opens the library line.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import type { Ui, UiCheck } from './ui-checks.js';

const PLANTED = '    - pytest -p no:cacheprovider ${PYTEST_ARGS:--q --maxfail=5}';

function git(dir: string, ...args: string[]): void {
  execFileSync('git', ['-C', dir, ...args], { env: { ...process.env, GIT_AUTHOR_NAME: 'e2e', GIT_AUTHOR_EMAIL: 'e2e@example.com', GIT_COMMITTER_NAME: 'e2e', GIT_COMMITTER_EMAIL: 'e2e@example.com', GIT_CONFIG_NOSYSTEM: '1', HOME: tmpdir() } });
}

/** The frame of the impact webview (the preview may be open beside it). */
async function impactFrame(ui: Ui): Promise<Frame> {
  return ui.retry('the impact view', async () => {
    for (const f of ui.page.frames()) if ((await f.$('main#impact .summary-table').catch(() => null)) !== null) return f;
    return undefined;
  }, 60_000);
}

export const impactCheck: UiCheck = {
  name: 'Show Impact of My Changes: the summary table and the job diff, linked to the library line',
  async run(ui) {
    const library = join(ui.workspace, '..', 'ci-library');
    git(library, 'init', '-q', '-b', 'main');
    git(library, 'add', '-A');
    git(library, 'commit', '-q', '-m', 'v1.2.0');
    git(library, 'tag', 'v1.2.0');
    const jobs = join(library, 'common', 'jobs.yml');
    writeFileSync(jobs, readFileSync(jobs, 'utf8').replace('    - pytest ${PYTEST_ARGS:--q --maxfail=5}', PLANTED));
    const settings = join(ui.workspace, '.vscode', 'settings.json');
    writeFileSync(settings, JSON.stringify({ ...JSON.parse(readFileSync(settings, 'utf8')), 'gitlabCiPresets.consumers': ['.'] }, null, 2));

    // A file of the library checkout, as the maintainer has it open (quick open takes its path).
    await ui.quickOpen(jobs);
    await ui.command('GitLab CI Presets: Show Impact of My Changes');
    const latest = ui.page.locator('.quick-input-list .monaco-list-row', { hasText: 'latest tag' }).first();
    await latest.waitFor({ timeout: 20_000 });
    if (!/v1\.2\.0/.test(await latest.innerText())) throw new Error(`the latest tag offered: ${await latest.innerText()}`);
    await ui.screenshot('impact-pick-base');
    await ui.page.keyboard.press('Enter');

    const view = await impactFrame(ui);
    // python-test (and, with the service as in examples/, contract-tests) run the changed line.
    const row = await view.locator('.summary-table tbody tr').first().innerText();
    if (!/^service-repo\s+[12]\s+0\s+0\s+0$/.test(row.trim())) throw new Error(`summary row: ${row}`);
    const changed = await view.locator('li.job.changed > b').allInnerTexts();
    if (!changed.includes('python-test') || changed.some((j) => j !== 'python-test' && j !== 'contract-tests')) throw new Error(`changed jobs: ${changed.join(', ')}`);
    const link = view.locator('.lines li.add a.origin').first();
    const expected = ui.lineIn(jobs, /no:cacheprovider/);
    const linkText = await link.innerText();
    if (linkText !== `ci-library/common/jobs.yml:${expected}`) throw new Error(`link: ${linkText}`);
    await ui.screenshot('impact-view');
    await link.click();
    const at = await ui.retry('the cursor on the changed library line', async () => ((await ui.cursorLine()) === expected && /jobs\.yml/.test(await ui.activeTab()) ? expected : undefined), 10_000);
    await ui.screenshot('impact-link-opens-library-line');
    if (at !== expected) throw new Error(`cursor on line ${at}, expected ${expected}`);
  },
};
