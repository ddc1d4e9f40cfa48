/**
 * The Medicare physician fee schedule (PFS) relative value file as CMS publishes it in CSV, in the
 * quarterly "RVU" zip (PPRRVU<yy>_<MON>.csv; from 2026 one file per conversion factor,
 * PPRRVU<yyyy>_<Mon>_nonQPP.csv and _QPP.csv, whose indicator columns are the same):
 *
 *   "<notice: copyright of the CPT codes and descriptions, several rows>",,,...
 *   ,,,STATUS,NOT USED FOR MEDICARE,WORK,NON-FAC,...,PCTC,GLOB,PRE,INTRA,POST,MULT,BILAT,ASST,CO-,TEAM,...
 *   HCPCS,MOD,DESCRIPTION,CODE,PAYMENT,RVU,PE RVU,...,IND,DAYS,OP,OP,OP,PROC,SURG,SURG,SURG,SURG,...
 *   27447,,<description>,A,,20.72,...,2,090,0.10,0.80,0.10,2,1,1,0,0,...
 *
 * The column names are written top to bottom over the last rows of the preamble: the header row is
 * the first row with a cell HCPCS, and a column's name is its cell there joined with the cells
 * above it in the rows just before (the rows whose HCPCS column is empty; the notice rows above
 * them have text there). White space, line breaks included, and case do not matter, so
 * `GLOB` over `DAYS`, `GLOB DAYS` in one cell and `"GLOB\nDAYS"` are the same column. The
 * columns read are found by name, in any order:
 *
 *   HCPCS        the code (99213, 0591T, G0008)
 *   MOD          blank on the code's own row; 26, TC, 53... on rows for the code with a modifier
 *   STATUS CODE  one capital letter (A active, B bundled, C contractor priced, I not valid for
 *                Medicare, ...)
 *   GLOB DAYS    000, 010, 090, MMM, XXX, YYY, ZZZ
 *   MULT PROC    multiple procedure indicator: 0-7 or 9
 *   BILAT SURG   bilateral surgery indicator: 0, 1, 2, 3 or 9
 *
 * The RVUs, descriptions and the other indicators are not read: descriptions of CPT codes are the
 * AMA's, and the checks need the payment policy indicators only. Every data row is checked and
 * every problem is reported with its line and column; the caller refuses the file as a whole
 * when there is any. A code has one row without a modifier and may have rows with modifiers; the
 * same code and modifier twice is a problem. Blank rows may end the file; cells after the header's
 * last column must be empty.
 *
 * The bytes are read as Windows-1252 (which reads Latin-1, as CMS publishes, the same): the
 * columns read are ASCII, so a UTF-8 file reads the same, and the file streams in chunks.
 */
import type { RowProblem } from '../problems.js';
import { streamSourceFile } from '../source-file.js';
import {
  PFS_BILATERAL_INDICATORS,
  PFS_GLOBAL_DAYS,
  PFS_MULTIPLE_PROCEDURE_INDICATORS,
  type PfsBilateralIndicator,
  type PfsEntry,
  type PfsGlobalDays,
  type PfsMultipleProcedureIndicator,
  type SourceFile,
} from '../types.js';
import { CsvReader, type CsvCell, type CsvRecord } from '../mue/csv.js';
import { MUE_CODE } from '../mue/parse-mue-file.js';

export type { RowProblem };

/** One checked row of the RVU file. */
export interface PfsRow extends PfsEntry {
  /** The 1-based line of the file the row starts on. */
  line: number;
  /** Where its code cell starts. */
  codeAt: { line: number; column: number };
}

export interface PfsFileContent {
  /** The rows without problems, in file order. */
  rows: PfsRow[];
  /** Every problem found; the file is usable only when there is none. */
  problems: RowProblem[];
  /** Lines read, the notice's included. */
  lines: number;
  /** The line of the header row (its last row, the one with HCPCS), when found. */
  headerLine?: number;
}

export interface ParsedPfsFile extends PfsFileContent {
  /** The file as read: its name (no directory), sha256 and size, for the release manifest. */
  source: SourceFile;
}

