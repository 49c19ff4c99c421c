/**
 * `parallel:matrix` as GitLab expands it (`Gitlab::Ci::Config::Normalizer::MatrixStrategy`,
 * `Entry::Product::Matrix`/`Variables`): each entry of the list is a hash of variables whose
 * values are a string or a list of strings (`Array(value).map(&:to_s)`); an entry yields the
 * cartesian product of its lists, the first key varying slowest; entries follow one another.
 * Each instance is a job named `job: [v1, v2]` (its values in the entry's key order, joined by
 * ", ") whose matrix values are job-level variables, set BEFORE rules are evaluated. Instances
 * with the same name overwrite each other (the first keeps its place, the last its values). One
 * job may generate at most 200 instances. Pure: never throws on user input.
 */
import { mapNode, scalarNode, seqNode } from '../model.js';
import type { MapNode, Node, PipelineDiagnostic, SeqNode, Span } from '../model.js';
import { rubyToS } from '../yaml/ruby-format.js';

/** `Entry::Product::Parallel::PARALLEL_LIMIT`: instances one `parallel:matrix` may generate. */
export const MATRIX_LIMIT = 200;

export interface MatrixVariable {
  name: string;
  /** Where the key is written. */
  keySpan?: Span;
  /** The value nodes: one for a scalar, the items of a list. */
  values: Node[];
}

/** One entry (`- PROVIDER: aws\n  STACK: [a, b]`) of a matrix. */
export interface MatrixEntry {
  node: MapNode;
  variables: MatrixVariable[];
}

export interface MatrixInstance {
  /** `job: [aws, app1]`. */
  name: string;
  /** The values in key order (what the name shows). */
  values: string[];
  /** Matrix variables of this instance, name → value. */
  variables: Record<string, string>;
  /** The matrix entry it comes from (its index in the list). */
  entry: number;
  span?: Span;
}

export interface MatrixExpansion {
  /** Instances in GitLab's order, duplicates merged; at most the limit asked for. */
  instances: MatrixInstance[];
  /** How many jobs GitLab counts for the limit (`number_of_generated_jobs`, before merging duplicates). */
  total: number;
}

/** The `matrix:` list of a `parallel:` value (a job's, or a `needs:` entry's). */
export function matrixList(parallel: Node | undefined): SeqNode | undefined {
  const matrix = parallel?.kind === 'map' ? parallel.entries.get('matrix') : undefined;
  return matrix?.kind === 'seq' ? matrix : undefined;
}

/** The entries of a `parallel:matrix` (hashes only; anything else GitLab rejects as not a hash). */
export function matrixEntries(parallel: Node | undefined): MatrixEntry[] {
  const list = matrixList(parallel);
  if (!list) return [];
  const out: MatrixEntry[] = [];
  for (const row of list.items) {
    if (row.kind !== 'map') continue;
    const variables: MatrixVariable[] = [];
    for (const [name, v] of row.entries) variables.push({ name, keySpan: row.keySpans.get(name), values: v.kind === 'seq' ? v.items : [v] });
    out.push({ node: row, variables });
  }
  return out;
}

/** `number_of_generated_jobs`: the sum over entries of the product of their list lengths. */
export function matrixJobCount(parallel: Node | undefined): number {
  let total = 0;
  for (const e of matrixEntries(parallel)) {
    if (!e.variables.length) continue;
    total += e.variables.reduce((acc, v) => acc * v.values.length, 1);
  }
  return total;
}

/**
 * A `parallel:matrix` that generates no job (`matrix: []`, or only entries with an empty list):
 * GitLab accepts it, and its Normalizer replaces the job by its instances — none — so the job is
 * not in the pipeline, and a `needs:` or `dependencies:` entry naming it stands for nothing.
 */
export function generatesNoJobs(parallel: Node | undefined): boolean {
  return matrixList(parallel) !== undefined && matrixJobCount(parallel) === 0;
}

/** GitLab's name of a matrix instance. */
export function instanceName(job: string, values: readonly string[]): string {
  return `${job}: [${values.join(', ')}]`;
}

/** A `parallel:matrix` instance name (`build: [linux, amd64]`) refers to its job `build`. */
export function baseJobName(name: string): string {
  const m = /^(.*?): \[.*\]$/.exec(name);
  return m ? m[1] : name;
}

/**
 * The instances of `job`'s `parallel:` value, or undefined when it is not a matrix. Never builds
 * more than `limit` instances (a bigger matrix is an error GitLab reports, see `validateMatrix`),
 * so a hostile product costs nothing.
 */
