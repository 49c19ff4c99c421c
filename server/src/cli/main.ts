/**
 * `gitlab-ci-presets` — the engine on the command line: `expand`, `check`, `simulate` (usage
 * texts: help.ts). Options mean what they mean for the corpus oracle (../shared/corpus/oracle.sh),
 * so a case's `oracle.args` can be passed verbatim. Exit 1 with the reasons on stderr when GitLab
 * would reject the configuration; 2 for usage errors (one line on stderr).
 * Projects, templates and remote URLs that no option maps locally are read through the cache and
 * the GitLab API (token from GITLAB_TOKEN) once any of --gitlab-url, --cache-dir, --refresh,
 * --offline or GITLAB_TOKEN is given; without them the run never touches the network.
 */
import { parseArgs } from 'node:util';
import { formatDiagnostics } from './diagnostic-lines.js';
import { asksForHelp, COMMAND_USAGE, GENERAL_USAGE } from './help.js';
import { CliUsageError } from './path-options.js';
import { cachedCopyLines, PIPELINE_OPTIONS, pipelineSetup } from './pipeline-sources.js';
import { yamlOutput } from './yaml-output.js';
import { expandPipeline } from '../pipeline/merge/expand.js';
import { renderPipeline } from '../pipeline/merge/output.js';

export interface CliIo {
  cwd?: string;
  env?: Record<string, string | undefined>;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

const USAGE = GENERAL_USAGE;

export async function runCli(argv: string[], io: CliIo = {}): Promise<CliResult> {
  const cwd = io.cwd ?? process.cwd();
  const [command, ...rest] = argv;
  try {
    if (COMMAND_USAGE[command] && asksForHelp(rest)) return { code: 0, stdout: COMMAND_USAGE[command], stderr: '' };
    if (command === 'expand') return await expandCommand(rest, cwd, io.env ?? process.env);
    // Each command loads what only it uses when it runs (the language server's protocol types, the GitLab client, ...).
    if (command === 'check') return await (await import('./check.js')).checkCommand(rest, cwd, io.env ?? process.env);
    if (command === 'simulate') return await (await import('./simulate.js')).simulateCommand(rest, cwd, io.env ?? process.env);
    if (command === 'impact') return await (await import('./impact.js')).impactCommand(rest, cwd, io.env ?? process.env);
    if (command === '--help' || command === '-h' || command === 'help') return { code: 0, stdout: USAGE, stderr: '' };
    throw new CliUsageError(command ? `unknown command \`${command}\`` : 'missing command');
  } catch (e) {
    if (e instanceof CliUsageError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      // One line: what was wrong, and where the usage is.
      const help = COMMAND_USAGE[command] ? `gitlab-ci-presets ${command} --help` : 'gitlab-ci-presets --help';
      return { code: 2, stdout: '', stderr: `gitlab-ci-presets${COMMAND_USAGE[command] ? ` ${command}` : ''}: ${(e as Error).message} (usage: ${help})\n` };
    }
    return { code: 3, stdout: '', stderr: `gitlab-ci-presets: internal error: ${(e as Error).stack ?? e}\n` };
  }
}

async function expandCommand(args: string[], cwd: string, env: Record<string, string | undefined>): Promise<CliResult> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...PIPELINE_OPTIONS,
      full: { type: 'boolean' },
      json: { type: 'boolean' },
      sort: { type: 'boolean' },
      partial: { type: 'boolean' },
    },
  });
  const setup = await pipelineSetup('expand', values, positionals, cwd, env);
  const { sources, variables, rootInputs, rootPath, selfProject } = setup;
  const pipeline = await expandPipeline({ sources, variables, rootInputs, rootPath, selfProject });
  const stderr = setup.notice + cachedCopyLines(pipeline.files) + formatDiagnostics(pipeline, cwd);
  // A rejected configuration prints nothing, unless --partial asks for what was merged anyway.
  if (!pipeline.valid && !values.partial) return { code: 1, stdout: '', stderr };
  // YAML is written straight from the merged nodes; JSON and sorted output from plain data.
  const plain = values.json || values.sort;
  let out: unknown = renderPipeline(pipeline, { full: values.full, nodes: !plain });
  if (values.sort) out = sortKeys(out);
  const stdout = values.json ? `${JSON.stringify(out, null, 2)}\n` : yamlOutput(out);
  return { code: pipeline.valid ? 0 : 1, stdout, stderr };
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}
