/**
 * The CMS medically unlikely edits (MUE) table as published in CSV, e.g.
 * `MCR_MUE_PractitionerServices_Eff_01-01-2026.csv`:
 *
 *   "<AMA copyright notice, several lines inside one quoted cell>",,,
 *   "HCPCS/
 *   CPT Code",Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale
 *   0001U,1,2 Date of Service Edit: Policy,Code Descriptor / CPT Instruction
 *
 * Whatever comes before the header row is notice and is skipped; the header row is found by its
 * cells (case and white space, line breaks included, do not matter), and the columns are taken
 * from it, in any order. The outpatient hospital and DME supplier tables have the same layout with
 * their own value column (`Outpatient Hospital Services MUE Values`, `DME Supplier Services MUE
 * Values`); the table type says which one was read.
 *
 * Every data row is checked (code shape, value, adjudication indicator, rationale, duplicate
 * codes) and every problem is reported with its line and column; the caller refuses the file as a
 * whole when there is any. Blank rows may end the file; extra cells must be empty.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RowProblem } from '../problems.js';
import type { MueEntry, SourceFile } from '../types.js';
import { CsvReader, type CsvCell, type CsvRecord } from './csv.js';

export type { RowProblem };

/** Which MUE table a file is, from its value column. */
export type MueTableType = 'practitioner' | 'outpatient-hospital' | 'dme-supplier' | 'other';

/** One checked row of an MUE table. */
export interface MueRow extends MueEntry {
  /** The 1-based line of the file the row starts on. */
  line: number;
  /** Where its code cell starts (column 1 of the row's line in the published layout). */
  codeAt: { line: number; column: number };
}

export interface MueFileContent {
  /** The rows without problems, in file order. */
  rows: MueRow[];
  /** Every problem found; the file is usable only when there is none. */
  problems: RowProblem[];
  /** Lines read, the notice's included. */
  lines: number;
  /** The header row, when found: its line, the value column's name as written (white space collapsed) and the table it names. */
  header?: { line: number; valueColumn: string; valueColumnAt: { line: number; column: number }; tableType: MueTableType };
}

export interface ParsedMueFile extends MueFileContent {
  /** The file as read: its name (no directory), sha256 and size, for the release manifest. */
  source: SourceFile;
  /** How the bytes were read: UTF-8 when they are valid UTF-8, else Windows-1252 (CMS publishes the tables in Latin-1). */
  encoding: 'utf-8' | 'windows-1252';
}

/**
 * CPT and HCPCS code shapes: 5 digits (99213); 4 digits and a letter, for CPT category II, III,
 * PLA, MAAA and vaccine codes (0001F, 0591T, 0001U, 0002M, 0001A); a letter and 4 digits, for
 * HCPCS Level II (J1885).
 */
export const MUE_CODE = /^(?:[0-9]{4}[0-9A-Z]|[A-Z][0-9]{4})$/;

const CODE_COLUMN = 'HCPCS/CPT Code';
const INDICATOR_COLUMN = 'MUE Adjudication Indicator';
const RATIONALE_COLUMN = 'MUE Rationale';
const VALUE_COLUMN = 'Practitioner Services MUE Values';
const EXPECTED_HEADER = `"${CODE_COLUMN}", "${VALUE_COLUMN}" (or another "... MUE Values"), "${INDICATOR_COLUMN}" and "${RATIONALE_COLUMN}"`;
const INDICATORS = '1 Line Edit, 2 Date of Service Edit: Policy, 3 Date of Service Edit: Clinical';
/** More digits than this would not be a safe integer; no MUE is anywhere near. */
const MAX_VALUE_DIGITS = 15;

const TABLE_TYPES: Record<string, MueTableType> = {
  practitionerservicesmuevalues: 'practitioner',
  outpatienthospitalservicesmuevalues: 'outpatient-hospital',
  dmesupplierservicesmuevalues: 'dme-supplier',
};

/** A header cell as compared: lower case, without white space (the published code header has a line break after the slash). */
function headerKey(text: string): string {
  return text.replace(/\s+/g, '').toLowerCase();
}

function show(text: string): string {
  return JSON.stringify(text);
}

interface Columns {
  code: number;
  value: number;
  indicator: number;
  rationale: number;
  /** Cells in the header row: cells after them must be empty. */
  count: number;
}

/**
 * Reads an MUE table from CSV records (`push` text in pieces of any size, then `end`). Rows carry
 * no dates: the release's effective date is given when it is imported.
 */
export class MueFileParser {
  readonly file: string;
  private readonly csv: CsvReader;
  private readonly rows: MueRow[] = [];
  private readonly problems: RowProblem[] = [];
  private readonly codeLines = new Map<string, number>();
  private columns: Columns | undefined;
  private header: MueFileContent['header'];
  /** The header row was found but lacks a column: the data rows cannot be read. */
  private headerBroken = false;
  /** Blank rows not yet followed by a row: fine at the end of the file, a problem before a row. */
  private blankLines: number[] = [];
  private records = 0;
  /** Records after the header that are not blank. */
  private dataRecords = 0;
  private ended = false;

