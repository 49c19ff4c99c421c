/**
 * GitLab CI keywords with a short explanation each (our own words), grouped by where they may be
 * written, and the values a keyword accepts when it takes a fixed set. Used by completion (keys
 * and enum values) and hover. Pure data plus lookups by YAML path.
 */
import { DEFAULT_KEYWORDS, GLOBAL_KEYWORDS } from '../../pipeline/merge/jobs.js';

export interface KeywordDoc {
  name: string;
  doc: string;
  /** The values the keyword accepts, when it is a fixed set. */
  values?: string[];
  /** The shape its value takes, to shape the inserted text (`key: ` vs `key:\n  `). */
  shape?: 'map' | 'seq' | 'scalar';
}

const BOOL = ['true', 'false'];
const WHEN_JOB = ['on_success', 'on_failure', 'always', 'manual', 'delayed', 'never'];
const WHEN_RULE = ['on_success', 'on_failure', 'always', 'manual', 'delayed', 'never'];
const WHEN_ARTIFACTS = ['on_success', 'on_failure', 'always'];
const RETRY_WHEN = [
  'always', 'unknown_failure', 'script_failure', 'api_failure', 'stuck_or_timeout_failure',
  'runner_system_failure', 'runner_unsupported', 'stale_schedule', 'job_execution_timeout',
  'archived_failure', 'unmet_prerequisites', 'scheduler_failure', 'data_integrity_failure',
];
const PULL_POLICY = ['always', 'if-not-present', 'never'];

const k = (name: string, doc: string, shape?: KeywordDoc['shape'], values?: string[]): KeywordDoc => ({ name, doc, shape, values });

/** Keys a job, `default:` and the deprecated top-level globals share. */
const JOB_DEFAULTABLE: KeywordDoc[] = [
  k('after_script', 'Commands run after `script` (and `before_script`), even when the job failed; in a separate shell, with a 5 minute limit.', 'seq'),
  k('artifacts', 'Files and folders kept after the job and passed to jobs of later stages; also reports (JUnit, coverage, ...).', 'map'),
  k('before_script', 'Commands run before `script`, in the same shell. Often set in `default:` or a template.', 'seq'),
  k('cache', 'Files kept between pipelines (dependencies, build caches), keyed by `cache:key`.', 'map'),
  k('hooks', 'Commands the runner executes at given points of the job, e.g. `pre_get_sources_script`.', 'map'),
  k('id_tokens', 'OIDC ID tokens (JWT) made available to the job as variables, one per audience.', 'map'),
  k('image', 'Docker image the job runs in: a name, or a hash with `name`, `entrypoint`, `pull_policy`, `docker`.'),
  k('interruptible', 'The job may be cancelled when a newer pipeline starts on the same ref (auto-cancel redundant pipelines).', 'scalar', BOOL),
  k('retry', 'How many times (0-2) a failed job is retried; a hash limits retries to some failure reasons or exit codes.'),
  k('services', 'Extra Docker containers (databases, docker:dind, ...) linked to the job container.', 'seq'),
  k('tags', 'Runner tags: only runners having all of them pick the job.', 'seq'),
  k('timeout', 'Longest the job may run, e.g. `1h 30m`; cannot exceed the runner or project timeout.', 'scalar'),
];

