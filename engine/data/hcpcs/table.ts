/**
 * The compact form of a HCPCS Level II release in its release folder: one file, `hcpcs.tsv`
 * (UTF-8), a header line and then every code and modifier of the release, sorted by code, one a
 * line, five tab-separated fields:
 *
 *   code  kind  added  terminated  short description
 *
 * for example `A0425\tcode\t1995-01-01\t\tGround mileage` or `GT\tmodifier\t...`. Dates are
 * YYYY-MM-DD, empty when the record has none; `terminated` is the last date of service the code
 * is valid. A release has about 8,000 codes and 400 modifiers: loading reads the file into a Map
 * after checking every line (shape, order) and the counts against the manifest. Long
 * descriptions and the pricing and coverage columns are left out: the engine needs to know
 * whether a code or modifier exists and which dates it is valid for, and the short description
 * to name it in a message.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ScrubError, type ScrubProblem } from '../../errors.js';
import { isIsoDate } from '../../model/dates.js';
import { scrubProblem } from '../problems.js';
import { declaredCounts } from '../source-file.js';
import type { HcpcsEntry, HcpcsTable, ReleaseManifest } from '../types.js';
import { HCPCS_LEVEL2_CODE, HCPCS_MODIFIER } from './parse-hcpcs-file.js';

export const HCPCS_TABLE_FILE = 'hcpcs.tsv';

/** The first line of the table file; a different one is a layout this loader does not know. */
export const HCPCS_TABLE_HEADER = 'code\tkind\tadded\tterminated\tshort description';

/** `data status` counts of a HCPCS release. */
export interface HcpcsCounts extends Record<string, number> {
  codes: number;
  modifiers: number;
  /** Codes and modifiers with a termination date. */
  terminated: number;
}

const COUNT_NAMES: Readonly<Record<string, string>> = { codes: 'codes', modifiers: 'modifiers', terminated: 'terminated codes and modifiers' };

class MapTable implements HcpcsTable {
  constructor(private readonly entries: ReadonlyMap<string, HcpcsEntry>) {}

  entryFor(code: string): HcpcsEntry | undefined {
    return this.entries.get(code);
  }

  get rows(): number {
    return this.entries.size;
  }
}

/** The entry's own fields (a parsed record carries more), frozen so that lookups cannot change the table. */
function entryOf(entry: HcpcsEntry): HcpcsEntry {
  const copy: HcpcsEntry = { code: entry.code, kind: entry.kind, shortDescription: entry.shortDescription };
  if (entry.added !== undefined) copy.added = entry.added;
  if (entry.terminated !== undefined) copy.terminated = entry.terminated;
  return Object.freeze(copy);
}

/** An in-memory table (tests, callers that build one themselves). Throws on a code given twice. */
export function createHcpcsTable(entries: Iterable<HcpcsEntry>): HcpcsTable {
  const map = new Map<string, HcpcsEntry>();
  for (const entry of entries) {
    if (map.has(entry.code)) throw new Error(`createHcpcsTable: ${entry.code} is given twice`);
    map.set(entry.code, entryOf(entry));
  }
  return new MapTable(map);
}

function countsOf(entries: Iterable<HcpcsEntry>): HcpcsCounts {
  const counts: HcpcsCounts = { codes: 0, modifiers: 0, terminated: 0 };
  for (const entry of entries) {
    if (entry.kind === 'code') counts.codes++;
    else counts.modifiers++;
    if (entry.terminated !== undefined) counts.terminated++;
  }
  return counts;
}

/**
 * The table files of a release (name → content) and its counts, from checked records (unique
 * codes, as the parser gives them). Throws when a short description holds a tab or a line break,
 * which the file could not keep (the parser never gives one).
 */
export function buildHcpcsTables(entries: readonly HcpcsEntry[]): { tables: Record<string, string>; counts: HcpcsCounts } {
  const sorted = [...entries].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const lines = [HCPCS_TABLE_HEADER];
  for (const entry of sorted) {
    if (/[\t\r\n]/.test(entry.shortDescription)) throw new Error(`buildHcpcsTables: the short description of ${entry.code} holds a tab or a line break`);
    lines.push(`${entry.code}\t${entry.kind}\t${entry.added ?? ''}\t${entry.terminated ?? ''}\t${entry.shortDescription}`);
  }
  return { tables: { [HCPCS_TABLE_FILE]: `${lines.join('\n')}\n` }, counts: countsOf(entries) };
}

