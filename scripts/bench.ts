/**
 * `npm run bench` — expansion speed on the largest corpus config (omnibus-gitlab): the median of
 * repeated expansions next to the raw YAML parse of the same files, and gitlab-ci-local's time on
 * the same input in the same run (installed on first use into .cache/oracle, as oracle.sh does).
 * Prints figures; asserts nothing.
 */
import { join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { expandPipeline } from '../server/src/pipeline/merge/expand.js';
import { simulatedVariables } from '../server/src/pipeline/rules/simulated-context.js';
import { DirectorySources } from '../server/src/sources/directory-sources.js';
import { prepareGitlabCiLocal } from './gitlab-ci-local.js';

const repo = resolve(__dirname, '..');
const corpus = resolve(repo, '..', 'shared', 'corpus');
const caseDir = join(corpus, 'omnibus-gitlab');
const runs = Number(process.env.BENCH_RUNS ?? 30);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function expandOnce() {
  const sources = new DirectorySources({ rootDir: caseDir, repoDirs: join(corpus, '_stubs', 'repos'), templatesDir: join(corpus, 'gitlab-templates', 'lib', 'gitlab', 'ci', 'templates') });
  return expandPipeline({ sources, variables: { ...simulatedVariables(), SKIP_JOB_REGEX: '/^oracle-matches-nothing$/' } });
}

async function main() {
  const first = await expandOnce();
  const texts = first.files.map((f) => f.parsed.text);
  const lines = texts.reduce((n, t) => n + t.split('\n').length, 0);
  for (let i = 0; i < 5; i++) await expandOnce();
  const expandTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await expandOnce();
    expandTimes.push(performance.now() - t);
  }
  const parseTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    for (const text of texts) parseAllDocuments(text, { version: '1.1', merge: true, uniqueKeys: false }).forEach((d) => d.toJS());
    parseTimes.push(performance.now() - t);
  }
  const ours = median(expandTimes);
  const parse = median(parseTimes);
  console.log(`omnibus-gitlab: ${first.files.length} files, ${lines} lines, ${[...first.jobs.values()].filter((j) => !j.hidden).length} jobs, valid=${first.valid}`);
  console.log(`expand (ours)         median ${ours.toFixed(2)} ms over ${runs} runs`);
  console.log(`raw YAML parse (yaml) median ${parse.toFixed(2)} ms   ratio ours/parse = ${(ours / parse).toFixed(2)}`);
  const gcl = gitlabCiLocalTime();
  if (gcl) console.log(`gitlab-ci-local 4.75.1 median ${gcl.toFixed(0)} ms (preview, ${gclRuns} runs)   ratio ours/gcl = ${(ours / gcl).toFixed(4)}`);
  const mem = process.memoryUsage();
  console.log(`memory: rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);
}

const gclRuns = Number(process.env.BENCH_GCL_RUNS ?? 3);

/** gitlab-ci-local's preview of the same case, its work tree prepared once. */
function gitlabCiLocalTime(): number | undefined {
  const gcl = prepareGitlabCiLocal(caseDir, [], ['SKIP_JOB_REGEX=/^oracle-matches-nothing$/']);
  if (typeof gcl === 'string') {
    console.log(gcl);
    return undefined;
  }
  const times: number[] = [];
  for (let i = 0; i < gclRuns; i++) {
    const t = gcl.run();
    if (t !== undefined) times.push(t);
  }
  gcl.cleanup();
  return times.length ? median(times) : undefined;
}

void main();
