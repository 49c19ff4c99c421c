/**
 * Which jobs a simulated pipeline would run, as GitLab decides it: `workflow:rules` first (the
 * first matching rule creates the pipeline, or not, and may set variables), then per job either
 * `rules:` (the first rule whose `if`/`changes`/`exists` all hold decides `when`,
 * `allow_failure`, `variables`, `needs`; no match = not added) or `only`/`except` (default
 * `only: [branches, tags]`, but none at all when `workflow:rules` exists). Afterwards, like
 * GitLab's pipeline seeding: a job whose (non-optional) `needs:` points at a job that is not
 * added makes the pipeline fail to be created, and a pipeline with only `.pre`/`.post` jobs is not created. Pure: never throws on user input.
 *
 * Variables seen by `if:` (lowest first): predefined ← global `variables:` ← the matching workflow
 * rule's `variables:` (those two as `inherit:variables` lets through) ← the job's `variables:` ← its
 * `parallel:matrix` values ← extra pipeline variables of the simulation (like variables of a
 * manual or scheduled run). `if:`, `changes:` and `exists:` read that collection sorted and
 * expanded (`Context::Base#variables_hash_expanded`, GitLab's `sort_and_expand_all` — one home:
 * variables/variable-collection.ts; `if:` since 18.5). A matrix job is expanded into its instances before rules are
 * evaluated, as GitLab does: each instance gets its own verdict, with its matrix values.
 */
import type { ExpandedPipeline } from '../merge/expand.js';
import type { JobView } from '../merge/jobs.js';
import { baseJobName, expandMatrix, neededInstances } from '../merge/matrix.js';
import type { MapNode, Node, PipelineDiagnostic, Span } from '../model.js';
import { changesClause, existsClause, flatItems, ifClause, scalarString, strings } from './rules-clauses.js';
import type { ClauseResult, FileFacts, Vars } from './rules-clauses.js';
import { evaluatePolicy } from './rules-only-except.js';
import { simulatedVariables } from './simulated-context.js';
import type { SimulatedContext } from './simulated-context.js';
import { collectionValues, sortAndExpandAll, variablesNodeEntries } from '../variables/variable-collection.js';
import type { CollectionVariable } from '../variables/variable-collection.js';
import { inheritsGlobal } from '../variables/inherit-variables.js';

export type { FileFacts } from './rules-clauses.js';

export type JobWhen = 'on_success' | 'on_failure' | 'always' | 'manual' | 'delayed' | 'never';

export interface RulesOptions extends FileFacts {
  context?: SimulatedContext;
  /** Extra pipeline variables (win over every YAML variable). */
  variables?: Readonly<Record<string, string>>;
}

/** What decided a verdict. `span` is where it is written (a rule item, an `only:` entry, ...). */
export interface Decision {
  kind: 'workflow-rule' | 'workflow-no-match' | 'workflow-none' | 'rule' | 'no-rule-matched' | 'only' | 'except' | 'default-only' | 'workflow' | 'no-instances';
  /** A short human sentence: "rules[1]: if: $CI_COMMIT_TAG =~ /^v\d+/ → manual". */
  text: string;
  /** Index of the rule in the (flattened) rules list. */
  index?: number;
  span?: Span;
  /** Set when part of the decision rests on something the simulation cannot know. */
  assumed?: string;
}

export interface JobVerdict {
  name: string;
  included: boolean;
  when: JobWhen;
  allowFailure: boolean;
  startIn?: string;
  decidedBy: Decision;
  /** Variables added by the matching rule (`rules:variables`). */
  ruleVariables: Vars;
  /** `needs:` of the matching rule, replacing the job's. */
  ruleNeeds?: Node;
  /**
   * A `parallel:matrix` job: the verdict of each instance. The job's own fields are those of its
   * first instance that runs (else of its first instance). Empty when the matrix generates no job.
   */
  instances?: InstanceVerdict[];
}

/** The verdict of one `parallel:matrix` instance (`name` is the instance's: `build: [aws]`). */
export interface InstanceVerdict extends Omit<JobVerdict, 'instances'> {
  /** The matrix values, in the entry's key order. */
  values: string[];
  /** The matrix variables of this instance. */
  matrixVariables: Vars;
}

export interface WorkflowVerdict {
  created: boolean;
  decidedBy: Decision;
  /** Variables of the matching workflow rule. */
  variables: Vars;
}

