/**
 * One part file of an NCCI procedure-to-procedure (PTP) table, as CMS publishes it: tab-delimited
 * text, CRLF line ends (LF is read too), a preamble of a few lines (a copyright notice, a title,
 * the column header wrapped over several lines), then one edit a line, 7 fields:
 *
 *   column 1 code  column 2 code  *|empty  effective YYYYMMDD  deletion YYYYMMDD|*  0|1|9  rationale
 *
 * The data starts at the first line whose first field is a HCPCS/CPT code, or that has 7 fields
 * with an 8-digit fourth field (a data row with a bad code). From there on every line is a row
 * and every malformed row is reported with its line and column, never skipped; blank lines are
 * allowed only at the end. The caller refuses the file as a whole when there is any problem.
 *
 * The reader works on bytes, not on decoded text: one pass over each line finds its tabs and
 * hashes its rationale, fields are checked in place, and a rationale becomes a string only the
 * first time it is seen. Rows go into a PtpRowSet (typed arrays), which several files can share.
 */
import type { RowProblem } from '../problems.js';
import type { SourceFile } from '../types.js';
import { CODE_LENGTH, CODE_SHAPES, codeNumberOfBytes } from './codes.js';
import { MAX_YEAR, MIN_YEAR, NOT_A_CALENDAR_DATE, NOT_EIGHT_DIGITS, compactOfDay, dayOfCompactBytes } from './dates.js';
import { FNV1A_OFFSET, FNV1A_PRIME, PRIOR_TO_1996, PtpRowSet } from './rows.js';
import { streamSourceFile } from '../source-file.js';

export type { RowProblem };

export interface PtpFileContent {
  /** The row set the rows were added to (shared when the caller passed one). */
  rows: PtpRowSet;
  /** Rows this file added: every data row without problems. */
  rowsRead: number;
  /** Every problem found; the file is usable only when there is none. */
  problems: RowProblem[];
  /** Lines read, preamble and blank trailing lines included. */
  lines: number;
  /** The 1-based line of the first data row; 0 when there is none. */
  firstDataLine: number;
}

export interface ParsedPtpFile extends PtpFileContent {
  /** The file as read: its name (no directory), sha256 and size, for the release manifest. */
  source: SourceFile;
}

/** A preamble is about six lines; a file with more lines before its first row is not a PTP file. */
export const MAX_PREAMBLE_LINES = 20;

const FIELDS = 7;
const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const STAR = 42;
const ZERO = 48;
const ONE = 49;
const NINE = 57;
const FIELD_LIST = 'column 1 code, column 2 code, prior-to-1996 mark, effective date, deletion date, modifier indicator, rationale';
const SHOWN_CHARACTERS = 40;

function toBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/**
 * Reads a PTP file pushed in chunks of bytes (any split, even inside a character or between a CR
 * and its LF). `end()` returns the rows and every problem.
 */
export class PtpFileParser {
  readonly file: string;
  readonly rows: PtpRowSet;
  private readonly fileIndex: number;
  private readonly rowsBefore: number;
  private readonly problems: RowProblem[] = [];
  private pending: Buffer | undefined;
  private lineNumber = 0;
  private started = false;
  private ended = false;
  private preambleLines = 0;
  private firstDataLine = 0;
  /** Blank lines after the data started, not yet followed by a row: fine at the end, a problem before a row. */
  private blankLines: number[] = [];

  // The line being read, as the scan left it.
  private data: Buffer = Buffer.alloc(0);
  private lineStart = 0;
  private line = 0;
  /** Positions of the line's first 7 tabs, and how many tabs it has. */
  private readonly tabs = new Int32Array(FIELDS);
  private tabCount = 0;
  /** Start and end of each field of the row being checked. */
  private readonly bounds = new Int32Array(2 * FIELDS);
  /** FNV-1a of the bytes after the 6th tab (the rationale, when the line has 7 fields). */
  private rationaleHash = 0;
  /** Position of a carriage return that does not end the line, or -1. */
  private strayCarriageReturn = -1;

