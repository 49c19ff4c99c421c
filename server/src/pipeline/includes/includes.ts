/**
 * `include:` processing, in GitLab's order: a file's own includes are expanded first (each
 * included file recursively), deep-merged in order, and the file itself is merged on top.
 * Every file passes through spec:inputs interpolation before its includes are read.
 */
import type { SelfProject } from './self-project.js';
import { componentSpecIncludeError } from './components.js';
import { resolveTargets } from './locations.js';
import { firstInputErrors, interpolateFile } from '../inputs/inputs.js';
import { deepMerge, mergeFiles, withoutKeys } from '../merge/merge.js';
import type { MergedFiles } from '../merge/merge.js';
import { stageMemory } from '../merge/incremental.js';
import type { Delta, StageMemory } from '../merge/incremental.js';
import { isMap, mapNode } from '../model.js';
import type { MapNode, Node, PipelineDiagnostic, Span } from '../model.js';
import { parseYaml, parseYamlReusing, readByScanner } from '../yaml/parse.js';
import type { ParsedFile, YamlBlocks } from '../yaml/parse.js';
import { parseIncludeEntries } from './include-entries.js';
import type { IncludeEntry } from './include-entries.js';
import { evaluateIncludeRules } from './include-rules.js';
import type { ProjectLoc, SourceProvider } from '../sources.js';
import type { ComponentContext } from '../inputs/inputs.js';

/**
 * GitLab's default `max_includes` (per pipeline, duplicates counted). It also bounds the nesting:
 * GitLab has no separate depth limit, a chain of includes stops at this count.
 */
export const MAX_INCLUDES = 150;

export type IncludeKind = 'root' | 'local' | 'project' | 'remote' | 'template' | 'component';

/** One file the pipeline is made of. */
export interface LoadedFile {
  uri: string;
  kind: IncludeKind;
  /** The project the file belongs to (its `local:` includes resolve there). */
  loc: ProjectLoc;
  /** Path inside its project, template name, or remote URL. */
  path: string;
  parsed: ParsedFile;
  /** The interpolated content (inputs applied). */
  content: Node;
  /** Where it was included from (absent for the root file). */
  includedFrom?: { uri: string; span: Span };
  /** A note from the source (cached copy, stale, ...). */
  note?: string;
  component?: ComponentContext;
  /** Loaded only for the hidden jobs the root uses and its library defines elsewhere (`contextFiles`). */
  context?: boolean;
  /** Not valid YAML: read (its text and errors are kept) but its content is empty. */
  invalid?: true;
}

export interface IncludeOptions {
  sources: SourceProvider;
  /** Predefined + project/CLI variables: visible to include paths, rules and expand_vars (not YAML `variables:`). */
  variables: Readonly<Record<string, string | undefined>>;
  /** Inputs for the root file (CLI `--input`). */
  rootInputs?: MapNode;
  /** The root file is a component's template (a preset file checked on its own): its `$[[ component.* ]]` values. */
  rootComponent?: ComponentContext;
  /**
   * A file (uri) to include even where the `rules:` of its include entry say no: the editor shows
   * a file that its pipeline includes only under some condition in that pipeline, as it is when
   * the condition holds. Only entries that resolve to this file are forced.
   */
  forceInclude?: string;
  /** The folder's own project (its git remote): includes of it at the current commit read the working tree. */
  selfProject?: SelfProject;
  /**
   * Files of the root's project (paths) whose hidden jobs go beneath the root: a preset file checked
   * on its own, in a library whose consumers include it next to those files, sees the templates it
   * extends or references from them. Only their hidden jobs are taken, and their own findings are
   * not the root's.
   */
  contextFiles?: readonly string[];
  /** Parsed files from earlier runs, reused while their text is unchanged (parsing is the costly part). */
  parseCache?: ParseCache;
  /** Files open in an editor: not stored on disk; parsed in blocks once they change (see `parseCached`, `prepareBlocks`). */
  openInEditor?: (uri: string) => boolean;
}

/** uri → the last text parsed for it and the result (parsed trees are immutable, so sharing is safe). */
/**
 * Parsed files by uri, with the text they were parsed from. A file parsed again with another text
 * (an editor buffer being typed in) also keeps its parsed blocks, so the next parse re-parses only
 * the blocks that changed (parse.ts).
 */
export type ParseCache = Map<string, { text: string; parsed: ParsedFile; blocks?: YamlBlocks }> & { store?: ParsedStore };

/**
 * Parsed files kept beyond this process (the language server's disk cache, sources/parsed-store.ts):
 * a file parsed whole is looked up there first. `get` answers only for the same uri and text.
 */
