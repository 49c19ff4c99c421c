/**
 * Variables as GitLab computes them: cases of GitLab's own specs
 * (spec/lib/gitlab/ci/variables/collection_spec.rb, collection/sort_spec.rb,
 * spec/lib/expand_variables_spec.rb) and its precedence (lib/gitlab/ci/variables/helpers.rb,
 * config/normalizer.rb, pipeline/chain/seed.rb, pipeline/seed/build.rb).
 */
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { definitionsInScope } from '../../server/src/pipeline/variables/variable-definitions.js';
import { collectionValues, dependsOn, sortAndExpandAll, sortVariables } from '../../server/src/pipeline/variables/variable-collection.js';
import type { CollectionVariable, SortAndExpandOptions } from '../../server/src/pipeline/variables/variable-collection.js';
import { expandVariables } from '../../server/src/pipeline/variables/variable-expansion.js';
import { expandFiles } from '../support/engine.js';

const vars = (...pairs: Array<[string, string] | CollectionVariable>): CollectionVariable[] =>
  pairs.map((p) => (Array.isArray(p) ? { key: p[0], value: p[1] } : p));
const keys = (list: readonly CollectionVariable[] | undefined) => list?.map((v) => v.key);

describe('sortAndExpandAll (Collection#sort_and_expand_all)', () => {
  const cases: Array<[string, CollectionVariable[], Record<string, string>, SortAndExpandOptions?]> = [
    ['empty string', vars(['variable', '']), { variable: '' }],
    ['simple expansions', vars(['variable', 'value'], ['variable2', 'result'], ['variable3', 'key$variable$variable2'], ['variable4', 'key$variable$variable3']),
      { variable: 'value', variable2: 'result', variable3: 'keyvalueresult', variable4: 'keyvaluekeyvalueresult' }],
    ['braced', vars(['variable', 'value'], ['variable2', 'key${variable}']), { variable: 'value', variable2: 'keyvalue' }],
    ['escapes kept, undefined kept', vars(['variable3', 'key_${variable}_$${HOME}_%%HOME%%'], ['variable', '$variable2'], ['variable2', 'value']),
      { variable: 'value', variable2: 'value', variable3: 'key_value_$${HOME}_%%HOME%%' }, { keepUndefined: true }],
    ['escapes kept, undefined dropped', vars(['variable2', 'key_${variable4}_$${HOME}_%%HOME%%'], ['variable', 'value_$${HOME}_%%HOME%%']),
      { variable: 'value_$${HOME}_%%HOME%%', variable2: 'key__$${HOME}_%%HOME%%' }],
    ['out of order', vars(['variable3', 'key$variable2$variable'], ['variable', 'value'], ['variable2', 'result']),
      { variable: 'value', variable2: 'result', variable3: 'keyresultvalue' }],
    ['missing, dropped', vars(['variable2', 'key$variable']), { variable2: 'key' }],
    ['missing, kept', vars(['variable2', 'key$variable']), { variable2: 'key$variable' }, { keepUndefined: true }],
    ['raw referenced: its value as written', vars(['variable1', 'value1'], { key: 'raw_var', value: 'raw-$variable1', raw: true }, ['nonraw_var', 'nonraw-$variable1'], ['variable2', '$raw_var and $nonraw_var']),
      { variable1: 'value1', raw_var: 'raw-$variable1', nonraw_var: 'nonraw-value1', variable2: 'raw-$variable1 and nonraw-value1' }],
    ['raw referenced, expandRawRefs: false', vars(['variable1', 'value1'], { key: 'raw_var', value: 'raw-$variable1', raw: true }, ['nonraw_var', 'nonraw-$variable1'], ['variable2', '$raw_var and $nonraw_var']),
      { variable1: 'value1', raw_var: 'raw-$variable1', nonraw_var: 'nonraw-value1', variable2: '$raw_var and nonraw-value1' }, { expandRawRefs: false }],
    ['password with special characters', vars(['VAR', '$PASSWORD'], ['PASSWORD', 'my_password$$_%%_$A'], ['A', 'value']),
      { VAR: 'my_password$$_%%_value', PASSWORD: 'my_password$$_%%_value', A: 'value' }],
    ['file variables', vars({ key: 'file_var', value: 'secret content', file: true }, ['variable1', 'var one'], ['variable2', 'var two $variable1 $file_var']),
      { file_var: 'secret content', variable1: 'var one', variable2: 'var two var one secret content' }],
    ['file variables, expandFileRefs: false', vars({ key: 'file_var', value: 'secret content', file: true }, ['variable1', 'var one'], ['variable2', 'var two $variable1 $file_var']),
      { file_var: 'secret content', variable1: 'var one', variable2: 'var two var one $file_var' }, { expandFileRefs: false }],
    // %VAR% is a reference in a collection; ${} is not
    ['%VAR% and ${}', vars(['A', 'a'], ['B', '%A%-${}-$']), { A: 'a', B: 'a-${}-$' }],
    // X: $X reads the X defined before it (a settings or predefined variable overridden by YAML)
    ['self reference reads the earlier definition', vars(['X', 'outer'], ['X', 'in-$X']), { X: 'in-outer' }],
    ['self reference alone', vars(['X', 'in-$X']), { X: 'in-' }],
  ];
  for (const [name, input, expected, opts] of cases) {
    it(name, () => {
      const r = sortAndExpandAll(input, opts);
      assert.equal(r.error, undefined);
      assert.deepEqual(collectionValues(r.variables), expected);
    });
  }

  it('keeps raw and file flags', () => {
    const r = sortAndExpandAll(vars({ key: 'F', value: '$A', file: true }, { key: 'R', value: '$A', raw: true }, ['A', 'a']));
    assert.deepEqual(r.variables.map((v) => [v.key, v.value, !!v.file, !!v.raw]), [['A', 'a', false, false], ['F', 'a', true, false], ['R', '$A', false, true]]);
  });

  it('a cycle is an error and nothing is expanded', () => {
    const input = vars(['variable', '$variable2'], ['variable2', '$variable3'], ['variable3', 'key$variable$variable2'], ['other', 'x$variable']);
    const r = sortAndExpandAll(input);
    assert.equal(r.error, 'circular variable reference detected: ["variable", "variable2", "variable3"]');
    assert.deepEqual(r.variables, input);
  });

  it('two cycles are both named; a raw variable breaks a cycle', () => {
    const r = sortAndExpandAll(vars(['A', '$B'], ['B', '$A'], ['C', '${D}'], ['D', '%C%']));
    assert.equal(r.error, 'circular variable reference detected: ["A", "B"], ["C", "D"]');
    const raw = sortAndExpandAll(vars(['A', '$B'], { key: 'B', value: '$A', raw: true }));
    assert.equal(raw.error, undefined);
    assert.deepEqual(collectionValues(raw.variables), { A: '$A', B: '$A' });
  });

  it('an escaped reference is no dependency', () => {
    assert.equal(sortVariables(vars(['A', '$$B'], ['B', '$A'])).error, undefined);
    assert.deepEqual(dependsOn({ key: 'A', value: '$$B ${C} %D% %%E%% ${}' }), ['C', 'D']);
    assert.equal(dependsOn({ key: 'A', value: 'plain' }), undefined);
    assert.equal(dependsOn({ key: 'A', value: '$B', raw: true }), undefined);
  });
});

