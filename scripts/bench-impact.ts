/**
 * `npm run bench:impact` — how long `gitlab-ci-presets impact` takes for 20 consumers of the
 * example library with the impact tests' planted changes: (a) found with `--consumers-of` in a
 * group on the GitLab stand-in (127.0.0.1), cold (empty cache) and warm (the SHA-keyed cache of a
 * previous run, refs still fresh); (b) 20 local consumer folders (examples/service-repo copies).
 * Runs the CLI in this process (no Node start-up); medians of BENCH_RUNS runs of the wall time and
 * of this process's CPU time (user + system: what the run costs whatever else loads the machine;
 * it includes the stand-in, not git's processes); the API requests of one run. Prints figures;
 * asserts nothing.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../server/src/cli/main.js';
import { consumerGroup, GROUP, STAND_IN_TOKEN } from '../test/support/consumer-group.js';
import { libraryRepo, plantRename, plantRequiredVariable, plantScriptLine } from '../test/support/library-repo.js';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const COUNT = 20;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed(args: string[], cwd: string, env: Record<string, string>): Promise<{ ms: number; cpu: number; consumers: number; code: number }> {
  const t = performance.now();
  const c = process.cpuUsage();
  const r = await runCli(['impact', ...args], { cwd, env });
  const ms = performance.now() - t;
  const used = process.cpuUsage(c);
  if (r.code !== 1) throw new Error(`impact exited ${r.code}: ${r.stderr}`);
  return { ms, cpu: (used.user + used.system) / 1000, consumers: JSON.parse(r.stdout).consumers.length, code: r.code };
}

const fmt = (wall: number[], cpu: number[]) => `${median(wall).toFixed(0)} ms wall, ${median(cpu).toFixed(0)} ms CPU`;

async function main(): Promise<void> {
  const repo = libraryRepo({ consumers: COUNT });
  plantScriptLine(repo.library);
  plantRequiredVariable(repo.library);
  plantRename(repo.library);
  const { api } = await consumerGroup(COUNT);
  const env = { GITLAB_TOKEN: STAND_IN_TOKEN, PATH: process.env.PATH ?? '' };
  const online = (cacheDir: string) => ['ci-library', '--base', 'v1.2.0', '--project', 'acme/ci-library', '--consumers-of', GROUP, '--gitlab-url', api.url, '--cache-dir', cacheDir, '--format', 'json'];
  try {
    const cold: number[] = [];
    const warm: number[] = [];
    const coldCpu: number[] = [];
    const warmCpu: number[] = [];
    let coldRequests = 0;
    let warmRequests = 0;
    let found = 0;
    for (let i = 0; i < runs; i++) {
      const cacheDir = mkdtempSync(join(tmpdir(), 'gcp-bench-impact-'));
      api.clearRequests();
      const c = await timed(online(cacheDir), repo.dir, env);
      coldRequests = api.requests.length;
      found = c.consumers;
      cold.push(c.ms);
      coldCpu.push(c.cpu);
      api.clearRequests();
      const w = await timed(online(cacheDir), repo.dir, env);
      warm.push(w.ms);
      warmCpu.push(w.cpu);
      warmRequests = api.requests.length;
    }
    console.log(`impact --consumers-of ${GROUP} (stand-in, ${found} consumers of ${COUNT + 3} projects), median of ${runs}:`);
    console.log(`  cold (empty cache):  ${fmt(cold, coldCpu)}   (${coldRequests} API requests)`);
    console.log(`  warm (cache by SHA): ${fmt(warm, warmCpu)}   (${warmRequests} API requests)`);

    const local = ['ci-library', '--base', 'v1.2.0', ...repo.consumers.flatMap((c) => ['--consumer', c]), '--format', 'json'];
    const first = await timed(local, repo.dir, { PATH: env.PATH });
    const again: number[] = [];
    const againCpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = await timed(local, repo.dir, { PATH: env.PATH });
      again.push(t.ms);
      againCpu.push(t.cpu);
    }
    console.log(`impact --consumer DIR x${COUNT} (examples/service-repo copies, ${first.consumers} changed; local runs keep no results):`);
    console.log(`  first run: ${first.ms.toFixed(0)} ms wall, ${first.cpu.toFixed(0)} ms CPU   median of ${runs} more: ${fmt(again, againCpu)}`);
  } finally {
    await api.close();
  }
}

void main();