/** The entry on a table line, or what is wrong with it and at which column. */
function readTableLine(text: string, previousCode: string | undefined): HcpcsEntry | { column: number; message: string } {
  const fields = text.split('\t');
  if (fields.length !== 5) return { column: 1, message: `the line has ${fields.length} tab-separated fields, not 5 (code, kind, added, terminated, short description)` };
  const [code = '', kind = '', added = '', terminated = '', shortDescription = ''] = fields;
  const columnOf = (field: number): number => fields.slice(0, field).reduce((sum, f) => sum + f.length + 1, 1);
  if (kind !== 'code' && kind !== 'modifier') return { column: columnOf(1), message: `the kind must be code or modifier, found ${JSON.stringify(kind)}` };
  if (!(kind === 'code' ? HCPCS_LEVEL2_CODE : HCPCS_MODIFIER).test(code)) return { column: 1, message: `${JSON.stringify(code)} is not a HCPCS ${kind}` };
  if (previousCode !== undefined && code <= previousCode) return { column: 1, message: `the codes must be sorted and unique: ${code} comes after ${previousCode}` };
  if (added !== '' && !isIsoDate(added)) return { column: columnOf(2), message: `the added date must be YYYY-MM-DD or empty, found ${JSON.stringify(added)}` };
  if (terminated !== '' && !isIsoDate(terminated)) return { column: columnOf(3), message: `the termination date must be YYYY-MM-DD or empty, found ${JSON.stringify(terminated)}` };
  if (shortDescription.trim().length === 0 || shortDescription.includes('\r')) return { column: columnOf(4), message: 'the short description is missing or holds a carriage return' };
  const entry: HcpcsEntry = { code, kind, shortDescription };
  if (added !== '') entry.added = added;
  if (terminated !== '') entry.terminated = terminated;
  return Object.freeze(entry);
}

/**
 * Loads the table of the HCPCS release in `dir`, checking it against the release's manifest
 * (read from `dir` when not given). Throws SCRUB_ERR_DATA_INVALID, with the problems found, when
 * the table file is missing, damaged, or does not match the manifest's counts.
 */
export async function loadHcpcsTable(dir: string, manifest?: ReleaseManifest): Promise<HcpcsTable> {
  const counts = await declaredCounts(dir, manifest);
  const file = path.join(dir, HCPCS_TABLE_FILE);
  const fail = (problems: ScrubProblem[]): never => {
    throw new ScrubError('SCRUB_ERR_DATA_INVALID', `${dir}: the HCPCS release is damaged`, { problems });
  };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return fail([scrubProblem(file, `cannot read the table: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)]);
  }
  if (!text.endsWith('\n')) return fail([scrubProblem(file, 'the file does not end with a line feed (cut short?)')]);
  const lines = text.slice(0, -1).split('\n');
  if (lines[0] !== HCPCS_TABLE_HEADER) return fail([scrubProblem(file, `the first line must be the header ${JSON.stringify(HCPCS_TABLE_HEADER)}`, 1, 1)]);
  const entries = new Map<string, HcpcsEntry>();
  let previousCode: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const read = readTableLine(lines[i] ?? '', previousCode);
    if (!('code' in read)) return fail([scrubProblem(file, read.message, i + 1, read.column)]);
    entries.set(read.code, read);
    previousCode = read.code;
  }
  const problems: ScrubProblem[] = [];
  for (const [name, value] of Object.entries(countsOf(entries.values()))) {
    const declared = counts?.[name];
    if (declared !== value) problems.push(scrubProblem(file, `has ${value} ${COUNT_NAMES[name] ?? name}, the manifest says ${declared ?? 'nothing'}`));
  }
  if (problems.length > 0) return fail(problems);
  return new MapTable(entries);
}
