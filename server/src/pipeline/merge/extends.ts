/**
 * `extends:` resolution, as GitLab's Extendable does it on the merged top-level hash (after
 * includes, before !reference): every top-level entry holding `extends` gets its bases
 * (themselves extended first) deep-merged in order, then itself on top. The `extends` key stays.
 */
import { mergeInto } from './merge.js';
import { changedKeys, deltaFor, extendsResults, forgetAfter } from './incremental.js';
import type { Delta, StageMemory } from './incremental.js';
import { mapNode } from '../model.js';
import { rubyInspect, rubySymbolInspect, rubyToS } from '../yaml/ruby-format.js';
import type { MapNode, Node, PipelineDiagnostic, Span } from '../model.js';

/** GitLab's Extendable::Entry::MAX_NESTING_LEVELS. */
export const MAX_EXTENDS_NESTING = 10;

export interface ExtendsResult {
  doc: MapNode;
  diagnostics: PipelineDiagnostic[];
  /** For every extended entry: its bases in merge order (direct parents only). */
  parents: Map<string, string[]>;
}

/**
 * The bases an `extends:` value names, as GitLab reads them: `Array(value).map(&:to_s)` — null
 * names none, a scalar one, a list each item (a nested list or hash by its Ruby `inspect`), a hash
 * each of its pairs (`[:key, "value"]`); names that match no key are then unknown.
 */
export function extendsNames(value: Node | undefined): { name: string; span?: Span }[] {
  if (!value) return [];
  if (value.kind === 'scalar') return value.value === null ? [] : [{ name: rubyToS(value), span: value.span }];
  if (value.kind === 'seq') return value.items.map((i) => ({ name: rubyToS(i), span: i.span }));
  if (value.kind === 'map') return [...value.entries].map(([k, v]) => ({ name: `[${rubySymbolInspect(k)}, ${rubyInspect(v)}]`, span: value.keySpans.get(k) ?? value.span }));
  return [{ name: '', span: value.span }];
}

interface LastRun {
  input: MapNode;
  result: ExtendsResult;
  run?: number;
  /** The entries extending each entry directly (the same while no `extends:` changes). */
  children: Map<string, string[]>;
}

/**
 * `memory`: where the pipeline's last run is kept, so the next one redoes only what changed;
 * `changed`: the top-level keys whose value changed since then, when the stage before knows them.
 * The result then says which entries were extended again (`changed`).
 */
export function applyExtends(doc: MapNode, memory?: StageMemory, changed?: Delta): ExtendsResult & { changed?: Delta } {
  const last = memory?.extends as LastRun | undefined;
  const inc = last && extendChanged(doc, last, deltaFor(changed, last));
  // A run that updated the last result in place and then ran in full: the stages after it must not compare with what they saw.
  if (inc === false && memory) forgetAfter(memory, 'extends');
  const result = inc ? inc.result : extendAll(doc);
  if (memory) memory.extends = { input: doc, result, children: inc ? last!.children : childrenOf(result.parents), run: memory.run as number } satisfies LastRun;
  return { ...result, changed: inc && changed ? { keys: inc.dirty, since: changed.since } : undefined };
}

function childrenOf(parents: Map<string, string[]>): Map<string, string[]> {
  const children = new Map<string, string[]>();
  for (const [key, bases] of parents) {
    for (const b of bases) {
      const list = children.get(b);
      if (list) list.push(key);
      else children.set(b, [key]);
    }
  }
  return children;
}

/** Every entry extended: GitLab's walk over the merged top-level hash. */
function extendAll(doc: MapNode): ExtendsResult {
  const run = extender(doc, new Map(doc.entries), new Map(), () => false);
  for (const key of doc.entries.keys()) run.extend(key, []);
  return run.result();
}

/**
 * After an edit: only the entries that changed since the last run (the same keys in the same
 * order, a few values new) and the entries whose extends chain holds one of them are extended
 * again; every other entry keeps its result. Falls back to the full walk (undefined) whenever the
 * outcome could differ from it in more than values: any `extends` finding now or before, a changed
 * entry whose `extends:` names other bases, or one that starts or stops extending.
 */
function extendChanged(doc: MapNode, last: LastRun, given: Set<string> | undefined): { result: ExtendsResult; dirty: Set<string> } | false | undefined {
  const previous = last.result;
  if (previous.diagnostics.length) return undefined;
  const changed = given ?? changedKeys(last.input.entries, doc.entries);
  if (!changed) return undefined;
  // The changed entries extend what they extended (or nothing, as before).
  for (const key of changed) {
    const v = doc.entries.get(key)!;
    const names = v.kind === 'map' && v.entries.has('extends') ? extendsNames(v.entries.get('extends')).map((b) => b.name) : undefined;
    const was = previous.parents.get(key);
    if (!names !== !was || (names && (names.length !== was!.length || names.some((n, i) => n !== was![i])))) return undefined;
  }
  // The changed entries and every entry that extends one of them, however far down.
  const dirty = new Set(changed);
  for (const key of dirty) for (const child of last.children.get(key) ?? []) dirty.add(child);
  // The last result's entries are this stage's own map: brought up to date in place (told what changed, the next stage does not compare).
  const entries = previous.doc.entries;
  for (const key of dirty) entries.set(key, doc.entries.get(key)!);
  // The parents are those of the last run (no `extends:` changed): that map is kept, the walk's own is dropped.
  const run = extender(doc, entries, new Map(), (key) => !dirty.has(key));
  for (const key of doc.entries.keys()) if (dirty.has(key)) run.extend(key, []);
  const result = run.result();
  if (result.diagnostics.length) return false;
  return { result: { ...result, parents: previous.parents }, dirty };
}

