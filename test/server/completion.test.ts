/**
 * Completion over the LSP protocol against the real server (dist/server.js), on examples/ (the
 * service repo consuming acme/ci-library) and on the xfenix/pycon2022 corpus library used by a
 * small consumer. Cases are data: an edit of the file with a `$0` cursor, and what must (not) be
 * offered there.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { CompletionItem } from 'vscode-languageserver-protocol/node';
import { at, byLabel, copyFixtures, docOf, labels, openWorkspace, SERVICE_SETTINGS, sorted, XFENIX_SETTINGS } from '../support/lsp-workspace.js';
import type { OpenFile } from '../support/lsp-workspace.js';

const XFENIX_CONSUMER = `include:
  - project: xfenix/pycon2022
    ref: master
    file:
      - group-vars.yml
      - jobs.yml
stages: [.pre, build, test, after-test, deploy, lint, .post]
variables:
  PROJECT_SLUG: shop
test-python:
  extends: .python-test-job
`;

let dir: string;
let service: OpenFile;
let xfenix: OpenFile;

before(async () => {
  dir = copyFixtures('gcp-completion-', XFENIX_CONSUMER);
  service = await openWorkspace(join(dir, 'service-repo'), '.gitlab-ci.yml', SERVICE_SETTINGS);
  xfenix = await openWorkspace(join(dir, 'consumer'), '.gitlab-ci.yml', XFENIX_SETTINGS);
});

after(async () => {
  await service?.client.close();
  await xfenix?.client.close();
});

/** Replace `search` in the workspace file by `replacement` (holding `$0`), send it, complete at the cursor. */
async function complete(ws: OpenFile, search: string, replacement: string, trigger?: string): Promise<CompletionItem[]> {
  assert.ok(ws.text.includes(search), `the fixture contains ${JSON.stringify(search)}`);
  const { text, position } = at(ws.text.replace(search, () => replacement));
  ws.client.change(ws.uri, text, ++ws.version);
  return ws.client.completion(ws.uri, position, trigger);
}

const insertText = (it: CompletionItem) => (it.textEdit && 'newText' in it.textEdit ? it.textEdit.newText : it.insertText ?? it.label);

interface Case {
  name: string;
  ws: () => OpenFile;
  search: string;
  replacement: string;
  trigger?: string;
  offers: string[];
  omits?: string[];
  /** These labels are required variables, and every required one sorts before every optional one. */
  requiredFirst?: string[];
  /** Offered in this order (relative order of these labels). */
  ordered?: string[];
  check?: (items: CompletionItem[]) => void;
}

