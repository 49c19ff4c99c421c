/**
 * Where the corpus oracle (gitlab-ci-local 4.75.1) deviates from GitLab, and what GitLab computes
 * instead — as data. Each entry patches the oracle's expected output of one corpus case (the
 * parsed `expected*.yml`, in the oracle's form, BEFORE normalisation) into GitLab's answer, or says
 * that GitLab rejects a configuration the oracle accepts.
 *
 * Sources: ../shared/corpus/README.md ("Known deviations" 1–9), handwritten/README.md,
 * gitlab-spec-cases/README.md, gitlab-ci-local's own source (src/data-expander.ts, parser.ts) and
 * GitLab's (lib/gitlab/ci/config/entry/*.rb, docs). `item` is the number of the deviation in the
 * corpus README's list (0 = a deviation that list does not name).
 *
 * Every `expected.err` of the corpus was checked against the configuration it rejects; GitLab
 * rejects all three too (see ERROR_CASES_CHECKED below), so no entry says "GitLab accepts".
 */

export type Path = (string | number)[];

interface DeviationBase {
  /** Case id: the case directory relative to the corpus root, e.g. `handwritten/03-default-globals`. */
  case: string;
  /** `oracle.variants` names the entry applies to (`default` = the case without a variant); all when omitted. */
  variants?: string[];
  /** `default` (no `--full`) / `full`; both when omitted. */
  modes?: ('default' | 'full')[];
  /** Number of the deviation in the corpus README's list (0: not in the list). */
  item: number;
  reason: string;
  /** Set when GitLab's behaviour could not be confirmed beyond doubt; says what else it might be. */
  doubt?: string;
}

/** Replace the value at `path` (created when missing) with GitLab's value. */
export interface SetPatch extends DeviationBase {
  op: 'set';
  path: Path;
  gitlab: unknown;
}

/** GitLab has nothing at `path`. */
export interface DeletePatch extends DeviationBase {
  op: 'delete';
  path: Path;
}

/**
 * GitLab's `default:` inheritance instead of the oracle's (deviation 1), computed from the
 * case's own merged `default:` (taken from the variant's `expected*.full.yml`):
 * - every real job that inherits defaults (no `inherit:default`, or `inherit:default: true`) also
 *   gets `tags`, `retry`, `interruptible`, `timeout`, `hooks`, `id_tokens` when it lacks them
 *   (the oracle copies only image, services, cache, before_script, after_script, artifacts;
 *   with an `inherit:default` list it already copies exactly the listed keys, like GitLab);
 * - trigger jobs (bridges) inherit nothing from `default:` in GitLab (Entry::Bridge has no
 *   inheritable entries), whereas the oracle gives them the six keys above: those are removed.
 */
export interface DefaultInheritancePatch extends DeviationBase {
  op: 'gitlab-default-inheritance';
}

/** GitLab rejects the configuration (the oracle printed a result): the CLI must exit 1. */
export interface RejectsPatch extends DeviationBase {
  op: 'rejects';
  /** GitLab's error message. */
  gitlabError: string;
}

/**
 * The oracle writes `cache:policy` back with CI variables expanded (gitlab-ci-local's Job
 * constructor does `c.policy = expandText(c.policy, ...)` on the job data it then prints); GitLab's
 * merged configuration keeps `policy: $CACHE_POLICY`. The GitLab answer cannot be recovered from
 * the oracle's output, so this is the one deviation applied to OUR side instead: a policy that is
 * exactly `$NAME` / `${NAME}` is expanded with the job's `variables:`, then the top-level ones,
 * before comparing.
 */
export interface ExpandedCachePolicyPatch extends DeviationBase {
  op: 'oracle-expands-cache-policy';
}

export type Deviation = SetPatch | DeletePatch | DefaultInheritancePatch | RejectsPatch | ExpandedCachePolicyPatch;

/** `default:` keys GitLab copies into jobs and the oracle does not. */
export const GITLAB_ONLY_DEFAULT_KEYS = ['tags', 'retry', 'interruptible', 'timeout', 'hooks', 'id_tokens'] as const;
/** `default:` keys both copy (the oracle's list, `inheritDefault` in data-expander.ts). */
export const ORACLE_DEFAULT_KEYS = ['artifacts', 'cache', 'services', 'image', 'before_script', 'after_script'] as const;

/** omnibus-gitlab jobs whose `rules[i].variables` are a !reference to an entry with `extends:`. */
const OMNIBUS_REFERENCED_EXTENDS: [string, number[], ('default' | 'full')[] | undefined][] = [
  ['.ce-trigger-job', [0, 1], ['full']],
  ['.ubt-trigger-job', [0, 1], ['full']],
  ['Trigger:ce-package', [0, 1], undefined],
  ['Trigger:ce-package-ubt', [0, 1], undefined],
  ['Trigger:ee-package', [0, 1], undefined],
  ['Trigger:ee-package-ubt', [0, 1], undefined],
  ['build-package-on-all-os', [0, 1, 2], undefined],
];

