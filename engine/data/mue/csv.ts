/**
 * An RFC 4180 CSV reader that knows where everything is: each record and each cell carry the
 * 1-based line and column they start on, so that a problem in a cell can be reported at its place
 * even when an earlier cell of the record spans several lines.
 *
 * - Cells are separated by commas, records by CRLF or LF (a carriage return alone is reported and
 *   read as a line end).
 * - A cell starting with a quote is quoted: it runs to the next lone quote, holds commas and line
 *   breaks as written, and a doubled quote stands for one quote.
 * - A quote inside an unquoted cell, text after a closing quote and a quoted cell the file ends
 *   inside are reported; the reader goes on, so that every problem of a file is found in one pass.
 * - An empty line is a record with one empty cell; the callers decide what blank records mean.
 *
 * Text can be pushed in pieces split anywhere (inside a cell, between a CR and its LF, between two
 * quotes of a doubled quote); the records are the same.
 */
import type { RowProblem } from '../problems.js';

export interface CsvCell {
  /** The cell's text: quotes removed, doubled quotes undone, line breaks inside quotes kept as written. */
  text: string;
  /** 1-based line and column the cell starts on (its opening quote, when quoted). */
  line: number;
  column: number;
  quoted: boolean;
}

export interface CsvRecord {
  /** The 1-based line the record starts on. */
  line: number;
  cells: CsvCell[];
  /** Where the record ends (its line end, or the end of the file): where a missing cell would go. */
  end: { line: number; column: number };
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
const BYTE_ORDER_MARK = 0xfeff;

/** Where the reader is inside the current cell. */
const CELL_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** Inside a quoted cell, just after a quote: a closing quote or the first of a doubled quote. */
const QUOTE_IN_QUOTED = 3;

/** Reads CSV text pushed in pieces; calls `onRecord` for each record, in order. */
export class CsvReader {
  readonly file: string;
  /** Syntax problems found so far, in the order found. */
  readonly problems: RowProblem[] = [];
  private readonly onRecord: (record: CsvRecord) => void;
  private state = CELL_START;
  /** Position of the next character. */
  private line = 1;
  private column = 1;
  private cells: CsvCell[] = [];
  private recordLine = 1;
  /** Text of the current cell read from earlier pieces or segments. */
  private cellText = '';
  private cellLine = 1;
  private cellColumn = 1;
  private cellQuoted = false;
  /** A stray quote was reported in the current cell: one report a cell is enough. */
  private strayQuoteReported = false;
  /** A carriage return outside quotes was the last character: a line feed may follow. */
  private afterCarriageReturn = false;
  private carriageReturnLine = 0;
  private carriageReturnColumn = 0;
  private started = false;
  private ended = false;

  constructor(file: string, onRecord: (record: CsvRecord) => void) {
    this.file = file;
    this.onRecord = onRecord;
  }

  /** Lines read: every line end, and a last line without one when it has text. */
  get lines(): number {
    return this.column > 1 ? this.line : this.line - 1;
  }

