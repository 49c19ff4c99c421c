/**
 * Conformance of the expansion engine against the corpus in ../shared/corpus: discovery of the
 * cases, running them, comparing results. Shared by corpus.test.ts, spec-cases.test.ts and
 * run.ts (one implementation, three front ends).
 *
 * Corpus cases (a directory holding `expected.yml` or `expected.err`): the CLI (`runCli` from
 * server/src/cli/main.ts, in-process) runs with the case's `oracle.args` (relative paths resolved
 * against the case directory, like oracle.sh does) plus `--json`, once without and once with
 * `--full`, and once more per `oracle.variants` line. Its output is compared with the oracle's
 * `expected*.yml` after (1) patching the oracle's known deviations from GitLab (deviations.ts)
 * and (2) normalising both sides (normalise.ts). `expected*.err` cases must exit 1.
 *
 * GitLab spec cases (gitlab-spec-cases/cases.jsonl): each runs the engine stage it exercises
 * (applyExtends, resolveReferences, expandPipeline) and compares with GitLab's own expectation.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYamlText, stringify as stringifyYaml } from 'yaml';
import { interpolateFile } from '../../server/src/pipeline/inputs/inputs.js';
import { toPlain as plainOf } from '../../server/src/pipeline/model.js';
import { parseYaml as parseCiFile } from '../../server/src/pipeline/yaml/parse.js';
import { DEVIATIONS, GITLAB_ONLY_DEFAULT_KEYS, ORACLE_DEFAULT_KEYS } from './deviations.js';
import type { Deviation, Path } from './deviations.js';
import { MemorySources } from '../../server/src/sources/memory-sources.js';
import { brief, clonePlain, diffPlain, GLOBAL_KEYWORDS, isHiddenKey, isPlainMap, normalise, normaliseJobFields, sortKeys, variableText } from './normalise.js';
import type { Mode } from './normalise.js';

const HERE = __dirname;
export const REPO_ROOT = resolve(HERE, '../..');
/** The corpus (read in place, never copied): `../shared/corpus` from the repository root. */
export const CORPUS = resolve(process.env.CONFORMANCE_CORPUS ?? join(REPO_ROOT, '../shared/corpus'));
/** oracle.sh serves include:template from here unless `--templates` is given; we pass it explicitly. */
export const TEMPLATES_DIR = join(CORPUS, 'gitlab-templates/lib/gitlab/ci/templates');
export const BASELINE_FILE = join(HERE, 'baseline.json');
export const SPEC_CASES_FILE = join(CORPUS, 'gitlab-spec-cases/cases.jsonl');

export type Status = 'pass' | 'fail' | 'skip';

export interface CaseResult {
  status: Status;
  /** Why it failed / was skipped (multi-line), or a note on a pass. */
  message: string;
  /** One line for tables. */
  summary: string;
}

// ───────────────────────────────────────────── engine modules (loaded lazily) ──

/**
 * Import an engine module by its path under server/src (`cli/main.ts`). Returns the module, or
 * a reason string when the file is not there (yet): callers report such cases as skipped.
 * An import that throws (a syntax error, a missing dependency) is NOT a skip: it is rethrown.
 */
