import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ScrubError } from '../../engine/errors.js';
import { loadPracticeFiles, mergeSpans, parsePracticeFile, type PracticeFileKind } from '../../engine/data/practice/index.js';
import type { RowProblem } from '../../engine/data/problems.js';
import { ROOT } from '../helpers/cli.js';

const work = mkdtempSync(path.join(tmpdir(), 'claimscrub-practice-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const FIXTURES = {
  coverage: path.join(ROOT, 'fixtures/practice/coverage.csv'),
  authorizations: path.join(ROOT, 'fixtures/practice/authorizations.csv'),
  enrolment: path.join(ROOT, 'fixtures/practice/enrolment.csv'),
};

function parse<K extends PracticeFileKind>(kind: K, text: string) {
  const problems: RowProblem[] = [];
  const lookup = parsePracticeFile(kind, `${kind}.csv`, text, problems);
  return { lookup, problems };
}

/** `line:column message` for each problem, the way the tests compare them. */
function problemsOf(kind: PracticeFileKind, text: string): string[] {
  return parse(kind, text).problems.map((problem) => `${problem.line}:${problem.column} ${problem.message}`);
}

const COVERAGE_HEADER = 'payerId,memberId,start,end\n';
const AUTHORIZATION_HEADER = 'number,payerId,memberId,procedureCodes,start,end,units,unitsUsed\n';
const ENROLMENT_HEADER = 'payerId,npi,start,end\n';

describe('the fixture practice files', () => {
  it('load with their row counts', async () => {
    const { data, counts } = await loadPracticeFiles(FIXTURES);
    expect(counts).toEqual([
      { kind: 'coverage', file: FIXTURES.coverage, rows: 6 },
      { kind: 'authorizations', file: FIXTURES.authorizations, rows: 3 },
      { kind: 'enrolment', file: FIXTURES.enrolment, rows: 4 },
    ]);
    expect(data.coverage?.member('ACME1', 'ACM000654321')?.text).toBe('2026-01-01 to 2026-09-30');
    expect(data.coverage?.member('BLUE1', 'XBL100200300')?.text).toBe('2025-07-01 to 2026-03-31, 2026-05-01 onward');
    expect(data.authorizations?.member('ACME1', 'ACM000654321')?.get('PA20260401X')).toMatchObject({
      number: 'PA20260401X',
      codes: [
        { low: '72141', high: '72158' },
        { low: '73721', high: '73721' },
      ],
      window: { start: '2026-04-01', end: '2026-06-30' },
      units: 2,
      unitsUsed: 0,
      line: 2,
    });
    expect(data.authorizations?.member('BLUE1', 'XBL100200300')?.get('AUTH-PT-0042')?.unitsUsed).toBe(4);
    expect(data.enrolment?.provider('BLUE1', '1888888819')?.text).toBe('2026-01-15 onward');
  });

  it('load only the kinds given', async () => {
    const { data, counts } = await loadPracticeFiles({ enrolment: FIXTURES.enrolment });
    expect(data.coverage).toBeUndefined();
    expect(data.authorizations).toBeUndefined();
    expect(counts.map((count) => count.kind)).toEqual(['enrolment']);
  });
});

describe('lookups', () => {
  const { lookup: coverage } = parse('coverage', `${COVERAGE_HEADER}Acme1, m-1 ,2026-01-01,\n`);
  const { lookup: authorizations } = parse(
    'authorizations',
    `${AUTHORIZATION_HEADER}pa-1,ACME1,M-1,97110-97140; g0283,2026-01-01,,10,\nPA-2,ACME1,M-2,70551,2026-01-01,2026-12-31,1,0\n`,
  );

  it('compare payer ids, member ids and numbers without regard to case or padding', () => {
    expect(coverage.hasPayer('ACME1')).toBe(true);
    expect(coverage.hasPayer(' acme1')).toBe(true);
    expect(coverage.hasPayer('BLUE1')).toBe(false);
    expect(coverage.member('acme1', 'M-1')?.text).toBe('2026-01-01 onward');
    expect(coverage.member('ACME1', 'm-1 ')?.text).toBe('2026-01-01 onward');
    expect(coverage.member('ACME1', 'M-2')).toBeUndefined();
    expect(authorizations.member('ACME1', 'm-1')?.get('PA-1')?.number).toBe('pa-1');
  });

  it('know every code the payer authorizes, for any member', () => {
    for (const code of ['97110', '97125', '97140', 'G0283', '70551']) expect(authorizations.payerAuthorizesCode('ACME1', code)).toBe(true);
    for (const code of ['97109', '97141', '99213', '70552']) expect(authorizations.payerAuthorizesCode('ACME1', code)).toBe(false);
    expect(authorizations.payerAuthorizesCode('BLUE1', '97110')).toBe(false);
  });

  it('merge spans that overlap or touch, and keep lapses', () => {
    const span = (start: string, end?: string) => ({ start, end });
    expect(mergeSpans([span('2026-03-01', '2026-03-31'), span('2026-01-01', '2026-02-27')]).text).toBe('2026-01-01 to 2026-02-27, 2026-03-01 to 2026-03-31');
    expect(mergeSpans([span('2026-01-01', '2026-02-28'), span('2026-03-01', '2026-03-31')]).spans).toEqual([{ start: '2026-01-01', end: '2026-03-31' }]);
    expect(mergeSpans([span('2026-01-01', '2026-06-30'), span('2026-02-01', '2026-03-01')]).text).toBe('2026-01-01 to 2026-06-30');
    expect(mergeSpans([span('2026-01-01'), span('2026-02-01', '2026-03-01')]).text).toBe('2026-01-01 onward');
    expect(mergeSpans([span('2026-01-01', '2026-01-31'), span('2026-01-15')]).text).toBe('2026-01-01 onward');
    expect(mergeSpans([span('2026-01-01', '2026-01-30'), span('2026-02-01')]).text).toBe('2026-01-01 to 2026-01-30, 2026-02-01 onward');
    expect(mergeSpans([span('2026-01-05', '2026-01-05')]).text).toBe('2026-01-05');
  });
});

describe('what a practice system exports', () => {
  it('reads headers in any order, case and spacing, CRLF line ends, a byte order mark, quoted cells and padding', () => {
    const text = '\uFEFFStart,Member ID,"payer_id",END\r\n 2026-01-01 ,"M,1",ACME1,\r\n\r\n';
    const { lookup, problems } = parse('coverage', text);
    expect(problems).toEqual([]);
    expect(lookup.rows).toBe(1);
    expect(lookup.member('ACME1', 'M,1')?.text).toBe('2026-01-01 onward');
  });

  it('skips blank lines anywhere', () => {
    const { lookup, problems } = parse('enrolment', `\n${ENROLMENT_HEADER}\nACME1,1234567893,2026-01-01,\n\n`);
    expect(problems).toEqual([]);
    expect(lookup.rows).toBe(1);
  });

  it('reads a header with no rows as a file with no rows (no payer is checked)', () => {
    const { lookup, problems } = parse('authorizations', AUTHORIZATION_HEADER);
    expect(problems).toEqual([]);
    expect(lookup.rows).toBe(0);
    expect(lookup.hasPayer('ACME1')).toBe(false);
  });

  it('accepts optional columns left out of the header', () => {
    const { lookup, problems } = parse('authorizations', 'number,payerId,memberId,procedureCodes,start,units\nA1,ACME1,M1,97110,2026-01-01,3\n');
    expect(problems).toEqual([]);
    expect(lookup.member('ACME1', 'M1')?.get('A1')).toMatchObject({ window: { start: '2026-01-01', end: undefined }, units: 3, unitsUsed: 0 });
  });
});

describe('refused files and rows: file, line, column and field of each', () => {
  it('an empty file', () => {
    expect(problemsOf('coverage', '')).toEqual([
      '1:1 the coverage file is empty: it needs a header row naming its columns (columns: payerId, memberId, start, end (optional)).',
    ]);
    expect(problemsOf('coverage', '\n\n')).toHaveLength(1);
  });

  it('an unknown column, a column named twice and a missing one', () => {
    expect(problemsOf('coverage', 'payerId,memberId,start,finish\n')).toEqual([
      '1:24 "finish" is not a column of the coverage file (columns: payerId, memberId, start, end (optional)): check its spelling, or remove the column.',
    ]);
    expect(problemsOf('coverage', 'payerId,memberId,start,Payer Id\n')).toEqual(['1:24 the column `payerId` is already named in column 1: name each column once.']);
    expect(problemsOf('enrolment', 'payerId,start\nACME1,2026-01-01\n')).toEqual([
      '1:1 the header row lacks the column `npi` (columns: payerId, npi, start, end (optional)).',
    ]);
  });

  it('rows with the wrong number of cells', () => {
    expect(problemsOf('coverage', `${COVERAGE_HEADER}ACME1,M1,2026-01-01\nACME1,M1,2026-01-01,,\n`)).toEqual([
      '2:1 this row has 3 cells and the header 4: each row needs one cell per column (an empty one for a blank value).',
      '3:1 this row has 5 cells and the header 4: each row needs one cell per column (an empty one for a blank value).',
    ]);
  });

  it('cells the schema refuses, each at its cell', () => {
    expect(problemsOf('coverage', `${COVERAGE_HEADER},M1,2026-13-01,2026-02-30\nACME1,M 1,01/02/2026,\n`)).toEqual([
      '2:1 `payerId` is empty: every row needs one.',
      '2:5 `start` must be a date written YYYY-MM-DD.',
      '2:16 `end` must be a date written YYYY-MM-DD.',
      '3:7 `memberId` must be an id of letters, digits or punctuation, without spaces.',
      '3:11 `start` must be a date written YYYY-MM-DD.',
    ]);
  });

  it('authorization cells: codes, units and used units', () => {
    const rows = [
      'A1,ACME1,M1,97110 971,2026-01-01,,2,',
      'A2,ACME1,M1,97110,2026-01-01,,2.5,',
      'A3,ACME1,M1,97110,2026-01-01,,-1,x',
      'A4,ACME1,M1,,2026-01-01,,,',
      'A5,ACME1,M1,97140-97110,2026-01-01,,1,',
    ];
    expect(problemsOf('authorizations', AUTHORIZATION_HEADER + rows.join('\n'))).toEqual([
      '2:13 `procedureCodes` must be CPT or HCPCS codes of five letters or digits, or ranges of them (97110-97140), separated by spaces, commas or semicolons.',
      '3:31 `units` must be a whole number.',
      '4:31 `units` must be >= 0.',
      '4:34 `unitsUsed` must be a whole number.',
      '5:13 `procedureCodes` is empty: every row needs one.',
      '5:26 `units` is empty: every row needs one.',
      '6:13 the range 97140-97110 in `procedureCodes` runs backwards: write its lower code first.',
    ]);
  });

  it('an end before its start, in every kind', () => {
    const message = '`end` is before `start`: a span ends on or after the day it starts (both days are included).';
    expect(problemsOf('coverage', `${COVERAGE_HEADER}ACME1,M1,2026-02-01,2026-01-31\n`)).toEqual([`2:21 ${message}`]);
    expect(problemsOf('enrolment', `${ENROLMENT_HEADER}ACME1,1234567893,2026-02-01,2026-01-31\n`)).toEqual([`2:29 ${message}`]);
    expect(problemsOf('authorizations', `${AUTHORIZATION_HEADER}A1,ACME1,M1,97110,2026-02-01,2026-01-31,1,\n`)).toEqual([`2:30 ${message}`]);
  });

  it('NPIs that are not ten digits or fail the check digit', () => {
    expect(problemsOf('enrolment', `${ENROLMENT_HEADER}ACME1,123456789,2026-01-01,\nACME1,1234567890,2026-01-01,\n`)).toEqual([
      '2:7 `npi` must be an NPI of ten digits.',
      '3:7 `npi` fails the NPI check digit (Luhn, with the prefix 80840): it was mistyped.',
    ]);
  });

  it('an authorization listed twice for one payer and member (another member may share the number)', () => {
    const text = `${AUTHORIZATION_HEADER}A1,ACME1,M1,97110,2026-01-01,,1,\nA1,ACME1,M2,97110,2026-01-01,,1,\na1,acme1,m1,97112,2026-01-01,,1,\n`;
    expect(problemsOf('authorizations', text)).toEqual([
      '4:1 this authorization (same payer, member and number) is already on line 2: list each authorization once, with all its codes in `procedureCodes`.',
    ]);
  });

  it('CSV syntax: a quoted cell the file ends inside', () => {
    expect(problemsOf('coverage', `${COVERAGE_HEADER}ACME1,"M1,2026-01-01,\n`)[0]).toMatch(/^2:7 the quoted cell that starts here is not closed/);
  });

  it('never quote a cell: the files hold member ids', () => {
    const problems = problemsOf('coverage', `${COVERAGE_HEADER}ACME1,SECRET 4711,2026-01-01,\nACME1,SECRET4712,someday,\n`);
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).not.toMatch(/SECRET|4711|4712|someday/);
  });
});

