/**
 * The nested entries of the keyword table (see keywords.ts): what a mapping inside a job, the root,
 * `workflow:` or `include:` allows. Facts from GitLab's entry classes under
 * lib/gitlab/ci/config/entry/ (ALLOWED_KEYS, inclusion validators).
 */
import { DEFAULT_KEYWORDS } from '../merge/jobs.js';
import { k } from './keywords-types.js';
import type { EntrySpec, KeywordSpec } from './keywords-types.js';

const BOOL = ['true', 'false'] as const;

export const RETRY_WHEN = [
  'always', 'unknown_failure', 'script_failure', 'api_failure', 'stuck_or_timeout_failure',
  'runner_system_failure', 'runner_unsupported', 'stale_schedule', 'job_execution_timeout',
  'archived_failure', 'unmet_prerequisites', 'scheduler_failure', 'data_integrity_failure',
] as const;
/**
 * The other failure reasons `retry:when` accepts (GitLab checks against every reason of its
 * CommitStatus enum, though the docs list only RETRY_WHEN): accepted, not offered.
 */
export const RETRY_WHEN_UNDOCUMENTED = [
  'missing_dependency_failure', 'forward_deployment_failure', 'user_blocked', 'project_deleted',
  'ci_quota_exceeded', 'pipeline_loop_detected', 'no_matching_runner', 'trace_size_exceeded',
  'builds_disabled', 'environment_creation_failure', 'deployment_rejected', 'failed_outdated_deployment_job',
  'job_execution_server_timeout', 'protected_environment_failure', 'insufficient_bridge_permissions',
  'downstream_bridge_project_not_found', 'invalid_bridge_trigger', 'upstream_bridge_project_not_found',
  'insufficient_upstream_permissions', 'bridge_pipeline_is_child_pipeline', 'downstream_pipeline_creation_failed',
  'secrets_provider_not_found', 'reached_max_descendant_pipelines_depth', 'ip_restriction_failure',
  'reached_max_pipeline_hierarchy_size', 'reached_downstream_pipeline_trigger_rate_limit',
  'duo_workflow_not_allowed', 'job_router_failure', 'job_token_expired',
] as const;
export const PULL_POLICY = ['always', 'never', 'if-not-present'] as const;
export const REPORT_TYPES = [
  'junit', 'codequality', 'sast', 'secret_detection', 'dependency_scanning', 'container_scanning',
  'dast', 'license_scanning', 'performance', 'browser_performance', 'load_performance', 'metrics',
  'requirements', 'requirements_v2', 'coverage_fuzzing', 'api_fuzzing', 'cluster_image_scanning',
  'cyclonedx', 'annotations', 'repository_xray', 'dotenv', 'terraform', 'accessibility',
  'coverage_report', 'lsif', 'sarif',
] as const;
export const ENVIRONMENT_ACTIONS = ['start', 'prepare', 'stop', 'verify', 'access'] as const;
export const DEPLOYMENT_TIERS = ['production', 'staging', 'testing', 'development', 'other'] as const;
export const CACHE_POLICIES = ['pull', 'push', 'pull-push'] as const;
export const AUTO_CANCEL_ON_NEW_COMMIT = ['conservative', 'interruptible', 'none'] as const;
export const AUTO_CANCEL_ON_JOB_FAILURE = ['none', 'all'] as const;
export const ARTIFACTS_ACCESS = ['none', 'developer', 'maintainer', 'all'] as const;
export const COVERAGE_FORMATS = ['cobertura', 'jacoco'] as const;
export const TRIGGER_STRATEGIES = ['depend', 'mirror'] as const;
/** EE's Entry::Identity: the identity providers a job may federate with. */
export const IDENTITY_PROVIDERS = ['google_cloud'] as const;
/** What `inherit:default` may list: the keywords a job takes from `default:` (one home: merge/jobs.ts). */
export const INHERIT_DEFAULT = DEFAULT_KEYWORDS;
export const WHEN_UPLOAD = ['on_success', 'on_failure', 'always'] as const;
export const ONLY_EXCEPT_KEYS = ['refs', 'kubernetes', 'variables', 'changes'] as const;