export async function loadEngineModule(rel: string): Promise<Record<string, unknown> | string> {
  const file = join(REPO_ROOT, 'server/src', rel);
  if (!existsSync(file)) return `server/src/${rel} does not exist (yet)`;
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

type RunCli = (argv: string[], io?: { cwd?: string; env?: Record<string, string | undefined> }) => Promise<{ code: number; stdout: string; stderr: string }>;

// ──────────────────────────────────────────────────────────────── corpus cases ──

export interface CorpusCase {
  /** Stable id, e.g. `handwritten/01-extends [default --full]`. */
  id: string;
  /** First directory of the case (`handwritten`, `gitlab-templates`, `omnibus-gitlab`, ...). */
  group: string;
  /** Case directory relative to the corpus root. */
  caseDir: string;
  /** Absolute case directory. */
  dir: string;
  /** `default` or an `oracle.variants` name. */
  variant: string;
  mode: Mode;
  /** The oracle's output for this variant+mode (`.yml`) or its rejection (`.err`). */
  expectedFile: string;
  expectError: boolean;
  /** Full argv for runCli. */
  argv: string[];
}

export function corpusAvailable(): boolean {
  return existsSync(join(CORPUS, 'README.md'));
}

/** Case directories: every directory holding `expected.yml` or `expected.err` (skipping `_*` and `lib`). */
export function findCaseDirs(root = CORPUS): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    const names = readdirSync(dir);
    if (names.includes('expected.yml') || names.includes('expected.err')) out.push(dir);
    for (const name of names.sort()) {
      if (name.startsWith('_') || name.startsWith('.') || name === 'lib' || name === 'node_modules') continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
    }
  };
  walk(root);
  return out.sort();
}

/** `oracle.args`: one option per line (`--opt value`), `#` comments; paths resolved against the case dir. */
export function readOracleArgs(dir: string): string[] {
  const file = join(dir, 'oracle.args');
  if (!existsSync(file)) return [];
  const args: string[] = [];
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(\S+)\s*(.*)$/.exec(line)!;
    const [, opt, val] = m;
    args.push(opt);
    if (val) args.push(resolveOptionPath(opt, val.trim(), dir));
  }
  return args;
}

/** The path-valued options of oracle.sh, resolved like its `abspath` does. */
function resolveOptionPath(opt: string, val: string, base: string): string {
  const abs = (p: string) => (p.startsWith('/') ? p : join(base, p));
  switch (opt) {
    case '--project': {
      const eq = val.indexOf('=');
      return eq < 0 ? val : `${val.slice(0, eq)}=${abs(val.slice(eq + 1))}`;
    }
    case '--remote': {
      const eq = val.lastIndexOf('=');
      return eq < 0 ? val : `${val.slice(0, eq)}=${abs(val.slice(eq + 1))}`;
    }
    case '--repos':
    case '--repo-dirs':
    case '--templates':
      return abs(val);
    default:
      return val;
  }
}

/** `oracle.variants`: `NAME ARGS...` per line (ARGS split on whitespace, as the shell does). */
export function readVariants(dir: string): { name: string; args: string[] }[] {
  const variants = [{ name: 'default', args: [] as string[] }];
  const file = join(dir, 'oracle.variants');
  if (!existsSync(file)) return variants;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [name, ...args] = line.split(/\s+/);
    variants.push({ name, args });
  }
  return variants;
}

export function caseId(caseDir: string, variant: string, mode: Mode): string {
  return `${caseDir} [${variant}${mode === 'full' ? ' --full' : ''}]`;
}

export function discoverCorpusCases(): CorpusCase[] {
  if (!corpusAvailable()) return [];
  const cases: CorpusCase[] = [];
  for (const dir of findCaseDirs()) {
    const caseDir = relative(CORPUS, dir);
    const oracleArgs = readOracleArgs(dir);
    // oracle.sh's default --templates; the CLI has no default, so it is always passed.
    const templates = oracleArgs.includes('--templates') ? [] : ['--templates', TEMPLATES_DIR];
    for (const variant of readVariants(dir)) {
      const prefix = variant.name === 'default' ? 'expected' : `expected.${variant.name}`;
      const err = join(dir, `${prefix}.err`);
      const expectError = existsSync(err);
      for (const mode of ['default', 'full'] as Mode[]) {
        const expectedFile = expectError ? err : join(dir, mode === 'full' ? `${prefix}.full.yml` : `${prefix}.yml`);
        if (!expectError && !existsSync(expectedFile)) continue;
        const argv = ['expand', dir, ...oracleArgs, ...templates, ...variant.args, '--json', ...(mode === 'full' ? ['--full'] : [])];
        cases.push({
          id: caseId(caseDir, variant.name, mode),
          group: caseDir.split('/')[0],
          caseDir,
          dir,
          variant: variant.name,
          mode,
          expectedFile,
          expectError,
          argv,
        });
      }
    }
  }
  return cases;
}

