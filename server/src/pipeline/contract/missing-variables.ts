/**
 * Required preset variables a consumer's pipeline does not set. For every real job, the reads
 * and declarations that come from the library (a project, component, template or remote
 * include) are checked against what the job sees: its own and its parents' `variables:`,
 * `parallel:matrix`, the global `variables:` it inherits (the consumer's and the library's,
 * group-vars.yml included), dotenv reports of other jobs, GitLab's predefined variables, the
 * CI/CD settings variables listed in `knownVariables`, and what its own shell assigns.
 *
 * Each finding is placed where the consumer brought the preset in: the `include:` entry that
 * (directly or through nested includes) loaded the job's file, or — for a job the consumer
 * writes itself — the `extends:` / `!reference` that pulls in the template. One finding per
 * variable per place.
 */
import { consumerJobContract, consumerView, isConsumerFile, joinVariable } from './consumer-contract.js';
import { inContract, jobFacts, requiredNames, textsOf, withTransitiveReads } from './contract-facts.js';
import type { ContractScope, Fact } from './contract-facts.js';
import type { ExpandedPipeline } from '../merge/expand.js';
import type { JobView } from '../merge/jobs.js';
import { FindingsContext, JobFindingsCache, sharedKey } from './job-findings.js';
import { mayMissVariables } from './missing-precheck.js';
import type { LoadedFile } from '../includes/includes.js';
import type { Span } from '../model.js';
import { isPredefined, isShellEnvironment } from '../variables/predefined-variables.js';
import type { ContractVariable } from './contract-types.js';
import { globalDefinitions, jobDefinitions } from '../variables/variable-definitions.js';
import { inheritsGlobal } from '../variables/inherit-variables.js';
import type { VariableDefinition } from '../variables/variable-definitions.js';

export interface MissingVariable {
  variable: ContractVariable;
  /** The first job that needs it (see `jobs` for all). */
  job: string;
  /** The include entry or the consumer job (its `extends:` / `!reference`) that brings the preset. */
  span: Span;
  /** The preset file the consumer includes (for an include). */
  presetUri?: string;
  /** Every job that needs it through this include or job. */
  jobs: string[];
  /** The template or preset job that declares or reads it (for messages). */
  neededBy: string;
}

const KNOWN: VariableDefinition['scope'] = 'known';

interface JobFindings {
  /** What the job sees (absent for a job that takes nothing from the library). */
  scope?: ContractScope;
  found: { name: string; where: { span: Span; presetUri?: string }; reasons: Fact[] }[];
}

const findingsCache = new JobFindingsCache<JobFindings>();
/** The findings of a job that misses nothing (one object for all). */
const NOTHING_FOUND: JobFindings = Object.freeze({ found: Object.freeze([]) as unknown as JobFindings['found'] });

/**
 * `jobs`: look at these jobs only (document-jobs.ts): the findings placed where no other job's
 * can be placed are then complete; the others are not. `thorough`: every job through the full
 * check, none answered by the quick look nor taken from an earlier analysis (tests compare).
 */
