/**
 * GitLab's YAML loading (Gitlab::Config::Loader::Yaml: Psych's safe_load with Symbol and !reference
 * permitted) as our loader does it: each rule with a case typed or rejected beside one that is not,
 * through all three front ends (line scanner, event stream, the `yaml` package), which must agree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYamlWhole } from '../../server/src/pipeline/yaml/parse.js';
import type { ParsedFile } from '../../server/src/pipeline/yaml/parse.js';
import { expandPlain } from '../support/engine.js';

function parsed(text: string): ParsedFile {
  const uri = 'file:///x.yml';
  const viaYaml = parseYamlWhole(uri, text, 'yaml');
  assert.deepStrictEqual(parseYamlWhole(uri, text, 'events'), viaYaml, text);
  assert.deepStrictEqual(parseYamlWhole(uri, text, 'plain'), viaYaml, text);
  return viaYaml;
}

/** The value of `a:` in `a: TEXT`. */
function valueOf(scalar: string): unknown {
  const p = parsed(`a: ${scalar}\n`);
  assert.deepEqual(p.diagnostics.filter((d) => d.severity === 'error'), [], scalar);
  const node = p.content.kind === 'map' ? p.content.entries.get('a') : undefined;
  return node?.kind === 'scalar' ? node.value : node;
}

const errorsOf = (text: string) => parsed(text).diagnostics.filter((d) => d.severity === 'error');

test('Psych booleans are yes/true/on and no/false/off in any case; y and n stay strings', () => {
  for (const t of ['yes', 'Yes', 'yEs', 'ON', 'true', 'tRUE']) assert.equal(valueOf(t), true, t);
  for (const t of ['no', 'Off', 'FALSE']) assert.equal(valueOf(t), false, t);
  for (const t of ['y', 'n', 'Y', 'yess', 'onn']) assert.equal(valueOf(t), t, t);
});

test('null is empty, ~ or null in any case', () => {
  for (const t of ['', '~', 'null', 'Null', 'nULL']) assert.equal(valueOf(t), null, t);
  for (const t of ['nul', 'nulls', '~~']) assert.equal(valueOf(t), t, t);
});

test('integers: octal needs octal digits (08 stays a string), commas and underscores between digits are dropped', () => {
  assert.equal(valueOf('017'), 15);
  assert.equal(valueOf('08'), '08');
  assert.equal(valueOf('018'), '018');
  assert.equal(valueOf('0x1F'), 31);
  assert.equal(valueOf('0o17'), '0o17');
  assert.equal(valueOf('0b101'), 5);
  assert.equal(valueOf('1,000'), 1000);
  assert.equal(valueOf('1,2,3'), 123);
  assert.equal(valueOf('1_000'), 1000);
  assert.equal(valueOf('1__0'), '1__0');
  assert.equal(valueOf('1,,2'), '1,,2');
});

test('floats need a dot, and an exponent its sign: 1e3 and 1.0e3 are strings, 1.0e+3 a number', () => {
  assert.equal(valueOf('1.0e+3'), 1000);
  assert.equal(valueOf('1.5'), 1.5);
  assert.equal(valueOf('.5'), 0.5);
  for (const t of ['1e3', '1E3', '1.0e3', '123e4567', '0.1e3']) assert.equal(valueOf(t), t, t);
  for (const t of ['.', '+.', '1.2.3']) assert.equal(valueOf(t), t, t);
});

test('.inf and .nan in any case; +.inf too', () => {
  assert.equal(valueOf('.iNf'), Infinity);
  assert.equal(valueOf('+.inf'), Infinity);
  assert.equal(valueOf('-.Inf'), -Infinity);
  assert.ok(Number.isNaN(valueOf('.nAn')));
  assert.equal(valueOf('+.nan'), '+.nan');
  assert.equal(valueOf('.infinity'), '.infinity');
});

test('sexagesimal as Psych weighs it: two parts are hours and minutes (1:20 is 4800), four parts a string', () => {
  assert.equal(valueOf('1:20'), 4800);
  assert.equal(valueOf('-1:20'), -2400);
  assert.equal(valueOf('1:2:3'), 3723);
  assert.equal(valueOf('1:20.5'), 4830);
  assert.equal(valueOf('1:2:3:4'), '1:2:3:4');
  assert.equal(valueOf('1:60'), '1:60');
});

test('a plain date or timestamp rejects the file: safe_load refuses Date and Time (quoted, it is a string)', () => {
  for (const [t, cls] of [['2024-01-01', 'Date'], ['2024-1-1', 'Date'], ['2001-12-14t21:59:43.10-05:00', 'Time'], ['2001-12-14 21:59:43 +1', 'Time']]) {
    const text = `job:\n  variables:\n    D: ${t}\n`;
    const errs = errorsOf(text);
    assert.deepEqual(errs.map((d) => d.message), [`Tried to load unspecified class: ${cls}`], t);
    assert.equal(text.slice(errs[0].span.start, errs[0].span.end), t);
    assert.equal(valueOf(`'${t}'`), t);
  }
  assert.equal(valueOf('2024-13-01'), '2024-13-01');
  assert.deepEqual(errorsOf('2024-01-01: x\n').map((d) => d.message), ['Tried to load unspecified class: Date']);
});

