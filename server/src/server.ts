/**
 * The language server: wiring only. Documents and settings come in over LSP; analyses come from
 * the Workspace (cached until something changes); each feature in features/ registers its handlers.
 */
import { createConnection, DidChangeConfigurationNotification, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import type { ClientCapabilities, Diagnostic, InitializeParams, InitializeResult, ServerCapabilities } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeContext } from './features/shared/context.js';
import type { FeatureContext, FeatureHost } from './features/shared/context.js';
import { diagnosticsByUri, earlyDocumentDiagnostics, toLsp } from './features/shared/diagnostics.js';
import { analysedText } from './features/shared/analysis.js';
import { spanMover } from './features/shared/moved-spans.js';
import { LineIndex } from './pipeline/yaml/positions.js';
import { features } from './features/index.js';
import { DEFAULT_SETTINGS, Workspace } from './workspace.js';
import type { Analysis, Settings } from './workspace.js';
import { WorkspaceIndex } from './workspace-index.js';
import { serverSession } from './sources/source-session.js';
import { analysisSettled, watchHeapGrowth } from './heap-growth.js';

watchHeapGrowth();
const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let folders: string[] = [];
let settings: Settings = DEFAULT_SETTINGS;
let clientCapabilities: ClientCapabilities | undefined;
let initializationOptions: Record<string, unknown> = {};
const published = new Map<string, Set<string>>();
const timers = new Map<string, NodeJS.Timeout>();

/**
 * VS Code workspace trust (initializationOptions `trusted: false`): an untrusted workspace is read
 * from local files and the cache only — no request leaves the machine and no token is used.
 */
const trusted = () => initializationOptions.trusted !== false;
const effectiveSettings = (): Settings => (trusted() ? settings : { ...settings, offline: true });

// What the sources have to say (a project whose CI/CD variables this token may not list, say) goes to the output channel; never a token.
serverSession.log = (line) => connection.console.log(line);

const workspace = new Workspace(() => folders, (uri) => documents.get(uri)?.getText(), effectiveSettings);

/** Analyses are remembered by the texts they read (workspace.ts): an edit re-expands only what reads it. */
const analysisFor = (uri: string): Promise<Analysis> => workspace.analysisFor(uri);

/** Every pipeline of the workspace folders, for references, code lens and rename: built on first use, never while validating. */
const index = new WorkspaceIndex({
  // The workspace folders and the library checkouts `localProjects` maps (which may lie outside them).
  folders: () => [...folders, ...workspace.mappedCheckouts().filter((dir) => existsSync(dir))],
  analysis: analysisFor,
  openText: (uri) => documents.get(uri)?.getText(),
  parse: (uri, text) => workspace.parse(uri, text),
  log: (message) => connection.console.log(message),
});

const host: FeatureHost = {
  connection,
  documents,
  settings: effectiveSettings,
  initializationOptions: () => initializationOptions,
  async context(uri: string): Promise<FeatureContext | undefined> {
    const doc = documents.get(uri);
    if (!doc || !uri.startsWith('file:')) return undefined;
    try {
      const analysis = await analysisFor(uri);
      // Features read known variables from the settings: the analysis adds those set in GitLab's CI/CD settings.
      const withKnown = { ...effectiveSettings(), knownVariables: analysis.knownVariables };
      return makeContext(analysis, withKnown, { uri, text: doc.getText(), version: doc.version }, (u) => documents.get(u)?.getText());
    } catch (e) {
      connection.console.error(`analysis of ${uri} failed: ${(e as Error).stack ?? e}`);
      return undefined;
    }
  },
  sendDiagnostics: (uri, diagnostics) => send(uri, documents.get(uri)?.version, diagnostics, true),
  revalidate: (uri) => (workspace.invalidate(), schedule(uri, 0)),
  clientCapabilities: () => clientCapabilities,
  workspacePipelines: (openUris, known) => index.related(openUris, known),
};

connection.onInitialize((params: InitializeParams): InitializeResult => {
  clientCapabilities = params.capabilities;
  folders = (params.workspaceFolders ?? []).map((f) => fileURLToPath(f.uri));
  if (!folders.length && params.rootUri) folders = [fileURLToPath(params.rootUri)];
  const init = params.initializationOptions as { settings?: Partial<Settings> } | undefined;
  if (init?.settings) settings = initialSettings = { ...DEFAULT_SETTINGS, ...init.settings };
  if (init && typeof init === 'object') initializationOptions = init as Record<string, unknown>;
  const capabilities: ServerCapabilities = { textDocumentSync: TextDocumentSyncKind.Incremental, workspace: { workspaceFolders: { supported: true, changeNotifications: true } } };
  for (const f of features) Object.assign(capabilities, f.capabilities);
  return { capabilities, serverInfo: { name: 'gitlab-ci-presets' } };
});