const JOB: KeywordDoc[] = [
  ...JOB_DEFAULTABLE,
  k('allow_failure', 'A failure of this job does not fail the pipeline (it shows a warning). A hash `exit_codes:` restricts it to some exit codes.', 'scalar', BOOL),
  k('coverage', 'A regular expression (between slashes) that extracts the code coverage percentage from the job log.', 'scalar'),
  k('dast_configuration', 'Site and scanner profiles used by a DAST job.', 'map'),
  k('dependencies', 'The jobs of earlier stages whose artifacts are downloaded; `[]` downloads none.', 'seq'),
  k('environment', 'The environment the job deploys to: a name, or a hash with `name`, `url`, `action`, `on_stop`, ...'),
  k('extends', 'Template job(s) merged under this job (deep merge, this job wins). A name or a list of names.'),
  k('identity', 'Authenticate with a third-party cloud through identity federation (e.g. `google_cloud`).', 'scalar'),
  k('inherit', 'Which `default:` keywords and global `variables:` the job takes (`true`, `false` or a list).', 'map'),
  k('manual_confirmation', 'Message shown to confirm before a manual job starts.', 'scalar'),
  k('needs', 'Jobs this job waits for instead of the whole previous stage (a DAG); also selects which artifacts are fetched.', 'seq'),
  k('pages', 'Marks the job as the GitLab Pages deployment (`true`, or a hash with `path_prefix`, `expire_in`, `publish`).'),
  k('parallel', 'Run N copies of the job (a number), or one per combination of `matrix:` values.'),
  k('release', 'Creates a release (tag, name, description, assets) when the job succeeds; needs the release-cli image.', 'map'),
  k('resource_group', 'Only one job of the same resource group runs at a time (for deployments).', 'scalar'),
  k('rules', 'Conditions evaluated in order; the first match decides whether and how the job is added (`when`, `variables`, ...).', 'seq'),
  k('run', 'Steps of a CI/CD step-based job (instead of `script`).', 'seq'),
  k('script', 'Commands the runner executes; the job needs `script`, `run` or `trigger`.', 'seq'),
  k('secrets', 'Secrets fetched from an external provider (Vault, Azure Key Vault, GCP, ...) into variables or files.', 'map'),
  k('stage', 'Stage the job belongs to; one of the pipeline\'s `stages:` (default `test`).', 'scalar'),
  k('trigger', 'Makes the job a bridge that starts a downstream pipeline (a project, or a child pipeline from `include`).'),
  k('variables', 'Variables for this job; they override global ones of the same name.', 'map'),
  k('when', 'When the job runs relative to the earlier stages\' result.', 'scalar', WHEN_JOB),
  k('start_in', 'Delay of a `when: delayed` job, e.g. `30 minutes`.', 'scalar'),
];

const TOP: KeywordDoc[] = [
  k('default', 'Values every job takes unless it sets its own (image, before_script, retry, tags, ...).', 'map'),
  k('include', 'Other configuration files merged into this one: `local`, `project`, `remote`, `template` or `component`.', 'seq'),
  k('stages', 'The ordered list of stages; jobs of one stage run after the previous stage finished.', 'seq'),
  k('variables', 'Variables defined for every job (a job\'s own variables win). A hash entry may carry `value`, `description`, `options`.', 'map'),
  k('workflow', 'Whether a pipeline is created at all (`rules`), its `name` and `auto_cancel` behaviour.', 'map'),
  k('spec', 'Header of a file that declares `inputs:` (in its own YAML document, before `---`).', 'map'),
  k('image', 'Deprecated at top level: use `default:image`.'),
  k('services', 'Deprecated at top level: use `default:services`.', 'seq'),
  k('cache', 'Deprecated at top level: use `default:cache`.', 'map'),
  k('before_script', 'Deprecated at top level: use `default:before_script`.', 'seq'),
  k('after_script', 'Deprecated at top level: use `default:after_script`.', 'seq'),
];

const INCLUDE: KeywordDoc[] = [
  k('local', 'A file of the same project (and ref), path from the repository root; wildcards allowed.', 'scalar'),
  k('project', 'Full path of another project of the same GitLab instance; needs `file:`.', 'scalar'),
  k('ref', 'Branch, tag or commit of the `project:` to read (default: its default branch).', 'scalar'),
  k('file', 'Path(s) of the file(s) to include from `project:`.'),
  k('remote', 'A public HTTP(S) URL of a YAML file, fetched without authentication.', 'scalar'),
  k('template', 'One of GitLab\'s bundled templates, e.g. `Auto-DevOps.gitlab-ci.yml`.', 'scalar'),
  k('component', 'A CI/CD component: `HOST/GROUP/PROJECT/NAME@VERSION`.', 'scalar'),
  k('inputs', 'Values for the `spec:inputs` the included file declares.', 'map'),
  k('rules', 'Include the file only when these rules match (`if`, `exists`, `changes`).', 'seq'),
  k('integrity', 'SHA256 hash (`sha256-...`) a `remote:` file must match.', 'scalar'),
  k('cache', 'How long a `remote:` file is cached (`true` or a duration).', 'scalar'),
];

