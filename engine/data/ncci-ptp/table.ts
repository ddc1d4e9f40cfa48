/**
 * The NCCI PTP table of a release: built from checked rows into one binary file (`ptp.bin`, see
 * binary-format.ts), loaded by reading that file and wrapping its sections as typed arrays.
 * Loading checks the header, the section sizes, a SHA-256 of the content and the manifest's
 * counts, never the rows one by one; a lookup is two small hash probes (the codes) and one hash
 * probe for the pair, about 14 bytes a row in memory.
 *
 * What a deletion date means. The tables give each edit an effective date and a deletion date,
 * and whether the deletion date is the last day the edit applies or the first day it no longer
 * does decides claims on that very day. No CMS text saying it in so many words was found (the
 * Medicaid NCCI edit design manual, which has claim adjudication rules, was found only as a table
 * of contents). Everything found reads it as the first day the edit NO LONGER applies:
 *
 *  - AAPC, "Know When to Unbundle With NCCI Modifier Indicators" (2005): a deleted edit "does not
 *    apply to claims you submit for dates of service on or after the deletion date".
 *  - Modifier indicator 9 marks edits deleted retroactively, written with a deletion date equal to
 *    the effective date, edits that "were never effective" (AAPC coding alerts; a Q1 2018 row
 *    quoted on tingtau.com: 93653 / 93623, 20130101, 20130101, 9). Were the deletion date the
 *    last day in effect, such an edit would have applied for one day.
 *  - Heart Rhythm Society on NCCI 15.1: two edits effective 2009-01-01 were deleted "retroactive
 *    to the January 1 implementation date", i.e. never applied.
 *
 * One source reads the other way: Frank Cohen's analyses of NCCI 16.1 and 16.3 call edits
 * "terminated retroactive to December 31, 2005" and give "termination date ... September 30,
 * 2010", which may be his wording for the last day in effect. Fairly sure, not certain: an edit
 * applies to dates of service from its effective date up to the day before its deletion date.
 * `PtpEdit.deleted` carries the file's deletion date unchanged (the first day the edit no longer
 * applies), not the day before.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import path from 'node:path';
import { ScrubError, type ScrubProblem } from '../../errors.js';
import { dataError, scrubProblem } from '../problems.js';
import type { NcciPtpTable, PtpEdit, ReleaseManifest } from '../types.js';
import {
  DIGEST_BYTES,
  DIGEST_OFFSET,
  FORMAT_VERSION,
  HEADER_BYTES,
  MAX_RATIONALES,
  RATIONALE_SHIFT,
  type TableHeader,
  type TableLayout,
  hashSlotsFor,
  mix32,
  pairHash,
  readHeader,
  tableLayout,
  writeHeader,
} from './binary-format.js';
import { CODE_LENGTH, codeNumberOfBytes, codeNumberOfString, codeOfNumber } from './codes.js';
import { dayOfIsoDate, isoOfDay } from './dates.js';
import { orderRowsByPair, type PairOrder } from './pairs.js';
import { INDICATOR_MASK, MODIFIER_INDICATORS, PtpRowSet } from './rows.js';

export const NCCI_PTP_TABLE_FILE = 'ptp.bin';

/** `data status` counts of an NCCI PTP release. */
export interface NcciPtpCounts extends Record<string, number> {
  rows: number;
  /** Distinct (column 1, column 2) pairs. */
  pairs: number;
  /** Rows without a deletion date. */
  active: number;
  /** Distinct codes in either column. */
  codes: number;
}

const COUNT_NAMES = ['rows', 'pairs', 'active', 'codes'] as const;

function edit(column1: string, column2: string, effective: number, deleted: number, packed: number, rationale: string): PtpEdit {
  const result: PtpEdit = {
    column1,
    column2,
    effective: isoOfDay(effective),
    modifierIndicator: MODIFIER_INDICATORS[packed & INDICATOR_MASK] ?? 9,
    rationale,
  };
  if (deleted !== 0) result.deleted = isoOfDay(deleted);
  return result;
}

