/**
 * `rules:` of jobs, `workflow:` and `include:` (GitLab's Entry::Rules, Rules::Rule and its
 * `changes`/`exists`), the `if:` expressions parsed with the engine's expression parser (the error
 * sits on the bad token), and the deprecated `only:`/`except:`.
 */
import { parseExpression } from '../expressions/expression-parser.js';
import { compileRubyRegexLiteral } from '../expressions/re2.js';
import type { MapNode, Node, PipelineDiagnostic, SeqNode, Span } from '../model.js';
import { spanWithin } from '../model.js';
import { durationProblem, WEEK } from './duration.js';
import { keyword } from './keywords.js';
import { AUTO_CANCEL_ON_JOB_FAILURE, AUTO_CANCEL_ON_NEW_COMMIT, ONLY_EXCEPT_KEYS } from './keywords-nested.js';
import type { EntryId } from './keywords-types.js';
import { validateNeedsShape } from './needs.js';
import { keyNames } from './report.js';
import type { Report } from './report.js';
import { isBlank, isBool, isMap, isNull, isRef, isSeq, isStr, isStringArray, shown, str } from './values.js';

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
  if (owner === 'include') return validateIncludeRuleList(r, rules);
  const list: MapNode[] = [];
  const ok = isSeq(rules) && rules.items.every((i) => (owner === 'job' ? isMap(i) || isRef(i) : nestedRules(i, 10, list)));
  if (!ok) {
    r.error('rules-invalid', `${loc} rules should be an array containing hashes and arrays of hashes`, rules);
    return;
  }
  // Entry::Rules: `validates :config, presence: true`.
  if ((rules as SeqNode).items.length === 0) r.error('rules-invalid', `${loc}:rules config can't be blank`, rules);
  if (owner === 'job') list.push(...(rules as SeqNode).items.filter(isMap));
  for (const rule of list) validateRule(r, `${loc}:rules:rule`, rule, owner);
}

/** Lists inside `include: rules:` are flattened (Entry::Include::Rules is a ComposableArray). */
function flatRules(n: Node, out: Node[], depth = 0): void {
  if (isSeq(n) && depth < 100) for (const i of n.items) flatRules(i, out, depth + 1);
  else out.push(n);
}

/**
 * `include: rules:` as GitLab checks them before evaluating any (External::Rules): an array that is
 * not empty, each rule a hash. The include rules entry has no key of its own, so a rule's findings
 * read `include:rule ...`.
 */
