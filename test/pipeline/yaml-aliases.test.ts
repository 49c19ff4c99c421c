/**
 * Aliases are resolved once per document (yaml/yaml-convert.ts `aliasTargets`, or as yaml-events.ts
 * builds the nodes): the work of a file
 * with thousands of aliases grows linearly with them, both parsed whole and in blocks, and every
 * alias still names the last node anchored with its name before it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYamlReusing, parseYamlWhole } from '../../server/src/pipeline/yaml/parse.js';
import { aliasWork } from '../../server/src/pipeline/yaml/yaml-convert.js';
import type { MapNode, Node } from '../../server/src/pipeline/model.js';

/**
 * `n` anchors, each defined twice (the second definition wins for later aliases), and `n` aliases
 * in one list; `blocks` writes every anchor as its own top-level key so the file is cut in blocks.
 */
function manyAliases(n: number, blocks: boolean): string {
  const lines: string[] = [];
  if (blocks) {
    for (let i = 0; i < n; i++) lines.push(`.t${i}:`, `  first: &a${i} old-${i}`, `  second: &a${i} new-${i}`);
  } else {
    lines.push('.templates:');
    for (let i = 0; i < n; i++) lines.push(`  first${i}: &a${i} old-${i}`, `  second${i}: &a${i} new-${i}`);
  }
  lines.push('job:', '  script: [echo]', '  uses:');
  for (let i = 0; i < n; i++) lines.push(`    - *a${i}`);
  return lines.join('\n') + '\n';
}

function uses(content: Node): Node[] {
  const job = (content as MapNode).entries.get('job') as MapNode;
  const list = job.entries.get('uses');
  assert.equal(list?.kind, 'seq');
  return list.kind === 'seq' ? list.items : [];
}

function work(parse: () => Node): { visited: number; content: Node } {
  const before = aliasWork.nodesVisited;
  const content = parse();
  return { visited: aliasWork.nodesVisited - before, content };
}

for (const [blocks, front] of [[false, 'events'], [false, 'yaml'], [true, 'events']] as const) {
  test(`a thousand aliases and four thousand: work grows linearly (${blocks ? 'parsed in blocks' : `parsed whole, ${front} front end`})`, () => {
    const runs = [1000, 4000].map((n) => {
      const text = manyAliases(n, blocks);
      const parse = blocks
        ? () => {
            const r = parseYamlReusing('file:///big.yml', text);
            assert.ok(r.blocks, 'the file is parsed in blocks');
            return r.parsed.content;
          }
        : () => parseYamlWhole('file:///big.yml', text, front).content;
      const { visited, content } = work(parse);
      const items = uses(content);
      assert.equal(items.length, n);
      for (const i of [0, n >> 1, n - 1]) {
        const item = items[i];
        assert.equal(item.kind === 'scalar' && item.value, `new-${i}`, `*a${i} is the second anchor a${i}`);
      }
      return { n, visited };
    });
    const [small, big] = runs;
    assert.ok(small.visited >= small.n, `the alias tables visit the nodes (${small.visited})`);
    // Linear: four times the aliases, about four times the work (quadratic would be sixteen).
    assert.ok(big.visited <= 4.5 * small.visited, `work for ${big.n} aliases (${big.visited}) vs ${small.n} (${small.visited})`);
  });
}
