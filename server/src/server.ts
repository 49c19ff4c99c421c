/**
 * The language server: wiring only. Documents and settings come in over LSP; analyses come from
 * the Workspace; each feature in features/ turns an analysis into LSP answers.
 */
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import type { InitializeParams, InitializeResult } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { fileURLToPath } from 'node:url';
import { diagnosticsByUri } from './features/diagnostics.js';
import { DEFAULT_SETTINGS, Workspace } from './workspace.js';
import type { Settings } from './workspace.js';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let folders: string[] = [];
let settings: Settings = DEFAULT_SETTINGS;
const published = new Map<string, Set<string>>();
const timers = new Map<string, NodeJS.Timeout>();

const workspace = new Workspace(() => folders, (uri) => documents.get(uri)?.getText(), () => settings);

connection.onInitialize((params: InitializeParams): InitializeResult => {
  folders = (params.workspaceFolders ?? []).map((f) => fileURLToPath(f.uri));
  if (!folders.length && params.rootUri) folders = [fileURLToPath(params.rootUri)];
  const init = params.initializationOptions as { settings?: Partial<Settings> } | undefined;
  if (init?.settings) settings = { ...DEFAULT_SETTINGS, ...init.settings };
  return { capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental } };
});

connection.onDidChangeConfiguration((change) => {
  const s = (change.settings as { gitlabCiPresets?: Partial<Settings> } | undefined)?.gitlabCiPresets;
  if (s) settings = { ...DEFAULT_SETTINGS, ...s };
  for (const doc of documents.all()) schedule(doc.uri, 0);
});

function schedule(uri: string, delay = 150): void {
  clearTimeout(timers.get(uri));
  timers.set(uri, setTimeout(() => void validate(uri), delay));
}

async function validate(uri: string): Promise<void> {
  if (!uri.startsWith('file:')) return;
  try {
    const analysis = await workspace.analyse(uri);
    const byUri = diagnosticsByUri(analysis.pipeline, (u) => documents.get(u)?.getText(), { standalone: analysis.standalone });
    const previous = published.get(analysis.rootUri) ?? new Set();
    for (const [u, diagnostics] of byUri) connection.sendDiagnostics({ uri: u, diagnostics });
    for (const u of previous) if (!byUri.has(u)) connection.sendDiagnostics({ uri: u, diagnostics: [] });
    published.set(analysis.rootUri, new Set(byUri.keys()));
  } catch (e) {
    connection.console.error(`analysis of ${uri} failed: ${(e as Error).stack ?? e}`);
  }
}

documents.onDidOpen((e) => schedule(e.document.uri, 0));
documents.onDidChangeContent((e) => schedule(e.document.uri));
documents.onDidClose((e) => connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] }));

documents.listen(connection);
connection.listen();
