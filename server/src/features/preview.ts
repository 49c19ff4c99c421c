/**
 * The pipeline preview: the request `gitlabCiPresets/preview` `{uri, context}` answers a JSON
 * model for the client's webview — stages, jobs with their merged YAML (each key with its
 * origin), `needs` edges, the verdict of a simulated pipeline (workflow:rules, rules:,
 * only/except) and the diagnostics, all with locations.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Location } from 'vscode-languageserver/node';
import type { ExpandedPipeline } from '../pipeline/merge/expand.js';
import { baseJobName, matrixJobCount, matrixList } from '../pipeline/merge/matrix.js';
import type { Node, PipelineDiagnostic } from '../pipeline/model.js';
import { needTarget } from '../pipeline/rules/rules.js';
import type { JobWhen } from '../pipeline/rules/rules.js';
import { simulate } from '../pipeline/rules/simulation.js';
import type { SimulatedJob, SimulationRequest } from '../pipeline/rules/simulation.js';
import { listFilesRecursive } from '../sources/directory-sources.js';
import type { Feature, FeatureContext } from './shared/context.js';
import { lastGoodContext, yamlErrorOf } from './shared/analysis.js';
import { missingVariableDiagnostics, PIPELINE_ONLY_CODES } from './shared/diagnostics.js';
import { renderYaml } from './preview-yaml.js';
import { clientUri, isEditable } from './shared/client-uris.js';
import type { PreviewYamlLine } from './preview-yaml.js';

export const PREVIEW_REQUEST = 'gitlabCiPresets/preview';

/** What pipeline the preview simulates (the engine's request: pipeline/rules/simulation.ts). */
export type PreviewContext = Omit<SimulationRequest, 'targetBranch'>;

export interface PreviewParams {
  uri: string;
  context?: PreviewContext;
}

export interface PreviewJob {
  name: string;
  stage: string;
  included: boolean;
  when: JobWhen;
  allowFailure: boolean;
  startIn?: string;
  trigger: boolean;
  /** `parallel: N`, or the number of `parallel:matrix` instances. */
  parallel?: number;
  matrix?: boolean;
  /**
   * The `parallel:matrix` instances GitLab creates, each with its own verdict (at most 200).
   * The job's `included`/`when`/`decidedBy` are those of its first instance that runs.
   */
  instances?: PreviewInstance[];
  needs: { name: string; optional: boolean }[];
  /** `needs: []`: starts at once, whatever the stage. */
  needsNone: boolean;
  extends: string[];
  decidedBy: { text: string; location?: Location; assumed?: string };
  origin?: Location;
  yaml: PreviewYamlLine[];
}

export interface PreviewInstance {
  /** `build: [aws, app]`. */
  name: string;
  /** The matrix values, in key order. */
  values: string[];
  variables: Record<string, string>;
  included: boolean;
  when: JobWhen;
  allowFailure: boolean;
  startIn?: string;
  decidedBy: { text: string; location?: Location; assumed?: string };
}

export interface PreviewDiagnostic {
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  location?: Location;
}

export interface PreviewModel {
  uri: string;
  rootUri: string;
  standalone: boolean;
  context: Required<Pick<PreviewContext, 'source' | 'branch' | 'tag' | 'defaultBranch'>> & { variables: Record<string, string> };
  workflow: { created: boolean; text: string; location?: Location; assumed?: string };
  pipelineError?: { message: string; location?: Location };
  /**
   * A file of the pipeline does not parse now: its first syntax error (the document's own first).
   * `lastGood`: the rest of the model is the last analysis in which every file parsed; else there
   * was none and the model shows what could be read.
   */
  yamlError?: { message: string; line: number; location?: Location; lastGood: boolean };
  stages: { name: string; jobs: string[] }[];
  jobs: PreviewJob[];
  edges: { from: string; to: string; optional: boolean }[];
  /** stages, variables, workflow, default, as merged. */
  globals: PreviewYamlLine[];
  templates: { name: string; origin?: Location }[];
  files: PipelineFile[];
  diagnostics: PreviewDiagnostic[];
}

/** Where a file of the pipeline came from: the workspace itself, a local checkout, the API, or the cache. */
export interface PipelineFile {
  /** As the client opens it (read-only files under the `gitlab-ci-presets:` scheme). */
  uri: string;
  kind: string;
  path: string;
  origin: 'workspace' | 'local' | 'api' | 'cache';
  readOnly: boolean;
  /** The source's note: which cached copy, from when, why. */
  note?: string;
}

