/**
 * The "vars-check job" of the PyCon 2022 talk on central CI libraries: a job whose
 * `before_script` turns on `set -u` and whose script echoes the variables the pipeline needs,
 * so the shell stops at the first unset one (usually in `.pre`, before anything expensive runs).
 * Its echoed variables are declared requirements of the preset.
 */
import type { JobView } from '../merge/jobs.js';
import type { ReadFact } from '../variables/variable-reads.js';
import { scriptItems } from '../variables/variable-reads.js';

const SET_U = /(?:^|[\s;&|(])set\s+(?:-[A-Za-z]*u[A-Za-z]*|-o\s+nounset)\b/;
const ECHO = /^\s*(?:echo|printf|:|true|test|\[)\b/;

/** True when the job's before_script (after extends) runs `set -u` / `set -o nounset`. */
export function isVarsCheckJob(job: JobView): boolean {
  return scriptItems(job).some((i) => i.key === 'before_script' && SET_U.test(i.text));
}

/** The reads a vars-check job checks: unguarded reads in the echo-like commands of its script. */
export function varsCheckReads(job: JobView, reads: readonly ReadFact[]): ReadFact[] {
  if (!isVarsCheckJob(job)) return [];
  const inScript = reads.filter((r) => r.item?.key === 'script' && !r.conditional && r.form !== 'default');
  const echoed = inScript.filter((r) => ECHO.test(r.item!.text));
  return echoed.length ? echoed : inScript;
}
