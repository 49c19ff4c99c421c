import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeContext } from '../../server/src/features/shared/context.js';
import { buildPreview } from '../../server/src/features/preview.js';
import type { PreviewContext } from '../../server/src/features/preview.js';
import { contentSecurityPolicy, previewShell } from '../../client/src/preview-html.js';
import { summarise } from '../../client/src/sources-summary.js';
import { parseVariables, requestContext } from '../../client/src/webview/context.js';
import { esc, renderPreview } from '../../client/src/webview/render.js';
import { expandFiles } from '../support/engine.js';
import { repoRoot } from '../support/lsp-client.js';

async function model(files: Record<string, string>, context: PreviewContext = {}) {
  const pipeline = await expandFiles(files);
  const root = pipeline.files.find((f) => f.kind === 'root')!;
  const ctx = makeContext({ pipeline, standalone: false, rootUri: root.uri, knownVariables: [] }, { localProjects: {}, knownVariables: [] }, { uri: root.uri, text: root.parsed.text, version: 1 }, () => undefined);
  return buildPreview(ctx, context);
}

const HOSTILE = `
stages: [build, "<b>deploy</b>"]
variables:
  GREETING: "<script>alert(1)</script>"
"<img src=x onerror=alert(1)>":
  stage: build
  script: ["echo '<iframe>' && echo \\"&amp;\\""]
deploy:
  stage: "<b>deploy</b>"
  script: x
  needs: ["<img src=x onerror=alert(1)>"]
  rules:
    - if: $CI_COMMIT_TAG == "<svg onload=alert(1)>"
`;

test('every YAML value is escaped: job names, stages, values, rules, messages', async () => {
  const m = await model({ '.gitlab-ci.yml': HOSTILE }, { source: 'push', branch: 'main' });
  for (const selected of [undefined, '<img src=x onerror=alert(1)>', 'deploy']) {
    const { html } = renderPreview(m, selected);
    assert.doesNotMatch(html, /<img|<script|<iframe|<svg onload|<b>/i, `raw markup from YAML in the HTML (selected: ${selected})`);
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
  }
  const { html } = renderPreview(m);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /&lt;b&gt;deploy&lt;\/b&gt;/);
  assert.match(html, /&lt;svg onload=alert\(1\)&gt;/, 'the deciding rule of the skipped job, escaped');
  assert.equal(esc(`"'<>&`), '&quot;&#39;&lt;&gt;&amp;');
});

test('links carry only an index into the location table; skipped jobs are greyed with their rule', async () => {
  const m = await model({ '.gitlab-ci.yml': HOSTILE }, { source: 'push', branch: 'main' });
  const { html, locations } = renderPreview(m, 'deploy');
  const indexes = [...html.matchAll(/data-loc="(\d+)"/g)].map((x) => Number(x[1]));
  assert.ok(indexes.length > 5);
  assert.deepEqual(indexes, indexes.map((_, i) => i), 'one entry per link, in order');
  assert.equal(locations.length, indexes.length);
  assert.ok(locations.every((l) => l.uri.endsWith('.gitlab-ci.yml') && l.range.start.line >= 0));
  assert.doesNotMatch(html, /file:\/\//, 'no URI in the markup');
  assert.match(html, /class="job skipped[^"]*"[^>]*data-job="deploy"/);
  assert.match(html, /none of the 1 rules matches/);
  assert.match(html, /class="job included[^"]*"[^>]*data-job="&lt;img/);
});