const yamlCache = new Map<string, unknown>();
/** An oracle output file, parsed (js-yaml wrote it; YAML 1.2 core reads it back identically). */
export function readExpected(file: string): unknown {
  let v = yamlCache.get(file);
  if (v === undefined) {
    v = parseYamlText(readFileSync(file, 'utf8'), { maxAliasCount: -1, uniqueKeys: false }) ?? {};
    yamlCache.set(file, v);
  }
  return clonePlain(v);
}

export function deviationsFor(c: Pick<CorpusCase, 'caseDir' | 'variant' | 'mode'>): Deviation[] {
  return DEVIATIONS.filter(
    (d) => d.case === c.caseDir && (!d.variants || d.variants.includes(c.variant)) && (!d.modes || d.modes.includes(c.mode)),
  );
}

/** The oracle's expectation turned into GitLab's (still in the oracle's forms, not normalised). */
export function gitlabExpectation(c: CorpusCase): { expected: unknown; applied: Deviation[]; rejects?: string } {
  const applied = deviationsFor(c);
  const rejects = applied.find((d) => d.op === 'rejects');
  if (rejects && rejects.op === 'rejects') return { expected: undefined, applied, rejects: rejects.gitlabError };
  const expected = readExpected(c.expectedFile);
  for (const d of applied) {
    switch (d.op) {
      case 'set':
        setPath(expected, d.path, clonePlain(d.gitlab), c.id);
        break;
      case 'delete':
        deletePath(expected, d.path, c.id);
        break;
      case 'gitlab-default-inheritance': {
        const prefix = c.variant === 'default' ? 'expected' : `expected.${c.variant}`;
        const full = readExpected(join(c.dir, `${prefix}.full.yml`));
        const def = isPlainMap(full) && isPlainMap(full.default) ? full.default : {};
        applyGitlabDefaultInheritance(expected, def);
        break;
      }
    }
  }
  return { expected, applied };
}

function setPath(doc: unknown, path: Path, value: unknown, id: string): void {
  let cur = doc as Record<string | number, unknown>;
  path.forEach((seg, i) => {
    if (i === path.length - 1) {
      cur[seg] = value;
      return;
    }
    if (cur[seg] === undefined || cur[seg] === null) {
      if (typeof path[i + 1] === 'number') throw new Error(`deviation for ${id}: no list at ${path.slice(0, i + 1).join('.')}`);
      cur[seg] = {};
    }
    cur = cur[seg] as Record<string | number, unknown>;
  });
}

function deletePath(doc: unknown, path: Path, id: string): void {
  let cur = doc as Record<string | number, unknown>;
  for (const seg of path.slice(0, -1)) {
    cur = cur?.[seg] as Record<string | number, unknown>;
    if (cur === undefined || cur === null) throw new Error(`deviation for ${id}: nothing at ${path.join('.')}`);
  }
  const last = path[path.length - 1];
  if (!(last in cur)) throw new Error(`deviation for ${id}: nothing at ${path.join('.')} (stale deviation?)`);
  if (Array.isArray(cur) && typeof last === 'number') cur.splice(last, 1);
  else delete cur[last];
}

