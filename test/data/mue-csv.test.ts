import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvReader, readCsv, type CsvRecord } from '../../engine/data/mue/csv.js';
import { pieces } from './helpers.js';

/** The records as cell texts. */
function texts(text: string): string[][] {
  return readCsv(text).records.map((record) => record.cells.map((cell) => cell.text));
}

/** The syntax problems as `line:column message`. */
function problems(text: string): string[] {
  return readCsv(text).problems.map((p) => `${p.line}:${p.column} ${p.message}`);
}

describe('the CSV reader: RFC 4180', () => {
  it('reads quoted cells with commas, doubled quotes and line breaks', () => {
    expect(texts('a,"b,c","say ""hi""","two\r\nlines"\r\n"",x\r\n')).toEqual([
      ['a', 'b,c', 'say "hi"', 'two\r\nlines'],
      ['', 'x'],
    ]);
  });

  it('places each record and cell at its line and column, even after a cell that spans lines', () => {
    const { records } = readCsv('"HCPCS/\nCPT Code",Values\n99213,"1"\n');
    expect(records.map((r) => r.line)).toEqual([1, 3]);
    expect(records[0]?.cells.map((c) => [c.line, c.column, c.quoted])).toEqual([
      [1, 1, true],
      [2, 11, false],
    ]);
    expect(records[1]?.cells.map((c) => [c.line, c.column, c.quoted])).toEqual([
      [3, 1, false],
      [3, 7, true],
    ]);
    expect(records[1]?.end).toEqual({ line: 3, column: 10 });
  });

  it('reads CRLF and LF alike, and a last line without a line end', () => {
    const expected = [['a', 'b'], ['c', 'd']];
    expect(texts('a,b\r\nc,d\r\n')).toEqual(expected);
    expect(texts('a,b\nc,d\n')).toEqual(expected);
    expect(texts('a,b\nc,d')).toEqual(expected);
    expect(texts('a,b\r\nc,"d"')).toEqual(expected);
    expect(readCsv('a,b\r\nc,d').lines).toBe(2);
    expect(readCsv('a,b\r\nc,d\r\n').lines).toBe(2);
  });

  it('reads an empty line as a record with one empty cell, and a trailing comma as an empty last cell', () => {
    expect(texts('a\n\nb,\n,\n')).toEqual([['a'], [''], ['b', ''], ['', '']]);
    expect(texts('a,')).toEqual([['a', '']]);
    expect(texts('')).toEqual([]);
  });

  it('skips a byte order mark without moving the columns', () => {
    const { records } = readCsv('\uFEFFa,b\n');
    expect(records[0]?.cells.map((c) => [c.text, c.column])).toEqual([
      ['a', 1],
      ['b', 3],
    ]);
  });

  it('reports a quote inside an unquoted cell, text after a closing quote, an unclosed quote and a lone CR', () => {
    expect(problems('ab"c,d\n')).toEqual(['1:3 quote inside a cell that does not start with one: quote the whole cell and double the quotes inside it ("5"" long")']);
    expect(problems('x\n"ab"c,d\n')).toEqual(['2:5 text after the closing quote of a cell: a quoted cell ends with its quote, then a comma or the line end']);
    expect(problems('x\ny,"ab,\ncd\n')).toEqual(['2:3 the quoted cell that starts here is not closed: the file ends inside its quotes (a closing " is missing)']);
    expect(problems('a,b\rc,d\n')).toEqual(['1:4 carriage return without a line feed: line ends must be CRLF or LF']);
    expect(problems('a,b\r')).toEqual(['1:4 carriage return without a line feed: line ends must be CRLF or LF']);
    // The reader goes on: the text is kept and the records still come.
    expect(texts('ab"c,d\n"ab"c,d\n')).toEqual([
      ['ab"c', 'd'],
      ['abc', 'd'],
    ]);
    expect(texts('a,b\rc,d\n')).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('a lone CR inside quotes is text, not a line end', () => {
    const { records, problems: found } = readCsv('"a\rb",c\nd\n');
    expect(found).toEqual([]);
    expect(records.map((r) => [r.line, r.cells.map((c) => c.text)])).toEqual([
      [1, ['a\rb', 'c']],
      [2, ['d']],
    ]);
  });
});

/** A cell as an RFC 4180 writer would put it: quoted when it must be (or when asked), quotes doubled. */
function serializeCell(text: string, forceQuotes: boolean): string {
  return forceQuotes || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Expected line and column of the character at `offset` of `text`: lines end at LF, or at a CR outside quotes (none here: every CR is quoted). */
function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

describe('the CSV reader: properties', () => {
  const cellText = fc.stringMatching(/^[a-z0-9 ",\r\n]{0,12}$/);
  const record = fc.array(fc.tuple(cellText, fc.boolean()), { minLength: 1, maxLength: 5 });

  it('reads back any records written RFC 4180 style, with every record and cell at its place', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 12 }), fc.constantFrom('\r\n', '\n'), fc.boolean(), (records, newline, endsWithNewline) => {
        let text = '';
        const expected: { line: number; cells: { text: string; line: number; column: number }[] }[] = [];
        const starts: number[][] = [];
        records.forEach((cells, r) => {
          if (r > 0) text += newline;
          const offsets: number[] = [];
          cells.forEach(([cell, forceQuotes], c) => {
            if (c > 0) text += ',';
            offsets.push(text.length);
            // A record of one empty cell must be quoted, or it would be an empty last line.
            text += serializeCell(cell, forceQuotes || (cells.length === 1 && cell === ''));
          });
          starts.push(offsets);
        });
        if (endsWithNewline) text += newline;
        records.forEach((cells, r) => {
          const positions = (starts[r] ?? []).map((offset) => positionOf(text, offset));
          expected.push({
            line: positions[0]?.line ?? 0,
            cells: cells.map(([cell], c) => ({ text: cell, ...(positions[c] ?? { line: 0, column: 0 }) })),
          });
        });
        const result = readCsv(text);
        expect(result.problems).toEqual([]);
        expect(result.records.map((rec) => ({ line: rec.line, cells: rec.cells.map(({ text: t, line, column }) => ({ text: t, line, column })) }))).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('gives the same records and problems however the text is split into pieces', () => {
    const text = '"n\r\no""te",,\r\n"HCPCS/\r\nCPT Code",v\r\na"b,"c"d\r\n99213,1\r\x00\n"open';
    const whole = readCsv(text);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 30 }), (cuts) => {
        const records: CsvRecord[] = [];
        const reader = new CsvReader('<text>', (r) => records.push(r));
        for (const piece of pieces(text, cuts)) reader.push(piece);
        expect({ records, problems: reader.end(), lines: reader.lines }).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });
});
