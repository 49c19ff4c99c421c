/**
 * `gitlab-ci-presets` — the engine on the command line.
 *   expand [DIR] [--file F] [--full] [--json] [--var K=V]... [--input K=V]...
 *          [--project P[@REF]=DIR]... [--repo-dirs DIR] [--templates DIR] [--remote URL=FILE]...
 *          [--gitlab-url URL] [--cache-dir DIR] [--refresh | --offline]
 * Options mean what they mean for the corpus oracle (../shared/corpus/oracle.sh), so a case's
 * `oracle.args` can be passed verbatim. Exit 1 with the reasons on stderr when GitLab would
 * reject the configuration; 2 for usage errors.
 * Projects, templates and remote URLs that no option maps locally are read through the cache and
 * the GitLab API (token from GITLAB_TOKEN) once any of --gitlab-url, --cache-dir, --refresh,
 * --offline or GITLAB_TOKEN is given; without them the run never touches the network.
 */
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYamlValue, stringify } from 'yaml';
import { checkCommand, CheckUsageError } from './check.js';
import { impactCommand } from './impact.js';
import { expandPipeline } from '../pipeline/merge/expand.js';
import type { ExpandedPipeline } from '../pipeline/merge/expand.js';
import { fromPlain, mapNode } from '../pipeline/model.js';
import type { MapNode, PipelineDiagnostic } from '../pipeline/model.js';
import { renderPipeline } from '../pipeline/merge/output.js';
import { LineIndex } from '../pipeline/yaml/positions.js';
import { simulatedVariables } from '../pipeline/rules/simulated-context.js';
import { DirectorySources } from '../sources/directory-sources.js';
import type { SourceProvider } from '../pipeline/sources.js';
import { parseGitRemoteUrl } from '../sources/git-remotes.js';
import { onlineCliSources } from '../sources/source-session.js';
import { fileURLToPath } from 'node:url';

