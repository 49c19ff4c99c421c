/**
 * Where the `yaml` package ends its nodes, from the text alone: a scalar's line end (its comment and
 * line break), an empty value, a block collection's trailing comment lines, a flow collection's
 * closing bracket, a block scalar's header and last line. The two fast front ends (yaml-events.ts,
 * block-yaml.ts) place their nodes with these, so both give the package's spans; where the package's
 * choice is not certain they throw `NOT_SURE` and the caller steps aside.
 */

/** Thrown where a front end is not sure; one object, as no stack is wanted. */
export const NOT_SURE = new Error('not sure');
export const unsure = (): never => {
  throw NOT_SURE;
};

/** Past the spaces and tabs at `pos`. */
export function blanks(t: string, pos: number): number {
  let i = pos;
  while (t.charCodeAt(i) === 32 || t.charCodeAt(i) === 9) i++;
  return i;
}

/** Past spaces, a comment and one line break after `pos`. */
export function lineEnd(t: string, pos: number): number {
  let i = blanks(t, pos);
  if (i > pos && t.charCodeAt(i) === 35 /* # */) {
    while (i < t.length && t.charCodeAt(i) !== 10 && t.charCodeAt(i) !== 13) i++;
  }
  if (t.charCodeAt(i) === 13 && t.charCodeAt(i + 1) === 10) return i + 2;
  if (t.charCodeAt(i) === 10) return i + 1;
  return i;
}

/** Just past a key's `:` that follows `pos` on the same line, and the blanks after it. */
export function afterColon(t: string, pos: number): number | undefined {
  const i = blanks(t, pos);
  return t.charCodeAt(i) === 58 /* : */ ? blanks(t, i + 1) : undefined;
}

/** Where an empty value's node ends: right where it is, when a content line follows (else not placed here). */
export function emptyEnd(t: string, pos: number): number {
  // A comment on its line, the end of the text, a blank or a comment line below: not placed here.
  if (t.charCodeAt(pos) === 35) unsure();
  const next = nextLine(t, pos);
  if (next >= t.length) {
    if (pos < t.length && t.slice(pos).trim() !== '') unsure();
    return pos;
  }
  if (/^[ \t]*(?:#|\r?\n|$)/.test(t.slice(next, t.indexOf('\n', next) + 1 || t.length))) unsure();
  return pos;
}

/** The start of the line after the one `pos` is on (the text's length on the last line). */
export function nextLine(t: string, pos: number): number {
  const nl = t.indexOf('\n', pos);
  return nl < 0 ? t.length : nl + 1;
}

/**
 * A block collection ending at `end` (just past its last item's line) and blank or comment lines
 * below it: the `yaml` package keeps them in the collection's node when it is indented and one of
 * those comments is at least as indented as the collection — up to the next line's first
 * character. A comment more indented than that is the last item's own: not placed here.
 */
export function trailingComments(t: string, start: number, end: number): number {
  const indent = start - (t.lastIndexOf('\n', start - 1) + 1);
  if (end >= t.length || (end > 0 && t.charCodeAt(end - 1) !== 10)) return end;
  let keeps = false;
  let first = true;
  let line = end;
  for (;;) {
    let i = line;
    while (t.charCodeAt(i) === 32) i++;
    const c = t.charCodeAt(i);
    if (c === 9) unsure();
    if (i >= t.length) return keeps ? t.length : end;
    if (c === 35) {
      if (first && i - line > indent) unsure();
      first = false;
      // A top-level collection leaves them to the document.
      if (indent > 0 && i - line >= indent) keeps = true;
    } else if (c !== 10 && c !== 13) return keeps ? i : end;
    line = nextLine(t, i);
    if (line >= t.length) return keeps ? t.length : end;
  }
}

/** A flow collection's closing bracket, at or after `pos`; the offset just past it. */
export function closing(t: string, pos: number, bracket: number): number {
  for (let i = pos; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === bracket) return i + 1;
    if (c === 35) {
      while (i < t.length && t.charCodeAt(i) !== 10) i++;
    } else if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 44) return unsure();
  }
  return unsure();
}

/** A block scalar's `|` or `>` on the line before its content. */
export function blockHeader(t: string, valueStart: number): number {
  let lineEnd = valueStart - 1;
  if (t.charCodeAt(lineEnd) !== 10) unsure();
  if (t.charCodeAt(lineEnd - 1) === 13) lineEnd--;
  const lineStart = t.lastIndexOf('\n', lineEnd - 1) + 1;
  const m = /(^|[ \t])([|>][-+0-9]*)[ \t]*(?:[ \t]#.*)?$/.exec(t.slice(lineStart, lineEnd));
  if (!m) return unsure();
  return lineStart + m.index + m[1].length;
}

/** A block scalar ends after its last line that holds more than spaces. */
export function blockEnd(t: string, valueStart: number, valueEnd: number): number {
  let end = valueEnd;
  while (end > valueStart) {
    // The line ending just before `end`.
    let lineEnd = end;
    if (t.charCodeAt(lineEnd - 1) === 10) lineEnd--;
    if (t.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    const lineStart = t.lastIndexOf('\n', lineEnd - 1) + 1;
    if (lineStart < valueStart) break;
    if (/[^ \t]/.test(t.slice(lineStart, lineEnd))) break;
    if (lineStart === end) break;
    end = lineStart;
  }
  return end;
}
