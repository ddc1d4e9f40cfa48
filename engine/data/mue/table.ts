/**
 * The compact form of an MUE release in its release folder, two files:
 *
 * - `rationales.json`: the release's distinct rationales, a JSON array of strings sorted by code
 *   unit (a dozen or so; JSON because a rationale may hold any character);
 * - `edits.txt`: one line per code, sorted by code, ASCII, four fields separated by tabs:
 *
 *     code  value  indicator  rationale
 *     99213 <TAB> 1 <TAB> 2 <TAB> 0       (rationale: index into rationales.json)
 *
 * Loading reads both files, checks every line (shape, order, rationale index) and the counts
 * against the manifest in one pass, and builds a Map from code to a frozen entry, so that a lookup
 * takes constant time and returns the same object each time. Entries share their rationale string.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ScrubError, type ScrubProblem } from '../../errors.js';
import { scrubProblem } from '../problems.js';
import type { MueEntry, MueTable, ReleaseManifest } from '../types.js';
import { declaredCounts } from '../source-file.js';

export const MUE_EDITS_FILE = 'edits.txt';
export const MUE_RATIONALES_FILE = 'rationales.json';

/** `data status` counts of an MUE release. */
export interface MueCounts extends Record<string, number> {
  codes: number;
  /** Indicator 1: units compared per claim line. */
  lineEdits: number;
  /** Indicators 2 and 3: units summed per patient, provider and date of service. */
  dateOfServiceEdits: number;
  /** Distinct rationales. */
  rationales: number;
}

const COUNT_NAMES: Record<keyof MueCounts, string> = {
  codes: 'codes',
  lineEdits: 'line edits (indicator 1)',
  dateOfServiceEdits: 'date of service edits (indicators 2 and 3)',
  rationales: 'rationales',
};

const TAB = 9;
const ZERO = 48;
const NINE = 57;
const MAX_VALUE_DIGITS = 15;
const MAX_RATIONALE_DIGITS = 6;

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

/** The fields of an edits.txt line, read by `readEditLine`. */
interface EditFields {
  code: string;
  value: number;
  indicator: 1 | 2 | 3;
  rationale: number;
}

/**
 * Reads the digits of a number from `start` to the first character that is not a digit (a number
 * has no leading zero and at most `maxDigits` digits). Returns the value and where it ends, or
 * undefined.
 */
function readNumber(text: string, start: number, end: number, maxDigits: number): { value: number; next: number } | undefined {
  let value = 0;
  let i = start;
  while (i < end && isDigit(text.charCodeAt(i))) value = value * 10 + (text.charCodeAt(i++) - ZERO);
  const digits = i - start;
  if (digits === 0 || digits > maxDigits || (digits > 1 && text.charCodeAt(start) === ZERO)) return undefined;
  return { value, next: i };
}

/**
 * Reads line text[start, end) of edits.txt into `out`; false when it is not code, value,
 * indicator and rationale index separated by tabs. Hand-written rather than a regular expression:
 * loading runs once per release and worker, mostly before the JIT has warmed up, and this makes
 * no string but the code.
 */
function readEditLine(text: string, start: number, end: number, out: EditFields): boolean {
  if (end - start < 11 || text.charCodeAt(start + 5) !== TAB) return false;
  const first = text.charCodeAt(start);
  const last = text.charCodeAt(start + 4);
  if (isUpper(first)) {
    if (!isDigit(last)) return false;
  } else if (!isDigit(first) || !(isDigit(last) || isUpper(last))) {
    return false;
  }
  for (let i = start + 1; i < start + 4; i++) if (!isDigit(text.charCodeAt(i))) return false;
  const value = readNumber(text, start + 6, end, MAX_VALUE_DIGITS);
  if (value === undefined || text.charCodeAt(value.next) !== TAB) return false;
  const indicator = text.charCodeAt(value.next + 1) - ZERO;
  if (indicator < 1 || indicator > 3 || text.charCodeAt(value.next + 2) !== TAB) return false;
  const rationale = readNumber(text, value.next + 3, end, MAX_RATIONALE_DIGITS);
  if (rationale === undefined || rationale.next !== end) return false;
  out.code = text.slice(start, start + 5);
  out.value = value.value;
  out.indicator = indicator as 1 | 2 | 3;
  out.rationale = rationale.value;
  return true;
}

class MapMueTable implements MueTable {
  readonly rows: number;

  constructor(private readonly entries: ReadonlyMap<string, MueEntry>) {
    this.rows = entries.size;
  }

  entryFor(code: string): MueEntry | undefined {
    return this.entries.get(code);
  }
}

function byCode(a: MueEntry, b: MueEntry): number {
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}

/** An in-memory table (tests, callers that build one themselves). Throws on a code given twice. */
export function createMueTable(entries: Iterable<MueEntry>): MueTable {
  const map = new Map<string, MueEntry>();
  for (const { code, value, indicator, rationale } of entries) {
    if (map.has(code)) throw new Error(`createMueTable: the code ${code} is given twice`);
    map.set(code, Object.freeze({ code, value, indicator, rationale }));
  }
  return new MapMueTable(map);
}

/**
 * The table files of a release (name → content) and its counts, from checked rows. Throws when a
 * code is given twice: the parser reports duplicates, so that is a caller's mistake.
 */