/** Settings given at start (`initializationOptions.settings`): the base a pulled section is laid over. */
let initialSettings: Settings = DEFAULT_SETTINGS;
const SECTION = 'gitlabCiPresets';

/**
 * Pull-model clients (Neovim, Helix, Zed, Emacs): the server asks `workspace/configuration` for the
 * `gitlabCiPresets` section when the client can answer, at start and on every
 * `didChangeConfiguration`; settings pushed in that notification count where it cannot.
 */
const canPull = () => clientCapabilities?.workspace?.configuration === true;

async function pullSettings(): Promise<boolean> {
  let pulled: unknown;
  try {
    pulled = await connection.workspace.getConfiguration(folders[0] ? { section: SECTION, scopeUri: pathToFileURL(folders[0]).href } : { section: SECTION });
  } catch (e) {
    connection.console.log(`workspace/configuration: ${(e as Error).message}`);
    return false;
  }
  if (!pulled || typeof pulled !== 'object' || Array.isArray(pulled)) return false;
  // Unset values (VS Code answers '' for an empty string setting) leave the default.
  const given = Object.fromEntries(Object.entries(pulled).filter(([, v]) => v !== '' && v !== null && v !== undefined));
  const next: Settings = { ...initialSettings, ...(given as Partial<Settings>) };
  if (JSON.stringify(next) === JSON.stringify(settings)) return false;
  settings = next;
  return true;
}

function settingsChanged(): void {
  workspace.invalidate();
  for (const doc of documents.all()) schedule(doc.uri, 0);
}

connection.onDidChangeConfiguration(async (change) => {
  if (canPull()) {
    await pullSettings();
    return settingsChanged();
  }
  const s = (change.settings as { gitlabCiPresets?: Partial<Settings> } | undefined)?.gitlabCiPresets;
  if (s) settings = { ...DEFAULT_SETTINGS, ...s };
  settingsChanged();
});

/** Files changed on disk (the client watches the workspace's YAML files): the index follows; unopened files change analyses. */
connection.onDidChangeWatchedFiles(({ changes }) => {
  if (!index.filesChanged(changes)) return;
  workspace.invalidate();
  for (const doc of documents.all()) schedule(doc.uri, 0);
});

connection.onShutdown(() => workspace.persist());

connection.onInitialized(() => {
  if (canPull()) {
    // Clients that send didChangeConfiguration only to registered servers (LSP 3.6+ dynamic registration).
    if (clientCapabilities?.workspace?.didChangeConfiguration?.dynamicRegistration) void connection.client.register(DidChangeConfigurationNotification.type, { section: SECTION });
    void pullSettings().then((changed) => changed && settingsChanged());
  }
  if (!clientCapabilities?.workspace?.workspaceFolders) return;
  connection.workspace.onDidChangeWorkspaceFolders((e) => {
    const removed = new Set(e.removed.filter((f) => f.uri.startsWith('file:')).map((f) => fileURLToPath(f.uri)));
    folders = [...folders.filter((f) => !removed.has(f)), ...e.added.filter((f) => f.uri.startsWith('file:')).map((f) => fileURLToPath(f.uri))];
    workspace.invalidate();
    index.foldersChanged();
    for (const doc of documents.all()) schedule(doc.uri, 0);
  });
});

/**
 * Fresh diagnostics as soon as possible without piling up work: a document is validated at once
 * when nothing runs for it; edits that arrive meanwhile are coalesced into one more run.
 */
const running = new Set<string>();
const pending = new Set<string>();

function schedule(uri: string, delay = 0): void {
  clearTimeout(timers.get(uri));
  timers.set(uri, setTimeout(() => void run(uri), delay));
}

async function run(uri: string): Promise<void> {
  if (running.has(uri)) {
    pending.add(uri);
    return;
  }
  running.add(uri);
  try {
    await validate(uri);
  } finally {
    running.delete(uri);
    if (pending.delete(uri)) schedule(uri);
  }
}