  constructor(file: string, rows: PtpRowSet = new PtpRowSet()) {
    this.file = file;
    this.rows = rows;
    this.fileIndex = rows.addFile(file);
    this.rowsBefore = rows.length;
  }

  push(chunk: Uint8Array): void {
    if (this.ended) throw new Error('PtpFileParser: push after end');
    let data = toBuffer(chunk);
    let from = 0;
    const pending = this.pending;
    if (pending !== undefined) {
      this.pending = undefined;
      // Join the unfinished line with its end only, not with the whole chunk.
      const lineFeed = this.started ? data.indexOf(LF) : -1;
      if (lineFeed < 0) data = Buffer.concat([pending, data]);
      else {
        this.scanLines(Buffer.concat([pending, data.subarray(0, lineFeed + 1)]), 0, false);
        from = lineFeed + 1;
      }
    }
    // Wait for 3 bytes to tell a byte order mark from data.
    if (!this.started && data.length < 3) {
      this.pending = data;
      return;
    }
    if (!this.started) from = this.startOf(data);
    const done = this.scanLines(data, from, false);
    if (done < data.length) this.pending = data.subarray(done);
  }

  end(): PtpFileContent {
    if (!this.ended) {
      this.ended = true;
      const rest = this.pending;
      this.pending = undefined;
      if (rest !== undefined && rest.length > 0) this.scanLines(rest, this.startOf(rest), true);
      if (this.firstDataLine === 0 && this.problems.length === 0) {
        this.problems.push({
          file: this.file,
          line: 1,
          column: 1,
          message:
            this.lineNumber === 0
              ? 'no rows: the file is empty'
              : `no rows: none of the ${this.lineNumber} lines is a PTP edit (a data row starts with a HCPCS/CPT code and has 7 tab-separated fields: ${FIELD_LIST})`,
        });
      }
      this.problems.sort((a, b) => a.line - b.line || a.column - b.column);
      this.data = Buffer.alloc(0);
    }
    return { rows: this.rows, rowsRead: this.rows.length - this.rowsBefore, problems: this.problems, lines: this.lineNumber, firstDataLine: this.firstDataLine };
  }

  /** Where the text starts: after a UTF-8 byte order mark at the start of the file. */
  private startOf(data: Buffer): number {
    if (this.started) return 0;
    this.started = true;
    return data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? 3 : 0;
  }

  /**
   * Reads every complete line of `data` from `from` (and the last one too when `atEnd`); returns
   * where the unread rest starts. One pass a line: tabs, line end, stray CR, rationale hash.
   */
  private scanLines(data: Buffer, from: number, atEnd: boolean): number {
    const n = data.length;
    const tabs = this.tabs;
    let start = from;
    while (start < n) {
      let tabCount = 0;
      let hash = FNV1A_OFFSET;
      let stray = -1;
      let i = start;
      for (; i < n; i++) {
        const c = data[i] as number;
        if (c <= CR) {
          if (c === LF) break;
          if (c === TAB) {
            if (tabCount < FIELDS) tabs[tabCount] = i;
            tabCount++;
            hash = FNV1A_OFFSET;
            continue;
          }
          if (c === CR) {
            // A CR that ends the line (or the file) is the line end; a CR at the end of a chunk is
            // decided when the line is scanned again with the next chunk.
            if (i + 1 === n || data[i + 1] === LF) continue;
            if (stray < 0) stray = i;
          }
        }
        hash = Math.imul(hash ^ c, FNV1A_PRIME);
      }
      if (i === n && !atEnd) break;
      this.data = data;
      this.tabCount = tabCount;
      this.rationaleHash = hash;
      this.strayCarriageReturn = stray;
      this.readLine(start, i);
      start = i + 1;
    }
    return Math.min(start, n);
  }

