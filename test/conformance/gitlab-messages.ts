/**
 * GitLab's own wording on configurations it rejects, where the oracle cannot say (it words them
 * its own way or accepts them): each case is a small project and the exact message GitLab gives,
 * with the GitLab code it comes from. Run through the CLI's `expand` like the corpus cases; the
 * error messages on stderr, joined with ", " as GitLab joins the errors of one file, must equal it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadEngineModule } from './cases.js';
import type { CaseResult } from './cases.js';

export interface MessageCase {
  id: string;
  group: 'gitlab-messages';
  /** Where GitLab says it. */
  source: string;
  files: Record<string, string>;
  gitlab: string;
}

const cases: Array<Omit<MessageCase, 'id' | 'group'> & { name: string }> = [
  {
    name: '!reference with a key that is not a string',
    source: 'Gitlab::Ci::Config::Yaml::Tags::Reference: `#{tag} #{seq.inspect} is not valid` unless every key is a String',
    files: { '.gitlab-ci.yml': 'job:\n  script: !reference [1]\n' },
    gitlab: '!reference [1] is not valid',
  },
  {
    name: 'local include with a leading slash loses it in the message',
    source: 'Gitlab::Ci::Config::External::File::Local: "Local file `#{masked_location}` does not exist!" (the location after `Gitlab::Utils.remove_leading_slashes` in #initialize)',
    files: { '.gitlab-ci.yml': 'include:\n  - local: /lib/missing.yml\njob:\n  script: [echo]\n' },
    gitlab: 'Local file `lib/missing.yml` does not exist!',
  },
  {
    name: 'input errors of one file: the first three',
    source: 'Gitlab::Ci::Config::Interpolation::Interpolator#error_message: `@errors.first(3).join(\', \')`, after the included file\'s location (External::File::Base: "`#{masked_location}`: #{content_result.error}")',
    files: {
      '.gitlab-ci.yml': 'include:\n  - local: template.yml\n',
      'template.yml': 'spec:\n  inputs:\n    a:\n    b:\n    c:\n    d:\n    e:\n---\njob:\n  script:\n    - echo $[[ inputs.a ]]\n',
    },
    gitlab: '`template.yml`: `a` input: required value has not been provided, `b` input: required value has not been provided, `c` input: required value has not been provided',
  },
];

export function discoverMessageCases(): MessageCase[] {
  return cases.map(({ name, ...c }) => ({ ...c, id: `gitlab-messages ${name}`, group: 'gitlab-messages' }));
}

export async function runMessageCase(c: MessageCase): Promise<CaseResult> {
  const main = await loadEngineModule('cli/main.ts');
  if (typeof main === 'string') return { status: 'skip', message: main, summary: 'skipped' };
  const runCli = main.runCli as (argv: string[], io: { cwd: string; env: Record<string, string> }) => Promise<{ code: number; stdout: string; stderr: string }>;
  const dir = mkdtempSync(join(tmpdir(), 'gcp-messages-'));
  try {
    for (const [path, text] of Object.entries(c.files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    const r = await runCli(['expand', dir], { cwd: dir, env: {} });
    const errors = r.stderr.split('\n').flatMap((l) => /: error: (.*) \[[\w-]+\]$/.exec(l)?.[1] ?? []);
    const ours = errors.join(', ');
    if (r.code === 1 && ours === c.gitlab) return { status: 'pass', message: '', summary: 'GitLab\'s words' };
    return { status: 'fail', message: `exit ${r.code}\nGitLab: ${c.gitlab}\nours:   ${ours}\n(${c.source})`, summary: `differs: ${ours.slice(0, 60)}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
