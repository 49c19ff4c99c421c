/**
 * Rules found by comparing GitLab's CI JSON-schema fixtures with its backend: where the backend
 * accepts what we refused, or refuses what we let through. Each rejected configuration carries
 * GitLab's exact message, next to an accepted counterpart so a test fails both ways. Our own
 * minimal cases, not GitLab's fixture files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expandFiles, spanText } from '../support/engine.js';
import { keyword, keywordUrl, entry } from '../../server/src/pipeline/validate/keywords.js';

const errors = async (yaml: string) => (await expandFiles({ '.gitlab-ci.yml': yaml })).diagnostics.filter((d) => d.severity === 'error');
const messages = async (yaml: string) => (await errors(yaml)).map((d) => d.message);

test('a cross-pipeline need takes optional: (Need::CrossPipelineDependency), as a boolean', async () => {
  assert.deepEqual(await messages('a:\n  script: x\n  needs: [{pipeline: $UP, job: b, optional: true}]\n'), []);
  assert.deepEqual(await messages('a:\n  script: x\n  needs: [{pipeline: $UP, job: b, optional: maybe}]\n'), [
    'jobs:a:needs:need optional should be a boolean value',
  ]);
  assert.deepEqual(await messages('a:\n  script: x\n  needs: [{pipeline: $UP, job: b, parallel: {matrix: [{A: x}]}}]\n'), [
    'jobs:a:needs:need config contains unknown keys: parallel',
  ]);
});

test('run: a list of steps, each a function step or a script step', async () => {
  const ok = [
    '  run:\n    - name: a\n      step: gitlab.com/x/y@v1\n      inputs: {n: 1, list: [a], deep: {k: v}}\n      env: {A: "1"}\n',
    '  run:\n    - name: b\n      script: echo hi\n      env: {A: x}\n',
    '  run:\n    - name: c\n      func: ./local\n',
    '  run:\n    - name: d\n      step: {git: {url: gitlab.com/a/b, rev: v1, dir: x}}\n',
    '  run:\n    - name: e\n      step: {oci: {registry: r.io, repository: a/b, tag: "1"}}\n',
    '  run: []\n',
  ];
  for (const body of ok) assert.deepEqual(await messages(`j:\n${body}`), [], body);
  assert.deepEqual(await messages('j:\n  run: not a list\n'), ['jobs:j run value at root is not an array']);
  assert.deepEqual(await messages('j:\n  run:\n    - name: s1\n'), [
    'jobs:j run object at `/0` is missing required properties: step',
    'jobs:j run object at `/0` is missing required properties: func',
    'jobs:j run object at `/0` is missing required properties: script',
  ]);
  assert.deepEqual(await messages('j:\n  run:\n    - step: x\n'), [
    'jobs:j run object at `/0` is missing required properties: name',
    'jobs:j run object property at `/0/step` is a disallowed additional property',
    'jobs:j run object at `/0` is missing required properties: name, script',
  ]);
});

test('run: a step with both step and script, an unknown key, a bad env, a bad name', async () => {
  assert.deepEqual(await messages('j:\n  run:\n    - name: s\n      step: x\n      script: y\n'), [
    'jobs:j run object property at `/0/script` is a disallowed additional property',
    'jobs:j run object property at `/0/step` is a disallowed additional property',
  ]);
  // `action:` is not in the backend's schema (the editor schema has it).
  const action = await messages('j:\n  run:\n    - name: s\n      action: a/b@main\n');
  assert.ok(action.includes('jobs:j run object property at `/0/action` is a disallowed additional property'), action.join('\n'));
  assert.deepEqual(await messages('j:\n  run:\n    - name: s\n      script: x\n      env: {MY_VAR: 1}\n'), [
    'jobs:j run object property at `/0/script` is a disallowed additional property',
    'jobs:j run object at `/0` is missing required properties: step',
    'jobs:j run object at `/0` is missing required properties: func',
    'jobs:j run value at `/0/env/my_var` is not a string',
  ]);
  assert.deepEqual(await messages('j:\n  run:\n    - name: s\n      script: x\n      env: {MY_VAR: "1"}\n'), []);
  const bad = await messages('j:\n  run:\n    - name: 1st\n      script: ""\n');
  assert.ok(bad.includes('jobs:j run string at `/0/name` does not match pattern: ^[a-za-z_][a-za-z0-9_]*$'), bad.join('\n'));
  assert.ok(bad.includes('jobs:j run string length at `/0/script` is less than: 1'), bad.join('\n'));
  assert.deepEqual(await messages('j:\n  run:\n    - name: s\n      step: {git: {url: u}}\n'), [
    // The function step's errors (its reference: not a string, a git one without rev, not an OCI one) …
    'jobs:j run value at `/0/step` is not a string',
    'jobs:j run object at `/0/step/git` is missing required properties: rev',
    'jobs:j run object property at `/0/step/git` is a disallowed additional property',
    'jobs:j run object at `/0/step` is missing required properties: oci',
    // … then the script step's.
    'jobs:j run object property at `/0/step` is a disallowed additional property',
    'jobs:j run object at `/0` is missing required properties: script',
  ]);
});

test('run: each finding sits on the value it is about', async () => {
  const yaml = 'j:\n  run:\n    - name: s\n      script: x\n      extra: 1\n';
  const p = await expandFiles({ '.gitlab-ci.yml': yaml });
  const d = p.diagnostics.find((x) => x.message.includes('`/0/extra`'))!;
  assert.equal(spanText(p, d.span), '1');
});

test('job inputs: accepted with defaults (Entry::Job inputs, JobInput), in the keyword table', async () => {
  const ok = 'j:\n  inputs:\n    env: {default: staging, options: [staging, prod], regex: "^s"}\n    n: {type: number, default: 30}\n    b: {type: boolean, default: false}\n    l: {type: array, default: [a]}\n    s: {type: string, default: 12}\n  script: x\n';
  assert.deepEqual(await messages(ok), []);
  const kw = keyword('job', 'inputs');
  assert.ok(kw, 'inputs is a job keyword');
  assert.equal(keywordUrl(entry('job'), kw!), 'https://docs.gitlab.com/ci/jobs/job_inputs/');
  assert.equal(keyword('bridge', 'inputs'), undefined);
  assert.deepEqual(await messages('j:\n  trigger: a/b\n  inputs: {x: {default: 1}}\n'), ['jobs:j config contains unknown keys: inputs']);
});

test('job inputs: a missing default, an unknown type, unknown keys, a non-hash', async () => {
  assert.deepEqual(await messages('j:\n  inputs:\n    env: {type: string}\n  script: x\n'), [
    'jobs:j inputs `env`: required value has not been provided',
    'jobs:j:inputs:env must have a default value',
  ]);
  assert.deepEqual(await messages('j:\n  inputs:\n    d: {type: object, default: {}}\n  script: x\n'), [
    'jobs:j inputs unknown input specification for `d` (valid types: array, boolean, number, string)',
    'jobs:j:inputs:d input type unknown value: object',
  ]);
  assert.deepEqual(await messages('j:\n  inputs:\n    d: {default: a, rules: []}\n  script: x\n'), ['jobs:j:inputs:d config contains unknown keys: rules']);
  assert.deepEqual(await messages('j:\n  inputs: abc\n  script: x\n'), [
    'jobs:j:inputs config should be a hash',
    'jobs:j inputs invalid input specification: expected a hash-like object, got string',
  ]);
});

test('job inputs: defaults coerced as Ci::Inputs does (quoted numbers and booleans pass)', async () => {
  assert.deepEqual(await messages('j:\n  inputs:\n    n: {type: number, default: "30"}\n    b: {type: boolean, default: "true"}\n  script: x\n'), []);
  assert.deepEqual(await messages('j:\n  inputs:\n    n: {type: number, default: thirty}\n    b: {type: boolean, default: yes please}\n    l: {type: array, default: {k: v}}\n  script: x\n'), [
    'jobs:j inputs `n`: default value is not a number',
    'jobs:j inputs `b`: default value is not a boolean',
    'jobs:j inputs `l`: default value is not an array',
  ]);
  assert.deepEqual(await messages('j:\n  inputs:\n    e: {default: dev, options: [staging, prod]}\n  script: x\n'), [
    'jobs:j inputs `e`: `dev` cannot be used because it is not in the list of allowed options',
  ]);
  assert.deepEqual(await messages('j:\n  inputs:\n    e: {default: dev, regex: "^s"}\n  script: x\n'), [
    'jobs:j inputs `e`: default value does not match required regex pattern',
  ]);
  assert.deepEqual(await messages('j:\n  inputs:\n    b: {type: boolean, default: true, options: [true]}\n  script: x\n'), [
    'jobs:j inputs `b`: options can only be used with string and number inputs',
  ]);
});

test('run: and job inputs: messages keep the job name as written (the rest lower-cased as GitLab words it)', async () => {
  assert.deepEqual(await messages('Build:\n  run: not a list\n'), ['jobs:Build run value at root is not an array']);
  const inputs = await messages('Build:\n  script: x\n  inputs:\n    Size: {type: number}\n');
  assert.ok(inputs.length > 0 && inputs.every((m) => m.startsWith('jobs:Build')), inputs.join('\n'));
});

test('identity: a string, one of the providers (EE Entry::Identity); a null leaves it unset', async () => {
  assert.deepEqual(await messages('j:\n  script: x\n  identity: google_cloud\n'), []);
  assert.deepEqual(await messages('j:\n  script: x\n  identity:\n'), []);
  assert.deepEqual(await messages('j:\n  script: x\n  identity: azure\n'), ['jobs:j:identity config should be one of: google_cloud']);
  assert.deepEqual(await messages('j:\n  script: x\n  identity: ""\n'), ['jobs:j:identity config should be one of: google_cloud']);
  assert.deepEqual(await messages('j:\n  script: x\n  identity: [google_cloud]\n'), [
    'jobs:j:identity config should be a string',
    'jobs:j:identity config should be one of: google_cloud',
  ]);
});

test('dast_configuration: a hash of site_profile and scanner_profile strings (EE DastConfiguration)', async () => {
  assert.deepEqual(await messages('j:\n  script: x\n  dast_configuration: {site_profile: s, scanner_profile: p}\n'), []);
  assert.deepEqual(await messages('j:\n  script: x\n  dast_configuration: s\n'), ['jobs:j:dast_configuration config should be a hash']);
  assert.deepEqual(await messages('j:\n  script: x\n  dast_configuration: {site_profile: s, target: t}\n'), ['jobs:j:dast_configuration config contains unknown keys: target']);
  assert.deepEqual(await messages('j:\n  script: x\n  dast_configuration: {scanner_profile: [p]}\n'), ['jobs:j:dast_configuration scanner profile should be a string']);
  const p = await expandFiles({ '.gitlab-ci.yml': 'j:\n  script: x\n  dast_configuration: {site_profile: s, target: t}\n' });
  assert.equal(spanText(p, p.diagnostics[0].span), 'target');
});

test('secrets: exactly one provider per secret, a token with GCP (EE Secret)', async () => {
  const ok = [
    '      vault: db/password@ops\n',
    '      vault: {engine: {name: kv-v2, path: ops}, path: db, field: password}\n      file: false\n',
    '      azure_key_vault: {name: pw, version: "1"}\n',
    '      gcp_secret_manager: {name: pw, version: 3}\n      token: $GCP_TOKEN\n',
  ];
  for (const body of ok) assert.deepEqual(await messages(`j:\n  script: x\n  secrets:\n    PW:\n${body}`), [], body);
  const providers = 'vault, azure_key_vault, gcp_secret_manager, akeyless, gitlab_secrets_manager, aws_secrets_manager';
  assert.deepEqual(await messages('j:\n  script: x\n  secrets:\n    PW:\n      token: $T\n'), [`jobs:j:secrets:PW config must use exactly one of these keys: ${providers}`]);
  assert.deepEqual(await messages('j:\n  script: x\n  secrets:\n    PW:\n      vault: a/b\n      azure_key_vault: {name: c}\n'), [`jobs:j:secrets:PW config must use exactly one of these keys: ${providers}`]);
  assert.deepEqual(await messages('j:\n  script: x\n  secrets:\n    PW:\n      gcp_secret_manager: {name: pw}\n'), ['jobs:j:secrets:PW token is required with gcp secrets manager']);
  assert.deepEqual(await messages('j:\n  script: x\n  secrets:\n    PW:\n      vault: a/b\n      token: [t]\n'), ['jobs:j:secrets:PW token should be a string']);
});

test('secrets: each provider\'s own entry (Vault::Secret and Engine, AzureKeyVault, GcpSecretManager)', async () => {
  const one = (body: string) => messages(`j:\n  script: x\n  secrets:\n    PW:\n${body}`);
  assert.deepEqual(await one('      vault: {path: db, field: pw, engine: {name: kv-v2, path: ops}, role: r}\n'), ['jobs:j:secrets:PW:vault config contains unknown keys: role']);
  assert.deepEqual(await one('      vault: {path: db, engine: {name: kv-v2, path: ops}}\n'), [
    "jobs:j:secrets:PW:vault field can't be blank",
    'jobs:j:secrets:PW:vault field should be a string',
  ]);
  // The engine is checked once the vault hash itself holds.
  assert.deepEqual(await one('      vault: {path: db, field: pw, engine: {name: kv-v2}}\n'), [
    'jobs:j:secrets:PW:vault:engine config missing required keys: path',
    "jobs:j:secrets:PW:vault:engine path can't be blank",
    'jobs:j:secrets:PW:vault:engine path should be a string',
  ]);
  assert.deepEqual(await one('      vault: ""\n'), ["jobs:j:secrets:PW:vault config can't be blank"]);
  assert.deepEqual(await one('      azure_key_vault: {name: pw, tenant: t}\n'), ['jobs:j:secrets:PW:azure_key_vault config contains unknown keys: tenant']);
  assert.deepEqual(await one('      azure_key_vault: {version: "2"}\n'), [
    "jobs:j:secrets:PW:azure_key_vault name can't be blank",
    'jobs:j:secrets:PW:azure_key_vault name should be a string',
  ]);
  assert.deepEqual(await one('      gcp_secret_manager: {name: pw, version: [1]}\n      token: $T\n'), ['jobs:j:secrets:PW:gcp_secret_manager version must be an alphanumeric string']);
});

test('rules:needs: the Needs entry with only job needs; a null is unset', async () => {
  const job = (needs: string) => messages(`a:\n  script: x\nj:\n  script: x\n  rules:\n    - if: $X\n      needs:${needs}`);
  assert.deepEqual(await job('\n'), []);
  assert.deepEqual(await job(' [a]\n'), []);
  assert.deepEqual(await job(' [7]\n'), ['jobs:j:rules:rule:needs:need has an unsupported type']);
  assert.deepEqual(await job('\n        - job:\n'), ["jobs:j:rules:rule:needs:need job can't be blank"]);
  assert.deepEqual(await job('\n        - pipeline: $UP\n'), ['jobs:j:rules:rule:needs config uses invalid types: bridge']);
  assert.deepEqual(await job('\n        - {project: g/p, job: b, ref: main}\n'), ['jobs:j:rules:rule:needs config uses invalid types: cross_dependency']);
  const p = await expandFiles({ '.gitlab-ci.yml': 'j:\n  script: x\n  rules:\n    - needs:\n        - pipeline: $UP\n' });
  assert.equal(spanText(p, p.diagnostics.find((d) => d.severity === 'error')!.span).trim(), 'pipeline: $UP');
});

test('trigger:include: a project include needs its file (Entry::Include); a file alone passes here', async () => {
  assert.deepEqual(await messages('j:\n  trigger:\n    include:\n      - project: g/p\n        file: c.yml\n'), []);
  assert.deepEqual(await messages('j:\n  trigger:\n    include:\n      - file: c.yml\n'), []);
  assert.deepEqual(await messages('j:\n  trigger:\n    include:\n      - project: g/p\n'), ['jobs:j:trigger:include:include config must specify the file where to fetch the config from']);
  assert.deepEqual(await messages('j:\n  trigger:\n    include:\n      - project: g/p\n        file: []\n'), ['jobs:j:trigger:include:include config must specify the file where to fetch the config from']);
});

test('a job without script: its name humanized as GitLab words it (underscores only for letters and spaces)', async () => {
  const implement = 'config should implement the script:, run:, or trigger: keyword';
  assert.deepEqual(await messages('build_job:\n  stage: test\nok:\n  script: x\n'), [`jobs build_job ${implement}`]);
  assert.deepEqual(await messages('Build Job:\n  stage: test\nok:\n  script: x\n'), [`jobs Build_Job ${implement}`]);
  assert.deepEqual(await messages('unit_test-2:\n  stage: test\nok:\n  script: x\n'), [`jobs unit test-2 ${implement}`]);
  assert.deepEqual(await messages('deploy.prod:\n  stage: test\nok:\n  script: x\n'), [`jobs deploy_prod ${implement}`]);
  assert.deepEqual(await messages('build-1:\n  stage: test\nok:\n  script: x\n'), [`jobs build-1 ${implement}`]);
});

test('accepted as the backend accepts them: reports lists and nulls, services commands, rules:exists string, duplicate exit codes, image nulls', async () => {
  const ok = [
    'j:\n  script: x\n  artifacts:\n    reports:\n      browser_performance: [a.json, b.json]\n      cyclonedx:\n      performance: p.json\n',
    'j:\n  script: x\n  services:\n    - name: db\n      entrypoint: []\n      command: []\n    - name: cache\n      command: serve\n',
    'j:\n  script: x\n  rules:\n    - exists: Dockerfile\n    - if:\n',
    'j:\n  script: x\n  retry:\n    max: 2\n    exit_codes: [137, 137]\n',
    'j:\n  script: x\n  image:\n',
    'j:\n  script: x\n  image:\n    name: alpine\n    docker:\n',
    'j:\n  trigger:\n    project: g/p\n    inputs: {list: [1, 2], hash: {k: v}, none: null}\n',
  ];
  for (const y of ok) assert.deepEqual(await messages(y), [], y);
});

test('spec:include takes only the common include keys (Header::Include); spec:description a short string', async () => {
  const header = (spec: string) => messages(`spec:\n${spec}---\nj:\n  script: x\n`);
  assert.deepEqual(await header('  include:\n    - local: inputs.yml\n    - shared.yml\n'), []);
  assert.deepEqual(await header('  include:\n    - template: Inputs.gitlab-ci.yml\n'), ['header:spec:include:include config contains unknown keys: template']);
  assert.deepEqual(await header('  include:\n    - local: inputs.yml\n      inputs: {a: 1}\n'), ['header:spec:include:include config contains unknown keys: inputs']);
  assert.deepEqual(await header('  description: Builds the image\n'), []);
  assert.deepEqual(await header(`  description: ${'d'.repeat(257)}\n`), ['header:spec config description is too long (maximum is 256 characters)']);
  assert.deepEqual(await header('  description: [a]\n'), ['header:spec config description should be a string']);
});

test('trigger:include items are the same Entry::Include as top-level includes: rules, integrity and cache are keys of theirs', async () => {
  assert.deepEqual(await messages('t:\n  trigger:\n    include:\n      - local: child.yml\n        rules: [{if: $X}]\n      - remote: https://example.com/c.yml\n        integrity: sha256-abc\n        cache: true\n'), []);
  assert.deepEqual(await messages('t:\n  trigger:\n    include:\n      - local: child.yml\n        when: always\n'), ['jobs:t:trigger:include config contains unknown keys: when']);
});
