/**
 * Parsing in top-level blocks (pipeline/yaml/yaml-blocks.ts) must give exactly what a whole parse
 * gives — the same nodes, values, spans, key spans, header and diagnostics — on every YAML file
 * of the corpus and of the examples, and after edits that reuse the blocks of the text before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MapNode, Node } from '../../server/src/pipeline/model.js';
import { parseYamlReusing, parseYamlWhole } from '../../server/src/pipeline/yaml/parse.js';
import type { ParsedFile } from '../../server/src/pipeline/yaml/parse.js';
import { splitBlocks } from '../../server/src/pipeline/yaml/yaml-blocks.js';
import { parseCached, prepareBlocks } from '../../server/src/pipeline/includes/includes.js';
import type { ParseCache } from '../../server/src/pipeline/includes/includes.js';

const repo = resolve(__dirname, '..', '..');
const corpus = resolve(repo, '..', 'shared', 'corpus');

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    if (e === 'node_modules' || e === '.git') continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(e) && !/^expected/.test(e)) out.push(p);
  }
  return out;
}

/** Everything a parse yields, as plain data (Map order and identity of shared nodes aside). */
function shape(n: Node | undefined, seen = new Map<Node, number>()): unknown {
  if (!n) return undefined;
  const span = n.span && [n.span.start, n.span.end];
  if (n.kind === 'scalar') return { s: n.value, span };
  if (n.kind === 'ref') return { ref: n.path, span };
  if (seen.has(n)) return { shared: seen.get(n) };
  seen.set(n, seen.size);
  if (n.kind === 'seq') return { seq: n.items.map((i) => shape(i, seen)), span };
  return { map: [...n.entries].map(([k, v]) => [k, n.keySpans.get(k) && [n.keySpans.get(k)!.start, n.keySpans.get(k)!.end], shape(v, seen)]), span };
}

function parsedShape(p: ParsedFile): unknown {
  return { header: shape(p.header), content: shape(p.content), empty: p.empty, diagnostics: p.diagnostics };
}

const files = [...yamlFiles(corpus), ...yamlFiles(join(repo, 'examples'))];

test(`every corpus and example YAML file (${files.length}) parses in blocks to what a whole parse gives`, () => {
  let cut = 0;
  let multiBlock = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const { parsed, blocks } = parseYamlReusing(f, text);
    if (blocks) {
      cut++;
      if ((splitBlocks(text)?.blocks.length ?? 0) > 1) multiBlock++;
    }
    assert.deepEqual(parsedShape(parsed), parsedShape(parseYamlWhole(f, text)), f);
  }
  assert.ok(files.length > 100, `corpus files found: ${files.length}`);
  // The block path must really be taken on most files, or this test proves nothing.
  assert.ok(cut > files.length * 0.8, `parsed in blocks: ${cut} of ${files.length}`);
  // Small files are one chunk (a kilobyte or so); the larger ones must be cut.
  assert.ok(multiBlock >= 25, `parsed in more than one chunk: ${multiBlock}`);
});

