import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileRe2,
  compileRubyRegexLiteral,
  evaluateAst,
  evaluateExpression,
  expressionInputs,
  expressionVariables,
  isPresent,
  parseExpression,
  tokenizeExpression,
} from '../../server/src/pipeline/expressions/expressions.js';
import type { ExprNode, ExprOptions, ExprVars } from '../../server/src/pipeline/expressions/expressions.js';

const VARS: ExprVars = {
  PRESENT: 'my variable',
  EMPTY: '',
  BLANK: '  \t',
  PATH: 'a/path/variable/value',
  FULL: '/a/full/path/variable/value',
  TRUE: 'true',
  BRANCH: 'main',
  TAG: 'v1.2.3',
  SOURCE: 'merge_request_event',
  PATTERN: '/^my.*/',
  PATTERN_I: '/MY VAR/i',
  PATTERN_ESCAPED: '/^a\\/path/',
  PATTERN_BAD: '/my (/',
  SENTENCE: 'my variable is here',
  MULTI: 'first\nsecond',
  GREEK: 'αβγ',
  UNDEF: undefined,
};

function value(expr: string, vars: ExprVars = VARS, opts?: ExprOptions): boolean {
  const r = evaluateExpression(expr, vars, opts);
  assert.ok(r.ok, `${expr}: ${r.ok ? '' : r.error}`);
  return r.value;
}

describe('evaluateExpression: values, equality and presence (GitLab statement_spec)', () => {
  const cases: Array<[string, boolean]> = [
    ['$PRESENT == "my variable"', true],
    ['"my variable" == $PRESENT', true],
    ["$PRESENT == 'my variable'", true],
    ['$PRESENT == "no match"', false],
    ['$PRESENT == null', false],
    ['$EMPTY == null', false],
    ['"" == $EMPTY', true],
    ['$EMPTY == ""', true],
    ['$UNDEFINED == ""', false],
    ['$UNDEFINED == null', true],
    ['null == $UNDEFINED', true],
    ['$UNDEF == null', true],
    ['$UNDEFINED == $ALSO_UNDEFINED', true],
    ['$PRESENT != "my variable"', false],
    ['"my variable" != $PRESENT', false],
    ['$PRESENT != null', true],
    ['$EMPTY != null', true],
    ['"" != $EMPTY', false],
    ['$UNDEFINED != null', false],
    ['null != $UNDEFINED', false],
    ['$PRESENT', true],
    ['$UNDEFINED', false],
    ['$EMPTY', false],
    ['$BLANK', false],
    ['"string"', true],
    ['""', false],
    ['null', false],
    ['true', true],
    ['false', false],
    ['$TRUE == true', true],
    ['true == $TRUE', true],
    ['$PRESENT == true', false],
    ['$TRUE != false', true],
    ['$UNDEFINED == false', false],
  ];
  for (const [expr, expected] of cases) it(`${expr} → ${expected}`, () => assert.equal(value(expr), expected));
});

