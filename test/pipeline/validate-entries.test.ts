/**
 * The nested entries of a job as GitLab 18's entry classes validate them (environment, kubernetes,
 * retry, allow_failure, release, pages, hooks, id_tokens, inherit, variables, artifacts, reports,
 * cache, key, image, services, pull_policy): each refused configuration with GitLab's exact message,
 * and next to it the configurations GitLab accepts, which must stay free of errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandFiles, spanText } from '../support/engine.js';
import { parseDuration } from '../../server/src/pipeline/validate/duration.js';

const diagnostics = async (yaml: string) => (await expandFiles({ '.gitlab-ci.yml': yaml })).diagnostics;
const errorsOf = async (yaml: string) => (await diagnostics(yaml)).filter((d) => d.severity === 'error').map((d) => d.message);
const job = (extra: string) => `j:\n  script: x\n  ${extra}\n`;

/** Each job snippet must give exactly these errors. */
async function rejects(cases: [string, string[]][]): Promise<void> {
  for (const [extra, want] of cases) assert.deepEqual(await errorsOf(job(extra)), want, extra);
}

/** Each job snippet must give no error. */
async function accepts(extras: string[]): Promise<void> {
  for (const extra of extras) assert.deepEqual(await errorsOf(job(extra)), [], extra);
}

test('image and services: ports are refused outside the Web IDE, a service command reads like script', async () => {
  await rejects([
    ['image: {name: ruby, ports: [80]}', ['jobs:j:image config contains disallowed keys: ports']],
    ['services: [{name: pg, ports: [{number: 80}]}]', ['jobs:j:services:service config contains disallowed keys: ports']],
    ['services: [{name: pg, command: [1]}]', ['jobs:j:services:service:command config should be a string or a nested array of strings up to 10 levels deep']],
    ['image: {name: a, pull_policy: []}', ["jobs:j:image:pull_policy config can't be blank"]],
    ['image: {name: a, pull_policy: 5}', ['jobs:j:image:pull_policy config should be an array of strings or a string']],
    ['image: {name: a, pull_policy: sometimes}', ['jobs:j:image:pull_policy config is not included in the list']],
  ]);
  await accepts([
    'services: [{name: pg, command: redis-server}]',
    'services: [{name: pg, command: [[redis-server, --port], "6380"]}]',
    'image: {name: a, pull_policy: if-not-present, entrypoint: null, docker: null}',
    'services: [{name: pg, alias: null, command: null, variables: null}]',
  ]);
  const p = await expandFiles({ '.gitlab-ci.yml': job('image: {name: ruby, ports: [80]}') });
  assert.equal(spanText(p, p.diagnostics[0].span), 'ports');
});

test('allow_failure: a hash need not list exit codes; null is no setting', async () => {
  await accepts(['allow_failure: {}', 'allow_failure: {exit_codes: null}', 'allow_failure: null', 'allow_failure: {exit_codes: 1}']);
  await rejects([
    ['allow_failure: {exit_codes: [a]}', ['jobs:j:allow_failure exit codes should be an array of integers or an integer']],
    ['allow_failure: maybe', ['jobs:j allow failure should be a hash or a boolean value']],
  ]);
});

test('id_tokens: aud must be written, as a string or strings', async () => {
  await rejects([
    ['id_tokens: {T: {}}', ['jobs:j:id_tokens:T config missing required keys: aud']],
    ['id_tokens: {T: {aud: null}}', ['jobs:j:id_tokens:T aud should be an array of strings or a string']],
    ['id_tokens: {T: {aud: [1]}}', ['jobs:j:id_tokens:T aud should be an array of strings or a string']],
  ]);
  await accepts(['id_tokens: {T: {aud: ""}}', 'id_tokens: {T: {aud: [a, b]}}', 'id_tokens: null']);
});

