/**
 * Every crash, hang and wrong answer the fuzzer (scripts/fuzz.ts) and the limit tests found, as a
 * test at the lowest level that shows it: each failed before its fix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { composeConfig } from '../../server/src/pipeline/merge/flatten.js';
import { buildJobs } from '../../server/src/pipeline/merge/jobs.js';
import { mapNode, scalarNode, seqNode } from '../../server/src/pipeline/model.js';
import type { Node } from '../../server/src/pipeline/model.js';
import { MAX_SYNTAX_ERRORS, parseYaml } from '../../server/src/pipeline/yaml/parse.js';
import { LineIndex } from '../../server/src/pipeline/yaml/positions.js';
import { jobDefinitions } from '../../server/src/pipeline/variables/variable-definitions.js';
import { ProjectCache } from '../../server/src/sources/project-cache.js';
import { RemoteProjects } from '../../server/src/sources/remote-projects.js';
import { RequestLimiter } from '../../server/src/sources/request-limits.js';
import { expandFiles } from '../support/engine.js';
import { ALIAS_BOMB, referenceBomb, SELF_ALIAS } from './pathological.js';
import { tempDir } from '../sources/helpers.js';

test('an alias inside its own anchor (`a: &a [1, *a]`) is "too big", not a stack overflow (parseYaml threw RangeError)', async () => {
  const p = parseYaml('file:///ci.yml', SELF_ALIAS);
  assert.deepEqual(p.diagnostics.map((d) => [d.code, SELF_ALIAS.slice(d.span.start, d.span.end)]), [['yaml-too-large', '*a']]);
  const r = await expandFiles({ '.gitlab-ci.yml': SELF_ALIAS });
  assert.deepEqual(r.diagnostics.map((d) => d.code), ['yaml-too-large']);
});

test('an alias bomb does not reach the job builder (it threw RangeError flattening 9^8 shared items)', async () => {
  const r = await expandFiles({ '.gitlab-ci.yml': ALIAS_BOMB });
  assert.deepEqual(r.diagnostics.map((d) => d.code), ['yaml-too-large']);
});

test('a reference fan-out neither throws nor takes minutes (flattening threw; an exponential walk took 97 s)', async () => {
  const started = performance.now();
  const r = await expandFiles({ '.gitlab-ci.yml': referenceBomb(9) });
  assert.ok(r.diagnostics.every((d) => d.code === 'reference-too-large') && r.diagnostics.length > 0);
  assert.ok(performance.now() - started < 20_000, `${performance.now() - started} ms`);
});

test('flattening a script of 300 000 items nested in a list (push(...items) overflowed the stack)', () => {
  const items: Node[] = Array.from({ length: 300_000 }, (_, i) => scalarNode(`echo ${i}`));
  const job = mapNode(undefined, new Map<string, Node>([['script', seqNode([seqNode(items)])]]));
  const jobs = buildJobs(composeConfig(mapNode(undefined, new Map<string, Node>([['job', job]]))));
  const script = jobs.get('job')!.node.entries.get('script')!;
  assert.equal(script.kind === 'seq' && script.items.length, 300_000);
});

test('a hidden job called `.e0` keeps its name (the YAML 1.1 float pattern made the key "NaN")', async () => {
  const r = await expandFiles({ '.gitlab-ci.yml': '.e0:\n  script: [echo]\nx:\n  extends: .e0\n' });
  assert.deepEqual(r.diagnostics, []);
  assert.ok(r.jobs.has('.e0'));
});

test('completion and hover context on the line after a leading blank line (yamlContext looped forever)', () => {
  // Run in a child with a deadline: the old code never returned, which no in-process timeout stops.
  const script = `const { yamlContext } = require(${JSON.stringify(join(__dirname, '..', '..', 'server', 'src', 'features', 'shared', 'yaml-context.ts'))}); process.stdout.write(JSON.stringify(yamlContext('\\n  a', 3)));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.signal, null, 'yamlContext returned');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).kind, 'key');
});

test('positions count a lone \\r as a line break and never fall between \\r and \\n (ranges were outside the text)', () => {
  const cr = new LineIndex('a: 1\rb: 2\r');
  assert.deepEqual(cr.position(5), { line: 1, character: 0 });
  assert.equal(cr.offset({ line: 1, character: 3 }), 8);
  const crlf = new LineIndex('a: "x\r\nb: 2\r\n');
  assert.deepEqual(crlf.position(5), { line: 0, character: 5 });
  assert.deepEqual(crlf.position(6), { line: 0, character: 5 }, 'between \\r and \\n: the end of the line');
  assert.deepEqual(crlf.position(7), { line: 1, character: 0 });
});

test(`a flood of syntax errors: the first ${MAX_SYNTAX_ERRORS} and a count (85 000 diagnostics took 4 s to publish)`, () => {
  const text = `- a\nb: [${Array.from({ length: 40_000 }, (_, i) => `a${i}`).join(',')}]\n`;
  const p = parseYaml('file:///ci.yml', text);
  assert.equal(p.diagnostics.length, MAX_SYNTAX_ERRORS + 1);
  assert.match(p.diagnostics[MAX_SYNTAX_ERRORS].message, /^… and \d{5} more YAML syntax errors$/);
});

test('variable definitions of a top-level entry that is not a hash (hover threw reading .entries of a scalar)', async () => {
  const p = await expandFiles({ '.gitlab-ci.yml': 'job: echo\nx:\n  script: [echo $A]\n' });
  assert.deepEqual([...jobDefinitions(p, 'job').keys()], []);
});

test('a ref, path or template with a lone surrogate is an error, not a URIError out of the cache (analyses failed)', async () => {
  const projects = new RemoteProjects({ gitlabUrl: 'http://127.0.0.1:9', cache: new ProjectCache(tempDir()), limiter: new RequestLimiter({ timeoutMs: 500 }), offline: true });
  for (const r of [await projects.readFile('acme/lib', 'v1\ud800', 'ci.yml'), await projects.readFile('acme/lib', 'v1', 'ci\udc00.yml'), await projects.readTemplate('Bash\ud800'), await projects.listFiles('acme/lib', '\udfff')]) {
    assert.equal(r.ok, false);
    assert.match((r as { error: string }).error, /not valid Unicode text/);
  }
});

test('a reference fan-out with one tag that cannot resolve stays bounded (every use re-walked its subtree: a hang)', async () => {
  const text = referenceBomb(9).replace('!reference [.l0, script]', '!reference [. l0, script]');
  const started = performance.now();
  const r = await expandFiles({ '.gitlab-ci.yml': text });
  assert.deepEqual([...new Set(r.diagnostics.map((d) => d.code))].sort(), ['reference-too-large', 'reference-unknown']);
  assert.ok(performance.now() - started < 20_000, `${performance.now() - started} ms`);
});
