/**
 * Rows grouped by code pair: the code dictionary, the rows sorted by (column 1, column 2,
 * effective date), and the checks that need every part file at once: the same row twice, and two
 * date windows of one pair that overlap.
 *
 * A window runs from the effective date up to the day before the deletion date (see table.ts on
 * what a deletion date means), so [2009-01-01, 2015-01-01) and [2015-01-01, *) do not overlap, and
 * a row deleted on its effective date (deleted retroactively, indicator 9) covers no day at all
 * and overlaps nothing.
 */
import { dataError, type RowProblem } from '../problems.js';
import { CODE_NUMBER_LIMIT } from './codes.js';
import { PRIOR_TO_1996, type PtpRowColumns, type PtpRowSet } from './rows.js';

/** The table keeps code indices in 16 bits: HCPCS and CPT together have far fewer codes (about 25,000). */
export const MAX_CODES = 0xffff;

export interface PairOrder {
  /** The distinct code numbers of the rows, sorted: a code's index is its place here. */
  codes: Int32Array;
  /** Each row's column 1 and column 2 code index. */
  column1Index: Uint16Array;
  column2Index: Uint16Array;
  /** Row indices sorted by column 1 index, column 2 index and effective date; equal rows keep their input order. */
  order: Uint32Array;
}

/** Sorts the rows by pair with three stable counting-sort passes (no comparison sort, no key objects). */
export function orderRowsByPair(columns: PtpRowColumns): PairOrder {
  const n = columns.length;
  const used = new Uint8Array(CODE_NUMBER_LIMIT);
  for (let i = 0; i < n; i++) {
    used[columns.column1[i] as number] = 1;
    used[columns.column2[i] as number] = 1;
  }
  let distinct = 0;
  for (let c = 0; c < CODE_NUMBER_LIMIT; c++) distinct += used[c] as number;
  if (distinct > MAX_CODES) {
    throw dataError('SCRUB_ERR_DATA_INVALID', `the table has ${distinct} distinct codes; the compact table holds at most ${MAX_CODES}`);
  }
  // Code numbers sort like the codes, so walking them in order gives the sorted dictionary.
  const codes = new Int32Array(distinct);
  const indexOfNumber = new Uint16Array(CODE_NUMBER_LIMIT);
  for (let c = 0, k = 0; c < CODE_NUMBER_LIMIT; c++) {
    if (used[c] === 1) {
      codes[k] = c;
      indexOfNumber[c] = k++;
    }
  }
  const column1Index = new Uint16Array(n);
  const column2Index = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    column1Index[i] = indexOfNumber[columns.column1[i] as number] as number;
    column2Index[i] = indexOfNumber[columns.column2[i] as number] as number;
  }
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let spare = new Uint32Array(n);
  // Least significant key first; each pass is stable, so the last key sorted is the first compared.
  for (const [key, buckets] of [
    [columns.effective, 0x10000],
    [column2Index, distinct],
    [column1Index, distinct],
  ] as const) {
    countingSortBy(order, key, buckets, spare);
    [order, spare] = [spare, order];
  }
  return { codes, column1Index, column2Index, order };
}

function countingSortBy(order: Uint32Array, key: Uint16Array, buckets: number, out: Uint32Array): void {
  const starts = new Uint32Array(buckets + 1);
  const n = order.length;
  for (let i = 0; i < n; i++) {
    const bucket = (key[order[i] as number] as number) + 1;
    starts[bucket] = (starts[bucket] as number) + 1;
  }
  for (let b = 0; b < buckets; b++) starts[b + 1] = (starts[b + 1] as number) + (starts[b] as number);
  for (let i = 0; i < n; i++) {
    const row = order[i] as number;
    const bucket = key[row] as number;
    out[starts[bucket] as number] = row;
    starts[bucket] = (starts[bucket] as number) + 1;
  }
}

/** Where row `i` is, seen from row `from`: `line 12` in the same file, `line 12 of FILE` in another. */
function placeOf(rows: PtpRowSet, columns: PtpRowColumns, i: number, from: number): string {
  const line = `line ${columns.line[i]}`;
  return columns.file[i] === columns.file[from] ? line : `${line} of ${rows.files[columns.file[i] as number]}`;
}

const NO_DELETION = 0x10000;

/**
 * Every row that repeats an earlier row of its pair, and every row whose date window overlaps an
 * earlier (by effective date) window of its pair, across all the files of `rows`.
 */
export function pairProblems(rows: PtpRowSet, pairs: PairOrder): RowProblem[] {
  const columns = rows.columns();
  const { column1Index, column2Index, order } = pairs;
  const { effective, deleted, flags, rationale } = columns;
  const problems: RowProblem[] = [];
  const report = (row: number, column: number, message: string): void => {
    problems.push({ file: rows.files[columns.file[row] as number] as string, line: columns.line[row] as number, column, message });
  };
  const n = order.length;
  let groupStart = 0;
  while (groupStart < n) {
    const first = order[groupStart] as number;
    let groupEnd = groupStart + 1;
    while (groupEnd < n && column1Index[order[groupEnd] as number] === column1Index[first] && column2Index[order[groupEnd] as number] === column2Index[first]) groupEnd++;
    // Most pairs have one row: nothing to compare.
    let latestEnd = 0;
    let latestRow = -1;
    for (let k = groupStart; k < groupEnd && groupEnd - groupStart > 1; k++) {
      const row = order[k] as number;
      const start = effective[row] as number;
      const end = deleted[row] === 0 ? NO_DELETION : (deleted[row] as number);
      let duplicateOf = -1;
      for (let j = k - 1; j >= groupStart && effective[order[j] as number] === start; j--) {
        const other = order[j] as number;
        if (deleted[other] === deleted[row] && flags[other] === flags[row] && rationale[other] === rationale[row]) duplicateOf = other;
      }
      if (duplicateOf >= 0) {
        report(row, 1, `duplicate row: the edit ${rows.describe(row)} is on ${placeOf(rows, columns, duplicateOf, row)} already`);
        continue;
      }
      if (end === start) continue;
      if (latestRow >= 0 && start < latestEnd) {
        report(
          row,
          (flags[row] as number) & PRIOR_TO_1996 ? 15 : 14,
          `the edit ${rows.describe(row)} overlaps the edit on ${placeOf(rows, columns, latestRow, row)} (${rows.describe(latestRow)}): an edit applies from its effective date up to the day before its deletion date, and the date windows of one pair must not overlap`,
        );
      }
      if (end > latestEnd) {
        latestEnd = end;
        latestRow = row;
      }
    }
    groupStart = groupEnd;
  }
  return problems;
}
