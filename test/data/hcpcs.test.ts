import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readHcpcsRelease } from '../../engine/data/hcpcs/import.js';
import { HcpcsFileParser, parseHcpcsFile, parseHcpcsText, type HcpcsRecord } from '../../engine/data/hcpcs/parse-hcpcs-file.js';
import { HCPCS_TABLE_FILE, HCPCS_TABLE_HEADER, buildHcpcsTables, createHcpcsTable, loadHcpcsTable } from '../../engine/data/hcpcs/table.js';
import type { HcpcsEntry, ReleaseManifest } from '../../engine/data/types.js';
import { ScrubError } from '../../engine/errors.js';
import { ROOT } from '../helpers/cli.js';
import { crlf, pieces, put, sourceFileOf, temporaryDir } from './helpers.js';

const EXCERPT = path.join(ROOT, 'fixtures/data/hcpcs/hcpcs-2026-excerpt.txt');

const work = temporaryDir('hcpcs');
afterAll(work.cleanup);

/** A record's fields, as the layout carries them (dates YYYY-MM-DD). */
interface LayoutRecord {
  code: string;
  kind: 'code' | 'modifier';
  longDescription: string;
  shortDescription: string;
  added?: string;
  actionEffective?: string;
  terminated?: string;
  actionCode: string;
}

function layoutDate(iso: string | undefined): string {
  return iso === undefined ? ' '.repeat(8) : iso.replaceAll('-', '');
}

/** Splits a description into lines of at most `width` characters at spaces (words are shorter). */
function wrap(text: string, width = 80): string[] {
  const parts: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current === '') current = word;
    else if (current.length + 1 + word.length <= width) current += ` ${word}`;
    else {
      parts.push(current);
      current = word;
    }
  }
  parts.push(current);
  return parts;
}

/** A record in the fixed-width layout: its first record (padded to `length`, 320 by default) and its continuation records. */
function recordLines(record: LayoutRecord, length = 320): string[] {
  const field = record.kind === 'code' ? record.code : `   ${record.code}`;
  const [first = '', ...rest] = wrap(record.longDescription);
  const head =
    `${field}00100${record.kind === 'code' ? '3' : '7'}${first.padEnd(80)}${record.shortDescription.padEnd(28)}`.padEnd(268) +
    layoutDate(record.added) +
    layoutDate(record.actionEffective) +
    layoutDate(record.terminated) +
    record.actionCode;
  const continuations = rest.map((part, i) => `${field}${String((i + 2) * 100).padStart(5, '0')}${record.kind === 'code' ? '4' : '8'}${part.padEnd(80)}`);
  return [head.padEnd(length), ...continuations];
}

const GA = recordLines({ code: 'GA', kind: 'modifier', longDescription: 'Waiver of liability statement, individual case', shortDescription: 'Waiver of liability stmt ind', added: '1995-01-01', actionEffective: '2011-04-01', actionCode: 'N' });
const A0425 = recordLines({ code: 'A0425', kind: 'code', longDescription: 'Ground mileage, per statute mile', shortDescription: 'Ground mileage', added: '1995-01-01', actionEffective: '1995-01-01', actionCode: 'N' });
const E0114 = recordLines({
  code: 'E0114',
  kind: 'code',
  longDescription: 'Crutches underarm, other than wood, adjustable or fixed, pair, with pads, tips and handgrips',
  shortDescription: 'Crutch underarm pair no wood',
  added: '1994-01-01',
  actionEffective: '1994-01-01',
  actionCode: 'N',
});
/** Four lines: GA (line 1), A0425 (line 2), E0114 (line 3) and its continuation (line 4). */
const BASE = [...GA, ...A0425, ...E0114];
const [GA_LINE = '', , E0114_LINE = '', E0114_MORE = ''] = BASE;

/** The problems (line, column, message) of the base file with line `line` replaced by `text`. */
function problemsWithLine(line: number, text: string): { line: number; column: number; message: string }[] {
  const lines = BASE.map((l, i) => (i === line - 1 ? text : l));
  return parseHcpcsText(crlf(lines), 'f.txt').problems.map(({ line: l, column, message }) => ({ line: l, column, message }));
}

