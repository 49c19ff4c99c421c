/**
 * The variable contract's findings per job, kept from one analysis to the next
 * (missing-variables.ts): a job's findings depend on its merged node, the raw entries and doc
 * comments of its extends lineage, where its key is written, and on what every job shares — the
 * files and how they were included, the global `variables:`, the known and dotenv variables, the
 * job names. While all of that is the same, the job's findings are reused; an edit re-checks only
 * the jobs it touched (see merge/incremental.ts for the engine's side of the same scheme).
 */
import { docCommentAt, writtenAt } from './contract-facts.js';
import type { ExpandedPipeline } from '../merge/expand.js';
import type { JobView } from '../merge/jobs.js';
import { perNode, sameNodes } from '../merge/incremental.js';
import type { MapNode } from '../model.js';
import { rawJobNodes } from '../variables/variable-definitions.js';

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

/** The raw entries and doc comments of every top-level name (remembered per analysis). */
export function lineageIndex(pipeline: ExpandedPipeline): (name: string) => { raw: MapNode[]; docs: string } {
  const memo = new Map<string, { raw: MapNode[]; docs: string }>();
  const docsOf = (name: string): string => {
    const out: string[] = [];
    for (const { file, start } of writtenAt(pipeline, name)) {
      const d = docCommentAt(file.uri, file.parsed, start);
      if (d) out.push(`${d.span.uri}:${d.span.start}:${d.span.end}:${d.text}`);
    }
    return out.join('\u0000');
  };
  return (name) => {
    let hit = memo.get(name);
    if (!hit) memo.set(name, (hit = { raw: rawJobNodes(pipeline, name), docs: docsOf(name) }));
    return hit;
  };
}

/** The per-job part of the key: compared item by item. */
export interface JobKey {
  strings: string[];
  nodes: MapNode[];
}

/** The per-job part of the key: undefined when the job's findings cannot be keyed (its raw `variables:` is a `!reference`). */
export function jobKey(pipeline: ExpandedPipeline, name: string, lineage: readonly string[], index: ReturnType<typeof lineageIndex>): JobKey | undefined {
  const ks = pipeline.merged.keySpans.get(name);
  const strings = [name, ks ? `${ks.uri}:${ks.start}:${ks.end}` : ''];
  const nodes: MapNode[] = [];
  for (const l of lineage) {
    const { raw, docs } = index(l);
    if (raw.some((n) => n.entries.get('variables')?.kind === 'ref')) return undefined;
    strings.push(l, docs);
    nodes.push(...raw, undefined as never);
  }
  return { strings, nodes };
}

const sameStrings = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((s, i) => s === b[i]);

interface Entry<T> {
  shared: SharedKey;
  key: JobKey;
  value: T;
}

/** Findings per job, by the job's merged node. */
export class JobFindingsCache<T> {
  private entries = perNode<MapNode, Entry<T>>();

  get(job: JobView, shared: SharedKey, key: JobKey): T | undefined {
    const e = this.entries.get(job.node);
    if (!e || !sameShared(e.shared, shared) || !sameStrings(e.key.strings, key.strings) || !sameNodes(e.key.nodes, key.nodes)) return undefined;
    // The next analysis compares with this one's key (the same values, the newest objects).
    e.shared = shared;
    return e.value;
  }

  set(job: JobView, shared: SharedKey, key: JobKey, value: T): void {
    this.entries.set(job.node, { shared, key, value });
  }
}
