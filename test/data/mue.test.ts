import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readMueRelease } from '../../engine/data/mue/import.js';
import { MueFileParser, parseMueBytes, parseMueFile, parseMueText } from '../../engine/data/mue/parse-mue-file.js';
import { MUE_EDITS_FILE, MUE_RATIONALES_FILE } from '../../engine/data/mue/table.js';
import { ScrubError } from '../../engine/errors.js';
import { ROOT } from '../helpers/cli.js';
import { pieces, sourceFileOf, temporaryDir } from './helpers.js';

const FIXTURES = path.join(ROOT, 'fixtures/data/mue');
const MEDICARE = path.join(FIXTURES, 'mue-practitioner-2026q1-excerpt.csv');
const MEDICAID = path.join(FIXTURES, 'mue-medicaid-practitioner-2026q1-excerpt.csv');

const work = temporaryDir('mue');
afterAll(work.cleanup);

/** A table in the published layout: a 3-line notice cell, the 2-line header (lines 4-5), then `rows` from line 6. */
const NOTICE = '"Notice, line one\r\n\r\nline three",,,\r\n';
const HEADER = '"HCPCS/\r\nCPT Code",Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale\r\n';
const FIRST_ROW_LINE = 6;
const ROW_99213 = '99213,1,2 Date of Service Edit: Policy,Code Descriptor / CPT Instruction';
const ROW_36415 = '36415,2,3 Date of Service Edit: Clinical,Nature of Service/Procedure';

function table(rows: string[], header = HEADER): string {
  return NOTICE + header + rows.map((row) => `${row}\r\n`).join('');
}

function problemsOf(text: string): { line: number; column: number; message: string }[] {
  return parseMueText(text, 'mue.csv').problems.map(({ line, column, message }) => ({ line, column, message }));
}

let files = 0;
/** Writes `content` to a new file in the temporary folder; returns its path. */
function writeTable(content: string | Uint8Array, name = `t${++files}.csv`): string {
  const file = path.join(work.dir, name);
  writeFileSync(file, content);
  return file;
}

async function importError(fileList: string[]): Promise<ScrubError> {
  const error = await readMueRelease(fileList).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScrubError);
  return error as ScrubError;
}

