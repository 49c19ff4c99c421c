/**
 * The `rules:` of one `spec:inputs` entry, checked as GitLab's Header::Input::Rules does (a list,
 * nested lists flattened; each rule a non-empty hash of `if`, `options` and `default`; a rule with
 * `if:` defines `options` or `default`, the fallback rule defines `options`). Pure: the problems
 * are returned and input-spec.ts reports them with the input's location.
 */
import { isAbsent, isMap, isScalar, isSeq } from '../model.js';
import type { Node, ScalarNode, Span } from '../model.js';

/** GitLab's limit on an input's `options:` (also per rule). */
export const MAX_INPUT_OPTIONS = 50;

export interface InputRuleProblem {
  /** True when the problem is one rule's (`…:rules:rule`), false for the list's (`…:rules`). */
  rule: boolean;
  message: string;
  span: Span;
}

const RULE_KEYS = ['if', 'options', 'default'];


export function inputRuleProblems(rules: Node, span: Span): InputRuleProblem[] {
  if (!isSeq(rules)) return [{ rule: false, message: 'config should be an array', span }];
  const out: InputRuleProblem[] = [];
  const flat = (n: Node): Node[] => (isSeq(n) ? n.items.flatMap(flat) : [n]);
  for (const rule of flat(rules)) {
    const at = rule.span ?? span;
    if (isAbsent(rule)) continue;
    if (isMap(rule) && rule.entries.size === 0) {
      out.push({ rule: true, message: "config can't be blank", span: at });
      continue;
    }
    if (!isMap(rule)) {
      out.push({ rule: true, message: 'config should be a hash', span: at });
      continue;
    }
    const cond = rule.entries.get('if');
    const options = rule.entries.get('options');
    const problems: [string, Span][] = [...rule.entries.keys()].filter((k) => !RULE_KEYS.includes(k)).map((k) => [`config contains unknown keys: ${k}`, rule.keySpans.get(k) ?? at]);
    if (!isAbsent(cond) && !(isScalar(cond!) && typeof (cond as ScalarNode).value === 'string')) problems.push(['if should be a string', cond!.span ?? at]);
    if (!isAbsent(options) && !isSeq(options!)) problems.push(['options should be an array', options!.span ?? at]);
    // The rule's own checks run only when the shape is right.
    if (!problems.length) {
      const hasIf = !isAbsent(cond);
      if (isSeq(options) && options.items.length > MAX_INPUT_OPTIONS) problems.push([`config cannot define more than ${MAX_INPUT_OPTIONS} options`, options.span ?? at]);
      if (hasIf && isAbsent(options) && !rule.entries.has('default')) problems.push(["config rule with 'if' must define 'options' or 'default'", at]);
      if (!hasIf && isAbsent(options)) problems.push(["config fallback rule must define 'options'", at]);
    }
    for (const [message, where] of problems) out.push({ rule: true, message, span: where });
  }
  return out;
}
