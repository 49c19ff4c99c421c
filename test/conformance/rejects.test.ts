/**
 * gitlab-rejects through the CLI (rejects-cases.ts): every positive must be accepted (no error
 * from `check`, `expand` exits 0); every negative must be rejected by both; a negative listed as
 * matched in rejects-baseline.json must carry GitLab's message at the expected line. Cases not
 * yet matched run as TODO (`node --import tsx test/conformance/rejects-run.ts --update-baseline`
 * adds them). A missing corpus is reported as skipped, never as passed.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { discoverRejectCases, readRejectsBaseline, REJECTS, runRejectCase } from './rejects-cases.js';

const baseline = readRejectsBaseline();
const matched = new Set(baseline.matched);
const rejected = new Set(baseline.rejected);

if (!existsSync(REJECTS)) {
  test('gitlab-rejects corpus', (t) => {
    t.skip(`corpus not found at ${REJECTS}`);
  });
}

const show = (errors: { file: string; line: number; message: string }[]) => errors.map((e) => `${e.file}:${e.line} ${e.message}`).join('\n');

for (const c of discoverRejectCases()) {
  if (c.kind === 'positive') {
    test(`gitlab-rejects ${c.id}: accepted`, async () => {
      const r = await runRejectCase(c);
      assert.ok(r.accepted, `GitLab accepts this configuration, we report:\n${show(r.errors)}\nexpand exit ${r.expandCode}`);
    });
    continue;
  }
  const todo = rejected.has(c.id) || matched.has(c.id) ? undefined : 'not rejected yet (rejects-baseline.json)';
  test(`gitlab-rejects ${c.id}: rejected${matched.has(c.id) ? ' with GitLab\'s message at its line' : ''}`, { todo }, async () => {
    const r = await runRejectCase(c);
    assert.ok(r.rejected, `GitLab rejects it (${c.error}); check errors: ${r.errors.length}, expand exit ${r.expandCode}`);
    if (matched.has(c.id)) assert.ok(r.matched, `want "${c.error}" at line ${c.line}, got:\n${show(r.errors)}`);
  });
}