test('inherit: default and variables take a boolean or a list of strings', async () => {
  await rejects([
    ['inherit: {default: 5}', ['jobs:j:inherit:default should be a bool or array of strings']],
    ['inherit: {variables: yes please}', ['jobs:j:inherit:variables should be a bool or array of strings']],
    ['inherit: {variables: [1]}', ['jobs:j:inherit:variables config should be an array of strings']],
    ['inherit: {default: [1]}', ['jobs:j:inherit:default config should be an array of strings', 'jobs:j:inherit:default config contains unknown values: 1']],
    ['inherit: {default: [image, stage]}', ['jobs:j:inherit:default config contains unknown values: stage']],
  ]);
  await accepts(['inherit: {default: null, variables: null}', 'inherit: {default: [image], variables: [A]}', 'inherit: null']);
});

test('retry: max like Rails numericality, when a string or strings, exit codes may be null', async () => {
  await rejects([
    ['retry: {when: 5}', ['retry when should be an array of strings or a string']],
    ['retry: {max: 1.5}', ['retry max must be an integer']],
    ['retry: {max: many}', ['retry max is not a number']],
    ['retry: {max: "3"}', ['retry max must be less than or equal to 2']],
  ]);
  await accepts(['retry: {max: "2", when: null, exit_codes: null}', 'retry: {max: null}', 'retry: null']);
});

test('artifacts: expire_in is a string, when as GitLab words it, nulls are no setting', async () => {
  await rejects([
    ['artifacts: {paths: [a], expire_in: 3600}', ['jobs:j:artifacts expire in should be a duration']],
    ['artifacts: {paths: [a], when: sometimes}', ['jobs:j:artifacts when should be one of: on_success, on_failure, always']],
    ['artifacts: {paths: [], expose_as: Out}', ["jobs:j:artifacts paths can't be blank"]],
    ['artifacts: {reports: {coverage_report: {path: 5}}}', [
      "jobs:j:artifacts:reports:coverage_report coverage format can't be blank",
      'jobs:j:artifacts:reports:coverage_report coverage format must be one of supported formats: cobertura, jacoco.',
      'jobs:j:artifacts:reports:coverage_report path should be a string',
    ]],
  ]);
  await accepts([
    'artifacts: {paths: [a], expire_in: NEVER}',
    'artifacts: {paths: [a], name: null, when: null, expire_in: null, untracked: null, reports: {junit: null}}',
    'artifacts: null',
  ]);
});

test('cache: policy like GitLab (unanchored), key and prefix as paths, fallback keys', async () => {
  await rejects([
    ['cache: {policy: foo}', ['jobs:j:cache policy should be a variable or one of: pull-push, push, pull']],
    ['cache: {key: {files: [a], prefix: a/b}}', ['jobs:j:cache:key:prefix config cannot contain the "/" character']],
    ['cache: {key: {files: [a], prefix: ".."}}', ['jobs:j:cache:key:prefix config cannot be "." or ".."']],
    ['cache: {key: "%2E%2e"}', ['jobs:j:cache:key config cannot be "." or ".."']],
    ['cache: {key: "a%2Fb"}', ['jobs:j:cache:key config cannot contain the "/" character']],
    ['cache: {fallback_keys: a}', ['jobs:j:cache:fallback_keys config should be an array of strings']],
  ]);
  await accepts([
    'cache: {policy: pushy}',
    'cache: {policy: ""}',
    'cache: {policy: $CACHE_POLICY}',
    'cache: {key: "..."}',
    'cache: {key: null, paths: null, untracked: null}',
    'cache: {key: {files: null}}',
    'cache: null',
  ]);
});