const ARTIFACTS: KeywordDoc[] = [
  k('paths', 'Files and folders (globs allowed) kept as artifacts.', 'seq'),
  k('exclude', 'Files not kept even though they match `paths`.', 'seq'),
  k('expire_in', 'How long artifacts are kept, e.g. `1 week`, `30 days`, `never`.', 'scalar'),
  k('expose_as', 'Label under which the artifacts are linked in the merge request.', 'scalar'),
  k('name', 'Name of the artifacts archive.', 'scalar'),
  k('public', 'Whether anonymous and guest users may download the artifacts.', 'scalar', BOOL),
  k('access', 'Who may download the artifacts.', 'scalar', ['all', 'developer', 'maintainer', 'none']),
  k('reports', 'Report files GitLab reads (junit, coverage_report, dotenv, codequality, sast, ...).', 'map'),
  k('untracked', 'Also keep every file git does not track.', 'scalar', BOOL),
  k('when', 'Upload artifacts when the job succeeds, fails or always.', 'scalar', WHEN_ARTIFACTS),
];

const REPORTS: KeywordDoc[] = [
  k('junit', 'JUnit XML test reports, shown in the merge request and the pipeline.'),
  k('coverage_report', 'Cobertura or JaCoCo coverage report for line coverage in diffs.', 'map'),
  k('dotenv', 'A `.env` file whose variables are passed to later jobs.'),
  k('codequality', 'Code Quality report (Code Climate JSON).'),
  k('sast', 'Static application security testing report.'),
  k('dependency_scanning', 'Dependency scanning report.'),
  k('container_scanning', 'Container scanning report.'),
  k('dast', 'Dynamic application security testing report.'),
  k('secret_detection', 'Secret detection report.'),
  k('terraform', 'Terraform plan report shown in the merge request.'),
  k('metrics', 'OpenMetrics text file compared between branches.'),
  k('requirements', 'Requirements report.'),
  k('cyclonedx', 'CycloneDX SBOM files.'),
  k('annotations', 'Job annotations (external links) shown on the job page.'),
  k('api_fuzzing', 'API fuzzing report.'),
  k('coverage_fuzzing', 'Coverage-guided fuzzing report.'),
  k('load_performance', 'Load performance test report.'),
  k('browser_performance', 'Browser performance test report.'),
  k('accessibility', 'Accessibility (pa11y) report.'),
];

const COVERAGE_REPORT: KeywordDoc[] = [
  k('coverage_format', 'Format of the coverage file.', 'scalar', ['cobertura', 'jacoco']),
  k('path', 'Path of the coverage file.', 'scalar'),
];

const CACHE: KeywordDoc[] = [
  k('key', 'Identifies the cache: a string, or `files:` whose content hashes into the key.'),
  k('paths', 'Files and folders to cache.', 'seq'),
  k('untracked', 'Also cache every file git does not track.', 'scalar', BOOL),
  k('unprotect', 'Share the cache between protected and unprotected branches.', 'scalar', BOOL),
  k('when', 'Save the cache when the job succeeds, fails or always.', 'scalar', WHEN_ARTIFACTS),
  k('policy', 'Only download (`pull`), only upload (`push`), or both.', 'scalar', ['pull', 'push', 'pull-push']),
  k('fallback_keys', 'Keys tried in order when the cache of `key` does not exist.', 'seq'),
];

const IMAGE: KeywordDoc[] = [
  k('name', 'Image name, with registry and tag.', 'scalar'),
  k('entrypoint', 'Overrides the image\'s entrypoint (a list, `[""]` clears it).', 'seq'),
  k('docker', 'Options for the Docker executor: `platform`, `user`.', 'map'),
  k('pull_policy', 'When the runner pulls the image.', 'scalar', PULL_POLICY),
  k('kubernetes', 'Options for the Kubernetes executor, e.g. `user`.', 'map'),
];

const SERVICE: KeywordDoc[] = [
  ...IMAGE,
  k('alias', 'Host name(s) under which the job reaches the service.', 'scalar'),
  k('command', 'Overrides the image\'s command.', 'seq'),
  k('variables', 'Variables passed to the service container only.', 'map'),
];

const RETRY: KeywordDoc[] = [
  k('max', 'Maximum number of retries (0, 1 or 2).', 'scalar', ['0', '1', '2']),
  k('when', 'Failure reasons that trigger a retry.', undefined, RETRY_WHEN),
  k('exit_codes', 'Exit codes of the script that trigger a retry.'),
];

const RULE_COMMON: KeywordDoc[] = [
  k('if', 'A CI/CD variable expression; the rule matches when it is true.', 'scalar'),
  k('changes', 'Matches when one of these paths changed (list, or `paths:` and `compare_to:`).'),
  k('exists', 'Matches when one of these files exists in the repository (list, or `paths:` and `project:`).'),
];