/** The columns read, by the key of their name (see headerKey). */
const COLUMNS = {
  code: { key: 'HCPCS', name: 'HCPCS' },
  modifier: { key: 'MOD', name: 'MOD' },
  status: { key: 'STATUSCODE', name: 'STATUS CODE' },
  globalDays: { key: 'GLOBDAYS', name: 'GLOB DAYS' },
  multipleProcedure: { key: 'MULTPROC', name: 'MULT PROC' },
  bilateralSurgery: { key: 'BILATSURG', name: 'BILAT SURG' },
} as const;
type ColumnName = keyof typeof COLUMNS;
const COLUMN_NAMES = Object.keys(COLUMNS) as ColumnName[];
const EXPECTED_HEADER = COLUMN_NAMES.map((name) => `"${COLUMNS[name].name}"`).join(', ');

/** How many rows above the header row may hold the upper parts of its column names. */
const MAX_HEADER_ROWS_ABOVE = 6;
const MODIFIER = /^[0-9A-Z]{2}$/;
const STATUS = /^[A-Z]$/;
const GLOBAL_DAYS: ReadonlySet<string> = new Set(PFS_GLOBAL_DAYS);
const BILATERAL: ReadonlySet<string> = new Set(PFS_BILATERAL_INDICATORS.map(String));
const MULTIPLE_PROCEDURE: ReadonlySet<string> = new Set(PFS_MULTIPLE_PROCEDURE_INDICATORS.map(String));

/** A header cell as compared: capitals, without white space (names are split over rows and lines). */
function headerKey(text: string): string {
  return text.replace(/\s+/g, '').toUpperCase();
}

function show(text: string): string {
  return JSON.stringify(text);
}

function isBlank(record: CsvRecord): boolean {
  return record.cells.every((cell) => cell.text.trim().length === 0);
}

type Columns = Record<ColumnName, number> & {
  /** Cells in the header row: cells after them must be empty. */
  count: number;
};

/**
 * Reads a PFS relative value file from CSV records (`push` text in pieces of any size, then
 * `end`). Rows carry no dates: the release's effective date is given when it is imported.
 */
export class PfsFileParser {
  readonly file: string;
  private readonly csv: CsvReader;
  private readonly rows: PfsRow[] = [];
  private readonly problems: RowProblem[] = [];
  /** Line of each code and modifier read (key: code, or code and modifier after a space). */
  private readonly keyLines = new Map<string, number>();
  /** The last records before the header row, which may hold the upper parts of its column names. */
  private readonly above: CsvRecord[] = [];
  private columns: Columns | undefined;
  private headerLine: number | undefined;
  /** The header row was found but lacks a column: the data rows cannot be read. */
  private headerBroken = false;
  /** Blank rows not yet followed by a row: fine at the end of the file, a problem before a row. */
  private blankLines: number[] = [];
  private records = 0;
  private dataRecords = 0;
  private ended = false;

  constructor(file: string) {
    this.file = file;
    this.csv = new CsvReader(file, (record) => this.readRecord(record));
  }

  push(text: string): void {
    this.csv.push(text);
  }

  end(): PfsFileContent {
    if (!this.ended) {
      this.ended = true;
      this.problems.push(...this.csv.end());
      if (this.records === 0) {
        this.problem(1, 1, 'no rows: the file is empty');
      } else if (this.headerLine === undefined) {
        this.problem(1, 1, `no header row: expected, after the notice, a row with a cell "HCPCS" and the columns ${EXPECTED_HEADER} (is this the PPRRVU file of the RVU zip, in CSV?)`);
      } else if (!this.headerBroken && this.dataRecords === 0) {
        this.problem(this.headerLine, 1, 'no rows after the header: the file is empty');
      }
      this.problems.sort((a, b) => a.line - b.line || a.column - b.column);
    }
    const content: PfsFileContent = { rows: this.rows, problems: this.problems, lines: this.csv.lines };
    if (this.headerLine !== undefined) content.headerLine = this.headerLine;
    return content;
  }

  private problem(line: number, column: number, message: string): void {
    this.problems.push({ file: this.file, line, column, message });
  }

  private readRecord(record: CsvRecord): void {
    this.records++;
    if (this.headerBroken) return;
    if (this.headerLine === undefined) {
      const codeColumn = record.cells.findIndex((cell) => headerKey(cell.text) === COLUMNS.code.key);
      if (codeColumn >= 0) {
        this.readHeader(record, codeColumn);
      } else {
        this.above.push(record);
        if (this.above.length > MAX_HEADER_ROWS_ABOVE) this.above.shift();
      }
      return;
    }
    if (isBlank(record)) {
      this.blankLines.push(record.line);
      return;
    }
    for (const blank of this.blankLines) this.problem(blank, 1, 'blank row between rows (only the end of the file may have blank rows)');
    this.blankLines = [];
    this.dataRecords++;
    if (this.columns !== undefined) this.readRow(record, this.columns);
  }

