/**
 * Reference data: official tables (ICD-10-CM, later NCCI PTP, MUE, HCPCS) imported from their
 * published layouts into a data directory, one folder per release:
 *
 *   <data dir>/<kind>/<release>/manifest.json   what the release is (ReleaseManifest)
 *   <data dir>/<kind>/<release>/<table files>   the compact form the engine loads
 *
 * A release applies to dates of service from its effective date until the next release of the
 * same kind (and program) takes effect.
 */

export const DATA_KINDS = ['icd10cm', 'ncci-ptp', 'mue', 'hcpcs', 'pfs'] as const;
export type DataKind = (typeof DATA_KINDS)[number];

export interface SourceFile {
  /** The file name as imported (no directory). */
  name: string;
  sha256: string;
  bytes: number;
}

export interface ReleaseManifest {
  /** Version of this manifest layout. */
  formatVersion: 1;
  kind: DataKind;
  /** The name the importer was given, e.g. `2026` or `fy2026-april`. */
  release: string;
  /** First date of service the release applies to, YYYY-MM-DD. */
  effective: string;
  /** medicare | medicaid, for tables published per program (PTP, MUE); absent otherwise. */
  program?: Program;
  importedAt: string;
  sourceFiles: SourceFile[];
  /** What was read, for `data status` and acceptance checks, e.g. { codes: 95358, billable: 72621 }. */
  counts: Record<string, number>;
  /** The table files in the release folder the loader reads. */
  tables: string[];
}

/** A release as the engine uses it: its manifest and, for the release's first date on, its table. */
export interface LoadedRelease<Table> {
  manifest: ReleaseManifest;
  /** The first date of service it no longer applies to (the next release's effective date), if any. */
  until?: string;
  table: Table;
}

/** What an importer reads from a release's official files: provenance, counts and the compact tables. */
export interface ReleaseSourceContent {
  sourceFiles: SourceFile[];
  /** What was read, for the manifest and `data status`. */
  counts: Record<string, number>;
  /** Table file name → content, written into the release folder. */
  tables: Record<string, string | Uint8Array>;
}

/** ICD-10-CM codes of one release, written without their dot (E119). */
export interface Icd10cmTable {
  /** billable: valid for claims; header: a category or subcategory, not valid for claims; undefined: not in the release. */
  status(dotlessCode: string): 'billable' | 'header' | undefined;
  /** The tabular list's notes, when the release was imported with its tabular XML. */
  readonly notes?: Icd10cmNotesTable;
}

/** Every loaded release, by kind; `releaseFor` picks the one in effect on a date of service. */
export interface ReferenceData {
  icd10cm: ReleaseSet<Icd10cmTable>;
  hcpcs: ReleaseSet<HcpcsTable>;
  /** NCCI PTP practitioner edits, per program. */
  ncciPtp: Readonly<Record<Program, ReleaseSet<NcciPtpTable>>>;
  /** MUE practitioner values, per program. */
  mue: Readonly<Record<Program, ReleaseSet<MueTable>>>;
  /** The Medicare physician fee schedule's payment policy indicators (global days, bilateral surgery...). */
  pfs: ReleaseSet<PfsTable>;
}

export interface ReleaseSet<Table> {
  readonly releases: readonly LoadedRelease<Table>[];
  /** The release in effect on `dateOfService` (YYYY-MM-DD), or undefined when none covers it. */
  releaseFor(dateOfService: string): LoadedRelease<Table> | undefined;
}

/** ICD-10-CM tabular-list notes of one release (codes written without their dot). */
export interface Icd10cmNotesTable {
  /** True when the code (or a category above it) carries a "code first" note: a manifestation, never first-listed. */
  isManifestation(dotlessCode: string): boolean;
  /**
   * The Excludes1 note that forbids reporting `a` with `b`: a note on `a` (or a category above it)
   * naming `b` (or a category or range holding it). Undefined when none does. Callers check both orders.
   */
  excludes1(a: string, b: string): Excludes1Note | undefined;
  readonly counts: { manifestations: number; excludes1Notes: number };
}

export interface Excludes1Note {
  /** The code or category the note is written on, with its dot as in the tabular list (E10, K35.8). */
  notedOn: string;
  /** The code, category or range the note names, as written (E08-E13, R10.1-, K35.80). */
  names: string;
}