const DEFAULT_INHERITANCE =
  'oracle copies only image/services/cache/before_script/after_script/artifacts from default: into jobs (and also into trigger jobs); GitLab also inherits tags, retry, interruptible, timeout, hooks, id_tokens, and bridges inherit nothing';

export const DEVIATIONS: Deviation[] = [
  // ── deviation 1: default: inheritance ──────────────────────────────────────────────────
  { case: 'handwritten/03-default-globals', op: 'gitlab-default-inheritance', item: 1, reason: `${DEFAULT_INHERITANCE} (job-inherit-all gets tags [shared-runner], retry 1, interruptible true, timeout 10m; job-own keeps tags [own] and gets retry/interruptible/timeout)` },
  { case: 'handwritten/10-known-deviations', op: 'gitlab-default-inheritance', item: 1, reason: `${DEFAULT_INHERITANCE} (all three jobs get tags [shared], retry 1, interruptible true, timeout 5m)` },
  { case: 'esp-at', op: 'gitlab-default-inheritance', item: 1, reason: `${DEFAULT_INHERITANCE} (default: retry {max: 2, when: always} applies to every job that has no retry of its own)` },
  { case: 'glab-cli', op: 'gitlab-default-inheritance', item: 1, reason: `${DEFAULT_INHERITANCE} (default: tags [saas-linux-medium-amd64])` },
  { case: 'omnibus-gitlab', op: 'gitlab-default-inheritance', item: 1, reason: `${DEFAULT_INHERITANCE} (default: tags [gitlab-org]; the 15 trigger jobs get no before_script)` },

  // ── deviation 2: YAML 1.1 (Psych) scalars ──────────────────────────────────────────────
  { case: 'handwritten/07-anchors', op: 'set', path: ['yaml11-scalars', 'interruptible'], gitlab: true, item: 2, reason: 'Psych (YAML 1.1) reads `yes` as true; js-yaml (1.2 core) keeps the string "yes"' },
  { case: 'handwritten/07-anchors', op: 'set', path: ['yaml11-scalars', 'variables', 'ON_VALUE'], gitlab: true, item: 2, reason: 'YAML 1.1 `on` is the boolean true (a variable value, printed "true")' },
  { case: 'handwritten/07-anchors', op: 'set', path: ['yaml11-scalars', 'variables', 'OCTAL'], gitlab: 493, item: 2, reason: 'YAML 1.1 `0755` is octal 493; js-yaml reads decimal 755' },
  { case: 'handwritten/07-anchors', op: 'set', path: ['yaml11-scalars', 'variables', 'SEXAGESIMAL'], gitlab: 5400, item: 2, reason: 'Psych types `1:30` as base 60 weighed from 60² down (ScalarScanner: 60 ** (index - 2).abs): 5400, not the 90 of YAML 1.1; js-yaml keeps the string "1:30"' },

  // ── deviation 3: extends vs !reference order ───────────────────────────────────────────
  { case: 'handwritten/10-known-deviations', op: 'set', path: ['child-reference-over-parent-hash', 'variables'], gitlab: { R1: 'r1', R2: 'r2' }, item: 3, reason: 'GitLab runs extends while `variables: !reference [...]` is still a tag object (not a Hash), so the child value replaces the parent hash instead of being merged with {P1}' },
  { case: 'handwritten/10-known-deviations', op: 'set', path: ['child-hash-over-parent-reference', 'variables'], gitlab: { C1: 'c1' }, item: 3, reason: "GitLab runs extends while the parent's `variables: !reference [...]` is a tag object, so the child hash replaces it (no R1/R2)" },

  // ── deviation 6: interpolation context / functions ─────────────────────────────────────
  {
    case: 'handwritten/09-component',
    op: 'set',
    path: ['my-lint', 'script', 0],
    gitlab: 'echo "component lint version=1.1.0 ref=1.1.0"',
    item: 6,
    reason: '`$[[ component.version ]]` stays literal in the oracle for an exact version; GitLab fills it from the catalog release (1.1.0)',
    doubt: 'GitLab 18.7 docs require the template to declare `spec:component: [name, version, reference]` before using `$[[ component.* ]]`; this template declares none, so GitLab may instead reject it ("unknown interpolation provided: `name` in `component.name`")',
  },
  {
    case: 'handwritten/09-component',
    op: 'set',
    path: ['comp-lint', 'script', 0],
    gitlab: 'echo "component lint version=1.1.0 ref=1.1.0"',
    item: 6,
    reason: 'same as my-lint: `$[[ component.version ]]` of an exact release is 1.1.0 in GitLab',
    doubt: 'see my-lint (spec:component not declared)',
  },
  {
    case: 'handwritten/12-component-ranges',
    op: 'set',
    path: ['rc-lint', 'script', 1],
    gitlab: 'echo "component lint version=2.0.0-rc1 ref=2.0.0-rc1"',
    item: 6,
    reason: 'the oracle fills `$[[ component.version ]]` only for range refs (~latest, 1, 1.1); for the exact pre-release tag 2.0.0-rc1 GitLab fills it from the release',
    doubt: 'see handwritten/09-component (spec:component not declared in these templates either)',
  },
  {
    case: 'handwritten/13-gitlab-spec-complex-inputs',
    op: 'set',
    path: ['my-job-test', 'script', 0],
    gitlab: 'echo "Testing with pytest"',
    item: 6,
    reason: '`$[[ inputs.test_framework | expand_vars ]]` expands the project variable TEST_FRAMEWORK=pytest in GitLab (loader_spec.rb); interpolation functions are no-ops in the oracle',
  },

  // ── deviation 8: rules evaluated while building jobs ───────────────────────────────────
  {
    case: 'omnibus-gitlab',
    op: 'delete',
    path: ['variables', 'PIPELINE_TYPE'],
    item: 8,
    reason: 'the oracle evaluates workflow:rules and merges the matched rule\'s `variables:` (PIPELINE_TYPE) into the top-level variables; GitLab\'s merged configuration keeps `variables:` as written (workflow rule variables apply to the pipeline at run time)',
  },

  {
    case: 'omnibus-gitlab',
    op: 'oracle-expands-cache-policy',
    item: 8,
    reason: 'the oracle prints cache:policy with $CACHE_POLICY expanded ("pull-push"): it evaluates variables while building jobs; GitLab keeps `policy: $CACHE_POLICY`',
  },
  ...OMNIBUS_REFERENCED_EXTENDS.flatMap(([job, rules, modes]) =>
    rules.map(
      (i): SetPatch => ({
        case: 'omnibus-gitlab',
        op: 'set',
        path: [job, 'rules', i, 'variables', 'extends'],
        gitlab: '.base-trigger-job-variables',
        modes,
        item: 0,
        reason:
          '`variables: !reference [.ce-trigger-job-variables]` (and .ee-/.build-package-on-all-os-vars) copies a whole top-level entry that has `extends: .base-trigger-job-variables`; GitLab keeps the `extends` key in extended entries (Extendable) and !reference runs after extends, so the copied hash has a variable named `extends`; the oracle deletes `extends` from every top-level entry before resolving !reference',
      }),
    ),
  ),

  // ── GitLab rejects, the oracle accepts ─────────────────────────────────────────────────
  {
    case: 'gitlab-templates/cases/Terraform__Base.latest',
    op: 'rejects',
    gitlabError: 'jobs config should contain at least one visible job',
    item: 0,
    reason: 'Terraform/Base.latest only defines hidden jobs (.init, .validate, ...), so the pipeline has no visible job; GitLab (Entry::Jobs / Entry::Root validation) rejects it, the oracle prints an empty pipeline',
  },
  {
    case: 'xfenix-pycon2022/cases/consumer-project-include',
    op: 'rejects',
    gitlabError: 'jobs:test-python:artifacts:reports config contains unknown keys: cobertura',
    item: 0,
    reason: 'jobs.yml (the included library) gives .test-python `artifacts:reports:cobertura`, a report type GitLab removed in 15.0 (replaced by `coverage_report:`); Entry::Reports no longer allows the key, so GitLab rejects the pipeline; gitlab-ci-local does not validate report keys',
  },
];

