import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readNcciPtpRelease } from '../../engine/data/ncci-ptp/import.js';
import { MAX_PREAMBLE_LINES, PtpFileParser, parsePtpFile, parsePtpText, type PtpFileContent } from '../../engine/data/ncci-ptp/parse-ptp-file.js';
import { NCCI_PTP_TABLE_FILE } from '../../engine/data/ncci-ptp/table.js';
import { ScrubError } from '../../engine/errors.js';
import { pieces, sourceFileOf, temporaryDir } from './helpers.js';
import { PTP_F1, PTP_F2, ptpRow, ptpText, writeText } from './ncci-ptp-helpers.js';

const work = temporaryDir('ncci-ptp');
afterAll(work.cleanup);

/** The problems of a file made of the preamble, a good row and `row` (line 11), as `line:column message`. */
function problemsOf(...rows: string[]): { line: number; column: number; message: string }[] {
  return parsePtpText(ptpText([ptpRow(), ...rows]), 'f.txt').problems.map(({ line, column, message }) => ({ line, column, message }));
}

/** 1-based column where field `k` (0-based) of a tab-separated line starts. */
function fieldColumn(line: string, k: number): number {
  let at = 0;
  for (let i = 0; i < k; i++) at = line.indexOf('\t', at) + 1;
  return at + 1;
}

function rowsOf(content: PtpFileContent) {
  return content.rows.rows();
}

async function importError(files: string[]): Promise<ScrubError> {
  const error = await readNcciPtpRelease(files).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScrubError);
  return error as ScrubError;
}

let folders = 0;
function folder(): string {
  return path.join(work.dir, `case${++folders}`);
}

describe('the NCCI PTP file parser: the excerpts', () => {
  it('reads every row of part 1 after its 9-line preamble', () => {
    const content = parsePtpText(readFileSync(PTP_F1, 'utf8'), PTP_F1);
    expect(content.problems).toEqual([]);
    expect(content.lines).toBe(27);
    expect(content.firstDataLine).toBe(10);
    expect(content.rowsRead).toBe(18);
    const rows = rowsOf(content);
    expect(rows[0]).toEqual({
      column1: '0213T',
      column2: '64493',
      effective: '2011-01-01',
      deleted: '2022-01-01',
      modifierIndicator: 0,
      rationale: 'CPT Manual or CMS manual coding instruction',
      file: PTP_F1,
      line: 10,
      priorTo1996: false,
    });
    expect(rows.find((r) => r.column1 === '20610' && r.column2 === '76942')).toEqual({
      column1: '20610',
      column2: '76942',
      effective: '2009-01-01',
      deleted: '2015-01-01',
      modifierIndicator: 1,
      rationale: 'CPT Manual or CMS manual coding instruction',
      file: PTP_F1,
      line: 21,
      priorTo1996: false,
    });
    const em = rows.filter((r) => r.column1 === '20610' && r.column2.startsWith('992'));
    expect(em.map((r) => [r.column2, r.modifierIndicator, r.deleted])).toEqual([
      ['99211', 1, undefined],
      ['99213', 1, undefined],
      ['99214', 1, undefined],
    ]);
    expect(rows.find((r) => r.column1 === '11104')).toMatchObject({ column2: '11102', effective: '2019-01-01', deleted: '2019-01-01', modifierIndicator: 9 });
    expect(new Set(rows.map((r) => r.rationale)).size).toBe(content.rows.rationales.size);
  });

  it('reads part 2: the pre-1996 mark, two windows of one pair, HCPCS Level II codes', () => {
    const content = parsePtpText(readFileSync(PTP_F2, 'utf8'), 'f2');
    expect(content.problems).toEqual([]);
    expect(content.rowsRead).toBe(12);
    const rows = rowsOf(content);
    expect(rows.filter((r) => r.priorTo1996).map((r) => `${r.column1}/${r.column2}`)).toEqual(['45380/45378', '93000/93005', '93000/93010']);
    expect(rows.filter((r) => r.column1 === '93000' && r.column2 === '93005').map((r) => [r.effective, r.deleted, r.line])).toEqual([
      ['1996-01-01', '2002-01-01', 11],
      ['2003-01-01', undefined, 12],
    ]);
    expect(rows.filter((r) => r.column1 === 'J1100')).toHaveLength(2);
    expect(rows.find((r) => r.column1 === 'G0471')).toMatchObject({ column2: '36415', modifierIndicator: 1 });
  });

  it('reads both parts into one row set, each row keeping its file', () => {
    const first = parsePtpText(readFileSync(PTP_F1, 'utf8'), 'f1');
    const both = parsePtpText(readFileSync(PTP_F2, 'utf8'), 'f2', first.rows);
    expect(both.rowsRead).toBe(12);
    expect(both.rows.length).toBe(30);
    expect(both.rows.files).toEqual(['f1', 'f2']);
    expect(both.rows.row(18)).toMatchObject({ file: 'f2', line: 10, column1: '45380' });
  });

  it('streams a file and reports its name, size and sha256', async () => {
    const parsed = await parsePtpFile(PTP_F1);
    expect(parsed.problems).toEqual([]);
    expect(parsed.rowsRead).toBe(18);
    expect(parsed.source).toEqual(sourceFileOf(PTP_F1));
  });
});

