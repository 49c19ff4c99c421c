/**
 * The extension-host checks of a workspace VS Code does NOT trust (restricted mode: code-server
 * started with workspace trust on and no folder trusted; test/e2e/run.ts), loaded through
 * `extensionTestsPath` like suite/index.ts, on a copy of examples/ whose service-repo is the
 * workspace folder.
 *
 * A GitLab REST stand-in runs inside the extension host. The user's own settings point
 * `gitlabCiPresets.gitlabUrl` at it, a token for its host is in the secret storage and the
 * workspace's settings point at it too (as a hostile repository would); the workspace's
 * `localProjects` mapping is a restricted setting, so `include: project: acme/ci-library` has no
 * local copy. The stand-in must receive no request at all — no API call, no token — while the
 * diagnostics still arrive (the include reported unavailable in offline mode), and
 * Validate with GitLab must not contact it.
 */
import * as vscode from 'vscode';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GitlabCiPresetsApi } from '../../../client/src/extension.js';
import type { ValidateResult } from '../../../server/src/features/validate.js';
import { GitLabStandIn } from '../../support/gitlab-stand-in.js';
import { openAndActivate } from './activate.js';
import { runChecks, waitFor, writeResults } from './harness.js';
import type { Check } from './harness.js';

const TOKEN = 'e2e-untrusted-secret-token';

const codeOf = (d: vscode.Diagnostic) => String(typeof d.code === 'object' ? d.code.value : d.code);

