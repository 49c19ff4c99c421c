/**
 * Parsed files on disk (server/src/sources/parsed-store.ts): what a restarted server reads back is
 * what parsing gives — for every YAML file of the corpus — and only for the same uri and text; a
 * damaged entry, another build's folder and a folder that cannot be written are handled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../support/lsp-client.js';
import { pathToFileURL } from 'node:url';
import { DiskParsedStore, serverBuild } from '../../server/src/sources/parsed-store.js';
import { parseYaml } from '../../server/src/pipeline/yaml/parse.js';
import { parseCached } from '../../server/src/pipeline/includes/includes.js';
import type { ParseCache } from '../../server/src/pipeline/includes/includes.js';

const CORPUS = join(repoRoot, '..', 'shared', 'corpus');

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(name) && !name.startsWith('expected')) out.push(p);
  }
  return out;
}

/** `fn` in a fresh temporary folder, removed afterwards (after its promise settles, for an async `fn`). */
function inTempDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-parsed-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  let out: T;
  try {
    out = fn(dir);
  } catch (e) {
    remove();
    throw e;
  }
  if (out instanceof Promise) return out.finally(remove) as T;
  remove();
  return out;
}

/** One small file parsed, handed to the store and written. */
function storeOne(store: DiskParsedStore, uri: string, text: string): void {
  store.put(uri, text, parseYaml(uri, text));
  store.flushAll();
}

const entries = (store: DiskParsedStore) => (existsSync(store.dir) ? readdirSync(store.dir).filter((n) => n.endsWith('.bin')) : []);

test('every corpus YAML file reads back from disk as it parses (anchors, !reference, headers, errors)', () =>
  inTempDir((dir) => {
    const files = yamlFiles(CORPUS);
    assert.ok(files.length > 300, `corpus files: ${files.length}`);
    const writer = new DiskParsedStore(dir, 'build-a', { minChars: 0 });
    const parsed = files.map((p) => {
      const uri = pathToFileURL(p).href;
      const text = readFileSync(p, 'utf8');
      const file = parseYaml(uri, text);
      writer.put(uri, text, file);
      return { uri, text, file };
    });
    writer.flushAll();
    const reader = new DiskParsedStore(dir, 'build-a', { minChars: 0 });
    let withAliases = 0;
    for (const { uri, text, file } of parsed) {
      const back = reader.get(uri, text);
      assert.deepStrictEqual(back, file, uri);
      if (/^\s*[^#\n]*\*[A-Za-z]/m.test(text)) withAliases++;
    }
    assert.ok(withAliases > 10, `files with aliases: ${withAliases}`);
  }));

test('an entry answers only for its uri and text; a damaged one is removed and parsed again', () =>
  inTempDir((dir) => {
    const text = `.t:\n  script: [echo "\${A?needed}"]\n${'# padding\n'.repeat(50)}`;
    const uri = 'file:///lib/a.yml';
    const store = new DiskParsedStore(dir, 'b', { minChars: 0 });
    store.put(uri, text, parseYaml(uri, text));
    store.flushAll();
    assert.equal(entries(store).length, 1);
    assert.ok(store.get(uri, text));
    assert.equal(store.get('file:///lib/b.yml', text), undefined);
    assert.equal(store.get(uri, text + ' '), undefined);
    writeFileSync(join(store.dir, entries(store)[0]), 'not a serialized value');
    assert.equal(store.get(uri, text), undefined);
    assert.equal(entries(store).length, 0, 'the damaged entry is gone');
    // Through the parse cache: a miss parses and queues the write; the next session reads it.
    const cache: ParseCache = Object.assign(new Map(), { store });
    const first = parseCached(cache, uri, text);
    store.flushAll();
    const next: ParseCache = Object.assign(new Map(), { store: new DiskParsedStore(dir, 'b', { minChars: 0 }) });
    const again = parseCached(next, uri, text);
    assert.notEqual(again, first, 'read from disk, not the same object');
    assert.deepStrictEqual(again, first);
  }));

test('small files are not stored; other builds are cleared; the oldest entries go past the limit', () =>
  inTempDir((dir) => {
    const small = new DiskParsedStore(dir, 'b');
    storeOne(small, 'file:///s.yml', 'a: 1\n');
    assert.equal(entries(small).length, 0);
    const old = new DiskParsedStore(dir, 'old', { minChars: 0 });
    storeOne(old, 'file:///o.yml', 'o: 1\n');
    assert.ok(existsSync(old.dir));
    const store = new DiskParsedStore(dir, 'new', { minChars: 0, maxFiles: 4 });
    for (let i = 0; i < 6; i++) {
      const t = `k${i}: ${i}\n`;
      store.put(`file:///f${i}.yml`, t, parseYaml(`file:///f${i}.yml`, t));
    }
    store.flushAll();
    assert.equal(existsSync(old.dir), false, "another build's folder is removed");
    assert.equal(entries(store).length, 6, 'the limit is checked once per session, before the first write');
    const later = new DiskParsedStore(dir, 'new', { minChars: 0, maxFiles: 4 });
    storeOne(later, 'file:///g.yml', 'g: 1\n');
    assert.equal(entries(later).length, 3, 'past the limit: trimmed to half of it, then the new entry');
    const bytesCapped = new DiskParsedStore(dir, 'new', { minChars: 0, maxBytes: 1 });
    storeOne(bytesCapped, 'file:///h.yml', 'h: 1\n');
    assert.equal(entries(bytesCapped).length, 1, 'past the byte limit: the older entries go');
  }));

test('a cache folder that cannot be written leaves the store unused', () =>
  inTempDir((dir) => {
    writeFileSync(join(dir, 'a-file'), 'not a folder');
    const store = new DiskParsedStore(join(dir, 'a-file'), 'b', { minChars: 0 });
    store.put('file:///a.yml', 'a: 1\n', parseYaml('file:///a.yml', 'a: 1\n'));
    assert.doesNotThrow(() => store.flushAll());
    assert.equal(store.get('file:///a.yml', 'a: 1\n'), undefined);
    store.put('file:///b.yml', 'b: 1\n', parseYaml('file:///b.yml', 'b: 1\n'));
    assert.doesNotThrow(() => store.flushAll());
  }));

test('the build names the server script by its content', () =>
  inTempDir((dir) => {
    writeFileSync(join(dir, 'a.js'), 'one');
    writeFileSync(join(dir, 'b.js'), 'two');
    assert.match(serverBuild(join(dir, 'a.js')) ?? '', /^[0-9a-f]{16}$/);
    assert.notEqual(serverBuild(join(dir, 'a.js')), serverBuild(join(dir, 'b.js')));
    assert.equal(serverBuild(join(dir, 'missing.js')), undefined);
  }));

test('queued writes wait for a pause in typing, then go out one per turn', () =>
  inTempDir(async (dir) => {
    const store = new DiskParsedStore(dir, 'build-a', { minChars: 0, delayMs: 150 });
    for (let i = 0; i < 3; i++) store.put(`file:///w/f${i}.yml`, `job${i}:\n  script: [echo ${i}]\n`, parseYaml(`file:///w/f${i}.yml`, `job${i}:\n  script: [echo ${i}]\n`));
    // Keystrokes every 50 ms for 600 ms: nothing is written meanwhile.
    for (let t = 0; t < 12; t++) {
      store.busy();
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(entries(store).length, 0, `written while typing (${t * 50} ms)`);
    }
    const start = Date.now();
    while (entries(store).length < 3 && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 20));
    assert.equal(entries(store).length, 3);
    assert.ok(Date.now() - start >= 100, `written ${Date.now() - start} ms after the last keystroke`);
  }));
