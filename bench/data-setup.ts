/**
 * Reference data for the bench: a temporary data directory with the tables the full rule pack
 * checks against, each imported with the engine's importer (timed), then cold loads of that
 * directory in fresh processes (timed), and a copy of the claim file moved into the ICD-10-CM
 * release's dates.
 *
 * - NCCI PTP, program medicare: a synthetic table in the published layout (bench/synthetic-ptp.ts),
 *   2,000,000 rows by default, as release `2026q3-synthetic` effective 2026-07-01: a quarterly
 *   release covers its quarter, so the generated claims (dated 2026-08 and 2026-09) are covered.
 * - ICD-10-CM: the real FY2021 January update (order file + tabular XML) from ../shared/data/
 *   when it is there (never copied into the project), as release `fy2021-january` effective
 *   2021-01-01. It covers dates to 2021-09-30 only, so the generated claims are not covered by it:
 *   their ICD-10-CM checks are skipped (and counted in the summary's dataMissing). A copy of the
 *   claims with every date moved back into 2021 Q1 gives a run where they are covered.
 * - MUE (medicare and medicaid) and HCPCS: the hand-written excerpts in fixtures/data, imported
 *   as releases effective 2026-07-01 so that they cover the generated claims too. They are tiny.
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { importRelease } from '../engine/data/import-release.js';
import type { DataKind, Program } from '../engine/data/types.js';
import type { DataLoadProbe } from './data-load.js';
import { BENCH_SUBMISSION_DATE } from './process-runs.js';
import { writeSyntheticPtpFiles, type SyntheticPtpTable } from './synthetic-ptp.js';
import { DIST, PACKAGE_ROOT, WORK_DIR, fmtInt, fmtNum, mb, measureNode, median, say, table, warn, type ClaimFile } from './util.js';

export const DATA_LOAD = path.join(DIST, 'bench', 'data-load.js');

/** Where the real ICD-10-CM files are, when they are there at all. */
export const DEFAULT_ICD10CM_DIR = path.resolve(PACKAGE_ROOT, '..', 'shared', 'data', 'icd10cm');
const ICD10CM_ORDER = 'icd10cm-order-2021.txt';
const ICD10CM_TABULAR = 'icd10cm-tabular-2021.xml';

/** Releases of the quarterly tables: effective on the first day of the quarter the generated claims are in. */
export const QUARTER_EFFECTIVE = '2026-07-01';
export const ICD10CM_RELEASE = { release: 'fy2021-january', effective: '2021-01-01' };

/** The generated claims' first date of service, and where the ICD-10-CM copy moves it to. */
const SERVICE_FROM = '2026-08-01';
const ICD_SERVICE_FROM = '2021-01-04';

export interface ImportTiming {
  kind: DataKind;
  program?: Program;
  release: string;
  effective: string;
  /** What was imported, for the report. */
  source: string;
  files: number;
  sourceBytes: number;
  /** Wall milliseconds of importRelease (read, check, build, write). */
  importMs: number;
  /** The importer's own reading and checking time. */
  parseMs: number;
  lines: number;
  counts: Record<string, number>;
  /** Bytes of the installed release folder (tables and manifest). */
  tableBytes: number;
}

export interface DataSetup {
  dir: string;
  ptpRows: number;
  /** Writing the synthetic PTP part files (not an import: the bench's own input). */
  ptpWrite: { ms: number; table: Omit<SyntheticPtpTable, 'files'>; bytes: number };
  imports: ImportTiming[];
  /** Whether the real ICD-10-CM files were found and imported. */
  icd10cm: boolean;
  icd10cmDir: string;
}

function bytesOf(files: readonly string[]): number {
  return files.reduce((sum, file) => sum + statSync(file).size, 0);
}

function folderBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const full = path.join(dir, entry.name);
    return sum + (entry.isDirectory() ? folderBytes(full) : statSync(full).size);
  }, 0);
}

async function timedImport(
  dataDir: string,
  request: { kind: DataKind; program?: Program; release: string; effective: string; files: string[]; source: string },
): Promise<ImportTiming> {
  const started = performance.now();
  const result = await importRelease({
    kind: request.kind,
    dataDir,
    files: request.files,
    release: request.release,
    effective: request.effective,
    ...(request.program === undefined ? {} : { program: request.program }),
  });
  const importMs = performance.now() - started;
  return {
    kind: request.kind,
    ...(request.program === undefined ? {} : { program: request.program }),
    release: request.release,
    effective: request.effective,
    source: request.source,
    files: request.files.length,
    sourceBytes: bytesOf(request.files),
    importMs,
    parseMs: result.parseMs,
    lines: result.lines,
    counts: result.manifest.counts,
    tableBytes: folderBytes(result.dir),
  };
}

