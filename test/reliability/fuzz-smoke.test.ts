/**
 * A small fixed-seed run of the fuzzer (scripts/fuzz.ts; `npm run fuzz` runs 10 000 cases) in the
 * test suite: the live server fed generated and mutated CI files and random edits, with requests
 * in between, must stay alive, answer every request (no exception escaping a handler, no hang),
 * keep its ranges inside the text, never send an edit it was not asked for and never write a
 * workspace file. Latency figures are printed, not asserted (the full run counts answers over 1 s).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReport, runFuzz } from '../../scripts/fuzz.js';

test('300 fuzz cases (seed 20261122) against the live server: no crash, hang, error answer, stray range, unasked edit or logged error', async (t) => {
  const report = await runFuzz({ seed: 20261122, cases: 300, hangMs: 20_000 });
  for (const line of formatReport(report).split('\n')) t.diagnostic(line);
  assert.equal(report.cases, 300);
  assert.ok(report.requests > 600 && report.edits > 300, 'requests and edits were sent');
  assert.ok(report.inputs.generated > 50 && report.inputs.mutated > 50);
  assert.deepEqual(report.findings.filter((f) => f.kind !== 'slow'), []);
  assert.equal(report.serverStarts, 1, 'one server process all along');
});
