import { ScrubError } from '../../errors.js';
import { dataError, rowProblemToScrub, unreadableSource } from '../problems.js';
import type { ReleaseSourceContent } from '../types.js';
import { parsePfsFile } from './parse-pfs-file.js';
import { buildPfsTables } from './table.js';

/**
 * Reads a physician fee schedule release from the PPRRVU CSV file of CMS's quarterly RVU zip and
 * returns what the generic importer installs: the source file's provenance, the counts and the
 * table. One file: each quarter's file is the whole fee schedule (from 2026 CMS publishes it twice,
 * once per conversion factor, with the same indicators: import either). An unreadable file is
 * SCRUB_ERR_INPUT_UNREADABLE; a file with any malformed row is refused as a whole with
 * SCRUB_ERR_DATA_INVALID carrying every problem; no file or several is SCRUB_ERR_USAGE.
 */
export async function readPfsRelease(files: readonly string[]): Promise<ReleaseSourceContent & { lines: number }> {
  const [file] = files;
  if (file === undefined || files.length > 1) {
    throw new ScrubError(
      'SCRUB_ERR_USAGE',
      `a physician fee schedule release is imported from one file, the PPRRVU .csv file of the RVU zip; ${files.length === 0 ? 'none was given' : `${files.length} were given`}`,
    );
  }
  let parsed;
  try {
    parsed = await parsePfsFile(file);
  } catch (error) {
    throw unreadableSource(file, 'RVU file', error);
  }
  if (parsed.problems.length > 0) {
    const count = parsed.problems.length;
    throw dataError('SCRUB_ERR_DATA_INVALID', `${file}: ${count} ${count === 1 ? 'problem' : 'problems'} in the RVU file; nothing was imported`, parsed.problems.map(rowProblemToScrub));
  }
  const { tables, counts } = buildPfsTables(parsed.rows);
  return { sourceFiles: [parsed.source], counts, tables, lines: parsed.lines };
}