describe('evaluateExpression: =~ and !~', () => {
  const cases: Array<[string, boolean]> = [
    ['$PRESENT =~ /var.*e$/', true],
    ['$PRESENT =~ /^var.*/', false],
    ['$EMPTY =~ /var.*/', false],
    ['$UNDEFINED =~ /var.*/', false],
    ['$UNDEFINED =~ /^$/', true], // nil reads as ""
    ['$PRESENT =~ /VAR.*/i', true],
    ['$PRESENT =~ /VAR.*/', false],
    ['$PATH =~ /path\\/variable/', true],
    ['$FULL =~ /^\\/a\\/full\\/path\\/variable\\/value$/', true],
    ['$PRESENT !~ /var.*e$/', false],
    ['$PRESENT !~ /^var.*/', true],
    ['$EMPTY !~ /var.*/', true],
    ['$UNDEFINED !~ /var.*/', true],
    ['$PRESENT !~ /VAR.*/i', false],
    // a variable holding "/re/flags" is used as a regex
    ['$PRESENT =~ $PATTERN', true],
    ['$PRESENT =~ $PATTERN_I', true],
    ['$PRESENT !~ $PATTERN', false],
    ['$PATH =~ $PATTERN_ESCAPED', true],
    ['$PRESENT =~ "/^my/"', true],
    // nil on the right: =~ false, !~ true
    ['$PRESENT =~ $UNDEFINED', false],
    ['$PRESENT !~ $UNDEFINED', true],
    ['$PRESENT =~ null', false],
    ['$PRESENT =~ false', false],
    // a plain string on the right: String#scan, i.e. the left value must occur in it
    ['"variable" =~ $SENTENCE', true],
    ['$PRESENT =~ $SENTENCE', true],
    ['$SENTENCE =~ $PRESENT', false],
    ['$PRESENT =~ "my"', false],
    ['$PRESENT =~ $PATTERN_BAD', false], // invalid regex text stays a string
    // RE2 details
    ['$PRESENT =~ /\\Amy variable\\z/', true],
    ['$PRESENT =~ /^my$/', false],
    ['$MULTI =~ /^second$/', false],
    ['$MULTI =~ /^second$/m', true],
    ['$MULTI =~ /first.second/', false],
    ['$MULTI =~ /first.second/s', true],
    ['$PRESENT =~ /(?i)MY VARIABLE/', true],
    ['$PRESENT =~ /(?i:MY) variable/', true],
    ['$PRESENT =~ /(?i:MY) VARIABLE/', false],
    ['$PRESENT =~ /MY(?-i)VARIABLE/i', false],
    ['$PRESENT =~ /MY(?-i) variable/i', true],
    ['$PRESENT =~ /my.*e/U', true],
    ['$TAG =~ /^v[[:digit:]]+\\.[[:digit:]]+/', true],
    ['$TAG =~ /^v\\d+\\.\\d+\\.\\d+$/', true],
    ['$TAG =~ /^v\\d{2,}/', false],
    ['$GREEK =~ /^\\p{Greek}+$/', true],
    ['$PRESENT =~ /\\pL+\\s\\pL+/', true],
    ['$PRESENT =~ /[^[:space:]]+ [[:alpha:]]+/', true],
    ['$PRESENT =~ /\\x{6d}\\171/', true], // \x{6d} = m, \171 = y
    ['$PRESENT =~ /\\Qmy v\\E/', true],
    ['$PRESENT =~ /(?P<first>my) (?<second>var)/', true],
  ];
  for (const [expr, expected] of cases) it(`${expr} → ${expected}`, () => assert.equal(value(expr), expected));
});

describe('evaluateExpression: &&, ||, parentheses, precedence and !', () => {
  const cases: Array<[string, boolean]> = [
    ['$PRESENT && $PRESENT', true],
    ['$PRESENT && $EMPTY', false],
    ['$PRESENT && $UNDEFINED', false],
    ['$UNDEFINED && $PRESENT', false],
    // Ruby: "" is truthy, so && goes on to the right operand and || stops at ""
    ['$EMPTY && $PRESENT', true],
    ['$EMPTY || $PRESENT', false],
    ['$UNDEFINED || $PRESENT', true],
    ['$PRESENT || $UNDEFINED', true],
    ['$EMPTY == "" || $PRESENT', true],
    ['$PRESENT && null || $EMPTY == ""', true],
    // && binds tighter than ||
    ['$PRESENT || $UNDEFINED && $UNDEFINED', true],
    ['$UNDEFINED && $UNDEFINED || $PRESENT', true],
    ['($PRESENT || $UNDEFINED) && $UNDEFINED', false],
    ['$UNDEFINED && ($UNDEFINED || $PRESENT)', false],
    ['$BRANCH == "dev" || $TAG =~ /^v\\d+/ && $SOURCE == "merge_request_event"', true],
    ['($BRANCH == "dev" || $TAG =~ /^v\\d+/) && $SOURCE == "push"', false],
    ['$BRANCH == "main" && ($SOURCE == "push" || $SOURCE == "merge_request_event")', true],
    ['(($BRANCH == "main"))', true],
    ['$BRANCH == ($BRANCH)', true],
    ['(  $UNDEFINED  )', false],
    ['$UNDEFINED == null && ($BRANCH == "main" || $BRANCH == "dev")', true],
    // ! is a presence test and binds tightest
    ['!$PRESENT', false],
    ['!$UNDEFINED', true],
    ['!$EMPTY', true],
    ['!!$PRESENT', true],
    ['!($BRANCH == "main" || $X)', false],
    ['!($BRANCH == "dev") && $PRESENT', true],
    ['!$PRESENT == "false"', true], // (!$PRESENT) == "false", as GitLab reads it
    ['!$UNDEFINED && $PRESENT', true],
    ['"false" == !$PRESENT', true],
  ];
  for (const [expr, expected] of cases) it(`${expr} → ${expected}`, () => assert.equal(value(expr), expected));

  it('keeps the Ruby value of && and || (evaluateAst raw)', () => {
    const raw = (expr: string) => {
      const p = parseExpression(expr);
      assert.ok(p.ok);
      const r = evaluateAst(p.ast, VARS);
      assert.ok(r.ok);
      return r.raw;
    };
    assert.equal(raw('$PRESENT && "string"'), 'string');
    assert.equal(raw('$EMPTY && $EMPTY'), '');
    assert.equal(raw('null && "string"'), null);
    assert.equal(raw('$UNDEFINED || $PRESENT'), 'my variable');
    assert.equal(raw('$PRESENT || $UNDEFINED == null'), 'my variable');
    assert.equal(raw('$PRESENT =~ /xy/ && $EMPTY'), false);
  });
});

