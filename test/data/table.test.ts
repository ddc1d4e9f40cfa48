import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { importRelease } from '../../engine/data/import-release.js';
import { parseOrderText, type OrderRow } from '../../engine/data/icd10cm/parse-order-file.js';
import { ICD10CM_TABLE_FILE, buildIcd10cmTables, createIcd10cmTable, loadIcd10cmTable } from '../../engine/data/icd10cm/table.js';
import { ScrubError } from '../../engine/errors.js';
import type { ReleaseManifest } from '../../engine/data/types.js';
import { EFFECTIVE_2025, ORDER_2025, temporaryDir } from './helpers.js';

const work = temporaryDir('table');
afterAll(work.cleanup);

function rowsOf(codes: [string, boolean][]): OrderRow[] {
  return codes.map(([code, billable], i) => ({ line: i + 1, order: i + 1, code, billable, shortDescription: 's', longDescription: 'l' }));
}

function manifestFor(counts: Record<string, number>): ReleaseManifest {
  return { formatVersion: 1, kind: 'icd10cm', release: 'x', effective: '2025-10-01', importedAt: '', sourceFiles: [], counts, tables: [ICD10CM_TABLE_FILE] };
}

/** Writes a table file (and no manifest) in a new folder; returns the folder. */
let folders = 0;
function tableDir(text: string): string {
  const dir = path.join(work.dir, `t${++folders}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, ICD10CM_TABLE_FILE), text, 'latin1');
  return dir;
}

async function loadError(dir: string, counts: Record<string, number>): Promise<ScrubError> {
  const error = await loadIcd10cmTable(dir, manifestFor(counts)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScrubError);
  return error as ScrubError;
}

describe('the ICD-10-CM table file', () => {
  it('is one sorted fixed-width line per code: the code padded to 7, a blank, the flag', () => {
    const { tables, counts } = buildIcd10cmTables(rowsOf([['I10', true], ['E11', false], ['E119', true], ['W19XXXA', true]]));
    expect(tables).toEqual({ [ICD10CM_TABLE_FILE]: 'E11     0\nE119    1\nI10     1\nW19XXXA 1\n' });
    expect(counts).toEqual({ codes: 4, billable: 3, headers: 1 });
  });

  it('loads from an imported release and tells billable, header and unknown codes apart', async () => {
    const result = await importRelease({ kind: 'icd10cm', dataDir: work.dir, files: [ORDER_2025], release: '2025', effective: EFFECTIVE_2025 });
    const table = await loadIcd10cmTable(result.dir);
    expect(table.status('E119')).toBe('billable');
    expect(table.status('E11')).toBe('header');
    expect(table.status('M5136')).toBe('header');
    expect(table.status('M51369')).toBe('billable');
    expect(table.status('I10')).toBe('billable');
    expect(table.status('W19XXXA')).toBe('billable');
    expect(table.status('Z20822')).toBe('billable');
    expect(table.status('R10A1')).toBeUndefined();
    for (const unknown of ['E1190', 'E1', 'A00', '', 'E11.9', 'e119', 'E119 ', ' E119', 'E1 9', 'E119\t', 'Z208220', 'ZZZZZZZZ', 'A', '0']) expect(table.status(unknown)).toBeUndefined();
    // Every row of the excerpt, with its flag.
    for (const row of parseOrderText(readFileSync(ORDER_2025, 'utf8')).rows) expect(table.status(row.code)).toBe(row.billable ? 'billable' : 'header');
  });

  it('looks codes up like a Set would, for any codes (binary search over the file)', async () => {
    const code = fc.stringMatching(/^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$/);
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.tuple(code, fc.boolean()), { selector: ([c]) => c, maxLength: 60 }), fc.array(code, { maxLength: 30 }), async (entries, probes) => {
        const { tables, counts } = buildIcd10cmTables(rowsOf(entries));
        const table = await loadIcd10cmTable(tableDir(tables[ICD10CM_TABLE_FILE] as string), manifestFor(counts));
        const reference = createIcd10cmTable(
          entries.filter(([, b]) => b).map(([c]) => c),
          entries.filter(([, b]) => !b).map(([c]) => c),
        );
        for (const probe of [...entries.map(([c]) => c), ...probes]) expect(table.status(probe)).toBe(reference.status(probe));
      }),
      { numRuns: 100 },
    );
  });

  it('an in-memory table answers the same questions', () => {
    const table = createIcd10cmTable(['E119'], ['E11']);
    expect([table.status('E119'), table.status('E11'), table.status('I10')]).toEqual(['billable', 'header', undefined]);
  });

  it('refuses a damaged file, naming the line', async () => {
    const good = 'E11     0\nE119    1\nI10     1\n';
    const counts = { codes: 3, billable: 2, headers: 1 };
    const cases: [string, string, RegExp, number | undefined][] = [
      ['cut short', good.slice(0, -4), /not a whole number of 10-byte lines/, undefined],
      ['unsorted', 'E119    1\nE11     0\nI10     1\n', /sorted and unique/, 2],
      ['a duplicate', 'E11     0\nE11     0\nI10     1\n', /sorted and unique/, 2],
      ['a bad flag', 'E11     0\nE119    2\nI10     1\n', /column 9 must be 1/, 2],
      ['a bad code', 'E11     0\ne119    1\nI10     1\n', /not an ICD-10-CM code/, 2],
      ['a space inside a code', 'E11     0\nE119 9  1\nI10     1\n', /padded with spaces/, 2],
      ['a code too short', 'E11     0\nE1 9    1\nI10     1\n', /not an ICD-10-CM code/, 2],
      ['CRLF line ends', 'E11    0\r\nE119   1\r\nI10    1\r\n', /column 9|line feed|padded/, 1],
    ];
    for (const [name, text, message, line] of cases) {
      const error = await loadError(tableDir(text), counts);
      expect(error.code, name).toBe('SCRUB_ERR_DATA_INVALID');
      expect(error.problems[0]?.message, name).toMatch(message);
      expect(error.problems[0]?.position.line, name).toBe(line);
    }
  });

  it('refuses a file whose counts do not match the manifest, and a missing file', async () => {
    const error = await loadError(tableDir('E11     0\nE119    1\n'), { codes: 3, billable: 2, headers: 1 });
    expect(error.problems.map((p) => p.message)).toEqual(['has 2 codes, the manifest says 3', 'has 1 billable codes, the manifest says 2']);
    const missing = await loadError(path.join(work.dir, 'nowhere'), { codes: 0, billable: 0, headers: 0 });
    expect(missing.problems[0]?.message).toMatch(/cannot read the table: ENOENT/);
  });
});
