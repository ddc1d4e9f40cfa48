import { ScrubError } from '../../errors.js';
import { dataError, rowProblemToScrub, unreadableSource } from '../problems.js';
import type { ReleaseSourceContent } from '../types.js';
import { readIcd10cmTabular } from './import-tabular.js';
import { parseOrderFile } from './parse-order-file.js';
import { buildIcd10cmTables } from './table.js';

/**
 * Reads an ICD-10-CM release from its order file (and, when given, the tabular list XML of the
 * same release). An unreadable file is SCRUB_ERR_INPUT_UNREADABLE; a file with any malformed row
 * is refused as a whole with SCRUB_ERR_DATA_INVALID carrying every problem.
 */
export async function readIcd10cmRelease(files: readonly string[]): Promise<ReleaseSourceContent & { lines: number }> {
  const [orderFile, ...rest] = files;
  if (orderFile === undefined) throw new ScrubError('SCRUB_ERR_USAGE', 'name the ICD-10-CM order file to import');
  if (rest.length > 1) throw new ScrubError('SCRUB_ERR_USAGE', `too many arguments: ${rest.slice(1).join(' ')}`);
  let parsed;
  try {
    parsed = await parseOrderFile(orderFile);
  } catch (error) {
    throw unreadableSource(orderFile, 'order file', error);
  }
  if (parsed.problems.length > 0) {
    const count = parsed.problems.length;
    throw dataError('SCRUB_ERR_DATA_INVALID', `${orderFile}: ${count} ${count === 1 ? 'problem' : 'problems'} in the ICD-10-CM order file; nothing was imported`, parsed.problems.map(rowProblemToScrub));
  }
  const { tables, counts } = buildIcd10cmTables(parsed.rows);
  const [tabularFile] = rest;
  if (tabularFile === undefined) return { sourceFiles: [parsed.source], counts, tables, lines: parsed.lines };
  const tabular = await readIcd10cmTabular(tabularFile);
  return {
    sourceFiles: [parsed.source, tabular.source],
    counts: { ...counts, ...tabular.counts },
    tables: { ...tables, ...tabular.tables },
    lines: parsed.lines,
  };
}
