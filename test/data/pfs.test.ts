import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { importRelease } from '../../engine/data/import-release.js';
import { readPfsRelease } from '../../engine/data/pfs/import.js';
import { PfsFileParser, parsePfsFile, parsePfsText } from '../../engine/data/pfs/parse-pfs-file.js';
import { PFS_TABLE_FILE, PFS_TABLE_HEADER, buildPfsTables, createPfsTable, loadPfsTable } from '../../engine/data/pfs/table.js';
import { listReleases, loadReferenceData } from '../../engine/data/store.js';
import type { PfsEntry, ReleaseManifest } from '../../engine/data/types.js';
import { ScrubError } from '../../engine/errors.js';
import { ROOT } from '../helpers/cli.js';
import { pieces, sourceFileOf, temporaryDir } from './helpers.js';

const EXCERPT = path.join(ROOT, 'fixtures/data/pfs/pprrvu-2026q1-excerpt.csv');

const work = temporaryDir('pfs');
afterAll(work.cleanup);

/**
 * A small file in the published layout: two notice rows (lines 1-2), the column names over two
 * rows (lines 3-4: GLOB over DAYS...), then `rows` from line 5.
 */
const NOTICE = '"Notice, not CMS text",,,,,,\r\n,,,,,,\r\n';
const HEADER = ',,,STATUS,GLOB,MULT,BILAT\r\nHCPCS,MOD,DESCRIPTION,CODE,DAYS,PROC,SURG\r\n';
const FIRST_ROW_LINE = 5;

interface Fields {
  code: string;
  modifier: string;
  description: string;
  status: string;
  globalDays: string;
  multipleProcedure: string;
  bilateralSurgery: string;
}

const KNEE: Fields = { code: '27447', modifier: '', description: 'Knee replacement', status: 'A', globalDays: '090', multipleProcedure: '2', bilateralSurgery: '1' };
const VISIT: Fields = { code: '99213', modifier: '', description: 'Office visit', status: 'A', globalDays: 'XXX', multipleProcedure: '0', bilateralSurgery: '9' };

function row(fields: Partial<Fields> = {}): string {
  const f = { ...KNEE, ...fields };
  return [f.code, f.modifier, f.description, f.status, f.globalDays, f.multipleProcedure, f.bilateralSurgery].join(',');
}

function file(rows: string[], header = HEADER, notice = NOTICE): string {
  return notice + header + rows.map((r) => `${r}\r\n`).join('');
}

function problemsOf(text: string): { line: number; column: number; message: string }[] {
  return parsePfsText(text, 'rvu.csv').problems.map(({ line, column, message }) => ({ line, column, message }));
}

/** The 1-based column cell `index` (0-based) of a CSV line without quotes starts at. */
function columnOfCell(line: string, index: number): number {
  return line.split(',').slice(0, index).reduce((sum, cell) => sum + cell.length + 1, 1);
}

let files = 0;
function writeFile(content: string | Uint8Array, name = `f${++files}.csv`): string {
  const target = path.join(work.dir, name);
  writeFileSync(target, content);
  return target;
}

async function rejection(promise: Promise<unknown>): Promise<ScrubError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScrubError);
  return error as ScrubError;
}

