/**
 * The impact view's page: every value from YAML escaped (job names, script lines, variables,
 * messages), links only to files on disk and by index (no location in the markup), a strict CSP
 * whose nonce is on the only script and styles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'parse5';
import { editorLocation, impactPage, renderImpact } from '../../client/src/impact-html.js';
import { computeImpact } from '../../server/src/impact/impact-report.js';
import { DirectorySources } from '../../server/src/sources/directory-sources.js';
import { MemorySources } from '../../server/src/sources/memory-sources.js';

const BASE = `
".tpl<img src=x onerror=alert(1)>":
  image: alpine
  variables:
    GREETING: hello
  script:
    - echo ok
"<b>job</b>":
  extends: ".tpl<img src=x onerror=alert(1)>"
`;
const HEAD = BASE.replace('image: alpine', 'image: "<script>alert(1)</script>"').replace('GREETING: hello', 'GREETING: "</code><iframe>"').replace('    - echo ok', '    - echo ok\n    - echo "<svg onload=alert(1)>" && rm -rf "$HOME"');
const CONSUMER = 'include:\n  - project: acme/lib\n    file: t.yml\n"<u>mine</u>":\n  extends: ".tpl<img src=x onerror=alert(1)>"\n  script: [x]\n';

async function report() {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-impact-html-'));
  writeFileSync(join(dir, 't.yml'), HEAD);
  return computeImpact({
    project: 'acme/lib',
    baseRef: 'v1<b>',
    base: new MemorySources({ 't.yml': BASE }),
    head: new DirectorySources({ rootDir: dir }),
    consumers: [{ name: 'svc<script>', sources: new MemorySources({ '.gitlab-ci.yml': CONSUMER }) }],
    displayFile: (u) => u.replace(/^.*\//, ''),
  });
}

test('every YAML-derived value is escaped; the markup holds no location', async () => {
  const r = await report();
  assert.equal(r.consumers.length, 1);
  const { html, locations } = renderImpact(r, ['note <b>']);
  for (const raw of ['<script>alert', '<img src=x', '<iframe>', '<svg onload', '<b>job</b>', '<u>mine</u>', 'svc<script>', '</code><iframe>', 'note <b>']) assert.ok(!html.includes(raw), `escaped: ${raw}`);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /&lt;svg onload=alert\(1\)&gt;/);
  assert.ok(!html.includes('file:'), 'no URI in the markup');
  // The parsed document has no element from the data: only our own tags.
  const tags = new Set<string>();
  const walk = (n: { nodeName: string; childNodes?: unknown[] }) => {
    tags.add(n.nodeName);
    for (const c of (n.childNodes ?? []) as { nodeName: string }[]) walk(c);
  };
  walk(parse(html) as never);
  for (const t of tags) assert.ok(['#document', 'html', 'head', 'body', '#text', 'h1', 'h3', 'code', 'p', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'ul', 'li', 'b', 'span', 'details', 'summary'].includes(t), `unexpected element ${t}`);
  // Links: the new values of the head side (a file on disk), by index.
  assert.ok(locations.length >= 3);
  for (const l of locations) assert.match(l.uri, /^file:.*\/t\.yml$/);
  const ids = [...html.matchAll(/data-loc="(\d+)"/g)].map((m) => Number(m[1]));
  assert.deepEqual(ids, locations.map((_, i) => i));
});

test('only files on disk are linked; ranges are 0-based', () => {
  assert.equal(editorLocation({ uri: 'gitlab-ci-project:///a/b/-/v1/t.yml', file: 't.yml', line: 3, column: 1, endLine: 3, endColumn: 4 }), undefined);
  const uri = pathToFileURL('/x/t.yml').href;
  assert.deepEqual(editorLocation({ uri, file: 't.yml', line: 3, column: 2, endLine: 4, endColumn: 5 }), { uri, range: { start: { line: 2, character: 1 }, end: { line: 3, character: 4 } } });
});

test('the page: a CSP with a nonce on the one fixed script and the styles; nothing else runs', async () => {
  const { html } = renderImpact(await report());
  const page = impactPage(html, { cspSource: 'vscode-resource:', styleUri: 'vscode-resource:/preview.css', nonce: 'N0nce' });
  const csp = /content="([^"]+)"/.exec(page)![1];
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-N0nce'/);
  assert.equal([...page.matchAll(/<script\b/g)].length, 1);
  assert.match(page, /<script nonce="N0nce">/);
  assert.match(page, /<style nonce="N0nce">/);
  const attrs: string[] = [];
  const walk = (n: { attrs?: { name: string }[]; childNodes?: unknown[] }) => {
    for (const a of n.attrs ?? []) attrs.push(a.name);
    for (const c of (n.childNodes ?? []) as never[]) walk(c);
  };
  walk(parse(page) as never);
  assert.deepEqual(attrs.filter((a) => /^on/i.test(a)), [], 'no inline event handlers');
});

test('no change: a sentence, no table', async () => {
  const same = await computeImpact({ project: 'acme/lib', baseRef: 'v1', base: new MemorySources({ 't.yml': BASE }), head: new MemorySources({ 't.yml': BASE }), consumers: [{ name: 'svc', sources: new MemorySources({ '.gitlab-ci.yml': CONSUMER }) }] });
  const { html, locations } = renderImpact(same);
  assert.match(html, /No consumer's pipeline changes \(1 checked\)/);
  assert.doesNotMatch(html, /<table/);
  assert.deepEqual(locations, []);
});
