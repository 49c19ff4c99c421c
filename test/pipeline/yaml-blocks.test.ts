/**
 * Parsing in top-level blocks (pipeline/yaml-blocks.ts) must give exactly what a whole parse
 * gives — the same nodes, values, spans, key spans, header and diagnostics — on every YAML file
 * of the corpus and of the examples, and after edits that reuse the blocks of the text before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Node } from '../../server/src/pipeline/model.js';
import { parseYamlReusing, parseYamlWhole } from '../../server/src/pipeline/parse.js';
import type { ParsedFile } from '../../server/src/pipeline/parse.js';
import { splitBlocks } from '../../server/src/pipeline/yaml-blocks.js';
import { parseCached } from '../../server/src/pipeline/includes.js';
import type { ParseCache } from '../../server/src/pipeline/includes.js';

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
  assert.ok(multiBlock > files.length * 0.5, `parsed in more than one block: ${multiBlock}`);
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
  for (const text of cases) assert.deepEqual(parsedShape(parseYamlReusing('u', text).parsed), parsedShape(parseYamlWhole('u', text)), JSON.stringify(text));
  assert.equal(parseYamlReusing('u', cases[0]).blocks?.size, 3, 'three blocks');
  assert.equal(parseYamlReusing('u', 'a: 1\n---\nb: 2\n').blocks, undefined, 'no spec header: parsed whole');
});

test('a re-parse reuses the yaml nodes of unchanged blocks and parses only the edited one', () => {
  const text = 'a:\n  script: echo a\nb:\n  script: echo b\nc:\n  script: echo c\n';
  const first = parseYamlReusing('u', text);
  const edited = text.replace('echo b', 'echo bb');
  const second = parseYamlReusing('u', edited, first.blocks);
  const docs = (m: typeof first.blocks) => [...m!.values()].map((b) => b.doc);
  const [a1, b1, c1] = docs(first.blocks);
  const [a2, b2, c2] = docs(second.blocks);
  assert.equal(a2, a1);
  assert.equal(c2, c1, 'a block that moved is reused');
  assert.notEqual(b2, b1);
  const c = second.parsed.content;
  assert.equal(c.kind, 'map');
  if (c.kind === 'map') assert.equal(c.keySpans.get('c')!.start, edited.indexOf('c:'));
});
