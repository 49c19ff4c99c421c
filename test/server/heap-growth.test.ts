/**
 * The server's full collection after a big pipeline's first analysis (server/src/heap-growth.ts):
 * it collects for real in a process started without --expose-gc, and leaves `gc` unexposed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fullCollection } from '../../server/src/heap-growth.js';

test('a full collection frees what nothing holds, without exposing gc to the program', async () => {
  assert.equal((globalThis as { gc?: unknown }).gc, undefined, 'this test runs without --expose-gc');
  let ref: WeakRef<object> | undefined;
  (() => {
    ref = new WeakRef({ big: new Array(100_000).fill(1) });
  })();
  // A WeakRef keeps its target until the current job ends.
  await new Promise((r) => setImmediate(r));
  assert.ok(ref!.deref(), 'alive before the collection (no collection ran in between)');
  // deref() keeps it for the rest of this job too.
  await new Promise((r) => setImmediate(r));
  fullCollection();
  assert.equal(ref!.deref(), undefined);
  assert.equal((globalThis as { gc?: unknown }).gc, undefined);
});
