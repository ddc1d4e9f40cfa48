/**
 * The compact form of an ICD-10-CM release in its release folder: one file, `codes.txt`, every
 * code of the release sorted, one a line, fixed width (10 bytes a line, ASCII):
 *
 *   columns 1-7   the code without its dot, left-justified, padded with spaces
 *   column 8      blank
 *   column 9      1 = valid for claims (billable), 0 = header
 *   column 10     line feed
 *
 * for example `E11     0` and `E119    1`. Loading is reading the file into one string and checking
 * it (shape, order, counts) in one pass: no string per code is made, and a lookup is a binary
 * search over the fixed-width lines. Descriptions are not kept: the engine needs to know only
 * whether a code exists and whether it is billable.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ScrubError, type ScrubProblem } from '../../errors.js';
import { scrubProblem } from '../problems.js';
import { declaredManifest } from '../source-file.js';
import { hasIcd10cmNotesTable, loadIcd10cmNotesTable } from './notes-table.js';
import type { Icd10cmNotesTable, Icd10cmTable, ReleaseManifest } from '../types.js';
import type { OrderRow } from './parse-order-file.js';

export const ICD10CM_TABLE_FILE = 'codes.txt';

/** `data status` counts of an ICD-10-CM release. */
export interface Icd10cmCounts extends Record<string, number> {
  codes: number;
  billable: number;
  headers: number;
}

const WIDTH = 10;
const CODE_WIDTH = 7;
const SPACE = 32;
const ONE = 49;
const ZERO = 48;
const LF = 10;

/** Lookups in the loaded `codes.txt` text: binary search over its fixed-width lines. */
class FixedWidthTable implements Icd10cmTable {
  private readonly count: number;

  constructor(
    private readonly text: string,
    readonly notes?: Icd10cmNotesTable,
  ) {
    this.count = text.length / WIDTH;
  }

  status(dotlessCode: string): 'billable' | 'header' | undefined {
    const length = dotlessCode.length;
    // A trailing space would match a line's padding.
    if (length < 3 || length > CODE_WIDTH || dotlessCode.charCodeAt(length - 1) === SPACE) return undefined;
    const text = this.text;
    let low = 0;
    let high = this.count - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const offset = middle * WIDTH;
      let cmp = 0;
      for (let i = 0; i < CODE_WIDTH; i++) {
        // The code, padded with spaces like the line (a space sorts before every code character).
        const mine = i < length ? dotlessCode.charCodeAt(i) : SPACE;
        cmp = mine - text.charCodeAt(offset + i);
        if (cmp !== 0) break;
      }
      if (cmp === 0) return text.charCodeAt(offset + CODE_WIDTH + 1) === ONE ? 'billable' : 'header';
      if (cmp < 0) high = middle - 1;
      else low = middle + 1;
    }
    return undefined;
  }
}

class SetTable implements Icd10cmTable {
  constructor(
    private readonly billable: ReadonlySet<string>,
    private readonly headers: ReadonlySet<string>,
  ) {}

  status(dotlessCode: string): 'billable' | 'header' | undefined {
    if (this.billable.has(dotlessCode)) return 'billable';
    if (this.headers.has(dotlessCode)) return 'header';
    return undefined;
  }
}

/** An in-memory table (tests, callers that build one themselves). Codes are written without their dot. */
export function createIcd10cmTable(billable: Iterable<string>, headers: Iterable<string>): Icd10cmTable {
  return new SetTable(new Set(billable), new Set(headers));
}

