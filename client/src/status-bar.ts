/**
 * The status bar item: where the presets of the active pipeline come from — the workspace only,
 * a local checkout, the GitLab API, or the cache (stale since …, offline) — from the server's
 * `gitlabCiPresets/pipelineSources`. Clicking it runs "Refresh Presets". The first answer for a
 * document that takes a while (presets being fetched) shows a progress notification.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { PipelineFile } from '../../server/src/features/preview.js';
import { summarise } from './sources-summary.js';
import type { SourcesSummary } from './sources-summary.js';

export const SOURCES_REQUEST = 'gitlabCiPresets/pipelineSources';
const PROGRESS_AFTER_MS = 500;

export class PresetStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('gitlabCiPresets.sources', vscode.StatusBarAlignment.Left, 50);
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private seen = new Set<string>();
  /** The last summary shown (tests in the extension host read it). */
  last: SourcesSummary | undefined;

  constructor(
    private readonly client: () => LanguageClient | undefined,
    private readonly isCiDocument: (d: vscode.TextDocument) => boolean,
    private readonly output: vscode.OutputChannel,
  ) {
    this.item.name = 'GitLab CI Presets';
    this.item.command = 'gitlabCiPresets.refresh';
    this.item.text = '$(sync~spin) Presets';
    this.disposables.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule(0)),
      vscode.workspace.onDidSaveTextDocument(() => this.schedule(0)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) this.schedule(1000);
      }),
    );
  }

  schedule(delay = 0): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), delay);
  }

  async update(): Promise<SourcesSummary | undefined> {
    const doc = vscode.window.activeTextEditor?.document;
    const client = this.client();
    if (!doc) return this.last; // a webview or another non-text editor: keep what was shown
    if (!client || !this.isCiDocument(doc)) {
      this.item.hide();
      return undefined;
    }
    this.item.show();
    const key = doc.uri.toString();
    const request = client.sendRequest<{ files: PipelineFile[] } | null>(SOURCES_REQUEST, { uri: key });
    if (!this.seen.has(key)) {
      this.seen.add(key);
      // Presets may be fetched from GitLab on the first analysis: say so when it takes a while.
      const slow = setTimeout(() => {
        void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'GitLab CI Presets: fetching presets…' }, () => request.catch(() => undefined));
      }, PROGRESS_AFTER_MS);
      void request.finally(() => clearTimeout(slow)).catch(() => undefined);
    }
    try {
      const r = await request;
      if (!r) {
        this.item.text = '$(circle-slash) Presets';
        this.item.tooltip = 'GitLab CI Presets: no pipeline for this file';
        return undefined;
      }
      const s = summarise(r.files);
      this.item.text = s.text;
      this.item.tooltip = s.tooltip;
      this.item.backgroundColor = s.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
      this.last = s;
      return s;
    } catch (e) {
      this.output.appendLine(`pipeline sources: ${(e as Error).message}`);
      this.item.text = '$(error) Presets';
      this.item.tooltip = `GitLab CI Presets: ${(e as Error).message}`;
      return undefined;
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.item.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
