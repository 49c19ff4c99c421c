/**
 * How far V8 lets a big server heap grow between full collections.
 *
 * After a full collection V8 may raise the heap limit by up to 4× when marking was quick next to
 * allocation. For a pipeline of a few thousand jobs that is what keeps an edit quick (fewer full
 * collections), but for 10,000 jobs each edit's garbage piled up to several times the live heap
 * before the next full collection (460 → 990 MiB and back over 400 edits). So once the first
 * analysis is in, a live heap (measured right after a full collection) above CAP_ABOVE may grow by
 * STEADY_HEAP_GROWING_PERCENT at most between collections, and below UNCAP_BELOW V8 decides again;
 * `npm run bench:scale` prints edit latency and memory for both sizes. A `--heap-growing-percent`
 * on the server's command line wins.
 *
 * Loading a big pipeline leaves much garbage and young survivors, and the limit V8 set during
 * loading is its own: the full collection that follows came in the middle of typing (at 2,500 jobs
 * one edit of the first fifty took 60–115 ms instead of 30, and its incremental marking slowed the
 * second edit to 60–70 ms; at 10,000 jobs the heap grew to 720 MiB over 150 edits first). So when the first analysis is in and the heap is above COLLECT_ABOVE, the
 * server collects once, right then — with the cap set first when the heap is above CAP_ABOVE, so
 * the limit that collection sets is the capped one: the pause is paid before typing starts. The cap
 * lets the heap double: at half that, the next full collections came within fifty edits of each
 * other (10,000 jobs: edit p95 107–120 ms); doubling gives p95 62–77 ms and a peak of 540 MiB over
 * 400 edits.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export const STEADY_HEAP_GROWING_PERCENT = 100;
/** Live heap (bytes) above which growth is capped, and below which it is V8's again. */
export const CAP_ABOVE = 192 * 1024 * 1024;
export const UNCAP_BELOW = 128 * 1024 * 1024;
/** Heap (bytes) above which (and up to CAP_ABOVE) the first analysis is followed by a full collection. */
export const COLLECT_ABOVE = 64 * 1024 * 1024;

let watching = false;
let steady = false;
let live = 0;
/** The percent set last (0: V8's own heuristics). */
let applied = 0;

function apply(): void {
  if (!steady) return;
  const want = live > CAP_ABOVE ? STEADY_HEAP_GROWING_PERCENT : live < UNCAP_BELOW ? 0 : applied;
  if (want === applied) return;
  setFlagsFromString(`--heap-growing-percent=${want}`);
  applied = want;
}

/** Start measuring the live heap after each full collection (at server start). */
export function watchHeapGrowth(): void {
  if (watching || process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) return;
  watching = true;
  const observer = new PerformanceObserver((list) => {
    const major = list.getEntries().some((e) => ((e as { detail?: { kind?: number } }).detail)?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
    if (!major) return;
    live = getHeapStatistics().used_heap_size;
    apply();
  });
  observer.observe({ entryTypes: ['gc'] });
}

/** The first analysis is in: from now on the cap applies (loading a pipeline grows the heap freely). */
export function analysisSettled(): void {
  if (!watching || steady) return;
  steady = true;
  live = getHeapStatistics().used_heap_size; // garbage included: refined by the next full collection
  if (live > COLLECT_ABOVE) {
    if (live > CAP_ABOVE) setFlagsFromString(`--heap-growing-percent=${STEADY_HEAP_GROWING_PERCENT}`);
    fullCollection();
    live = getHeapStatistics().used_heap_size;
  }
  apply();
}

/** A full garbage collection now (V8's `gc`, exposed to a context of its own when the command line did not expose it). */
export function fullCollection(): void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed();
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc');
  gc();
}
