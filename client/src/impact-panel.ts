/**
 * "GitLab CI Presets: Show Impact of My Changes": for the library workspace folder, pick the
 * base (the latest tag, another tag or branch, or any ref typed in), ask the server
 * (`gitlabCiPresets/impact`) what the working tree's changes do to the consumers named in
 * `gitlabCiPresets.consumers` (folders, and GitLab groups as `group:PATH`), and show the report
 * in a webview whose links open the library line behind each new value.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { ImpactAnswer, ImpactRefs } from '../../server/src/features/impact.js';
import type { ImpactReport } from '../../server/src/impact/impact-report.js';
import { impactPage, renderImpact } from './impact-html.js';
import { openLocation } from './preview-panel.js';
import type { Location } from './webview/render.js';

export const IMPACT_REQUEST = 'gitlabCiPresets/impact';
export const IMPACT_REFS_REQUEST = 'gitlabCiPresets/impactRefs';

export interface ImpactArgs {
  /** The library folder (default: the workspace folder of the active editor, else the first). */
  library?: string;
  /** The base ref (default: picked). */
  base?: string;
}

/** `gitlabCiPresets.consumers`: folders (relative to the workspace folder) and `group:PATH` entries. */
export function consumersSetting(folder: vscode.WorkspaceFolder): { consumers: string[]; groups: string[] } {
  const list = vscode.workspace.getConfiguration('gitlabCiPresets', folder.uri).get<string[]>('consumers', []);
  const groups = list.filter((c) => c.startsWith('group:')).map((c) => c.slice('group:'.length).trim()).filter(Boolean);
  const consumers = list.filter((c) => !c.startsWith('group:')).map((c) => (c.startsWith('/') ? c : vscode.Uri.joinPath(folder.uri, c).fsPath));
  return { consumers, groups };
}

async function pickBase(client: LanguageClient, library: vscode.Uri): Promise<string | undefined> {
  const refs = await client.sendRequest<ImpactRefs>(IMPACT_REFS_REQUEST, { library: library.toString() });
  const items: (vscode.QuickPickItem & { ref?: string })[] = [];
  if (refs.tags[0]) items.push({ label: refs.tags[0], description: 'latest tag', ref: refs.tags[0] });
  for (const r of refs.refs) if (r !== refs.tags[0]) items.push({ label: r, description: refs.tags.includes(r) ? 'tag' : 'branch', ref: r });
  items.push({ label: 'Another ref…', description: 'a tag, branch or commit SHA' });
  const pick = await vscode.window.showQuickPick(items, { title: 'Show Impact of My Changes: compare with', placeHolder: 'the released library (the latest tag)' });
  if (!pick) return undefined;
  if (pick.ref) return pick.ref;
  return (await vscode.window.showInputBox({ title: 'Show Impact of My Changes', prompt: 'Git ref of the library to compare the working tree with' }))?.trim() || undefined;
}

/** The git working tree a file is in (the nearest folder above it with `.git`). */
function workingTree(file: string): string | undefined {
  for (let dir = dirname(file); dirname(dir) !== dir; dir = dirname(dir)) if (existsSync(join(dir, '.git'))) return dir;
  return undefined;
}

/**
 * The library: the argument; else the checkout the active editor's file is in when that is not a
 * workspace folder (a library file opened from a consumer, say); else the active editor's
 * workspace folder, else the first. The settings are those of the workspace folder.
 */
function libraryOf(args: ImpactArgs): { library: vscode.Uri; folder: vscode.WorkspaceFolder } | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  const folder = (active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0];
  if (!folder) return undefined;
  if (args.library) return { library: vscode.Uri.file(args.library), folder };
  const tree = active?.scheme === 'file' ? workingTree(active.fsPath) : undefined;
  if (tree && !vscode.workspace.getWorkspaceFolder(vscode.Uri.file(join(tree, '.git')))) return { library: vscode.Uri.file(tree), folder };
  return { library: folder.uri, folder };
}

export class ImpactPanel implements vscode.Disposable {
  static current: ImpactPanel | undefined;
  /** The last report shown (tests in the extension host read it). */
  lastReport: ImpactReport | undefined;
  private locations: Location[] = [];
  private readonly disposables: vscode.Disposable[] = [];

  private constructor(readonly panel: vscode.WebviewPanel, private readonly extensionUri: vscode.Uri) {
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((m: { type?: string; index?: unknown }) => {
        if (m?.type === 'open' && typeof m.index === 'number') void openLocation(this.locations[m.index]);
      }),
    );
  }

  private static reveal(extensionUri: vscode.Uri): ImpactPanel {
    if (ImpactPanel.current) {
      ImpactPanel.current.panel.reveal(vscode.ViewColumn.Beside, true);
      return ImpactPanel.current;
    }
    const panel = vscode.window.createWebviewPanel('gitlabCiPresets.impact', 'Impact of My Changes', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'client', 'media')],
    });
    return (ImpactPanel.current = new ImpactPanel(panel, extensionUri));
  }

  private show(body: string, locations: Location[]): void {
    this.locations = locations;
    const webview = this.panel.webview;
    webview.html = impactPage(body, { cspSource: webview.cspSource, styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'client', 'media', 'preview.css')).toString() });
  }

  /** The command: pick the library and base, ask the server, show the report. */
  static async run(extensionUri: vscode.Uri, client: LanguageClient | undefined, output: vscode.LogOutputChannel, args: ImpactArgs = {}): Promise<ImpactReport | undefined> {
    if (!client) {
      void vscode.window.showWarningMessage('GitLab CI Presets: the language server is not running.');
      return undefined;
    }
    const target = libraryOf(args);
    if (!target) {
      void vscode.window.showWarningMessage('GitLab CI Presets: open the preset library folder to see the impact of its changes.');
      return undefined;
    }
    const { library, folder } = target;
    const base = args.base ?? (await pickBase(client, library));
    if (!base) return undefined;
    const { consumers, groups } = consumersSetting(folder);
    if (!consumers.length && !groups.length) {
      const pick = await vscode.window.showWarningMessage('GitLab CI Presets: no consumers are set: list their folders or GitLab groups (group:PATH) in gitlabCiPresets.consumers.', 'Open Settings');
      if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'gitlabCiPresets.consumers');
      return undefined;
    }
    const answer = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `GitLab CI Presets: impact of the changes since ${base}…` }, () =>
      client.sendRequest<ImpactAnswer>(IMPACT_REQUEST, { library: library.toString(), base, consumers, groups }),
    );
    if ('error' in answer) {
      output.warn(`impact: ${answer.error}`);
      void vscode.window.showWarningMessage(`GitLab CI Presets: ${answer.error}`);
      return undefined;
    }
    for (const n of answer.notes) output.info(`impact: ${n}`);
    const panel = ImpactPanel.reveal(extensionUri);
    const { html, locations } = renderImpact(answer.report, answer.notes);
    panel.panel.title = `Impact since ${base}`;
    panel.show(html, locations);
    panel.lastReport = answer.report;
    return answer.report;
  }

  dispose(): void {
    if (ImpactPanel.current === this) ImpactPanel.current = undefined;
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
