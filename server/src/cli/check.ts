/**
 * `gitlab-ci-presets check [PATH…] [--consumer DIR]… [--format text|json|codequality] [--strict]`
 * Reports exactly the diagnostics the language server publishes (same code, codes, messages):
 * a folder with a root `.gitlab-ci.yml` is checked as a pipeline; every other YAML file that
 * holds hidden jobs, variables or a `spec:` header (a preset file) is checked on its own; each `--consumer`
 * pipeline is checked with the checked library serving its project includes (its git remote's
 * project, else the one project the consumers include whose files it holds; `--project` wins).
 * Exit 0 clean, 1 findings at error level (warnings too with --strict), 2 usage errors.
 * `--remote [--project-id ID|PATH] [--ref REF] [--gitlab-url URL] [--timeout S]` also sends each
 * checked pipeline, as merged here (uncommitted files included), to GitLab's CI Lint API (token
 * from GITLAB_TOKEN): its errors and warnings become findings (`gitlab-lint-error`,
 * `gitlab-lint-warning`) at their source positions; where its merged YAML differs from ours the
 * differences are listed (text: after the findings; json: `{findings, mergedYamlDiff, remote}`
 * instead of the bare array). GitLab not answering is exit 2, with the reason on stderr.
 * With an online option or GITLAB_TOKEN, variables set in the CI/CD settings of each pipeline's
 * project (its git remote) and of the groups above it count as set, like `--known-var`: their
 * keys are listed through the API when the token may (Maintainer/Owner), else from the cache.
 */
import { checkedPath, checkedWritableFolder, CliUsageError, keyValuePairs } from './path-options.js';
import { cachedCopyLines } from './pipeline-sources.js';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Diagnostic } from 'vscode-languageserver';
import { diagnosticsByUri, toLsp } from '../features/shared/diagnostics.js';
import type { ExpandedPipeline } from '../pipeline/merge/expand.js';
import { formatDifference } from '../pipeline/edits/lint-mapping.js';
import type { MergedYamlDifference } from '../pipeline/edits/lint-mapping.js';
import { LineIndex } from '../pipeline/yaml/positions.js';
import { CiLint, DEFAULT_LINT_TIMEOUT_MS, lintTarget, validateRemotely } from '../sources/ci-lint.js';
import { ApiError } from '../sources/gitlab-api.js';
import { RequestLimiter } from '../sources/request-limits.js';
import { parseYaml } from '../pipeline/yaml/parse.js';
import { servedByLibrary } from '../impact/library-project.js';
import { listFilesRecursive, projectRootOf } from '../sources/directory-sources.js';
import { serverSession } from '../sources/source-session.js';
import { DEFAULT_SETTINGS, Workspace } from '../workspace.js';
import { isPresetFile } from '../workspace-index.js';
import type { Settings } from '../workspace.js';

export interface Finding {
  /** Path relative to the working directory (or the file URI when the file is not on disk). */
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
}

export class CheckUsageError extends CliUsageError {}

/** What `--remote` adds to the output: which pipelines GitLab checked, and where its merged YAML differs. */
export interface RemoteReport {
  pipelines: { file: string; project: string; gitlabUrl: string; valid: boolean }[];
  /** `file`: the root file of the pipeline the difference belongs to. */
  mergedYamlDiff: (MergedYamlDifference & { file: string })[];
}

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'info', 4: 'info' } as const;