test('environment: deployment_tier and auto_stop_in are strings that may hold variables', async () => {
  await rejects([
    ['environment: {name: a, auto_stop_in: 5}', ['jobs:j:environment auto stop in should be a string']],
    ['environment: {name: a, deployment_tier: 5}', ['jobs:j:environment deployment tier should be a string']],
    ['environment: {name: 5}', ["jobs:j:environment name can contain only letters, digits, '-', '_', '/', '$', '{', '}', '.', and spaces, but it cannot start or end with '/'"]],
    ['environment: {name: "  "}', ["jobs:j:environment name can't be blank"]],
    ['environment: {name: a, action: 5}', ['jobs:j:environment action should be a string']],
  ]);
  await accepts([
    'environment: {name: a, deployment_tier: $TIER, auto_stop_in: $STOP}',
    'environment: {name: a, auto_stop_in: never, deployment_tier: staging}',
    'environment: {name: a, url: null, action: null, on_stop: null, kubernetes: null}',
  ]);
  // A literal GitLab could never use is a warning, not an error.
  const found = (await diagnostics(job('environment: {name: a, deployment_tier: prod, auto_stop_in: soon}'))).map((d) => `${d.severity}: ${d.message}`);
  assert.deepEqual(found, [
    'warning: jobs:j:environment deployment tier must be one of production, staging, testing, development, other',
    'warning: jobs:j:environment auto stop in should be a duration',
  ]);
});

test('environment:kubernetes: agent, namespace, dashboard and managed resources', async () => {
  const k = (hash: string) => `environment: {name: a, kubernetes: ${hash}}`;
  const at = 'jobs:j:environment:kubernetes';
  await rejects([
    [k('{}'), [`${at} config can't be blank`]],
    [k('{namespace: 5}'), [`${at} namespace should be a string`]],
    [k('{flux_resource_path: x, namespace: n}'), [`${at} agent can't be blank`]],
    [k('{flux_resource_path: x, agent: a}'), [`${at} namespace can't be blank`]],
    [k('{managed_resources: {enabled: true}}'), [`${at} agent can't be blank`]],
    [k('{agent: a, managed_resources: {enabled: "yes"}}'), [`${at} managed resources value at \`/enabled\` is not a boolean`]],
    [k('{agent: a, managed_resources: {other: 1}}'), [`${at} managed resources object property at \`/other\` is a disallowed additional property`]],
    [k('{agent: a, dashboard: {flux_resource_path: x}}'), [`${at} dashboard object at root is missing required properties: namespace`]],
    [k('{agent: a, namespace: n, dashboard: {namespace: m}}'), [`${at} namespace cannot be specified when dashboard.namespace is set`]],
  ]);
  await accepts([
    k('{agent: p:a, namespace: n, flux_resource_path: x}'),
    k('{agent: p:a, dashboard: {namespace: n, flux_resource_path: x}, managed_resources: {enabled: false}}'),
    k('{namespace: n}'),
  ]);
});

test('release: name is not type-checked, released_at is ISO 8601, links are hashes', async () => {
  const rel = (more: string) => `release: {tag_name: v1, description: d${more}}`;
  await rejects([
    [rel(', released_at: "Dec 7 2026"'), ['jobs:j:release released at must be a valid datetime']],
    [rel(', released_at: "2026-02-30T10:00:00Z"'), ['jobs:j:release released at must be a valid datetime']],
    [rel(', released_at: "2026-02-03T25:00:00Z"'), ['jobs:j:release released at must be a valid datetime']],
    [rel(', assets: {links: [foo]}'), ['jobs:j:release:assets links should be an array of hashes']],
    [rel(', assets: {links: []}'), ["jobs:j:release:assets links can't be blank"]],
    [rel(', assets: {links: [{name: [a], url: "https://x"}]}'), ['jobs:j:release:assets:links:link name should be a string']],
  ]);
  await accepts([
    rel(', name: 5'),
    rel(', released_at: "2026-12-07T10:00:00Z"'),
    rel(', released_at: "2026-12-07"'),
    rel(', released_at: "20261207T100000+0100"'),
    rel(', milestones: null, tag_message: null'),
  ]);
});

test('pages and hooks: variables in expire_in, nulls are no setting', async () => {
  const pages = (body: string) => `pages:\n  script: x\n  pages: ${body}\n`;
  assert.deepEqual(await errorsOf(pages('{expire_in: $EXPIRY}')), []);
  assert.deepEqual(await errorsOf(pages('{expire_in: 1 week, path_prefix: null, publish: null}')), []);
  assert.deepEqual(await errorsOf(pages('{expire_in: 5}')), ['jobs:pages:pages expire in should be a duration']);
  assert.deepEqual(await errorsOf(pages('{expire_in: soon}')), ['jobs:pages:pages expire in should be a duration']);
  await accepts(['hooks: {pre_get_sources_script: null}', 'hooks: null']);
});

