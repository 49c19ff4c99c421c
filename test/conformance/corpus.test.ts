/**
 * One test per corpus case × variant × mode (see cases.ts). Cases listed in baseline.json must
 * pass; the others run as TODO (reported, never counted as failures) until they are added to the
 * baseline (`npm run conformance -- --update-baseline`). CONFORMANCE_STRICT=1 makes every case a
 * plain test. A missing CLI or corpus is reported as skipped, never as passed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corpusAvailable, CORPUS, discoverCorpusCases, readBaseline, runCorpusCase, strictMode } from './cases.js';

const baseline = new Set(readBaseline().passed);
const strict = strictMode();

if (!corpusAvailable()) {
  test('conformance corpus', (t) => {
    t.skip(`corpus not found at ${CORPUS}`);
  });
}

for (const c of discoverCorpusCases()) {
  const todo = strict || baseline.has(c.id) ? undefined : 'not in test/conformance/baseline.json';
  test(`corpus: ${c.id}`, { todo }, async (t) => {
    const r = await runCorpusCase(c);
    if (r.status === 'skip') {
      t.skip(r.message);
      return;
    }
    if (r.status === 'fail') assert.fail(r.message);
    for (const line of r.message ? r.message.split('\n') : []) t.diagnostic(line);
  });
}
