/** The shapes of a preset variable contract (see variable-contract.ts for how one is built). */
import type { Span } from '../model.js';

export interface ContractVariable {
  name: string;
  required: boolean;
  default?: string;
  description?: string;
  options?: string[];
  /** The strongest reason: a doc comment tag, `${X?msg}`, a vars-check echo, a read without a
   *  default, a rich variable; `read-with-default` / `preset-default` for plain optional ones;
   *  `not-used` for what only templates no job of the consumer's pipeline uses need. */
  why: 'comment' | 'required-expansion' | 'vars-check' | 'read-without-default' | 'rich-variable' | 'read-with-default' | 'preset-default' | 'not-used';
  reads: { job: string; span: Span }[];
  /** The declaration (tag, rich variable key, `${X?…}`, echo) when there is one. */
  declaredAt?: Span;
}

export interface Contract {
  /** Job name or file uri. */
  owner: string;
  variables: ContractVariable[];
}
