/**
 * `npm run fuzz -- [--seed N] [--cases N] [--only K] [--budget-ms 1000] [--pairs N]` — the live language
 * server (dist/server.js over stdio) fed generated and mutated CI files (seeded from the corpus in
 * ../shared/corpus, read at run time) and random edit sequences (typing, deletes, pastes of random
 * code units, unicode, huge lines, several changes per notification), with completion, hover,
 * definition, references, code actions, symbols, code lenses, rename, the preview and refreshes
 * sent at random positions in between. Includes reach a GitLab stand-in (which sometimes fails);
 * any other host is blocked (test/reliability/net-guard.cjs).
 *
 * Checked: the process stays alive; every request is answered (no error answer), within the
 * budget (default 1 s; over 10 s is a hang); ranges in answers lie inside the current text; the
 * server never sends an edit it was not asked for (workspace/applyEdit) and never writes a
 * workspace file; nothing is logged as an error. Each case has its own PRNG stream: `--only K`
 * replays case K of a seed, and every failing case is saved under test-results/fuzz/.
 * Prints cases, findings and latency figures; exit code 1 when anything was found.
 * Then `--pairs` (default 2000; 0 skips) edit–undo pairs (test/reliability/edit-undo.ts): after
 * each random edit and its undo the diagnostics, completion and preview must equal the originals.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { percentile, rangesOutside } from '../test/reliability/fuzz-checks.js';
import { caseRng, generateCiFile, limitInput, loadCorpus, mutate } from '../test/reliability/fuzz-inputs.js';
import { randomChanges, randomRequest } from '../test/reliability/fuzz-requests.js';
import type { FuzzOp } from '../test/reliability/fuzz-requests.js';
import { formatEditUndo, runEditUndo } from '../test/reliability/edit-undo.js';
import { GitLabStandIn } from '../test/support/gitlab-stand-in.js';
import { LspClient, repoRoot } from '../test/support/lsp-client.js';

export type FindingKind = 'crash' | 'hang' | 'slow' | 'error-answer' | 'out-of-range' | 'unasked-edit' | 'logged-error' | 'file-changed';
export interface Finding {
  kind: FindingKind;
  caseIndex: number;
  detail: string;
}
export interface FuzzOptions {
  seed?: number;
  cases?: number;
  /** Run only this case of the seed (a replay). */
  only?: number;
  /** Start at this case (the cases before it are skipped). */
  from?: number;
  /** An answer later than this is a finding (`slow`). Default 1000 ms. */
  budgetMs?: number;
  /** An answer later than this is a hang: the server is killed and started again. Default 10 s. */
  hangMs?: number;
  progress?: (line: string) => void;
  /** Where failing cases are saved; default test-results/fuzz. */
  reproducerDir?: string;
}
export interface FuzzReport {
  seed: number;
  cases: number;
  inputs: { generated: number; mutated: number; limits: number };
  edits: number;
  requests: number;
  findings: Finding[];
  latencyMs: { p50: number; p99: number; max: number; slowest: string };
  durationMs: number;
  serverStarts: number;
  standInRequests: number;
  blockedRequests: number;
}

const TOKEN = 'glpat-FuzzStandInToken-000000';
const HANG = Symbol('hang');

type Op = FuzzOp;

/** The live server and the editor's copy of every document it has open. */
class Editor {
  client!: LspClient;
  docs = new Map<string, TextDocument>();
  version = 0;
  starts = 0;
  stderrSeen = 0;
  logged: string[] = [];
  unasked: string[] = [];

  constructor(private folder: string, private settings: Record<string, unknown>, private standIn: GitLabStandIn) {}

