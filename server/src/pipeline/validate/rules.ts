/**
 * `rules:` of jobs, `workflow:` and `include:` (GitLab's Entry::Rules, Rules::Rule and its
 * `changes`/`exists`), the `if:` expressions parsed with the engine's expression parser (the error
 * sits on the bad token), and the deprecated `only:`/`except:`.
 */
import { parseExpression } from '../expressions/expression-parser.js';
import { compileRubyRegexLiteral } from '../expressions/re2.js';
import type { MapNode, Node, Span } from '../model.js';
import { spanWithin } from '../model.js';
import { durationProblem, WEEK } from './duration.js';
import { keyword } from './keywords.js';
import { AUTO_CANCEL_ON_JOB_FAILURE, AUTO_CANCEL_ON_NEW_COMMIT, ONLY_EXCEPT_KEYS } from './keywords-nested.js';
import type { EntryId } from './keywords-types.js';
import type { Report } from './report.js';
import { isBool, isMap, isRef, isSeq, isStr, isStringArray, shown, str } from './values.js';

export type RulesOwner = 'job' | 'workflow' | 'include';

const RULE_ENTRY: Record<RulesOwner, EntryId> = { job: 'rule', workflow: 'workflow-rule', include: 'include-rule' };
/** The `when:` values each kind of rule takes, from the keyword table. */
const ruleWhen = (owner: RulesOwner): readonly string[] => keyword(RULE_ENTRY[owner], 'when')?.values ?? [];

/** Hashes nested in lists up to `depth` levels (GitLab's nested_array_of_hashes_or_arrays, max_level 10). */
function nestedRules(n: Node, depth: number, out: MapNode[]): boolean {
  if (isMap(n)) {
    out.push(n);
    return true;
  }
  if (isRef(n)) return true;
  return isSeq(n) && depth > 0 && n.items.every((i) => nestedRules(i, depth - 1, out));
}

/**
 * `rules:` — a list of hashes, or lists of hashes up to 10 levels. A job's rules arrive flattened
 * (merge/jobs.ts flattens the same 10 levels), so a list left inside one was nested deeper.
 */
export function validateRules(r: Report, loc: string, rules: Node, owner: RulesOwner): void {
  if (isRef(rules)) return;
  const list: MapNode[] = [];
  const ok = isSeq(rules) && rules.items.every((i) => (owner === 'job' ? isMap(i) || isRef(i) : nestedRules(i, 10, list)));
  if (!ok) {
    r.error('rules-invalid', `${loc} rules should be an array containing hashes and arrays of hashes`, rules);
    return;
  }
  if (owner === 'job') list.push(...(rules as { items: Node[] }).items.filter(isMap));
  for (const rule of list) validateRule(r, `${loc}:rules:rule`, rule, owner);
}

/** Where an `if:` error sits: the bad token inside the written value (quotes skipped). */
function tokenSpan(node: Node, expr: string, offset: number | undefined): Span | undefined {
  const s = node.span;
  if (!s || offset === undefined) return s;
  const length = s.end - s.start;
  const quote = length >= expr.length + 2 ? 1 : 0;
  const from = Math.min(quote + offset, length);
  return spanWithin(s, from, Math.min(from + 1, length));
}

export function validateIf(r: Report, loc: string, node: Node, label = 'if'): void {
  const expr = str(node);
  if (expr === undefined) {
    r.error('expression-invalid', `${loc} ${label} invalid expression syntax`, node);
    return;
  }
  const problem = syntaxProblem(expr);
  if (problem) r.error('expression-invalid', `${loc} ${label} invalid expression syntax (${problem.error})`, tokenSpan(node, expr, problem.offset), { expression: expr });
}

/**
 * The syntax error of an expression, if any; remembered per text (jobs repeat the rules of the
 * templates they extend: a big pipeline holds thousands of copies of a few expressions).
 */