export interface ParsedStore {
  get(uri: string, text: string): ParsedFile | undefined;
  put(uri: string, text: string, parsed: ParsedFile): void;
}

export function parseCached(cache: ParseCache | undefined, uri: string, text: string, openInEditor = false): ParsedFile {
  const hit = cache?.get(uri);
  if (hit && hit.text === text) return hit.parsed;
  // A file read the first time is parsed whole (cheapest; an editor's open file gets its blocks
  // afterwards, `prepareBlocks`); one that changes is parsed in blocks, and keeps them for its next
  // change — so a keystroke in an open file re-parses one block, not the file. A text that could not
  // be cut (a typo mid-edit) keeps the blocks before it for the text after.
  if (!hit) {
    // The disk store keeps library files, not what is being edited.
    const stored = openInEditor ? undefined : cache?.store?.get(uri, text);
    const parsed = stored ?? parseYaml(uri, text);
    // What the line scanner reads it reads again as fast as the store would give it back.
    if (!stored && !openInEditor && !readByScanner(parsed)) cache?.store?.put(uri, text, parsed);
    cache?.set(uri, { text, parsed });
    return parsed;
  }
  const { parsed, blocks } = parseYamlReusing(uri, text, hit?.blocks, hit?.parsed);
  cache?.set(uri, { text, parsed, blocks: blocks ?? hit?.blocks });
  return parsed;
}

/**
 * The blocks of a file parsed whole, made ahead of its first change (an editor's open file, once its
 * first analysis is out): the same text parsed in blocks, in which every entry it can keep takes the
 * whole parse's node (kept-entries.ts) — so the engine's per-node results hold — and the first
 * keystroke re-parses one block. Parsing in blocks costs several whole parses: off the path to the
 * first diagnostics.
 */
export function prepareBlocks(cache: ParseCache, uri: string): void {
  const hit = cache.get(uri);
  if (!hit || hit.blocks) return;
  const { blocks } = parseYamlReusing(uri, hit.text, undefined, hit.parsed);
  // A text that cannot be cut keeps no blocks, and is not parsed again for them.
  cache.set(uri, { ...hit, blocks: blocks ?? new Map() });
}

export interface IncludeResult {
  doc: MapNode;
  files: LoadedFile[];
  diagnostics: PipelineDiagnostic[];
}

interface Frame {
  uri: string;
  loc: ProjectLoc;
  kind: IncludeKind;
  /** Path inside its project (a local file's wildcard does not match the file itself). */
  path: string;
  /** The source's note on this file: its own includes with the same note are not flagged again. */
  note?: string;
  /** The component context this file was loaded with: its `local:` includes get it too (File::Local passes component_data on). */
  component?: ComponentContext;
}

/** The memory of one pipeline's stages (merge/incremental.ts) in an editor session: by the parse cache, the root file and what is forced in. */
export function pipelineMemory(rootUri: string, opts: IncludeOptions): StageMemory | undefined {
  return stageMemory(opts.parseCache, `${rootUri}\u0000${opts.forceInclude ?? ''}\u0000${opts.contextFiles?.join('\u0000') ?? ''}`);
}

/**
 * `memory`: the pipeline's stage memory (merge/incremental.ts); the result then says which top-level
 * keys changed since the last expansion (`changed`, when the merged configuration kept its keys).
 */
export async function processIncludes(root: { uri: string; path: string; text: string }, opts: IncludeOptions, memory?: StageMemory): Promise<IncludeResult & { changed?: Delta }> {
  const state = new IncludeState(opts, memory);
  const rootSpan: Span = { uri: root.uri, start: 0, end: 0 };
  const doc = await state.loadFile(
    { uri: root.uri, text: root.text, kind: 'root', loc: { project: null }, path: root.path, component: opts.rootComponent },
    opts.rootInputs,
    rootSpan,
    [],
  );
  if (!doc || !opts.contextFiles?.length) return { doc: doc ?? mapNode(rootSpan), files: state.files, diagnostics: state.diagnostics, changed: doc ? state.rootChanged : undefined };
  let below = mapNode(rootSpan);
  for (const path of opts.contextFiles) {
    const read = await opts.sources.readProjectFile({ project: null }, path);
    if (!read.ok || read.uri === root.uri) continue;
    const firstFile = state.files.length;
    const firstDiagnostic = state.diagnostics.length;
    const frame: Frame = { uri: root.uri, loc: { project: null }, kind: 'root', path: root.path };
    const sub = await state.loadFile({ uri: read.uri, text: read.text, kind: 'local', loc: { project: null }, path, note: read.note }, undefined, rootSpan, [frame], { uri: root.uri, span: rootSpan });
    state.diagnostics.length = firstDiagnostic;
    for (let i = firstFile; i < state.files.length; i++) state.files[i].context = true;
    if (!sub) continue;
    const hidden = mapNode(sub.span);
    for (const [key, value] of sub.entries) {
      if (!key.startsWith('.')) continue;
      hidden.entries.set(key, value);
      const ks = sub.keySpans.get(key);
      if (ks) hidden.keySpans.set(key, ks);
    }
    below = deepMerge(below, hidden);
  }
  const out = deepMerge(below, doc);
  out.span = doc.span;
  return { doc: out, files: state.files, diagnostics: state.diagnostics };
}

