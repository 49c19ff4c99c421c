import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExpandedPipeline } from '../../server/src/pipeline/merge/expand.js';
import { parseYaml } from '../../server/src/pipeline/yaml/parse.js';
import { fromClientUri, isEditable, toClientUri } from '../../server/src/features/shared/client-uris.js';
import { definitionTargets, jobOccurrences, occurrenceAt, referenceTokens, variableOccurrences } from '../../server/src/features/shared/symbol-index.js';
import { expandFiles, spanText } from '../support/engine.js';

/** A pipeline whose library comes from a project (URIs `gitlab-ci-project:///...`). */
const FILES: Record<string, string> = {
  '.gitlab-ci.yml': `include:
  - project: acme/lib
    ref: v1
    file: [templates.yml]
  - project: acme/lib
    ref: v1
    file: "docker.yml"
    inputs:
      stage: build
  - local: local.yml
variables:
  GLOBAL: g
  SHARED: root
stages: [build, test]
build-app:
  extends: [.base, ".lint"]
  stage: build
  variables:
    OWN: o
  script:
    - echo $OWN \${SHARED} \${GLOBAL:-x} $INHERITED
    - !reference [.base, script]
  needs:
    - job: local-job
  dependencies: [local-job]
test-app:
  stage: test
  script: [echo]
  needs:
    - "local-job"
`,
  'project:acme/lib@v1:/templates.yml': `variables:
  SHARED: lib
.base:
  variables:
    INHERITED: i
  script:
    - echo base
.lint:
  image: x
`,
  'project:acme/lib@v1:/docker.yml': `spec:
  inputs:
    stage:
      default: test
---
docker:
  stage: $[[ inputs.stage ]]
  script: [echo]
`,
  'local.yml': `local-job:
  stage: build
  script:
    - !reference
      - .base
      - script
`,
};

const ROOT = 'gitlab-ci-root:///.gitlab-ci.yml';
const LIB = 'gitlab-ci-project:///acme/lib/-/v1/templates.yml';
const DOCKER = 'gitlab-ci-project:///acme/lib/-/v1/docker.yml';
const LOCAL = 'gitlab-ci-root:///local.yml';

let pipeline: ExpandedPipeline;
before(async () => {
  pipeline = await expandFiles(FILES);
  assert.deepEqual(pipeline.diagnostics.filter((d) => d.severity === 'error'), []);
});

/** The cursor is at `‸` inside `at`, a snippet of file `in`; `is` describes the occurrence; `goes` the definition (uri, text there). */
const cases: { in: string; at: string; is: string; goes: [string, string][] }[] = [
  { in: ROOT, at: 'extends: [.ba‸se', is: 'job extends .base', goes: [[LIB, '.base']] },
  { in: ROOT, at: '".li‸nt"', is: 'job extends .lint', goes: [[LIB, '.lint']] },
  { in: ROOT, at: '[.base, scr‸ipt]', is: 'reference-key .base.script', goes: [[LIB, 'script']] },
  { in: ROOT, at: '[.ba‸se, script]', is: 'job reference .base', goes: [[LIB, '.base']] },
  { in: ROOT, at: 'job: local‸-job', is: 'job needs local-job', goes: [[LOCAL, 'local-job']] },
  { in: ROOT, at: '"local‸-job"', is: 'job needs local-job', goes: [[LOCAL, 'local-job']] },
  { in: ROOT, at: '[local‸-job]', is: 'job dependencies local-job', goes: [[LOCAL, 'local-job']] },
  { in: ROOT, at: 'build-a‸pp:', is: 'job definition build-app', goes: [[ROOT, 'build-app']] },
  { in: ROOT, at: 'stage: bu‸ild\n  variables', is: 'stage use build', goes: [[ROOT, 'build']] },
  { in: ROOT, at: '[bu‸ild, test]', is: 'stage definition build', goes: [] },
  { in: ROOT, at: '$OW‸N', is: 'variable read OWN', goes: [[ROOT, 'OWN']] },
  { in: ROOT, at: '${SHA‸RED}', is: 'variable read SHARED', goes: [[ROOT, 'SHARED']] },
  { in: ROOT, at: '${GLOB‸AL:-x}', is: 'variable read GLOBAL', goes: [[ROOT, 'GLOBAL']] },
  { in: ROOT, at: '$INHERI‸TED', is: 'variable read INHERITED', goes: [[LIB, 'INHERITED']] },
  { in: LIB, at: 'SHA‸RED: lib', is: 'variable definition SHARED', goes: [[ROOT, 'SHARED']] },
  { in: ROOT, at: '[templa‸tes.yml', is: 'include templates.yml', goes: [[LIB, '']] },
  { in: ROOT, at: '"dock‸er.yml"', is: 'include docker.yml', goes: [[DOCKER, '']] },
  { in: ROOT, at: 'project: ac‸me/lib', is: 'include acme/lib', goes: [[LIB, '']] },
  { in: ROOT, at: 'sta‸ge: build\n  -', is: 'include-input stage', goes: [[DOCKER, 'stage']] },
  { in: ROOT, at: 'local: loc‸al.yml', is: 'include local.yml', goes: [[LOCAL, '']] },
  { in: DOCKER, at: '$[[ inputs.sta‸ge ]]', is: 'input stage', goes: [[DOCKER, 'stage']] },
  { in: LOCAL, at: '- .ba‸se', is: 'job reference .base', goes: [[LIB, '.base']] },
  { in: LOCAL, at: '- scr‸ipt', is: 'reference-key .base.script', goes: [[LIB, 'script']] },
];

