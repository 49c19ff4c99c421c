/**
 * Completion inside `include:` entries: `file:` paths of a `project:` (its YAML files, through
 * the analysis' sources: a local checkout, the cache or the API tree), `local:` paths of the
 * workspace project, and `inputs:` names and values from the included file's `spec:inputs`.
 */
import { CompletionItemKind, MarkupKind } from 'vscode-languageserver/node';
import type { CompletionItem } from 'vscode-languageserver/node';
import type { LoadedFile } from '../pipeline/includes/includes.js';
import { inputDoc, inputSpecs, shown } from './shared/input-docs.js';
import type { ProjectLoc, SourceProvider } from '../pipeline/sources.js';
import type { Analysis } from '../workspace.js';
import { fileLabel } from './shared/analysis.js';
import type { ItemRange } from './shared/completion-items.js';
import { item, snippetText, valuePlaceholder } from './shared/completion-items.js';
import type { MappingEntry } from './shared/yaml-lines.js';

/** A listing is kept this long (ms): completion asks again and again while the user types. */
const LISTING_TTL = 30_000;
/** Completion does not wait longer than this for a listing (the API); a later request gets it. */
const LISTING_WAIT = 1_500;
const MAX_FILES = 2_000;

const listings = new WeakMap<SourceProvider, Map<string, { at: number; files: Promise<string[]> }>>();

function listing(sources: SourceProvider, loc: ProjectLoc): Promise<string[]> {
  let m = listings.get(sources);
  if (!m) listings.set(sources, (m = new Map()));
  const key = `${loc.project ?? ''}@${loc.ref ?? ''}`;
  const hit = m.get(key);
  if (hit && Date.now() - hit.at < LISTING_TTL) return hit.files;
  const files = sources.listProjectFiles(loc).then(
    (r) => (r.ok ? r.files.filter((f) => /\.ya?ml$/i.test(f)) : []),
    () => [],
  );
  m.set(key, { at: Date.now(), files });
  return files;
}

async function yamlFiles(analysis: Analysis, loc: ProjectLoc): Promise<string[]> {
  const sources = analysis.sources;
  if (!sources) return [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((res) => (timer = setTimeout(() => res([]), LISTING_WAIT)));
  try {
    return await Promise.race([listing(sources, loc), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `file:` of a project include: the YAML files of `project` at `ref`. */
export async function projectFileItems(analysis: Analysis, project: string, ref: string | undefined, typed: string, taken: ReadonlySet<string>, range: ItemRange): Promise<CompletionItem[]> {
  const files = await yamlFiles(analysis, { project, ref });
  const slash = typed.startsWith('/') ? '/' : '';
  return files
    .filter((f) => !taken.has(f) && !taken.has(`/${f}`))
    .slice(0, MAX_FILES)
    .map((f) => item({ label: slash + f, kind: CompletionItemKind.File, detail: `${project}${ref ? `@${ref}` : ''}`, range }));
}

/** `local:` paths: the YAML files of the workspace project (not the document itself). */
export async function localFileItems(analysis: Analysis, selfPath: string | undefined, typed: string, range: ItemRange): Promise<CompletionItem[]> {
  const files = await yamlFiles(analysis, { project: null });
  const slash = typed.startsWith('/') || typed === '' ? '/' : '';
  return files
    .filter((f) => f !== selfPath)
    .slice(0, MAX_FILES)
    .map((f) => item({ label: slash + f, kind: CompletionItemKind.File, range }));
}

/**
 * The files an include entry of the document loaded. The entry is known by where its mapping
 * starts (`entryStart`, exact while the text above the cursor did not move) and by what it says
 * (`project`/`file`/`local`/`component`), for an analysis of an earlier version of the text.
 */
export function entryFiles(analysis: Analysis, docUri: string, entryStart: number, entries: ReadonlyMap<string, MappingEntry>): LoadedFile[] {
  const mine = analysis.pipeline.files.filter((f) => f.includedFrom?.uri === docUri);
  const exact = mine.filter((f) => f.includedFrom!.span.start === entryStart);
  if (exact.length) return exact;
  const v = (k: string) => entries.get(k)?.value.replace(/^\/+/, '');
  const project = v('project');
  const local = v('local');
  const component = v('component');
  const file = v('file');
  return mine.filter((f) => {
    if (project !== undefined) return f.loc.project === project && (!file || f.path === file);
    if (local !== undefined) return f.kind === 'local' && f.path === local;
    if (component !== undefined) return f.kind === 'component' && component.includes(f.loc.project ?? '\0');
    return false;
  });
}

/** `inputs:` keys of an include entry: the inputs the included file declares and the entry does not give yet. */
export function inputNameItems(files: readonly LoadedFile[], given: ReadonlySet<string>, range: ItemRange): CompletionItem[] {
  return inputSpecs(files)
    .filter(({ spec }) => !given.has(spec.name))
    .map(({ spec, file }) => {
      const options = spec.options?.map(shown) ?? (spec.type === 'boolean' ? ['true', 'false'] : undefined);
      const def = spec.hasDefault && typeof spec.default !== 'object' ? shown(spec.default) : undefined;
      const value = spec.type === 'array' ? `\n  - $1` : ` ${valuePlaceholder(options, def)}`;
      return item({
        label: spec.name,
        kind: CompletionItemKind.Field,
        detail: `${spec.type}${spec.hasDefault ? ` · default ${shown(spec.default)}` : ' · required'}`,
        documentation: { kind: MarkupKind.Markdown, value: inputDoc(spec, file) },
        sortText: `${spec.hasDefault ? 1 : 0}${spec.name}`,
        insert: `${snippetText(spec.name)}:${value}`,
        snippet: true,
        filterText: spec.name,
        range,
      });
    });
}

/** Values of one input: its `options`, or true/false for a boolean. */
export function inputValueItems(files: readonly LoadedFile[], name: string, range: ItemRange): CompletionItem[] {
  const found = inputSpecs(files).find(({ spec }) => spec.name === name);
  if (!found) return [];
  const { spec } = found;
  const values = spec.options?.map(shown) ?? (spec.type === 'boolean' ? ['true', 'false'] : spec.hasDefault && typeof spec.default !== 'object' ? [shown(spec.default)] : []);
  return values.map((v, i) =>
    item({ label: v, kind: CompletionItemKind.EnumMember, detail: spec.hasDefault && shown(spec.default) === v ? 'default' : undefined, sortText: String(i).padStart(3, '0'), range }),
  );
}
