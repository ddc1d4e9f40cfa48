import path from 'node:path';
import { ScrubError } from '../../errors.js';
import { dataError, rowProblemToScrub, unreadableSource, type RowProblem } from '../problems.js';
import type { ReleaseSourceContent, SourceFile } from '../types.js';
import { pairProblems, orderRowsByPair } from './pairs.js';
import { parsePtpFile } from './parse-ptp-file.js';
import { PtpRowSet } from './rows.js';
import { buildNcciPtpTables } from './table.js';

/**
 * Reads the part files of one NCCI PTP table (`...-f1.txt` to `-f4.txt`, any number, any order)
 * as one table: every row of every file is checked, and the rows of all files together must not
 * repeat a row or give one pair overlapping date windows. Returns what the release folder needs
 * (source files, counts, the table file) and the lines read; installing it is the caller's.
 *
 * Throws SCRUB_ERR_USAGE for no file or a file given twice, SCRUB_ERR_INPUT_UNREADABLE for a file
 * that cannot be read, and SCRUB_ERR_DATA_INVALID carrying every problem (file, line, column) when
 * any row is malformed.
 */
export async function readNcciPtpRelease(files: readonly string[]): Promise<ReleaseSourceContent & { lines: number }> {
  if (files.length === 0) throw new ScrubError('SCRUB_ERR_USAGE', 'no NCCI PTP file given: name the part files of the table (…-f1.txt to …-f4.txt)');
  const seen = new Map<string, string>();
  for (const file of files) {
    const resolved = path.resolve(file);
    const earlier = seen.get(resolved);
    if (earlier !== undefined) throw new ScrubError('SCRUB_ERR_USAGE', `${file}: the same file is given twice (as ${earlier} too)`);
    seen.set(resolved, file);
  }

  const rows = new PtpRowSet();
  const sourceFiles: SourceFile[] = [];
  const problems: RowProblem[] = [];
  const fileBySha = new Map<string, string>();
  let lines = 0;
  let sameContent = false;
  for (const file of files) {
    let parsed;
    try {
      parsed = await parsePtpFile(file, { rows });
    } catch (error) {
      if (error instanceof ScrubError) throw error;
      throw unreadableSource(file, 'PTP file', error);
    }
    lines += parsed.lines;
    sourceFiles.push(parsed.source);
    problems.push(...parsed.problems);
    // Two copies of one part under different names: one problem, not one per row.
    const twin = fileBySha.get(parsed.source.sha256);
    if (twin !== undefined) {
      sameContent = true;
      problems.push({ file, line: 1, column: 1, message: `the file has the same content as ${twin} (one part file given twice?)` });
    }
    fileBySha.set(parsed.source.sha256, file);
  }

  const pairs = orderRowsByPair(rows.columns());
  if (!sameContent) problems.push(...pairProblems(rows, pairs));
  if (problems.length > 0) {
    const fileOrder = new Map(files.map((file, i) => [file, i]));
    problems.sort((a, b) => (fileOrder.get(a.file) ?? 0) - (fileOrder.get(b.file) ?? 0) || a.line - b.line || a.column - b.column);
    const count = problems.length;
    const where = files.length === 1 ? files[0] : `${files.length} PTP files`;
    throw dataError(
      'SCRUB_ERR_DATA_INVALID',
      `${where}: ${count} ${count === 1 ? 'problem' : 'problems'} in the NCCI PTP table; nothing was imported`,
      problems.map(rowProblemToScrub),
    );
  }
  const { tables, counts } = buildNcciPtpTables(rows, pairs);
  return { sourceFiles, counts, tables, lines };
}
