/**
 * `spec:inputs` and `$[[ ... ]]` interpolation, the way GitLab does it when it loads a file
 * (Gitlab::Ci::Config::Interpolation::Interpolator, before the file's includes are read):
 *
 * 1. A file without a `spec:` header is not interpolated (`$[[ ]]` stays as written); giving it
 *    inputs is an error.
 * 2. The header is validated (`spec:` keys, each input's keys and their types).
 * 3. The given inputs are checked against the declared ones: unknown names, missing required
 *    values, type / `options` / `regex` of the given values and of the defaults.
 * 4. Every string of the content document, mapping keys included, is scanned for blocks
 *    `$[[ inputs.NAME | fn | fn(args) ]]` / `$[[ component.FIELD ]]`. A block that is the whole
 *    string takes the value with its type (number, boolean, array, ...); an array replacing a
 *    whole sequence item is spliced into that sequence; blocks inside a longer string are
 *    replaced by the value's Ruby `to_s` (arrays and hashes as Ruby's `inspect`). Replacement
 *    values are not scanned again. `!reference` tags are opaque to interpolation (GitLab keeps
 *    them as tag objects at this stage).
 *
 * GitLab stops at the first failing step and rejects the file. Here every problem becomes a
 * diagnostic with a span, and the interpolation goes on as far as it can: a block that cannot be
 * evaluated (unknown key, failing function, missing required input) stays as written.
 * Nothing here throws on user input.
 *
 * Homes: input-spec.ts (steps 1-3: the header, InputSpec, the given inputs), interpolation.ts
 * (step 4: blocks, the interpolator, access paths), interpolation-functions.ts (`| fn`),
 * ruby-format.ts (`to_s` / `inspect`), re2.ts (`regex:`). This file runs the steps and
 * re-exports their public names, so everything stays importable from here.
 */
import { analyzeHeader, componentEntries, resolveInputs } from './input-spec.js';
import type { InterpolationContext, Report } from './input-spec.js';
import { Interpolator } from './interpolation.js';
import type { MapNode, Node, PipelineDiagnostic } from '../model.js';

export { COMPONENT_FIELDS, INPUT_TYPES, MAX_INPUT_OPTIONS, readInputSpecs } from './input-spec.js';
export type { ComponentContext, InputSpec, InterpolationContext } from './input-spec.js';
export {
  findInterpolationBlocks,
  MAX_ACCESS_ARRAY_DEPTH,
  MAX_ACCESS_BYTESIZE,
  MAX_ACCESS_OBJECTS,
  MAX_BLOCKS,
  MAX_FUNCTIONS,
  MAX_NODE_SIZE,
  MAX_NODES,
} from './interpolation.js';
export type { InterpolationBlock } from './interpolation.js';
export { rubyInspect, rubyToS } from '../yaml/ruby-format.js';
/** The matcher of an RE2 pattern or undefined (re2.ts's `re2RegExp`, under its former name here). */
export { re2RegExp as compileRe2 } from '../expressions/re2.js';

/** How many error messages GitLab reports for one file's inputs and interpolation. */
const MAX_INPUT_ERRORS = 3;

/**
 * The diagnostics of one file's interpolation as GitLab reports them when it rejects the file:
 * its first three error messages (Interpolator#error_message); warnings and infos all kept.
 */
export function firstInputErrors(diagnostics: readonly PipelineDiagnostic[]): PipelineDiagnostic[] {
  const messages = new Set<string>();
  return diagnostics.filter((d) => {
    if (d.severity !== 'error' || messages.has(d.message)) return true;
    if (messages.size >= MAX_INPUT_ERRORS) return false;
    messages.add(d.message);
    return true;
  });
}

/** Checks a file's `spec:` header against the given inputs and interpolates its content. Never throws. */
export function interpolateFile(
  file: { header?: MapNode; content: Node; uri: string; text?: string },
  ctx: InterpolationContext,
): { content: Node; diagnostics: PipelineDiagnostic[] } {
  const diagnostics: PipelineDiagnostic[] = [];
  try {
    return { content: run(file, ctx, diagnostics), diagnostics };
  } catch (e) {
    // Defensive: a bug here must not take the whole pipeline down.
    diagnostics.push({
      severity: 'error',
      code: 'interpolation-internal',
      message: `Internal error during inputs interpolation: ${(e as Error)?.message ?? String(e)}`,
      span: ctx.includeSpan,
    });
    return { content: file.content, diagnostics };
  }
}

function run(file: { header?: MapNode; content: Node; uri: string; text?: string }, ctx: InterpolationContext, diagnostics: PipelineDiagnostic[]): Node {
  const seen = new Set<string>();
  const report: Report = (severity, code, message, span, data) => {
    const key = `${code}\0${message}\0${span.uri}\0${span.start}\0${span.end}`;
    if (seen.has(key)) return;
    seen.add(key);
    const d: PipelineDiagnostic = { severity, code, message, span };
    if (data) d.data = data;
    diagnostics.push(d);
  };
  const given = ctx.given;
  const givenNames = given ? [...given.entries.keys()] : [];

  if (!file.header) {
    if (givenNames.length > 0) {
      report('error', 'input-no-spec', 'Given inputs not defined in the `spec` section of the included configuration file', given?.span ?? ctx.includeSpan, {
        inputs: givenNames,
      });
    }
    return file.content;
  }

  // GitLab stops at the first step with errors (the header, then the given inputs, then the
  // blocks): a later step still runs here, for its values, but its errors are not GitLab's.
  let failedStep = false;
  const step: Report = (severity, ...rest) => {
    if (severity === 'error' && failedStep) return;
    report(severity, ...rest);
  };
  const endStep = () => {
    failedStep ||= diagnostics.some((d) => d.severity === 'error');
  };
  const headerSpan = file.header.span ?? { uri: file.uri, start: 0, end: 0 };
  const header = analyzeHeader(file.header, step, headerSpan);
  endStep();
  const inputs = resolveInputs(header, ctx, step);
  endStep();
  const component = componentEntries(header, ctx);
  const interpolator = new Interpolator({
    inputs,
    component,
    componentDeclared: header.component !== undefined,
    externalInputs: header.externalInputs,
    declared: header.inputs.map((d) => d.name),
    fnEnv: { variables: ctx.variables },
    report: step,
    uri: file.uri,
    text: file.text,
    includeSpan: ctx.includeSpan,
  });
  return interpolator.run(file.content);
}
