/** Offsets ↔ zero-based line/character positions in a text (UTF-16 code units, as LSP counts). */
export interface Position {
  line: number;
  character: number;
}

export class LineIndex {
  private starts: number[] = [0];

  constructor(readonly text: string) {
    // Line breaks as LSP counts them (and YAML): \n, \r\n, and a lone \r.
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) this.starts.push(i + 1);
    }
  }

  position(offset: number): Position {
    let o = Math.max(0, Math.min(offset, this.text.length));
    // Between the \r and \n of a line break is no position LSP has: the end of the line is.
    if (o > 0 && this.text.charCodeAt(o - 1) === 13 && this.text.charCodeAt(o) === 10) o--;
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo] };
  }

  offset(pos: Position): number {
    const start = this.starts[Math.min(Math.max(pos.line, 0), this.starts.length - 1)] ?? 0;
    return Math.min(start + Math.max(pos.character, 0), this.text.length);
  }
}