function validateIncludeRuleList(r: Report, rules: Node): void {
  if (!isSeq(rules)) {
    r.error('rules-invalid', 'include:rules config should be an array', rules);
    return;
  }
  const list: Node[] = [];
  flatRules(rules, list);
  if (list.length === 0) r.error('rules-invalid', "include:rules config can't be blank", rules);
  for (const rule of list) {
    if (isRef(rule) || isNull(rule)) continue;
    if (!isMap(rule)) r.error('rules-invalid', 'include:rule config should be a hash', rule);
    else validateRule(r, 'include:rule', rule, 'include');
  }
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

/**
 * Keys a workflow rule takes beyond the keyword table: GitLab keeps `start_in`, `allow_failure` and
 * `needs` allowed there (issue 436473, Entry::Workflow) though they do nothing; not offered.
 */
const WORKFLOW_RULE_EXTRA = ['start_in', 'allow_failure', 'needs'];

function validateRule(r: Report, loc: string, rule: MapNode, owner: RulesOwner): void {
  const id = RULE_ENTRY[owner];
  if (rule.entries.size === 0) {
    r.error('rules-invalid', `${loc} config can't be blank`, rule);
    return;
  }
  r.unknownKeys(loc, rule, id, owner === 'workflow' ? [...keyNames(id), ...WORKFLOW_RULE_EXTRA] : undefined);
  const e = rule.entries;
  const ifNode = e.get('if');
  if (ifNode && !isRef(ifNode) && !isNull(ifNode)) validateIf(r, loc, ifNode);
  const when = e.get('when');
  const allowed = ruleWhen(owner);
  if (when && !isRef(when) && !isNull(when)) {
    const w = str(when);
    if (w === undefined || !allowed.includes(w)) r.invalidValue(`${loc} when unknown value: ${shown(when)}`, when, id, 'when', allowed);
  }
  const changes = e.get('changes');
  if (changes) validateChanges(r, `${loc}:changes`, changes);
  const exists = e.get('exists');
  if (exists) validateExists(r, `${loc}:exists`, exists);
  if (owner === 'include') return;
  if (owner === 'workflow') {
    const ac = e.get('auto_cancel');
    if (ac) validateAutoCancel(r, `${loc}:auto_cancel`, ac);
  } else {
    const intr = e.get('interruptible');
    if (intr && !isBool(intr) && !isRef(intr) && !isNull(intr)) r.error('value-type', `${loc} interruptible should be a boolean value`, intr);
  }
  const af = e.get('allow_failure');
  if (af && !isBool(af) && !isRef(af) && !isNull(af)) r.error('value-type', `${loc} allow failure should be a boolean value`, af);
  const vars = e.get('variables');
  if (vars) validateRuleVariables(r, `${loc}:variables`, vars);
  const startIn = e.get('start_in');
  const delayed = str(when) === 'delayed';
  if (delayed && (!startIn || isBlank(startIn))) r.error('start-in-invalid', `${loc} start in can't be blank`, rule.keySpans.get('when') ?? rule);
  if (startIn && !delayed) {
    // Rules::Rule: `validates :config, disallowed_keys: %i[start_in], unless: :specifies_delay?`.
    r.error('start-in-without-delayed', `${loc} config contains disallowed keys: start_in`, rule.keySpans.get('start_in') ?? startIn, { kind: 'start-in-without-delayed', when: str(when) });
  } else if (startIn && isStr(startIn)) {
    const p = durationProblem(startIn.value, WEEK);
    if (p) r.error('start-in-invalid', `${loc} start in ${p}`, startIn);
  }
  const needs = e.get('needs');
  if (needs && !isRef(needs) && !isNull(needs)) validateNeedsShape(r, loc, needs, 'rule');
}

/**
 * A rule's `variables:` — Entry::Variables without value data: each a scalar (or nothing); a hash
 * `must be a string`, anything else is neither a string nor a hash (Entry::Variable).
 */
function validateRuleVariables(r: Report, loc: string, vars: Node): void {
  if (isRef(vars) || isNull(vars)) return;
  if (!isMap(vars)) {
    r.error('variables-invalid', `${loc} config should be a hash`, vars);
    return;
  }
  for (const [name, v] of vars.entries) {
    if (isMap(v)) r.error('variables-invalid', `${loc}:${name} config must be a string`, v);
    else if (isSeq(v)) r.error('variables-invalid', 'variable definition must be either a string or a hash', v);
  }
}

/** At most 50 paths (Rules::Rule::Changes / Exists, `too_long`). */
const MAX_PATHS = 50;

/** A list of paths: strings, at most 50; `label` is `config` for the list itself, `paths` inside a hash. */
function validatePaths(r: Report, loc: string, label: string, node: Node): void {
  if (!isStringArray(node)) r.error('rules-invalid', `${loc} ${label} should be an array of strings`, node);
  else if ((node as SeqNode).items.length > MAX_PATHS) r.error('rules-invalid', `${loc} ${label} has too many entries (maximum ${MAX_PATHS})`, node);
}

/** A key of a paths hash that must be a string when given (`compare_to`, `project`, `ref`). */
function stringKey(r: Report, loc: string, node: MapNode, key: string): void {
  const v = node.entries.get(key);
  if (v && !isStr(v) && !isRef(v) && !isNull(v)) r.error('rules-invalid', `${loc} ${key.replace(/_/g, ' ')} should be a string`, v);
}

/** `changes:` — a list of paths, or a hash of `paths:` (required, a list) and `compare_to:` (Rules::Rule::Changes). */
function validateChanges(r: Report, loc: string, node: Node): void {
  if (isRef(node) || isNull(node)) return;
  if (isSeq(node)) return validatePaths(r, loc, 'config', node);
  if (!isMap(node)) {
    r.error('rules-invalid', `${loc} should be an array or a hash`, node);
    return;
  }
  r.unknownKeys(loc, node, 'rule-changes');
  const paths = node.entries.get('paths');
  if (!paths) r.error('rules-invalid', `${loc} config missing required keys: paths`, node);
  else if (!isRef(paths)) validatePaths(r, loc, 'paths', paths);
  stringKey(r, loc, node, 'compare_to');
}

/**
 * `exists:` — a path, a list of paths, or a hash of `paths:` (required, may be empty), `project:`
 * and `ref:` (which needs `project:`) (Rules::Rule::Exists).
 */
function validateExists(r: Report, loc: string, node: Node): void {
  if (isRef(node) || isNull(node) || isStr(node)) return;
  if (isSeq(node)) return validatePaths(r, loc, 'config', node);
  if (!isMap(node)) {
    r.error('rules-invalid', `${loc} should be a string, an array of strings, or a hash`, node);
    return;
  }
  r.unknownKeys(loc, node, 'rule-exists');
  const paths = node.entries.get('paths');
  if (!paths) r.error('rules-invalid', `${loc} config missing required keys: paths`, node);
  else if (!isRef(paths) && !isNull(paths)) validatePaths(r, loc, 'paths', paths);
  if (node.entries.has('ref') && !isNull(node.entries.get('ref')) && !node.entries.has('project')) {
    r.error('rules-invalid', `${loc} config missing required keys: project`, node.keySpans.get('ref') ?? node);
  }
  stringKey(r, loc, node, 'project');
  stringKey(r, loc, node, 'ref');
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
  // ComplexPolicy: `validates :config, presence: true`; refs, variables and changes are lists only.
  if (node.entries.size === 0) {
    r.error('only-except-invalid', `${loc} config can't be blank`, node);
    return;
  }
  r.unknownKeys(loc, node, 'only-except', ONLY_EXCEPT_KEYS);
  const e = node.entries;
  const present = (n: Node | undefined): n is Node => !!n && !isRef(n) && !isNull(n);
  const refs = e.get('refs');
  if (present(refs) && !(isSeq(refs) && refs.items.every(validRef))) {
    r.error('only-except-invalid', `${loc} refs should be an array of strings or regular expressions using re2 syntax`, refs);
  }
  const changes = e.get('changes');
  if (present(changes) && !isStringArray(changes)) r.error('only-except-invalid', `${loc} changes should be an array of strings`, changes);
  const vars = e.get('variables');
  if (present(vars)) {
    if (!isStringArray(vars)) r.error('only-except-invalid', `${loc} variables should be an array of strings`, vars);
    else for (const v of (vars as SeqNode).items) validateIf(r, loc, v, 'variables');
  }
  const kube = e.get('kubernetes');
  if (present(kube) && str(kube) !== 'active') r.invalidValue(`${loc} kubernetes unknown value: ${shown(kube)}`, kube, 'only-except', 'kubernetes', ['active']);
}

const MULTIPLE_PIPELINES_DOCS = 'https://docs.gitlab.com/ee/ci/jobs/job_troubleshooting.html#job-may-allow-multiple-pipelines-to-run-for-a-single-action-warning';

export const MULTIPLE_PIPELINES = 'rules-multiple-pipelines';

/**
 * GitLab's Processable#validate_against_warnings: a job whose last rule is `when:` alone, other than
 * `never`, may start a branch and a merge request pipeline for one push. A warning, on that rule —
 * only while the pipeline has no `workflow:rules` (the caller's part: this is kept per job).
 */
export function multiplePipelinesWarning(name: string, job: MapNode): PipelineDiagnostic | undefined {
  const rules = job.entries.get('rules');
  const last = isSeq(rules) ? rules.items[rules.items.length - 1] : undefined;
  if (!isMap(last) || last.entries.size !== 1 || !last.entries.has('when') || str(last.entries.get('when')) === 'never') return undefined;
  return {
    severity: 'warning', code: MULTIPLE_PIPELINES, span: last.span ?? rules!.span!,
    message: `jobs:${name} may allow multiple pipelines to run for a single action due to \`rules:when\` clause with no \`workflow:rules\` - read more: ${MULTIPLE_PIPELINES_DOCS}`,
  };
}
