import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { importRelease } from '../../engine/data/import-release.js';
import { loadReferenceData } from '../../engine/data/store.js';
import type { ReferenceData } from '../../engine/data/types.js';
import { ROOT } from './cli.js';

/**
 * The hand-written ICD-10-CM excerpts, as releases: FY2025 from 2024-10-01 (order file only),
 * FY2026 from 2025-10-01 (order file and tabular XML).
 */
export const TEST_RELEASES = [
  { files: ['order-2025-excerpt.txt'], release: 'fy2025-excerpt', effective: '2024-10-01' },
  { files: ['order-2026-excerpt.txt', 'tabular-2026-excerpt.xml'], release: 'fy2026-excerpt', effective: '2025-10-01' },
] as const;

/** The other hand-written excerpts: first quarter 2026 (they cover dates of service 2026-01-01 to 2026-03-31). */
export const QUARTER_RELEASES = [
  { kind: 'mue', program: 'medicare', files: ['mue/mue-practitioner-2026q1-excerpt.csv'], release: 'medicare-2026q1-excerpt' },
  { kind: 'mue', program: 'medicaid', files: ['mue/mue-medicaid-practitioner-2026q1-excerpt.csv'], release: 'medicaid-2026q1-excerpt' },
  { kind: 'hcpcs', files: ['hcpcs/hcpcs-2026-excerpt.txt'], release: '2026q1-excerpt' },
  {
    kind: 'ncci-ptp',
    program: 'medicare',
    files: ['ncci-ptp/ptp-practitioner-2026q1-f1.txt', 'ncci-ptp/ptp-practitioner-2026q1-f2.txt'],
    release: 'medicare-2026q1-excerpt',
  },
  { kind: 'pfs', files: ['pfs/pprrvu-2026q1-excerpt.csv'], release: '2026q1-excerpt' },
] as const;
export const QUARTER_EFFECTIVE = '2026-01-01';

/** Imports the test excerpts into a fresh data directory (ICD-10-CM only, or every kind); `remove` deletes it. */
export async function createTestDataDir(kinds: 'icd10cm' | 'all' = 'all'): Promise<{ dir: string; data: ReferenceData; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'claimscrub-data-'));
  for (const { files, release, effective } of TEST_RELEASES) {
    await importRelease({ kind: 'icd10cm', dataDir: dir, files: files.map((file) => path.join(ROOT, 'fixtures/data/icd10cm', file)), release, effective });
  }
  if (kinds === 'all') {
    for (const entry of QUARTER_RELEASES) {
      await importRelease({
        kind: entry.kind,
        dataDir: dir,
        files: entry.files.map((file) => path.join(ROOT, 'fixtures/data', file)),
        release: entry.release,
        effective: QUARTER_EFFECTIVE,
        ...('program' in entry ? { program: entry.program } : {}),
      });
    }
  }
  const { data, problems } = await loadReferenceData(dir);
  if (problems.length > 0) throw new Error(`test data did not load: ${problems.map((p) => p.message).join('; ')}`);
  return { dir, data, remove: () => rm(dir, { recursive: true, force: true }) };
}
