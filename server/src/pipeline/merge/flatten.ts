/**
 * Where GitLab flattens nested lists, the one home of that rule. Two kinds of entry do it:
 * - `Commands` (`script`, `before_script`, `after_script`, `hooks:pre_get_sources_script`):
 *   nested lists of strings, up to 10 levels deep;
 * - every `ComposableArray` entry, which composes its items from `[@config].flatten` (any
 *   depth; `rules` are first validated to nest at most 10 levels): job and workflow `rules`, `needs` (also `rules:needs`), `cache`, `parallel:matrix`,
 *   `include` and its `rules`, and the `ports` of `image` and of each service.
 * Nested lists elsewhere stay nested. Lists usually nest through `!reference` or a YAML alias
 * (`needs: [!reference [.a, needs], job-x]`), so flattening runs after references, on the
 * merged configuration, before jobs are read: the preview, hover and the CLI's output all see
 * what GitLab composes.
 */
import { changedKeys, deltaFor, perNode } from './incremental.js';
import type { Delta, StageMemory } from './incremental.js';
import { mapNode, seqNode } from '../model.js';
import type { MapNode, Node, SeqNode } from '../model.js';

/** `Commands` flattens nested script lists up to this depth. */
const MAX_COMMANDS_DEPTH = 10;
/**
 * `rules` are lists of hashes or of lists of hashes up to 10 levels (Entry::Rules validates
 * `nested_array_of_hashes_or_arrays` with max_level 10 before composing): deeper lists stay, so
 * validate/ rejects them as GitLab does.
 */
const MAX_RULES_DEPTH = 10;
/** `[@config].flatten` has no depth limit; the YAML loader's depth limit bounds it. */
const UNLIMITED = Number.POSITIVE_INFINITY;

function flattenItems(items: readonly Node[], maxDepth: number, depth = 0, out: Node[] = []): Node[] {
  // Appends in place: spreading a long nested list into push() would overflow the call stack.
  for (const i of items) {
    if (i.kind === 'seq' && depth < maxDepth) flattenItems(i.items, maxDepth, depth + 1, out);
    else out.push(i);
  }
  return out;
}

/** A list with its nested lists spliced in (the same node when nothing nests). */
export function flattenList(node: Node, maxDepth = UNLIMITED): Node {
  if (node.kind !== 'seq' || !node.items.some((i) => i.kind === 'seq')) return node;
  const out: SeqNode = seqNode(flattenItems(node.items, maxDepth), node.span);
  out.via = node.via;
  return out;
}

/** The items of a list as a ComposableArray entry composes them; a non-list is one item. */
export function composedItems(node: Node): readonly Node[] {
  return node.kind === 'seq' ? (flattenList(node) as SeqNode).items : [node];
}

/** A map with some entries replaced (the same node when none changed). */
function withEntries(node: MapNode, change: (key: string, value: Node) => Node): MapNode {
  let entries: Map<string, Node> | undefined;
  for (const [key, value] of node.entries) {
    const next = change(key, value);
    if (next === value) continue;
    entries ??= new Map(node.entries);
    entries.set(key, next);
  }
  if (!entries) return node;
  const out = mapNode(node.span, entries, node.keySpans);
  out.via = node.via;
  return out;
}

function mapItems(node: Node, change: (item: Node) => Node): Node {
  if (node.kind !== 'seq') return node;
  let items: Node[] | undefined;
  node.items.forEach((item, n) => {
    const next = change(item);
    if (next !== item) (items ??= node.items.slice(0, n)).push(next);
    else items?.push(item);
  });
  if (!items) return node;
  const out = seqNode(items, node.span);
  out.via = node.via;
  return out;
}

/** `rules:` as GitLab composes it: flat, and each rule's `needs` flat. */
function composeRules(rules: Node): Node {
  return mapItems(flattenList(rules, MAX_RULES_DEPTH), (rule) => (rule.kind === 'map' ? withEntries(rule, (k, v) => (k === 'needs' ? flattenList(v) : v)) : rule));
}

/** An `image` or a service: its `ports` flat. */
function composeImage(image: Node): Node {
  return image.kind === 'map' ? withEntries(image, (k, v) => (k === 'ports' ? flattenList(v) : v)) : image;
}

/** A job, `default:` or the top-level globals: every key GitLab flattens, flattened. */
function composeKey(key: string, value: Node): Node {
  switch (key) {
    case 'script':
    case 'before_script':
    case 'after_script':
      return flattenList(value, MAX_COMMANDS_DEPTH);
    case 'rules':
      return composeRules(value);
    case 'needs':
    case 'cache':
      return flattenList(value);
    case 'parallel':
      return value.kind === 'map' ? withEntries(value, (k, v) => (k === 'matrix' ? flattenList(v) : v)) : value;
    case 'hooks':
      return value.kind === 'map' ? withEntries(value, (k, v) => (k === 'pre_get_sources_script' ? flattenList(v, MAX_COMMANDS_DEPTH) : v)) : value;
    case 'image':
      return composeImage(value);
    case 'services':
      return mapItems(value, composeImage);
    default:
      return value;
  }
}

/** Composed jobs of earlier expansions, by the job's node (composing is a function of the node alone). */
const composedJobs = perNode<MapNode, MapNode>();

/** A job (or `default:`) with the lists GitLab flattens flattened. */
export function composeJob(job: MapNode): MapNode {
  let out = composedJobs.get(job);
  if (!out) composedJobs.set(job, (out = withEntries(job, composeKey)));
  return out;
}

/**
 * The merged configuration with the lists GitLab flattens flattened: in jobs, `default:`,
 * `workflow:rules`, the deprecated top-level globals and `include:`.
 */
export function composeConfig(doc: MapNode, memory?: StageMemory, given?: Delta): MapNode {
  if (!memory) return withEntries(doc, composeTop);
  // In a session the result is always a map of its own: the stages before update theirs in place.
  const last = memory.compose as { input: MapNode; output: MapNode; run: number } | undefined;
  const changed = last && (deltaFor(given, last) ?? changedKeys(last.input.entries, doc.entries));
  let entries: Map<string, Node>;
  if (!last || !changed) entries = new Map(withEntries(doc, composeTop).entries);
  else {
    // After an edit: the changed keys composed again, the others as they were.
    entries = new Map(last.output.entries);
    for (const key of changed) entries.set(key, composeTop(key, doc.entries.get(key)!));
  }
  const out = mapNode(doc.span, entries, doc.keySpans);
  out.via = doc.via;
  memory.compose = { input: doc, output: out, run: memory.run as number };
  return out;
}

/** One top-level entry as composed. */
function composeTop(key: string, value: Node): Node {
    switch (key) {
      case 'workflow':
        return value.kind === 'map' ? withEntries(value, (k, v) => (k === 'rules' ? composeRules(v) : v)) : value;
      case 'include':
        return flattenList(value);
      case 'variables':
      case 'spec':
      case 'stages':
      case 'types':
        return value;
      case 'image':
      case 'services':
      case 'cache':
      case 'before_script':
      case 'after_script':
        return composeKey(key, value);
      default:
        return value.kind === 'map' ? composeJob(value) : value;
    }
}

/** `stages:` read as a list of names (nested lists spliced in, as for scripts). */
export function flattenStages(node: Node): Node {
  return flattenList(node, MAX_COMMANDS_DEPTH);
}
