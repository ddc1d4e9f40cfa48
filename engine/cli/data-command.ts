import { performance } from 'node:perf_hooks';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ScrubError, type ScrubProblem } from '../errors.js';
import { importRelease } from '../data/import-release.js';
import { DATA_KIND_DEFINITIONS } from '../data/kinds.js';
import { formatProblem } from '../data/problems.js';
import { RELEASE_PERIOD_END, coverage, coveredUntil } from '../data/release-set.js';
import { DEFAULT_DATA_DIR, isDataKind, listReleases, loadReferenceData, releaseNameProblem, type InstalledRelease } from '../data/store.js';
import { DATA_KINDS, type Program, type ReleaseManifest } from '../data/types.js';
import { isIsoDate } from '../model/dates.js';
import { EXIT } from './exit.js';
import type { CommandIo } from './scrub-command.js';

export const DATA_USAGE = `Usage: claimscrub data <command> [options]

Official reference data (ICD-10-CM, NCCI PTP, MUE, HCPCS, the physician fee schedule) imported
into a data directory, one folder per release. Each release applies to dates of service from its
effective date until the next release of the same kind (and program) takes effect, and never past
the end of its period (ICD-10-CM: September 30 of its fiscal year; NCCI PTP, MUE, HCPCS and the
fee schedule: the end of the calendar quarter it takes effect in): dates no release covers are
not checked, and reports say so.

Commands:
  import KIND FILE... --release NAME --effective YYYY-MM-DD [--program P]
                         import a release from its official files
  status                 list the installed releases and the dates each covers

Options:
  --data DIR   the data directory (default: ${DEFAULT_DATA_DIR})
  -h, --help   show this help

Run 'claimscrub data import --help' or 'claimscrub data status --help' for a command's options.`;

export const DATA_IMPORT_USAGE = `Usage: claimscrub data import KIND FILE... --release NAME --effective YYYY-MM-DD [options]

Imports a release from its official files, in the publisher's own layout, into the data
directory. Every row is checked: a file with any malformed row is refused as a whole and every
problem is printed as file:line:column: message. The source files are not copied; their names,
sizes and sha256 are recorded in the release manifest.

Kinds and their files:
  icd10cm ORDER_FILE [TABULAR_XML]   ICD-10-CM "code descriptions in tabular order" file, and the
                                     tabular list XML of the same release (Excludes1 and code-first
                                     notes)
  ncci-ptp PART_FILE...              NCCI PTP practitioner edits, every part file of the quarter
                                     (tab-delimited text); needs --program
  mue MUE_CSV                        MUE practitioner table (CSV); needs --program
  hcpcs HCPC_ANWEB_TXT               HCPCS Level II fixed-width release file
  pfs PPRRVU_CSV                     Medicare physician fee schedule RVU file (the PPRRVU .csv of
                                     the quarterly RVU zip): global days, bilateral surgery and
                                     multiple procedure indicators

Options:
  --release NAME           the release's name: lower-case letters and digits, groups joined by
                           hyphens, unique per kind (for example 2026, fy2026-april,
                           medicare-2026q1)
  --effective YYYY-MM-DD   the first date of service the release applies to (for example
                           2025-10-01 for ICD-10-CM FY2026, 2026-01-01 for a first-quarter table)
  --program P              medicare or medicaid: whose NCCI PTP or MUE table this is (payer
                           policies say which program applies to their claims)
  --data DIR               the data directory (default: ${DEFAULT_DATA_DIR})
  --force                  replace an installed release of the same name
  -h, --help               show this help

Exit status: 0 imported; 2 a usage error, an unreadable file, malformed rows (nothing is imported),
a release of that name already installed (without --force), or another release of the kind (and
program) on the same effective date.`;

export const DATA_STATUS_USAGE = `Usage: claimscrub data status [options]

Lists the installed releases: kind, name, effective date, the next release's date (or open), the
dates of service each covers, the counts read at import, and each source file with its sha256.

Options:
  --data DIR              the data directory (default: ${DEFAULT_DATA_DIR})
  --format text|json      output format (default: text)
  --check                 also load every release's tables and check them against their manifests
  -h, --help              show this help

Exit status: 0 the data directory has no problems (an empty or missing one has none); 2 a usage
error, or a broken release (each problem is printed).`;

class UsageError extends Error {}

function usageFailure(io: CommandIo, command: string, message: string, usage: string): number {
  io.stderr.write(`claimscrub ${command}: ${message} [SCRUB_ERR_USAGE]\n\n${usage}\n`);
  return EXIT.error;
}

function failure(io: CommandIo, command: string, message: string, code: string, problems: readonly ScrubProblem[] = []): number {
  const lines = [`claimscrub ${command}: ${message} [${code}]`, ...problems.map(formatProblem)];
  io.stderr.write(`${lines.join('\n')}\n`);
  return EXIT.error;
}

function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

const number = new Intl.NumberFormat('en-US');

