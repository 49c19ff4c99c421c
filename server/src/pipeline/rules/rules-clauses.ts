/**
 * The pieces `rules:` and `only`/`except` are made of, evaluated the way GitLab's
 * `Gitlab::Ci::Build::Rules::Rule::Clause::*` and `Gitlab::Ci::Build::Policy::*` do:
 * variable collections, `if:` expressions, `changes:` and `exists:` globs. Pure.
 */
import { evaluateExpression } from '../expressions/expressions.js';
import { globToRegExp } from '../includes/glob.js';
import type { Node, Span } from '../model.js';
import type { SimulatedContext } from './simulated-context.js';
import { expandVariables } from '../variables/variable-expansion.js';

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

/** A `variables:` map as name → value (`{value: x}` forms read through; `null` = ""). */
export function variablesOf(n: Node | undefined, raw?: Set<string>): Vars {
  const out: Vars = {};
  if (n?.kind !== 'map') return out;
  for (const [k, v] of n.entries) {
    if (v.kind === 'scalar') out[k] = v.value === null ? '' : String(v.value);
    else if (v.kind === 'map') {
      const value = v.entries.get('value');
      out[k] = value?.kind === 'scalar' && value.value !== null ? String(value.value) : '';
      const expand = v.entries.get('expand');
      if (raw && expand?.kind === 'scalar' && expand.value === false) raw.add(k);
    }
  }
  return out;
}

const MAX_EXPANSION_PASSES = 10;

/**
 * Values that refer to other variables (`MAIN: $CI_DEFAULT_BRANCH`) expanded through the
 * collection, as GitLab does before evaluating rules (since 18.5 for `if:`): references to
 * unknown variables stay as written, `$$` stays, variables with `expand: false` are left alone.
 */
export function expandCollection(vars: Vars, raw: ReadonlySet<string> = new Set()): Vars {
  let cur = vars;
  for (let pass = 0; pass < MAX_EXPANSION_PASSES; pass++) {
    let changed = false;
    const next: Vars = { ...cur };
    for (const [k, v] of Object.entries(cur)) {
      if (raw.has(k) || !v.includes('$')) continue;
      const e = expandVariables(v, cur, { keepUndefined: true, dollarEscape: 'keep' });
      if (e !== v) {
        next[k] = e;
        changed = true;
      }
    }
    cur = next;
    if (!changed) break;
  }
  return cur;
}

/**
 * Does `changes` hold? GitLab knows the changed files only for push and merge request pipelines
 * on an existing branch; for tags, schedules, web/API/trigger runs and new branches every
 * `changes:` clause is true.
 */
export function changesClause(node: Node, vars: Vars, ctx: SimulatedContext, facts: FileFacts): ClauseResult {
  const source = ctx.source ?? 'push';
  const knowable = !ctx.tag && (source === 'push' || source === 'merge_request_event');
  const changed = facts.changedPaths;
  if (!knowable || changed === undefined || changed === 'unknown') {
    return { value: true, assumed: knowable ? 'changed files unknown: treated as changed, like a new branch' : `changes: is always true for ${ctx.tag ? 'tag' : source} pipelines` };
  }
  const globs = node.kind === 'map' ? strings(node.entries.get('paths')) : strings(node);
  return { value: matchesAny(globs, vars, changed) };
}

/** Does `exists` hold? Globs are matched against the file list of the project. */
export function existsClause(node: Node, vars: Vars, facts: FileFacts): ClauseResult {
  const otherProject = node.kind === 'map' && node.entries.has('project');
  const globs = node.kind === 'map' ? strings(node.entries.get('paths')) : strings(node);
  if (otherProject || !facts.files) {
    return { value: true, assumed: otherProject ? 'exists: in another project cannot be checked: treated as true' : 'file list unknown: exists: treated as true' };
  }
  return { value: matchesAny(globs, vars, facts.files) };
}

function matchesAny(globs: string[], vars: Vars, paths: readonly string[]): boolean {
  const res = globs.map((g) => globToRegExp(expandVariables(g, vars, { keepUndefined: true }).replace(/^\.?\/+/, '')));
  return paths.some((p) => {
    const path = p.replace(/^\.?\/+/, '');
    return res.some((re) => re.test(path));
  });
}

/** An `if:` clause (also `only:variables` entries). A syntax error is an error and does not match. */
export function ifClause(node: Node, vars: Vars): ClauseResult {
  const expr = scalarString(node);
  if (expr === undefined) return { value: false, error: { message: 'rules:if must be a string', span: node.span } };
  const r = evaluateExpression(expr, vars);
  if (!r.ok) return { value: false, error: { message: `invalid expression syntax in \`${expr}\`: ${r.error}`, span: node.span } };
  return { value: r.value };
}