const RULE_COMMON: KeywordSpec[] = [
  k('if', 'A CI/CD variable expression; the rule matches when it is true.', 'scalar', undefined, 'rules:if'),
  k('changes', 'Matches when one of these paths changed (list, or `paths:` and `compare_to:`).', undefined, undefined, 'rules:changes'),
  k('exists', 'Matches when one of these files exists in the repository (list, or `paths:` and `project:`).', undefined, undefined, 'rules:exists'),
];

const RETRY: KeywordSpec[] = [
  k('max', 'Maximum number of retries (0, 1 or 2).', 'scalar', ['0', '1', '2']),
  k('when', 'Failure reasons that trigger a retry.', undefined, RETRY_WHEN),
  k('exit_codes', 'Exit codes of the script that trigger a retry.'),
];

const IMAGE: KeywordSpec[] = [
  k('name', 'Image name, with registry and tag.', 'scalar'),
  k('entrypoint', 'Overrides the image\'s entrypoint (a list, `[""]` clears it).', 'seq'),
  k('docker', 'Options for the Docker executor: `platform`, `user`.', 'map'),
  k('pull_policy', 'When the runner pulls the image.', 'scalar', PULL_POLICY),
  k('kubernetes', 'Options for the Kubernetes executor, e.g. `user`.', 'map'),
  // Imageable's `ports` is left out: GitLab allows it only in the Web IDE's terminal configuration.
];

