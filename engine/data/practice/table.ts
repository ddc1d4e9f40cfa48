/**
 * Reads one practice file: RFC 4180 CSV with a header row naming its columns, in any order, as
 * practice systems export them. Every row is checked against the kind's JSON schema with ajv, and
 * every problem (syntax, header, a cell the schema refuses) is reported with the file, line and
 * column of the cell and the column's name. Messages never quote a cell: the files hold member
 * ids.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { describeSchemaError } from '../../model/schema-errors.js';
import { readCsv, type CsvCell } from '../mue/csv.js';
import type { RowProblem } from '../problems.js';

export interface ColumnDefinition {
  /** The column's name as documented (`payerId`); headers match it whatever their case, spaces, underscores or hyphens. */
  readonly name: string;
  /** The header must have it (a column whose cells may be empty is still a required column when the rows need it). */
  readonly required: boolean;
  /** Cells written as whole numbers are read as numbers (the schema says what is allowed). */
  readonly integer?: boolean;
  /** What a refused pattern means, in words: the schema's regular expression would not help a billing clerk. */
  readonly expected?: string;
}

export interface TableDefinition {
  /** The file's kind, in messages: `coverage`. */
  readonly kind: string;
  readonly columns: readonly ColumnDefinition[];
  /** ajv's validator of one row: an object of the row's non-empty cells by column name. */
  readonly validate: ValidateFunction;
}

/** A row the schema accepted: its cells by column name (empty cells left out) and where each cell is. */
export interface TableRow {
  readonly line: number;
  readonly values: Readonly<Record<string, unknown>>;
  readonly cells: Readonly<Record<string, { line: number; column: number }>>;
}

export interface TableContent {
  rows: TableRow[];
  problems: RowProblem[];
}

/** A header cell as compared: `Payer ID`, `payer_id` and `payerId` are one column. */
function headerKey(text: string): string {
  return text.toLowerCase().replace(/[\s_-]+/g, '');
}

const WHOLE_NUMBER = /^[+-]?[0-9]{1,15}$/;

/** Reads and checks a practice file's text. Blank lines are skipped; a file without a header row is a problem. */
export function readPracticeTable(definition: TableDefinition, file: string, text: string): TableContent {
  const { records, problems } = readCsv(text, file);
  const rows: TableRow[] = [];
  const problem = (line: number, column: number, message: string) => problems.push({ file, line, column, message });
  const isBlank = (cells: readonly CsvCell[]) => cells.length === 1 && !cells[0]?.quoted && cells[0]?.text.trim() === '';
  const content = records.filter((record) => !isBlank(record.cells));
  const header = content[0];
  if (header === undefined) {
    problem(1, 1, `the ${definition.kind} file is empty: it needs a header row naming its columns (${columnList(definition)}).`);
    return { rows, problems: sorted(problems) };
  }
  const byKey = new Map(definition.columns.map((column) => [headerKey(column.name), column]));
  const columns: (ColumnDefinition | undefined)[] = [];
  const seen = new Map<string, number>();
  for (const cell of header.cells) {
    const column = byKey.get(headerKey(cell.text));
    columns.push(column);
    if (column === undefined) {
      problem(cell.line, cell.column, `${JSON.stringify(cell.text.trim())} is not a column of the ${definition.kind} file (${columnList(definition)}): check its spelling, or remove the column.`);
    } else if (seen.has(column.name)) {
      problem(cell.line, cell.column, `the column \`${column.name}\` is already named in column ${seen.get(column.name)}: name each column once.`);
    } else {
      seen.set(column.name, columns.length);
    }
  }
  const missing = definition.columns.filter((column) => column.required && !seen.has(column.name));
  if (missing.length > 0) {
    problem(header.line, 1, `the header row lacks the column${missing.length === 1 ? '' : 's'} ${missing.map((column) => `\`${column.name}\``).join(', ')} (${columnList(definition)}).`);
  }
  // Rows cannot be read against a header that is not right: its problems are the ones to fix first.
  if (problems.length > 0) return { rows, problems: sorted(problems) };

  for (const record of content.slice(1)) {
    if (record.cells.length !== columns.length) {
      problem(record.line, 1, `this row has ${record.cells.length} cell${record.cells.length === 1 ? '' : 's'} and the header ${columns.length}: each row needs one cell per column (an empty one for a blank value).`);
      continue;
    }
    const values: Record<string, unknown> = {};
    const cells: Record<string, { line: number; column: number }> = {};
    record.cells.forEach((cell, index) => {
      const column = columns[index] as ColumnDefinition;
      cells[column.name] = { line: cell.line, column: cell.column };
      const value = cell.text.trim();
      if (value === '') return;
      values[column.name] = column.integer === true && WHOLE_NUMBER.test(value) ? Number(value) : value;
    });
    if (!definition.validate(values)) {
      for (const error of definition.validate.errors ?? []) {
        const name = columnOf(error);
        const at = cells[name] ?? { line: record.line, column: 1 };
        problem(at.line, at.column, describeCellError(definition, name, error));
      }
      continue;
    }
    rows.push({ line: record.line, values, cells });
  }
  return { rows, problems: sorted(problems) };
}

function columnList(definition: TableDefinition): string {
  return `columns: ${definition.columns.map((column) => (column.required ? column.name : `${column.name} (optional)`)).join(', ')}`;
}

function columnOf(error: ErrorObject): string {
  if (error.keyword === 'required') return String((error.params as { missingProperty: unknown }).missingProperty);
  return error.instancePath.slice(1).split('/')[0] ?? '';
}

function describeCellError(definition: TableDefinition, name: string, error: ErrorObject): string {
  if (error.keyword === 'required') return `\`${name}\` is empty: every row needs one.`;
  const expected = definition.columns.find((column) => column.name === name)?.expected;
  if (error.keyword === 'pattern' && expected !== undefined) return `\`${name}\` must be ${expected}.`;
  return describeSchemaError(error);
}

function sorted(problems: RowProblem[]): RowProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}
