/**
 * The code map's rules, checked on the import graph of server/src (static imports and
 * re-exports, type-only ones included): no import cycle anywhere, the engine imports nothing
 * outside pipeline/ but its parsers (`yaml`, `js-yaml`, `re2js`) and node built-ins, features reach the variable contract only
 * through its entry module, and client code never imports the server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importGraph, importCycles } from '../support/import-graph.js';

const SERVER = 'server/src';

test('no import cycle in server/src (type-only imports count)', () => {
  const cycles = importCycles(importGraph(SERVER));
  assert.deepEqual(cycles, [], `import cycles:\n${cycles.map((c) => c.join(' → ')).join('\n')}`);
});

test('the cycle finder finds a planted cycle', () => {
  const graph = new Map([
    ['a.ts', [{ to: 'b.ts', bare: false }]],
    ['b.ts', [{ to: 'c.ts', bare: false }]],
    ['c.ts', [{ to: 'a.ts', bare: false }]],
    ['d.ts', [{ to: 'a.ts', bare: false }]],
  ]);
  assert.deepEqual(importCycles(graph).map((c) => [...c].sort()), [['a.ts', 'b.ts', 'c.ts']]);
});

test('pipeline/ imports only pipeline/, the YAML parsers (yaml, js-yaml), re2js and node built-ins', () => {
  const bad: string[] = [];
  for (const [file, edges] of importGraph(SERVER)) {
    if (!file.startsWith('pipeline/')) continue;
    for (const e of edges) {
      if (e.bare ? !(e.to === 'yaml' || e.to === 'js-yaml' || e.to.startsWith('node:') || e.to === 're2js') : !e.to.startsWith('pipeline/')) bad.push(`${file} → ${e.to}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('features reach the variable contract only through pipeline/contract/index.ts', () => {
  const bad: string[] = [];
  for (const [file, edges] of importGraph(SERVER)) {
    if (file.startsWith('pipeline/contract/')) continue;
    for (const e of edges) if (!e.bare && e.to.startsWith('pipeline/contract/') && e.to !== 'pipeline/contract/index.ts') bad.push(`${file} → ${e.to}`);
  }
  assert.deepEqual(bad, []);
});

/** A feature file's concept: `hover` for hover-job.ts when hover.ts exists, else its own name. */
function concept(file: string, graph: ReadonlyMap<string, unknown>): string {
  const base = file.replace(/^features\//, '').replace(/\.ts$/, '');
  const head = base.split('-')[0]!;
  return graph.has(`features/${head}.ts`) ? head : base;
}

test('a feature imports only features/shared/ and the files of its own concept (hover-*.ts for hover.ts)', () => {
  const graph = importGraph(SERVER);
  const bad: string[] = [];
  for (const [file, edges] of graph) {
    if (!file.startsWith('features/') || file === 'features/index.ts') continue;
    const shared = file.startsWith('features/shared/');
    for (const e of edges) {
      if (e.bare || !e.to.startsWith('features/')) continue;
      if (e.to.startsWith('features/shared/')) continue;
      if (!shared && concept(e.to, graph) === concept(file, graph)) continue;
      bad.push(`${file} → ${e.to}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('features/shared/ and the engine never import a feature', () => {
  const bad: string[] = [];
  for (const [file, edges] of importGraph(SERVER)) {
    if (!file.startsWith('pipeline/') && !file.startsWith('features/shared/') && !file.startsWith('sources/')) continue;
    for (const e of edges) if (!e.bare && e.to.startsWith('features/') && !e.to.startsWith('features/shared/')) bad.push(`${file} → ${e.to}`);
  }
  assert.deepEqual(bad, []);
});
