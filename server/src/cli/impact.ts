/**
 * `gitlab-ci-presets impact [LIBRARY_DIR] --base REF [--consumer DIR]… [--consumers-of GROUP --gitlab-url URL]
 *   [--format text|markdown|json] [--project P] [--known-var NAME]… [--post-note]`
 * What a change of a preset library does to every consumer's pipeline: the library as it was at
 * REF (read with git plumbing, no network) against the working tree (uncommitted files
 * included), each consumer expanded with both and diffed. Exit 1 when a consumer gains an error
 * or a missing required variable, 0 otherwise, 2 on usage errors.
 */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { servedByLibrary } from '../impact/library-project.js';
import { GitRefError, GitRefSources, resolveCommit } from '../impact/git-ref-sources.js';
import { renderMarkdown, renderText } from '../impact/impact-format.js';
import { computeImpact } from '../impact/impact-report.js';
import type { ConsumerInput } from '../impact/impact-report.js';
import { groupConsumers, GroupListError } from '../impact/remote-consumers.js';
import { postNote, noteTarget } from '../impact/merge-request-note.js';
import type { SourceProvider } from '../pipeline/sources.js';
import { DirectorySources } from '../sources/directory-sources.js';
import { folderProject } from '../sources/settings-variables.js';
import { defaultCacheDir } from '../sources/project-cache.js';
import { onlineCliSources } from '../sources/source-session.js';
import { DEFAULT_SETTINGS } from '../workspace.js';
import { COMMAND_USAGE } from './help.js';

const IMPACT_USAGE = COMMAND_USAGE.impact!;

class ImpactUsageError extends Error {}

type Result = { code: number; stdout: string; stderr: string };

export async function impactCommand(args: string[], cwd: string, env: Record<string, string | undefined> = process.env): Promise<Result> {
  try {
    return await impact(args, cwd, env);
  } catch (e) {
    if (e instanceof ImpactUsageError || e instanceof GitRefError || e instanceof GroupListError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      return { code: 2, stdout: '', stderr: `gitlab-ci-presets impact: ${(e as Error).message}\n${IMPACT_USAGE}` };
    }
    throw e;
  }
}