describe('the HCPCS file parser: valid files', () => {
  it('reads every code and modifier of the excerpt, continuation records assembled', () => {
    const { records, problems, lines } = parseHcpcsText(readFileSync(EXCERPT, 'latin1'), EXCERPT);
    expect(problems).toEqual([]);
    expect(lines).toBe(56);
    expect(records).toHaveLength(32);
    expect(records.filter((r) => r.kind === 'code')).toHaveLength(16);
    expect(records.filter((r) => r.kind === 'modifier').map((r) => r.code)).toEqual(['AA', 'AD', 'FQ', 'GA', 'GT', 'LT', 'QK', 'QT', 'QX', 'RT', 'TC', 'U1', 'XE', 'XP', 'XS', 'XU']);
    expect(records.map((r) => r.code)).toEqual(expect.arrayContaining(['A0425', 'E0114', 'G0008', 'G0463', 'J1885', 'J3301', 'Q4101']));
    expect(records.find((r) => r.code === 'E0114')).toEqual({
      line: 32,
      code: 'E0114',
      kind: 'code',
      shortDescription: 'Crutch underarm pair no wood',
      longDescription: 'Crutches underarm, other than wood, adjustable or fixed, pair, with pads, tips and handgrips',
      added: '1994-01-01',
      actionEffective: '1994-01-01',
      actionCode: 'N',
    });
    const tc = records.find((r) => r.code === 'TC');
    expect(tc?.longDescription).toMatch(/^Technical component; under certain circumstances, .* not billed separately by physicians$/);
    expect(tc?.longDescription).not.toMatch(/ {2}/);
    expect(records.find((r) => r.code === 'G2012')?.longDescription).toMatch(/ 5-10 minutes of medical discussion$/);
    expect(records.find((r) => r.code === 'G0463')).toMatchObject({ shortDescription: 'Hospital outpt clinic visit', longDescription: 'Hospital outpatient clinic visit for assessment and management of a patient' });
  });

  it('reads the dates: added, action effective, and the termination date (the last valid date of service)', () => {
    const { records } = parseHcpcsText(readFileSync(EXCERPT, 'latin1'));
    const terminated = records.filter((r) => r.terminated !== undefined);
    expect(terminated.map((r) => [r.code, r.terminated, r.actionEffective, r.actionCode])).toEqual([
      ['QT', '2025-12-31', '2026-01-01', 'D'],
      ['G0136', '2025-12-31', '2026-01-01', 'D'],
      ['G2012', '2024-12-31', '2025-01-01', 'N'],
    ]);
    expect(records.find((r) => r.code === 'G0019')).toMatchObject({ added: '2024-01-01', actionEffective: '2024-01-01' });
    expect(records.find((r) => r.code === 'G0019')?.terminated).toBeUndefined();
    expect(records.find((r) => r.code === 'GT')).toMatchObject({ kind: 'modifier', added: '1999-01-01', shortDescription: 'Via interactive audio/video' });
  });

  it('reads CRLF and LF alike, a last line without a line end, and blank lines at the end', () => {
    const withCrlf = readFileSync(EXCERPT, 'latin1');
    expect(withCrlf).toContain('\r\n');
    const withLf = withCrlf.replace(/\r\n/g, '\n');
    const expected = parseHcpcsText(withCrlf).records;
    expect(parseHcpcsText(withLf).records).toEqual(expected);
    expect(parseHcpcsText(withLf.slice(0, -1)).records).toEqual(expected);
    expect(parseHcpcsText(withCrlf.slice(0, -2)).records).toEqual(expected);
    const trailing = parseHcpcsText(`${withCrlf}\r\n   \r\n\n`);
    expect(trailing.problems).toEqual([]);
    expect(trailing.records).toEqual(expected);
    expect(trailing.lines).toBe(59);
  });

  it('reads first records with the filler (columns 294-320) left off', () => {
    const lines = [...recordLines({ code: 'A0425', kind: 'code', longDescription: 'Ground mileage', shortDescription: 'Ground mileage', actionCode: 'N' }, 293)];
    expect(lines[0]).toHaveLength(293);
    const { records, problems } = parseHcpcsText(crlf(lines));
    expect(problems).toEqual([]);
    expect(records).toEqual([{ line: 1, code: 'A0425', kind: 'code', shortDescription: 'Ground mileage', longDescription: 'Ground mileage', actionCode: 'N' }]);
  });

  it('skips a byte order mark at the start', () => {
    const expected = parseHcpcsText(crlf(BASE)).records;
    expect(parseHcpcsText(`\u00ef\u00bb\u00bf${crlf(BASE)}`)).toMatchObject({ problems: [], records: expected });
    expect(parseHcpcsText(`\ufeff${crlf(BASE)}`)).toMatchObject({ problems: [], records: expected });
  });

  it('gives the same result however the text is split into pieces (even between CR and LF)', () => {
    const text = readFileSync(EXCERPT, 'latin1');
    const whole = parseHcpcsText(text);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 40 }), (cuts) => {
        const parser = new HcpcsFileParser('<text>');
        for (const piece of pieces(text, cuts)) parser.push(piece);
        expect(parser.end()).toEqual(whole);
      }),
      { numRuns: 150 },
    );
  });

  it('streams a file, hashing it in the same pass', async () => {
    const parsed = await parseHcpcsFile(EXCERPT);
    expect(parsed.problems).toEqual([]);
    expect(parsed.records).toEqual(parseHcpcsText(readFileSync(EXCERPT, 'latin1'), EXCERPT).records);
    expect(parsed.source).toEqual(sourceFileOf(EXCERPT));
  });

  it('reads a byte above 127 as one column (latin1), so that the columns after it stay in place', async () => {
    const file = path.join(work.dir, 'latin1.txt');
    const line = recordLines({ code: 'J0585', kind: 'code', longDescription: 'Injection, onabotulinumtoxina, 1 unit', shortDescription: 'Injection, caf\u00e9', added: '2003-01-01', actionCode: 'N' })[0] ?? '';
    writeFileSync(file, `${line}\r\n`, 'latin1');
    const parsed = await parseHcpcsFile(file, { displayName: 'HCPC.txt' });
    expect(parsed.problems).toEqual([]);
    expect(parsed.records[0]).toMatchObject({ shortDescription: 'Injection, caf\u00e9', added: '2003-01-01' });
  });

  it('rejects when the file cannot be read', async () => {
    await expect(parseHcpcsFile('/nonexistent/HCPC2026_JAN_ANWEB.txt')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('the HCPCS file parser: malformed records, each with its line and column', () => {
  const cases: [string, number, string, number, RegExp][] = [
    ['a lower-case code', 3, put(E0114_LINE, 1, 'e0114'), 1, /the code "e0114" is not a HCPCS Level II code: character 1 must be a capital letter, found "e"/],
    ['a letter among the digits', 3, put(E0114_LINE, 1, 'E01A4'), 4, /character 4 must be a digit, found "A"/],
    ['a CPT code', 3, put(E0114_LINE, 1, '99213'), 1, /character 1 must be a capital letter, found "9"/],
    ['no code', 3, put(E0114_LINE, 1, '     '), 1, /the code \(columns 1-5\) is missing/],
    ['a modifier on a code record', 3, put(E0114_LINE, 1, '   GA'), 1, /columns 1-3 are blank as on a modifier's record, but the record identification code "3" is a code's/],
    ['a letter in the sequence number', 3, put(E0114_LINE, 6, 'O0100'), 6, /the sequence number \(columns 6-10\) must be 5 digits, found "O0100"/],
    ['an unknown record id', 3, put(E0114_LINE, 11, '5'), 11, /record identification code \(column 11\) must be 3 \(a code\), 4 \(its continuation\), 7 \(a modifier\) or 8 \(its continuation\), found "5"/],
    ['no long description', 3, put(E0114_LINE, 12, ' '.repeat(80)), 12, /the long description \(columns 12-91\) is missing/],
    ['no short description', 3, put(E0114_LINE, 92, ' '.repeat(28)), 92, /the short description \(columns 92-119\) is missing/],
    ['a date that does not exist', 3, put(E0114_LINE, 269, '19940230'), 269, /the code added date \(columns 269-276\) must be a date written YYYYMMDD, or blank, found "19940230"/],
    ['a date in another format', 3, put(E0114_LINE, 277, '1994-1-1'), 277, /the action effective date \(columns 277-284\) must be a date written YYYYMMDD/],
    ['a termination date in month 13', 3, put(E0114_LINE, 285, '20251301'), 285, /the termination date \(columns 285-292\) must be a date/],
    ['a termination date before the added date', 3, put(E0114_LINE, 285, '19931231'), 285, /the termination date 1993-12-31 is before the code added date 1994-01-01/],
    ['no action code', 3, put(E0114_LINE, 293, ' '), 293, /the action code \(column 293\) must be a capital letter/],
    ['a line over 320 characters', 3, `${E0114_LINE}X`, 321, /the line has 321 characters: a record has at most 320/],
    ['a first record cut short', 3, E0114_LINE.slice(0, 200), 201, /the line ends at column 200: a code's first record runs at least to column 293, the action code/],
    ['a line ending before the record id', 3, E0114_LINE.slice(0, 8), 9, /the line ends at column 8: a record runs at least to column 11/],
    ['a tab', 3, put(E0114_LINE, 40, '\t'), 40, /tab character/],
    ['a carriage return inside the line', 3, put(E0114_LINE, 40, '\r'), 40, /carriage return inside the line/],
    ['a continuation of another code', 4, put(E0114_MORE, 1, 'E0115'), 1, /a continuation record of code E0115 must follow a record of E0115: the record before it is of code E0114 \(line 3\)/],
    ['a continuation out of sequence', 4, put(E0114_MORE, 6, '00100'), 6, /the sequence number 00100 must be greater than the one on line 3 \(00100\)/],
    ['a continuation with text after column 91', 4, `${E0114_MORE.padEnd(100)}x`, 101, /a continuation record has nothing after column 91 .*found "x"/],
    ['a continuation without text', 4, put(E0114_MORE, 12, ' '.repeat(80)), 12, /the long description \(columns 12-91\) is missing/],
    ['a modifier record with columns 1-3 filled', 1, put(GA_LINE, 1, 'X'), 1, /columns 1-3 must be blank on a modifier's record \(the modifier is in columns 4-5\), found "X  GA"/],
    ['a modifier record holding a code', 1, put(GA_LINE, 1, 'G0008'), 1, /columns 1-3 must be blank on a modifier's record/],
    ['a lower-case modifier', 1, put(GA_LINE, 4, 'gA'), 4, /the modifier "gA" is not a HCPCS modifier: character 1 must be a capital letter or a digit/],
    ['a modifier of one character', 1, put(GA_LINE, 4, 'G '), 5, /character 2 must be a capital letter or a digit, found " "/],
    ['no modifier', 1, put(GA_LINE, 4, '  '), 4, /the modifier \(columns 4-5\) is missing/],
    ['a continuation as the first record of the file', 1, `   GA002008${'individual case'.padEnd(80)}`, 4, /a continuation record of modifier GA must follow a record of GA: it is the first record of the file/],
  ];
  for (const [name, line, text, column, message] of cases) {
    it(`reports ${name} at line ${line}, column ${column}`, () => {
      const problems = problemsWithLine(line, text);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ line, column });
      expect(problems[0]?.message).toMatch(message);
    });
  }

  it('names the file in every problem and leaves malformed records out (a record with a broken continuation too)', () => {
    const bad = parseHcpcsText(crlf([GA_LINE, put(A0425[0] ?? '', 1, 'a0425'), E0114_LINE, put(E0114_MORE, 6, '00000')]), 'HCPC2026_JAN_ANWEB.txt');
    expect(bad.problems.map((p) => [p.file, p.line, p.column])).toEqual([
      ['HCPC2026_JAN_ANWEB.txt', 2, 1],
      ['HCPC2026_JAN_ANWEB.txt', 4, 6],
    ]);
    expect(bad.records.map((r) => r.code)).toEqual(['GA']);
  });

  it('says nothing more of the continuation records of a record already reported', () => {
    const { problems, records } = parseHcpcsText(crlf([GA_LINE, put(E0114_LINE, 269, 'xxxxxxxx'), E0114_MORE, A0425[0] ?? '']));
    expect(problems.map((p) => `${p.line}:${p.column}`)).toEqual(['2:269']);
    expect(records.map((r) => r.code)).toEqual(['GA', 'A0425']);
  });

  it('refuses a modifier\'s continuation after a code\'s record', () => {
    const modifierMore = `   GA002008${'individual case'.padEnd(80)}`;
    const { problems } = parseHcpcsText(crlf([...A0425, modifierMore]));
    expect(problems).toEqual([expect.objectContaining({ line: 2, column: 4, message: expect.stringMatching(/continuation record of modifier GA must follow a record of GA: the record before it is of code A0425 \(line 1\)/) })]);
  });

  it('refuses a duplicate code or modifier, naming the line it is first on', () => {
    expect(parseHcpcsText(crlf([...BASE, ...A0425])).problems).toEqual([{ file: '<text>', line: 5, column: 1, message: 'duplicate code A0425: its first record is on line 2 already' }]);
    expect(parseHcpcsText(crlf([...BASE, GA_LINE])).problems).toEqual([{ file: '<text>', line: 5, column: 4, message: 'duplicate modifier GA: its first record is on line 1 already' }]);
  });

  it('refuses a blank line between records, and a continuation after one still counts as following', () => {
    const { problems, records } = parseHcpcsText(crlf([GA_LINE, '', E0114_LINE, '   ', E0114_MORE]));
    expect(problems.map((p) => [p.line, p.column])).toEqual([
      [2, 1],
      [4, 1],
    ]);
    expect(problems[0]?.message).toMatch(/blank line between records/);
    expect(records.map((r) => r.code)).toEqual(['GA', 'E0114']);
  });

  it('refuses an empty file', () => {
    expect(parseHcpcsText('', 'empty.txt').problems).toEqual([{ file: 'empty.txt', line: 1, column: 1, message: 'no records: the file is empty' }]);
    expect(parseHcpcsText('\r\n\r\n').problems).toHaveLength(1);
  });

  it('collects every problem of every record, in line order', () => {
    const text = crlf([put(GA_LINE, 6, 'x'), put(put(A0425[0] ?? '', 277, '00000000'), 293, '?'), E0114_LINE, put(E0114_MORE, 11, '9')]);
    const { problems, records } = parseHcpcsText(text);
    expect(problems.map((p) => `${p.line}:${p.column}`)).toEqual(['1:6', '2:277', '2:293', '4:11']);
    expect(records.map((r) => r.code)).toEqual(['E0114']);
  });
});

describe('the HCPCS file parser: property', () => {
  const letter = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
  const digit = fc.constantFrom(...'0123456789');
  const code = fc.tuple(letter, fc.array(digit, { minLength: 4, maxLength: 4 })).map(([l, d]) => l + d.join(''));
  const modifier = fc.array(fc.oneof(letter, digit), { minLength: 2, maxLength: 2 }).map((c) => c.join(''));
  const word = fc.stringMatching(/^[A-Za-z0-9,.;:()'/%<>=\-\u00e9]{1,15}$/);
  const words = (min: number, max: number, maxLength: number) =>
    fc
      .array(word, { minLength: min, maxLength: max })
      .map((w) => w.join(' '))
      .filter((text) => text.length <= maxLength);
  const date = fc.date({ min: new Date('1980-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  const fields = fc.record({
    longDescription: words(1, 60, 700),
    shortDescription: words(1, 4, 28),
    added: fc.option(date, { nil: undefined }),
    actionEffective: fc.option(date, { nil: undefined }),
    terminated: fc.option(date, { nil: undefined }),
    actionCode: letter,
    length: fc.integer({ min: 293, max: 320 }),
  });

  it('parses back exactly any list of valid records laid out in the fixed-width format', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.oneof(code.map((c) => ({ code: c, kind: 'code' as const })), modifier.map((c) => ({ code: c, kind: 'modifier' as const }))), { selector: (k) => k.code, minLength: 1, maxLength: 25 }),
        fc.infiniteStream(fields),
        fc.constantFrom('\r\n', '\n'),
        fc.boolean(),
        (keys, stream, newline, endsWithNewline) => {
          const lines: string[] = [];
          const expected: HcpcsRecord[] = [];
          for (const key of keys) {
            const { length, ...f } = stream.next().value as LayoutRecord & { length: number };
            // The termination date is never before the added date (the parser refuses that).
            const terminated = f.terminated !== undefined && f.added !== undefined && f.terminated < f.added ? f.added : f.terminated;
            const record: LayoutRecord = { ...key, ...f, terminated };
            const parsed: HcpcsRecord = { line: lines.length + 1, code: key.code, kind: key.kind, shortDescription: f.shortDescription, longDescription: f.longDescription, actionCode: f.actionCode };
            if (f.added !== undefined) parsed.added = f.added;
            if (f.actionEffective !== undefined) parsed.actionEffective = f.actionEffective;
            if (terminated !== undefined) parsed.terminated = terminated;
            expected.push(parsed);
            lines.push(...recordLines(record, length));
          }
          let text = lines.join(newline);
          if (endsWithNewline) text += newline;
          const result = parseHcpcsText(text);
          expect(result.problems).toEqual([]);
          expect(result.records).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});

function manifestFor(counts: Record<string, number>): ReleaseManifest {
  return { formatVersion: 1, kind: 'hcpcs', release: 'x', effective: '2026-01-01', importedAt: '', sourceFiles: [], counts, tables: [HCPCS_TABLE_FILE] };
}

let folders = 0;
/** Writes a table file (and a manifest.json with `counts`, when given) in a new folder; returns the folder. */
function tableDir(text: string, counts?: Record<string, number>): string {
  const dir = path.join(work.dir, `t${++folders}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, HCPCS_TABLE_FILE), text, 'utf8');
  if (counts !== undefined) writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifestFor(counts)));
  return dir;
}

async function loadError(dir: string, counts: Record<string, number>): Promise<ScrubError> {
  const error = await loadHcpcsTable(dir, manifestFor(counts)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScrubError);
  return error as ScrubError;
}

const UNKNOWN = ['', 'A042', 'A04250', 'a0425', 'A0425 ', ' A0425', 'G', '25', '95', 'ga', 'GA ', 'A0426', 'ZZ', 'E0114\t', 'code', 'constructor', '__proto__', 'toString'];

describe('the HCPCS table file', () => {
  it('is a header and one sorted tab-separated line per code or modifier', () => {
    const entries: HcpcsEntry[] = [
      { code: 'GA', kind: 'modifier', shortDescription: 'Waiver of liability stmt ind', added: '1995-01-01' },
      { code: 'G2012', kind: 'code', shortDescription: 'Brief chk by md/qhp 5-10 min', added: '2019-01-01', terminated: '2024-12-31' },
      { code: 'A0425', kind: 'code', shortDescription: 'Ground mileage' },
    ];
    const { tables, counts } = buildHcpcsTables(entries);
    expect(tables).toEqual({
      [HCPCS_TABLE_FILE]: `${HCPCS_TABLE_HEADER}\nA0425\tcode\t\t\tGround mileage\nG2012\tcode\t2019-01-01\t2024-12-31\tBrief chk by md/qhp 5-10 min\nGA\tmodifier\t1995-01-01\t\tWaiver of liability stmt ind\n`,
    });
    expect(counts).toEqual({ codes: 2, modifiers: 1, terminated: 1 });
  });

  it('round-trips the excerpt: loaded, it answers like the in-memory table', async () => {
    const { records } = parseHcpcsText(readFileSync(EXCERPT, 'latin1'));
    const { tables, counts } = buildHcpcsTables(records);
    expect(counts).toEqual({ codes: 16, modifiers: 16, terminated: 3 });
    const dir = tableDir(tables[HCPCS_TABLE_FILE] as string, counts);
    const loaded = await loadHcpcsTable(dir);
    const memory = createHcpcsTable(records);
    expect(loaded.rows).toBe(32);
    expect(memory.rows).toBe(32);
    for (const r of records) {
      expect(loaded.entryFor(r.code)).toStrictEqual(memory.entryFor(r.code));
      expect(loaded.entryFor(r.code)).toStrictEqual({ code: r.code, kind: r.kind, shortDescription: r.shortDescription, ...(r.added ? { added: r.added } : {}), ...(r.terminated ? { terminated: r.terminated } : {}) });
    }
    expect(loaded.entryFor('G2012')).toEqual({ code: 'G2012', kind: 'code', shortDescription: 'Brief chk by md/qhp 5-10 min', added: '2019-01-01', terminated: '2024-12-31' });
    expect(loaded.entryFor('XU')).toMatchObject({ kind: 'modifier', shortDescription: 'Unusual non-overlap service' });
    for (const unknown of UNKNOWN) {
      expect(loaded.entryFor(unknown), unknown).toBeUndefined();
      expect(memory.entryFor(unknown), unknown).toBeUndefined();
    }
  });

  it('hands out entries that cannot be changed', async () => {
    const { tables, counts } = buildHcpcsTables([{ code: 'A0425', kind: 'code', shortDescription: 'Ground mileage' }]);
    const loaded = await loadHcpcsTable(tableDir(tables[HCPCS_TABLE_FILE] as string), manifestFor(counts));
    const entry = loaded.entryFor('A0425') as HcpcsEntry;
    expect(() => {
      entry.terminated = '2020-01-01';
    }).toThrow(TypeError);
    expect(loaded.entryFor('A0425')?.terminated).toBeUndefined();
  });

  it('looks codes up like the in-memory table, for any entries', async () => {
    const letter = fc.constantFrom(...'ABCDEGJKLQ');
    const code = fc.stringMatching(/^[A-Z][0-9]{4}$/);
    const modifier = fc.stringMatching(/^[A-Z0-9]{2}$/);
    const date = fc.option(fc.date({ min: new Date('1980-01-01T00:00:00Z'), max: new Date('2035-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), { nil: undefined });
    const entry = fc
      .record({
        key: fc.oneof(code.map((c) => ({ code: c, kind: 'code' as const })), modifier.map((c) => ({ code: c, kind: 'modifier' as const }))),
        shortDescription: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 ,./()\-\u00e9\u00fc]{0,27}$/),
        added: date,
        terminated: date,
      })
      .map(({ key, shortDescription, added, terminated }) => {
        const e: HcpcsEntry = { ...key, shortDescription };
        if (added !== undefined) e.added = added;
        if (terminated !== undefined) e.terminated = terminated;
        return e;
      });
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(entry, { selector: (e) => e.code, maxLength: 60 }), fc.array(fc.oneof(code, modifier, letter), { maxLength: 30 }), async (entries, probes) => {
        const { tables, counts } = buildHcpcsTables(entries);
        const loaded = await loadHcpcsTable(tableDir(tables[HCPCS_TABLE_FILE] as string), manifestFor(counts));
        const memory = createHcpcsTable(entries);
        expect(loaded.rows).toBe(entries.length);
        for (const probe of [...entries.map((e) => e.code), ...probes]) expect(loaded.entryFor(probe)).toStrictEqual(memory.entryFor(probe));
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a damaged file, naming the line and column', async () => {
    const header = `${HCPCS_TABLE_HEADER}\n`;
    const a = 'A0425\tcode\t1995-01-01\t\tGround mileage\n';
    const e = 'E0114\tcode\t1994-01-01\t\tCrutch underarm pair no wood\n';
    const ga = 'GA\tmodifier\t1995-01-01\t\tWaiver of liability stmt ind\n';
    const counts = { codes: 2, modifiers: 1, terminated: 0 };
    const cases: [string, string, RegExp, number | undefined, number | undefined][] = [
      ['cut short', (header + a + e + ga).slice(0, -3), /does not end with a line feed/, undefined, undefined],
      ['no header', a + e + ga, /the first line must be the header/, 1, 1],
      ['unsorted', header + e + a + ga, /sorted and unique: A0425 comes after E0114/, 3, 1],
      ['a duplicate', header + a + a + ga, /sorted and unique/, 3, 1],
      ['four fields', header + a + 'E0114\tcode\t1994-01-01\tCrutch\n' + ga, /4 tab-separated fields, not 5/, 3, 1],
      ['an unknown kind', header + a + e.replace('\tcode\t', '\tcpt\t') + ga, /the kind must be code or modifier, found "cpt"/, 3, 7],
      ['a code that is not a code', header + a + e.replace('E0114', 'E011X') + ga, /"E011X" is not a HCPCS code/, 3, 1],
      ['a modifier marked as a code', header + a + e + ga.replace('\tmodifier\t', '\tcode\t'), /"GA" is not a HCPCS code/, 4, 1],
      ['a bad added date', header + a + e.replace('1994-01-01', '1994-02-30') + ga, /the added date must be YYYY-MM-DD or empty, found "1994-02-30"/, 3, 12],
      ['a bad termination date', header + a + e.replace('\t\tCrutch', '\t19941231\tCrutch') + ga, /the termination date must be YYYY-MM-DD or empty/, 3, 23],
      ['no short description', header + a + e.replace('Crutch underarm pair no wood', ' ') + ga, /the short description is missing/, 3, 24],
      ['CRLF line ends', (header + a + e + ga).replace(/\n/g, '\r\n'), /the first line must be the header/, 1, 1],
    ];
    for (const [name, text, message, line, column] of cases) {
      const error = await loadError(tableDir(text), counts);
      expect(error.code, name).toBe('SCRUB_ERR_DATA_INVALID');
      expect(error.problems[0]?.message, name).toMatch(message);
      expect(error.problems[0]?.position.line, name).toBe(line);
      expect(error.problems[0]?.position.column, name).toBe(column);
    }
  });

  it('refuses a file whose counts do not match the manifest, a missing file and a missing manifest', async () => {
    const { tables } = buildHcpcsTables([
      { code: 'A0425', kind: 'code', shortDescription: 'Ground mileage' },
      { code: 'GA', kind: 'modifier', shortDescription: 'Waiver', terminated: '2020-12-31' },
    ]);
    const text = tables[HCPCS_TABLE_FILE] as string;
    const error = await loadError(tableDir(text), { codes: 2, modifiers: 1, terminated: 0 });
    expect(error.problems.map((p) => p.message)).toEqual(['has 1 codes, the manifest says 2', 'has 1 terminated codes and modifiers, the manifest says 0']);
    const missing = await loadError(path.join(work.dir, 'nowhere'), { codes: 0, modifiers: 0, terminated: 0 });
    expect(missing.problems[0]?.message).toMatch(/cannot read the table: ENOENT/);
    await expect(loadHcpcsTable(tableDir(text))).rejects.toMatchObject({ code: 'SCRUB_ERR_DATA_INVALID', message: /cannot read the release manifest/ });
    await expect(loadHcpcsTable(tableDir(text, { codes: 1 }))).rejects.toMatchObject({ code: 'SCRUB_ERR_DATA_INVALID' });
    await expect(loadHcpcsTable(tableDir(text, { codes: 1, modifiers: 1, terminated: 1 }))).resolves.toMatchObject({ rows: 2 });
  });

  it('an in-memory table refuses a code given twice', () => {
    expect(() => createHcpcsTable([{ code: 'GA', kind: 'modifier', shortDescription: 'a' }, { code: 'GA', kind: 'modifier', shortDescription: 'b' }])).toThrow(/GA is given twice/);
  });
});

describe('reading a HCPCS release', () => {
  it('reads the excerpt: source file, counts, table and lines', async () => {
    const content = await readHcpcsRelease([EXCERPT]);
    expect(content.lines).toBe(56);
    expect(content.counts).toEqual({ codes: 16, modifiers: 16, terminated: 3 });
    expect(content.sourceFiles).toEqual([sourceFileOf(EXCERPT)]);
    expect(Object.keys(content.tables)).toEqual([HCPCS_TABLE_FILE]);
    const table = await loadHcpcsTable(tableDir(content.tables[HCPCS_TABLE_FILE] as string), manifestFor(content.counts));
    expect(table.entryFor('Q4101')).toMatchObject({ kind: 'code', shortDescription: 'Apligraf' });
  });

  it('refuses an unreadable file with SCRUB_ERR_INPUT_UNREADABLE', async () => {
    await expect(readHcpcsRelease(['/nonexistent/HCPC2026_JAN_ANWEB.txt'])).rejects.toMatchObject({ code: 'SCRUB_ERR_INPUT_UNREADABLE', message: /cannot read the HCPCS file \(ENOENT\)/ });
    await expect(readHcpcsRelease([work.dir])).rejects.toMatchObject({ code: 'SCRUB_ERR_INPUT_UNREADABLE', message: /EISDIR/ });
  });

  it('refuses a file with any malformed record, with every problem', async () => {
    const file = path.join(work.dir, 'bad.txt');
    writeFileSync(file, crlf([GA_LINE, put(A0425[0] ?? '', 1, 'a0425'), E0114_LINE, put(E0114_MORE, 6, '00000')]), 'latin1');
    const error = await readHcpcsRelease([file]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ScrubError);
    expect(error).toMatchObject({ code: 'SCRUB_ERR_DATA_INVALID', message: `${file}: 2 problems in the HCPCS file; nothing was imported` });
    expect((error as ScrubError).problems.map((p) => [p.position.file, p.position.line, p.position.column])).toEqual([
      [file, 2, 1],
      [file, 4, 6],
    ]);
  });

  it('takes exactly one file', async () => {
    await expect(readHcpcsRelease([])).rejects.toMatchObject({ code: 'SCRUB_ERR_USAGE', message: /none was given/ });
    await expect(readHcpcsRelease([EXCERPT, EXCERPT])).rejects.toMatchObject({ code: 'SCRUB_ERR_USAGE', message: /2 were given/ });
  });
});