describe('the MUE table parser: the excerpts', () => {
  it('reads the Medicare excerpt: notice skipped, header with a line break, every row', async () => {
    const parsed = await parseMueFile(MEDICARE);
    expect(parsed.problems).toEqual([]);
    expect(parsed.encoding).toBe('windows-1252');
    expect(parsed.lines).toBe(35);
    expect(parsed.header).toEqual({ line: 6, valueColumn: 'Practitioner Services MUE Values', valueColumnAt: { line: 7, column: 11 }, tableType: 'practitioner' });
    expect(parsed.rows).toHaveLength(28);
    expect(parsed.rows[0]).toEqual({ line: 8, codeAt: { line: 8, column: 1 }, code: '0001U', value: 1, indicator: 2, rationale: 'Code Descriptor / CPT Instruction' });
    expect(parsed.rows.at(-1)).toEqual({ line: 35, codeAt: { line: 35, column: 1 }, code: 'L3908', value: 2, indicator: 1, rationale: 'Anatomic Consideration' });
    const byCode = new Map(parsed.rows.map((row) => [row.code, row]));
    expect(byCode.get('96372')).toMatchObject({ value: 4, indicator: 3, rationale: 'Clinical: Data' });
    expect(byCode.get('J1885')).toMatchObject({ value: 8, indicator: 3, rationale: 'Prescribing Information' });
    expect(byCode.get('A0425')).toMatchObject({ value: 250, indicator: 1 });
    expect(parsed.rows.filter((row) => row.indicator === 1).map((row) => row.code)).toEqual(['88305', 'A0425', 'L3908']);
    expect(parsed.rows.filter((row) => row.indicator === 2)).toHaveLength(11);
    expect(new Set(parsed.rows.map((row) => row.rationale)).size).toBe(7);
    expect(parsed.source).toEqual(sourceFileOf(MEDICARE));
  });

  it('reads the Medicaid excerpt: UTF-8 with a byte order mark, LF, line breaks in several header cells', async () => {
    const parsed = await parseMueFile(MEDICAID);
    expect(parsed.problems).toEqual([]);
    expect(parsed.encoding).toBe('utf-8');
    expect(parsed.header).toMatchObject({ line: 4, valueColumn: 'Practitioner Services MUE Values', tableType: 'practitioner' });
    expect(parsed.rows.map((row) => [row.code, row.value])).toEqual([
      ['0001U', 1],
      ['20610', 2],
      ['36415', 3],
      ['96372', 6],
      ['97110', 4],
      ['99213', 1],
      ['A0425', 200],
      ['J1885', 4],
      ['L3908', 2],
      ['T1015', 1],
    ]);
    expect(parsed.rows[0]?.line).toBe(8);
  });

  it('reads CRLF and LF alike, and a last row without a line end', () => {
    const text = readFileSync(MEDICARE, 'latin1');
    const expected = parseMueText(text).rows;
    expect(parseMueText(text.replace(/\r\n/g, '\n')).rows).toEqual(expected);
    expect(parseMueText(text.slice(0, -2)).rows).toEqual(expected);
  });

  it('gives the same result however the text is split into pieces', () => {
    const text = readFileSync(MEDICARE, 'latin1');
    const whole = parseMueText(text);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 20 }), (cuts) => {
        const parser = new MueFileParser('<text>');
        for (const piece of pieces(text, cuts)) parser.push(piece);
        expect(parser.end()).toEqual(whole);
      }),
      { numRuns: 100 },
    );
  });

  it('takes the columns from the header, in any order, and ignores empty cells after them', () => {
    const header = 'MUE Rationale,"hcpcs / cpt  code",MUE Adjudication Indicator,Practitioner Services MUE Values,\r\n';
    const { rows, problems } = parseMueText(table(['"Policy, ""quoted""\r\nacross lines",99213,1 Line Edit,3,', 'Clinical: Data,36415,3 Date of Service Edit: Clinical,2,,'], header));
    expect(problems).toEqual([]);
    expect(rows).toEqual([
      { line: 5, codeAt: { line: 6, column: 15 }, code: '99213', value: 3, indicator: 1, rationale: 'Policy, "quoted"\r\nacross lines' },
      { line: 7, codeAt: { line: 7, column: 16 }, code: '36415', value: 2, indicator: 3, rationale: 'Clinical: Data' },
    ]);
  });

  it('tells the other tables apart by their value column', () => {
    const hospital = parseMueText(table([ROW_99213], HEADER.replace('Practitioner Services', 'Outpatient Hospital Services')));
    expect(hospital.problems).toEqual([]);
    expect(hospital.header?.tableType).toBe('outpatient-hospital');
    expect(parseMueText(table([ROW_99213], HEADER.replace('Practitioner Services', 'DME Supplier Services'))).header?.tableType).toBe('dme-supplier');
    expect(parseMueText(table([ROW_99213], HEADER.replace('Practitioner Services ', ''))).header).toMatchObject({ valueColumn: 'MUE Values', tableType: 'other' });
  });

  it('allows blank rows at the end of the file', () => {
    const { problems, rows } = parseMueText(`${table([ROW_99213, ROW_36415])},,,\r\n\r\n`);
    expect(problems).toEqual([]);
    expect(rows).toHaveLength(2);
  });
});