/** See DefaultInheritancePatch in deviations.ts. */
export function applyGitlabDefaultInheritance(doc: unknown, def: Record<string, unknown>): void {
  if (!isPlainMap(doc)) return;
  const normDefault = normaliseJobFields(clonePlain(def) as Record<string, unknown>);
  for (const [name, job] of Object.entries(doc)) {
    if (GLOBAL_KEYWORDS.has(name) || isHiddenKey(name) || !isPlainMap(job)) continue;
    if ('trigger' in job) {
      // A bridge: GitLab gives it nothing from default:; drop what the oracle copied.
      for (const k of ORACLE_DEFAULT_KEYS) {
        if (job[k] === undefined || def[k] === undefined) continue;
        const normJob = normaliseJobFields(clonePlain({ [k]: job[k] }) as Record<string, unknown>);
        if (JSON.stringify(sortKeys(normJob[k] as never)) === JSON.stringify(sortKeys(normDefault[k] as never))) delete job[k];
      }
      continue;
    }
    const inherit = isPlainMap(job.inherit) ? job.inherit.default : undefined;
    if (inherit === false || Array.isArray(inherit)) continue;
    for (const k of GITLAB_ONLY_DEFAULT_KEYS) {
      if (def[k] !== undefined && job[k] === undefined) job[k] = clonePlain(def[k]);
    }
  }
}

/** See ExpandedCachePolicyPatch in deviations.ts: `$NAME` policies expanded with job, then global, variables. */
export function expandCachePolicies(doc: unknown): void {
  if (!isPlainMap(doc)) return;
  const globals = isPlainMap(doc.variables) ? doc.variables : {};
  for (const [name, job] of Object.entries(doc)) {
    if (GLOBAL_KEYWORDS.has(name) || isHiddenKey(name) || !isPlainMap(job) || job.cache === undefined) continue;
    const vars = { ...globals, ...(isPlainMap(job.variables) ? job.variables : {}) };
    for (const entry of Array.isArray(job.cache) ? job.cache : [job.cache]) {
      if (!isPlainMap(entry) || typeof entry.policy !== 'string') continue;
      const m = /^\$(?:\{(\w+)\}|(\w+))$/.exec(entry.policy);
      const key = m && (m[1] ?? m[2]);
      if (key && vars[key] !== undefined && vars[key] !== null) entry.policy = variableText(vars[key] as never);
    }
  }
}

function firstLines(text: string, n: number): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(0, n).join('\n') + (lines.length > n ? `\n… (${lines.length - n} more lines)` : '');
}

