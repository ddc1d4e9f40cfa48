/**
 * The ICD-10-CM "code descriptions in tabular order" file (icd10cm_order_<year>.txt): fixed
 * width, one code a line, 1-based columns:
 *
 *   1-5    order number, zero-filled         6   blank
 *   7-13   code without its dot, left-justified and space-padded
 *   14     blank                             15  1 = valid for claims (billable), 0 = header
 *   16     blank                             17-76 short description
 *   77     blank                             78- long description
 *
 * Every row is checked and every malformed row is reported with its line and column; the caller
 * refuses the file as a whole when there is any problem. CRLF and LF line ends are both read;
 * blank lines at the end of the file are allowed.
 */
import type { RowProblem } from '../problems.js';
import type { SourceFile } from '../types.js';
import { streamUtf8SourceFile } from '../source-file.js';
import { TextLines } from '../text-lines.js';

export type { RowProblem };

export interface OrderRow {
  /** The 1-based line of the file the row is on. */
  line: number;
  /** The order number (columns 1-5). */
  order: number;
  /** The code without its dot, e.g. E119. */
  code: string;
  /** Flag 1: valid for claims; flag 0: a category or subcategory header. */
  billable: boolean;
  shortDescription: string;
  longDescription: string;
}

export interface OrderFileContent {
  /** The rows without problems, in file order. */
  rows: OrderRow[];
  /** Every problem found; the file is usable only when there is none. */
  problems: RowProblem[];
  /** Lines read, blank trailing lines included. */
  lines: number;
}

export interface ParsedOrderFile extends OrderFileContent {
  /** The file as read: its name (no directory), sha256 and size, for the release manifest. */
  source: SourceFile;
}

/** ICD-10-CM code shape, written without its dot. */
export const ICD10CM_DOTLESS_CODE = /^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$/;

/** 0-based offsets of the layout's fields. */
const ORDER_END = 5;
const CODE_START = 6;
const CODE_END = 13;
const FLAG = 14;
const SHORT_START = 16;
const SHORT_END = 76;
const LONG_START = 77;

const SPACE = 32;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function show(text: string): string {
  return JSON.stringify(text);
}

/**
 * Reads an order file pushed in pieces of text (any split, even inside a line or between a CR and
 * its LF). `end()` returns the rows and every problem.
 */
export class OrderFileParser {
  readonly file: string;
  private readonly lines = new TextLines((line) => this.readLine(line));
  private lineNumber = 0;
  private rows: OrderRow[] = [];
  private readonly problems: RowProblem[] = [];
  /** Blank lines not yet followed by a row: fine at the end of the file, a problem before a row. */
  private blankLines: number[] = [];
  /** The line of each order number seen (0: not seen); order numbers have 5 digits. */
  private readonly orderLines = new Int32Array(100_000);
  /** The row on the previous line, when that line was a row without problems (for the header / billable structure checks). */
  private previous: OrderRow | undefined;
  private ended = false;
  private started = false;

  constructor(file: string) {
    this.file = file;
  }

  push(text: string): void {
    if (this.ended) throw new Error('OrderFileParser: push after end');
    let data = text;
    if (!this.started && data.length > 0) {
      this.started = true;
      if (data.charCodeAt(0) === 0xfeff) data = data.slice(1);
    }
    this.lines.push(data);
  }

  end(): OrderFileContent {
    if (!this.ended) {
      this.ended = true;
      this.lines.end();
      const previous = this.previous;
      if (previous !== undefined && !previous.billable) this.headerWithoutChildren(previous, undefined);
      this.findDuplicateCodes();
      if (this.rows.length === 0 && this.problems.length === 0) {
        this.problems.push({ file: this.file, line: 1, column: 1, message: 'no rows: the file is empty' });
      }
      this.problems.sort((a, b) => a.line - b.line || a.column - b.column);
    }
    return { rows: this.rows, problems: this.problems, lines: this.lineNumber };
  }

