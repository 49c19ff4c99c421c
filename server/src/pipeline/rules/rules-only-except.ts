/**
 * `only:` / `except:` (GitLab's `Gitlab::Ci::Build::Policy`): a list of refs, or a hash of
 * `refs`, `variables`, `changes`, `kubernetes`. `only` keeps the job when every key it sets has
 * a matching condition; `except` drops it when any key it sets has one. A job with neither
 * (and no `rules:`) gets GitLab's default `only: [branches, tags]` unless the pipeline has
 * `workflow:rules`. Pure.
 */
import { compileRubyRegexLiteral, evaluateExpression } from '../expressions/expressions.js';
import type { Node, Span } from '../model.js';
import type { SimulatedContext } from './simulated-context.js';
import { changesClause, strings } from './rules-clauses.js';
import type { FileFacts, Vars } from './rules-clauses.js';

export interface PolicyResult {
  /** Did the policy match (for `only`: the job may run; for `except`: the job is dropped)? */
  matched: boolean;
  /** The condition that decided (a ref pattern, an expression, a `changes:` list). */
  detail: string;
  span?: Span;
  assumed?: string;
  errors: { message: string; span?: Span }[];
}

/** What GitLab compares refs against for a simulated pipeline. */
export function pipelineRef(ctx: SimulatedContext): { ref: string; tag: boolean; branch: boolean; source: string } {
  const source = ctx.source ?? 'push';
  if (ctx.tag) return { ref: ctx.tag, tag: true, branch: false, source };
  if (source === 'merge_request_event') return { ref: 'refs/merge-requests/1/head', tag: false, branch: false, source };
  return { ref: ctx.branch ?? ctx.defaultBranch ?? 'main', tag: false, branch: true, source };
}

/** GitLab's source name in `only:` keywords: `merge_request_event` reads `merge_request(s)`. */
function sourceKeywords(source: string): string[] {
  const name = source.replace(/_event$/, '');
  const plural = name.endsWith('h') ? `${name}es` : `${name}s`;
  return [name, plural];
}

/**
 * One `only:refs` pattern: a keyword, `/regex/`, or a ref name; `pattern@group/project` limits the
 * project. Like GitLab, the text is split at its first `@` even inside a regex
 * (`/^release/.*$/@group/project`), and a regex or ref name never matches a merge request
 * pipeline (only branch and tag pipelines compare refs).
 */
export function refPatternMatches(pattern: string, ctx: SimulatedContext): boolean {
  const at = pattern.indexOf('@');
  let p = pattern;
  if (at >= 0) {
    const project = pattern.slice(at + 1);
    p = pattern.slice(0, at);
    if (project !== (ctx.projectPath ?? 'group/project')) return false;
  }
  const r = pipelineRef(ctx);
  if (p === 'tags' && r.tag) return true;
  if (p === 'branches' && r.branch) return true;
  if (sourceKeywords(r.source).includes(p)) return true;
  if (!r.branch && !r.tag) return false;
  // A `/regex/flags` pattern is a Ruby-syntax RE2 regexp (UntrustedRegexp::RubySyntax); else a ref name.
  const re = compileRubyRegexLiteral(p);
  if (re.ok) return re.regex.test(r.ref);
  return p === r.ref;
}

const POLICY_KEYS = new Set(['refs', 'variables', 'changes', 'kubernetes']);

/** Evaluate an `only:` or `except:` value. */
export function evaluatePolicy(node: Node, kind: 'only' | 'except', vars: Vars, ctx: SimulatedContext, facts: FileFacts): PolicyResult {
  const errors: PolicyResult['errors'] = [];
  const parts: Array<{ key: string; node: Node }> = [];
  if (node.kind === 'seq' || node.kind === 'scalar') parts.push({ key: 'refs', node });
  else if (node.kind === 'map') {
    for (const [key, value] of node.entries) {
      if (POLICY_KEYS.has(key)) parts.push({ key, node: value });
      else errors.push({ message: `${kind} config contains unknown keys: ${key}`, span: node.keySpans.get(key) ?? node.span });
    }
  }
  const results = parts.map((p) => evaluatePart(p.key, p.node, vars, ctx, facts, errors));
  if (kind === 'only') {
    const failed = results.find((r) => !r.matched);
    if (failed) return { ...failed, errors };
    const last = results[results.length - 1];
    return { matched: true, detail: results.map((r) => r.detail).join(' and ') || 'only: (empty)', span: last?.span ?? node.span, assumed: results.find((r) => r.assumed)?.assumed, errors };
  }
  const hit = results.find((r) => r.matched);
  if (hit) return { ...hit, errors };
  return { matched: false, detail: 'no except: condition matched', span: node.span, errors };
}

function evaluatePart(key: string, node: Node, vars: Vars, ctx: SimulatedContext, facts: FileFacts, errors: PolicyResult['errors']): Omit<PolicyResult, 'errors'> {
  const items = node.kind === 'seq' ? node.items : [node];
  switch (key) {
    case 'refs': {
      for (const item of items) {
        const p = item.kind === 'scalar' && item.value !== null ? String(item.value) : undefined;
        if (p !== undefined && refPatternMatches(p, ctx)) return { matched: true, detail: `refs: ${p}`, span: item.span };
      }
      return { matched: false, detail: `refs: ${strings(node).join(', ') || '(none)'} do not match ${pipelineRef(ctx).ref}`, span: node.span };
    }
    case 'variables': {
      for (const item of items) {
        const expr = item.kind === 'scalar' && item.value !== null ? String(item.value) : '';
        const r = evaluateExpression(expr, vars);
        if (!r.ok) {
          errors.push({ message: `invalid expression syntax in \`${expr}\`: ${r.error}`, span: item.span });
          continue;
        }
        if (r.value) return { matched: true, detail: `variables: ${expr}`, span: item.span };
      }
      return { matched: false, detail: `variables: none of ${strings(node).join(', ')} is true`, span: node.span };
    }
    case 'changes': {
      const r = changesClause(node, vars, ctx, facts, false); // only:changes expands no variables
      return { matched: r.value, detail: `changes: ${strings(node.kind === 'map' ? node.entries.get('paths') : node).join(', ')}`, span: node.span, assumed: r.assumed };
    }
    default: // kubernetes: active — whether a cluster is attached cannot be known here.
      return { matched: true, detail: `kubernetes: ${strings(node).join(', ')}`, span: node.span, assumed: 'kubernetes: cannot be checked: treated as active' };
  }
}
