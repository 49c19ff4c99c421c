/**
 * Opening a job file of a big pipeline (over a thousand jobs), the server publishes that file's
 * diagnostics from the jobs that can place findings there before it looks at every other job
 * (features/shared/diagnostics.ts `earlyDocumentDiagnostics`): the first set the client gets is
 * the full set — same ranges, codes and messages — and only the quick-fix hint `data.job` (a
 * variable missing nowhere else) is added by the full analysis after it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { LspClient } from '../support/lsp-client.js';
import { generateLibrary, LIBRARY_PROJECT, writeLibrary } from '../../scripts/generate-library.js';

let dir: string;

/** Drop the first `count` lines that set a required variable (`    REQ_…: env-…`) after `from`. */
function dropRequired(path: string, count: number, from = 0): void {
  let text = readFileSync(path, 'utf8');
  for (let i = 0; i < count; i++) {
    const re = /^ {4}REQ_\w+: env-\d\n/gm;
    re.lastIndex = from;
    const m = re.exec(text)!;
    text = text.slice(0, m.index) + text.slice(m.index + m[0].length);
    from = m.index + 2000;
  }
  writeFileSync(path, text);
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-early-lsp-'));
  // 1,300 jobs: 1,250 in jobs-0.yml, 50 in jobs-1.yml.
  writeLibrary(dir, generateLibrary({ files: 4, templates: 50, jobs: 1300, seed: 11 }));
  dropRequired(join(dir, 'consumer', 'jobs', 'jobs-0.yml'), 6);
  dropRequired(join(dir, 'consumer', 'jobs', 'jobs-1.yml'), 2);
});

after(() => rmSync(dir, { recursive: true, force: true }));

const shown = (ds: Diagnostic[]) => ds.map((d) => ({ ...d, data: d.data && { ...(d.data as Record<string, unknown>), job: undefined } }));

test('a job file of a 1,300-job pipeline: its first diagnostics are the full set, sent before the other files’', async () => {
  const client = new LspClient();
  try {
    await client.initialize(join(dir, 'consumer'), { localProjects: { [`${LIBRARY_PROJECT}@main`]: '../library' }, localOnly: true });
    const uri = pathToFileURL(join(dir, 'consumer', 'jobs', 'jobs-0.yml')).href;
    const other = pathToFileURL(join(dir, 'consumer', 'jobs', 'jobs-1.yml')).href;
    client.open(uri, readFileSync(join(dir, 'consumer', 'jobs', 'jobs-0.yml'), 'utf8'));
    // The other job file is published after the opened one's full set.
    await client.waitForDiagnostics(other, (ds) => ds.length > 0, 120_000);
    const sets = client.published.filter((p) => p.uri === uri).map((p) => p.diagnostics);
    const first = sets[0];
    const last = sets[sets.length - 1];
    const missing = first.filter((d) => d.code === 'variable-missing');
    assert.ok(missing.length >= 4, `missing variables in the first set: ${missing.map((d) => d.message).join('; ')}`);
    assert.deepStrictEqual(shown(first), shown(last));
    // A variable one job alone misses gets the job-level fix hint from the full analysis: proof that the first set was the early one.
    assert.ok(sets.length >= 2 && last.some((d) => (d.data as { job?: string } | undefined)?.job), `sets published for the file: ${sets.length}`);
    assert.ok(!first.some((d) => (d.data as { job?: string } | undefined)?.job));
    const firstOther = client.published.findIndex((p) => p.uri === other);
    assert.ok(client.published.findIndex((p) => p.uri === uri) < firstOther);
  } finally {
    await client.close();
  }
});
