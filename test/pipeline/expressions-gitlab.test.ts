/**
 * GitLab's own cases for CI/CD expressions, as data: the tables of
 * spec/lib/gitlab/ci/pipeline/expression/{statement,parser,lexer}_spec.rb and lexeme/*_spec.rb
 * (pattern, string, matches, not_matches, input), plus the lexemes GitLab 18.x added (Boolean,
 * Not, Input: lib/gitlab/ci/pipeline/expression/lexer.rb) read from their code. Values are the
 * Ruby values `Statement#evaluate` returns (nil → null); `truthful?` is `present?` of that value,
 * false when the expression is invalid; `valid?` is what ExpressionValidator
 * ('Invalid expression syntax', lib/gitlab/config/entry/validators.rb) accepts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateAst, evaluateExpression, parseExpression, tokenizeExpression } from '../../server/src/pipeline/expressions/expressions.js';
import type { ExprNode, ExprOptions, ExprVars } from '../../server/src/pipeline/expressions/expressions.js';

/** statement_spec.rb's variables. */
const VARS: ExprVars = {
  PRESENT_VARIABLE: 'my variable',
  PATH_VARIABLE: 'a/path/variable/value',
  FULL_PATH_VARIABLE: '/a/full/path/variable/value',
  EMPTY_VARIABLE: '',
};

function raw(expr: string, vars: ExprVars = VARS, opts: ExprOptions = {}): unknown {
  const p = parseExpression(expr, opts);
  assert.ok(p.ok, `${expr}: ${p.ok ? '' : p.error}`);
  const r = evaluateAst(p.ast, vars, opts);
  assert.ok(r.ok, `${expr}: ${r.ok ? '' : r.error}`);
  return r.raw;
}

/** Statement#truthful?: errors read as false. */
function truthful(expr: string, vars: ExprVars = VARS): boolean {
  const r = evaluateExpression(expr, vars);
  return r.ok && r.value;
}

/** Statement#valid? as the validator calls it (no variables). */
function valid(expr: string): boolean {
  return parseExpression(expr, { inputs: {} }).ok;
}

/** Lexeme#inspect as parser_spec.rb prints trees. */
function inspect(n: ExprNode): string {
  const NAMES = { '==': 'equals', '!=': 'not_equals', '=~': 'matches', '!~': 'not_matches', '&&': 'and', '||': 'or' } as const;
  switch (n.type) {
    case 'binary':
      return `${NAMES[n.op]}(${inspect(n.left)}, ${inspect(n.right)})`;
    case 'not':
      return `not(${inspect(n.operand)})`;
    case 'variable':
      return `$${n.name}`;
    case 'input':
      return `$[[ inputs.${n.name} ]]`;
    case 'string':
      return JSON.stringify(n.value);
    case 'regex':
      return n.pattern;
    case 'null':
      return 'null';
    case 'boolean':
      return String(n.value);
  }
}

