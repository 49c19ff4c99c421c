/**
 * Completion inside `$[[ … ]]` blocks, over the LSP protocol against the real server, in a temp
 * preset library: `templates/deploy.yml` (a `spec:` header with inputs and `spec:component`) and
 * `presets/plain.yml` (no header). Cases are data: an edit of the file with a `$0` cursor, and
 * what must (not) be offered there.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InsertTextFormat } from 'vscode-languageserver-protocol/node';
import type { CompletionItem, TextEdit } from 'vscode-languageserver-protocol/node';
import { FUNCTION_NAMES } from '../../server/src/pipeline/inputs/interpolation-functions.js';
import { at, byLabel, docOf, labels, openWorkspace, sorted } from '../support/lsp-workspace.js';
import type { OpenFile } from '../support/lsp-workspace.js';

const DEPLOY = `spec:
  component: [name, version]
  inputs:
    environment:
      type: string
      description: Where to deploy, e.g. staging.
      options: [staging, production]
    image:
      description: |
        Image to deploy, without tag.
        Second line of the description.
    replicas:
      type: number
      default: 2
    dry-run:
      type: boolean
      default: false
---
deploy-$[[ inputs.environment ]]:
  stage: deploy
  image: "$[[ inputs.image ]]:latest"
  variables:
    REPLICAS: $[[ inputs.replicas ]]
  script:
    - echo deploying
    - helm upgrade --install app ./chart
`;

const PLAIN = `.deploy-base:
  stage: deploy
  script:
    - echo deploying
`;

let dir: string;
let deploy: OpenFile;
let plain: OpenFile;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gcp-completion-inputs-'));
  mkdirSync(join(dir, 'templates'));
  mkdirSync(join(dir, 'presets'));
  writeFileSync(join(dir, 'templates', 'deploy.yml'), DEPLOY);
  writeFileSync(join(dir, 'presets', 'plain.yml'), PLAIN);
  deploy = await openWorkspace(dir, 'templates/deploy.yml', {});
  const uri = pathToFileURL(join(dir, 'presets', 'plain.yml')).href;
  deploy.client.open(uri, PLAIN);
  await deploy.client.waitForDiagnostics(uri, () => true);
  plain = { client: deploy.client, uri, text: PLAIN, version: 1 };
});

after(async () => {
  await deploy?.client.close();
});

/** Replace `search` in the file by `replacement` (holding `$0`), send it, complete at the cursor. */
async function complete(ws: OpenFile, search: string, replacement: string, trigger?: string): Promise<{ items: CompletionItem[]; text: string }> {
  assert.ok(ws.text.includes(search), `the fixture contains ${JSON.stringify(search)}`);
  const { text, position } = at(ws.text.replace(search, () => replacement));
  ws.client.change(ws.uri, text, ++ws.version);
  return { items: await ws.client.completion(ws.uri, position, trigger), text };
}

const editOf = (it: CompletionItem) => {
  assert.ok(it.textEdit && 'range' in it.textEdit, `${it.label} has a text edit`);
  return it.textEdit as TextEdit;
};
/** The text an item's edit replaces. */
const replaced = (text: string, it: CompletionItem) => {
  const { range } = editOf(it);
  const lines = text.split('\n');
  assert.equal(range.start.line, range.end.line, 'the edit stays on the cursor line');
  return lines[range.start.line].slice(range.start.character, range.end.character);
};
/** The line after applying an item's edit. */
const applied = (text: string, it: CompletionItem) => {
  const { range, newText } = editOf(it);
  const line = text.split('\n')[range.start.line];
  return line.slice(0, range.start.character) + newText + line.slice(range.end.character);
};

const INPUT_NAMES = ['environment', 'image', 'replicas', 'dry-run'];
const CONTEXT_LABELS = ['inputs.', 'component.'];

interface Case {
  name: string;
  ws: () => OpenFile;
  search: string;
  replacement: string;
  trigger?: string;
  /** Exactly these labels, in this order once sorted. */
  exactly?: string[];
  offers?: string[];
  omits?: string[];
  check?: (items: CompletionItem[], text: string) => void;
}

