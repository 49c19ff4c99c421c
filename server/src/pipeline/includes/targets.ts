/** What resolving an `include:` entry works with and yields (locations.ts, components.ts). */
import type { SelfProject } from './self-project.js';
import type { ComponentContext } from '../inputs/inputs.js';
import type { PipelineDiagnostic, Span } from '../model.js';
import type { ProjectLoc, SourceProvider } from '../sources.js';

export type TargetKind = 'local' | 'project' | 'remote' | 'template' | 'component';

/** A file an include entry names, read. */
export interface Target {
  uri: string;
  text: string;
  kind: TargetKind;
  loc: ProjectLoc;
  path: string;
  note?: string;
  component?: ComponentContext;
  /** The location GitLab names the file by in its errors (a component's address). */
  location?: string;
  /** GitLab's message for this file when its text is blank. */
  emptyMessage: string;
}

/** What resolving needs from the include run. */
export interface LocateContext {
  sources: SourceProvider;
  variables: Readonly<Record<string, string | undefined>>;
  selfProject?: SelfProject;
  error(code: string, message: string, span: Span, data?: Record<string, unknown>): void;
  report(d: PipelineDiagnostic): void;
  listFiles(loc: ProjectLoc): Promise<string[] | string>;
}

/** The including file. */
export interface Including {
  loc: ProjectLoc;
  kind: string;
  path: string;
}


/** Whether a source's error says the file is not there (rather than that it could not be asked). */
export const isMissing = (error: string) => /does not exist|not found/i.test(error);
