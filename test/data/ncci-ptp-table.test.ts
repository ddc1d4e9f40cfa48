import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticPtpFiles } from '../../bench/synthetic-ptp.js';
import { readNcciPtpRelease } from '../../engine/data/ncci-ptp/import.js';
import { parsePtpText } from '../../engine/data/ncci-ptp/parse-ptp-file.js';
import { PtpRowSet } from '../../engine/data/ncci-ptp/rows.js';
import { NCCI_PTP_TABLE_FILE, buildNcciPtpTables, createNcciPtpTable, loadNcciPtpTable, type LoadedNcciPtpTable } from '../../engine/data/ncci-ptp/table.js';
import { ScrubError } from '../../engine/errors.js';
import type { NcciPtpTable, PtpEdit } from '../../engine/data/types.js';
import { temporaryDir } from './helpers.js';
import { PTP_F1, PTP_F2, ptpManifest, writeText } from './ncci-ptp-helpers.js';

const work = temporaryDir('ncci-ptp-table');
afterAll(work.cleanup);

let folders = 0;
/** Writes a table file in a new folder; returns the folder. */
function tableDir(bytes: Uint8Array): string {
  const dir = path.join(work.dir, `t${++folders}`);
  writeText(dir, NCCI_PTP_TABLE_FILE, bytes);
  return dir;
}

async function loadError(dir: string, counts: Record<string, number>, tables?: string[]): Promise<ScrubError> {
  const error = await loadNcciPtpTable(dir, ptpManifest(counts, tables)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScrubError);
  return error as ScrubError;
}

/** The excerpts' rows, as edits (what a table answers with). */
function excerptEdits(): PtpEdit[] {
  const rows = new PtpRowSet();
  parsePtpText(readFileSync(PTP_F1, 'utf8'), 'f1', rows);
  parsePtpText(readFileSync(PTP_F2, 'utf8'), 'f2', rows);
  return rows.rows().map(({ column1, column2, effective, deleted, modifierIndicator, rationale }) => {
    const edit: PtpEdit = { column1, column2, effective, modifierIndicator, rationale };
    if (deleted !== undefined) edit.deleted = deleted;
    return edit;
  });
}

