import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../support/lsp-client.js';

const grammar = JSON.parse(readFileSync(join(repoRoot, 'syntaxes', 'gitlab-ci.injection.tmLanguage.json'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));

/** The scopes the top-level patterns give to a line (first match wins at each position, as TextMate does). */
function scopes(line: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const rules = grammar.patterns.map((p: { include: string }) => grammar.repository[p.include.slice(1)]);
  let pos = 0;
  while (pos < line.length) {
    let best: { index: number; m: RegExpExecArray; rule: any } | undefined;
    for (const rule of rules) {
      const re = new RegExp(rule.match ?? rule.begin, 'g');
      re.lastIndex = pos;
      const m = re.exec(line);
      if (m && (!best || m.index < best.index)) best = { index: m.index, m, rule };
    }
    if (!best) break;
    const { m, rule } = best;
    if (rule.name) out.push([rule.name, m[0]]);
    for (const [i, cap] of Object.entries((rule.captures ?? rule.beginCaptures ?? {}) as Record<string, { name: string }>)) if (m[Number(i)]) out.push([cap.name, m[Number(i)]]);
    if (rule.begin) {
      const end = line.indexOf(']]', m.index);
      const inner = line.slice(m.index, end < 0 ? line.length : end);
      for (const p of rule.patterns) {
        for (const mm of inner.matchAll(new RegExp(p.match, 'g'))) {
          if (p.name) out.push([p.name, mm[0]]);
          for (const [i, cap] of Object.entries((p.captures ?? {}) as Record<string, { name: string }>)) if (mm[Number(i)]) out.push([cap.name, mm[Number(i)]]);
        }
      }
      pos = end < 0 ? line.length : end + 2;
    } else pos = m.index + Math.max(1, m[0].length);
  }
  return out;
}

test('the injection grammar is injected into YAML and contributed', () => {
  assert.equal(grammar.injectionSelector, 'L:source.yaml -comment');
  assert.deepEqual(pkg.contributes.grammars[0].injectTo, ['source.yaml']);
  assert.equal(pkg.contributes.grammars[0].scopeName, grammar.scopeName);
});

test('!reference, $VAR, ${VAR:-x}, $$ and $[[ inputs.x | fn ]] get their scopes', () => {
  const s = scopes('    - !reference [.python-test-job, before_script]');
  assert.ok(s.some(([n, t]) => n.startsWith('storage.type.tag-handle.reference') && t === '!reference'));
  const v = scopes('image: python:${PYTHON_VERSION:-3.12}-slim $SERVICE_NAME $$HOME');
  assert.ok(v.some(([n, t]) => n === 'variable.other.gitlab-ci' && t === 'PYTHON_VERSION'));
  assert.ok(v.some(([n, t]) => n === 'meta.expansion.operator.gitlab-ci' && t === ':-3.12'));
  assert.ok(v.some(([n, t]) => n === 'variable.other.gitlab-ci' && t === 'SERVICE_NAME'));
  assert.ok(v.some(([n, t]) => n === 'constant.character.escape.dollar.gitlab-ci' && t === '$$'));
  assert.ok(!v.some(([, t]) => t === 'HOME'), '$$HOME is an escape, not a variable');
  const i = scopes('  stage: $[[ inputs.stage | expand_vars ]]');
  assert.ok(i.some(([n, t]) => n === 'variable.parameter.input.gitlab-ci' && t === 'stage'));
  assert.ok(i.some(([n, t]) => n === 'support.function.interpolation.gitlab-ci' && t === 'expand_vars'));
  assert.ok(!scopes('key: no!reference here').some(([n]) => n.includes('reference')));
});

test('snippets: the documented ones exist and keep $VARIABLES literal', () => {
  const snippets = JSON.parse(readFileSync(join(repoRoot, 'snippets', 'gitlab-ci.code-snippets'), 'utf8')) as Record<string, { prefix: string[]; body: string[] }>;
  const prefixes = Object.values(snippets).flatMap((s) => s.prefix);
  for (const p of ['template-job', 'include-project', 'vars-check', 'rules-tags', 'rules-default-branch', 'rules-mr', 'extends-job']) assert.ok(prefixes.includes(p), p);
  const body = (name: string) => snippets[name].body.join('\n');
  assert.match(body('Rules: default branch'), /if: \\\$CI_COMMIT_BRANCH == \\\$CI_DEFAULT_BRANCH/);
  assert.match(body('Documented template job'), /# @required \$\{3:SERVICE_NAME\}/);
  assert.match(body('Variables check job'), /set -u/);
  assert.match(body('Include a project with ref'), /ref: \$\{2:v1\.0\.0\}/);
});
