/**
 * Builds the in-memory lookups of the practice files from their checked rows: nested maps by
 * payer id, then member id (or NPI), so that a claim's lookup builds no key; spans merged once,
 * here, so a check only scans a member's few spans. Also the checks a row schema cannot make;
 * their problems are returned with the file, line and column of the cell.
 */
import { addCalendarSpan } from '../../model/dates.js';
import { isValidNpi } from '../../model/npi.js';
import type { RowProblem } from '../problems.js';
import type { TableRow } from './table.js';
import type {
  Authorization,
  AuthorizationLookup,
  CodeRange,
  CoverageLookup,
  DateSpan,
  EnrolmentLookup,
  SpanList,
} from './types.js';

/** Ids as compared: exports and claims differ in case and padding. */
export function normalizeId(text: string): string {
  return text.trim().toUpperCase();
}

/** True when `id` has lower-case letters or surrounding white space: only then does normalizing change it. */
function needsNormalizing(id: string): boolean {
  if (id.length === 0 || id.charCodeAt(0) <= 32 || id.charCodeAt(id.length - 1) <= 32) return true;
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i);
    if (code >= 97 && code <= 122) return true;
  }
  return false;
}

/**
 * A lookup by a claim's id in a map keyed by normalized ids. Runs for every claim and line: an id
 * already in normal form (the usual case) is looked up as it is, allocating nothing.
 */
export function byId<V>(map: ReadonlyMap<string, V>, id: string): V | undefined {
  const found = map.get(id);
  return found !== undefined || !needsNormalizing(id) ? found : map.get(normalizeId(id));
}

function spanText(span: DateSpan): string {
  return span.end === undefined ? `${span.start} onward` : span.start === span.end ? span.start : `${span.start} to ${span.end}`;
}

/** Spans in date order, merged where they overlap or one ends the day before the next starts. */
export function mergeSpans(spans: readonly DateSpan[]): SpanList {
  const ordered = [...spans].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const merged: { start: string; end: string | undefined }[] = [];
  for (const span of ordered) {
    const last = merged[merged.length - 1];
    if (last !== undefined && (last.end === undefined || span.start <= addCalendarSpan(last.end, { days: 1 }))) {
      if (last.end !== undefined && (span.end === undefined || span.end > last.end)) last.end = span.end;
      continue;
    }
    merged.push({ start: span.start, end: span.end });
  }
  return { spans: merged, text: merged.map(spanText).join(', ') };
}

type Problem = (row: TableRow, column: string, message: string) => void;

function problemsFor(file: string, problems: RowProblem[]): Problem {
  return (row, column, message) => {
    const at = row.cells[column] ?? { line: row.line, column: 1 };
    problems.push({ file, line: at.line, column: at.column, message });
  };
}

/** The row's span, or undefined (after reporting it) when it ends before it starts. */
function rowSpan(row: TableRow, problem: Problem): DateSpan | undefined {
  const start = row.values.start as string;
  const end = row.values.end as string | undefined;
  if (end !== undefined && end < start) {
    problem(row, 'end', '`end` is before `start`: a span ends on or after the day it starts (both days are included).');
    return undefined;
  }
  return { start, end };
}

/** payer → key → spans, from rows already checked; `keyOf` names the row's second key. */
function spanLookup(rows: readonly TableRow[], keyColumn: string, problem: Problem): Map<string, Map<string, SpanList>> {
  const collected = new Map<string, Map<string, DateSpan[]>>();
  for (const row of rows) {
    const span = rowSpan(row, problem);
    if (span === undefined) continue;
    const payer = normalizeId(row.values.payerId as string);
    const key = normalizeId(row.values[keyColumn] as string);
    let byKey = collected.get(payer);
    if (byKey === undefined) collected.set(payer, (byKey = new Map()));
    const spans = byKey.get(key);
    if (spans === undefined) byKey.set(key, [span]);
    else spans.push(span);
  }
  const lookup = new Map<string, Map<string, SpanList>>();
  for (const [payer, byKey] of collected) lookup.set(payer, new Map([...byKey].map(([key, spans]) => [key, mergeSpans(spans)])));
  return lookup;
}

export function buildCoverageLookup(file: string, rows: readonly TableRow[], problems: RowProblem[]): CoverageLookup {
  const byPayer = spanLookup(rows, 'memberId', problemsFor(file, problems));
  return {
    rows: rows.length,
    hasPayer: (payerId) => byId(byPayer, payerId) !== undefined,
    member: (payerId, memberId) => {
      const members = byId(byPayer, payerId);
      return members === undefined ? undefined : byId(members, memberId);
    },
  };
}

