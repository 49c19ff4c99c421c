/** Open a CI file in the editor, activate the extension and wait for its language client: the first step of every suite. */
import * as vscode from 'vscode';
import type { GitlabCiPresetsApi } from '../../../client/src/extension.js';
import { waitFor } from './harness.js';

export const EXTENSION_ID = 'gitlab-ci-presets.gitlab-ci-presets';

export async function openAndActivate(uri: vscode.Uri): Promise<{ doc: vscode.TextDocument; api: GitlabCiPresetsApi }> {
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  const ext = vscode.extensions.getExtension<GitlabCiPresetsApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded`);
  const api = await ext.activate();
  await waitFor('the language client to run', () => api.client()?.isRunning());
  return { doc, api };
}