  private readLine(start: number, lineFeed: number): void {
    const data = this.data;
    const end = lineFeed > start && data[lineFeed - 1] === CR ? lineFeed - 1 : lineFeed;
    const line = ++this.lineNumber;
    this.line = line;
    this.lineStart = start;
    if (isBlank(data, start, end)) {
      if (this.firstDataLine > 0) this.blankLines.push(line);
      return;
    }
    if (this.firstDataLine === 0) {
      if (!this.looksLikeRow(start, end)) {
        if (++this.preambleLines <= MAX_PREAMBLE_LINES) return;
        this.problem(
          start,
          `no data row in the first ${MAX_PREAMBLE_LINES} lines: a PTP file has a preamble of a few lines, then rows that start with a HCPCS/CPT code and have 7 tab-separated fields (${FIELD_LIST}); this line and the ones after it are read as rows`,
        );
      }
      this.firstDataLine = line;
    }
    if (this.blankLines.length > 0) {
      for (const blank of this.blankLines) {
        this.problems.push({ file: this.file, line: blank, column: 1, message: 'blank line between rows (only the end of the file may have blank lines)' });
      }
      this.blankLines = [];
    }
    this.readRow(start, end);
  }

  /** Whether a line before the data is the first data row (see the file comment). */
  private looksLikeRow(start: number, end: number): boolean {
    const firstEnd = this.tabCount > 0 ? (this.tabs[0] as number) : end;
    if (firstEnd - start === CODE_LENGTH && codeNumberOfBytes(this.data, start) >= 0) return true;
    if (this.tabCount !== FIELDS - 1) return false;
    const dateStart = (this.tabs[2] as number) + 1;
    return (this.tabs[3] as number) - dateStart === 8 && dayOfCompactBytes(this.data, dateStart) !== NOT_EIGHT_DIGITS;
  }

  /** Checks every field of a data row; adds the row when it has no problem. */
  private readRow(start: number, end: number): void {
    const data = this.data;
    const tabs = this.tabs;
    const tabCount = this.tabCount;
    const before = this.problems.length;
    if (this.strayCarriageReturn >= 0) this.problem(this.strayCarriageReturn, 'carriage return inside the line: line ends must be CRLF or LF');
    if (tabCount !== FIELDS - 1) {
      this.problem(tabCount > FIELDS - 1 ? (tabs[FIELDS - 1] as number) : end, `expected 7 tab-separated fields (${FIELD_LIST}), found ${tabCount + 1}`);
    }
    // Start and end of each field the line has (fields after the 7th are not read).
    const fields = Math.min(tabCount + 1, FIELDS);
    const bounds = this.bounds;
    for (let k = 0; k < fields; k++) {
      bounds[2 * k] = k === 0 ? start : (tabs[k - 1] as number) + 1;
      bounds[2 * k + 1] = k < tabCount ? (tabs[k] as number) : end;
    }

    const column1 = this.code(this.from(0), this.to(0), 'column 1');
    const column2 = fields > 1 ? this.code(this.from(1), this.to(1), 'column 2') : -1;

    let flags = 0;
    if (fields > 2) {
      const a = this.from(2);
      const b = this.to(2);
      if (b - a === 1 && data[a] === STAR) flags |= PRIOR_TO_1996;
      else if (b !== a) this.problem(a, `column 3 must be "*" (the edit existed before 1996) or empty, found ${this.show(a, b)}`);
    }

    const effective = fields > 3 ? this.date(this.from(3), this.to(3), 'effective date', '') : -1;

    let deleted = 0;
    if (fields > 4) {
      const a = this.from(4);
      const b = this.to(4);
      if (!(b - a === 1 && data[a] === STAR)) {
        deleted = this.date(a, b, 'deletion date', ', or "*" while the edit is active');
        if (deleted >= 0 && effective >= 0 && deleted < effective) {
          this.problem(
            a,
            `the deletion date ${compactOfDay(deleted)} is before the effective date ${compactOfDay(effective)}: expected a deletion date on or after the effective date (the same date when the edit was deleted retroactively)`,
          );
        }
      }
    }

    if (fields > 5) {
      const a = this.from(5);
      const b = this.to(5);
      const c = data[a];
      if (b - a === 1 && (c === ZERO || c === ONE || c === NINE)) flags |= c === NINE ? 2 : c - ZERO;
      else {
        this.problem(
          a,
          `the modifier indicator must be 0 (no modifier bypasses the edit), 1 (an NCCI-associated modifier may bypass it) or 9 (not applicable), found ${b === a ? 'nothing' : this.show(a, b)}`,
        );
      }
    }

    if (this.problems.length > before || tabCount !== FIELDS - 1) return;
    const rationale = this.rows.rationales.internBytes(data, this.from(6), end, this.rationaleHash);
    this.rows.add(this.fileIndex, this.line, column1, column2, effective, deleted, flags, rationale);
  }