export async function run(): Promise<void> {
  const log = (line: string) => console.log(`[e2e] ${line}`);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) throw new Error('the untrusted e2e suite needs the example service repo as workspace folder');
  const ciUri = vscode.Uri.joinPath(folder, '.gitlab-ci.yml');
  const config = () => vscode.workspace.getConfiguration('gitlabCiPresets');
  const stand = await GitLabStandIn.start({ tokens: [TOKEN] });
  stand.addProject({ path: 'acme/ci-library', dir: vscode.Uri.joinPath(folder, '..', 'ci-library').fsPath, tags: ['v1.2.0'] });
  stand.addProject({ path: 'acme/orders-api', files: {} });
  stand.lintAnswer = { valid: true };
  const noRequests = (when: string) => {
    if (stand.requests.length) throw new Error(`${when}: the stand-in received ${stand.requests.length} request(s): ${stand.requests.map((r) => `${r.method} ${r.url}${r.headers['private-token'] || r.headers.authorization ? ' (with a credential)' : ''}`).join(', ')}`);
  };
  let api!: GitlabCiPresetsApi;
  let doc!: vscode.TextDocument;

  const checks: Check[] = [
    {
      name: 'restricted mode: the workspace is not trusted, the extension activates (limited support) and the language client runs, told the workspace is untrusted',
      async run() {
        if (vscode.workspace.isTrusted !== false) throw new Error(`vscode.workspace.isTrusted is ${vscode.workspace.isTrusted}`);
        ({ doc, api } = await openAndActivate(ciUri));
        if (!api.isCiDocument(doc)) throw new Error('.gitlab-ci.yml is not in the document selector');
        const init = api.client()?.clientOptions.initializationOptions as { trusted?: unknown } | undefined;
        if (init?.trusted !== false) throw new Error(`initializationOptions.trusted is ${JSON.stringify(init?.trusted)}`);
        // The workspace's own mapping of the library is a restricted setting: ignored here.
        const mapped = config().get<Record<string, string>>('localProjects') ?? {};
        if (Object.keys(mapped).length) throw new Error(`the workspace's localProjects applies in restricted mode: ${JSON.stringify(mapped)}`);
      },
    },
    {
      name: 'a token stored for the configured GitLab host: the stand-in receives no request, the diagnostics arrive (the project include unavailable offline)',
      timeoutMs: 60_000,
      async run() {
        // The workspace asks for the stand-in, as a hostile repository would (a restricted setting: ignored) …
        const wsSettings = vscode.Uri.joinPath(folder, '.vscode', 'settings.json');
        const current = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(wsSettings))) as Record<string, unknown>;
        await vscode.workspace.fs.writeFile(wsSettings, new TextEncoder().encode(JSON.stringify({ ...current, 'gitlabCiPresets.gitlabUrl': stand.url }, null, 2)));
        // … and so do the user's own settings, which do apply: the instance is the stand-in, and its token is stored.
        const user = vscode.ConfigurationTarget.Global;
        await config().update('cacheDir', mkdtempSync(join(tmpdir(), 'gcp-e2e-untrusted-cache-')), user);
        await config().update('gitlabUrl', stand.url, user);
        await api.tokens.set(stand.host, TOKEN);
        if ((await api.tokens.all())[stand.host] !== TOKEN) throw new Error('the token is not in the secret storage');
        if (config().get('gitlabUrl') !== stand.url) throw new Error(`gitlabUrl is ${config().get('gitlabUrl')}`);
        // A fresh language server started with all of that in place (a presetLibraries change restarts the client).
        const before = api.client();
        await config().update('presetLibraries', ['no-such-library'], user);
        await waitFor('the language client to restart', () => api.client() !== before && api.client()?.isRunning(), 20_000);
        const settings = (api.client()?.clientOptions.initializationOptions as { settings?: Record<string, unknown> } | undefined)?.settings;
        if (settings?.gitlabUrl !== stand.url) throw new Error(`the server was started with gitlabUrl ${JSON.stringify(settings?.gitlabUrl)}`);
        await vscode.window.showTextDocument(doc);
        const missing = await waitFor(
          'an include-missing diagnostic in offline mode',
          () => vscode.languages.getDiagnostics(ciUri).find((d) => codeOf(d) === 'include-missing' && /offline mode/.test(d.message) && /acme\/ci-library/.test(d.message)),
          30_000,
        );
        if (!missing.message.includes(stand.host)) throw new Error(`the unavailable include does not name the configured host ${stand.host}: ${missing.message}`);
        log(`diagnostic: ${missing.message}`);
        // What else could ask the network: the status bar's sources summary, hover, completion, the preview, Refresh.
        await api.statusBar.update();
        await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', ciUri, new vscode.Position(0, 0));
        await vscode.commands.executeCommand('gitlabCiPresets.refresh');
        await new Promise((r) => setTimeout(r, 500));
        noRequests('after diagnostics, status, completion and refresh');
      },
    },
    {
      name: 'Validate with GitLab does not contact the stand-in (the command refuses, and so does the server when asked directly)',
      async run() {
        await vscode.window.showTextDocument(doc);
        const result = await vscode.commands.executeCommand<ValidateResult | undefined>('gitlabCiPresets.validate', { projectId: 'acme/orders-api' });
        if (result !== undefined) throw new Error(`the command validated: ${JSON.stringify(result)}`);
        const direct = await api.client()!.sendRequest<ValidateResult>('gitlabCiPresets/validate', { uri: ciUri.toString(), projectId: 'acme/orders-api' });
        if (direct.valid !== null || !/untrusted workspace/.test(direct.error ?? '')) throw new Error(`the server validated: ${JSON.stringify(direct)}`);
        await new Promise((r) => setTimeout(r, 300));
        if (stand.lintCalls.length) throw new Error(`CI Lint called ${stand.lintCalls.length} time(s)`);
        noRequests('after Validate with GitLab');
      },
    },
  ];

  let results;
  try {
    results = await runChecks(checks, log);
  } finally {
    await stand.close();
  }
  writeResults(process.env.E2E_RESULTS, results, { isTrusted: vscode.workspace.isTrusted, vscodeVersion: vscode.version });
  const failed = results.filter((r) => r.status === 'failed');
  log(`${results.filter((r) => r.status === 'passed').length} passed, ${failed.length} failed`);
  if (failed.length) throw new Error(`${failed.length} untrusted-workspace check(s) failed: ${failed.map((f) => f.name).join('; ')}`);
}
