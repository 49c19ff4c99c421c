/**
 * The variable contract's findings per job, kept from one analysis to the next
 * (missing-variables.ts). A job's findings depend on its merged node, where its key is written,
 * the doc comments of its extends lineage, and what every job shares — the files and how they were
 * included, the global `variables:`, the known and dotenv variables, the job names.
 *
 * The merged node stands for the raw entries of the whole lineage: it is the same object only when
 * the job's raw entry and every base it extends are (merge/incremental.ts). Doc comments are text:
 * they can change only where a file's text changed, so an entry remembers which parsed files write
 * each name of its lineage and looks at the comments again only for a name written in a file that
 * was parsed anew. An edit thereby costs a few lookups per untouched job.
 */
import { docCommentAt, extendsLineage } from './contract-facts.js';
import { filesWriting } from '../variables/variable-definitions.js';
import type { ExpandedPipeline } from '../merge/expand.js';
import type { LoadedFile } from '../includes/includes.js';
import type { JobView } from '../merge/jobs.js';
import { perNode, sameNodes } from '../merge/incremental.js';
import type { MapNode, Span } from '../model.js';
import type { ParsedFile } from '../yaml/parse.js';

/** What every job's findings share; compared as a whole. */
export interface SharedKey {
  text: string;
  nodes: readonly unknown[];
}

/** The shared part of the key for one pipeline. */
export function sharedKey(pipeline: ExpandedPipeline, known: readonly string[], dotenv: ReadonlySet<string>, isLibrary: (uri: string) => boolean): SharedKey {
  const files = pipeline.files.map((f) => `${f.uri}|${f.kind}|${f.loc.project ?? ''}|${f.includedFrom ? `${f.includedFrom.uri}:${f.includedFrom.span.start}:${f.includedFrom.span.end}` : ''}`);
  const text = [known.join('\n'), [...dotenv].sort().join('\n'), [...pipeline.jobs.keys()].join('\n'), files.join('\n')].join('\u0000');
  const nodes: unknown[] = [pipeline.merged.entries.get('variables'), pipeline.merged.entries.get('workflow'), pipeline.merged.entries.get('default')];
  for (const f of pipeline.files) {
    if (isLibrary(f.uri)) nodes.push(f.parsed);
    else if (f.content.kind === 'map') nodes.push(f.content.entries.get('variables'), f.content.entries.get('include'), f.content.entries.get('workflow'));
    else nodes.push(f.content);
  }
  return { text, nodes };
}

function sameShared(a: SharedKey, b: SharedKey): boolean {
  return a === b || (a.text === b.text && sameNodes(a.nodes as never, b.nodes as never));
}

/** Where a name is written (the parsed files, in the pipeline's order) and its doc comment in each, by text and place relative to the key. */
interface Place {
  files: ParsedFile[];
  docs: string[];
  /** The analysis that last found its comments unchanged (a template's place is shared by every job extending it). */
  checked?: FindingsContext;
  /** A raw `variables:` of the name is a `!reference`: what it stands for is not in the merged node's lineage alone. */
  referencedVariables: boolean;
}

/** One analysis's view for the cache: its parsed files and, per name, where it is written. */
export class FindingsContext {
  private readonly current: Set<ParsedFile>;
  private readonly byUri = new Map<string, LoadedFile>();
  private readonly places = new Map<string, Place>();

  constructor(
    readonly pipeline: ExpandedPipeline,
    readonly shared: SharedKey,
  ) {
    this.current = new Set(pipeline.files.map((f) => f.parsed));
    for (const f of pipeline.files) if (!this.byUri.has(f.uri)) this.byUri.set(f.uri, f);
  }

  /** The doc comment above `name` in `file` (undefined when the file does not write it). */
  private docsIn(file: LoadedFile, name: string): string | undefined {
    if (file.content.kind !== 'map' || !file.content.entries.has(name)) return undefined;
    const ks = file.content.keySpans.get(name);
    if (!ks || ks.uri !== file.uri) return undefined;
    const d = docCommentAt(file.uri, file.parsed, ks.start);
    // Relative to the key: a comment that moved with its key (an edit above both) is the same.
    return d ? `${d.span.start - ks.start}:${d.span.end - ks.start}:${d.text}` : '';
  }

  place(name: string): Place {
    let p = this.places.get(name);
    if (!p) {
      p = { files: [], docs: [], referencedVariables: false };
      for (const f of filesWriting(this.pipeline, name)) {
        const raw = f.content.kind === 'map' ? f.content.entries.get(name) : undefined;
        if (raw?.kind === 'map' && raw.entries.get('variables')?.kind === 'ref') p.referencedVariables = true;
        const docs = this.docsIn(f, name);
        if (docs === undefined) continue;
        p.files.push(f.parsed);
        p.docs.push(docs);
      }
      this.places.set(name, p);
    }
    return p;
  }

  /** The name's doc comments are those of `before`: its files unchanged, or a changed file (same uri) with the same comment. */
  sameComments(name: string, before: Place): boolean {
    if (before.checked === this) return true;
    for (let i = 0; i < before.files.length; i++) {
      const f = before.files[i];
      if (this.current.has(f)) continue;
      const now = this.byUri.get(f.uri);
      if (!now || this.docsIn(now, name) !== before.docs[i]) return false;
      before.files[i] = now.parsed;
    }
    before.checked = this;
    return true;
  }
}

interface Entry<T> {
  shared: SharedKey;
  /** Where the job's key is written: the same object while its block is reused, even moved (yaml/parse.ts). */
  keySpan: Span | undefined;
  /** The job and its extends ancestors (`names`), each with where it was written (`places`). */
  names: string[];
  places: Place[];
  value: T;
}

/** Findings per job, by the job's merged node. */
export class JobFindingsCache<T> {
  private entries = perNode<MapNode, Entry<T>>();
  /** Shared keys of recent analyses: an equal key is replaced by the remembered object, so entries compare it by identity. */
  private recent: SharedKey[] = [];

  /** The remembered shared key equal to `shared`, else `shared` (remembered from now on). */
  canonical(shared: SharedKey): SharedKey {
    const hit = this.recent.find((r) => sameShared(r, shared));
    if (hit) return hit;
    this.recent.unshift(shared);
    if (this.recent.length > 8) this.recent.pop();
    return shared;
  }

  /** The job's findings of an earlier analysis while its inputs are the same; else `compute()`'s, remembered when they can be keyed. */
  get(ctx: FindingsContext, job: JobView, compute: () => T): T {
    const keySpan = ctx.pipeline.merged.keySpans.get(job.name);
    const e = this.entries.get(job.node);
    if (e && e.keySpan === keySpan && e.shared === ctx.shared && this.sameComments(ctx, e)) return e.value;
    const value = compute();
    const names = extendsLineage(ctx.pipeline, job.name);
    const places = names.map((name) => ctx.place(name));
    if (places.some((p) => p.referencedVariables)) return value;
    this.entries.set(job.node, { shared: ctx.shared, keySpan, names, places, value });
    return value;
  }

  private sameComments(ctx: FindingsContext, e: Entry<T>): boolean {
    for (let i = 0; i < e.names.length; i++) if (!ctx.sameComments(e.names[i], e.places[i])) return false;
    return true;
  }
}