  /** The rows just above the header row whose HCPCS column is empty: the upper parts of the column names. */
  private headerRowsAbove(codeColumn: number): CsvRecord[] {
    const rows: CsvRecord[] = [];
    for (let i = this.above.length - 1; i >= 0; i--) {
      const record = this.above[i] as CsvRecord;
      if ((record.cells[codeColumn]?.text.trim().length ?? 0) > 0) break;
      rows.unshift(record);
    }
    return rows;
  }

  private readHeader(record: CsvRecord, codeColumn: number): void {
    this.headerLine = record.line;
    const upper = this.headerRowsAbove(codeColumn);
    this.above.length = 0;
    const found: Partial<Record<ColumnName, number>> = {};
    record.cells.forEach((cell, index) => {
      const own = headerKey(cell.text);
      const joined = upper.map((row) => headerKey(row.cells[index]?.text ?? '')).join('') + own;
      const name = COLUMN_NAMES.find((candidate) => COLUMNS[candidate].key === joined || COLUMNS[candidate].key === own);
      if (name === undefined) return;
      if (found[name] !== undefined) {
        this.problem(cell.line, cell.column, `the header has two ${show(COLUMNS[name].name)} columns (columns ${(found[name] as number) + 1} and ${index + 1}): expected one each of ${EXPECTED_HEADER}`);
        this.headerBroken = true;
        return;
      }
      found[name] = index;
    });
    const missing = COLUMN_NAMES.filter((name) => found[name] === undefined);
    if (missing.length > 0) {
      this.problem(
        record.end.line,
        record.end.column,
        `the header has no ${missing.map((name) => show(COLUMNS[name].name)).join(' or ')} column: expected the columns ${EXPECTED_HEADER} (a name may be split over the header's rows, GLOB over DAYS)`,
      );
      this.headerBroken = true;
    }
    if (this.headerBroken) return;
    this.columns = { ...(found as Record<ColumnName, number>), count: record.cells.length };
  }

  private readRow(record: CsvRecord, columns: Columns): void {
    const { cells } = record;
    const before = this.problems.length;
    const needed = Math.max(...COLUMN_NAMES.map((name) => columns[name])) + 1;
    if (cells.length < needed) {
      this.problem(record.end.line, record.end.column, `the row ends after ${cells.length} ${cells.length === 1 ? 'cell' : 'cells'}: expected ${columns.count}, as in the header`);
    }
    for (let i = columns.count; i < cells.length; i++) {
      const cell = cells[i] as CsvCell;
      if (cell.text.trim().length > 0) {
        this.problem(cell.line, cell.column, `cell ${i + 1} has no column: the header has ${columns.count}, and only empty cells may follow them (found ${show(cell.text)})`);
      }
    }
    const cell = (name: ColumnName): CsvCell | undefined => cells[columns[name]];
    const codeCell = cell('code');
    const code = codeCell === undefined ? undefined : this.readCode(codeCell);
    const modifierCell = cell('modifier');
    // The code's own row: an empty modifier cell (blanks too: nothing is lost by reading them so).
    const modifier =
      modifierCell !== undefined && modifierCell.text.trim().length === 0
        ? ''
        : this.readValue(modifierCell, 'modifier', (text) => MODIFIER.test(text), "two capital letters or digits (26, TC, 53), or empty on the code's own row");
    const status = this.readValue(cell('status'), 'status code', (text) => STATUS.test(text), 'one capital letter (A, B, C, I, ...)');
    const globalDays = this.readValue(cell('globalDays'), 'global days', (text) => GLOBAL_DAYS.has(text), PFS_GLOBAL_DAYS.join(', '));
    const multipleProcedure = this.readValue(cell('multipleProcedure'), 'multiple procedure indicator', (text) => MULTIPLE_PROCEDURE.has(text), `one of ${PFS_MULTIPLE_PROCEDURE_INDICATORS.join(', ')}`);
    const bilateralSurgery = this.readValue(cell('bilateralSurgery'), 'bilateral surgery indicator', (text) => BILATERAL.has(text), `one of ${PFS_BILATERAL_INDICATORS.join(', ')}`);
    if (code === undefined || codeCell === undefined || modifier === undefined) return;
    const key = modifier === '' ? code : `${code} ${modifier}`;
    const first = this.keyLines.get(key);
    if (first !== undefined) {
      const what = modifier === '' ? `code ${code} (without a modifier)` : `code ${code} with modifier ${modifier}`;
      this.problem(codeCell.line, codeCell.column, `duplicate row: ${what} is on line ${first} already (a file has one row per code and modifier)`);
      return;
    }
    this.keyLines.set(key, record.line);
    if (this.problems.length > before || status === undefined || globalDays === undefined || multipleProcedure === undefined || bilateralSurgery === undefined) return;
    const row: PfsRow = {
      line: record.line,
      codeAt: { line: codeCell.line, column: codeCell.column },
      code,
      status,
      globalDays: globalDays as PfsGlobalDays,
      multipleProcedure: Number(multipleProcedure) as PfsMultipleProcedureIndicator,
      bilateralSurgery: Number(bilateralSurgery) as PfsBilateralIndicator,
    };
    if (modifier !== '') row.modifier = modifier;
    this.rows.push(row);
  }