describe('the NCCI PTP file parser: line ends, preamble, chunks', () => {
  const text = readFileSync(PTP_F2, 'utf8');
  const expected = rowsOf(parsePtpText(text, 'f'));

  it('reads CRLF and LF alike, and a last line without a line end', () => {
    expect(text).toContain('\r\n');
    const lf = text.replace(/\r\n/g, '\n');
    expect(rowsOf(parsePtpText(lf, 'f'))).toEqual(expected);
    expect(rowsOf(parsePtpText(lf.trimEnd(), 'f'))).toEqual(expected);
    expect(rowsOf(parsePtpText(text.slice(0, -2), 'f'))).toEqual(expected);
    expect(parsePtpText(text.slice(0, -1), 'f').problems).toEqual([]);
  });

  it('gives the same result however the bytes are split (inside a character, between CR and LF, inside a byte order mark)', () => {
    const bytes = Buffer.from(`\uFEFF${text.replace('Test', 'Tést')}${ptpRow({ rationale: 'Über — ok' })}\r\n`, 'utf8');
    const whole = (() => {
      const parser = new PtpFileParser('f');
      parser.push(bytes);
      return parser.end();
    })();
    expect(whole.problems).toEqual([]);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 30 }), (cuts) => {
        const parser = new PtpFileParser('f');
        for (const piece of pieces(bytes, cuts)) parser.push(piece);
        const result = parser.end();
        expect(result.problems).toEqual([]);
        expect(result.lines).toBe(whole.lines);
        expect(rowsOf(result)).toEqual(rowsOf(whole));
      }),
      { numRuns: 150 },
    );
  });

  it('skips a byte order mark, and allows blank lines at the end and in the preamble', () => {
    const content = parsePtpText(`\uFEFF${ptpText([ptpRow()], { preamble: ['Title', '', 'Column 1\tColumn 2'] })}\r\n  \r\n\t\n`, 'f');
    expect(content.problems).toEqual([]);
    expect(content.firstDataLine).toBe(4);
    expect(content.lines).toBe(7);
  });

  it('reads a file without a preamble', () => {
    const content = parsePtpText(ptpText([ptpRow(), ptpRow({ column2: '99214' })], { preamble: [] }), 'f');
    expect(content.problems).toEqual([]);
    expect(content.firstDataLine).toBe(1);
    expect(content.rowsRead).toBe(2);
  });

  it('keeps a 7-field header line in the preamble, but starts the data at a row whose code is bad and whose date is good', () => {
    const header = 'Column 1\tColumn 2\t*\tEffective Date\tDeletion Date\tModifier\tRationale';
    expect(parsePtpText(ptpText([ptpRow()], { preamble: [header] }), 'f').problems).toEqual([]);
    const bad = ptpRow({ column1: '2061' });
    const content = parsePtpText(ptpText([bad, ptpRow()], { preamble: [header] }), 'f');
    expect(content.firstDataLine).toBe(2);
    expect(content.problems).toEqual([expect.objectContaining({ line: 2, column: 1, message: expect.stringMatching(/^the column 1 code "2061" is not a HCPCS\/CPT code/) })]);
  });

  it(`refuses a file with more than ${MAX_PREAMBLE_LINES} lines before its first row, reading the rest as rows`, () => {
    const preamble = Array.from({ length: MAX_PREAMBLE_LINES + 2 }, (_, i) => `note ${i + 1}`);
    const { problems } = parsePtpText(ptpText([ptpRow()], { preamble }), 'f');
    expect(problems[0]).toMatchObject({ line: MAX_PREAMBLE_LINES + 1, column: 1, message: expect.stringMatching(/^no data row in the first 20 lines/) });
    expect(problems.filter((p) => p.line === MAX_PREAMBLE_LINES + 2).length).toBeGreaterThan(0);
  });

  it('refuses an empty file and a file that is all preamble', () => {
    expect(parsePtpText('', 'f').problems).toEqual([{ file: 'f', line: 1, column: 1, message: 'no rows: the file is empty' }]);
    expect(parsePtpText(ptpText([]), 'f').problems).toEqual([{ file: 'f', line: 1, column: 1, message: expect.stringMatching(/^no rows: none of the 9 lines is a PTP edit/) }]);
  });
});

