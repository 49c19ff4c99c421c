/**
 * What GitLab's loader (Gitlab::Config::Loader::Yaml, MultiDocYaml) checks of a text before and
 * around parsing it: the raw size of each document in bytes, and an HTML page served where YAML was
 * expected.
 */
import { MAX_YAML_SIZE, megabytes } from './yaml-convert.js';

const PROVIDED_TOO_BIG = 'The provided YAML is too big';
/** Gitlab::Config::Loader::MultiDocYaml's cut: `config.split(/^---\s+/, max_documents + 1)`. */
const RUBY_DIVIDER = /^---\s+/gm;

/**
 * Gitlab::Config::Loader::Yaml's check before parsing (`content_too_large?`): each piece
 * MultiDocYaml cuts the text into (at most three, at lines starting with `---`) may hold at most
 * `max_yaml_size_bytes` bytes of UTF-8. Undefined when none is over; else the piece's size and
 * where in the text its bytes cross the limit. Costs nothing below a third of the limit in UTF-16
 * units (a unit is at most 3 bytes), one native byte count up to the limit of bytes.
 */
export function rawTooBig(text: string): { bytes: number; at: number; whole: boolean } | undefined {
  if (text.length <= MAX_YAML_SIZE / 3) return undefined;
  if (Buffer.byteLength(text, 'utf8') <= MAX_YAML_SIZE) return undefined;
  const pieces: { start: number; end: number }[] = [];
  let start = 0;
  RUBY_DIVIDER.lastIndex = 0;
  for (let m: RegExpExecArray | null; pieces.length < 2 && (m = RUBY_DIVIDER.exec(text)); ) {
    // A leading divider leaves an empty first piece, as in Ruby (MultiDocYaml drops it, blank).
    pieces.push({ start, end: m.index });
    start = m.index + m[0].length;
  }
  pieces.push({ start, end: text.length });
  for (const piece of pieces) {
    const slice = text.slice(piece.start, piece.end);
    const bytes = pieces.length === 1 ? Buffer.byteLength(text, 'utf8') : Buffer.byteLength(slice, 'utf8');
    if (bytes <= MAX_YAML_SIZE) continue;
    // Where the piece's bytes pass the limit (only for a text rejected: one pass over it).
    let n = 0;
    let i = piece.start;
    for (; i < piece.end; i++) {
      const c = text.charCodeAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdfff ? 2 : 3;
      if (n > MAX_YAML_SIZE) break;
    }
    return { bytes, at: Math.min(i, text.length - 1), whole: pieces.length === 1 };
  }
  return undefined;
}

/** The "provided YAML is too big" error of a text `rawTooBig` refused. */
export function rawTooBigMessage(tooBig: { bytes: number; whole: boolean }): string {
  const what = tooBig.whole ? 'the file holds' : 'this YAML document holds';
  return `${PROVIDED_TOO_BIG}: ${what} ${megabytes(tooBig.bytes)} of text, more than GitLab's limit of ${megabytes(MAX_YAML_SIZE)} (max_yaml_size_bytes); it is not read`;
}

/** Gitlab::Config::Loader::Yaml#html_content?: its first 512 characters hold `<!doctype html` or `<html`, in any case. */
export function htmlContent(text: string): boolean {
  const prefix = text.slice(0, 512).toLowerCase();
  return prefix.includes('<!doctype html') || prefix.includes('<html');
}
