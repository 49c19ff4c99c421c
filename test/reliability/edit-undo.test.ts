/**
 * Edit–undo invariance on the real server, a small fixed-seed run (test/reliability/edit-undo.ts;
 * `npm run fuzz -- --pairs 2000` runs it at scale): after every random edit and its undo, the
 * diagnostics of every file, completion at fixed points and the preview equal the originals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatEditUndo, runEditUndo } from './edit-undo.js';

test('40 edit–undo pairs (seed 20261207) over the examples, the xfenix library and corpus cases: nothing differs after the undo', async (t) => {
  const report = await runEditUndo({ seed: 20261207, pairs: 40 });
  for (const line of formatEditUndo(report).split('\n')) t.diagnostic(line);
  assert.equal(report.pairs, 40);
  assert.ok(report.brokenMoments >= 5, `the edits break the YAML often enough (${report.brokenMoments})`);
  assert.ok(Object.values(report.kinds).every((n) => n > 0), 'every kind of edit ran');
  assert.deepEqual(report.differences, []);
});