  private readCode(cell: CsvCell): string | undefined {
    const text = cell.text;
    if (text.trim().length === 0) {
      this.problem(cell.line, cell.column, 'the HCPCS code is missing: expected a CPT or HCPCS code (99213, J1885)');
      return undefined;
    }
    if (text.trim() !== text) {
      this.problem(cell.line, cell.column, `the code ${show(text)} has spaces around it: expected the code alone (${show(text.trim())})`);
      return undefined;
    }
    if (!MUE_CODE.test(text)) {
      this.problem(
        cell.line,
        cell.column,
        `${show(text)} is not a CPT or HCPCS code: expected 5 characters, either 5 digits (99213), 4 digits and a capital letter (0001U, 0591T) or a capital letter and 4 digits (G0008)`,
      );
      return undefined;
    }
    return text;
  }

  /** The cell's text when `valid` accepts it; otherwise reports it (missing, spaces, wrong) and returns undefined. */
  private readValue(cell: CsvCell | undefined, what: string, valid: (text: string) => boolean, expected: string): string | undefined {
    if (cell === undefined) return undefined;
    const text = cell.text;
    if (text.trim() !== text && text.trim().length > 0) {
      this.problem(cell.line, cell.column, `the ${what} ${show(text)} has spaces around it: expected ${show(text.trim())} alone`);
      return undefined;
    }
    if (valid(text)) return text;
    if (text.trim().length === 0) {
      this.problem(cell.line, cell.column, `the ${what} is missing: expected ${expected}`);
    } else {
      this.problem(cell.line, cell.column, `the ${what} must be ${expected}, found ${show(text)}`);
    }
    return undefined;
  }
}

/** Parses an RVU file held in memory as text (tests, small files). */
export function parsePfsText(text: string, file = '<text>'): PfsFileContent {
  const parser = new PfsFileParser(file);
  parser.push(text);
  return parser.end();
}

/** Bytes a ZIP archive (the RVU zip itself, or an .xlsx workbook) starts with. */
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const UTF8_BYTE_ORDER_MARK = [0xef, 0xbb, 0xbf];

/**
 * Reads and checks an RVU file as it streams, hashing it in the same pass. `displayName` is the
 * name problems are reported under (default: the path as given). Rejects with the file system's
 * error when the file cannot be read.
 */
export async function parsePfsFile(filePath: string, options: { displayName?: string } = {}): Promise<ParsedPfsFile> {
  const name = options.displayName ?? filePath;
  const parser = new PfsFileParser(name);
  const decoder = new TextDecoder('windows-1252');
  let first = true;
  let zip = false;
  const source = await streamSourceFile(filePath, (chunk) => {
    let bytes: Uint8Array = chunk;
    if (first) {
      first = false;
      zip = ZIP_MAGIC.every((byte, i) => chunk[i] === byte);
      if (UTF8_BYTE_ORDER_MARK.every((byte, i) => chunk[i] === byte)) bytes = chunk.subarray(UTF8_BYTE_ORDER_MARK.length);
    }
    // Windows-1252 is one byte a character: no character is split between chunks.
    if (!zip) parser.push(decoder.decode(bytes));
  });
  if (zip) {
    return {
      rows: [],
      problems: [{ file: name, line: 1, column: 1, message: 'this is a ZIP archive (the RVU zip CMS publishes, or an .xlsx workbook): extract the PPRRVU .csv file from it and import that' }],
      lines: 0,
      source,
    };
  }
  return { ...parser.end(), source };
}
