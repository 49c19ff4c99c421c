/**
 * Expansion of pathological input in a child process with a heap cap and a deadline: when a
 * protection stops working the test fails with a time-out or an out-of-memory instead of hanging
 * the test run or taking the machine down. The figures are measured, and only bounded generously.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface BoundedResult {
  ms: number;
  maxRssMb: number;
  files: string[];
  jobs: string[];
  diagnostics: Array<{ code: string; message: string; uri: string; start: number; end: number }>;
}

export interface Bounds {
  /** Wall-clock limit of the child process, start-up included. Default 60 s. */
  timeoutMs?: number;
  /** V8 old-space limit of the child. Default 512 MB. */
  heapMb?: number;
}

export function expandBounded(files: Record<string, string>, bounds: Bounds = {}): BoundedResult {
  const timeoutMs = bounds.timeoutMs ?? 60_000;
  const heapMb = bounds.heapMb ?? 512;
  const r = spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, '--import', 'tsx', join(__dirname, 'expand-child.ts')], {
    input: JSON.stringify({ files }),
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error || r.status !== 0) {
    const why = r.signal ? `killed by ${r.signal} (deadline ${timeoutMs} ms or heap ${heapMb} MB)` : `exit code ${r.status}`;
    throw new Error(`the expansion did not finish within its bounds: ${why}\n${(r.stderr ?? '').slice(-2000)}`);
  }
  return JSON.parse(r.stdout) as BoundedResult;
}
