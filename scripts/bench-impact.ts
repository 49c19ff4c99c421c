/**
 * `npm run bench:impact` — how long `gitlab-ci-presets impact` takes for 20 consumers of the
 * example library with the impact tests' planted changes: (a) found with `--consumers-of` in a
 * group on the GitLab stand-in (127.0.0.1), cold (empty cache) and warm (the SHA-keyed cache of a
 * previous run, refs still fresh); (b) 20 local consumer folders (examples/service-repo copies).
 * Runs the CLI in this process (no Node start-up); medians of BENCH_RUNS runs; the API requests
 * of one run. Prints figures; asserts nothing.
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

async function timed(args: string[], cwd: string, env: Record<string, string>): Promise<{ ms: number; consumers: number; code: number }> {
  const t = performance.now();
  const r = await runCli(['impact', ...args], { cwd, env });
  const ms = performance.now() - t;
  if (r.code !== 1) throw new Error(`impact exited ${r.code}: ${r.stderr}`);
  return { ms, consumers: JSON.parse(r.stdout).consumers.length, code: r.code };
}

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
      api.clearRequests();
      warm.push((await timed(online(cacheDir), repo.dir, env)).ms);
      warmRequests = api.requests.length;
    }
    console.log(`impact --consumers-of ${GROUP} (stand-in, ${found} consumers of ${COUNT + 3} projects), median of ${runs}:`);
    console.log(`  cold (empty cache):  ${median(cold).toFixed(0)} ms   (${coldRequests} API requests)`);
    console.log(`  warm (cache by SHA): ${median(warm).toFixed(0)} ms   (${warmRequests} API requests)`);

    const local = ['ci-library', '--base', 'v1.2.0', ...repo.consumers.flatMap((c) => ['--consumer', c]), '--format', 'json'];
    const first = await timed(local, repo.dir, { PATH: env.PATH });
    const again: number[] = [];
    for (let i = 0; i < runs; i++) again.push((await timed(local, repo.dir, { PATH: env.PATH })).ms);
    console.log(`impact --consumer DIR x${COUNT} (examples/service-repo copies, ${first.consumers} changed):`);
    console.log(`  first run: ${first.ms.toFixed(0)} ms   median of ${runs} more: ${median(again).toFixed(0)} ms`);
  } finally {
    await api.close();
  }
}

void main();
