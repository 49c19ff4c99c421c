import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { docCommentAbove, fileHeaderComment, tagDefault } from '../../server/src/pipeline/contract/doc-comments.js';

const repo = resolve(__dirname, '..', '..');
const lib = join(repo, 'examples', 'ci-library');
const xfenix = join(repo, '..', 'shared', 'corpus', 'xfenix-pycon2022', 'repo');
const read = (p: string) => readFileSync(p, 'utf8');
const keyOffset = (text: string, key: string) => {
  const m = new RegExp(`^${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:`, 'm').exec(text);
  assert.ok(m, `${key} is in the file`);
  return m.index;
};

test('the comment above .python-test-job: its prose and its @required/@optional tags with spans', () => {
  const text = read(join(lib, 'common', 'jobs.yml'));
  const doc = docCommentAbove('u', text, keyOffset(text, '.python-test-job'));
  assert.ok(doc);
  assert.match(doc.text, /^Runs the pytest suite with coverage/);
  assert.deepEqual(
    doc.tags.map((t) => [t.kind, t.name]),
    [['required', 'PYTHON_VERSION'], ['required', 'SERVICE_NAME'], ['optional', 'PYTEST_ARGS'], ['optional', 'COVERAGE_SOURCE']],
  );
  const cov = doc.tags[3];
  assert.equal(cov.description, 'package measured by pytest-cov (default: src)');
  assert.equal(tagDefault(cov.description), 'src');
  assert.equal(text.slice(cov.span.start, cov.span.end), '# @optional COVERAGE_SOURCE: package measured by pytest-cov (default: src)');
  assert.equal(text.slice(doc.span.start, doc.span.start + 6), '# Runs');
  assert.ok(text.slice(doc.span.end).startsWith('\n.python-test-job:'));
});

test('a key with a blank line above has no doc comment; prose tags indented after # are not tags', () => {
  const text = '# header\n#   @required NAME: text  (syntax shown in prose)\n\n.job:\n  script: [echo]\n';
  assert.equal(docCommentAbove('u', text, text.indexOf('.job')), undefined);
  const header = fileHeaderComment('u', text);
  assert.ok(header);
  assert.deepEqual(header.tags, []);
  assert.equal(header.text, 'header\n  @required NAME: text  (syntax shown in prose)');
});

test('a comment indented deeper than the key belongs to the block above it', () => {
  const text = '.a:\n  script: [echo]\n  # the end of .a\n.b:\n  script: [echo]\n';
  assert.equal(docCommentAbove('u', text, text.indexOf('.b:')), undefined);
  const nested = 'variables:\n  # the registry host\n  # @optional HOST: registry (default: r.example)\n  HOST: r.example\n';
  const doc = docCommentAbove('u', nested, nested.indexOf('\n  HOST:') + 3);
  assert.ok(doc);
  assert.equal(doc.text, 'the registry host\n@optional HOST: registry (default: r.example)');
  assert.deepEqual(doc.tags.map((t) => t.name), ['HOST']);
});

test('without a comment above, the comment opening the key\'s block documents it (xfenix .vars-check-job)', () => {
  const text = read(join(xfenix, 'jobs.yml'));
  const doc = docCommentAbove('u', text, keyOffset(text, '.vars-check-job'));
  assert.ok(doc);
  assert.equal(doc.text, 'for checking necessary vars');
  const above = docCommentAbove('u', text, keyOffset(text, '.python-test-job'));
  assert.equal(above?.text, 'Generic template of test job (will be customized or completely modified in children pipelines)');
});

test('file header: the leading block of a preset, and the block after a spec: header', () => {
  const helm = read(join(lib, 'cd', 'helm.yml'));
  const h = fileHeaderComment('u', helm);
  assert.ok(h);
  assert.match(h.text, /^Preset "helm": chart lint and helm deploys/);
  assert.ok(h.text.includes('HELM_CHART    path of the service chart'));
  assert.equal(h.span.start, 0);
  const docker = read(join(lib, 'ci', 'docker.yml'));
  const d = fileHeaderComment('u', docker);
  assert.ok(d);
  assert.match(d.text, /^Preset "docker": builds the service image/);
  assert.ok(docker.slice(0, d.span.start).includes('spec:'));
  assert.equal(fileHeaderComment('u', 'job:\n  script: [echo]\n'), undefined);
  const tagged = fileHeaderComment('u', '# Preset x\n# @required A: the a\n# @optional B: the b (default: 1)\ninclude: []\n');
  assert.deepEqual(tagged?.tags.map((t) => `${t.kind} ${t.name} ${t.description}`), ['required A the a', 'optional B the b (default: 1)']);
});