describe('sortVariables (Collection::Sort#tsort)', () => {
  const cases: Array<[string, CollectionVariable[], string[]]> = [
    ['no reordering needed', vars(['variable', 'value'], ['variable2', 'result'], ['variable3', 'key$variable$variable2']), ['variable', 'variable2', 'variable3']],
    ['reordering needed', vars(['variable2', 'key${variable}'], ['variable', 'value']), ['variable', 'variable2']],
    ['unused variables', vars(['variable', 'value'], ['variable4', 'key$variable$variable3'], ['variable2', 'result2'], ['variable3', 'result3']), ['variable', 'variable3', 'variable4', 'variable2']],
    ['raw variable does not get resolved', vars(['variable', '$variable2'], ['variable2', '$variable3'], { key: 'variable3', value: 'key$variable$variable2', raw: true }), ['variable3', 'variable2', 'variable']],
    ['escaped reference', vars(['variable_b', '$$variable_a'], ['variable_c', '$variable_a'], ['variable_a', 'value']), ['variable_b', 'variable_a', 'variable_c']],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.deepEqual(keys(sortVariables(input).sorted), expected));
  }

  it('overridden variables keep their relative order', () => {
    const input = vars(['PROJECT_VAR', '$SUBGROUP_VAR'], ['SUBGROUP_VAR', '$TOP_LEVEL_GROUP_NAME'], ['SUBGROUP_VAR', '$SUB_GROUP_NAME'], ['TOP_LEVEL_GROUP_NAME', 'top-level-group'], ['SUB_GROUP_NAME', 'vars-in-vars-subgroup']);
    assert.deepEqual(sortVariables(input).sorted!.map((v) => `${v.key}=${v.value}`), [
      'TOP_LEVEL_GROUP_NAME=top-level-group', 'SUBGROUP_VAR=$TOP_LEVEL_GROUP_NAME', 'SUB_GROUP_NAME=vars-in-vars-subgroup', 'SUBGROUP_VAR=$SUB_GROUP_NAME', 'PROJECT_VAR=$SUBGROUP_VAR',
    ]);
    assert.equal(collectionValues(sortAndExpandAll(input).variables).PROJECT_VAR, 'vars-in-vars-subgroup');
  });
});