/** The row count an import reports for its table. */
export function rowsOf(timing: ImportTiming): number {
  const counts = timing.counts;
  if (timing.kind === 'hcpcs') return (counts.codes ?? 0) + (counts.modifiers ?? 0);
  return counts.rows ?? counts.codes ?? timing.lines;
}

function tableName(timing: { kind: DataKind; program?: Program }): string {
  return `${timing.kind}${timing.program === undefined ? '' : ` ${timing.program}`}`;
}

/**
 * Creates a data directory under the bench's work folder and imports every table into it, timing
 * each import. The synthetic PTP source files are written beside it and deleted after the import.
 */
export async function setupReferenceData(options: { ptpRows: number; seed: number; icd10cmDir: string }): Promise<DataSetup> {
  mkdirSync(WORK_DIR, { recursive: true });
  const root = mkdtempSync(path.join(WORK_DIR, 'data-'));
  try {
    return await importAll(root, options);
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

async function importAll(root: string, options: { ptpRows: number; seed: number; icd10cmDir: string }): Promise<DataSetup> {
  const dir = path.join(root, 'data');
  const sourceDir = path.join(root, 'ptp-source');
  const imports: ImportTiming[] = [];

  const writeStarted = performance.now();
  const ptp = await writeSyntheticPtpFiles(sourceDir, { rows: options.ptpRows, seed: options.seed });
  const ptpWriteMs = performance.now() - writeStarted;
  const { files: ptpFiles, ...ptpTable } = ptp;
  const ptpBytes = bytesOf(ptpFiles);
  try {
    imports.push(
      await timedImport(dir, {
        kind: 'ncci-ptp',
        program: 'medicare',
        release: '2026q3-synthetic',
        effective: QUARTER_EFFECTIVE,
        files: ptpFiles,
        source: `synthetic, ${fmtInt(options.ptpRows)} rows, ${ptpFiles.length} part files`,
      }),
    );
  } finally {
    rmSync(sourceDir, { recursive: true, force: true });
  }

  const order = path.join(options.icd10cmDir, ICD10CM_ORDER);
  const tabular = path.join(options.icd10cmDir, ICD10CM_TABULAR);
  const icd10cm = existsSync(order);
  if (icd10cm) {
    const files = existsSync(tabular) ? [order, tabular] : [order];
    imports.push(
      await timedImport(dir, {
        kind: 'icd10cm',
        ...ICD10CM_RELEASE,
        files,
        source: `real FY2021 January: ${files.map((file) => path.basename(file)).join(' + ')}`,
      }),
    );
  }

  const fixtures = path.join(PACKAGE_ROOT, 'fixtures', 'data');
  const excerpt = (name: string) => path.join(fixtures, name);
  for (const [program, file] of [
    ['medicare', 'mue/mue-practitioner-2026q1-excerpt.csv'],
    ['medicaid', 'mue/mue-medicaid-practitioner-2026q1-excerpt.csv'],
  ] as const) {
    imports.push(await timedImport(dir, { kind: 'mue', program, release: `2026q3-excerpt-${program}`, effective: QUARTER_EFFECTIVE, files: [excerpt(file)], source: `excerpt ${path.basename(file)}` }));
  }
  imports.push(
    await timedImport(dir, {
      kind: 'hcpcs',
      release: '2026q3-excerpt',
      effective: QUARTER_EFFECTIVE,
      files: [excerpt('hcpcs/hcpcs-2026-excerpt.txt')],
      source: 'excerpt hcpcs-2026-excerpt.txt',
    }),
    await timedImport(dir, {
      kind: 'pfs',
      release: '2026q3-excerpt',
      effective: QUARTER_EFFECTIVE,
      files: [excerpt('pfs/pprrvu-2026q1-excerpt.csv')],
      source: 'excerpt pprrvu-2026q1-excerpt.csv',
    }),
  );

  say(`  data directory: ${dir}`);
  say(`  synthetic PTP part files written in ${fmtNum(ptpWriteMs / 1000)} s (${mb(ptpBytes)}, ${fmtInt(ptpTable.codes)} codes; not part of any import time)`);
  if (!icd10cm) say(`  ICD-10-CM: ${order} is not there: imported without it (no ICD-10-CM import, load or covered run)`);
  say();
  say(
    table(
      ['table', 'release', 'effective', 'source', 'source size', 'rows', 'import s', 'read+check s', 'installed'],
      imports.map((timing) => [
        tableName(timing),
        timing.release,
        timing.effective,
        timing.source,
        mb(timing.sourceBytes),
        fmtInt(rowsOf(timing)),
        (timing.importMs / 1000).toFixed(2),
        (timing.parseMs / 1000).toFixed(2),
        mb(timing.tableBytes),
      ]),
    ),
  );
  const icdImport = imports.find((timing) => timing.kind === 'icd10cm');
  say();
  if (icdImport) {
    const c = icdImport.counts;
    say(`  ICD-10-CM counts: ${fmtInt(c.codes ?? 0)} codes (${fmtInt(c.billable ?? 0)} billable)${c.excludes1Notes === undefined ? '' : `, ${fmtInt(c.excludes1Notes)} Excludes1 notes, ${fmtInt(c.manifestations ?? 0)} manifestations`}`);
  }
  say(`  coverage: the ${QUARTER_EFFECTIVE} releases cover the generated claims (2026-08/09); the ICD-10-CM release covers ${ICD10CM_RELEASE.effective} to 2021-09-30 only`);
  say('  note: the synthetic PTP pairs are random codes, so few of its edits match the claims\' code pairs (lookups run, edits rarely fire);');
  say('        the HCPCS excerpt has 16 codes, so the claims\' other Level II codes are flagged as not valid (edits a real release would not give)');
  return { dir, ptpRows: options.ptpRows, ptpWrite: { ms: ptpWriteMs, table: ptpTable, bytes: ptpBytes }, imports, icd10cm, icd10cmDir: options.icd10cmDir };
}

/** Removes the data directory (and its temporary parent) made by setupReferenceData. */
export function removeReferenceData(setup: DataSetup): void {
  rmSync(path.dirname(setup.dir), { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Cold load

export interface ColdLoadRun extends DataLoadProbe {
  /** Wall seconds of the child process, spawn to exit. */
  processSeconds: number;
  peakRssBytes: number | null;
}

export interface ColdLoadReport {
  /** loadReferenceData(dir) of the whole directory, each in a fresh process. */
  whole: ColdLoadRun[];
  /** The median of `whole`, in ms. */
  medianMs: number;
  /** One fresh process per release: that release's table loader alone. */
  perRelease: { table: string; release: string; run: ColdLoadRun | null }[];
  problems: string[];
}

async function loadOnce(args: string[], label: string, problems: string[]): Promise<ColdLoadRun | null> {
  const measured = await measureNode([DATA_LOAD, ...args], label);
  if (measured.exitCode !== 0) {
    problems.push(`${label} exited with ${measured.signal ?? measured.exitCode}: ${measured.stderr.trim()}`);
    return null;
  }
  const probe = JSON.parse(measured.stdout.trim().split('\n').pop() ?? '{}') as DataLoadProbe;
  if (probe.problems.length > 0) problems.push(`${label}: ${probe.problems.length} problem(s) in the data directory: ${probe.problems.slice(0, 3).join('; ')}`);
  return { ...probe, processSeconds: measured.wallSeconds, peakRssBytes: measured.peakRssBytes };
}

/**
 * Times loadReferenceData(dir) in `rounds` fresh processes (the files are in the page cache after
 * the import: cold means a new process, not a cold disk), then each release's table loader alone
 * in a fresh process.
 */
export async function runColdLoad(setup: DataSetup, rounds: number): Promise<ColdLoadReport> {
  const problems: string[] = [];
  const whole: ColdLoadRun[] = [];
  for (let round = 0; round < rounds; round++) {
    const run = await loadOnce([setup.dir], 'data-load (all releases)', problems);
    if (run) whole.push(run);
  }
  const perRelease: ColdLoadReport['perRelease'] = [];
  for (const timing of setup.imports) {
    const run = await loadOnce([setup.dir, timing.kind, timing.release], `data-load ${tableName(timing)} ${timing.release}`, problems);
    perRelease.push({ table: tableName(timing), release: timing.release, run });
  }
  const medianMs = whole.length > 0 ? median(whole.map((run) => run.loadMs)) : Number.NaN;

  say(`  each a fresh node process; "load ms" is loadReferenceData(dir) (or one table loader) alone, after the modules are imported`);
  say();
  const row = (name: string, run: ColdLoadRun | null): string[] =>
    run === null
      ? [name, 'failed', '-', '-', '-', '-']
      : [name, fmtNum(run.loadMs), fmtNum(run.importMs), fmtNum(run.processSeconds * 1000), mb(run.rssBytes), mb(run.peakRssBytes)];
  say(
    table(
      ['load', 'load ms', 'modules ms', 'process ms', 'RSS after', 'peak RSS'],
      [
        ...whole.map((run, index) => row(`all releases, run ${index + 1}`, run)),
        ...perRelease.map(({ table: name, release, run }) => row(`${name} ${release} alone`, run)),
      ],
    ),
  );
  if (whole.length > 0) {
    say(`\n  loadReferenceData, all releases: median ${fmtNum(medianMs)} ms over ${whole.length} fresh processes (min ${fmtNum(Math.min(...whole.map((run) => run.loadMs)))}, max ${fmtNum(Math.max(...whole.map((run) => run.loadMs)))})`);
    say(`  loaded: ${whole[0]?.releases.join('; ')}`);
  }
  for (const problem of problems) warn(problem);
  return { whole, medianMs, perRelease, problems };
}

// ---------------------------------------------------------------------------------------------
// Claims moved into the ICD-10-CM release's dates

const DAY_MS = 86_400_000;

function isoToUtc(iso: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const value = Date.UTC(year, month - 1, day);
  const back = new Date(value);
  // Not a real date (a defect the generator planted): left as it is.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return null;
  return value;
}

/** Days from the generated claims' dates back to the ICD-10-CM-covered copy's. */
export const ICD_SHIFT_DAYS = Math.round(((isoToUtc(SERVICE_FROM) as number) - (isoToUtc(ICD_SERVICE_FROM) as number)) / DAY_MS);

/** A real YYYY-MM-DD date `days` earlier; anything else unchanged. Years before 1000 never occur here. */
export function shiftDate(iso: string, days: number): string {
  const value = isoToUtc(iso);
  return value === null ? iso : new Date(value - days * DAY_MS).toISOString().slice(0, 10);
}

/** The submission date of the moved copy. */
export const ICD_SUBMISSION_DATE = shiftDate(BENCH_SUBMISSION_DATE, ICD_SHIFT_DAYS);

/**
 * A copy of `input` with every JSON string that is exactly a real date (`"YYYY-MM-DD"`) moved
 * ICD_SHIFT_DAYS back: service dates 2026-08-01..2026-09-30 land in 2021-01-04..2021-03-05, inside
 * the FY2021 January ICD-10-CM release. Dates of birth and every other date move alike, so ages
 * and intervals stay as generated; a date that is not real (a planted defect) stays. Same length
 * as the input. Kept beside it in the work folder and reused.
 */
export async function claimFileInIcdDates(input: ClaimFile): Promise<ClaimFile & { shiftDays: number }> {
  const file = input.file.replace(/\.ndjson$/, `-minus${ICD_SHIFT_DAYS}d.ndjson`);
  if (existsSync(file)) return { ...input, file, bytes: statSync(file).size, reused: true, generateSeconds: 0, shiftDays: ICD_SHIFT_DAYS };
  const started = performance.now();
  const partial = `${file}.partial-${process.pid}`;
  const cache = new Map<string, string>();
  const out = createWriteStream(partial);
  let carry = '';
  const shiftText = (text: string): string =>
    text.replace(/"(\d{4}-\d{2}-\d{2})"/g, (_whole, date: string) => {
      let moved = cache.get(date);
      if (moved === undefined) {
        moved = shiftDate(date, ICD_SHIFT_DAYS);
        cache.set(date, moved);
      }
      return `"${moved}"`;
    });
  try {
    for await (const piece of createReadStream(input.file, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>) {
      const text = carry + piece;
      const cut = text.lastIndexOf('\n') + 1;
      carry = text.slice(cut);
      if (cut > 0 && !out.write(shiftText(text.slice(0, cut)))) await once(out, 'drain');
    }
    if (carry !== '') out.write(shiftText(carry));
    out.end();
    await once(out, 'finish');
  } catch (error) {
    out.destroy();
    rmSync(partial, { force: true });
    throw error;
  }
  renameSync(partial, file);
  return { ...input, file, bytes: statSync(file).size, reused: false, generateSeconds: (performance.now() - started) / 1000, shiftDays: ICD_SHIFT_DAYS };
}