export function buildMueTables(rows: readonly MueEntry[]): { tables: Record<string, string>; counts: MueCounts } {
  const sorted = [...rows].sort(byCode);
  const rationales = [...new Set(sorted.map((row) => row.rationale))].sort();
  const rationaleIndex = new Map(rationales.map((rationale, index) => [rationale, index]));
  const lines: string[] = [];
  let lineEdits = 0;
  let previous: string | undefined;
  for (const row of sorted) {
    if (row.code === previous) throw new Error(`buildMueTables: the code ${row.code} is given twice`);
    previous = row.code;
    if (row.indicator === 1) lineEdits++;
    lines.push(`${row.code}\t${row.value}\t${row.indicator}\t${rationaleIndex.get(row.rationale) ?? 0}\n`);
  }
  return {
    tables: {
      [MUE_EDITS_FILE]: lines.join(''),
      [MUE_RATIONALES_FILE]: `[\n${rationales.map((rationale) => JSON.stringify(rationale)).join(',\n')}\n]\n`,
    },
    counts: { codes: sorted.length, lineEdits, dateOfServiceEdits: sorted.length - lineEdits, rationales: rationales.length },
  };
}

/** What is wrong with rationales.json's parsed content, or undefined. */
function rationalesProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'expected a JSON array of rationale strings';
  const seen = new Set<string>();
  for (const [index, item] of value.entries()) {
    if (typeof item !== 'string' || item.length === 0) return `item ${index} is not a non-empty string`;
    if (seen.has(item)) return `item ${index} repeats ${JSON.stringify(item)}: rationales are listed once`;
    seen.add(item);
  }
  return undefined;
}

/**
 * Loads the table of the MUE release in `dir`, checking it against the release's manifest (read
 * from `dir` when not given). Throws SCRUB_ERR_DATA_INVALID, with the problems found, when a table
 * file is missing, damaged, or does not match the manifest's counts.
 */
export async function loadMueTable(dir: string, manifest?: ReleaseManifest): Promise<MueTable> {
  const counts = await declaredCounts(dir, manifest);
  const fail = (problems: ScrubProblem[]): never => {
    throw new ScrubError('SCRUB_ERR_DATA_INVALID', `${dir}: the MUE release is damaged`, { problems });
  };
  const editsFile = path.join(dir, MUE_EDITS_FILE);
  const rationalesFile = path.join(dir, MUE_RATIONALES_FILE);
  const read = async (file: string): Promise<string> => {
    try {
      return await readFile(file, 'utf8');
    } catch (error) {
      return fail([scrubProblem(file, `cannot read the table: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)]);
    }
  };
  const [editsText, rationalesText] = await Promise.all([read(editsFile), read(rationalesFile)]);

  let rationales: unknown;
  try {
    rationales = JSON.parse(rationalesText);
  } catch (error) {
    return fail([scrubProblem(rationalesFile, `not JSON (cut short?): ${(error as Error).message}`)]);
  }
  const rationalesWrong = rationalesProblem(rationales);
  if (rationalesWrong !== undefined) return fail([scrubProblem(rationalesFile, rationalesWrong)]);
  const rationaleList = rationales as string[];

  if (editsText.length > 0 && !editsText.endsWith('\n')) return fail([scrubProblem(editsFile, 'the last line has no line feed (cut short?)')]);
  const entries = new Map<string, MueEntry>();
  const used = new Uint8Array(rationaleList.length);
  const fields: EditFields = { code: '', value: 0, indicator: 1, rationale: 0 };
  let lineEdits = 0;
  let previous = '';
  let line = 0;
  const lineFail = (message: string): never => fail([scrubProblem(editsFile, message, line, 1)]);
  // The text ends with a line feed (checked above): every line has one.
  for (let start = 0; start < editsText.length; ) {
    const end = editsText.indexOf('\n', start);
    line++;
    if (!readEditLine(editsText, start, end, fields)) return lineFail('expected code, value, indicator (1, 2 or 3) and rationale index, separated by tabs');
    const { code, value, indicator, rationale } = fields;
    if (code <= previous) return lineFail('the codes must be sorted and unique');
    previous = code;
    const text = rationaleList[rationale];
    if (text === undefined) return lineFail(`rationale ${rationale} is not in ${MUE_RATIONALES_FILE}, which has ${rationaleList.length}`);
    used[rationale] = 1;
    if (indicator === 1) lineEdits++;
    entries.set(code, Object.freeze({ code, value, indicator, rationale: text }));
    start = end + 1;
  }
  const unused = used.indexOf(0);
  if (unused >= 0) return fail([scrubProblem(rationalesFile, `rationale ${unused} (${JSON.stringify(rationaleList[unused])}) is used by no edit`)]);

  const found: MueCounts = { codes: line, lineEdits, dateOfServiceEdits: line - lineEdits, rationales: rationaleList.length };
  const problems: ScrubProblem[] = [];
  for (const [name, value] of Object.entries(found)) {
    const declared = counts?.[name];
    if (declared !== value) {
      problems.push(scrubProblem(name === 'rationales' ? rationalesFile : editsFile, `has ${value} ${COUNT_NAMES[name as keyof MueCounts]}, the manifest says ${declared ?? 'nothing'}`));
    }
  }
  if (problems.length > 0) return fail(problems);
  return new MapMueTable(entries);
}
