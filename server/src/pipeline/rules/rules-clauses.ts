/**
 * The pieces `rules:` and `only`/`except` are made of, evaluated the way GitLab's
 * `Gitlab::Ci::Build::Rules::Rule::Clause::*` and `Gitlab::Ci::Build::Policy::*` do:
 * `if:` expressions, `changes:` and `exists:` globs, over variables already sorted and expanded
 * (rules.ts, through variables/variable-collection.ts). Pure.
 */
import { evaluateExpression } from '../expressions/expressions.js';
import type { Node, Span } from '../model.js';
import type { SimulatedContext } from './simulated-context.js';
import { expandVariables } from '../variables/variable-expansion.js';
import { fnmatch } from './fnmatch.js';

export type Vars = Record<string, string>;

/** What is known about the files of the simulated commit. */
export interface FileFacts {
  /** Paths changed by the push / merge request; `'unknown'` (or absent) = GitLab cannot tell. */
  changedPaths?: readonly string[] | 'unknown';
  /** Every file of the project at the simulated ref (for `exists:`); absent = unknown. */
  files?: readonly string[];
}

/** Outcome of one clause: `assumed` when the answer could not be known and a default was used. */
export interface ClauseResult {
  value: boolean;
  assumed?: string;
  error?: { message: string; span?: Span };
}

/** Scalars of a node (a scalar or a list of scalars), as GitLab stringifies them. */
export function strings(n: Node | undefined): string[] {
  if (!n) return [];
  if (n.kind === 'scalar') return n.value === null ? [] : [String(n.value)];
  if (n.kind === 'seq') return n.items.flatMap(strings);
  return [];
}

export function scalarString(n: Node | undefined): string | undefined {
  return n?.kind === 'scalar' && n.value !== null ? String(n.value) : undefined;
}

/** Items of a list, nested lists flattened (as `!reference [.x, rules]` in a list produces). */
export function flatItems(n: Node | undefined): Node[] {
  if (n?.kind !== 'seq') return [];
  return n.items.flatMap((i) => (i.kind === 'seq' ? flatItems(i) : [i]));
}

/** GitLab's limits on glob comparisons: beyond them the clause is assumed to match. */
export const CHANGES_MAX_COMPARISONS = 50_000;
export const EXISTS_MAX_COMPARISONS = 50_000;

/**
 * Does `changes` hold? GitLab knows the changed files only for push and merge request pipelines
 * on an existing branch; for tags, schedules, web/API/trigger runs and new branches every
 * `changes:` clause is true (with `compare_to:` it diffs against that ref, which the simulation
 * cannot do either). No changed file, or no glob, is false; more than 50,000 path × glob
 * comparisons is true. `expand: false` skips variable expansion (`only:changes` does none).
 */
export function changesClause(node: Node, vars: Vars, ctx: SimulatedContext, facts: FileFacts, expand = true): ClauseResult {
  const source = ctx.source ?? 'push';
  const compareTo = node.kind === 'map' ? scalarString(node.entries.get('compare_to')) : undefined;
  const knowable = !ctx.tag && (source === 'push' || source === 'merge_request_event');
  const changed = facts.changedPaths;
  if (!knowable || changed === undefined || changed === 'unknown') {
    if (compareTo !== undefined) return { value: true, assumed: `changes:compare_to: the diff against ${compareTo} is unknown: treated as changed` };
    return { value: true, assumed: knowable ? 'changed files unknown: treated as changed, like a new branch' : `changes: is always true for ${ctx.tag ? 'tag' : source} pipelines` };
  }
  const globs = [...new Set(expandGlobs(node.kind === 'map' ? strings(node.entries.get('paths')) : strings(node), expand ? vars : undefined))];
  if (!changed.length || !globs.length) return { value: false };
  if (expand && changed.length * globs.length > CHANGES_MAX_COMPARISONS) {
    return { value: true, assumed: `more than ${CHANGES_MAX_COMPARISONS} changes: comparisons: GitLab assumes a match` };
  }
  return { value: changed.some((p) => globs.some((g) => fnmatch(g, p))) };
}

/**
 * Does `exists` hold? Globs are matched against the file list of the project (only its top-level
 * files when no glob has a `/` or `**`): a glob without wildcards must name a file (one ending in
 * `/` names a directory with files), `**` + `/*.ext` globs test the extension, and the other globs
 * are assumed to match when files × globs exceeds 50,000. No glob at all is false.
 */
export function existsClause(node: Node, vars: Vars, facts: FileFacts): ClauseResult {
  const otherProject = node.kind === 'map' && node.entries.has('project');
  const globs = expandGlobs(node.kind === 'map' ? strings(node.entries.get('paths')) : strings(node), vars);
  if (!globs.length) return { value: false };
  if (otherProject || !facts.files) {
    return { value: true, assumed: otherProject ? 'exists: in another project cannot be checked: treated as true' : 'file list unknown: exists: treated as true' };
  }
  const topLevelOnly = globs.every((g) => !g.includes('/') && !g.includes('**'));
  const files = topLevelOnly ? facts.files.filter((f) => !f.includes('/')) : facts.files;
  const exact = globs.filter((g) => !/[*?[{]/.test(g));
  const fileSet = new Set(files);
  if (exact.some((g) => (g.endsWith('/') ? files.some((f) => f.startsWith(g)) : fileSet.has(g)))) return { value: true };
  const patterns = globs.filter((g) => /[*?[{]/.test(g));
  const extensions = patterns.filter(isExtensionGlob).map((g) => g.slice(4));
  if (extensions.length && files.some((f) => extensions.some((e) => f.endsWith(e)))) return { value: true };
  const others = patterns.filter((g) => !isExtensionGlob(g));
  if (!others.length) return { value: false };
  if (files.length * others.length > EXISTS_MAX_COMPARISONS) {
    return { value: true, assumed: `more than ${EXISTS_MAX_COMPARISONS} exists: comparisons: GitLab assumes a match` };
  }
  return { value: others.some((g) => files.some((f) => fnmatch(g, f))) };
}

/** `**` + `/*.js`-like globs, which GitLab checks as "the path ends with `.js`". */
function isExtensionGlob(g: string): boolean {
  const rest = g.startsWith('**/*') ? g.slice(4) : g;
  return rest.startsWith('.') && !rest.includes('/') && !/[*?[{]/.test(rest);
}

/** Globs with `$VAR` references expanded (unknown ones stay as written), as GitLab's expand_existing. */
function expandGlobs(globs: string[], vars: Vars | undefined): string[] {
  return vars ? globs.map((g) => expandVariables(g, vars, { keepUndefined: true })) : globs;
}

/** An `if:` clause (also `only:variables` entries). A syntax error is an error and does not match. */
export function ifClause(node: Node, vars: Vars): ClauseResult {
  const expr = scalarString(node);
  if (expr === undefined) return { value: false, error: { message: 'rules:if must be a string', span: node.span } };
  const r = evaluateExpression(expr, vars);
  if (!r.ok) return { value: false, error: { message: `invalid expression syntax in \`${expr}\`: ${r.error}`, span: node.span } };
  return { value: r.value };
}