export interface RulesResult {
  workflow: WorkflowVerdict;
  /** Real (not hidden) jobs, in pipeline order. */
  jobs: Map<string, JobVerdict>;
  /** Why the pipeline would not be created although workflow allows it (missing needs, only .pre/.post jobs). */
  pipelineError?: { message: string; span?: Span };
  /** Invalid expressions, unknown rule keys, bad `when:` values. */
  diagnostics: PipelineDiagnostic[];
}

const RULE_KEYS = new Set(['if', 'changes', 'exists', 'when', 'allow_failure', 'variables', 'needs', 'start_in', 'interruptible']);
const WHEN_VALUES = new Set<JobWhen>(['on_success', 'on_failure', 'always', 'manual', 'delayed', 'never']);

export function evaluateRules(pipeline: ExpandedPipeline, opts: RulesOptions = {}): RulesResult {
  const ctx = opts.context ?? {};
  const diagnostics: PipelineDiagnostic[] = [];
  const predefined = simulatedVariables(ctx);
  const predefinedList = plainVariables(predefined);
  const extra = plainVariables(opts.variables ?? {});
  const globals = byKey(variablesNodeEntries(pipeline.merged.entries.get('variables')));
  const workflow = evaluateWorkflow(pipeline.merged, expanded(predefinedList, [...globals.values()], extra), ctx, opts, diagnostics);

  const wf = pipeline.merged.entries.get('workflow');
  const hasWorkflowRules = wf?.kind === 'map' && wf.entries.has('rules');
  const jobs = new Map<string, JobVerdict>();
  for (const job of pipeline.jobs.values()) {
    if (job.hidden) continue;
    const matrix = expandMatrix(job.name, job.node.entries.get('parallel'));
    if (matrix && !matrix.instances.length) {
      // GitLab's Normalizer replaces the job by its instances: none. A need on it waits for nothing.
      const span = job.node.keySpans.get('parallel') ?? job.node.span;
      jobs.set(job.name, { name: job.name, included: false, when: 'never', allowFailure: false, ruleVariables: {}, instances: [], decidedBy: { kind: 'no-instances', span, text: 'parallel:matrix generates no jobs: the job is not in the pipeline' } });
      continue;
    }
    const instances = matrix?.instances;
    if (!workflow.created) {
      const notCreated = (name: string): JobVerdict => ({ name, included: false, when: 'never', allowFailure: false, decidedBy: { ...workflow.decidedBy, kind: 'workflow' }, ruleVariables: {} });
      const v = notCreated(job.name);
      if (instances) v.instances = instances.map((i) => ({ ...notCreated(i.name), values: i.values, matrixVariables: i.variables }));
      jobs.set(job.name, v);
      continue;
    }
    // GitLab merges the workflow rule's variables into the root ones before `inherit:variables`
    // filters them; the job's own override those (Helpers.inherit_yaml_variables).
    const roots = byKey(plainVariables(workflow.variables), globals);
    const yaml = byKey(variablesNodeEntries(job.node.entries.get('variables')), inheritedGlobals(job.node, roots));
    if (!instances) {
      jobs.set(job.name, evaluateJob(job, expanded(predefinedList, [...yaml.values()], extra), ctx, opts, diagnostics, hasWorkflowRules));
      continue;
    }
    // Matrix values are job variables of each instance (they win over the job's own `variables:`).
    const found: PipelineDiagnostic[] = [];
    const verdicts = instances.map((i): InstanceVerdict => {
      const v = evaluateJob(job, expanded(predefinedList, [...byKey(plainVariables(i.variables), yaml).values()], extra), ctx, opts, found, hasWorkflowRules);
      return { ...v, name: i.name, values: i.values, matrixVariables: i.variables };
    });
    pushOnce(diagnostics, found);
    const lead = verdicts.find((v) => v.included) ?? verdicts[0];
    const { values: _values, matrixVariables: _vars, ...fields } = lead;
    jobs.set(job.name, { ...fields, name: job.name, instances: verdicts });
  }
  const pipelineError = workflow.created ? seedErrors(pipeline, jobs) : undefined;
  return { workflow, jobs, pipelineError, diagnostics };
}

