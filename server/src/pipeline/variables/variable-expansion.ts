/**
 * Variable references in strings: GitLab's expansion (`$VAR`, `${VAR}`, `$$`) and a finder for
 * every variable a shell-ish string reads (`${VAR:-default}` and friends included). Pure.
 *
 * GitLab has three flavours of expansion, selected here with `dollarEscape`:
 * - `ExpandVariables.expand` (include paths, image names, …): `$VAR`, `${VAR}` and `%VAR%`;
 *   no escape at all, undefined variables become "" (`dollarEscape: 'none'`).
 * - `Variables::Collection` (a variable whose value uses other variables): `$$` and `%%` are
 *   left untouched for the runner (`dollarEscape: 'keep'`).
 * - What a job finally sees, once the runner has turned `$$` into `$` (the default,
 *   `dollarEscape: 'unescape'`).
 * Variable names are `[A-Za-z_][A-Za-z0-9_]*`; shell forms like `${VAR:-x}` are not expanded
 * by GitLab and stay as they are.
 */
import type { ExprVars } from '../expressions/expressions.js';

export interface ExpandOptions {
  /** Leave references to undefined variables as written instead of removing them. */
  keepUndefined?: boolean;
  /** Meaning of `$$` (and of `%%` with `percent`): see the module comment. Default `'unescape'`. */
  dollarEscape?: 'unescape' | 'keep' | 'none';
  /** Also expand Windows-style `%VAR%`, as GitLab does. Off by default. */
  percent?: boolean;
}

export type VariableReadForm = 'plain' | 'braced' | 'default' | 'required' | 'alternate';

export interface VariableRead {
  name: string;
  /** Offsets into the text: from the `$` to just after the name or the closing `}`. */
  start: number;
  end: number;
  /** `$VAR`; `${VAR}` (also `${#VAR}`, `${VAR#x}`, … see `operator`); `${VAR:-x}` / `${VAR-x}` /
   *  `${VAR:=x}` / `${VAR=x}`; `${VAR:?msg}` / `${VAR?msg}`; `${VAR:+x}` / `${VAR+x}`. */
  form: VariableReadForm;
  /** The fallback word of a `default` read, as written. */
  default?: string;
  /** The message word of a `required` read, as written (may be empty). */
  required?: string;
  /** The word of an `alternate` read, as written. */
  alternate?: string;
  /** The parameter-expansion operator, e.g. `:-`, `?`, `#`, `%%`, `/`, `:` (substring),
   *  `#len` for `${#VAR}`, `!` for `${!VAR}`. Absent for `$VAR` and `${VAR}`. */
  operator?: string;
}

export interface FindReadsOptions {
  /** Follow shell quoting: nothing is read inside '…' or after a backslash. Off by default
   *  (GitLab itself expands variables regardless of quotes). */
  shell?: boolean;
}

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const NAME_RE = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * Expands `$VAR` and `${VAR}` (and `%VAR%` with `percent`) with values from `vars`.
 * `$$` becomes `$` unless `dollarEscape` says otherwise; undefined variables become ""
 * unless `keepUndefined`. One pass: expanded values are not expanded again.
 */
export function expandVariables(text: string, vars: ExprVars, opts: ExpandOptions = {}): string {
  if (!text.includes('$') && !(opts.percent && text.includes('%'))) return text;
  const escape = opts.dollarEscape ?? 'unescape';
  const alternatives: string[] = [];
  if (escape !== 'none') {
    alternatives.push('(\\$\\$)');
    if (opts.percent) alternatives.push('(%%)');
  }
  alternatives.push(`\\$(${NAME})`, `\\$\\{(${NAME})\\}`);
  if (opts.percent) alternatives.push(`%(${NAME})%`);
  const re = new RegExp(alternatives.join('|'), 'g');
  return text.replace(re, (match: string, ...groups: unknown[]) => {
    const caps = groups.slice(0, alternatives.length) as Array<string | undefined>;
    const escapeCount = escape !== 'none' ? (opts.percent ? 2 : 1) : 0;
    for (let k = 0; k < escapeCount; k++) {
      if (caps[k] !== undefined) return escape === 'keep' ? match : match[0];
    }
    const name = caps.slice(escapeCount).find((c) => c !== undefined)!;
    const value = Object.hasOwn(vars, name) ? vars[name] : undefined;
    if (typeof value === 'string') return value;
    return opts.keepUndefined ? match : '';
  });
}

/**
 * Every variable read in a shell-ish string, in text order (reads nested in a `${VAR:-…}` word
 * follow their outer read). `$$` is skipped (GitLab's escape, and the shell's PID), and so are
 * the shell specials `$1`, `$@`, `$?`, `$#`, `$*`, `$!`, `$-`, `$0`, `${1}`, ….
 */
