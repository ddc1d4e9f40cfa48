import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderFileParser, parseOrderFile, parseOrderText, type OrderRow } from '../../engine/data/icd10cm/parse-order-file.js';
import { ORDER_2025, ORDER_2026, crlf, orderLine, pieces, put, row, sourceFileOf } from './helpers.js';

const E11 = row(1, 'E11', false);
const E119 = row(2, 'E119', true);
const I10 = row(3, 'I10', true);

/** Parses E11, E119 and `third` as line 3; returns the problems as `line:column message`. */
function problemsWithThirdLine(third: string): { line: number; column: number; message: string }[] {
  return parseOrderText(crlf([E11, E119, third]), 'f.txt').problems.map(({ line, column, message }) => ({ line, column, message }));
}

describe('the ICD-10-CM order file parser: valid files', () => {
  it('reads every row of the 2025 excerpt: code, flag, descriptions, order and line', () => {
    const text = readFileSync(ORDER_2025, 'utf8');
    const { rows, problems, lines } = parseOrderText(text, ORDER_2025);
    expect(problems).toEqual([]);
    expect(lines).toBe(39);
    expect(rows).toHaveLength(39);
    expect(rows.filter((r) => r.billable)).toHaveLength(24);
    expect(rows[1]).toEqual({ line: 2, order: 2, code: 'E11', billable: false, shortDescription: 'Type 2 diabetes mellitus', longDescription: 'Type 2 diabetes mellitus' });
    expect(rows.find((r) => r.code === 'E119')).toMatchObject({ billable: true, shortDescription: 'Type 2 diabetes mellitus without complications' });
    const fracture = rows.find((r) => r.code === 'S72001A');
    expect(fracture?.shortDescription).toBe('Fx unsp part of neck of right femur, init for clos fx');
    expect(fracture?.longDescription).toBe('Fracture of unspecified part of neck of right femur, initial encounter for closed fracture');
    expect(rows.map((r) => r.code)).toContain('R102');
    expect(rows.map((r) => r.code)).not.toContain('R10A1');
  });

  it('reads the 2026 excerpt, which adds R10A / R10A1 and leaves R102 out', () => {
    const { rows, problems } = parseOrderText(readFileSync(ORDER_2026, 'utf8'), ORDER_2026);
    expect(problems).toEqual([]);
    expect(rows).toHaveLength(40);
    const codes = rows.map((r) => r.code);
    expect(codes).toEqual(expect.arrayContaining(['R10A', 'R10A1', 'Z20822', 'E11', 'E119']));
    expect(codes).not.toContain('R102');
  });

  it('reads CRLF and LF alike, and a last line without a line end', () => {
    const withCrlf = readFileSync(ORDER_2025, 'utf8');
    expect(withCrlf).toContain('\r\n');
    const withLf = withCrlf.replace(/\r\n/g, '\n');
    const expected = parseOrderText(withCrlf).rows;
    expect(parseOrderText(withLf).rows).toEqual(expected);
    expect(parseOrderText(withLf.trimEnd()).rows).toEqual(expected);
    expect(parseOrderText(withCrlf.slice(0, -2)).rows).toEqual(expected);
  });

  it('allows blank lines at the end of the file', () => {
    const result = parseOrderText(`${crlf([E11, E119, I10])}\r\n   \r\n\n`);
    expect(result.problems).toEqual([]);
    expect(result.rows.map((r) => r.code)).toEqual(['E11', 'E119', 'I10']);
    expect(result.lines).toBe(6);
  });

  it('skips a byte order mark at the start', () => {
    expect(parseOrderText(`\uFEFF${crlf([E11, E119])}`).problems).toEqual([]);
  });

  it('gives the same result however the text is split into pieces (even between CR and LF)', () => {
    const text = readFileSync(ORDER_2025, 'utf8');
    const whole = parseOrderText(text);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 40 }), (cuts) => {
        const parser = new OrderFileParser('<text>');
        for (const piece of pieces(text, cuts)) parser.push(piece);
        expect(parser.end()).toEqual(whole);
      }),
      { numRuns: 200 },
    );
  });

  it('streams a file, hashing it in the same pass', async () => {
    const parsed = await parseOrderFile(ORDER_2026);
    expect(parsed.problems).toEqual([]);
    expect(parsed.rows).toEqual(parseOrderText(readFileSync(ORDER_2026, 'utf8'), ORDER_2026).rows);
    expect(parsed.source).toEqual(sourceFileOf(ORDER_2026));
  });

  it('rejects when the file cannot be read', async () => {
    await expect(parseOrderFile('/nonexistent/icd10cm_order.txt')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('the ICD-10-CM order file parser: malformed rows, each with its line and column', () => {
  const cases: [string, string, number, RegExp][] = [
    ['a letter in the order number', put(I10, 4, 'x'), 4, /order number \(columns 1-5\) must be 5 digits, found "000x3"/],
    ['column 6 not blank', put(I10, 6, '9'), 6, /column 6 must be blank/],
    ['a code written with its dot', row(3, 'E11.9', true), 10, /"E11\.9" must be written without its dot/],
    ['a lower-case letter', row(3, 'i10', true), 7, /character 1 must be a capital letter/],
    ['a letter where a digit goes', row(3, 'IA0', true), 8, /character 2 must be a digit, found "A"/],
    ['a code not left-justified', put(I10, 7, ' I10   '), 7, /character 1 must be a capital letter \(the code is left-justified/],
    ['a code too short', row(3, 'I1', true), 9, /"I1" is too short/],
    ['no code', put(I10, 7, '       '), 7, /the code \(columns 7-13\) is missing/],
    ['a space inside the code', row(3, 'I1 0', true), 9, /character 3 must be a digit or a capital letter \(a code has no spaces inside it\)/],
    ['column 14 not blank', put(I10, 14, 'X'), 14, /column 14 must be blank/],
    ['a flag that is not 0 or 1', put(I10, 15, '2'), 15, /flag \(column 15\) must be 1 \(billable\) or 0 \(header\), found "2"/],
    ['column 16 not blank', put(I10, 16, 'x'), 16, /column 16 must be blank/],
    ['no short description', put(I10, 17, ' '.repeat(60)), 17, /short description \(columns 17-76\) is missing/],
    ['a short description over 60 characters', put(I10, 77, 'x'), 77, /column 77 must be blank/],
    ['no long description (blanks)', `${I10.slice(0, 77)}   `, 78, /long description \(column 78 on\) is missing/],
    ['a line cut short', I10.slice(0, 30), 31, /the line ends at column 30/],
    ['a line ending before the long description', I10.slice(0, 77), 78, /the line ends at column 77/],
    ['a tab', put(I10, 20, '\t'), 20, /tab character/],
    ['a carriage return inside the line', put(I10, 40, '\r'), 40, /carriage return inside the line/],
  ];
  for (const [name, line, column, message] of cases) {
    it(`reports ${name} at line 3, column ${column}`, () => {
      const problems = problemsWithThirdLine(line);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatchObject({ line: 3, column });
      expect(problems[0]?.message).toMatch(message);
    });
  }

  it('names the file in every problem and leaves malformed rows out of the rows', () => {
    const result = parseOrderText(crlf([E11, E119, row(3, 'i10', true)]), 'orders/icd10cm_order_2026.txt');
    expect(result.problems[0]?.file).toBe('orders/icd10cm_order_2026.txt');
    expect(result.rows.map((r) => r.code)).toEqual(['E11', 'E119']);
  });

  it('refuses a duplicate code, naming the line it is first on', () => {
    expect(problemsWithThirdLine(row(3, 'E119', true))).toEqual([{ line: 3, column: 7, message: 'duplicate code E119: it is on line 2 already' }]);
  });

  it('refuses a duplicate order number', () => {
    expect(problemsWithThirdLine(row(2, 'I10', true))).toEqual([{ line: 3, column: 1, message: 'duplicate order number 00002: it is on line 2 already' }]);
  });

  it('refuses a blank line between rows', () => {
    const { problems } = parseOrderText(crlf([E11, E119, '', '  ', I10]));
    expect(problems.map((p) => [p.line, p.column])).toEqual([
      [3, 1],
      [4, 1],
    ]);
    expect(problems[0]?.message).toMatch(/blank line between rows/);
  });

  it('refuses a header with no code below it, in the middle or at the end', () => {
    const middle = parseOrderText(crlf([row(1, 'E11', false), row(2, 'I10', true)])).problems;
    expect(middle).toEqual([expect.objectContaining({ line: 1, column: 15, message: expect.stringMatching(/E11 is flagged header \(0\) but has no codes below it \(the next row, I10, is not below it\)/) })]);
    const last = parseOrderText(crlf([row(1, 'I10', true), row(2, 'E11', false)])).problems;
    expect(last).toEqual([expect.objectContaining({ line: 2, column: 15, message: expect.stringMatching(/it is the last row/) })]);
  });

  it('refuses a billable code with codes below it', () => {
    const { problems } = parseOrderText(crlf([row(1, 'E11', true), row(2, 'E119', true)]));
    expect(problems).toEqual([expect.objectContaining({ line: 1, column: 15, message: expect.stringMatching(/E11 is flagged billable \(1\) but has codes below it \(E119 on the next line\)/) })]);
  });

  it('refuses an empty file', () => {
    expect(parseOrderText('', 'empty.txt').problems).toEqual([{ file: 'empty.txt', line: 1, column: 1, message: 'no rows: the file is empty' }]);
    expect(parseOrderText('\r\n\r\n').problems).toHaveLength(1);
  });

  it('collects every problem of every row, in line order', () => {
    const text = crlf([E11, row(2, 'e119', true), put(row(3, 'I10', true), 15, 'Y'), row(4, 'E785', true), row(5, 'E785', true), put(row(6, 'K219', true), 1, 'A')]);
    const { problems, rows } = parseOrderText(text);
    expect(problems.map((p) => `${p.line}:${p.column}`)).toEqual(['2:7', '3:15', '5:7', '6:1']);
    expect(rows.map((r) => r.code)).toEqual(['E11', 'E785']);
  });
});

describe('the ICD-10-CM order file parser: property', () => {
  const letter = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
  const alnum = fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ');
  const category = fc.tuple(letter, fc.integer({ min: 0, max: 9 }), alnum).map(([a, b, c]) => `${a}${b}${c}`);
  const suffixes = fc.integer({ min: 1, max: 4 }).chain((length) => fc.uniqueArray(fc.array(alnum, { minLength: length, maxLength: length }).map((c) => c.join('')), { minLength: 1, maxLength: 4 }));
  /** A category, billable alone or a header followed by billable codes below it (the real file's structure). */
  const group = fc.record({ category, children: fc.oneof(fc.constant([] as string[]), suffixes) });
  const word = fc.stringMatching(/^[A-Za-z0-9,.()'/\-éü]{1,10}$/);
  const words = (max: number) =>
    fc
      .array(word, { minLength: 1, maxLength: 12 })
      .map((w) => w.join(' '))
      .filter((text) => text.length <= max);

  it('parses back exactly any list of valid rows laid out in the order-file format', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(group, { selector: (g) => g.category, minLength: 1, maxLength: 20 }),
        fc.infiniteStream(fc.tuple(words(60), words(300))),
        fc.constantFrom('\r\n', '\n'),
        fc.integer({ min: 0, max: 2 }),
        fc.boolean(),
        (groups, descriptions, newline, blankLines, endsWithNewline) => {
          const codes: { code: string; billable: boolean }[] = [];
          for (const { category: c, children } of groups) {
            codes.push({ code: c, billable: children.length === 0 });
            for (const suffix of children) codes.push({ code: c + suffix, billable: true });
          }
          const texts = descriptions.take(codes.length);
          const expected: OrderRow[] = codes.map(({ code, billable }, i) => {
            const [shortDescription, longDescription] = texts.next().value as [string, string];
            return { line: i + 1, order: i + 1, code, billable, shortDescription, longDescription };
          });
          let text = expected.map((r) => orderLine(r)).join(newline);
          if (endsWithNewline) text += newline;
          text += newline.repeat(blankLines);
          const result = parseOrderText(text);
          expect(result.problems).toEqual([]);
          expect(result.rows).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