/** The typed-array views of a table file. */
interface TableSections {
  column1Starts: Uint32Array;
  slots: Uint32Array;
  column2: Uint16Array;
  effective: Uint16Array;
  deleted: Uint16Array;
  packed: Uint16Array;
  rationaleStarts: Uint32Array;
  rationaleText: Uint8Array;
}

function sectionsOf(file: Uint8Array, layout: TableLayout): TableSections {
  const buffer = file.buffer;
  const at = file.byteOffset;
  return {
    column1Starts: new Uint32Array(buffer, at + layout.column1Starts.offset, layout.column1Starts.bytes / 4),
    slots: new Uint32Array(buffer, at + layout.slots.offset, layout.slots.bytes / 4),
    column2: new Uint16Array(buffer, at + layout.column2.offset, layout.column2.bytes / 2),
    effective: new Uint16Array(buffer, at + layout.effective.offset, layout.effective.bytes / 2),
    deleted: new Uint16Array(buffer, at + layout.deleted.offset, layout.deleted.bytes / 2),
    packed: new Uint16Array(buffer, at + layout.packed.offset, layout.packed.bytes / 2),
    rationaleStarts: new Uint32Array(buffer, at + layout.rationaleStarts.offset, layout.rationaleStarts.bytes / 4),
    rationaleText: file.subarray(layout.rationaleText.offset, layout.rationaleText.offset + layout.rationaleText.bytes),
  };
}

/** Code text → code index, by open addressing over the code numbers (built at load: a few thousand steps). */
class CodeIndex {
  private readonly numbers: Int32Array;
  private readonly slots: Uint32Array;
  private readonly mask: number;

  constructor(numbers: Int32Array) {
    this.numbers = numbers;
    let size = 2;
    while (size < numbers.length * 2) size *= 2;
    this.slots = new Uint32Array(size);
    this.mask = size - 1;
    for (let i = 0; i < numbers.length; i++) {
      let slot = mix32(numbers[i] as number) & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = i + 1;
    }
  }

  get bytes(): number {
    return this.numbers.byteLength + this.slots.byteLength;
  }

  /** The index of `code`, or -1 when the table has no such code (or it is not a code). */
  indexOf(code: string): number {
    const codeNumber = codeNumberOfString(code);
    if (codeNumber < 0) return -1;
    let slot = mix32(codeNumber) & this.mask;
    for (;;) {
      const entry = this.slots[slot] as number;
      if (entry === 0) return -1;
      if (this.numbers[entry - 1] === codeNumber) return entry - 1;
      slot = (slot + 1) & this.mask;
    }
  }
}

/** A table loaded from its file: lookups read the typed arrays in place. */
export class LoadedNcciPtpTable implements NcciPtpTable {
  readonly rows: number;
  /** Memory the table holds: the file, and the code index built at load. */
  readonly bytes: number;
  private readonly rationales: (string | undefined)[];
  private readonly decoder = new TextDecoder();
  private lastDate = '';
  private lastDay = -1;

  constructor(
    private readonly codes: CodeIndex,
    private readonly sections: TableSections,
    fileBytes: number,
  ) {
    this.rows = sections.column2.length;
    this.bytes = fileBytes + codes.bytes;
    this.rationales = new Array<string | undefined>(sections.rationaleStarts.length - 1);
  }

  editFor(column1: string, column2: string, dateOfService: string): PtpEdit | undefined {
    const s = this.sections;
    const first = this.codes.indexOf(column1);
    if (first < 0) return undefined;
    const low = s.column1Starts[first] as number;
    const high = s.column1Starts[first + 1] as number;
    if (low === high) return undefined;
    const second = this.codes.indexOf(column2);
    if (second < 0) return undefined;
    // The lines of a claim share their dates: keep the last one read.
    if (dateOfService !== this.lastDate) {
      this.lastDate = dateOfService;
      this.lastDay = dayOfIsoDate(dateOfService);
    }
    const day = this.lastDay;
    if (day < 0) return undefined;
    const slots = s.slots;
    const size = slots.length;
    let slot = pairHash(first, second) % size;
    // Bounded, so that even a table whose slots are all taken cannot loop.
    for (let probes = 0; probes < size; probes++) {
      const entry = slots[slot] as number;
      if (entry === 0) return undefined;
      const row = entry - 1;
      // A slot of another column 1 code fails the range test without touching the rows.
      if (row >= low && row < high && s.column2[row] === second) return this.inEffect(row, high, second, day, column1, column2);
      slot = slot + 1 === size ? 0 : slot + 1;
    }
    return undefined;
  }