export async function runCorpusCase(c: CorpusCase): Promise<CaseResult> {
  let mod: Awaited<ReturnType<typeof loadEngineModule>>;
  try {
    mod = await loadEngineModule('cli/main.ts');
  } catch (e) {
    return { status: 'fail', message: `server/src/cli/main.ts failed to load: ${(e as Error).stack ?? e}`, summary: `CLI import failed: ${(e as Error).message.slice(0, 120)}` };
  }
  if (typeof mod === 'string') return { status: 'skip', message: mod, summary: 'CLI missing' };
  const runCli = mod.runCli as RunCli | undefined;
  if (typeof runCli !== 'function') return { status: 'skip', message: 'server/src/cli/main.ts does not export runCli', summary: 'no runCli' };

  let gitlab: ReturnType<typeof gitlabExpectation>;
  try {
    gitlab = c.expectError ? { expected: undefined, applied: deviationsFor(c) } : gitlabExpectation(c);
  } catch (e) {
    return { status: 'fail', message: `corpus/deviation problem: ${(e as Error).message}`, summary: 'bad deviation data' };
  }
  const notes = gitlab.applied.map((d) => `  deviation (item ${d.item}, ${d.op}${'path' in d ? ` ${d.path.join('.')}` : ''}): ${d.reason}${d.doubt ? `\n    doubt: ${d.doubt}` : ''}`);
  const cmd = `runCli ${c.argv.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`;

  let r: Awaited<ReturnType<RunCli>>;
  try {
    r = await runCli(c.argv, { cwd: c.dir, env: {} });
  } catch (e) {
    return { status: 'fail', message: `runCli threw: ${(e as Error).stack ?? e}\n${cmd}`, summary: 'runCli threw' };
  }

  if (c.expectError || gitlab.rejects) {
    const why = gitlab.rejects ? `GitLab rejects it: ${gitlab.rejects} (the oracle accepted it)` : `the oracle rejected it: ${firstLines(readFileSync(c.expectedFile, 'utf8'), 3).replace(/\n/g, ' | ')}`;
    if (r.code === 1 && r.stderr.trim()) {
      return { status: 'pass', message: `rejected as expected: ${firstLines(r.stderr, 3)}`, summary: 'rejected (ok)' };
    }
    if (r.code === 1) return { status: 'fail', message: `exit 1 but no reason on stderr\n${cmd}`, summary: 'exit 1, empty stderr' };
    return {
      status: 'fail',
      message: `expected exit 1 (${why}), got exit ${r.code}\n${cmd}\nstderr: ${firstLines(r.stderr, 10)}\n${notes.join('\n')}`,
      summary: r.code === 0 ? 'accepted, GitLab rejects' : `exit ${r.code}: ${firstLines(r.stderr, 1)}`,
    };
  }

  if (r.code !== 0) {
    return {
      status: 'fail',
      message: `exit ${r.code}, expected an expansion\n${cmd}\nstderr:\n${firstLines(r.stderr, 15)}`,
      summary: `exit ${r.code}: ${firstLines(r.stderr, 1).slice(0, 140)}`,
    };
  }
  let actual: unknown;
  try {
    actual = JSON.parse(r.stdout);
  } catch (e) {
    return { status: 'fail', message: `stdout is not JSON (${(e as Error).message}): ${brief(r.stdout, 300)}\n${cmd}`, summary: 'stdout not JSON' };
  }
  if (gitlab.applied.some((d) => d.op === 'oracle-expands-cache-policy')) expandCachePolicies(actual);
  const want = normalise(gitlab.expected, { mode: c.mode });
  const got = normalise(actual, { mode: c.mode });
  const diff = diffPlain(want, got);
  if (diff.lines.length === 0) {
    return { status: 'pass', message: notes.length ? `passed with GitLab's answer where the oracle deviates:\n${notes.join('\n')}` : '', summary: gitlab.applied.length ? `ok (${gitlab.applied.length} deviation patch(es))` : 'ok' };
  }
  const lines = diff.lines.map((l) => `  ${l}`);
  if (diff.more) lines.push(`  … ${diff.more} more differences`);
  return {
    status: 'fail',
    message: `normalised output differs from GitLab's expectation (${c.expectedFile.slice(CORPUS.length + 1)}${gitlab.applied.length ? ' + deviations.ts' : ''}):\n${lines.join('\n')}\n${cmd}${notes.length ? `\n${notes.join('\n')}` : ''}${r.stderr.trim() ? `\nstderr: ${firstLines(r.stderr, 5)}` : ''}`,
    summary: `${diff.lines.length + diff.more} diff(s): ${diff.lines[0].slice(0, 150)}`,
  };
}

// ─────────────────────────────────────────────────────────── GitLab spec cases ──

export type SpecStage = 'extends' | 'reference' | 'interpolation' | 'include' | 'full-config' | 'unknown';

export interface SpecCaseData {
  source: string;
  name: string;
  stage: string;
  input_yaml: string;
  expected_json_or_error: Record<string, unknown>;
  match?: 'subset' | 'subset-flattened' | 'keys' | 'keys-include';
  inputs?: Record<string, unknown>;
  variables?: Record<string, string>;
  files?: Record<string, string>;
  notes?: string;
}

export interface SpecCase {
  id: string;
  /** 1-based line of cases.jsonl. */
  line: number;
  stage: SpecStage;
  group: string;
  data: SpecCaseData;
}

export function specStage(stage: string): SpecStage {
  if (stage.startsWith('extends')) return 'extends';
  if (stage.startsWith('!reference')) return 'reference';
  if (stage.startsWith('spec:inputs')) return 'interpolation';
  if (stage.startsWith('include')) return 'include';
  if (stage.startsWith('full merged configuration')) return 'full-config';
  return 'unknown';
}