describe('ExpandVariables.expand (expandVariables, dollarEscape: none, percent)', () => {
  const VARS = { VAR: 'value', VAR1: 'value1', VAR2: 'value2' };
  const cases: Array<[string, string]> = [
    ['key$VAR', 'keyvalue'],
    ['key${VAR}', 'keyvalue'],
    ['key%VAR%', 'keyvalue'],
    ['key$UNKNOWN', 'key'],
    ['key-$VAR1-${VAR2}-%VAR1%', 'key-value1-value2-value1'],
    ['$$VAR', '$value'], // no escape in ExpandVariables
    ['%%VAR%%', '%value%'],
    ['key$', 'key$'],
  ];
  for (const [text, expected] of cases) {
    it(`${text} → ${expected}`, () => assert.equal(expandVariables(text, VARS, { dollarEscape: 'none', percent: true }), expected));
  }
});

test('precedence: rules:variables > parallel:matrix > job variables > extends parent > workflow:rules:variables > global', async () => {
  const p = await expandFiles({
    '.gitlab-ci.yml': [
      'workflow:',
      '  rules:',
      '    - variables: {W: from-workflow}',
      'variables:',
      '  W: from-global',
      '  V: from-global',
      '.base:',
      '  variables: {V: from-base}',
      'job:',
      '  extends: .base',
      '  variables: {V: from-job}',
      '  parallel:',
      '    matrix:',
      '      - V: [from-matrix]',
      '  rules:',
      '    - variables: {V: from-rules}',
      '  script: [echo $V $W]',
      'plain:',
      '  script: [echo $W]',
      '',
    ].join('\n'),
  });
  const chain = (job: string, name: string) => definitionsInScope(p, job, { withoutPredefined: true }).get(name)!.map((d) => d.value ?? d.options?.[0]);
  assert.deepEqual(chain('job', 'V'), ['from-rules', 'from-matrix', 'from-job', 'from-base', 'from-global']);
  assert.deepEqual(chain('job', 'W'), ['from-workflow', 'from-global']);
  assert.deepEqual(chain('plain', 'W'), ['from-workflow', 'from-global']);
  assert.deepEqual(chain('plain', 'V'), ['from-global']);
});

