/**
 * A job's `run:` (CI steps) as GitLab's Entry::Job checks it: the value, turned into JSON, against
 * the step-runner schema (app/validators/json_schemas/run_steps.json) with every error reported in
 * json_schemer's words (`object at `/0` is missing required properties: name`), prefixed the way
 * GitLab's JsonSchemaValidator adds them (`jobs:a run …`, the whole message lower-cased).
 *
 * The schema, in short: a list of steps; a step is either a function step (`name` and exactly one
 * of `step`/`func`, optional `env` and `inputs`) or a script step (`name`, a non-empty `script`,
 * optional `env`); nothing else. A `step`/`func` reference is a string, `{git: {url, rev, dir?,
 * file?}}` or `{oci: {registry, repository, tag, dir?, file?}}`. `env` maps names to strings,
 * `inputs` names to any value; names match `^[a-zA-Z_][a-zA-Z0-9_]*$`. Where a step matches neither
 * kind, the errors of both kinds are reported (json_schemer's output of a failed `oneOf`).
 */
import type { Node } from '../model.js';
import type { Report } from './report.js';
import { isMap, isRef, isSeq, isStr } from './values.js';

/** One schema error: json_schemer's words and the node it is about. */
interface SchemaError {
  message: string;
  at: Node;
}

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const NAME_TEXT = '^[a-zA-Z_][a-zA-Z0-9_]*$';