describe('evaluateExpression: inputs and options', () => {
  it('reads $[[ inputs.x ]] from opts.inputs', () => {
    const inputs = { env: 'prod', flag: false, on: true, list: ['a'], 'with-dash': 'x' };
    assert.equal(value('$[[ inputs.env ]] == "prod"', {}, { inputs }), true);
    assert.equal(value('$[[inputs.env]] =~ /^pr/', {}, { inputs }), true);
    assert.equal(value('$[[ inputs.flag ]]', {}, { inputs }), false);
    assert.equal(value('$[[ inputs.on ]]', {}, { inputs }), true);
    assert.equal(value('$[[ inputs.on ]] == "true"', {}, { inputs }), true);
    assert.equal(value('$[[ inputs.list ]]', {}, { inputs }), true);
    assert.equal(value('$[[ inputs.with-dash ]] == "x"', {}, { inputs }), true);
    assert.equal(value('$[[ inputs.missing ]] == null', {}, { inputs }), true);
    assert.equal(value('$[[ inputs.env ]] == null', {}), true);
    assert.deepEqual(expressionInputs('$[[ inputs.a ]] && $[[ inputs.b ]] || $[[ inputs.a ]]'), ['a', 'b']);
  });

  it('rejects ${VAR} like GitLab unless allowBracedVariables', () => {
    const r = evaluateExpression('${BRANCH} == "main"', VARS);
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.offset === 0 && r.kind === 'syntax' && /write \$BRANCH/.test(r.error));
    assert.equal(value('${BRANCH} == "main"', VARS, { allowBracedVariables: true }), true);
    assert.deepEqual(expressionVariables('${A} == $B', { allowBracedVariables: true }), ['A', 'B']);
  });

  it('does not read inherited object properties as variables', () => {
    assert.equal(value('$constructor'), false);
    assert.equal(value('$toString == null'), true);
  });

  it('reports runtime and unsupported errors instead of throwing', () => {
    const boolRight = evaluateExpression('$PRESENT =~ ($PRESENT != null)', VARS); // not reached by GitLab's valid? (no variables)
    assert.ok(!boolRight.ok && boolRight.kind === 'runtime' && boolRight.offset === 13);
    const byte = evaluateExpression('$PRESENT =~ /a\\C/', VARS);
    assert.ok(!byte.ok && byte.kind === 'unsupported');
    assert.ok(parseExpression('$PRESENT =~ /a\\C/').ok, 'valid for GitLab, so it parses');
    // not reached: no error
    assert.equal(value('$UNDEFINED && $PRESENT =~ /a\\C/'), false);
  });
});

