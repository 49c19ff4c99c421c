/**
 * `npm run bench:lsp` — language server latency on the largest corpus config (omnibus-gitlab),
 * through the protocol against the real dist/server.js: p50/p95 of completion, hover and
 * definition requests on a cached analysis, the same right after an edit (re-analysis included),
 * and edit → fresh diagnostics. The corpus folder is only read (edits are unsaved buffers).
 * Includes are mapped like its oracle.args (`--repo-dirs ../_stubs/repos`): every
 * `_stubs/repos/<project>/@<ref>/` folder becomes a `localProjects` entry `<project>@<ref>`.
 * Prints figures; asserts nothing.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Position } from 'vscode-languageserver-protocol/node';
import { LspClient } from '../test/support/lsp-client.js';

const repo = resolve(__dirname, '..');
const corpus = resolve(repo, '..', 'shared', 'corpus');
const caseDir = join(corpus, 'omnibus-gitlab');
const runs = Number(process.env.BENCH_RUNS ?? 100);
const edits = Number(process.env.BENCH_EDITS ?? 100);

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function figures(label: string, xs: number[]): void {
  console.log(`${label.padEnd(44)} p50 ${percentile(xs, 50).toFixed(2).padStart(7)} ms   p95 ${percentile(xs, 95).toFixed(2).padStart(7)} ms   (n=${xs.length})`);
}

/** `<project>/@<ref>/` folders under the stub repos → `{ "project@ref": "relative path" }`. */
function stubProjects(reposDir: string, from: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, parts: string[]) => {
    for (const e of readdirSync(dir)) {
      const abs = join(dir, e);
      if (!statSync(abs).isDirectory()) continue;
      if (e.startsWith('@')) out[`${parts.join('/')}@${e.slice(1)}`] = relative(from, abs);
      else walk(abs, [...parts, e]);
    }
  };
  walk(reposDir, []);
  return out;
}

/** Position of the `nth` occurrence of `needle` in `text`, `delta` characters into it. */
function positionOf(text: string, needle: string, delta = 1, nth = 0): Position {
  let o = -1;
  for (let i = 0; i <= nth; i++) {
    o = text.indexOf(needle, o + 1);
    if (o < 0) throw new Error(`${needle} is not in the file`);
  }
  const lines = text.slice(0, o + delta).split('\n');
  return { line: lines.length - 1, character: lines[lines.length - 1].length };
}

async function timeEach<T>(positions: Position[], n: number, request: (p: Position) => Promise<T>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = positions[i % positions.length];
    const t = performance.now();
    await request(p);
    out.push(performance.now() - t);
  }
  return out;
}

/** Resident and peak memory of a process, from /proc (Linux); a note elsewhere. */
function serverMemory(pid: number | undefined): string {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return `rss ${(kib('VmRSS') / 1024).toFixed(0)} MiB, peak rss ${(kib('VmHWM') / 1024).toFixed(0)} MiB`;
  } catch {
    return 'memory not measured (no /proc on this system)';
  }
}

