/**
 * Where GitLab flattens nested lists (ComposableArray entries and scripts) and where it keeps
 * them, as data: each test/pipeline/flatten/*.yml holds the files of a pipeline and, for some
 * top-level entries, the keys expected in the expanded output. The `needs` checks must see the
 * flattened list too, so every case must also expand without errors, but for those it lists
 * under `errors:` (GitLab rejects a nested list it keeps where its entry wants strings).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { expandPlain } from '../support/engine.js';

const dir = join(__dirname, 'flatten');

for (const file of readdirSync(dir).filter((f) => f.endsWith('.yml')).sort()) {
  const data = parse(readFileSync(join(dir, file), 'utf8')) as { files: Record<string, string>; expected: Record<string, Record<string, unknown>>; errors?: string[] };
  test(`flattening as GitLab does: ${file}`, async () => {
    const { plain, pipeline } = await expandPlain(data.files, { variables: { CI_COMMIT_BRANCH: 'main' } });
    assert.deepEqual(pipeline.diagnostics.map((d) => `${d.code}: ${d.message}`), data.errors ?? []);
    for (const [name, keys] of Object.entries(data.expected)) {
      assert.ok(plain[name], `${name} is in the output`);
      for (const [key, value] of Object.entries(keys)) assert.deepEqual(plain[name][key], value, `${name}.${key}`);
    }
  });
}
