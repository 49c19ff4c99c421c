/**
 * The VS Code side: starts the bundled language server over IPC for GitLab CI files and passes
 * the `gitlabCiPresets` settings.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind } from 'vscode-languageclient/node';
import type { LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'yaml', pattern: '**/.gitlab-ci.yml' },
      { scheme: 'file', language: 'yaml', pattern: '**/*.gitlab-ci.yml' },
      { scheme: 'file', language: 'yaml', pattern: '**/.gitlab/ci/**/*.yml' },
      { scheme: 'file', language: 'yaml' },
    ],
    synchronize: { configurationSection: 'gitlabCiPresets' },
    initializationOptions: { settings: vscode.workspace.getConfiguration('gitlabCiPresets') },
    outputChannel: vscode.window.createOutputChannel('GitLab CI Presets', { log: true }),
  };
  client = new LanguageClient('gitlabCiPresets', 'GitLab CI Presets', serverOptions, clientOptions);
  await client.start();
  context.subscriptions.push({ dispose: () => void client?.stop() });
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
