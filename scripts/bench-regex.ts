/**
 * `npm run bench:regex` — a nested-quantifier pattern (`$VAR =~ /^(a+)+$/`) on values of 20–40
 * characters that almost match (n-1 `a` then `b`), through the engine's expression evaluator
 * (RE2 semantics, linear time), next to JavaScript's backtracking RegExp on the same pattern.
 * The native figure is measured up to BENCH_NATIVE_MAX characters (default 24) and extrapolated
 * beyond (each character doubles it). Prints figures; asserts nothing.
 *
 * Before re2js (the hand translation to JS RegExp, up to commit 320fea3), the engine column
 * read, on the 2-core team machine: 20 chars 3.1 ms, 24 chars 30 ms, 28 chars 460 ms,
 * 32 chars 12.6 s, 36 chars unfinished after 4 minutes.
 */
import { evaluateExpression } from '../server/src/pipeline/expressions/expressions.js';

const lengths = [20, 24, 28, 32, 36, 40];
const nativeMax = Number(process.env.BENCH_NATIVE_MAX ?? 24);
const runs = Number(process.env.BENCH_RUNS ?? 20);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn: () => void, n: number): number {
  const ts: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    fn();
    ts.push(performance.now() - t);
  }
  return median(ts);
}

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1 ? `${ms.toFixed(1)} ms` : `${(ms * 1000).toFixed(0)} µs`;
}

const native = /^(a+)+$/;
let lastNative: { n: number; ms: number } | undefined;
console.log('$VAR =~ /^(a+)+$/, VAR = "a…ab" (no match)');
console.log('chars  engine (RE2)   native JS RegExp');
for (const n of lengths) {
  const value = 'a'.repeat(n - 1) + 'b';
  const vars = { VAR: value };
  const result = evaluateExpression('$VAR =~ /^(a+)+$/', vars);
  if (!result.ok || result.value !== false) throw new Error(`unexpected result for ${n} chars: ${JSON.stringify(result)}`);
  const ours = time(() => evaluateExpression('$VAR =~ /^(a+)+$/', vars), runs);
  let nativeText: string;
  if (n <= nativeMax) {
    const ms = time(() => native.test(value), 1);
    lastNative = { n, ms };
    nativeText = fmt(ms);
  } else {
    nativeText = lastNative ? `≈ ${fmt(lastNative.ms * 2 ** (n - lastNative.n))} (extrapolated)` : 'not measured';
  }
  console.log(`${String(n).padStart(5)}  ${fmt(ours).padStart(12)}   ${nativeText}`);
}
