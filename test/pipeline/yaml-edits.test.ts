import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addIncludeInputs, appendStage, indentUnit, insertVariables, mappingWithKeyAt, replaceScalar, setKeyBeside, yamlScalar } from '../../server/src/pipeline/edits/yaml-edits.js';
import type { TextChange } from '../../server/src/pipeline/edits/yaml-edits.js';
import { parseYaml } from '../../server/src/pipeline/yaml/parse.js';

const apply = (text: string, c: TextChange | undefined) => {
  assert.ok(c, 'an edit');
  return text.slice(0, c.start) + c.text + text.slice(c.end);
};
const valid = (text: string) => assert.deepEqual(parseYaml('u', text).diagnostics, [], text);

test('variables are appended to an existing block at its indentation, comments and blank lines kept', () => {
  const text = 'include: a.yml\n\nvariables:\n    # the name\n    NAME: x\n    RICH:\n      value: "1"\n      description: d\n\n# the job\njob:\n  script: [echo]\n';
  const out = apply(text, insertVariables('u', text, [{ name: 'NEW', value: '""', comment: 'what it is' }]));
  assert.equal(out, text.replace('      description: d\n', '      description: d\n    # what it is\n    NEW: ""\n'));
  valid(out);
});

test('a block created where none is: top level before the first job (and its comment), or inside a job', () => {
  const text = 'stages: [build]\n\n# builds it\nbuild:\n  stage: build\n  script:\n    - make\n';
  const top = apply(text, insertVariables('u', text, [{ name: 'A', value: '""' }]));
  assert.equal(top, 'stages: [build]\n\nvariables:\n  A: ""\n\n# builds it\nbuild:\n  stage: build\n  script:\n    - make\n');
  const job = apply(text, insertVariables('u', text, [{ name: 'A', value: '""' }, { name: 'B', value: '""' }], { job: 'build' }));
  assert.equal(job, `${text}  variables:\n    A: ""\n    B: ""\n`);
  valid(top);
  valid(job);
  const fourSpaces = 'job:\n    script: [x]\n';
  assert.equal(indentUnit(fourSpaces), 4);
  assert.equal(apply(fourSpaces, insertVariables('u', fourSpaces, [{ name: 'A', value: "''" }], { job: 'job' })), 'job:\n    script: [x]\n    variables:\n        A: \'\'\n');
});

test('an empty variables:, a flow map, and snippets escaping literal $ and }', () => {
  const empty = 'variables:\njob:\n  script: [x]\n';
  assert.equal(apply(empty, insertVariables('u', empty, [{ name: 'A', value: '""' }])), 'variables:\n  A: ""\njob:\n  script: [x]\n');
  const flow = 'variables: {B: b}\n';
  assert.equal(apply(flow, insertVariables('u', flow, [{ name: 'A', value: '""' }])), 'variables: {B: b, A: ""}\n');
  const text = 'variables:\n  B: b\n';
  const snippet = apply(text, insertVariables('u', text, [{ name: 'A', value: '"${1:}"', comment: 'uses $HOME {x}' }], {}, { snippet: true }));
  assert.equal(snippet, 'variables:\n  B: b\n  # uses \\$HOME {x\\}\n  A: "${1:}"\n');
});

test('stages: a block list, a flow list with .post kept last, or a new list with the current stages', () => {
  const block = 'stages:\n  - build\n  - test\njob:\n  script: [x]\n';
  assert.equal(apply(block, appendStage('u', block, 'deploy', [])), 'stages:\n  - build\n  - test\n  - deploy\njob:\n  script: [x]\n');
  const flow = 'stages: [.pre, build, .post]\n';
  assert.equal(apply(flow, appendStage('u', flow, 'deploy', [])), 'stages: [.pre, build, deploy, .post]\n');
  const none = 'job:\n  script: [x]\n';
  assert.equal(apply(none, appendStage('u', none, 'lint', ['.pre', 'build', 'test', 'deploy', '.post'])), 'stages:\n  - build\n  - test\n  - deploy\n  - lint\n\njob:\n  script: [x]\n');
});

test('include inputs: added under inputs:, or inputs: created in the entry', () => {
  const text = 'include:\n  - component: example.com/g/p/c@1\n    inputs:\n      a: 1\n  - local: x.yml\n';
  const at = text.indexOf('component');
  assert.equal(apply(text, addIncludeInputs('u', text, at, [{ name: 'b', value: '""', comment: 'the b' }])), text.replace('      a: 1\n', '      a: 1\n      # the b\n      b: ""\n'));
  const bare = 'include:\n  - project: g/p\n    file: f.yml\n';
  assert.equal(apply(bare, addIncludeInputs('u', bare, bare.indexOf('project'), [{ name: 'x', value: 'false' }])), `${bare}    inputs:\n      x: false\n`);
});

test('a replaced scalar keeps its quotes; values are quoted when plain YAML would change them', () => {
  const text = 'a: "x"\nb: \'y\'\nc: z\n';
  assert.equal(apply(text, replaceScalar(text, 3, 6, 'new')), 'a: "new"\nb: \'y\'\nc: z\n');
  assert.equal(apply(text, replaceScalar(text, 10, 13, "it's")), 'a: "x"\nb: \'it\'\'s\'\nc: z\n');
  assert.equal(apply(text, replaceScalar(text, 17, 18, 'w')), 'a: "x"\nb: \'y\'\nc: w\n');
  assert.deepEqual(['linux/amd64', 'true', '1.2', '', 'a: b', '#x'].map((v) => yamlScalar(v)), ['linux/amd64', '"true"', '"1.2"', '""', '"a: b"', '"#x"']);
});

test('setKeyBeside: a new key on the line after the anchor entry, at its indentation; an existing one replaced', () => {
  const text = 'stages: [deploy]\nlater:\n  stage: deploy\n  start_in: 30 minutes  # wait\n  script:\n    - deploy\n';
  const at = text.indexOf('start_in');
  assert.equal(mappingWithKeyAt('u', text, at + 3)?.key, 'start_in');
  const out = apply(text, setKeyBeside('u', text, at, 'when', 'delayed'));
  assert.equal(out, text.replace('# wait\n', '# wait\n  when: delayed\n'));
  valid(out);
  const withWhen = 'later:\n  when: \'manual\'\n  start_in: 1 hour\n  script: [x]\n';
  assert.equal(apply(withWhen, setKeyBeside('u', withWhen, withWhen.indexOf('start_in'), 'when', 'delayed')), withWhen.replace("'manual'", "'delayed'"));
});

test('setKeyBeside: after a multi-line value, into a flow mapping, and nothing when no key is at the offset', () => {
  const block = 'job:\n    start_in: >-\n      30\n      minutes\n    script: [x]\n';
  const out = apply(block, setKeyBeside('u', block, block.indexOf('start_in'), 'when', 'delayed'));
  assert.equal(out, 'job:\n    start_in: >-\n      30\n      minutes\n    when: delayed\n    script: [x]\n');
  valid(out);
  const flow = 'job: {script: [x], start_in: 1 hour}\n';
  const f = apply(flow, setKeyBeside('u', flow, flow.indexOf('start_in'), 'when', 'delayed'));
  assert.equal(f, 'job: {script: [x], start_in: 1 hour, when: delayed}\n');
  valid(f);
  assert.equal(setKeyBeside('u', flow, flow.indexOf('[x]'), 'when', 'delayed'), undefined);
});
