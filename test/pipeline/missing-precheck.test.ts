/**
 * The quick look of the missing-variable check (pipeline/contract/missing-precheck.ts) answers
 * "nothing missing" for most jobs without the full check: it must never hide a finding. The
 * findings with it and with `thorough` (every job through the full check) are the same on a
 * generated library whose consumer leaves out variables at random, with reads that go through a
 * variable (`URL: https://$HOST` in a template, and in the library's global `variables:`), doc
 * comments, `${X?}`, a vars-check job, and variables set by `parallel:matrix` or `rules:variables`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandPipeline } from '../../server/src/pipeline/merge/expand.js';
import { missingRequiredVariables } from '../../server/src/pipeline/contract/index.js';
import { quickLook } from '../../server/src/pipeline/contract/missing-precheck.js';
import { simulatedVariables } from '../../server/src/pipeline/rules/simulated-context.js';
import { DirectorySources } from '../../server/src/sources/directory-sources.js';
import { generateLibrary, LIBRARY_PROJECT, writeLibrary } from '../../scripts/generate-library.js';

/** The findings of the consumer in `dir` (library mapped), as data, with the quick look and without. */
async function bothWays(dir: string): Promise<{ quick: unknown; thorough: unknown; count: number }> {
  const expand = () => {
    const sources = new DirectorySources({ rootDir: join(dir, 'consumer'), projects: new Map([[`${LIBRARY_PROJECT}@main`, join(dir, 'library')]]) });
    return expandPipeline({ sources, variables: simulatedVariables() });
  };
  // Two expansions: nothing of one is reused by the other.
  const quick = missingRequiredVariables(await expand(), { knownVariables: ['KNOWN_IN_SETTINGS'] });
  const thorough = missingRequiredVariables(await expand(), { knownVariables: ['KNOWN_IN_SETTINGS'], thorough: true });
  return { quick: JSON.parse(JSON.stringify(quick)), thorough: JSON.parse(JSON.stringify(thorough)), count: quick.length };
}

function jobFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) (statSync(join(d, e)).isDirectory() ? walk(join(d, e)) : /\.ya?ml$/.test(e) && out.push(join(d, e)));
  };
  walk(join(dir, 'consumer'));
  return out;
}

test('random variables left out of a generated library\'s consumer: the same findings with the quick look as without', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-precheck-'));
  try {
    let seed = 11;
    const r = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    let findings = 0;
    for (let round = 0; round < 6; round++) {
      writeLibrary(dir, generateLibrary({ files: 4, templates: 20, jobs: 120, seed: round + 1 }));
      // A template whose variable reads what the consumer must set, and one checking variables with `set -u`.
      const lib = join(dir, 'library', 'presets', 'p0.yml');
      writeFileSync(lib, readFileSync(lib, 'utf8') + '\n.through:\n  variables:\n    URL: "https://$HOST/api"\n    SAFE: "${MAYBE:-x}"\n  script:\n    - curl $URL $SAFE\n\n.vars-check:\n  before_script: [set -u]\n  script:\n    - echo "$CHECKED $KNOWN_IN_SETTINGS"\n\n.expansion:\n  script: ["deploy ${TARGET?TARGET must be set}"]\n\nvariables:\n  GLOBAL_URL: "https://$GLOBAL_HOST/api"\n\n.global-through:\n  script: [curl $GLOBAL_URL]\n');
      for (const f of jobFiles(dir)) {
        // Leave out about a fifth of the variables the jobs set; add jobs of the templates above, some setting what they need.
        const lines = readFileSync(f, 'utf8').split('\n').filter((l) => !(/^ {4}(REQ|OPT)_\w+:/.test(l) && r() < 0.2));
        if (f.endsWith('jobs-0.yml')) {
          lines.push('through-set:', '  extends: .through', '  variables:', '    HOST: example.com', 'through-unset:', '  extends: .through');
          lines.push('through-own:', '  extends: .through', '  variables:', '    URL: https://fixed', 'checked:', '  extends: .vars-check', 'checked-set:', '  extends: .vars-check', '  variables:', '    CHECKED: "1"');
          lines.push('expanded:', '  extends: .expansion', 'expanded-set:', '  extends: .expansion', '  variables:', '    TARGET: prod');
          lines.push('global-unset:', '  extends: .global-through', 'global-set:', '  extends: .global-through', '  variables:', '    GLOBAL_HOST: example.com');
          // Set only by parallel:matrix or rules:variables: the look leaves them to the full check.
          lines.push('matrix-set:', '  extends: .expansion', '  parallel:', '    matrix:', '      - TARGET: [a, b]', 'rules-set:', '  extends: .expansion', '  rules:', '    - if: $CI_COMMIT_BRANCH', '      variables:', '        TARGET: x', '');
        }
        writeFileSync(f, lines.join('\n'));
      }
      const before = quickLook.answered;
      const { quick, thorough, count } = await bothWays(dir);
      assert.deepEqual(quick, thorough, `round ${round}`);
      assert.ok(quickLook.answered > before + 50, `the quick look answered for ${quickLook.answered - before} jobs`);
      findings += count;
      const names = (quick as { variable: { name: string }; jobs: string[] }[]).map((m) => `${m.variable.name}:${m.jobs.join(',')}`).join(' ');
      for (const expected of ['HOST:through-unset', 'CHECKED:checked', 'TARGET:expanded', 'GLOBAL_HOST:global-unset']) assert.ok(names.includes(expected), `${expected} in ${names}`);
      for (const absent of ['through-set', 'through-own', 'checked-set', 'expanded-set', 'global-set', 'matrix-set', 'rules-set', 'MAYBE']) assert.ok(!names.includes(absent), `${absent} not in ${names}`);
    }
    assert.ok(findings > 30, `findings over the rounds: ${findings}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
