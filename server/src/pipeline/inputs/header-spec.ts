/**
 * Keys of the `spec:` header beside `inputs` and `component`: its `description` (Header::Spec, a
 * string of at most 256 characters) and `include` (Header::Includes: files whose inputs the header
 * shares, each a path or a hash of BaseInclude's common keys only — no template, component or inputs).
 */
import { isMap, isScalar, isSeq } from '../model.js';
import type { MapNode, Node, Span } from '../model.js';

/** Header::Include's keys (BaseInclude's COMMON_ALLOWED_KEYS). */
const HEADER_INCLUDE_KEYS = ['local', 'file', 'remote', 'project', 'ref', 'integrity'];

const MAX_DESCRIPTION = 256;

/** A finding: GitLab's `location message` (lower-cased by its Validator) and where it sits. */
export type HeaderFinding = { location: string; message: string; span: Span | undefined };

export function headerSpecProblems(spec: MapNode): HeaderFinding[] {
  const out: HeaderFinding[] = [];
  const description = spec.entries.get('description');
  if (description && !(isScalar(description) && description.value === null)) {
    const span = description.span ?? spec.keySpans.get('description');
    if (!(isScalar(description) && typeof description.value === 'string')) out.push({ location: 'header:spec', message: 'config description should be a string', span });
    else if ([...description.value].length > MAX_DESCRIPTION) out.push({ location: 'header:spec', message: `config description is too long (maximum is ${MAX_DESCRIPTION} characters)`, span });
  }
  const include = spec.entries.get('include');
  if (include) out.push(...includeProblems(include, spec.keySpans.get('include')));
  return out;
}

function includeProblems(include: Node, keySpan: Span | undefined): HeaderFinding[] {
  const loc = 'header:spec:include';
  if (isScalar(include) && typeof include.value === 'string') return [];
  if (!isSeq(include)) return [{ location: loc, message: 'config should be an array or a string', span: include.span ?? keySpan }];
  const out: HeaderFinding[] = [];
  for (const item of include.items) {
    // Each entry is a ComposableArray child: its location is `…:include:include`.
    if (isScalar(item) && typeof item.value === 'string') continue;
    if (!isMap(item)) {
      out.push({ location: `${loc}:include`, message: 'config should be a hash or a string', span: item.span });
      continue;
    }
    for (const k of item.entries.keys()) {
      if (!HEADER_INCLUDE_KEYS.includes(k)) out.push({ location: `${loc}:include`, message: `config contains unknown keys: ${k}`, span: item.keySpans.get(k) ?? item.span });
    }
  }
  return out;
}