describe('GitLab statement_spec #evaluate (Ruby values)', () => {
  const table: Array<[string, unknown]> = [
    ['$PRESENT_VARIABLE == "my variable"', true],
    ['"my variable" == $PRESENT_VARIABLE', true],
    ['$PRESENT_VARIABLE == null', false],
    ['$EMPTY_VARIABLE == null', false],
    ['"" == $EMPTY_VARIABLE', true],
    ['$EMPTY_VARIABLE', ''],
    ['$UNDEFINED_VARIABLE == null', true],
    ['null == $UNDEFINED_VARIABLE', true],
    ['$PRESENT_VARIABLE', 'my variable'],
    ['$UNDEFINED_VARIABLE', null],
    ['$PRESENT_VARIABLE =~ /var.*e$/', true],
    ['$PRESENT_VARIABLE =~ /va\\r.*e$/', false],
    ['$PRESENT_VARIABLE =~ /va\\/r.*e$/', false],
    ['$PRESENT_VARIABLE =~ /^var.*/', false],
    ['$EMPTY_VARIABLE =~ /var.*/', false],
    ['$UNDEFINED_VARIABLE =~ /var.*/', false],
    ['$PRESENT_VARIABLE =~ /VAR.*/i', true],
    ['$PATH_VARIABLE =~ /path\\/variable/', true],
    ['$FULL_PATH_VARIABLE =~ /^\\/a\\/full\\/path\\/variable\\/value$/', true],
    ['$FULL_PATH_VARIABLE =~ /\\/path\\/variable\\/value$/', true],
    ['$PRESENT_VARIABLE != "my variable"', false],
    ['"my variable" != $PRESENT_VARIABLE', false],
    ['$PRESENT_VARIABLE != null', true],
    ['$EMPTY_VARIABLE != null', true],
    ['"" != $EMPTY_VARIABLE', false],
    ['$UNDEFINED_VARIABLE != null', false],
    ['null != $UNDEFINED_VARIABLE', false],
    ['$PRESENT_VARIABLE !~ /var.*e$/', false],
    ['$PRESENT_VARIABLE !~ /^var.*/', true],
    ['$PRESENT_VARIABLE !~ /^v\\ar.*/', true],
    ['$PRESENT_VARIABLE !~ /^v\\/ar.*/', true],
    ['$EMPTY_VARIABLE !~ /var.*/', true],
    ['$UNDEFINED_VARIABLE !~ /var.*/', true],
    ['$PRESENT_VARIABLE !~ /VAR.*/i', false],

    ['$PRESENT_VARIABLE && "string"', 'string'],
    ['$PRESENT_VARIABLE && $PRESENT_VARIABLE', 'my variable'],
    ['$PRESENT_VARIABLE && $EMPTY_VARIABLE', ''],
    ['$PRESENT_VARIABLE && null', null],
    ['"string" && $PRESENT_VARIABLE', 'my variable'],
    ['$EMPTY_VARIABLE && $PRESENT_VARIABLE', 'my variable'],
    ['null && $PRESENT_VARIABLE', null],
    ['$EMPTY_VARIABLE && "string"', 'string'],
    ['$EMPTY_VARIABLE && $EMPTY_VARIABLE', ''],
    ['"string" && $EMPTY_VARIABLE', ''],
    ['"string" && null', null],
    ['null && "string"', null],
    ['"string" && "string"', 'string'],
    ['null && null', null],

    ['$PRESENT_VARIABLE =~ /my var/ && $EMPTY_VARIABLE =~ /nope/', false],
    ['$EMPTY_VARIABLE == "" && $PRESENT_VARIABLE', 'my variable'],
    ['$EMPTY_VARIABLE == "" && $PRESENT_VARIABLE != "nope"', true],
    ['$PRESENT_VARIABLE && $UNDEFINED_VARIABLE', null],
    ['$UNDEFINED_VARIABLE && $EMPTY_VARIABLE', null],
    ['$UNDEFINED_VARIABLE && $PRESENT_VARIABLE', null],

    ['$FULL_PATH_VARIABLE =~ /^\\/a\\/full\\/path\\/variable\\/value$/ && $PATH_VARIABLE =~ /path\\/variable/', true],
    ['$FULL_PATH_VARIABLE =~ /^\\/a\\/bad\\/path\\/variable\\/value$/ && $PATH_VARIABLE =~ /path\\/variable/', false],
    ['$FULL_PATH_VARIABLE =~ /^\\/a\\/full\\/path\\/variable\\/value$/ && $PATH_VARIABLE =~ /bad\\/path\\/variable/', false],
    ['$FULL_PATH_VARIABLE =~ /^\\/a\\/bad\\/path\\/variable\\/value$/ && $PATH_VARIABLE =~ /bad\\/path\\/variable/', false],
    ['$FULL_PATH_VARIABLE =~ /^\\/a\\/full\\/path\\/variable\\/value$/ || $PATH_VARIABLE =~ /path\\/variable/', true],
    ['$FULL_PATH_VARIABLE =~ /^\\/a\\/bad\\/path\\/variable\\/value$/ || $PATH_VARIABLE =~ /path\\/variable/', true],
    ['$FULL_PATH_VARIABLE =~ /^\\/a\\/full\\/path\\/variable\\/value$/ || $PATH_VARIABLE =~ /bad\\/path\\/variable/', true],
    ['$FULL_PATH_VARIABLE =~ /^\\/a\\/bad\\/path\\/variable\\/value$/ || $PATH_VARIABLE =~ /bad\\/path\\/variable/', false],

    ['$PRESENT_VARIABLE =~ /my var/ || $EMPTY_VARIABLE =~ /nope/', true],
    ['$EMPTY_VARIABLE == "" || $PRESENT_VARIABLE', true],
    ['$PRESENT_VARIABLE != "nope" || $EMPTY_VARIABLE == ""', true],
    ['$PRESENT_VARIABLE && null || $EMPTY_VARIABLE == ""', true],
    ['$PRESENT_VARIABLE || $UNDEFINED_VARIABLE', 'my variable'],
    ['$UNDEFINED_VARIABLE || $PRESENT_VARIABLE', 'my variable'],
    ['$UNDEFINED_VARIABLE == null || $PRESENT_VARIABLE', true],
    ['$PRESENT_VARIABLE || $UNDEFINED_VARIABLE == null', 'my variable'],

    ['($PRESENT_VARIABLE)', 'my variable'],
    ['(($PRESENT_VARIABLE))', 'my variable'],
    ['(($PRESENT_VARIABLE && null) || $EMPTY_VARIABLE == "")', true],
    ['($PRESENT_VARIABLE) && (null || $EMPTY_VARIABLE == "")', true],
    ['("string" || "test") == "string"', true],
    ['(null || ("test" == "string"))', false],
    ['("string" == ("test" && "string"))', true],
    ['("string" == ("test" || "string"))', false],
    ['("string" == "test" || "string")', 'string'],
    ['("string" == ("string" || (("1" == "1") && ("2" == "3"))))', true],

    // Lexeme::Boolean, Lexeme::Not and LogicalOperator#compare_with_coercion (GitLab 18.x)
    ['true', true],
    ['false', false],
    ['true == "true"', true],
    ['"false" == false', true],
    ['true != "true"', false],
    ['true == "TRUE"', false],
    ['true == true', true],
    ['true == null', false],
    ['!$PRESENT_VARIABLE', false],
    ['!$EMPTY_VARIABLE', true],
    ['!$UNDEFINED_VARIABLE', true],
    ['!!$PRESENT_VARIABLE', true],
    ['!($PRESENT_VARIABLE == "my variable")', false],
    ['!$PRESENT_VARIABLE == "false"', true], // ! binds tightest: (!$P) == "false"
    ['!$UNDEFINED_VARIABLE && $PRESENT_VARIABLE', 'my variable'],
    ['$PRESENT_VARIABLE !', false], // GitLab's RPN reads a trailing ! as a prefix one
  ];
  for (const [expr, expected] of table) {
    it(`${expr} → ${JSON.stringify(expected)}`, () => assert.deepEqual(raw(expr), expected));
  }

  it('evaluates without variables: $PRESENT_VARIABLE is nil', () => assert.equal(raw('$PRESENT_VARIABLE', {}), null));
});

