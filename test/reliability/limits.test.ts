/**
 * GitLab's limits, reported as positioned diagnostics, and bounded time and memory for input made
 * to exhaust them: alias bombs and oversized files (`max_yaml_size_bytes`, 2 MB of parsed YAML
 * since GitLab 17.3), deep nesting (`max_yaml_depth`, 100), include graphs (`ci_max_includes`,
 * 150; nesting 100), cycles in includes, `extends` and `!reference`, and fan-outs of references.
 * Pathological expansions run in a child process with a 512 MB heap and a 60 s deadline
 * (bounded.ts): a protection that stops working fails its test instead of hanging the run.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MAX_YAML_DEPTH, MAX_YAML_SIZE, parseYaml } from '../../server/src/pipeline/yaml/parse.js';
import { MAX_INCLUDES } from '../../server/src/pipeline/includes/includes.js';
import { MAX_REFERENCE_EXPANSION } from '../../server/src/pipeline/merge/references.js';
import { LspClient, repoRoot } from '../support/lsp-client.js';
import { expandFiles } from '../support/engine.js';
import { expandBounded } from './bounded.js';
import { ALIAS_BOMB, deepBlock, deepFlow, referenceBomb } from './pathological.js';
import type { BoundedResult } from './bounded.js';

const figures = (r: BoundedResult) => `${r.ms.toFixed(0)} ms, peak RSS ${r.maxRssMb.toFixed(0)} MB`;
const codes = (r: BoundedResult) => [...new Set(r.diagnostics.map((d) => d.code))].sort();

const REFERENCE_BOMB = referenceBomb(9);

test('an alias bomb is "The parsed YAML is too big", at the alias that crosses GitLab\'s 2 MB, in bounded time and memory', (t) => {
  const r = expandBounded({ '.gitlab-ci.yml': ALIAS_BOMB });
  t.diagnostic(figures(r));
  const big = r.diagnostics.filter((d) => d.code === 'yaml-too-large');
  assert.equal(big.length, 1, JSON.stringify(r.diagnostics));
  assert.match(big[0].message, /^The parsed YAML is too big: more than 2\.0 MB once loaded \(max_yaml_size_bytes; every use of an alias counts\)$/);
  assert.equal(ALIAS_BOMB[big[0].start], '*', `positioned at an alias, not at ${JSON.stringify(ALIAS_BOMB.slice(big[0].start, big[0].end))}`);
  assert.deepEqual(r.jobs, [], 'the file is rejected as a whole, as GitLab rejects it');
});

test('aliases under the limit are loaded: every use counted, none refused', () => {
  const text = `.list: &list [${Array.from({ length: 20 }, (_, i) => `"item ${i}"`).join(', ')}]\n${Array.from({ length: 300 }, (_, i) => `job${i}:\n  script: *list\n`).join('')}`;
  const p = parseYaml('file:///ci.yml', text);
  assert.deepEqual(p.diagnostics, []);
  assert.equal(p.content.kind === 'map' && p.content.entries.size, 301);
});

test(`a file over ${MAX_YAML_SIZE / 1024 / 1024} MB of text is not read at all: one diagnostic where the limit is crossed, at once`, (t) => {
  const line = '    - echo a line of a generated script that goes on and on\n';
  const text = `job:\n  script:\n${line.repeat(Math.ceil((10 * 1024 * 1024) / line.length))}`;
  const r = expandBounded({ '.gitlab-ci.yml': text });
  t.diagnostic(figures(r));
  assert.deepEqual(r.diagnostics.map((d) => [d.code, d.message, d.start]), [
    ['yaml-too-large', "The provided YAML is too big: the file holds 10.0 MB of text, more than GitLab's limit of 2.0 MB (max_yaml_size_bytes); it is not read", MAX_YAML_SIZE],
  ]);
  assert.ok(r.ms < 5_000, `not parsed: ${r.ms} ms`);
});

test('a file whose parsed YAML takes more than 2 MB (Ruby object sizes, as GitLab measures) is rejected where it crosses; a 300 KB one is not', () => {
  const jobs = (bytes: number) => {
    let s = '';
    for (let i = 0; s.length < bytes; i++) s += `job${i}:\n  stage: test\n  script:\n    - echo building the thing number ${i}\n    - make test\n`;
    return s;
  };
  assert.deepEqual(parseYaml('file:///ci.yml', jobs(300_000)).diagnostics, []);
  const text = jobs(1_000_000);
  const [d, ...rest] = parseYaml('file:///ci.yml', text).diagnostics;
  assert.deepEqual(rest, []);
  assert.equal(d.code, 'yaml-too-large');
  assert.match(d.message, /^The parsed YAML is too big: more than 2\.0 MB once loaded/);
  assert.ok(d.span.start > 200_000 && d.span.start < 500_000, `crossed where 2 MB of objects are reached, not at ${d.span.start}`);
});

test(`nesting: ${MAX_YAML_DEPTH} hashes and arrays deep is accepted, one more is "too big" at the level that crosses`, () => {
  // The root hash is level 1, `a`'s list level 2: 99 lists under the root make 100 levels.
  const nested = (levels: number) => `a: ${'['.repeat(levels)}x${']'.repeat(levels)}\n`;
  assert.deepEqual(parseYaml('file:///ci.yml', nested(MAX_YAML_DEPTH - 1)).diagnostics, []);
  const text = nested(MAX_YAML_DEPTH);
  const [d, ...rest] = parseYaml('file:///ci.yml', text).diagnostics;
  assert.deepEqual(rest, []);
  assert.equal(d.message, 'The parsed YAML is too big: it nests more than 100 levels deep (max_yaml_depth)');
  assert.equal(d.span.start, 'a: '.length + MAX_YAML_DEPTH - 1, 'at the innermost list');
});

test('thousands of nesting levels (flow and block) are rejected with the same diagnostic, no stack overflow', (t) => {
  for (const [name, text] of [['flow', deepFlow(20_000)], ['block', deepBlock(1000)]]) {
    const r = expandBounded({ '.gitlab-ci.yml': text });
    t.diagnostic(`${name}: ${figures(r)}`);
    assert.deepEqual(codes(r), ['yaml-too-large'], `${name}: ${JSON.stringify(r.diagnostics.slice(0, 3))}`);
    assert.match(r.diagnostics[0].message, /nests more than 100 levels deep/);
  }
});

test(`more includes than GitLab allows (${MAX_INCLUDES}): an error on the first entry over the limit, and no more files read`, () => {
  const files: Record<string, string> = { '.gitlab-ci.yml': `include:\n${Array.from({ length: 160 }, (_, i) => `  - local: f${i}.yml\n`).join('')}x:\n  script: [echo]\n` };
  for (let i = 0; i < 160; i++) files[`f${i}.yml`] = `.f${i}:\n  script: [echo ${i}]\n`;
  const r = expandBounded(files);
  assert.deepEqual(codes(r), ['include-limit']);
  assert.match(r.diagnostics[0].message, new RegExp(`Maximum of ${MAX_INCLUDES} `));
  const over = r.diagnostics.map((d) => files['.gitlab-ci.yml'].slice(d.start, d.end).trim());
  assert.deepEqual(over, Array.from({ length: 10 }, (_, i) => `local: f${MAX_INCLUDES + i}.yml`), 'on each entry over the limit, from the first');
  assert.equal(r.files.length, 1 + MAX_INCLUDES);
});

test('a huge include graph (200 files including ten others each, cycles everywhere) stays within the include limit', (t) => {
  const files: Record<string, string> = { '.gitlab-ci.yml': `include: [${Array.from({ length: 10 }, (_, i) => `f${i}.yml`).join(', ')}]\nx:\n  script: [echo]\n` };
  for (let i = 0; i < 200; i++) files[`f${i}.yml`] = `include: [${Array.from({ length: 10 }, (_, j) => `f${(i * 10 + j + 1) % 200}.yml`).join(', ')}]\n.t${i}:\n  script: [echo]\n`;
  const r = expandBounded(files);
  t.diagnostic(figures(r));
  assert.ok(r.files.length <= 1 + MAX_INCLUDES, `${r.files.length} files read`);
  assert.ok(codes(r).includes('include-limit'));
  assert.ok(codes(r).includes('include-cycle'));
});

test(`include nesting: a chain stops at the include limit (${MAX_INCLUDES}, GitLab has no depth limit); cycles (a → b → a, a file including itself) are named and cut`, async () => {
  const chain: Record<string, string> = { '.gitlab-ci.yml': 'include: c0.yml\nx:\n  script: [echo]\n' };
  for (let i = 0; i < 300; i++) chain[`c${i}.yml`] = `include: c${i + 1}.yml\n.c${i}:\n  script: [echo]\n`;
  const deep = expandBounded(chain);
  assert.deepEqual(codes(deep), ['include-limit']);
  assert.equal(deep.files.length, MAX_INCLUDES + 1);

  const cycle = await expandFiles({ '.gitlab-ci.yml': 'include: a.yml\nx:\n  script: [echo]\n', 'a.yml': 'include: b.yml\n.a:\n  script: [a]\n', 'b.yml': 'include: a.yml\n.b:\n  script: [b]\n' });
  const [c] = cycle.diagnostics.filter((d) => d.code === 'include-cycle');
  assert.match(c.message, /a\.yml → .*b\.yml → .*a\.yml$/);
  const self = await expandFiles({ '.gitlab-ci.yml': 'include: .gitlab-ci.yml\nx:\n  script: [echo]\n' });
  assert.deepEqual(self.diagnostics.map((d) => d.code), ['include-cycle']);
});

test('extends cycles (two entries, and a ring of 500) are diagnosed in bounded time', (t) => {
  const two = expandBounded({ '.gitlab-ci.yml': '.a:\n  extends: .b\n.b:\n  extends: .a\nx:\n  extends: .a\n  script: [echo]\n' });
  assert.ok(codes(two).includes('extends-cycle'), JSON.stringify(two.diagnostics));
  let ring = '';
  for (let i = 0; i < 500; i++) ring += `.r${i}:\n  extends: .r${(i + 1) % 500}\n  variables: { V${i}: "${i}" }\n`;
  const r = expandBounded({ '.gitlab-ci.yml': `${ring}x:\n  extends: .r0\n  script: [echo]\n` });
  t.diagnostic(figures(r));
  assert.ok(codes(r).every((c) => c === 'extends-cycle' || c === 'extends-too-deep'), JSON.stringify(codes(r)));
  assert.ok(r.diagnostics.length > 0);
});

test('!reference: a cycle is named; a fan-out of references stops at the expansion limit instead of building 9^9 values', async (t) => {
  const cycle = await expandFiles({ '.gitlab-ci.yml': '.a:\n  script: !reference [.b, script]\n.b:\n  script: !reference [.a, script]\nx:\n  script: !reference [.a, script]\n' });
  assert.ok(cycle.diagnostics.some((d) => d.code === 'reference-cycle'));
  const r = expandBounded({ '.gitlab-ci.yml': REFERENCE_BOMB });
  t.diagnostic(figures(r));
  assert.deepEqual(codes(r), ['reference-too-large']);
  assert.match(r.diagnostics[0].message, new RegExp(`references expand to more than ${MAX_REFERENCE_EXPANSION} values$`));
  const at = r.diagnostics[0].start;
  assert.match(REFERENCE_BOMB.slice(at - '!reference '.length, r.diagnostics[0].end), /^!reference \[\.l\d, script\]$/, 'at a tag');
  // Four levels (9^5 values in x's script) are well under the limit and resolve.
  const small = await expandFiles({ '.gitlab-ci.yml': referenceBomb(4) });
  assert.deepEqual(small.diagnostics, []);
  const script = small.jobs.get('x')!.node.entries.get('script')!;
  assert.equal(script.kind === 'seq' && script.items.length, 9 ** 5);
});

test('a flood of syntax errors is cut to the first hundred and a count, in bounded time', (t) => {
  const text = `- a\nb: [${Array.from({ length: 40_000 }, (_, i) => `a${i}`).join(',')}]\n`;
  const r = expandBounded({ '.gitlab-ci.yml': text });
  t.diagnostic(figures(r));
  assert.equal(r.diagnostics.length, 101);
  assert.match(r.diagnostics[r.diagnostics.length - 1].message, /^… and \d+ more YAML syntax errors$/);
});

let dir: string;
let client: LspClient;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-limits-'));
  cpSync(join(repoRoot, 'examples'), dir, { recursive: true });
  client = new LspClient();
  await client.initialize(join(dir, 'service-repo'), { localProjects: { 'acme/ci-library@v1.2.0': '../ci-library' } });
});
after(async () => {
  await client.close();
  rmSync(dir, { recursive: true, force: true });
});

test('over the protocol: an alias bomb and a 10 MB file get a positioned diagnostic and the server keeps answering', async () => {
  const bomb = pathToFileURL(join(dir, 'service-repo', 'bomb.gitlab-ci.yml')).href;
  const huge = pathToFileURL(join(dir, 'service-repo', 'huge.gitlab-ci.yml')).href;
  const hugeText = `job:\n  script:\n${'    - echo x\n'.repeat(800_000)}`;
  client.open(bomb, ALIAS_BOMB);
  client.open(huge, hugeText);
  const [b] = await client.waitForDiagnostics(bomb, (d) => d.some((x) => x.code === 'yaml-too-large'), 30_000);
  assert.equal(ALIAS_BOMB.split('\n')[b.range.start.line][b.range.start.character], '*');
  const [h] = await client.waitForDiagnostics(huge, (d) => d.some((x) => x.code === 'yaml-too-large'), 30_000);
  assert.ok(h.range.start.line > 0 && h.range.start.line < hugeText.split('\n').length, JSON.stringify(h.range));
  const hover = await client.hover(bomb, { line: 9, character: 3 });
  assert.ok(hover === null || typeof hover === 'object', 'answered');
  assert.ok(client.alive());
});
