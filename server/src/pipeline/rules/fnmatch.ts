/**
 * Ruby's `File.fnmatch?(glob, path, FNM_PATHNAME | FNM_DOTMATCH | FNM_EXTGLOB)`, the matcher
 * GitLab uses for `rules:changes`, `rules:exists` and `only/except:changes`:
 * - `*` and `?` never cross a `/`; a leading `.` needs no special pattern (DOTMATCH);
 * - `**` then `/` at the start of a segment matches zero or more whole directories; `**`
 *   anywhere else is a plain `*` (so `docs/**` matches `docs/a.md` but not `docs/a/b.md`);
 * - `[abc]`, `[a-z]`, `[!a]` / `[^a]` match one character (never `/`); `[]` and an unclosed `[` match nothing;
 * - `{a,b}` alternatives (nested allowed) may hold wildcards themselves (EXTGLOB brace expansion);
 * - `\x` is a literal `x`. Paths and globs are compared as written: no `./` is stripped.
 */

const cache = new Map<string, RegExp[]>();

export function fnmatch(glob: string, path: string): boolean {
  let res = cache.get(glob);
  if (!res) {
    res = braceExpand(glob).map(toRegExp);
    if (cache.size > 500) cache.clear();
    cache.set(glob, res);
  }
  return res.some((re) => re.test(path));
}

/** `a{b,c{d,e}}f` → `abf`, `acdf`, `acef`; a `{` without its `}` stays literal. */
export function braceExpand(glob: string): string[] {
  let open = -1;
  for (let i = 0; i < glob.length; i++) {
    if (glob[i] === '\\') i++;
    else if (glob[i] === '{') {
      open = i;
      break;
    }
  }
  if (open < 0) return [glob];
  let depth = 0;
  const commas: number[] = [];
  let close = -1;
  for (let i = open; i < glob.length && close < 0; i++) {
    const c = glob[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) close = i;
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  if (close < 0) return [glob];
  const head = glob.slice(0, open);
  const tail = glob.slice(close + 1);
  const bounds = [open, ...commas, close];
  const out: string[] = [];
  for (let k = 0; k + 1 < bounds.length; k++) {
    out.push(...braceExpand(head + glob.slice(bounds[k] + 1, bounds[k + 1]) + tail));
  }
  return out;
}

function toRegExp(glob: string): RegExp {
  let re = '';
  let segmentStart = true;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (segmentStart && glob.startsWith('**/', i)) {
      re += '(?:[^/]*/)*';
      i += 2;
      continue; // still at a segment start: repeated double stars work too
    }
    segmentStart = false;
    if (c === '*') {
      while (glob[i + 1] === '*') i++;
      re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const b = bracket(glob, i);
      if (!b) return /(?!)/;
      re += b.re;
      i = b.end;
    } else if (c === '\\' && i + 1 < glob.length) {
      re += escape(glob[++i]);
    } else {
      re += escape(c);
      if (c === '/') segmentStart = true;
    }
  }
  return new RegExp(`^${re}$`, 's');
}

/** A `[...]` class starting at `start`: its regexp and the index of its `]`, or undefined when unclosed. */
function bracket(glob: string, start: number): { re: string; end: number } | undefined {
  let i = start + 1;
  let negate = false;
  if (glob[i] === '!' || glob[i] === '^') {
    negate = true;
    i++;
  }
  const parts: string[] = [];
  for (; i < glob.length; i++) {
    let c = glob[i];
    if (c === ']') {
      const body = parts.join('');
      return { re: negate ? `[^/${body}]` : `(?!/)[${body}]`, end: i };
    }
    if (c === '\\' && i + 1 < glob.length) c = glob[++i];
    if (glob[i + 1] === '-' && i + 2 < glob.length && glob[i + 2] !== ']') {
      let hi = glob[i + 2];
      i += 2;
      if (hi === '\\' && i + 1 < glob.length) hi = glob[++i];
      parts.push(`${classChar(c)}-${classChar(hi)}`);
    } else parts.push(classChar(c));
  }
  return undefined;
}

function classChar(c: string): string {
  return /[\\\]^-]/.test(c) ? `\\${c}` : c;
}

function escape(s: string): string {
  return s.replace(/[.+^$()|[\]\\{}*?/]/g, '\\$&');
}
