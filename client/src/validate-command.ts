/**
 * "GitLab CI Presets: Validate with GitLab": asks the server (`gitlabCiPresets/validate`) to send
 * the active pipeline, as merged here, to GitLab's CI Lint API with the token of its instance.
 * GitLab's errors and warnings appear in the Problems view (the server publishes them); the
 * verdict and where GitLab's merged YAML differs from ours go to a message and the output channel.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { ValidateResult } from '../../server/src/features/validate.js';

export const VALIDATE_REQUEST = 'gitlabCiPresets/validate';

export interface ValidateArgs {
  /** Numeric id or `group/project`; default: from the git remote, else asked for (and remembered). */
  projectId?: string;
  ref?: string;
}

const PROJECT_KEY = 'gitlabCiPresets.validateProject';

export async function validateWithGitlab(
  client: LanguageClient | undefined,
  isCiDocument: (d: vscode.TextDocument) => boolean,
  output: vscode.LogOutputChannel,
  state: vscode.Memento,
  args: ValidateArgs = {},
): Promise<ValidateResult | undefined> {
  const doc = vscode.window.activeTextEditor?.document;
  if (!client || !doc || !isCiDocument(doc)) {
    void vscode.window.showWarningMessage('GitLab CI Presets: open a .gitlab-ci.yml (or a file it includes) to validate it with GitLab.');
    return undefined;
  }
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('GitLab CI Presets: validating with GitLab sends a token; trust the workspace first.');
    return undefined;
  }
  const ask = (projectId: string | undefined) =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'GitLab CI Presets: validating with GitLab…', cancellable: true }, (_p, token) =>
      client.sendRequest<ValidateResult>(VALIDATE_REQUEST, { uri: doc.uri.toString(), projectId, ref: args.ref }, token),
    );
  let projectId = args.projectId ?? state.get<string>(PROJECT_KEY);
  let result = await ask(projectId);
  if (result.valid === null && !args.projectId && /give the project id or path/.test(result.error ?? '')) {
    // No usable git remote: ask which project GitLab should lint in, and remember it for this workspace.
    projectId = (await vscode.window.showInputBox({ title: 'Validate with GitLab', prompt: `${result.error}. GitLab project (id or group/project):`, value: projectId ?? '' }))?.trim();
    if (!projectId) return result;
    await state.update(PROJECT_KEY, projectId);
    result = await ask(projectId);
  }
  const where = result.project ? ` (${result.project}${result.gitlabUrl ? ` on ${result.gitlabUrl}` : ''})` : '';
  for (const d of result.mergedYamlDiff ?? []) output.info(`GitLab's merged YAML differs at ${d.pathText}`);
  if (result.valid === null) {
    output.warn(`validate: ${result.error ?? 'GitLab could not be asked'}`);
    void vscode.window.showWarningMessage(`GitLab CI Presets: GitLab could not validate the pipeline${where}: ${result.error ?? 'unknown reason'}`);
  } else if (result.valid) {
    const diff = result.mergedYamlDiff?.length ? ` ${result.mergedYamlDiff.length} difference(s) from the local expansion: see the output.` : '';
    void vscode.window.showInformationMessage(`GitLab CI Presets: GitLab accepts the pipeline${where}.${diff}`);
  } else {
    const n = result.diagnostics.filter((d) => d.severity === 'error').length;
    void vscode.window.showErrorMessage(`GitLab CI Presets: GitLab rejects the pipeline${where}: ${n} error(s).`, 'Show Problems').then((pick) => {
      if (pick) void vscode.commands.executeCommand('workbench.actions.view.problems');
    });
  }
  return result;
}