  push(text: string): void {
    if (this.ended) throw new Error('CsvReader: push after end');
    let data = text;
    if (!this.started && data.length > 0) {
      this.started = true;
      if (data.charCodeAt(0) === BYTE_ORDER_MARK) data = data.slice(1);
    }
    const length = data.length;
    // Start in `data` of the current cell's text not yet copied into cellText (-1: none).
    let segment = this.state === UNQUOTED || this.state === QUOTED ? 0 : -1;
    for (let i = 0; i < length; i++) {
      const c = data.charCodeAt(i);
      if (this.afterCarriageReturn) {
        this.afterCarriageReturn = false;
        if (c === LF) continue;
        this.loneCarriageReturn();
      }
      switch (this.state) {
        case CELL_START:
          if (c === QUOTE) {
            this.openCell(true);
            this.state = QUOTED;
            segment = i + 1;
            this.column++;
          } else if (c === COMMA) {
            this.openCell(false);
            this.closeCell();
            this.column++;
          } else if (c === LF || c === CR) {
            this.openCell(false);
            this.closeCell();
            this.closeRecord();
            this.lineEnd(c);
          } else {
            this.openCell(false);
            this.state = UNQUOTED;
            segment = i;
            this.column++;
          }
          break;
        case UNQUOTED:
          if (c === COMMA || c === LF || c === CR) {
            this.cellText += data.slice(segment, i);
            segment = -1;
            this.closeCell();
            this.state = CELL_START;
            if (c === COMMA) {
              this.column++;
            } else {
              this.closeRecord();
              this.lineEnd(c);
            }
          } else {
            if (c === QUOTE && !this.strayQuoteReported) {
              this.strayQuoteReported = true;
              this.problem(this.line, this.column, 'quote inside a cell that does not start with one: quote the whole cell and double the quotes inside it ("5"" long")');
            }
            this.column++;
          }
          break;
        case QUOTED:
          if (c === QUOTE) {
            this.cellText += data.slice(segment, i);
            segment = -1;
            this.state = QUOTE_IN_QUOTED;
            this.column++;
          } else if (c === LF) {
            this.line++;
            this.column = 1;
          } else {
            this.column++;
          }
          break;
        default:
          // QUOTE_IN_QUOTED
          if (c === QUOTE) {
            this.cellText += '"';
            this.state = QUOTED;
            segment = i + 1;
            this.column++;
          } else if (c === COMMA) {
            this.closeCell();
            this.state = CELL_START;
            this.column++;
          } else if (c === LF || c === CR) {
            this.closeCell();
            this.closeRecord();
            this.state = CELL_START;
            this.lineEnd(c);
          } else {
            this.problem(this.line, this.column, 'text after the closing quote of a cell: a quoted cell ends with its quote, then a comma or the line end');
            this.state = UNQUOTED;
            segment = i;
            this.column++;
          }
      }
    }
    if (segment >= 0) this.cellText += data.slice(segment);
  }

  /** Reads the last record (a last line needs no line end) and returns every syntax problem. */
  end(): RowProblem[] {
    if (this.ended) return this.problems;
    this.ended = true;
    if (this.afterCarriageReturn) {
      this.afterCarriageReturn = false;
      this.loneCarriageReturn();
    }
    if (this.state === QUOTED) {
      this.problem(this.cellLine, this.cellColumn, 'the quoted cell that starts here is not closed: the file ends inside its quotes (a closing " is missing)');
    }
    if (this.state !== CELL_START) {
      this.closeCell();
      this.closeRecord();
    } else if (this.cells.length > 0) {
      // The file ends after a comma: the record's last cell is empty.
      this.openCell(false);
      this.closeCell();
      this.closeRecord();
    }
    this.state = CELL_START;
    return this.problems;
  }

  private openCell(quoted: boolean): void {
    if (this.cells.length === 0) this.recordLine = this.line;
    this.cellLine = this.line;
    this.cellColumn = this.column;
    this.cellQuoted = quoted;
    this.cellText = '';
    this.strayQuoteReported = false;
  }

  private closeCell(): void {
    this.cells.push({ text: this.cellText, line: this.cellLine, column: this.cellColumn, quoted: this.cellQuoted });
    this.cellText = '';
  }

  private closeRecord(): void {
    const record: CsvRecord = { line: this.recordLine, cells: this.cells, end: { line: this.line, column: this.column } };
    this.cells = [];
    this.onRecord(record);
  }

  /** Moves past a line end outside quotes; a CR waits for the LF that may follow it. */
  private lineEnd(c: number): void {
    if (c === CR) {
      this.afterCarriageReturn = true;
      this.carriageReturnLine = this.line;
      this.carriageReturnColumn = this.column;
    }
    this.line++;
    this.column = 1;
  }

  private loneCarriageReturn(): void {
    this.problem(this.carriageReturnLine, this.carriageReturnColumn, 'carriage return without a line feed: line ends must be CRLF or LF');
  }

  private problem(line: number, column: number, message: string): void {
    this.problems.push({ file: this.file, line, column, message });
  }
}

/** Reads CSV text held in memory: every record, every syntax problem and the lines read. */
export function readCsv(text: string, file = '<text>'): { records: CsvRecord[]; problems: RowProblem[]; lines: number } {
  const records: CsvRecord[] = [];
  const reader = new CsvReader(file, (record) => records.push(record));
  reader.push(text);
  const problems = reader.end();
  return { records, problems, lines: reader.lines };
}