const CASES: Case[] = [
  {
    name: '`$[[ ` offers inputs. then component.',
    ws: () => deploy,
    search: '    REPLICAS: $[[ inputs.replicas ]]',
    replacement: '    REPLICAS: $[[ $0',
    trigger: ' ',
    exactly: CONTEXT_LABELS,
    check: (items, text) => {
      const inputs = byLabel(items, 'inputs.');
      assert.equal(applied(text, inputs), '    REPLICAS: $[[ inputs.');
      assert.equal(inputs.command?.command, 'editor.action.triggerSuggest', 'accepting it asks for the names');
      assert.match(inputs.detail ?? '', /environment, image, replicas, dry-run/);
      assert.match(docOf(byLabel(items, 'component.')), /spec:component/);
    },
  },
  {
    name: '`$[[` typed into auto-closed brackets: a space before the context, the partial word replaced',
    ws: () => deploy,
    search: '    REPLICAS: $[[ inputs.replicas ]]',
    replacement: '    REPLICAS: $[[inp$0]]',
    exactly: CONTEXT_LABELS,
    check: (items, text) => {
      const inputs = byLabel(items, 'inputs.');
      assert.equal(replaced(text, inputs), 'inp');
      assert.equal(applied(text, inputs), '    REPLICAS: $[[ inputs.]]');
    },
  },
  {
    name: '`$[[ inputs.` offers the declared inputs in declaration order, with type, default or required, options, description',
    ws: () => deploy,
    search: '    REPLICAS: $[[ inputs.replicas ]]',
    replacement: '    REPLICAS: $[[ inputs.$0 ]]',
    trigger: '.',
    exactly: INPUT_NAMES,
    check: (items, text) => {
      const env = byLabel(items, 'environment');
      assert.equal(env.detail, 'string · required · options: staging, production — Where to deploy, e.g. staging.');
      assert.match(docOf(env), /\*\*environment\*\* — string input, required/);
      assert.match(docOf(env), /Options: `staging`, `production`/);
      assert.equal(byLabel(items, 'image').detail, 'string · required — Image to deploy, without tag.', 'type defaults to string; first line of the description');
      assert.match(docOf(byLabel(items, 'image')), /Second line of the description/);
      assert.equal(byLabel(items, 'replicas').detail, 'number · default 2');
      assert.match(docOf(byLabel(items, 'dry-run')), /Default: `false`/);
      assert.equal(applied(text, env), '    REPLICAS: $[[ inputs.environment ]]');
    },
  },
  {
    name: 'a partly typed input name: the whole word under the cursor is replaced',
    ws: () => deploy,
    search: '    REPLICAS: $[[ inputs.replicas ]]',
    replacement: '    REPLICAS: $[[ inputs.rep$0lic ]]',
    exactly: INPUT_NAMES,
    check: (items, text) => {
      const it = byLabel(items, 'replicas');
      assert.equal(replaced(text, it), 'replic');
      assert.equal(applied(text, it), '    REPLICAS: $[[ inputs.replicas ]]');
    },
  },
  {
    name: 'in a block scalar script line, an unclosed block is closed by the name',
    ws: () => deploy,
    search: '    - helm upgrade --install app ./chart\n',
    replacement: '    - helm upgrade --install app ./chart\n  after_script: |\n    echo $[[ inputs.dr$0\n',
    exactly: INPUT_NAMES,
    check: (items, text) => assert.equal(applied(text, byLabel(items, 'dry-run')), '    echo $[[ inputs.dry-run ]]'),
  },
  {
    name: 'an unclosed block with functions after the name: no `]]` before them',
    ws: () => deploy,
    search: '    REPLICAS: $[[ inputs.replicas ]]',
    replacement: '    REPLICAS: $[[ inputs.im$0 | expand_vars',
    exactly: INPUT_NAMES,
    check: (items, text) => assert.equal(applied(text, byLabel(items, 'image')), '    REPLICAS: $[[ inputs.image | expand_vars'),
  },
  {
    name: 'in a double-quoted scalar: the name, the closing quote stays outside',
    ws: () => deploy,
    search: '  image: "$[[ inputs.image ]]:latest"',
    replacement: '  image: "$[[ inputs.i$0"',
    exactly: INPUT_NAMES,
    check: (items, text) => assert.equal(applied(text, byLabel(items, 'image')), '  image: "$[[ inputs.image ]]"'),
  },
  {
    name: 'in a mapping key (a job name)',
    ws: () => deploy,
    search: 'deploy-$[[ inputs.environment ]]:',
    replacement: 'deploy-$[[ inputs.$0 ]]:',
    trigger: '.',
    exactly: INPUT_NAMES,
  },
  {
    name: '`$[[ component.` offers name, sha, version, reference: the fields spec:component declares first',
    ws: () => deploy,
    search: '    - echo deploying\n',
    replacement: '    - echo deploying $[[ component.$0 ]]\n',
    trigger: '.',
    exactly: ['name', 'version', 'sha', 'reference'],
    check: (items) => {
      assert.match(docOf(byLabel(items, 'sha')), /commit SHA/);
      assert.match(docOf(byLabel(items, 'reference')), /as written after `@`/);
      assert.match(byLabel(items, 'sha').detail ?? '', /not in spec:component/);
      assert.doesNotMatch(byLabel(items, 'name').detail ?? '', /not in spec:component/);
    },
  },
  {
    name: "after `|`: the engine's interpolation functions, a space after the pipe, snippets for arguments",
    ws: () => deploy,
    search: '    REPLICAS: $[[ inputs.replicas ]]',
    replacement: '    REPLICAS: $[[ inputs.image |$0 ]]',
    trigger: '|',
    exactly: [...FUNCTION_NAMES],
    check: (items, text) => {
      assert.equal(applied(text, byLabel(items, 'expand_vars')), '    REPLICAS: $[[ inputs.image | expand_vars ]]');
      const truncate = byLabel(items, 'truncate');
      assert.equal(truncate.insertTextFormat, InsertTextFormat.Snippet);
      assert.equal(editOf(truncate).newText, ' truncate(${1:0}, ${2:8})');
      assert.match(truncate.detail ?? '', /truncate\(offset, length\)/);
      assert.match(docOf(byLabel(items, 'posix_escape')), /shell/);
    },
  },
  {
    name: 'a second function, partly typed, in an unclosed block',
    ws: () => deploy,
    search: '    REPLICAS: $[[ inputs.replicas ]]',
    replacement: '    REPLICAS: $[[ inputs.image | expand_vars | po$0',
    exactly: [...FUNCTION_NAMES],
    check: (items, text) => {
      const it = byLabel(items, 'posix_escape');
      assert.equal(replaced(text, it), 'po');
      assert.equal(applied(text, it), '    REPLICAS: $[[ inputs.image | expand_vars | posix_escape ]]');
    },
  },
  {
    name: 'no fourth function: GitLab allows three per block',
    ws: () => deploy,
    search: '    REPLICAS: $[[ inputs.replicas ]]',
    replacement: '    REPLICAS: $[[ inputs.image | expand_vars | posix_escape | truncate(0,8) | $0 ]]',
    trigger: ' ',
    exactly: [],
  },
  {
    name: 'blocks in the header itself are not interpolated: nothing there',
    ws: () => deploy,
    search: '      description: Where to deploy, e.g. staging.',
    replacement: '      description: Where to deploy $[[ inputs.$0',
    trigger: '.',
    exactly: [],
  },
  {
    name: 'a file without a spec: header: no inputs, a hint that changes nothing',
    ws: () => plain,
    search: '    - echo deploying\n',
    replacement: '    - echo deploying $[[ inputs.en$0 ]]\n',
    exactly: ['no spec:inputs header'],
    check: (items, text) => {
      const it = items[0];
      assert.equal(applied(text, it), '    - echo deploying $[[ inputs.en ]]', 'accepting the hint leaves the text as it is');
      assert.match(docOf(it), /no `spec:` header/);
    },
  },
  {
    name: 'a file without a spec: header: `$[[ ` still offers the contexts, saying there is no header',
    ws: () => plain,
    search: '    - echo deploying\n',
    replacement: '    - echo deploying $[[ $0\n',
    trigger: ' ',
    exactly: CONTEXT_LABELS,
    check: (items) => assert.match(byLabel(items, 'inputs.').detail ?? '', /no spec: header/),
  },
  {
    name: '`$` still offers variables, `$[` offers nothing (no variables for `[`)',
    ws: () => deploy,
    search: '    - echo deploying\n',
    replacement: '    - echo deploying $CI_COMMIT_S$0\n',
    trigger: '$',
    offers: ['CI_COMMIT_SHA'],
  },
  {
    name: '`$[` offers nothing (not the stages a flow list `[` would)',
    ws: () => deploy,
    search: '  stage: deploy\n',
    replacement: '  stage: $[$0\n',
    trigger: '[',
    exactly: [],
  },
  {
    name: '`|` outside a block (a block scalar indicator) offers nothing',
    ws: () => deploy,
    search: '  stage: deploy\n',
    replacement: '  stage: deploy\n  when: |$0\n',
    trigger: '|',
    exactly: [],
  },
  {
    name: 'after a closed block, the usual completion again (keyword values of when:)',
    ws: () => deploy,
    search: '  stage: deploy\n',
    replacement: '  stage: deploy\n  when: $[[ inputs.x ]] $0\n',
    offers: ['on_success', 'manual'],
    omits: [...INPUT_NAMES, ...CONTEXT_LABELS, ...FUNCTION_NAMES],
  },
];

