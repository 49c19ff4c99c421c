/**
 * The preset variable contract: which variables a template job or a preset file expects from
 * the project that uses it, whether each is required or optional, its default, description and
 * options, why we think so, and where it is read.
 *
 * - required = declared required (`# @required X: …`, `${X?msg}`, the echo of a vars-check job)
 *   or read without a default, and in both cases defined nowhere the preset itself reaches (its
 *   job's and parents' `variables:`, the global `variables:` of files of the same project);
 * - optional = declared `# @optional`, a rich `X: {value, description, options}`, read with a
 *   default (`${X:-d}`), or given a value by the library.
 * Predefined variables and what a job's own shell assigns are never part of a contract.
 *
 * `missingRequiredVariables` (missing-variables.ts) checks the contracts against a consumer's
 * pipeline; `definitionsInScope` (variable-definitions.ts) answers "where is X defined for this job".
 */
import { definitionFact, foldFacts, jobFacts, textsOf, withTransitiveReads } from './contract-facts.js';
import type { ContractScope, Fact } from './contract-facts.js';
import { fileHeaderComment, tagDefault } from './doc-comments.js';
import type { ExpandedPipeline } from '../merge/expand.js';
import type { LoadedFile } from '../includes/includes.js';
import { isJobKey } from '../merge/jobs.js';
import type { Span } from '../model.js';
import { fileGlobals, filesInMergeOrder, jobDefinitions } from '../variables/variable-definitions.js';
import type { VariableDefinition } from '../variables/variable-definitions.js';

import type { Contract, ContractVariable } from './contract-types.js';
import { consumerJobContract, consumerPipelineContract, consumerView, isConsumerFile, joinVariable } from './consumer-contract.js';

/** The file a job's key is written in (the last one that writes it). */
export function jobFile(pipeline: ExpandedPipeline, job: string): LoadedFile | undefined {
  const uri = pipeline.merged.keySpans.get(job)?.uri;
  return uri ? pipeline.files.find((f) => f.uri === uri) : undefined;
}

function sameProject(a: LoadedFile, b: LoadedFile): boolean {
  return (a.loc.project ?? null) === (b.loc.project ?? null) && (a.loc.ref ?? null) === (b.loc.ref ?? null);
}

/** What a preset reaches on its own: its jobs' variables and the globals of its project's files. */
function presetScope(pipeline: ExpandedPipeline, owner: LoadedFile | undefined): ContractScope {
  const globals = new Map<string, VariableDefinition>();
  for (const f of [...filesInMergeOrder(pipeline)].reverse()) {
    if (owner && !sameProject(f, owner)) continue;
    for (const d of fileGlobals(pipeline, f)) if (!globals.has(d.name)) globals.set(d.name, d);
  }
  const jobDefs = new Map<string, Map<string, VariableDefinition[]>>();
  const defsOf = (job: string) => {
    let d = jobDefs.get(job);
    if (!d) jobDefs.set(job, (d = jobDefinitions(pipeline, job)));
    return d;
  };
  return {
    defined: (name, job) => (job !== undefined ? defsOf(job).get(name)?.[0] : undefined) ?? globals.get(name),
    jobLevel: (name, job) => job !== undefined && defsOf(job).has(name),
  };
}

/** The variables a template job (hidden or not) expects. */
export function templateContract(pipeline: ExpandedPipeline, job: string): Contract {
  if (!pipeline.jobs.has(job)) return { owner: job, variables: [] };
  const scope = presetScope(pipeline, jobFile(pipeline, job));
  const facts = withTransitiveReads(jobFacts(pipeline, job), scope, textsOf(pipeline));
  return { owner: job, variables: foldFacts(facts, scope) };
}

/** The variables a preset file expects: its header tags, its own `variables:` and all its jobs'. */
export function fileContract(pipeline: ExpandedPipeline, fileUri: string): Contract {
  const file = pipeline.files.find((f) => f.uri === fileUri);
  if (!file) return { owner: fileUri, variables: [] };
  const scope = presetScope(pipeline, file);
  const facts: Fact[] = [];
  const header = fileHeaderComment(file.uri, file.parsed.text);
  for (const tag of header?.tags ?? []) {
    facts.push({ kind: 'comment', name: tag.name, owner: file.path, span: tag.span, required: tag.kind === 'required', description: tag.description || undefined, default: tagDefault(tag.description) });
  }
  for (const d of fileGlobals(pipeline, file)) facts.push(definitionFact(d, file.path));
  if (file.content.kind === 'map') {
    for (const [key, value] of file.content.entries) {
      if (isJobKey(key, value) && pipeline.jobs.has(key)) facts.push(...jobFacts(pipeline, key));
    }
  }
  return { owner: fileUri, variables: foldFacts(withTransitiveReads(facts, scope, textsOf(pipeline)), scope) };
}

const jobContracts = new WeakMap<ExpandedPipeline, Map<string, Contract>>();
const fileContracts = new WeakMap<ExpandedPipeline, Map<string, Contract>>();

function cached(store: WeakMap<ExpandedPipeline, Map<string, Contract>>, pipeline: ExpandedPipeline, key: string, make: () => Contract): Contract {
  let m = store.get(pipeline);
  if (!m) store.set(pipeline, (m = new Map()));
  let c = m.get(key);
  if (!c) m.set(key, (c = make()));
  return c;
}

/** The variable contract of a job (cached per pipeline). */
export function jobContract(pipeline: ExpandedPipeline, job: string): Contract {
  return cached(jobContracts, pipeline, job, () => templateContract(pipeline, job));
}

/** The contract of a preset file (cached per pipeline). */
export function cachedFileContract(pipeline: ExpandedPipeline, fileUri: string): Contract {
  return cached(fileContracts, pipeline, fileUri, () => fileContract(pipeline, fileUri));
}

/**
 * The variables the presets of document `docUri` expect. In a consumer's file (a pipeline with a
 * library): for a job's `variables:` block, what the library needs from the consumer for that job;
 * for a top-level block, for every job of the pipeline (consumer-contract.ts), then whatever else
 * the files this document includes declare or read, optional (`not-used`: no job of this pipeline
 * uses it). In a preset file: the job's template contract, or the contracts of the files the
 * document includes. Per name, required wins and reads are joined.
 */
export function documentContract(pipeline: ExpandedPipeline, docUri: string, job: string | undefined): ContractVariable[] {
  const view = consumerView(pipeline);
  const doc = view?.fileByUri.get(docUri);
  const consumer = !!view && !!doc && isConsumerFile(doc);
  if (job !== undefined) {
    if (!pipeline.jobs.has(job)) return [];
    return consumer ? consumerJobContract(pipeline, job).variables : jobContract(pipeline, job).variables;
  }
  const byName = new Map<string, ContractVariable>();
  if (consumer) for (const v of consumerPipelineContract(pipeline)) joinVariable(byName, v);
  const used = new Set(byName.keys());
  const seen = new Set<string>();
  for (const f of pipeline.files) {
    if (f.includedFrom?.uri !== docUri || f.uri === docUri || seen.has(f.uri)) continue;
    seen.add(f.uri);
    for (const v of cachedFileContract(pipeline, f.uri).variables) {
      if (used.has(v.name)) continue;
      joinVariable(byName, consumer && v.required ? { ...v, required: false, why: 'not-used' } : v);
    }
  }
  return [...byName.values()];
}