export function discoverSpecCases(): SpecCase[] {
  if (!existsSync(SPEC_CASES_FILE)) return [];
  const out: SpecCase[] = [];
  readFileSync(SPEC_CASES_FILE, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (!text.trim()) return;
      const data = JSON.parse(text) as SpecCaseData;
      const stage = specStage(data.stage);
      out.push({ id: `spec:${stage} ${data.name}`, line: i + 1, stage, group: `spec:${stage}`, data });
    });
  return out;
}

interface Diagnostic {
  severity: string;
  code?: string;
  message: string;
}

interface EngineOutcome {
  actual: unknown;
  diagnostics: Diagnostic[];
}

async function runSpecStage(c: SpecCase): Promise<EngineOutcome | string> {
  const d = c.data;
  if (c.stage === 'interpolation') {
    // GitLab's Interpolation specs hand content and inputs to the interpolator; as a file, that is
    // the content after a header declaring those inputs (when the case gives none itself).
    let text = d.input_yaml;
    const given = (d.inputs ?? {}) as Record<string, unknown>;
    if (String(d.stage).includes('Interpolation::Template') && !/^spec:/m.test(text)) {
      const inputs: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(given)) inputs[k] = { type: Array.isArray(v) ? 'array' : typeof v === 'object' ? 'string' : typeof v };
      text = `${stringifyYaml({ spec: { inputs } })}---\n${text}`;
    }
    const file = parseCiFile('memory:///templates/t.yml', text);
    const includeSpan = { uri: 'memory:///.gitlab-ci.yml', start: 0, end: 0 };
    const givenNode = Object.keys(given).length ? parseCiFile('memory:///.gitlab-ci.yml', stringifyYaml(given)).content : undefined;
    const res = interpolateFile(file, { includeSpan, variables: (d.variables ?? {}) as Record<string, string>, given: givenNode?.kind === 'map' ? givenNode : undefined });
    const plain = plainOf(res.content);
    return { actual: plain === null ? {} : plain, diagnostics: [...file.diagnostics, ...res.diagnostics] };
  }
  if (c.stage === 'extends' || c.stage === 'reference') {
    const parse = await loadEngineModule('pipeline/yaml/parse.ts');
    const model = await loadEngineModule('pipeline/model.ts');
    const stageMod = await loadEngineModule(c.stage === 'extends' ? 'pipeline/merge/extends.ts' : 'pipeline/merge/references.ts');
    for (const m of [parse, model, stageMod]) if (typeof m === 'string') return m;
    const parseYaml = (parse as Record<string, unknown>).parseYaml as (uri: string, text: string) => { content: { kind: string }; diagnostics: Diagnostic[] };
    const toPlain = (model as Record<string, unknown>).toPlain as (n: unknown) => unknown;
    const fnName = c.stage === 'extends' ? 'applyExtends' : 'resolveReferences';
    const fn = (stageMod as Record<string, unknown>)[fnName] as ((doc: unknown) => { doc: unknown; diagnostics: Diagnostic[] }) | undefined;
    if (typeof fn !== 'function') return `${fnName} is not exported`;
    const parsed = parseYaml('memory:///.gitlab-ci.yml', d.input_yaml);
    const diagnostics = [...parsed.diagnostics];
    if (parsed.content.kind !== 'map') return { actual: toPlain(parsed.content), diagnostics };
    const res = fn(parsed.content);
    return { actual: toPlain(res.doc), diagnostics: [...diagnostics, ...res.diagnostics] };
  }
  if (c.stage === 'include') {
    // The include stage alone (GitLab's External::Processor#perform): processIncludes() when the
    // engine exports it, so that later validation (e.g. "at least one visible job", which the
    // Processor specs do not run) does not leak into these cases.
    const includes = await loadEngineModule('pipeline/includes/includes.ts');
    const model = await loadEngineModule('pipeline/model.ts');
    if (typeof includes !== 'string' && typeof model !== 'string' && typeof includes.processIncludes === 'function') {
      const processIncludes = includes.processIncludes as (root: unknown, o: unknown) => Promise<{ doc: unknown; diagnostics: Diagnostic[] }>;
      const toPlain = model.toPlain as (n: unknown) => unknown;
      const sources = new MemorySources({ ...(d.files ?? {}), '.gitlab-ci.yml': d.input_yaml });
      const root = await sources.readProjectFile({ project: null }, '.gitlab-ci.yml');
      if (!root.ok) return root.error;
      const res = await processIncludes({ uri: root.uri, path: '.gitlab-ci.yml', text: root.text }, { sources, variables: { ...(d.variables ?? {}) } });
      return { actual: toPlain(res.doc), diagnostics: res.diagnostics };
    }
  }
  // full-config (and include without processIncludes): the whole expansion over in-memory files.
  const expand = await loadEngineModule('pipeline/merge/expand.ts');
  const model = await loadEngineModule('pipeline/model.ts');
  for (const m of [expand, model]) if (typeof m === 'string') return m;
  const expandPipeline = (expand as Record<string, unknown>).expandPipeline as (o: unknown) => Promise<{ merged: unknown; diagnostics: Diagnostic[] }>;
  const toPlain = (model as Record<string, unknown>).toPlain as (n: unknown) => unknown;
  const sources = new MemorySources({ ...(d.files ?? {}), '.gitlab-ci.yml': d.input_yaml });
  const p = await expandPipeline({ rootPath: '.gitlab-ci.yml', sources, variables: { ...(d.variables ?? {}) } });
  let actual = toPlain(p.merged);
  if (c.stage === 'full-config' && isPlainMap(actual)) {
    // The docs' "Full configuration" view shows entries without `extends:` (applied).
    actual = Object.fromEntries(Object.entries(actual).map(([k, v]) => {
      if (isPlainMap(v) && 'extends' in v) {
        const { extends: _ignored, ...rest } = v;
        void _ignored;
        return [k, rest];
      }
      return [k, v];
    }));
  }
  return { actual, diagnostics: p.diagnostics };
}

