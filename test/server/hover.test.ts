/**
 * Hover over the LSP protocol against the real server (dist/server.js), on examples/ and on the
 * xfenix/pycon2022 corpus library used by a small consumer. Cases are data: a `$0` cursor put
 * into the file and what the markdown must (not) say.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { at, copyFixtures, openWorkspace, SERVICE_SETTINGS, XFENIX_SETTINGS } from '../support/lsp-workspace.js';
import type { OpenFile } from '../support/lsp-workspace.js';

/** One-based line of the first line of `text` that starts with `prefix` (after the line starting with `after`, if given). */
function lineOf(text: string, prefix: string, after?: string): number {
  const lines = text.split('\n');
  const from = after === undefined ? 0 : lines.findIndex((l) => l.startsWith(after));
  const i = lines.findIndex((l, n) => n >= from && l.startsWith(prefix));
  assert.ok(from >= 0 && i >= 0, `${prefix} is in the file`);
  return i + 1;
}

const XFENIX_CONSUMER = `include:
  - project: xfenix/pycon2022
    ref: master
    file:
      - group-vars.yml
      - jobs.yml
stages: [.pre, build, test, after-test, deploy, lint, .post]
variables:
  PROJECT_SLUG: shop
  TOOLSET_FOLDER_NAME: toolset
test-python:
  extends: .python-test-job
  script:
    - ls $TOOLSET_FOLDER_NAME
`;

let dir: string;
let service: OpenFile;
let xfenix: OpenFile;

before(async () => {
  dir = copyFixtures('gcp-hover-', XFENIX_CONSUMER);
  service = await openWorkspace(join(dir, 'service-repo'), '.gitlab-ci.yml', SERVICE_SETTINGS);
  xfenix = await openWorkspace(join(dir, 'consumer'), '.gitlab-ci.yml', XFENIX_SETTINGS);
});

after(async () => {
  await service?.client.close();
  await xfenix?.client.close();
});

/** Hover at the `$0` put into the file in place of `search` → `replacement` (the text itself is sent unchanged otherwise). */
async function hoverAt(ws: OpenFile, search: string, replacement: string): Promise<{ markdown: string; hovered?: string }> {
  assert.ok(ws.text.includes(search), `the fixture contains ${JSON.stringify(search)}`);
  const { text, position } = at(ws.text.replace(search, () => replacement));
  if (text !== ws.text) {
    ws.text = text;
    ws.client.change(ws.uri, text, ++ws.version);
  }
  const h = await ws.client.hover(ws.uri, position);
  if (!h) return { markdown: '' };
  const markdown = typeof h.contents === 'string' ? h.contents : 'value' in h.contents ? h.contents.value : '';
  const lines = text.split('\n');
  const hovered = h.range && h.range.start.line === h.range.end.line ? lines[h.range.start.line].slice(h.range.start.character, h.range.end.character) : undefined;
  return { markdown, hovered };
}

const jobsYml = () => readFileSync(join(dir, 'ci-library', 'common', 'jobs.yml'), 'utf8');
const xfenixJobs = () => readFileSync(join(dir, 'pycon2022', 'jobs.yml'), 'utf8');

interface Case {
  name: string;
  ws: () => OpenFile;
  search: string;
  replacement: string;
  /** Every pattern must match the markdown. */
  says: (RegExp | (() => RegExp))[];
  not?: RegExp[];
  /** The hover range covers this text. */
  hovered?: string;
  check?: (markdown: string) => void;
}