test('explicit tags: !!int and unknown tags type the text as a plain scalar, !!str keeps it, !!binary decodes it', () => {
  assert.equal(valueOf('!!int "12"'), 12);
  assert.equal(valueOf('!!str 12'), '12');
  assert.equal(valueOf('!foo "12"'), 12);
  assert.equal(valueOf('!foo yes'), true);
  assert.equal(valueOf('"12"'), '12');
  assert.equal(valueOf('!!binary aGVsbG8='), 'hello');
  assert.equal(valueOf('!!float 1'), 1);
  assert.deepEqual(errorsOf('a: !foo 2024-01-01\n').map((d) => d.message), ['Tried to load unspecified class: Date']);
});

test('a tag naming a Ruby class rejects the file as safe_load does, positioned from the tag; unknown tags, !ruby/sym and a sequence under !!omap load', () => {
  const refused: [string, string][] = [
    ['!ruby/object:Foo {}', 'Foo'], ['!ruby/object {}', 'Object'], ['!ruby/regexp /x/', 'Regexp'], ['!ruby/range 1..2', 'Range'],
    ['!ruby/hash:Foo {}', 'Foo'], ['!ruby/array:Foo []', 'Foo'], ['!ruby/class Foo', 'Foo'], ['!ruby/struct {}', 'Struct'],
    ['!ruby/exception {}', 'Exception'], ['!ruby/object:BigDecimal 1', 'BigDecimal'], ['!ruby/string:Foo x', 'Foo'],
    ['!!set {x: }', 'Psych::Set'], ['!set {x: }', 'Psych::Set'], ['!!omap {x: 1}', 'Psych::Omap'], ['!ruby/data:Foo {}', 'Foo'],
  ];
  for (const [t, cls] of refused) {
    const text = `job:\n  variables:\n    D: ${t}\n`;
    const errs = errorsOf(text);
    assert.deepEqual(errs.map((d) => [d.code, d.message]), [['yaml-syntax', `Tried to load unspecified class: ${cls}`]], t);
    assert.equal(text.slice(errs[0].span.start, errs[0].span.end), t.startsWith('!!set') ? '{x: }' : t, t);
    assert.deepEqual(parsed(text).diagnostics.filter((d) => d.code === 'yaml-tag'), [], t);
  }
  // Psych builds an exception's members first: a refused member is the one reported.
  assert.deepEqual(errorsOf('a: !ruby/exception:Foo {b: !ruby/range 1..2}\n').map((d) => d.message), ['Tried to load unspecified class: Range']);
  assert.equal(valueOf('!ruby/object:Foo x'), 'x');
  assert.deepEqual(errorsOf('a: !ruby/sym foo\n'), []);
  assert.equal(valueOf('!ruby/string x'), 'x');
  assert.deepEqual(errorsOf('a: !ruby/object:Hash {x: 1}\n'), []);
  assert.deepEqual(errorsOf('a: !!omap [{x: 1}]\n'), []);
});

test('a symbol (:foo) stays its text: the engine has no Symbol type', () => {
  assert.equal(valueOf(':foo'), ':foo');
  assert.equal(valueOf('":foo"'), ':foo');
});

test('merge keys as Psych: a quoted << merges, !!str << does not; a value that is no mapping (or list of them) makes << a plain key', () => {
  const plainOf = (text: string) => {
    const a = parsed(text).content;
    return a.kind === 'map' ? a.entries.get('a') : undefined;
  };
  const keys = (n: ReturnType<typeof plainOf>) => (n?.kind === 'map' ? [...n.entries.keys()] : undefined);
  assert.deepEqual(keys(plainOf('a:\n  "<<": {b: 1}\n')), ['b']);
  assert.deepEqual(keys(plainOf('a:\n  <<: {b: 1}\n')), ['b']);
  assert.deepEqual(keys(plainOf('a:\n  !!str <<: {b: 1}\n')), ['<<']);
  assert.deepEqual(keys(plainOf('a:\n  <<: x\n')), ['<<']);
  assert.deepEqual(keys(plainOf('x: &x [1, 2]\na:\n  <<: *x\n')), ['<<']);
  assert.deepEqual(keys(plainOf('x: &x {c: 1}\na:\n  <<: *x\n')), ['c']);
  assert.deepEqual(keys(plainOf('a:\n  <<: [{b: 1}, 2]\n')), ['<<']);
  assert.deepEqual(keys(plainOf('a:\n  <<: [{b: 1}, {c: 2}]\n')), ['c', 'b']);
  assert.deepEqual(parsed('a:\n  <<: x\n').diagnostics, []);
});

