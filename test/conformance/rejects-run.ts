/**
 * The gitlab-rejects table: every case (rejects-cases.ts) with its verdict, counts by keyword,
 * and the totals against the bar (≥ 97 % of negatives rejected, ≥ 90 % with GitLab's
 * message at the line, 0 errors on positives). Exit 1 when a case of rejects-baseline.json
 * regressed.
 *
 *   node --import tsx test/conformance/rejects-run.ts [--update-baseline] [--verbose] [--filter TEXT]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { discoverRejectCases, readRejectsBaseline, REJECTS, REJECTS_BASELINE, runRejectCase } from './rejects-cases.js';
import type { RejectCase, RejectResult } from './rejects-cases.js';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'update-baseline': { type: 'boolean' }, verbose: { type: 'boolean', short: 'v' }, filter: { type: 'string', multiple: true } } });
  const filters = values.filter ?? [];
  const cases = discoverRejectCases().filter((c) => !filters.length || filters.some((f) => c.id.includes(f)));
  if (!cases.length) {
    console.error(`rejects: no case found under ${REJECTS}`);
    return 2;
  }
  const rows: { c: RejectCase; r: RejectResult }[] = [];
  for (const c of cases) rows.push({ c, r: await runRejectCase(c) });

  const byKeyword = new Map<string, { neg: number; rejected: number; matched: number; pos: number; accepted: number }>();
  for (const { c, r } of rows) {
    const s = byKeyword.get(c.keyword) ?? { neg: 0, rejected: 0, matched: 0, pos: 0, accepted: 0 };
    if (c.kind === 'negative') {
      s.neg++;
      if (r.rejected) s.rejected++;
      if (r.matched) s.matched++;
    } else {
      s.pos++;
      if (r.accepted) s.accepted++;
    }
    byKeyword.set(c.keyword, s);
    const verdict = c.kind === 'negative' ? (r.matched ? 'MATCH' : r.rejected ? 'REJECT' : 'MISS') : r.accepted ? 'OK' : 'FALSE-ERROR';
    if (values.verbose || verdict === 'MISS' || verdict === 'REJECT' || verdict === 'FALSE-ERROR') {
      console.log(`${verdict.padEnd(11)} ${c.id}`);
      if (c.error) console.log(`            want: ${c.error} @${c.line}`);
      for (const e of r.errors) console.log(`            got:  ${e.file}:${e.line} ${e.message}`);
    }
  }
  console.log('\nkeyword                 negatives rejected matched | positives accepted');
  for (const [kw, s] of [...byKeyword].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`${kw.padEnd(24)}${String(s.neg).padStart(9)}${String(s.rejected).padStart(9)}${String(s.matched).padStart(8)} |${String(s.pos).padStart(10)}${String(s.accepted).padStart(9)}`);
  }
  const neg = rows.filter((x) => x.c.kind === 'negative');
  const pos = rows.filter((x) => x.c.kind === 'positive');
  const pct = (n: number, d: number) => (d ? ((100 * n) / d).toFixed(1) : '-');
  const rej = neg.filter((x) => x.r.rejected).length;
  const mat = neg.filter((x) => x.r.matched).length;
  const acc = pos.filter((x) => x.r.accepted).length;
  console.log(`\nnegatives: ${neg.length}, rejected ${rej} (${pct(rej, neg.length)} %), with GitLab's message at the line ${mat} (${pct(mat, neg.length)} %)`);
  console.log(`positives: ${pos.length}, accepted ${acc}, with an error ${pos.length - acc}`);

  const now = {
    matched: neg.filter((x) => x.r.matched).map((x) => x.c.id),
    rejected: neg.filter((x) => x.r.rejected).map((x) => x.c.id),
    accepted: pos.filter((x) => x.r.accepted).map((x) => x.c.id),
  };
  if (values['update-baseline'] && !filters.length) {
    writeFileSync(REJECTS_BASELINE, `${JSON.stringify(now, null, 2)}\n`);
    console.log(`baseline written: ${REJECTS_BASELINE}`);
    return 0;
  }
  const base = readRejectsBaseline();
  const ids = new Set(cases.map((c) => c.id));
  const regressed = (['matched', 'rejected', 'accepted'] as const).flatMap((k) => base[k].filter((id) => ids.has(id) && !now[k].includes(id)).map((id) => `${k}: ${id}`));
  for (const r of regressed) console.log(`REGRESSION ${r}`);
  return regressed.length ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  console.error(e);
  process.exit(2);
});