export async function checkCommand(args: string[], cwd: string, env: Record<string, string | undefined> = process.env): Promise<{ code: number; stdout: string; stderr: string }> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      consumer: { type: 'string', multiple: true },
      format: { type: 'string', default: 'text' },
      strict: { type: 'boolean' },
      project: { type: 'string', multiple: true },
      'known-var': { type: 'string', multiple: true },
      remote: { type: 'boolean' },
      'project-id': { type: 'string' },
      ref: { type: 'string' },
      'gitlab-url': { type: 'string' },
      timeout: { type: 'string' },
      templates: { type: 'string' },
      'repo-dirs': { type: 'string' },
      'cache-dir': { type: 'string' },
      offline: { type: 'boolean' },
    },
  });
  for (const o of ['project-id', 'ref', 'timeout'] as const) if (values[o] !== undefined && !values.remote) throw new CheckUsageError(`--${o} needs --remote`);
  const timeoutMs = values.timeout === undefined ? DEFAULT_LINT_TIMEOUT_MS : Number(values.timeout) * 1000;
  if (!(timeoutMs > 0)) throw new CheckUsageError(`--timeout expects seconds, got \`${values.timeout}\``);
  const format = values.format!;
  if (!['text', 'json', 'codequality'].includes(format)) throw new CheckUsageError(`--format must be text, json or codequality, not \`${format}\``);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  // Every path option checked before any work: one line naming the option (path-options.ts).
  const paths = (positionals.length ? positionals : ['.']).map((p) => checkedPath('PATH', p, cwd, 'file or folder'));
  const consumers = (values.consumer ?? []).map((c) => checkedPath('--consumer', c, cwd));
  for (const c of consumers) if (!existsSync(resolve(c, '.gitlab-ci.yml'))) throw new CheckUsageError(`--consumer ${c}: no .gitlab-ci.yml in it`);
  const projectDirs = keyValuePairs('--project', values.project, 'P[@REF]=DIR').map(([k, v]) => [k, checkedPath(`--project ${k}=`, v, cwd)] as const);
  const repoDirs = values['repo-dirs'] !== undefined ? checkedPath('--repo-dirs', values['repo-dirs'], cwd) : undefined;
  const templatesDir = values.templates !== undefined ? checkedPath('--templates', values.templates, cwd) : undefined;
  const cacheDir = values['cache-dir'] !== undefined ? checkedWritableFolder('--cache-dir', values['cache-dir'], cwd) : undefined;

  const libraryDirs = paths.filter((p) => statSync(p).isDirectory());
  // Like `expand`: the cache and the GitLab API only when an online option or a token is given.
  const token = env.GITLAB_TOKEN?.trim() || undefined;
  const online = values['gitlab-url'] !== undefined || values['cache-dir'] !== undefined || values.offline || token !== undefined;
  const settings: Settings = {
    ...DEFAULT_SETTINGS,
    localProjects: {
      ...(repoDirs ? repoDirProjects(repoDirs) : {}),
      ...Object.fromEntries(projectDirs),
    },
    knownVariables: values['known-var'] ?? [],
    templatesDir,
    gitlabUrl: values['gitlab-url'],
    cacheDir,
    offline: values.offline,
    localOnly: !online,
  };
  if (online && token) serverSession.tokens.replace({ [values['gitlab-url'] ?? 'https://gitlab.com']: token });
  let stderr = '';
  if (libraryDirs.length === 1 && consumers.length) {
    const project = servedByLibrary(libraryDirs[0], consumers, settings);
    if (project) {
      settings.localProjects[project] = libraryDirs[0];
      stderr += `gitlab-ci-presets: the consumers' includes of ${project} are read from ${relative(cwd, libraryDirs[0]) || '.'} (--project ${project}=DIR to choose)\n`;
    }
  }
  // A file given on its own belongs to the project around it: local includes resolve from there.
  const fileRoots = paths.filter((p) => statSync(p).isFile()).map(projectRootOf);
  const folders = [...new Set([...libraryDirs, ...fileRoots, ...consumers])];
  const workspace = new Workspace(() => folders, () => undefined, () => settings);

  const findings = new Map<string, Finding>();
  const add = (uri: string, diags: Diagnostic[]) => {
    for (const d of diags) {
      const f = toFinding(uri, d, cwd);
      findings.set(`${f.file}:${f.line}:${f.column}:${f.code}:${f.message}`, f);
    }
  };
  /** The pipelines checked (not the preset files on their own): what --remote sends. */
  const pipelines = new Map<string, ExpandedPipeline>();
  /**
   * `--known-var` and, when online, the keys of the CI/CD variables GitLab sets for the project
   * of the pipeline's folder and its groups (only keys; a token that may not list them adds none).
   */
  const knownVariables = async (rootUri: string): Promise<string[]> => {
    if (settings.localOnly || !rootUri.startsWith('file:')) return settings.knownVariables;
    const fromGitLab = await serverSession.settingsVariables(workspace.folderOf(fileURLToPath(rootUri)), settings);
    return [...new Set([...settings.knownVariables, ...fromGitLab.keys])];
  };
  const analyse = async (uri: string) => {
    const analysis = await workspace.analyse(uri);
    for (const line of cachedCopyLines(analysis.pipeline.files).split('\n')) if (line && !stderr.includes(line)) stderr += `${line}\n`;
    if (!analysis.standalone && !analysis.conditional) pipelines.set(analysis.rootUri, analysis.pipeline);
    const known = analysis.standalone ? settings.knownVariables : await knownVariables(analysis.rootUri);
    const byUri = diagnosticsByUri(analysis.pipeline, () => undefined, { standalone: analysis.standalone, knownVariables: known });
    // A file its root pipeline includes only under a condition: its own findings, in that pipeline.
    for (const [u, diags] of byUri) if (!analysis.conditional || u === uri) add(u, diags);
  };

  for (const p of paths) {
    if (statSync(p).isFile()) {
      await analyse(pathToFileURL(p).href);
      continue;
    }
    const root = resolve(p, '.gitlab-ci.yml');
    if (existsSync(root)) await analyse(pathToFileURL(root).href);
    for (const rel of listFilesRecursive(p)) {
      if (!/\.ya?ml$/i.test(rel) || rel === '.gitlab-ci.yml') continue;
      const file = resolve(p, rel);
      if (checkedOnItsOwn(readFileSync(file, 'utf8'))) await analyse(pathToFileURL(file).href);
    }
  }
  for (const c of consumers) await analyse(pathToFileURL(resolve(c, '.gitlab-ci.yml')).href);

  let remote: RemoteReport | undefined;
  if (values.remote) {
    const r = await checkRemote(pipelines, { ...values, timeoutMs, token: env.GITLAB_TOKEN?.trim() || undefined }, (uri, diags) => add(uri, diags), cwd);
    remote = r.report;
    stderr += r.stderr;
  }

  const list = [...findings.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  const failing = list.some((f) => f.severity === 'error' || (values.strict && f.severity === 'warning'));
  const unreachable = remote !== undefined && remote.pipelines.length < pipelines.size;
  return { code: unreachable ? 2 : failing ? 1 : 0, stdout: render(list, format, remote), stderr };
}

