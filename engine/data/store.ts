/**
 * The data directory: one folder per release, `<data dir>/<kind>/<release>/`, holding the
 * release's manifest.json and its table files. Releases are installed whole (written beside the
 * final folder, then renamed into place), never edited in place.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ScrubError, type ScrubProblem } from '../errors.js';
import { isIsoDate } from '../model/dates.js';
import { PACKAGE_ROOT } from '../package-info.js';
import { DATA_KIND_DEFINITIONS } from './kinds.js';
import { dataError, problemsOf, scrubProblem } from './problems.js';
import { RELEASE_PERIOD_END, createReleaseSet } from './release-set.js';
import {
  DATA_KINDS,
  PROGRAMS,
  type DataKind,
  type HcpcsTable,
  type Icd10cmTable,
  type MueTable,
  type NcciPtpTable,
  type PfsTable,
  type Program,
  type ReferenceData,
  type ReleaseManifest,
  type ReleaseSet,
  type SourceFile,
} from './types.js';

/** The data directory when none is given: `data/` in the package root. */
export const DEFAULT_DATA_DIR = path.join(PACKAGE_ROOT, 'data');

export const MANIFEST_FILE = 'manifest.json';

/** Release names: lower-case letters and digits in groups joined by single hyphens (`2026`, `fy2026-april`). */
const RELEASE_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_RELEASE_NAME = 64;

/** Why `name` cannot name a release, or undefined when it can. */
export function releaseNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the release name is empty';
  if (name.length > MAX_RELEASE_NAME) return `the release name has more than ${MAX_RELEASE_NAME} characters`;
  if (!RELEASE_NAME.test(name)) {
    return `the release name ${JSON.stringify(name)} must be lower-case letters and digits, optionally joined by single hyphens (e.g. 2026, fy2026-april)`;
  }
  return undefined;
}

export function isDataKind(value: unknown): value is DataKind {
  return typeof value === 'string' && (DATA_KINDS as readonly string[]).includes(value);
}

export function releaseDir(dataDir: string, kind: DataKind, release: string): string {
  return path.join(dataDir, kind, release);
}

export interface InstalledRelease {
  manifest: ReleaseManifest;
  /** The release folder. */
  dir: string;
}

const SHA256 = /^[0-9a-f]{64}$/;
const TABLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Checks a parsed manifest.json; returns what is wrong with it (empty when nothing is). */
export function manifestProblems(value: unknown, expected: { kind: string; release: string }): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['the manifest is not a JSON object'];
  const m = value as Record<string, unknown>;
  const problems: string[] = [];
  if (m.formatVersion !== 1) problems.push(`formatVersion must be 1, found ${JSON.stringify(m.formatVersion)}`);
  if (!isDataKind(m.kind)) problems.push(`kind must be one of ${DATA_KINDS.join(', ')}, found ${JSON.stringify(m.kind)}`);
  else if (m.kind !== expected.kind) problems.push(`kind is ${m.kind} but the release is in the ${expected.kind} folder`);
  if (typeof m.release !== 'string') problems.push('release must be a string');
  else if (m.release !== expected.release) problems.push(`release is ${JSON.stringify(m.release)} but the folder is ${JSON.stringify(expected.release)}`);
  if (!isIsoDate(m.effective)) problems.push(`effective must be a date written YYYY-MM-DD, found ${JSON.stringify(m.effective)}`);
  const perProgram = isDataKind(m.kind) && DATA_KIND_DEFINITIONS[m.kind].perProgram;
  if (perProgram && !(PROGRAMS as readonly unknown[]).includes(m.program)) {
    problems.push(`program must be one of ${PROGRAMS.join(', ')} for ${String(m.kind)}, found ${JSON.stringify(m.program)}`);
  } else if (!perProgram && m.program !== undefined) {
    problems.push(`program must be absent for ${String(m.kind)}, found ${JSON.stringify(m.program)}`);
  }
  if (typeof m.importedAt !== 'string') problems.push('importedAt must be a string');
  if (!Array.isArray(m.sourceFiles) || m.sourceFiles.length === 0) {
    problems.push('sourceFiles must be a non-empty array');
  } else {
    m.sourceFiles.forEach((file: unknown, i) => {
      const f = (typeof file === 'object' && file !== null ? file : {}) as Record<string, unknown>;
      if (typeof f.name !== 'string' || typeof f.sha256 !== 'string' || !SHA256.test(f.sha256) || !isCount(f.bytes)) {
        problems.push(`sourceFiles[${i}] must have a name, a sha256 (64 hex digits) and bytes`);
      }
    });
  }
  if (typeof m.counts !== 'object' || m.counts === null || Array.isArray(m.counts) || !Object.values(m.counts).every(isCount)) {
    problems.push('counts must be an object of whole numbers');
  }
  if (!Array.isArray(m.tables) || !m.tables.every((t: unknown) => typeof t === 'string' && TABLE_NAME.test(t) && t !== MANIFEST_FILE)) {
    problems.push('tables must be an array of file names in the release folder');
  }
  return problems;
}

