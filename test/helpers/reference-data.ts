import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { importIcd10cm } from '../../engine/data/icd10cm/import.js';
import { loadReferenceData } from '../../engine/data/store.js';
import type { ReferenceData } from '../../engine/data/types.js';
import { ROOT } from './cli.js';

/** The hand-written ICD-10-CM excerpts, as releases: FY2025 from 2024-10-01, FY2026 from 2025-10-01. */
export const TEST_RELEASES = [
  { file: 'order-2025-excerpt.txt', release: 'fy2025-excerpt', effective: '2024-10-01' },
  { file: 'order-2026-excerpt.txt', release: 'fy2026-excerpt', effective: '2025-10-01' },
] as const;

/** Imports the test excerpts into a fresh data directory; `remove` deletes it. */
export async function createTestDataDir(): Promise<{ dir: string; data: ReferenceData; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'claimscrub-data-'));
  for (const { file, release, effective } of TEST_RELEASES) {
    await importIcd10cm({ dataDir: dir, orderFile: path.join(ROOT, 'fixtures/data/icd10cm', file), release, effective });
  }
  const { data, problems } = await loadReferenceData(dir);
  if (problems.length > 0) throw new Error(`test data did not load: ${problems.map((p) => p.message).join('; ')}`);
  return { dir, data, remove: () => rm(dir, { recursive: true, force: true }) };
}
