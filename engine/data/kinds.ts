/**
 * What the data directory knows about each kind of reference data: how its official files are
 * read into a release, how a release's tables load, and whether it is published per program.
 */
import { readHcpcsRelease } from './hcpcs/import.js';
import { loadHcpcsTable } from './hcpcs/table.js';
import { readIcd10cmRelease } from './icd10cm/import.js';
import { loadIcd10cmTable } from './icd10cm/table.js';
import { readMueRelease } from './mue/import.js';
import { loadMueTable } from './mue/table.js';
import { readNcciPtpRelease } from './ncci-ptp/import.js';
import { loadNcciPtpTable } from './ncci-ptp/table.js';
import { readPfsRelease } from './pfs/import.js';
import { loadPfsTable } from './pfs/table.js';
import type { DataKind, ReleaseManifest, ReleaseSourceContent } from './types.js';


export interface DataKindDefinition {
  kind: DataKind;
  /** What it is, for messages and help. */
  title: string;
  /** NCCI PTP and MUE tables: each release belongs to a program (--program medicare|medicaid). */
  perProgram: boolean;
  /** The files `data import` takes, for usage text. */
  files: string;
  /** Reads and checks the official files; throws SCRUB_ERR_INPUT_UNREADABLE / SCRUB_ERR_DATA_INVALID / SCRUB_ERR_USAGE. */
  read(files: readonly string[]): Promise<ReleaseSourceContent & { lines: number }>;
  /** Loads an installed release's tables, checked against its manifest; throws SCRUB_ERR_DATA_INVALID. */
  load(dir: string, manifest: ReleaseManifest): Promise<unknown>;
}

export const DATA_KIND_DEFINITIONS: Readonly<Record<DataKind, DataKindDefinition>> = {
  icd10cm: {
    kind: 'icd10cm',
    title: 'ICD-10-CM',
    perProgram: false,
    files: 'ORDER_FILE [TABULAR_XML]',
    read: readIcd10cmRelease,
    load: loadIcd10cmTable,
  },
  'ncci-ptp': {
    kind: 'ncci-ptp',
    title: 'NCCI PTP practitioner edits',
    perProgram: true,
    files: 'PART_FILE...',
    read: readNcciPtpRelease,
    load: loadNcciPtpTable,
  },
  mue: {
    kind: 'mue',
    title: 'MUE practitioner table',
    perProgram: true,
    files: 'MUE_CSV',
    read: readMueRelease,
    load: loadMueTable,
  },
  hcpcs: {
    kind: 'hcpcs',
    title: 'HCPCS Level II',
    perProgram: false,
    files: 'HCPC_ANWEB_TXT',
    read: readHcpcsRelease,
    load: loadHcpcsTable,
  },
  pfs: {
    kind: 'pfs',
    title: 'Medicare physician fee schedule RVU file',
    perProgram: false,
    files: 'PPRRVU_CSV',
    read: readPfsRelease,
    load: loadPfsTable,
  },
};
