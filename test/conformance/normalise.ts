/**
 * Normalisation of an expanded pipeline to the oracle's forms (corpus README, item 7).
 *
 * The corpus oracle (gitlab-ci-local 4.75.1 in `--preview` mode) rewrites several keys into
 * canonical "object" forms before it prints; our CLI prints GitLab's form (what GitLab's merged
 * configuration holds). To compare the two, BOTH sides go through `normalise()` and are then
 * compared deeply with key order ignored. Every rule below is one the oracle applies (its source,
 * `src/data-expander.ts`, `src/parser.ts`, `src/utils.ts` of gitlab-ci-local 4.75.1, was read to
 * write them); each rule is idempotent, so `normalise(normalise(x))` equals `normalise(x)` and
 * the oracle's own output is (close to) a fixed point.
 *
 * Rules are lossy on purpose where the oracle is lossy (it drops `cache:untracked`,
 * `image:pull_policy`, ...): whatever the oracle cannot show cannot be compared.
 */

export type Mode = 'default' | 'full';

export interface NormaliseOptions {
  /** `full` = the whole merged document (`--full`); `default` = real jobs + stages/variables/workflow. */
  mode: Mode;
}

/** Top-level keys that are not jobs (GitLab's global keywords). */
export const GLOBAL_KEYWORDS = new Set([
  'default',
  'include',
  'before_script',
  'image',
  'services',
  'after_script',
  'variables',
  'stages',
  'types',
  'cache',
  'workflow',
  'spec',
]);

/** Global keywords GitLab still accepts at top level as an alias of `default:<key>`. */
export const DEPRECATED_GLOBALS = ['image', 'services', 'cache', 'before_script', 'after_script'] as const;

type Plain = null | boolean | number | string | Plain[] | { [k: string]: Plain };
type PlainMap = { [k: string]: Plain };

export function isPlainMap(v: unknown): v is PlainMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A top-level entry that is a job (real or hidden) or a job template. */
export function isJobEntry(key: string, value: unknown): value is PlainMap {
  return !GLOBAL_KEYWORDS.has(key) && isPlainMap(value);
}

export function isHiddenKey(key: string): boolean {
  return key.startsWith('.');
}

/** Deep copy of JSON-like data (`undefined` members dropped, like a YAML/JSON dump does). */
export function clonePlain(v: unknown): Plain {
  if (v === undefined) return null;
  return JSON.parse(JSON.stringify(v)) as Plain;
}

/**
 * Normalise an expanded pipeline (plain data: parsed YAML or JSON) to the oracle's forms.
 * Returns a new value with keys sorted recursively (stable to print and diff).
 */
export function normalise(input: unknown, opts: NormaliseOptions): Plain {
  let doc = clonePlain(input);
  if (!isPlainMap(doc)) return sortKeys(doc);

  // Rule 1 — every nested array is flattened, at any depth (oracle `flattenLists`: `flat(9)` on
  // every array of the document). GitLab flattens only scripts and its ComposableArray entries
  // (rules, needs, cache, parallel:matrix, include, ports: corpus deviation 4; the engine does the
  // same, test/pipeline/flatten/); flattening both sides hides that difference on purpose.
  doc = flattenAll(doc) as PlainMap;

  // Rule 2 — no top-level `include:`. GitLab's merged configuration has it removed; the oracle's
  // `--full` output keeps the root file's `include:` list.
  delete doc.include;

  // Rule 3 — deprecated globals (`image`, `services`, `cache`, `before_script`, `after_script` at
  // top level) become `default:<key>`, overriding a `default:` value of the same key
  // (oracle `transformDeprecatedGlobalDefaultSyntax`).
  for (const key of DEPRECATED_GLOBALS) {
    if (doc[key] !== undefined) {
      const def: PlainMap = isPlainMap(doc.default) ? doc.default : {};
      def[key] = doc[key];
      doc.default = def;
      delete doc[key];
    }
  }

  // Rule 4 — per job (real and hidden), and for `default:` (whose values the oracle copies into
  // jobs by reference and so partly normalises):
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'default' && isPlainMap(value)) {
      normaliseJobLike(value);
    } else if (isJobEntry(key, value)) {
      // 4a — `extends:` is removed (the oracle deletes it once applied; our CLI drops it too).
      delete value.extends;
      normaliseJobLike(value);
    }
  }

  // Rule 5 — `default: {}` tolerance: the oracle's `--full` always prints a `default:` map, empty
  // when the configuration has none; an empty `default:` is dropped on both sides.
  if (isPlainMap(doc.default) && Object.keys(doc.default).length === 0) delete doc.default;

  // Rule 6 — every value of a `variables:` map (top level, jobs, hidden jobs, `rules:`,
  // `workflow:rules:`, services) becomes a string (oracle `Utils.normalizeVariables`).
  stringifyVariables(doc);

  // Rule 7 — key order is ignored: keys are sorted recursively.
  // (`opts.mode` changes no rule: without --full neither side has hidden jobs or `default:`, so
  // the rules about them are no-ops; a `default:` or hidden job printed without --full is a
  // difference the comparison must show.)
  void opts.mode;
  return sortKeys(doc);
}

