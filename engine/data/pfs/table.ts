/**
 * The compact form of a physician fee schedule release in its release folder: one file,
 * `pfs.tsv` (ASCII), a header line and then one line per row of the RVU file, sorted by code and
 * modifier (the code's own row first), six tab-separated fields:
 *
 *   code  modifier  status  global days  multiple procedure  bilateral surgery
 *
 * for example `27447\t\tA\t090\t2\t1` or `70450\t26\tA\tXXX\t4\t0`. A release has about 19,000
 * rows: loading reads them into a Map after checking every line (shape, order) and the counts
 * against the manifest, so that a lookup takes constant time and returns the same frozen entry
 * each time. RVUs and descriptions are left out: the checks need the payment policy indicators.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ScrubError, type ScrubProblem } from '../../errors.js';
import { scrubProblem } from '../problems.js';
import { declaredCounts } from '../source-file.js';
import {
  PFS_BILATERAL_INDICATORS,
  PFS_GLOBAL_DAYS,
  PFS_MULTIPLE_PROCEDURE_INDICATORS,
  type PfsBilateralIndicator,
  type PfsEntry,
  type PfsGlobalDays,
  type PfsMultipleProcedureIndicator,
  type PfsTable,
  type ReleaseManifest,
} from '../types.js';
import { MUE_CODE } from '../mue/parse-mue-file.js';

export const PFS_TABLE_FILE = 'pfs.tsv';

/** The first line of the table file; a different one is a layout this loader does not know. */
export const PFS_TABLE_HEADER = 'code\tmodifier\tstatus\tglobal days\tmultiple procedure\tbilateral surgery';

/** `data status` counts of a PFS release; the global period counts are of the codes' own rows. */
export interface PfsCounts extends Record<string, number> {
  /** Codes with a row of their own (without a modifier). */
  codes: number;
  /** Rows for a code with a modifier (26, TC, 53...). */
  modifierRows: number;
  /** Global days 090. */
  majorSurgery: number;
  /** Global days 000 or 010. */
  minorProcedures: number;
  /** Global days ZZZ. */
  addOnCodes: number;
}

const COUNT_NAMES: Readonly<Record<keyof PfsCounts, string>> = {
  codes: 'codes',
  modifierRows: 'rows with a modifier',
  majorSurgery: 'major surgery codes (090)',
  minorProcedures: 'minor procedure codes (000, 010)',
  addOnCodes: 'add-on codes (ZZZ)',
};

const MODIFIER = /^[0-9A-Z]{2}$/;
const STATUS = /^[A-Z]$/;
const GLOBAL_DAYS: ReadonlySet<string> = new Set(PFS_GLOBAL_DAYS);
const BILATERAL: ReadonlySet<string> = new Set(PFS_BILATERAL_INDICATORS.map(String));
const MULTIPLE_PROCEDURE: ReadonlySet<string> = new Set(PFS_MULTIPLE_PROCEDURE_INDICATORS.map(String));

class MapTable implements PfsTable {
  readonly rows: number;

  /**
   * @param own each code's own row (looked up for every claim line: a plain Map by code)
   * @param withModifier the rows with a modifier, by code, then modifier
   */
  constructor(
    private readonly own: ReadonlyMap<string, PfsEntry>,
    private readonly withModifier: ReadonlyMap<string, ReadonlyMap<string, PfsEntry>>,
  ) {
    let rows = own.size;
    for (const byModifier of withModifier.values()) rows += byModifier.size;
    this.rows = rows;
  }

  entryFor(code: string, modifier?: string): PfsEntry | undefined {
    return modifier === undefined || modifier === '' ? this.own.get(code) : this.withModifier.get(code)?.get(modifier);
  }
}

/** Collects entries into the two maps of a MapTable; false when the code and modifier are there already. */
function addEntry(own: Map<string, PfsEntry>, withModifier: Map<string, Map<string, PfsEntry>>, entry: PfsEntry): boolean {
  if (entry.modifier === undefined) {
    if (own.has(entry.code)) return false;
    own.set(entry.code, entry);
    return true;
  }
  let byModifier = withModifier.get(entry.code);
  if (byModifier === undefined) withModifier.set(entry.code, (byModifier = new Map()));
  if (byModifier.has(entry.modifier)) return false;
  byModifier.set(entry.modifier, entry);
  return true;
}

