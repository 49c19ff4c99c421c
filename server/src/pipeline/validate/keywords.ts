/**
 * The keyword table: for every entry of a GitLab CI configuration (the root, a job, a trigger job,
 * `default:`, `workflow:` and every nested mapping) the keys it allows, with a one-line explanation
 * (our own words), a docs link, the shape of the value and, where GitLab takes a fixed set, the
 * allowed values. One home for this data: validation (validate/), keyword completion, keyword hover
 * and the quick-fixes all read it. Facts from GitLab's config entry classes
 * (lib/gitlab/ci/config/entry/*.rb, `ALLOWED_KEYS` and the inclusion validators).
 */
import { IDENTITY_PROVIDERS, NESTED_ENTRIES } from './keywords-nested.js';
import { k } from './keywords-types.js';
import type { EntryId, EntrySpec, KeywordSpec } from './keywords-types.js';

export type * from './keywords-types.js';

export const DOCS_BASE = 'https://docs.gitlab.com/ci/yaml/';

/** The keyword reference URL of a keyword (`artifacts` + `expire_in` → `#artifactsexpire_in`). */
export function keywordUrl(entry: EntrySpec, kw: KeywordSpec): string {
  if (kw.url) return kw.url;
  const path = kw.docPath ?? (entry.docPath ? `${entry.docPath}:${kw.name}` : kw.name);
  return `${DOCS_BASE}#${path.replace(/:/g, '').toLowerCase()}`;
}

// Value sets (GitLab's ALLOWED_WHEN / inclusion lists).
export const BOOL = ['true', 'false'] as const;
export const WHEN_JOB = ['on_success', 'on_failure', 'always', 'manual', 'delayed'] as const;

