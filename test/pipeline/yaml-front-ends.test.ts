/**
 * The fast front ends must give exactly what the `yaml` package gives — the same nodes, values,
 * types, spans, key spans, header and diagnostics — or step aside: the line scanner
 * (pipeline/yaml/block-yaml.ts: plain block YAML straight to engine nodes) and the event stream
 * (pipeline/yaml/yaml-events.ts: js-yaml's events → the `yaml` package's nodes). Checked on every
 * YAML file of the corpus and the examples (as written and with CRLF line breaks), on thousands of
 * random edits of them, and on the layouts where the packages' ideas of a node's end differ.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseYamlWhole, plainFrontTakes } from '../../server/src/pipeline/yaml/parse.js';
import { parseYamlEvents } from '../../server/src/pipeline/yaml/yaml-events.js';

const repo = resolve(__dirname, '..', '..');
const corpus = resolve(repo, '..', 'shared', 'corpus');
const OPTIONS = { version: '1.1' as const, merge: true, uniqueKeys: false };

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    if (e === 'node_modules' || e === '.git') continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(e)) out.push(p);
  }
  return out;
}

/** Every front end on `text`; whether the event stream (`fast`) and the line scanner (`plain`) took it. */
function both(text: string): { fast: boolean; plain: boolean } {
  const uri = 'file:///x.yml';
  const shown = JSON.stringify(text.length > 600 ? text.slice(0, 600) + '…' : text);
  const viaYaml = parseYamlWhole(uri, text, 'yaml');
  assert.deepStrictEqual(parseYamlWhole(uri, text, 'events'), viaYaml, shown);
  assert.deepStrictEqual(parseYamlWhole(uri, text, 'plain'), viaYaml, shown);
  return { fast: parseYamlEvents(text, OPTIONS) !== undefined, plain: plainFrontTakes(text) };
}

const files = [...yamlFiles(corpus), ...yamlFiles(join(repo, 'examples'))];

test(`every corpus and example YAML file (${files.length}, LF and CRLF) parses to what the yaml package gives`, () => {
  let fast = 0;
  let plain = 0;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const t of [text, text.replace(/\r?\n/g, '\r\n')]) {
      const took = both(t);
      if (took.fast) fast++;
      if (took.plain) plain++;
    }
  }
  assert.ok(files.length > 100, `corpus files found: ${files.length}`);
  // The fast front ends must really be taken, or this test proves nothing (the line scanner leaves CRLF texts to the others).
  assert.ok(fast > files.length * 2 * 0.95, `event stream taken on ${fast} of ${files.length * 2}`);
  assert.ok(plain > files.length * 0.6, `line scanner taken on ${plain} of ${files.length} LF texts`);
});

const small = files.filter((f) => statSync(f).size < 12_000);
const RUNS = 2500;

/**
 * `RUNS` random edits of small corpus files (a deterministic PRNG, so a failure names a
 * reproducible text), each compared by `both`; how many the fast front end took, and how many of
 * those parse without an error.
 */
function randomEdits(seed: number, edit: (text: string, r: () => number, pick: <T>(a: readonly T[]) => T) => string): { fast: number; clean: number; plain: number } {
  const r = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  let fast = 0;
  let clean = 0;
  let plain = 0;
  for (let k = 0; k < RUNS; k++) {
    const text = edit(readFileSync(pick(small), 'utf8'), r, pick);
    const took = both(text);
    if (took.plain) plain++;
    if (!took.fast) continue;
    fast++;
    if (!parseYamlWhole('file:///x.yml', text).diagnostics.some((d) => d.severity === 'error')) clean++;
  }
  return { fast, clean, plain };
}

const LINES = ['# c', '', '  # c', '    # c', '      # c', '   ', '- x', 'k:', 'k: # c', '  k:', '  - ', 'k: |', '  k: v', 'k: &a', 'k: *a', 'k: [a, ]', "k: 'a'", 'k: "a\\n"', '  k: >-', '\t', 'k: {a: 1}', '- &b x', '<<: *b', 'k: !reference [a]', '? k', ': v', 'k: yes', 'k: 0o12', 'k: 012', 'k: 1:30', 'k: .5', 'k: ~', 'k: !reference .x:', 'k: - a', 'k: |+', '  k: >+', 'k: |2', '    text', 'k: &x [a]', '- k: v', '  - - a'];

