/**
 * Reads an ICD-10-CM release's tabular list (XML) into the notes table of the release, for the
 * ICD-10-CM importer to install beside the codes of the order file.
 */
import { performance } from 'node:perf_hooks';
import { dataError, rowProblemToScrub, unreadableSource } from '../problems.js';
import type { SourceFile } from '../types.js';
import { buildIcd10cmNotesTables } from './notes-table.js';
import { parseTabularFile, type ParsedTabular, type UnreadNoteReference } from './parse-tabular.js';

export interface Icd10cmTabularContent {
  /** The file as read, for the release manifest's sourceFiles. */
  source: SourceFile;
  /** Table file name → content, to write into the release folder. */
  tables: Record<string, string>;
  /** What was read (TabularCounts) and the table's own counts (Icd10cmNotesCounts), for the manifest. */
  counts: Record<string, number>;
  /** Parenthesised parts of Excludes1 notes that name codes in a way not understood: not errors, left out of the table. */
  unread: UnreadNoteReference[];
  /** Everything read, for reports and cross-checks (crossCheckTabular). */
  parsed: ParsedTabular;
  /** Milliseconds spent reading, hashing and checking the file. */
  parseMs: number;
}

/**
 * Reads the tabular list XML at `file`. Throws SCRUB_ERR_INPUT_UNREADABLE when the file cannot be
 * read, and SCRUB_ERR_DATA_INVALID with every problem (file, line, column) when the XML is not
 * well-formed or not shaped like the tabular list.
 */
export async function readIcd10cmTabular(file: string, options: { displayName?: string } = {}): Promise<Icd10cmTabularContent> {
  const started = performance.now();
  let parsed;
  try {
    parsed = await parseTabularFile(file, options);
  } catch (error) {
    throw unreadableSource(file, 'tabular list', error);
  }
  const parseMs = performance.now() - started;
  if (parsed.problems.length > 0) {
    const count = parsed.problems.length;
    throw dataError(
      'SCRUB_ERR_DATA_INVALID',
      `${file}: ${count} ${count === 1 ? 'problem' : 'problems'} in the ICD-10-CM tabular list; nothing was imported`,
      parsed.problems.map(rowProblemToScrub),
    );
  }
  const { tables, counts } = buildIcd10cmNotesTables(parsed);
  const { source, ...content } = parsed;
  return { source, tables, counts: { ...content.counts, ...counts }, unread: content.unread, parsed: content, parseMs };
}

/** How the tabular list's codes agree with the order file's. */
export interface TabularCrossCheck {
  /** Distinct codes named by Excludes1 references (each end of a range). */
  namedCodes: number;
  /** Those the order file does not have, sorted. */
  namedCodesMissing: string[];
  /** Codes of the tabular list (its `diag`s) the order file does not have, sorted. */
  tabularCodesMissing: string[];
}

/**
 * Checks the codes a tabular list names against the release's codes (`status` as the codes
 * table answers it: billable, header or undefined). A named code the release does not have
 * points to a slip in a note or to a file of another release.
 */
export function crossCheckTabular(parsed: Pick<ParsedTabular, 'excludes1' | 'codes'>, status: (dotlessCode: string) => string | undefined): TabularCrossCheck {
  const named = new Set<string>();
  for (const note of parsed.excludes1) {
    for (const { from, to } of note.references) {
      named.add(from);
      named.add(to);
    }
  }
  const missing = (codes: Iterable<string>): string[] => [...new Set(codes)].filter((code) => status(code) === undefined).sort();
  return { namedCodes: named.size, namedCodesMissing: missing(named), tabularCodesMissing: missing(parsed.codes) };
}
