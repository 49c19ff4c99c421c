/**
 * spec:inputs interpolation: GitLab's own expectations (gitlab-spec-cases/cases.jsonl, stage
 * "spec:inputs interpolation"), the handwritten corpus cases 05/09/13, and GitLab's messages for
 * the error cases (spec/lib/gitlab/ci/config/interpolation/*_spec.rb).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { compileRe2, findInterpolationBlocks, interpolateFile, readInputSpecs, rubyToS } from '../../server/src/pipeline/inputs/inputs.js';
import type { ComponentContext, InterpolationContext } from '../../server/src/pipeline/inputs/inputs.js';
import { expandExistingVariables, rubySlice, shellEscape } from '../../server/src/pipeline/inputs/interpolation-functions.js';
import { fromPlain, getPath, toPlain } from '../../server/src/pipeline/model.js';
import type { MapNode, Node, PipelineDiagnostic, Span } from '../../server/src/pipeline/model.js';
import { parseYaml } from '../../server/src/pipeline/yaml/parse.js';

const repoRoot = path.resolve(__dirname, '..', '..');
const corpus = path.resolve(repoRoot, '..', 'shared', 'corpus');
const haveCorpus = existsSync(corpus);

const INCLUDE_URI = 'file:///.gitlab-ci.yml';
const FILE_URI = 'file:///templates/t.yml';
const includeSpan: Span = { uri: INCLUDE_URI, start: 0, end: 7 };

/** Inputs as an include would give them: a map node with spans in the including file. */
function inputsNode(yamlOrPlain: string | Record<string, unknown>): MapNode {
  const text = typeof yamlOrPlain === 'string' ? yamlOrPlain : stringify(yamlOrPlain);
  const parsed = parseYaml(INCLUDE_URI, text);
  assert.equal(parsed.content.kind, 'map', 'inputs must be a map');
  return parsed.content as MapNode;
}

function run(text: string, given?: string | Record<string, unknown>, extra: Partial<InterpolationContext> = {}) {
  const file = parseYaml(FILE_URI, text);
  assert.deepEqual(file.diagnostics, [], 'test file must parse');
  const ctx: InterpolationContext = { includeSpan, variables: {}, ...extra };
  if (given !== undefined) ctx.given = inputsNode(given);
  const r = interpolateFile(file, ctx);
  return { ...r, plain: toPlain(r.content) as any, file, ctx };
}

const errors = (ds: PipelineDiagnostic[]) => ds.filter((d) => d.severity === 'error');
const messages = (ds: PipelineDiagnostic[]) => errors(ds).map((d) => d.message);
const textAt = (text: string, span: Span) => text.slice(span.start, span.end);

// ---------------------------------------------------------------------------------------------

// GitLab's own spec:inputs interpolation cases (cases.jsonl) run in test/conformance with the other spec cases.

// ---------------------------------------------------------------------------------------------

/** The `inputs:` of each `include:` entry of a corpus case's .gitlab-ci.yml. */
function includeInputs(caseDir: string): (MapNode | undefined)[] {
  const text = readFileSync(path.join(caseDir, '.gitlab-ci.yml'), 'utf8');
  const parsed = parseYaml(INCLUDE_URI, text);
  const include = getPath(parsed.content, ['include']);
  assert.ok(include && include.kind === 'seq');
  return include.items.map((i) => (i.kind === 'map' ? (i.entries.get('inputs') as MapNode | undefined) : undefined));
}