  /** The row of the pair starting at `row` in effect on `day`: effective <= day < deleted (see the file comment). */
  private inEffect(row: number, high: number, second: number, day: number, column1: string, column2: string): PtpEdit | undefined {
    const s = this.sections;
    for (let i = row; i < high && s.column2[i] === second; i++) {
      const effective = s.effective[i] as number;
      // Rows of a pair are sorted by effective date.
      if (effective > day) return undefined;
      const deleted = s.deleted[i] as number;
      if (deleted === 0 || day < deleted) {
        const packed = s.packed[i] as number;
        return edit(column1, column2, effective, deleted, packed, this.rationale(packed >>> RATIONALE_SHIFT));
      }
    }
    return undefined;
  }

  private rationale(index: number): string {
    let text = this.rationales[index];
    if (text === undefined) {
      const s = this.sections;
      text = this.decoder.decode(s.rationaleText.subarray(s.rationaleStarts[index], s.rationaleStarts[index + 1]));
      this.rationales[index] = text;
    }
    return text;
  }
}

/** An in-memory table over edits (tests, callers that build one themselves); the same answers as a loaded one. */
class EditListTable implements NcciPtpTable {
  readonly rows: number;
  private readonly byPair = new Map<string, PtpEdit[]>();

  constructor(edits: readonly PtpEdit[]) {
    this.rows = edits.length;
    for (const e of edits) {
      const key = `${e.column1}\t${e.column2}`;
      const list = this.byPair.get(key);
      if (list === undefined) this.byPair.set(key, [e]);
      else list.push(e);
    }
    // Stable: rows of a pair with one effective date keep their order, as in the binary table.
    for (const list of this.byPair.values()) list.sort((a, b) => (a.effective < b.effective ? -1 : a.effective > b.effective ? 1 : 0));
  }

  editFor(column1: string, column2: string, dateOfService: string): PtpEdit | undefined {
    if (dayOfIsoDate(dateOfService) < 0) return undefined;
    const list = this.byPair.get(`${column1}\t${column2}`);
    return list?.find((e) => e.effective <= dateOfService && (e.deleted === undefined || dateOfService < e.deleted));
  }
}

/** An in-memory table (tests, callers that build one themselves). */
export function createNcciPtpTable(edits: readonly PtpEdit[]): NcciPtpTable {
  return new EditListTable(edits);
}

/**
 * The table file of a release (name → bytes) and its counts, from checked rows (a row set from the
 * parser, or edits). `pairs` is the rows' pair order when the caller has it already. Throws
 * SCRUB_ERR_DATA_INVALID when the rows do not fit the format (more than 65,535 codes or 8,192
 * distinct rationales, far more than the published tables have).
 */
