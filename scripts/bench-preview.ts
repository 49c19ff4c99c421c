/**
 * `npm run bench:preview` — the preview on a generated 500-job pipeline (templates in an included
 * library file, `extends:`, rules, needs chains, a matrix): the time to build the preview model
 * (rules simulation + merged YAML with origins + locations) and to render its HTML (what the
 * webview puts in the page: the first paint, and all of the whole-pipeline YAML), as medians over
 * repeated runs. The pipeline's own expansion is
 * printed apart. Prints figures; asserts nothing.
 */
import { makeContext } from '../server/src/features/shared/context.js';
import { buildPreview } from '../server/src/features/preview.js';
import { expandPipeline } from '../server/src/pipeline/merge/expand.js';
import { simulatedVariables } from '../server/src/pipeline/rules/simulated-context.js';
import { MemorySources } from '../server/src/sources/memory-sources.js';
import { renderPreview } from '../client/src/webview/render.js';
import { generatePipeline } from './generate-pipeline.js';

const JOBS = Number(process.env.BENCH_JOBS ?? 500);
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  const files = generatePipeline(JOBS);
  const sources = new MemorySources(files);
  const variables = simulatedVariables();
  const expandTimes: number[] = [];
  let pipeline = await expandPipeline({ sources, variables });
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    pipeline = await expandPipeline({ sources, variables });
    expandTimes.push(performance.now() - t);
  }
  const root = pipeline.files.find((f) => f.kind === 'root')!;
  const analysis = { pipeline, standalone: false, rootUri: root.uri, knownVariables: [] };
  const settings = { localProjects: {}, knownVariables: [] };
  const doc = { uri: root.uri, text: root.parsed.text, version: 1 };
  const modelTimes: number[] = [];
  const htmlTimes: number[] = [];
  const contexts = [{ source: 'push' as const, branch: 'main' }, { source: 'push' as const, tag: 'v1.2.3' }, { source: 'merge_request_event' as const, branch: 'feature' }];
  const t0 = performance.now();
  let model = buildPreview(makeContext(analysis, settings, doc, () => undefined), contexts[0]);
  const firstBuild = performance.now() - t0; // includes the variable contract, cached per expansion afterwards
  let html = renderPreview(model).html;
  for (let i = 0; i < RUNS; i++) {
    const ctx = makeContext(analysis, settings, doc, () => undefined); // fresh line indexes, as per request
    let t = performance.now();
    model = buildPreview(ctx, contexts[i % contexts.length]);
    modelTimes.push(performance.now() - t);
    t = performance.now();
    html = renderPreview(model, 'job-250').html;
    htmlTimes.push(performance.now() - t);
  }
  const first: number[] = [];
  const whole: number[] = [];
  let firstHtml = '';
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    firstHtml = renderPreview(model).html;
    first.push(performance.now() - t);
    t = performance.now();
    html = renderPreview(model, undefined, { allYaml: true }).html;
    whole.push(performance.now() - t);
  }
  const json = JSON.stringify(model);
  const lines = model.jobs.reduce((n, j) => n + j.yaml.length, 0);
  console.log(`preview bench: ${model.jobs.length} jobs (${model.jobs.filter((j) => j.included).length} included), ${model.edges.length} needs edges, ${lines} merged YAML lines; ${RUNS} runs, medians`);
  console.log(`  expand pipeline              ${median(expandTimes).toFixed(1)} ms`);
  console.log(`  build preview model, first   ${firstBuild.toFixed(1)} ms   (variable contract of a fresh expansion included)`);
  console.log(`  build preview model          ${median(modelTimes).toFixed(1)} ms   (JSON ${(json.length / 1024).toFixed(0)} KiB)`);
  console.log(`  render HTML (job selected)   ${median(htmlTimes).toFixed(1)} ms`);
  console.log(`  render HTML (first paint)    ${median(first).toFixed(1)} ms   (${(firstHtml.length / 1024).toFixed(0)} KiB: graph + YAML of the first jobs; the rest follows in chunks)`);
  console.log(`  render HTML (all YAML)       ${median(whole).toFixed(1)} ms   (${(html.length / 1024).toFixed(0)} KiB)`);
  console.log(`  model + HTML (all YAML)      ${(median(modelTimes) + median(whole)).toFixed(1)} ms; first build + all YAML ${(firstBuild + median(whole)).toFixed(1)} ms`);
}

void main();