export const SOURCES_REQUEST = 'gitlabCiPresets/pipelineSources';

const GLOBAL_ORDER = ['stages', 'variables', 'workflow', 'default'];

export function buildPreview(current: FeatureContext, params: PreviewContext, files?: readonly string[]): PreviewModel {
  // While a file does not parse: the last good analysis, its spans moved onto today's texts.
  const ctx = lastGoodContext(current);
  const broken = yamlErrorOf(current);
  const pipeline = ctx.analysis.pipeline;
  const simulation = simulate(pipeline, { ...params, targetBranch: undefined }, files);
  const { verdicts } = simulation;
  const { targetBranch: _target, ...context } = simulation.request;
  const loc = locator(ctx);

  const jobs = simulation.jobs.map((s) => previewJob(s, pipeline, loc));
  const templates: PreviewModel['templates'] = [];
  for (const job of pipeline.jobs.values()) {
    if (job.hidden) templates.push({ name: job.name, origin: loc(pipeline.merged.keySpans.get(job.name)) });
  }
  const stages = pipeline.stages.map((name) => ({ name, jobs: [] as string[] }));
  for (const j of jobs) {
    let s = stages.find((x) => x.name === j.stage);
    if (!s) stages.push((s = { name: j.stage, jobs: [] }));
    s.jobs.push(j.name);
  }
  const names = new Set(jobs.map((j) => j.name));
  const edges: PreviewModel['edges'] = [];
  for (const j of jobs) {
    for (const n of j.needs) {
      const from = names.has(n.name) ? n.name : baseJobName(n.name);
      if (names.has(from)) edges.push({ from, to: j.name, optional: n.optional });
    }
  }
  const standalone = ctx.analysis.standalone;
  // What the editor shows (engine + missing required variables), plus the rules simulation's findings.
  const missing = standalone ? [] : missingVariableDiagnostics(pipeline, ctx.settings.knownVariables ?? []);
  const currentLoc = locator(current);
  const syntax = ctx === current ? [] : (current.analysis.syntaxErrors ?? []).map((d) => ({ severity: d.severity, code: d.code, message: d.message, location: currentLoc(d.span) }));
  // A rule the simulation cannot evaluate is one the validation stage already rejects there: listed once, in GitLab's words.
  const overlapsError = (d: PipelineDiagnostic) => pipeline.diagnostics.some((e) => e.severity === 'error' && e.span.uri === d.span.uri && e.span.start <= d.span.end && d.span.start <= e.span.end);
  const simulated = verdicts.diagnostics.filter((d) => !overlapsError(d));
  const diagnostics: PreviewDiagnostic[] = [
    ...syntax,
    ...[...pipeline.diagnostics, ...missing, ...simulated]
      .filter((d) => !(standalone && PIPELINE_ONLY_CODES.has(d.code)))
      .map((d: PipelineDiagnostic) => ({ severity: d.severity, code: d.code, message: d.message, location: loc(d.span) })),
  ];
  const globalsNode = { ...pipeline.merged, entries: new Map(GLOBAL_ORDER.flatMap((k) => (pipeline.merged.entries.has(k) ? [[k, pipeline.merged.entries.get(k)!] as const] : []))) };
  return {
    uri: ctx.document.uri,
    rootUri: ctx.analysis.rootUri,
    standalone,
    context,
    workflow: { created: verdicts.workflow.created, text: verdicts.workflow.decidedBy.text, location: loc(verdicts.workflow.decidedBy.span), assumed: verdicts.workflow.decidedBy.assumed },
    // A pipeline that could not be read is not "not created": the YAML error says why it is empty.
    pipelineError: broken && ctx === current ? undefined : verdicts.pipelineError && { message: verdicts.pipelineError.message, location: loc(verdicts.pipelineError.span) },
    yamlError: broken && { message: broken.message, line: broken.line, location: broken.location && { uri: clientUri(current, broken.location.uri), range: broken.location.range }, lastGood: ctx !== current },
    stages: stages.filter((s) => s.jobs.length || !s.name.startsWith('.')),
    jobs,
    edges,
    globals: renderYaml(globalsNode, (s) => loc(s)),
    templates,
    files: pipelineSources(ctx).files,
    diagnostics,
  };
}