/**
 * The walk itself over `entries` (the entries as given, replaced by their results as they are
 * extended); `settled(key)`: the entry's value in `entries` is already its result.
 */
function extender(doc: MapNode, entries: Map<string, Node>, parents: Map<string, string[]>, settled: (key: string) => boolean) {
  const diagnostics: PipelineDiagnostic[] = [];
  const done = new Map<string, Node>();
  const failed = new Set<string>();

  const fallbackSpan = (key: string): Span => doc.keySpans.get(key) ?? doc.span ?? { uri: '', start: 0, end: 0 };
  const report = (key: string, code: string, message: string, span: Span | undefined, data?: Record<string, unknown>) => {
    diagnostics.push({ severity: 'error', code, message: `${key}: ${message}`, span: span ?? fallbackSpan(key), data });
  };

  const extend = (key: string, ancestors: string[]): Node | undefined => {
    if (settled(key)) return entries.get(key);
    const cached = done.get(key);
    if (cached) return cached;
    const value = entries.get(key);
    if (!value || value.kind !== 'map' || !value.entries.has('extends')) return value;
    if (failed.has(key)) return value;
    // The same entry over the same merged bases as in an earlier expansion: the same result. The
    // bases being the same objects means the chain is written as it was, so it passed the checks below.
    const earlier = extendsResults.get(value);
    if (earlier && !ancestors.includes(key)) {
      let same = true;
      ancestors.push(key);
      for (let i = 0; i < earlier.names.length && same; i++) same = entries.has(earlier.names[i]) && extend(earlier.names[i], ancestors) === earlier.bases[i];
      ancestors.pop();
      if (same) {
        parents.set(key, earlier.names);
        done.set(key, earlier.result);
        entries.set(key, earlier.result);
        return earlier.result;
      }
    }
    const extendsNode = value.entries.get('extends')!;
    const bases = extendsNames(extendsNode);
    const unknown = bases.filter((b) => !entries.has(b.name));
    if (unknown.length) {
      // GitLab's one message names them all; each name written gets it, placed on that name (a quick-fix per name).
      const message = `unknown keys in \`extends\` (${unknown.map((u) => u.name).join(', ')})`;
      for (const u of unknown) report(key, 'extends-unknown', message, u.span ?? extendsNode.span, { name: u.name });
      failed.add(key);
      return value;
    }
    const invalid = bases.filter((b) => entries.get(b.name)?.kind !== 'map');
    if (invalid.length) {
      report(key, 'extends-invalid-base', `invalid base hashes in \`extends\` (${invalid.map((b) => b.name).join(', ')})`, invalid[0].span ?? extendsNode.span);
      failed.add(key);
      return value;
    }
    if (ancestors.length === 0 && extensibleDepth(key) > MAX_EXTENDS_NESTING) {
      // GitLab raises at the entry with more than MAX_EXTENDS_NESTING ancestors, and names it.
      report(tooDeepEntry(key), 'extends-too-deep', 'nesting too deep in `extends`', extendsNode.span, { entry: key });
      failed.add(key);
      return value;
    }
    if (ancestors.includes(key)) {
      report(key, 'extends-cycle', 'circular dependency detected in `extends`', extendsNode.span, { chain: [...ancestors, key] });
      failed.add(key);
      return value;
    }
    const resolvedBases = bases.map((base) => extend(base.name, [...ancestors, key]));
    parents.set(key, bases.map((b) => b.name));
    // The bases and the entry itself merged in order into one new map (no copy per step).
    const result = mapNode(value.span);
    bases.forEach((base, i) => {
      const resolved = resolvedBases[i];
      if (resolved?.kind === 'map') mergeInto(result, resolved, { kind: 'extends', name: base.name, span: base.span });
    });
    mergeInto(result, value);
    result.span = value.span;
    result.via = value.via;
    extendsResults.set(value, { names: bases.map((b) => b.name), bases: resolvedBases, result });
    done.set(key, result);
    entries.set(key, result);
    return result;
  };

  // GitLab re-walks every chain from each entry: an extensible entry with more than
  // MAX_EXTENDS_NESTING ancestors fails, whatever was extended before.
  const depthMemo = new Map<string, number>();
  const extensibleDepth = (key: string, seen: string[] = []): number => {
    const cached = depthMemo.get(key);
    if (cached !== undefined) return cached;
    const v = doc.entries.get(key);
    if (v?.kind !== 'map' || !v.entries.has('extends') || seen.includes(key)) return -1;
    let d = 0;
    for (const b of extendsNames(v.entries.get('extends'))) d = Math.max(d, 1 + extensibleDepth(b.name, [...seen, key]));
    depthMemo.set(key, d);
    return d;
  };

  /** The first entry down `key`'s chains (bases in order, as GitLab walks them) that has too many ancestors. */
  const tooDeepEntry = (key: string): string => {
    let cur = key;
    for (let level = 0; level < MAX_EXTENDS_NESTING + 1; level++) {
      const v = doc.entries.get(cur) as MapNode;
      const next = extendsNames(v.entries.get('extends')).find((b) => extensibleDepth(b.name) >= MAX_EXTENDS_NESTING - level);
      if (!next) break;
      cur = next.name;
    }
    return cur;
  };

  const result = (): ExtendsResult => {
    const out = mapNode(doc.span, entries, doc.keySpans);
    out.via = doc.via;
    return { doc: out, diagnostics, parents };
  };
  return { extend, result };
}
