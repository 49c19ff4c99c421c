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

/** `extends`: the merged entry for an entry's own node, given the merged bases (in order) it was merged from. */
export const extendsResults = perNode<Node, { bases: readonly (Node | undefined)[]; result: MapNode }>();

/** `!reference`: the resolved entry for an entry's node, with every path it looked up and what it found there. */
export interface ReferenceResult {
  result: Node;
  lookups: readonly { path: readonly string[]; target: Node | undefined }[];
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