  private from(field: number): number {
    return this.bounds[2 * field] as number;
  }

  private to(field: number): number {
    return this.bounds[2 * field + 1] as number;
  }

  /** The code number of the code field [a, b), or -1 after reporting it. */
  private code(a: number, b: number, which: string): number {
    if (b - a === CODE_LENGTH) {
      const codeNumber = codeNumberOfBytes(this.data, a);
      if (codeNumber >= 0) return codeNumber;
    }
    this.problem(a, b === a ? `the ${which} code is missing: expected ${CODE_SHAPES}` : `the ${which} code ${this.show(a, b)} is not a HCPCS/CPT code: expected ${CODE_SHAPES}`);
    return -1;
  }

  /** The day number of the date field [a, b), or -1 after reporting it. */
  private date(a: number, b: number, which: string, orElse: string): number {
    const day = b - a === 8 ? dayOfCompactBytes(this.data, a) : NOT_EIGHT_DIGITS;
    if (day >= 0) return day;
    const shown = this.show(a, b);
    let message: string;
    if (b === a) message = `the ${which} is missing: expected a date written YYYYMMDD${orElse}`;
    else if (day === NOT_EIGHT_DIGITS) message = `the ${which} ${shown} is not a date written YYYYMMDD (8 digits)${orElse}`;
    else if (day === NOT_A_CALENDAR_DATE) message = `the ${which} ${shown} is not a calendar date: expected YYYYMMDD with a month 01-12 and a day that month has`;
    else message = `the ${which} ${shown} is out of range: expected a year from ${MIN_YEAR} to ${MAX_YEAR}`;
    this.problem(a, message);
    return -1;
  }

  /** The field [a, b) as a JSON string, shortened when long. */
  private show(a: number, b: number): string {
    const text = this.data.toString('utf8', a, b);
    return JSON.stringify(text.length > SHOWN_CHARACTERS ? `${text.slice(0, SHOWN_CHARACTERS)}…` : text);
  }

  /** Reports a problem at byte `position` of the current line (the column counts characters, not bytes). */
  private problem(position: number, message: string): void {
    let column = 1;
    for (let i = this.lineStart; i < position; i++) if (((this.data[i] as number) & 0xc0) !== 0x80) column++;
    this.problems.push({ file: this.file, line: this.line, column, message });
  }
}

function isBlank(data: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = data[i];
    if (c !== SPACE && c !== TAB) return false;
  }
  return true;
}

/** Parses PTP text held in memory (tests, small files). */
export function parsePtpText(text: string, file = '<text>', rows?: PtpRowSet): PtpFileContent {
  const parser = new PtpFileParser(file, rows);
  parser.push(Buffer.from(text, 'utf8'));
  return parser.end();
}

/**
 * Stream-parses a PTP part file and hashes it in the same pass. `displayName` is the name problems
 * are reported under (default: the path as given); `rows` a row set shared with other part files.
 * Rejects with the file system's error when the file cannot be read.
 */
export async function parsePtpFile(filePath: string, options: { displayName?: string; rows?: PtpRowSet } = {}): Promise<ParsedPtpFile> {
  const parser = new PtpFileParser(options.displayName ?? filePath, options.rows);
  const source = await streamSourceFile(filePath, (chunk) => parser.push(chunk));
  return { ...parser.end(), source };
}
