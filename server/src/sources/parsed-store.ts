/**
 * Parsed files on disk, so that a language server started again (a window reloaded, the editor
 * reopened) reads a big library's parsed files instead of parsing them: V8's deserializer rebuilds
 * a parsed file several times faster than the `yaml` package parses it. (A file the line scanner
 * reads — yaml/block-yaml.ts — is parsed about as fast as it reads back: includes.ts does not store it.)
 *
 *   <cacheDir>/v1/parsed/<build>/<sha256 of uri + text>.bin     v8.serialize(ParsedFile)
 *
 * `<build>` names the server build (a hash of its script), so a new build never reads what another
 * parsed; the folders of other builds are removed when this one first writes. An entry answers
 * only for the very uri and text it was parsed from (both are stored and compared), an entry that
 * does not read back is removed, and a folder that cannot be written leaves the store unused.
 * Writes wait until the analysis that parsed the file is done (they are off the path to the
 * first diagnostics) and for a pause in typing (`busy()`), and go through a temporary file and a rename.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { ParsedStore } from '../pipeline/includes/includes.js';
import type { ParsedFile } from '../pipeline/yaml/parse.js';
import { CACHE_LAYOUT, writeAtomic } from './project-cache.js';

/** Below this size a file parses about as fast as it reads back: not stored. */
export const MIN_STORED_CHARS = 16 * 1024;
/** Entries and bytes kept per build; past either, the least recently written go down to half. */
export const MAX_STORED_FILES = 2000;
export const MAX_STORED_BYTES = 256 * 1024 * 1024;

/** A short hash of the running server script (undefined when it cannot be read). */
export function serverBuild(script: string | undefined = (typeof require === 'function' ? require.main?.filename : undefined) ?? process.argv[1]): string | undefined {
  if (!script) return undefined;
  try {
    return createHash('sha256').update(readFileSync(script)).digest('hex').slice(0, 16);
  } catch {
    return undefined;
  }
}

export class DiskParsedStore implements ParsedStore {
  readonly dir: string;
  private queue = new Map<string, ParsedFile>();
  private timer: NodeJS.Timeout | undefined;
  private cleaned = false;
  private broken = false;
  /** When the documents last changed (`busy()`): writes wait for a pause in typing. */
  private lastBusy = 0;

  constructor(
    readonly cacheDir: string,
    private readonly build: string,
    private readonly opts: { delayMs?: number; minChars?: number; maxFiles?: number; maxBytes?: number } = {},
  ) {
    this.dir = join(cacheDir, CACHE_LAYOUT, 'parsed', build);
  }

  private pathOf(uri: string, text: string): string {
    return join(this.dir, `${createHash('sha256').update(uri).update('\u0000').update(text).digest('hex')}.bin`);
  }

  private stored(text: string): boolean {
    return !this.broken && text.length >= (this.opts.minChars ?? MIN_STORED_CHARS);
  }

  get(uri: string, text: string): ParsedFile | undefined {
    if (!this.stored(text)) return undefined;
    const path = this.pathOf(uri, text);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      return undefined;
    }
    try {
      const parsed = deserialize(bytes) as ParsedFile;
      if (parsed && parsed.uri === uri && parsed.text === text && parsed.content) return parsed;
    } catch {
      // written by something else, or cut short: parsed again below and written anew
    }
    rmSync(path, { force: true });
    return undefined;
  }

  put(uri: string, text: string, parsed: ParsedFile): void {
    if (!this.stored(text)) return;
    this.queue.set(this.pathOf(uri, text), parsed);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.opts.delayMs ?? 2000);
      this.timer.unref();
    }
  }

  /** The documents changed: queued writes wait until they have not for `delayMs` (a write is a pause in the analysis of a keystroke). */
  busy(): void {
    this.lastBusy = Date.now();
  }

  /** Write what is queued, one file per turn of the event loop (requests in between are answered), in a pause in typing. */
  flush(): void {
    this.timer = undefined;
    const wait = this.lastBusy + (this.opts.delayMs ?? 2000) - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => this.flush(), wait);
      this.timer.unref();
      return;
    }
    if (!this.writeOne() || !this.queue.size) return;
    this.timer = setTimeout(() => this.flush(), 0);
    this.timer.unref();
  }

  /** Write everything queued now (the server is shutting down). */
  flushAll(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.size && this.writeOne());
  }

  /** Write the oldest queued file; false when the folder cannot be written (the store is then unused). */
  private writeOne(): boolean {
    const next = this.queue.entries().next();
    if (next.done) return true;
    const [path, parsed] = next.value;
    this.queue.delete(path);
    try {
      if (!this.cleaned) this.clean();
      writeAtomic(path, serialize(parsed));
      return true;
    } catch {
      this.broken = true;
      this.queue.clear();
      return false;
    }
  }

  /** Once per session: other builds' folders go, and the oldest entries past the limit. */
  private clean(): void {
    this.cleaned = true;
    const parent = join(this.cacheDir, CACHE_LAYOUT, 'parsed');
    for (const name of safeList(parent)) if (name !== this.build) rmSync(join(parent, name), { recursive: true, force: true });
    const entries = safeList(this.dir)
      .filter((n) => n.endsWith('.bin'))
      .map((n) => ({ path: join(this.dir, n), ...statOf(join(this.dir, n)) }));
    const maxFiles = this.opts.maxFiles ?? MAX_STORED_FILES;
    const maxBytes = this.opts.maxBytes ?? MAX_STORED_BYTES;
    let bytes = entries.reduce((sum, e) => sum + e.size, 0);
    if (entries.length < maxFiles && bytes < maxBytes) return;
    entries.sort((a, b) => a.at - b.at);
    let count = entries.length;
    for (const e of entries) {
      if (count <= maxFiles / 2 && bytes <= maxBytes / 2) break;
      rmSync(e.path, { force: true });
      count--;
      bytes -= e.size;
    }
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function statOf(path: string): { at: number; size: number } {
  try {
    const s = statSync(path);
    return { at: s.mtimeMs, size: s.size };
  } catch {
    return { at: 0, size: 0 };
  }
}