export function findVariableReads(text: string, opts: FindReadsOptions = {}): VariableRead[] {
  const out: VariableRead[] = [];
  scan(text, 0, text.length, !!opts.shell, out);
  return out;
}

/**
 * With `shell`, quoting is followed as a POSIX shell does: '…' hides reads, except inside "…"
 * where a single quote is an ordinary character (`bash -c "x='$A'"` reads A); `$(…)` opens a new
 * quoting context inside "…", closed by its `)`.
 */
function scan(text: string, from: number, to: number, shell: boolean, out: VariableRead[]): void {
  let i = from;
  let dq = false;
  /** Open `$(` / `(` of command substitutions, with the double-quote state outside each. */
  const open: boolean[] = [];
  while (i < to) {
    const c = text[i];
    if (shell && c === '\\') {
      i += 2;
      continue;
    }
    if (shell && c === '"') {
      dq = !dq;
      i++;
      continue;
    }
    if (shell && c === "'" && !dq) {
      const close = text.indexOf("'", i + 1);
      i = close < 0 || close >= to ? to : close + 1;
      continue;
    }
    if (shell && (c === '(' ? !dq && open.length > 0 : c === '$' && text[i + 1] === '(')) {
      open.push(dq);
      dq = false;
      i += c === '$' ? 2 : 1;
      continue;
    }
    if (shell && c === ')' && !dq && open.length) {
      dq = open.pop()!;
      i++;
      continue;
    }
    if (c !== '$') {
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      i += 2;
      continue;
    }
    if (next === '{') {
      const read = parseBraced(text, i, to, shell, out);
      i = read ?? i + 2;
      continue;
    }
    const name = i + 1 < to ? matchName(text, i + 1) : undefined;
    if (name && !(shell && name === '_')) {
      const end = Math.min(i + 1 + name.length, to);
      out.push({ name: text.slice(i + 1, end), start: i, end, form: 'plain' });
      i = end;
      continue;
    }
    i++;
  }
}

function matchName(text: string, at: number): string | undefined {
  NAME_RE.lastIndex = at;
  const m = NAME_RE.exec(text);
  return m ? m[0] : undefined;
}

const WORD_OPERATORS = [':-', ':=', ':?', ':+', '-', '=', '?', '+', '##', '#', '%%', '%', '//', '/#', '/%', '/', '^^', '^', ',,', ',', ':', '@', '['];

/** Parses `${…}` starting at `start`; pushes the read(s) and returns the index after `}`,
 *  or undefined when it is not a variable read (shell special, bad substitution, no `}`). */
function parseBraced(text: string, start: number, to: number, shell: boolean, out: VariableRead[]): number | undefined {
  let j = start + 2;
  let prefixOp: string | undefined;
  if ((text[j] === '#' || text[j] === '!') && /[A-Za-z_]/.test(text[j + 1] ?? '')) {
    prefixOp = text[j] === '#' ? '#len' : '!';
    j++;
  }
  const name = matchName(text, j);
  if (!name || (shell && name === '_' && !prefixOp)) return undefined;
  const k = j + name.length;
  if (k >= to) return undefined;
  if (text[k] === '}') {
    out.push({ name, start, end: k + 1, form: 'braced', ...(prefixOp ? { operator: prefixOp } : {}) });
    return k + 1;
  }
  if (prefixOp) return undefined;
  const op = WORD_OPERATORS.find((o) => text.startsWith(o, k));
  if (!op) return undefined;
  const wordStart = k + op.length;
  const close = findClosingBrace(text, wordStart, to);
  if (close === undefined) return undefined;
  const word = text.slice(wordStart, close);
  const read: VariableRead = { name, start, end: close + 1, form: 'braced', operator: op };
  if (op === ':-' || op === '-' || op === ':=' || op === '=') {
    read.form = 'default';
    read.default = word;
  } else if (op === ':?' || op === '?') {
    read.form = 'required';
    read.required = word;
  } else if (op === ':+' || op === '+') {
    read.form = 'alternate';
    read.alternate = word;
  }
  out.push(read);
  scan(text, wordStart, close, shell, out);
  return close + 1;
}

/** The `}` closing a `${…}` word that starts at `from`, skipping nested `${…}`, quotes and
 *  backslash escapes. */
function findClosingBrace(text: string, from: number, to: number): number | undefined {
  let depth = 0;
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
    } else if (c === "'" || c === '"') {
      const close = text.indexOf(c, i + 1);
      if (close >= 0 && close < to) i = close; // an unpaired quote is just a character
    } else if (c === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (c === '}') {
      if (depth === 0) return i;
      depth--;
    }
  }
  return undefined;
}
