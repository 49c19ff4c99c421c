/** Inputs made to exhaust a limit: shared by the limit, regression and fuzz tests. */

/** Nine anchors, each a list of nine aliases of the one before: 9^9 strings once loaded (billion laughs). */
export const ALIAS_BOMB = (() => {
  const names = 'abcdefghi';
  let s = `a: &a [${Array(9).fill('"lol"').join(', ')}]\n`;
  for (let i = 1; i < names.length; i++) s += `${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(', ')}]\n`;
  return `${s}job:\n  script: *i\n`;
})();

/** `.l1` … `.l<levels>`: each script references the one before nine times; `x` uses the last (9^(levels+1) values). */
export function referenceBomb(levels: number): string {
  let s = '.l0:\n  script: [a, b, c, d, e, f, g, h, i]\n';
  for (let i = 1; i <= levels; i++) s += `.l${i}:\n  script: [${Array(9).fill(`!reference [.l${i - 1}, script]`).join(', ')}]\n`;
  return `${s}x:\n  script: !reference [.l${levels}, script]\n`;
}

/** An anchor whose list holds an alias of itself: a structure without end. */
export const SELF_ALIAS = 'a: &a [1, *a]\nx:\n  script: *a\n';

/** `depth` flow lists, one in the other, as a variable's value. */
export function deepFlow(depth: number): string {
  return `job:\n  script: [x]\n  variables:\n    A: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
}

/** `depth` block mappings, one in the other, under a job. */
export function deepBlock(depth: number): string {
  let s = 'job:\n  script: [x]\n  deep:\n';
  for (let i = 0; i < depth; i++) s += `${' '.repeat(4 + i)}k${i}:\n`;
  return s;
}