export function buildNcciPtpTables(rows: PtpRowSet | readonly PtpEdit[], pairs?: PairOrder): { tables: Record<string, Uint8Array>; counts: NcciPtpCounts } {
  const rowSet = rows instanceof PtpRowSet ? rows : PtpRowSet.fromEdits(rows);
  const columns = rowSet.columns();
  const { codes, column1Index, column2Index, order } = pairs ?? orderRowsByPair(columns);
  // Rationales sorted, so that the file does not depend on the order the part files were read in.
  const readTexts = rowSet.rationales.texts;
  if (readTexts.length > MAX_RATIONALES) {
    throw dataError('SCRUB_ERR_DATA_INVALID', `the table has ${readTexts.length} distinct rationales; the compact table holds at most ${MAX_RATIONALES}`);
  }
  const byText = readTexts.map((_, i) => i).sort((a, b) => ((readTexts[a] as string) < (readTexts[b] as string) ? -1 : 1));
  const rationaleTexts = byText.map((i) => readTexts[i] as string);
  const rationaleIndex = new Uint16Array(readTexts.length);
  byText.forEach((readIndex, sortedIndex) => {
    rationaleIndex[readIndex] = sortedIndex;
  });
  const n = columns.length;
  let pairCount = 0;
  let active = 0;
  for (let k = 0; k < n; k++) {
    const row = order[k] as number;
    const previous = k > 0 ? (order[k - 1] as number) : -1;
    if (previous < 0 || column1Index[row] !== column1Index[previous] || column2Index[row] !== column2Index[previous]) pairCount++;
    if (columns.deleted[row] === 0) active++;
  }
  const encoder = new TextEncoder();
  const encodedRationales = rationaleTexts.map((text) => encoder.encode(text));
  const header: TableHeader = {
    version: FORMAT_VERSION,
    headerBytes: HEADER_BYTES,
    fileBytes: 0,
    rows: n,
    pairs: pairCount,
    active,
    codes: codes.length,
    rationales: rationaleTexts.length,
    hashSlots: hashSlotsFor(pairCount),
    rationaleTextBytes: encodedRationales.reduce((sum, bytes) => sum + bytes.length, 0),
  };
  const layout = tableLayout(header);
  header.fileBytes = layout.fileBytes;
  const file = new Uint8Array(layout.fileBytes);
  const s = sectionsOf(file, layout);

  for (let c = 0; c < codes.length; c++) {
    const text = codeOfNumber(codes[c] as number);
    for (let i = 0; i < CODE_LENGTH; i++) file[layout.codes.offset + c * CODE_LENGTH + i] = text.charCodeAt(i);
  }
  const slotCount = s.slots.length;
  for (let k = 0; k < n; k++) {
    const row = order[k] as number;
    const first = column1Index[row] as number;
    const second = column2Index[row] as number;
    s.column2[k] = second;
    s.effective[k] = columns.effective[row] as number;
    s.deleted[k] = columns.deleted[row] as number;
    s.packed[k] = (columns.flags[row] as number) | ((rationaleIndex[columns.rationale[row] as number] as number) << RATIONALE_SHIFT);
    s.column1Starts[first + 1] = k + 1;
    const previous = k > 0 ? (order[k - 1] as number) : -1;
    if (previous < 0 || first !== column1Index[previous] || second !== column2Index[previous]) {
      let slot = pairHash(first, second) % slotCount;
      while (s.slots[slot] !== 0) slot = slot + 1 === slotCount ? 0 : slot + 1;
      s.slots[slot] = k + 1;
    }
  }
  // Codes that are never in column 1 have an empty range: carry the previous end forward.
  for (let c = 1; c <= codes.length; c++) if ((s.column1Starts[c] as number) < (s.column1Starts[c - 1] as number)) s.column1Starts[c] = s.column1Starts[c - 1] as number;
  let textOffset = 0;
  encodedRationales.forEach((bytes, i) => {
    s.rationaleText.set(bytes, textOffset);
    textOffset += bytes.length;
    s.rationaleStarts[i + 1] = textOffset;
  });

  writeHeader(file, header);
  file.set(createHash('sha256').update(file.subarray(HEADER_BYTES)).digest(), DIGEST_OFFSET);
  return { tables: { [NCCI_PTP_TABLE_FILE]: file }, counts: { rows: n, pairs: pairCount, active, codes: codes.length } };
}