  constructor(file: string) {
    this.file = file;
    this.csv = new CsvReader(file, (record) => this.readRecord(record));
  }

  push(text: string): void {
    this.csv.push(text);
  }

  end(): MueFileContent {
    if (!this.ended) {
      this.ended = true;
      this.problems.push(...this.csv.end());
      if (this.records === 0) {
        this.problem(1, 1, 'no rows: the file is empty');
      } else if (this.columns === undefined && !this.headerBroken) {
        this.problem(1, 1, `no header row: expected, after the notice, a row with the cells ${EXPECTED_HEADER} (is this an MUE table in CSV?)`);
      } else if (this.header !== undefined && this.dataRecords === 0) {
        this.problem(this.header.line, 1, 'no rows after the header: the table is empty');
      }
      this.problems.sort((a, b) => a.line - b.line || a.column - b.column);
    }
    const content: MueFileContent = { rows: this.rows, problems: this.problems, lines: this.csv.lines };
    if (this.header !== undefined) content.header = this.header;
    return content;
  }

  private problem(line: number, column: number, message: string): void {
    this.problems.push({ file: this.file, line, column, message });
  }

  private readRecord(record: CsvRecord): void {
    this.records++;
    if (this.headerBroken) return;
    if (this.columns === undefined) {
      if (record.cells.some((cell) => headerKey(cell.text) === headerKey(CODE_COLUMN))) this.readHeader(record);
      return;
    }
    if (record.cells.every((cell) => cell.text.trim().length === 0)) {
      this.blankLines.push(record.line);
      return;
    }
    for (const blank of this.blankLines) this.problem(blank, 1, 'blank row between rows (only the end of the file may have blank rows)');
    this.blankLines = [];
    this.dataRecords++;
    this.readRow(record, this.columns);
  }

  private readHeader(record: CsvRecord): void {
    const found: Partial<Record<'code' | 'value' | 'indicator' | 'rationale', number>> = {};
    let valueCell: CsvCell | undefined;
    record.cells.forEach((cell, index) => {
      const key = headerKey(cell.text);
      let name: keyof typeof found | undefined;
      if (key === headerKey(CODE_COLUMN)) name = 'code';
      else if (key.endsWith('muevalues')) name = 'value';
      else if (key.endsWith(headerKey(INDICATOR_COLUMN))) name = 'indicator';
      else if (key.endsWith(headerKey(RATIONALE_COLUMN))) name = 'rationale';
      if (name === undefined) return;
      if (found[name] !== undefined) {
        this.problem(cell.line, cell.column, `the header row has two ${name} columns (${show(cell.text.replace(/\s+/g, ' '))} and another): expected one each of ${EXPECTED_HEADER}`);
        return;
      }
      found[name] = index;
      if (name === 'value') valueCell = cell;
    });
    const { code, value, indicator, rationale } = found;
    const missing = (
      [
        [value, `"${VALUE_COLUMN}" (or another "... MUE Values")`],
        [indicator, `"${INDICATOR_COLUMN}"`],
        [rationale, `"${RATIONALE_COLUMN}"`],
      ] as const
    )
      .filter(([index]) => index === undefined)
      .map(([, name]) => name);
    if (missing.length > 0) {
      this.problem(record.end.line, record.end.column, `the header row has no ${missing.join(' or ')} column: expected the cells ${EXPECTED_HEADER}`);
    }
    if (code === undefined || value === undefined || indicator === undefined || rationale === undefined || valueCell === undefined || missing.length > 0) {
      this.headerBroken = true;
      return;
    }
    const valueColumn = valueCell.text.replace(/\s+/g, ' ').trim();
    this.columns = { code, value, indicator, rationale, count: record.cells.length };
    this.header = {
      line: record.line,
      valueColumn,
      valueColumnAt: { line: valueCell.line, column: valueCell.column },
      tableType: TABLE_TYPES[headerKey(valueColumn)] ?? 'other',
    };
  }

  private readRow(record: CsvRecord, columns: Columns): void {
    const { cells } = record;
    const before = this.problems.length;
    const needed = Math.max(columns.code, columns.value, columns.indicator, columns.rationale) + 1;
    if (cells.length < needed) {
      this.problem(record.end.line, record.end.column, `the row ends after ${cells.length} ${cells.length === 1 ? 'cell' : 'cells'}: expected ${needed} (${CODE_COLUMN}, MUE value, ${INDICATOR_COLUMN}, ${RATIONALE_COLUMN})`);
    }
    for (let i = columns.count; i < cells.length; i++) {
      const cell = cells[i] as CsvCell;
      if (cell.text.trim().length > 0) {
        this.problem(cell.line, cell.column, `cell ${i + 1} has no column: the header has ${columns.count}, and only empty cells may follow them (found ${show(cell.text)})`);
      }
    }
    const codeCell = cells[columns.code];
    const valueCell = cells[columns.value];
    const indicatorCell = cells[columns.indicator];
    const rationaleCell = cells[columns.rationale];
    const code = codeCell === undefined ? undefined : this.readCode(codeCell);
    const value = valueCell === undefined ? undefined : this.readValue(valueCell);
    const indicator = indicatorCell === undefined ? undefined : this.readIndicator(indicatorCell);
    const rationale = rationaleCell === undefined ? undefined : this.readRationale(rationaleCell);
    if (code === undefined || codeCell === undefined) return;
    const first = this.codeLines.get(code);
    if (first !== undefined) {
      this.problem(codeCell.line, codeCell.column, `duplicate code ${code}: it is on line ${first} already (a table has one row per code)`);
      return;
    }
    this.codeLines.set(code, record.line);
    if (this.problems.length > before || value === undefined || indicator === undefined || rationale === undefined) return;
    this.rows.push({ line: record.line, codeAt: { line: codeCell.line, column: codeCell.column }, code, value, indicator, rationale });
  }

