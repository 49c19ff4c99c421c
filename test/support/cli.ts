/** Fixtures for CLI tests: a temp folder holding given files, and the built CLI run in a folder. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from './lsp-client.js';

/** A fresh temp folder with these files (paths relative to it, folders created). */
export function tempFolder(files: Record<string, string>, prefix = 'gcp-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

/** `dist/cli.js ARGS` in `cwd`: status, stdout and stderr. */
export function cliIn(cwd: string, args: string[]) {
  return spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], { cwd, encoding: 'utf8' });
}

/**
 * `dist/cli.js ARGS` in `cwd` as a child process without blocking this one (so a GitLab stand-in
 * served from this process keeps answering), with exactly the environment `env`.
 */
export function cliAsync(cwd: string, args: string[], env: Record<string, string | undefined>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'dist', 'cli.js'), ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