export function buildEnrolmentLookup(file: string, rows: readonly TableRow[], problems: RowProblem[]): EnrolmentLookup {
  const problem = problemsFor(file, problems);
  const valid = rows.filter((row) => {
    if (isValidNpi(row.values.npi)) return true;
    problem(row, 'npi', '`npi` fails the NPI check digit (Luhn, with the prefix 80840): it was mistyped.');
    return false;
  });
  const byPayer = spanLookup(valid, 'npi', problem);
  return {
    rows: rows.length,
    hasPayer: (payerId) => byId(byPayer, payerId) !== undefined,
    provider: (payerId, npi) => {
      const providers = byId(byPayer, payerId);
      return providers === undefined ? undefined : providers.get(npi);
    },
  };
}

/** `97110-97140 97150; G0283` as ranges, upper case; undefined (after reporting it) when a range runs backwards. */
function codeRanges(row: TableRow, problem: Problem): CodeRange[] | undefined {
  const ranges: CodeRange[] = [];
  for (const token of (row.values.procedureCodes as string).toUpperCase().split(/[ ,;]+/)) {
    if (token === '') continue;
    const [low, high = low] = token.split('-') as [string, string?];
    if (high < low) {
      problem(row, 'procedureCodes', `the range ${token} in \`procedureCodes\` runs backwards: write its lower code first.`);
      return undefined;
    }
    ranges.push({ low, high });
  }
  return ranges;
}

/** Ranges sorted by their low code and merged where they overlap: a code is found by binary search. */
function mergedRanges(ranges: readonly CodeRange[]): CodeRange[] {
  const ordered = [...ranges].sort((a, b) => (a.low < b.low ? -1 : a.low > b.low ? 1 : 0));
  const merged: { low: string; high: string }[] = [];
  for (const range of ordered) {
    const last = merged[merged.length - 1];
    if (last !== undefined && range.low <= last.high) {
      if (range.high > last.high) last.high = range.high;
    } else {
      merged.push({ low: range.low, high: range.high });
    }
  }
  return merged;
}

export function codeInRanges(code: string, ranges: readonly CodeRange[]): boolean {
  for (const range of ranges) if (code >= range.low && code <= range.high) return true;
  return false;
}

function codeInMergedRanges(code: string, ranges: readonly CodeRange[]): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const range = ranges[middle] as CodeRange;
    if (code < range.low) high = middle - 1;
    else if (code > range.high) low = middle + 1;
    else return true;
  }
  return false;
}

export function buildAuthorizationLookup(file: string, rows: readonly TableRow[], problems: RowProblem[]): AuthorizationLookup {
  const problem = problemsFor(file, problems);
  const byPayer = new Map<string, Map<string, Map<string, Authorization>>>();
  const payerCodes = new Map<string, CodeRange[]>();
  for (const row of rows) {
    const window = rowSpan(row, problem);
    const codes = codeRanges(row, problem);
    if (window === undefined || codes === undefined) continue;
    const payer = normalizeId(row.values.payerId as string);
    const member = normalizeId(row.values.memberId as string);
    const number = (row.values.number as string).trim();
    let members = byPayer.get(payer);
    if (members === undefined) byPayer.set(payer, (members = new Map()));
    let numbers = members.get(member);
    if (numbers === undefined) members.set(member, (numbers = new Map()));
    const key = normalizeId(number);
    const earlier = numbers.get(key);
    if (earlier !== undefined) {
      problem(row, 'number', `this authorization (same payer, member and number) is already on line ${earlier.line}: list each authorization once, with all its codes in \`procedureCodes\`.`);
      continue;
    }
    numbers.set(key, {
      number,
      codes,
      codesText: codes.map((range) => (range.low === range.high ? range.low : `${range.low}-${range.high}`)).join(' '),
      window,
      windowText: spanText(window),
      units: row.values.units as number,
      unitsUsed: (row.values.unitsUsed as number | undefined) ?? 0,
      line: row.line,
    });
    const all = payerCodes.get(payer);
    if (all === undefined) payerCodes.set(payer, [...codes]);
    else all.push(...codes);
  }
  const codesByPayer = new Map([...payerCodes].map(([payer, ranges]) => [payer, mergedRanges(ranges)]));
  return {
    rows: rows.length,
    hasPayer: (payerId) => byId(byPayer, payerId) !== undefined,
    member: (payerId, memberId) => {
      const members = byId(byPayer, payerId);
      return members === undefined ? undefined : byId(members, memberId);
    },
    payerAuthorizesCode: (payerId, code) => {
      const ranges = byId(codesByPayer, payerId);
      return ranges !== undefined && codeInMergedRanges(code, ranges);
    },
  };
}
