/**
 * Where validation findings go: GitLab's message with its location prefix (`jobs:build:artifacts`),
 * positioned on the node where the value is written. A value a job inherits (from a template through
 * `extends`, from `default:`, through `!reference`) is reported where it is written and again on
 * the job's name, with the chain as related information.
 */
import type { MapNode, Node, PipelineDiagnostic, RelatedSpan, Span, ViaStep } from '../model.js';
import { ENTRIES } from './keywords.js';
import type { EntryId, ValidationData } from './keywords-types.js';

/** The job being validated: its name and where it is written. */
export interface JobScope {
  name: string;
  keySpan?: Span;
  span?: Span;
}

const NOWHERE: Span = { uri: '', start: 0, end: 0 };

function inside(s: Span, outer: Span | undefined): boolean {
  return !!outer && s.uri === outer.uri && s.start >= outer.start && s.end <= outer.end;
}

const VIA_TEXT: Record<ViaStep['kind'], string> = {
  include: 'included from',
  extends: 'through `extends:`',
  reference: 'through `!reference`',
  default: 'from `default:`',
  input: 'from input',
};

function index(n: Node, depth: number, keyOf: Map<Node, Span>): void {
  if (depth > 100) return;
  if (n.kind === 'map') {
    for (const [k, v] of n.entries) {
      const ks = n.keySpans.get(k);
      if (ks && (v.kind === 'map' || v.kind === 'seq') && !keyOf.has(v)) keyOf.set(v, ks);
      index(v, depth + 1, keyOf);
    }
  } else if (n.kind === 'seq') for (const i of n.items) index(i, depth + 1, keyOf);
}

const namesOf = new Map<EntryId, { list: string[]; set: Set<string> }>();
function entryKeys(id: EntryId): { list: string[]; set: Set<string> } {
  let k = namesOf.get(id);
  if (!k) {
    const list = ENTRIES.get(id)!.keys.map((key) => key.name);
    namesOf.set(id, (k = { list, set: new Set(list) }));
  }
  return k;
}
/** The keys an entry allows, in the keyword table's order (read once per entry). */
export const keyNames = (id: EntryId): readonly string[] => entryKeys(id).list;
const keySet = (id: EntryId) => entryKeys(id).set;

/**
 * `jobs NAME config should implement the script:, run:, or trigger: keyword`. GitLab adds this error
 * on the job's name as an ActiveModel attribute, whose full message humanizes the name (dots and
 * underscores become spaces, leading spaces go, an `_id` name loses its ` id`); then its
 * Validator#messages turns the spaces back into underscores where the name is letters and spaces
 * alone. The case is kept, as in every job name here (GitLab lower-cases the whole message).
 */
export function unmatchedJobMessage(name: string): string {
  const attr = name.replace(/\./g, '_');
  let human = attr.replace(/_/g, ' ').replace(/^[\0\t\n\v\f\r ]+/, '');
  if (attr.endsWith('_id') && human.endsWith(' id')) human = human.slice(0, -3);
  const message = `jobs ${human} config should implement the script:, run:, or trigger: keyword`;
  return message.replace(/jobs ([a-zA-Z \t\r\n\f\v]+) config should implement/g, (_m, n: string) => `jobs ${n.replace(/[ \t\r\n\f\v]/g, '_')} config should implement`);
}

export class Report {
  readonly out: PipelineDiagnostic[] = [];
  /** The provenance chain of the job key being checked (its value's `via`). */
  chain: readonly ViaStep[] = [];

  /**
   * Where the key of each hash or list value is written: a finding about a whole block sits on its
   * key. Built on the first finding about a node (most jobs have none, and the walk is costly).
   */
  private keyOf?: Map<Node, Span>;

  constructor(
    readonly fallback: Span = NOWHERE,
    readonly job?: JobScope,
    private readonly root?: Node,
  ) {}

  private keySpanOf(n: Node): Span | undefined {
    if (!this.keyOf) {
      this.keyOf = new Map();
      if (this.root) index(this.root, 0, this.keyOf);
    }
    return this.keyOf.get(n);
  }

  /** An error at `at` (a node, or a map's key) with GitLab's `message` (prefix included). */
  error(code: string, message: string, at: Node | Span | undefined, data?: ValidationData | Record<string, unknown>, severity: 'error' | 'warning' = 'error'): void {
    const span = (at && 'kind' in at ? this.keySpanOf(at) ?? at.span : at) ?? this.fallback;
    const via = at && 'kind' in at && at.via?.length ? at.via : this.chain;
    const d: PipelineDiagnostic = { severity, code, message, span, ...(data ? { data: data as Record<string, unknown> } : {}) };
    this.out.push(d);
    const job = this.job;
    if (job?.keySpan && span !== NOWHERE && !inside(span, job.span) && !inside(span, job.keySpan)) {
      const related: RelatedSpan[] = [{ span, message: 'the value is written here' }];
      for (const step of via) if (step.span) related.push({ span: step.span, message: `${VIA_TEXT[step.kind]} ${step.name}` });
      this.out.push({ ...d, code, message: `${message} (inherited by ${job.name})`, span: job.keySpan, related });
    }
  }

  /** Every key of `map` the entry does not allow: one finding per key, on the key. */
  unknownKeys(loc: string, map: MapNode, id: EntryId, allowed?: readonly string[]): boolean {
    const names = allowed ?? keyNames(id);
    let found = false;
    for (const key of map.entries.keys()) {
      if (allowed ? allowed.includes(key) : keySet(id).has(key)) continue;
      found = true;
      this.error('unknown-keys', `${loc} config contains unknown keys: ${key}`, map.keySpans.get(key) ?? map.span, {
        kind: 'unknown-keys', entry: id, keys: [key], allowed: [...names],
      });
    }
    return found;
  }

  /** A value outside a fixed set, with the allowed values for quick-fixes. */
  invalidValue(message: string, node: Node, id: EntryId, keyword: string, allowed: readonly string[]): void {
    const value = node.kind === 'scalar' ? String(node.value) : '';
    this.error('invalid-value', message, node, { kind: 'invalid-value', entry: id, keyword, value, allowed: [...allowed] });
  }
}