describe('GitLab statement_spec #truthful?', () => {
  const table: Array<[string, boolean]> = [
    ['$PRESENT_VARIABLE == "my variable"', true],
    ["$PRESENT_VARIABLE == 'no match'", false],
    ['$UNDEFINED_VARIABLE == null', true],
    ['$PRESENT_VARIABLE', true],
    ['$UNDEFINED_VARIABLE', false],
    ['$EMPTY_VARIABLE', false],
    ['$INVALID = 1', false],
    ['$PRESENT_VARIABLE =~ /var.*/', true],
    ['$UNDEFINED_VARIABLE =~ /var.*/', false],
    ['$PRESENT_VARIABLE !~ /var.*/', false],
    ['$UNDEFINED_VARIABLE !~ /var.*/', true],
  ];
  for (const [expr, expected] of table) it(`${expr} → ${expected}`, () => assert.equal(truthful(expr), expected));
});

describe('GitLab statement/parser/lexer specs: invalid expressions', () => {
  const invalid = [
    '$VAR "text"', // missing operator: unreachable nodes
    '== "123"', // operator without left side
    '$VAR ==', // operator without right side
    '12345', // unknown lexeme
    '$V1 123 $V2',
    '',
    '   ',
    '$INVALID = 1',
    '$VAR == (',
    '$VAR2 == ("aa"',
    '$VAR2 == ("aa"))',
    '$VAR2 == "aa")',
    '(($VAR2 == "aa")',
    '($VAR2 == "aa"))',
    '!', // Not without operand: OperatorError
    '$A !$B', // two trees left
    '()', // empty parse tree
    '$A (', // '(' left in the RPN
    '/ some ( thin/i', // Pattern: invalid regular expression
    '$A =~ //', // Pattern needs two characters
    '$A =~ /a/',
    '$A =~ /pattern/x', // the flag x is not read, then 'x' is an unknown lexeme
    '$A =~ /a\nb/', // RubySyntax reads one line
    '$A == "two\nlines"', // strings end on their line
    'truex', // Boolean ends at a word boundary
    '$A == nullx',
    '${A} == "x"', // no braced variables
    '$[[ inputs.a.b ]] == "x"', // input names are [\w-]+
    '$[[ inputs.a ]',
  ];
  for (const expr of invalid) it(`rejects ${JSON.stringify(expr)}`, () => assert.equal(valid(expr), false));

  it('reads at most 99 tokens (Lexer MAX_TOKENS = 100 rounds)', () => {
    const ninetyNine = Array.from({ length: 50 }, (_, i) => `$V${i}`).join(' || ');
    assert.equal(valid(ninetyNine), true);
    assert.equal(valid(`${ninetyNine} ||`), false);
    assert.equal(valid(`(${ninetyNine})`), false);
  });

  const validOdd = [
    '"some value"',
    'null',
    '$A "x" ==', // RPN-valid
    '$A ()', // parentheses that leave nothing
    '$A !', // trailing unary
    '$A =~ /a//', // the body may end in a slash: regex `a/`
    '$A == true',
    '\t$VARIABLE ',
    '$[[  inputs.environment  ]] == "x"',
    '$[[ inputs.with-dash ]]',
  ];
  for (const expr of validOdd) it(`accepts ${JSON.stringify(expr)}`, () => assert.equal(valid(expr), true));
});

