/**
 * `expand`'s YAML output (cli/yaml-output.ts) reads back as exactly the data it prints — for
 * every handwritten corpus case and omnibus-gitlab through the CLI (YAML vs `--json`), and for
 * strings YAML readers would take for something else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { runCli } from '../../server/src/cli/main.js';
import { yamlOutput } from '../../server/src/cli/yaml-output.js';
import { renderPipeline } from '../../server/src/pipeline/merge/output.js';
import { expandFiles } from '../support/engine.js';

const corpus = resolve(__dirname, '..', '..', '..', 'shared', 'corpus');

test('strings that look like other types, keys, blocks and nesting read back as written (YAML 1.1 and 1.2)', () => {
  const data = {
    stages: ['.pre', 'build'],
    'job: [amd64, linux]': {
      script: ['echo "a: b"', 'x #y', 'multi\nline\n', 'no newline\nat end', '  leading', 'yes', 'Off', '~', '0755', '1:30', '1e3', '.5', '', 'trailing ', '-x', 'a\n\n\nb\n\n', 'tab\there', '\u2028', '*alias', '&anchor', '!tag', '%x', '@x', '`x`', '{a}', '[a]', "'q'", '"q"', '? x', '<<', '=', 'null', 'NULL'],
      variables: { A: null, B: 1, C: true, D: {}, E: 1.5, F: -0.25, '1': 'one' },
      empty: [],
      rules: [{ if: '$X == "1" && $Y =~ /^v\\d+/', when: 'manual' }, { changes: ['a/**/*'] }],
      nested: [[1, 2], [{ a: 1, b: [] }], []],
    },
  };
  const text = yamlOutput(data);
  assert.deepEqual(parse(text, { version: '1.1' }), data, text);
  assert.deepEqual(parse(text), data, text);
  assert.deepEqual(parse(yamlOutput([])), []);
});

test('expand prints YAML that reads back as its --json output (handwritten corpus cases, omnibus-gitlab)', async () => {
  const cases = readdirSync(join(corpus, 'handwritten')).filter((c) => /^\d/.test(c)).map((c) => join(corpus, 'handwritten', c));
  cases.push(join(corpus, 'omnibus-gitlab'));
  let compared = 0;
  for (const dir of cases) {
    const argsFile = join(dir, 'oracle.args');
    const args = existsSync(argsFile) ? readFileSync(argsFile, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).flatMap((l) => l.split(/\s+/)) : [];
    const yaml = await runCli(['expand', '.', '--full', ...args], { cwd: dir });
    const json = await runCli(['expand', '.', '--full', '--json', ...args], { cwd: dir });
    assert.equal(yaml.code, json.code, dir);
    if (json.code !== 0) continue;
    assert.deepEqual(parse(yaml.stdout, { version: '1.1' }), JSON.parse(json.stdout), dir);
    compared++;
  }
  assert.ok(compared >= 10, `compared ${compared} cases`);
});

test('YAML written straight from the merged nodes is the text written from their plain data (key order, __proto__, extends, empty values)', async () => {
  const p = await expandFiles({
    '.gitlab-ci.yml': [
      'variables: { "10": ten, "2": two, B: b, "01": zero-one, "4294967295": big }',
      '.base: { variables: { X: "1" }, script: [echo base], cache: {} }',
      'job:',
      '  extends: .base',
      '  variables: { "3": three, __proto__: proto, A: a }',
      '  artifacts: { paths: [] }',
      '  rules: [{ if: $CI, variables: { "7": seven } }]',
      '  script: ["multi\\nline\\n", "yes", ""]',
      '"5": { script: [five], extends: [.base] }',
      'only-proto: { script: [x], variables: { __proto__: p } }',
    ].join('\n'),
  });
  assert.equal(p.valid, true, JSON.stringify(p.diagnostics));
  for (const full of [false, true]) {
    assert.equal(yamlOutput(renderPipeline(p, { full, nodes: true })), yamlOutput(renderPipeline(p, { full })));
  }
});