/**
 * The corpus's `expected.err` cases and why GitLab rejects them too (checked by reading the
 * configurations; nothing to patch).
 */
export const ERROR_CASES_CHECKED: { case: string; gitlab: string }[] = [
  {
    case: 'gitlab-templates/cases/Jobs__DAST-Default-Branch-Deploy',
    gitlab: 'stop_dast_environment / stop_dast_ecs_environment have `needs: [dast]` and no job `dast` exists (it lives in DAST.gitlab-ci.yml, not included): GitLab rejects "stop_dast_environment job: undefined need: dast"',
  },
  {
    case: 'xfenix-pycon2022/cases/consumer-helm-cd',
    gitlab: 'jobs.yml (included by helm-cd.yml) uses `!reference [.podman-login-arti, script]` (and .docker-login-arti, .podman-logout-arti...) that no file defines: GitLab rejects the unresolvable !reference; helm-cd.yml jobs also use `if: r\'$CI_COMMIT_TAG =~ ...\'` (a Python raw-string prefix), invalid expression syntax for GitLab',
  },
  {
    case: 'xfenix-pycon2022/repo',
    gitlab: 'public-example.yml includes jobs.yml whose hidden jobs reference `!reference [.podman-login-arti, script]`, defined nowhere: GitLab rejects ("!reference [".podman-login-arti", "script"] could not be found"); the `publish` job also extends .publish-docker-image whose rules use `r\'...\'`',
  },
];
