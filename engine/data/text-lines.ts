/**
 * Cuts streamed text into lines (CRLF or LF), whatever the chunk boundaries: the part of a line a
 * chunk ends inside waits for the next chunk. Fixed-width and tab-delimited readers share it.
 */
export class TextLines {
  private pending = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(text: string): void {
    const data = this.pending.length > 0 ? this.pending + text : text;
    let start = 0;
    for (;;) {
      const newline = data.indexOf('\n', start);
      if (newline < 0) break;
      const end = newline > start && data.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      this.onLine(data.slice(start, end));
      start = newline + 1;
    }
    this.pending = start === 0 ? data : data.slice(start);
  }

  /** Reads the last line when the text does not end with a line break. */
  end(): void {
    if (this.pending.length === 0) return;
    const last = this.pending.charCodeAt(this.pending.length - 1) === 13 ? this.pending.slice(0, -1) : this.pending;
    this.pending = '';
    this.onLine(last);
  }
}