describe('the RVU file parser: the excerpt', () => {
  it('reads every row after the notice and the four header rows, the code and modifier rows apart', async () => {
    const parsed = await parsePfsFile(EXCERPT);
    expect(parsed.problems).toEqual([]);
    expect(parsed.lines).toBe(57);
    expect(parsed.headerLine).toBe(10);
    expect(parsed.rows).toHaveLength(47);
    expect(parsed.rows[0]).toEqual({ line: 11, codeAt: { line: 11, column: 1 }, code: '00790', status: 'J', globalDays: 'XXX', multipleProcedure: 9, bilateralSurgery: 9 });
    expect(parsed.rows.at(-1)).toMatchObject({ line: 57, code: 'G0439', globalDays: 'XXX' });
    expect(parsed.rows.filter((r) => r.modifier !== undefined).map((r) => `${r.code}-${r.modifier}`)).toEqual(['45378-53', '72148-26', '72148-TC', '76641-26', '76641-TC']);
    const byCode = new Map(parsed.rows.filter((r) => r.modifier === undefined).map((r) => [r.code, r]));
    expect(byCode.get('27447')).toMatchObject({ status: 'A', globalDays: '090', multipleProcedure: 2, bilateralSurgery: 1 });
    expect(byCode.get('69210')).toMatchObject({ globalDays: '000', bilateralSurgery: 2 });
    expect(byCode.get('76641')).toMatchObject({ globalDays: 'XXX', bilateralSurgery: 3 });
    expect(byCode.get('92002')).toMatchObject({ bilateralSurgery: 2 });
    expect(byCode.get('99213')).toMatchObject({ globalDays: 'XXX', bilateralSurgery: 9 });
    expect(byCode.get('36415')).toMatchObject({ status: 'X' });
    expect(byCode.get('45378')).toMatchObject({ globalDays: '000', multipleProcedure: 3 });
    const global = (days: string) => [...byCode.values()].filter((r) => r.globalDays === days).map((r) => r.code);
    expect(global('090')).toEqual(['22612', '27130', '27447', '44970', '47562']);
    expect(global('ZZZ')).toEqual(['11103', '17003', '22614', '99292']);
    expect([...global('000'), ...global('010')].sort()).toEqual(['10060', '11055', '11102', '11200', '11720', '12001', '17000', '17110', '20610', '45378', '69210']);
    expect(new Set([...byCode.values()].map((r) => r.bilateralSurgery))).toEqual(new Set([0, 1, 2, 3, 9]));
    expect(parsed.source).toEqual(sourceFileOf(EXCERPT));
  });

  it('reads the excerpt as published: Windows-1252 (the notice has a byte 0xAE), CRLF', () => {
    const bytes = readFileSync(EXCERPT);
    expect(bytes.includes(0xae)).toBe(true);
    expect(bytes.toString('latin1')).toContain('\r\n');
  });

  it('gives the same rows for LF, a last line without a line end and blank rows at the end', () => {
    const text = readFileSync(EXCERPT, 'latin1');
    const expected = parsePfsText(text).rows;
    const lf = text.replace(/\r\n/g, '\n');
    expect(parsePfsText(lf).rows).toEqual(expected);
    expect(parsePfsText(lf.slice(0, -1)).rows).toEqual(expected);
    expect(parsePfsText(text.slice(0, -2)).rows).toEqual(expected);
    const trailing = parsePfsText(`${text},,,\r\n\r\n`);
    expect(trailing.problems).toEqual([]);
    expect(trailing.rows).toEqual(expected);
  });

  it('gives the same result however the text is split into pieces (inside cells, between CR and LF)', () => {
    const text = readFileSync(EXCERPT, 'latin1');
    const whole = parsePfsText(text);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 40 }), (cuts) => {
        const parser = new PfsFileParser('<text>');
        for (const piece of pieces(text, cuts)) parser.push(piece);
        expect(parser.end()).toEqual(whole);
      }),
      { numRuns: 150 },
    );
  });

  it('gives the same problems however a malformed file is split', () => {
    const text = file([row(), row({ globalDays: '90' }), row({ code: '2744' }), '"unclosed']);
    const whole = parsePfsText(text);
    expect(whole.problems.length).toBeGreaterThan(2);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 20 }), (cuts) => {
        const parser = new PfsFileParser('<text>');
        for (const piece of pieces(text, cuts)) parser.push(piece);
        expect(parser.end()).toEqual(whole);
      }),
      { numRuns: 100 },
    );
  });

  it('reads a UTF-8 file with a byte order mark the same', async () => {
    const utf8 = writeFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(file([row(), row(VISIT)]).replace('Notice', 'Notice \u00ae'), 'utf8')]));
    const parsed = await parsePfsFile(utf8, { displayName: 'PPRRVU26_JAN.csv' });
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows.map((r) => r.code)).toEqual(['27447', '99213']);
  });

  it('refuses a ZIP archive with a hint, and rejects when the file cannot be read', async () => {
    const zip = writeFile(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]), 'rvu26a.zip');
    const parsed = await parsePfsFile(zip);
    expect(parsed.rows).toEqual([]);
    expect(parsed.problems).toEqual([{ file: zip, line: 1, column: 1, message: expect.stringMatching(/this is a ZIP archive .*extract the PPRRVU \.csv file/) }]);
    await expect(parsePfsFile(path.join(work.dir, 'missing.csv'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('the RVU file parser: header layouts', () => {
  const rows = [row(), row(VISIT)];
  const expected = parsePfsText(file(rows)).rows.map(({ line, codeAt, ...entry }) => entry);

  it('reads the names in one row, and with line breaks inside quoted cells', () => {
    const oneRow = 'HCPCS,MOD,DESCRIPTION,STATUS CODE,GLOB DAYS,MULT PROC,BILAT SURG\r\n';
    const quoted = 'HCPCS,MOD,DESCRIPTION,"STATUS\r\nCODE","GLOB\r\nDAYS","MULT\nPROC",bilat surg\r\n';
    for (const header of [oneRow, quoted]) {
      const parsed = parsePfsText(file(rows, header));
      expect(parsed.problems).toEqual([]);
      expect(parsed.rows.map(({ line, codeAt, ...entry }) => entry)).toEqual(expected);
    }
  });

  it('reads a file without a notice, the header on line 1', () => {
    const parsed = parsePfsText(file(rows, 'HCPCS,MOD,DESCRIPTION,STATUS CODE,GLOB DAYS,MULT PROC,BILAT SURG\n', ''));
    expect(parsed.problems).toEqual([]);
    expect(parsed.headerLine).toBe(1);
    expect(parsed.rows[0]?.line).toBe(2);
  });

  it('takes the columns by name, in any order, with other columns between them', () => {
    const header = ',,,,WORK,BILAT,,GLOB,STATUS\r\nMULT PROC,HCPCS,DESCRIPTION,MOD,RVU,SURG,PCTC IND,DAYS,CODE\r\n';
    const reordered = ['2,27447,Knee replacement,,20.72,1,0,090,A', '0,99213,Office visit,,1.30,9,0,XXX,A'];
    const parsed = parsePfsText(file(reordered, header));
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows.map(({ line, codeAt, ...entry }) => entry)).toEqual(expected);
    expect(parsed.rows[0]?.codeAt).toEqual({ line: 5, column: 3 });
  });

  it('does not take notice rows above the header for parts of the names', () => {
    // The notice's second row has text in the HCPCS column: it and the rows above it are not header rows.
    const notice = '"Notice",,,,,,\r\n"more notice",,,,GLOB,,\r\n';
    const parsed = parsePfsText(file(rows, 'HCPCS,MOD,DESCRIPTION,STATUS CODE,GLOB DAYS,MULT PROC,BILAT SURG\r\n', notice));
    expect(parsed.problems).toEqual([]);
  });

  it('reports a header without a column, naming the missing ones at the end of the header row', () => {
    expect(problemsOf(file(rows, 'HCPCS,MOD,DESCRIPTION,STATUS CODE,GLOB DAYS\r\n'))).toEqual([
      { line: 3, column: 44, message: expect.stringMatching(/^the header has no "MULT PROC" or "BILAT SURG" column: expected the columns "HCPCS", "MOD", "STATUS CODE", "GLOB DAYS", "MULT PROC", "BILAT SURG"/) },
    ]);
  });

  it('reports a column named twice', () => {
    expect(problemsOf(file(rows, 'HCPCS,MOD,GLOB DAYS,STATUS CODE,GLOB DAYS,MULT PROC,BILAT SURG\r\n'))).toEqual([
      { line: 3, column: 33, message: expect.stringMatching(/^the header has two "GLOB DAYS" columns \(columns 3 and 5\)/) },
    ]);
  });

  it('reports a file without a header row, an empty file and a header without rows', () => {
    expect(problemsOf('27447,,Knee,A,090,2,1\r\n')).toEqual([{ line: 1, column: 1, message: expect.stringMatching(/^no header row: expected, after the notice, a row with a cell "HCPCS"/) }]);
    expect(problemsOf('')).toEqual([{ line: 1, column: 1, message: 'no rows: the file is empty' }]);
    expect(problemsOf(file([]))).toEqual([{ line: 4, column: 1, message: 'no rows after the header: the file is empty' }]);
    expect(problemsOf(file(['', ',,,']))).toEqual([{ line: 4, column: 1, message: 'no rows after the header: the file is empty' }]);
  });
});

describe('the RVU file parser: malformed rows, each with its line and column', () => {
  // [what, the row, the 0-based cell the problem is in, the message]
  const cases: [string, string, number, RegExp][] = [
    ['no code', row({ code: '' }), 0, /^the HCPCS code is missing/],
    ['a lower-case code', row({ code: 'g0439' }), 0, /^"g0439" is not a CPT or HCPCS code: expected 5 characters/],
    ['a code of four characters', row({ code: '2744' }), 0, /^"2744" is not a CPT or HCPCS code/],
    ['a code with a space after it', row({ code: '27447 ' }), 0, /^the code "27447 " has spaces around it/],
    ['a modifier of one character', row({ modifier: '5' }), 1, /^the modifier must be two capital letters or digits \(26, TC, 53\), or empty on the code's own row, found "5"/],
    ['a lower-case modifier', row({ modifier: 'tc' }), 1, /^the modifier must be .*found "tc"/],
    ['no status code', row({ status: '' }), 3, /^the status code is missing: expected one capital letter/],
    ['a status code of two letters', row({ status: 'AA' }), 3, /^the status code must be one capital letter .*found "AA"/],
    ['a lower-case status code', row({ status: 'a' }), 3, /^the status code must be one capital letter/],
    ['no global days', row({ globalDays: '' }), 4, /^the global days is missing: expected 000, 010, 090, MMM, XXX, YYY, ZZZ/],
    ['global days without leading zeros', row({ globalDays: '90' }), 4, /^the global days must be 000, 010, 090, MMM, XXX, YYY, ZZZ, found "90"/],
    ['unknown global days', row({ globalDays: 'XX' }), 4, /^the global days must be .*found "XX"/],
    ['global days with a space', row({ globalDays: ' 090' }), 4, /^the global days " 090" has spaces around it/],
    ['multiple procedure indicator 8', row({ multipleProcedure: '8' }), 5, /^the multiple procedure indicator must be one of 0, 1, 2, 3, 4, 5, 6, 7, 9, found "8"/],
    ['no multiple procedure indicator', row({ multipleProcedure: '' }), 5, /^the multiple procedure indicator is missing/],
    ['bilateral indicator 4', row({ bilateralSurgery: '4' }), 6, /^the bilateral surgery indicator must be one of 0, 1, 2, 3, 9, found "4"/],
    ['bilateral indicator 10', row({ bilateralSurgery: '10' }), 6, /^the bilateral surgery indicator must be one of 0, 1, 2, 3, 9, found "10"/],
    ['no bilateral indicator', row({ bilateralSurgery: '' }), 6, /^the bilateral surgery indicator is missing/],
  ];
  for (const [what, text, cell, message] of cases) {
    it(`reports ${what}`, () => {
      const problems = problemsOf(file([row(VISIT), text]));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ line: FIRST_ROW_LINE + 1, column: columnOfCell(text, cell) });
      expect(problems[0]?.message).toMatch(message);
    });
  }

  it('reports a row cut short at its end, and a cell after the last column that is not empty', () => {
    expect(problemsOf(file(['27447,,Knee replacement,A,090']))).toEqual([
      { line: FIRST_ROW_LINE, column: 30, message: 'the row ends after 5 cells: expected 7, as in the header' },
    ]);
    expect(problemsOf(file([`${row()},,x`]))).toEqual([
      { line: FIRST_ROW_LINE, column: 36, message: 'cell 9 has no column: the header has 7, and only empty cells may follow them (found "x")' },
    ]);
    expect(problemsOf(file([`${row()},,`]))).toEqual([]);
  });

  it('reports a code given twice without a modifier, and a code and modifier given twice; modifier rows are not duplicates', () => {
    const rows = [row(), row({ modifier: '26' }), row({ modifier: 'TC' }), row({ modifier: '53' }), row({ globalDays: '010' }), row({ modifier: '26' })];
    expect(problemsOf(file(rows))).toEqual([
      { line: FIRST_ROW_LINE + 4, column: 1, message: 'duplicate row: code 27447 (without a modifier) is on line 5 already (a file has one row per code and modifier)' },
      { line: FIRST_ROW_LINE + 5, column: 1, message: 'duplicate row: code 27447 with modifier 26 is on line 6 already (a file has one row per code and modifier)' },
    ]);
    const good = parsePfsText(file(rows.slice(0, 4)));
    expect(good.problems).toEqual([]);
    expect(good.rows.map((r) => r.modifier)).toEqual([undefined, '26', 'TC', '53']);
  });

  it('reads a modifier cell of blanks as the code\'s own row', () => {
    expect(parsePfsText(file([row({ modifier: '  ' })])).rows[0]).not.toHaveProperty('modifier');
  });

  it('reports a blank row between rows, and CSV syntax problems where they are', () => {
    expect(problemsOf(file([row(), ',,,,,,', row(VISIT)]))).toEqual([{ line: FIRST_ROW_LINE + 1, column: 1, message: expect.stringMatching(/^blank row between rows/) }]);
    expect(problemsOf(file([row({ description: 'Knee "total" replacement' })]))).toEqual([
      { line: FIRST_ROW_LINE, column: 13, message: expect.stringMatching(/^quote inside a cell that does not start with one/) },
    ]);
  });

  it('reports every problem of a row and of every row, in line order, and leaves the malformed rows out', () => {
    const { problems, rows } = parsePfsText(file([row({ globalDays: '9', bilateralSurgery: '5' }), row(VISIT), row({ code: '' })]), 'PPRRVU26_JAN.csv');
    expect(problems.map((p) => [p.file, p.line, p.column])).toEqual([
      ['PPRRVU26_JAN.csv', 5, 27],
      ['PPRRVU26_JAN.csv', 5, 31],
      ['PPRRVU26_JAN.csv', 7, 1],
    ]);
    expect(rows.map((r) => r.code)).toEqual(['99213']);
  });
});

function manifestFor(counts: Record<string, number>): ReleaseManifest {
  return { formatVersion: 1, kind: 'pfs', release: 'x', effective: '2026-01-01', importedAt: '', sourceFiles: [], counts, tables: [PFS_TABLE_FILE] };
}

let folders = 0;
/** Writes a table file in a new folder; returns the folder. */
function tableDir(text: string): string {
  const dir = path.join(work.dir, `t${++folders}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, PFS_TABLE_FILE), text, 'utf8');
  return dir;
}

const ENTRIES: PfsEntry[] = [
  { code: '99213', status: 'A', globalDays: 'XXX', multipleProcedure: 0, bilateralSurgery: 9 },
  { code: '72148', modifier: 'TC', status: 'A', globalDays: 'XXX', multipleProcedure: 4, bilateralSurgery: 0 },
  { code: '72148', status: 'A', globalDays: 'XXX', multipleProcedure: 4, bilateralSurgery: 0 },
  { code: '72148', modifier: '26', status: 'A', globalDays: 'XXX', multipleProcedure: 4, bilateralSurgery: 0 },
  { code: '27447', status: 'A', globalDays: '090', multipleProcedure: 2, bilateralSurgery: 1 },
  { code: '17003', status: 'A', globalDays: 'ZZZ', multipleProcedure: 0, bilateralSurgery: 0 },
  { code: '17000', status: 'A', globalDays: '010', multipleProcedure: 2, bilateralSurgery: 0 },
];

describe('the PFS table file', () => {
  it('is a header and one sorted line per code and modifier, the code\'s own row first', () => {
    const { tables, counts } = buildPfsTables(ENTRIES);
    expect(tables).toEqual({
      [PFS_TABLE_FILE]: [
        PFS_TABLE_HEADER,
        '17000\t\tA\t010\t2\t0',
        '17003\t\tA\tZZZ\t0\t0',
        '27447\t\tA\t090\t2\t1',
        '72148\t\tA\tXXX\t4\t0',
        '72148\t26\tA\tXXX\t4\t0',
        '72148\tTC\tA\tXXX\t4\t0',
        '99213\t\tA\tXXX\t0\t9',
        '',
      ].join('\n'),
    });
    expect(counts).toEqual({ codes: 5, modifierRows: 2, majorSurgery: 1, minorProcedures: 1, addOnCodes: 1 });
    expect(() => buildPfsTables([...ENTRIES, { ...(ENTRIES[1] as PfsEntry) }])).toThrow(/given twice/);
  });

  it('round-trips the excerpt: loaded, it answers like the in-memory table', async () => {
    const { rows } = await parsePfsFile(EXCERPT);
    const { tables, counts } = buildPfsTables(rows);
    expect(counts).toEqual({ codes: 42, modifierRows: 5, majorSurgery: 5, minorProcedures: 11, addOnCodes: 4 });
    const loaded = await loadPfsTable(tableDir(tables[PFS_TABLE_FILE] as string), manifestFor(counts));
    const memory = createPfsTable(rows);
    expect(loaded.rows).toBe(47);
    expect(memory.rows).toBe(47);
    for (const r of rows) {
      const { line, codeAt, ...entry } = r;
      expect(loaded.entryFor(r.code, r.modifier)).toStrictEqual(entry);
      expect(memory.entryFor(r.code, r.modifier)).toStrictEqual(entry);
    }
    expect(loaded.entryFor('72148')).toMatchObject({ code: '72148', bilateralSurgery: 0 });
    expect(loaded.entryFor('72148')).not.toHaveProperty('modifier');
    expect(loaded.entryFor('72148', '')).toBe(loaded.entryFor('72148'));
    expect(loaded.entryFor('72148', 'TC')).toMatchObject({ modifier: 'TC' });
    for (const [code, modifier] of [['99999', undefined], ['27447', '26'], ['72148', '50'], ['constructor', undefined], ['__proto__', undefined], ['', undefined], ['72148 26', undefined]] as const) {
      expect(loaded.entryFor(code, modifier), `${code} ${modifier}`).toBeUndefined();
    }
  });

  it('hands out entries that cannot be changed', async () => {
    const table = createPfsTable(ENTRIES);
    const entry = table.entryFor('27447') as PfsEntry;
    expect(() => {
      entry.globalDays = '000';
    }).toThrow(TypeError);
    expect(table.entryFor('27447')?.globalDays).toBe('090');
    expect(() => createPfsTable([ENTRIES[0] as PfsEntry, ENTRIES[0] as PfsEntry])).toThrow(/given twice/);
  });

  it('refuses a damaged table, naming the file, line and column', async () => {
    const { tables, counts } = buildPfsTables(ENTRIES);
    const good = tables[PFS_TABLE_FILE] as string;
    const cases: [string, string, RegExp][] = [
      ['cut short', good.slice(0, -1), /does not end with a line feed/],
      ['another header', good.replace('bilateral surgery', 'bilateral'), /the first line must be the header/],
      ['a field missing', good.replace('27447\t\tA\t090\t2\t1', '27447\t\tA\t090\t2'), /:4:1: the line has 5 tab-separated fields, not 6/],
      ['an unknown global period', good.replace('27447\t\tA\t090', '27447\t\tA\t091'), /:4:10: the global days must be one of/],
      ['a bilateral indicator 5', good.replace('27447\t\tA\t090\t2\t1', '27447\t\tA\t090\t2\t5'), /:4:16: the bilateral surgery indicator must be/],
      ['rows out of order', good.replace('72148\t26', '72148\tZZ'), /:7:1: the rows must be sorted by code and modifier/],
      ['a row given twice', good.replace('17003\t\tA\tZZZ\t0\t0', '17000\t\tA\t010\t2\t0'), /:3:1: the rows must be sorted by code and modifier, each once/],
    ];
    for (const [what, text, message] of cases) {
      const error = await rejection(loadPfsTable(tableDir(text), manifestFor(counts)));
      expect(error.code, what).toBe('SCRUB_ERR_DATA_INVALID');
      expect(error.problems.map((p) => `${p.position.file}:${p.position.line}:${p.position.column}: ${p.message}`).join('\n'), what).toMatch(message);
    }
    const miscounted = await rejection(loadPfsTable(tableDir(good), manifestFor({ ...counts, addOnCodes: 3 })));
    expect(miscounted.problems.map((p) => p.message)).toEqual(['has 1 add-on codes (ZZZ), the manifest says 3']);
    const missing = await rejection(loadPfsTable(path.join(work.dir, 'nowhere'), manifestFor(counts)));
    expect(missing.problems[0]?.message).toMatch(/cannot read the table: ENOENT/);
  });
});

describe('importing a PFS release', () => {
  it('installs the excerpt, and the release covers its quarter only', async () => {
    const dataDir = path.join(work.dir, 'data-ok');
    const result = await importRelease({ kind: 'pfs', dataDir, files: [EXCERPT], release: '2026q1-excerpt', effective: '2026-01-01', now: new Date('2026-01-02T00:00:00Z') });
    expect(result.manifest).toMatchObject({
      kind: 'pfs',
      release: '2026q1-excerpt',
      effective: '2026-01-01',
      counts: { codes: 42, modifierRows: 5, majorSurgery: 5, minorProcedures: 11, addOnCodes: 4 },
      tables: [PFS_TABLE_FILE],
      sourceFiles: [sourceFileOf(EXCERPT)],
    });
    expect(result.manifest).not.toHaveProperty('program');
    expect(result.lines).toBe(57);
    const { data, problems } = await loadReferenceData(dataDir);
    expect(problems).toEqual([]);
    expect(data.pfs.releases.map((r) => [r.manifest.release, r.until])).toEqual([['2026q1-excerpt', '2026-04-01']]);
    expect(data.pfs.releaseFor('2025-12-31')).toBeUndefined();
    expect(data.pfs.releaseFor('2026-03-31')?.table.entryFor('47562')).toMatchObject({ globalDays: '090' });
    expect(data.pfs.releaseFor('2026-04-01')).toBeUndefined();
  });

  it('refuses a file with a malformed row as a whole, with file, line and column, and installs nothing', async () => {
    const dataDir = path.join(work.dir, 'data-bad');
    const bad = writeFile(file([row(), row(VISIT), row({ code: '47562', bilateralSurgery: '7' })]), 'PPRRVU26_JAN.csv');
    const error = await rejection(importRelease({ kind: 'pfs', dataDir, files: [bad], release: '2026q1', effective: '2026-01-01' }));
    expect(error.code).toBe('SCRUB_ERR_DATA_INVALID');
    expect(error.message).toBe(`${bad}: 1 problem in the RVU file; nothing was imported`);
    expect(error.problems).toEqual([{ position: { file: bad, line: 7, column: 33 }, message: expect.stringMatching(/bilateral surgery indicator must be one of 0, 1, 2, 3, 9, found "7"/) }]);
    expect((await listReleases(dataDir)).releases).toEqual([]);
  });

  it('takes one file, no program, and says when the file cannot be read', async () => {
    expect((await rejection(readPfsRelease([]))).code).toBe('SCRUB_ERR_USAGE');
    expect((await rejection(readPfsRelease([EXCERPT, EXCERPT]))).message).toMatch(/imported from one file, the PPRRVU \.csv file of the RVU zip; 2 were given/);
    const program = await rejection(importRelease({ kind: 'pfs', dataDir: path.join(work.dir, 'data-p'), files: [EXCERPT], release: 'x', effective: '2026-01-01', program: 'medicare' }));
    expect(program).toMatchObject({ code: 'SCRUB_ERR_USAGE', message: expect.stringMatching(/not published per program: leave out --program/) });
    const missing = await rejection(readPfsRelease([path.join(work.dir, 'PPRRVU_missing.csv')]));
    expect(missing.code).toBe('SCRUB_ERR_INPUT_UNREADABLE');
  });
});
