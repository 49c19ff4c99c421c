import { test } from 'node:test';
import assert from 'node:assert/strict';
import { snippetText, valuePlaceholder, yamlScalarText } from '../../server/src/features/shared/completion-items.js';
import { sequenceItems } from '../../server/src/features/shared/yaml-lines.js';

test('yamlScalarText: plain when YAML keeps it a string, quoted otherwise', () => {
  const cases: [string, string][] = [
    ['deploy/chart', 'deploy/chart'],
    ['3.12', '"3.12"'],
    ['yes', '"yes"'],
    ['', '""'],
    ['a: b', '"a: b"'],
    ['*.yml', '"*.yml"'],
    ['-q --maxfail=5', '"-q --maxfail=5"'],
    ['$SERVICE_NAME', '$SERVICE_NAME'],
  ];
  for (const [value, shown] of cases) assert.equal(yamlScalarText(value), shown, value);
});

test('snippet placeholders: choices, defaults with $ escaped, empty tab stop', () => {
  assert.equal(valuePlaceholder(['5m', '10m'], undefined), '${1|5m,10m|}');
  assert.equal(valuePlaceholder(['a,b', 'c|d'], undefined), '${1|a\\,b,c\\|d|}');
  assert.equal(valuePlaceholder(undefined, '$SERVICE_NAME'), '${1:\\$SERVICE_NAME}');
  assert.equal(valuePlaceholder(undefined, '16'), '${1:"16"}');
  assert.equal(valuePlaceholder(undefined, undefined), '$1');
  assert.equal(snippetText('a}$\\'), 'a\\}\\$\\\\');
});

test('sequenceItems: what a block list already holds, the cursor line excluded', () => {
  const text = 'job:\n  needs:\n    - build\n    - job: lint\n      artifacts: false\n    - \n    - "test"\n  script: [x]\n';
  const cursor = text.indexOf('    - \n') + 6;
  assert.deepEqual(sequenceItems(text, cursor, 4).sort(), ['build', 'lint', 'test']);
});
