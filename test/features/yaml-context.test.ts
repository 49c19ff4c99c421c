import { test } from 'node:test';
import assert from 'node:assert/strict';
import { yamlContext } from '../../server/src/features/shared/yaml-context.js';
import { mappingEntries } from '../../server/src/features/shared/yaml-lines.js';

/** Text with a `$0` cursor marker → text and offset. */
function at(marked: string): { text: string; offset: number } {
  const offset = marked.indexOf('$0');
  assert.ok(offset >= 0, 'fixture has a $0 cursor');
  return { text: marked.slice(0, offset) + marked.slice(offset + 2), offset };
}

interface Case {
  name: string;
  doc: string;
  kind: string;
  path: (string | number)[];
  token?: string;
  reference?: { elements: string[]; index: number };
  variable?: { name: string; braced: boolean };
  block?: boolean;
}

const CASES: Case[] = [
  { name: 'empty extends value', doc: 'job:\n  extends: $0\n', kind: 'value', path: ['job', 'extends'], token: '' },
  { name: 'partial extends value', doc: 'job:\n  extends: .py$0thon\n', kind: 'value', path: ['job', 'extends'], token: '.python' },
  { name: 'extends list item', doc: 'job:\n  extends:\n    - .a\n    - .b$0\n', kind: 'item', path: ['job', 'extends', 1], token: '.b' },
  { name: 'indentless extends list', doc: 'job:\n  extends:\n  - .a\n  - $0\n', kind: 'item', path: ['job', 'extends', 1], token: '' },
  { name: 'flow extends list', doc: 'job:\n  extends: [.a, .b$0]\n', kind: 'item', path: ['job', 'extends', 1], token: '.b' },
  { name: 'quoted value', doc: 'job:\n  stage: "te$0st"\n', kind: 'value', path: ['job', 'stage'], token: 'test' },
  { name: 'unclosed reference, first element', doc: 'job:\n  script:\n    - echo\n    - !reference [$0\n', kind: 'reference', path: ['job', 'script', 1], reference: { elements: [], index: 0 }, token: '' },
  { name: 'reference, key path element', doc: 'job:\n  before_script:\n    - !reference [.tpl, befo$0]\n', kind: 'reference', path: ['job', 'before_script', 0], reference: { elements: ['.tpl'], index: 1 }, token: 'befo' },
  { name: 'reference as a value', doc: 'job:\n  services: !reference [".keydb", $0\n', kind: 'reference', path: ['job', 'services'], reference: { elements: ['.keydb'], index: 1 }, token: '' },
  { name: 'typing a variable key', doc: 'variables:\n  A: 1\n  FO$0\n', kind: 'key', path: ['variables'], token: 'FO' },
  { name: 'blank line in job variables', doc: 'job:\n  script: x\n  variables:\n    A: 1\n    $0\n', kind: 'key', path: ['job', 'variables'], token: '' },
  { name: 'top-level key', doc: 'stages: [a]\nwork$0\n', kind: 'key', path: [], token: 'work' },
  { name: 'job-level key', doc: 'job:\n  script: x\n  allow$0\n', kind: 'key', path: ['job'], token: 'allow' },
  { name: 'include item file value', doc: 'include:\n  - project: acme/lib\n    ref: v1\n    file: ci/$0\n', kind: 'value', path: ['include', 0, 'file'], token: 'ci/' },
  { name: 'second include item, file list', doc: 'include:\n  - local: a.yml\n  - project: acme/lib\n    file:\n      - x.yml\n      - $0\n', kind: 'item', path: ['include', 1, 'file', 1], token: '' },
  { name: 'include inputs key', doc: 'include:\n  - project: acme/lib\n    file: ci/docker.yml\n    inputs:\n      image-name: x\n      pu$0\n', kind: 'key', path: ['include', 0, 'inputs'], token: 'pu' },
  { name: 'include input value', doc: 'include:\n  - project: acme/lib\n    file: ci/docker.yml\n    inputs:\n      stage: $0\n', kind: 'value', path: ['include', 0, 'inputs', 'stage'], token: '' },
  { name: 'needs item as map', doc: 'job:\n  needs:\n    - job: bu$0ild\n      artifacts: true\n', kind: 'value', path: ['job', 'needs', 0, 'job'], token: 'build' },
  { name: 'variable in a script item', doc: 'job:\n  script:\n    - echo $CI_CO$0\n', kind: 'item', path: ['job', 'script', 0], variable: { name: 'CI_CO', braced: false } },
  { name: 'braced variable in a value', doc: 'job:\n  image: python:${PY$0\n', kind: 'value', path: ['job', 'image'], variable: { name: 'PY', braced: true } },
  { name: 'escaped dollar is not a variable', doc: 'job:\n  script:\n    - echo $$HO$0\n', kind: 'item', path: ['job', 'script', 0] },
  { name: 'variable in a block scalar', doc: 'job:\n  script:\n    - >-\n      helm upgrade\n      --set a=$HEL$0\n', kind: 'item', path: ['job', 'script', 0], variable: { name: 'HEL', braced: false }, block: true },
  { name: 'variable in a literal block value', doc: 'job:\n  script: |\n    echo one\n    echo $$0\n', kind: 'value', path: ['job', 'script'], variable: { name: '', braced: false }, block: true },
  { name: 'continued plain scalar', doc: 'job:\n  script:\n    - export X=$(\n      docker run $IM$0)\n', kind: 'item', path: ['job', 'script', 0], variable: { name: 'IM', braced: false }, block: true },
  { name: 'comment', doc: 'job:\n  script: x # note $F$0\n', kind: 'comment', path: [] },
  { name: 'rules item when', doc: 'job:\n  rules:\n    - if: $A\n      when: man$0\n', kind: 'value', path: ['job', 'rules', 0, 'when'], token: 'man' },
  { name: 'nested after siblings with block scalars', doc: '.tpl:\n  script: |\n    a: b\n  stage: build\nother:\n  stage: $0\n', kind: 'value', path: ['other', 'stage'], token: '' },
  { name: 'key under include item', doc: 'include:\n  - project: acme/lib\n    fi$0\n', kind: 'key', path: ['include', 0], token: 'fi' },
  { name: 'dash item being typed', doc: 'include:\n  - local: a.yml\n  - $0\n', kind: 'item', path: ['include', 1], token: '' },
  { name: 'cursor on a job key', doc: 'a: 1\n.python-te$0st-job:\n  stage: test\n', kind: 'key', path: [], token: '.python-test-job' },
  { name: 'anchored parent', doc: '.base: &base\n  variables:\n    A$0\n', kind: 'key', path: ['.base', 'variables'], token: 'A' },
  { name: 'CRLF line endings', doc: 'job:\r\n  extends:\r\n    - .a$0\r\n', kind: 'item', path: ['job', 'extends', 0], token: '.a' },
];