/** Keys a job and `default:` share (GitLab's Entry::Default ALLOWED_KEYS). */
const DEFAULTABLE: KeywordSpec[] = [
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

/** Keys every processable (job or trigger job) allows (GitLab's Entry::Processable). */
const PROCESSABLE: KeywordSpec[] = [
  k('extends', 'Template job(s) merged under this job (deep merge, this job wins). A name or a list of names.'),
  k('stage', 'Stage the job belongs to; one of the pipeline\'s `stages:` (default `test`).', 'scalar'),
  k('variables', 'Variables for this job; they override global ones of the same name.', 'map'),
  k('inherit', 'Which `default:` keywords and global `variables:` the job takes (`true`, `false` or a list).', 'map'),
  k('rules', 'Conditions evaluated in order; the first match decides whether and how the job is added (`when`, `variables`, ...).', 'seq'),
  k('only', 'Deprecated: refs (branches, tags, `merge_requests`, ...) the job runs for; cannot be used with `rules`.'),
  k('except', 'Deprecated: refs the job does not run for; cannot be used with `rules`.'),
  k('needs', 'Jobs this job waits for instead of the whole previous stage (a DAG); also selects which artifacts are fetched.', 'seq'),
  k('when', 'When the job runs relative to the earlier stages\' result.', 'scalar', WHEN_JOB),
  k('allow_failure', 'A failure of this job does not fail the pipeline (it shows a warning). A hash `exit_codes:` restricts it to some exit codes.', 'scalar', BOOL),
  k('environment', 'The environment the job deploys to: a name, or a hash with `name`, `url`, `action`, `on_stop`, ...'),
  k('resource_group', 'Only one job of the same resource group runs at a time (for deployments).', 'scalar'),
  k('interruptible', 'The job may be cancelled when a newer pipeline starts on the same ref (auto-cancel redundant pipelines).', 'scalar', BOOL),
];

/** A job (GitLab's Entry::Job: Processable keys + its own ALLOWED_KEYS, plus the EE keys it accepts). */
const JOB: KeywordSpec[] = [
  ...DEFAULTABLE,
  ...PROCESSABLE.filter((p) => p.name !== 'interruptible'),
  k('coverage', 'A regular expression (between slashes) that extracts the code coverage percentage from the job log.', 'scalar'),
  k('dast_configuration', 'Site and scanner profiles used by a DAST job.', 'map'),
  k('dependencies', 'The jobs of earlier stages whose artifacts are downloaded; `[]` downloads none.', 'seq'),
  { ...k('inputs', 'Typed job inputs (each with a `default`), used as `${{ job.inputs.NAME }}` and changeable when running or retrying the job.', 'map'), url: 'https://docs.gitlab.com/ci/jobs/job_inputs/' },
  k('identity', 'Authenticate with a third-party cloud through identity federation (e.g. `google_cloud`).', 'scalar', IDENTITY_PROVIDERS),
  k('manual_confirmation', 'Message shown to confirm before a manual job starts.', 'scalar'),
  k('pages', 'Marks the job as the GitLab Pages deployment (`true`, or a hash with `path_prefix`, `expire_in`, `publish`).'),
  k('parallel', 'Run N copies of the job (a number), or one per combination of `matrix:` values.'),
  k('publish', 'Deprecated: folder a `pages` job publishes; use `pages:publish`.', 'scalar'),
  k('release', 'Creates a release (tag, name, description, assets) when the job succeeds; needs the release-cli image.', 'map'),
  k('run', 'Steps of a CI/CD step-based job (instead of `script`).', 'seq'),
  k('script', 'Commands the runner executes; the job needs `script`, `run` or `trigger`.', 'seq'),
  k('secrets', 'Secrets fetched from an external provider (Vault, Azure Key Vault, GCP, ...) into variables or files.', 'map'),
  k('start_in', 'Delay of a `when: delayed` job, e.g. `30 minutes` (at most one week).', 'scalar'),
];

/** A trigger job (GitLab's Entry::Bridge: Processable keys + trigger, parallel). */
const BRIDGE: KeywordSpec[] = [
  ...PROCESSABLE,
  k('trigger', 'Makes the job a bridge that starts a downstream pipeline (a project, or a child pipeline from `include`).'),
  k('parallel', 'One trigger job per combination of `matrix:` values (a number is not allowed here).', 'map'),
];

/** Top-level keys that are configuration, not jobs (GitLab's Entry::Root). */
const ROOT: KeywordSpec[] = [
  k('default', 'Values every job takes unless it sets its own (image, before_script, retry, tags, ...).', 'map'),
  k('include', 'Other configuration files merged into this one: `local`, `project`, `remote`, `template` or `component`.', 'seq'),
  k('stages', 'The ordered list of stages; jobs of one stage run after the previous stage finished.', 'seq'),
  k('variables', 'Variables defined for every job (a job\'s own variables win). A hash entry may carry `value`, `description`, `options`.', 'map'),
  k('workflow', 'Whether a pipeline is created at all (`rules`), its `name` and `auto_cancel` behaviour.', 'map'),
  k('spec', 'Header of a file that declares `inputs:` (in its own YAML document, before `---`).', 'map'),
  k('image', 'Deprecated at top level: use `default:image`.', undefined, undefined, 'image'),
  k('services', 'Deprecated at top level: use `default:services`.', 'seq', undefined, 'services'),
  k('cache', 'Deprecated at top level: use `default:cache`.', 'map', undefined, 'cache'),
  k('before_script', 'Deprecated at top level: use `default:before_script`.', 'seq', undefined, 'before_script'),
  k('after_script', 'Deprecated at top level: use `default:after_script`.', 'seq', undefined, 'after_script'),
];

const TOP_LEVEL_ENTRIES: EntrySpec[] = [
  { id: 'root', docPath: '', keys: ROOT },
  { id: 'job', docPath: '', keys: JOB },
  { id: 'bridge', docPath: '', keys: BRIDGE },
  { id: 'default', docPath: '', keys: DEFAULTABLE },
];

/** Every entry of the table, by id. */
export const ENTRIES: ReadonlyMap<EntryId, EntrySpec> = new Map(
  [...TOP_LEVEL_ENTRIES, ...NESTED_ENTRIES].map((e) => [e.id, e] as const),
);

export function entry(id: EntryId): EntrySpec {
  const e = ENTRIES.get(id);
  if (!e) throw new Error(`keyword table has no entry ${id}`);
  return e;
}

/** The names an entry allows as keys. */
export function allowedKeys(id: EntryId): string[] {
  return entry(id).keys.map((x) => x.name);
}

export function keyword(id: EntryId, name: string): KeywordSpec | undefined {
  return entry(id).keys.find((x) => x.name === name);
}