/** The entry's own fields (a parsed row carries more), frozen so that lookups cannot change the table. */
function entryOf(entry: PfsEntry): PfsEntry {
  const copy: PfsEntry = {
    code: entry.code,
    status: entry.status,
    globalDays: entry.globalDays,
    multipleProcedure: entry.multipleProcedure,
    bilateralSurgery: entry.bilateralSurgery,
  };
  if (entry.modifier !== undefined) copy.modifier = entry.modifier;
  return Object.freeze(copy);
}

/** An in-memory table (tests, callers that build one themselves). Throws on a code and modifier given twice. */
export function createPfsTable(entries: Iterable<PfsEntry>): PfsTable {
  const own = new Map<string, PfsEntry>();
  const withModifier = new Map<string, Map<string, PfsEntry>>();
  for (const entry of entries) {
    if (!addEntry(own, withModifier, entryOf(entry))) {
      throw new Error(`createPfsTable: ${entry.code}${entry.modifier === undefined ? '' : ` with modifier ${entry.modifier}`} is given twice`);
    }
  }
  return new MapTable(own, withModifier);
}

function countsOf(entries: Iterable<PfsEntry>): PfsCounts {
  const counts: PfsCounts = { codes: 0, modifierRows: 0, majorSurgery: 0, minorProcedures: 0, addOnCodes: 0 };
  for (const entry of entries) {
    if (entry.modifier !== undefined) {
      counts.modifierRows++;
      continue;
    }
    counts.codes++;
    if (entry.globalDays === '090') counts.majorSurgery++;
    else if (entry.globalDays === '000' || entry.globalDays === '010') counts.minorProcedures++;
    else if (entry.globalDays === 'ZZZ') counts.addOnCodes++;
  }
  return counts;
}

/** Table order: by code, then the code's own row before its modifier rows, by modifier. */
function compareRows(a: PfsEntry, b: PfsEntry): number {
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  const ma = a.modifier ?? '';
  const mb = b.modifier ?? '';
  return ma < mb ? -1 : ma > mb ? 1 : 0;
}

/**
 * The table files of a release (name → content) and its counts, from checked rows (unique code
 * and modifier pairs, as the parser gives them). Throws on a pair given twice.
 */
export function buildPfsTables(entries: readonly PfsEntry[]): { tables: Record<string, string>; counts: PfsCounts } {
  const sorted = [...entries].sort(compareRows);
  const lines = [PFS_TABLE_HEADER];
  let previous: PfsEntry | undefined;
  for (const entry of sorted) {
    if (previous !== undefined && compareRows(previous, entry) === 0) throw new Error(`buildPfsTables: ${entry.code} ${entry.modifier ?? ''} is given twice`);
    previous = entry;
    lines.push(`${entry.code}\t${entry.modifier ?? ''}\t${entry.status}\t${entry.globalDays}\t${entry.multipleProcedure}\t${entry.bilateralSurgery}`);
  }
  return { tables: { [PFS_TABLE_FILE]: `${lines.join('\n')}\n` }, counts: countsOf(sorted) };
}

