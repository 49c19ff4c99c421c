/**
 * References between the inputs of one `spec:inputs` header through their `rules: if:`
 * conditions, checked as GitLab's Header::Inputs::Validator does once every input is composed:
 *
 * - a rule's `if:` may only read inputs the header declares: `rule[N] references undefined
 *   inputs: a, b` (N counts the rules as written, the names in order of first use), on the input
 *   whose rule it is;
 * - the inputs read by rules must not depend on each other in a circle (an input whose rule
 *   reads itself included): one `circular dependency detected`, on the first declared input.
 *
 * An `if:` that does not lex is not looked at here (the rule's own validation reports it), nor
 * a rule that is not a hash or an `if:` that is not a string. Pure: findings are returned.
 */
import { tokenizeExpression } from '../expressions/expressions.js';
import { isMap, isScalar, isSeq } from '../model.js';
import type { Node, Span } from '../model.js';

export interface InputReferenceFinding {
  /** The input whose errors get the message. */
  input: string;
  message: string;
  span?: Span;
}

/** The inputs an `if:` reads, or undefined when it does not lex (GitLab's StatementError). */
function inputsRead(condition: string): string[] | undefined {
  const lexed = tokenizeExpression(condition);
  if (!lexed.ok) return undefined;
  const names: string[] = [];
  for (const t of lexed.tokens) if (t.kind === 'input' && t.name !== undefined && !names.includes(t.name)) names.push(t.name);
  return names;
}

/** Each rule's `if:` (string) with its span, by its index among the rules as written. */
function conditions(rules: Node | undefined): { index: number; condition: string; span?: Span }[] {
  if (!isSeq(rules)) return [];
  const out: { index: number; condition: string; span?: Span }[] = [];
  rules.items.forEach((rule, index) => {
    if (!isMap(rule)) return;
    const cond = rule.entries.get('if');
    if (cond && isScalar(cond) && typeof cond.value === 'string' && cond.value !== '') out.push({ index, condition: cond.value, span: cond.span ?? rule.span });
  });
  return out;
}

/** Undefined references and dependency circles among the given inputs (in declaration order). */
export function inputReferenceProblems(inputs: readonly { name: string; rules?: Node; keySpan?: Span }[]): InputReferenceFinding[] {
  const out: InputReferenceFinding[] = [];
  const declared = new Set(inputs.map((i) => i.name));
  const graph = new Map<string, string[]>();
  for (const input of inputs) {
    const deps: string[] = [];
    for (const { index, condition, span } of conditions(input.rules)) {
      const read = inputsRead(condition);
      if (!read) continue;
      deps.push(...read);
      const undefinedInputs = read.filter((n) => !declared.has(n));
      if (undefinedInputs.length) out.push({ input: input.name, message: `rule[${index}] references undefined inputs: ${undefinedInputs.join(', ')}`, span });
    }
    graph.set(input.name, deps);
  }
  if (inputs.length && hasCycle(graph)) out.push({ input: inputs[0].name, message: 'circular dependency detected', span: inputs[0].keySpan });
  return out;
}

/** A cycle (a node reading itself counts) among the nodes of the graph; edges to unknown nodes end there. */
function hasCycle(graph: Map<string, string[]>): boolean {
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string): boolean => {
    state.set(node, 'open');
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      const s = state.get(next);
      if (s === 'open') return true;
      if (s === undefined && visit(next)) return true;
    }
    state.set(node, 'done');
    return false;
  };
  for (const node of graph.keys()) if (state.get(node) === undefined && visit(node)) return true;
  return false;
}
