/**
 * The whole expansion, in GitLab's order (Gitlab::Ci::Config#build_config): load + interpolate
 * each file → includes → extends → !reference → nested lists flattened where GitLab's entries
 * flatten them → jobs (default: inheritance) and stages.
 */
import { applyExtends } from './extends.js';
import { pipelineMemory, processIncludes } from '../includes/includes.js';
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
  const included = await processIncludes(root, opts);
  const diagnostics = [...included.diagnostics];
  // An editor session (a parse cache) keeps each stage's last run per pipeline: an edit redoes what it changed.
  const memory = pipelineMemory(root.uri, opts);
  const extended = applyExtends(included.doc, memory);
  diagnostics.push(...extended.diagnostics);
  const resolved = resolveReferences(extended.doc, memory);
  diagnostics.push(...resolved.diagnostics);
  const merged = composeConfig(resolved.doc, memory);
  const stages = readStages(merged);
  const jobs = buildJobs(merged, memory);
  const fatal = diagnostics.some((d) => d.severity === 'error');
  if (!fatal) diagnostics.push(...validatePipeline(merged, jobs, stages, memory));
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
