/**
 * What `expand` and `simulate` share: the options that say where included files come from
 * (checked up front), the variables of the simulated pipeline, and the stderr lines saying
 * when a cached copy stood in because GitLab could not be reached.
 */
import { fromPlain, mapNode } from '../pipeline/model.js';
import type { MapNode } from '../pipeline/model.js';
import type { LoadedFile } from '../pipeline/includes/includes.js';
import type { SelfProject } from '../pipeline/includes/self-project.js';
import { simulatedVariables } from '../pipeline/rules/simulated-context.js';
import type { SimulatedContext } from '../pipeline/rules/simulated-context.js';
import type { SourceProvider } from '../pipeline/sources.js';
import { DirectorySources } from '../sources/directory-sources.js';
import { folderSelfProject, parseGitRemoteUrl } from '../sources/git-remotes.js';
import { parse as parseYamlValue } from 'yaml';
import { checkedPath, checkedWritableFolder, CliUsageError, keyValuePairs } from './path-options.js';

/** parseArgs options of a command that expands a folder's pipeline. */
export const PIPELINE_OPTIONS = {
  file: { type: 'string' },
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
} as const;

export interface PipelineOptionValues {
  file?: string;
  var?: string[];
  input?: string[];
  project?: string[];
  'repo-dirs'?: string;
  templates?: string;
  remote?: string[];
  'remote-url'?: string;
  'gitlab-url'?: string;
  'cache-dir'?: string;
  refresh?: boolean;
  offline?: boolean;
}

export interface PipelineSetup {
  sources: SourceProvider;
  variables: Record<string, string>;
  rootDir: string;
  rootPath?: string;
  rootInputs?: MapNode;
  selfProject?: SelfProject;
  /** Lines for stderr before anything else (a token that is not sent, ...). */
  notice: string;
}

/**
 * The sources, variables and root of a command's pipeline; every path option checked first. The
 * GitLab client is loaded only when an option asks for it (loading it costs an offline run time).
 */
export async function pipelineSetup(
  command: string,
  values: PipelineOptionValues,
  positionals: string[],
  cwd: string,
  env: Record<string, string | undefined>,
  context: SimulatedContext = {},
): Promise<PipelineSetup> {
  if (values.refresh && values.offline) throw new CliUsageError('--refresh and --offline exclude each other');
  if (positionals.length > 1) throw new CliUsageError(`${command} takes one directory`);
  const rootDir = checkedPath('DIR', positionals[0] ?? '.', cwd, 'folder');
  if (values.file !== undefined) checkedPath('--file', values.file, rootDir, 'file');
  const projects = new Map(keyValuePairs('--project', values.project, 'P[@REF]=DIR').map(([k, v]) => [k, checkedPath(`--project ${k}=`, v, cwd, 'folder')]));
  const remotes = new Map(keyValuePairs('--remote', values.remote, 'URL=FILE').map(([k, v]) => [k, checkedPath(`--remote ${k}=`, v, cwd, 'file')]));
  const local = {
    rootDir,
    projects,
    remotes,
    repoDirs: values['repo-dirs'] !== undefined ? checkedPath('--repo-dirs', values['repo-dirs'], cwd) : undefined,
    templatesDir: values.templates !== undefined ? checkedPath('--templates', values.templates, cwd) : undefined,
  };
  const cacheDir = values['cache-dir'] !== undefined ? checkedWritableFolder('--cache-dir', values['cache-dir'], cwd) : undefined;
  const token = env.GITLAB_TOKEN?.trim() || undefined;
  const online = values['gitlab-url'] !== undefined || cacheDir !== undefined || values.refresh || values.offline || token !== undefined;
  let sources: SourceProvider = new DirectorySources(local);
  let notice = '';
  if (online) {
    const { onlineCliSources } = await import('../sources/source-session.js');
    let chain: ReturnType<typeof onlineCliSources>;
    try {
      chain = onlineCliSources({ ...local, gitlabUrl: values['gitlab-url'], token, cacheDir, refresh: values.refresh, offline: values.offline, env });
    } catch (e) {
      throw new CliUsageError(`--gitlab-url: ${(e as Error).message}`);
    }
    sources = chain.sources;
    if (token && !chain.tokenSent) notice = `gitlab-ci-presets: GITLAB_TOKEN is not sent to ${chain.gitlabUrl} (a token only goes over https, or plain http to a loopback address)\n`;
  }
  const origin = values['remote-url'] !== undefined ? parseRemoteUrl(values['remote-url']) : undefined;
  const variables = { ...simulatedVariables({ ...origin, ...context }), ...Object.fromEntries(keyValuePairs('--var', values.var)) };
  let rootInputs: MapNode | undefined;
  const inputs = keyValuePairs('--input', values.input);
  if (inputs.length) {
    rootInputs = mapNode();
    for (const [k, v] of inputs) rootInputs.entries.set(k, fromPlain(parseYamlValue(v) ?? v));
  }
  const selfProject = origin ? { host: origin.serverHost, path: origin.projectPath } : folderSelfProject(rootDir);
  return { sources, variables, rootDir, rootPath: values.file, rootInputs, selfProject, notice };
}

/** The server host and project path of a git remote URL (https://host/group/p.git, git@host:group/p.git). */
export function parseRemoteUrl(url: string): { serverHost: string; projectPath: string } {
  const a = parseGitRemoteUrl(url);
  if (!a) throw new CliUsageError(`--remote-url: cannot read a host and project from \`${url}\``);
  return { serverHost: a.hostname, projectPath: a.projectPath };
}

/** One stderr line per project, template or URL read from the cache because its source could not be asked. */
export function cachedCopyLines(files: readonly LoadedFile[]): string {
  const lines = new Set<string>();
  for (const f of files) {
    if (!f.note?.startsWith('cached copy')) continue;
    const what = f.kind === 'remote' ? f.path : f.kind === 'template' ? `template ${f.path}` : f.loc.project ? `${f.loc.project}@${f.loc.ref ?? 'HEAD'}` : f.path;
    lines.add(`gitlab-ci-presets: using the ${f.note.replace(/^cached copy/, `cached copy of ${what}`)}\n`);
  }
  return [...lines].join('');
}