export function expandMatrix(job: string, parallel: Node | undefined, limit = MATRIX_LIMIT): MatrixExpansion | undefined {
  if (!matrixList(parallel)) return undefined;
  const byName = new Map<string, MatrixInstance>();
  let built = 0;
  const entries = matrixEntries(parallel);
  for (let e = 0; e < entries.length && built < limit; e++) {
    const vars = entries[e].variables;
    if (!vars.length || vars.some((v) => !v.values.length)) continue;
    const texts = vars.map((v) => v.values.map(valueText));
    // Odometer over the lists, last key fastest (Ruby's Array#product order).
    const at = vars.map(() => 0);
    while (built < limit) {
      const values = at.map((i, k) => texts[k][i]);
      const variables: Record<string, string> = {};
      vars.forEach((v, k) => (variables[v.name] = values[k]));
      const name = instanceName(job, values);
      const prev = byName.get(name);
      const instance = { name, values, variables, entry: e, span: entries[e].node.span };
      if (prev) Object.assign(prev, instance);
      else byName.set(name, instance);
      built++;
      let k = at.length - 1;
      while (k >= 0 && ++at[k] === texts[k].length) at[k--] = 0;
      if (k < 0) break;
    }
  }
  return { instances: [...byName.values()], total: matrixJobCount(parallel) };
}

/** A matrix value as GitLab stringifies it (`to_s`: numbers and booleans as text, nil as ""). */
function valueText(n: Node): string {
  return rubyToS(n);
}

/** What GitLab's `Entry::Product::Matrix` rejects: more than 200 generated jobs. */
export function validateMatrix(job: string, node: MapNode, fallback: Span): PipelineDiagnostic[] {
  const parallel = node.entries.get('parallel');
  const list = matrixList(parallel);
  if (!list) return [];
  const total = matrixJobCount(parallel);
  if (total <= MATRIX_LIMIT) return [];
  return [{
    severity: 'error',
    code: 'matrix-too-many-jobs',
    message: `jobs:${job}:parallel:matrix config generates too many jobs (maximum is ${MATRIX_LIMIT})`,
    span: (parallel as MapNode).keySpans.get('matrix') ?? list.span ?? fallback,
    data: { total, limit: MATRIX_LIMIT },
  }];
}

/**
 * The jobs GitLab's Normalizer makes of a job with `parallel:` — `job 1/3`, `job 2/3`, ... for a
 * number (NumberStrategy), `job: [a, b]` for a matrix — or undefined when it has none. These names,
 * not the job's own, are the pipeline's jobs: a `needs:` or `dependencies:` entry names one of
 * them or the job itself (then it stands for all of them).
 */
export function parallelInstanceNames(job: string, parallel: Node | undefined): string[] | undefined {
  if (parallel?.kind === 'scalar') {
    const n = parallel.value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MATRIX_LIMIT) return undefined;
    return Array.from({ length: n }, (_, i) => `${job} ${i + 1}/${n}`);
  }
  return expandMatrix(job, parallel)?.instances.map((i) => i.name);
}

/**
 * The instances a `needs:` entry on `target` waits for: all of a matrix job's instances, the
 * one it names (`build: [linux, amd64]`), or those its `parallel:matrix` selects.
 */
export function neededInstances(needName: string, needItem: Node, target: { name: string; instances?: readonly { name: string }[] }): string[] {
  if (!target.instances) return [target.name];
  if (needName !== target.name) return [needName];
  const selection = needItem.kind === 'map' ? expandMatrix(needName, needItem.entries.get('parallel')) : undefined;
  return selection ? selection.instances.map((i) => i.name) : target.instances.map((i) => i.name);
}

/** `$[[ matrix.NAME ]]` (GitLab's MatrixInterpolator: names of letters, digits, `_` and `-`). */
const MATRIX_EXPRESSION = /\$\[\[\s*matrix\.([a-zA-Z0-9_-]+)\s*\]\]/g;

/** Whether a node's strings hold a `$[[ matrix.NAME ]]` expression. */
export function holdsMatrixExpression(node: Node | undefined): boolean {
  if (!node) return false;
  if (node.kind === 'scalar') return typeof node.value === 'string' && node.value.includes('$[[') && new RegExp(MATRIX_EXPRESSION.source).test(node.value);
  if (node.kind === 'seq') return node.items.some(holdsMatrixExpression);
  if (node.kind === 'map') return [...node.entries.values()].some(holdsMatrixExpression);
  return false;
}

/**
 * A matrix instance's `needs:` as GitLab's Normalizer gives it (MatrixInterpolator): every
 * `$[[ matrix.NAME ]]` in its strings replaced by the instance's value; a name the instance has
 * not is left as written and added to `missing`. Unchanged nodes are returned as they are.
 */
export function interpolateMatrix(node: Node, variables: Record<string, string>, missing: Set<string>): Node {
  switch (node.kind) {
    case 'scalar': {
      if (typeof node.value !== 'string' || !node.value.includes('$[[')) return node;
      const text = node.value.replace(MATRIX_EXPRESSION, (all, name: string) => {
        if (Object.hasOwn(variables, name)) return variables[name];
        missing.add(name);
        return all;
      });
      return text === node.value ? node : scalarNode(text, node.span);
    }
    case 'seq': {
      const items = node.items.map((i) => interpolateMatrix(i, variables, missing));
      return items.every((x, i) => x === node.items[i]) ? node : seqNode(items, node.span);
    }
    case 'map': {
      let changed = false;
      const entries = new Map<string, Node>();
      for (const [k, v] of node.entries) {
        const x = interpolateMatrix(v, variables, missing);
        changed ||= x !== v;
        entries.set(k, x);
      }
      return changed ? mapNode(node.span, entries, node.keySpans) : node;
    }
    default:
      return node;
  }
}
