/**
 * `gitlab-ci-presets check [PATH…] [--consumer DIR]… [--format text|json|codequality] [--strict]`
 * Reports exactly the diagnostics the language server publishes (same code, codes, messages):
 * a folder with a root `.gitlab-ci.yml` is checked as a pipeline; every other YAML file that
 * holds hidden jobs or variables (a preset file) is checked on its own; each `--consumer`
 * pipeline is checked with the checked library serving its project includes.
 * Exit 0 clean, 1 findings at error level (warnings too with --strict), 2 usage errors.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Diagnostic } from 'vscode-languageserver';
import { diagnosticsByUri } from '../features/diagnostics.js';
import { parseYaml } from '../pipeline/parse.js';
import { listFilesRecursive } from '../sources/directory-sources.js';
import { DEFAULT_SETTINGS, Workspace } from '../workspace.js';
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

export class CheckUsageError extends Error {}

const SEVERITY = { 1: 'error', 2: 'warning', 3: 'info', 4: 'info' } as const;

function pairs(values: string[] | undefined): [string, string][] {
  return (values ?? []).map((v) => {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new CheckUsageError(`--project expects P[@REF]=DIR, got \`${v}\``);
    return [v.slice(0, eq), v.slice(eq + 1)];
  });
}

/** A YAML file that a preset library would hold: hidden jobs or top-level variables. */
function isPresetFile(text: string): boolean {
  const parsed = parseYaml('check:', text);
  if (parsed.content.kind !== 'map') return false;
  return [...parsed.content.entries.keys()].some((k) => k.startsWith('.') || k === 'variables');
}

export async function checkCommand(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      consumer: { type: 'string', multiple: true },
      format: { type: 'string', default: 'text' },
      strict: { type: 'boolean' },
      project: { type: 'string', multiple: true },
      'known-var': { type: 'string', multiple: true },
    },
  });
  const format = values.format!;
  if (!['text', 'json', 'codequality'].includes(format)) throw new CheckUsageError(`--format must be text, json or codequality, not \`${format}\``);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const paths = (positionals.length ? positionals : ['.']).map(abs);
  for (const p of paths) if (!existsSync(p)) throw new CheckUsageError(`no such file or folder: ${p}`);
  const consumers = (values.consumer ?? []).map(abs);
  for (const c of consumers) if (!existsSync(resolve(c, '.gitlab-ci.yml'))) throw new CheckUsageError(`--consumer ${c} has no .gitlab-ci.yml`);

  const libraryDirs = paths.filter((p) => statSync(p).isDirectory());
  const settings: Settings = {
    ...DEFAULT_SETTINGS,
    localProjects: Object.fromEntries(pairs(values.project).map(([k, v]) => [k, abs(v)])),
    knownVariables: values['known-var'] ?? [],
  };
  const folders = [...libraryDirs, ...consumers];
  const workspace = new Workspace(() => folders, () => undefined, () => settings);

  const findings = new Map<string, Finding>();
  const add = (uri: string, diags: Diagnostic[]) => {
    for (const d of diags) {
      const f = toFinding(uri, d, cwd);
      findings.set(`${f.file}:${f.line}:${f.column}:${f.code}:${f.message}`, f);
    }
  };
  const analyse = async (uri: string) => {
    const analysis = await workspace.analyse(uri);
    const byUri = diagnosticsByUri(analysis.pipeline, () => undefined, { standalone: analysis.standalone });
    for (const [u, diags] of byUri) add(u, diags);
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
      if (isPresetFile(readFileSync(file, 'utf8'))) await analyse(pathToFileURL(file).href);
    }
  }
  for (const c of consumers) await analyse(pathToFileURL(resolve(c, '.gitlab-ci.yml')).href);

  const list = [...findings.values()].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  const failing = list.some((f) => f.severity === 'error' || (values.strict && f.severity === 'warning'));
  return { code: failing ? 1 : 0, stdout: render(list, format), stderr: '' };
}

function toFinding(uri: string, d: Diagnostic, cwd: string): Finding {
  let file = uri;
  if (uri.startsWith('file:')) {
    const path = fileURLToPath(uri);
    file = path.startsWith(cwd + '/') ? relative(cwd, path) : path;
  }
  return {
    file,
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

export function render(list: Finding[], format: string): string {
  if (format === 'json') return `${JSON.stringify(list, null, 2)}\n`;
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
  return `${lines.join('\n')}\n`;
}