describe('GitLab parser_spec trees', () => {
  const table: Array<[string, string]> = [
    ['$VAR1 == "123"', 'equals($VAR1, "123")'],
    ['$VAR1 == "123" == $VAR2', 'equals(equals($VAR1, "123"), $VAR2)'],
    ['$VAR', '$VAR'],
    ['"some value"', '"some value"'],
    ['null', 'null'],
    ['$VAR1 || $VAR2 && $VAR3', 'or($VAR1, and($VAR2, $VAR3))'],
    ['$VAR1 && $VAR2 || $VAR3', 'or(and($VAR1, $VAR2), $VAR3)'],
    ['$VAR1 && $VAR2 || $VAR3 && $VAR4', 'or(and($VAR1, $VAR2), and($VAR3, $VAR4))'],
    ['$VAR1 && ($VAR2 || $VAR3) && $VAR4', 'and(and($VAR1, or($VAR2, $VAR3)), $VAR4)'],
    [
      '$VAR1 == "a" || $VAR2 == "b" && $VAR3 == "c" || $VAR4 == "d" && $VAR5 == "e"',
      'or(or(equals($VAR1, "a"), and(equals($VAR2, "b"), equals($VAR3, "c"))), and(equals($VAR4, "d"), equals($VAR5, "e")))',
    ],
    [
      '(($VAR1 == "a" || $VAR2 == "b") && $VAR3 == "c" || $VAR4 == "d") && $VAR5 == "e"',
      'and(or(and(or(equals($VAR1, "a"), equals($VAR2, "b")), equals($VAR3, "c")), equals($VAR4, "d")), equals($VAR5, "e"))',
    ],
    ['!$A && $B', 'and(not($A), $B)'],
    ['!($A || $B)', 'not(or($A, $B))'],
    ['$A == !$B', 'equals($A, not($B))'],
    ['$A "x" ==', 'equals($A, "x")'],
  ];
  for (const [expr, tree] of table) {
    it(`${expr} → ${tree}`, () => {
      const p = parseExpression(expr);
      assert.ok(p.ok, p.ok ? '' : p.error);
      assert.equal(inspect(p.ast), tree);
    });
  }
});