/** The entry on a table line, or what is wrong with it and at which column. */
function readTableLine(text: string, previous: PfsEntry | undefined): PfsEntry | { column: number; message: string } {
  const fields = text.split('\t');
  if (fields.length !== 6) return { column: 1, message: `the line has ${fields.length} tab-separated fields, not 6 (code, modifier, status, global days, multiple procedure, bilateral surgery)` };
  const [code = '', modifier = '', status = '', globalDays = '', multipleProcedure = '', bilateralSurgery = ''] = fields;
  const columnOf = (field: number): number => fields.slice(0, field).reduce((sum, f) => sum + f.length + 1, 1);
  if (!MUE_CODE.test(code)) return { column: 1, message: `${JSON.stringify(code)} is not a CPT or HCPCS code` };
  if (modifier !== '' && !MODIFIER.test(modifier)) return { column: columnOf(1), message: `the modifier must be two capital letters or digits, or empty, found ${JSON.stringify(modifier)}` };
  if (!STATUS.test(status)) return { column: columnOf(2), message: `the status must be one capital letter, found ${JSON.stringify(status)}` };
  if (!GLOBAL_DAYS.has(globalDays)) return { column: columnOf(3), message: `the global days must be one of ${PFS_GLOBAL_DAYS.join(', ')}, found ${JSON.stringify(globalDays)}` };
  if (!MULTIPLE_PROCEDURE.has(multipleProcedure)) return { column: columnOf(4), message: `the multiple procedure indicator must be one of ${PFS_MULTIPLE_PROCEDURE_INDICATORS.join(', ')}, found ${JSON.stringify(multipleProcedure)}` };
  if (!BILATERAL.has(bilateralSurgery)) return { column: columnOf(5), message: `the bilateral surgery indicator must be one of ${PFS_BILATERAL_INDICATORS.join(', ')}, found ${JSON.stringify(bilateralSurgery)}` };
  const entry: PfsEntry = {
    code,
    status,
    globalDays: globalDays as PfsGlobalDays,
    multipleProcedure: Number(multipleProcedure) as PfsMultipleProcedureIndicator,
    bilateralSurgery: Number(bilateralSurgery) as PfsBilateralIndicator,
  };
  if (modifier !== '') entry.modifier = modifier;
  if (previous !== undefined && compareRows(previous, entry) >= 0) {
    return { column: 1, message: `the rows must be sorted by code and modifier, each once: ${code} ${modifier} comes after ${previous.code} ${previous.modifier ?? ''}` };
  }
  return Object.freeze(entry);
}

/**
 * Loads the table of the PFS release in `dir`, checking it against the release's manifest (read
 * from `dir` when not given). Throws SCRUB_ERR_DATA_INVALID, with the problems found, when the
 * table file is missing, damaged, or does not match the manifest's counts.
 */
export async function loadPfsTable(dir: string, manifest?: ReleaseManifest): Promise<PfsTable> {
  const counts = await declaredCounts(dir, manifest);
  const file = path.join(dir, PFS_TABLE_FILE);
  const fail = (problems: ScrubProblem[]): never => {
    throw new ScrubError('SCRUB_ERR_DATA_INVALID', `${dir}: the physician fee schedule release is damaged`, { problems });
  };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return fail([scrubProblem(file, `cannot read the table: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)]);
  }
  if (!text.endsWith('\n')) return fail([scrubProblem(file, 'the file does not end with a line feed (cut short?)')]);
  const lines = text.slice(0, -1).split('\n');
  if (lines[0] !== PFS_TABLE_HEADER) return fail([scrubProblem(file, `the first line must be the header ${JSON.stringify(PFS_TABLE_HEADER)}`, 1, 1)]);
  const own = new Map<string, PfsEntry>();
  const withModifier = new Map<string, Map<string, PfsEntry>>();
  const entries: PfsEntry[] = [];
  let previous: PfsEntry | undefined;
  for (let i = 1; i < lines.length; i++) {
    const read = readTableLine(lines[i] ?? '', previous);
    if (!('code' in read)) return fail([scrubProblem(file, read.message, i + 1, read.column)]);
    // Sorted and unique (checked above): the entry is new.
    addEntry(own, withModifier, read);
    entries.push(read);
    previous = read;
  }
  const problems: ScrubProblem[] = [];
  for (const [name, value] of Object.entries(countsOf(entries))) {
    const declared = counts?.[name];
    if (declared !== value) problems.push(scrubProblem(file, `has ${value} ${COUNT_NAMES[name as keyof PfsCounts]}, the manifest says ${declared ?? 'nothing'}`));
  }
  if (problems.length > 0) return fail(problems);
  return new MapTable(own, withModifier);
}