describe('loadPracticeFiles', () => {
  it('refuses the run with every problem of every file (SCRUB_ERR_PRACTICE_FILE_INVALID)', async () => {
    const coverage = path.join(work, 'coverage.csv');
    const enrolment = path.join(work, 'enrolment.csv');
    writeFileSync(coverage, `${COVERAGE_HEADER}ACME1,M1,2026-01-01,\nACME1,M1,2026-01-xx,\n`);
    writeFileSync(enrolment, `${ENROLMENT_HEADER}ACME1,1234567890,2026-01-01,\n`);
    const error = await loadPracticeFiles({ coverage, enrolment, authorizations: FIXTURES.authorizations }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScrubError);
    expect((error as ScrubError).code).toBe('SCRUB_ERR_PRACTICE_FILE_INVALID');
    expect((error as ScrubError).message).toBe(`The practice files ${coverage}, ${enrolment} cannot be used: 2 problems, listed below. Nothing was scrubbed: fix them and run again.`);
    expect((error as ScrubError).problems.map((problem) => [problem.position, problem.message])).toEqual([
      [{ file: coverage, line: 3, column: 10 }, '`start` must be a date written YYYY-MM-DD.'],
      [{ file: enrolment, line: 2, column: 7 }, '`npi` fails the NPI check digit (Luhn, with the prefix 80840): it was mistyped.'],
    ]);
  });

  it('refuses a file that cannot be read (SCRUB_ERR_INPUT_UNREADABLE)', async () => {
    const missing = path.join(work, 'missing.csv');
    const error = await loadPracticeFiles({ coverage: missing }).catch((caught: unknown) => caught);
    expect((error as ScrubError).code).toBe('SCRUB_ERR_INPUT_UNREADABLE');
    expect((error as ScrubError).message).toBe(`${missing}: cannot read the coverage file (ENOENT)`);
  });
});
