import { describe, expect, it } from 'vitest';
import { FormatDetector, detectFormat } from '../../engine/ingest/index.js';
import { collect, utf8 } from './fixtures/harness.js';

const BOM = '\ufeff';

describe('detectFormat', () => {
  it.each([
    ['compact single object: NDJSON of one line', '{"claimId":"A1","lines":[1,2]}', 'ndjson'],
    ['compact single object with a trailing newline', '{"claimId":"A1"}\n', 'ndjson'],
    ['one object per line', '{"a":1}\n{"b":2}\n', 'ndjson'],
    ['CRLF lines', '{"a":1}\r\n{"b":2}\r\n', 'ndjson'],
    ['first line balanced but invalid', '{"a": }\n{"b":2}\n', 'ndjson'],
    ['first line a scalar', '42\n{"b":2}\n', 'ndjson'],
    ['first line with trailing spaces', '{"a":1}  \t\r\n', 'ndjson'],
    ['braces inside strings do not count', '{"a":"}{]["}\n{"b":2}', 'ndjson'],
    ['escaped quotes inside strings', '{"a":"x\\"}\\\\"}\n', 'ndjson'],
    ['pretty single object', '{\n  "claimId": "A1"\n}\n', 'json'],
    ['pretty array', '[\n  {\n    "a": 1\n  }\n]\n', 'json'],
    ['compact array', '[{"a":1},{"b":2}]', 'json'],
    ['array of one-line objects', '[\n{"a":1},\n{"b":2}\n]', 'json'],
    ['concatenated documents on one line', '{"a":1}{"b":2}', 'json'],
    ['two documents on the first line', '{"a":1} {"b":2}\n', 'json'],
    ['concatenated pretty documents', '{\n "a": 1\n}\n{\n "b": 2\n}\n', 'json'],
    ['unbalanced first line', '{"a": [1,\n2]}\n', 'json'],
    ['newline inside a string of the first value', '{"a":"x\ny"}\n', 'json'],
    ['truncated single object', '{"a":', 'json'],
    ['BOM then NDJSON', `${BOM}{"a":1}\n`, 'ndjson'],
    ['BOM then array', `${BOM}[{"a":1}]`, 'json'],
    ['BOM then pretty object', `${BOM}{\n"a":1}`, 'json'],
    ['leading blank lines then NDJSON', '\n\n  \r\n\t{"a":1}\n{"b":2}', 'ndjson'],
    ['leading blank lines then array', '\n \n  [ ]', 'json'],
    ['leading blank lines then pretty object', '\r\n\r\n{\r\n"a":1\r\n}', 'json'],
  ] as const)('%s', (_name, input, expected) => {
    expect(detectFormat(utf8(input))).toBe(expected);
  });

  it.each([[''], ['   '], ['\n\r\n\t '], [BOM], [`${BOM}\n \n`]])('finds nothing in %j', (input) => {
    expect(detectFormat(utf8(input))).toBeUndefined();
  });

  it('decides after as few bytes as it needs, fed one byte at a time', () => {
    const detector = new FormatDetector();
    const bytes = utf8('\n\n{"a":[1,{"b":"}"}]}\n{"rest": "never looked at"');
    let decidedAt = -1;
    for (let i = 0; i < bytes.length; i++) {
      const detection = detector.push(bytes.subarray(i, i + 1));
      if (detection) {
        decidedAt = i;
        expect(detection.format).toBe('ndjson');
        expect(detection.layout).toBe('ndjson');
        expect(detection.startLine).toBe(3);
        break;
      }
    }
    expect(decidedAt).toBe(bytes.indexOf(10, 2)); // the newline after the first value
  });

  it('tells an array from documents', () => {
    const detect = (input: string) => {
      const detector = new FormatDetector();
      return (detector.push(utf8(input)) ?? detector.finish())?.layout;
    };
    expect(detect(' [1]')).toBe('array');
    expect(detect('{\n}')).toBe('documents');
    expect(detect('{}')).toBe('ndjson');
  });

  it('a byte sequence that only starts like a BOM is content', async () => {
    // EF BB 41: not a BOM, so it is garbage (a bare token), followed by a claim.
    const bytes = new Uint8Array([0xef, 0xbb, 0x41, 0x0a, ...utf8('{"a":1}\n')]);
    expect(detectFormat(bytes)).toBe('ndjson');
    const { items } = await collect(bytes, {}, [1]);
    expect(items).toHaveLength(2);
    expect(items[0]).toMatchObject({ ok: false, source: { line: 1 } });
    expect(items[1]).toMatchObject({ ok: true, value: { a: 1 }, source: { line: 2 } });
  });
});

describe('format detection inside chunkInput', () => {
  it.each([
    ['pretty single object', '{\n  "claimId": "A1",\n  "lines": [\n    1\n  ]\n}\n', 'json', [1]],
    ['compact single object', '{"claimId":"A1","lines":[1]}', 'ndjson', [1]],
    ['pretty array', '[\n  {\n    "a": 1\n  },\n  {\n    "b": 2\n  }\n]\n', 'json', [2, 5]],
    ['compact array', '[{"a":1},{"b":2}]', 'json', [1, 1]],
    ['concatenated documents', '{"a":1}{"b":2}\n{\n"c":3}', 'json', [1, 1, 2]],
    ['BOM then NDJSON', `${BOM}{"a":1}\n{"b":2}`, 'ndjson', [1, 2]],
    ['BOM then array', `${BOM}[{"a":1},\n{"b":2}]`, 'json', [1, 2]],
    ['leading blank lines', '\n\r\n   \n{"a":1}\n\n{"b":2}\n', 'ndjson', [4, 6]],
    ['leading blank lines before a pretty object', '\n\n{\n"a":1\n}', 'json', [3]],
  ] as const)('%s', async (_name, input, format, lines) => {
    for (const sizes of [undefined, [1], [2, 3, 5]]) {
      const { chunks, items } = await collect(input, {}, sizes);
      expect(chunks.map((c) => c.format)).toEqual(chunks.map(() => format));
      expect(items.map((item) => item.source.line)).toEqual(lines);
      expect(items.every((item) => item.ok)).toBe(true);
    }
  });
});