describe('GitLab lexer_spec and lexeme specs: tokens', () => {
  const texts = (expr: string) => {
    const t = tokenizeExpression(expr);
    assert.ok(t.ok, t.ok ? '' : t.error);
    return t.tokens.map((x) => x.text);
  };
  const table: Array<[string, string[]]> = [
    ['$VARIABLE "text" "value"', ['$VARIABLE', '"text"', '"value"']],
    ['$VARIABLE == "text"', ['$VARIABLE', '==', '"text"']],
    ['$PRESENT_VARIABLE =~ /my var/ && $EMPTY_VARIABLE =~ /nope/', ['$PRESENT_VARIABLE', '=~', '/my var/', '&&', '$EMPTY_VARIABLE', '=~', '/nope/']],
    ['$EMPTY_VARIABLE == "" && $PRESENT_VARIABLE != "nope"', ['$EMPTY_VARIABLE', '==', '""', '&&', '$PRESENT_VARIABLE', '!=', '"nope"']],
    ['$PRESENT_VARIABLE && null || $EMPTY_VARIABLE == ""', ['$PRESENT_VARIABLE', '&&', 'null', '||', '$EMPTY_VARIABLE', '==', '""']],
    ['($PRESENT_VARIABLE && (null || $EMPTY_VARIABLE == ""))', ['(', '$PRESENT_VARIABLE', '&&', '(', 'null', '||', '$EMPTY_VARIABLE', '==', '""', ')', ')']],
    // string_spec: lazy quotes, the other quote inside, empty strings
    ['"some string" "and another one"', ['"some string"', '"and another one"']],
    ["'some string' 'and another one'", ["'some string'", "'and another one'"]],
    [`"some ' string"`, [`"some ' string"`]],
    [`'some " string'`, [`'some " string'`]],
    ["''", ["''"]],
    // pattern_spec: eager boundaries, \/ escapes, flags
    ['/pattern/im', ['/pattern/im']],
    ['/some .* \\/ pattern/', ['/some .* \\/ pattern/']],
    ['/some numeric \\/$ pattern/', ['/some numeric \\/$ pattern/']],
    ['!$A != $B !~ /xy/', ['!', '$A', '!=', '$B', '!~', '/xy/']],
    ['$[[ inputs.env ]]==true', ['$[[ inputs.env ]]', '==', 'true']],
  ];
  for (const [expr, tokens] of table) it(`${expr} → ${tokens.join(' ')}`, () => assert.deepEqual(texts(expr), tokens));

  it('pattern_spec: /some .* / pattern/ is the eager /some .* / (then an unknown lexeme)', () => {
    const t = tokenizeExpression('/some .* / pattern/');
    assert.equal(t.ok, false);
    assert.deepEqual(t.tokens.map((x) => x.text), ['/some .* /']);
  });

  const patterns: Array<[string, string]> = [
    ['/pattern/', 'pattern'],
    ['/pattern/i', '(?i)pattern'],
    ['/pattern/im', '(?im)pattern'],
    ['/foo\\/bar/', 'foo/bar'],
    ['/some numeric \\/$ pattern/', 'some numeric /$ pattern'],
    ['/some numeric \\$ pattern/', 'some numeric \\$ pattern'],
  ];
  for (const [literal, pattern] of patterns) {
    it(`pattern_spec: ${literal} compiles to ${pattern}`, () => {
      const p = parseExpression(literal);
      assert.ok(p.ok && p.ast.type === 'regex', p.ok ? '' : p.error);
      assert.equal(p.ast.type === 'regex' && p.ast.pattern, pattern);
    });
  }
});

describe('GitLab matches_spec / not_matches_spec and Pattern.build_and_evaluate', () => {
  const multiline = 'My awesome contents\n\nMy-text-string!\n';
  const table: Array<[string, Record<string, string>, boolean]> = [
    ['$L =~ /something/', { L: 'my-string' }, false],
    ['$L =~ /awesome.string$/', { L: 'my-awesome-string' }, true],
    ['$L =~ /pattern/', {}, false],
    ['$L =~ $R', { L: 'my-awesome-string' }, false], // right nil
    ['$L =~ $R', {}, false],
    ['$L =~ /pattern/', { L: '' }, false],
    ['$L =~ $R', { L: '', R: '//' }, true], // empty regex matches the empty string
    ['$L =~ /text-string/', { L: multiline }, true],
    ['$L =~ /text-string/', { L: multiline.replace('text', 'terrible') }, false],
    ['$L =~ /awesome/i', { L: 'My AWESOME content\n' }, true],
    ['$L =~ /terrible/i', { L: 'My AWESOME content\n' }, false],
    ['$L =~ $R', { L: 'abcde', R: '/^ab.*/' }, true], // a variable holding a regex
    ['$L =~ $R', { L: 'dfg', R: '/^ab.*/' }, false],
    ['$L !~ $R', { L: 'abcde', R: '/^ab.*/' }, false],
    ['$L !~ $R', { L: 'dfg', R: '/^ab.*/' }, true],
    ['$L !~ $R', { L: 'x' }, true], // right nil
    ['$L =~ $R', { L: 'm', R: '/m/' }, true], // one-character regex: fine in a value
    ['$L =~ $R', { L: 'a/b', R: '/a\\/b/' }, true], // \/ unescaped in values too
    ['$L =~ $R', { L: 'x', R: 'text\n/x/' }, true], // RubySyntax ^...$ are line anchors
    ['$L =~ $R', { L: 'xaby', R: ' /ab/' }, false], // not a regex: String#scan of " /ab/"
    ['$L =~ $R', { L: 'ab', R: ' /ab/' }, true],
    ['$L =~ $R', { L: 'xaby', R: '/ab/x' }, false], // x is no flag: a plain string
    ['$L =~ $R', { L: 'my', R: '/my (/' }, true], // invalid RE2: a plain string, "my" occurs in it
    ['$L =~ "foo"', { L: 'oo' }, true], // String#scan: the left value inside the right one
    ['$L =~ "foo"', { L: 'foobar' }, false],
    ['"foo" =~ $R', { R: 'xfoox' }, true],
    ['$L =~ false', { L: 'x' }, false],
    ['$L !~ null', { L: 'x' }, true],
  ];
  for (const [expr, vars, expected] of table) {
    it(`${expr} with ${JSON.stringify(vars)} → ${expected}`, () => {
      const r = evaluateExpression(expr, vars);
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.equal(r.value, expected);
    });
  }
});

