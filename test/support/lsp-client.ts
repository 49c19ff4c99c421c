/**
 * Drives the real language server process (dist/server.js over stdio) through the LSP protocol.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';
import type { Diagnostic, ProtocolConnection, PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import type { CodeLens, DocumentSymbol, Location, LocationLink, Position, Range, WorkspaceEdit } from 'vscode-languageserver-protocol/node';
import type { CompletionItem, CompletionList, Hover } from 'vscode-languageserver-protocol/node';
import type { CodeAction, Command } from 'vscode-languageserver-protocol/node';

export const repoRoot = resolve(__dirname, '..', '..');

export class LspClient {
  readonly connection: ProtocolConnection;
  private proc: ChildProcess;
  /** The server's process id (benchmarks read its memory from /proc). */
  get pid(): number | undefined {
    return this.proc.pid;
  }
  private diagnostics = new Map<string, Diagnostic[]>();
  private waiters: Array<() => void> = [];
  stderr = '';
  /** Every publishDiagnostics notification received, in order (security tests read them all). */
  readonly published: PublishDiagnosticsParams[] = [];

  /** `serverScript`: another build of the server (benchmarks compare builds); default dist/server.js. */
  constructor(serverScript = resolve(repoRoot, 'dist', 'server.js')) {
    this.proc = spawn(process.execPath, [...(process.env.LSP_SERVER_NODE_ARGS ? process.env.LSP_SERVER_NODE_ARGS.split(' ') : []), serverScript, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (d) => (this.stderr += d));
    this.connection = createProtocolConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.push(p);
      this.diagnostics.set(p.uri, p.diagnostics);
      for (const w of this.waiters.splice(0)) w();
    });
    this.connection.onRequest('workspace/configuration', () => [null]);
    this.connection.listen();
  }

  async initialize(folder: string, settings: Record<string, unknown> = {}): Promise<void> {
    await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(folder).href,
      workspaceFolders: [{ uri: pathToFileURL(folder).href, name: 'ws' }],
      capabilities: {},
      initializationOptions: { settings },
    });
    await this.connection.sendNotification('initialized', {});
  }

  open(uri: string, text: string, version = 1): void {
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version, text } });
  }

  /** Close a document (unsaved changes are dropped: the file on disk counts again). */
  closeDocument(uri: string): void {
    void this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  change(uri: string, text: string, version: number): void {
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  /** Wait until the diagnostics of `uri` satisfy `pred` (or fail after `ms`). */
  async waitForDiagnostics(uri: string, pred: (d: Diagnostic[]) => boolean, ms = 10_000): Promise<Diagnostic[]> {
    const deadline = Date.now() + ms;
    for (;;) {
      const current = this.diagnostics.get(uri);
      if (current && pred(current)) return current;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for diagnostics of ${uri}; last: ${JSON.stringify(current)}\nserver stderr: ${this.stderr}`);
      await new Promise<void>((res) => {
        const t = setTimeout(res, left);
        this.waiters.push(() => {
          clearTimeout(t);
          res();
        });
      });
    }
  }

  definition(uri: string, position: Position): Promise<LocationLink[] | Location[] | Location | null> {
    return this.connection.sendRequest('textDocument/definition', { textDocument: { uri }, position });
  }

  references(uri: string, position: Position, includeDeclaration = true): Promise<Location[] | null> {
    return this.connection.sendRequest('textDocument/references', { textDocument: { uri }, position, context: { includeDeclaration } });
  }

  codeLenses(uri: string): Promise<CodeLens[] | null> {
    return this.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
  }

  prepareRename(uri: string, position: Position): Promise<{ range: Range; placeholder: string } | Range | null> {
    return this.connection.sendRequest('textDocument/prepareRename', { textDocument: { uri }, position });
  }

  rename(uri: string, position: Position, newName: string): Promise<WorkspaceEdit | null> {
    return this.connection.sendRequest('textDocument/rename', { textDocument: { uri }, position, newName });
  }

  documentSymbols(uri: string): Promise<DocumentSymbol[] | null> {
    return this.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } });
  }

  /** The server's `gitlabCiPresets/readFile` (text of a read-only pipeline file). */
  readFile(uri: string): Promise<{ text: string }> {
    return this.connection.sendRequest('gitlabCiPresets/readFile', { uri });
  }

  /** `initialize` with any initializationOptions (e.g. `{ settings, redhatYamlActive: true }`). */
  async initializeWithOptions(folder: string, initializationOptions: Record<string, unknown>): Promise<void> {
    await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(folder).href,
      workspaceFolders: [{ uri: pathToFileURL(folder).href, name: 'ws' }],
      capabilities: {},
      initializationOptions,
    });
    await this.connection.sendNotification('initialized', {});
  }

  /** textDocument/completion; always answers a list of items (empty for null). */
  async completion(uri: string, position: Position, triggerCharacter?: string): Promise<CompletionItem[]> {
    const context = triggerCharacter ? { triggerKind: 2, triggerCharacter } : { triggerKind: 1 };
    const r: CompletionList | CompletionItem[] | null = await this.connection.sendRequest('textDocument/completion', { textDocument: { uri }, position, context });
    return r === null ? [] : Array.isArray(r) ? r : r.items;
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position });
  }

  /** `initialize` declaring client capabilities (snippet edits, resource operations, ...). */
  async initializeWithCapabilities(folder: string, settings: Record<string, unknown>, capabilities: Record<string, unknown>): Promise<void> {
    await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(folder).href,
      workspaceFolders: [{ uri: pathToFileURL(folder).href, name: 'ws' }],
      capabilities,
      initializationOptions: { settings },
    });
    await this.connection.sendNotification('initialized', {});
  }

  /** textDocument/codeAction for the range of the first diagnostic, with those diagnostics as context. */
  async codeActions(uri: string, diagnostics: Diagnostic[], range?: Range): Promise<CodeAction[]> {
    const r: (CodeAction | Command)[] | null = await this.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: range ?? diagnostics[0].range,
      context: { diagnostics, triggerKind: 1 },
    });
    return (r ?? []).filter((a): a is CodeAction => 'title' in a && !('command' in a && typeof a.command === 'string'));
  }

  /** True while the server process runs (it has neither exited nor been killed). */
  alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Kill the server at once: a server stuck in a loop never answers `shutdown`. */
  kill(): void {
    this.connection.dispose();
    this.proc.kill('SIGKILL');
  }

  async close(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } catch {
      // the process may already be gone
    }
    // A server that exits by itself writes what it was asked to on exit (LSP_SERVER_NODE_ARGS=--cpu-prof).
    if (this.proc.exitCode === null) await new Promise((done) => { const t = setTimeout(done, 2000); this.proc.once('exit', () => (clearTimeout(t), done(undefined))); });
    this.connection.dispose();
    this.proc.kill();
  }
}