async function validate(uri: string): Promise<void> {
  if (!uri.startsWith('file:') || !documents.get(uri)) return;
  try {
    // The versions the analysis starts from: an edit arriving meanwhile gets its own run (and version) after this one.
    const versions = new Map(documents.all().map((d) => [d.uri, d.version]));
    const analysis = await analysisFor(uri);
    const texts = (u: string) => documents.get(u)?.getText();
    // Just opened in a big pipeline: its own diagnostics before the contract of every other job is done.
    const early = justOpened.delete(uri) && !analysis.lastGood && !analysis.standalone ? earlyDocumentDiagnostics(analysis.pipeline, uri, texts, analysis.knownVariables) : undefined;
    if (early) {
      send(uri, versions.get(uri), early, true);
      // The message writer sends on a later turn: let it, before the rest of the work.
      await new Promise((done) => setImmediate(done));
    }
    let byUri = brokenMomentDiagnostics(analysis, texts) ?? diagnosticsByUri(analysis.pipeline, texts, { standalone: analysis.standalone, knownVariables: analysis.knownVariables });
    const shown = analysis.lastGood ?? analysis;
    // A conditionally included document speaks for itself only: the root's files follow the root pipeline.
    if (shown.conditional) byUri = new Map([[uri, byUri.get(uri) ?? []]]);
    const key = shown.conditional ? uri : shown.rootUri;
    const previous = published.get(key) ?? new Set();
    // The edited document's first, the others of its pipeline after it; each with the version of the
    // open document it was computed for (LSP: lets a client drop an outdated set).
    const own = byUri.get(uri);
    if (own) send(uri, versions.get(uri), own, !early);
    // The other files of a big pipeline (a hundred library files) are sent again only when their findings changed.
    for (const [u, diagnostics] of byUri) if (u !== uri) send(u, versions.get(u), diagnostics);
    for (const u of previous) if (!byUri.has(u)) send(u, undefined, []);
    published.set(key, new Set(byUri.keys()));
    // A document opened and parsed whole gets its blocks now, before its first keystroke (includes.ts
    // `prepareBlocks`) and before the collection that follows a first analysis (what they hold is live).
    workspace.prepareBlocks(uri);
    analysisSettled();
  } catch (e) {
    connection.console.error(`analysis of ${uri} failed: ${(e as Error).stack ?? e}`);
  }
}

/** What was last sent for each document (with its version), so an unchanged set is not sent again. */
const lastSent = new Map<string, string>();

function send(uri: string, version: number | undefined, diagnostics: Diagnostic[], always = false): void {
  const sent = `${version}\u0000${JSON.stringify(diagnostics)}`;
  if (!always && lastSent.get(uri) === sent) return;
  lastSent.set(uri, sent);
  connection.sendDiagnostics({ uri, version, diagnostics });
}

/**
 * While a file of the pipeline does not parse: the last good analysis's findings where they are in
 * today's texts, and the syntax errors themselves (last-good-analysis.ts). Undefined otherwise.
 */
function brokenMomentDiagnostics(analysis: Analysis, texts: (uri: string) => string | undefined): Map<string, Diagnostic[]> | undefined {
  const good = analysis.lastGood;
  if (!good) return undefined;
  const moveSpan = spanMover((u) => analysedText(good, u), texts);
  const byUri = diagnosticsByUri(good.pipeline, texts, { standalone: good.standalone, knownVariables: analysis.knownVariables, moveSpan });
  for (const d of analysis.syntaxErrors ?? []) {
    const text = texts(d.span.uri) ?? analysis.pipeline.files.find((f) => f.uri === d.span.uri)?.parsed.text;
    if (text === undefined) continue;
    byUri.set(d.span.uri, [...(byUri.get(d.span.uri) ?? []), toLsp(d, new LineIndex(text))]);
  }
  return byUri;
}

/** Documents opened and not yet validated. */
const justOpened = new Set<string>();

documents.onDidOpen((e) => {
  justOpened.add(e.document.uri);
  workspace.edited();
  schedule(e.document.uri, 0);
});
documents.onDidChangeContent((e) => {
  workspace.edited();
  schedule(e.document.uri);
  // Open documents whose analysis read it (a consumer of an edited library file) are validated after it.
  for (const reader of workspace.readersOf(e.document.uri)) if (documents.get(reader)) schedule(reader);
});
documents.onDidClose((e) => {
  justOpened.delete(e.document.uri);
  workspace.edited();
  send(e.document.uri, undefined, [], true);
});

for (const f of features) f.register(host);

documents.listen(connection);
connection.listen();
