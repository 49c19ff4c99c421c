/**
 * `npm run bench:scale` — how the CLI and the language server scale with a big preset library
 * and consumer (scripts/generate-library.ts). For (files, templates per file, jobs) = (10, 20, 200),
 * (50, 50, 2,500) and (140, 50, 10,000), and GitLab's own CI shape (`gitlab`: dozens of files,
 * hundreds of anchors and `!reference` rules), it prints:
 * - CLI whole-process time (`node dist/cli.js expand`), next to a process that only parses the
 *   same files with the `yaml` package (scripts/parse-only.mjs) and gitlab-ci-local's `--preview`
 *   (up to BENCH_GCL_MAX_JOBS jobs; it grows faster than linearly): interleaved runs, medians,
 *   ratios, time per 1,000 jobs;
 * - the language server (dist/server.js over stdio): first diagnostics after opening a job file,
 *   edit → fresh diagnostics p50/p95 over BENCH_EDITS edits typed into one job's `variables:`, a
 *   completion sent right after an edit, and the server's RSS and peak RSS after the edits (and
 *   every 50 edits, to see whether it stays flat).
 * Prints figures; asserts nothing. The machine is shared: figures are medians and noisy.
 * Env: BENCH_CASES (e.g. `200,2500,gitlab`), BENCH_RUNS (CLI runs, 5), BENCH_EDITS (50),
 * BENCH_GCL_MAX_JOBS (200), BENCH_DIST (another build's dist folder, to compare builds), BENCH_PARTS
 * (`cli,lsp`: which halves to run).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LspClient } from '../test/support/lsp-client.js';
import { generateLibrary, LIBRARY_PROJECT, writeLibrary } from './generate-library.js';
import type { LibraryOptions } from './generate-library.js';
import { prepareGitlabCiLocal } from './gitlab-ci-local.js';

const repo = resolve(__dirname, '..');
const dist = resolve(process.env.BENCH_DIST ?? join(repo, 'dist'));
const runs = Number(process.env.BENCH_RUNS ?? 5);
const edits = Number(process.env.BENCH_EDITS ?? 50);
const gclMaxJobs = Number(process.env.BENCH_GCL_MAX_JOBS ?? 200);
const parts = new Set((process.env.BENCH_PARTS ?? 'cli,lsp').split(','));

const CASES: Record<string, LibraryOptions> = {
  '200': { files: 10, templates: 20, jobs: 200 },
  '2500': { files: 50, templates: 50, jobs: 2500 },
  '10000': { files: 140, templates: 50, jobs: 10000 },
  gitlab: { files: 48, templates: 40, jobs: 415, shape: 'gitlab' },
};

const median = (xs: number[]) => percentile(xs, 50);
function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
const ms = (x: number) => (Number.isNaN(x) ? '–' : `${x.toFixed(0)} ms`);

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (e.endsWith('.yml')) out.push(p);
  }
  return out;
}

/** GNU time, when installed: the child's CPU seconds (user + system), steadier than wall-clock on a loaded machine. */
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

function timeProcess(args: string[], cwd: string): { wall: number; cpu: number } | undefined {
  const t = performance.now();
  const command = gnuTime ? [gnuTime, '-f', 'cpu %U %S', process.execPath, ...args] : [process.execPath, ...args];
  const r = spawnSync(command[0], command.slice(1), { cwd, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  const wall = performance.now() - t;
  if (r.status !== 0) {
    console.log(`  ${args.slice(0, 2).join(' ')} failed (${r.status}): ${String(r.stderr).split('\n').slice(0, 3).join(' | ')}`);
    return undefined;
  }
  const m = /cpu ([\d.]+) ([\d.]+)/.exec(String(r.stderr));
  return { wall, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN };
}

/** CPU milliseconds a process has used so far (user + system), from /proc. */
function cpuOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

function memory(pid: number | undefined): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const mib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
    return { rss: mib('VmRSS'), peak: mib('VmHWM') };
  } catch {
    return { rss: NaN, peak: NaN };
  }
}

