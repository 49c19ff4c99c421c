/**
 * The tree of a GitLab CI/CD expression, as expression-parser.ts builds it and expression-eval.ts
 * evaluates it (its own module, so the two do not import each other).
 */
import type { Re2Pattern } from './re2.js';

export type BinaryOperator = '==' | '!=' | '=~' | '!~' | '&&' | '||';

interface NodeBase {
  /** Offsets into the expression (parentheses are not part of any node, as in GitLab). */
  start: number;
  end: number;
}

export interface VariableNode extends NodeBase {
  type: 'variable';
  name: string;
  braced: boolean;
}
export interface InputNode extends NodeBase {
  type: 'input';
  name: string;
}
export interface StringNode extends NodeBase {
  type: 'string';
  value: string;
}
export interface RegexNode extends NodeBase {
  type: 'regex';
  /** The literal as written, e.g. `/^v\/\d+/i`. */
  raw: string;
  /** The RE2 pattern GitLab compiles, e.g. `(?i)^v/\d+`. */
  pattern: string;
  /** The compiled pattern; undefined when it is valid RE2 the port cannot run (`\C`). */
  regex?: Re2Pattern;
  /** Why `regex` is missing. */
  unsupported?: string;
}
export interface NullNode extends NodeBase {
  type: 'null';
}
export interface BooleanNode extends NodeBase {
  type: 'boolean';
  value: boolean;
}
export interface NotNode extends NodeBase {
  type: 'not';
  operand: ExprNode;
  opStart: number;
}
export interface BinaryNode extends NodeBase {
  type: 'binary';
  op: BinaryOperator;
  left: ExprNode;
  right: ExprNode;
  opStart: number;
  opEnd: number;
}

export type ExprNode =
  | VariableNode
  | InputNode
  | StringNode
  | RegexNode
  | NullNode
  | BooleanNode
  | NotNode
  | BinaryNode;