function evaluateWorkflow(doc: MapNode, vars: Vars, ctx: SimulatedContext, facts: FileFacts, diagnostics: PipelineDiagnostic[]): WorkflowVerdict {
  const wf = doc.entries.get('workflow');
  const rulesNode = wf?.kind === 'map' ? wf.entries.get('rules') : undefined;
  if (!rulesNode) return { created: true, decidedBy: { kind: 'workflow-none', text: 'no workflow:rules: every pipeline is created' }, variables: {} };
  const rules = flatItems(rulesNode);
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (rule.kind !== 'map') continue;
    const m = matchRule(rule, vars, ctx, facts, diagnostics, 'workflow:rules');
    if (!m.matched) continue;
    const when = scalarString(rule.entries.get('when')) ?? 'always';
    if (when !== 'always' && when !== 'never') diag(diagnostics, rule.entries.get('when')?.span ?? rule.span, `workflow:rules when: must be always or never, not ${when}`);
    const created = when !== 'never';
    return {
      created,
      decidedBy: { kind: 'workflow-rule', index: i, span: rule.span, text: `workflow:rules[${i}]: ${describeRule(rule)}${created ? '' : ' → when: never'}`, assumed: m.assumed },
      variables: created ? collectionValues(variablesNodeEntries(rule.entries.get('variables'))) : {},
    };
  }
  return { created: false, decidedBy: { kind: 'workflow-no-match', span: rulesNode.span, text: 'no workflow:rules entry matches: the pipeline is not created' }, variables: {} };
}

/**
 * One job's verdict. Its `allow_failure` default is GitLab's job-level one: true for a job whose
 * own `when:` is `manual` (so `rules: [{when: manual}]` alone gives false) and false for
 * `allow_failure: {exit_codes}`; a matching rule's `allow_failure:` replaces it. With
 * `workflow:rules`, a job without rules/only/except gets no default `only: [branches, tags]`.
 */
function evaluateJob(job: JobView, vars: Vars, ctx: SimulatedContext, facts: FileFacts, diagnostics: PipelineDiagnostic[], hasWorkflowRules: boolean): JobVerdict {
  const n = job.node;
  const jobWhen = readWhen(n.entries.get('when'), diagnostics) ?? 'on_success';
  const jobAllowFailure = readAllowFailure(n.entries.get('allow_failure'));
  const jobStartIn = scalarString(n.entries.get('start_in'));
  // Entry::Job#ignored?: a job-level `when: manual` allows failure; a trigger job (Bridge) does not.
  const manualDefault = jobWhen === 'manual' && !n.entries.has('trigger');
  const base = { name: job.name, ruleVariables: {} as Vars };
  const rulesNode = n.entries.get('rules');
  if (rulesNode) {
    if (n.entries.has('only') || n.entries.has('except')) {
      diag(diagnostics, n.keySpans.get('only') ?? n.keySpans.get('except') ?? n.span, `jobs:${job.name} config key may not be used with \`rules\`: only, except`);
    }
    const rules = flatItems(rulesNode);
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i];
      if (rule.kind !== 'map') {
        diag(diagnostics, rule.span ?? rulesNode.span, `jobs:${job.name} rules:rule config should be a hash`);
        continue;
      }
      const m = matchRule(rule, vars, ctx, facts, diagnostics, `jobs:${job.name} rules`);
      if (!m.matched) continue;
      const when = readWhen(rule.entries.get('when'), diagnostics) ?? jobWhen;
      const allowFailure = readAllowFailure(rule.entries.get('allow_failure')) ?? jobAllowFailure ?? manualDefault;
      return {
        ...base,
        included: when !== 'never',
        when,
        allowFailure,
        startIn: scalarString(rule.entries.get('start_in')) ?? jobStartIn,
        decidedBy: { kind: 'rule', index: i, span: rule.span, text: `rules[${i}]: ${describeRule(rule)} → ${when}`, assumed: m.assumed },
        ruleVariables: collectionValues(variablesNodeEntries(rule.entries.get('variables'))),
        ruleNeeds: rule.entries.get('needs'),
      };
    }
    return { ...base, included: false, when: 'never', allowFailure: false, decidedBy: { kind: 'no-rule-matched', span: n.keySpans.get('rules') ?? rulesNode.span, text: noMatchText(rules) } };
  }
  const allowFailure = jobAllowFailure ?? manualDefault;
  const onlyNode = n.entries.get('only');
  const exceptNode = n.entries.get('except');
  const onlyResult = onlyNode ? evaluatePolicy(onlyNode, 'only', vars, ctx, facts) : undefined;
  for (const e of onlyResult?.errors ?? []) diag(diagnostics, e.span ?? onlyNode?.span, `jobs:${job.name} ${e.message}`);
  if (onlyResult && !onlyResult.matched) {
    return { ...base, included: false, when: 'never', allowFailure, decidedBy: { kind: 'only', span: onlyResult.span, text: `only: ${onlyResult.detail}`, assumed: onlyResult.assumed } };
  }
  if (!onlyNode && !hasWorkflowRules) {
    const def = evaluatePolicy({ kind: 'seq', items: [{ kind: 'scalar', value: 'branches' }, { kind: 'scalar', value: 'tags' }] }, 'only', vars, ctx, facts);
    if (!def.matched) {
      return { ...base, included: false, when: 'never', allowFailure, decidedBy: { kind: 'default-only', span: n.keySpans.get(job.name) ?? n.span, text: 'no rules/only: GitLab\'s default only: [branches, tags] does not match' } };
    }
  }
  if (exceptNode) {
    const ex = evaluatePolicy(exceptNode, 'except', vars, ctx, facts);
    for (const e of ex.errors) diag(diagnostics, e.span ?? exceptNode.span, `jobs:${job.name} ${e.message}`);
    if (ex.matched) return { ...base, included: false, when: 'never', allowFailure, decidedBy: { kind: 'except', span: ex.span, text: `except: ${ex.detail}`, assumed: ex.assumed } };
  }
  const decidedBy: Decision = onlyResult
    ? { kind: 'only', span: onlyResult.span, text: `only: ${onlyResult.detail}`, assumed: onlyResult.assumed }
    : hasWorkflowRules
      ? { kind: 'default-only', span: n.span, text: `no rules/only: with workflow:rules every created pipeline runs it${exceptNode ? ' (except: does not match)' : ''}` }
      : { kind: 'default-only', span: n.span, text: 'no rules/only: GitLab\'s default only: [branches, tags]' };
  return { ...base, included: true, when: jobWhen, allowFailure, startIn: jobStartIn, decidedBy };
}

