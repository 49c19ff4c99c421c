/**
 * The `include:` keyword's shapes → one entry per location: a string (local path or URL), a
 * hash with exactly one of local/project/remote/template/component, or a list of those.
 */
import { composedItems } from '../merge/flatten.js';
import { isScalar, toPlain } from '../model.js';
import { rubyToS } from '../yaml/ruby-format.js';
import type { MapNode, Node, PipelineDiagnostic, Span } from '../model.js';

export type IncludeEntryKind = 'local' | 'project' | 'remote' | 'template' | 'component';

export interface IncludeEntry {
  kind: IncludeEntryKind;
  /** Path, project, URL, template name or component address, as written (variables unexpanded). */
  location: string;
  /** `ref:` of a project include. */
  ref?: string;
  /** `file:` of a project include (one or more). */
  files: string[];
  inputs?: MapNode;
  /** `inputs:` given as something else than a hash (Interpolator: "Given inputs must be a hash"). */
  inputsNotHash?: Span;
  rules?: Node;
  /** The whole entry. */
  span: Span;
  /** The location's value node (for go-to-definition, hover). */
  locationSpan: Span;
  node: Node;
}

const KINDS: IncludeEntryKind[] = ['local', 'project', 'remote', 'template', 'component'];
const VALID = '`local`, `project`, `remote`, `template`, `artifact`, `component`';

function text(n: Node | undefined): string | undefined {
  if (n?.kind === 'scalar' && n.value !== null) return String(n.value);
  return undefined;
}

export function parseIncludeEntries(include: Node, report: (d: PipelineDiagnostic) => void): IncludeEntry[] {
  // `include:` without a value includes nothing (the mapper wraps nil into an empty list).
  if (include.kind === 'scalar' && include.value === null) return [];
  const items = composedItems(include);
  const out: IncludeEntry[] = [];
  const fallback: Span = include.span ?? { uri: '', start: 0, end: 0 };
  for (const item of items) {
    const span = item.span ?? fallback;
    if (item.kind === 'scalar') {
      const loc = text(item);
      if (!loc || !loc.trim()) {
        // A blank string normalizes to `{local: ""}`, which no file class matches (Mapper::Normalizer, Matcher).
        const message = loc === undefined ? 'Include entry is empty' : `\`${JSON.stringify({ local: loc })}\` does not have a valid subkey for include. Valid subkeys are: ${VALID}`;
        report({ severity: 'error', code: 'include-invalid', message, span });
        continue;
      }
      out.push({ kind: /^https?:\/\//i.test(loc) ? 'remote' : 'local', location: loc, files: [], span, locationSpan: span, node: item });
      continue;
    }
    if (item.kind !== 'map') {
      report({ severity: 'error', code: 'include-invalid', message: `\`${describe(item)}\` does not have a valid subkey for include. Valid subkeys are: ${VALID}`, span });
      continue;
    }
    // Mapper::Matcher: a file class matches when its location is present (Rails' `present?`);
    // a project file needs both `project:` and `file:`. None → no valid subkey, several → ambiguous.
    const present = KINDS.filter((k) => (k === 'project' ? isPresent(item.entries.get('file')) : true) && isPresent(item.entries.get(k)));
    const file = item.entries.get('file');
    // Mapper::LocationExpander gives one location per `file:` of a project: an empty list gives none.
    if (isPresent(item.entries.get('project')) && file?.kind === 'seq' && file.items.length === 0) continue;
    const artifact = isPresent(item.entries.get('artifact'));
    if (present.length + (artifact ? 1 : 0) > 1) {
      report({ severity: 'error', code: 'include-invalid', message: `Each include must use only one of: ${VALID}`, span });
      continue;
    }
    if (artifact) {
      if (!isPresent(item.entries.get('job'))) report({ severity: 'error', code: 'include-invalid', message: 'Job must be provided when including configs from artifacts', span });
      else report({ severity: 'info', code: 'include-artifact', message: 'include:artifact is only available to child pipelines; not expanded here', span });
      continue;
    }
    if (present.length === 0) {
      report({ severity: 'error', code: 'include-invalid', message: `\`${describe(item)}\` does not have a valid subkey for include. Valid subkeys are: ${VALID}`, span });
      continue;
    }
    const kind = present[0];
    const locNode = item.entries.get(kind)!;
    const location = text(locNode);
    if (location === undefined || !(isScalar(locNode) && typeof locNode.value === 'string')) {
      // File::Base#validate_location!: the location must be a string.
      report({ severity: 'error', code: 'include-invalid', message: `Included file \`${rubyToS(locNode)}\` needs to be a string`, span: locNode.span ?? span });
      continue;
    }
    const entry: IncludeEntry = { kind, location, files: [], span, locationSpan: locNode.span ?? span, node: item };
    if (kind === 'project') {
      const ref = item.entries.get('ref');
      entry.ref = ref ? text(ref) : undefined;
      entry.files = file!.kind === 'seq' ? file!.items.map((i) => text(i) ?? '') : [text(file) ?? ''];
    }
    const inputs = item.entries.get('inputs') ?? item.entries.get('with');
    // No inputs (`inputs:` without a value) are no inputs; others that are not a hash reject the file (includes.ts).
    if (inputs && !(inputs.kind === 'scalar' && inputs.value === null)) {
      if (inputs.kind === 'map') entry.inputs = inputs;
      else entry.inputsNotHash = inputs.span ?? span;
    }
    const rules = item.entries.get('rules');
    if (rules) entry.rules = rules;
    out.push(entry);
  }
  return out;
}

/** Rails' `present?`: not nil, false, a blank string, or an empty list or hash. */
function isPresent(n: Node | undefined): boolean {
  if (!n) return false;
  if (n.kind === 'scalar') return n.value !== null && n.value !== false && !(typeof n.value === 'string' && n.value.trim() === '');
  if (n.kind === 'seq') return n.items.length > 0;
  if (n.kind === 'map') return n.entries.size > 0;
  return true;
}

/** The entry as GitLab prints it (its JSON). */
function describe(n: Node): string {
  return JSON.stringify(toPlain(n)) ?? 'null';
}
