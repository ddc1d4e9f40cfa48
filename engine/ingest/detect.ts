import type { InputFormat } from './types.js';
import { BACKSLASH, CHAR_CLASS, C_CLOSE, C_OPEN, C_OTHER, C_QUOTE, C_WS, LF, OPEN_BRACKET, QUOTE, UTF8_BOM, isLineSpace } from './syntax.js';

export type InputLayout = 'ndjson' | 'array' | 'documents';

/**
 * Format detection, by content (never by file name):
 *
 * 1. Skip a UTF-8 BOM and any leading whitespace (blank lines included).
 * 2. First character `[` → `json` (an array of claims).
 * 3. Otherwise scan the first value of the first non-blank line, tracking string/escape state
 *    and `{}`/`[]` depth. If it is complete before the line ends (or the input ends) and nothing
 *    but whitespace follows it on that line → `ndjson`. The value only needs to be balanced,
 *    not valid: `{"a": }` on its own line still makes the input NDJSON, with that line a
 *    malformed claim. A compact single object is therefore an NDJSON file of one line.
 * 4. Otherwise → `json` documents: one or more top-level values, each one claim (a
 *    pretty-printed object, several concatenated objects, ...).
 *
 * Well-formed NDJSON also splits correctly as documents, so the choice only matters for how
 * malformed text is grouped into claims.
 */
export interface Detection {
  format: InputFormat;
  /** `array` and `documents` are the two kinds of `json` input. */
  layout: InputLayout;
  /** 1-based line where `head` starts: the first line with content. */
  startLine: number;
  /**
   * The bytes read so far, from the start of the first line with content (after the BOM when
   * it is line 1) to the end of the last piece read. Views into the pieces, not copies.
   */
  head: Uint8Array[];
}

const enum Phase {
  /** Matching the UTF-8 BOM at offset 0. */
  Bom,
  /** Skipping leading whitespace. */
  Lead,
  /** Inside the first value, between strings. */
  Value,
  /** Inside a string of the first value. */
  String,
  /** Inside a bare token (number, literal, garbage). */
  Bare,
  /** After the first value, looking for the end of its line. */
  After,
}

/** Incremental format detector: feed it pieces until it returns a {@link Detection}. */
export class FormatDetector {
  private phase = Phase.Bom;
  private bomMatched = 0;
  private line = 1;
  private depth = 0;
  private escape = false;
  private head: Uint8Array[] = [];

  /** Feeds the next piece; returns the detection once the format is known. */
  push(piece: Uint8Array): Detection | undefined {
    let headStart = 0;
    const n = piece.length;
    for (let i = 0; i < n; i++) {
      const b = piece[i]!;
      switch (this.phase) {
        case Phase.Bom:
          if (b === UTF8_BOM[this.bomMatched]) {
            if (++this.bomMatched === UTF8_BOM.length) {
              this.phase = Phase.Lead;
              this.head = [];
              headStart = i + 1;
            }
            continue;
          }
          if (this.bomMatched === 0) {
            this.phase = Phase.Lead;
          } else {
            // Not a BOM after all: the bytes matched so far are the start of a bare token.
            this.phase = Phase.Bare;
          }
          i--; // look at this byte again in the new phase
          continue;
        case Phase.Lead: {
          if (b === LF) {
            this.line++;
            this.head = [];
            headStart = i + 1;
            continue;
          }
          const cls = CHAR_CLASS[b]!;
          if (cls === C_WS) continue;
          if (b === OPEN_BRACKET) return this.decide('array', piece, headStart);
          if (cls === C_OPEN) {
            this.phase = Phase.Value;
            this.depth = 1;
          } else if (cls === C_QUOTE) {
            this.phase = Phase.String;
            this.depth = 0;
          } else {
            this.phase = Phase.Bare;
          }
          continue;
        }
        case Phase.Value:
          if (b === LF) return this.decide('documents', piece, headStart);
          if (b === QUOTE) this.phase = Phase.String;
          else if (CHAR_CLASS[b] === C_OPEN) this.depth++;
          else if (CHAR_CLASS[b] === C_CLOSE && --this.depth === 0) this.phase = Phase.After;
          continue;
        case Phase.String:
          if (b === LF) return this.decide('documents', piece, headStart);
          if (this.escape) this.escape = false;
          else if (b === BACKSLASH) this.escape = true;
          else if (b === QUOTE) this.phase = this.depth > 0 ? Phase.Value : Phase.After;
          continue;
        case Phase.Bare: {
          const cls = CHAR_CLASS[b]!;
          if (cls === C_OTHER) continue;
          if (cls !== C_WS) return this.decide('documents', piece, headStart);
          this.phase = Phase.After;
          i--;
          continue;
        }
        case Phase.After:
          if (b === LF) return this.decide('ndjson', piece, headStart);
          if (isLineSpace(b)) continue;
          return this.decide('documents', piece, headStart);
      }
    }
    if (headStart < n) this.head.push(headStart === 0 ? piece : piece.subarray(headStart));
    return undefined;
  }

  /** Call at the end of the input; undefined when the input holds nothing but whitespace. */
  finish(): Detection | undefined {
    switch (this.phase) {
      case Phase.Lead:
        return undefined;
      case Phase.Bom:
        return this.bomMatched === 0 ? undefined : this.result('ndjson');
      case Phase.Bare:
      case Phase.After:
        return this.result('ndjson');
      case Phase.Value:
      case Phase.String:
        // Cut short inside the first value: documents mode reports it as a truncated claim.
        return this.result('documents');
    }
  }

  private decide(layout: InputLayout, piece: Uint8Array, headStart: number): Detection {
    if (headStart < piece.length) this.head.push(headStart === 0 ? piece : piece.subarray(headStart));
    return this.result(layout);
  }

  private result(layout: InputLayout): Detection {
    const format: InputFormat = layout === 'ndjson' ? 'ndjson' : 'json';
    const detection: Detection = { format, layout, startLine: this.line, head: this.head };
    this.head = [];
    return detection;
  }
}

/** Detects the format of an input from its first bytes (the whole input, or enough of it). */
export function detectFormat(bytes: Uint8Array): InputFormat | undefined {
  const detector = new FormatDetector();
  return (detector.push(bytes) ?? detector.finish())?.format;
}