const syntaxProblems = new Map<string, { error: string; offset?: number } | null>();
const MAX_REMEMBERED_EXPRESSIONS = 10_000;
function syntaxProblem(expr: string): { error: string; offset?: number } | null {
  let problem = syntaxProblems.get(expr);
  if (problem !== undefined) return problem;
  const parsed = parseExpression(expr, { inputs: {} });
  problem = !parsed.ok && parsed.kind === 'syntax' ? { error: parsed.error, offset: parsed.offset } : null;
  if (syntaxProblems.size >= MAX_REMEMBERED_EXPRESSIONS) syntaxProblems.clear();
  syntaxProblems.set(expr, problem);
  return problem;
}

function validateRule(r: Report, loc: string, rule: MapNode, owner: RulesOwner): void {
  const id = RULE_ENTRY[owner];
  if (rule.entries.size === 0) {
    r.error('rules-invalid', `${loc} config can't be blank`, rule);
    return;
  }
  r.unknownKeys(loc, rule, id);
  const e = rule.entries;
  const ifNode = e.get('if');
  if (ifNode && !isRef(ifNode)) validateIf(r, loc, ifNode);
  const when = e.get('when');
  const allowed = ruleWhen(owner);
  if (when && !isRef(when) && !(when.kind === 'scalar' && when.value === null && owner === 'include')) {
    const w = str(when);
    if (w === undefined || !allowed.includes(w)) r.invalidValue(`${loc} when unknown value: ${shown(when)}`, when, id, 'when', allowed);
  }
  const changes = e.get('changes');
  if (changes) validatePathsClause(r, `${loc}:changes`, changes, 'rule-changes');
  const exists = e.get('exists');
  if (exists) validatePathsClause(r, `${loc}:exists`, exists, 'rule-exists');
  if (owner !== 'job') {
    if (owner === 'workflow') {
      const ac = e.get('auto_cancel');
      if (ac) validateAutoCancel(r, `${loc}:auto_cancel`, ac);
      const vars = e.get('variables');
      if (vars && !isMap(vars) && !isRef(vars)) r.error('variables-invalid', `${loc}:variables config should be a hash`, vars);
    }
    return;
  }
  const af = e.get('allow_failure');
  if (af && !isBool(af) && !isRef(af)) r.error('value-type', `${loc} allow failure should be a boolean value`, af);
  const intr = e.get('interruptible');
  if (intr && !isBool(intr) && !isRef(intr)) r.error('value-type', `${loc} interruptible should be a boolean value`, intr);
  const vars = e.get('variables');
  if (vars && !isMap(vars) && !isRef(vars)) r.error('variables-invalid', `${loc}:variables config should be a hash`, vars);
  const startIn = e.get('start_in');
  const delayed = str(when) === 'delayed';
  if (delayed && !startIn) r.error('start-in-invalid', `${loc} start in can't be blank`, rule.keySpans.get('when') ?? rule);
  if (startIn && !delayed) {
    r.error('start-in-without-delayed', `${loc} start in must be blank`, rule.keySpans.get('start_in') ?? startIn, { kind: 'start-in-without-delayed', when: str(when) });
  } else if (startIn && isStr(startIn)) {
    const p = durationProblem(startIn.value, WEEK);
    if (p) r.error('start-in-invalid', `${loc} start in ${p}`, startIn);
  }
  const needs = e.get('needs');
  if (needs && isSeq(needs)) {
    for (const n of needs.items) {
      if (isMap(n) && (n.entries.has('pipeline') || n.entries.has('project'))) {
        const type = n.entries.has('pipeline') ? 'cross_dependency' : 'cross_dependency';
        r.error('needs-invalid', `${loc}:needs config uses invalid types: ${type}`, n);
      }
    }
  }
}

