/**
 * A small runner for checks inside the extension host (node:test is not available there as a
 * runner): runs checks in order with a time limit each, records passed / failed / todo, and
 * writes the results as JSON for the process that started VS Code.
 */
import { writeFileSync } from 'node:fs';

export type Status = 'passed' | 'failed' | 'todo';
export interface CheckResult {
  name: string;
  status: Status;
  detail?: string;
  ms: number;
}

/** Thrown (or returned) by a check whose feature has not landed yet: reported as todo, never as passed. */
export class Todo extends Error {}

export interface Check {
  name: string;
  timeoutMs?: number;
  run(): Promise<void>;
}

export async function runChecks(checks: Check[], log: (line: string) => void): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const t0 = Date.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        check.run(),
        new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`timed out after ${check.timeoutMs ?? 30_000} ms`)), check.timeoutMs ?? 30_000))),
      ]);
      results.push({ name: check.name, status: 'passed', ms: Date.now() - t0 });
    } catch (e) {
      const todo = e instanceof Todo;
      results.push({ name: check.name, status: todo ? 'todo' : 'failed', detail: (e as Error).stack ?? String(e), ms: Date.now() - t0 });
    } finally {
      clearTimeout(timer);
    }
    const r = results[results.length - 1];
    log(`${r.status === 'passed' ? 'ok' : r.status === 'todo' ? 'todo' : 'not ok'} - ${r.name} (${r.ms} ms)${r.detail ? `\n    ${r.detail.split('\n').slice(0, 6).join('\n    ')}` : ''}`);
  }
  return results;
}

export function writeResults(file: string | undefined, results: CheckResult[], extra: Record<string, unknown> = {}): void {
  if (file) writeFileSync(file, JSON.stringify({ results, ...extra }, null, 2));
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 15_000, every = 100): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== null && (v as unknown) !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
