import { ScrubError } from '../../errors.js';
import { dataError, rowProblemToScrub, unreadableSource } from '../problems.js';
import type { ReleaseSourceContent } from '../types.js';
import { parseHcpcsFile } from './parse-hcpcs-file.js';
import { buildHcpcsTables } from './table.js';

/**
 * Reads a HCPCS Level II release from CMS's fixed-width alpha-numeric file
 * (HCPC<year>_<MON>_ANWEB*.txt; one file: each quarterly file is the whole code set) and returns
 * what the generic importer installs: the source file's provenance, the counts and the table.
 * An unreadable file is SCRUB_ERR_INPUT_UNREADABLE; a file with any malformed record is refused as
 * a whole with SCRUB_ERR_DATA_INVALID carrying every problem; no file or several is SCRUB_ERR_USAGE.
 */
export async function readHcpcsRelease(files: readonly string[]): Promise<ReleaseSourceContent & { lines: number }> {
  const [file] = files;
  if (file === undefined || files.length > 1) {
    throw new ScrubError(
      'SCRUB_ERR_USAGE',
      `a HCPCS release is imported from one file, the fixed-width HCPC<year>_<MON>_ANWEB text file; ${files.length === 0 ? 'none was given' : `${files.length} were given`}`,
    );
  }
  let parsed;
  try {
    parsed = await parseHcpcsFile(file);
  } catch (error) {
    throw unreadableSource(file, 'HCPCS file', error);
  }
  if (parsed.problems.length > 0) {
    const count = parsed.problems.length;
    throw dataError('SCRUB_ERR_DATA_INVALID', `${file}: ${count} ${count === 1 ? 'problem' : 'problems'} in the HCPCS file; nothing was imported`, parsed.problems.map(rowProblemToScrub));
  }
  const { tables, counts } = buildHcpcsTables(parsed.records);
  return { sourceFiles: [parsed.source], counts, tables, lines: parsed.lines };
}