/** `changes:`/`exists:` — a list of strings, or a hash with `paths:` (and `compare_to:` / `project:`, `ref:`). */
function validatePathsClause(r: Report, loc: string, node: Node, id: 'rule-changes' | 'rule-exists'): void {
  if (isRef(node)) return;
  if (isSeq(node)) {
    if (!isStringArray(node)) r.error('rules-invalid', `${loc} config should be an array of strings`, node);
    else if (node.items.length > 50) r.error('rules-invalid', `${loc} config has too many entries (maximum 50)`, node);
    return;
  }
  if (isStr(node) && id === 'rule-exists') return; // GitLab takes a single string for exists
  if (!isMap(node)) {
    r.error('rules-invalid', `${loc} config should be an array of strings`, node);
    return;
  }
  r.unknownKeys(loc, node, id);
  const paths = node.entries.get('paths');
  if (!paths) r.error('rules-invalid', `${loc} config missing required keys: paths`, node);
  else if (!isRef(paths) && !isStringArray(paths)) r.error('rules-invalid', `${loc}:paths config should be an array of strings`, paths);
  for (const key of id === 'rule-changes' ? ['compare_to'] : ['project', 'ref']) {
    const v = node.entries.get(key);
    if (v && !isStr(v) && !isRef(v)) r.error('rules-invalid', `${loc} ${key.replace(/_/g, ' ')} should be a string`, v);
  }
}

export function validateAutoCancel(r: Report, loc: string, node: Node): void {
  if (!isMap(node)) {
    if (!isRef(node)) r.error('auto-cancel-invalid', `${loc} config should be a hash`, node);
    return;
  }
  r.unknownKeys(loc, node, 'auto-cancel');
  const sets: [string, readonly string[]][] = [['on_new_commit', AUTO_CANCEL_ON_NEW_COMMIT], ['on_job_failure', AUTO_CANCEL_ON_JOB_FAILURE]];
  for (const [key, values] of sets) {
    const v = node.entries.get(key);
    if (v && !isRef(v) && !values.includes(str(v) ?? '\0')) {
      r.invalidValue(`${loc} ${key.replace(/_/g, ' ')} must be one of: ${values.join(', ')}`, v, 'auto-cancel', key, values);
    }
  }
}

/** A ref pattern of only/except: a string, or `/regex/` that RE2 compiles. */
function validRef(n: Node): boolean {
  if (!isStr(n)) return false;
  const v = n.value;
  if (!/^\/.*\/[a-z]*$/s.test(v) || v.length < 2) return true;
  return compileRubyRegexLiteral(v).ok;
}

/** `only:`/`except:` — a list of refs, or a hash of `refs`, `variables`, `changes`, `kubernetes`. */
export function validateOnlyExcept(r: Report, loc: string, node: Node): void {
  if (isRef(node)) return;
  // GitLab's Policy entry has a strategy for a list (refs) and a hash only: a lone string is neither.
  if (isSeq(node)) {
    if (!node.items.every(validRef)) r.error('only-except-invalid', `${loc} config should be an array of strings or regular expressions using re2 syntax`, node.items.find((i) => !validRef(i)) ?? node);
    return;
  }
  if (!isMap(node)) {
    r.error('only-except-invalid', `${loc} has to be either an array of conditions or a hash`, node);
    return;
  }
  r.unknownKeys(loc, node, 'only-except', ONLY_EXCEPT_KEYS);
  const e = node.entries;
  const refs = e.get('refs');
  if (refs && !isRef(refs) && !(isSeq(refs) && refs.items.every(validRef)) && !validRef(refs)) {
    r.error('only-except-invalid', `${loc}:refs config should be an array of strings or regular expressions using re2 syntax`, refs);
  }
  const changes = e.get('changes');
  if (changes && !isRef(changes) && !isStringArray(changes) && !isStr(changes)) r.error('only-except-invalid', `${loc} changes should be an array of strings`, changes);
  const vars = e.get('variables');
  if (vars && !isRef(vars)) {
    if (!isSeq(vars) && !isStr(vars)) r.error('only-except-invalid', `${loc} variables should be an array of strings`, vars);
    else for (const v of isSeq(vars) ? vars.items : [vars]) validateIf(r, loc, v, 'variables');
  }
  const kube = e.get('kubernetes');
  if (kube && !isRef(kube) && str(kube) !== 'active') r.invalidValue(`${loc} kubernetes must be one of: active`, kube, 'only-except', 'kubernetes', ['active']);
}