/** The day before, on and after each date of the edits, and a few others. */
function datesAround(edits: readonly PtpEdit[]): string[] {
  const dates = new Set<string>(['1995-12-31', '2030-06-15', '2099-12-31']);
  const shift = (date: string, days: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  for (const e of edits) {
    for (const date of [e.effective, e.deleted]) if (date !== undefined) for (const d of [-1, 0, 1]) dates.add(shift(date, d));
  }
  return [...dates];
}

describe('the NCCI PTP table', () => {
  let edits: PtpEdit[];
  let loaded: LoadedNcciPtpTable;
  let memory: NcciPtpTable;

  beforeAll(async () => {
    edits = excerptEdits();
    const release = await readNcciPtpRelease([PTP_F1, PTP_F2]);
    loaded = await loadNcciPtpTable(tableDir(release.tables[NCCI_PTP_TABLE_FILE] as Uint8Array), ptpManifest(release.counts));
    memory = createNcciPtpTable(edits);
  });

  it('loads from the bytes an import writes and answers like the in-memory table, for every pair and date', () => {
    expect(loaded.rows).toBe(30);
    expect(memory.rows).toBe(30);
    const dates = datesAround(edits);
    let found = 0;
    for (const { column1, column2 } of edits) {
      for (const [a, b] of [
        [column1, column2],
        [column2, column1],
      ] as const) {
        for (const date of dates) {
          const expected = memory.editFor(a, b, date);
          expect(loaded.editFor(a, b, date), `${a}/${b} on ${date}`).toEqual(expected);
          if (expected !== undefined) found++;
        }
      }
    }
    expect(found).toBeGreaterThan(100);
  });

  it('applies an edit from its effective date up to the day before its deletion date', () => {
    for (const table of [loaded, memory]) {
      expect(table.editFor('20610', '76942', '2008-12-31')).toBeUndefined();
      expect(table.editFor('20610', '76942', '2009-01-01')).toEqual({
        column1: '20610',
        column2: '76942',
        effective: '2009-01-01',
        deleted: '2015-01-01',
        modifierIndicator: 1,
        rationale: 'CPT Manual or CMS manual coding instruction',
      });
      expect(table.editFor('20610', '76942', '2014-12-31')?.deleted).toBe('2015-01-01');
      // The deletion date is the first date of service the edit no longer applies to.
      expect(table.editFor('20610', '76942', '2015-01-01')).toBeUndefined();
      expect(table.editFor('20610', '76942', '2026-03-01')).toBeUndefined();
      expect(table.editFor('20611', '76942', '2015-01-01')?.modifierIndicator).toBe(0);
    }
  });

  it('picks the window in effect when a pair has two, and nothing between them', () => {
    for (const table of [loaded, memory]) {
      expect(table.editFor('93000', '93005', '1996-01-01')).toMatchObject({ effective: '1996-01-01', deleted: '2002-01-01', modifierIndicator: 0 });
      expect(table.editFor('93000', '93005', '2001-12-31')?.effective).toBe('1996-01-01');
      expect(table.editFor('93000', '93005', '2002-01-01')).toBeUndefined();
      expect(table.editFor('93000', '93005', '2002-12-31')).toBeUndefined();
      const second = table.editFor('93000', '93005', '2003-01-01');
      expect(second).toEqual({ column1: '93000', column2: '93005', effective: '2003-01-01', modifierIndicator: 0, rationale: 'HCPCS/CPT procedure code definition' });
      expect(table.editFor('J1100', '96372', '2010-03-31')?.deleted).toBe('2010-04-01');
      expect(table.editFor('J1100', '96372', '2010-04-01')).toBeUndefined();
      expect(table.editFor('J1100', '96372', '2011-01-01')?.deleted).toBeUndefined();
    }
  });

  it('never applies an edit deleted retroactively (deletion date = effective date, indicator 9)', () => {
    for (const table of [loaded, memory]) {
      for (const date of ['2012-12-31', '2013-01-01', '2013-01-02', '2025-01-01']) expect(table.editFor('93653', '93623', date)).toBeUndefined();
    }
  });

  it('keeps the order of a pair: the reversed pair is another pair', () => {
    for (const table of [loaded, memory]) {
      expect(table.editFor('11102', '11104', '2024-01-01')?.modifierIndicator).toBe(1);
      expect(table.editFor('11104', '11102', '2024-01-01')).toBeUndefined();
      expect(table.editFor('99214', '99213', '2024-01-01')?.rationale).toBe('More extensive procedure');
      expect(table.editFor('99213', '99214', '2024-01-01')).toBeUndefined();
      expect(table.editFor('76942', '20610', '2010-01-01')).toBeUndefined();
    }
  });

  it('answers undefined for unknown pairs, codes that are not codes, and dates that are not dates', () => {
    for (const table of [loaded, memory]) {
      expect(table.editFor('20610', '99215', '2024-01-01')).toBeUndefined();
      expect(table.editFor('99999', '20610', '2024-01-01')).toBeUndefined();
      for (const code of ['', '2061', '206100', '20610 ', ' 2061', '0075t', 'g0471', '2061O']) expect(table.editFor(code, '99213', '2024-01-01')).toBeUndefined();
      for (const date of ['', '2024-1-01', '20240101', '2024-02-30', '2024-13-01', 'yesterday', '1979-12-31']) expect(table.editFor('20610', '99213', date)).toBeUndefined();
    }
    expect(loaded.editFor('G0471', '36415', '2024-01-01')?.column1).toBe('G0471');
    expect(loaded.editFor('0213T', '64493', '2021-12-31')?.modifierIndicator).toBe(0);
  });

  it('builds the same file from rows and from edits, and counts rows, pairs, active rows and codes', () => {
    const fromEdits = buildNcciPtpTables(edits);
    expect(fromEdits.counts).toEqual({ rows: 30, pairs: 28, active: 23, codes: 25 });
    expect(buildNcciPtpTables([]).counts).toEqual({ rows: 0, pairs: 0, active: 0, codes: 0 });
  });

  it('loads an empty table', async () => {
    const { tables, counts } = buildNcciPtpTables([]);
    const table = await loadNcciPtpTable(tableDir(tables[NCCI_PTP_TABLE_FILE] as Uint8Array), ptpManifest(counts));
    expect(table.rows).toBe(0);
    expect(table.editFor('20610', '99213', '2024-01-01')).toBeUndefined();
  });
});

describe('loading a damaged NCCI PTP table', () => {
  const { tables, counts } = buildNcciPtpTables(excerptEdits());
  const good = tables[NCCI_PTP_TABLE_FILE] as Uint8Array;
  const changed = (offset: number, value: number): Uint8Array => {
    const copy = good.slice();
    copy[offset] = value;
    return copy;
  };

  it('loads the intact file', async () => {
    expect((await loadNcciPtpTable(tableDir(good), ptpManifest(counts))).rows).toBe(30);
  });

  const cases: [string, () => Uint8Array, RegExp][] = [
    ['cut short', () => good.subarray(0, good.length - 7), /the file has \d+ bytes, its header says \d+ \(cut short/],
    ['cut inside the header', () => good.subarray(0, 40), /less than its 96-byte header/],
    ['empty', () => new Uint8Array(0), /the file has 0 bytes, less than its 96-byte header/],
    ['longer than its header says', () => new Uint8Array([...good, 0, 0, 0, 0]), /its header says/],
    ['a changed byte in the rows', () => changed(good.length - 200, (good[good.length - 200] ?? 0) ^ 0x10), /does not match the checksum/],
    ['a changed checksum', () => changed(70, (good[70] ?? 0) ^ 1), /does not match the checksum/],
    ['another file', () => new TextEncoder().encode('20610\t99213\t\t20020101\t*\t1\tMisuse\r\n'.repeat(8)), /not an NCCI PTP table file/],
    ['another format version', () => changed(8, 2), /table format version 2; this claimscrub reads version 1/],
    ['a changed row count in the header', () => changed(20, (good[20] ?? 0) + 1), /its header says|header's counts/],
  ];
  for (const [name, bytes, message] of cases) {
    it(`refuses a file ${name}`, async () => {
      const error = await loadError(tableDir(bytes()), counts);
      expect(error.code).toBe('SCRUB_ERR_DATA_INVALID');
      expect(error.message).toMatch(/the NCCI PTP release is damaged/);
      expect(error.problems[0]?.message).toMatch(message);
      expect(error.problems[0]?.position.file).toMatch(/ptp\.bin$/);
    });
  }

  it('refuses a table whose counts differ from the manifest, listing each', async () => {
    const error = await loadError(tableDir(good), { ...counts, rows: 31, codes: 2 });
    expect(error.problems.map((p) => p.message)).toEqual(['has 30 rows, the manifest says 31', 'has 25 codes, the manifest says 2']);
    const missingCount = await loadError(tableDir(good), { rows: 30, pairs: 28, codes: 25 });
    expect(missingCount.problems.map((p) => p.message)).toEqual(['has 23 active rows, the manifest says nothing']);
  });

  it('refuses a missing table file, and a manifest that does not list it', async () => {
    const missing = await loadError(path.join(work.dir, 'nowhere'), counts);
    expect(missing.problems[0]?.message).toMatch(/cannot read the table: ENOENT/);
    const unlisted = await loadError(tableDir(good), counts, ['codes.txt']);
    expect(unlisted.problems[0]?.message).toBe('the manifest does not list ptp.bin among its tables');
  });
});

describe('the NCCI PTP table against a linear search', () => {
  const codes = ['10060', '11102', '20610', '36415', '93000', '96372', '99213', '0075T', 'G0471', 'J1100'];
  const day = fc.integer({ min: 0, max: 400 });
  const isoOf = (d: number): string => new Date(Date.UTC(2020, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
  /** One pair: 1 to 4 windows cut from sorted distinct boundaries, so they never overlap; the last may stay open. */
  const pair = fc.record({
    column1: fc.constantFrom(...codes),
    column2: fc.constantFrom(...codes),
    bounds: fc.uniqueArray(day, { minLength: 2, maxLength: 8 }),
    open: fc.boolean(),
    indicators: fc.array(fc.constantFrom<0 | 1 | 9>(0, 1, 9), { minLength: 8, maxLength: 8 }),
    rationale: fc.constantFrom('Misuse of column two code with column one code', 'Mutually exclusive procedures', ''),
  });
  const edits = fc.uniqueArray(pair, { selector: (p) => `${p.column1}/${p.column2}`, maxLength: 25 }).map((pairs) =>
    pairs.flatMap((p) => {
      const bounds = [...p.bounds].sort((a, b) => a - b);
      const windows: PtpEdit[] = [];
      for (let i = 0; i + 1 < bounds.length; i += 2) {
        const edit: PtpEdit = { column1: p.column1, column2: p.column2, effective: isoOf(bounds[i] as number), modifierIndicator: p.indicators[i] ?? 1, rationale: p.rationale };
        const last = i + 2 >= bounds.length;
        if (!(last && p.open)) edit.deleted = isoOf(bounds[i + 1] as number);
        windows.push(edit);
      }
      return windows;
    }),
  );

  it('finds the same edit as a search through every row, for any rows with non-overlapping windows', async () => {
    await fc.assert(
      fc.asyncProperty(
        edits,
        fc.array(fc.tuple(fc.constantFrom(...codes), fc.constantFrom(...codes), fc.integer({ min: -5, max: 410 })), { maxLength: 40 }),
        async (rows, probes) => {
          const { tables, counts } = buildNcciPtpTables(rows);
          const table = await loadNcciPtpTable(tableDir(tables[NCCI_PTP_TABLE_FILE] as Uint8Array), ptpManifest(counts));
          const search = (a: string, b: string, date: string): PtpEdit | undefined =>
            rows.find((e) => e.column1 === a && e.column2 === b && e.effective <= date && (e.deleted === undefined || date < e.deleted));
          const questions = [
            ...probes.map(([a, b, d]) => [a, b, isoOf(d)] as const),
            ...rows.flatMap((e) => [[e.column1, e.column2, e.effective] as const, [e.column1, e.column2, e.deleted ?? '2099-01-01'] as const]),
          ];
          for (const [a, b, date] of questions) expect(table.editFor(a, b, date), `${a}/${b} on ${date}`).toEqual(search(a, b, date));
        },
      ),
      { numRuns: 80 },
    );
  });
});

describe('the NCCI PTP table at size', () => {
  it('holds 200,000 synthetic rows in less than 16 bytes a row', async () => {
    const dir = path.join(work.dir, 'synthetic');
    const synthetic = await writeSyntheticPtpFiles(dir, { rows: 200_000, seed: 7 });
    expect(synthetic.files).toHaveLength(4);
    const release = await readNcciPtpRelease(synthetic.files);
    expect(release.counts).toEqual({ rows: 200_000, pairs: synthetic.pairs, active: 200_000 - synthetic.deleted, codes: expect.any(Number) });
    expect(release.counts.codes).toBeGreaterThan(3000);
    const table = await loadNcciPtpTable(tableDir(release.tables[NCCI_PTP_TABLE_FILE] as Uint8Array), ptpManifest(release.counts));
    expect(table.rows).toBe(200_000);
    expect(table.bytes / table.rows).toBeLessThan(16);
    // The generator is deterministic.
    const again = await writeSyntheticPtpFiles(path.join(work.dir, 'synthetic-again'), { rows: 200_000, seed: 7 });
    expect(readFileSync(again.files[2] as string).equals(readFileSync(synthetic.files[2] as string))).toBe(true);
  });
});
