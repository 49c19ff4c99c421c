/**
 * Every path a CLI command is given is checked before any work starts: a missing, unreadable or
 * wrong-kind path is a usage error (exit 2) with one line naming the option and the path.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';

/** A usage error of any command: one line on stderr, exit 2. */
export class CliUsageError extends Error {}

type Kind = 'folder' | 'file' | 'file or folder';

function kindOf(path: string): 'folder' | 'file' | 'missing' | 'unreadable' | 'other' {
  try {
    const s = statSync(path);
    return s.isDirectory() ? 'folder' : s.isFile() ? 'file' : 'other';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable';
  }
}

/** The absolute path of `value`, checked to be an existing, readable `kind`; `option` names it in the error. */
export function checkedPath(option: string, value: string, cwd: string, kind: Kind = 'folder'): string {
  const path = isAbsolute(value) ? value : resolve(cwd, value);
  const found = kindOf(path);
  const fail = (why: string) => new CliUsageError(`${option} ${value}: ${why}`);
  if (found === 'missing') throw fail(`no such ${kind}`);
  if (found === 'unreadable') throw fail('not readable');
  if (kind !== 'file or folder' && found !== kind) throw fail(`not a ${kind}`);
  if (found === 'other') throw fail('not a file or folder');
  try {
    accessSync(path, found === 'folder' ? constants.R_OK | constants.X_OK : constants.R_OK);
  } catch {
    throw fail(`not readable`);
  }
  return path;
}

/** A folder the command writes into (a cache): an existing writable folder, or a new one in an existing folder. */
export function checkedWritableFolder(option: string, value: string, cwd: string): string {
  const path = isAbsolute(value) ? value : resolve(cwd, value);
  const found = kindOf(path);
  if (found === 'unreadable') throw new CliUsageError(`${option} ${value}: not readable`);
  if (found === 'missing') {
    if (kindOf(dirname(path)) !== 'folder') throw new CliUsageError(`${option} ${value}: no such folder, nor a folder to create it in`);
    return path;
  }
  if (found !== 'folder') throw new CliUsageError(`${option} ${value}: not a folder`);
  try {
    accessSync(path, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch {
    throw new CliUsageError(`${option} ${value}: not writable`);
  }
  return path;
}

/** `KEY=VALUE` pairs of a repeatable option. */
export function keyValuePairs(option: string, values: string[] | undefined, shape = 'KEY=VALUE'): [string, string][] {
  return (values ?? []).map((v) => {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new CliUsageError(`${option} expects ${shape}, got \`${v}\``);
    return [v.slice(0, eq), v.slice(eq + 1)];
  });
}
