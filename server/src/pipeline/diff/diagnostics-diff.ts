/**
 * New and resolved findings between two expansions of one consumer: error-level diagnostics
 * (matched by code and message, since a line that moved is the same error) and required preset
 * variables the consumer does not set (matched by variable name).
 */
import type { ExpandedPipeline } from '../merge/expand.js';
import { missingRequiredVariables } from '../contract/index.js';
import type { DiagnosticEntry, MissingVariableEntry } from './types.js';

export function errorsOf(p: ExpandedPipeline): DiagnosticEntry[] {
  const seen = new Set<string>();
  const out: DiagnosticEntry[] = [];
  for (const d of p.diagnostics) {
    if (d.severity !== 'error') continue;
    const key = `${d.code}\u0000${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ code: d.code, message: d.message, span: d.span });
  }
  return out;
}

export function missingOf(p: ExpandedPipeline, knownVariables: readonly string[]): MissingVariableEntry[] {
  const byName = new Map<string, MissingVariableEntry>();
  for (const m of missingRequiredVariables(p, { knownVariables })) {
    const entry = byName.get(m.variable.name);
    if (entry) {
      for (const j of m.jobs) if (!entry.jobs.includes(j)) entry.jobs.push(j);
      continue;
    }
    const e: MissingVariableEntry = { variable: m.variable.name, jobs: [...m.jobs], neededBy: m.neededBy, span: m.span };
    if (m.variable.description) e.description = m.variable.description;
    byName.set(m.variable.name, e);
  }
  for (const e of byName.values()) e.jobs.sort();
  return [...byName.values()];
}

/** Items of `after` whose key is not in `before`, and the reverse; each sorted by key. */
export function addedAndResolved<T>(before: T[], after: T[], key: (t: T) => string): { added: T[]; resolved: T[] } {
  const kb = new Set(before.map(key));
  const ka = new Set(after.map(key));
  const byKey = (x: T, y: T) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0);
  return { added: after.filter((t) => !kb.has(key(t))).sort(byKey), resolved: before.filter((t) => !ka.has(key(t))).sort(byKey) };
}
