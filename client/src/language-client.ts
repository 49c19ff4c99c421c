/**
 * Starts the bundled language server (dist/server.js over IPC) for GitLab CI files and the files
 * of preset libraries, with the settings, whether the Red Hat YAML extension is there (so the
 * server leaves keyword completion to it) and whether the workspace is trusted; YAML file changes
 * on disk are forwarded (workspace/didChangeWatchedFiles) for the server's workspace index.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind } from 'vscode-languageclient/node';
import type { LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import { READ_ONLY_SCHEME } from './read-only-provider.js';

export const SETTING_KEYS = ['localProjects', 'knownVariables', 'templatesDir', 'gitlabUrl', 'cacheDir', 'presetLibraries', 'consumers'] as const;

/** The `gitlabCiPresets.*` settings as plain data (what the server reads). */
export function currentSettings(): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration('gitlabCiPresets');
  const out: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const v = config.get(key);
    if (v !== undefined && v !== '') out[key] = v;
  }
  return out;
}

export const CI_PATTERNS = ['**/.gitlab-ci.yml', '**/*.gitlab-ci.yml', '**/.gitlab/ci/**/*.yml', '**/.gitlab/ci/**/*.yaml'];

export interface LibraryFolders {
  /** Configured libraries: every YAML file below them. */
  trees: string[];
  /** Detected preset folders: the YAML files directly in them. */
  folders: string[];
}

/** Folders whose YAML files belong to a preset library: configured ones and detected ones. */
export async function presetLibraryFolders(): Promise<LibraryFolders> {
  const config = vscode.workspace.getConfiguration('gitlabCiPresets');
  const trees = new Set<string>();
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    if (folder.uri.scheme !== 'file') continue;
    const base = folder.uri.fsPath;
    for (const p of Object.values(config.get<Record<string, string>>('localProjects') ?? {})) if (typeof p === 'string') trees.add(path.resolve(base, p));
    for (const p of config.get<string[]>('presetLibraries') ?? []) if (typeof p === 'string') trees.add(path.resolve(base, p));
  }
  const folders = (await detectPresetFolders()).filter((d) => ![...trees].some((t) => d === t || d.startsWith(t + path.sep)));
  return { trees: [...trees], folders };
}

const CI_FILE = /(^|[\\/])(\.gitlab-ci\.yml|[^\\/]+\.gitlab-ci\.yml)$|[\\/]\.gitlab[\\/]ci[\\/]/;

/**
 * Folders holding YAML with hidden template jobs or a `spec:` header (the shape of preset files),
 * CI files themselves aside (they are served anyway, and a root pipeline with hidden jobs must not
 * pull every other YAML file of its repository in).
 */
async function detectPresetFolders(limit = 300): Promise<string[]> {
  const files = await vscode.workspace.findFiles('**/*.{yml,yaml}', '{**/node_modules/**,**/.git/**}', limit);
  const dirs = new Set<string>();
  for (const uri of files) {
    if (uri.scheme !== 'file' || CI_FILE.test(uri.fsPath) || dirs.has(path.dirname(uri.fsPath))) continue;
    try {
      const bytes = await vscode.workspace.fs.readFile(uri);
      const text = Buffer.from(bytes.subarray(0, 65536)).toString('utf8');
      if (/^\.[A-Za-z0-9_-]+:\s*$/m.test(text) || /^spec:\s*\n\s+inputs:/m.test(text)) dirs.add(path.dirname(uri.fsPath));
    } catch {
      // unreadable: not ours
    }
  }
  return [...dirs];
}

const globPath = (p: string) => p.split(path.sep).join('/').replace(/[{}[\]*?]/g, '?');

/** A document filter both vscode.languages.match and the language client accept. */
export type Filter = { scheme: string; language: string; pattern?: string };

export function documentSelector(libraries: LibraryFolders = { trees: [], folders: [] }): Filter[] {
  const yaml = (dir: string, deep: boolean) => ['yml', 'yaml'].map((ext) => ({ scheme: 'file', language: 'yaml', pattern: `${globPath(dir)}/${deep ? '**/' : ''}*.${ext}` }));
  return [
    ...CI_PATTERNS.map((pattern) => ({ scheme: 'file', language: 'yaml', pattern })),
    ...libraries.trees.flatMap((dir) => yaml(dir, true)),
    ...libraries.folders.flatMap((dir) => yaml(dir, false)),
    { scheme: READ_ONLY_SCHEME, language: 'yaml' },
  ];
}

export function redhatYamlActive(): boolean {
  // getExtension only knows installed, enabled extensions; Red Hat YAML activates on any YAML file.
  const ext = vscode.extensions.getExtension('redhat.vscode-yaml');
  return ext !== undefined;
}

/** One watcher for the extension's lifetime (a restarted client reuses it). */
let yamlWatcher: vscode.FileSystemWatcher | undefined;

export function createLanguageClient(context: vscode.ExtensionContext, selector: Filter[], output: vscode.LogOutputChannel): LanguageClient {
  const module = context.asAbsolutePath(path.join('dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  if (!yamlWatcher) context.subscriptions.push((yamlWatcher = vscode.workspace.createFileSystemWatcher('**/*.{yml,yaml}')));
  const clientOptions: LanguageClientOptions = {
    documentSelector: selector,
    // YAML files changing on disk reach the server's workspace index (server/src/workspace-index.ts).
    synchronize: { configurationSection: 'gitlabCiPresets', fileEvents: yamlWatcher },
    initializationOptions: {
      settings: currentSettings(),
      redhatYamlActive: redhatYamlActive(),
      trusted: vscode.workspace.isTrusted,
    },
    outputChannel: output,
  };
  return new LanguageClient('gitlabCiPresets', 'GitLab CI Presets', serverOptions, clientOptions);
}
