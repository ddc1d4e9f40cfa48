import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findSyntaxError, parseChunk, type RawChunk } from '../../engine/ingest/index.js';
import { CHAR_CLASS, C_CLOSE, C_OPEN, C_QUOTE } from '../../engine/ingest/syntax.js';
import { utf8 } from './fixtures/harness.js';

function chunk(format: RawChunk['format'], text: string | Uint8Array, claimCount: number, firstLine = 1): RawChunk {
  return { file: 'in.json', format, firstIndex: 0, claimCount, bytes: typeof text === 'string' ? utf8(text) : text, firstLine };
}

describe('parseChunk', () => {
  it('NDJSON: lines from firstLine, blank lines skipped, CR dropped from raw', () => {
    const items = parseChunk(chunk('ndjson', '{"a":1}\r\n \t\r\n\n{"a":\r\n[2]', 3, 40));
    expect(items).toEqual([
      { source: { file: 'in.json', line: 40 }, ok: true, value: { a: 1 } },
      {
        source: { file: 'in.json', line: 43 },
        ok: false,
        error: { message: expect.any(String) as string, line: 43, column: 6 },
        raw: '{"a":',
      },
      { source: { file: 'in.json', line: 44 }, ok: true, value: [2] },
    ]);
  });

  it('JSON: the error line and column are where the error is, inside a multi-line claim', () => {
    const items = parseChunk(chunk('json', '{\n  "a": 1,\n  "b": tru\n}', 1, 10));
    expect(items).toEqual([
      {
        source: { file: 'in.json', line: 10 },
        ok: false,
        error: { message: expect.any(String) as string, line: 12, column: 11 },
        raw: '{\n  "a": 1,\n  "b": tru\n}',
      },
    ]);
  });

  it('the column counts UTF-16 code units from the start of the line', () => {
    const [item] = parseChunk(chunk('ndjson', '{"név": "😀", x}', 1));
    expect(item).toMatchObject({ ok: false, error: { line: 1, column: 15 } });
  });

  it('invalid UTF-8 becomes U+FFFD, and never eats a delimiter', () => {
    const bytes = new Uint8Array([...utf8('{"a":"'), 0xe2, 0x82, ...utf8('"}\n{"b":'), 0xff, ...utf8('1}')]);
    const items = parseChunk(chunk('ndjson', bytes, 2));
    expect(items[0]).toMatchObject({ ok: true, value: { a: '\ufffd' } });
    expect(items[1]).toMatchObject({ ok: false, raw: '{"b":\ufffd1}' });
  });

  it('keeps a U+FEFF that starts a chunk: it is not the input BOM', () => {
    const items = parseChunk(chunk('ndjson', '\ufeff{"a":1}', 1, 7));
    expect(items).toMatchObject([{ ok: false, raw: '\ufeff{"a":1}', source: { line: 7 } }]);
  });

  it('a claim whose text is a JSON scalar is still an item', () => {
    expect(parseChunk(chunk('json', '42 "x" null', 3)).map((i) => i.ok && i.value)).toEqual([42, 'x', null]);
  });

  it('an empty chunk gives no items', () => {
    expect(parseChunk(chunk('json', '', 0))).toEqual([]);
    expect(parseChunk(chunk('ndjson', '\n\n', 0))).toEqual([]);
  });
});

describe('findSyntaxError', () => {
  it.each([
    ['{"a": }', 6],
    ['oops', 0],
    ['tru', 3],
    ['{"a":1,}', 7],
    ['[1,,2]', 3],
    ['{"a" 1}', 5],
    ['"\\x"', 2],
    ['"\\u12g4"', 5],
    ['01', 1],
    ['-', 1],
    ['1.e5', 2],
    ['{"a":1} x', 8],
    ['', 0],
    ['  ', 2],
    ['[1, 2', 5],
  ])('%j fails at %i', (text, offset) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(findSyntaxError(text)).toBe(offset);
  });

  it('finds nothing in valid JSON, including deep nesting', () => {
    for (const text of ['{}', '[]', ' 1 ', '-0.5E+3', '"\\u00e9\\n"', '{"a":[{"b":null},true,false]}', '['.repeat(5000) + ']'.repeat(5000)]) {
      expect(findSyntaxError(text)).toBeUndefined();
    }
  });

  it('agrees with JSON.parse on what is valid, and on where it fails when V8 says', () => {
    const text = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify(v, null, 1)),
      fc
        .array(fc.constantFrom('{', '}', '[', ']', '"', '\\', ',', ':', ' ', '\n', 'a', '1', '-', '.', 'e', 'true', 'null', '"k":', '\\u00', 'é'), {
          maxLength: 20,
        })
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(text, (s) => {
        let v8Offset: number | undefined;
        let valid = true;
        try {
          JSON.parse(s);
        } catch (error) {
          valid = false;
          const match = /at position (\d+)/.exec((error as Error).message);
          if (match) v8Offset = Number(match[1]);
        }
        const ours = findSyntaxError(s);
        expect(ours === undefined).toBe(valid);
        if (v8Offset !== undefined) expect(ours).toBe(v8Offset);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('syntax tables', () => {
  it('the hot-loop comparisons of the chunker match CHAR_CLASS', () => {
    for (let b = 0; b < 256; b++) {
      expect((b | 0x20) === 0x7b).toBe(CHAR_CLASS[b] === C_OPEN);
      expect((b | 0x20) === 0x7d).toBe(CHAR_CLASS[b] === C_CLOSE);
      expect(b === 0x22).toBe(CHAR_CLASS[b] === C_QUOTE);
    }
    expect(Buffer.from('{[}]"').every((b) => CHAR_CLASS[b] !== 0)).toBe(true);
  });
});
