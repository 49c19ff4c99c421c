/**
 * The end-to-end suite that runs inside VS Code's extension host (loaded through
 * `extensionTestsPath`, in code-server or in a VS Code that @vscode/test-electron downloaded),
 * on a copy of examples/ whose service-repo is the workspace folder. It drives the real
 * extension and language server through VS Code's own API.
 *
 * A check whose LSP feature the server does not offer yet is reported as todo with the reason.
 */
import * as vscode from 'vscode';
import type { GitlabCiPresetsApi } from '../../../client/src/extension.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ValidateResult } from '../../../server/src/features/validate.js';
import { GitLabStandIn } from '../../support/gitlab-stand-in.js';
import { openAndActivate } from './activate.js';
import { runChecks, Todo, waitFor, writeResults } from './harness.js';
import type { Check } from './harness.js';


function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

function requireCapability(api: GitlabCiPresetsApi, key: string, what: string): void {
  const caps = api.client()?.initializeResult?.capabilities as Record<string, unknown> | undefined;
  if (!caps?.[key]) throw new Todo(`the language server does not offer ${what} yet (no ${key} capability)`);
}

export async function run(): Promise<void> {
  const log = (line: string) => console.log(`[e2e] ${line}`);
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  if (!folder) throw new Error('the e2e suite needs the example service repo as workspace folder');
  const ciUri = vscode.Uri.joinPath(folder, '.gitlab-ci.yml');
  const libUri = vscode.Uri.joinPath(folder, '..', 'ci-library', 'common', 'jobs.yml');
  let api!: GitlabCiPresetsApi;
  let doc!: vscode.TextDocument;
  const lineOf = (d: vscode.TextDocument, re: RegExp) => {
    for (let i = 0; i < d.lineCount; i++) if (re.test(d.lineAt(i).text)) return i;
    throw new Error(`no line matches ${re}`);
  };
  const fixture = new TextDecoder().decode(await vscode.workspace.fs.readFile(ciUri));
  const reset = async () => {
    // Undo whatever a check changed: the fixture's text, on disk too (VS Code may save a file a
    // workspace edit changed, and the UI checks that follow read it).
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    if (new TextDecoder().decode(await vscode.workspace.fs.readFile(ciUri)) !== fixture) {
      await vscode.workspace.fs.writeFile(ciUri, new TextEncoder().encode(fixture));
      await vscode.commands.executeCommand('workbench.action.files.revert');
    }
  };

  const checks: Check[] = [
    {
      name: 'the extension activates on .gitlab-ci.yml and starts the language server',
      async run() {
        ({ doc, api } = await openAndActivate(ciUri));
        if (doc.languageId !== 'yaml') throw new Error(`language id is ${doc.languageId}, expected yaml`);
        if (!api.isCiDocument(doc)) throw new Error('.gitlab-ci.yml is not in the document selector');
        // The library mapped in gitlabCiPresets.localProjects is served too; other YAML is not.
        if (!api.isCiDocument(await vscode.workspace.openTextDocument(libUri))) throw new Error('the mapped preset library is not in the document selector');
        const valuesUri = vscode.Uri.joinPath(folder, 'deploy', 'values.yaml');
        await vscode.workspace.fs.writeFile(valuesUri, new TextEncoder().encode('apiVersion: v1\nkind: ConfigMap\n'));
        try {
          const other = await vscode.workspace.openTextDocument(valuesUri);
          if (other.languageId !== 'yaml') throw new Error(`values.yaml is ${other.languageId}`);
          if (api.isCiDocument(other)) throw new Error('an unrelated YAML file of the service is in the selector');
        } finally {
          await vscode.workspace.fs.delete(vscode.Uri.joinPath(folder, 'deploy'), { recursive: true });
        }
      },
    },
    {
      name: 'diagnostics: an unknown extends is reported at its place and goes away when fixed',
      async run() {
        const line = lineOf(doc, /extends: \.python-test-job/);
        const edit = new vscode.WorkspaceEdit();
        const col = doc.lineAt(line).text.indexOf('.python-test-job');
        edit.replace(ciUri, new vscode.Range(line, col, line, col + '.python-test-job'.length), '.python-tset-job');
        await vscode.workspace.applyEdit(edit);
        const d = await waitFor('an extends-unknown diagnostic', () => vscode.languages.getDiagnostics(ciUri).find((x) => String(typeof x.code === 'object' ? x.code.value : x.code) === 'extends-unknown'));
        if (d.range.start.line !== line) throw new Error(`diagnostic on line ${d.range.start.line}, expected ${line}`);
        await reset();
        await waitFor('the diagnostic to go away', () => !vscode.languages.getDiagnostics(ciUri).some((x) => String(typeof x.code === 'object' ? x.code.value : x.code) === 'extends-unknown'));
      },
    },
    {
      name: 'completion in variables: lists the variables the presets expect (HELM_CHART)',
      async run() {
        requireCapability(api, 'completionProvider', 'completion');
        const line = lineOf(doc, /^ {2}LINT_PATHS:/);
        const edit = new vscode.WorkspaceEdit();
        edit.insert(ciUri, new vscode.Position(line + 1, 0), '  \n');
        await vscode.workspace.applyEdit(edit);
        try {
          const items = await waitFor('HELM_CHART in the completion list', async () => {
            const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', ciUri, new vscode.Position(line + 1, 2));
            const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
            return labels.includes('HELM_CHART') ? labels : undefined;
          });
          if (!items.length) throw new Error('empty completion list');
        } finally {
          await reset();
        }
      },
    },
    {
      name: "hover on .python-test-job shows the template's documentation",
      async run() {
        requireCapability(api, 'hoverProvider', 'hover');
        const line = lineOf(doc, /extends: \.python-test-job/);
        const pos = new vscode.Position(line, doc.lineAt(line).text.indexOf('.python-test-job') + 3);
        const text = await waitFor('a hover with the doc comment', async () => {
          const t = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', ciUri, pos));
          return /Runs the pytest suite/.test(t) ? t : undefined;
        });
        if (!/PYTHON_VERSION/.test(text)) throw new Error(`hover does not list the template's variables:\n${text}`);
      },
    },
    {
      name: 'go-to-definition on .python-test-job opens the library file at the template',
      async run() {
        requireCapability(api, 'definitionProvider', 'go-to-definition');
        const line = lineOf(doc, /extends: \.python-test-job/);
        const pos = new vscode.Position(line, doc.lineAt(line).text.indexOf('.python-test-job') + 3);
        const defs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', ciUri, pos);
        const first = defs?.[0];
        if (!first) throw new Error('no definition');
        const uri = 'targetUri' in first ? first.targetUri : first.uri;
        const range = 'targetUri' in first ? (first.targetSelectionRange ?? first.targetRange) : first.range;
        if (!uri.path.endsWith('/ci-library/common/jobs.yml')) throw new Error(`definition in ${uri.toString()}`);
        const lib = await vscode.workspace.openTextDocument(uri);
        if (!lib.lineAt(range.start.line).text.startsWith('.python-test-job:')) throw new Error(`definition line: ${lib.lineAt(range.start.line).text}`);
        if (uri.toString() !== libUri.toString()) log(`definition uri ${uri.toString()} (expected ${libUri.toString()})`);
      },
    },
    {
      name: 'references and the code lens on a library template count the service jobs that extend it',
      async run() {
        requireCapability(api, 'referencesProvider', 'find references');
        const lib = await vscode.workspace.openTextDocument(libUri);
        const line = lineOf(lib, /^\.python-test-job:/);
        const refs = await waitFor('a reference in the service pipeline', async () => {
          const found = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', libUri, new vscode.Position(line, 3));
          return found?.some((l) => l.uri.toString() === ciUri.toString()) ? found : undefined;
        });
        const inService = refs.filter((l) => l.uri.toString() === ciUri.toString()).map((l) => doc.lineAt(l.range.start.line).text.trim());
        if (!inService.includes('extends: .python-test-job')) throw new Error(`references in the service: ${JSON.stringify(inService)}`);
        requireCapability(api, 'codeLensProvider', 'code lens');
        const lens = await waitFor('an "extended by" code lens on the template', async () => {
          const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', libUri, 20);
          return lenses?.find((l) => l.range.start.line === line && /extended by \d+ job/.test(l.command?.title ?? ''));
        });
        log(`code lens: ${lens.command?.title}`);
      },
    },
    {
      name: 'the quick-fix adds the missing required variable HELM_CHART and its diagnostic goes away',
      timeoutMs: 45_000,
      async run() {
        requireCapability(api, 'codeActionProvider', 'code actions');
        const isHelm = (d: vscode.Diagnostic) => /HELM_CHART/.test(d.message);
        const diag = await waitFor('a diagnostic about HELM_CHART', () => vscode.languages.getDiagnostics(ciUri).find(isHelm));
        const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', ciUri, diag.range, vscode.CodeActionKind.QuickFix.value);
        const fix = actions.find((a) => /HELM_CHART/.test(a.title) && a.edit);
        if (!fix) throw new Error(`no quick-fix for HELM_CHART among: ${actions.map((a) => a.title).join(' | ')}`);
        try {
          await vscode.workspace.applyEdit(fix.edit!);
          if (!/^\s+HELM_CHART:/m.test(doc.getText())) throw new Error(`HELM_CHART not added:\n${doc.getText()}`);
          await waitFor('the HELM_CHART diagnostic to go away', () => !vscode.languages.getDiagnostics(ciUri).some(isHelm));
        } finally {
          await reset();
        }
      },
    },
    {
      name: 'the preview shows the pipeline and changes when the simulated ref becomes the tag v1.2.3',
      async run() {
        await vscode.window.showTextDocument(doc);
        await vscode.commands.executeCommand('gitlabCiPresets.openPreview');
        const panel = await waitFor('the preview panel', () => api.preview());
        const branch = await waitFor('a model', () => panel.lastModel ?? panel.update());
        const job = (m: typeof branch, n: string) => m.jobs.find((j) => j.name === n);
        if (!branch.stages.some((s) => s.name === 'deploy' && s.jobs.includes('deploy-production'))) throw new Error('no deploy stage with deploy-production');
        if (!job(branch, 'deploy-staging')?.included || job(branch, 'deploy-production')?.included) throw new Error('a push to main runs staging, not production');
        const tag = await panel.setContext({ source: 'push', tag: 'v1.2.3' });
        if (!tag) throw new Error('no model for the tag pipeline');
        const prod = job(tag, 'deploy-production');
        if (!prod?.included || prod.when !== 'manual') throw new Error(`deploy-production on v1.2.3: ${JSON.stringify(prod && { included: prod.included, when: prod.when })}`);
        if (job(tag, 'deploy-staging')?.included) throw new Error('deploy-staging should not run for a tag');
        await panel.setContext({ source: 'push' });
      },
    },
    {
      name: 'the preview is live while typing (debounced) and follows the active editor',
      async run() {
        const panel = await waitFor('the preview panel', () => api.preview());
        await vscode.window.showTextDocument(doc);
        const line = lineOf(doc, /^openapi-diff:/);
        const edit = new vscode.WorkspaceEdit();
        edit.replace(ciUri, new vscode.Range(line, 0, line, 'openapi-diff'.length), 'openapi-check');
        await vscode.workspace.applyEdit(edit);
        try {
          // No explicit update: the panel reacts to the edit by itself.
          await waitFor('the renamed job in the preview', () => panel.lastModel?.jobs.some((j) => j.name === 'openapi-check'), 10_000);
        } finally {
          await reset();
        }
        await waitFor('the original name back', () => panel.lastModel?.jobs.some((j) => j.name === 'openapi-diff'), 10_000);
        const extra = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, '.gitlab', 'ci', 'extra.yml'));
        await vscode.window.showTextDocument(extra);
        await waitFor('the preview to follow .gitlab/ci/extra.yml', () => panel.lastModel?.uri.endsWith('/.gitlab/ci/extra.yml'), 10_000);
        if (!panel.lastModel!.jobs.some((j) => j.name === 'smoke-test-staging')) throw new Error('extra.yml is previewed as part of its pipeline');
        await vscode.window.showTextDocument(doc);
      },
    },
    {
      name: 'files outside the workspace open read-only through the gitlab-ci-presets: scheme',
      async run() {
        const uri = vscode.Uri.parse(`gitlab-ci-presets:/local/common/jobs.yml?${encodeURIComponent(libUri.toString())}`);
        const ro = await vscode.workspace.openTextDocument(uri);
        const disk = new TextDecoder().decode(await vscode.workspace.fs.readFile(libUri));
        if (ro.getText() !== disk) throw new Error('the read-only copy differs from the file the pipeline read');
        if (ro.languageId !== 'yaml') throw new Error(`language ${ro.languageId}`);
        const editor = await vscode.window.showTextDocument(ro);
        const ok = await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'x')).then((r) => r, () => false);
        const changed = ro.getText() !== disk;
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
        if (ok && changed) throw new Error('an edit of the read-only copy went through');
      },
    },
    {
      name: 'the status bar says where the presets come from (a local checkout)',
      async run() {
        await vscode.window.showTextDocument(doc);
        const s = await waitFor('a status summary', () => api.statusBar.update());
        if (!/local/.test(s.text)) throw new Error(`status bar: ${s.text}`);
      },
    },
    {
      name: 'presets from the GitLab API (a local stand-in): the token from the secret storage, status "API", library files read-only, Validate with GitLab',
      timeoutMs: 90_000,
      async run() {
        const TOKEN = 'e2e-secret-token';
        const stand = await GitLabStandIn.start({ tokens: [TOKEN] });
        stand.addProject({ path: 'acme/ci-library', dir: vscode.Uri.joinPath(folder, '..', 'ci-library').fsPath, tags: ['v1.2.0'] });
        stand.addProject({ path: 'acme/orders-api', files: {} });
        stand.lintAnswer = { valid: false, errors: ['jobs:contract-tests config contains unknown keys: flavour'] };
        const config = () => vscode.workspace.getConfiguration('gitlabCiPresets');
        const localProjects = config().get('localProjects');
        const before = api.client();
        const target = vscode.ConfigurationTarget.Workspace;
        await config().update('cacheDir', mkdtempSync(join(tmpdir(), 'gcp-e2e-cache-')), target);
        await config().update('gitlabUrl', stand.url, target);
        await config().update('localProjects', {}, target); // the library now comes from the API only
        try {
          await waitFor('the language client to restart', () => api.client() !== before && api.client()?.isRunning(), 20_000);
          await api.tokens.set(stand.host, TOKEN);
          await vscode.window.showTextDocument(doc);
          const status = await waitFor('the status bar to say API', async () => {
            const s = await api.statusBar.update();
            return s && /API/.test(s.text) ? s : undefined;
          }, 30_000);
          if (/local/.test(status.text)) throw new Error(`status: ${status.text}`);
          const withToken = stand.requests.filter((r) => r.headers['private-token'] === TOKEN || r.headers.authorization === `Bearer ${TOKEN}`);
          if (!withToken.length) throw new Error('no request to the stand-in carried the token');

          const line = lineOf(doc, /extends: \.python-test-job/);
          const pos = new vscode.Position(line, doc.lineAt(line).text.indexOf('.python-test-job') + 3);
          const defs = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', ciUri, pos);
          const first = defs?.[0];
          const uri = first && ('targetUri' in first ? first.targetUri : first.uri);
          if (uri?.scheme !== 'gitlab-ci-presets') throw new Error(`definition of an API file: ${uri?.toString()}`);
          const lib = await vscode.workspace.openTextDocument(uri);
          const disk = new TextDecoder().decode(await vscode.workspace.fs.readFile(libUri));
          if (lib.getText() !== disk) throw new Error('the read-only API copy differs from the library');

          const result = await vscode.commands.executeCommand<ValidateResult>('gitlabCiPresets.validate', { projectId: 'acme/orders-api' });
          if (result?.valid !== false) throw new Error(`validate: ${JSON.stringify(result)}`);
          if (stand.lintCalls.length !== 1 || typeof stand.lintCalls[0].body.content !== 'string') throw new Error(`lint calls: ${stand.lintCalls.length}`);
          await waitFor("GitLab's error in the Problems of .gitlab-ci.yml", () =>
            vscode.languages.getDiagnostics(ciUri).find((d) => /flavour/.test(d.message) && String(typeof d.code === 'object' ? d.code.value : d.code) === 'gitlab-lint-error'),
          );
        } finally {
          await api.tokens.set(stand.host, undefined);
          await config().update('gitlabUrl', undefined, target);
          await config().update('cacheDir', undefined, target);
          await config().update('localProjects', localProjects, target);
          await stand.close();
          await waitFor('the local checkout back', async () => /local/.test((await api.statusBar.update())?.text ?? ''), 30_000).catch(() => undefined);
        }
      },
    },
  ];

  const results = await runChecks(checks, log);
  const caps = Object.keys((api?.client()?.initializeResult?.capabilities ?? {}) as object);
  writeResults(process.env.E2E_RESULTS, results, { capabilities: caps, vscodeVersion: vscode.version, appName: vscode.env.appName });
  const failed = results.filter((r) => r.status === 'failed');
  log(`${results.filter((r) => r.status === 'passed').length} passed, ${failed.length} failed, ${results.filter((r) => r.status === 'todo').length} todo`);
  if (failed.length) throw new Error(`${failed.length} e2e check(s) failed: ${failed.map((f) => f.name).join('; ')}`);
}
