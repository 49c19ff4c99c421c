/** Shapes of values as GitLab's validators see them (Psych types: strings, integers, booleans, nil). */
import { durationProblem } from './duration.js';
import type { MapNode, Node, ScalarNode, SeqNode, Span } from '../model.js';

export const isStr = (n: Node | undefined): n is ScalarNode & { value: string } => n?.kind === 'scalar' && typeof n.value === 'string';
export const isBool = (n: Node | undefined): boolean => n?.kind === 'scalar' && typeof n.value === 'boolean';
export const isInt = (n: Node | undefined): boolean => n?.kind === 'scalar' && typeof n.value === 'number' && Number.isInteger(n.value);
export const isMap = (n: Node | undefined): n is MapNode => n?.kind === 'map';
export const isSeq = (n: Node | undefined): n is SeqNode => n?.kind === 'seq';
export const isNull = (n: Node | undefined): boolean => n?.kind === 'scalar' && n.value === null;
/** An unresolved `!reference` (its own error is reported where it is resolved). */
export const isRef = (n: Node | undefined): boolean => n?.kind === 'ref';

/** Mentions a variable as GitLab's ExpandVariables::VARIABLES_REGEXP sees one: `$VAR`, `${VAR}`, `%VAR%`, `$$`. */
export const hasVariable = (text: string): boolean => /\$\$|\$\{?[a-zA-Z_]\w*\}?|%[a-zA-Z_]\w*%/.test(text);

/** The entries of a `needs:` value: a list's items, or a hash as one need (GitLab wraps it in a list). */
export const needEntries = (v: Node | undefined): Node[] => (isSeq(v) ? v.items : isMap(v) ? [v] : []);

export const str = (n: Node | undefined): string | undefined => (isStr(n) ? n.value : undefined);

/** A list of strings (no nesting). */
export const isStringArray = (n: Node | undefined): boolean => isSeq(n) && n.items.every(isStr);

/** A string or a list of strings. */
export const isStringOrStringArray = (n: Node | undefined): boolean => isStr(n) || isStringArray(n);

/** A string or strings nested in lists up to `depth` levels (GitLab's Commands / stages). */
export function isNestedStrings(n: Node | undefined, depth = 10): boolean {
  if (isStr(n)) return true;
  if (!isSeq(n) || depth === 0) return false;
  return n.items.every((i) => isStr(i) || (isSeq(i) && isNestedStrings(i, depth - 1)));
}

/** A value as Ruby would print it in a message (`false`, `5`, `foo`). */
export function shown(n: Node | undefined): string {
  if (!n) return '';
  if (n.kind === 'scalar') return n.value === null ? '' : String(n.value);
  return n.kind === 'seq' ? '[...]' : n.kind === 'map' ? '{...}' : '!reference';
}

/** Blank like Rails' `blank?`: nil, empty or whitespace string, empty list or hash, false. */
export function isBlank(n: Node | undefined): boolean {
  if (!n) return true;
  if (n.kind === 'scalar') return n.value === null || n.value === false || (typeof n.value === 'string' && n.value.trim() === '');
  if (n.kind === 'seq') return n.items.length === 0;
  if (n.kind === 'map') return n.entries.size === 0;
  return false;
}

/** Truthy as a Ruby value: written, and neither nil nor false. */
export const isTruthy = (n: Node | undefined): boolean => !!n && !(n.kind === 'scalar' && (n.value === null || n.value === false));

/** A duration GitLab parses (a string, or a number of seconds), not longer than `limit` seconds. */
export function isDuration(n: Node | undefined, limit?: number): boolean {
  if (isInt(n)) return limit === undefined || (n as ScalarNode & { value: number }).value <= limit;
  return isStr(n) && durationProblem(n.value, limit) === undefined;
}

/** A same-pipeline need's job name, whether optional, and where it is written (cross-project and cross-pipeline needs: none). */
export function needName(n: Node): { name: string; optional: boolean; span?: Span } | undefined {
  // Blank names and other scalars are the needs entry's own errors.
  if (n.kind === 'scalar') return typeof n.value === 'string' && n.value !== '' ? { name: n.value, optional: false, span: n.span } : undefined;
  if (n.kind === 'map') {
    const job = n.entries.get('job');
    if (job?.kind !== 'scalar') return undefined;
    if (n.entries.has('project') || n.entries.has('pipeline')) return undefined; // cross-project / cross-pipeline
    const optional = n.entries.get('optional');
    return { name: String(job.value ?? ''), optional: optional?.kind === 'scalar' && optional.value === true, span: job.span };
  }
  return undefined;
}
