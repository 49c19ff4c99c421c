/**
 * `npm run bench:sources` — how long expanding examples/service-repo takes when acme/ci-library
 * comes from GitLab (the test stand-in on 127.0.0.1, optionally with added latency per request):
 * cold (empty cache), warm from the disk cache (a new process, refs still fresh), warm with every
 * ref revalidated (`--refresh`), and warm in the same session (the language server's case).
 * Medians of BENCH_RUNS runs; the number of API requests of one run. Prints figures; asserts nothing.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expandPipeline } from '../server/src/pipeline/merge/expand.js';
import { simulatedVariables } from '../server/src/pipeline/rules/simulated-context.js';
import { SourceSession } from '../server/src/sources/source-session.js';
import { GitLabStandIn } from '../test/support/gitlab-stand-in.js';

const repo = resolve(__dirname, '..');
const service = join(repo, 'examples', 'service-repo');
const runs = Number(process.env.BENCH_RUNS ?? 15);
const TOKEN = 'glpat-bench';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function expandWith(s: SourceSession, cacheDir: string, api: GitLabStandIn): Promise<number> {
  const sources = s.sourcesFor({ folder: service, folders: [service], settings: { gitlabUrl: api.url, cacheDir } });
  const t = performance.now();
  const p = await expandPipeline({ sources, variables: simulatedVariables() });
  const ms = performance.now() - t;
  if (!p.valid) throw new Error(`expansion failed: ${p.diagnostics.map((d) => d.message).join('; ')}`);
  return ms;
}

function newSession(api: GitLabStandIn): SourceSession {
  const s = new SourceSession();
  s.tokens.replace({ [api.host]: TOKEN });
  return s;
}

type Scenario = { name: string; prepare: (api: GitLabStandIn) => Promise<{ session: SourceSession; cacheDir: string }> };

const tmp = () => mkdtempSync(join(tmpdir(), 'gcp-bench-'));
let shared: { session: SourceSession; cacheDir: string } | undefined;

const scenarios: Scenario[] = [
  { name: 'cold: empty cache', prepare: async (api) => ({ session: newSession(api), cacheDir: tmp() }) },
  {
    name: 'warm: disk cache, new process',
    prepare: async (api) => {
      const cacheDir = tmp();
      await expandWith(newSession(api), cacheDir, api);
      return { session: newSession(api), cacheDir };
    },
  },
  {
    name: 'warm: disk cache, refs revalidated (--refresh)',
    prepare: async (api) => {
      const cacheDir = tmp();
      await expandWith(newSession(api), cacheDir, api);
      const session = newSession(api);
      session.invalidate();
      return { session, cacheDir };
    },
  },
  {
    name: 'warm: same session (language server)',
    prepare: async (api) => {
      if (!shared) {
        shared = { session: newSession(api), cacheDir: tmp() };
        await expandWith(shared.session, shared.cacheDir, api);
      }
      return shared;
    },
  },
];

async function main() {
  const api = await GitLabStandIn.start({ tokens: [TOKEN] });
  api.addProject({ path: 'acme/ci-library', dir: join(repo, 'examples', 'ci-library'), tags: ['v1.0.0', 'v1.2.0', 'v1.3.0'] });
  const lines = readFileSync(join(service, '.gitlab-ci.yml'), 'utf8').split('\n').length;
  console.log(`examples/service-repo (${lines} lines, 3 project files + nested library files) through the GitLab stand-in; median of ${runs} runs\n`);
  console.log(`${'scenario'.padEnd(48)} ${'latency'.padStart(8)} ${'median'.padStart(10)} ${'requests'.padStart(9)}`);
  try {
    for (const latency of [0, 25]) {
      api.delayMs = latency;
      shared = undefined;
      for (const sc of scenarios) {
        const times: number[] = [];
        let requests = 0;
        for (let i = 0; i < runs; i++) {
          const { session, cacheDir } = await sc.prepare(api);
          api.clearRequests();
          times.push(await expandWith(session, cacheDir, api));
          requests = api.requests.length;
        }
        console.log(`${sc.name.padEnd(48)} ${`${latency} ms`.padStart(8)} ${`${median(times).toFixed(1)} ms`.padStart(10)} ${String(requests).padStart(9)}`);
      }
    }
  } finally {
    await api.close();
  }
}

void main();