/** Rule 4 applied to one job-like map (returns it, changed in place). */
export function normaliseJobFields<T extends Record<string, unknown>>(job: T): T {
  normaliseJobLike(job as unknown as PlainMap);
  return job;
}

function normaliseJobLike(job: PlainMap): void {
  // 4b — `image: x` → `{name: x}`; an object keeps only `name`, `entrypoint` and
  // `docker: {user, platform}` (oracle `imageComplex`; `pull_policy`, `ports`... are dropped).
  if (job.image !== undefined && job.image !== null && job.image !== '') job.image = imageObject(job.image);

  // 4c — `services` is a list of `{name, entrypoint, command, alias, variables}` objects
  // (oracle `servicesComplex`; a string entry is the name; other keys are dropped).
  if (job.services !== undefined && job.services !== null && job.services !== '') {
    const list = Array.isArray(job.services) ? job.services : [job.services];
    job.services = list.map(serviceObject);
  }

  // 4d — `cache` is a list; each entry keeps only `key` and `paths` and gets `policy: pull-push`
  // and `when: on_success` unless set (oracle `cacheComplex`); entries without `paths` are dropped
  // (oracle `cacheEach`: "gitlab.com works the same way"; `untracked`, `fallback_keys`,
  // `unprotect` are not shown by the oracle).
  if (job.cache !== undefined && job.cache !== null && job.cache !== '' && job.cache !== false) {
    const list = Array.isArray(job.cache) ? job.cache : [job.cache];
    job.cache = list.map(cacheObject).filter((c) => c !== undefined) as Plain[];
  }

  // 4e — `needs` entries are objects `{job, artifacts (default true), optional}` (+ `pipeline`,
  // `project`, `ref`, `parallel` when given). `optional` is always present (default false) for
  // needs of the same pipeline and only present when true for `project:`/`pipeline:` needs. (The
  // oracle drops an explicit `optional: false` — `needsComplex` — so an absent `optional` and
  // `optional: false` are made the same here.)
  if (Array.isArray(job.needs)) job.needs = job.needs.map(needObject);

  // 4f — a string `script` / `before_script` / `after_script` becomes a one-item list (oracle
  // `normalize`; an empty string stays as it is).
  for (const k of ['script', 'before_script', 'after_script']) {
    if (typeof job[k] === 'string' && job[k] !== '') job[k] = [job[k]];
  }

  // 4g — `artifacts: null` is dropped (the oracle deletes a job's `artifacts` when it is null).
  if (job.artifacts === null) delete job.artifacts;

  // 4h — `trigger: {include: path}` becomes `trigger: {include: [{local: path}]}` (oracle
  // `ParserIncludes.normalizeTriggerInclude`; the same child pipeline for GitLab).
  if (isPlainMap(job.trigger) && typeof job.trigger.include === 'string') job.trigger.include = [{ local: job.trigger.include }];
}

function imageObject(v: Plain): Plain {
  if (typeof v === 'string') return { name: v };
  if (!isPlainMap(v)) return v;
  const out: PlainMap = {};
  if (v.name !== undefined) out.name = v.name;
  if (v.entrypoint !== undefined) out.entrypoint = v.entrypoint;
  const docker = v.docker;
  if (isPlainMap(docker) && (docker.user || docker.platform)) {
    const d: PlainMap = {};
    if (docker.user !== undefined) d.user = docker.user;
    if (docker.platform !== undefined) d.platform = docker.platform;
    out.docker = d;
  }
  return out;
}

function serviceObject(v: Plain): Plain {
  if (typeof v === 'string') return { name: v };
  if (!isPlainMap(v)) return v;
  const out: PlainMap = {};
  for (const k of ['name', 'entrypoint', 'command', 'alias', 'variables']) {
    if (v[k] !== undefined) out[k] = v[k];
  }
  return out;
}

function cacheObject(v: Plain): Plain | undefined {
  if (!isPlainMap(v)) return v;
  const out: PlainMap = {};
  if (v.key !== undefined) out.key = v.key;
  if (v.paths !== undefined) out.paths = v.paths;
  out.policy = v.policy ?? 'pull-push';
  out.when = v.when ?? 'on_success';
  const paths = v.paths as unknown;
  const hasLength = (typeof paths === 'string' || Array.isArray(paths));
  return hasLength ? out : undefined;
}

