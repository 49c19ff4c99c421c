/**
 * Files of a pipeline that are not in the workspace (fetched from GitLab, templates, remote
 * URLs) open read-only under the scheme `gitlab-ci-presets:`; their text comes from the server
 * (`gitlabCiPresets/readFile` `{uri}` → `{text}`), which holds what the analysis loaded.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

export const READ_ONLY_SCHEME = 'gitlab-ci-presets';
export const READ_FILE_REQUEST = 'gitlabCiPresets/readFile';

/** The URI in the server's form: the query (the original URI) encoded exactly once. */
export function serverFormOf(uri: vscode.Uri): string {
  return `${READ_ONLY_SCHEME}:${uri.path}?${encodeURIComponent(uri.query)}`;
}

export class ReadOnlyProvider implements vscode.TextDocumentContentProvider {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly client: () => LanguageClient | undefined) {}

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const client = this.client();
    if (!client) throw new Error('GitLab CI Presets: the language server is not running');
    const r = await client.sendRequest<{ text: string }>(READ_FILE_REQUEST, { uri: serverFormOf(uri) }, token);
    return r.text;
  }

  /** Re-read every open read-only file (after a refresh of the presets). */
  refreshOpen(): void {
    for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme === READ_ONLY_SCHEME) this.changed.fire(doc.uri);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
