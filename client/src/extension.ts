/**
 * The VS Code side, wiring only: the language client (language-client.ts), tokens
 * (token-store.ts), the status bar (status-bar.ts), read-only library files
 * (read-only-provider.ts), the pipeline preview (preview-panel.ts), Validate with GitLab
 * (validate-command.ts) and Show Impact of My Changes (impact-panel.ts).
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { ImpactPanel } from './impact-panel.js';
import type { ImpactArgs } from './impact-panel.js';
import { createLanguageClient, documentSelector, presetLibraryFolders } from './language-client.js';
import { PreviewPanel } from './preview-panel.js';
import { READ_ONLY_SCHEME, ReadOnlyProvider } from './read-only-provider.js';
import { PresetStatusBar } from './status-bar.js';
import { promptForToken, SET_TOKENS_NOTIFICATION, TokenStore } from './token-store.js';
import { validateWithGitlab } from './validate-command.js';
import type { ValidateArgs } from './validate-command.js';

export const REFRESH_REQUEST = 'gitlabCiPresets/refresh';

let client: LanguageClient | undefined;
let selector: ReturnType<typeof documentSelector> = documentSelector();

/** What the extension hands to other extensions and to its end-to-end tests. */
export interface GitlabCiPresetsApi {
  client(): LanguageClient | undefined;
  preview(): PreviewPanel | undefined;
  impact(): ImpactPanel | undefined;
  statusBar: PresetStatusBar;
  /** Tokens per GitLab host (SecretStorage); a change is sent to the server at once. */
  tokens: TokenStore;
  isCiDocument(doc: vscode.TextDocument): boolean;
}

export async function activate(context: vscode.ExtensionContext): Promise<GitlabCiPresetsApi> {
  const output = vscode.window.createOutputChannel('GitLab CI Presets', { log: true });
  const tokens = new TokenStore(context.secrets);
  const isCiDocument = (doc: vscode.TextDocument) => vscode.languages.match(selector, doc) > 0 && doc.uri.scheme === 'file';
  const readOnly = new ReadOnlyProvider(() => client);
  const statusBar = new PresetStatusBar(() => client, isCiDocument, output);

  const sendTokens = async () => {
    if (!client?.isRunning()) return;
    // An untrusted workspace gets no token: its settings might send it to a host of its choosing.
    const map = vscode.workspace.isTrusted ? await tokens.all() : {};
    await client.sendNotification(SET_TOKENS_NOTIFICATION, { tokens: map });
  };

  const start = async () => {
    selector = documentSelector(await presetLibraryFolders());
    client = createLanguageClient(context, selector, output);
    await client.start();
    await sendTokens();
    statusBar.schedule(0);
    PreviewPanel.current?.schedule(0);
  };
  const restart = async () => {
    const old = client;
    client = undefined;
    await old?.stop().catch(() => undefined);
    await start();
  };

  const refresh = () =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'GitLab CI Presets: refreshing presets…' }, async () => {
      if (!client) return;
      try {
        const r = await client.sendRequest<{ checked?: number; moved?: unknown[]; failed?: unknown[] }>(REFRESH_REQUEST, {});
        output.info(`refresh: ${JSON.stringify(r)}`);
        const moved = r?.moved?.length ?? 0;
        const failed = r?.failed?.length ?? 0;
        void vscode.window.showInformationMessage(`GitLab CI Presets: presets refreshed (${r?.checked ?? 0} checked, ${moved} changed${failed ? `, ${failed} unreachable` : ''}).`);
      } catch (e) {
        output.error(`refresh failed: ${(e as Error).message}`);
        void vscode.window.showWarningMessage(`GitLab CI Presets: refresh failed: ${(e as Error).message}`);
      }
      readOnly.refreshOpen();
      statusBar.schedule(0);
      PreviewPanel.current?.schedule(0);
    });

  context.subscriptions.push(
    output,
    statusBar,
    vscode.workspace.registerTextDocumentContentProvider(READ_ONLY_SCHEME, readOnly),
    readOnly,
    vscode.commands.registerCommand('gitlabCiPresets.openPreview', () => PreviewPanel.show(context.extensionUri, () => client, isCiDocument, refresh)),
    vscode.commands.registerCommand('gitlabCiPresets.setToken', async () => {
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showWarningMessage('GitLab CI Presets: tokens are not used in an untrusted workspace. Trust the workspace first.');
        return;
      }
      if (await promptForToken(tokens)) await sendTokens();
    }),
    vscode.commands.registerCommand('gitlabCiPresets.refresh', refresh),
    vscode.commands.registerCommand('gitlabCiPresets.validate', (args?: ValidateArgs) => validateWithGitlab(client, isCiDocument, output, context.workspaceState, args)),
    vscode.commands.registerCommand('gitlabCiPresets.showOutput', () => output.show()),
    vscode.commands.registerCommand('gitlabCiPresets.showImpact', (args?: ImpactArgs) => ImpactPanel.run(context.extensionUri, client, output, args)),
    tokens.onDidChange(() => void sendTokens()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void restart()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('gitlabCiPresets.localProjects') || e.affectsConfiguration('gitlabCiPresets.presetLibraries')) void restart();
    }),
    { dispose: () => void client?.stop() },
  );
  await start();
  return { client: () => client, preview: () => PreviewPanel.current, impact: () => ImpactPanel.current, statusBar, tokens, isCiDocument };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
