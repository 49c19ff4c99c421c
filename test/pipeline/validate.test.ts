/**
 * The validation stage (pipeline/validate/) through the engine API: what GitLab rejects, where the
 * finding sits (also through extends from another file), the data quick-fixes read, and a
 * configuration using every keyword correctly that must stay free of errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateJob } from '../../server/src/pipeline/validate/index.js';
import { parseDuration } from '../../server/src/pipeline/validate/duration.js';
import { expandFiles, spanText } from '../support/engine.js';
import { parseYaml, parseYamlReusing } from '../../server/src/pipeline/yaml/parse.js';

const errors = async (yaml: string, files: Record<string, string> = {}) =>
  (await expandFiles({ '.gitlab-ci.yml': yaml, ...files })).diagnostics.filter((d) => d.severity === 'error');

test('a configuration using the keywords correctly has no error', async () => {
  const yaml = `
stages: [build, test, deploy]
variables:
  DEPLOY: {value: staging, options: [staging, production], description: where}
  RAW: {value: "$X", expand: false}
  EMPTY: null
workflow:
  name: "pipeline $CI_COMMIT_REF_NAME"
  auto_cancel: {on_new_commit: interruptible, on_job_failure: all}
  rules:
    - if: $CI_COMMIT_BRANCH
      auto_cancel: {on_new_commit: none}
    - when: never
default:
  image: {name: ruby:3.3, entrypoint: [""], pull_policy: [always, if-not-present], docker: {platform: arm64}}
  services: [postgres:16, {name: redis, alias: cache, command: [redis-server], variables: {A: b}}]
  retry: {max: 2, when: [runner_system_failure], exit_codes: [137]}
  timeout: 1h 30m
  tags: [docker]
  interruptible: true
  hooks: {pre_get_sources_script: [echo hi]}
  id_tokens: {VAULT_TOKEN: {aud: https://vault.example.com}}
  cache: [{key: {files: [Gemfile.lock], prefix: gems}, paths: [vendor], policy: pull-push, when: on_success, fallback_keys: [main-gems], unprotect: false}]
build:
  stage: build
  script: make
  artifacts: {paths: [out/], expire_in: 2 weeks, when: always, expose_as: Build output, reports: {junit: report.xml, coverage_report: {coverage_format: cobertura, path: cov.xml}}}
  parallel: {matrix: [{OS: [linux, mac], ARCH: amd64}]}
  coverage: '/^TOTAL.+?(\\d+\\%)$/'
  allow_failure: {exit_codes: [3, 4]}
  rules:
    - if: '$CI_COMMIT_TAG =~ /^v\\d+/'
      when: delayed
      start_in: 10 minutes
    - changes: {paths: [src/**/*], compare_to: refs/heads/main}
      allow_failure: true
    - exists: [Makefile]
      variables: {FAST: "1"}
test:
  needs: [{job: build, artifacts: false, optional: true}]
  dependencies: [build]
  script: [[make, test]]
  when: manual
  inherit: {default: [image, tags], variables: false}
  only: {refs: [main, /^release-.*$/], variables: [$RUN]}
