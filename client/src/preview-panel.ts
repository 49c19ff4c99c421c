/**
 * The pipeline preview panel: a webview beside the editor that shows the pipeline of the active
 * GitLab CI file, follows the active editor, refreshes ~300 ms after the last keystroke, keeps
 * the simulated context the user picked, and opens the location of whatever link is clicked.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { PreviewModel } from '../../server/src/features/preview.js';
import { previewShell } from './preview-html.js';

export const PREVIEW_REQUEST = 'gitlabCiPresets/preview';
const DEBOUNCE_MS = 300;

type WebviewMessage =
  | { type: 'ready' | 'context'; context?: Record<string, unknown> }
  | { type: 'open'; location: { uri: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } } }
  | { type: 'refresh' };

export class PreviewPanel implements vscode.Disposable {
  static current: PreviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private target: vscode.Uri | undefined;
  private context: Record<string, unknown> = { source: 'push' };
  private timer: NodeJS.Timeout | undefined;
  private seq = 0;
  /** The last model sent (tests in the extension host read it). */
  lastModel: PreviewModel | undefined;
  private readonly updated = new vscode.EventEmitter<PreviewModel>();
  readonly onDidUpdate = this.updated.event;

  static show(extensionUri: vscode.Uri, client: () => LanguageClient | undefined, isCiDocument: (d: vscode.TextDocument) => boolean, refresh: () => Thenable<unknown>): PreviewPanel {
    const editor = vscode.window.activeTextEditor;
    if (PreviewPanel.current) {
      PreviewPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
      if (editor && isCiDocument(editor.document)) PreviewPanel.current.follow(editor.document.uri);
      return PreviewPanel.current;
    }
    const panel = vscode.window.createWebviewPanel('gitlabCiPresets.preview', 'Pipeline Preview', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'client', 'media'), vscode.Uri.joinPath(extensionUri, 'dist')],
    });
    PreviewPanel.current = new PreviewPanel(panel, extensionUri, client, isCiDocument, refresh);
    if (editor && isCiDocument(editor.document)) PreviewPanel.current.target = editor.document.uri;
    return PreviewPanel.current;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly client: () => LanguageClient | undefined,
    private readonly isCiDocument: (d: vscode.TextDocument) => boolean,
    private readonly refreshPresets: () => Thenable<unknown>,
  ) {
    const webview = panel.webview;
    webview.html = previewShell({
      cspSource: webview.cspSource,
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'client', 'media', 'preview.css')).toString(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
    });
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      webview.onDidReceiveMessage((m: WebviewMessage) => this.onMessage(m)),
      vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e && this.isCiDocument(e.document) && e.document.uri.toString() !== this.target?.toString()) this.follow(e.document.uri);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length && e.document.languageId === 'yaml') this.schedule();
      }),
      vscode.workspace.onDidSaveTextDocument(() => this.schedule()),
    );
  }

  follow(uri: vscode.Uri): void {
    this.target = uri;
    this.schedule(0);
  }

  schedule(delay = DEBOUNCE_MS): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.update(), delay);
  }

  /** Ask the server for the model of the target document and hand it to the webview. */
  async update(): Promise<PreviewModel | undefined> {
    const client = this.client();
    const target = this.target;
    if (!client || !target) {
      void this.panel.webview.postMessage({ type: 'error', message: 'Open a .gitlab-ci.yml (or a preset file) to preview its pipeline.' });
      return undefined;
    }
    const seq = ++this.seq;
    void this.panel.webview.postMessage({ type: 'loading' });
    try {
      const model = await client.sendRequest<PreviewModel | null>(PREVIEW_REQUEST, { uri: target.toString(), context: this.context });
      if (seq !== this.seq) return undefined; // a newer request is on its way
      if (!model) {
        void this.panel.webview.postMessage({ type: 'error', message: `No pipeline for ${vscode.workspace.asRelativePath(target)}` });
        return undefined;
      }
      this.lastModel = model;
      this.panel.title = `Pipeline: ${vscode.workspace.asRelativePath(target)}`;
      await this.panel.webview.postMessage({ type: 'model', model, target: vscode.workspace.asRelativePath(target) });
      this.updated.fire(model);
      return model;
    } catch (e) {
      void this.panel.webview.postMessage({ type: 'error', message: `Preview failed: ${(e as Error).message}` });
      return undefined;
    }
  }

  /** Simulate another pipeline (the context bar does this; tests call it directly). */
  setContext(context: Record<string, unknown>): Promise<PreviewModel | undefined> {
    this.context = context;
    clearTimeout(this.timer);
    return this.update();
  }

  private async onMessage(m: WebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready':
      case 'context':
        if (m.context) this.context = m.context;
        this.schedule(0);
        return;
      case 'refresh':
        await this.refreshPresets();
        this.schedule(0);
        return;
      case 'open':
        return openLocation(m.location);
    }
  }

  dispose(): void {
    if (PreviewPanel.current === this) PreviewPanel.current = undefined;
    clearTimeout(this.timer);
    this.panel.dispose();
    this.updated.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Open a file at a range in the first editor group (read-only scheme URIs open read-only). */
export async function openLocation(loc: { uri: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } } | undefined): Promise<void> {
  if (!loc || typeof loc.uri !== 'string') return;
  const uri = vscode.Uri.parse(loc.uri);
  if (uri.scheme !== 'file' && uri.scheme !== 'gitlab-ci-presets') return; // only files of the pipeline
  const r = loc.range;
  const range = new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One, selection: range, preserveFocus: false });
}