/** A JSON pointer in json_schemer's text: `root`, or the pointer between backquotes. */
const where = (ptr: string): string => (ptr === '' ? 'root' : `\`${ptr}\``);
const child = (ptr: string, key: string | number): string => `${ptr}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** The JSON type of a node, as it reads after GitLab's JSON round trip. */
function jsonType(n: Node): 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null' | 'ref' {
  if (n.kind === 'map') return 'object';
  if (n.kind === 'seq') return 'array';
  if (n.kind === 'ref') return 'ref';
  const v = n.value;
  return v === null ? 'null' : typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'boolean' : typeof v === 'number' ? 'number' : 'string';
}

const ARTICLE: Record<string, string> = { object: 'an object', array: 'an array', string: 'a string' };

class Checker {
  readonly errors: SchemaError[] = [];

  private add(message: string, at: Node): void {
    this.errors.push({ message, at });
  }

  /** `type`: false (and an error) when the node is not of it; an unresolved `!reference` passes. */
  type(n: Node, ptr: string, type: 'object' | 'array' | 'string'): boolean {
    const t = jsonType(n);
    if (t === type || t === 'ref') return t === type;
    this.add(`value at ${where(ptr)} is not ${ARTICLE[type]}`, n);
    return false;
  }

  /** `additionalProperties: false` beside `properties` (and the name pattern, for `patternProperties`). */
  closed(n: Node, ptr: string, allowed: readonly string[] | 'names'): void {
    if (!isMap(n)) return;
    for (const key of n.entries.keys()) {
      if (allowed === 'names' ? NAME.test(key) : allowed.includes(key)) continue;
      this.add(`object property at ${where(child(ptr, key))} is a disallowed additional property`, n.entries.get(key)!);
    }
  }

  required(n: Node, ptr: string, keys: readonly string[]): boolean {
    if (!isMap(n)) return true;
    const missing = keys.filter((k) => !n.entries.has(k));
    if (missing.length) this.add(`object at ${where(ptr)} is missing required properties: ${missing.join(', ')}`, n);
    return missing.length === 0;
  }

  string(n: Node | undefined, ptr: string): void {
    if (n) this.type(n, ptr, 'string');
  }

  /** `namedStrings` (env) or `namedValues` (inputs). */
  named(n: Node | undefined, ptr: string, strings: boolean): void {
    if (!n || !this.type(n, ptr, 'object') || !isMap(n)) return;
    // `patternProperties` before `additionalProperties`, as the schema lists them.
    if (strings) for (const [k, v] of n.entries) if (NAME.test(k)) this.string(v, child(ptr, k));
    this.closed(n, ptr, 'names');
  }

  name(n: Node | undefined, ptr: string): void {
    if (!n || !this.type(n, ptr, 'string')) return;
    if (isStr(n) && !NAME.test(n.value)) this.add(`string at ${where(ptr)} does not match pattern: ${NAME_TEXT}`, n);
  }

  /** `funcReference`: a string, a git reference or an OCI reference (exactly one). */
  reference(n: Node, ptr: string): void {
    if (isRef(n)) return;
    const branches = [
      this.branch((c) => c.type(n, ptr, 'string')),
      this.branch((c) => c.location(n, ptr, 'git', ['url', 'dir', 'rev', 'file'], ['url', 'rev'])),
      this.branch((c) => c.location(n, ptr, 'oci', ['registry', 'repository', 'tag', 'dir', 'file'], ['registry', 'repository', 'tag'])),
    ];
    this.oneOf(n, ptr, branches, []);
  }

  private location(n: Node, ptr: string, key: string, props: string[], required: string[]): void {
    if (!this.type(n, ptr, 'object')) return;
    this.closed(n, ptr, [key]);
    this.required(n, ptr, [key]);
    const inner = isMap(n) ? n.entries.get(key) : undefined;
    if (!inner) return;
    const p = child(ptr, key);
    if (!this.type(inner, p, 'object')) return;
    this.closed(inner, p, props);
    this.required(inner, p, required);
    if (isMap(inner)) for (const prop of props) this.string(inner.entries.get(prop), child(p, prop));
  }

  /** The errors one alternative of a `oneOf` would give. */
  branch(run: (c: Checker) => void): SchemaError[] {
    const c = new Checker();
    run(c);
    return c.errors;
  }

  /**
   * `oneOf`: none passing reports every alternative's errors; more than one passing is GitLab's
   * own message, which names the keys the alternatives require.
   */
  oneOf(n: Node, ptr: string, branches: SchemaError[][], requires: string[]): void {
    const passing = branches.filter((b) => b.length === 0).length;
    if (passing === 1) return;
    if (passing === 0) for (const b of branches) this.errors.push(...b);
    else this.add(`value at ${ptr} should use only one of: ${requires.join(', ')}`, n);
  }

  step(n: Node, ptr: string): void {
    if (isRef(n)) return;
    const fn = this.branch((c) => {
      if (!c.type(n, ptr, 'object')) return;
      c.closed(n, ptr, ['name', 'env', 'inputs', 'step', 'func']);
      c.required(n, ptr, ['name']);
      // Exactly one of `step` and `func`.
      const refs = [
        c.branch((d) => {
          d.required(n, ptr, ['step']);
          if (isMap(n) && n.entries.has('func')) d.add(`value at ${where(ptr)} matches \`not\` schema`, n);
        }),
        c.branch((d) => {
          d.required(n, ptr, ['func']);
          if (isMap(n) && n.entries.has('step')) d.add(`value at ${where(ptr)} matches \`not\` schema`, n);
        }),
      ];
      c.oneOf(n, ptr, refs, ['step', 'func']);
      if (!isMap(n)) return;
      c.name(n.entries.get('name'), child(ptr, 'name'));
      c.named(n.entries.get('env'), child(ptr, 'env'), true);
      c.named(n.entries.get('inputs'), child(ptr, 'inputs'), false);
      for (const k of ['step', 'func']) {
        const r = n.entries.get(k);
        if (r) c.reference(r, child(ptr, k));
      }
    });
    const script = this.branch((c) => {
      if (!c.type(n, ptr, 'object')) return;
      c.closed(n, ptr, ['name', 'env', 'script']);
      c.required(n, ptr, ['name', 'script']);
      if (!isMap(n)) return;
      c.name(n.entries.get('name'), child(ptr, 'name'));
      c.named(n.entries.get('env'), child(ptr, 'env'), true);
      const s = n.entries.get('script');
      const p = child(ptr, 'script');
      if (s && c.type(s, p, 'string') && isStr(s) && s.value.length < 1) c.add(`string length at ${where(p)} is less than: 1`, s);
    });
    this.oneOf(n, ptr, [fn, script], ['name', 'script']);
  }
}

/** What GitLab's schema check of `run:` rejects in one job. */
export function validateRun(r: Report, loc: string, v: Node): void {
  const c = new Checker();
  if (c.type(v, '', 'array') && isSeq(v)) v.items.forEach((item, i) => c.step(item, child('', i)));
  // ActiveModel keeps each message once per attribute; GitLab's Validator lower-cases the whole line (we keep the job's name as written).
  const seen = new Set<string>();
  for (const e of c.errors) {
    const message = `${loc} ${`run ${e.message}`.toLowerCase()}`;
    if (seen.has(message)) continue;
    seen.add(message);
    r.error('run-invalid', message, e.at);
  }
}
