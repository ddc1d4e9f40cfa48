import { performance } from 'node:perf_hooks';
import { ScrubError } from '../../errors.js';
import { dataError, rowProblemToScrub } from '../problems.js';
import { checkInstallable, installRelease, type InstallResult } from '../store.js';
import { parseOrderFile } from './parse-order-file.js';
import { buildIcd10cmTables } from './table.js';

export interface Icd10cmImportRequest {
  dataDir: string;
  /** The order file (icd10cm_order_<year>.txt). */
  orderFile: string;
  release: string;
  /** First date of service the release applies to, YYYY-MM-DD. */
  effective: string;
  /** Replace an installed release of the same name. */
  force?: boolean;
  now?: Date;
}

export interface Icd10cmImportResult extends InstallResult {
  /** Lines read from the order file. */
  lines: number;
  /** Milliseconds spent reading, hashing and checking the order file. */
  parseMs: number;
}

/**
 * Imports an ICD-10-CM release from its order file into the data directory. Checks first that the
 * release can be installed (SCRUB_ERR_USAGE, SCRUB_ERR_DATA_CONFLICT), then reads every row: an
 * unreadable file is SCRUB_ERR_INPUT_UNREADABLE, a file with any malformed row is refused as a whole
 * with SCRUB_ERR_DATA_INVALID carrying every problem. Nothing is written unless the file is clean.
 */
export async function importIcd10cm(request: Icd10cmImportRequest): Promise<Icd10cmImportResult> {
  const { dataDir, orderFile, release, effective } = request;
  const force = request.force ?? false;
  await checkInstallable(dataDir, 'icd10cm', release, effective, force);
  const started = performance.now();
  let parsed;
  try {
    parsed = await parseOrderFile(orderFile);
  } catch (error) {
    if (error instanceof ScrubError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ScrubError('SCRUB_ERR_INPUT_UNREADABLE', `${orderFile}: cannot read the order file${code === undefined ? `: ${(error as Error).message}` : ` (${code})`}`, {
      position: { file: orderFile },
      cause: error,
    });
  }
  const parseMs = performance.now() - started;
  if (parsed.problems.length > 0) {
    const count = parsed.problems.length;
    throw dataError('SCRUB_ERR_DATA_INVALID', `${orderFile}: ${count} ${count === 1 ? 'problem' : 'problems'} in the ICD-10-CM order file; nothing was imported`, parsed.problems.map(rowProblemToScrub));
  }
  const { tables, counts } = buildIcd10cmTables(parsed.rows);
  const installed = await installRelease(
    dataDir,
    { kind: 'icd10cm', release, effective, sourceFiles: [parsed.source], counts, tables },
    request.now === undefined ? { force } : { force, now: request.now },
  );
  return { ...installed, lines: parsed.lines, parseMs };
}