const RULE: KeywordDoc[] = [
  ...RULE_COMMON,
  k('when', 'What happens when the rule matches; `never` leaves the job out.', 'scalar', WHEN_RULE),
  k('allow_failure', 'Overrides the job\'s `allow_failure` when the rule matches.', 'scalar', BOOL),
  k('needs', 'Overrides the job\'s `needs` when the rule matches.', 'seq'),
  k('variables', 'Variables set (or overridden) when the rule matches.', 'map'),
  k('interruptible', 'Overrides the job\'s `interruptible` when the rule matches.', 'scalar', BOOL),
  k('start_in', 'Delay of a `when: delayed` rule.', 'scalar'),
];

const WORKFLOW_RULE: KeywordDoc[] = [
  ...RULE_COMMON,
  k('when', '`always` creates the pipeline, `never` prevents it.', 'scalar', ['always', 'never']),
  k('variables', 'Variables for the whole pipeline when the rule matches.', 'map'),
  k('auto_cancel', 'Overrides `workflow:auto_cancel` when the rule matches.', 'map'),
];

const INCLUDE_RULE: KeywordDoc[] = [
  ...RULE_COMMON,
  k('when', '`never` skips the include; `always` includes it.', 'scalar', ['always', 'never']),
];

const WORKFLOW: KeywordDoc[] = [
  k('rules', 'Decide whether the pipeline is created; the first matching rule wins.', 'seq'),
  k('name', 'Pipeline name shown in the pipeline list (variables are expanded).', 'scalar'),
  k('auto_cancel', 'What is cancelled when a new commit or a failed job arrives.', 'map'),
];

const AUTO_CANCEL: KeywordDoc[] = [
  k('on_new_commit', 'Which running jobs a newer pipeline on the same ref cancels.', 'scalar', ['conservative', 'interruptible', 'none']),
  k('on_job_failure', 'Cancel the rest of the pipeline when a job fails.', 'scalar', ['all', 'none']),
];

const ENVIRONMENT: KeywordDoc[] = [
  k('name', 'Environment name (e.g. `staging`, `review/$CI_COMMIT_REF_SLUG`).', 'scalar'),
  k('url', 'URL shown for the environment.', 'scalar'),
  k('action', 'What the job does to the environment.', 'scalar', ['start', 'prepare', 'stop', 'verify', 'access']),
  k('on_stop', 'Job that stops the environment.', 'scalar'),
  k('auto_stop_in', 'Stop the environment after this long, e.g. `1 day`.', 'scalar'),
  k('deployment_tier', 'Tier of the environment.', 'scalar', ['production', 'staging', 'testing', 'development', 'other']),
  k('kubernetes', 'Kubernetes settings: `agent`, `namespace`, `flux_resource_path`.', 'map'),
];

const NEED: KeywordDoc[] = [
  k('job', 'Name of the job needed.', 'scalar'),
  k('artifacts', 'Whether the needed job\'s artifacts are downloaded.', 'scalar', BOOL),
  k('optional', 'No error when the needed job is not in the pipeline.', 'scalar', BOOL),
  k('project', 'Another project whose job artifacts are needed.', 'scalar'),
  k('ref', 'Ref of the `project:` pipeline.', 'scalar'),
  k('pipeline', 'A parent or other pipeline (by id) whose job artifacts are needed.', 'scalar'),
  k('parallel', 'Only some `parallel:matrix` instances of the job.', 'map'),
];

const TRIGGER: KeywordDoc[] = [
  k('project', 'Downstream project to run a pipeline in (multi-project pipeline).', 'scalar'),
  k('branch', 'Branch of the downstream project.', 'scalar'),
  k('include', 'Configuration of a child pipeline.'),
  k('strategy', '`depend`: the bridge job waits for and mirrors the downstream status.', 'scalar', ['depend', 'mirror']),
  k('forward', 'Which variables are forwarded downstream (`yaml_variables`, `pipeline_variables`).', 'map'),
  k('inputs', 'Inputs for the downstream pipeline configuration.', 'map'),
];

const INHERIT: KeywordDoc[] = [
  k('default', '`true`, `false`, or the list of `default:` keywords to take.'),
  k('variables', '`true`, `false`, or the list of global variables to take.'),
];

