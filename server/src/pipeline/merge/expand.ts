/**
 * The whole expansion, in GitLab's order (Gitlab::Ci::Config#build_config): load + interpolate
 * each file → includes → extends → !reference → nested lists flattened where GitLab's entries
 * flatten them → jobs (default: inheritance) and stages.
 */
import { applyExtends } from './extends.js';
import { pipelineMemory, processIncludes } from '../includes/includes.js';
import type { StageMemory } from './incremental.js';
import type { IncludeOptions, LoadedFile } from '../includes/includes.js';
import { composeConfig } from './flatten.js';
import { buildJobs, readStages } from './jobs.js';
import type { JobView } from './jobs.js';
import { mapNode } from '../model.js';
import type { MapNode, PipelineDiagnostic } from '../model.js';
import { resolveReferences } from './references.js';
import { validatePipeline } from '../validate/index.js';

export interface ExpandOptions extends IncludeOptions {
  /** The CI file of the root project (default `.gitlab-ci.yml`). */
  rootPath?: string;
}

export interface ExpandedPipeline {
  /** The merged configuration after includes, extends and !reference (extends keys kept). */
  merged: MapNode;
  /** Every top-level hash that is not a global keyword: real and hidden jobs. */
  jobs: Map<string, JobView>;
  stages: string[];
  files: LoadedFile[];
  diagnostics: PipelineDiagnostic[];
  /** Direct `extends` parents of every extended entry, in merge order. */
  extendsParents: Map<string, string[]>;
  /** True when GitLab would accept the configuration (no error-level diagnostic). */
  valid: boolean;
}

export async function expandPipeline(opts: ExpandOptions): Promise<ExpandedPipeline> {
  const rootPath = (opts.rootPath ?? '.gitlab-ci.yml').replace(/^\/+/, '');
  const root = await opts.sources.readProjectFile({ project: null }, rootPath);
  if (!root.ok) {
    const span = { uri: rootPath, start: 0, end: 0 };
    const diagnostics: PipelineDiagnostic[] = [{ severity: 'error', code: 'config-missing', message: `${rootPath}: ${root.error}`, span }];
    return { merged: mapNode(span), jobs: new Map(), stages: readStages(mapNode()), files: [], diagnostics, extendsParents: new Map(), valid: false };
  }
  return expandText({ uri: root.uri, path: rootPath, text: root.text }, opts);
}

/** Expand a root file whose text is given (an editor buffer, a preset file checked on its own). */
export async function expandText(root: { uri: string; path: string; text: string }, opts: IncludeOptions): Promise<ExpandedPipeline> {
  // An editor session (a parse cache) keeps each stage's last run per pipeline: an edit redoes what
  // it changed, each stage told by the one before which top-level keys those are. One expansion of
  // a pipeline at a time uses it (another, interleaved, runs in full); one that fails forgets it.
  let memory = pipelineMemory(root.uri, opts);
  if (memory?.busy) memory = undefined;
  if (memory) {
    memory.busy = true;
    memory.run = ((memory.run as number | undefined) ?? 0) + 1;
  }
  try {
    return await expandStages(root, opts, memory);
  } catch (e) {
    if (memory) for (const key of Object.keys(memory)) delete memory[key];
    throw e;
  } finally {
    if (memory) memory.busy = false;
  }
}

async function expandStages(root: { uri: string; path: string; text: string }, opts: IncludeOptions, memory: StageMemory | undefined): Promise<ExpandedPipeline> {
  const included = await processIncludes(root, opts, memory);
  const diagnostics = [...included.diagnostics];
  const extended = applyExtends(included.doc, memory, included.changed);
  diagnostics.push(...extended.diagnostics);
  const resolved = resolveReferences(extended.doc, memory, extended.changed);
  diagnostics.push(...resolved.diagnostics);
  const merged = composeConfig(resolved.doc, memory, resolved.changed);
  const stages = readStages(merged);
  const jobs = buildJobs(merged, memory, resolved.changed);
  const fatal = diagnostics.some((d) => d.severity === 'error');
  if (!fatal) diagnostics.push(...validatePipeline(merged, jobs, stages, memory, included.files));
  return {
    merged,
    jobs,
    stages,
    files: included.files,
    diagnostics,
    extendsParents: extended.parents,
    valid: !diagnostics.some((d) => d.severity === 'error'),
  };
}
