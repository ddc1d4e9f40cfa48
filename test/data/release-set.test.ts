import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importRelease } from '../../engine/data/import-release.js';
import { createIcd10cmTable } from '../../engine/data/icd10cm/table.js';
import { coverage, createReleaseSet, dayBefore, icd10cmReleaseEnd } from '../../engine/data/release-set.js';
import { loadReferenceData } from '../../engine/data/store.js';
import type { Icd10cmTable, ReferenceData, ReleaseManifest } from '../../engine/data/types.js';
import { EFFECTIVE_2025, EFFECTIVE_2026, ORDER_2025, ORDER_2026, temporaryDir } from './helpers.js';

function manifest(release: string, effective: string): ReleaseManifest {
  return { formatVersion: 1, kind: 'icd10cm', release, effective, importedAt: '2025-01-01T00:00:00.000Z', sourceFiles: [], counts: {}, tables: [] };
}

const table = createIcd10cmTable([], []);

describe('release selection by date of service (in memory)', () => {
  // Given out of order on purpose.
  const set = createReleaseSet([
    { manifest: manifest('2026', '2025-10-01'), table },
    { manifest: manifest('2021-january', '2021-01-01'), table },
    { manifest: manifest('2025', '2024-10-01'), table },
  ]);
  const releaseOn = (date: string) => set.releaseFor(date)?.manifest.release;

  it('sorts the releases by effective date and gives each the next one as until', () => {
    expect(set.releases.map((r) => [r.manifest.release, r.until])).toEqual([
      ['2021-january', '2024-10-01'],
      ['2025', '2025-10-01'],
      ['2026', undefined],
    ]);
  });

  it('has no release before the first effective date', () => {
    expect(releaseOn('2020-12-31')).toBeUndefined();
    expect(releaseOn('1999-01-01')).toBeUndefined();
  });

  it('picks a release from its effective date on, and the previous one the day before', () => {
    expect(releaseOn('2021-01-01')).toBe('2021-january');
    expect(releaseOn('2024-09-30')).toBe('2021-january');
    expect(releaseOn('2024-10-01')).toBe('2025');
    expect(releaseOn('2025-03-15')).toBe('2025');
    expect(releaseOn('2025-09-30')).toBe('2025');
    expect(releaseOn('2025-10-01')).toBe('2026');
  });

  it('keeps the last release open-ended', () => {
    expect(releaseOn('2031-06-30')).toBe('2026');
  });

  it('covers nothing for a date that is not a real YYYY-MM-DD date', () => {
    for (const date of ['', '2025-02-30', '2025-10-1', '20251001', 'not a date', '2025-13-01']) expect(set.releaseFor(date)).toBeUndefined();
  });

  it('an empty set covers no date', () => {
    const empty = createReleaseSet<Icd10cmTable>([]);
    expect(empty.releases).toEqual([]);
    expect(empty.releaseFor('2025-10-01')).toBeUndefined();
  });

  it('refuses two releases on one date', () => {
    expect(() => createReleaseSet([{ manifest: manifest('a', '2025-10-01'), table }, { manifest: manifest('b', '2025-10-01'), table }])).toThrow(/both take effect on 2025-10-01/);
  });

  it('describes coverage in words, ending the day before the next release', () => {
    expect(coverage('2021-01-01', '2021-10-01')).toEqual({ from: '2021-01-01', to: '2021-09-30', text: '2021-01-01 to 2021-09-30' });
    expect(coverage('2021-01-01', undefined)).toEqual({ from: '2021-01-01', to: undefined, text: 'from 2021-01-01 on' });
    expect(dayBefore('2024-03-01')).toBe('2024-02-29');
    expect(dayBefore('2023-03-01')).toBe('2023-02-28');
    expect(dayBefore('2025-01-01')).toBe('2024-12-31');
    expect(dayBefore('0100-01-01')).toBe('0099-12-31');
  });
});

describe('release selection over imported excerpts: a code added, a code deleted', () => {
  const work = temporaryDir('releases');
  let data: ReferenceData;
  beforeAll(async () => {
    await importRelease({ kind: 'icd10cm', dataDir: work.dir, files: [ORDER_2026], release: '2026', effective: EFFECTIVE_2026 });
    await importRelease({ kind: 'icd10cm', dataDir: work.dir, files: [ORDER_2025], release: '2025', effective: EFFECTIVE_2025 });
    const loaded = await loadReferenceData(work.dir);
    expect(loaded.problems).toEqual([]);
    data = loaded.data;
  });
  afterAll(work.cleanup);

  const status = (date: string, code: string) => data.icd10cm.releaseFor(date)?.table.status(code);

  it('loads both releases in date order with until', () => {
    expect(data.icd10cm.releases.map((r) => [r.manifest.release, r.manifest.effective, r.until])).toEqual([
      ['2025', '2024-10-01', '2025-10-01'],
      ['2026', '2025-10-01', '2026-10-01'],
    ]);
  });

  it('never applies a release past the end of its fiscal year, even with no newer release installed', () => {
    expect(data.icd10cm.releaseFor('2026-09-30')?.manifest.release).toBe('2026');
    expect(data.icd10cm.releaseFor('2026-10-01')).toBeUndefined();
    expect(data.icd10cm.releaseFor('2031-01-01')).toBeUndefined();
  });

  it('R10A1, added in 2026: unknown on 2025-09-30, billable from 2025-10-01', () => {
    expect(status('2025-09-30', 'R10A1')).toBeUndefined();
    expect(status('2025-10-01', 'R10A1')).toBe('billable');
    expect(status('2025-10-01', 'R10A')).toBe('header');
  });

  it('R102, left out of 2026: billable on 2025-09-30, unknown from 2025-10-01', () => {
    expect(status('2025-09-30', 'R102')).toBe('billable');
    expect(status('2025-10-01', 'R102')).toBeUndefined();
  });

  it('codes in both releases keep their status; before the first release nothing covers the date', () => {
    for (const date of ['2024-10-01', '2026-04-22']) {
      expect(status(date, 'E119')).toBe('billable');
      expect(status(date, 'E11')).toBe('header');
    }
    expect(data.icd10cm.releaseFor('2024-09-30')).toBeUndefined();
  });
});

describe('the ICD-10-CM fiscal year', () => {
  it('ends a release on the next October 1', () => {
    expect(icd10cmReleaseEnd('2024-10-01')).toBe('2025-10-01');
    expect(icd10cmReleaseEnd('2021-01-01')).toBe('2021-10-01');
    expect(icd10cmReleaseEnd('2025-04-01')).toBe('2025-10-01');
    expect(icd10cmReleaseEnd('2025-09-30')).toBe('2025-10-01');
  });
});