describe('GitLab input_spec ($[[ inputs.x ]])', () => {
  it('reads inputs, nil when missing', () => {
    const opts = { inputs: { environment: 'production' } };
    assert.equal(raw('$[[ inputs.environment ]]', {}, opts), 'production');
    assert.equal(raw('$[[  inputs.environment  ]]', {}, opts), 'production');
    assert.equal(raw('$[[ inputs.region ]]', {}, opts), null);
    assert.equal(raw('$[[ inputs.environment ]]', {}), null);
  });
});

describe('messages for regex literals GitLab cannot read', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['$A =~ /ab/g', 10, /unknown regex flag 'g'/],
    ['$A =~ /a[/]b/', 10, /\/a\[\/ is cut short.*first unescaped \//],
    ['$A =~ /[/]/', 6, /first unescaped \/, also inside \[\.\.\.\]/],
    ['$A =~ /ab\\\\/', 6, /ending in an escaped backslash/],
    ['$A =~ /a/', 6, /one-character regex literal/],
  ];
  for (const [expr, offset, message] of cases) {
    it(`${expr} → ${message}`, () => {
      const p = parseExpression(expr);
      assert.ok(!p.ok);
      assert.match(p.error, message);
      assert.equal(p.offset, offset);
    });
  }
});

describe("Statement#valid? evaluates without variables: what GitLab raises on there is rejected", () => {
  const rejected: Array<[string, number, RegExp]> = [
    ['/^feature/ == $CI_COMMIT_BRANCH', 0, /regex on the left of '=='/], // UntrustedRegexp#== reads nil.source
    ['/^feature/ != "x"', 0, /regex on the left of '!='/],
    ['$A =~ true', 6, /the boolean true/], // Pattern.build_and_evaluate: true.gsub
    ['$A !~ ($B == null)', 7, /the boolean true/], // nil == nil
  ];
  for (const [expr, offset, message] of rejected) {
    it(`rejects ${expr}`, () => {
      const p = parseExpression(expr);
      assert.ok(!p.ok && p.kind === 'syntax');
      assert.match(p.error, message);
      assert.equal(p.offset, offset);
    });
  }
  const accepted = [
    '$CI_COMMIT_BRANCH == /^feature/', // String#== is false
    '/^feature/ == /^feature/', // both have a source
    '$A =~ false', // false returns before the regex is built
    '$X && $A =~ true', // not evaluated: $X is nil
    '$A =~ ($B != null)',
    '/ab/ =~ $A', // nil on the right
  ];
  for (const expr of accepted) it(`accepts ${expr}`, () => assert.equal(valid(expr), true));

  it('with variables the same operations are runtime errors (truthful? is false)', () => {
    const r = evaluateExpression('$A =~ ($B != null)', { B: 'x' });
    assert.ok(!r.ok && r.kind === 'runtime');
    assert.equal(truthful('$A =~ ($B != null)', { B: 'x' }), false);
    assert.equal(raw('$CI_COMMIT_BRANCH == /^feature/', { CI_COMMIT_BRANCH: 'feature' }), false);
  });
});
