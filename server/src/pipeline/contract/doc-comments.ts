/**
 * Doc comments of a preset library: the `#` block directly above a key (a template job, a
 * variable) and the block at the top of a file, with their `@required NAME: text` /
 * `@optional NAME: text` tags. Works on the raw text (the YAML tree has no comments).
 *
 * A tag is `# @required NAME: text` with at most one space after `#`: an indented
 * `#   @required NAME: text` is prose that shows the syntax, not a tag.
 */
import type { Span } from '../model.js';

export interface DocTag {
  kind: 'required' | 'optional';
  name: string;
  description: string;
  span: Span;
}

export interface DocComment {
  /** The comment's text without the `#` markers, lines joined with `\n`. */
  text: string;
  tags: DocTag[];
  /** From the first `#` of the block to the end of its last line. */
  span: Span;
}

interface Line {
  start: number;
  end: number;
  text: string;
}

const TAG_RE = /^#[ \t]?@(required|optional)\s+([A-Za-z_][A-Za-z0-9_]*)\s*:?\s*(.*)$/;
const COMMENT_RE = /^\s*#/;

function lineAt(text: string, offset: number): Line {
  const start = text.lastIndexOf('\n', Math.max(0, offset - 1)) + 1;
  let end = text.indexOf('\n', offset);
  if (end < 0) end = text.length;
  return { start, end, text: text.slice(start, end).replace(/\r$/, '') };
}

/** Does the line starting at `at` hold a comment after its indentation? */
function startsWithComment(text: string, at: number): boolean {
  let i = at;
  while (text[i] === ' ' || text[i] === '\t') i++;
  return text[i] === '#';
}

function indentOf(line: Line): number {
  return line.text.length - line.text.trimStart().length;
}

function previousLine(text: string, line: Line): Line | undefined {
  if (line.start === 0) return undefined;
  return lineAt(text, line.start - 1);
}

function nextLine(text: string, line: Line): Line | undefined {
  if (line.end >= text.length) return undefined;
  return lineAt(text, line.end + 1);
}

/** The comment lines as a DocComment (lines in text order). */
function build(uri: string, lines: Line[]): DocComment | undefined {
  if (!lines.length) return undefined;
  const tags: DocTag[] = [];
  const body: string[] = [];
  for (const l of lines) {
    const trimmed = l.text.trim();
    const hash = l.start + l.text.indexOf('#');
    const m = TAG_RE.exec(trimmed);
    if (m) {
      tags.push({
        kind: m[1] as DocTag['kind'],
        name: m[2],
        description: m[3].trim(),
        span: { uri, start: hash, end: l.start + l.text.trimEnd().length },
      });
    }
    body.push(trimmed.replace(/^#+ ?/, ''));
  }
  const first = lines[0];
  const last = lines[lines.length - 1];
  return {
    text: body.join('\n').trim(),
    tags,
    span: { uri, start: first.start + first.text.indexOf('#'), end: last.start + last.text.trimEnd().length },
  };
}

/**
 * The comment block directly above the key at `keyOffset` (no blank line in between). When there
 * is none, the comment lines that open the key's block (`job:\n  # text`) are taken instead.
 */
export function docCommentAbove(uri: string, text: string, keyOffset: number): DocComment | undefined {
  if (keyOffset < 0 || keyOffset > text.length) return undefined;
  // Most keys have no comment on the line above or below: said without building lines (thousands of jobs per analysis).
  const lineStart = text.lastIndexOf('\n', keyOffset - 1) + 1;
  const lineEnd = text.indexOf('\n', keyOffset);
  if (!(lineStart > 0 && startsWithComment(text, text.lastIndexOf('\n', lineStart - 2) + 1)) && !(lineEnd >= 0 && startsWithComment(text, lineEnd + 1))) return undefined;
  const keyLine = lineAt(text, keyOffset);
  const keyIndent = indentOf(keyLine);
  const above: Line[] = [];
  // A comment indented deeper than the key closes the previous block; it does not document this key.
  for (let l = previousLine(text, keyLine); l && COMMENT_RE.test(l.text) && indentOf(l) <= keyIndent; l = previousLine(text, l)) above.unshift(l);
  if (above.length) return build(uri, above);
  const inside: Line[] = [];
  for (let l = nextLine(text, keyLine); l && COMMENT_RE.test(l.text); l = nextLine(text, l)) {
    if (indentOf(l) <= keyIndent) break;
    inside.push(l);
  }
  return build(uri, inside);
}

/**
 * The comment block at the top of a file (after blank lines, a `%YAML`/`---` marker or, for a file
 * with a `spec:` header, after the header's `---`), up to the first line that is not a comment.
 */
export function fileHeaderComment(uri: string, text: string): DocComment | undefined {
  const first = collectFrom(text, 0);
  if (first.length) return build(uri, first);
  // A spec header first: the preset's description follows the document separator.
  const sep = /^---[ \t]*(?:#.*)?$/m.exec(text);
  if (sep && /^spec\s*:/m.test(text.slice(0, sep.index))) {
    const after = collectFrom(text, sep.index + sep[0].length + 1);
    if (after.length) return build(uri, after);
  }
  return undefined;
}

function collectFrom(text: string, offset: number): Line[] {
  const lines: Line[] = [];
  let l: Line | undefined = offset < text.length ? lineAt(text, offset) : undefined;
  // Skip blank lines and document markers before the block.
  while (l && (l.text.trim() === '' || /^(?:---|%YAML|%TAG)/.test(l.text.trim())) && !lines.length) l = nextLine(text, l);
  while (l && COMMENT_RE.test(l.text)) {
    lines.push(l);
    l = nextLine(text, l);
  }
  return lines;
}

/** The `(default: X)` a tag's description gives, if any. */
export function tagDefault(description: string): string | undefined {
  const m = /\(default:\s*([^)]*)\)/i.exec(description);
  return m ? m[1].trim() : undefined;
}
