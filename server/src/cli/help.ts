/**
 * The CLI's usage texts: one per command (`gitlab-ci-presets CMD --help`) and the overview
 * (`gitlab-ci-presets --help`). Usage goes to stdout with exit 0 when asked for; a usage error
 * prints one line on stderr pointing here, exit 2.
 */

const SOURCES = `Includes: --project P[@REF]=DIR maps a project (at a ref) to a folder, --repo-dirs DIR holds
DIR/<project>/@<ref>/ folders, --templates DIR GitLab's CI templates, --remote URL=FILE a remote: file.
Anything else comes through the cache and the GitLab API (token from GITLAB_TOKEN) once --gitlab-url,
--cache-dir, --refresh, --offline or GITLAB_TOKEN is given; without them the network is never used.
A line on stderr says when a cached copy stood in because GitLab could not be reached.`;

export const COMMAND_USAGE: Record<string, string> = {
  expand: `Usage: gitlab-ci-presets expand [DIR] [--file F] [--full] [--json] [--sort] [--partial]
         [--var K=V]... [--input K=V]... [--remote-url GIT_URL]
         [--project P[@REF]=DIR]... [--repo-dirs DIR] [--templates DIR] [--remote URL=FILE]...
         [--gitlab-url URL] [--cache-dir DIR] [--refresh | --offline]
Prints the pipeline of DIR (default .) as GitLab merges it: includes, extends, !reference, default:.
  --file F        the CI file, relative to DIR (default .gitlab-ci.yml)
  --full          also hidden jobs and default:
  --json          JSON instead of YAML; --sort sorts keys
  --partial       print what was merged even when GitLab would reject the configuration
  --var K=V       a CI variable for include paths and rules; --input K=V an input of the root file
  --remote-url U  the project's git remote (sets CI_PROJECT_PATH, CI_SERVER_HOST, ...)
${SOURCES}
Exit codes: 0 accepted, 1 rejected (reasons on stderr; nothing on stdout unless --partial), 2 usage error.
`,
  check: `Usage: gitlab-ci-presets check [PATH]... [--consumer DIR]... [--format text|json|codequality] [--strict]
         [--project P[@REF]=DIR]... [--repo-dirs DIR] [--templates DIR] [--known-var NAME]...
         [--gitlab-url URL] [--cache-dir DIR] [--offline]
         [--remote [--project-id ID|PATH] [--ref REF] [--timeout SECONDS]]
The editor's diagnostics for folders (their .gitlab-ci.yml and preset files), single preset files and
consumers (--consumer DIR: a project including the checked library).
--remote sends each checked pipeline, merged locally (uncommitted files included), to GitLab's CI Lint
API (token from GITLAB_TOKEN; project: --project-id, else the folder's git remote); its errors and
warnings become findings, differences of its merged YAML are listed (json: {findings, mergedYamlDiff, remote}).
${SOURCES}
Exit codes: 0 clean, 1 rejected configuration / error findings (warnings too with --strict), 2 usage error
(with --remote also: GitLab could not be asked).
`,
  simulate: `Usage: gitlab-ci-presets simulate [DIR] (--branch NAME | --tag NAME | --mr [--target BRANCH] | --source SOURCE)
         [--var K=V]... [--json] [--file F] [--remote-url GIT_URL] [--default-branch NAME]
         [--project P[@REF]=DIR]... [--repo-dirs DIR] [--templates DIR] [--remote URL=FILE]...
         [--gitlab-url URL] [--cache-dir DIR] [--refresh | --offline]
Which jobs a pipeline of DIR runs — the preview's rules engine (workflow:rules, rules, only/except):
each job with its stage, when, allow_failure, start_in and the rule that decided, then the jobs left out
and why.
  --branch NAME   a push pipeline on a branch; --tag NAME on a tag
  --mr            a merge request pipeline (source branch: --branch, default the default branch's
                  name; target: --target, default the default branch)
  --source S      CI_PIPELINE_SOURCE (push, web, schedule, api, trigger, pipeline, ...)
  --default-branch NAME   CI_DEFAULT_BRANCH (default main)
  --json          {"jobs": [{"name", "stage", "when", "allowFailure", "startIn", "decidedBy"}],
                   "leftOut": [{"name", "reason"}]}
${SOURCES}
Exit codes: 0 simulated, 1 rejected configuration (reasons on stderr), 2 usage error.
`,
  impact: `Usage: gitlab-ci-presets impact [LIBRARY_DIR] --base REF [--consumer DIR]... [--consumers-of GROUP --gitlab-url URL]
         [--format text|markdown|json] [--project GROUP/PROJ] [--known-var NAME]... [--cache-dir DIR] [--offline]
         [--post-note [--note-project ID] [--merge-request IID]]
The library at REF (git, no network) against its working tree, for every consumer: jobs added, removed and
changed, what runs differently (default branch, v* tag, merge request), new errors and missing variables.
--consumers-of lists a GitLab group's projects (subgroups included; token from GITLAB_TOKEN) and keeps those
that include the library. --post-note posts the Markdown report as a note on the merge request
(CI_MERGE_REQUEST_PROJECT_ID / CI_MERGE_REQUEST_IID unless given; token from GITLAB_TOKEN).
Exit codes: 0 no consumer gains an error or missing variable, 1 one does, 2 usage error.
`,
};

export const GENERAL_USAGE = `Usage: gitlab-ci-presets COMMAND [OPTIONS]
Commands:
  expand     the merged pipeline, as GitLab computes it
  check      diagnostics for a preset library, its preset files and consumers
  simulate   which jobs a branch, tag or merge request pipeline runs, and why
  impact     what a change of a preset library does to its consumers' pipelines
Run gitlab-ci-presets COMMAND --help for a command's options.
`;

/** Whether the arguments ask for help (`--help` or `-h` anywhere before a `--`). */
export function asksForHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}
