/**
 * The shape of a pipeline diff: what a change of the included library does to one consumer's
 * expanded pipeline. Plain data (JSON-serialisable), so the CLI can print it as is and the
 * editor can render it. Every value of the head side keeps the span it was written at.
 */
import type { Span } from '../model.js';

/** One line of a script-like key that was added or removed (`index` into its side's list). */
export interface LineChange {
  op: 'add' | 'remove';
  text: string;
  index: number;
  span?: Span;
}

/** One entry of a map-like key (`variables:`) that was added, removed or changed. */
export interface EntryChange {
  name: string;
  /** Absent when the entry is new. */
  old?: unknown;
  /** Absent when the entry was removed. */
  new?: unknown;
  /** Where the new value is written (the old one when removed). */
  span?: Span;
}

export type KeyChange =
  | { key: string; kind: 'lines'; lines: LineChange[] }
  | { key: string; kind: 'entries'; entries: EntryChange[] }
  | { key: string; kind: 'value'; old?: unknown; new?: unknown; span?: Span };

export interface JobChange {
  job: string;
  keys: KeyChange[];
}

/** A job only one side has; `span` is where its name is written on that side. */
export interface JobPresence {
  job: string;
  span?: Span;
}

/** The simulated pipelines that matter for a release: the default branch, a `v*` tag, a merge request. */
export type ScenarioName = 'default-branch' | 'tag' | 'merge-request';

export interface RunState {
  runs: boolean;
  when: string;
  allowFailure: boolean;
}

/** A job present on both sides whose verdict in a scenario differs. */
export interface RunChange {
  scenario: ScenarioName;
  job: string;
  before: RunState;
  after: RunState;
  /** What decides on the head side (a rule, `only:`, the workflow), as the preview says it. */
  decidedBy: string;
  span?: Span;
}

/** A scenario whose pipeline is created on one side only (workflow:rules, unsatisfiable needs, ...). */
export interface PipelineCreation {
  scenario: ScenarioName;
  before: boolean;
  after: boolean;
  reason: string;
}

export interface DiagnosticEntry {
  code: string;
  message: string;
  span: Span;
}

export interface MissingVariableEntry {
  variable: string;
  jobs: string[];
  neededBy: string;
  description?: string;
  span: Span;
}

export interface PipelineDiff {
  added: JobPresence[];
  removed: JobPresence[];
  changed: JobChange[];
  runs: RunChange[];
  pipelines: PipelineCreation[];
  errors: { added: DiagnosticEntry[]; resolved: DiagnosticEntry[] };
  missingVariables: { added: MissingVariableEntry[]; resolved: MissingVariableEntry[] };
}

/** True when nothing differs. */
export function isEmptyDiff(d: PipelineDiff): boolean {
  return !d.added.length && !d.removed.length && !d.changed.length && !d.runs.length && !d.pipelines.length
    && !d.errors.added.length && !d.errors.resolved.length && !d.missingVariables.added.length && !d.missingVariables.resolved.length;
}
