/**
 * Variables a shell script assigns itself (`export X=...`, `X=...`, `for X in`, `read X`, ...)
 * and from which offset of the script line each is in effect: reads of them after that are the
 * script's own, not reads of the pipeline's variables (variable-reads.ts).
 */
export interface ShellAssignment {
  name: string;
  /** Offset in the script item from which the assignment is in effect (after its command). */
  from: number;
}

const WORD_END = /[\s;|&\n]/;

/** Skips one shell word starting at `i` (quotes, `$(…)`, `${…}` and backslashes kept together). */
function skipWord(text: string, i: number): number {
  let depth = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else if (c === "'" || c === '"') {
      const close = text.indexOf(c, i + 1);
      i = close < 0 ? text.length : close + 1;
    } else if (c === '(' || (c === '{' && text[i - 1] === '$')) {
      depth++;
      i++;
    } else if (c === ')' || (c === '}' && depth > 0)) {
      if (depth === 0) return i;
      depth--;
      i++;
    } else if (depth === 0 && WORD_END.test(c)) return i;
    else i++;
  }
  return i;
}

function commandEnd(text: string, i: number): number {
  for (let k = i; k < text.length; k++) {
    const c = text[k];
    if (c === ';' || c === '\n' || c === '|' || c === '&') return k + 1;
  }
  return text.length;
}

const KEYWORD = /(?:then|do|else|elif|if|while|until|time|!)\s+/y;
const DECLARE = /(?:export|local|readonly|declare|typeset)(?:\s+-[A-Za-z]+)*\s+/y;
const LOOP = /(?:for|select)\s+([A-Za-z_][A-Za-z0-9_]*)\b/y;
const READ = /read\b/y;
const ASSIGN = /([A-Za-z_][A-Za-z0-9_]*)(?:\[[^\]]*\])?\+?=/y;

function sticky(re: RegExp, text: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(text);
}

const assignmentCache = new Map<string, ShellAssignment[]>();
const ASSIGNMENT_CACHE_SIZE = 20_000;

/** Variables a shell snippet assigns, each with the offset from which it is set. */
export function shellAssignments(text: string): ShellAssignment[] {
  let out = assignmentCache.get(text);
  if (!out) {
    if (assignmentCache.size >= ASSIGNMENT_CACHE_SIZE) assignmentCache.clear();
    assignmentCache.set(text, (out = scanAssignments(text)));
  }
  return out;
}

function scanAssignments(text: string): ShellAssignment[] {
  const out: ShellAssignment[] = [];
  if (!text.includes('=') && !/\b(?:for|select|read)\b/.test(text)) return out;
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (';\n|&({`'.includes(text[i])) starts.push(i + 1);
  for (const s of starts) {
    let i = s;
    while (text[i] === ' ' || text[i] === '\t') i++;
    for (let m = sticky(KEYWORD, text, i); m; m = sticky(KEYWORD, text, i)) i += m[0].length;
    const loop = sticky(LOOP, text, i);
    if (loop) {
      out.push({ name: loop[1], from: commandEnd(text, i) });
      continue;
    }
    if (sticky(READ, text, i)) {
      const end = commandEnd(text, i);
      const words = text.slice(i + 4, end).split(/[\s;|&]+/).filter(Boolean);
      words.forEach((w, k) => {
        if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(w) && !/^-[pdtnNu]$/.test(words[k - 1] ?? '')) out.push({ name: w, from: end });
      });
      continue;
    }
    const decl = sticky(DECLARE, text, i);
    if (decl) i += decl[0].length;
    for (let m = sticky(ASSIGN, text, i); m; m = sticky(ASSIGN, text, i)) {
      const valueEnd = skipWord(text, i + m[0].length);
      out.push({ name: m[1], from: commandEnd(text, valueEnd) });
      i = valueEnd;
      while (text[i] === ' ' || text[i] === '\t') i++;
    }
  }
  return out;
}