describe('the MUE table parser: malformed rows, each with its line and column', () => {
  const line = FIRST_ROW_LINE + 1;
  const cases: [string, string, number, RegExp][] = [
    ['a lower-case code', 'j1885,8,3 Date of Service Edit: Clinical,Prescribing Information', 1, /"j1885" is not a CPT or HCPCS code: expected 5 characters/],
    ['a code too short', '9921,1,2 Date of Service Edit: Policy,CMS Policy', 1, /"9921" is not a CPT or HCPCS code/],
    ['a code with a dot', '992.3,1,2 Date of Service Edit: Policy,CMS Policy', 1, /"992\.3" is not a CPT or HCPCS code/],
    ['a code with spaces around it', ' 99214,1,2 Date of Service Edit: Policy,CMS Policy', 1, /the code " 99214" has spaces around it: expected the code alone \("99214"\)/],
    ['no code', ',1,2 Date of Service Edit: Policy,CMS Policy', 1, /the HCPCS\/CPT Code is missing/],
    ['a decimal value', '99214,1.5,2 Date of Service Edit: Policy,CMS Policy', 7, /the MUE value "1\.5" is not a whole number: expected the units of service allowed/],
    ['a negative value', '99214,-1,2 Date of Service Edit: Policy,CMS Policy', 7, /the MUE value "-1" is not a whole number/],
    ['no value', '99214,,2 Date of Service Edit: Policy,CMS Policy', 7, /the MUE value is missing/],
    ['a value too large', '99214,1234567890123456,2 Date of Service Edit: Policy,CMS Policy', 7, /too large/],
    ['indicator 4', '99214,1,4 Other Edit,CMS Policy', 9, /must begin with 1, 2 or 3 \(1 Line Edit, 2 Date of Service Edit: Policy, 3 Date of Service Edit: Clinical\), found "4 Other Edit"/],
    ['an indicator without its number', '99214,1,Line Edit,CMS Policy', 9, /must begin with 1, 2 or 3/],
    ['indicator 12', '99214,1,12 Line Edit,CMS Policy', 9, /found "12 Line Edit"/],
    ['no indicator', '99214,1,,CMS Policy', 9, /must begin with 1, 2 or 3 .*it is missing/],
    ['no rationale', '99214,1,2 Date of Service Edit: Policy,  ', 40, /the MUE rationale is missing/],
    ['a row cut short', '99214,1', 8, /the row ends after 2 cells: expected 4/],
    ['text in a cell past the header', '99214,1,2 Date of Service Edit: Policy,CMS Policy,,note', 52, /cell 6 has no column: the header has 4/],
    ['a quote inside an unquoted cell', '99214,1,2 Date of Service Edit: Policy,CMS "Policy"', 44, /quote inside a cell that does not start with one/],
  ];
  for (const [name, row, column, message] of cases) {
    it(`reports ${name} at line ${line}, column ${column}`, () => {
      const problems = problemsOf(table([ROW_99213, row, ROW_36415]));
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ line, column });
      expect(problems[0]?.message).toMatch(message);
    });
  }

  it('names the file in every problem and leaves malformed rows out of the rows', () => {
    const result = parseMueText(table([ROW_99213, '9921,1,2 x,y', ROW_36415]), 'MCR_MUE_PractitionerServices.csv');
    expect(result.problems[0]?.file).toBe('MCR_MUE_PractitionerServices.csv');
    expect(result.rows.map((row) => row.code)).toEqual(['99213', '36415']);
  });

  it('places a problem after a cell that spans lines at its own line and column', () => {
    const problems = problemsOf(table([ROW_99213, '99214,"1\r\n",2 Date of Service Edit: Policy,CMS Policy']));
    expect(problems).toEqual([expect.objectContaining({ line: 7, column: 7, message: expect.stringMatching(/the MUE value "1\\r\\n" is not a whole number/) })]);
    const after = problemsOf(table([ROW_99213, '99214,1,"2 Date of Service Edit:\r\nPolicy",']));
    expect(after).toEqual([expect.objectContaining({ line: 8, column: 9, message: expect.stringMatching(/rationale is missing/) })]);
  });

  it('refuses a duplicate code, naming the line it is first on', () => {
    expect(problemsOf(table([ROW_99213, ROW_36415, ROW_99213]))).toEqual([{ line: 8, column: 1, message: 'duplicate code 99213: it is on line 6 already (a table has one row per code)' }]);
  });

  it('refuses a blank row between rows', () => {
    const problems = problemsOf(table([ROW_99213, '', ',,,', ROW_36415]));
    expect(problems.map((p) => [p.line, p.column])).toEqual([
      [7, 1],
      [8, 1],
    ]);
    expect(problems[0]?.message).toMatch(/blank row between rows/);
  });

  it('refuses a file without a header row, an empty file and a header without rows', () => {
    expect(problemsOf('99213,1,2 Date of Service Edit: Policy,CMS Policy\r\n')).toEqual([
      { line: 1, column: 1, message: expect.stringMatching(/^no header row: expected, after the notice, a row with the cells "HCPCS\/CPT Code", "Practitioner Services MUE Values"/) },
    ]);
    expect(problemsOf('')).toEqual([{ line: 1, column: 1, message: 'no rows: the file is empty' }]);
    expect(problemsOf(table([]))).toEqual([{ line: 4, column: 1, message: 'no rows after the header: the table is empty' }]);
    expect(problemsOf(`${table([])}\r\n,,,\r\n`)).toEqual([{ line: 4, column: 1, message: 'no rows after the header: the table is empty' }]);
  });

  it('refuses a header row without a needed column, or with one twice', () => {
    const noRationale = problemsOf(table([ROW_99213], '"HCPCS/\r\nCPT Code",Practitioner Services MUE Values,MUE Adjudication Indicator\r\n'));
    expect(noRationale).toEqual([{ line: 5, column: 70, message: expect.stringMatching(/the header row has no "MUE Rationale" column/) }]);
    const twice = problemsOf(table([ROW_99213], 'HCPCS/CPT Code,MUE Values,MUE Adjudication Indicator,MUE Rationale,MUE Rationale\r\n'));
    expect(twice).toEqual([{ line: 4, column: 68, message: expect.stringMatching(/two rationale columns/) }]);
  });

  it('refuses a quoted cell the file ends inside', () => {
    const problems = problemsOf(table([ROW_99213, '99214,1,2 Date of Service Edit: Policy,"CMS Policy']));
    expect(problems).toEqual([expect.objectContaining({ line: 7, column: 40, message: expect.stringMatching(/not closed/) })]);
  });

  it('refuses a ZIP archive with a hint', () => {
    const { problems } = parseMueBytes(Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0, 0]), 'table.zip');
    expect(problems).toEqual([{ file: 'table.zip', line: 1, column: 1, message: expect.stringMatching(/ZIP archive .*extract the \.csv table/) }]);
  });

  it('collects every problem of every row, in line order', () => {
    const rows = [ROW_99213, '9921,1,2 x,y', '99214,x,5,', ROW_99213, '36415,2,3 x,y,z'];
    expect(problemsOf(table(rows)).map((p) => `${p.line}:${p.column}`)).toEqual(['7:1', '8:7', '8:9', '8:11', '9:1', '10:15']);
  });

  it('rejects when the file cannot be read', async () => {
    await expect(parseMueFile('/nonexistent/mue.csv')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('readMueRelease', () => {
  it('reads the excerpt into source files, counts and tables', async () => {
    const content = await readMueRelease([MEDICARE]);
    expect(content.counts).toEqual({ codes: 28, lineEdits: 3, dateOfServiceEdits: 25, rationales: 7 });
    expect(content.lines).toBe(35);
    expect(content.sourceFiles).toEqual([(await parseMueFile(MEDICARE)).source]);
    expect(Object.keys(content.tables).sort()).toEqual([MUE_EDITS_FILE, MUE_RATIONALES_FILE]);
    expect(content.tables[MUE_EDITS_FILE]).toContain('99213\t1\t2\t');
  });

  it('reads several files as one table', async () => {
    const extra = writeTable(table(['T1015,1,2 Date of Service Edit: Policy,CMS Policy']));
    const content = await readMueRelease([MEDICARE, extra]);
    expect(content.counts.codes).toBe(29);
    expect(content.sourceFiles.map((f) => f.name)).toEqual(['mue-practitioner-2026q1-excerpt.csv', path.basename(extra)]);
  });

  it('refuses a code in two files, and the same file twice', async () => {
    const error = await importError([MEDICARE, MEDICAID]);
    expect(error.code).toBe('SCRUB_ERR_DATA_INVALID');
    expect(error.problems).toHaveLength(9);
    expect(error.problems[0]).toEqual({
      position: { file: MEDICAID, line: 8, column: 1 },
      message: `code 0001U is in ${MEDICARE} already (line 8): a release has one row per code`,
    });
    const twice = await importError([MEDICARE, MEDICARE]);
    expect(twice.problems).toEqual([{ position: { file: MEDICARE }, message: `the same table as ${MEDICARE} (same sha256): give each file once` }]);
  });

  it('refuses a file with malformed rows, listing every problem with file, line and column', async () => {
    const file = writeTable(table([ROW_99213, '9921,1,2 x,y', '99214,1,7,z']));
    const error = await importError([file]);
    expect(error.code).toBe('SCRUB_ERR_DATA_INVALID');
    expect(error.message).toBe(`${file}: 2 problems in the MUE table; nothing was imported`);
    expect(error.problems.map((p) => p.position)).toEqual([
      { file, line: 7, column: 1 },
      { file, line: 8, column: 9 },
    ]);
  });

  it('refuses the outpatient hospital and DME tables', async () => {
    const file = writeTable(table([ROW_99213], HEADER.replace('Practitioner Services', 'Outpatient Hospital Services')));
    const error = await importError([file]);
    expect(error.problems).toEqual([
      {
        position: { file, line: 5, column: 11 },
        message: 'this is the outpatient hospital services MUE table (column "Outpatient Hospital Services MUE Values"): claimscrub imports the practitioner services table, whose value column is "Practitioner Services MUE Values"',
      },
    ]);
  });

  it('refuses an unreadable file with SCRUB_ERR_INPUT_UNREADABLE, and no file with SCRUB_ERR_USAGE', async () => {
    const missing = await importError([MEDICARE, '/nonexistent/mue.csv']);
    expect(missing.code).toBe('SCRUB_ERR_INPUT_UNREADABLE');
    expect(missing.message).toBe('/nonexistent/mue.csv: cannot read the MUE table (ENOENT)');
    expect(missing.position).toEqual({ file: '/nonexistent/mue.csv' });
    expect((await importError([work.dir])).code).toBe('SCRUB_ERR_INPUT_UNREADABLE');
    expect((await importError([])).code).toBe('SCRUB_ERR_USAGE');
  });

  it('reads a 20,000-row table', async () => {
    const rows: string[] = [];
    for (let i = 0; i < 20_000; i++) rows.push(`${String(10_000 + i)},${i % 50},${(i % 3) + 1} Edit,Rationale ${i % 12}`);
    const content = await readMueRelease([writeTable(table(rows))]);
    expect(content.counts).toEqual({ codes: 20_000, lineEdits: 6667, dateOfServiceEdits: 13_333, rationales: 12 });
  });
});
