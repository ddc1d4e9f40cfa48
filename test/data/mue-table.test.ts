import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readMueRelease } from '../../engine/data/mue/import.js';
import { parseMueFile } from '../../engine/data/mue/parse-mue-file.js';
import { MUE_EDITS_FILE, MUE_RATIONALES_FILE, buildMueTables, createMueTable, loadMueTable } from '../../engine/data/mue/table.js';
import { ScrubError } from '../../engine/errors.js';
import type { MueEntry, ReleaseManifest } from '../../engine/data/types.js';
import { ROOT } from '../helpers/cli.js';
import { temporaryDir } from './helpers.js';

const MEDICARE = path.join(ROOT, 'fixtures/data/mue/mue-practitioner-2026q1-excerpt.csv');

const work = temporaryDir('mue-table');
afterAll(work.cleanup);

function manifestFor(counts: Record<string, number>): ReleaseManifest {
  return {
    formatVersion: 1,
    kind: 'mue',
    release: 'x',
    effective: '2026-01-01',
    program: 'medicare',
    importedAt: '',
    sourceFiles: [],
    counts,
    tables: [MUE_EDITS_FILE, MUE_RATIONALES_FILE],
  };
}

let folders = 0;
/** Writes table files (and no manifest) in a new folder; returns the folder. */
function tableDir(tables: Record<string, string | Uint8Array>): string {
  const dir = path.join(work.dir, `t${++folders}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(tables)) writeFileSync(path.join(dir, name), content);
  return dir;
}

async function loadError(dir: string, counts: Record<string, number>): Promise<ScrubError> {
  const error = await loadMueTable(dir, manifestFor(counts)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScrubError);
  return error as ScrubError;
}

const ENTRIES: MueEntry[] = [
  { code: '99213', value: 1, indicator: 2, rationale: 'Code Descriptor / CPT Instruction' },
  { code: 'J1885', value: 8, indicator: 3, rationale: 'Prescribing Information' },
  { code: '0001U', value: 1, indicator: 2, rationale: 'Code Descriptor / CPT Instruction' },
  { code: 'A0425', value: 250, indicator: 1, rationale: 'Clinical: Data' },
];

describe('the MUE table files', () => {
  it('are a sorted tab-separated line per code and the distinct rationales, sorted', () => {
    const { tables, counts } = buildMueTables(ENTRIES);
    expect(tables[MUE_EDITS_FILE]).toBe('0001U\t1\t2\t1\n99213\t1\t2\t1\nA0425\t250\t1\t0\nJ1885\t8\t3\t2\n');
    expect(JSON.parse(tables[MUE_RATIONALES_FILE] as string)).toEqual(['Clinical: Data', 'Code Descriptor / CPT Instruction', 'Prescribing Information']);
    expect(counts).toEqual({ codes: 4, lineEdits: 1, dateOfServiceEdits: 3, rationales: 3 });
    expect(() => buildMueTables([...ENTRIES, ENTRIES[0] as MueEntry])).toThrow(/99213 is given twice/);
    expect(buildMueTables([])).toEqual({ tables: { [MUE_EDITS_FILE]: '', [MUE_RATIONALES_FILE]: '[\n\n]\n' }, counts: { codes: 0, lineEdits: 0, dateOfServiceEdits: 0, rationales: 0 } });
  });

  it('round trip: the excerpt read, written and loaded answers every code as the file says, like the in-memory table', async () => {
    const { tables, counts } = await readMueRelease([MEDICARE]);
    const dir = tableDir(tables);
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifestFor(counts)));
    const loaded = await loadMueTable(dir);
    const rows = (await parseMueFile(MEDICARE)).rows;
    const memory = createMueTable(rows);
    expect(loaded.rows).toBe(28);
    expect(memory.rows).toBe(28);
    for (const { code, value, indicator, rationale } of rows) {
      expect(loaded.entryFor(code)).toEqual({ code, value, indicator, rationale });
      expect(loaded.entryFor(code)).toEqual(memory.entryFor(code));
    }
    expect(loaded.entryFor('96372')).toEqual({ code: '96372', value: 4, indicator: 3, rationale: 'Clinical: Data' });
    for (const unknown of ['T1015', '9921', '99213 ', 'j1885', '', '992130']) {
      expect(loaded.entryFor(unknown)).toBeUndefined();
      expect(memory.entryFor(unknown)).toBeUndefined();
    }
    // Entries are shared and frozen: a caller cannot change the table.
    expect(loaded.entryFor('99213')).toBe(loaded.entryFor('99213'));
    expect(Object.isFrozen(loaded.entryFor('99213'))).toBe(true);
  });

  it('looks codes up like the in-memory table, for any entries', async () => {
    const code = fc.stringMatching(/^(?:[0-9]{4}[0-9A-Z]|[A-Z][0-9]{4})$/);
    const rationale = fc.constantFrom('Clinical: Data', 'CMS Policy', 'Anatomic Consideration', 'Policy, "quoted"\nacross lines', 'Ünïcode ®', '\t');
    const entry = fc.record({ code, value: fc.nat({ max: 100_000 }), indicator: fc.constantFrom(1 as const, 2 as const, 3 as const), rationale });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(entry, { selector: (e) => e.code, maxLength: 60 }), fc.array(code, { maxLength: 20 }), async (entries, probes) => {
        const { tables, counts } = buildMueTables(entries);
        const table = await loadMueTable(tableDir(tables), manifestFor(counts));
        const reference = createMueTable(entries);
        expect(table.rows).toBe(entries.length);
        for (const probe of [...entries.map((e) => e.code), ...probes]) expect(table.entryFor(probe)).toEqual(reference.entryFor(probe));
      }),
      { numRuns: 100 },
    );
  });

  it('an in-memory table refuses a code given twice', () => {
    expect(() => createMueTable([ENTRIES[0] as MueEntry, ENTRIES[0] as MueEntry])).toThrow(/99213 is given twice/);
  });
});

describe('loading an MUE release refuses a damaged table with SCRUB_ERR_DATA_INVALID', () => {
  const rationales = '["Clinical: Data","CMS Policy"]';
  const good = '36415\t2\t3\t0\n99213\t1\t2\t1\nA0425\t250\t1\t0\n';
  const counts = { codes: 3, lineEdits: 1, dateOfServiceEdits: 2, rationales: 2 };

  it('loads the good table these cases damage', async () => {
    const table = await loadMueTable(tableDir({ [MUE_EDITS_FILE]: good, [MUE_RATIONALES_FILE]: rationales }), manifestFor(counts));
    expect(table.entryFor('A0425')).toEqual({ code: 'A0425', value: 250, indicator: 1, rationale: 'Clinical: Data' });
  });

  const edits: [string, string, RegExp, number | undefined][] = [
    ['cut short', good.slice(0, -3), /no line feed \(cut short\?\)/, undefined],
    ['unsorted', '99213\t1\t2\t1\n36415\t2\t3\t0\nA0425\t250\t1\t0\n', /sorted and unique/, 2],
    ['a duplicate', '36415\t2\t3\t0\n36415\t2\t3\t0\nA0425\t250\t1\t0\n', /sorted and unique/, 2],
    ['indicator 4', '36415\t2\t3\t0\n99213\t1\t4\t1\nA0425\t250\t1\t0\n', /indicator \(1, 2 or 3\)/, 2],
    ['a bad code', '36415\t2\t3\t0\n9921\t1\t2\t1\nA0425\t250\t1\t0\n', /separated by tabs/, 2],
    ['a negative value', '36415\t2\t3\t0\n99213\t-1\t2\t1\nA0425\t250\t1\t0\n', /separated by tabs/, 2],
    ['a rationale index out of range', '36415\t2\t3\t0\n99213\t1\t2\t2\nA0425\t250\t1\t0\n', /rationale 2 is not in rationales\.json, which has 2/, 2],
    ['a value with a leading zero', '36415\t2\t3\t0\n99213\t01\t2\t1\nA0425\t250\t1\t0\n', /separated by tabs/, 2],
    ['a value with 16 digits', '36415\t2\t3\t0\n99213\t1234567890123456\t2\t1\nA0425\t250\t1\t0\n', /separated by tabs/, 2],
    ['no value', '36415\t2\t3\t0\n99213\t\t2\t1\nA0425\t250\t1\t0\n', /separated by tabs/, 2],
    ['a rationale index with a leading zero', '36415\t2\t3\t0\n99213\t1\t2\t01\nA0425\t250\t1\t0\n', /separated by tabs/, 2],
    ['a fifth field', '36415\t2\t3\t0\n99213\t1\t2\t1\tx\nA0425\t250\t1\t0\n', /separated by tabs/, 2],
    ['a code of letters at both ends', '36415\t2\t3\t0\nA123B\t1\t2\t1\nA0425\t250\t1\t0\n', /separated by tabs/, 2],
    ['a lower-case code', '36415\t2\t3\t0\na0425\t250\t1\t0\n', /separated by tabs/, 2],
    ['a line cut short', '36415\t2\t3\t0\n99213\t1\t2\nA0425\t250\t1\t0\n', /separated by tabs/, 2],
    ['an empty line', '36415\t2\t3\t0\n\nA0425\t250\t1\t0\n', /separated by tabs/, 2],
    ['CRLF line ends', good.replace(/\n/g, '\r\n'), /separated by tabs/, 1],
    ['spaces for tabs', good.replace(/\t/g, ' '), /separated by tabs/, 1],
  ];
  for (const [name, text, message, line] of edits) {
    it(`edits.txt ${name}`, async () => {
      const error = await loadError(tableDir({ [MUE_EDITS_FILE]: text, [MUE_RATIONALES_FILE]: rationales }), counts);
      expect(error.code).toBe('SCRUB_ERR_DATA_INVALID');
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]?.message).toMatch(message);
      expect(error.problems[0]?.position.file).toMatch(/edits\.txt$/);
      expect(error.problems[0]?.position.line).toBe(line);
    });
  }

  const rationaleCases: [string, string, RegExp][] = [
    ['cut short', rationales.slice(0, -5), /not JSON \(cut short\?\)/],
    ['not an array', '{"a":1}', /expected a JSON array/],
    ['an empty rationale', '["Clinical: Data",""]', /item 1 is not a non-empty string/],
    ['a rationale twice', '["Clinical: Data","Clinical: Data"]', /item 1 repeats/],
    ['a rationale no edit uses', '["Clinical: Data","CMS Policy","Unused"]', /rationale 2 \("Unused"\) is used by no edit/],
  ];
  for (const [name, text, message] of rationaleCases) {
    it(`rationales.json ${name}`, async () => {
      const error = await loadError(tableDir({ [MUE_EDITS_FILE]: good, [MUE_RATIONALES_FILE]: text }), counts);
      expect(error.problems[0]?.message).toMatch(message);
      expect(error.problems[0]?.position.file).toMatch(/rationales\.json$/);
    });
  }

  it('a table whose counts do not match the manifest', async () => {
    const error = await loadError(tableDir({ [MUE_EDITS_FILE]: good, [MUE_RATIONALES_FILE]: rationales }), { codes: 4, lineEdits: 1, dateOfServiceEdits: 3, rationales: 2 });
    expect(error.message).toMatch(/the MUE release is damaged/);
    expect(error.problems.map((p) => p.message)).toEqual([
      'has 3 codes, the manifest says 4',
      'has 2 date of service edits (indicators 2 and 3), the manifest says 3',
    ]);
    const noCounts = await loadError(tableDir({ [MUE_EDITS_FILE]: good, [MUE_RATIONALES_FILE]: rationales }), {});
    expect(noCounts.problems).toHaveLength(4);
    expect(noCounts.problems[1]?.message).toBe('has 1 line edits (indicator 1), the manifest says nothing');
  });

  it('a missing table file, and a missing manifest', async () => {
    const missing = await loadError(tableDir({ [MUE_RATIONALES_FILE]: rationales }), counts);
    expect(missing.problems[0]?.message).toMatch(/cannot read the table: ENOENT/);
    expect(missing.problems[0]?.position.file).toMatch(/edits\.txt$/);
    const noManifest = await loadMueTable(tableDir({ [MUE_EDITS_FILE]: good, [MUE_RATIONALES_FILE]: rationales })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(noManifest).toMatchObject({ code: 'SCRUB_ERR_DATA_INVALID', message: expect.stringMatching(/cannot read the release manifest/) });
  });
});