deploy:
  stage: deploy
  script: deploy
  when: delayed
  start_in: 1 day
  environment: {name: review/$CI_COMMIT_REF_SLUG, url: https://example.com, on_stop: stop, auto_stop_in: 1 week, deployment_tier: staging, action: start}
  resource_group: production
  release: {tag_name: v1, description: notes, ref: main, milestones: m1, assets: {links: [{name: bin, url: https://example.com/bin}]}}
  secrets: {DB: {vault: db/password@ops, file: false}}
stop:
  stage: deploy
  script: stop
  when: manual
  environment: {name: review/$CI_COMMIT_REF_SLUG, action: stop}
pages:
  stage: deploy
  script: build-site
  pages: {path_prefix: docs, expire_in: 1 week}
  publish: site
child:
  stage: deploy
  trigger: {include: [{local: child.yml}], strategy: depend, forward: {pipeline_variables: true}}
  needs: [build]
`;
  assert.deepEqual((await errors(yaml, { 'child.yml': 'x:\n  script: x\n' })).map((d) => d.message), []);
});

test('unknown key: on the key, with the entry\'s allowed keys for the quick-fix', async () => {
  const p = await expandFiles({ '.gitlab-ci.yml': 'build:\n  scirpt: make\n  script: make\n  artifacts:\n    pths: [a]\n' });
  const d = p.diagnostics.filter((x) => x.code === 'unknown-keys');
  assert.deepEqual(d.map((x) => [x.message, spanText(p, x.span)]), [
    ['jobs:build config contains unknown keys: scirpt', 'scirpt'],
    ['jobs:build:artifacts config contains unknown keys: pths', 'pths'],
  ]);
  assert.equal(d[0].data?.kind, 'unknown-keys');
  assert.ok((d[0].data?.allowed as string[]).includes('script'));
  assert.ok((d[1].data?.allowed as string[]).includes('paths'));
});

test('a bad value a template writes: at the template\'s line, and on the consumer\'s job with the chain', async () => {
  const lib = '.deploy:\n  environment:\n    name: prod\n    action: deploy-it\n';
  const p = await expandFiles({ '.gitlab-ci.yml': 'include: lib.yml\nship:\n  extends: .deploy\n  script: ship\n', 'lib.yml': lib });
  const d = p.diagnostics.filter((x) => x.code === 'invalid-value');
  assert.equal(d.length, 2);
  assert.ok(d[0].span.uri.endsWith('lib.yml'));
  assert.equal(spanText(p, d[0].span), 'deploy-it');
  assert.deepEqual(d[0].data, { kind: 'invalid-value', entry: 'environment', keyword: 'action', value: 'deploy-it', allowed: ['start', 'prepare', 'stop', 'verify', 'access'] });
  assert.ok(d[1].span.uri.endsWith('.gitlab-ci.yml'));
  assert.equal(spanText(p, d[1].span), 'ship');
  assert.match(d[1].message, /inherited by ship/);
  assert.ok(d[1].related?.some((r) => r.span.uri.endsWith('lib.yml') && spanText(p, r.span) === 'deploy-it'));
  assert.ok(d[1].related?.some((r) => /extends/.test(r.message)));
});

test('a key written twice in one mapping: a warning, the later one wins as in GitLab', async () => {
  const p = await expandFiles({ '.gitlab-ci.yml': 'deploy:\n  script: x\n  environment: {name: prod}\n  environment: {url: https://x}\n' });
  const dup = p.diagnostics.find((x) => x.code === 'yaml-duplicate-key');
  assert.ok(dup);
  assert.equal(dup.severity, 'warning');
  assert.match(dup.message, /later `environment:` wins, as in GitLab/);
  assert.equal(spanText(p, dup.span), 'environment');
  assert.ok(p.diagnostics.some((x) => x.message === 'jobs:deploy:environment name can\'t be blank'));
});

test('if: GitLab cannot parse: the finding sits on the bad token', async () => {
  const text = 'j:\n  script: x\n  rules:\n    - if: $A == "x" && ( $B\n';
  const p = await expandFiles({ '.gitlab-ci.yml': text });
  const d = p.diagnostics.find((x) => x.code === 'expression-invalid');
  assert.ok(d, JSON.stringify(p.diagnostics));
  assert.match(d.message, /^jobs:j:rules:rule if invalid expression syntax/);
  assert.ok(d.span.start > text.indexOf('$A'), 'not at the start of the expression');
  const workflow = await errors('workflow:\n  rules:\n    - if: $A = "b"\nj:\n  script: x\n');
  assert.match(workflow[0].message, /^workflow:rules:rule if invalid expression syntax/);
});

test('start_in without when: delayed, rules with only: the data quick-fixes read', async () => {
  const p = await expandFiles({ '.gitlab-ci.yml': 'a:\n  script: x\n  when: manual\n  start_in: 1 hour\nb:\n  script: x\n  rules: [{when: always}]\n  except: [main]\n' });
  const s = p.diagnostics.find((x) => x.code === 'start-in-without-delayed')!;
  assert.equal(spanText(p, s.span), 'start_in');
  assert.deepEqual(s.data, { kind: 'start-in-without-delayed', when: 'manual' });
  const r = p.diagnostics.find((x) => x.code === 'rules-with-only-except')!;
  assert.match(r.message, /^jobs:b config key may not be used with `rules`: except — keep `rules:`/);
  assert.deepEqual(r.data, { kind: 'rules-with-only-except', keys: ['except'], keep: 'rules' });
});

test('limits: caches, cache key files, fallback keys, needs, retry, parallel, start_in, names', async () => {
  const cases: [string, RegExp][] = [
    ['cache: [{paths: [a]}, {paths: [b]}, {paths: [c]}, {paths: [d]}, {paths: [e]}]', /cache config no more than 4 caches can be created/],
    ['cache: {key: {files: [a, b, c]}}', /cache:key:files config has too many items \(maximum is 2\)/],
    ['cache: {key: k, fallback_keys: [a, b, c, d, e, f]}', /cache fallback keys has to many entries/],
    ['cache: {policy: only-once}', /cache policy should be a variable or one of: pull-push, push, pull/],
    ['retry: 3', /^retry config must be less than or equal to 2/],
    ['retry: {when: script_failed}', /^retry when is not included in the list/],
    ['parallel: 201', /parallel config must be less than or equal to 200/],
    ['parallel: 0', /parallel config must be greater than or equal to 1/],
    ['when: delayed\n  start_in: 8 days', /start in should not exceed the limit/],
    ['artifacts: {expire_in: sometime soon}', /artifacts expire in should be a duration/],
    ['environment: "/prod"', /environment name can contain only/],
    ['interruptible: "yes please"', /interruptible config should be a boolean value/],
    ['tags: [a, 1]', /tags config should be an array of strings/],
    ['image: {entrypoint: [sh]}', /image name can't be blank/],
    ['variables: {A: {value: x, description: d}}', /variables:A config uses invalid data keys: description/],
    ['coverage: "TOTAL (\\\\d+)"', /coverage config must be a regular expression with re2 syntax/],
    ['when: never', /when should be one of: on_success, on_failure, always, manual, delayed/],
  ];
  for (const [extra, want] of cases) {
    const found = await errors(`j:\n  script: x\n  ${extra}\n`);
    assert.ok(found.some((d) => want.test(d.message)), `${extra}: want ${want}, got ${JSON.stringify(found.map((d) => d.message))}`);
  }
  const needs = Array.from({ length: 51 }, (_, i) => `n${i}`);
  const many = `${needs.map((n) => `${n}:\n  stage: build\n  script: x\n`).join('')}j:\n  script: x\n  needs: [${needs.join(', ')}]\n`;
  assert.ok((await errors(many)).some((d) => /one job can only need 50 others, but you have listed 51/.test(d.message)));
});

test('variables: options must hold the value; root keys; default and top-level', async () => {
  const found = await errors('variables:\n  E: {value: dev, options: [staging, prod]}\nimage: a\ndefault:\n  image: b\n  variables: {}\nj:\n  script: x\n');
  const msgs = found.map((d) => d.message);
  assert.ok(msgs.includes('variables:E config value must be present in options'), msgs.join('\n'));
  assert.ok(msgs.includes('image is defined in top-level and `default:` entry'));
  assert.ok(msgs.includes('default config contains unknown keys: variables'));
});

test('cross-job: on_stop must name a job that stops the environment; dependencies must be in needs', async () => {
  const msgs = (await errors('a:\n  script: x\n  environment: {name: e, on_stop: b}\nb:\n  script: x\n  environment: {name: e}\nc:\n  script: x\n  needs: [a]\n  dependencies: [b]\n')).map((d) => d.message);
  assert.ok(msgs.includes('a job: on_stop job b needs to have action stop defined'), msgs.join('\n'));
  assert.ok(msgs.includes('jobs:c dependencies the b should be part of needs'), msgs.join('\n'));
});

test('validateJob checks one merged job on its own (for per-job caching)', async () => {
  const p = await expandFiles({ '.gitlab-ci.yml': 'a:\n  script: x\n  retry: 5\nb:\n  script: x\n' });
  const a = p.jobs.get('a')!;
  const own = validateJob({ name: 'a', node: a.node, keySpan: p.merged.keySpans.get('a') });
  assert.deepEqual(own.map((d) => d.message), ['retry config must be less than or equal to 2']);
  assert.deepEqual(validateJob({ name: 'b', node: p.jobs.get('b')!.node }), []);
});

test('durations as GitLab parses them', () => {
  assert.equal(parseDuration('1 week'), 604800);
  assert.equal(parseDuration('2 hrs 30 mins'), 9000);
  assert.equal(parseDuration('1h30m'), 5400);
  assert.equal(parseDuration('3 days and 4 hours'), 273600);
  assert.equal(parseDuration('3600'), 3600);
  assert.equal(parseDuration('1:30'), 90);
  assert.equal(parseDuration('forever and ever'), undefined);
  assert.equal(parseDuration(''), undefined);
});

test('only/except: a list or a hash, not a lone string; coverage may carry flags; a cache key of dots', async () => {
  assert.ok((await errors('j:\n  script: x\n  only: main\n')).some((d) => d.message === 'jobs:j:only has to be either an array of conditions or a hash'));
  assert.deepEqual(await errors('j:\n  script: x\n  coverage: "/total: (\\\\d+)%/i"\n'), []);
  assert.ok((await errors('j:\n  script: x\n  cache: {key: ".%2e"}\n')).some((d) => /cache:key config cannot be "\." or "\.\."/.test(d.message)));
});

test('dependencies may name a parallel:matrix instance, as after GitLab expands the matrix', async () => {
  const yaml = 'build:\n  stage: build\n  script: x\n  parallel: {matrix: [{OS: [linux, mac]}]}\ntest:\n  script: x\n  dependencies: ["build: [linux]"]\n';
  assert.deepEqual((await errors(yaml)).map((d) => d.message), []);
  assert.ok((await errors(yaml.replace('build: [linux]', 'nobuild'))).some((d) => d.message === 'test job: undefined dependency: nobuild'));
});

test('a job whose key YAML types as a number, boolean or null is rejected: GitLab symbolizes string keys only', async () => {
  const job = '  script: test\n';
  for (const [key, name] of [['10', '10'], ['0x1f', '31'], ['1.5', '1.5'], ['yes', 'true']] as const) {
    const p = await expandFiles({ '.gitlab-ci.yml': `ok:\n${job}${key}:\n${job}` });
    const found = p.diagnostics.filter((d) => d.code === 'job-name-invalid');
    assert.deepEqual(found.map((d) => d.message), [`jobs:${name} name should be a symbol`], key);
    assert.equal(spanText(p, found[0].span), key);
  }
  // Quoted, or a string by YAML 1.1 (`y`, `1_0x`): a symbol, accepted.
  for (const key of ['"10"', "'true'", 'y', 'v10', '10a']) {
    const p = await expandFiles({ '.gitlab-ci.yml': `${key}:\n${job}` });
    assert.deepEqual(p.diagnostics.filter((d) => d.severity === 'error'), [], key);
  }
  // From an included file: on that file's key; a number nested below the top level is a plain key.
  const inc = await expandFiles({ '.gitlab-ci.yml': `include: lib.yml\nok:\n${job}  variables: {1: a}\n`, 'lib.yml': `.t: {}\n42:\n${job}` });
  const f = inc.diagnostics.filter((d) => d.code === 'job-name-invalid');
  assert.deepEqual(f.map((d) => [d.message, d.span.uri.endsWith('lib.yml')]), [['jobs:42 name should be a symbol', true]]);
});

test('top-level keys typed as non-strings are known the same way when a file is parsed in blocks', () => {
  const text = `a:\n  script: x\n10:\n  script: x\ntrue:\n  script: x\n"11":\n  script: x\n`;
  const whole = parseYaml('file:///c.yml', text).content;
  const blocks = parseYamlReusing('file:///c.yml', text).parsed.content;
  assert.deepEqual(whole.kind === 'map' && [...(whole.typedKeys ?? [])], ['10', 'true']);
  assert.deepEqual(blocks.kind === 'map' && [...(blocks.typedKeys ?? [])], ['10', 'true']);
});

test("a YAML syntax error libyaml names for certain leads with GitLab's words", async () => {
  const msgs = async (yaml: string) => (await expandFiles({ '.gitlab-ci.yml': yaml })).diagnostics.filter((d) => d.code === 'yaml-syntax').map((d) => d.message);
  assert.match((await msgs('rspec:\n  script: echo: test: fail\n'))[0], /^mapping values are not allowed in this context \(Nested mappings/);
  assert.match((await msgs('rspec:\n  script: "echo\n'))[0], /^found unexpected end of stream while scanning a quoted scalar \(/);
  // One libyaml words otherwise: the yaml package's own message.
  assert.match((await msgs('a:\n  b: 1\n c: 2\n'))[0], /^All mapping items must start at the same column/);
});

test('stages must be a list; a trigger with include: is a child pipeline (no project or branch), one without is multi-project (no include)', async () => {
  const msgs = async (yaml: string) => (await errors(yaml)).map((d) => d.message);
  assert.deepEqual(await msgs('stages: build\nj:\n  script: x\n'), ['stages config should be an array of strings or a nested array of strings up to 10 levels deep']);
  assert.deepEqual(await msgs('stages: [build, [test, deploy]]\nj:\n  script: x\n  stage: deploy\n'), []);
  assert.deepEqual(await msgs('t:\n  trigger:\n    include: child.yml\n    branch: main\n'), ['jobs:t:trigger config contains unknown keys: branch']);
  assert.deepEqual(await msgs('t:\n  trigger:\n    include: child.yml\n    project: a/b\n'), ['jobs:t:trigger config contains unknown keys: project']);
  assert.deepEqual(await msgs('t:\n  trigger:\n    project: a/b\n    include: child.yml\n'), ['jobs:t:trigger config contains unknown keys: project']);
  assert.deepEqual(await msgs('t:\n  trigger:\n    project: a/b\n    branch: main\n    strategy: depend\n'), []);
  assert.deepEqual(await msgs('t:\n  trigger:\n    include: child.yml\n    strategy: depend\n    forward: {yaml_variables: false}\n'), []);
});