class IncludeState {
  files: LoadedFile[] = [];
  diagnostics: PipelineDiagnostic[] = [];
  private count = 0;
  private listings = new Map<string, Promise<string[] | string>>();

  /** Each including file's last merge (merge.ts `mergeFiles`), kept per pipeline with the parse cache. */
  private merges: Map<string, MergedFiles> | undefined;
  /** The root file's keys that changed since the pipeline's last expansion (when only some did). */
  rootChanged: Delta | undefined;
  private run: number | undefined;

  constructor(private opts: IncludeOptions, memory?: StageMemory) {
    if (memory) this.merges = (memory.includes ??= new Map<string, MergedFiles>()) as Map<string, MergedFiles>;
    this.run = memory?.run as number | undefined;
  }

  private error(code: string, message: string, span: Span, data?: Record<string, unknown>): void {
    this.diagnostics.push({ severity: 'error', code, message, span, data });
  }

  async loadFile(
    file: { uri: string; text: string; kind: IncludeKind; loc: ProjectLoc; path: string; note?: string; component?: ComponentContext; location?: string; emptyMessage?: string },
    given: MapNode | undefined,
    includeSpan: Span,
    stack: Frame[],
    includedFrom?: { uri: string; span: Span },
  ): Promise<MapNode | undefined> {
    const parsed = parseCached(this.opts.parseCache, file.uri, file.text, this.opts.openInEditor?.(file.uri));
    this.diagnostics.push(...parsed.diagnostics);
    // A file that is not valid YAML is still one the pipeline read: its errors point into its text.
    if (parsed.diagnostics.some((d) => d.severity === 'error')) {
      this.files.push({ uri: file.uri, kind: file.kind, loc: file.loc, path: file.path, parsed, content: parsed.content, includedFrom, note: file.note, component: file.component, invalid: true });
      // GitLab reports it on the including side; the syntax errors themselves point into the file.
      if (includedFrom && parsed.diagnostics.some((d) => d.severity === 'error' && d.code.startsWith('yaml'))) {
        this.error('include-invalid-yaml', `Included file \`${file.path}\` does not have valid YAML syntax!`, includedFrom.span, { uri: file.uri });
      }
      return undefined;
    }
    const specInclude = file.kind === 'component' && componentSpecIncludeError(parsed.header, file.location ?? file.path, includeSpan);
    if (specInclude) {
      // File::Component rejects the file before its content is interpolated.
      this.diagnostics.push(specInclude);
      this.files.push({ uri: file.uri, kind: file.kind, loc: file.loc, path: file.path, parsed, content: parsed.content, includedFrom, note: file.note, component: file.component });
      return undefined;
    }
    const interpolated = interpolateFile(parsed, { given, includeSpan, variables: this.opts.variables, component: file.component });
    // GitLab names an included file before the errors of loading it, once, ahead of the first three
    // joined with ", " (File::Base "`LOCATION`: #{error}", Interpolator#error_message): the first carries it.
    let location = includedFrom && (file.location ?? file.path);
    for (const d of firstInputErrors(interpolated.diagnostics)) {
      if (!location || d.severity !== 'error') this.diagnostics.push(d);
      else {
        this.diagnostics.push({ ...d, message: `\`${location}\`: ${d.message}` });
        location = undefined;
      }
    }
    const content = interpolated.content;
    this.files.push({ uri: file.uri, kind: file.kind, loc: file.loc, path: file.path, parsed, content, includedFrom, note: file.note, component: file.component });
    if (interpolated.diagnostics.some((d) => d.severity === 'error')) return undefined;
    const where = includedFrom ? includeSpan : { uri: file.uri, start: 0, end: 0 };
    if (file.kind === 'root') {
      if (parsed.empty) {
        this.error('config-empty', 'Please provide content of .gitlab-ci.yml', where);
        return undefined;
      }
      if (!isMap(content)) {
        this.error('config-invalid', 'Invalid configuration format', content.span ?? where);
        return undefined;
      }
    } else if (!file.text.trim()) {
      // Blank text is "empty" in the file class's words (File::Local, File::Project, File::Base).
      this.error('include-empty', file.emptyMessage ?? `Included file \`${file.path}\` is empty or does not exist!`, where);
      return undefined;
    } else if (parsed.empty || (isMap(content) && content.entries.size === 0)) {
      // Comments only or `{}`: File::Base#validate_hash! (a blank hash).
      this.error('include-not-hash', `Included file \`${file.location ?? file.path}\` does not have valid YAML syntax!`, where);
      return undefined;
    } else if (!isMap(content)) {
      // A list or a scalar: the YAML loader's NotHashError, after the file's location.
      this.error('include-not-hash', `\`${file.location ?? file.path}\`: Invalid configuration format`, where);
      return undefined;
    }
    const map = content as MapNode;
    const includeNode = map.entries.get('include');
    if (!includeNode) return map;
    const frame: Frame = { uri: file.uri, loc: file.loc, kind: file.kind, path: file.path, note: file.note, component: file.component };
    const nextStack = [...stack, frame];
    const included: MapNode[] = [];
    for (const entry of parseIncludeEntries(includeNode, (d: PipelineDiagnostic) => this.diagnostics.push(d))) {
      included.push(...(await this.loadEntry(entry, frame, nextStack)));
    }
    const own = withoutKeys(map, ['include']);
    // The same file's merge in the pipeline's last expansion: an edit merges its changed keys only.
    const key = `${file.uri}\u0000${stack.length}`;
    const root = file.kind === 'root';
    const last = this.merges?.get(key);
    const { out, changed } = mergeFiles(map.span, included, own, last, root);
    out.span = map.span;
    this.merges?.set(key, { tops: included, own, out, run: this.run });
    if (root) this.rootChanged = changed && last?.run !== undefined ? { keys: changed, since: last.run } : undefined;
    return out;
  }