test('inherit:variables filters workflow:rules:variables too; settings variables win over all', async () => {
  const p = await expandFiles({
    '.gitlab-ci.yml': 'workflow:\n  rules:\n    - variables: {W: w}\nvariables:\n  G: g\nnone:\n  inherit: {variables: false}\n  script: [x]\nsome:\n  inherit: {variables: [W]}\n  script: [x]\n',
  });
  const has = (job: string) => ['G', 'W'].filter((n) => definitionsInScope(p, job, { withoutPredefined: true }).has(n));
  assert.deepEqual([has('none'), has('some')], [[], ['W']]);
  assert.deepEqual(definitionsInScope(p, 'some', { knownVariables: ['W'] }).get('W')!.map((d) => d.scope), ['known', 'global']);
});

describe('circular variable references in a job (pipeline/seed/build.rb variable_expansion_errors)', () => {
  const cycles = async (yaml: string) =>
    (await expandFiles({ '.gitlab-ci.yml': yaml })).diagnostics.filter((d) => d.code === 'variable-cycle').map((d) => d.message);
  it('a loop between the job and the global variables is an error of that job', async () => {
    const yaml = 'variables:\n  A: $B\njob:\n  variables:\n    B: x-${A}\n  script: [x]\nother:\n  script: [x]\n';
    assert.deepEqual(await cycles(yaml), ['job: circular variable reference detected: ["A", "B"]']);
  });
  it('a loop within the global variables is an error of every job that inherits them', async () => {
    const yaml = 'variables:\n  A: $B\n  B: "%A%"\n.hidden:\n  script: [x]\nj1:\n  script: [x]\nj2:\n  inherit: {variables: [A]}\n  script: [x]\nj3:\n  variables: {B: plain}\n  script: [x]\n';
    assert.deepEqual(await cycles(yaml), ['j1: circular variable reference detected: ["A", "B"]']);
  });
  it('no loop: a self reference, an escaped reference, expand: false, a matrix override', async () => {
    const yaml = [
      'variables:',
      '  A: $A',
      '  B: $$C',
      '  C: $B',
      '  D: {value: $E, expand: false}',
      '  E: $D',
      '  F: $G',
      '  G: $F',
      'job:',
      '  parallel:',
      '    matrix:',
      '      - G: [one, two]',
      '  script: [x]',
      '',
    ].join('\n');
    assert.deepEqual(await cycles(yaml), []);
  });
});

test('needs: entries of another pipeline or project read variables (Ci::BuildDependencies expands them); job names do not', async () => {
  const { jobReadNames } = await import('../../server/src/pipeline/variables/variable-reads.js');
  const p = await expandFiles({
    '.gitlab-ci.yml': [
      'build:',
      '  script: [x]',
      'job:',
      '  needs:',
      '    - build',
      '    - job: $NOT_READ',
      '    - pipeline: $PARENT_PIPELINE_ID',
      '      job: gen-$KIND',
      '    - project: $UPSTREAM',
      '      ref: ${UPSTREAM_REF}',
      '      job: b',
      '      artifacts: true',
      '  script: [x]',
      '',
    ].join('\n'),
  });
  assert.deepEqual([...jobReadNames(p.jobs.get('job')!).all].sort(), ['KIND', 'PARENT_PIPELINE_ID', 'UPSTREAM', 'UPSTREAM_REF']);
});

test('GITLAB_USER_* are set after the YAML variables: a job cannot override them; other predefined ones it can', async () => {
  const p = await expandFiles({ '.gitlab-ci.yml': 'variables:\n  GITLAB_USER_LOGIN: me\n  CI_JOB_STAGE: mine\njob:\n  script: [x]\n' });
  const scopes = (name: string) => definitionsInScope(p, 'job').get(name)!.map((d) => d.scope);
  assert.deepEqual(scopes('GITLAB_USER_LOGIN'), ['predefined', 'global']);
  assert.deepEqual(scopes('CI_JOB_STAGE'), ['global', 'predefined']);
});
