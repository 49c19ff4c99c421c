/**
 * `include: rules:` — the first rule whose clauses (`if`, `exists`, `changes`) all hold decides;
 * `when: never` excludes, anything else includes; no matching rule excludes the file.
 * Only predefined and project variables are visible here (GitLab does not pass YAML `variables:`).
 */
import { composedItems } from '../merge/flatten.js';
import { evaluateExpression } from '../expressions/expressions.js';
import { globToRegExp } from './glob.js';
import type { Node, Span } from '../model.js';
import type { ProjectLoc } from '../sources.js';
import { expandVariables } from '../variables/variable-expansion.js';
import { Report } from '../validate/report.js';
import { validateRules } from '../validate/rules.js';

export type RuleVerdict = { ok: true; include: boolean; rule?: number } | { ok: false; error: string; span?: Span };

type Listing = (loc: ProjectLoc) => Promise<string[] | string>;

function strings(n: Node | undefined): string[] {
  if (!n) return [];
  if (n.kind === 'scalar') return n.value === null ? [] : [String(n.value)];
  if (n.kind === 'seq') return n.items.flatMap(strings);
  return [];
}

export async function evaluateIncludeRules(
  rules: Node,
  vars: Readonly<Record<string, string | undefined>>,
  loc: ProjectLoc,
  listing: Listing,
): Promise<RuleVerdict> {
  // GitLab checks every rule before evaluating any (External::Rules): the first finding fails the include.
  const report = new Report(rules.span);
  validateRules(report, 'include', rules, 'include');
  const first = report.out.find((d) => d.severity === 'error');
  if (first) return { ok: false, error: first.message, span: first.span };
  const items = composedItems(rules);
  for (let i = 0; i < items.length; i++) {
    const rule = items[i];
    if (rule.kind !== 'map') continue;
    const ifNode = rule.entries.get('if');
    if (ifNode && !(ifNode.kind === 'scalar' && ifNode.value === null)) {
      const expr = ifNode.kind === 'scalar' ? String(ifNode.value ?? '') : '';
      const r = evaluateExpression(expr, vars);
      if (!r.ok) return { ok: false, error: `invalid expression syntax: ${r.error}`, span: ifNode.span };
      if (!r.value) continue;
    }
    const existsNode = rule.entries.get('exists');
    if (existsNode) {
      let paths: string[];
      let target = loc;
      if (existsNode.kind === 'map') {
        paths = strings(existsNode.entries.get('paths'));
        const project = strings(existsNode.entries.get('project'))[0];
        if (project) target = { project, ref: strings(existsNode.entries.get('ref'))[0] };
      } else paths = strings(existsNode);
      const files = await listing(target);
      if (typeof files === 'string') return { ok: false, error: `rules:exists could not list files: ${files}`, span: existsNode.span };
      const res = paths.map((p) => globToRegExp(expandVariables(p, vars, { keepUndefined: true }).replace(/^\/+/, '')));
      if (!files.some((f) => res.some((re) => re.test(f)))) continue;
    }
    // `changes` cannot be known before a push: treated as matched, like a new branch pipeline.
    const when = rule.entries.get('when');
    const whenText = when?.kind === 'scalar' && when.value !== null ? String(when.value) : undefined;
    return { ok: true, include: whenText !== 'never', rule: i };
  }
  return { ok: true, include: false };
}