/** What is wrong with the header and sections of a table file, or the loaded sections. */
function checkTable(bytes: Uint8Array, counts: Record<string, number> | undefined): { problems: string[] } | { header: TableHeader; layout: TableLayout; codes: Int32Array } {
  const header = readHeader(bytes);
  if (header === undefined) {
    return {
      problems: [
        bytes.length < HEADER_BYTES
          ? `the file has ${bytes.length} bytes, less than its ${HEADER_BYTES}-byte header (cut short?)`
          : 'not an NCCI PTP table file (its first bytes are not "CSNCCIPT")',
      ],
    };
  }
  if (header.version !== FORMAT_VERSION)
    return { problems: [`table format version ${header.version}; this claimscrub reads version ${FORMAT_VERSION} (import the release again)`] };
  if (header.headerBytes !== HEADER_BYTES) return { problems: [`the header says it has ${header.headerBytes} bytes, expected ${HEADER_BYTES} (a damaged header)`] };
  if (header.fileBytes !== bytes.length) return { problems: [`the file has ${bytes.length} bytes, its header says ${header.fileBytes} (cut short, or written over?)`] };
  const layout = tableLayout(header);
  if (layout.fileBytes !== bytes.length) return { problems: [`the header's counts need ${layout.fileBytes} bytes, the file has ${bytes.length} (a damaged header)`] };
  const digest = createHash('sha256').update(bytes.subarray(HEADER_BYTES)).digest();
  if (!digest.equals(bytes.subarray(DIGEST_OFFSET, DIGEST_OFFSET + DIGEST_BYTES))) return { problems: ['the content does not match the checksum in the header (a damaged file)'] };

  const problems: string[] = [];
  for (const name of COUNT_NAMES) {
    const declared = counts?.[name];
    if (declared !== header[name]) problems.push(`has ${header[name]} ${name === 'active' ? 'active rows' : name}, the manifest says ${declared ?? 'nothing'}`);
  }
  if (header.rationales > MAX_RATIONALES || header.hashSlots <= header.pairs || header.pairs > header.rows || header.active > header.rows) {
    problems.push('the header counts are not consistent (rationales, hash slots, pairs, active rows)');
  }
  if (problems.length > 0) return { problems };

  // The checksum vouches for the content; these few checks (per code, not per row) keep a table
  // written by a faulty build from giving wrong answers.
  const codes = new Int32Array(header.codes);
  for (let c = 0; c < header.codes; c++) {
    const codeNumber = codeNumberOfBytes(bytes, layout.codes.offset + c * CODE_LENGTH);
    if (codeNumber < 0 || (c > 0 && codeNumber <= (codes[c - 1] as number)))
      return { problems: [`code ${c + 1} of the code list is not a HCPCS/CPT code, or the codes are not sorted and unique`] };
    codes[c] = codeNumber;
  }
  const s = sectionsOf(bytes, layout);
  if (!nonDecreasingFromZero(s.column1Starts, header.rows)) return { problems: ['the column 1 row ranges are not in order or do not cover every row'] };
  if (!nonDecreasingFromZero(s.rationaleStarts, header.rationaleTextBytes)) return { problems: ['the rationale text ranges are not in order or do not cover the text'] };
  return { header, layout, codes };
}

function nonDecreasingFromZero(values: Uint32Array, last: number): boolean {
  if (values[0] !== 0 || values[values.length - 1] !== last) return false;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) < (values[i - 1] as number)) return false;
  return true;
}

/**
 * Loads the table of the NCCI PTP release in `dir`, checking it against the release's manifest.
 * Throws SCRUB_ERR_DATA_INVALID, with the problems found, when the table file is missing, not
 * listed in the manifest, damaged, cut short, or does not match the manifest's counts.
 */
export async function loadNcciPtpTable(dir: string, manifest: ReleaseManifest): Promise<LoadedNcciPtpTable> {
  const file = path.join(dir, NCCI_PTP_TABLE_FILE);
  const fail = (problems: ScrubProblem[]): never => {
    throw new ScrubError('SCRUB_ERR_DATA_INVALID', `${dir}: the NCCI PTP release is damaged`, { problems });
  };
  if (endianness() !== 'LE') return fail([scrubProblem(file, 'the table is stored little-endian; this machine is big-endian')]);
  if (!manifest.tables.includes(NCCI_PTP_TABLE_FILE)) return fail([scrubProblem(file, `the manifest does not list ${NCCI_PTP_TABLE_FILE} among its tables`)]);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return fail([scrubProblem(file, `cannot read the table: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)]);
  }
  // Typed arrays need their sections aligned; a file read whole starts a fresh buffer, but be sure.
  if (bytes.byteOffset % 4 !== 0) bytes = new Uint8Array(bytes);
  const checked = checkTable(bytes, manifest.counts);
  if ('problems' in checked) return fail(checked.problems.map((message) => scrubProblem(file, message)));
  return new LoadedNcciPtpTable(new CodeIndex(checked.codes), sectionsOf(bytes, checked.layout), bytes.byteLength);
}