const PARALLEL: KeywordDoc[] = [k('matrix', 'One job per combination of the listed variable values.', 'seq')];

const RELEASE: KeywordDoc[] = [
  k('tag_name', 'Tag of the release (created when missing).', 'scalar'),
  k('tag_message', 'Message of an annotated tag created for the release.', 'scalar'),
  k('name', 'Release title.', 'scalar'),
  k('description', 'Release notes (text or a file path).', 'scalar'),
  k('ref', 'Commit or branch the tag is created from.', 'scalar'),
  k('milestones', 'Milestones linked to the release.', 'seq'),
  k('released_at', 'Date and time of the release (ISO 8601).', 'scalar'),
  k('assets', 'Links attached to the release.', 'map'),
];

const VARIABLE: KeywordDoc[] = [
  k('value', 'The variable\'s value.', 'scalar'),
  k('description', 'Shown in the "Run pipeline" form.', 'scalar'),
  k('options', 'Values offered in the "Run pipeline" form; `value` must be one of them.', 'seq'),
  k('expand', '`false` keeps `$` in the value literally.', 'scalar', BOOL),
];

const INPUT: KeywordDoc[] = [
  k('type', 'Type of the input.', 'scalar', ['string', 'number', 'boolean', 'array']),
  k('default', 'Value used when the include gives none; an input without default is required.'),
  k('description', 'What the input is for.', 'scalar'),
  k('options', 'The only values the input accepts.', 'seq'),
  k('regex', 'A regular expression a string input must match.', 'scalar'),
  k('rules', 'Options and default chosen by conditions on other inputs.', 'seq'),
];

const SPEC: KeywordDoc[] = [
  k('inputs', 'Inputs the including pipeline passes, used in the file as `$[[ inputs.NAME ]]`.', 'map'),
  k('component', 'Component context fields the file may read (`name`, `sha`, `version`, `reference`).', 'seq'),
  k('include', 'Files whose inputs this header shares.', 'seq'),
];

const HOOKS: KeywordDoc[] = [k('pre_get_sources_script', 'Commands run before the repository is cloned or fetched.', 'seq')];
const ID_TOKEN: KeywordDoc[] = [k('aud', 'Audience(s) of the token.')];
const SECRET: KeywordDoc[] = [
  k('vault', 'Secret path in HashiCorp Vault (`engine`, `path`, `field`, or `path/field@engine`).'),
  k('azure_key_vault', 'Secret `name` and `version` in Azure Key Vault.', 'map'),
  k('gcp_secret_manager', 'Secret `name` and `version` in Google Secret Manager.', 'map'),
  k('aws_secrets_manager', 'Secret in AWS Secrets Manager.'),
  k('gitlab_secrets_manager', 'Secret in GitLab\'s own secrets manager.', 'map'),
  k('file', 'Expose the secret as a file (default) or as the value itself.', 'scalar', BOOL),
  k('token', 'The ID token used to authenticate.', 'scalar'),
];
const PAGES: KeywordDoc[] = [
  k('path_prefix', 'Prefix for a parallel (non-default) Pages deployment.', 'scalar'),
  k('expire_in', 'How long a parallel deployment is kept.', 'scalar'),
  k('publish', 'Folder whose content is published (default `public`).', 'scalar'),
];

const DEFAULT_NAMES: ReadonlySet<string> = new Set(DEFAULT_KEYWORDS);

export const KEYWORD_SETS: Record<string, KeywordDoc[]> = {
  top: TOP,
  job: JOB,
  default: JOB.filter((d) => DEFAULT_NAMES.has(d.name)),
  include: INCLUDE,
  'include-rule': INCLUDE_RULE,
  workflow: WORKFLOW,
  'workflow-rule': WORKFLOW_RULE,
  'auto-cancel': AUTO_CANCEL,
  artifacts: ARTIFACTS,
  reports: REPORTS,
  'coverage-report': COVERAGE_REPORT,
  cache: CACHE,
  image: IMAGE,
  service: SERVICE,
  retry: RETRY,
  rule: RULE,
  environment: ENVIRONMENT,
  need: NEED,
  trigger: TRIGGER,
  inherit: INHERIT,
  parallel: PARALLEL,
  release: RELEASE,
  variable: VARIABLE,
  input: INPUT,
  spec: SPEC,
  hooks: HOOKS,
  'id-token': ID_TOKEN,
  secret: SECRET,
  pages: PAGES,
};

