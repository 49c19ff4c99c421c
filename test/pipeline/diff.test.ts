/**
 * The pipeline diff as data: a consumer, the library before and after a change → the expected
 * diff, with every span shown as `file: text it covers`, so provenance is asserted too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffPipelines } from '../../server/src/pipeline/diff/index.js';
import type { ExpandedPipeline } from '../../server/src/pipeline/merge/expand.js';
import { expandFiles, spanText } from '../support/engine.js';

interface Case {
  name: string;
  consumer: string;
  base: Record<string, string>;
  head: Record<string, string>;
  expect?: unknown;
  /** Only the errors (and that no job was added or removed) are asserted. */
  expectErrors?: unknown;
}

const LIB = 'project:acme/lib@v1:/';
const consumer = (files: string, extra = '') => `include:\n  - project: acme/lib\n    ref: v1\n    file: [${files}]\n${extra}`;

const templates = `
.test-job:
  stage: test
  image: python:3.12
  script:
    - pip install -r requirements.txt
    - pytest
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
`;

const cases: Case[] = [
  {
    name: 'no change: an empty diff',
    consumer: consumer('t.yml', 'test:\n  extends: .test-job\n'),
    base: { 't.yml': templates },
    head: { 't.yml': templates },
    expect: { added: [], removed: [], changed: [], runs: [], pipelines: [], errors: { added: [], resolved: [] }, missingVariables: { added: [], resolved: [] } },
  },
  {
    name: 'a changed script line is a line diff whose new line points at the library',
    consumer: consumer('t.yml', 'test:\n  extends: .test-job\n'),
    base: { 't.yml': templates },
    head: { 't.yml': templates.replace('    - pytest\n', '    - pytest -x\n    - coverage xml\n') },
    expect: {
      changed: [
        {
          job: 'test',
          keys: [
            {
              key: 'script',
              kind: 'lines',
              lines: [
                { op: 'remove', text: 'pytest', index: 1, span: 'base t.yml: pytest' },
                { op: 'add', text: 'pytest -x', index: 1, span: 'head t.yml: pytest -x' },
                { op: 'add', text: 'coverage xml', index: 2, span: 'head t.yml: coverage xml' },
              ],
            },
          ],
        },
      ],
    },
  },
  {
    name: 'image, variables and allow_failure: old and new values; only the changed variable',
    consumer: consumer('t.yml', 'test:\n  extends: .test-job\n  variables:\n    A: "1"\n'),
    base: { 't.yml': templates.replace('  stage: test\n', '  stage: test\n  variables:\n    B: x\n    C: y\n') },
    head: { 't.yml': templates.replace('  stage: test\n', '  stage: test\n  allow_failure: true\n  variables:\n    B: x\n    C: z\n').replace('python:3.12', 'python:3.13') },
    expect: {
      changed: [
        {
          job: 'test',
          keys: [
            { key: 'allow_failure', kind: 'value', new: true, span: 'head t.yml: true' },
            { key: 'image', kind: 'value', old: 'python:3.12', new: 'python:3.13', span: 'head t.yml: python:3.13' },
            { key: 'variables', kind: 'entries', entries: [{ name: 'C', old: 'y', new: 'z', span: 'head t.yml: z' }] },
          ],
        },
      ],
      // allow_failure: the job now may fail wherever it runs.
      runs: [
        { scenario: 'default-branch', job: 'test', before: { runs: true, when: 'on_success', allowFailure: false }, after: { runs: true, when: 'on_success', allowFailure: true }, decidedBy: 'rules[1]: if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH → on_success', span: 'head t.yml: if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n' },
        { scenario: 'merge-request', job: 'test', before: { runs: true, when: 'on_success', allowFailure: false }, after: { runs: true, when: 'on_success', allowFailure: true }, decidedBy: 'rules[0]: if: $CI_PIPELINE_SOURCE == "merge_request_event" → on_success', span: 'head t.yml: if: $CI_PIPELINE_SOURCE == "merge_request_event"\n' },
      ],
    },
  },
  {
    name: 'a job the preset adds and one it drops',
    consumer: consumer('p.yml'),
    base: { 'p.yml': 'lint:\n  script: [ruff .]\nold-job:\n  script: [echo]\n' },
    head: { 'p.yml': 'lint:\n  script: [ruff .]\nnew-job:\n  script: [echo]\n' },
    expect: { added: [{ job: 'new-job', span: 'head p.yml: new-job' }], removed: [{ job: 'old-job', span: 'base p.yml: old-job' }] },
  },
  {
    name: 'rules that stop a job on merge requests: changed rules and what runs differently',
    consumer: consumer('t.yml', 'test:\n  extends: .test-job\n'),
    base: { 't.yml': templates },
    head: { 't.yml': templates.replace('    - if: $CI_PIPELINE_SOURCE == "merge_request_event"\n', '    - if: $CI_PIPELINE_SOURCE == "merge_request_event"\n      when: manual\n') },
    expect: {
      changed: [
        {
          job: 'test',
          keys: [
            {
              key: 'rules',
              kind: 'value',
              old: [{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"' }, { if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }],
              new: [{ if: '$CI_PIPELINE_SOURCE == "merge_request_event"', when: 'manual' }, { if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }],
              span: 'head t.yml: - if: $CI_PIPELINE_SOURCE == "merge_request_event"\n      when: manual\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n',
            },
          ],
        },
      ],
      runs: [
        {
          scenario: 'merge-request',
          job: 'test',
          before: { runs: true, when: 'on_success', allowFailure: false },
          after: { runs: true, when: 'manual', allowFailure: false },
          decidedBy: 'rules[0]: if: $CI_PIPELINE_SOURCE == "merge_request_event" → manual',
          span: 'head t.yml: if: $CI_PIPELINE_SOURCE == "merge_request_event"\n      when: manual\n',
        },
      ],
    },
  },
  {
    name: 'a job that starts running on tags',
    consumer: consumer('d.yml', 'build:\n  script: [make]\n'),
    base: { 'd.yml': 'deploy:\n  script: [deploy]\n  rules:\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n' },
    head: { 'd.yml': 'deploy:\n  script: [deploy]\n  rules:\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n    - if: $CI_COMMIT_TAG =~ /^v\\d+/\n' },
    expect: {
      changed: [
        {
          job: 'deploy',
          keys: [
            {
              key: 'rules',
              kind: 'value',
              old: [{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }],
              new: [{ if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH' }, { if: '$CI_COMMIT_TAG =~ /^v\\d+/' }],
              span: 'head d.yml: - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n    - if: $CI_COMMIT_TAG =~ /^v\\d+/\n',
            },
          ],
        },
      ],
      runs: [
        {
          scenario: 'tag',
          job: 'deploy',
          before: { runs: false, when: 'never', allowFailure: false },
          after: { runs: true, when: 'on_success', allowFailure: false },
          decidedBy: 'rules[1]: if: $CI_COMMIT_TAG =~ /^v\\d+/ → on_success',
          span: 'head d.yml: if: $CI_COMMIT_TAG =~ /^v\\d+/\n',
        },
      ],
    },
  },
  {
    name: 'a renamed template: the consumer\'s extends breaks (new error), its job loses the template\'s keys',
    consumer: consumer('t.yml', 'test:\n  extends: .test-job\n  script: [make test]\n'),
    base: { 't.yml': templates },
    head: { 't.yml': templates.replace('.test-job:', '.pytest-job:') },
    expectErrors: { added: [{ code: 'extends-unknown', at: 'root .gitlab-ci.yml: .test-job' }], resolved: [] },
  },
  {
    name: 'a new required variable documented on the template: a new missing variable at the include',
    consumer: consumer('t.yml', 'test:\n  extends: .test-job\n'),
    base: { 't.yml': templates },
    head: { 't.yml': templates.replace('.test-job:', '# @required DB_URL: where the tests find the database\n.test-job:') },
    expect: {
      missingVariables: {
        added: [{ variable: 'DB_URL', jobs: ['test'], neededBy: '.test-job', description: 'where the tests find the database', span: 'root .gitlab-ci.yml: .test-job' }],
        resolved: [],
      },
    },
  },
  {
    name: 'a variable the library now sets itself: resolved',
    consumer: consumer('t.yml', 'test:\n  extends: .test-job\n'),
    base: { 't.yml': templates.replace('.test-job:', '# @required DB_URL: db\n.test-job:') },
    head: { 't.yml': templates.replace('.test-job:', '# @required DB_URL: db\n.test-job:').replace('  stage: test\n', '  stage: test\n  variables:\n    DB_URL: postgres://db\n') },
    expect: {
      changed: [{ job: 'test', keys: [{ key: 'variables', kind: 'entries', entries: [{ name: 'DB_URL', new: 'postgres://db', span: 'head t.yml: postgres://db' }] }] }],
      missingVariables: { added: [], resolved: [{ variable: 'DB_URL', jobs: ['test'], neededBy: '.test-job', description: 'db', span: 'root .gitlab-ci.yml: .test-job' }] },
    },
  },
  {
    name: 'workflow:rules that no longer create merge request pipelines: one entry, not one per job',
    consumer: consumer('w.yml', 'a:\n  script: [a]\n  rules: [when: on_success]\nb:\n  script: [b]\n  rules: [when: on_success]\n'),
    base: { 'w.yml': 'workflow:\n  rules:\n    - if: $CI_PIPELINE_SOURCE == "merge_request_event"\n    - if: $CI_COMMIT_BRANCH\n    - if: $CI_COMMIT_TAG\n' },
    head: { 'w.yml': 'workflow:\n  rules:\n    - if: $CI_COMMIT_BRANCH\n    - if: $CI_COMMIT_TAG\n' },
    expect: { pipelines: [{ scenario: 'merge-request', before: true, after: false, reason: 'no workflow:rules entry matches: the pipeline is not created' }] },
  },
];

async function expand(consumerYaml: string, lib: Record<string, string>): Promise<ExpandedPipeline> {
  const files: Record<string, string> = { '.gitlab-ci.yml': consumerYaml };
  for (const [k, v] of Object.entries(lib)) files[LIB + k] = v;
  return expandFiles(files);
}

/** Spans as `side file: covered text` (library files have the same URI on both sides here, so the caller names the side). */
function readable(value: unknown, p: ExpandedPipeline, side: string): unknown {
  if (Array.isArray(value)) return value.map((v) => readable(v, p, side));
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.uri === 'string' && typeof o.start === 'number') {
      const root = o.uri.startsWith('gitlab-ci-root:');
      const file = o.uri.replace(/^.*\/-\/v1\//, '').replace(/^gitlab-ci-root:\/\/\//, '');
      return `${root ? 'root' : side} ${file}: ${spanText(p, o as never)}`;
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, readable(v, p, side)]));
  }
  return value;
}

for (const c of cases) {
  test(`diff: ${c.name}`, async () => {
    const base = await expand(c.consumer, c.base);
    const head = await expand(c.consumer, c.head);
    const diff = diffPipelines(base, head);
    const show = (v: unknown, side: 'base' | 'head') => readable(v, side === 'base' ? base : head, side);
    const out = {
      added: show(diff.added, 'head'),
      removed: show(diff.removed, 'base'),
      changed: diff.changed.map((j) => ({
        job: j.job,
        keys: j.keys.map((k) => (k.kind === 'lines' ? { ...k, lines: k.lines.map((l) => show(l, l.op === 'add' ? 'head' : 'base')) } : show(k, 'head'))),
      })),
      runs: show(diff.runs, 'head'),
      pipelines: diff.pipelines,
      errors: { added: show(diff.errors.added, 'head'), resolved: show(diff.errors.resolved, 'base') },
      missingVariables: { added: show(diff.missingVariables.added, 'head'), resolved: show(diff.missingVariables.resolved, 'base') },
    };
    const expectErrors = c.expectErrors;
    if (expectErrors) {
      const errs = out.errors as { added: { code: string; span: string }[]; resolved: unknown[] };
      assert.deepEqual({ added: errs.added.map((e) => ({ code: e.code, at: e.span })), resolved: errs.resolved }, expectErrors);
      assert.deepEqual(out.added, []);
      assert.deepEqual(out.removed, []);
      return;
    }
    const full = { added: [], removed: [], changed: [], runs: [], pipelines: [], errors: { added: [], resolved: [] }, missingVariables: { added: [], resolved: [] }, ...(c.expect as object) };
    if (process.env.SHOW_DIFF) console.log(JSON.stringify(out, null, 1));
    assert.deepEqual(out, full);
  });
}

test('diff: the order is deterministic (same input twice → same JSON)', async () => {
  const c = cases[2];
  const one = diffPipelines(await expand(c.consumer, c.base), await expand(c.consumer, c.head));
  const two = diffPipelines(await expand(c.consumer, c.base), await expand(c.consumer, c.head));
  assert.equal(JSON.stringify(one), JSON.stringify(two));
});