describe('syntax errors and offsets', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['', 0, /empty expression/],
    ['   ', 0, /empty expression/],
    ['$PRESENT = "x"', 9, /'='/],
    ['$PRESENT == "x', 12, /unterminated string/],
    ['$X =~ /a/', 6, /one-character regex/],
    ['$X =~ //', 6, /empty regex/],
    ['$X =~ /abc', 6, /unterminated regex/],
    ['$X =~ /ab/x', 10, /regex flag 'x'/],
    ['${X} == "a"', 0, /\$\{X\}/],
    ['$X == "a" &&', 10, /'&&' is missing its right operand/],
    ['&& $X', 0, /'&&' is missing its left operand/],
    ['== $X', 0, /'==' is missing its left operand/],
    ['!', 0, /'!' is missing its right operand/],
    ['($X == "a"', 0, /unclosed '\('/],
    ['$X == "a")', 9, /unmatched '\)'/],
    ['(($X)', 0, /unclosed '\('/],
    ['()', 0, /empty parentheses/],
    ['$X "a"', 3, /missing operator before '"a"'/],
    ['$X == "a" $Y == "b"', 10, /missing operator/],
    ['$X and $Y', 3, /'and'.*'&&'/],
    ['$X == "a" & $Y', 10, /'&&'/],
    ['$X == "a" | $Y', 10, /'\|\|'/],
    ['$X == nil', 6, /keyword 'nil'/],
    ['$X == main', 6, /quote strings/],
    ['$ == "a"', 0, /variable name/],
    ['$X =~ /(?=a)b/', 7, /look-around/],
    ['$X =~ /(?<!a)b/', 7, /look-around/],
    ['$X =~ /ab\\1/', 9, /back-references/],
    ['$X =~ /a\\Z/', 8, /\\Z/],
    ['$X =~ /a**/', 9, /nested repetition/],
    ['$X =~ /a{2}{3}/', 11, /nested repetition/],
    ['$X =~ /(a)(?P<a>b)(?P<a>c)/', 18, /duplicate capture group name/],
    ['$X =~ /*ab/', 7, /missing argument to repetition/],
    ['$X =~ /a{1001}/', 8, /repeat count/],
    ['$X =~ /[z-a]/', 8, /class range/],
    ['$X =~ /(ab/', 7, /missing closing \)/],
    ['$X =~ /ab)/', 9, /unexpected \)/],
    ['$X =~ /[ab/', 7, /missing closing \]/],
    ['$X =~ /[[:alpah:]]/', 8, /class range/],
    ['$X =~ /\\p{Klingon}x/', 7, /class range/],
    ['$X =~ /a\\/(?=b)/', 10, /look-around/], // offset maps back across the \/ escape
  ];
  for (const [expr, offset, message] of cases) {
    it(`${JSON.stringify(expr)} → error at ${offset}`, () => {
      const r = evaluateExpression(expr, VARS);
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.kind, 'syntax');
      assert.match(r.error, message);
      assert.equal(r.offset, offset, r.error);
      const p = parseExpression(expr);
      assert.ok(!p.ok && p.offset === offset);
    });
  }

  it('accepts 99 tokens and rejects 100, like GitLab', () => {
    const ok = Array.from({ length: 50 }, (_, i) => `$V${i}`).join(' || '); // 99 tokens
    assert.equal(tokenizeExpression(ok).ok, true);
    assert.equal(value(ok, { V49: 'x' }), true);
    const tooMany = `${ok} || $V50`; // 101 tokens
    const r = evaluateExpression(tooMany, {});
    assert.ok(!r.ok && /too many tokens/.test(r.error));
    const hundred = `(${ok})`; // 101 tokens
    assert.equal(evaluateExpression(hundred, {}).ok, false);
    const exactly100 = `${ok} ||`;
    const r100 = tokenizeExpression(exactly100);
    assert.ok(!r100.ok && r100.tokens.length === 100);
  });

  it('accepts the odd orders GitLab accepts, with a warning', () => {
    const p = parseExpression('$PRESENT "my variable" ==');
    assert.ok(p.ok);
    assert.equal(p.warnings.length, 1);
    assert.equal(p.warnings[0].offset, 9);
    assert.equal(value('$PRESENT "my variable" =='), true);
    const q = parseExpression('$PRESENT ()');
    assert.ok(q.ok && q.warnings.length === 1);
    const clean = parseExpression('$A == "x" || !($B =~ /yz/)');
    assert.ok(clean.ok && clean.warnings.length === 0);
  });
});

describe('parseExpression, tokens and variables', () => {
  const shape = (n: ExprNode): unknown => {
    switch (n.type) {
      case 'binary':
        return [n.op, shape(n.left), shape(n.right)];
      case 'not':
        return ['!', shape(n.operand)];
      case 'variable':
        return `$${n.name}`;
      case 'string':
        return JSON.stringify(n.value);
      case 'regex':
        return n.pattern;
      case 'null':
        return 'null';
      case 'boolean':
        return String(n.value);
      case 'input':
        return `inputs.${n.name}`;
    }
  };
  const ast = (expr: string) => {
    const p = parseExpression(expr);
    assert.ok(p.ok, p.ok ? '' : p.error);
    return shape(p.ast);
  };

  it('builds GitLab precedence into the tree', () => {
    assert.deepEqual(ast('$A || $B && $C'), ['||', '$A', ['&&', '$B', '$C']]);
    assert.deepEqual(ast('$A && $B || $C'), ['||', ['&&', '$A', '$B'], '$C']);
    assert.deepEqual(ast('$A == "x" && $B =~ /y+/i'), ['&&', ['==', '$A', '"x"'], ['=~', '$B', '(?i)y+']]);
    assert.deepEqual(ast('($A || $B) && $C'), ['&&', ['||', '$A', '$B'], '$C']);
    assert.deepEqual(ast('!$A == "x"'), ['==', ['!', '$A'], '"x"']);
    assert.deepEqual(ast('!($A || $B)'), ['!', ['||', '$A', '$B']]);
    assert.deepEqual(ast('$A == $B == $C'), ['==', ['==', '$A', '$B'], '$C']);
    assert.deepEqual(ast("'it' != null"), ['!=', '"it"', 'null']);
    assert.deepEqual(ast('$A =~ /a\\/b/'), ['=~', '$A', 'a/b']);
  });

  it('records offsets of nodes', () => {
    const p = parseExpression('$A == "x" || $B');
    assert.ok(p.ok && p.ast.type === 'binary');
    assert.equal(p.ast.op, '||');
    assert.deepEqual([p.ast.start, p.ast.end, p.ast.opStart, p.ast.opEnd], [0, 15, 10, 12]);
    assert.ok(p.ast.left.type === 'binary');
    assert.deepEqual([p.ast.left.start, p.ast.left.end], [0, 9]);
    assert.deepEqual(p.tokens.map((t) => t.kind), ['variable', '==', 'string', '||', 'variable']);
  });

  it('lists the variables an expression reads', () => {
    assert.deepEqual(expressionVariables('$A == $B || ($A =~ /x$/ && $C_1)'), ['A', 'B', 'C_1']);
    assert.deepEqual(expressionVariables('$A == $B = "x"'), ['A', 'B']); // up to the syntax error
    assert.deepEqual(expressionVariables('"$NOT_A_READ" == \'$NOR\''), []);
    assert.deepEqual(expressionVariables(''), []);
  });
});