test('the example in the preview markup: badges for manual, matrix, needs: []', async () => {
  const files: Record<string, string> = {
    '.gitlab-ci.yml': `
stages: [build, test, deploy]
build:
  stage: build
  script: x
  parallel: { matrix: [{ A: [1, 2, 3] }, { A: [4] }] }
lint:
  stage: test
  script: x
  needs: []
  allow_failure: true
release:
  stage: deploy
  trigger: { project: g/p }
  rules: [{ if: $CI_COMMIT_TAG, when: manual }]
`,
  };
  const m = await model(files, { source: 'push', tag: 'v1' });
  const { html } = renderPreview(m);
  assert.match(html, /matrix ×4/);
  assert.match(html, /needs: \[\]/);
  assert.match(html, /may fail/);
  assert.match(html, /badge when-manual">manual/);
  assert.match(html, /badge trigger/);
});

test('a matrix card lists its instances: skipped ones greyed with their rule, values escaped, long lists folded', async () => {
  const yaml = `
stages: [build, deploy]
build:
  stage: build
  script: x
  parallel:
    matrix:
      - PROVIDER: [aws, "<img src=x onerror=alert(1)>"]
        STACK: [app]
  rules:
    - if: $PROVIDER == "aws"
      when: manual
wide:
  stage: build
  script: x
  parallel:
    matrix:
      - N: [1, 2, 3, 4, 5, 6, 7]
  rules:
    - if: $N == "3"
deploy:
  stage: deploy
  script: x
  needs: [{ job: build, optional: true }]
`;
  const m = await model({ '.gitlab-ci.yml': yaml }, { source: 'push', branch: 'main' });
  const { html, locations } = renderPreview(m);
  assert.doesNotMatch(html, /<img/i);
  const card = /<div class="job included[^"]*"[^>]*data-job="build">.*?<\/ul><\/div>/.exec(html)![0];
  assert.match(card, /aria-label="build, manual, 1 of 2 matrix instances run"/);
  assert.match(card, /<li class="instance included" title="PROVIDER=aws STACK=app · rules\[0\][^"]*"><span class="instance-values">\[aws, app\]<\/span> <span class="badge when-manual">manual<\/span><\/li>/);
  assert.match(card, /<li class="instance skipped"[^>]*><span class="instance-values">\[&lt;img src=x onerror=alert\(1\)&gt;, app\]<\/span> <span class="rule"><a href="#" class="rule-link" data-loc="\d+"[^>]*>none of the 1 rules matches: if: \$PROVIDER == &quot;aws&quot;<\/a>/);
  const indexes = [...html.matchAll(/data-loc="(\d+)"/g)].map((x) => Number(x[1]));
  assert.deepEqual(indexes, indexes.map((_, i) => i), 'instance rule links are in the one location table');
  assert.equal(locations.length, indexes.length);
  // Seven instances: folded under a summary, opened again after a re-render when the user opened it.
  assert.match(html, /<details class="instances" data-instances="wide"><summary>1 of 7 instances run<\/summary><ul class="instances"/);
  assert.match(renderPreview(m, undefined, { openInstances: new Set(['wide']) }).html, /<details class="instances" data-instances="wide" open>/);
  // Every instance skipped for one reason: the card says it once.
  const tag = await model({ '.gitlab-ci.yml': yaml.replace('$PROVIDER == "aws"', '$CI_COMMIT_TAG') }, { source: 'push', branch: 'main' });
  const skipped = /<div class="job skipped[^"]*"[^>]*data-job="build">.*?<\/ul><\/div>/.exec(renderPreview(tag).html)![0];
  assert.equal(skipped.match(/none of the 1 rules matches/g)!.length, 1);
  assert.match(skipped, /aria-label="build, skipped, 0 of 2 matrix instances run"/);
});