/** Do all clauses of a rule hold? (`if`, then `changes`, then `exists`, as GitLab checks them.) */
function matchRule(rule: MapNode, vars: Vars, ctx: SimulatedContext, facts: FileFacts, diagnostics: PipelineDiagnostic[], where: string): { matched: boolean; assumed?: string } {
  for (const key of rule.entries.keys()) {
    if (!RULE_KEYS.has(key)) diag(diagnostics, rule.keySpans.get(key) ?? rule.span, `${where}:rule config contains unknown keys: ${key}`);
  }
  const assumed: string[] = [];
  const check = (r: ClauseResult): boolean => {
    if (r.error) diag(diagnostics, r.error.span ?? rule.span, `${where}: ${r.error.message}`);
    if (r.assumed) assumed.push(r.assumed);
    return r.value;
  };
  const ifNode = rule.entries.get('if');
  if (ifNode && !check(ifClause(ifNode, vars))) return { matched: false };
  const changes = rule.entries.get('changes');
  if (changes && !check(changesClause(changes, vars, ctx, facts))) return { matched: false };
  const exists = rule.entries.get('exists');
  if (exists && !check(existsClause(exists, vars, facts))) return { matched: false };
  return { matched: true, assumed: assumed.length ? assumed.join('; ') : undefined };
}

/** Why no rule matched: the rules themselves when there are one or two. */
function noMatchText(rules: Node[]): string {
  if (!rules.length) return 'rules: is empty';
  const what = rules.length <= 2 ? `: ${rules.map((r) => (r.kind === 'map' ? describeRule(r) : '?')).join(' | ')}` : '';
  return `none of the ${rules.length} rules matches${what}`;
}

/** "if: $X == "y", changes: a, b" — the clauses of a rule as written. */
export function describeRule(rule: MapNode): string {
  const parts: string[] = [];
  const ifText = scalarString(rule.entries.get('if'));
  if (ifText !== undefined) parts.push(`if: ${ifText}`);
  for (const key of ['changes', 'exists'] as const) {
    const v = rule.entries.get(key);
    if (v) parts.push(`${key}: ${strings(v.kind === 'map' ? v.entries.get('paths') : v).join(', ')}`);
  }
  return parts.length ? parts.join(', ') : '(no condition)';
}

function readWhen(n: Node | undefined, diagnostics: PipelineDiagnostic[]): JobWhen | undefined {
  const w = scalarString(n);
  if (w === undefined) return undefined;
  if (WHEN_VALUES.has(w as JobWhen)) return w as JobWhen;
  diag(diagnostics, n?.span, `when: ${w} is not one of on_success, on_failure, always, manual, delayed, never`);
  return undefined;
}

function readAllowFailure(n: Node | undefined): boolean | undefined {
  if (!n) return undefined;
  if (n.kind === 'scalar') return n.value === true;
  // allow_failure: {exit_codes: [...]}: GitLab stores allow_failure false and fails open only for those codes.
  if (n.kind === 'map') return false;
  return undefined;
}