  async start(): Promise<void> {
    this.starts++;
    // Every request of the server goes through the guard: loopback only (restarts included).
    const saved = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `${saved ?? ''} --require ${JSON.stringify(join(repoRoot, 'test', 'reliability', 'net-guard.cjs'))}`.trim();
    try {
      this.client = new LspClient();
    } finally {
      if (saved === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved;
    }
    this.stderrSeen = 0;
    const c = this.client.connection;
    c.onRequest('workspace/applyEdit', (p: unknown) => {
      this.unasked.push(JSON.stringify(p).slice(0, 300));
      return { applied: false, failureReason: 'the fuzzer never asked for an edit' };
    });
    c.onNotification('window/logMessage', (p: { type: number; message: string }) => {
      if (p.type === 1) this.logged.push(p.message.slice(0, 500));
    });
    for (const m of ['window/workDoneProgress/create', 'client/registerCapability', 'window/showMessageRequest', 'workspace/codeLens/refresh', 'workspace/semanticTokens/refresh', 'workspace/inlayHint/refresh', 'workspace/diagnostic/refresh']) c.onRequest(m, () => null);
    await this.client.initializeWithOptions(this.folder, { settings: this.settings, trusted: true });
    await c.sendNotification('gitlabCiPresets/setTokens', { tokens: { [this.standIn.host]: TOKEN } });
    for (const d of this.docs.values()) this.client.open(d.uri, d.getText(), d.version);
  }

  /** New stderr lines that are not the network guard's. */
  stderr(): string[] {
    const fresh = this.client.stderr.slice(this.stderrSeen);
    this.stderrSeen = this.client.stderr.length;
    return fresh.split('\n').filter((l) => l.trim() && !l.startsWith('net-guard:'));
  }

  async restart(): Promise<void> {
    this.client.kill();
    await this.start();
  }
}

function snapshot(dir: string, skip: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (p === skip) continue;
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

export async function runFuzz(opts: FuzzOptions = {}): Promise<FuzzReport> {
  const seed = opts.seed ?? 1;
  const cases = opts.cases ?? 10_000;
  const budgetMs = opts.budgetMs ?? 1000;
  const hangMs = opts.hangMs ?? 10_000;
  const log = opts.progress ?? (() => undefined);
  const reproducerDir = opts.reproducerDir ?? join(repoRoot, 'test-results', 'fuzz');
  const started = performance.now();
  const corpus = loadCorpus(resolve(repoRoot, '..', 'shared', 'corpus'));
  if (!corpus.length) throw new Error('no corpus files under ../shared/corpus');

  const root = mkdtempSync(join(tmpdir(), 'gcp-fuzz-'));
  cpSync(join(repoRoot, 'examples'), root, { recursive: true });
  mkdirSync(join(root, 'lonely'));
  const cacheDir = join(root, 'cache');
  const before = snapshot(root, cacheDir);

  const standIn = await GitLabStandIn.start({ tokens: [TOKEN] });
  standIn.addProject({ path: 'acme/ci-library', dir: join(repoRoot, 'examples', 'ci-library'), tags: ['v1.0.0', 'v1.2.0', 'v1.3.0'] });
  standIn.addProject({ path: 'acme/components', visibility: 'public', files: { 'templates/build.yml': 'spec:\n  inputs:\n    stage:\n      default: test\n---\nbuild:\n  stage: $[[ inputs.stage ]]\n  script: [echo $[[ component.version ]]]\n', 'templates/lint/template.yml': 'lint:\n  script: [lint]\n' }, tags: ['1.0.0', '1.2.0'] });
  standIn.setRemote('a.yml', 'remote-job:\n  script: [echo remote]\n');
  standIn.templates.set('Bash', 'bash-job:\n  script: [echo bash]\n');
  const env = { standIn: standIn.url, component: `${standIn.host}/acme/components` };

  const service = join(root, 'service-repo');
  const editor = new Editor(service, { localProjects: { 'acme/ci-library@v1.2.0': '../ci-library' }, gitlabUrl: standIn.url, cacheDir, knownVariables: ['FOO'] }, standIn);
  await editor.start();

  const slots = ['service-repo/.gitlab-ci.yml', 'service-repo/.gitlab/ci/extra.yml', 'service-repo/fuzz-a.yml', 'ci-library/common/jobs.yml', 'lonely/.gitlab-ci.yml'].map((p) => pathToFileURL(join(root, p)).href);
  const findings: Finding[] = [];
  const latencies: Array<{ ms: number; what: string }> = [];
  const inputs = { generated: 0, mutated: 0, limits: 0 };
  let edits = 0;
  let requests = 0;
  const first = opts.only ?? opts.from ?? 0;
  const last = opts.only !== undefined ? opts.only + 1 : cases;

  for (let i = first; i < last; i++) {
    const r = caseRng(seed, i);
    const ops: Op[] = [];
    const found = (kind: FindingKind, detail: string) => findings.push({ kind, caseIndex: i, detail });
    const send = (method: string, params: unknown) => {
      ops.push({ method, params });
      void editor.client.connection.sendNotification(method, params);
    };
    const uri = r.pick(slots);
    const roll = r.next();
    let text: string;
    if (roll < 0.02) (text = limitInput(r)), inputs.limits++;
    else if (roll < 0.45) (text = generateCiFile(r, env)), inputs.generated++;
    else {
      text = r.pick(corpus).text;
      for (let k = r.int(1, 6); k > 0; k--) text = mutate(r, text);
      inputs.mutated++;
    }
    const asked = standIn.requests.length;
    if (r.chance(0.05)) {
      if (r.chance(0.5)) standIn.fault({ kind: r.pick(['reset', 'truncate', 'malformed-json', 'html'] as const) });
      else standIn.fail({ status: r.pick([401, 403, 404, 429, 500, 502, 503]) });
      ops.push({ method: '(stand-in fault)', params: null });
    }
    const open = editor.docs.get(uri);
    if (open && r.chance(0.05)) {
      send('textDocument/didClose', { textDocument: { uri } });
      editor.docs.delete(uri);
    }
    const version = ++editor.version;
    if (!editor.docs.has(uri)) {
      editor.docs.set(uri, TextDocument.create(uri, 'yaml', version, text));
      send('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version, text } });
    } else {
      editor.docs.set(uri, TextDocument.update(editor.docs.get(uri)!, [{ text }], version));
      send('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    }
    let alive = true;
    for (let step = r.int(1, 4); step > 0 && alive; step--) {
      const doc = editor.docs.get(uri)!;
      if (r.chance(0.9)) {
        const changes = randomChanges(r, doc, env);
        const v = ++editor.version;
        editor.docs.set(uri, TextDocument.update(doc, changes, v));
        send('textDocument/didChange', { textDocument: { uri, version: v }, contentChanges: changes });
        edits++;
      }
      const current = editor.docs.get(uri)!;
      const diagnostics = await editor.client.waitForDiagnostics(uri, () => true, 0).catch(() => [] as Diagnostic[]);
      const batch = Array.from({ length: r.int(1, 3) }, () => randomRequest(r, current, diagnostics));
      const answers = batch.map(async (op) => {
        ops.push(op);
        requests++;
        const t0 = performance.now();
        let timer: NodeJS.Timeout | undefined;
        const hang = new Promise<typeof HANG>((res) => (timer = setTimeout(() => res(HANG), hangMs)));
        try {
          const answer = await Promise.race([editor.client.connection.sendRequest(op.method, op.params), hang]);
          const ms = performance.now() - t0;
          if (answer === HANG) return found('hang', `${op.method} not answered within ${hangMs} ms`), (alive = false);
          latencies.push({ ms, what: `${op.method} (case ${i})` });
          if (ms > budgetMs) found('slow', `${op.method} answered in ${ms.toFixed(0)} ms`);
          for (const bad of rangesOutside(answer, uri, editor.docs)) found('out-of-range', `${op.method}: ${bad}`);
        } catch (e) {
          // A deliberate refusal (prepareRename's "no job here") is an answer; an exception escaping a handler is not.
          const code = (e as { code?: number }).code;
          if (!editor.client.alive()) alive = false;
          else if (code === undefined || code === -32603) found('error-answer', `${op.method}: ${(e as Error).message.slice(0, 300)}`);
        } finally {
          clearTimeout(timer);
        }
      });
      await Promise.all(answers);
    }
    standIn.clearFaults();
    standIn.clearFailures();
    if (!alive || !editor.client.alive()) {
      if (!editor.client.alive()) found('crash', `the server exited; stderr: ${editor.client.stderr.slice(-800)}`);
      await editor.restart();
    }
    for (const line of editor.stderr()) found('logged-error', `stderr: ${line.slice(0, 300)}`);
    for (const m of editor.logged.splice(0)) found('logged-error', m);
    for (const e of editor.unasked.splice(0)) found('unasked-edit', e);
    if (findings.some((f) => f.caseIndex === i)) {
      mkdirSync(reproducerDir, { recursive: true });
      const standInRequests = standIn.requests.slice(asked).map((q) => `${q.method} ${q.url}`);
      writeFileSync(join(reproducerDir, `seed-${seed}-case-${i}.json`), JSON.stringify({ seed, case: i, root, findings: findings.filter((f) => f.caseIndex === i), standInRequests, ops }, null, 1));
    }
    if ((i + 1) % 500 === 0) log(`${i + 1}/${cases} cases, ${findings.length} findings, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }

  const after = snapshot(root, cacheDir);
  for (const [p, h] of before) if (after.get(p) !== h) findings.push({ kind: 'file-changed', caseIndex: -1, detail: `${p} changed on disk` });
  for (const p of after.keys()) if (!before.has(p)) findings.push({ kind: 'file-changed', caseIndex: -1, detail: `${p} was created` });
  const blockedRequests = (editor.client.stderr.match(/^net-guard: blocked/gm) ?? []).length;
  await editor.client.close();
  await standIn.close();
  rmSync(root, { recursive: true, force: true });
  const sorted = latencies.map((l) => l.ms).sort((a, b) => a - b);
  const slowest = latencies.reduce((m, l) => (l.ms > m.ms ? l : m), { ms: 0, what: '' });
  return {
    seed,
    cases: last - first,
    inputs,
    edits,
    requests,
    findings,
    latencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: slowest.ms, slowest: slowest.what },
    durationMs: performance.now() - started,
    serverStarts: editor.starts,
    standInRequests: standIn.requests.length,
    blockedRequests,
  };
}

export function formatReport(r: FuzzReport): string {
  const count = (k: FindingKind) => r.findings.filter((f) => f.kind === k).length;
  const lines = [
    `fuzz: seed ${r.seed}, ${r.cases} cases (${r.inputs.generated} generated, ${r.inputs.mutated} mutated corpus files, ${r.inputs.limits} limit inputs), ${r.edits} edits, ${r.requests} requests in ${(r.durationMs / 1000).toFixed(1)} s`,
    `  crashes ${count('crash')} · hangs ${count('hang')} · answers over budget ${count('slow')} · error answers ${count('error-answer')} · ranges outside the text ${count('out-of-range')} · unasked edits ${count('unasked-edit')} · errors logged ${count('logged-error')} · workspace files changed ${count('file-changed')}`,
    `  latency: p50 ${r.latencyMs.p50.toFixed(1)} ms · p99 ${r.latencyMs.p99.toFixed(1)} ms · max ${r.latencyMs.max.toFixed(1)} ms (${r.latencyMs.slowest})`,
    `  server starts ${r.serverStarts} · stand-in requests ${r.standInRequests} · requests blocked off-machine ${r.blockedRequests}`,
  ];
  for (const f of r.findings.slice(0, 30)) lines.push(`  ${f.kind} in case ${f.caseIndex}: ${f.detail}`);
  if (r.findings.length > 30) lines.push(`  … ${r.findings.length - 30} more`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? Number(process.argv[i + 1]) : undefined;
  };
  mkdirSync(join(repoRoot, 'test-results'), { recursive: true });
  let failed = false;
  const cases = arg('cases') ?? 10_000;
  if (cases > 0) {
    const report = await runFuzz({ seed: arg('seed') ?? 1, cases, only: arg('only'), from: arg('from'), budgetMs: arg('budget-ms'), progress: (l) => console.log(l) });
    console.log(formatReport(report));
    writeFileSync(join(repoRoot, 'test-results', 'fuzz-report.json'), JSON.stringify(report, null, 1));
    failed ||= report.findings.length > 0;
  }
  // Edit–undo invariance (test/reliability/edit-undo.ts): `--pairs 0` skips it.
  const pairs = arg('pairs') ?? 2000;
  if (pairs > 0 && arg('only') === undefined) {
    const undo = await runEditUndo({ seed: arg('seed') ?? 1, pairs, progress: (l) => console.log(l) });
    console.log(formatEditUndo(undo));
    writeFileSync(join(repoRoot, 'test-results', 'edit-undo-report.json'), JSON.stringify(undo, null, 1));
    failed ||= undo.differences.length > 0;
  }
  process.exit(failed ? 1 : 0);
}

if (require.main === module) void main();