type Path = readonly (string | number)[];
const isIndex = (p: string | number | undefined): p is number => typeof p === 'number';

/** The keyword set that applies to the keys of the mapping at `path` (keys and seq indexes from the root). */
export function keywordSetAt(path: Path): string | undefined {
  if (path.length === 0) return 'top';
  const [head, ...rest] = path;
  if (typeof head !== 'string') return undefined;
  switch (head) {
    case 'include':
      if (rest.length === 0 || (rest.length === 1 && isIndex(rest[0]))) return 'include';
      if (rest.at(-2) === 'rules' && isIndex(rest.at(-1))) return 'include-rule';
      return undefined;
    case 'workflow':
      if (rest.length === 0) return 'workflow';
      if (rest[0] === 'rules' && rest.length === 2 && isIndex(rest[1])) return 'workflow-rule';
      if (rest.at(-1) === 'auto_cancel') return 'auto-cancel';
      return undefined;
    case 'spec':
      if (rest.length === 0) return 'spec';
      if (rest[0] === 'inputs' && rest.length === 2) return 'input';
      return undefined;
    case 'variables':
      return rest.length === 1 ? 'variable' : undefined;
    case 'stages':
    case 'types':
      return undefined;
  }
  if (GLOBAL_KEYWORDS.has(head) && head !== 'default') return jobSub([head, ...rest]);
  if (rest.length === 0) return head === 'default' ? 'default' : 'job';
  return jobSub(rest);
}

/** Sub-mappings of a job (or of `default:`): `artifacts`, `cache`, `rules[i]`, ... */
function jobSub(rest: Path): string | undefined {
  const [key, ...sub] = rest;
  const n = sub.length;
  switch (key) {
    case 'artifacts':
      if (n === 0) return 'artifacts';
      if (n === 1 && sub[0] === 'reports') return 'reports';
      if (n === 2 && sub[0] === 'reports' && sub[1] === 'coverage_report') return 'coverage-report';
      return undefined;
    case 'cache':
      return n === 0 || (n === 1 && isIndex(sub[0])) ? 'cache' : undefined;
    case 'image':
      return n === 0 ? 'image' : undefined;
    case 'services':
      return n === 1 && isIndex(sub[0]) ? 'service' : undefined;
    case 'retry':
      return n === 0 ? 'retry' : undefined;
    case 'rules':
      return n === 1 && isIndex(sub[0]) ? 'rule' : undefined;
    case 'environment':
      return n === 0 ? 'environment' : undefined;
    case 'needs':
      return n === 1 && isIndex(sub[0]) ? 'need' : undefined;
    case 'trigger':
      return n === 0 ? 'trigger' : undefined;
    case 'inherit':
      return n === 0 ? 'inherit' : undefined;
    case 'parallel':
      return n === 0 ? 'parallel' : undefined;
    case 'release':
      return n === 0 ? 'release' : undefined;
    case 'variables':
      return n === 1 && !isIndex(sub[0]) ? 'variable' : undefined;
    case 'id_tokens':
      return n === 1 ? 'id-token' : undefined;
    case 'secrets':
      return n === 1 ? 'secret' : undefined;
    case 'hooks':
      return n === 0 ? 'hooks' : undefined;
    case 'pages':
      return n === 0 ? 'pages' : undefined;
  }
  return undefined;
}

/** The keywords allowed as keys of the mapping at `path`. */
export function keywordsAt(path: Path): KeywordDoc[] {
  const set = keywordSetAt(path);
  return set ? KEYWORD_SETS[set] : [];
}

/** The keyword `key` of the mapping at `path`, when it is one. */
export function keywordAt(path: Path, key: string): KeywordDoc | undefined {
  return keywordsAt(path).find((d) => d.name === key);
}

/**
 * The keyword whose value is at `valuePath` (the path of the value, e.g. `[job, 'when']`, or a list
 * item `[job, 'retry', 'when', 0]`).
 */
export function keywordOfValue(valuePath: Path): KeywordDoc | undefined {
  let p = [...valuePath];
  if (isIndex(p.at(-1))) p = p.slice(0, -1);
  const key = p.at(-1);
  if (typeof key !== 'string') return undefined;
  return keywordAt(p.slice(0, -1), key);
}
