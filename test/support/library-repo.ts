/**
 * A copy of `examples/` in a temp folder with the preset library under git (tagged v1.2.0), and
 * the changes the impact tests plant in its working tree: a template's script line, a new
 * required variable, a renamed template that a consumer still extends.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..');

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_NOSYSTEM: '1', HOME: tmpdir() };

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { env: GIT_ENV, encoding: 'utf8' });
}

/**
 * `dir/ci-library` (a git repository, or — with `repoAtTop` — a sub-folder of one at `dir`) and
 * `dir/service-repo`; the library's state is committed and tagged `v1.2.0`.
 */
export function libraryRepo(opts: { repoAtTop?: boolean; consumers?: number } = {}): { dir: string; library: string; consumer: string; consumers: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-impact-'));
  cpSync(join(repoRoot, 'examples', 'ci-library'), join(dir, 'ci-library'), { recursive: true });
  const consumers: string[] = [];
  const n = opts.consumers ?? 1;
  for (let i = 0; i < n; i++) {
    const name = i === 0 ? 'service-repo' : `service-${String(i).padStart(2, '0')}`;
    cpSync(join(repoRoot, 'examples', 'service-repo'), join(dir, name), { recursive: true });
    consumers.push(join(dir, name));
  }
  const top = opts.repoAtTop ? dir : join(dir, 'ci-library');
  git(top, 'init', '-q', '-b', 'main');
  git(top, 'add', '-A');
  git(top, 'commit', '-q', '-m', 'library v1.2.0');
  git(top, 'tag', 'v1.2.0');
  return { dir, library: join(dir, 'ci-library'), consumer: consumers[0], consumers };
}

function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`cannot plant: ${from} not in ${file}`);
  writeFileSync(file, text.split(from).join(to));
}

export const PLANTED = {
  scriptLine: '    - pytest -p no:cacheprovider ${PYTEST_ARGS:--q --maxfail=5}',
  variable: 'PIP_EXTRA_INDEX_URL',
  renamedFrom: '.python-test-job',
  renamedTo: '.pytest-job',
};

/** A changed script line in `.python-test-job` (python-test, contract-tests). */
export function plantScriptLine(library: string): void {
  edit(join(library, 'common', 'jobs.yml'), '    - pytest ${PYTEST_ARGS:--q --maxfail=5}', PLANTED.scriptLine);
}

/** A new required variable of `.python-base-job` (every Python job). */
export function plantRequiredVariable(library: string): void {
  edit(join(library, 'common', 'jobs.yml'), '# @optional REQUIREMENTS_FILE', `# @required ${PLANTED.variable}: second package index for private wheels\n# @optional REQUIREMENTS_FILE`);
}

/** `.python-test-job` renamed, the library's own presets updated, the consumer's extends not. */
export function plantRename(library: string): void {
  for (const f of ['common/jobs.yml', 'ci/python.yml', 'ci/python-postgres.yml']) edit(join(library, f), PLANTED.renamedFrom, PLANTED.renamedTo);
}