async function impact(args: string[], cwd: string, env: Record<string, string | undefined>): Promise<Result> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      base: { type: 'string' },
      consumer: { type: 'string', multiple: true },
      'consumers-of': { type: 'string', multiple: true },
      'gitlab-url': { type: 'string' },
      format: { type: 'string', default: 'text' },
      project: { type: 'string' },
      'known-var': { type: 'string', multiple: true },
      'cache-dir': { type: 'string' },
      offline: { type: 'boolean' },
      'post-note': { type: 'boolean' },
      'note-project': { type: 'string' },
      'merge-request': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return { code: 0, stdout: IMPACT_USAGE, stderr: '' };
  const format = values.format!;
  if (!['text', 'markdown', 'json'].includes(format)) throw new ImpactUsageError(`--format must be text, markdown or json, not \`${format}\``);
  if (positionals.length > 1) throw new ImpactUsageError('impact takes one library folder');
  if (!values.base) throw new ImpactUsageError('--base REF is required (the released library, e.g. the latest tag)');
  for (const o of ['note-project', 'merge-request'] as const) if (values[o] !== undefined && !values['post-note']) throw new ImpactUsageError(`--${o} needs --post-note`);
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(cwd, p));
  const library = abs(positionals[0] ?? '.');
  if (!existsSync(library) || !statSync(library).isDirectory()) throw new ImpactUsageError(`no such folder: ${library}`);
  const consumerDirs = (values.consumer ?? []).map(abs);
  for (const c of consumerDirs) if (!existsSync(resolve(c, '.gitlab-ci.yml'))) throw new ImpactUsageError(`--consumer ${c} has no .gitlab-ci.yml`);
  const groups = values['consumers-of'] ?? [];
  if (!consumerDirs.length && !groups.length) throw new ImpactUsageError('no consumers: give --consumer DIR or --consumers-of GROUP');
  const token = env.GITLAB_TOKEN?.trim() || undefined;
  if (groups.length && !token) throw new ImpactUsageError('--consumers-of needs a token in GITLAB_TOKEN');

  const settings = { ...DEFAULT_SETTINGS, localProjects: {}, gitlabUrl: values['gitlab-url'] };
  const project = values.project ?? folderProject(library, values['gitlab-url'])?.project ?? (consumerDirs.length ? servedByLibrary(library, consumerDirs, settings) : undefined);
  if (!project) throw new ImpactUsageError(`cannot tell which project ${library} is (no git remote, and no one project the consumers include whose files it holds): give --project GROUP/PROJ`);

  const commit = await resolveCommit(library, values.base);
  const base = new GitRefSources(library, commit, project, values.base);
  const head = new DirectorySources({ rootDir: library });

  let stderr = '';
  const online = values['gitlab-url'] !== undefined || values['cache-dir'] !== undefined || values.offline || token !== undefined;
  const consumerSources = (rootDir: string): SourceProvider => {
    if (!online) return new DirectorySources({ rootDir });
    try {
      return onlineCliSources({ rootDir, gitlabUrl: values['gitlab-url'], token, cacheDir: values['cache-dir'] ? abs(values['cache-dir']) : undefined, offline: values.offline, env }).sources;
    } catch (e) {
      throw new ImpactUsageError(`--gitlab-url: ${(e as Error).message}`);
    }
  };
  let groupSources: ReturnType<typeof onlineCliSources> | undefined;
  const consumers: ConsumerInput[] = consumerDirs.map((dir) => ({ name: relative(cwd, dir) || '.', sources: consumerSources(dir), projectPath: folderProject(dir, values['gitlab-url'])?.project }));
  if (groups.length) {
    let online: ReturnType<typeof onlineCliSources>;
    try {
      online = onlineCliSources({ rootDir: library, gitlabUrl: values['gitlab-url'], token, cacheDir: values['cache-dir'] ? abs(values['cache-dir']) : undefined, offline: values.offline, env });
    } catch (e) {
      throw new ImpactUsageError(`--gitlab-url: ${(e as Error).message}`);
    }
    if (!online.tokenSent) stderr += `gitlab-ci-presets impact: GITLAB_TOKEN is not sent to ${online.gitlabUrl} (a token only goes over https, or plain http to a loopback address)\n`;
    groupSources = online;
  }
  for (const group of groups) {
    const found = await groupConsumers({ group, project, instance: groupSources!.instance, sources: groupSources!.sources });
    stderr += found.notes.map((n) => `gitlab-ci-presets impact: ${n}\n`).join('');
    consumers.push(...found.consumers);
  }

  const report = await computeImpact({
    project,
    baseRef: values.base,
    base,
    head,
    consumers,
    knownVariables: values['known-var'] ?? [],
    displayFile: (uri) => displayFile(uri, cwd),
    // With the cache in play (an online option or a token), results are kept beside the presets.
    resultCacheDir: online ? (values['cache-dir'] ? abs(values['cache-dir']) : defaultCacheDir(env)) : undefined,
  });
  const markdown = renderMarkdown(report);
  let postFailed = false;
  if (values['post-note']) {
    let target;
    try {
      target = noteTarget({ gitlabUrl: values['gitlab-url'], project: values['note-project'], mergeRequest: values['merge-request'], env });
    } catch (e) {
      throw new ImpactUsageError(`--post-note: ${(e as Error).message}`);
    }
    if (!token) throw new ImpactUsageError('--post-note needs a token in GITLAB_TOKEN');
    const posted = await postNote(target, token, markdown);
    if (!posted.ok) postFailed = true;
    stderr += posted.ok ? `gitlab-ci-presets impact: posted the report on merge request !${target.mergeRequest} (note ${posted.id})\n` : `gitlab-ci-presets impact: could not post the note: ${posted.error}\n`;
  }
  const stdout = format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : format === 'markdown' ? markdown : renderText(report);
  // The gate first; a note that could not be posted is exit 2 like GitLab not answering `check --remote`.
  return { code: report.failing ? 1 : postFailed ? 2 : 0, stdout, stderr };
}

/** Files on disk relative to cwd; a library file at a git ref as `project@ref:path`. */
function displayFile(uri: string, cwd: string): string {
  if (uri.startsWith('file:')) {
    const path = fileURLToPath(uri);
    return path.startsWith(cwd + '/') ? relative(cwd, path) : path;
  }
  const m = /^gitlab-ci-project:\/\/\/(.+?)\/-\/([^/]+)\/(.*)$/.exec(uri);
  if (m) {
    const ref = decodeURIComponent(m[2]);
    return `${m[1]}@${/^[0-9a-f]{40}$/.test(ref) ? ref.slice(0, 8) : ref}:${m[3]}`;
  }
  return uri;
}