  /**
   * Reports every row whose code is on an earlier row too, and leaves it out of the rows. Sorting a
   * copy of the codes is several times faster on a full release than a Set built row by row.
   */
  private findDuplicateCodes(): void {
    const sorted = this.rows.map((row) => row.code).sort();
    let duplicated: Set<string> | undefined;
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i] === sorted[i - 1]) (duplicated ??= new Set()).add(sorted[i] as string);
    }
    if (duplicated === undefined) return;
    const firstLine = new Map<string, number>();
    const kept: OrderRow[] = [];
    for (const row of this.rows) {
      const first = duplicated.has(row.code) ? firstLine.get(row.code) : undefined;
      if (first === undefined) {
        if (duplicated.has(row.code)) firstLine.set(row.code, row.line);
        kept.push(row);
      } else {
        this.problem(row.line, CODE_START + 1, `duplicate code ${row.code}: it is on line ${first} already`);
      }
    }
    this.rows = kept;
  }

  private problem(line: number, column: number, message: string): void {
    this.problems.push({ file: this.file, line, column, message });
  }

  private readLine(text: string): void {
    const line = ++this.lineNumber;
    if (text.trim().length === 0) {
      this.blankLines.push(line);
      this.previous = undefined;
      return;
    }
    for (const blank of this.blankLines) this.problem(blank, 1, 'blank line between rows (only the end of the file may have blank lines)');
    this.blankLines = [];
    const before = this.problems.length;
    const row = this.readRow(text, line);
    if (row === undefined || this.problems.length > before) {
      this.previous = undefined;
      return;
    }
    const previous = this.previous;
    if (previous !== undefined) {
      const below = row.code.length > previous.code.length && row.code.startsWith(previous.code);
      if (!previous.billable && !below) this.headerWithoutChildren(previous, row);
      if (previous.billable && below) {
        this.problem(
          previous.line,
          FLAG + 1,
          `code ${previous.code} is flagged billable (1) but has codes below it (${row.code} on the next line): only codes without sub-codes are valid for claims`,
        );
      }
    }
    this.rows.push(row);
    this.previous = row;
  }

  private headerWithoutChildren(header: OrderRow, next: OrderRow | undefined): void {
    const after = next === undefined ? 'it is the last row' : `the next row, ${next.code}, is not below it`;
    this.problem(header.line, FLAG + 1, `code ${header.code} is flagged header (0) but has no codes below it (${after})`);
  }

  /** Checks one non-blank line; returns the row when its fields could be read (problems may still have been added). */
  private readRow(text: string, line: number): OrderRow | undefined {
    const length = text.length;
    const before = this.problems.length;
    const carriageReturn = text.indexOf('\r');
    if (carriageReturn >= 0) this.problem(line, carriageReturn + 1, 'carriage return inside the line: line ends must be CRLF or LF');
    const tab = text.indexOf('\t');
    if (tab >= 0) this.problem(line, tab + 1, 'tab character: the layout is fixed width, padded with spaces');
    if (length <= LONG_START) {
      this.problem(line, length + 1, `the line ends at column ${length}: a row runs at least to column ${LONG_START + 1}, where the long description starts`);
    }

    let order = -1;
    if (length >= ORDER_END) {
      let value = 0;
      for (let i = 0; i < ORDER_END; i++) {
        const c = text.charCodeAt(i);
        if (!isDigit(c)) {
          this.problem(line, i + 1, `the order number (columns 1-5) must be 5 digits, found ${show(text.slice(0, ORDER_END))}`);
          value = -1;
          break;
        }
        value = value * 10 + (c - 48);
      }
      order = value;
      this.blank(text, line, ORDER_END, 'it separates the order number from the code');
    } else if (!/^[0-9]*$/.test(text)) {
      this.problem(line, 1, `the order number (columns 1-5) must be 5 digits, found ${show(text)}`);
    }

    let code: string | undefined;
    if (length > CODE_START) {
      code = this.readCode(text.slice(CODE_START, CODE_END).trimEnd(), line);
      this.blank(text, line, CODE_END, 'the code has at most 7 characters, in columns 7-13');
    }

    let billable: boolean | undefined;
    if (length > FLAG) {
      const flag = text.charCodeAt(FLAG);
      if (flag === 49) billable = true;
      else if (flag === 48) billable = false;
      else this.problem(line, FLAG + 1, `the flag (column 15) must be 1 (billable) or 0 (header), found ${show(text[FLAG] ?? '')}`);
      this.blank(text, line, FLAG + 1, 'it separates the flag from the short description');
    }

    let shortDescription = '';
    if (length > SHORT_START) {
      shortDescription = text.slice(SHORT_START, SHORT_END).trim();
      if (shortDescription.length === 0) this.problem(line, SHORT_START + 1, 'the short description (columns 17-76) is missing');
      this.blank(text, line, SHORT_END, 'the short description has at most 60 characters, in columns 17-76');
    }

    let longDescription = '';
    if (length > LONG_START) {
      longDescription = text.slice(LONG_START).trim();
      if (longDescription.length === 0) this.problem(line, LONG_START + 1, 'the long description (column 78 on) is missing');
    }

    if (this.problems.length > before || code === undefined || billable === undefined || order < 0) return undefined;

    // Duplicate codes are found at the end (findDuplicateCodes); duplicate order numbers here.
    const firstOrder = this.orderLines[order] ?? 0;
    if (firstOrder !== 0) {
      this.problem(line, 1, `duplicate order number ${text.slice(0, ORDER_END)}: it is on line ${firstOrder} already`);
      return undefined;
    }
    this.orderLines[order] = line;
    return { line, order, code, billable, shortDescription, longDescription };
  }

  private blank(text: string, line: number, index: number, why: string): void {
    if (index < text.length && text.charCodeAt(index) !== SPACE) {
      this.problem(line, index + 1, `column ${index + 1} must be blank (${why}), found ${show(text[index] ?? '')}`);
    }
  }

  /** Checks the code field (trailing spaces removed); returns the code when it has the ICD-10-CM shape. */
  private readCode(code: string, line: number): string | undefined {
    const column = CODE_START + 1;
    if (code.length === 0) {
      this.problem(line, column, 'the code (columns 7-13) is missing');
      return undefined;
    }
    const dot = code.indexOf('.');
    if (dot >= 0) {
      this.problem(line, column + dot, `the code ${show(code)} must be written without its dot`);
      return undefined;
    }
    for (let i = 0; i < code.length; i++) {
      const c = code.charCodeAt(i);
      const ok = i === 0 ? isUpper(c) : i === 1 ? isDigit(c) : isDigit(c) || isUpper(c);
      if (!ok) {
        const expected =
          i === 0
            ? 'a capital letter (the code is left-justified in columns 7-13)'
            : i === 1
              ? 'a digit'
              : c === SPACE
                ? 'a digit or a capital letter (a code has no spaces inside it)'
                : 'a digit or a capital letter';
        this.problem(line, column + i, `the code ${show(code)} is not an ICD-10-CM code: character ${i + 1} must be ${expected}, found ${show(code[i] ?? '')}`);
        return undefined;
      }
    }
    if (code.length < 3) {
      this.problem(line, column + code.length, `the code ${show(code)} is too short: ICD-10-CM codes have 3 to 7 characters`);
      return undefined;
    }
    return code;
  }
}

/** Parses an order file held in memory (tests, small files). */
export function parseOrderText(text: string, file = '<text>'): OrderFileContent {
  const parser = new OrderFileParser(file);
  parser.push(text);
  return parser.end();
}

/**
 * Stream-parses an order file and hashes it in the same pass. `displayName` is the name problems
 * are reported under (default: the path as given). Rejects with the file system's error when the
 * file cannot be read.
 */
export async function parseOrderFile(filePath: string, options: { displayName?: string } = {}): Promise<ParsedOrderFile> {
  const parser = new OrderFileParser(options.displayName ?? filePath);
  const source = await streamUtf8SourceFile(filePath, (text) => parser.push(text));
  return { ...parser.end(), source };
}