/** Top-level keys that only a CI file starts a line with: a hidden job, `variables:`, `spec:`, `include:`, … */
const CI_TOP_LEVEL_KEY = /^(?:\.[^\s:#]+|variables|spec|include|default|stages|workflow)[ \t]*:/m;

/**
 * A YAML file of a checked folder checked as a preset file: one holding hidden jobs, variables or
 * a `spec:` header, and one that is not valid YAML whose top-level lines read like CI (its syntax
 * errors fail the check; other broken YAML, e.g. Helm templates, is none of ours).
 */
function checkedOnItsOwn(text: string): boolean {
  const parsed = parseYaml('check:', text);
  if (isPresetFile(parsed)) return true;
  return parsed.diagnostics.some((d) => d.severity === 'error') && CI_TOP_LEVEL_KEY.test(text);
}

/** `--remote`: each pipeline through GitLab's CI Lint; findings go to `add`, failures to stderr. */
async function checkRemote(
  pipelines: Map<string, ExpandedPipeline>,
  o: { 'project-id'?: string; ref?: string; 'gitlab-url'?: string; timeoutMs: number; token?: string },
  add: (uri: string, diags: Diagnostic[]) => void,
  cwd: string,
): Promise<{ report: RemoteReport; stderr: string }> {
  const report: RemoteReport = { pipelines: [], mergedYamlDiff: [] };
  let stderr = '';
  if (!pipelines.size) throw new CheckUsageError('--remote: no pipeline to send (no .gitlab-ci.yml among the checked paths or --consumer folders)');
  const limiter = new RequestLimiter({ timeoutMs: o.timeoutMs });
  for (const [rootUri, pipeline] of pipelines) {
    const file = displayPath(rootUri, cwd);
    let target;
    try {
      target = lintTarget(dirname(fileURLToPath(rootUri)), { gitlabUrl: o['gitlab-url'], projectId: o['project-id'] });
    } catch (e) {
      const message = (e as Error).message;
      throw new CheckUsageError(`--remote: ${message}${/project id or path$/.test(message) ? ' (--project-id)' : ''}`);
    }
    const lint = new CiLint({ gitlabUrl: target.gitlabUrl, token: o.token, limiter });
    if (o.token && !lint.sendsToken) stderr += `gitlab-ci-presets: GITLAB_TOKEN is not sent to ${target.gitlabUrl} (a token only goes over https, or plain http to a loopback address)\n`;
    try {
      const r = await validateRemotely(pipeline, lint, target.project, { ref: o.ref });
      const texts = new Map(pipeline.files.map((f) => [f.uri, f.parsed.text]));
      for (const d of r.diagnostics) add(d.span.uri, [toLsp(d, new LineIndex(texts.get(d.span.uri) ?? ''))]);
      report.pipelines.push({ file, project: target.project, gitlabUrl: target.gitlabUrl, valid: r.valid });
      report.mergedYamlDiff.push(...r.mergedYamlDiff.map((d) => ({ file, ...d })));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      stderr += `gitlab-ci-presets: ${file}: ${e.message}\n`;
    }
  }
  return { report, stderr };
}

/** A file URI as findings name it: relative to cwd when below it. */
function displayPath(uri: string, cwd: string): string {
  if (!uri.startsWith('file:')) return uri;
  const path = fileURLToPath(uri);
  return path.startsWith(cwd + '/') ? relative(cwd, path) : path;
}

/** `DIR/<project>/@<ref>/` folders as `project@ref` → folder mappings (the oracle's --repo-dirs). */
function repoDirProjects(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory()) continue;
      if (e.name.startsWith('@') && rel) out[`${rel}@${e.name.slice(1)}`] = resolve(dir, e.name);
      else if (!e.name.startsWith('@')) walk(resolve(dir, e.name), rel ? `${rel}/${e.name}` : e.name);
    }
  };
  walk(root, '');
  return out;
}