function cli(name: string, dir: string, o: LibraryOptions): void {
  const consumer = join(dir, 'consumer');
  const library = join(dir, 'library');
  const files = [...yamlFiles(consumer), ...yamlFiles(library)];
  const projectArgs = o.shape === 'gitlab' ? [] : ['--project', `${LIBRARY_PROJECT}@main=${library}`];
  const ours = [join(dist, 'cli.js'), 'expand', ...projectArgs];
  const parseOnly = [join(repo, 'scripts', 'parse-only.mjs'), ...files];
  let gcl = o.jobs <= gclMaxJobs ? prepareGitlabCiLocal(consumer, o.shape === 'gitlab' ? [] : ['--project', `${LIBRARY_PROJECT}@main=${library}`]) : `gitlab-ci-local not run above ${gclMaxJobs} jobs (BENCH_GCL_MAX_JOBS; it grows faster than linearly)`;
  const times = { ours: [] as number[], parse: [] as number[], gcl: [] as number[], oursCpu: [] as number[], parseCpu: [] as number[] };
  for (let i = 0; i < runs; i++) {
    const a = timeProcess(ours, consumer);
    const b = timeProcess(parseOnly, consumer);
    if (a !== undefined) times.ours.push(a.wall), times.oursCpu.push(a.cpu);
    if (b !== undefined) times.parse.push(b.wall), times.parseCpu.push(b.cpu);
    if (typeof gcl !== 'string') {
      const c = gcl.run(300_000);
      if (c === undefined) {
        gcl.cleanup();
        gcl = 'gitlab-ci-local failed or ran past 5 minutes';
      } else times.gcl.push(c);
    }
  }
  if (typeof gcl !== 'string') gcl.cleanup();
  const [o50, p50, g50] = [median(times.ours), median(times.parse), median(times.gcl)];
  const per1k = (x: number) => (Number.isNaN(x) ? '–' : `${((x / o.jobs) * 1000).toFixed(0)} ms/1k jobs`);
  console.log(`  CLI (whole process, median of ${runs}, interleaved):`);
  console.log(`    ours expand        ${ms(o50).padStart(9)}   ${per1k(o50)}`);
  console.log(`    parse only (yaml)  ${ms(p50).padStart(9)}   ${per1k(p50)}   ours/parse ${(o50 / p50).toFixed(2)}×`);
  const [oc, pc] = [median(times.oursCpu), median(times.parseCpu)];
  if (!Number.isNaN(oc)) console.log(`    CPU time (user+sys): ours ${ms(oc)}, parse only ${ms(pc)}, ours/parse ${(oc / pc).toFixed(2)}×`);
  if (typeof gcl === 'string') console.log(`    ${gcl}`);
  else console.log(`    gitlab-ci-local    ${ms(g50).padStart(9)}   ${per1k(g50)}   ours/gcl ${(o50 / g50).toFixed(3)}×`);
  void name;
}

