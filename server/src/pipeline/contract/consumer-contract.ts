/**
 * The contract as one consumer's pipeline sees it: what the library needs from this consumer,
 * for the jobs this pipeline has. A variable is required for the consumer when a job of its
 * pipeline reads it (through the library's templates, scripts, values) without a default, or
 * the library declares it required, and nothing the library or the job itself provides sets it:
 * the library's global and template `variables:` (also `rules:variables`, `parallel:matrix`),
 * dotenv reports, GitLab's predefined variables, the job's own script before the read. What the
 * consumer sets (its `variables:`, CI/CD settings) does not change the label: it satisfies a
 * required variable, and `missingRequiredVariables` reports the required ones it does not set.
 *
 * Completion, hover and the warnings all read this, so a variable has the same label and default
 * in the top-level block, a job's block, a hover and a `variable-missing` warning.
 */
import { extendsLineage, foldFacts, jobFacts, textsOf, withTransitiveReads } from './contract-facts.js';
import type { ContractScope } from './contract-facts.js';
import type { ContractVariable } from './contract-types.js';
import type { ExpandedPipeline } from '../merge/expand.js';
import type { LoadedFile } from '../includes/includes.js';
import type { Node } from '../model.js';
import { isPredefined, isShellEnvironment } from '../variables/predefined-variables.js';
import { globalDefinitions, jobDefinitions } from '../variables/variable-definitions.js';
import { inheritsGlobal } from '../variables/inherit-variables.js';
import type { VariableDefinition } from '../variables/variable-definitions.js';
import { dotenvVariables } from '../variables/variable-reads.js';

/** Files of the consumer's own project; everything else (project, component, template, remote) is a preset library. */
export function isConsumerFile(f: LoadedFile): boolean {
  return (f.kind === 'root' || f.kind === 'local') && !f.loc.project;
}

export interface ConsumerView {
  isLibrary(uri: string | undefined): boolean;
  fileByUri: Map<string, LoadedFile>;
  /** Variables some job writes into a dotenv report (set for the jobs after it). */
  dotenv: ReadonlySet<string>;
  /** Can the job hold facts from the library at all (see libraryTouch)? */
  touchesLibrary(job: string, node: Node): boolean;
}

const views = new WeakMap<ExpandedPipeline, ConsumerView | null>();

/** The library/consumer split of a pipeline; undefined when no file comes from a library. */
export function consumerView(pipeline: ExpandedPipeline): ConsumerView | undefined {
  const hit = views.get(pipeline);
  if (hit !== undefined) return hit ?? undefined;
  const fileByUri = new Map<string, LoadedFile>();
  for (const f of pipeline.files) if (!fileByUri.has(f.uri)) fileByUri.set(f.uri, f);
  const isLibrary = (uri: string | undefined) => {
    const f = uri !== undefined ? fileByUri.get(uri) : undefined;
    return !!f && !isConsumerFile(f);
  };
  let view: ConsumerView | null = null;
  if ([...fileByUri.values()].some((f) => !isConsumerFile(f))) {
    const dotenv = new Set<string>();
    for (const j of pipeline.jobs.values()) if (!j.hidden) for (const n of dotenvVariables(j)) dotenv.add(n);
    view = { isLibrary, fileByUri, dotenv, touchesLibrary: libraryTouch(pipeline, isLibrary) };
  }
  views.set(pipeline, view);
  return view ?? undefined;
}

/**
 * Can a job hold facts from the library at all? Only if a library file wrote a value or key of its
 * merged node, or one of its extends ancestors (whose doc comments count). Most jobs of a large
 * pipeline are the consumer's own: this keeps their reads from being collected on every edit.
 */
function libraryTouch(pipeline: ExpandedPipeline, isLibrary: (uri: string | undefined) => boolean): (job: string, node: Node) => boolean {
  const libraryKeys = new Set<string>();
  for (const f of pipeline.files) if (isLibrary(f.uri) && f.content.kind === 'map') for (const k of f.content.entries.keys()) libraryKeys.add(k);
  const known = new WeakMap<Node, boolean>();
  const holds = (n: Node): boolean => {
    if (n.span && isLibrary(n.span.uri)) return true;
    if (n.kind === 'scalar' || n.kind === 'ref') return false;
    const hit = known.get(n);
    if (hit !== undefined) return hit;
    let found = false;
    if (n.kind === 'seq') found = n.items.some(holds);
    else {
      for (const ks of n.keySpans.values()) if ((found = isLibrary(ks.uri))) break;
      if (!found) for (const v of n.entries.values()) if ((found = holds(v))) break;
    }
    known.set(n, found);
    return found;
  };
  return (job, node) => extendsLineage(pipeline, job).some((t) => libraryKeys.has(t)) || holds(node);
}

const KNOWN: VariableDefinition['scope'] = 'known';