function needObject(v: Plain): Plain {
  if (typeof v === 'string') return { job: v, artifacts: true, optional: false };
  if (!isPlainMap(v)) return v;
  const out: PlainMap = {};
  out.job = v.job ?? null;
  out.artifacts = v.artifacts ?? true;
  for (const k of ['pipeline', 'project', 'ref', 'parallel']) {
    if (v[k] !== undefined && v[k] !== null && v[k] !== '') out[k] = v[k];
  }
  const crossPipeline = Boolean(v.project) || Boolean(v.pipeline);
  if (crossPipeline) {
    if (v.optional) out.optional = v.optional;
  } else {
    out.optional = v.optional ? v.optional : false;
  }
  return out;
}

/**
 * A variable value as the oracle prints it: strings stay, numbers/booleans are stringified,
 * `null` is `''`, `{value, description, options, expand}` is its value (with `$` doubled when
 * `expand: false`, the oracle's way of keeping it raw). A `{description}` without `value` is `''`
 * (GitLab's `nil.to_s`; the oracle would print `undefined`).
 */
export function variableText(v: Plain): Plain {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isPlainMap(v)) {
    const raw = v.value;
    const text = raw === undefined || raw === null ? '' : typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
    return v.expand === false ? text.replaceAll('$', () => '$$') : text;
  }
  return v;
}

function stringifyVariables(v: Plain): void {
  if (Array.isArray(v)) {
    for (const item of v) stringifyVariables(item);
    return;
  }
  if (!isPlainMap(v)) return;
  for (const [k, child] of Object.entries(v)) {
    if (k === 'variables' && isPlainMap(child)) {
      for (const [name, value] of Object.entries(child)) child[name] = variableText(value);
    } else {
      stringifyVariables(child);
    }
  }
}

function flattenAll(v: Plain): Plain {
  if (Array.isArray(v)) {
    const out: Plain[] = [];
    const push = (items: Plain[]) => {
      for (const item of items) {
        if (Array.isArray(item)) push(item);
        else out.push(flattenAll(item));
      }
    };
    push(v);
    return out;
  }
  if (isPlainMap(v)) {
    const out: PlainMap = {};
    for (const [k, child] of Object.entries(v)) out[k] = flattenAll(child);
    return out;
  }
  return v;
}

export function sortKeys(v: Plain): Plain {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isPlainMap(v)) {
    const out: PlainMap = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
    return out;
  }
  return v;
}

/** Shortened JSON of a value for messages. */
export function brief(v: unknown, max = 160): string {
  if (v === undefined) return '<absent>';
  const s = JSON.stringify(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/**
 * Paths where two normalised values differ, as readable lines (`a.b[2]: expected X, got Y`).
 * At most `limit` lines; `more` tells how many were left out.
 */
export function diffPlain(expected: unknown, actual: unknown, limit = 25, prefix: (string | number)[] = []): { lines: string[]; more: number } {
  const lines: string[] = [];
  let more = 0;
  const add = (line: string) => {
    if (lines.length < limit) lines.push(line);
    else more++;
  };
  const fmtPath = (path: (string | number)[]) =>
    path.length === 0
      ? '<root>'
      : path
          .map((p, i) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z0-9_-]+$/.test(p) ? `${i ? '.' : ''}${p}` : `[${JSON.stringify(p)}]`))
          .join('');
  const walk = (e: unknown, a: unknown, path: (string | number)[]) => {
    if (isPlainMap(e) && isPlainMap(a)) {
      for (const k of Object.keys(e)) {
        if (!(k in a)) add(`${fmtPath([...path, k])}: missing (expected ${brief(e[k])})`);
        else walk(e[k], a[k], [...path, k]);
      }
      for (const k of Object.keys(a)) if (!(k in e)) add(`${fmtPath([...path, k])}: unexpected (got ${brief(a[k])})`);
      return;
    }
    if (Array.isArray(e) && Array.isArray(a)) {
      if (e.length !== a.length) {
        add(`${fmtPath(path)}: expected ${e.length} items ${brief(e)}, got ${a.length} ${brief(a)}`);
        return;
      }
      e.forEach((item, i) => walk(item, a[i], [...path, i]));
      return;
    }
    if (JSON.stringify(e) !== JSON.stringify(a)) add(`${fmtPath(path)}: expected ${brief(e)}, got ${brief(a)}`);
  };
  walk(expected, actual, prefix);
  return { lines, more };
}