describe('handwritten corpus cases', { skip: !haveCorpus && 'corpus not found' }, () => {
  it('05-inputs: defaults, typed whole-scalar values, options, keys, same file twice', () => {
    const dir = path.join(corpus, 'handwritten', '05-inputs');
    const template = readFileSync(path.join(dir, 'templates', 'build.yml'), 'utf8');
    const file = parseYaml('file:///templates/build.yml', template);
    const [app, lib] = includeInputs(dir);

    const a = interpolateFile(file, { given: app, includeSpan, variables: {} });
    assert.deepEqual(a.diagnostics, []);
    const ap = toPlain(a.content) as any;
    assert.deepEqual(Object.keys(ap), ['app-build', 'app-matrix']);
    assert.equal(ap['app-build'].stage, 'build');
    assert.equal(ap['app-build'].image, 'golang:1.22');
    assert.equal(ap['app-build'].parallel, 3);
    assert.equal(ap['app-build'].variables.DEBUG, true); // typed (the oracle stringifies variables later)
    assert.equal(ap['app-build'].variables.DESCRIPTION, 'prefix=app debug=true');
    assert.deepEqual(ap['app-build'].script, ['echo building app for targets']);
    assert.deepEqual(ap['app-matrix'].parallel.matrix, [{ TARGET: ['linux', 'darwin'] }]);

    const l = interpolateFile(file, { given: lib, includeSpan, variables: {} });
    assert.deepEqual(l.diagnostics, []);
    const lp = toPlain(l.content) as any;
    assert.deepEqual(Object.keys(lp), ['lib-build', 'lib-matrix']);
    assert.equal(lp['lib-build'].stage, 'test');
    assert.equal(lp['lib-build'].parallel, 1);
    assert.equal(lp['lib-build'].variables.DEBUG, false);
    assert.equal(lp['lib-build'].variables.DESCRIPTION, 'prefix=lib debug=false');
    assert.deepEqual(lp['lib-matrix'].parallel.matrix, [{ TARGET: ['linux'] }]);

    // Compared with the oracle's output, modulo its normalisations (image object, string variables).
    const expected = parseYaml('file:///expected.yml', readFileSync(path.join(dir, 'expected.yml'), 'utf8')).content;
    const exp = toPlain(expected) as any;
    for (const [job, mine] of [...Object.entries(ap), ...Object.entries(lp)] as [string, any][]) {
      const e = exp[job];
      assert.ok(e, job);
      assert.equal(mine.stage, e.stage);
      assert.deepEqual(mine.script, e.script);
      if (mine.parallel !== undefined) assert.deepEqual(mine.parallel, e.parallel);
      if (mine.image !== undefined) assert.equal(mine.image, e.image.name);
      if (mine.variables) for (const [k, v] of Object.entries(mine.variables)) assert.equal(String(v), e.variables[k]);
    }
  });

  it('13-gitlab-spec-complex-inputs: typed inputs, regex/options, array spliced, empty array vanishes, expand_vars', () => {
    const dir = path.join(corpus, 'handwritten', '13-gitlab-spec-complex-inputs');
    const template = readFileSync(path.join(dir, 'templates', 'complex-included-ci.yml'), 'utf8');
    const file = parseYaml('file:///templates/complex-included-ci.yml', template);
    const [given] = includeInputs(dir);
    const r = interpolateFile(file, { given, includeSpan, variables: { TEST_FRAMEWORK: 'pytest' } });
    assert.deepEqual(r.diagnostics, []);
    const p = toPlain(r.content) as any;
    assert.equal(p.variables.ALLOW_FAILURE, false);
    assert.equal(p['my-job-build'].parallel, 2);
    assert.deepEqual(p['my-job-build'].script, ['echo "Building with clang and optimization level 3"', 'echo "1.0.0"']);
    // GitLab expands the variable (the oracle leaves "$TEST_FRAMEWORK": deviation 6).
    assert.equal(p['my-job-test'].script[0], 'echo "Testing with pytest"');
    assert.equal(p['my-job-test'].script[1], 'if [ true == true ]; then echo "Coverage is enabled"; fi');
    assert.equal(p['my-job-test'].allow_failure, false);
    assert.deepEqual(p['my-job-test-2'].script, ['array item script 1', 'array item script 2']);
    assert.equal(p['my-job-test-2'].rules.length, 3);
    assert.deepEqual(p['my-job-test-2'].rules[1], { if: '$CI_MERGE_REQUEST_SOURCE_BRANCH_NAME =~ /^feature/', when: 'never' });
    assert.deepEqual(p['my-job-deploy'].rules, [{ if: '$CI_PIPELINE_SOURCE != "merge_request_event"' }]);

    // Everything but expand_vars matches the oracle.
    const exp = toPlain(parseYaml('file:///expected.yml', readFileSync(path.join(dir, 'expected.yml'), 'utf8')).content) as any;
    for (const job of ['my-job-build', 'my-job-test-2', 'my-job-deploy']) assert.deepEqual(p[job], exp[job]);
    assert.equal(exp['my-job-test'].script[0], 'echo "Testing with $TEST_FRAMEWORK"');

    // Without the variable, expand_vars leaves it as written.
    const r2 = interpolateFile(file, { given, includeSpan, variables: {} });
    assert.equal((toPlain(r2.content) as any)['my-job-test'].script[0], 'echo "Testing with $TEST_FRAMEWORK"');
  });

  it('09-component: $[[ component.* ]] from the component context', () => {
    const tpl = path.join(corpus, 'handwritten', '_central', 'acme', 'ci-presets@1.1.0', 'templates', 'lint', 'template.yml');
    const file = parseYaml('gitlab-ci-project:///acme/ci-presets/-/1.1.0/templates/lint/template.yml', readFileSync(tpl, 'utf8'));
    const [withInputs, without] = includeInputs(path.join(corpus, 'handwritten', '09-component'));
    const component: ComponentContext = { name: 'lint', sha: 'abc123', version: '1.1.0', reference: '1.1.0' };
    const a = interpolateFile(file, { given: withInputs, includeSpan, variables: {}, component });
    assert.deepEqual(errors(a.diagnostics), []);
    assert.deepEqual(toPlain(a.content), {
      'my-lint': { stage: 'test', variables: { STRICT: true }, script: ['echo "component lint version=1.1.0 ref=1.1.0"'] },
    });
    // GitLab (18.6+) wants the fields declared in spec:component: a warning says so.
    assert.deepEqual(
      a.diagnostics.map((d) => d.code),
      ['component-undeclared', 'component-undeclared', 'component-undeclared'],
    );
    const b = interpolateFile(file, { given: without, includeSpan, variables: {}, component: { name: 'lint', reference: 'main' } });
    assert.deepEqual((toPlain(b.content) as any)['comp-lint'].script, ['echo "component lint version= ref=main"']);
    assert.equal((toPlain(b.content) as any)['comp-lint'].variables.STRICT, false);
  });
});