function describe(o: NonNullable<ReturnType<typeof occurrenceAt>>): string {
  switch (o.kind) {
    case 'job':
    case 'variable':
    case 'stage':
      return `${o.kind} ${o.role} ${o.name}`;
    case 'reference-key':
      return `${o.kind} ${o.path.join('.')}`;
    case 'include':
      return `include ${o.file ?? o.entry.location}`;
    case 'include-input':
    case 'input':
      return `${o.kind} ${o.name}`;
  }
}

for (const c of cases) {
  test(`${c.at.replace('‸', '|')} is ${c.is} and resolves to ${JSON.stringify(c.goes.map(([u, t]) => `${u.split('/').pop()}:${t}`))}`, () => {
    const file = pipeline.files.find((f) => f.uri === c.in)!;
    const plain = c.at.replace('‸', '');
    const start = file.parsed.text.indexOf(plain);
    assert.ok(start >= 0, `fixture holds ${plain}`);
    const occ = occurrenceAt(file.parsed, start + c.at.indexOf('‸'));
    assert.ok(occ, 'something is under the cursor');
    assert.equal(describe(occ), c.is);
    const targets = definitionTargets(pipeline, file, occ).map((t) => [t.span.uri, spanText(pipeline, t.span)]);
    assert.deepEqual(targets, c.goes);
  });
}

test('a job name is found wherever it is written: key, extends, !reference (flow and block)', () => {
  const found = jobOccurrences([pipeline], '.base').map((o) => `${o.role}@${o.span.uri.split('/').pop()}:${spanText(pipeline, o.span)}`);
  assert.deepEqual(found.sort(), ['definition@templates.yml:.base', 'extends@.gitlab-ci.yml:.base', 'reference@.gitlab-ci.yml:.base', 'reference@local.yml:.base'].sort());
  const needs = jobOccurrences([pipeline], 'local-job').map((o) => o.role);
  assert.deepEqual(needs.sort(), ['definition', 'dependencies', 'needs', 'needs']);
});

test('a variable is found at its definitions and its reads', () => {
  const found = variableOccurrences([pipeline], 'SHARED').map((o) => `${o.role}@${o.span.uri.split('/').pop()}`);
  assert.deepEqual(found.sort(), ['definition@.gitlab-ci.yml', 'definition@templates.yml', 'read@.gitlab-ci.yml']);
});

test('!reference elements are located in flow, block and quoted forms', () => {
  const cases: [string, string[]][] = [
    ['x: !reference [.a, "b c", \'d\'\'e\']', ['.a', 'b c', "d''e"]],
    ['x: !reference\n  - .a # first\n  - "script"\n', ['.a', 'script']],
    ['x: !reference [ .job-1 , script ]', ['.job-1', 'script']],
  ];
  for (const [text, tokens] of cases) {
    const parsed = parseYaml('u', text);
    const ref = parsed.content.kind === 'map' ? parsed.content.entries.get('x') : undefined;
    assert.equal(ref?.kind, 'ref', text);
    assert.deepEqual(referenceTokens(text, ref!.span!.start, ref!.span!.end).map(([s, e]) => text.slice(s, e)), tokens, text);
  }
});

test('files outside the workspace get a read-only URI that leads back to them', () => {
  const cases: [string, string][] = [
    [LIB, 'gitlab-ci-presets:/project/acme/lib/-/v1/templates.yml'],
    ['gitlab-ci-template:///Jobs/SAST.gitlab-ci.yml', 'gitlab-ci-presets:/template/Jobs/SAST.gitlab-ci.yml'],
    ['https://example.com/ci/shared%20file.yml?ref=1', 'gitlab-ci-presets:/remote/example.com/ci/shared%20file.yml'],
    ['gitlab-ci-root:///a b.yml', 'gitlab-ci-presets:/root/a%20b.yml'],
  ];
  for (const [uri, shown] of cases) {
    const client = toClientUri(uri);
    assert.equal(client.split('?')[0], shown);
    assert.ok(!isEditable(client));
    assert.equal(fromClientUri(client), uri);
    // VS Code decodes the query and encodes it its own way (':' escaped, '/' not): same file.
    const q = client.indexOf('?');
    assert.equal(fromClientUri(client.slice(0, q + 1) + encodeURI(uri).replace(/:/g, '%3A').replace(/\?/g, '%3F')), uri);
  }
  assert.equal(toClientUri('file:///w/.gitlab-ci.yml'), 'file:///w/.gitlab-ci.yml');
  assert.equal(fromClientUri('file:///w/.gitlab-ci.yml'), 'file:///w/.gitlab-ci.yml');
});
