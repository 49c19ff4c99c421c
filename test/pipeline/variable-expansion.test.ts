import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expandVariables, findVariableReads } from '../../server/src/pipeline/variables/variable-expansion.js';
import type { ExpandOptions, VariableRead } from '../../server/src/pipeline/variables/variable-expansion.js';

const VARS = { A: 'x', B: 'y', A_B1: 'long', EMPTY: '', REF: '$A', DOLLAR: '$$', UNSET: undefined };

describe('expandVariables', () => {
  const cases: Array<[string, string, ExpandOptions?]> = [
    ['$A/${B}/c', 'x/y/c'],
    ['templates/$A.yml', 'templates/x.yml'],
    ['$A_B1-$A', 'long-x'],
    ['$A_B', ''], // the longest name is read: A_B is undefined
    ['${A}_B', 'x_B'],
    ['pre-$MISSING-post', 'pre--post'],
    ['pre-${MISSING}-post', 'pre--post'],
    ['pre-$MISSING-${MISSING}', 'pre-$MISSING-${MISSING}', { keepUndefined: true }],
    ['$UNSET|$EMPTY|', '||'],
    ['$UNSET', '$UNSET', { keepUndefined: true }],
    ['$EMPTY', '', { keepUndefined: true }],
    // $$ escapes
    ['$$A', '$A'],
    ['cost: $$5', 'cost: $5'],
    ['$$$A', '$x'],
    ['$$A', '$$A', { dollarEscape: 'keep' }],
    ['$$A $B', '$$A y', { dollarEscape: 'keep' }],
    ['$$A', '$x', { dollarEscape: 'none' }], // GitLab's ExpandVariables has no escape
    // not variable references: left as they are
    ['$', '$'],
    ['a$', 'a$'],
    ['${', '${'],
    ['${A', '${A'],
    ['${A:-default}', '${A:-default}'],
    ['$1 $@ $? ${1}', '$1 $@ $? ${1}'],
    ['100%', '100%'],
    // %VAR% only on request
    ['%A%', '%A%'],
    ['%A%\\%B%', 'x\\y', { percent: true }],
    ['%%A%%', '%A%', { percent: true }],
    ['%MISSING%', '', { percent: true }],
    // one pass: values are not expanded again
    ['$REF', '$A'],
    ['$DOLLAR', '$$'],
    // no inherited properties
    ['$constructor$toString', ''],
  ];
  for (const [text, expected, opts] of cases) {
    it(`${JSON.stringify(text)}${opts ? ` ${JSON.stringify(opts)}` : ''} → ${JSON.stringify(expected)}`, () => {
      assert.equal(expandVariables(text, VARS, opts), expected);
    });
  }
});

describe('findVariableReads', () => {
  const reads = (text: string, shell = false) =>
    findVariableReads(text, { shell }).map((r) => ({ ...r, text: text.slice(r.start, r.end) }));
  const names = (text: string, shell = false) => findVariableReads(text, { shell }).map((r) => r.name);

  it('finds every form with offsets', () => {
    const text = 'echo $A ${B} ${C:-def} ${D-x} ${E:=y} ${F?msg} ${G:?} ${H:+alt}';
    const r = reads(text);
    assert.deepEqual(
      r.map((x) => [x.name, x.form, x.text]),
      [
        ['A', 'plain', '$A'],
        ['B', 'braced', '${B}'],
        ['C', 'default', '${C:-def}'],
        ['D', 'default', '${D-x}'],
        ['E', 'default', '${E:=y}'],
        ['F', 'required', '${F?msg}'],
        ['G', 'required', '${G:?}'],
        ['H', 'alternate', '${H:+alt}'],
      ],
    );
    assert.equal(r[0].start, 5);
    assert.equal(r[0].end, 7);
    assert.equal(r[2].default, 'def');
    assert.equal(r[2].operator, ':-');
    assert.equal(r[3].operator, '-');
    assert.equal(r[5].required, 'msg');
    assert.equal(r[6].required, '');
    assert.equal(r[7].alternate, 'alt');
    assert.equal(r[1].operator, undefined);
    assert.equal(r[1].default, undefined);
  });

  it('skips escapes and shell specials', () => {
    assert.deepEqual(names('$$A $1 $@ $? $# $* $! $- $0 ${1} ${@} ${#} ${10}'), []);
    const r = reads('$$$A');
    assert.deepEqual(r.map((x) => [x.name, x.start, x.end]), [['A', 2, 4]]);
    assert.deepEqual(names('a$ $ ${ ${A ${A.b} ${9x}'), []);
    assert.deepEqual(names('$(cmd $A) $((1 + 2)) `x $B`'), ['A', 'B']);
  });

  it('reads names the way GitLab does', () => {
    const r = reads('$A_1-b ${_X}/$a1');
    assert.deepEqual(r.map((x) => [x.name, x.text]), [['A_1', '$A_1'], ['_X', '${_X}'], ['a1', '$a1']]);
  });

  it('finds reads nested in default words', () => {
    const text = '${A:-${B:-c}} ${D:-$E}';
    const r = reads(text);
    assert.deepEqual(
      r.map((x) => [x.name, x.form, x.text, x.default]),
      [
        ['A', 'default', '${A:-${B:-c}}', '${B:-c}'],
        ['B', 'default', '${B:-c}', 'c'],
        ['D', 'default', '${D:-$E}', '$E'],
        ['E', 'plain', '$E', undefined],
      ],
    );
    assert.equal(r[1].start, 5);
  });

  it('handles quotes and escapes inside words', () => {
    const r = reads('${A:-"}"} ${B:-\\}}');
    assert.deepEqual(r.map((x) => [x.name, x.default]), [['A', '"}"'], ['B', '\\}']]);
    assert.deepEqual(r.map((x) => x.text), ['${A:-"}"}', '${B:-\\}}']);
    assert.deepEqual(reads("${A:-it's}").map((x) => x.default), ["it's"]);
  });

  it('reports other parameter expansions as braced reads with their operator', () => {
    const r = findVariableReads('${#A} ${!B} ${C#pre} ${D%%.*} ${E/a/b} ${F:0:3} ${G^^}');
    assert.deepEqual(
      r.map((x: VariableRead) => [x.name, x.form, x.operator]),
      [
        ['A', 'braced', '#len'],
        ['B', 'braced', '!'],
        ['C', 'braced', '#'],
        ['D', 'braced', '%%'],
        ['E', 'braced', '/'],
        ['F', 'braced', ':'],
        ['G', 'braced', '^^'],
      ],
    );
  });

  it('follows shell quoting on request', () => {
    const text = `echo '$A' "$B" \\$C $D '\${E}'`;
    assert.deepEqual(names(text), ['A', 'B', 'C', 'D', 'E']);
    assert.deepEqual(names(text, true), ['B', 'D']);
    const r = reads(text, true);
    assert.equal(r[0].text, '$B');
    assert.equal(r[0].start, text.indexOf('$B'));
  });

  it('returns nothing for text without references', () => {
    assert.deepEqual(findVariableReads(''), []);
    assert.deepEqual(findVariableReads('plain text, 100% sure'), []);
  });
});