/** A program publishes its own NCCI and MUE tables; a payer policy says which program applies. */
export const PROGRAMS = ['medicare', 'medicaid'] as const;
export type Program = (typeof PROGRAMS)[number];
/** What a payer policy chooses: a program's tables, or none (the payer applies no NCCI edits). */
export type PolicyProgram = Program | 'none';
/** The program of the base rule set (claims no policy matches): NCCI is the national standard most payers follow. */
export const BASE_PROGRAM: PolicyProgram = 'medicare';

/** One row of an NCCI procedure-to-procedure table. */
export interface PtpEdit {
  column1: string;
  column2: string;
  /** First date of service the edit applies to, YYYY-MM-DD. */
  effective: string;
  /**
   * The file's deletion date, YYYY-MM-DD: the first date of service the edit no longer applies to
   * (a retroactive deletion has it equal to the effective date); absent while active.
   */
  deleted?: string;
  /** 0: never bypassed by a modifier; 1: bypassed by an NCCI-associated modifier; 9: not applicable. */
  modifierIndicator: 0 | 1 | 9;
  /** The row's rationale text, as published. */
  rationale: string;
}

export interface NcciPtpTable {
  /** The edit of the pair (column 1 code, column 2 code) in effect on the date of service; constant time. */
  editFor(column1: string, column2: string, dateOfService: string): PtpEdit | undefined;
  readonly rows: number;
}

/** One row of an MUE table. */
export interface MueEntry {
  code: string;
  /** Units of service allowed (per line for indicator 1, per day otherwise). */
  value: number;
  /** 1: line edit; 2: date of service edit, policy; 3: date of service edit, clinical. */
  indicator: 1 | 2 | 3;
  rationale: string;
}

export interface MueTable {
  entryFor(code: string): MueEntry | undefined;
  readonly rows: number;
}

/** One HCPCS Level II code or modifier of a release. */
export interface HcpcsEntry {
  code: string;
  kind: 'code' | 'modifier';
  shortDescription: string;
  /** YYYY-MM-DD dates from the record, when present. */
  added?: string;
  /** Last date of service the code is valid (the record's termination date), when terminated. */
  terminated?: string;
}

export interface HcpcsTable {
  /** The code or modifier as the release has it, or undefined when it has none. */
  entryFor(code: string): HcpcsEntry | undefined;
  readonly rows: number;
}

/**
 * A code's global surgery period in the physician fee schedule: 000, 010 and 090 days (minor
 * procedures, major surgery), MMM maternity, XXX the concept does not apply, YYY the contractor
 * sets it, ZZZ an add-on code, part of another service's global period.
 */
export const PFS_GLOBAL_DAYS = ['000', '010', '090', 'MMM', 'XXX', 'YYY', 'ZZZ'] as const;
export type PfsGlobalDays = (typeof PFS_GLOBAL_DAYS)[number];

/**
 * The bilateral surgery indicator: 0 the bilateral adjustment does not apply (one side only, or a
 * bilateral code exists), 1 it applies (150%), 2 the code is already bilateral, 3 each side is paid
 * in full (mostly imaging), 9 the concept does not apply.
 */
export const PFS_BILATERAL_INDICATORS = [0, 1, 2, 3, 9] as const;
export type PfsBilateralIndicator = (typeof PFS_BILATERAL_INDICATORS)[number];

/** The multiple procedure indicator (0-7 and 9: which multiple procedure payment rule applies). */
export const PFS_MULTIPLE_PROCEDURE_INDICATORS = [0, 1, 2, 3, 4, 5, 6, 7, 9] as const;
export type PfsMultipleProcedureIndicator = (typeof PFS_MULTIPLE_PROCEDURE_INDICATORS)[number];

/** One row of the physician fee schedule RVU file, with the columns claimscrub reads. */
export interface PfsEntry {
  code: string;
  /** The row's modifier (26, TC, 53...); absent on the code's own row. */
  modifier?: string;
  /** The PFS status code (A active, B bundled, I not valid for Medicare, ...). */
  status: string;
  globalDays: PfsGlobalDays;
  multipleProcedure: PfsMultipleProcedureIndicator;
  bilateralSurgery: PfsBilateralIndicator;
}

export interface PfsTable {
  /** The code's row (without a modifier), or its row with `modifier`; undefined when the release has none. */
  entryFor(code: string, modifier?: string): PfsEntry | undefined;
  readonly rows: number;
}