const CASES: Case[] = [
  {
    name: 'a template job in extends: doc comment, origin, extends chain, contract, merged YAML',
    ws: () => service,
    search: 'extends: .python-test-job',
    replacement: 'extends: .python-te$0st-job',
    hovered: '.python-test-job',
    says: [
      /\*\*\.python-test-job\*\* — template job/,
      /Runs the pytest suite with coverage/,
      () => new RegExp(`acme/ci-library@v1\\.2\\.0 · common/jobs\\.yml:${lineOf(jobsYml(), '.python-test-job:')}\\]`),
      /project `acme\/ci-library`, ref `v1\.2\.0`/,
      /- `\.python-base-job`[^\n]*\n {2}- `\.default-job`/,
      /\*\*Required variables\*\*\n- `PYTHON_VERSION`[^\n]*\n- `SERVICE_NAME`/,
      /\*\*Optional variables\*\*[\s\S]*`PYTEST_ARGS`/,
      /```yaml\n\.python-test-job:\n[\s\S]*pytest \$\{PYTEST_ARGS/,
      /interruptible: true/,
    ],
    not: [/@required/, /^ {2}extends:/m],
  },
  {
    name: 'the first element of a !reference is the job',
    ws: () => service,
    search: '    - !reference [.python-test-job, before_script]',
    replacement: '    - !reference [.python$0-test-job, before_script]',
    hovered: '.python-test-job',
    says: [/template job/, /Runs the pytest suite/],
  },
  {
    name: 'a !reference key path shows the value it brings',
    ws: () => service,
    search: '    - !reference [.python-test-job, before_script]',
    replacement: '    - !reference [.python-test-job, before$0_script]',
    hovered: 'before_script',
    says: [/!reference \[\.python-test-job, before_script\]/, /- pip install --requirement/, () => new RegExp(`common/jobs\\.yml:${lineOf(jobsYml(), '  before_script:', '.python-base-job:')}\\]`)],
  },
  {
    name: "a job's variable: its value and the override chain, winner first",
    ws: () => service,
    search: '    PYTEST_ARGS: -q tests/contract',
    replacement: '    PYTEST$0_ARGS: -q tests/contract',
    hovered: 'PYTEST_ARGS',
    says: [
      /\*\*\$PYTEST_ARGS\*\* in job `contract-tests`/,
      /Value: `-q tests\/contract`/,
      /1\. `variables:` of job `contract-tests`: `-q tests\/contract`[^\n]*← wins/,
      /2\. global `variables:` of the root file: `-q --maxfail=3 --ignore=tests\/contract`/,
      /3\. global `variables:` of an included file: `-q --maxfail=5`[^\n]*ci\/python\.yml/,
      /Optional for this job/,
    ],
  },
  {
    name: 'a predefined variable read in a rule',
    ws: () => service,
    search: '    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n',
    replacement: '    - if: $CI_COMMIT_BR$0ANCH == $CI_DEFAULT_BRANCH\n',
    hovered: 'CI_COMMIT_BRANCH',
    says: [/\$CI_COMMIT_BRANCH/, /predefined by GitLab/, /[Bb]ranch/],
  },
  {
    name: 'an include: what it brings in',
    ws: () => service,
    search: '    file: ci/docker.yml',
    replacement: '    file: ci/dock$0er.yml',
    hovered: 'ci/docker.yml',
    says: [/include:project/, /Jobs \(2\): `docker-build`, `docker-publish`/, /Templates \([0-9]+\): [^\n]*`\.docker-build-job`/, /Inputs: `image-name` \(string, required\)/, /common\/jobs\.yml/],
  },
  {
    name: "an include's input: its spec",
    ws: () => service,
    search: '      image-name: $CI_REGISTRY_IMAGE/orders-api',
    replacement: '      image-na$0me: $CI_REGISTRY_IMAGE/orders-api',
    hovered: 'image-name',
    says: [/\*\*image-name\*\* — string input, required/, /Image repository without tag/, /ci\/docker\.yml/],
  },
  {
    name: 'a stage: its place and its jobs',
    ws: () => service,
    search: '  stage: test\n  before_script:',
    replacement: '  stage: te$0st\n  before_script:',
    hovered: 'test',
    says: [/\*\*stage test\*\* — 3 of 7/, /`openapi-diff`/, /`python-test`/],
  },
  {
    name: 'a keyword: its short doc',
    ws: () => service,
    search: '  needs:\n    - python-lint',
    replacement: '  nee$0ds:\n    - python-lint',
    hovered: 'needs',
    says: [/\*\*needs\*\* — GitLab CI keyword/, /waits for/, /\[GitLab docs\]\(https:\/\/docs\.gitlab\.com\/ci\/yaml\/#needs\)/],
  },
  {
    name: "a keyword's value: the keyword's doc and values",
    ws: () => service,
    search: '  needs: []\n',
    replacement: '  needs: []\n  when: man$0ual\n',
    hovered: 'manual',
    says: [/\*\*when\*\*/, /`on_success`/, /`delayed`/],
  },
  {
    name: 'xfenix: .python-test-job shows its comment and where it is in jobs.yml',
    ws: () => xfenix,
    search: '  extends: .python-test-job',
    replacement: '  extends: .python-test$0-job',
    hovered: '.python-test-job',
    says: [
      /Generic template of test job/,
      () => new RegExp(`xfenix/pycon2022@master · jobs\\.yml:${lineOf(xfenixJobs(), '.python-test-job:')}\\]`),
      /- `\.default-docker-cli-job`[^\n]*\n {2}- `\.default-job`/,
      /\*\*Required variables\*\*[\s\S]*`DOCKER_REGISTRY_USER`/,
      /```yaml\n\.python-test-job:/,
    ],
  },
  {
    name: 'xfenix: a variable the consumer overrides: the root file wins over the library',
    ws: () => xfenix,
    search: '    - ls $TOOLSET_FOLDER_NAME',
    replacement: '    - ls $TOOLSET_FOL$0DER_NAME',
    hovered: 'TOOLSET_FOLDER_NAME',
    says: [
      /\*\*\$TOOLSET_FOLDER_NAME\*\* in job `test-python`/,
      /Value: `toolset`/,
      /1\. global `variables:` of the root file: `toolset`[^\n]*← wins/,
      /2\. global `variables:` of an included file: `\.`[^\n]*xfenix\/pycon2022@master · jobs\.yml:2/,
      /override those of included files/,
    ],
  },
];

for (const c of CASES) {
  test(`hover: ${c.name}`, async () => {
    const { markdown, hovered } = await hoverAt(c.ws(), c.search, c.replacement);
    assert.ok(markdown, 'a hover is shown');
    for (const p of c.says) {
      const re = typeof p === 'function' ? p() : p;
      assert.match(markdown, re);
    }
    for (const re of c.not ?? []) assert.doesNotMatch(markdown, re);
    if (c.hovered !== undefined) assert.equal(hovered, c.hovered);
    c.check?.(markdown);
  });
}

test('hover: a template job name still explains itself while the document does not parse', async () => {
  const broken = service.text.replace('  needs: []\n', () => '  needs: []\n  script2: [\n');
  const { text, position } = at(broken.replace('extends: .python-test-job', () => 'extends: .python-te$0st-job'));
  service.client.change(service.uri, text, ++service.version);
  const h = await service.client.hover(service.uri, position);
  const md = h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '';
  assert.match(md, /Runs the pytest suite/);
  service.client.change(service.uri, service.text, ++service.version);
});

test('hover: nothing on plain text', async () => {
  const { markdown } = await hoverAt(service, '    - diff -u openapi.json openapi.generated.json', '    - diff -u open$0api.json openapi.generated.json');
  assert.equal(markdown, '');
});