async function main() {
  if (!existsSync(join(repo, 'dist', 'server.js'))) throw new Error('dist/server.js is missing: run npm run build');
  const cacheDir = mkdtempSync(join(tmpdir(), 'gcp-bench-lsp-'));
  const settings = {
    localProjects: stubProjects(join(corpus, '_stubs', 'repos'), caseDir),
    templatesDir: '../gitlab-templates/lib/gitlab/ci/templates',
    offline: true,
    cacheDir,
  };
  const client = new LspClient();
  try {
    await client.initialize(caseDir, settings);
    const file = join(caseDir, 'gitlab-ci-config', 'gitlab-com.yml');
    const uri = pathToFileURL(file).href;
    const text = readFileSync(file, 'utf8');

    let t = performance.now();
    client.open(uri, text);
    const first = await client.waitForDiagnostics(uri, () => true, 60_000);
    console.log(`omnibus-gitlab, gitlab-ci-config/gitlab-com.yml (${text.split('\n').length} lines) opened: first diagnostics after ${(performance.now() - t).toFixed(0)} ms (${first.length} diagnostics)`);

    const completionAt = [
      positionOf(text, 'extends: .gems-cache-os-dependent', 'extends: .gems'.length),
      positionOf(text, '${CACHE_KEY_SUFFIX}', '${CACHE'.length),
      positionOf(text, 'extends: .spec_template', 'extends: .spec'.length),
      positionOf(text, '  SECURITY_SOURCES: ${SECURITY_SOURCES}', '  SECURITY'.length),
      positionOf(text, '- export KNAPSACK_REPORT_PATH=knapsack/rspec_node_${CI_NODE_INDEX}', '- export KNAPSACK_REPORT_PATH=knapsack/rspec_node_${CI_N'.length),
    ];
    const hoverAt = [
      positionOf(text, 'extends: .spec_template', 'extends: .spec'.length),
      positionOf(text, '${CI_NODE_INDEX}', 4),
      positionOf(text, '.install-gems:', 3),
      positionOf(text, '  SECURITY_SOURCES: ${SECURITY_SOURCES}', 5),
      positionOf(text, 'extends: .gems-cache-os-dependent', 'extends: .gems'.length),
    ];
    const definitionAt = [hoverAt[0], hoverAt[4], hoverAt[1]];

    const complete = (p: Position) => client.completion(uri, p);
    const hover = (p: Position) => client.hover(uri, p);
    const definition = (p: Position) => client.definition(uri, p);
    // Warm up: first requests fill per-analysis caches (contracts, doc comments).
    for (const p of completionAt) await complete(p);
    for (const p of hoverAt) await hover(p);
    for (const p of definitionAt) await definition(p);
    const sizes = await Promise.all(completionAt.map(async (p) => (await complete(p)).length));
    console.log(`completion items at the ${completionAt.length} positions: ${sizes.join(', ')}`);

    console.log(`\ncached analysis (${runs} requests each, cycling over the positions):`);
    figures('completion', await timeEach(completionAt, runs, complete));
    figures('hover', await timeEach(hoverAt, runs, hover));
    figures('definition', await timeEach(definitionAt, runs, definition));

    // Edits toggle an unknown extends: fresh diagnostics show (or drop) extends-unknown.
    const broken = text.replace('extends: .spec_template', 'extends: .spec_templatX');
    let version = 1;
    const editToDiagnostics: number[] = [];
    const afterEdit: Record<'completion' | 'hover' | 'definition', number[]> = { completion: [], hover: [], definition: [] };
    for (let i = 0; i < edits; i++) {
      const next = i % 2 === 0 ? broken : text;
      const wantUnknown = next === broken;
      t = performance.now();
      client.change(uri, next, ++version);
      await client.waitForDiagnostics(uri, (d) => d.some((x) => x.code === 'extends-unknown') === wantUnknown, 60_000);
      editToDiagnostics.push(performance.now() - t);
      // The first request of each kind right after an edit pays for the re-analysis.
      const kinds = ['completion', 'hover', 'definition'] as const;
      const kind = kinds[i % 3];
      client.change(uri, next + (i % 2 ? '\n' : '\n\n'), ++version);
      t = performance.now();
      if (kind === 'completion') await complete(completionAt[0]);
      else if (kind === 'hover') await hover(hoverAt[0]);
      else await definition(definitionAt[0]);
      afterEdit[kind].push(performance.now() - t);
    }
    console.log(`\nright after an edit (the request waits for the re-analysis):`);
    for (const k of ['completion', 'hover', 'definition'] as const) figures(k, afterEdit[k]);
    console.log('');
    figures('edit → fresh diagnostics (incl. server debounce)', editToDiagnostics);
    console.log(`\nserver process: ${serverMemory(client.pid)}`);
  } finally {
    await client.close();
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