export function missingRequiredVariables(pipeline: ExpandedPipeline, opts: { knownVariables: readonly string[]; jobs?: ReadonlySet<string>; thorough?: boolean }): MissingVariable[] {
  const view = consumerView(pipeline);
  if (!view) return [];
  const { fileByUri, isLibrary, dotenv, touchesLibrary } = view;
  const known = new Set(opts.knownVariables);
  const globals = globalDefinitions(pipeline);
  const always = (name: string): VariableDefinition | undefined =>
    known.has(name) || isPredefined(name) || isShellEnvironment(name) || dotenv.has(name) ? { name, scope: KNOWN } : undefined;

  const groups = new Map<string, { name: string; span: Span; presetUri?: string; jobs: string[]; facts: Fact[] }>();
  const scopes = new Map<string, ContractScope>();
  const textOf = textsOf(pipeline);
  /** One job's findings: its scope and, per required variable it misses, where and why. */
  const findingsOf = (name: string, job: JobView): JobFindings => {
    if (!touchesLibrary(name, job.node)) return NOTHING_FOUND;
    const inherits = inheritsGlobal(job.node);
    // Most jobs set what they need: a look at the names alone tells (missing-precheck.ts).
    if (!opts.thorough && !mayMissVariables(pipeline, job, { always, inherits, globals })) return NOTHING_FOUND;
    const own = jobDefinitions(pipeline, name);
    const scope: ContractScope = {
      defined: (v) => always(v) ?? own.get(v)?.[0] ?? (inherits(v) ? globals.get(v)?.[0] : undefined),
      jobLevel: (v) => own.has(v),
    };
    const found: JobFindings['found'] = [];
    const fromLibrary = jobFacts(pipeline, name).filter((f) => isLibrary(f.span?.uri));
    if (!fromLibrary.length) return NOTHING_FOUND;
    const facts = withTransitiveReads(fromLibrary, scope, textOf).filter((f) => isLibrary(f.span?.uri));
    for (const { name: variable, facts: reasons } of requiredNames(facts, scope)) {
      const where = bringer(pipeline, name, reasons, fileByUri, isLibrary);
      if (where) found.push({ name: variable, where, reasons });
    }
    // The scope only for a job that misses something: kept with the findings of every job, it would hold each job's definitions.
    return found.length ? { scope, found } : NOTHING_FOUND;
  };
  // Findings of jobs whose inputs did not change since the last analysis are reused (job-findings.ts).
  const ctx = new FindingsContext(pipeline, findingsCache.canonical(sharedKey(pipeline, opts.knownVariables, dotenv, (uri) => isLibrary(uri))));
  for (const [name, job] of pipeline.jobs) {
    if (job.hidden || (opts.jobs && !opts.jobs.has(name))) continue;
    const findings = opts.thorough ? findingsOf(name, job) : findingsCache.get(ctx, job, () => findingsOf(name, job));
    // The scopes of the jobs that miss something: the fold below asks for those only.
    if (findings.scope && findings.found.length) scopes.set(name, findings.scope);
    for (const { name: variable, where, reasons } of findings.found) {
      const groupKey = `${variable}\u0000${where.span.uri}\u0000${where.span.start}\u0000${where.span.end}`;
      const group = groups.get(groupKey);
      if (group) {
        group.jobs.push(name);
        group.facts.push(...reasons);
      } else groups.set(groupKey, { name: variable, span: where.span, presetUri: where.presetUri, jobs: [name], facts: [...reasons] });
    }
  }
  // One finding per variable and place, folded over every job that needs it there.
  const composite: ContractScope = {
    defined: (v, job) => (job !== undefined ? scopes.get(job)?.defined(v, job) : undefined),
    jobLevel: (v, job) => (job !== undefined ? !!scopes.get(job)?.jobLevel(v, job) : false),
  };
  const out: MissingVariable[] = [];
  for (const g of groups.values()) {
    if (!inContract(g.name, g.facts, composite)) continue;
    // Shown as the job contracts show it (same reason, default, description).
    const joined = new Map<string, ContractVariable>();
    for (const j of g.jobs) for (const v of consumerJobContract(pipeline, j).variables) if (v.name === g.name) joinVariable(joined, v);
    const variable = joined.get(g.name);
    if (!variable?.required) continue;
    out.push({ variable, job: g.jobs[0], span: g.span, presetUri: g.presetUri, jobs: g.jobs, neededBy: neededBy(g.facts, g.jobs[0]) });
  }
  return out;
}

/** The template that documents the requirement, else the job that checks or reads it. */
function neededBy(reasons: Fact[], job: string): string {
  const order: Fact['kind'][] = ['comment', 'vars-check', 'required-expansion', 'read'];
  for (const k of order) {
    const f = reasons.find((r) => r.kind === k);
    if (f) return f.owner;
  }
  return job;
}

/** The consumer's include entry that (through nested includes) loaded a library file. */
export function includeEntryOf(uri: string, fileByUri: Map<string, LoadedFile>): { span: Span; presetUri: string } | undefined {
  let f = fileByUri.get(uri);
  const seen = new Set<string>();
  while (f?.includedFrom && !seen.has(f.uri)) {
    seen.add(f.uri);
    const parent = fileByUri.get(f.includedFrom.uri);
    if (!parent || isConsumerFile(parent)) return { span: f.includedFrom.span, presetUri: f.uri };
    f = parent;
  }
  return undefined;
}

function bringer(
  pipeline: ExpandedPipeline,
  job: string,
  reasons: Fact[],
  fileByUri: Map<string, LoadedFile>,
  isLibrary: (uri: string | undefined) => boolean,
): { span: Span; presetUri?: string } | undefined {
  const keySpan = pipeline.merged.keySpans.get(job);
  if (keySpan && isLibrary(keySpan.uri)) return includeEntryOf(keySpan.uri, fileByUri);
  // A job of the consumer: the extends / !reference that pulls the library in.
  for (const r of reasons) {
    const step = r.via?.find((s) => s.span && !isLibrary(s.span.uri) && fileByUri.has(s.span.uri));
    if (step?.span) return { span: step.span };
  }
  const raw = pipeline.merged.entries.get(job);
  const ext = raw?.kind === 'map' ? raw.entries.get('extends') : undefined;
  if (ext?.span && !isLibrary(ext.span.uri)) return { span: ext.span };
  const viaInclude = reasons.map((r) => r.span && includeEntryOf(r.span.uri, fileByUri)).find((x) => x);
  if (viaInclude) return viaInclude;
  return keySpan ? { span: keySpan } : undefined;
}