export const NESTED_ENTRIES: EntrySpec[] = [
  { id: 'workflow', docPath: 'workflow', keys: [
    k('rules', 'Decide whether the pipeline is created; the first matching rule wins.', 'seq'),
    k('name', 'Pipeline name shown in the pipeline list (variables are expanded; at most 255 characters).', 'scalar'),
    k('auto_cancel', 'What is cancelled when a new commit or a failed job arrives.', 'map'),
  ] },
  { id: 'workflow-rule', docPath: 'workflow:rules', keys: [
    ...RULE_COMMON,
    k('when', '`always` creates the pipeline, `never` prevents it.', 'scalar', ['always', 'never']),
    k('variables', 'Variables for the whole pipeline when the rule matches.', 'map'),
    k('auto_cancel', 'Overrides `workflow:auto_cancel` when the rule matches.', 'map'),
  ] },
  { id: 'auto-cancel', docPath: 'workflow:auto_cancel', keys: [
    k('on_new_commit', 'Which running jobs a newer pipeline on the same ref cancels.', 'scalar', AUTO_CANCEL_ON_NEW_COMMIT),
    k('on_job_failure', 'Cancel the rest of the pipeline when a job fails.', 'scalar', AUTO_CANCEL_ON_JOB_FAILURE),
  ] },
  { id: 'include', docPath: 'include', keys: [
    k('local', 'A file of the same project (and ref), path from the repository root; wildcards allowed.', 'scalar'),
    k('project', 'Full path of another project of the same GitLab instance; needs `file:`.', 'scalar'),
    k('ref', 'Branch, tag or commit of the `project:` to read (default: its default branch).', 'scalar', undefined, 'includeproject'),
    k('file', 'Path(s) of the file(s) to include from `project:`.', undefined, undefined, 'includeproject'),
    k('remote', 'A public HTTP(S) URL of a YAML file, fetched without authentication.', 'scalar'),
    k('template', 'One of GitLab\'s bundled templates, e.g. `Auto-DevOps.gitlab-ci.yml`.', 'scalar'),
    k('component', 'A CI/CD component: `HOST/GROUP/PROJECT/NAME@VERSION`.', 'scalar'),
    k('artifact', 'A configuration file made by a job of the parent pipeline (child pipelines only).', 'scalar', undefined, 'triggerinclude'),
    k('job', 'The job whose artifact holds the `artifact:` file.', 'scalar', undefined, 'triggerinclude'),
    k('inputs', 'Values for the `spec:inputs` the included file declares.', 'map'),
    k('rules', 'Include the file only when these rules match (`if`, `exists`, `changes`).', 'seq'),
    k('integrity', 'SHA256 hash (`sha256-...`) a `remote:` file must match.', 'scalar'),
    k('cache', 'How long a `remote:` file is cached (`true` or a duration).', 'scalar'),
  ] },
  { id: 'include-rule', docPath: 'include:rules', keys: [
    ...RULE_COMMON,
    k('when', '`never` skips the include; `always` includes it.', 'scalar', ['never', 'always']),
  ] },
  { id: 'rule', docPath: 'rules', keys: [
    ...RULE_COMMON,
    k('when', 'What happens when the rule matches; `never` leaves the job out.', 'scalar', ['on_success', 'on_failure', 'always', 'manual', 'delayed', 'never']),
    k('allow_failure', 'Overrides the job\'s `allow_failure` when the rule matches.', 'scalar', BOOL),
    k('needs', 'Overrides the job\'s `needs` when the rule matches.', 'seq'),
    k('variables', 'Variables set (or overridden) when the rule matches.', 'map'),
    k('interruptible', 'Overrides the job\'s `interruptible` when the rule matches.', 'scalar', BOOL),
    k('start_in', 'Delay of a `when: delayed` rule.', 'scalar', undefined, 'rules'),
  ] },
  { id: 'rule-changes', docPath: 'rules:changes', keys: [
    k('paths', 'Paths (globs allowed) whose change makes the rule match.', 'seq'),
    k('compare_to', 'The ref the changes are computed against.', 'scalar'),
  ] },
  { id: 'rule-exists', docPath: 'rules:exists', keys: [
    k('paths', 'Files (globs allowed) whose existence makes the rule match.', 'seq'),
    k('project', 'Another project in which the files are looked for.', 'scalar'),
    k('ref', 'Ref of `project:` in which the files are looked for.', 'scalar'),
  ] },
  { id: 'only-except', docPath: 'only', keys: [
    k('refs', 'Branches, tags and keywords (`branches`, `tags`, `merge_requests`, ...) or regexps.', 'seq', undefined, 'onlyrefs--exceptrefs'),
    k('variables', 'Variable expressions; any true one matches.', 'seq', undefined, 'onlyvariables--exceptvariables'),
    k('changes', 'Paths whose change matches.', 'seq', undefined, 'onlychanges--exceptchanges'),
    k('kubernetes', '`active` when a Kubernetes service is active.', 'scalar', ['active'], 'onlykubernetes--exceptkubernetes'),
  ] },
  { id: 'artifacts', docPath: 'artifacts', keys: [
    k('paths', 'Files and folders (globs allowed) kept as artifacts.', 'seq'),
    k('exclude', 'Files not kept even though they match `paths`.', 'seq'),
    k('expire_in', 'How long artifacts are kept, e.g. `1 week`, `30 days`, `never`.', 'scalar'),
    k('expose_as', 'Label under which the artifacts are linked in the merge request.', 'scalar'),
    k('name', 'Name of the artifacts archive.', 'scalar'),
    k('public', 'Whether anonymous and guest users may download the artifacts.', 'scalar', BOOL),
    k('access', 'Who may download the artifacts.', 'scalar', ARTIFACTS_ACCESS),
    k('reports', 'Report files GitLab reads (junit, coverage_report, dotenv, codequality, sast, ...).', 'map'),
    k('untracked', 'Also keep every file git does not track.', 'scalar', BOOL),
    k('when', 'Upload artifacts when the job succeeds, fails or always.', 'scalar', WHEN_UPLOAD),
  ] },
  { id: 'reports', docPath: 'artifacts:reports', keys: REPORT_TYPES.map((r) => k(r, reportDoc(r))) },
  { id: 'coverage-report', docPath: 'artifacts:reports:coverage_report', keys: [
    k('coverage_format', 'Format of the coverage file.', 'scalar', COVERAGE_FORMATS),
    k('path', 'Path of the coverage file.', 'scalar'),
  ] },
  { id: 'cache', docPath: 'cache', keys: [
    k('key', 'Identifies the cache: a string, or `files:` whose content hashes into the key.'),
    k('paths', 'Files and folders to cache.', 'seq'),
    k('untracked', 'Also cache every file git does not track.', 'scalar', BOOL),
    k('unprotect', 'Share the cache between protected and unprotected branches.', 'scalar', BOOL),
    k('when', 'Save the cache when the job succeeds, fails or always.', 'scalar', WHEN_UPLOAD),
    k('policy', 'Only download (`pull`), only upload (`push`), or both.', 'scalar', CACHE_POLICIES),
    k('fallback_keys', 'Keys tried in order when the cache of `key` does not exist (at most 5).', 'seq'),
  ] },
  { id: 'cache-key', docPath: 'cache:key', keys: [
    k('files', 'One or two files whose latest commit makes the key.', 'seq'),
    k('files_commits', 'One or two files whose commit history makes the key.', 'seq'),
    k('prefix', 'Text put before the key computed from `files`.', 'scalar'),
  ] },
  { id: 'image', docPath: 'image', keys: IMAGE },
  { id: 'service', docPath: 'services', keys: [
    ...IMAGE,
    k('alias', 'Host name(s) under which the job reaches the service.', 'scalar'),
    k('command', 'Overrides the image\'s command.', 'seq'),
    k('variables', 'Variables passed to the service container only.', 'map'),
  ] },
  { id: 'executor-docker', docPath: 'imagedocker', keys: [
    k('platform', 'Image platform, e.g. `arm64`.', 'scalar'),
    k('user', 'User the container runs as.', 'scalar'),
  ] },
  { id: 'executor-kubernetes', docPath: 'imagekubernetes', keys: [
    k('user', 'User (and group) the container runs as.', 'scalar'),
  ] },
  { id: 'retry', docPath: 'retry', keys: RETRY },
  { id: 'allow-failure', docPath: 'allow_failure', keys: [
    k('exit_codes', 'Exit codes for which the failure is allowed.'),
  ] },
  { id: 'environment', docPath: 'environment', keys: [
    k('name', 'Environment name (e.g. `staging`, `review/$CI_COMMIT_REF_SLUG`).', 'scalar'),
    k('url', 'URL shown for the environment.', 'scalar'),
    k('action', 'What the job does to the environment.', 'scalar', ENVIRONMENT_ACTIONS),
    k('on_stop', 'Job that stops the environment.', 'scalar'),
    k('auto_stop_in', 'Stop the environment after this long, e.g. `1 day`.', 'scalar'),
    k('deployment_tier', 'Tier of the environment.', 'scalar', DEPLOYMENT_TIERS),
    k('kubernetes', 'Kubernetes settings: `agent`, `namespace`, `flux_resource_path`.', 'map'),
  ] },
  { id: 'kubernetes', docPath: 'environment:kubernetes', keys: [
    k('agent', 'The agent (`path/to/project:agent-name`) to use.', 'scalar'),
    k('namespace', 'Kubernetes namespace of the environment.', 'scalar'),
    k('flux_resource_path', 'Path of the Flux resource.', 'scalar'),
    k('dashboard', 'Dashboard settings (`namespace`, `flux_resource_path`).', 'map'),
    k('managed_resources', 'Managed resources settings (`enabled`).', 'map'),
  ] },
  { id: 'need', docPath: 'needs', keys: [
    k('job', 'Name of the job needed.', 'scalar'),
    k('artifacts', 'Whether the needed job\'s artifacts are downloaded.', 'scalar', BOOL),
    k('optional', 'No error when the needed job is not in the pipeline.', 'scalar', BOOL),
    k('project', 'Another project whose job artifacts are needed.', 'scalar'),
    k('ref', 'Ref of the `project:` pipeline.', 'scalar'),
    k('pipeline', 'A parent or other pipeline (by id) whose job artifacts are needed.', 'scalar'),
    k('parallel', 'Only some `parallel:matrix` instances of the job.', 'map'),
  ] },
  { id: 'trigger', docPath: 'trigger', keys: [
    k('project', 'Downstream project to run a pipeline in (multi-project pipeline).', 'scalar'),
    k('branch', 'Branch of the downstream project.', 'scalar'),
    k('include', 'Configuration of a child pipeline.'),
    k('strategy', '`depend`: the bridge job waits for and mirrors the downstream status.', 'scalar', TRIGGER_STRATEGIES),
    k('forward', 'Which variables are forwarded downstream (`yaml_variables`, `pipeline_variables`).', 'map'),
    k('inputs', 'Inputs for the downstream pipeline configuration.', 'map'),
  ] },
  { id: 'trigger-include', docPath: 'trigger:include', keys: [
    k('local', 'A file of this project.', 'scalar'),
    k('project', 'A project holding the file.', 'scalar'),
    k('ref', 'Ref of `project:`.', 'scalar'),
    k('file', 'File of `project:`.'),
    k('template', 'A GitLab template.', 'scalar'),
    k('remote', 'A public URL.', 'scalar'),
    k('component', 'A CI/CD component.', 'scalar'),
    k('artifact', 'A file made by a job of this pipeline.', 'scalar'),
    k('job', 'The job whose artifact holds the file.', 'scalar'),
    k('inputs', 'Inputs for the included file.', 'map'),
    // The same Entry::Include as a top-level include: its rules, integrity and cache keys too.
    k('rules', 'Include the file only when these rules match (`if`, `exists`, `changes`).', 'seq'),
    k('integrity', 'SHA256 hash (`sha256-...`) a `remote:` file must match.', 'scalar'),
    k('cache', 'How long a `remote:` file is cached (`true` or a duration).', 'scalar'),
  ] },
  { id: 'trigger-forward', docPath: 'trigger:forward', keys: [
    k('yaml_variables', 'Forward the job\'s YAML variables (default true).', 'scalar', BOOL),
    k('pipeline_variables', 'Forward the variables the pipeline was started with (default false).', 'scalar', BOOL),
  ] },
  { id: 'inherit', docPath: 'inherit', keys: [
    k('default', '`true`, `false`, or the list of `default:` keywords to take.'),
    k('variables', '`true`, `false`, or the list of global variables to take.'),
  ] },
  { id: 'parallel', docPath: 'parallel', keys: [k('matrix', 'One job per combination of the listed variable values.', 'seq')] },
  { id: 'release', docPath: 'release', keys: [
    k('tag_name', 'Tag of the release (created when missing).', 'scalar'),
    k('tag_message', 'Message of an annotated tag created for the release.', 'scalar'),
    k('name', 'Release title.', 'scalar'),
    k('description', 'Release notes (text or a file path).', 'scalar'),
    k('ref', 'Commit or branch the tag is created from.', 'scalar'),
    k('milestones', 'Milestones linked to the release.', 'seq'),
    k('released_at', 'Date and time of the release (ISO 8601).', 'scalar'),
    k('assets', 'Links attached to the release.', 'map'),
  ] },
  { id: 'release-assets', docPath: 'release:assets:links', keys: [k('links', 'Links attached to the release.', 'seq')] },
  { id: 'release-link', docPath: 'release:assets:links', keys: [
    k('name', 'Name of the link.', 'scalar'),
    k('url', 'URL of the link.', 'scalar'),
    k('filepath', 'Permanent path of the link.', 'scalar'),
    k('direct_asset_path', 'Permanent path of the link.', 'scalar'),
    k('link_type', 'Kind of link.', 'scalar', ['other', 'runbook', 'image', 'package']),
  ] },
  { id: 'variable', docPath: 'variables', keys: [
    k('value', 'The variable\'s value.', 'scalar'),
    k('description', 'Shown in the "Run pipeline" form.', 'scalar', undefined, 'variablesdescription'),
    k('options', 'Values offered in the "Run pipeline" form; `value` must be one of them.', 'seq', undefined, 'variablesoptions'),
    k('expand', '`false` keeps `$` in the value literally.', 'scalar', BOOL, 'variablesexpand'),
  ] },
  { id: 'job-variable', docPath: 'variables', keys: [
    k('value', 'The variable\'s value.', 'scalar'),
    k('expand', '`false` keeps `$` in the value literally.', 'scalar', BOOL, 'variablesexpand'),
  ] },
  { id: 'hooks', docPath: 'hooks', keys: [k('pre_get_sources_script', 'Commands run before the repository is cloned or fetched.', 'seq')] },
  { id: 'id-token', docPath: 'id_tokens', keys: [k('aud', 'Audience(s) of the token.')] },
  { id: 'secret', docPath: 'secrets', keys: [
    k('vault', 'Secret path in HashiCorp Vault (`engine`, `path`, `field`, or `path/field@engine`).'),
    k('azure_key_vault', 'Secret `name` and `version` in Azure Key Vault.', 'map'),
    k('gcp_secret_manager', 'Secret `name` and `version` in Google Secret Manager.', 'map'),
    k('aws_secrets_manager', 'Secret in AWS Secrets Manager.'),
    k('gitlab_secrets_manager', 'Secret in GitLab\'s own secrets manager.', 'map'),
    k('akeyless', 'Secret in Akeyless.', 'map'),
    k('file', 'Expose the secret as a file (default) or as the value itself.', 'scalar', BOOL),
    k('token', 'The ID token used to authenticate.', 'scalar'),
  ] },
  { id: 'dast-configuration', docPath: 'dast_configuration', keys: [
    k('site_profile', 'Name of the DAST site profile.', 'scalar'),
    k('scanner_profile', 'Name of the DAST scanner profile.', 'scalar'),
  ] },
  { id: 'pages', docPath: 'pages', keys: [
    k('path_prefix', 'Prefix for a parallel (non-default) Pages deployment.', 'scalar', undefined, 'pagespagespath_prefix'),
    k('expire_in', 'How long a parallel deployment is kept.', 'scalar', undefined, 'pagespagesexpire_in'),
    k('publish', 'Folder whose content is published (default `public`).', 'scalar', undefined, 'pagespublish'),
  ] },
  { id: 'spec', docPath: 'spec', keys: [
    k('inputs', 'Inputs the including pipeline passes, used in the file as `$[[ inputs.NAME ]]`.', 'map'),
    k('component', 'Component context fields the file may read (`name`, `sha`, `version`, `reference`).', 'seq'),
    k('include', 'Files whose inputs this header shares.', 'seq'),
  ] },
  { id: 'input', docPath: 'spec:inputs', keys: [
    k('type', 'Type of the input.', 'scalar', ['string', 'number', 'boolean', 'array']),
    k('default', 'Value used when the include gives none; an input without default is required.'),
    k('description', 'What the input is for.', 'scalar'),
    k('options', 'The only values the input accepts.', 'seq'),
    k('regex', 'A regular expression a string input must match.', 'scalar'),
    k('rules', 'Options and default chosen by conditions on other inputs.', 'seq'),
  ] },
];

function reportDoc(r: string): string {
  const docs: Record<string, string> = {
    junit: 'JUnit XML test reports, shown in the merge request and the pipeline.',
    coverage_report: 'Cobertura or JaCoCo coverage report for line coverage in diffs.',
    dotenv: 'A `.env` file whose variables are passed to later jobs.',
    codequality: 'Code Quality report (Code Climate JSON).',
    terraform: 'Terraform plan report shown in the merge request.',
    metrics: 'OpenMetrics text file compared between branches.',
    cyclonedx: 'CycloneDX SBOM files.',
    annotations: 'Job annotations (external links) shown on the job page.',
    sarif: 'SARIF files of static analysis findings.',
  };
  return docs[r] ?? `${r.replace(/_/g, ' ')} report.`;
}