for (const c of CASES) {
  test(`yamlContext: ${c.name}`, () => {
    const { text, offset } = at(c.doc);
    const ctx = yamlContext(text, offset);
    assert.equal(ctx.kind, c.kind, JSON.stringify(ctx));
    assert.deepEqual(ctx.path, c.path, JSON.stringify(ctx));
    assert.equal(ctx.starts.length, ctx.path.length);
    if (c.token !== undefined) {
      assert.equal(ctx.token.text, c.token);
      assert.equal(text.slice(ctx.token.start, ctx.token.end), c.token);
    }
    if (c.reference) assert.deepEqual(ctx.reference, c.reference);
    if (c.variable) {
      assert.ok(ctx.variable, 'a variable is under the cursor');
      assert.equal(ctx.variable.name, c.variable.name);
      assert.equal(ctx.variable.braced, c.variable.braced);
      assert.equal(text.slice(ctx.variable.start, ctx.variable.end), c.variable.name);
    } else assert.equal(ctx.variable, undefined);
    assert.equal(!!ctx.block, !!c.block);
  });
}

test('path starts point at the keys and at the item content', () => {
  const { text, offset } = at('include:\n  - local: a.yml\n  - project: acme/lib\n    file: $0\n');
  const ctx = yamlContext(text, offset);
  assert.deepEqual(ctx.path, ['include', 1, 'file']);
  assert.equal(text.slice(ctx.starts[0], ctx.starts[0] + 7), 'include');
  assert.equal(text.slice(ctx.starts[1], ctx.starts[1] + 8), 'project:');
  assert.equal(text.slice(ctx.starts[2], ctx.starts[2] + 4), 'file');
});

test('mappingEntries: the siblings of a half-typed include item and of a variables block', () => {
  const { text, offset } = at('include:\n  - local: a.yml\n  - project: "acme/lib"\n    ref: v1 # pinned\n    file:\n      - $0\n    inputs:\n      x: 1\nstages: [a]\n');
  const fileKey = text.indexOf('file:');
  const entries = mappingEntries(text, fileKey, 4);
  assert.deepEqual([...entries.keys()].sort(), ['file', 'inputs', 'project', 'ref']);
  assert.equal(entries.get('project')!.value, 'acme/lib');
  assert.equal(entries.get('ref')!.value, 'v1');
  assert.ok(offset > fileKey);

  const vars = at('variables:\n  A: 1\n  B: $0\n  C:\n    value: x\njob:\n  script: y\n');
  const e2 = mappingEntries(vars.text, vars.offset, 2);
  assert.deepEqual([...e2.keys()], ['B', 'A', 'C']);
});

test('an inserted value needs a space right after `key:` or a bare `-`', () => {
  for (const [doc, path] of [
    ['job:\n  extends:$0\n', ['job', 'extends']],
    ['job:\n  extends:\n    -$0\n', ['job', 'extends', 0]],
  ] as const) {
    const { text, offset } = at(doc);
    const ctx = yamlContext(text, offset);
    assert.deepEqual(ctx.path, path);
    assert.equal(ctx.needsSpace, true, doc);
  }
  const { text, offset } = at('job:\n  extends: $0\n');
  assert.equal(yamlContext(text, offset).needsSpace, undefined);
});