const CASES: Case[] = [
  {
    name: "top-level variables: the included presets' variables, required first, not those already set",
    ws: () => service,
    search: '  LINT_PATHS: orders_api tests\n',
    replacement: '  LINT_PATHS: orders_api tests\n  $0\n',
    offers: ['HELM_CHART', 'REQUIREMENTS_FILE', 'HELM_TIMEOUT'],
    omits: ['SERVICE_NAME', 'PYTHON_VERSION', 'LINT_PATHS', 'CI_COMMIT_SHA'],
    requiredFirst: ['HELM_CHART'],
    check: (items) => {
      assert.equal(labels(sorted(items))[0], 'HELM_CHART', 'the one required variable set nowhere comes first');
      const helm = byLabel(items, 'HELM_CHART');
      assert.match(helm.detail ?? '', /required/);
      assert.match(helm.detail ?? '', /read by/);
      assert.match(docOf(helm), /path of the service's chart/);
      assert.match(insertText(helm), /^HELM_CHART: /);
      const timeout = byLabel(items, 'HELM_TIMEOUT');
      assert.match(insertText(timeout), /\$\{1\|5m,10m,20m\|\}/, 'options become a choice');
    },
  },
  {
    name: "a job's variables: what its template chain reads, not what the block sets",
    ws: () => service,
    search: '    PYTEST_ARGS: -q tests/contract\n',
    replacement: '    PYTEST_ARGS: -q tests/contract\n    $0\n',
    offers: ['COVERAGE_SOURCE', 'REQUIREMENTS_FILE'],
    omits: ['PYTEST_ARGS', 'HELM_CHART', 'DOCKER_IMAGE_NAME'],
  },
  {
    name: '$ in a script: variables in scope of the job and predefined ones',
    ws: () => service,
    search: '    - diff -u openapi.json openapi.generated.json\n',
    replacement: '    - echo $CI_COMMIT_S$0\n',
    trigger: '$',
    offers: ['CI_COMMIT_SHA', 'SERVICE_NAME', 'PIP_INDEX_URL', 'HELM_TIMEOUT'],
    check: (items) => {
      const sha = byLabel(items, 'CI_COMMIT_SHA');
      assert.ok(docOf(sha).length > 10, 'predefined variables carry their description');
      const edit = sha.textEdit && 'range' in sha.textEdit ? sha.textEdit.range : undefined;
      assert.ok(edit && edit.end.character - edit.start.character === 'CI_COMMIT_S'.length, 'replaces the typed name');
      assert.match(byLabel(items, 'PIP_INDEX_URL').detail ?? '', /included file/);
    },
  },
  {
    name: '${ in a value: the name and the closing brace',
    ws: () => service,
    search: '  stage: test\n  before_script:',
    replacement: '  stage: test\n  image: python:${PY$0\n  before_script:',
    trigger: '{',
    offers: ['PYTHON_VERSION'],
    check: (items) => assert.equal(insertText(byLabel(items, 'PYTHON_VERSION')), 'PYTHON_VERSION}'),
  },
  {
    name: "extends: the library's templates first, with their doc comment, never the job itself",
    ws: () => service,
    search: 'extends: .python-test-job',
    replacement: 'extends: .py$0',
    offers: ['.python-test-job', '.python-base-job', '.helm-deploy-job', 'python-lint'],
    omits: ['contract-tests', 'variables', 'stages'],
    check: (items) => {
      const order = sorted(items).map((i) => i.label);
      const firstVisible = order.findIndex((l) => !l.startsWith('.'));
      assert.ok(firstVisible > 0 && order.slice(firstVisible).every((l) => !l.startsWith('.')), `templates first: ${order.join(', ')}`);
      const it = byLabel(items, '.python-test-job');
      assert.match(docOf(it), /Runs the pytest suite/);
      assert.match(it.detail ?? '', /acme\/ci-library@v1\.2\.0 · common\/jobs\.yml/);
    },
  },
  {
    name: '!reference [ while the line does not parse yet: jobs and hidden keys',
    ws: () => service,
    search: '    - !reference [.python-test-job, before_script]',
    replacement: '    - !reference [$0',
    trigger: '[',
    offers: ['.python-test-job', '.check-rules', 'contract-tests'],
    omits: ['variables', 'stages', 'include'],
  },
  {
    name: '!reference key path: the keys of the merged job',
    ws: () => service,
    search: '    - !reference [.python-test-job, before_script]',
    replacement: '    - !reference [.python-test-job, $0]',
    offers: ['before_script', 'script', 'image', 'cache', 'artifacts'],
    omits: ['.python-test-job', 'extends-not-a-key'],
  },
  {
    name: 'needs: real jobs only, not those listed already, not the job itself',
    ws: () => service,
    search: '  needs:\n    - python-lint\n',
    replacement: '  needs:\n    - python-lint\n    - $0\n',
    trigger: ' ',
    offers: ['python-test', 'docs-build', 'deploy-staging'],
    omits: ['python-lint', 'contract-tests', '.python-test-job'],
  },
  {
    name: 'stage: the declared stages in pipeline order',
    ws: () => service,
    search: '  stage: test\n  before_script:',
    replacement: '  stage: $0\n  before_script:',
    offers: ['.pre', 'build', 'test', 'publish', 'deploy', 'verify', '.post'],
    ordered: ['.pre', 'build', 'test', 'publish', 'deploy', 'verify', '.post'],
  },
  {
    name: 'include file: the YAML files of the project, not those listed already',
    ws: () => service,
    search: '      - cd/helm.yml\n',
    replacement: '      - cd/helm.yml\n      - $0\n',
    offers: ['ci/python.yml', 'group-vars.yml', 'common/jobs.yml'],
    omits: ['cd/helm.yml', 'ci/python-postgres.yml', 'README.md'],
  },
  {
    name: 'include local: the YAML files of the workspace, not the document',
    ws: () => service,
    search: '  - local: .gitlab/ci/extra.yml',
    replacement: '  - local: $0',
    offers: ['/.gitlab/ci/extra.yml'],
    omits: ['/.gitlab-ci.yml'],
  },
  {
    name: "include inputs: the spec:inputs of ci/docker.yml the entry does not give yet",
    ws: () => service,
    search: '        - linux/arm64\n',
    replacement: '        - linux/arm64\n      $0\n',
    offers: ['stage'],
    omits: ['image-name', 'push', 'platforms'],
    check: (items) => {
      const it = byLabel(items, 'stage');
      assert.match(it.detail ?? '', /string · default build/);
      assert.match(docOf(it), /Stage of the docker-build jobs/);
    },
  },
  {
    name: 'an include input value: its options',
    ws: () => service,
    search: '        - linux/arm64\n',
    replacement: '        - linux/arm64\n      stage: $0\n',
    trigger: ' ',
    offers: ['build', 'test'],
    ordered: ['build', 'test'],
  },
  {
    name: 'a variable value: the options of the rich variable',
    ws: () => service,
    search: '    PYTEST_ARGS: -q tests/contract\n',
    replacement: '    PYTEST_ARGS: -q tests/contract\n    PYTHON_VERSION: $0\n',
    offers: ['3.11', '3.12', '3.13'],
  },
  {
    name: 'job keywords with docs, not those the job has',
    ws: () => service,
    search: '  needs: []\n',
    replacement: '  needs: []\n  $0\n',
    offers: ['artifacts', 'rules', 'when', 'allow_failure'],
    omits: ['script', 'stage', 'needs', 'before_script', 'workflow'],
    check: (items) => assert.match(docOf(byLabel(items, 'when')), /on_success/),
  },
  {
    name: 'a keyword value: when',
    ws: () => service,
    search: '  needs: []\n',
    replacement: '  needs: []\n  when: $0\n',
    trigger: ' ',
    // GitLab's Entry::Job ALLOWED_WHEN: `never` only in rules.
    offers: ['on_success', 'manual', 'always', 'delayed'],
    omits: ['never'],
  },
  {
    name: 'nothing in a comment',
    ws: () => service,
    search: '# Contract tests against',
    replacement: '# Contract $0tests against',
    offers: [],
    check: (items) => assert.deepEqual(items, []),
  },
  {
    name: 'xfenix consumer: the variables jobs.yml expects, required ones first',
    ws: () => xfenix,
    search: '  PROJECT_SLUG: shop\n',
    replacement: '  PROJECT_SLUG: shop\n  $0\n',
    offers: ['DOCKER_REGISTRY_USER', 'DOCKER_REGISTRY_PASSWORD', 'JUNIT_FILE_NAME', 'TOOLSET_FOLDER_NAME', 'SONAR_HOST_URL'],
    omits: ['PROJECT_SLUG'],
    requiredFirst: ['DOCKER_REGISTRY_USER', 'DOCKER_REGISTRY_PASSWORD', 'JUNIT_FILE_NAME'],
    check: (items) => assert.match(byLabel(items, 'DOCKER_REGISTRY_USER').detail ?? '', /required · read by/),
  },
  {
    name: "xfenix consumer: extends lists the library's templates",
    ws: () => xfenix,
    search: '  extends: .python-test-job\n',
    replacement: '  extends: $0\n',
    trigger: ' ',
    offers: ['.python-test-job', '.lint-python', '.default-job', '.vars-check-job', '.pypi-build-with-poetry'],
    omits: ['test-python'],
    check: (items) => {
      const it = byLabel(items, '.python-test-job');
      assert.match(docOf(it), /Generic template of test job/);
      assert.match(it.detail ?? '', /xfenix\/pycon2022@master · jobs\.yml/);
    },
  },
  {
    name: 'xfenix consumer: $ offers predefined variables and the library\'s variables',
    ws: () => xfenix,
    search: '  extends: .python-test-job\n',
    replacement: '  extends: .python-test-job\n  script:\n    - echo $$0\n',
    trigger: '$',
    offers: ['CI_PROJECT_NAME', 'CI_COMMIT_REF_SLUG', 'TOOLSET_PATH', 'SONAR_HOST_URL', 'PROJECT_SLUG'],
    check: (items) => {
      assert.ok(items.length > 150, `every predefined variable is offered (${items.length})`);
      assert.equal(byLabel(items, 'CI_PROJECT_NAME').kind, 21 /* Constant */);
    },
  },
];

for (const c of CASES) {
  test(`completion: ${c.name}`, async () => {
    const ws = c.ws();
    const items = await complete(ws, c.search, c.replacement, c.trigger);
    const got = labels(items);
    for (const l of c.offers) assert.ok(got.includes(l), `${l} is offered; got ${got.slice(0, 60).join(', ')}`);
    for (const l of c.omits ?? []) assert.ok(!got.includes(l), `${l} is not offered`);
    if (c.requiredFirst) {
      const order = sorted(items);
      const isRequired = (i: CompletionItem) => /^required/.test(i.detail ?? '');
      const firstOptional = order.findIndex((i) => !isRequired(i));
      assert.ok(firstOptional > 0, 'some required variables come first');
      assert.ok(order.slice(firstOptional).every((i) => !isRequired(i)), `required before optional: ${labels(order).join(', ')}`);
      for (const l of c.requiredFirst) assert.ok(isRequired(byLabel(items, l)), `${l} is required`);
    }
    if (c.ordered) {
      const order = labels(sorted(items)).filter((l) => c.ordered!.includes(l));
      assert.deepEqual(order, c.ordered);
    }
    c.check?.(items);
  });
}

test('completion: keyword items are left to the Red Hat YAML extension when the client says it is active', async () => {
  const folder = join(dir, 'service-repo');
  const settings = { localProjects: { 'acme/ci-library@v1.2.0': '../ci-library' } };
  const marked = service.text.replace('  needs: []\n', '  needs: []\n  $0\n');
  const vars = service.text.replace('  LINT_PATHS: orders_api tests\n', '  LINT_PATHS: orders_api tests\n  $0\n');
  const run = async (extra: Record<string, unknown>, s: Record<string, unknown>) => {
    const ws = await openWorkspace(folder, '.gitlab-ci.yml', s, extra);
    try {
      const k = at(marked);
      ws.client.change(ws.uri, k.text, 2);
      const keywords = labels(await ws.client.completion(ws.uri, k.position));
      const v = at(vars);
      ws.client.change(ws.uri, v.text, 3);
      const variables = labels(await ws.client.completion(ws.uri, v.position));
      return { keywords, variables };
    } finally {
      await ws.client.close();
    }
  };
  const redhat = await run({ redhatYamlActive: true }, settings);
  assert.ok(!redhat.keywords.includes('artifacts'), 'no keyword items next to the Red Hat extension');
  assert.ok(redhat.variables.includes('HELM_CHART'), 'preset variables are still offered');
  const always = await run({ redhatYamlActive: true }, { ...settings, completion: { keywords: 'always' } });
  assert.ok(always.keywords.includes('artifacts'), '"always" offers them anyway');
  const never = await run({}, { ...settings, completion: { keywords: 'never' } });
  assert.ok(!never.keywords.includes('artifacts'), '"never" offers none');
});
