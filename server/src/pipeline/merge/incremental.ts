/**
 * Results kept from one expansion to the next, per node: nodes are immutable, parsed files are
 * cached by text and merges share untouched subtrees, so after an edit every job the edit did not
 * touch is made of the same node objects as before. A result computed from a node — and from the
 * results it read (the bases it extends, the `!reference` targets it looked up) — is reused while
 * those are the same objects; anything else is computed again. Keys are weak: what no pipeline
 * holds any more is collected with its results.
 *
 * Later per-job stages (validation of the merged job, its variable contract) plug in with
 * `perNode()`: a result keyed by the job's merged node is right as long as that node is the same.
 */
import type { MapNode, Node } from '../model.js';

/** A weakly keyed cache of results per node. */
export function perNode<K extends object, V>(): { get(key: K): V | undefined; set(key: K, value: V): void } {
  return new WeakMap<K, V>();
}

/** `extends`: the merged entry for an entry's own node, given the merged bases (in order, with their names) it was merged from. */
export const extendsResults = perNode<Node, { names: string[]; bases: readonly (Node | undefined)[]; result: MapNode }>();

/** `!reference`: the resolved entry for an entry's node, with every path it looked up and what it found there. */
export interface ReferenceResult {
  result: Node;
  lookups: readonly { path: readonly string[]; top: Node | undefined; target: Node | undefined }[];
  /** How many values its tags added (the expansion budget). */
  expanded: number;
}
export const referenceResults = perNode<Node, ReferenceResult>();

/**
 * Does a node hold a `!reference` tag; how many values it stands for with shared subtrees counted
 * at each use. Keyed by the node's entries or items: the copies that carry a value further (with
 * one more provenance step) share them, so a template's values are read once for all its users.
 */
export const holdsReference = perNode<object, boolean>();
export const expandedSizes = perNode<object, number>();

/** Same objects, in the same order. */
export function sameNodes(a: readonly (Node | undefined)[], b: readonly (Node | undefined)[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/**
 * The keys of `next` whose value is not the same object as in `prev`, when both hold the same keys
 * in the same order and at most `limit` changed; undefined otherwise (the caller then runs its stage
 * in full). A stage that keeps its previous run compares its inputs this way and redoes only the
 * keys that changed (and what depends on them): one pass of map lookups instead of a pass of work.
 */
export function changedKeys(prev: ReadonlyMap<string, unknown>, next: ReadonlyMap<string, unknown>, limit = Math.max(64, next.size >> 3)): Set<string> | undefined {
  // One map updated in place since (a stage before this one did, and said what changed): nothing to compare.
  if (prev === next || prev.size !== next.size) return undefined;
  const changed = new Set<string>();
  // Without an iterator step and an entry pair per key: this runs over every top-level key per stage per keystroke.
  const keys = Array.from(prev.keys());
  let i = 0;
  let same = true;
  next.forEach((v, k) => {
    if (!same) return;
    if (keys[i++] !== k) same = false;
    else if (prev.get(k) !== v && changed.add(k).size > limit) same = false;
  });
  return same ? changed : undefined;
}

/**
 * What each stage keeps of its last run for one pipeline, for `changedKeys`: stages that are given
 * a memory redo only what changed; without one (the CLI, a one-off expansion) they run in full.
 * Memories live with the caller's parse cache (an editor session), one per root file.
 */
export interface StageMemory {
  [stage: string]: unknown;
}

const memories = new WeakMap<object, Map<string, StageMemory>>();

export function stageMemory(session: object | undefined, pipeline: string): StageMemory | undefined {
  if (!session) return undefined;
  let perPipeline = memories.get(session);
  if (!perPipeline) memories.set(session, (perPipeline = new Map()));
  let memory = perPipeline.get(pipeline);
  if (!memory) {
    perPipeline.set(pipeline, (memory = {}));
    // A session that opens many pipelines keeps the memories of the most recent ones only.
    if (perPipeline.size > 16) perPipeline.delete(perPipeline.keys().next().value!);
  }
  return memory;
}

/**
 * The top-level keys that changed since the pipeline's expansion number `since` (`StageMemory.run`),
 * passed from stage to stage; a stage whose last run was not that expansion ignores it.
 */
export interface Delta {
  keys: Set<string>;
  since: number;
}

/** The keys of `delta` when the stage's last run (`last.run`) is the one they count from. */
export function deltaFor(delta: Delta | undefined, last: { run?: number } | undefined): Set<string> | undefined {
  return delta && last && last.run === delta.since ? delta.keys : undefined;
}

/** The stages in the order they run, for `forgetAfter`. */
const STAGES = ['extends', 'references', 'compose', 'jobs', 'validate', 'crossJob'];

/**
 * A stage that brought its last result up to date in place and then ran in full after all: the
 * stages after it kept that result as what they last saw, so they forget their last run.
 */
export function forgetAfter(memory: StageMemory, stage: string): void {
  for (const later of STAGES.slice(STAGES.indexOf(stage) + 1)) delete memory[later];
}
