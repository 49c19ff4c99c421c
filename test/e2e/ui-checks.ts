/**
 * UI checks in a real VS Code (code-server) driven by playwright-core in Debian's Chromium, the
 * way a person uses the extension: keyboard and mouse on the workbench, the preview webview.
 * Each check leaves a screenshot in test-results/screenshots/.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { impactCheck } from './impact-check.js';

export interface UiCheck {
  name: string;
  /** The LSP capability the check needs (reported as todo while the server lacks it). */
  needs?: string;
  run(ui: Ui): Promise<void>;
}

export class Ui {
  constructor(
    readonly page: Page,
    readonly workspace: string,
    private readonly shots: string,
    private shotCount = 0,
  ) {}

  async screenshot(name: string): Promise<string> {
    const file = join(this.shots, `${String(++this.shotCount).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  async ready(): Promise<void> {
    await this.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await this.page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
  }

  async quickOpen(name: string): Promise<void> {
    const base = name.split('/').pop()!;
    // A file written a moment ago may not be in the quick-open results yet: ask again until it is.
    await this.retry(`${base} in quick open`, async () => {
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('Control+P');
      const input = this.page.locator('.quick-input-widget input');
      await input.waitFor();
      await input.fill(name);
      await this.page.locator(`.quick-input-list .monaco-list-row[aria-label*="${base}"]`).first().waitFor({ timeout: 3000 });
      return true;
    });
    await this.page.waitForTimeout(300);
    await this.page.keyboard.press('Enter');
    await this.page.locator(`.tab.active[data-resource-name="${base}"]`).first().waitFor();
    await this.page.locator('.monaco-editor.focused').waitFor();
  }

  async command(title: string): Promise<void> {
    await this.page.keyboard.press('Control+Shift+P');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    await this.page.locator(`.quick-input-list .monaco-list-row[aria-label*="${title}"]`).first().waitFor();
    await this.page.keyboard.press('Enter');
  }

  /** Put the cursor at the start of a (1-based) line of the active editor. */
  async gotoLine(line: number, column?: number): Promise<void> {
    await this.page.keyboard.press('Control+G');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`:${line}${column ? `:${column}` : ''}`);
    await this.page.keyboard.press('Enter');
    await this.retry(`the cursor on line ${line}`, async () => ((await this.cursorLine()) === line ? true : undefined), 3000);
  }

  /** 1-based line number of the first line of the workspace file matching `re`, and the line. */
  lineOf(file: string, re: RegExp): { line: number; text: string } {
    const lines = readFileSync(join(this.workspace, file), 'utf8').split('\n');
    const i = lines.findIndex((l) => re.test(l));
    if (i < 0) throw new Error(`${file}: no line matches ${re}`);
    return { line: i + 1, text: lines[i] };
  }

  async retry<T>(what: string, attempt: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
    const deadline = Date.now() + ms;
    let last: unknown;
    for (;;) {
      try {
        const v = await attempt();
        if (v !== undefined) return v;
      } catch (e) {
        last = e;
      }
      if (Date.now() > deadline) throw new Error(`timed out: ${what}${last ? ` (${(last as Error).message})` : ''}`);
      await this.page.waitForTimeout(500);
    }
  }

  /** Press F8 (next problem) until the problem widget's text matches `re`. */
  async nextProblem(what: string, re: RegExp): Promise<void> {
    await this.retry(what, async () => {
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('F8');
      const w = this.page.locator('.marker-widget').first();
      await w.waitFor({ timeout: 3000 });
      return re.test(await w.innerText()) ? true : undefined;
    }, 30_000);
  }

  /** Open the quick-fix menu (Ctrl+.) at the cursor, screenshot it as `shot`, pick the action titled with `title`, save. */
  async quickFix(title: string, shot: string): Promise<void> {
    const action = this.page.locator('.action-widget .monaco-list-row', { hasText: title }).first();
    // A menu opened before the editor had the code actions (a slow machine) may lack the action: open it again.
    await this.retry(`the quick-fix "${title}" in the menu`, async () => {
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('Control+.');
      await action.waitFor({ timeout: 5_000 });
      return true;
    }, 30_000);
    await this.screenshot(shot);
    await action.click();
    await this.page.waitForTimeout(500);
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('Control+S');
  }

  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  }

  /** Figures the checks measured (printed by the runner, never asserted). */
  readonly figures: string[] = [];

  /** The cursor line (1-based) the status bar shows for the active editor. */
  async cursorLine(): Promise<number> {
    const t = await this.page.locator('[id="status.editor.selection"]').first().innerText();
    const m = /Ln (\d+)/.exec(t);
    if (!m) throw new Error(`no cursor position in the status bar: ${t}`);
    return Number(m[1]);
  }

  /** 1-based line of `re` in a file outside the workspace folder (e.g. the library beside it). */
  lineIn(path: string, re: RegExp, after?: RegExp): number {
    const lines = readFileSync(path, 'utf8').split('\n');
    const start = after ? lines.findIndex((l) => after.test(l)) : 0;
    const i = lines.findIndex((l, k) => k >= start && re.test(l));
    if (i < 0) throw new Error(`${path}: no line matches ${re}`);
    return i + 1;
  }

  async activeTab(): Promise<string> {
    return (await this.page.locator('.tab.active').first().getAttribute('aria-label')) ?? '';
  }
}

const CI = '.gitlab-ci.yml';

export const uiChecks: UiCheck[] = [
  {
    name: 'completion in variables: lists preset variables',
    needs: 'completionProvider',
    async run(ui) {
      await ui.quickOpen(CI);
      const { line } = ui.lineOf(CI, /^ {2}LINT_PATHS:/);
      await ui.gotoLine(line);
      await ui.page.keyboard.press('End');
      await ui.page.keyboard.press('Enter');
      const labels = await ui.retry('HELM_CHART in the suggestions', async () => {
        await ui.page.keyboard.press('Escape');
        await ui.page.keyboard.press('Control+Space');
        const rows = ui.page.locator('.suggest-widget.visible .monaco-list-row');
        await rows.first().waitFor({ timeout: 3000 });
        const all = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
        return all.some((l) => l.includes('HELM_CHART')) ? all : undefined;
      });
      await ui.screenshot('completion-preset-variables');
      await ui.page.keyboard.press('Escape');
      await ui.page.keyboard.press('Control+Z');
      if (!labels.length) throw new Error('no suggestions');
    },
  },
  {
    name: "hover shows a template's docs",
    needs: 'hoverProvider',
    async run(ui) {
      await ui.quickOpen(CI);
      const { line, text } = ui.lineOf(CI, /extends: \.python-test-job/);
      await ui.gotoLine(line, text.indexOf('.python-test-job') + 4);
      // Point the mouse at the template name, as a person would (the keyboard's Ctrl+K Ctrl+I as a fallback).
      const word = ui.page.locator('.monaco-editor.focused .view-line', { hasText: 'extends: .python-test-job' }).locator('span span', { hasText: /^\.python-test-job$/ }).first();
      let attempt = 0;
      const hover = await ui.retry('a hover with the doc comment', async () => {
        await ui.page.keyboard.press('Escape');
        if (attempt++ % 2 === 0 && (await word.count())) {
          await ui.page.mouse.move(0, 0);
          await word.hover();
        } else {
          await ui.page.keyboard.press('Control+K');
          await ui.page.keyboard.press('Control+I');
        }
        const h = ui.page.locator('.monaco-hover:not(.hidden)').first();
        await h.waitFor({ timeout: 3000 });
        const t = await h.innerText();
        return /Runs the pytest suite/.test(t) ? t : undefined;
      });
      await ui.screenshot('hover-template-docs');
      await ui.page.keyboard.press('Escape');
      if (!/PYTHON_VERSION/.test(hover)) throw new Error(`hover without the variables: ${hover}`);
    },
  },
  {
    name: 'go-to-definition opens the library file',
    needs: 'definitionProvider',
    async run(ui) {
      await ui.quickOpen(CI);
      const { line, text } = ui.lineOf(CI, /extends: \.python-test-job/);
      await ui.gotoLine(line, text.indexOf('.python-test-job') + 4);
      await ui.retry('jobs.yml to open', async () => {
        await ui.page.keyboard.press('F12');
        await ui.page.waitForTimeout(700);
        return /jobs\.yml/.test(await ui.activeTab()) ? true : undefined;
      });
      await ui.screenshot('definition-library-file');
      const expected = ui.lineIn(join(ui.workspace, '..', 'ci-library', 'common', 'jobs.yml'), /^\.python-test-job:/);
      const at = await ui.cursorLine();
      if (at !== expected) throw new Error(`cursor on line ${at} of jobs.yml, expected ${expected} (.python-test-job:)`);
    },
  },
  {
    name: 'the preview shows the graph and changes when the simulated ref becomes a v1.2.3 tag',
    async run(ui) {
      await ui.quickOpen(CI);
      await ui.command('GitLab CI Presets: Open Pipeline Preview');
      const view = ui.webview();
      const prod = view.locator('.job[data-job="deploy-production"]');
      await prod.waitFor({ timeout: 30_000 });
      await view.locator('svg.edges path').first().waitFor({ state: 'attached' });
      const stages = await view.locator('.stage h3').allInnerTexts();
      if (!stages.includes('deploy') || !stages.includes('test')) throw new Error(`stages: ${stages.join(', ')}`);
      if (!/skipped/.test((await prod.getAttribute('class')) ?? '')) throw new Error('deploy-production should be skipped on a push to main');
      if (!/included/.test((await view.locator('.job[data-job="deploy-staging"]').getAttribute('class')) ?? '')) throw new Error('deploy-staging should run on main');
      await prod.scrollIntoViewIfNeeded();
      await ui.screenshot('preview-push-main');
      await view.locator('#ctx-source').selectOption('tag');
      await view.locator('#ctx-tag').fill('v1.2.3');
      await view.locator('#ctx-tag').press('Enter');
      await view.locator('.job.included[data-job="deploy-production"]').waitFor({ timeout: 15_000 });
      const badge = await view.locator('.job[data-job="deploy-production"] .badge').allInnerTexts();
      if (!badge.some((b) => /manual/.test(b))) throw new Error(`deploy-production badges: ${badge.join(', ')}`);
      await view.locator('.job.skipped[data-job="deploy-staging"]').waitFor();
      const rule = await view.locator('.job[data-job="deploy-staging"] .rule').innerText();
      if (!/rules/.test(rule)) throw new Error(`the skipped job does not show its deciding rule: ${rule}`);
      await view.locator('.job[data-job="deploy-production"]').scrollIntoViewIfNeeded();
      await ui.screenshot('preview-tag-v1.2.3');
      // Keyboard: focus a card, Enter selects it; its YAML keys link to their origin.
      await view.locator('.job[data-job="contract-tests"]').focus();
      await ui.page.keyboard.press('Enter');
      const stageLink = view.locator('.yaml a.origin', { hasText: 'stage:' }).first();
      await stageLink.waitFor();
      await ui.screenshot('preview-selected-job-yaml');
      await stageLink.click();
      await ui.retry('jobs.yml to open from the preview', async () => (/jobs\.yml/.test(await ui.activeTab()) ? true : undefined), 10_000);
      await ui.screenshot('preview-key-opens-origin');
      // contract-tests takes stage: test from .python-test-job: the link lands on that line.
      const expected = ui.lineIn(join(ui.workspace, '..', 'ci-library', 'common', 'jobs.yml'), /^\s+stage: test/, /^\.python-test-job:/);
      const at = await ui.retry('the cursor on the origin line', async () => ((await ui.cursorLine()) === expected ? expected : undefined), 5_000);
      if (at !== expected) throw new Error(`cursor on line ${at}, expected ${expected}`);
    },
  },
  {
    // bench-500.gitlab-ci.yml: written by the runner with the workspace (scripts/generate-pipeline.ts).
    name: 'the preview renders a generated 500-job pipeline (render time printed)',
    async run(ui) {
      const t0 = Date.now();
      await ui.quickOpen('bench-500.gitlab-ci.yml');
      const view = ui.webview();
      await view.locator('.job[data-job="job-499"]').waitFor({ timeout: 60_000 });
      const wall = Date.now() - t0;
      const cards = await view.locator('.job').count();
      if (cards !== 500) throw new Error(`${cards} job cards, expected 500`);
      const renderMs = await view.locator('#body').getAttribute('data-render-ms');
      ui.figures.push(`500-job pipeline in the webview: render ${renderMs} ms (markup + DOM + edges); open file → cards shown ${wall} ms`);
      await ui.screenshot('preview-500-jobs');
      await ui.quickOpen(CI);
    },
  },
  {
    name: 'the quick-fix adds the missing variable',
    needs: 'codeActionProvider',
    async run(ui) {
      await ui.quickOpen(CI);
      await ui.gotoLine(1);
      await ui.nextProblem('the HELM_CHART problem', /HELM_CHART/);
      await ui.screenshot('quick-fix-problem');
      await ui.page.keyboard.press('Escape');
      await ui.quickFix('HELM_CHART', 'quick-fix-menu');
      const text = await ui.retry('HELM_CHART saved in the file', async () => {
        const t = readFileSync(join(ui.workspace, CI), 'utf8');
        return /^\s+HELM_CHART:/m.test(t) ? t : undefined;
      }, 30_000);
      await ui.screenshot('quick-fix-applied');
      if (!text.includes('HELM_CHART')) throw new Error('not added');
    },
  },
  {
    name: 'the quick-fix "Change to `script`" repairs a typo\'d keyword',
    needs: 'codeActionProvider',
    async run(ui) {
      const file = 'typo.gitlab-ci.yml';
      writeFileSync(join(ui.workspace, file), 'stages: [build]\nbuild:\n  stage: build\n  scirpt:\n    - make\n');
      await ui.quickOpen(file);
      await ui.gotoLine(1);
      await ui.nextProblem('the unknown-key problem', /unknown keys: scirpt/);
      await ui.screenshot('keyword-typo-problem');
      await ui.page.keyboard.press('Escape');
      await ui.gotoLine(4, 4);
      await ui.quickFix('Change to `script`', 'keyword-typo-quick-fix-menu');
      const text = await ui.retry('script: saved in the file', async () => {
        const t = readFileSync(join(ui.workspace, file), 'utf8');
        return t.includes('  script:\n') ? t : undefined;
      }, 30_000);
      await ui.screenshot('keyword-typo-fixed');
      if (text !== 'stages: [build]\nbuild:\n  stage: build\n  script:\n    - make\n') throw new Error(`unexpected text after the fix:\n${text}`);
    },
  },
];

// Runs last: it puts the library beside the workspace under git.
uiChecks.push(impactCheck);