async function lsp(dir: string, o: LibraryOptions, jobFile: string, jobName: string): Promise<void> {
  const consumer = join(dir, 'consumer');
  // A cache folder of its own: the first server starts with no parsed files on disk, the restarted one reads them.
  const cacheDir = join(dir, 'cache');
  const settings = o.shape === 'gitlab' ? { localOnly: true, cacheDir } : { localProjects: { [`${LIBRARY_PROJECT}@main`]: '../library' }, localOnly: true, cacheDir };
  const client = new LspClient(join(dist, 'server.js'));
  try {
    await client.initialize(consumer, settings);
    const uri = pathToFileURL(join(consumer, jobFile)).href;
    const text = readFileSync(join(consumer, jobFile), 'utf8');
    const publishes = () => client.published.filter((p) => p.uri === uri).length;
    const fresh = async (before: number) => client.waitForDiagnostics(uri, () => publishes() > before, 120_000);
    let t = performance.now();
    client.open(uri, text);
    await fresh(0);
    const first = performance.now() - t;
    const firstCpu = cpuOf(client.pid);
    // Type into one job: a new variable's value grows by a character per edit (the job's line shifts nothing above it).
    const at = text.indexOf(`${jobName}:\n`);
    const insertAt = text.indexOf('\n', text.indexOf('variables:', at)) + 1;
    const line = (n: number) => `    TYPED: "${'x'.repeat(n)}"\n`;
    const withTyped = (n: number) => text.slice(0, insertAt) + line(n) + text.slice(insertAt);
    let version = 1;
    const times: number[] = [];
    const mem: string[] = [];
    const cpuBefore = cpuOf(client.pid);
    for (let i = 1; i <= edits; i++) {
      const before = publishes();
      t = performance.now();
      client.change(uri, withTyped(i % 40), ++version);
      await fresh(before);
      times.push(performance.now() - t);
      if (i % 50 === 0 && edits > 50) mem.push(`${i}: ${memory(client.pid).rss.toFixed(0)}`);
    }
    const cpuPerEdit = (cpuOf(client.pid) - cpuBefore) / edits;
    const after = memory(client.pid);
    // A completion sent right after an edit waits for that edit's analysis.
    const requestTimes: number[] = [];
    const lines = text.slice(0, insertAt).split('\n');
    const position = { line: lines.length - 1, character: 4 };
    for (let i = 0; i < 5; i++) {
      const before = publishes();
      client.change(uri, withTyped(i), ++version);
      t = performance.now();
      await client.completion(uri, position);
      requestTimes.push(performance.now() - t);
      await fresh(before);
    }
    console.log(`  language server (${jobFile}, ${edits} edits in ${jobName}):`);
    console.log(`    first diagnostics after open       ${ms(first)}   (server CPU until then ${ms(firstCpu)})`);
    console.log(`    edit → fresh diagnostics           p50 ${ms(median(times))}   p95 ${ms(percentile(times, 95))}   (server CPU per edit ${ms(cpuPerEdit)})`);
    console.log(`    completion right after an edit     median ${ms(median(requestTimes))}`);
    console.log(`    server memory after the edits      rss ${after.rss.toFixed(0)} MiB, peak ${after.peak.toFixed(0)} MiB${mem.length ? `   (rss MiB after edits ${mem.join(', ')})` : ''}`);
  } finally {
    await client.close();
  }
  // The same window reloaded: a new server, the library's parsed files on disk (sources/parsed-store.ts).
  const again = new LspClient(join(dist, 'server.js'));
  try {
    await again.initialize(consumer, settings);
    const uri = pathToFileURL(join(consumer, jobFile)).href;
    const t = performance.now();
    again.open(uri, readFileSync(join(consumer, jobFile), 'utf8'));
    await again.waitForDiagnostics(uri, () => again.published.some((p) => p.uri === uri), 120_000);
    const first = performance.now() - t;
    console.log(`    first diagnostics, server restarted ${ms(first)}   (parsed files read from the cache folder; server CPU until then ${ms(cpuOf(again.pid))})`);
  } finally {
    await again.close();
  }
}

async function main() {
  const names = (process.env.BENCH_CASES ?? '200,2500,10000,gitlab').split(',');
  console.log(`bench:scale with ${dist} (a shared machine: medians, noisy)`);
  for (const name of names) {
    const o = CASES[name];
    if (!o) throw new Error(`unknown case ${name}: ${Object.keys(CASES).join(', ')}`);
    const dir = mkdtempSync(join(tmpdir(), `gcp-scale-${name}-`));
    try {
      const g = generateLibrary({ ...o, seed: 7 });
      writeLibrary(dir, g);
      const bytes = [...Object.values(g.library), ...Object.values(g.consumer)].reduce((n, t) => n + t.length, 0);
      const shape = o.shape === 'gitlab' ? `GitLab's CI shape: ${Object.keys(g.consumer).length} files, ${o.templates * 6} anchors, ${o.templates * 8} rule sets` : `${o.files} library files × ${o.templates} templates`;
      console.log(`\n${name}: ${shape}, ${o.jobs} jobs in ${g.jobFiles.length} job file(s), ${(bytes / 1024).toFixed(0)} KiB of YAML`);
      if (parts.has('cli')) cli(name, dir, o);
      const file = g.jobFiles[0];
      if (parts.has('lsp')) await lsp(dir, o, file.path, file.jobs[Math.floor(file.jobs.length / 2)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
