/**
 * The last good analysis of each pipeline. Every edit passes through texts that do not parse (`PRO`
 * typed on a new line, an unclosed quote, a tab): an expansion then loses the broken file and all it
 * brought. While a file of a pipeline does not parse, the workspace attaches the last analysis of that
 * pipeline in which every file parsed; diagnostics, completion, hover and the preview answer from it
 * (spans moved onto today's texts: features/shared/moved-spans.ts) next to the syntax error itself.
 * Once the text parses again the fresh analysis is used and nothing of the broken moment is kept.
 */
import type { ExpandedPipeline } from './pipeline/merge/expand.js';
import type { PipelineDiagnostic } from './pipeline/model.js';

/** Parse failures: the codes of a file the engine could not read as YAML (it then brings nothing). */
const PARSE_FAILURES = new Set(['yaml-syntax', 'yaml-too-large', 'yaml-multidoc']);

/** The errors of a pipeline's files that do not parse (empty when every file parses). */
export function syntaxErrors(pipeline: ExpandedPipeline): PipelineDiagnostic[] {
  return pipeline.diagnostics.filter((d) => d.severity === 'error' && PARSE_FAILURES.has(d.code));
}

interface Analysed {
  pipeline: ExpandedPipeline;
  standalone: boolean;
  conditional?: boolean;
  rootUri: string;
}

/** Which pipeline an analysis is of: a folder's root pipeline by its root file, any other (a preset file on its own, a conditional include) by the document. */
export function pipelineKey(a: Analysed, uri: string): string {
  return a.standalone || a.conditional ? uri : a.rootUri;
}

const MAX_REMEMBERED = 50;

/** The last analysis of each pipeline in which every file parsed (at most 50, least recently used dropped). */
export class LastGoodAnalyses<A extends Analysed> {
  private byKey = new Map<string, A>();

  /** Remember `a` when every file it read parses; answer whether it did. */
  record(a: A, uri: string): boolean {
    if (syntaxErrors(a.pipeline).length) return false;
    const key = pipelineKey(a, uri);
    this.byKey.delete(key);
    this.byKey.set(key, a);
    if (this.byKey.size > MAX_REMEMBERED) this.byKey.delete(this.byKey.keys().next().value!);
    return true;
  }

  /** The root pipeline of a folder as it last parsed. */
  root(rootUri: string): A | undefined {
    return this.byKey.get(rootUri);
  }

  /** The last good analysis for a document whose current analysis `a` has a file that does not parse: its own pipeline's, else the one it was last part of on its own. */
  forBroken(a: A, uri: string): A | undefined {
    const good = this.byKey.get(pipelineKey(a, uri)) ?? this.byKey.get(uri);
    return good?.pipeline.files.some((f) => f.uri === uri) ? good : undefined;
  }
}