export interface CliIo {
  cwd?: string;
  env?: Record<string, string | undefined>;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const USAGE = `Usage: gitlab-ci-presets expand [DIR] [--file F] [--full] [--json] [--var K=V]... [--input K=V]...
         [--project P[@REF]=DIR]... [--repo-dirs DIR] [--templates DIR] [--remote URL=FILE]... [--remote-url GIT_URL]
         [--gitlab-url URL] [--cache-dir DIR] [--refresh | --offline]
Unmapped project/template/remote includes are read through the cache and the GitLab API (token from
GITLAB_TOKEN) when --gitlab-url, --cache-dir, --refresh, --offline or GITLAB_TOKEN is given.
       gitlab-ci-presets check [PATH]... [--consumer DIR]... [--format text|json|codequality] [--strict]
         [--project P[@REF]=DIR]... [--known-var NAME]...
         [--remote [--project-id ID|PATH] [--ref REF] [--gitlab-url URL] [--timeout SECONDS]]
--remote sends each checked pipeline, merged locally (uncommitted files included), to GitLab's CI Lint
API (token from GITLAB_TOKEN; project: --project-id, else the folder's git remote); its errors and
warnings become findings, differences of its merged YAML are listed (json: {findings, mergedYamlDiff, remote}).
Exit codes: 0 clean, 1 rejected configuration / error findings (warnings too with --strict), 2 usage error
(with --remote also: GitLab could not be asked).
       gitlab-ci-presets impact [LIBRARY_DIR] --base REF [--consumer DIR]... — what a library change does to its consumers (impact --help)
`;

class UsageError extends Error {}

function pairs(values: string[] | undefined, what: string): [string, string][] {
  return (values ?? []).map((v) => {
    const eq = v.indexOf('=');
    if (eq <= 0) throw new UsageError(`${what} expects KEY=VALUE, got \`${v}\``);
    return [v.slice(0, eq), v.slice(eq + 1)];
  });
}

export async function runCli(argv: string[], io: CliIo = {}): Promise<CliResult> {
  const cwd = io.cwd ?? process.cwd();
  const [command, ...rest] = argv;
  try {
    if (command === 'expand') return await expandCommand(rest, cwd, io.env ?? process.env);
    if (command === 'check') return await checkCommand(rest, cwd, io.env ?? process.env);
    if (command === 'impact') return await impactCommand(rest, cwd, io.env ?? process.env);
    if (command === '--help' || command === '-h' || command === 'help') return { code: 0, stdout: USAGE, stderr: '' };
    throw new UsageError(command ? `unknown command \`${command}\`` : 'missing command');
  } catch (e) {
    if (e instanceof UsageError || e instanceof CheckUsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      return { code: 2, stdout: '', stderr: `gitlab-ci-presets: ${(e as Error).message}\n${USAGE}` };
    }
    return { code: 3, stdout: '', stderr: `gitlab-ci-presets: internal error: ${(e as Error).stack ?? e}\n` };
  }
}

async function expandCommand(args: string[], cwd: string, env: Record<string, string | undefined>): Promise<CliResult> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      file: { type: 'string' },
      full: { type: 'boolean' },
      json: { type: 'boolean' },
      sort: { type: 'boolean' },
      var: { type: 'string', multiple: true },
      input: { type: 'string', multiple: true },
      project: { type: 'string', multiple: true },
      'repo-dirs': { type: 'string' },
      templates: { type: 'string' },
      remote: { type: 'string', multiple: true },
      'remote-url': { type: 'string' },
      'gitlab-url': { type: 'string' },
      'cache-dir': { type: 'string' },
      refresh: { type: 'boolean' },
      offline: { type: 'boolean' },
    },
  });
  if (values.refresh && values.offline) throw new UsageError('--refresh and --offline exclude each other');
  if (positionals.length > 1) throw new UsageError('expand takes one directory');
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const rootDir = abs(positionals[0] ?? '.');
  const projects = new Map(pairs(values.project, '--project').map(([k, v]) => [k, abs(v)]));
  const remotes = new Map(pairs(values.remote, '--remote').map(([k, v]) => [k, abs(v)]));
  const local = {
    rootDir,
    projects,
    remotes,
    repoDirs: values['repo-dirs'] ? abs(values['repo-dirs']) : undefined,
    templatesDir: values.templates ? abs(values.templates) : undefined,
  };
  const token = env.GITLAB_TOKEN?.trim() || undefined;
  const online = values['gitlab-url'] !== undefined || values['cache-dir'] !== undefined || values.refresh || values.offline || token !== undefined;
  let sources: SourceProvider = new DirectorySources(local);
  let notice = '';
  if (online) {
    let chain: ReturnType<typeof onlineCliSources>;
    try {
      chain = onlineCliSources({ ...local, gitlabUrl: values['gitlab-url'], token, cacheDir: values['cache-dir'] ? abs(values['cache-dir']) : undefined, refresh: values.refresh, offline: values.offline, env });
    } catch (e) {
      throw new UsageError(`--gitlab-url: ${(e as Error).message}`);
    }
    sources = chain.sources;
    if (token && !chain.tokenSent) notice = `gitlab-ci-presets: GITLAB_TOKEN is not sent to ${chain.gitlabUrl} (a token only goes over https, or plain http to a loopback address)\n`;
  }
  const origin = values['remote-url'] ? parseRemoteUrl(values['remote-url']) : undefined;
  const variables = { ...simulatedVariables(origin), ...Object.fromEntries(pairs(values.var, '--var')) };
  let rootInputs: MapNode | undefined;
  const inputs = pairs(values.input, '--input');
  if (inputs.length) {
    rootInputs = mapNode();
    for (const [k, v] of inputs) rootInputs.entries.set(k, fromPlain(parseYamlValue(v) ?? v));
  }
  const pipeline = await expandPipeline({ sources, variables, rootInputs, rootPath: values.file });
  const stderr = notice + formatDiagnostics(pipeline, cwd);
  if (!pipeline.valid) return { code: 1, stdout: '', stderr };
  let out: unknown = renderPipeline(pipeline, { full: values.full });
  if (values.sort) out = sortKeys(out);
  const stdout = values.json ? `${JSON.stringify(out, null, 2)}\n` : stringify(out, { lineWidth: 0, aliasDuplicateObjects: false });
  return { code: 0, stdout, stderr };
}

/** The server host and project path of a git remote URL (https://host/group/p.git, git@host:group/p.git). */
export function parseRemoteUrl(url: string): { serverHost: string; projectPath: string } {
  const a = parseGitRemoteUrl(url);
  if (!a) throw new UsageError(`--remote-url: cannot read a host and project from \`${url}\``);
  return { serverHost: a.hostname, projectPath: a.projectPath };
}

/** `path:line:col: severity: message [code]`, one per line, paths relative to cwd. */
export function formatDiagnostics(p: ExpandedPipeline, cwd: string): string {
  const texts = new Map(p.files.map((f) => [f.uri, f.parsed.text]));
  return p.diagnostics.map((d) => `${location(d, texts, cwd)}: ${d.severity}: ${d.message} [${d.code}]\n`).join('');
}

function location(d: PipelineDiagnostic, texts: Map<string, string>, cwd: string): string {
  const uri = d.span.uri;
  let name = uri;
  if (uri.startsWith('file:')) {
    const path = fileURLToPath(uri);
    name = path.startsWith(cwd + '/') ? path.slice(cwd.length + 1) : path;
  }
  const text = texts.get(uri);
  if (text === undefined) return name;
  const pos = new LineIndex(text).position(d.span.start);
  return `${name}:${pos.line + 1}:${pos.character + 1}`;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}