/** The table files of a release (name → content) and its counts, from checked order-file rows (unique codes). */
export function buildIcd10cmTables(rows: readonly OrderRow[]): { tables: Record<string, string>; counts: Icd10cmCounts } {
  const lines: string[] = [];
  let billable = 0;
  for (const row of rows) {
    if (row.billable) billable++;
    lines.push(`${row.code.padEnd(CODE_WIDTH)} ${row.billable ? '1' : '0'}\n`);
  }
  // The code comes first and is padded with spaces, so sorting the lines sorts by code.
  lines.sort();
  return {
    tables: { [ICD10CM_TABLE_FILE]: lines.join('') },
    counts: { codes: rows.length, billable, headers: rows.length - billable },
  };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

/** What is wrong with line `index` (0-based) of codes.txt, or undefined. */
function lineProblem(text: string, index: number): string | undefined {
  const offset = index * WIDTH;
  let length = CODE_WIDTH;
  for (let i = 0; i < CODE_WIDTH; i++) {
    const c = text.charCodeAt(offset + i);
    if (c === SPACE) {
      length = i;
      break;
    }
    if (i === 0 ? !isUpper(c) : i === 1 ? !isDigit(c) : !isDigit(c) && !isUpper(c)) return 'not an ICD-10-CM code without its dot in columns 1-7';
  }
  if (length < 3) return 'not an ICD-10-CM code without its dot in columns 1-7';
  for (let i = length; i <= CODE_WIDTH; i++) if (text.charCodeAt(offset + i) !== SPACE) return 'the code must be padded with spaces to column 8';
  const flag = text.charCodeAt(offset + CODE_WIDTH + 1);
  if (flag !== ONE && flag !== ZERO) return 'column 9 must be 1 (billable) or 0 (header)';
  if (text.charCodeAt(offset + WIDTH - 1) !== LF) return 'each line must be 9 characters and a line feed';
  if (index > 0) {
    const previous = offset - WIDTH;
    for (let i = 0; i < CODE_WIDTH; i++) {
      const cmp = text.charCodeAt(offset + i) - text.charCodeAt(previous + i);
      if (cmp > 0) return undefined;
      if (cmp < 0) break;
    }
    return 'the codes must be sorted and unique';
  }
  return undefined;
}

/**
 * Loads the table of the ICD-10-CM release in `dir`, checking it against the release's manifest
 * (read from `dir` when not given). Throws SCRUB_ERR_DATA_INVALID, with the problems found, when
 * the table file is missing, damaged, or does not match the manifest's counts.
 */
export async function loadIcd10cmTable(dir: string, manifest?: ReleaseManifest): Promise<Icd10cmTable> {
  const declared = await declaredManifest(dir, manifest);
  const counts = declared.counts;
  const file = path.join(dir, ICD10CM_TABLE_FILE);
  const fail = (problems: ScrubProblem[]): never => {
    throw new ScrubError('SCRUB_ERR_DATA_INVALID', `${dir}: the ICD-10-CM release is damaged`, { problems });
  };
  let text: string;
  try {
    // latin1: one byte a character, so line n starts at n * 10; a non-ASCII byte fails the checks.
    text = await readFile(file, 'latin1');
  } catch (error) {
    return fail([scrubProblem(file, `cannot read the table: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)]);
  }
  if (text.length % WIDTH !== 0) return fail([scrubProblem(file, `the file has ${text.length} bytes, not a whole number of ${WIDTH}-byte lines (cut short?)`)]);
  const lines = text.length / WIDTH;
  let billable = 0;
  for (let i = 0; i < lines; i++) {
    const problem = lineProblem(text, i);
    if (problem !== undefined) return fail([scrubProblem(file, problem, i + 1, 1)]);
    if (text.charCodeAt(i * WIDTH + CODE_WIDTH + 1) === ONE) billable++;
  }
  const problems: ScrubProblem[] = [];
  const expected = { codes: lines, billable, headers: lines - billable };
  for (const [name, value] of Object.entries(expected)) {
    const declared = counts?.[name];
    if (declared !== value) problems.push(scrubProblem(file, `has ${value} ${name === 'codes' ? 'codes' : `${name} codes`}, the manifest says ${declared ?? 'nothing'}`));
  }
  if (problems.length > 0) return fail(problems);
  // The tabular list's notes, when the release was imported with its XML.
  return new FixedWidthTable(text, hasIcd10cmNotesTable(declared) ? await loadIcd10cmNotesTable(dir, manifest) : undefined);
}
