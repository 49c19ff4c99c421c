/**
 * The gitlab-rejects corpus (../shared/corpus/gitlab-rejects): configurations GitLab rejects
 * (`negative/`, one fault each, GitLab's message and line in expected.json) and ones it accepts
 * (`positive/`). Each case runs through the CLI in-process (`check DIR --format json`, and
 * `expand DIR`): a negative is *rejected* when `check` reports an error and `expand` exits non-zero,
 * *matched* when one of the errors carries GitLab's message at the expected line of .gitlab-ci.yml;
 * a positive is *accepted* when `check` reports no error and `expand` exits 0. Shared by
 * rejects-run.ts (the table) and rejects.test.ts (the baseline guard).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS } from './cases.js';
import { runCli } from '../../server/src/cli/main.js';

export const REJECTS = join(CORPUS, 'gitlab-rejects');
export const REJECTS_BASELINE = join(__dirname, 'rejects-baseline.json');

export interface RejectCase {
  id: string;
  kind: 'negative' | 'positive';
  dir: string;
  keyword: string;
  /** Negatives: GitLab's message (a fragment where it ends with `…`) and 1-based line (null: not on one line of .gitlab-ci.yml). */
  error?: string;
  line?: number | null;
}

export interface Finding {
  file: string;
  line: number;
  severity: string;
  code: string;
  message: string;
}

export interface RejectResult {
  rejected: boolean;
  matched: boolean;
  /** Positives: no error from check and expand exits 0. */
  accepted: boolean;
  errors: Finding[];
  expandCode: number;
}

export function discoverRejectCases(): RejectCase[] {
  const out: RejectCase[] = [];
  for (const kind of ['negative', 'positive'] as const) {
    const root = join(REJECTS, kind);
    if (!existsSync(root)) continue;
    for (const name of readdirSync(root).sort()) {
      const dir = join(root, name);
      const expectedFile = join(dir, 'expected.json');
      if (!existsSync(expectedFile)) continue;
      const e = JSON.parse(readFileSync(expectedFile, 'utf8')) as { keyword?: string; keywords?: string[]; gitlab_error?: string; line?: number | null };
      out.push({ id: `${kind}/${name}`, kind, dir, keyword: e.keyword ?? (e.keywords ?? ['?'])[0], error: e.gitlab_error, line: e.line });
    }
  }
  return out;
}

/** GitLab's text and ours compared without case, quotes style or a trailing period. */
function norm(s: string): string {
  return s.toLowerCase().replace(/[`'"]/g, '').replace(/\s+/g, ' ').replace(/\.$/, '').trim();
}

export function messageMatches(expected: string, actual: string): boolean {
  const parts = expected.split('…').map(norm).filter(Boolean);
  const a = norm(actual);
  return parts.every((p) => a.includes(p));
}

export async function runRejectCase(c: RejectCase): Promise<RejectResult> {
  const check = await runCli(['check', c.dir, '--format', 'json'], { cwd: c.dir, env: {} });
  let findings: Finding[] = [];
  try {
    findings = JSON.parse(check.stdout) as Finding[];
  } catch {
    findings = [];
  }
  const errors = findings.filter((f) => f.severity === 'error');
  const expand = await runCli(['expand', c.dir], { cwd: c.dir, env: {} });
  const rejected = errors.length > 0 && expand.code !== 0;
  const matched = rejected && c.error !== undefined && errors.some((f) =>
    messageMatches(c.error!, f.message) && (c.line == null || (f.file.endsWith('.gitlab-ci.yml') && f.line === c.line)));
  return { rejected, matched, accepted: errors.length === 0 && expand.code === 0, errors, expandCode: expand.code };
}

export interface RejectsBaseline {
  /** Negatives rejected with GitLab's message at the expected line. */
  matched: string[];
  /** Negatives rejected (any error). */
  rejected: string[];
  /** Positives accepted. */
  accepted: string[];
}

export function readRejectsBaseline(): RejectsBaseline {
  if (!existsSync(REJECTS_BASELINE)) return { matched: [], rejected: [], accepted: [] };
  return JSON.parse(readFileSync(REJECTS_BASELINE, 'utf8')) as RejectsBaseline;
}