function previewJob({ job, stage, verdict: v }: SimulatedJob, pipeline: ExpandedPipeline, loc: Locator): PreviewJob {
  const n = job.node;
  const needsNode = v.ruleNeeds ?? n.entries.get('needs');
  const needItems = needsNode?.kind === 'seq' ? needsNode.items : [];
  const needs = needItems.flatMap((i) => {
    const t = needTarget(i);
    return t ? [{ name: t.name, optional: t.optional }] : [];
  });
  return {
    name: job.name,
    stage,
    included: v.included,
    when: v.when,
    allowFailure: v.allowFailure,
    startIn: v.startIn,
    trigger: n.entries.has('trigger'),
    ...parallelOf(n.entries.get('parallel')),
    instances: v.instances?.map((i) => ({
      name: i.name,
      values: i.values,
      variables: i.matrixVariables,
      included: i.included,
      when: i.when,
      allowFailure: i.allowFailure,
      startIn: i.startIn,
      decidedBy: { text: i.decidedBy.text, location: loc(i.decidedBy.span), assumed: i.decidedBy.assumed },
    })),
    needs,
    needsNone: needsNode?.kind === 'seq' && needsNode.items.length === 0,
    extends: pipeline.extendsParents.get(job.name) ?? [],
    decidedBy: { text: v.decidedBy.text, location: loc(v.decidedBy.span), assumed: v.decidedBy.assumed },
    origin: loc(pipeline.merged.keySpans.get(job.name)),
    yaml: renderYaml(n, (s) => loc(s), 0, [], new Set(['extends'])),
  };
}

function parallelOf(node: Node | undefined): { parallel?: number; matrix?: boolean } {
  if (!node) return {};
  if (node.kind === 'scalar' && typeof node.value === 'number') return { parallel: node.value };
  return matrixList(node) ? { parallel: matrixJobCount(node), matrix: true } : {};
}

type Locator = (span?: { uri: string; start: number; end: number }) => Location | undefined;

/** Engine spans → client locations (URIs of non-workspace files mapped to the read-only scheme). */
function locator(ctx: FeatureContext): Locator {
  const uris = new Map<string, string>();
  return (span) => {
    if (!span || !span.uri) return undefined;
    const l = ctx.location(span);
    if (!l) return undefined;
    let uri = uris.get(l.uri);
    if (uri === undefined) uris.set(l.uri, (uri = clientUri(ctx, l.uri)));
    return { uri, range: l.range };
  };
}

export function pipelineSources(ctx: FeatureContext): { rootUri: string; standalone: boolean; files: PipelineFile[] } {
  const files = ctx.analysis.pipeline.files.map((f): PipelineFile => {
    const editable = isEditable(f.uri);
    const origin = (f.kind === 'root' || f.kind === 'local') && f.loc.project === null ? 'workspace' : editable ? 'local' : /^cached copy/.test(f.note ?? '') ? 'cache' : 'api';
    return { uri: clientUri(ctx, f.uri), kind: f.kind, path: f.path, origin, readOnly: !editable, note: f.note };
  });
  return { rootUri: ctx.analysis.rootUri, standalone: ctx.analysis.standalone, files };
}

/** The files of a project folder (for `exists:`), relative paths; bounded, cached briefly. */
const fileListCache = new Map<string, { at: number; files: string[] }>();
export function projectFiles(rootUri: string, max = 20_000): string[] | undefined {
  if (!rootUri.startsWith('file:')) return undefined;
  const dir = join(fileURLToPath(rootUri), '..');
  const hit = fileListCache.get(dir);
  if (hit && Date.now() - hit.at < 5_000) return hit.files.length ? hit.files : undefined;
  const files = listFilesRecursive(dir, max);
  const complete = files.length < max ? files : undefined;
  fileListCache.set(dir, { at: Date.now(), files: complete ?? [] });
  return complete;
}

export const previewFeature: Feature = {
  capabilities: {},
  register(host) {
    host.connection.onRequest(PREVIEW_REQUEST, async (params: PreviewParams): Promise<PreviewModel | null> => {
      const ctx = await host.context(params.uri);
      if (!ctx) return null;
      const shown = ctx.analysis.lastGood ?? ctx.analysis;
      const files = shown.standalone ? undefined : projectFiles(shown.rootUri);
      return buildPreview(ctx, params.context ?? {}, files);
    });
    host.connection.onRequest(SOURCES_REQUEST, async (params: { uri: string }) => {
      const ctx = await host.context(params?.uri ?? '');
      return ctx ? pipelineSources(ctx) : null;
    });
  },
};
