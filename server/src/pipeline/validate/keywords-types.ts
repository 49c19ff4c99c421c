/**
 * The shapes of the keyword table (keywords.ts) and of the `data` that validation diagnostics carry
 * for quick-fixes.
 */

export interface KeywordSpec {
  name: string;
  /** One line in our words. */
  doc: string;
  /** The values the keyword accepts, when it is a fixed set (text form, as written in YAML). */
  values?: readonly string[];
  /** The shape its value usually takes, to shape inserted text (`key: ` vs `key:\n  `). */
  shape?: 'map' | 'seq' | 'scalar';
  /** Anchor path in the keyword reference, e.g. `artifacts:expire_in` (defaults to entry path + name). */
  docPath?: string;
  /** A docs page of its own, for a keyword the keyword reference does not describe. */
  url?: string;
}

/** Every mapping GitLab validates, by the name of its entry. */
export type EntryId =
  | 'root' | 'job' | 'bridge' | 'default' | 'workflow' | 'workflow-rule' | 'auto-cancel'
  | 'include' | 'include-rule' | 'rule' | 'rule-changes' | 'rule-exists' | 'only-except'
  | 'artifacts' | 'reports' | 'coverage-report' | 'cache' | 'cache-key' | 'image' | 'service'
  | 'executor-docker' | 'executor-kubernetes' | 'retry' | 'allow-failure' | 'environment'
  | 'kubernetes' | 'need' | 'trigger' | 'trigger-include' | 'trigger-forward' | 'inherit'
  | 'parallel' | 'release' | 'release-assets' | 'release-link' | 'variable' | 'job-variable'
  | 'hooks' | 'id-token' | 'secret' | 'dast-configuration' | 'pages' | 'spec' | 'input';

export interface EntrySpec {
  id: EntryId;
  /** Where the entry sits, for docs anchors: `artifacts`, `rules`, `environment:kubernetes`. */
  docPath: string;
  keys: readonly KeywordSpec[];
}

export const k = (name: string, doc: string, shape?: KeywordSpec['shape'], values?: readonly string[], docPath?: string): KeywordSpec =>
  ({ name, doc, shape, values, docPath });

// ---------------------------------------------------------------------------------------------
// The `data` of validation diagnostics that quick-fixes read (PipelineDiagnostic.data).

/** `code: 'unknown-keys'`: keys the entry does not allow. Fix: change a key to a close allowed one. */
export interface UnknownKeysData {
  kind: 'unknown-keys';
  entry: EntryId;
  /** The unknown keys, in the order written. */
  keys: string[];
  /** Every key the entry allows. */
  allowed: string[];
}

/** `code: 'invalid-value'`: a value outside the keyword's fixed set. Fix: one action per allowed value. */
export interface InvalidValueData {
  kind: 'invalid-value';
  entry: EntryId;
  keyword: string;
  /** The value as written (text form). */
  value: string;
  allowed: string[];
}

/** `code: 'start-in-without-delayed'`: `start_in` on a job whose `when` is not `delayed`. Fix: add `when: delayed`. */
export interface StartInWithoutDelayedData {
  kind: 'start-in-without-delayed';
  /** The job's `when`, when it has one (the fix replaces it). */
  when?: string;
}

/** `code: 'rules-with-only-except'`: `rules` and `only`/`except` in one job. No automatic fix. */
export interface RulesWithOnlyExceptData {
  kind: 'rules-with-only-except';
  /** The keys that cannot stay with `rules` (`only`, `except`, `start_in` ...). */
  keys: string[];
  /** What the message advises to keep. */
  keep: 'rules';
}

export type ValidationData = UnknownKeysData | InvalidValueData | StartInWithoutDelayedData | RulesWithOnlyExceptData;