test('random line edits of corpus files: the same result from both front ends', () => {
  const { fast, clean, plain } = randomEdits(20261207, (text, r, pick) => {
    const lines = text.split('\n');
    for (let j = 1 + Math.floor(r() * 3); j > 0; j--) {
      const at = Math.floor(r() * lines.length);
      const indent = ' '.repeat(Math.floor(r() * 4) * 2);
      const what = r();
      if (what < 0.5) lines.splice(at, 0, indent + pick(LINES));
      else if (what < 0.7) lines.splice(at, 1);
      else if (what < 0.85) lines[at] = ' ' + (lines[at] ?? '');
      else lines[at] = (lines[at] ?? '') + pick([' # c', '   ', ':', ' x']);
    }
    return lines.join(r() < 0.2 ? '\r\n' : '\n');
  });
  assert.ok(fast > RUNS * 0.25 && clean > RUNS * 0.2, `fast front end taken on ${fast} of ${RUNS} edits, ${clean} of them without errors`);
  assert.ok(plain > RUNS * 0.1, `line scanner taken on ${plain} of ${RUNS} edits`);
});

const CHARS = [' ', '\n', ':', '-', '#', '"', "'", '[', ']', '{', '}', ',', '&', '*', '!', '|', '>', '?', '%', '@', '`', '\\', '\t', '  ', '\n  ', ': ', '- ', ' #', '0', 'y', '~', '.', '<<'];

test('random character edits of corpus files: the same result from both front ends', () => {
  const { fast, plain } = randomEdits(7, (text, r, pick) => {
    for (let j = 1 + Math.floor(r() * 2); j > 0; j--) {
      const at = Math.floor(r() * text.length);
      text = r() < 0.7 ? text.slice(0, at) + pick(CHARS) + text.slice(at) : text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 3));
    }
    return text;
  });
  assert.ok(fast > RUNS * 0.25, `fast front end taken on ${fast} of ${RUNS} edits`);
  assert.ok(plain > RUNS * 0.15, `line scanner taken on ${plain} of ${RUNS} edits`);
});

test('layouts where the packages place node ends differently: same spans, or the yaml package parses', () => {
  const cases = [
    // Comment lines below a collection: kept in it when indented as deep as it.
    'job:\n  script:\n    - a\n    # - b\n\n  stage: test\n',
    'job:\n  script:\n    - a\n   # three\n  stage: test\n',
    'job:\n  script:\n    - a\n  # two\nnext: 1\n',
    'job:\n  script:\n    - a\n      # deeper\nnext: 1\n',
    'job:\n  script:\n    - a\n# zero\n    # four\nnext: 1\n',
    'a:\n  b: 1\n  # c2\n\n\n',
    'a: 1\n  # indented at the end\n',
    'a: {}\n    # c\n',
    // Empty values.
    'a:\nb: 1\n',
    'a:   \nb: 1\n',
    'a: # c\nb: 1\n',
    'a:\n  b:\n  # c\nz: 1\n',
    '.setup:\n  script: # c\n',
    'a:\n',
    // Block scalars: header comments, chomping, trailing blank lines, empty.
    'a: |  # c\n  lit\nb: >-\n  f\n\n\nc: 1\n',
    'a: |+\n  keep\n\n\nb: 1\n',
    'k: |\n  \n    reports: x\n',
    // What js-yaml takes and YAML does not.
    'rspec:\n  script: !reference .setup:\n',
    'a: - b\n',
    // Flow collections, anchors, merge keys, tags, a header document.
    'a: [x,\n  y, ]  # c\nb: { c: *x }\n',
    '.t: &t\n  k: v\njob:\n  <<: *t\n  script: [!reference [.t, k]]\n',
    'spec:\n  inputs:\n    x:\n---\njob:\n  script: $[[ inputs.x ]]\n',
    'a: !custom 1\n',
    // Anchors YAML refuses or places elsewhere.
    'job:\n  services:\n    &- name: x\n  script: y\n',
    'img: &$[[ inputs.image ]]\n',
    '&# not a comment\n.t:\n  k: v\n',
    'k: &a\n  x: 1\nj: *a\n',
    'k: [*a]\n',
    'a: b\n  \t\n',
    // Typing as GitLab's Psych does, anchors named again, aliases to nothing, merge lists, documents.
    'a: 0x1F\nb: 0b101\nc: 1_000\nd: 1e3\ne: .inf\nf: -.Inf\ng: .NaN\nh: 0o17\ni: 012\nj: 1:30\n',
    'a: null\nb: Null\nc: ~\nd:\ne: NULL\nf: Yes\ng: OFF\nh: y\ni: 2001-12-14t21:59:43.10-05:00\n',
    'a: &x 1\nb: &x 2\nc: *x\nd: *nothing\n',
    'a:\n  <<: [{x: 1}, {y: 2}]\n  x: 3\n',
    '--- \na: 1\n...\n',
    'a: 1\n---\nb: 2\n',
    `${'k'.repeat(1100)}: v\n`,
  ];
  for (const text of cases) {
    both(text);
    both(text.replace(/\n/g, '\r\n'));
  }
});