// ---------------------------------------------------------------------------------------------

describe('interpolation', () => {
  it('keeps the type of a whole-scalar block and stringifies blocks inside strings', () => {
    const r = run(
      `spec:
  inputs:
    n: {type: number}
    b: {type: boolean}
    s:
    a: {type: array}
---
job:
  parallel: $[[ inputs.n ]]
  allow_failure: $[[ inputs.b ]]
  name: $[[ inputs.s ]]
  list: $[[ inputs.a ]]
  text: "n=$[[ inputs.n ]] b=$[[ inputs.b ]] a=$[[ inputs.a ]]"
  two: "$[[ inputs.s ]]$[[ inputs.s ]]"
`,
      { n: 6.5, b: true, s: 'x', a: ['one', 2, true, null, { if: '$A', 'my-key': 'v' }] },
    );
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.plain.job.parallel, 6.5);
    assert.equal(r.plain.job.allow_failure, true);
    assert.equal(r.plain.job.name, 'x');
    assert.deepEqual(r.plain.job.list, ['one', 2, true, null, { if: '$A', 'my-key': 'v' }]);
    // Ruby's Array#to_s (inspect), symbol keys as GitLab symbolizes the YAML.
    assert.equal(r.plain.job.text, 'n=6.5 b=true a=["one", 2, true, nil, {:if=>"$A", :"my-key"=>"v"}]');
    assert.equal(r.plain.job.two, 'xx');
  });

  it('interpolates mapping keys, nested sequences and hashes (template_spec)', () => {
    const r = run(
      `spec:
  inputs:
    key: {}
---
test:
  - a-$[[ inputs.key ]]-b
  - c-$[[ inputs.key ]]-d:
      d-$[[ inputs.key ]]-e
    val: 1
$[[ inputs.key ]]:
  name: $[[ inputs.key ]]
`,
      { key: 'abc' },
    );
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.plain, { test: ['a-abc-b', { 'c-abc-d': 'd-abc-e', val: 1 }], abc: { name: 'abc' } });
    // The key keeps its span.
    const m = r.content as MapNode;
    assert.equal(textAt(r.file.text, m.keySpans.get('abc')!), '$[[ inputs.key ]]');
  });

  it('splices an array used as a whole list item; an empty one vanishes; a non-array item stays', () => {
    const r = run(
      `spec:
  inputs:
    more: {type: array}
    none: {type: array, default: []}
    one: {default: solo}
---
rules:
  - if: $A
  - $[[ inputs.more ]]
  - $[[ inputs.none ]]
  - $[[ inputs.one ]]
  - ['$[[ inputs.more ]]']
`,
      { more: [{ if: '$B' }, { if: '$C' }] },
    );
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.plain.rules, [{ if: '$A' }, { if: '$B' }, { if: '$C' }, 'solo', [{ if: '$B' }, { if: '$C' }]]);
  });

  it('does not re-interpolate values and leaves !reference tags and matrix blocks alone', () => {
    const r = run(
      `spec:
  inputs:
    v:
---
a: $[[ inputs.v ]]
b: !reference [.x, '$[[ inputs.v ]]']
c: echo $[[ matrix.OS ]] $[[ inputs.v ]]
d: $[[ matrix.ARCH ]]
`,
      { v: '$[[ inputs.v ]]' },
    );
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.plain.a, '$[[ inputs.v ]]');
    assert.deepEqual(r.plain.b, { '!reference': ['.x', '$[[ inputs.v ]]'] });
    assert.equal(r.plain.c, 'echo $[[ matrix.OS ]] $[[ inputs.v ]]');
    assert.equal(r.plain.d, '$[[ matrix.ARCH ]]');
  });

  it('uses defaults, and a null given value means "not given"', () => {
    const r = run(
      `spec:
  inputs:
    stage: {default: test}
    flag: {type: boolean, default: false}
---
job: {stage: '$[[ inputs.stage ]]', flag: '$[[ inputs.flag ]]'}
`,
      'stage:\nflag: false\n',
    );
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.plain, { job: { stage: 'test', flag: false } });
  });

  it('accesses array items and nested hashes (inputs.x[0].name)', () => {
    const r = run(
      `spec:
  inputs:
    items: {type: array}
---
a: $[[ inputs.items[0].name ]]
b: $[[ inputs.items[1] ]]
c: $[[ inputs.items[5] ]]
d: $[[ inputs.items[0].nope ]]
`,
      { items: [{ name: 'first' }, 'second'] },
    );
    assert.equal(r.plain.a, 'first');
    assert.equal(r.plain.b, 'second');
    assert.equal(r.plain.c, '$[[ inputs.items[5] ]]');
    assert.deepEqual(messages(r.diagnostics), ['array index 5 out of bounds (size: 2) in `inputs.items[5]`', 'unknown interpolation key: `nope`']);
  });

  it('a file without a header is not interpolated', () => {
    const r = run('job:\n  script: echo $[[ inputs.x ]]\n');
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.plain.job.script, 'echo $[[ inputs.x ]]');
    assert.equal(r.content, r.file.content);
    const empty = run('job:\n  script: echo\n', {});
    assert.deepEqual(empty.diagnostics, []);
  });

  it('keeps untouched subtrees shared (no copies when nothing changes)', () => {
    const r = run(
      `spec:
  inputs:
    s: {default: x}
---
.base: &base {script: [echo]}
a: *base
b: $[[ inputs.s ]]
`,
    );
    const m = r.content as MapNode;
    const orig = r.file.content as MapNode;
    assert.equal(m.entries.get('.base'), orig.entries.get('.base'));
    assert.equal(m.entries.get('a'), orig.entries.get('.base'));
  });
});