function toFinding(uri: string, d: Diagnostic, cwd: string): Finding {
  return {
    file: displayPath(uri, cwd),
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
    endLine: d.range.end.line + 1,
    endColumn: d.range.end.character + 1,
    severity: SEVERITY[d.severity ?? 1],
    code: String(d.code ?? ''),
    message: typeof d.message === 'string' ? d.message : d.message.value,
  };
}

/** GitLab Code Quality severities. */
const CODE_QUALITY = { error: 'major', warning: 'minor', info: 'info' } as const;

export function render(list: Finding[], format: string, remote?: RemoteReport): string {
  if (format === 'json') return `${JSON.stringify(remote ? { findings: list, mergedYamlDiff: remote.mergedYamlDiff, remote: remote.pipelines } : list, null, 2)}\n`;
  if (format === 'codequality') {
    return `${JSON.stringify(
      list.map((f) => ({
        description: f.message,
        check_name: f.code,
        fingerprint: createHash('sha256').update(`${f.file}\0${f.code}\0${f.message}`).digest('hex'),
        severity: CODE_QUALITY[f.severity],
        location: { path: f.file, lines: { begin: f.line, end: f.endLine } },
      })),
      null,
      2,
    )}\n`;
  }
  const lines = list.map((f) => `${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.message} [${f.code}]`);
  const errors = list.filter((f) => f.severity === 'error').length;
  const warnings = list.filter((f) => f.severity === 'warning').length;
  lines.push(`${errors} error(s), ${warnings} warning(s), ${list.length - errors - warnings} info`);
  for (const p of remote?.pipelines ?? []) {
    lines.push(`GitLab CI Lint (${p.project} on ${new URL(p.gitlabUrl).host}): ${p.file} is ${p.valid ? 'valid' : 'invalid'}`);
    const diff = remote!.mergedYamlDiff.filter((d) => d.file === p.file);
    if (!diff.length) continue;
    lines.push('', `GitLab's merged YAML differs from ours (${p.file}):`);
    for (const d of diff) lines.push(`  ${formatDifference(d)}`);
  }
  return `${lines.join('\n')}\n`;
}