async function readManifest(dir: string, kind: string, release: string): Promise<{ manifest: ReleaseManifest } | { problem: ScrubProblem }> {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: scrubProblem(file, code === 'ENOENT' ? 'the release folder has no manifest.json (an unfinished or damaged release)' : `cannot read the manifest: ${code ?? (error as Error).message}`) };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: scrubProblem(file, `the manifest is not valid JSON: ${(error as Error).message}`) };
  }
  const problems = manifestProblems(value, { kind, release });
  if (problems.length > 0) return { problem: scrubProblem(file, `the manifest is not valid: ${problems.join('; ')}`) };
  return { manifest: value as ReleaseManifest };
}

async function directories(dir: string, problems: ScrubProblem[]): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') problems.push(scrubProblem(dir, code === 'ENOTDIR' ? 'not a directory' : `cannot list the folder: ${code ?? (error as Error).message}`));
    return [];
  }
}

/**
 * The installed releases, sorted by kind then effective date. A release whose manifest is missing
 * or broken is reported in `problems`, not returned. A missing data directory has no releases.
 */
export async function listReleases(dataDir: string, kinds: readonly DataKind[] = DATA_KINDS): Promise<{ releases: InstalledRelease[]; problems: ScrubProblem[] }> {
  const releases: InstalledRelease[] = [];
  const problems: ScrubProblem[] = [];
  try {
    if (!(await stat(dataDir)).isDirectory()) return { releases, problems: [scrubProblem(dataDir, 'the data directory is not a directory')] };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { releases, problems };
    return { releases, problems: [scrubProblem(dataDir, `cannot read the data directory: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)] };
  }
  for (const kind of kinds) {
    const kindDir = path.join(dataDir, kind);
    const found: InstalledRelease[] = [];
    for (const release of await directories(kindDir, problems)) {
      const dir = path.join(kindDir, release);
      const read = await readManifest(dir, kind, release);
      if ('problem' in read) problems.push(read.problem);
      else found.push({ manifest: read.manifest, dir });
    }
    found.sort((a, b) => (a.manifest.effective < b.manifest.effective ? -1 : a.manifest.effective > b.manifest.effective ? 1 : a.manifest.release < b.manifest.release ? -1 : 1));
    releases.push(...found);
  }
  return { releases, problems };
}

/** What an importer hands to `installRelease`: the release's identity, provenance, counts and table files. */
export interface ReleaseContent {
  kind: DataKind;
  release: string;
  /** First date of service, YYYY-MM-DD. */
  effective: string;
  program?: Program;
  sourceFiles: SourceFile[];
  counts: Record<string, number>;
  /** Table file name → content. */
  tables: Record<string, string | Uint8Array>;
}

export interface InstallOptions {
  /** Replace an installed release of the same kind and name. */
  force?: boolean;
  /** The import time written to the manifest (default: now). */
  now?: Date;
}

export interface InstallResult {
  manifest: ReleaseManifest;
  dir: string;
  /** True when an installed release of the same name was replaced (--force). */
  replaced: boolean;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Checks that a release can be installed, before the importer reads its source: the kind, name and
 * date are valid; no release of that name exists unless `force`; no other release of the kind
 * takes effect on the same date. Throws SCRUB_ERR_USAGE or SCRUB_ERR_DATA_CONFLICT.
 */
export async function checkInstallable(dataDir: string, kind: DataKind, release: string, effective: string, force = false, program?: Program): Promise<void> {
  if (!isDataKind(kind)) throw new ScrubError('SCRUB_ERR_USAGE', `unknown kind of reference data ${JSON.stringify(kind)} (known: ${DATA_KINDS.join(', ')})`);
  const nameProblem = releaseNameProblem(release);
  if (nameProblem !== undefined) throw new ScrubError('SCRUB_ERR_USAGE', nameProblem);
  if (!isIsoDate(effective)) throw new ScrubError('SCRUB_ERR_USAGE', `the effective date must be a real date written YYYY-MM-DD, not ${JSON.stringify(effective)}`);
  const dir = releaseDir(dataDir, kind, release);
  if (!force && (await exists(dir))) {
    throw new ScrubError('SCRUB_ERR_DATA_CONFLICT', `${kind} release ${release} is installed already (${dir}): use --force to replace it`);
  }
  const { releases } = await listReleases(dataDir, [kind]);
  const sameDate = releases.find((r) => r.manifest.effective === effective && r.manifest.release !== release && r.manifest.program === program);
  if (sameDate !== undefined) {
    const what = program === undefined ? kind : `${kind} ${program}`;
    throw new ScrubError(
      'SCRUB_ERR_DATA_CONFLICT',
      `${what} release ${sameDate.manifest.release} takes effect on ${effective} already (${sameDate.dir}): one release per date; remove that folder first to replace it with ${release}`,
    );
  }
}

/**
 * Writes a release: its table files and a manifest.json, into a staging folder renamed into place
 * (a reader never sees half a release). Nothing of the source files is copied; the manifest
 * records their names, sizes and sha256. Refuses, like `checkInstallable`, an existing release
 * (unless `force`) and a second release of the kind on the same effective date.
 */
export async function installRelease(dataDir: string, content: ReleaseContent, options: InstallOptions = {}): Promise<InstallResult> {
  const { kind, release, effective } = content;
  const force = options.force ?? false;
  await checkInstallable(dataDir, kind, release, effective, force, content.program);
  for (const name of Object.keys(content.tables)) {
    if (!TABLE_NAME.test(name) || name === MANIFEST_FILE) throw new Error(`installRelease: bad table file name ${JSON.stringify(name)}`);
  }
  const manifest: ReleaseManifest = {
    formatVersion: 1,
    kind,
    release,
    effective,
    ...(content.program === undefined ? {} : { program: content.program }),
    importedAt: (options.now ?? new Date()).toISOString(),
    sourceFiles: content.sourceFiles.map((f) => ({ name: f.name, sha256: f.sha256, bytes: f.bytes })),
    counts: { ...content.counts },
    tables: Object.keys(content.tables).sort(),
  };
  const kindDir = path.join(dataDir, kind);
  const dir = releaseDir(dataDir, kind, release);
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = path.join(kindDir, `.incoming-${release}-${suffix}`);
  const old = path.join(kindDir, `.replaced-${release}-${suffix}`);
  let replaced = false;
  try {
    await mkdir(staging, { recursive: true });
    for (const [name, text] of Object.entries(content.tables)) await writeFile(path.join(staging, name), text);
    // The manifest last: a folder with a manifest has all its tables.
    await writeFile(path.join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    if (await exists(dir)) {
      await rename(dir, old);
      replaced = true;
    }
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    if (replaced && !(await exists(dir))) await rename(old, dir).catch(() => undefined);
    throw dataError('SCRUB_ERR_DATA_WRITE', `cannot write ${kind} release ${release} to ${dir}: ${(error as Error).message}`, [], error);
  }
  if (replaced) await rm(old, { recursive: true, force: true });
  return { manifest, dir, replaced };
}

/**
 * Loads every installed release, table included, and builds one ReleaseSet per kind. A missing
 * data directory gives empty sets. Anything wrong (a broken manifest, a damaged table, two
 * releases of a kind on one date) is reported in `problems` and that release is left out: a
 * caller that scrubs claims should refuse to run while `problems` is not empty, since a left-out
 * release would let the previous one cover its dates.
 */
export async function loadReferenceData(dataDir: string = DEFAULT_DATA_DIR): Promise<{ data: ReferenceData; problems: ScrubProblem[] }> {
  const { releases, problems } = await listReleases(dataDir);
  const load = async <Table>(kind: DataKind, program?: Program): Promise<ReleaseSet<Table>> => {
    const candidates = releases.filter((release) => release.manifest.kind === kind && release.manifest.program === program);
    const loaded = await Promise.all(
      onePerDate(candidates, problems).map(async (release) => {
        try {
          return { manifest: release.manifest, table: (await DATA_KIND_DEFINITIONS[kind].load(release.dir, release.manifest)) as Table };
        } catch (error) {
          if (!(error instanceof ScrubError)) throw error;
          problems.push(...problemsOf(error, release.dir));
          return undefined;
        }
      }),
    );
    return createReleaseSet(
      loaded.filter((release) => release !== undefined),
      RELEASE_PERIOD_END[kind],
    );
  };
  const perProgram = async <Table>(kind: DataKind): Promise<Record<Program, ReleaseSet<Table>>> =>
    Object.fromEntries(await Promise.all(PROGRAMS.map(async (program) => [program, await load<Table>(kind, program)] as const))) as Record<Program, ReleaseSet<Table>>;
  const [icd10cm, hcpcs, ncciPtp, mue, pfs] = await Promise.all([
    load<Icd10cmTable>('icd10cm'),
    load<HcpcsTable>('hcpcs'),
    perProgram<NcciPtpTable>('ncci-ptp'),
    perProgram<MueTable>('mue'),
    load<PfsTable>('pfs'),
  ]);
  const data: ReferenceData = { icd10cm, hcpcs, ncciPtp, mue, pfs };
  return { data, problems };
}

/**
 * The reference data of a directory for a scrub: refused whole (SCRUB_ERR_DATA_INVALID, every
 * problem listed) when any release is broken, because a scrub with some tables silently missing
 * would release claims checked with less than the user installed.
 */
export async function loadReferenceDataForScrub(dataDir: string): Promise<ReferenceData> {
  const { data, problems } = await loadReferenceData(dataDir);
  if (problems.length > 0) {
    throw new ScrubError('SCRUB_ERR_DATA_INVALID', `${problems.length} problem(s) in the reference data directory ${dataDir}`, { problems });
  }
  return data;
}

/** Keeps one release per effective date (the last imported), reporting the others. */
function onePerDate(releases: InstalledRelease[], problems: ScrubProblem[]): InstalledRelease[] {
  const byDate = new Map<string, InstalledRelease>();
  for (const release of releases) {
    const other = byDate.get(release.manifest.effective);
    if (other === undefined) {
      byDate.set(release.manifest.effective, release);
      continue;
    }
    const [keep, drop] = release.manifest.importedAt > other.manifest.importedAt ? [release, other] : [other, release];
    problems.push(
      scrubProblem(
        path.join(drop.dir, MANIFEST_FILE),
        `${drop.manifest.kind}${drop.manifest.program === undefined ? '' : ` ${drop.manifest.program}`} releases ${drop.manifest.release} and ${keep.manifest.release} both take effect on ${drop.manifest.effective}: ${drop.manifest.release} is ignored; remove one of them`,
      ),
    );
    byDate.set(release.manifest.effective, keep);
  }
  return [...byDate.values()];
}
