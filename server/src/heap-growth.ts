/**
 * How far V8 lets the server's heap grow between full collections, once the first analysis is in.
 *
 * After a full collection V8 may raise the heap limit by up to 4× when marking was quick next to
 * allocation. That suits loading a big pipeline, but afterwards each edit's garbage piles up to
 * about twice the live heap before the next full collection: 10,000 jobs went from 460 to 990 MiB
 * and back over 400 edits. Growing by at most half keeps the peak near the live heap (an edit pays a
 * few more full collections; `npm run bench:scale` prints both). A `--heap-growing-percent` given on
 * the server's command line wins.
 */
import { setFlagsFromString } from 'node:v8';

export const STEADY_HEAP_GROWING_PERCENT = 50;

let bounded = false;

export function boundHeapGrowth(): void {
  if (bounded) return;
  bounded = true;
  if (process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) return;
  setFlagsFromString(`--heap-growing-percent=${STEADY_HEAP_GROWING_PERCENT}`);
}
