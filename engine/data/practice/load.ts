/**
 * Loads the practice files a run was given into lookups. Every file is read and every row
 * checked before anything is refused, so one run reports every problem of every file; any
 * problem refuses the run (SCRUB_ERR_PRACTICE_FILE_INVALID): a half-read coverage file would
 * hold claims of members whose rows were skipped.
 */
import { readFile } from 'node:fs/promises';
import { ScrubError, type ScrubProblem } from '../../errors.js';
import { rowProblemToScrub, unreadableSource, type RowProblem } from '../problems.js';
import { buildAuthorizationLookup, buildCoverageLookup, buildEnrolmentLookup } from './lookups.js';
import { PRACTICE_TABLES } from './schemas.js';
import { readPracticeTable } from './table.js';
import { PRACTICE_FILE_KINDS, type PracticeData, type PracticeFileKind, type PracticeFiles } from './types.js';

export interface PracticeFileCounts {
  kind: PracticeFileKind;
  file: string;
  rows: number;
}

/**
 * Checks a practice file's text and builds its lookup; `problems` receives every problem. The
 * lookup is only usable when no problem was added.
 */
export function parsePracticeFile<K extends PracticeFileKind>(kind: K, file: string, text: string, problems: RowProblem[]): NonNullable<PracticeData[K]> {
  const table = readPracticeTable(PRACTICE_TABLES[kind], file, text);
  const found: RowProblem[] = [...table.problems];
  const lookup =
    kind === 'coverage'
      ? buildCoverageLookup(file, table.rows, found)
      : kind === 'authorizations'
        ? buildAuthorizationLookup(file, table.rows, found)
        : buildEnrolmentLookup(file, table.rows, found);
  problems.push(...found.sort((a, b) => a.line - b.line || a.column - b.column));
  return lookup as NonNullable<PracticeData[K]>;
}

/** The error that refuses a run for its practice files' problems. */
export function practiceFileError(problems: readonly RowProblem[]): ScrubError {
  const files = [...new Set(problems.map((problem) => problem.file))];
  const scrubProblems: ScrubProblem[] = problems.map(rowProblemToScrub);
  return new ScrubError(
    'SCRUB_ERR_PRACTICE_FILE_INVALID',
    `The practice file${files.length === 1 ? '' : 's'} ${files.join(', ')} cannot be used: ${problems.length === 1 ? 'one problem' : `${problems.length} problems`}, listed below. Nothing was scrubbed: fix ${problems.length === 1 ? 'it' : 'them'} and run again.`,
    { problems: scrubProblems },
  );
}

/**
 * Reads and checks the given files. Throws SCRUB_ERR_INPUT_UNREADABLE for a file that cannot be
 * read and SCRUB_ERR_PRACTICE_FILE_INVALID listing every problem of every file.
 */
export async function loadPracticeFiles(files: PracticeFiles): Promise<{ data: PracticeData; counts: PracticeFileCounts[] }> {
  const problems: RowProblem[] = [];
  const data: { -readonly [K in PracticeFileKind]?: PracticeData[K] } = {};
  const counts: PracticeFileCounts[] = [];
  for (const kind of PRACTICE_FILE_KINDS) {
    const file = files[kind];
    if (file === undefined) continue;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw unreadableSource(file, `${kind} file`, error);
    }
    const lookup = parsePracticeFile(kind, file, text, problems);
    (data as Record<PracticeFileKind, unknown>)[kind] = lookup;
    counts.push({ kind, file, rows: lookup.rows });
  }
  if (problems.length > 0) throw practiceFileError(problems);
  return { data, counts };
}

/** True when at least one practice file is named. */
export function hasPracticeFiles(files: PracticeFiles | undefined): files is PracticeFiles {
  return files !== undefined && PRACTICE_FILE_KINDS.some((kind) => files[kind] !== undefined);
}
