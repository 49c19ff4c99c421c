/**
 * Conformance run: every corpus case and GitLab spec case (same discovery and comparison as the
 * tests, from cases.ts), printed as a table with per-group counts and `N passed, M failed`.
 * Compared with the committed baseline (test/conformance/baseline.json, the ids that passed):
 * exit 1 when a baseline case no longer passes.
 *
 *   node --import tsx test/conformance/run.ts [--update-baseline] [--verbose] [--filter TEXT]...
 *
 *   --update-baseline  rewrite baseline.json with the cases that pass now
 *   --verbose          print the full failure message (diff, command, deviations) of each failure
 *   --filter TEXT      only cases whose id contains TEXT (repeatable; the baseline is then only
 *                      checked for those cases and cannot be updated)
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BASELINE_FILE, CORPUS, corpusAvailable, discoverCorpusCases, discoverSpecCases, readBaseline, runCorpusCase, runSpecCase } from './cases.js';
import type { CaseResult } from './cases.js';
import { discoverMessageCases, runMessageCase } from './gitlab-messages.js';

interface Row {
  id: string;
  group: string;
  result: CaseResult;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'update-baseline': { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      filter: { type: 'string', multiple: true },
    },
  });
  const filters = values.filter ?? [];
  const keep = (id: string) => filters.length === 0 || filters.some((f) => id.includes(f));
  if (!corpusAvailable()) {
    console.error(`conformance: corpus not found at ${CORPUS}`);
    return 2;
  }

  const rows: Row[] = [];
  for (const c of discoverCorpusCases()) {
    if (!keep(c.id)) continue;
    rows.push({ id: c.id, group: c.group, result: await runCorpusCase(c) });
  }
  for (const c of discoverSpecCases()) {
    if (!keep(c.id)) continue;
    rows.push({ id: c.id, group: c.group, result: await runSpecCase(c) });
  }
  for (const c of discoverMessageCases()) {
    if (!keep(c.id)) continue;
    rows.push({ id: c.id, group: c.group, result: await runMessageCase(c) });
  }

  const baseline = new Set(readBaseline().passed);
  const idWidth = Math.min(90, Math.max(...rows.map((r) => r.id.length)));
  const mark = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;
  let group = '';
  for (const r of rows) {
    if (r.group !== group) {
      group = r.group;
      console.log(`\n== ${group}`);
    }
    const id = r.id.length > idWidth ? `${r.id.slice(0, idWidth - 1)}…` : r.id.padEnd(idWidth);
    const flag = r.result.status !== 'pass' && baseline.has(r.id) ? '  << REGRESSION' : '';
    console.log(`${mark[r.result.status]}  ${id}  ${r.result.summary}${flag}`);
    if (values.verbose && r.result.status !== 'pass' && r.result.message) {
      console.log(r.result.message.replace(/^/gm, '        '));
    }
  }

  // per-group counts
  const groups = new Map<string, Record<'pass' | 'fail' | 'skip', number>>();
  for (const r of rows) {
    const g = groups.get(r.group) ?? { pass: 0, fail: 0, skip: 0 };
    g[r.result.status]++;
    groups.set(r.group, g);
  }
  console.log('\ngroup                          pass  fail  skip');
  for (const [g, n] of groups) console.log(`${g.padEnd(30)} ${String(n.pass).padStart(5)} ${String(n.fail).padStart(5)} ${String(n.skip).padStart(5)}`);

  const passed = rows.filter((r) => r.result.status === 'pass').map((r) => r.id);
  const failed = rows.filter((r) => r.result.status === 'fail').length;
  const skipped = rows.filter((r) => r.result.status === 'skip').length;
  const considered = new Set(rows.map((r) => r.id));
  const regressions = [...baseline].filter((id) => considered.has(id) && !passed.includes(id));
  const fresh = passed.filter((id) => !baseline.has(id));
  const vanished = filters.length ? [] : [...baseline].filter((id) => !considered.has(id));

  if (fresh.length) console.log(`\nnewly passing (not in baseline.json; --update-baseline to record): ${fresh.length}\n${fresh.map((id) => `  + ${id}`).join('\n')}`);
  if (vanished.length) console.log(`\nin baseline.json but no longer a case: ${vanished.length}\n${vanished.map((id) => `  ? ${id}`).join('\n')}`);
  if (regressions.length) console.log(`\nREGRESSIONS (in baseline.json, not passing now): ${regressions.length}\n${regressions.map((id) => `  - ${id}`).join('\n')}`);

  if (values['update-baseline']) {
    if (filters.length) {
      console.error('conformance: --update-baseline cannot be combined with --filter');
      return 2;
    }
    writeFileSync(BASELINE_FILE, `${JSON.stringify({ passed: [...passed].sort() }, null, 2)}\n`);
    console.log(`\nbaseline.json updated: ${passed.length} passing case(s)`);
  }

  console.log(`\n${passed.length} passed, ${failed} failed, ${skipped} skipped`);
  return regressions.length && !values['update-baseline'] ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    console.error(e);
    process.exitCode = 2;
  },
);