describe('compileRe2', () => {
  const re = (p: string) => {
    const r = compileRe2(p);
    assert.ok(r.ok, r.ok ? '' : r.error);
    return r.regex;
  };
  it('translates RE2 semantics', () => {
    assert.equal(re('^a.c$').test('a\nc'), false);
    assert.equal(re('(?s)^a.c$').test('a\nc'), true);
    assert.equal(re('^b$').test('a\nb'), false);
    assert.equal(re('(?m)^b$').test('a\nb\nc'), true);
    assert.equal(re('a$').test('a\n'), false); // RE2 $ is \z without (?m)
    assert.equal(re('\\s').test('\u00a0'), false); // RE2 \s is ASCII
    assert.equal(re('[^a]').test('\n'), true);
    assert.equal(re('x{2}').test('xx'), true);
    assert.equal(re('a{,2}').test('a{,2}'), true); // not a repeat: literal
    assert.equal(re('[a-c-]+$').test('b-'), true);
    assert.equal(re('[]a]').test(']'), true);
    assert.equal(re('\\Qa.b\\E').test('axb'), false);
    assert.equal(re('^*a').test('a'), true);
    assert.equal(re('a(?i)b').test('aB'), true);
    assert.equal(re('a(?i)b').test('AB'), false);
    assert.equal(re('(?i)[[:lower:]]').test('Q'), true);
    assert.equal(re('a(?i)[[:lower:]]').test('aQ'), true);
    assert.equal(re('a(?i:[^b])').test('aB'), false);
    assert.equal(re('(?i)k').test('\u212a'), true);
  });
  it('rejects what RE2 rejects', () => {
    for (const p of ['(?=a)', '(?!a)', '(?<=a)', '(?<!a)', '\\1', '\\8', 'a\\Z', '(?P<n>a)(?P<n>b)', 'a{1001}', '(a{100}){11}', 'a**', 'a{2}{3}', '(?x)a', '(?i-)a', '\\', '[a', '(', ')', '\\e', '\\h', '[\\b]', '\\x{110000}', '\\xZ1']) {
      const r = compileRe2(p);
      assert.ok(!r.ok && r.kind === 'syntax', `${p} should be rejected`);
    }
  });
  it('answers a nested-quantifier pattern on a long value (RE2 runs in linear time; timings: npm run bench:regex)', { timeout: 60_000 }, () => {
    const long = 'a'.repeat(39) + 'b';
    assert.deepEqual(evaluateExpression('$VAR =~ /^(a+)+$/', { VAR: long }), { ok: true, value: false });
    assert.deepEqual(evaluateExpression('$VAR =~ /^(a+)+$/', { VAR: 'a'.repeat(40) }), { ok: true, value: true });
  });
  it('compiles Ruby-style literals', () => {
    const r = compileRubyRegexLiteral('/^release\\/v\\d/i');
    assert.ok(r.ok && r.pattern === '(?i)^release/v\\d' && r.regex.test('RELEASE/v1'));
    const s = compileRubyRegexLiteral('release');
    assert.ok(!s.ok && s.notALiteral);
  });
  it('isPresent follows ActiveSupport', () => {
    assert.equal(isPresent(' \n'), false);
    assert.equal(isPresent('0'), true);
    assert.equal(isPresent([]), false);
    assert.equal(isPresent(0), true);
  });
});