describe('provenance', () => {
  it('an interpolated scalar keeps its span and gets a via step pointing at the given value', () => {
    const givenText = 'stage: deploy\nlist: [a, b]\n';
    const r = run(
      `spec:
  inputs:
    stage:
    list: {type: array}
    other: {default: dflt}
---
job:
  stage: $[[ inputs.stage ]]
  script: "echo $[[ inputs.stage ]] $[[ inputs.other ]]"
  tags:
    - $[[ inputs.list ]]
`,
      givenText,
    );
    assert.deepEqual(r.diagnostics, []);
    const job = (r.content as MapNode).entries.get('job') as MapNode;
    const orig = (r.file.content as MapNode).entries.get('job') as MapNode;
    const stage = job.entries.get('stage')!;
    assert.deepEqual(stage.span, orig.entries.get('stage')!.span);
    assert.equal(stage.via?.[0].kind, 'input');
    assert.equal(stage.via?.[0].name, 'stage');
    assert.equal(textAt(givenText, stage.via![0].span!), 'deploy');
    assert.equal(stage.via![0].span!.uri, INCLUDE_URI);

    const script = job.entries.get('script')!;
    assert.deepEqual(script.via?.map((v) => v.name).sort(), ['other', 'stage']);
    const other = script.via!.find((v) => v.name === 'other')!;
    assert.equal(other.span!.uri, FILE_URI);
    assert.equal(textAt(r.file.text, other.span!), 'dflt');

    const tags = job.entries.get('tags') as Node & { kind: 'seq' };
    assert.deepEqual(toPlain(tags), ['a', 'b']);
    for (const t of tags.items) {
      assert.equal(t.via?.[0].name, 'list');
      assert.equal(t.span!.uri, INCLUDE_URI); // the item was written in the include's inputs
    }
  });

  it('CLI inputs without spans fall back to the include span', () => {
    const file = parseYaml(FILE_URI, 'spec:\n  inputs:\n    a:\n---\nx: $[[ inputs.a ]]\n');
    const given = fromPlain({ a: 'v', zz: 1 }) as MapNode;
    const r = interpolateFile(file, { given, includeSpan, variables: {} });
    assert.equal((toPlain(r.content) as any).x, 'v');
    const x = (r.content as MapNode).entries.get('x')!;
    assert.deepEqual(x.via?.[0].span, includeSpan);
    assert.deepEqual(errors(r.diagnostics).map((d) => [d.code, d.message, d.span]), [['input-unknown', 'unknown input arguments: zz', includeSpan]]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('functions', () => {
  const header = `spec:
  inputs:
    s: {default: "Hello $NAME and \${OTHER} and %NAME% and $MISSING"}
    n: {type: number, default: 5}
    w: {default: "it's a \\"test\\""}
    csv: {default: " a, b,,c "}
---
`;
  it('expand_vars, truncate, posix_escape, split, chains', () => {
    const r = run(
      `${header}
e: $[[ inputs.s | expand_vars ]]
t: $[[ inputs.s | truncate(0,5) ]]
t2: "[$[[ inputs.s | truncate(6, 100) | truncate( 0 , 5 ) ]]]"
t3: $[[ inputs.s | truncate(1000,2) ]]
p: $[[ inputs.w | posix_escape ]]
chain: $[[ inputs.s | expand_vars | truncate(6,5) | posix_escape ]]
sp: $[[ inputs.csv | split(',') ]]
list:
  - first
  - $[[ inputs.csv | split(',') ]]
`,
      undefined,
      { variables: { NAME: 'World', OTHER: 'x y' } },
    );
    assert.deepEqual(r.diagnostics, []);
    assert.equal(r.plain.e, 'Hello World and x y and World and $MISSING');
    assert.equal(r.plain.t, 'Hello');
    assert.equal(r.plain.t2, '[$NAME]');
    assert.equal(r.plain.t3, '');
    assert.equal(r.plain.p, `it\\'s\\ a\\ \\"test\\"`);
    assert.equal(r.plain.chain, 'World');
    assert.deepEqual(r.plain.sp, ['a', 'b', 'c']);
    assert.deepEqual(r.plain.list, ['first', 'a', 'b', 'c']);
  });

  it('reports GitLab errors for functions and leaves the block as written', () => {
    const r = run(
      `${header}
a: $[[ inputs.n | truncate(0,1) ]]
b: $[[ inputs.s | upcase ]]
c: $[[ inputs.s | expand_vars | expand_vars | expand_vars | expand_vars ]]
d: $[[ inputs.n | expand_vars ]]
e: $[[ inputs.n | posix_escape ]]
f: $[[ inputs.s | truncate(1) ]]
`,
    );
    assert.deepEqual(messages(r.diagnostics), [
      'error in `truncate` function: invalid input type: truncate can only be used with string inputs',
      'no function matching `upcase`: check that the function name, arguments, and types are correct',
      'too many functions in interpolation block',
      'error in `expand_vars` function: invalid input type: expand_vars can only be used with string inputs',
      'error in `posix_escape` function: invalid input type: posix_escape can only be used with string inputs',
      'no function matching `truncate(1)`: check that the function name, arguments, and types are correct',
    ]);
    assert.ok(r.diagnostics.every((d) => d.code === 'interpolation-function'));
    assert.equal(r.plain.a, '$[[ inputs.n | truncate(0,1) ]]');
    // Each error points at its block.
    for (const d of r.diagnostics) assert.match(textAt(r.file.text, d.span), /^\$\[\[ inputs\.\w+ \|.*\]\]$/);
  });

  it('helpers behave like Ruby', () => {
    assert.equal(shellEscape(''), "''");
    assert.equal(shellEscape('a b\nc'), "a\\ b'\n'c");
    assert.equal(shellEscape('é/@:+,.-_'), '\\é/@:+,.-_');
    assert.equal(rubySlice('héllo', 1, 3), 'éll');
    assert.equal(rubySlice('abc', 3, 1), '');
    assert.equal(rubySlice('abc', 4, 1), '');
    assert.equal(expandExistingVariables('$A${A}%A%$B', { A: '1' }), '111$B');
  });
});

// ---------------------------------------------------------------------------------------------

describe('input validation (GitLab messages)', () => {
  const one = (d: PipelineDiagnostic[]) => {
    const e = errors(d);
    assert.equal(e.length, 1, JSON.stringify(e.map((x) => x.message)));
    return e[0];
  };

  it('inputs given to a file without spec', () => {
    const r = run('job:\n  script: echo $[[ inputs.foo ]]\n', { foo: 'bar' });
    const d = one(r.diagnostics);
    assert.equal(d.message, 'Given inputs not defined in the `spec` section of the included configuration file');
    assert.equal(d.code, 'input-no-spec');
    assert.equal(r.plain.job.script, 'echo $[[ inputs.foo ]]');
  });

  it('unknown input arguments: every unknown key is marked with the combined message', () => {
    const givenText = 'foo: bar\ntest: bar\ngitlab: "1"\n';
    const r = run('spec:\n  inputs:\n    foo:\n---\nx: $[[ inputs.foo ]]\n', givenText);
    const e = errors(r.diagnostics);
    assert.deepEqual(
      e.map((d) => [d.code, d.message, textAt(givenText, d.span)]),
      [
        ['input-unknown', 'unknown input arguments: test, gitlab', 'test'],
        ['input-unknown', 'unknown input arguments: test, gitlab', 'gitlab'],
      ],
    );
    assert.deepEqual(e[0].data?.candidates, ['foo']);
    assert.equal(r.plain.x, 'bar');
  });

  it('missing required value, reported at the include', () => {
    const r = run('spec:\n  inputs:\n    foo:\n    bar: {default: x}\n---\nx: $[[ inputs.foo ]]-$[[ inputs.bar ]]\n', {});
    const d = one(r.diagnostics);
    assert.equal(d.message, '`foo` input: required value has not been provided');
    assert.equal(d.code, 'input-missing');
    assert.deepEqual(d.span, includeSpan);
    // The other block is still interpolated; the missing one stays as written.
    assert.equal(r.plain.x, '$[[ inputs.foo ]]-x');
  });

  it('type checks of given values and defaults', () => {
    const r = run(
      `spec:
  inputs:
    a_input:
    b_input: {default: test}
    c_input: {default: 123}
    n: {type: number}
    nd: {type: number, default: NaN}
    bo: {type: boolean}
    bod: {type: boolean, default: string}
    arr: {type: array}
    arrd: {type: array, default: string}
---
{}
`,
      { a_input: 123, b_input: 123, c_input: 'test', n: false, bo: 'string', arr: 'string' },
    );
    assert.deepEqual(messages(r.diagnostics), [
      '`a_input` input: provided value is not a string',
      '`b_input` input: provided value is not a string',
      '`c_input` input: default value is not a string',
      '`n` input: provided value is not a number',
      '`nd` input: default value is not a number',
      '`bo` input: provided value is not a boolean',
      '`bod` input: default value is not a boolean',
      '`arr` input: provided value is not an array',
      '`arrd` input: default value is not an array',
    ]);
    assert.ok(errors(r.diagnostics).every((d) => d.code === 'input-type'));
    // Provided-value errors point at the value in the include, default errors at the default.
    const byInput = (n: string) => errors(r.diagnostics).find((d) => d.data?.input === n)!;
    assert.equal(byInput('a_input').span.uri, INCLUDE_URI);
    assert.equal(textAt(r.file.text, byInput('c_input').span), '123');
  });

  it('options (string and number wording differ, as in GitLab)', () => {
    const text = `spec:
  inputs:
    s: {default: one, options: [one, two, three]}
    coop: {default: coop, options: [one, two, three]}
    n: {type: number, default: 1, options: [1, 2, 3]}
    b: {type: boolean, default: true, options: [true, false]}
---
{}
`;
    assert.deepEqual(messages(run(text, { s: 'two', n: 2 }).diagnostics), [
      '`coop` input: `coop` cannot be used because it is not in the list of allowed options',
      '`b` input: Options can only be used with string and number inputs',
    ]);
    const r = run(text, { s: 'niet', n: 'word' });
    assert.deepEqual(messages(r.diagnostics), [
      '`s` input: `niet` cannot be used because it is not in the list of allowed options',
      '`coop` input: `coop` cannot be used because it is not in the list of allowed options',
      '`n` input: provided value is not a number',
      '`n` input: `word` cannot be used because it is not in the list of the allowed options',
      '`b` input: Options can only be used with string and number inputs',
    ]);
    assert.deepEqual(errors(r.diagnostics)[0].data?.options, ['one', 'two', 'three']);
    assert.equal(errors(r.diagnostics)[0].code, 'input-options');
  });

  it('regex', () => {
    const text = `spec:
  inputs:
    v: {regex: ^input_value$}
    d: {default: input, regex: ^input_value$}
    num: {type: number, regex: ^input_value$}
    unsafe: {regex: a++}
    ver: {default: 1.2.3, regex: ^\\d+\\.\\d+\\.\\d+$}
---
{}
`;
    const r = run(text, { v: 'input', num: 999, unsafe: 'aaaa' });
    assert.deepEqual(messages(r.diagnostics), [
      '`v` input: provided value does not match required RegEx pattern',
      '`d` input: default value does not match required RegEx pattern',
      '`num` input: RegEx validation can only be used with string inputs',
      '`unsafe` input: invalid regular expression',
    ]);
    assert.ok(errors(r.diagnostics).every((d) => d.code === 'input-regex'));
    assert.deepEqual(messages(run(text, { v: 'input_value', d: 'input_value', num: 1, unsafe: 'a' }).diagnostics), [
      '`d` input: default value does not match required RegEx pattern',
      '`num` input: RegEx validation can only be used with string inputs',
      '`unsafe` input: invalid regular expression',
    ]);
    // A non-string value for a regex input only gets the type error.
    assert.deepEqual(messages(run('spec:\n  inputs:\n    t: {regex: ^x$}\n---\n{}\n', { t: 999 }).diagnostics), ['`t` input: provided value is not a string']);
  });

  it('header errors (Header::Root / Spec / Input validations)', () => {
    const r = run(
      `spec:
  arguments: {}
  inputs:
    unknown: {type: datetime}
    extra: {default: a, foo: 1}
    opts: {options: a}
    re: {regex: [a]}
    t:
      type:
---
{}
`,
    );
    assert.deepEqual(messages(r.diagnostics), [
      'header:spec config contains unknown keys: arguments',
      'header:spec:inputs:unknown input type unknown value: datetime',
      'header:spec:inputs:extra config contains unknown keys: foo',
      'header:spec:inputs:opts input options should be an array',
      'header:spec:inputs:re input regex should be a string',
      'unknown input specification for `t` (valid types: array, boolean, number, string)',
    ]);
    assert.equal(textAt(r.file.text, errors(r.diagnostics)[0].span), 'arguments');
  });

  it('interpolation errors point at the block', () => {
    const r = run('spec:\n  inputs:\n    website:\n---\ntest: "deploy $[[ inputs.something.abc ]] $[[ inputs.cde ]] $[[ efg ]] $[[ xxx.yyy ]]"\n', { website: 'x' });
    assert.deepEqual(
      errors(r.diagnostics).map((d) => [d.code, d.message, textAt(r.file.text, d.span)]),
      [
        ['interpolation-unknown', 'unknown interpolation key: `something`', '$[[ inputs.something.abc ]]'],
        ['interpolation-unknown', 'unknown interpolation key: `cde`', '$[[ inputs.cde ]]'],
        ['interpolation-invalid', 'invalid interpolation access pattern', '$[[ efg ]]'],
        ['interpolation-unknown', 'unknown interpolation key: `xxx`', '$[[ xxx.yyy ]]'],
      ],
    );
    assert.equal(r.plain.test, 'deploy $[[ inputs.something.abc ]] $[[ inputs.cde ]] $[[ efg ]] $[[ xxx.yyy ]]');
  });

  it('component context: declared fields only; unknown without a component include', () => {
    const text = 'spec:\n  component: [name, version]\n---\na: $[[ component.name ]]@$[[ component.version ]]\nb: $[[ component.sha ]]\n';
    const r = run(text, undefined, { component: { name: 'lint', sha: 'abc', version: '1.2.3', reference: '1.2' } });
    assert.equal(r.plain.a, 'lint@1.2.3');
    assert.deepEqual(messages(r.diagnostics), ['unknown interpolation key: `sha`']);
    const v = run('spec:\n  component: [version]\n---\nv: $[[ component.version ]]\n', undefined, { component: { name: 'lint', reference: 'main' } });
    assert.equal(v.plain.v, null); // not a catalog release: nil
    const none = run(text);
    assert.deepEqual(messages(none.diagnostics), ['unknown interpolation key: `name`', 'unknown interpolation key: `version`', 'unknown interpolation key: `sha`']);
    assert.deepEqual(messages(run('spec:\n  component: [name, nope]\n---\n{}\n').diagnostics), ['header:spec:component config contains unknown values: nope']);
  });

  it('never throws on odd input', () => {
    const odd = [
      'spec: 5\n---\na: $[[ inputs.x ]]\n',
      'spec:\n  inputs: [1, 2]\n---\na: $[[ inputs.x ]]\n',
      'spec:\n  inputs:\n    x: 5\n---\na: $[[ inputs.x ]]\n',
      'spec:\n  inputs:\n    x: {type: [a], options: {a: 1}, default: {a: 1}, rules: 5}\n---\n- $[[ inputs.x ]]\n',
      'spec:\n  component: {a: 1}\n---\n$[[ inputs ]]: $[[ | ]]\n',
      'spec:\n  inputs:\n---\n',
      'spec:\n  inputs:\n    x:\n---\n"$[[ inputs.x[ ]]": "$[[ inputs.x[a] ]] $[[ inputs.[0] ]] $[[ inputs.x[0][0][0][0][0][0] ]]"\n',
    ];
    for (const text of odd) {
      const file = parseYaml(FILE_URI, text);
      const r = interpolateFile(file, { includeSpan, variables: {}, given: fromPlain({ x: 'v' }) as MapNode });
      assert.ok(Array.isArray(r.diagnostics));
      assert.ok(!r.diagnostics.some((d) => d.code === 'interpolation-internal'), text);
      for (const d of r.diagnostics) assert.ok(d.span && d.code && d.message, JSON.stringify(d));
    }
  });

  it('conditional input rules are not evaluated (info), external inputs are not checked (warning)', () => {
    const r = run('spec:\n  inputs:\n    x: {default: a}\n    env:\n      rules:\n        - if: $[[ inputs.x ]] == "a"\n          default: b\n        - options: [c, d]\n          default: c\n---\na: $[[ inputs.env ]]\n');
    assert.deepEqual(errors(r.diagnostics), []);
    assert.deepEqual(r.diagnostics.map((d) => d.code), ['input-rules']);
    assert.equal(r.plain.a, '$[[ inputs.env ]]');
    const ext = run('spec:\n  include:\n    - local: inputs.yml\n---\na: $[[ inputs.env ]]\n', { env: 'x' });
    assert.deepEqual(errors(ext.diagnostics), []);
    assert.deepEqual(ext.diagnostics.map((d) => d.code), ['input-external']);
  });
});

describe('helpers', () => {
  it('readInputSpecs', () => {
    const file = parseYaml(
      FILE_URI,
      'spec:\n  inputs:\n    job_stage:\n    version: {type: string, regex: ^\\d+$, default: "1", description: The version}\n    list: {type: array, default: []}\n    env: {options: [a, b], default: a}\n---\n{}\n',
    );
    const specs = readInputSpecs(file.header);
    assert.deepEqual(
      specs.map(({ span, ...rest }) => rest),
      [
        { name: 'job_stage', type: 'string', hasDefault: false },
        { name: 'version', type: 'string', hasDefault: true, default: '1', description: 'The version', regex: '^\\d+$' },
        { name: 'list', type: 'array', hasDefault: true, default: [] },
        { name: 'env', type: 'string', hasDefault: true, default: 'a', options: ['a', 'b'] },
      ],
    );
    assert.equal(textAt(file.text, specs[1].span!), 'version');
    assert.deepEqual(readInputSpecs(undefined), []);
  });

  it('findInterpolationBlocks', () => {
    assert.deepEqual(findInterpolationBlocks('a $[[ inputs.x | truncate(1,2) ]] b $[[component.name]]'), [
      { start: 2, end: 33, text: '$[[ inputs.x | truncate(1,2) ]]', data: 'inputs.x | truncate(1,2)', access: 'inputs.x', functions: ['truncate(1,2)'] },
      { start: 36, end: 55, text: '$[[component.name]]', data: 'component.name', access: 'component.name', functions: [] },
    ]);
  });

  it('rubyToS and compileRe2', () => {
    assert.equal(rubyToS(fromPlain(['a"b', 'c#{d}', 1.5, null, { k: ['x'] }])), '["a\\"b", "c\\#{d}", 1.5, nil, {:k=>["x"]}]');
    assert.equal(rubyToS(fromPlain(null)), '');
    assert.ok(compileRe2('\\A[[:digit:]]+\\z')!.test('123'));
    assert.ok(!compileRe2('\\A[[:digit:]]+\\z')!.test('123\n'));
    assert.ok(compileRe2('(?i)^abc$')!.test('ABC'));
    assert.equal(compileRe2('(?=a)'), undefined);
    assert.equal(compileRe2('(a)\\1'), undefined);
    assert.equal(compileRe2('a++'), undefined);
    assert.ok(compileRe2('(?P<x>a)')!.test('a'));
  });
});
