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

export const DATA_KINDS = ['icd10cm'] as const;
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
  program?: string;
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

/** ICD-10-CM codes of one release, written without their dot (E119). */
export interface Icd10cmTable {
  /** billable: valid for claims; header: a category or subcategory, not valid for claims; undefined: not in the release. */
  status(dotlessCode: string): 'billable' | 'header' | undefined;
}

/** Every loaded release, by kind; `releaseFor` picks the one in effect on a date of service. */
export interface ReferenceData {
  icd10cm: ReleaseSet<Icd10cmTable>;
}

export interface ReleaseSet<Table> {
  readonly releases: readonly LoadedRelease<Table>[];
  /** The release in effect on `dateOfService` (YYYY-MM-DD), or undefined when none covers it. */
  releaseFor(dateOfService: string): LoadedRelease<Table> | undefined;
}