  private readCode(cell: CsvCell): string | undefined {
    const text = cell.text;
    if (text.trim().length === 0) {
      this.problem(cell.line, cell.column, `the ${CODE_COLUMN} is missing: expected a CPT or HCPCS code (99213, J1885)`);
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
        `${show(text)} is not a CPT or HCPCS code: expected 5 characters, either 5 digits (99213), 4 digits and a capital letter (0001U, 0591T) or a capital letter and 4 digits (J1885)`,
      );
      return undefined;
    }
    return text;
  }

  private readValue(cell: CsvCell): number | undefined {
    const text = cell.text;
    const expected = 'expected the units of service allowed, a whole number of 0 or more (e.g. 2)';
    if (text.trim().length === 0) {
      this.problem(cell.line, cell.column, `the MUE value is missing: ${expected}`);
      return undefined;
    }
    if (!/^[0-9]+$/.test(text)) {
      this.problem(cell.line, cell.column, `the MUE value ${show(text)} is not a whole number: ${expected}`);
      return undefined;
    }
    if (text.length > MAX_VALUE_DIGITS) {
      this.problem(cell.line, cell.column, `the MUE value ${text} is too large: expected at most ${MAX_VALUE_DIGITS} digits`);
      return undefined;
    }
    return Number(text);
  }

  private readIndicator(cell: CsvCell): 1 | 2 | 3 | undefined {
    const text = cell.text;
    const first = text.charCodeAt(0);
    const second = text.charCodeAt(1);
    // "1 Line Edit": the number, then text; "12 ..." is not indicator 1.
    if (first >= 49 && first <= 51 && !(second >= 48 && second <= 57)) return (first - 48) as 1 | 2 | 3;
    const found = text.trim().length === 0 ? 'it is missing' : `found ${show(text)}`;
    this.problem(cell.line, cell.column, `the MUE adjudication indicator must begin with 1, 2 or 3 (${INDICATORS}), ${found}`);
    return undefined;
  }

  private readRationale(cell: CsvCell): string | undefined {
    const rationale = cell.text.trim();
    if (rationale.length === 0) {
      this.problem(cell.line, cell.column, 'the MUE rationale is missing: expected the published reason for the value (e.g. Clinical: Data)');
      return undefined;
    }
    return rationale;
  }
}

/** Parses an MUE table held in memory as text (tests, small files). */
export function parseMueText(text: string, file = '<text>'): MueFileContent {
  const parser = new MueFileParser(file);
  parser.push(text);
  return parser.end();
}

/** Bytes a ZIP archive (the zip CMS publishes, or an .xlsx workbook) starts with. */
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** Decodes a table's bytes: UTF-8 when they are valid UTF-8 (a byte order mark is dropped), else Windows-1252. */
export function decodeMueBytes(bytes: Uint8Array): { text: string; encoding: 'utf-8' | 'windows-1252' } {
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    // CMS publishes Latin-1 (a ® in the notice); Windows-1252 reads Latin-1 text the same and names the bytes it adds.
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

/** Parses an MUE table's bytes, decoded as `decodeMueBytes` does; a ZIP archive is refused with a hint. */
export function parseMueBytes(bytes: Uint8Array, file = '<bytes>'): MueFileContent & { encoding: 'utf-8' | 'windows-1252' } {
  if (ZIP_MAGIC.every((byte, i) => bytes[i] === byte)) {
    return {
      rows: [],
      problems: [{ file, line: 1, column: 1, message: 'this is a ZIP archive (the zip CMS publishes, or an .xlsx workbook): extract the .csv table from it and import that' }],
      lines: 0,
      encoding: 'utf-8',
    };
  }
  const { text, encoding } = decodeMueBytes(bytes);
  return { ...parseMueText(text, file), encoding };
}

/**
 * Reads and checks an MUE table file and hashes it. The whole file is read first (about 1 MB for
 * the practitioner table) because its encoding is known only once every byte has been seen.
 * `displayName` is the name problems are reported under (default: the path as given). Rejects
 * with the file system's error when the file cannot be read.
 */
export async function parseMueFile(filePath: string, options: { displayName?: string } = {}): Promise<ParsedMueFile> {
  const bytes = await readFile(filePath);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const content = parseMueBytes(bytes, options.displayName ?? filePath);
  return { ...content, source: { name: path.basename(filePath), sha256, bytes: bytes.length } };
}