test('the line scanner takes the layouts CI files are written in, as the yaml package reads them, and leaves the rest', () => {
  const taken = [
    // Sequences indented or not under their key, compact mappings in items, nested blocks after a comment.
    'job:\n  script:\n  - a\n  - b\n  stage: test\n',
    'job:\n  rules:\n    - if: $A == "x"\n      when: never\n    - when: always\n',
    'job:\n  rules:\n    - changes:\n      - a/**/*\n      when: manual\n',
    'job: # the job\n  # its script\n  script: # below\n    - a # first\n\n    # between\n    - b\n# end\n',
    // Quoted keys and values, escapes, `#` and `:` inside values, typed keys and values.
    '"job one":\n  variables:\n    \'A\': "x\\ty \\"z\\" \\u00e9"\n    B: \'it\'\'s\'\n    C: a#b c:d http://x/y\n',
    'on: 1\n10: 2\nk: no\nnull: ~\na: 0o17\nb: 012\nc: 1:30\nd: .NaN\ne: .\n',
    'a: -x\nb: --flag=1\nc: "multi word"  # c\n',
    // Flow sequences and references.
    'job:\n  extends: [.a, ".b"]\n  needs: []\n  script: !reference [.x, script]\n  after_script:\n    - !reference [.y, after_script]\n    - echo\n',
    // Empty values.
    'a:\nb: 1\n',
    'a:\n  b:\nc: 1\n',
    '- a\n- b: 1\n  c: 2\n',
    'a: 1',
  ];
  const left = [
    'a: |\n  x\n',
    'a: >-\n  x\n',
    'a: &x 1\nb: *x\n',
    'a:\n  <<: {x: 1}\n',
    'a: {x: 1}\n',
    'a: b\n  c\n',
    'a: "b\n  c"\n',
    'a: [b,\n  c]\n',
    'a: [b, ]\n',
    'a: 1\na: 2\n',
    'a: !custom 1\n',
    'a: !reference [1]\n',
    'a: b: c\n',
    '- - a\n',
    '---\na: 1\n',
    '  a: 1\n',
    'a:\tb\n',
    'a: "\\q"\n',
    'a: 1\n# only a comment after an empty value follows\nb:\n# c\n',
    '',
    '# nothing\n',
  ];
  for (const text of taken) {
    assert.ok(plainFrontTakes(text), `taken: ${JSON.stringify(text)}`);
    both(text);
  }
  for (const text of left) {
    assert.ok(!plainFrontTakes(text), `left: ${JSON.stringify(text)}`);
    both(text);
  }
});