test('the webview shell: strict CSP with a nonce on the one script, no inline handlers', () => {
  const html = previewShell({ cspSource: 'https://x.vscode-cdn.net', styleUri: 'https://x/preview.css', scriptUri: 'https://x/webview.js', nonce: 'abc123' });
  const csp = contentSecurityPolicy('https://x.vscode-cdn.net', 'abc123');
  assert.match(csp, /^default-src 'none'; script-src 'nonce-abc123'; style-src https:\/\/x\.vscode-cdn\.net 'nonce-abc123'/);
  assert.doesNotMatch(csp, /unsafe/);
  assert.ok(html.includes(`content="${csp.replace(/'/g, "'")}"`));
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.match(html, /<script nonce="abc123" src="https:\/\/x\/webview.js">/);
  assert.doesNotMatch(html, /\son[a-z]+=/i);
  const css = readFileSync(join(repoRoot, 'client', 'media', 'preview.css'), 'utf8');
  assert.doesNotMatch(css, /#[0-9a-f]{6}\b(?![^;]*var\()/i, 'colours come from VS Code theme variables');
});

test('context bar: variables and the tag source become the request context', () => {
  assert.deepEqual(parseVariables(`A=1 B="x y" C='z' bad-name=2 D=`), { A: '1', B: 'x y', C: 'z', D: '' });
  assert.deepEqual(requestContext({ source: 'tag', branch: 'main', tag: ' v1.2.3 ', variables: '' }), { source: 'push', tag: 'v1.2.3', variables: {} });
  assert.deepEqual(requestContext({ source: 'merge_request_event', branch: 'feat', tag: 'v1', variables: 'X=1' }), { source: 'merge_request_event', branch: 'feat', variables: { X: '1' } });
});

test('status bar summary: workspace, local, API, cache stale since …, offline', () => {
  const f = (origin: 'workspace' | 'local' | 'api' | 'cache', note?: string) => ({ uri: 'file:///x.yml', kind: 'project', path: 'ci/x.yml', origin, readOnly: origin !== 'local' && origin !== 'workspace', note });
  assert.match(summarise([f('workspace')]).text, /workspace/);
  assert.match(summarise([f('workspace'), f('local')]).text, /Presets: local$/);
  assert.match(summarise([f('local'), f('api')]).text, /local \+ API/);
  const cached = summarise([f('api'), f('cache', 'cached copy (commit abc) from 2026-11-01 14:03 UTC, API unreachable: ECONNREFUSED')]);
  assert.match(cached.text, /cache, stale since 2026-11-01 14:03 UTC \(offline\)/);
  assert.equal(cached.warning, true);
  assert.match(cached.tooltip, /ECONNREFUSED/);
});

test('a pipeline whose YAML does not parse: the banner names the line with a link, and no "not created" verdict', async () => {
  const m = await model({ '.gitlab-ci.yml': 'job:\n  script: [echo]\n' });
  const location = { uri: m.rootUri, range: { start: { line: 3, character: 0 }, end: { line: 3, character: 3 } } };
  const empty = { ...m, jobs: [], stages: [], pipelineError: undefined, yamlError: { message: 'Implicit keys need to be followed by <map>', line: 4, location, lastGood: false } };
  const { html, locations } = renderPreview(empty);
  assert.match(html, /the YAML does not parse \(line 4\)/);
  assert.doesNotMatch(html, /no job matches|Pipeline not created/);
  assert.ok(locations.some((l) => l.range.start.line === 3), 'the banner links to the error');
  const stale = renderPreview({ ...m, yamlError: { ...empty.yamlError, lastGood: true } }).html;
  assert.match(stale, /showing the pipeline as it last parsed/);
  assert.match(renderPreview({ ...empty, yamlError: { ...empty.yamlError, message: '<img src=x>' } }).html, /&lt;img src=x&gt;/);
});

test('the problems list: a YAML error of an included file, and a validation error (once), each linked to its line', async () => {
  const problems = async (files: Record<string, string>) => {
    const { html, locations } = renderPreview(await model(files));
    const list = html.slice(html.indexOf('aria-label="problems"'));
    const items = [...list.matchAll(/<li class="diag (\w+)">([\s\S]*?)<\/li>/g)].map((i) => ({ severity: i[1], html: i[2], location: locations[Number(/data-loc="(\d+)"/.exec(i[2])?.[1])] }));
    return { list, items };
  };
  const broken = await problems({ '.gitlab-ci.yml': 'include:\n  - local: ci/broken.yml\nbuild:\n  script: [make]\n', 'ci/broken.yml': 'lint:\n  script: [lint, [x\n' });
  const yamlItem = broken.items.find((i) => /ci\/broken\.yml:3/.test(i.html));
  assert.ok(yamlItem, broken.list);
  assert.equal(yamlItem!.severity, 'error');
  assert.match(yamlItem!.location.uri, /ci\/broken\.yml\b/);
  assert.equal(yamlItem!.location.range.start.line, 2);
  const invalid = await problems({ '.gitlab-ci.yml': 'build:\n  script: [make]\n  when: "<manually>"\n' });
  const when = invalid.items.find((i) => /jobs:build when should be one of/.test(i.html));
  assert.ok(when, invalid.list);
  assert.equal(when!.severity, 'error');
  assert.match(when!.html, /\.gitlab-ci\.yml:3/);
  assert.equal(when!.location.range.start.line, 2);
  assert.doesNotMatch(invalid.list, /<manually>/, 'the value is escaped in the message');
  assert.equal(invalid.items.filter((i) => /when/.test(i.html)).length, 1, `listed once, not again by the rules simulation: ${invalid.list}`);
});