/** A small deterministic PRNG, so a failure names a reproducible edit. */
function rng(seed: number) {
  return () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

const EDITS: ((text: string, at: number, r: () => number) => string)[] = [
  (t, at) => t.slice(0, at) + 'x' + t.slice(at),
  (t, at) => t.slice(0, at) + t.slice(at + 1),
  (t, at) => t.slice(0, at) + '\n' + t.slice(at),
  (t, at) => t.slice(0, at) + '\nnew_job:\n  script: echo $NEW\n' + t.slice(at),
  (t, at) => t.slice(0, at) + ': ' + t.slice(at),
  (t, at) => t.slice(0, at) + '  - *anchor\n' + t.slice(at),
  (t, at) => t.slice(0, at) + '&a ' + t.slice(at),
  (t, at, r) => {
    const lineStart = t.lastIndexOf('\n', at) + 1;
    const lineEnd = t.indexOf('\n', at);
    const line = t.slice(lineStart, lineEnd < 0 ? t.length : lineEnd + 1);
    return r() < 0.5 ? t.slice(0, lineStart) + line + t.slice(lineStart) : t.slice(0, lineStart) + t.slice(lineStart + line.length);
  },
];

test('edits re-parsed with the blocks of the text before give what a whole parse gives (3 000 edits over 60 corpus files)', () => {
  const r = rng(20261206);
  const sample = files.filter((_, i) => i % Math.max(1, Math.floor(files.length / 60)) === 0).slice(0, 60);
  let reused = 0;
  for (const f of sample) {
    const cache: ParseCache = new Map();
    let text = readFileSync(f, 'utf8');
    parseCached(cache, f, text);
    let undo: string | undefined;
    for (let i = 0; i < 50; i++) {
      // Typing: an edit, and now and then its undo (a typo fixed), so texts stay mostly valid.
      const edit = EDITS[Math.floor(r() * EDITS.length)];
      if (undo !== undefined && r() < 0.6) [text, undo] = [undo, undefined];
      else [text, undo] = [edit(text, Math.floor(r() * (text.length + 1)), r), text];
      const before = cache.get(f)?.blocks;
      const parsed = parseCached(cache, f, text);
      if (before && cache.get(f)?.blocks) reused++;
      assert.deepEqual(parsedShape(parsed), parsedShape(parseYamlWhole(f, text)), `${f} after edit ${i}`);
    }
  }
  assert.ok(reused > 1500, `re-parses that reused blocks: ${reused}`);
});

test('anchors and aliases across blocks, merge keys, a header, duplicate blocks and layouts parsed whole', () => {
  const cases = [
    '.base: &base\n  image: ruby\n  script: [echo]\njob:\n  <<: *base\n  stage: test\nother:\n  image: *x\n',
    '.a: &a {x: 1}\n.b: &a {x: 2}\njob:\n  v: *a\n',
    'spec:\n  inputs:\n    a: {default: x}\n---\n.t: &t\n  s: $[[ inputs.a ]]\nj:\n  <<: *t\n',
    'job:\n  script: echo\njob:\n  script: echo\n',
    '---\njob:\n  script: echo\n',
    'job: {a: 1}\n[x]: 1\n',
    'job:\n  script: |\n    echo\n# comment\nnext: 1\n',
    'stages:\n- build\n- test\nbuild:\n  stage: build\n',
    'a: 1\r\nb: 2\r\n',
    'a: 1\rb: 2\r',
    'a: "x\ny"\nb: 2\n',
    '# only a comment\n',
    '',
    'spec:\n  inputs: {}\n---\n',
    'a: 1\n---\nb: 2\n',
    'a:\n  b: &deep [1, [2, [3]]]\nc: *deep\nd:\n  - *deep\n  - *deep\n',
  ];
  // Anchors used chunks away from where they are set: 300 jobs merging a template defined at the top.
  const script = (i: number) => Array.from({ length: 6 }, (_, k) => `    - echo job ${i} step ${k} with some padding to fill the chunk`).join('\n');
  const many = `.base: &base\n  image: ruby\n  tags: &tags [docker]\n${Array.from({ length: 300 }, (_, i) => `job${i}:\n  <<: *base\n  tags: *tags\n  script:\n${script(i)}\n`).join('')}`;
  for (const text of [...cases, many]) assert.deepEqual(parsedShape(parseYamlReusing('u', text).parsed), parsedShape(parseYamlWhole('u', text)), JSON.stringify(text.slice(0, 200)));
  assert.ok((parseYamlReusing('u', many).blocks?.size ?? 0) > 20, 'the long file is cut into chunks');
  assert.equal(parseYamlReusing('u', 'a: 1\n---\nb: 2\n').blocks, undefined, 'no spec header: parsed whole');
});

test('a re-parse reuses the yaml nodes of unchanged chunks and parses only the edited one', () => {
  // Twenty blocks of nearly 2 KB: several chunks whatever the keys hash to (a chunk stops at 16 KB).
  const body = (name: string) => `${name}:\n  script:\n${Array.from({ length: 40 }, (_, k) => `    - echo ${name} ${k} and some words to make it long`).join('\n')}\n`;
  const names = Array.from({ length: 20 }, (_, i) => `job-${i}`);
  const text = names.map(body).join('');
  const first = parseYamlReusing('u', text);
  const edited = text.replace('echo job-7 3 ', 'echo job-7 3 more ');
  const second = parseYamlReusing('u', edited, first.blocks);
  const before = new Set([...first.blocks!.values()].map((b) => b.doc));
  const after = [...second.blocks!.values()];
  assert.ok(after.length >= 3, `chunks: ${after.length}`);
  const reused = after.filter((b) => before.has(b.doc));
  assert.equal(reused.length, after.length - 1, 'every chunk but the edited one is reused, those after it too');
  const fresh = after.find((b) => !before.has(b.doc))!;
  assert.match(fresh.text, /echo job-7 3 more /);
  const c = second.parsed.content;
  assert.equal(c.kind, 'map');
  if (c.kind === 'map') assert.equal(c.keySpans.get('job-19')!.start, edited.indexOf('\njob-19:') + 1, 'spans after the edit moved with it');
});

test('in a re-parsed chunk, the entries an edit did not touch keep their nodes and key spans, moved', () => {
  // Small jobs: a chunk holds several of them.
  const job = (i: number) => `job-${i}:\n  stage: test\n  script: [echo ${i}]\n`;
  const text = `.t: &t {image: ruby}\n${Array.from({ length: 60 }, (_, i) => job(i)).join('')}aliased:\n  <<: *t\n`;
  const cache: ParseCache = new Map();
  parseCached(cache, 'u', text, true);
  const old = cache.get('u')!.parsed.content as MapNode;
  const edited = text.replace('script: [echo 30]', 'script: [echo 30, echo more]');
  const now = parseCached(cache, 'u', edited, true).content as MapNode;
  assert.notEqual(now.entries.get('job-30'), old.entries.get('job-30'), 'the edited job is new');
  const chunk = cache.get('u')!.blocks!.get([...cache.get('u')!.blocks!.keys()].find((t) => t.includes('echo more'))!)!;
  const neighbours = (chunk.doc!.contents as { items: { key: { value: string } }[] }).items.map((p) => p.key.value).filter((k) => k !== 'job-30');
  assert.ok(neighbours.length >= 3, `jobs re-parsed with job-30: ${neighbours.join(', ')}`);
  for (const k of neighbours) {
    assert.equal(now.entries.get(k), old.entries.get(k), `${k} keeps its node`);
    assert.equal(now.keySpans.get(k), old.keySpans.get(k), `${k} keeps its key span`);
    assert.equal(now.keySpans.get(k)!.start, edited.indexOf(`\n${k}:`) + 1, `${k}'s key span is where it is now`);
  }
  assert.deepEqual(parsedShape(parseCached(cache, 'u', edited, true)), parsedShape(parseYamlWhole('u', edited)));
  // A file parsed whole (read from disk), then typed in: its untouched entries keep their nodes, one with an alias does not.
  const whole: ParseCache = new Map();
  parseCached(whole, 'w', text);
  const w0 = whole.get('w')!.parsed.content as MapNode;
  const w1 = parseCached(whole, 'w', edited).content as MapNode;
  assert.equal(w1.entries.get('job-59'), w0.entries.get('job-59'));
  assert.equal(w1.keySpans.get('job-59')!.start, edited.indexOf('\njob-59:') + 1);
  assert.notEqual(w1.entries.get('aliased'), w0.entries.get('aliased'), 'an entry with an alias is converted again');
  assert.deepEqual(parsedShape(parseCached(whole, 'w', edited)), parsedShape(parseYamlWhole('w', edited)));
});

test('an open file parsed whole gets its blocks ahead of its first change, holding the whole parse\'s nodes', () => {
  const job = (i: number) => `job-${i}:\n  stage: test\n  variables:\n    A_${i}: "x"\n  script: [echo ${i}]\n`;
  const text = Array.from({ length: 80 }, (_, i) => job(i)).join('');
  const cache: ParseCache = new Map();
  const first = parseCached(cache, 'u', text, true);
  assert.equal(cache.get('u')!.blocks, undefined, 'the first parse is whole');
  const old = first.content as MapNode;
  prepareBlocks(cache, 'u');
  const prepared = cache.get('u')!;
  assert.ok(prepared.blocks && prepared.blocks.size > 3, `blocks: ${prepared.blocks?.size}`);
  assert.equal(prepared.parsed, first, 'the parsed file the analysis used stays');
  // Each block's conversion holds the whole parse's node of every entry.
  const converted = [...prepared.blocks!.values()].flatMap((b) => [...(b.converted?.values.values() ?? [])].map((c) => c.node));
  assert.equal(converted.length, 80);
  for (const n of converted) assert.ok([...old.entries.values()].includes(n));
  // The first keystroke re-parses one chunk: every job of the others, and the untouched ones of its own, keep their nodes.
  const edited = text.replace('script: [echo 40]', 'script: [echo 40, echo more]');
  const now = parseCached(cache, 'u', edited, true).content as MapNode;
  assert.notEqual(now.entries.get('job-40'), old.entries.get('job-40'));
  for (let i = 0; i < 80; i++) if (i !== 40) assert.equal(now.entries.get(`job-${i}`), old.entries.get(`job-${i}`), `job-${i} keeps its node`);
  assert.deepEqual(parsedShape(parseCached(cache, 'u', edited, true)), parsedShape(parseYamlWhole('u', edited)));
  // Blocks already there are left as they are.
  const blocks = cache.get('u')!.blocks;
  prepareBlocks(cache, 'u');
  assert.equal(cache.get('u')!.blocks, blocks);
});

test('a file that cannot be cut into blocks is prepared once: no parse again for blocks on every analysis', () => {
  // A document end marker: a layout not cut into blocks.
  const text = `job:\n  script:\n${Array.from({ length: 50 }, (_, i) => `    - echo ${i}`).join('\n')}\n...\n`;
  const cache: ParseCache = new Map();
  parseCached(cache, 'u', text, true);
  prepareBlocks(cache, 'u');
  const prepared = cache.get('u')!;
  assert.equal(prepared.blocks?.size, 0, 'marked as prepared, without blocks');
  prepareBlocks(cache, 'u');
  assert.equal(cache.get('u'), prepared, 'the second call does nothing');
  assert.equal(parseYamlWhole('u', text).diagnostics.length, 0);
  const edited = text.replace('echo 7', 'echo seven');
  assert.deepEqual(parsedShape(parseCached(cache, 'u', edited, true)), parsedShape(parseYamlWhole('u', edited)));
});