/** Global variables a job sees, as `inherit:variables` lets them through (inherit-variables.ts). */
function inheritedGlobals(job: MapNode, globals: VariableMap): VariableMap {
  const takes = inheritsGlobal(job);
  return new Map([...globals].filter(([k]) => takes(k)));
}

/** YAML variables by name: `over` replacing `base`'s entries of the same name in place. */
type VariableMap = Map<string, CollectionVariable>;
function byKey(over: readonly CollectionVariable[], base: VariableMap = new Map()): VariableMap {
  const out = new Map(base);
  for (const v of over) out.set(v.key, v);
  return out;
}

function plainVariables(values: Readonly<Record<string, string>>): CollectionVariable[] {
  return Object.entries(values).map(([key, value]) => ({ key, value }));
}

/**
 * What rules read: predefined, then YAML, then pipeline variables (the order of GitLab's scoped
 * variables), sorted and expanded as `variables_hash_expanded` is. A circular reference leaves
 * every value as written (the job's error is validation's).
 */
function expanded(predefined: CollectionVariable[], yaml: CollectionVariable[], pipeline: CollectionVariable[]): Vars {
  return collectionValues(sortAndExpandAll([...predefined, ...yaml, ...pipeline]).variables);
}

/**
 * GitLab refuses to create a pipeline whose jobs need a job that is not added, or with only
 * .pre/.post jobs. A need on a matrix job waits for each of its instances (or for those it names).
 */
function seedErrors(pipeline: ExpandedPipeline, jobs: Map<string, JobVerdict>): RulesResult['pipelineError'] {
  const included = [...jobs.values()].filter((j) => j.included);
  if (!included.length) return { message: 'no job matches the simulated pipeline: it is not created' };
  const byInstance = new Map<JobVerdict, Map<string, InstanceVerdict>>();
  const instanceOf = (target: JobVerdict, name: string): Pick<JobVerdict, 'included' | 'decidedBy'> | undefined => {
    if (!target.instances) return target;
    let m = byInstance.get(target);
    if (!m) byInstance.set(target, (m = new Map(target.instances.map((i) => [i.name, i]))));
    return m.get(name);
  };
  for (const job of included) {
    const node = pipeline.jobs.get(job.name)!.node;
    for (const v of job.instances ?? [job]) {
      if (!v.included) continue;
      const needs = v.ruleNeeds ?? node.entries.get('needs');
      for (const item of needs?.kind === 'seq' ? needs.items : []) {
        const need = needTarget(item);
        if (!need || need.optional) continue;
        const target = jobs.get(need.name) ?? jobs.get(baseJobName(need.name));
        if (!target) continue;
        for (const name of neededInstances(need.name, item, target)) {
          const t = instanceOf(target, name);
          if (t && !t.included) return { message: `'${v.name}' job needs '${name}' job, but '${name}' does not exist in the pipeline. This might be because of the only, except, or rules keywords. To need a job that sometimes does not exist in the pipeline, use needs:optional. (${name}: ${t.decidedBy.text})`, span: item.span };
        }
      }
    }
  }
  const stageOf = (name: string) => scalarString(pipeline.jobs.get(name)?.node.entries.get('stage')) ?? 'test';
  if (included.every((j) => ['.pre', '.post'].includes(stageOf(j.name)))) {
    return { message: 'the pipeline would only have .pre/.post jobs: GitLab does not create it' };
  }
  return undefined;
}

export function needTarget(item: Node): { name: string; optional: boolean; artifacts: boolean } | undefined {
  if (item.kind === 'scalar') return { name: String(item.value ?? ''), optional: false, artifacts: true };
  if (item.kind !== 'map' || item.entries.has('project') || item.entries.has('pipeline')) return undefined;
  const name = scalarString(item.entries.get('job'));
  if (name === undefined) return undefined;
  const optional = item.entries.get('optional');
  const artifacts = item.entries.get('artifacts');
  return {
    name,
    optional: optional?.kind === 'scalar' && optional.value === true,
    artifacts: !(artifacts?.kind === 'scalar' && artifacts.value === false),
  };
}

/** Appends each finding once (the instances of a matrix job share their rules, so their findings). */
function pushOnce(out: PipelineDiagnostic[], found: readonly PipelineDiagnostic[]): void {
  const seen = new Set<string>();
  for (const d of found) {
    const key = `${d.span.uri}:${d.span.start}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
}

function diag(out: PipelineDiagnostic[], span: Span | undefined, message: string): void {
  out.push({ severity: 'error', code: 'rules-invalid', message, span: span ?? { uri: '', start: 0, end: 0 } });
}