  private async loadEntry(entry: IncludeEntry, frame: Frame, stack: Frame[]): Promise<MapNode[]> {
    let onlyForced = false;
    if (entry.rules) {
      const listing = (loc: ProjectLoc) => this.listFiles(loc);
      const verdict = await evaluateIncludeRules(entry.rules, this.opts.variables, frame.loc, listing);
      if (!verdict.ok) {
        this.error('include-rules', verdict.error, verdict.span ?? entry.span);
        return [];
      }
      if (!verdict.include) {
        if (this.opts.forceInclude === undefined) return [];
        onlyForced = true;
      }
    }
    const mark = this.diagnostics.length;
    let targets = await resolveTargets(entry, frame, {
      sources: this.opts.sources,
      variables: this.opts.variables,
      selfProject: this.opts.selfProject,
      error: (code, message, span, data) => this.error(code, message, span, data),
      report: (d) => this.diagnostics.push(d),
      listFiles: (loc) => this.listFiles(loc),
    });
    if (onlyForced) {
      // An entry its rules leave out: only the forced file, and nothing said about the others.
      targets = targets.filter((t) => t.uri === this.opts.forceInclude);
      if (!targets.length) this.diagnostics.length = mark;
    }
    const out: MapNode[] = [];
    for (const target of targets) {
      // A component's nested `local:` files are read in its context: `$[[ component.* ]]` are the component's.
      const t = target.kind === 'local' && !target.component && frame.component ? { ...target, component: frame.component } : target;
      if (++this.count > MAX_INCLUDES) {
        this.error('include-limit', `Maximum of ${MAX_INCLUDES} nested includes are allowed!`, entry.span);
        return out;
      }
      const cycle = stack.findIndex((f) => f.uri === t.uri);
      if (cycle >= 0) {
        const chain = [...stack.slice(cycle).map((f) => f.uri), t.uri];
        this.error('include-cycle', `Include cycle: ${chain.join(' → ')}`, entry.span, { chain });
        continue;
      }
      if (entry.inputsNotHash) {
        this.error('input-not-hash', `\`${t.location ?? t.path}\`: Given inputs must be a hash`, entry.inputsNotHash);
        continue;
      }
      if (t.note && t.note !== frame.note) this.diagnostics.push({ severity: 'warning', code: 'include-source', message: `${t.path}: ${t.note}`, span: entry.span, data: { uri: t.uri } });
      const doc = await this.loadFile(t, entry.inputs, entry.span, stack, { uri: frame.uri, span: entry.span });
      if (doc) out.push(doc);
    }
    return out;
  }

  private listFiles(loc: ProjectLoc): Promise<string[] | string> {
    const key = `${loc.project ?? ''}@${loc.ref ?? ''}`;
    let p = this.listings.get(key);
    if (!p) {
      p = this.opts.sources.listProjectFiles(loc).then((r) => (r.ok ? r.files : r.error));
      this.listings.set(key, p);
    }
    return p;
  }
}
