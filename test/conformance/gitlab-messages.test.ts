/** GitLab's own wording on rejected configurations (gitlab-messages.ts): every case must pass. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { discoverMessageCases, runMessageCase } from './gitlab-messages.js';

for (const c of discoverMessageCases()) {
  test(c.id, async () => {
    const r = await runMessageCase(c);
    assert.equal(r.status, 'pass', r.message);
  });
}
