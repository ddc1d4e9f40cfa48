import { performance } from 'node:perf_hooks';
import { ScrubError } from '../errors.js';
import { DATA_KIND_DEFINITIONS } from './kinds.js';
import { checkInstallable, installRelease, type InstallResult } from './store.js';
import { PROGRAMS, type DataKind, type Program } from './types.js';

export interface ImportRequest {
  kind: DataKind;
  dataDir: string;
  /** The official files of the release, as `data import` takes them. */
  files: readonly string[];
  release: string;
  /** First date of service the release applies to, YYYY-MM-DD. */
  effective: string;
  /** Required for tables published per program (NCCI PTP, MUE), refused for the others. */
  program?: Program;
  /** Replace an installed release of the same name. */
  force?: boolean;
  now?: Date;
}

export interface ImportResult extends InstallResult {
  /** Lines read from the source files. */
  lines: number;
  /** Milliseconds spent reading, hashing and checking the source files. */
  parseMs: number;
}

/**
 * Imports a release of any kind: checks first that it can be installed (SCRUB_ERR_USAGE,
 * SCRUB_ERR_DATA_CONFLICT), then reads every row of its official files (a file with any malformed
 * row is refused as a whole, SCRUB_ERR_DATA_INVALID with every problem), then installs it. Nothing
 * is written unless every file is clean.
 */
export async function importRelease(request: ImportRequest): Promise<ImportResult> {
  const definition = DATA_KIND_DEFINITIONS[request.kind];
  if (definition === undefined) throw new ScrubError('SCRUB_ERR_USAGE', `unknown kind of reference data ${JSON.stringify(request.kind)}`);
  if (definition.perProgram && request.program === undefined) {
    throw new ScrubError('SCRUB_ERR_USAGE', `${definition.title} are published per program: say which with --program ${PROGRAMS.join('|')}`);
  }
  if (!definition.perProgram && request.program !== undefined) {
    throw new ScrubError('SCRUB_ERR_USAGE', `${definition.title} is not published per program: leave out --program`);
  }
  if (request.program !== undefined && !(PROGRAMS as readonly string[]).includes(request.program)) {
    throw new ScrubError('SCRUB_ERR_USAGE', `--program must be ${PROGRAMS.join(' or ')}, not ${JSON.stringify(request.program)}`);
  }
  const force = request.force ?? false;
  await checkInstallable(request.dataDir, request.kind, request.release, request.effective, force, request.program);
  const started = performance.now();
  const content = await definition.read(request.files);
  const parseMs = performance.now() - started;
  const { lines, ...source } = content;
  const installed = await installRelease(
    request.dataDir,
    { kind: request.kind, release: request.release, effective: request.effective, ...(request.program === undefined ? {} : { program: request.program }), ...source },
    request.now === undefined ? { force } : { force, now: request.now },
  );
  return { ...installed, lines, parseMs };
}