/** Definitions the library itself writes for a job: its templates' variables (first the job's own level), then its global ones. */
function libraryDefinitions(pipeline: ExpandedPipeline, view: ConsumerView, job: string): { jobLevel: Map<string, VariableDefinition>; scope: ContractScope } {
  const jobLevel = new Map<string, VariableDefinition>();
  for (const [name, defs] of jobDefinitions(pipeline, job)) {
    const d = defs.find((x) => view.isLibrary(x.span?.uri));
    if (d) jobLevel.set(name, d);
  }
  const node = pipeline.jobs.get(job)?.node;
  const inherits = inheritsGlobal(node);
  const globals = globalDefinitions(pipeline);
  const always = (name: string): VariableDefinition | undefined =>
    isPredefined(name) || isShellEnvironment(name) || view.dotenv.has(name) ? { name, scope: KNOWN } : undefined;
  const scope: ContractScope = {
    defined: (v) => always(v) ?? jobLevel.get(v) ?? (inherits(v) ? globals.get(v)?.find((d) => view.isLibrary(d.span?.uri)) : undefined),
    // Template variables are the consumer's to override: part of the job's contract.
    jobLevel: () => false,
  };
  return { jobLevel, scope };
}

export interface ConsumerJobContract {
  variables: ContractVariable[];
  /** Names the library sets in the job's own or its templates' `variables:` (a global value would not override them). */
  templateVariables: ReadonlySet<string>;
}

const jobCache = new WeakMap<ExpandedPipeline, Map<string, ConsumerJobContract>>();
const EMPTY: ConsumerJobContract = { variables: [], templateVariables: new Set() };

/**
 * What the library needs from the consumer for one job of its pipeline: the library's reads and
 * declarations in the job (as merged), labelled as the module comment says, and the template's
 * own variables (optional, their value the default), which the job's `variables:` may override.
 */
export function consumerJobContract(pipeline: ExpandedPipeline, job: string): ConsumerJobContract {
  const view = consumerView(pipeline);
  const jobView = pipeline.jobs.get(job);
  if (!view || !jobView) return EMPTY;
  let perPipeline = jobCache.get(pipeline);
  if (!perPipeline) jobCache.set(pipeline, (perPipeline = new Map()));
  const cached = perPipeline.get(job);
  if (cached) return cached;
  let result = EMPTY;
  if (view.touchesLibrary(job, jobView.node)) {
    const { jobLevel, scope } = libraryDefinitions(pipeline, view, job);
    const fromLibrary = jobFacts(pipeline, job).filter((f) => view.isLibrary(f.span?.uri));
    const facts = withTransitiveReads(fromLibrary, scope, textsOf(pipeline)).filter((f) => view.isLibrary(f.span?.uri));
    const variables = foldFacts(facts, scope);
    const seen = new Set(variables.map((v) => v.name));
    for (const [name, d] of jobLevel) {
      if (seen.has(name)) continue;
      const v: ContractVariable = { name, required: false, why: 'preset-default', reads: [] };
      if (d.value !== undefined) v.default = d.value;
      if (d.description !== undefined) v.description = d.description;
      if (d.options) v.options = d.options;
      if (d.span) v.declaredAt = d.span;
      variables.push(v);
    }
    result = { variables, templateVariables: new Set(jobLevel.keys()) };
  }
  perPipeline.set(job, result);
  return result;
}

const pipelineCache = new WeakMap<ExpandedPipeline, ContractVariable[]>();

/**
 * What the library needs from the consumer for the whole pipeline (a global `variables:` block):
 * the job contracts of every job that runs, joined per name (required when some job requires it),
 * without the template variables a global value would not override.
 */
export function consumerPipelineContract(pipeline: ExpandedPipeline): ContractVariable[] {
  const cached = pipelineCache.get(pipeline);
  if (cached) return cached;
  const joined = new Map<string, ContractVariable>();
  for (const [name, job] of pipeline.jobs) {
    if (job.hidden) continue;
    const c = consumerJobContract(pipeline, name);
    for (const v of c.variables) if (!c.templateVariables.has(v.name)) joinVariable(joined, v);
  }
  const out = [...joined.values()];
  pipelineCache.set(pipeline, out);
  return out;
}

/** Adds `v` to `byName`: per name, required wins (with its reason), reads are joined, a non-empty default wins over an empty one. */
export function joinVariable(byName: Map<string, ContractVariable>, v: ContractVariable): void {
  const prev = byName.get(v.name);
  if (!prev) {
    byName.set(v.name, { ...v, reads: [...v.reads] });
    return;
  }
  if (v.required && !prev.required) {
    prev.required = true;
    prev.why = v.why;
    if (v.declaredAt) prev.declaredAt = v.declaredAt;
  }
  if (prev.default === undefined || (prev.default === '' && v.default)) prev.default = v.default;
  prev.description ??= v.description;
  prev.options ??= v.options;
  prev.declaredAt ??= v.declaredAt;
  prev.reads.push(...v.reads);
}
