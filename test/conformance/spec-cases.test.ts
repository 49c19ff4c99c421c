/**
 * One test per line of gitlab-spec-cases/cases.jsonl (GitLab's own RSpec expectations), run
 * against the engine stage each exercises (see cases.ts). `spec:inputs interpolation` cases are
 * reported as skipped (they are tested in test/pipeline/inputs.test.ts). Baseline/TODO handling
 * as in corpus.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { discoverSpecCases, readBaseline, runSpecCase, SPEC_CASES_FILE, strictMode } from './cases.js';

const baseline = new Set(readBaseline().passed);
const strict = strictMode();
const cases = discoverSpecCases();

if (cases.length === 0) {
  test('GitLab spec cases', (t) => {
    t.skip(`no cases at ${SPEC_CASES_FILE}`);
  });
}

for (const c of cases) {
  const todo = strict || baseline.has(c.id) || c.stage === 'interpolation' ? undefined : 'not in test/conformance/baseline.json';
  test(c.id, { todo }, async (t) => {
    const r = await runSpecCase(c);
    if (r.status === 'skip') {
      t.skip(r.message);
      return;
    }
    if (r.status === 'fail') assert.fail(r.message);
    for (const line of r.message ? r.message.split('\n') : []) t.diagnostic(line);
  });
}
