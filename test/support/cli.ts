/** Fixtures for CLI tests: a temp folder holding given files, and the built CLI run in a folder. */
import { spawnSync } from 'node:child_process';
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
