import { test } from 'node:test';
import assert from 'node:assert/strict';
import { locate } from '../../server/src/pipeline/locate.js';
import { parseYaml } from '../../server/src/pipeline/yaml/parse.js';

/** Fixture with the cursor marked by `$0`, the expected path beside it. */
const cases: [string, (string | number)[], boolean][] = [
  ['job:\n  extends: .b$0ase\n', ['job', 'extends'], false],
  ['job:\n  ext$0ends: .base\n', ['job', 'extends'], true],
  ['job:\n  script:\n    - echo 1\n    - ec$0ho $X\n', ['job', 'script', 1], false],
  ['job:\n  script: !reference [.a, scr$0ipt]\n', ['job', 'script'], false],
  ['variables:\n  A: {value: x, descr$0iption: d}\n', ['variables', 'A', 'description'], true],
];

for (const [fixture, path, onKey] of cases) {
  test(`locate ${JSON.stringify(path)}${onKey ? ' (key)' : ''}`, () => {
    const offset = fixture.indexOf('$0');
    const parsed = parseYaml('u', fixture.replace('$0', ''));
    const at = locate(parsed.content, offset);
    assert.deepEqual(at.path, path);
    assert.equal(at.onKey, onKey);
  });
}