test('in a pipeline: a date is GitLab\'s load error, a job with a plain << key has an unknown key, 1,2,3 is 123', async () => {
  const date = await expandPlain({ '.gitlab-ci.yml': 'job:\n  script: [x]\n  variables:\n    D: 2024-01-01\n' });
  assert.deepEqual(date.codes, ['yaml-syntax']);
  const quoted = await expandPlain({ '.gitlab-ci.yml': "job:\n  script: [x]\n  variables:\n    D: '2024-01-01'\n    N: 1,2,3\n" });
  assert.deepEqual(quoted.codes, []);
  assert.deepEqual(quoted.plain.job.variables, { D: '2024-01-01', N: 123 });
  const merge = await expandPlain({ '.gitlab-ci.yml': 'job:\n  script: [x]\n  <<: x\n' });
  assert.deepEqual(merge.pipeline.diagnostics.map((d) => d.message), ['jobs:job config contains unknown keys: <<']);
});

test('GitLab\'s loader specs: unknown alias, alias bomb, cyclic alias, empty !reference', async () => {
  assert.deepEqual(errorsOf('steps: *bad_alias\n').map((d) => d.message), ['An alias referenced an unknown anchor: bad_alias']);
  assert.deepEqual(errorsOf('steps: &a [x]\nother: *a\n'), []);
  const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)].join('\n') + '\n';
  assert.match(errorsOf(bomb)[0].message, /^The parsed YAML is too big/);
  assert.match(errorsOf('--- &1\n- hi\n- *1\n')[0].message, /^The parsed YAML is too big/);
  const empty = await expandPlain({ '.gitlab-ci.yml': 'a:\n  script: !reference []\n' });
  assert.deepEqual(empty.pipeline.diagnostics.map((d) => d.message), ['!reference [] is not valid']);
  const named = await expandPlain({ '.gitlab-ci.yml': '.s: [x]\na:\n  script: !reference [.s]\n' });
  assert.deepEqual(named.codes, []);
});

test('GitLab\'s loader specs: an HTML page that is not valid YAML is "Invalid configuration format"; other invalid YAML keeps Psych\'s message', () => {
  const page = '<!-- layout -->\n<!DOCTYPE html>\n<html lang="en">\n<body>\n<label for="user_login">Username: or email</label>\n</body>\n</html>\n';
  assert.deepEqual(errorsOf(page).map((d) => d.message), ['Invalid configuration format']);
  assert.equal(errorsOf(page).length, 1);
  assert.deepEqual(errorsOf(page)[0].span, parseYamlWhole('file:///x.yml', page.replace('<!DOCTYPE html>', '<!DOCTYPE xmlx>').replace('<html', '<xmlx'), 'yaml').diagnostics[0].span, 'where the first syntax error is');
  const other = errorsOf('invalid: yaml: syntax\n');
  assert.equal(other.length, 1);
  assert.match(other[0].message, /mapping values are not allowed in this context/);
  // Valid YAML that merely mentions <html> is read as usual.
  assert.deepEqual(errorsOf('job:\n  script: [echo "<html>"]\n'), []);
});

test('GitLab\'s loader specs: more than max_yaml_size_bytes (2 MB) of UTF-8 in a YAML document is "The provided YAML is too big" before parsing; just under is not', () => {
  const MB2 = 2 * 1024 * 1024;
  const over = 'a'.repeat(3 * 1024 * 1024);
  const [d, ...rest] = errorsOf(over);
  assert.deepEqual(rest, []);
  assert.match(d.message, /^The provided YAML is too big: the file holds 3\.0 MB of text/);
  assert.equal(d.span.start, MB2);
  const under = errorsOf(`key: '${'a'.repeat(MB2 - 10)}'\n`);
  assert.ok(under.every((e) => !/provided/.test(e.message)), JSON.stringify(under.map((e) => e.message)));
  // Bytes, not characters: 1.1 million two-byte characters are 2.2 MB.
  const wide = `a: '${'é'.repeat(1_100_000)}'\n`;
  const [w] = errorsOf(wide);
  assert.match(w.message, /^The provided YAML is too big: the file holds 2\.1 MB of text/);
  assert.equal(w.span.start, 4 + (MB2 - 4) / 2);
  assert.deepEqual(errorsOf(`a: '${'e'.repeat(1_100_000)}'\n`), []);
  // Each document MultiDocYaml cuts is measured on its own: a 1.5 MB header and a 1.5 MB configuration pass.
  const comments = '#'.repeat(79) + '\n';
  const half = comments.repeat(Math.ceil((1.5 * 1024 * 1024) / comments.length));
  const twoDocs = `spec:\n  inputs:\n    a:\n      default: x\n${half}---\njob:\n  script: [x]\n${half}`;
  assert.ok(twoDocs.length > 3 * 1024 * 1024);
  assert.deepEqual(errorsOf(twoDocs), []);
  const oneDoc = `job:\n  script: [x]\n${half}${half}`;
  const [o] = errorsOf(oneDoc);
  assert.match(o.message, /^The provided YAML is too big: the file holds 3\.0 MB of text/);
  const bigSecond = `spec:\n  inputs:\n    a:\n      default: x\n---\njob:\n  script: [x]\n${half}${half}`;
  const [b] = errorsOf(bigSecond);
  assert.match(b.message, /^The provided YAML is too big: this YAML document holds 3\.0 MB of text/);
  assert.equal(b.span.start, bigSecond.indexOf('---\n') + 4 + MB2);
});