describe('the NCCI PTP file parser: malformed rows', () => {
  const cases: [string, Partial<Parameters<typeof ptpRow>[0]>, number, RegExp][] = [
    ['a column 1 code too short', { column1: '2061' }, 0, /^the column 1 code "2061" is not a HCPCS\/CPT code: expected a CPT code \(5 digits/],
    ['a column 1 code in lower case', { column1: '0075t' }, 0, /^the column 1 code "0075t" is not a HCPCS\/CPT code/],
    ['a letter inside a code', { column1: 'A12B4' }, 0, /"A12B4" is not a HCPCS\/CPT code/],
    ['a code with a space', { column1: '2061 ' }, 0, /"2061 " is not a HCPCS\/CPT code/],
    ['a missing column 1 code', { column1: '' }, 0, /^the column 1 code is missing: expected a CPT code/],
    ['a bad column 2 code', { column2: '99213X' }, 1, /^the column 2 code "99213X" is not a HCPCS\/CPT code/],
    ['a column 3 that is not * or empty', { prior: 'Y' }, 2, /^column 3 must be "\*" \(the edit existed before 1996\) or empty, found "Y"/],
    ['an effective date with dashes', { effective: '2002-01-01' }, 3, /^the effective date "2002-01-01" is not a date written YYYYMMDD \(8 digits\)$/],
    ['an effective date that does not exist', { effective: '20230229' }, 3, /^the effective date "20230229" is not a calendar date/],
    ['an effective month 13', { effective: '20231301' }, 3, /is not a calendar date/],
    ['an effective date out of range', { effective: '19690101' }, 3, /^the effective date "19690101" is out of range: expected a year from 1980 to 2099$/],
    ['a missing effective date', { effective: '' }, 3, /^the effective date is missing: expected a date written YYYYMMDD$/],
    ['a deletion date that is not a date', { deleted: 'none' }, 4, /^the deletion date "none" is not a date written YYYYMMDD \(8 digits\), or "\*" while the edit is active$/],
    ['a missing deletion date', { deleted: '' }, 4, /^the deletion date is missing: expected a date written YYYYMMDD, or "\*" while the edit is active$/],
    [
      'a deletion date before the effective date',
      { effective: '20100101', deleted: '20091231' },
      4,
      /^the deletion date 20091231 is before the effective date 20100101: expected a deletion date on or after/,
    ],
    ['a modifier indicator 2', { indicator: '2' }, 5, /^the modifier indicator must be 0 \(.*\), 1 \(.*\) or 9 \(not applicable\), found "2"$/],
    ['a missing modifier indicator', { indicator: '' }, 5, /found nothing$/],
    ['a two-digit modifier indicator', { indicator: '01' }, 5, /found "01"$/],
  ];
  for (const [name, fields, field, message] of cases) {
    it(`reports ${name} with its line and column`, () => {
      const row = ptpRow(fields);
      expect(problemsOf(row)).toEqual([{ line: 11, column: fieldColumn(row, field), message: expect.stringMatching(message) }]);
    });
  }

  it('counts columns in characters, not bytes', () => {
    const row = ptpRow({ column1: 'é2061', column2: 'X' });
    expect(problemsOf(row).map((p) => p.column)).toEqual([1, 7]);
  });

  it('reports a row with too few or too many fields', () => {
    const short = ptpRow().split('\t').slice(0, 6).join('\t');
    expect(problemsOf(short)).toEqual([
      { line: 11, column: short.length + 1, message: expect.stringMatching(/^expected 7 tab-separated fields \(column 1 code, .*rationale\), found 6$/) },
    ]);
    const long = `${ptpRow()}\textra`;
    expect(problemsOf(long)).toEqual([{ line: 11, column: ptpRow().length + 1, message: expect.stringMatching(/found 8$/) }]);
    expect(problemsOf('99213')).toEqual([{ line: 11, column: 6, message: expect.stringMatching(/found 1$/) }]);
  });

  it('reports every problem of a row, in column order', () => {
    const row = ptpRow({ column1: '1', column2: '2', prior: 'x', effective: '3', deleted: '4', indicator: '5' });
    expect(problemsOf(row).map((p) => p.column)).toEqual([0, 1, 2, 3, 4, 5].map((k) => fieldColumn(row, k)));
  });

  it('reports a carriage return inside a line, and a blank line between rows', () => {
    expect(problemsOf(ptpRow({ rationale: 'a\rb' }))).toEqual([
      { line: 11, column: fieldColumn(ptpRow(), 6) + 1, message: 'carriage return inside the line: line ends must be CRLF or LF' },
    ]);
    expect(problemsOf('', '  ', ptpRow({ column2: '99214' }))).toEqual([
      { line: 11, column: 1, message: 'blank line between rows (only the end of the file may have blank lines)' },
      { line: 12, column: 1, message: 'blank line between rows (only the end of the file may have blank lines)' },
    ]);
  });

  it('never skips a malformed line once the data has started, and reports every malformed row', () => {
    const problems = problemsOf('Column 1\tColumn 2', ptpRow({ indicator: '7' }), ptpRow({ column1: '99213', column2: '99214' }), ptpRow({ effective: '20250231' }));
    expect([...new Set(problems.map((p) => p.line))]).toEqual([11, 12, 14]);
  });

  it('accepts an empty rationale, UTF-8 text, and reads Windows-1252 text rather than replacing it', () => {
    const content = parsePtpText(ptpText([ptpRow({ rationale: '' }), ptpRow({ column2: '99214', rationale: 'Médical — ok' })]), 'f');
    expect(content.problems).toEqual([]);
    expect(rowsOf(content).map((r) => r.rationale)).toEqual(['', 'Médical — ok']);
    const latin = Buffer.concat([Buffer.from(ptpText([ptpRow({ rationale: 'Standards ' })]).slice(0, -2), 'utf8'), Buffer.from([0x96, 0x20, 0x6f, 0x6b, 0x0d, 0x0a])]);
    const parser = new PtpFileParser('f');
    parser.push(latin);
    expect(parser.end().rows.row(0).rationale).toBe('Standards – ok');
  });
});

describe('reading an NCCI PTP release from its part files', () => {
  it('reads both excerpts into one table: counts, source files, the table file and lines', async () => {
    const release = await readNcciPtpRelease([PTP_F1, PTP_F2]);
    expect(release.counts).toEqual({ rows: 30, pairs: 28, active: 23, codes: 25 });
    expect(release.lines).toBe(48);
    expect(release.sourceFiles.map((f) => f.name)).toEqual(['ptp-practitioner-2026q1-f1.txt', 'ptp-practitioner-2026q1-f2.txt']);
    expect(release.sourceFiles[1]?.sha256).toBe(sourceFileOf(PTP_F2).sha256);
    expect(Object.keys(release.tables)).toEqual([NCCI_PTP_TABLE_FILE]);
    expect(release.tables[NCCI_PTP_TABLE_FILE]).toBeInstanceOf(Uint8Array);
    // The parts can be given in any order.
    expect((await readNcciPtpRelease([PTP_F2, PTP_F1])).tables).toEqual(release.tables);
  });

  it('refuses a file that cannot be read with SCRUB_ERR_INPUT_UNREADABLE', async () => {
    const error = await importError([PTP_F1, path.join(work.dir, 'missing-f2.txt')]);
    expect(error.code).toBe('SCRUB_ERR_INPUT_UNREADABLE');
    expect(error.message).toMatch(/missing-f2\.txt: cannot read the PTP file \(ENOENT\)/);
  });

  it('refuses no file, and a file given twice, as usage errors', async () => {
    expect((await importError([])).code).toBe('SCRUB_ERR_USAGE');
    expect((await importError([PTP_F1, PTP_F2, PTP_F1])).code).toBe('SCRUB_ERR_USAGE');
  });

  it('refuses malformed rows with every problem of every file, in file order', async () => {
    const dir = folder();
    const a = writeText(dir, 'a-f1.txt', ptpText([ptpRow(), ptpRow({ column2: '9921', indicator: '3' })]));
    const b = writeText(dir, 'a-f2.txt', ptpText([ptpRow({ column1: '93000', column2: '93005', effective: '20220230' })]));
    const error = await importError([a, b]);
    expect(error.code).toBe('SCRUB_ERR_DATA_INVALID');
    expect(error.message).toBe('2 PTP files: 3 problems in the NCCI PTP table; nothing was imported');
    expect(error.problems.map((p) => [p.position.file, p.position.line, p.position.column])).toEqual([
      [a, 11, 7],
      [a, 11, fieldColumn(ptpRow({ column2: '9921' }), 5)],
      [b, 10, 14],
    ]);
  });

  it('refuses the same row twice, in one file or across files, naming where it is already', async () => {
    const dir = folder();
    const row = ptpRow({ column1: '93000', column2: '93010', prior: '*', effective: '19960101' });
    const a = writeText(dir, 'b-f1.txt', ptpText([row, ptpRow()]));
    const b = writeText(dir, 'b-f2.txt', ptpText([ptpRow({ column2: '99214' }), row]));
    const error = await importError([a, b]);
    expect(error.problems).toEqual([
      { position: { file: b, line: 11, column: 1 }, message: `duplicate row: the edit 93000/93010 effective 19960101, deleted * is on line 10 of ${a} already` },
    ]);
    const c = writeText(dir, 'b-f3.txt', ptpText([row, row]));
    expect((await importError([c])).problems[0]).toEqual({
      position: { file: c, line: 11, column: 1 },
      message: 'duplicate row: the edit 93000/93010 effective 19960101, deleted * is on line 10 already',
    });
  });

  it('refuses overlapping date windows of one pair, and accepts windows that meet on a deletion date', async () => {
    const dir = folder();
    const first = ptpRow({ effective: '20090101', deleted: '20150101' });
    const meets = ptpRow({ effective: '20150101', deleted: '*', indicator: '0' });
    expect((await readNcciPtpRelease([writeText(dir, 'c-ok.txt', ptpText([first, meets]))])).counts).toMatchObject({ rows: 2, pairs: 1, active: 1 });
    const overlaps = ptpRow({ effective: '20141001', deleted: '*', indicator: '0' });
    const a = writeText(dir, 'c-f1.txt', ptpText([first]));
    const b = writeText(dir, 'c-f2.txt', ptpText([overlaps]));
    const error = await importError([a, b]);
    expect(error.code).toBe('SCRUB_ERR_DATA_INVALID');
    expect(error.problems).toEqual([
      {
        position: { file: b, line: 10, column: 14 },
        message: `the edit 20610/99213 effective 20141001, deleted * overlaps the edit on line 10 of ${a} (20610/99213 effective 20090101, deleted 20150101): an edit applies from its effective date up to the day before its deletion date, and the date windows of one pair must not overlap`,
      },
    ]);
    // The same pair with the same effective date but another indicator overlaps too.
    const same = writeText(dir, 'c-f3.txt', ptpText([ptpRow(), ptpRow({ indicator: '0' })]));
    expect((await importError([same])).problems.map((p) => p.position.line)).toEqual([11]);
  });

  it('accepts an edit deleted retroactively next to a live edit of the pair on the same date (it covers no day)', async () => {
    const file = writeText(folder(), 'd.txt', ptpText([ptpRow({ effective: '20130101', deleted: '20130101', indicator: '9' }), ptpRow({ effective: '20130101' })]));
    expect((await readNcciPtpRelease([file])).counts).toEqual({ rows: 2, pairs: 1, active: 1, codes: 2 });
  });

  it('reports a part given twice under two names once, not once per row', async () => {
    const dir = folder();
    const a = writeText(dir, 'e-f1.txt', readFileSync(PTP_F1));
    const error = await importError([PTP_F1, a]);
    expect(error.problems.map((p) => p.message)).toEqual([`the file has the same content as ${PTP_F1} (one part file given twice?)`]);
  });
});