test('variables: description alphanumeric, expand a boolean value, value among the options as written', async () => {
  const vars = (v: string) => `variables:\n  A: ${v}\nj:\n  script: x\n`;
  const cases: [string, string[]][] = [
    ['{value: a, description: [d]}', ['variables:A config description must be an alphanumeric string']],
    ['{value: a, expand: "no"}', ['variables:A config expand should be a boolean value']],
    ['{value: "1", options: [1, 2]}', ['variables:A config value must be present in options', 'variables:A config options should be an array of strings']],
    ['{options: [x, y]}', ['variables:A config value must be present in options']],
    ['{value: 1, options: ["1"]}', ['variables:A config value must be present in options']],
  ];
  for (const [v, want] of cases) assert.deepEqual((await errorsOf(vars(v))).sort(), [...want].sort(), v);
  for (const v of ['{value: a, description: 5}', '{value: x, options: [x, y], expand: null}', '{value: a, options: []}']) {
    assert.deepEqual(await errorsOf(vars(v)), [], v);
  }
});

test('image and services written as a name: the name must not be blank; service variables are scalars; executor option lengths', async () => {
  await rejects([
    ['image: ""', ["jobs:j:image name can't be blank"]],
    ['services: [pg, " "]', ["jobs:j:services:service name can't be blank"]],
    ['services: [{name: pg, variables: {A: {value: x}}}]', ['jobs:j:services:service:variables:A config must be a string']],
    ['image: {name: a, docker: {platform: ""}}', ['jobs:j:image executor opts string length at `/docker/platform` is less than: 1']],
    [`image: {name: a, docker: {user: ${'u'.repeat(256)}}}`, ['jobs:j:image executor opts string length at `/docker/user` is greater than: 255']],
    ['image: {name: a, kubernetes: {user: [1000]}}', ['jobs:j:image executor opts value at `/kubernetes/user` is not one of the types: ["string", "integer"]']],
  ]);
  await accepts([
    'image: null',
    'services: null',
    'services: [{name: pg, variables: {A: b, N: 1, E: null}}]',
    'image: {name: a, docker: {platform: arm64, user: "1000"}, kubernetes: {user: 1000}}',
    'release: {tag_name: v1, description: d, assets: null}',
  ]);
});

test('durations as the ChronicDuration GitLab vendors reads them', async () => {
  assert.equal(parseDuration('day'), 86400); // a leading unit counts once
  assert.equal(parseDuration('minute 30s'), 90);
  assert.equal(parseDuration('1 hour 30'), 5400); // a number without unit takes the unit below the last one
  assert.equal(parseDuration('1 30'), 31);
  assert.equal(parseDuration('1:20.51'), 80.51);
  assert.equal(parseDuration('8:03:30:00'), 8 * 86400 + 3 * 3600 + 1800); // a clock's fourth field is days
  assert.equal(parseDuration('3 weeks, plus 2 days'), 23 * 86400);
  // zero, number words, units it does not know, a lone comma
  for (const none of ['0', '0 seconds', '0:00', 'two hours', '100 ms', '2 mons', '1,5 days']) assert.equal(parseDuration(none), undefined, none);
  await accepts(['artifacts: {paths: [a], expire_in: "3 weeks and, 2 days"}']);
  await rejects([
    ['artifacts: {paths: [a], expire_in: "0"}', ['jobs:j:artifacts expire in should be a duration']],
    ['artifacts: {paths: [a], expire_in: one week}', ['jobs:j:artifacts expire in should be a duration']],
  ]);
});

test('retry:when takes every failure reason GitLab knows; reports take sarif', async () => {
  await accepts([
    'retry: {when: [missing_dependency_failure, runner_system_failure]}',
    'retry: {when: job_token_expired}',
    'artifacts: {reports: {sarif: gl-sast.sarif}}',
  ]);
  await rejects([['retry: {when: [script_failure, flaky]}', ['retry when contains unknown values: flaky']]]);
});
