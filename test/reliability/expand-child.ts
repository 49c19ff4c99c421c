/**
 * Child process of bounded.ts: reads `{files, variables?}` as JSON on stdin, expands the pipeline
 * of `.gitlab-ci.yml` from those in-memory files, and prints what came out as JSON on stdout.
 */
import { readFileSync } from 'node:fs';
import { expandFiles } from '../support/engine.js';

async function main(): Promise<void> {
  const { files } = JSON.parse(readFileSync(0, 'utf8')) as { files: Record<string, string> };
  const started = performance.now();
  const p = await expandFiles(files);
  const ms = performance.now() - started;
  const diagnostics = p.diagnostics.map((d) => ({ code: d.code, message: d.message, uri: d.span.uri, start: d.span.start, end: d.span.end }));
  const out = { ms, maxRssMb: process.resourceUsage().maxRSS / 1024, files: p.files.map((f) => f.uri), jobs: [...p.jobs.keys()], diagnostics };
  process.stdout.write(JSON.stringify(out));
}

void main();
