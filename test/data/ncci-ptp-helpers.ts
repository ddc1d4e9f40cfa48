import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NCCI_PTP_TABLE_FILE } from '../../engine/data/ncci-ptp/table.js';
import type { ReleaseManifest } from '../../engine/data/types.js';
import { ptpPreamble } from '../../bench/synthetic-ptp.js';
import { ROOT } from '../helpers/cli.js';

export const PTP_FIXTURES = path.join(ROOT, 'fixtures/data/ncci-ptp');
export const PTP_F1 = path.join(PTP_FIXTURES, 'ptp-practitioner-2026q1-f1.txt');
export const PTP_F2 = path.join(PTP_FIXTURES, 'ptp-practitioner-2026q1-f2.txt');

export const PREAMBLE = ptpPreamble('Test PTP edits');

export interface PtpFields {
  column1: string;
  column2: string;
  prior: string;
  effective: string;
  deleted: string;
  indicator: string;
  rationale: string;
}

/** One row in the published layout (no line end); fields not given are a valid active edit of 20610 / 99213. */
export function ptpRow(fields: Partial<PtpFields> = {}): string {
  const f: PtpFields = {
    column1: '20610',
    column2: '99213',
    prior: '',
    effective: '20020101',
    deleted: '*',
    indicator: '1',
    rationale: 'Misuse of column two code with column one code',
    ...fields,
  };
  return [f.column1, f.column2, f.prior, f.effective, f.deleted, f.indicator, f.rationale].join('\t');
}

/** A file: the preamble (unless told otherwise) and the rows, each line ending with `lineEnd`. */
export function ptpText(rows: string[], options: { preamble?: string[]; lineEnd?: string } = {}): string {
  const lineEnd = options.lineEnd ?? '\r\n';
  return [...(options.preamble ?? PREAMBLE), ...rows].map((line) => `${line}${lineEnd}`).join('');
}

/** Writes `content` to `dir/name` (creating `dir`); returns the path. */
export function writeText(dir: string, name: string, content: string | Uint8Array): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

export function ptpManifest(counts: Record<string, number>, tables: string[] = [NCCI_PTP_TABLE_FILE]): ReleaseManifest {
  return { formatVersion: 1, kind: 'ncci-ptp', release: 'test', effective: '2026-01-01', program: 'medicare', importedAt: '', sourceFiles: [], counts, tables };
}