function describeCounts(counts: Record<string, number>): string {
  if ('codes' in counts && 'billable' in counts && 'headers' in counts) {
    return `${number.format(counts.codes ?? 0)} codes: ${number.format(counts.billable ?? 0)} billable, ${number.format(counts.headers ?? 0)} headers`;
  }
  return Object.entries(counts)
    .map(([name, value]) => `${name} ${number.format(value)}`)
    .join(', ');
}

function sameSeries(a: ReleaseManifest, b: ReleaseManifest): boolean {
  return a.kind === b.kind && a.program === b.program;
}

/** The release after `release` of its kind (and program) in a sorted listing, if any. */
function nextOf(releases: readonly InstalledRelease[], release: InstalledRelease): InstalledRelease | undefined {
  return releases.find((other) => sameSeries(other.manifest, release.manifest) && other.manifest.effective > release.manifest.effective);
}

function previousOf(releases: readonly InstalledRelease[], release: InstalledRelease): InstalledRelease | undefined {
  return releases.filter((other) => sameSeries(other.manifest, release.manifest) && other.manifest.effective < release.manifest.effective).at(-1);
}

async function importCommand(argv: string[], io: CommandIo): Promise<number> {
  const command = 'data import';
  let values;
  let positionals;
  try {
    ({ values, positionals } = parse(argv, {
      release: { type: 'string' },
      effective: { type: 'string' },
      program: { type: 'string' },
      data: { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    }));
  } catch (error) {
    return usageFailure(io, command, (error as Error).message, DATA_IMPORT_USAGE);
  }
  if (values.help) {
    io.stdout.write(`${DATA_IMPORT_USAGE}\n`);
    return EXIT.ok;
  }
  const [kind, ...files] = positionals;
  if (kind === undefined) return usageFailure(io, command, `name the kind of data to import (${DATA_KINDS.join(', ')}) and its files`, DATA_IMPORT_USAGE);
  if (!isDataKind(kind)) return usageFailure(io, command, `unknown kind of reference data "${kind}" (known: ${DATA_KINDS.join(', ')})`, DATA_IMPORT_USAGE);
  const definition = DATA_KIND_DEFINITIONS[kind];
  if (files.length === 0) return usageFailure(io, command, `name the ${definition.title} file(s) to import: ${kind} ${definition.files}`, DATA_IMPORT_USAGE);
  const release = values.release as string | undefined;
  const effective = values.effective as string | undefined;
  const program = values.program as string | undefined;
  if (release === undefined) return usageFailure(io, command, '--release NAME is required', DATA_IMPORT_USAGE);
  const nameProblem = releaseNameProblem(release);
  if (nameProblem !== undefined) return usageFailure(io, command, `--release: ${nameProblem}`, DATA_IMPORT_USAGE);
  if (effective === undefined) return usageFailure(io, command, '--effective YYYY-MM-DD is required', DATA_IMPORT_USAGE);
  if (!isIsoDate(effective)) return usageFailure(io, command, `--effective must be a real date written YYYY-MM-DD, not "${effective}"`, DATA_IMPORT_USAGE);
  const dataDir = (values.data as string | undefined) ?? DEFAULT_DATA_DIR;

  const started = performance.now();
  let result;
  try {
    result = await importRelease({
      kind,
      dataDir,
      files,
      release,
      effective,
      ...(program === undefined ? {} : { program: program as Program }),
      force: values.force as boolean,
    });
  } catch (error) {
    if (!(error instanceof ScrubError)) throw error;
    if (error.code === 'SCRUB_ERR_USAGE') return usageFailure(io, command, error.message, DATA_IMPORT_USAGE);
    return failure(io, command, error.message, error.code, error.problems);
  }
  const totalMs = performance.now() - started;

  const { manifest } = result;
  const { releases } = await listReleases(dataDir, [manifest.kind]);
  const installed = releases.find((r) => r.manifest.release === manifest.release);
  const next = installed === undefined ? undefined : nextOf(releases, installed);
  const previous = installed === undefined ? undefined : previousOf(releases, installed);
  const series = manifest.program === undefined ? manifest.kind : `${manifest.kind} (${manifest.program})`;
  const lines = [
    `Imported ${series} release ${manifest.release} (effective ${manifest.effective}) into ${result.dir}`,
    `  counts    ${describeCounts(manifest.counts)}`,
    ...manifest.sourceFiles.map((f) => `  source    ${f.name} (${number.format(f.bytes)} bytes, sha256 ${f.sha256})`),
    `  covers    dates of service ${coverage(manifest.effective, untilOf(manifest, next?.manifest)).text}`,
  ];
  if (previous !== undefined) {
    lines.push(`  before    ${previous.manifest.release} now covers ${coverage(previous.manifest.effective, untilOf(previous.manifest, manifest)).text}`);
  }
  if (result.replaced) lines.push(`  replaced  the release of the same name installed before (--force)`);
  lines.push(`  time      ${number.format(result.lines)} lines read in ${Math.round(result.parseMs)} ms; ${Math.round(totalMs)} ms in all`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

interface StatusRelease {
  kind: string;
  release: string;
  effective: string;
  until: string | null;
  covers: { from: string; to: string | null; text: string };
  program?: string;
  importedAt: string;
  sourceFiles: { name: string; sha256: string; bytes: number }[];
  counts: Record<string, number>;
  tables: string[];
  dir: string;
}

async function statusCommand(argv: string[], io: CommandIo): Promise<number> {
  const command = 'data status';
  let values;
  let positionals;
  try {
    ({ values, positionals } = parse(argv, {
      data: { type: 'string' },
      format: { type: 'string', default: 'text' },
      check: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    }));
  } catch (error) {
    return usageFailure(io, command, (error as Error).message, DATA_STATUS_USAGE);
  }
  if (values.help) {
    io.stdout.write(`${DATA_STATUS_USAGE}\n`);
    return EXIT.ok;
  }
  if (positionals.length > 0) return usageFailure(io, command, `unexpected argument: ${positionals.join(' ')}`, DATA_STATUS_USAGE);
  const format = values.format as string;
  if (format !== 'text' && format !== 'json') return usageFailure(io, command, `--format must be text or json, not "${format}"`, DATA_STATUS_USAGE);
  const dataDir = (values.data as string | undefined) ?? DEFAULT_DATA_DIR;

  const listing = await listReleases(dataDir);
  let problems = listing.problems;
  let loadMs: number | undefined;
  if (values.check) {
    const started = performance.now();
    problems = (await loadReferenceData(dataDir)).problems;
    loadMs = performance.now() - started;
  }
  const releases: StatusRelease[] = listing.releases.map((installed) => {
    const { manifest } = installed;
    const until = untilOf(manifest, nextOf(listing.releases, installed)?.manifest);
    const covers = coverage(manifest.effective, until);
    return {
      kind: manifest.kind,
      release: manifest.release,
      effective: manifest.effective,
      until: until ?? null,
      covers: { from: covers.from, to: covers.to ?? null, text: covers.text },
      ...(manifest.program === undefined ? {} : { program: manifest.program }),
      importedAt: manifest.importedAt,
      sourceFiles: manifest.sourceFiles,
      counts: manifest.counts,
      tables: manifest.tables,
      dir: installed.dir,
    };
  });

  if (format === 'json') {
    const report = {
      dataDir,
      releases,
      problems: problems.map((p) => ({ ...p.position, message: p.message })),
      ...(loadMs === undefined ? {} : { check: { loadMs: Math.round(loadMs * 10) / 10 } }),
    };
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const lines: string[] = [];
    if (releases.length === 0) {
      lines.push(`No reference data in ${dataDir}.`);
      lines.push(`Import a release with: claimscrub data import icd10cm ORDER_FILE --release NAME --effective YYYY-MM-DD${values.data === undefined ? '' : ` --data ${dataDir}`}`);
    } else {
      lines.push(`Reference data in ${dataDir}`);
      for (const r of releases) {
        lines.push('');
        lines.push(`${r.kind} ${r.release}${r.program === undefined ? '' : ` (${r.program})`}`);
        lines.push(`  effective ${r.effective}`);
        lines.push(`  until     ${r.until ?? 'open (no later release installed)'}`);
        lines.push(`  covers    dates of service ${r.covers.text}`);
        lines.push(`  counts    ${describeCounts(r.counts)}`);
        for (const f of r.sourceFiles) lines.push(`  source    ${f.name} (${number.format(f.bytes)} bytes, sha256 ${f.sha256})`);
        lines.push(`  imported  ${r.importedAt}`);
        lines.push(`  folder    ${r.dir}`);
      }
    }
    if (loadMs !== undefined && problems.length === 0) {
      lines.push('');
      lines.push(`Checked: every table loaded and matches its manifest (${Math.round(loadMs)} ms).`);
    }
    io.stdout.write(`${lines.join('\n')}\n`);
  }
  if (problems.length > 0) {
    const count = problems.length;
    return failure(io, command, `${count} ${count === 1 ? 'problem' : 'problems'} in the data directory ${dataDir}`, 'SCRUB_ERR_DATA_INVALID', problems);
  }
  return EXIT.ok;
}

/** `claimscrub data ...`: dispatches to the data subcommands. */
export async function dataCommand(argv: string[], io: CommandIo): Promise<number> {
  const [subcommand, ...rest] = argv;
  switch (subcommand) {
    case 'import':
      return importCommand(rest, io);
    case 'status':
      return statusCommand(rest, io);
    case '--help':
    case '-h':
    case 'help':
      io.stdout.write(`${DATA_USAGE}\n`);
      return EXIT.ok;
    case undefined:
      io.stderr.write(`claimscrub data: name a command (import or status) [SCRUB_ERR_USAGE]\n\n${DATA_USAGE}\n`);
      return EXIT.error;
    default:
      io.stderr.write(`claimscrub data: unknown command "${subcommand}" [SCRUB_ERR_USAGE]\n\n${DATA_USAGE}\n`);
      return EXIT.error;
  }
}

/** The first date of service a release no longer covers: the next release, or the end of its period. */
function untilOf(manifest: ReleaseManifest, next: ReleaseManifest | undefined): string | undefined {
  return coveredUntil(manifest.effective, next?.effective, RELEASE_PERIOD_END[manifest.kind]);
}