/** Error matching of cases.jsonl: `exact` (a `where: ` prefix allowed), `contains`, `any`. */
export function errorMatches(messages: string[], expected: string, mode: string, loose: boolean): boolean {
  if (mode === 'any') return messages.length > 0;
  const squash = (s: string) => s.toLowerCase().replace(/[\s"'`\[\]{}=>]/g, '');
  return messages.some((m) => {
    if (mode === 'contains') return m.toLowerCase().includes(expected.toLowerCase()) || (loose && squash(m).includes(squash(expected)));
    if (m === expected || m.endsWith(`: ${expected}`)) return true;
    return loose && squash(m).endsWith(squash(expected));
  });
}

function flattenScripts(v: unknown): unknown {
  if (!isPlainMap(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (['script', 'before_script', 'after_script'].includes(k) && Array.isArray(x)) out[k] = (x as unknown[]).flat(Infinity);
    else out[k] = flattenScripts(x);
  }
  return out;
}

export async function runSpecCase(c: SpecCase): Promise<CaseResult> {
  if (c.stage === 'unknown') return { status: 'skip', message: `unknown stage "${c.data.stage}"`, summary: 'unknown stage' };
  const d = c.data;
  let out: EngineOutcome | string;
  try {
    out = await runSpecStage(c);
  } catch (e) {
    return { status: 'fail', message: `engine threw: ${(e as Error).stack ?? e}`, summary: `threw: ${(e as Error).message.slice(0, 120)}` };
  }
  if (typeof out === 'string') return { status: 'skip', message: out, summary: out };
  const errors = out.diagnostics.filter((x) => x.severity === 'error').map((x) => x.message);
  const exp = d.expected_json_or_error;
  const input = `input (cases.jsonl line ${c.line}):\n${d.input_yaml.replace(/^/gm, '  ')}`;

  if (typeof exp.error === 'string') {
    const mode = String(exp.error_match ?? 'exact');
    const loose = /match loosely/i.test(d.notes ?? '');
    if (errorMatches(errors, exp.error, mode, loose)) return { status: 'pass', message: `error as expected: ${errors.join(' | ')}`, summary: 'error (ok)' };
    return {
      status: 'fail',
      message: `expected an error (${mode}${loose ? ', loose' : ''}): ${exp.error}\ngot ${errors.length ? `errors: ${errors.join(' | ')}` : `no error; result ${brief(out.actual, 400)}`}\n${input}`,
      summary: errors.length ? `other error: ${errors[0].slice(0, 120)}` : 'no error raised',
    };
  }
  if (errors.length) {
    return { status: 'fail', message: `unexpected errors: ${errors.join(' | ')}\n${input}`, summary: `error: ${errors[0].slice(0, 140)}` };
  }
  const actual = out.actual;
  const fail = (lines: string[], more = 0) => ({
    status: 'fail' as const,
    message: `result differs from GitLab's (match: ${d.match ?? 'exact'}):\n${lines.map((l) => `  ${l}`).join('\n')}${more ? `\n  … ${more} more` : ''}\n${input}`,
    summary: `${lines.length + more} diff(s): ${lines[0]?.slice(0, 150)}`,
  });
  const keysOf = (v: unknown) => (isPlainMap(v) ? Object.keys(v) : []);
  switch (d.match) {
    case 'keys':
    case 'keys-include': {
      const want = (exp.expect_keys ?? exp.expect_keys_include) as string[];
      const have = keysOf(actual);
      const missing = want.filter((k) => !have.includes(k));
      const extra = d.match === 'keys' ? have.filter((k) => !want.includes(k)) : [];
      if (!missing.length && !extra.length) return { status: 'pass', message: '', summary: 'ok' };
      return fail([...(missing.length ? [`missing top-level keys: ${missing.join(', ')}`] : []), ...(extra.length ? [`unexpected top-level keys: ${extra.join(', ')}`] : [])]);
    }
    case 'subset':
    case 'subset-flattened': {
      const a = d.match === 'subset-flattened' ? flattenScripts(actual) : actual;
      const e = d.match === 'subset-flattened' ? flattenScripts(exp) : exp;
      const lines: string[] = [];
      let more = 0;
      for (const k of Object.keys(e as object)) {
        const sub = diffPlain(sortKeys(clonePlain((e as Record<string, unknown>)[k])), isPlainMap(a) && k in a ? sortKeys(clonePlain(a[k])) : undefined, 25, [k]);
        lines.push(...sub.lines);
        more += sub.more;
      }
      return lines.length ? fail(lines, more) : { status: 'pass', message: '', summary: 'ok' };
    }
    default: {
      const diff = diffPlain(sortKeys(clonePlain(exp)), sortKeys(clonePlain(actual)));
      return diff.lines.length ? fail(diff.lines, diff.more) : { status: 'pass', message: '', summary: 'ok' };
    }
  }
}

// ──────────────────────────────────────────────────────────────────── baseline ──

export interface Baseline {
  passed: string[];
}

export function readBaseline(): Baseline {
  if (!existsSync(BASELINE_FILE)) return { passed: [] };
  const b = JSON.parse(readFileSync(BASELINE_FILE, 'utf8')) as Partial<Baseline>;
  return { passed: [...(b.passed ?? [])] };
}

/** Run every case unconditionally (`CONFORMANCE_STRICT=1`) instead of treating non-baseline cases as TODO. */
export function strictMode(): boolean {
  return process.env.CONFORMANCE_STRICT === '1';
}