for (const c of CASES) {
  test(`completion in $[[ ]]: ${c.name}`, async () => {
    const { items, text } = await complete(c.ws(), c.search, c.replacement, c.trigger);
    const got = labels(items);
    if (c.exactly) assert.deepEqual(labels(sorted(items)), c.exactly);
    for (const l of c.offers ?? []) assert.ok(got.includes(l), `${l} is offered; got ${got.slice(0, 40).join(', ')}`);
    for (const l of c.omits ?? []) assert.ok(!got.includes(l), `${l} is not offered`);
    c.check?.(items, text);
  });
}

test('completion in $[[ ]]: while the YAML is broken, the inputs of the header as it is now', async () => {
  // Broken below `---` (an unclosed flow sequence), and a new input added to the header meanwhile:
  // the last analysis that parsed does not know `region`, the current text does.
  const ws = deploy;
  const marked = ws.text
    .replace('    dry-run:\n', '    region:\n      default: eu\n    dry-run:\n')
    .replace('    REPLICAS: $[[ inputs.replicas ]]', '    REPLICAS: [$[[ inputs.re$0');
  const { text, position } = at(marked);
  ws.client.change(ws.uri, text, ++ws.version);
  await ws.client.waitForDiagnostics(ws.uri, (d) => d.some((x) => x.code === 'yaml-syntax'));
  const items = await ws.client.completion(ws.uri, position);
  assert.deepEqual(labels(sorted(items)), ['environment', 'image', 'replicas', 'region', 'dry-run']);
  assert.equal(byLabel(items, 'region').detail, 'string · default eu');
  assert.equal(applied(text, byLabel(items, 'replicas')), '    REPLICAS: [$[[ inputs.replicas ]]');

  // The header broken too: the header of the last analysis that parsed.
  const both = at(marked.replace('spec:\n', 'spec: [\n'));
  ws.client.change(ws.uri, both.text, ++ws.version);
  const stale = await ws.client.completion(ws.uri, both.position);
  assert.deepEqual(labels(sorted(stale)), INPUT_NAMES);
});
