import { Buffer } from 'node:buffer';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ScrubError } from '../../engine/errors.js';
import { chunkInput, inputName, openInput, parseChunk, type ParsedItem } from '../../engine/ingest/index.js';
import { FILE, collect, inPieces, summarize, text, utf8 } from './fixtures/harness.js';

const SPLITS: (readonly number[] | undefined)[] = [undefined, [1], [2], [3, 1, 4, 1, 5], [7, 0, 13]];

/** Every way of feeding `input` gives the same items. */
async function itemsOf(input: string, options = {}) {
  const reference = await collect(input, options);
  for (const sizes of SPLITS) {
    const again = await collect(input, options, sizes);
    expect(summarize(again.items)).toEqual(summarize(reference.items));
  }
  return reference.items;
}

function failure(item: ParsedItem | undefined) {
  if (!item || item.ok) throw new Error(`expected a failed item, got ${JSON.stringify(item)}`);
  return item;
}

describe('NDJSON', () => {
  it('gives one claim per line, with exact line numbers', async () => {
    const items = await itemsOf('{"id":1}\n{"id":2}\n{"id":3}\n');
    expect(items).toEqual([
      { source: { file: FILE, line: 1 }, ok: true, value: { id: 1 } },
      { source: { file: FILE, line: 2 }, ok: true, value: { id: 2 } },
      { source: { file: FILE, line: 3 }, ok: true, value: { id: 3 } },
    ]);
  });

  it('skips blank and whitespace-only lines but counts them, with CRLF and LF mixed', async () => {
    const input = '{"id":1}\r\n\r\n   \n\t\r\n{"id":2}\n\n{"id":3}\r\n \n';
    const items = await itemsOf(input);
    expect(items.map((i) => [i.source.line, i.ok && i.value])).toEqual([
      [1, { id: 1 }],
      [5, { id: 2 }],
      [7, { id: 3 }],
    ]);
  });

  it('reads a last line without a newline', async () => {
    const items = await itemsOf('{"id":1}\n{"id":2}');
    expect(items.map((i) => i.ok && i.value)).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('keeps multi-byte characters and escapes intact across every read boundary', async () => {
    const claims = [{ name: 'Zoë Ñúñez 😀 中文' }, { note: 'quote \" and backslash \\ and \\" ' }, { s: '\u2028\u2029' }];
    const input = claims.map((c) => JSON.stringify(c)).join('\r\n');
    const items = await itemsOf(input, { claimsPerChunk: 1 });
    expect(items.map((i) => i.ok && i.value)).toEqual(claims);
  });

  it('turns a line that is not JSON into a failed item with line and column, and goes on', async () => {
    const items = await itemsOf('{"id":1}\n{"id": }\n\n{"id":3,}\noops\n{"id":4}\n');
    expect(items).toHaveLength(5);
    expect(failure(items[1])).toMatchObject({
      source: { line: 2 },
      error: { line: 2, column: 8 },
      raw: '{"id": }',
    });
    expect(failure(items[1]).error.message).toMatch(/Unexpected token/);
    expect(failure(items[2])).toMatchObject({ source: { line: 4 }, error: { line: 4, column: 9 }, raw: '{"id":3,}' });
    expect(failure(items[3])).toMatchObject({ source: { line: 5 }, error: { line: 5, column: 1 }, raw: 'oops' });
    expect(items[4]).toMatchObject({ ok: true, value: { id: 4 }, source: { line: 6 } });
  });

  it('reports the column from JSON.parse position, without the CR', async () => {
    const items = await itemsOf('{"a":1}\r\n{"a":1 "b":2}\r\n');
    expect(failure(items[1])).toMatchObject({ raw: '{"a":1 "b":2}', error: { line: 2, column: 8 } });
    expect(failure(items[1]).error.message).toMatch(/position 7/);
  });

  it('a truncated last line is a failed item', async () => {
    const items = await itemsOf('{"id":1}\n{"id":2,"name":"Ab');
    expect(items).toHaveLength(2);
    expect(failure(items[1])).toMatchObject({ source: { line: 2 }, raw: '{"id":2,"name":"Ab' });
  });

  it('cuts chunks of claimsPerChunk claims, starting on the right line', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: i }));
    const input = lines.join('\n\n') + '\n\n\n';
    for (const sizes of SPLITS) {
      const { chunks, items } = await collect(input, { claimsPerChunk: 3 }, sizes);
      expect(chunks.map((c) => c.claimCount)).toEqual([3, 3, 3, 1]);
      expect(chunks.map((c) => c.firstIndex)).toEqual([0, 3, 6, 9]);
      expect(chunks.map((c) => c.firstLine)).toEqual([1, 7, 13, 19]);
      // A chunk starts at its first claim and ends after its last claim's newline.
      expect(text(chunks[0]!)).toBe(`${lines[0]}\n\n${lines[1]}\n\n${lines[2]}\n`);
      expect(text(chunks[3]!)).toBe(`${lines[9]}\n`);
      expect(items.map((i) => i.source.line)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    }
  });

  it('cuts a chunk as soon as it reaches maxChunkBytes', async () => {
    const line = JSON.stringify({ pad: 'x'.repeat(90) }); // 100 bytes + newline
    const input = `${line}\n`.repeat(10);
    const { chunks } = await collect(input, { claimsPerChunk: 100, maxChunkBytes: 300 }, [64]);
    expect(chunks.map((c) => c.claimCount)).toEqual([3, 3, 3, 1]);
    expect(chunks.map((c) => c.bytes.length)).toEqual([303, 303, 303, 101]);
    // A claim bigger than the limit is a chunk of its own.
    const big = await collect(input, { maxChunkBytes: 50 }, [7]);
    expect(big.chunks.map((c) => c.claimCount)).toEqual(Array(10).fill(1));
  });

  it('does not keep blank lines after the last claim of a chunk', async () => {
    const input = '{"a":1}\n' + ' \n'.repeat(1000) + '{"a":2}\n' + '\n'.repeat(50);
    const { chunks, items } = await collect(input, { maxChunkBytes: 100 }, [33]);
    expect(chunks.map((c) => text(c))).toEqual(['{"a":1}\n', '{"a":2}\n']);
    expect(items.map((i) => i.source.line)).toEqual([1, 1002]);
  });

  it('handles a single claim far larger than a read', async () => {
    const huge = JSON.stringify({ id: 'big', blob: 'é'.repeat(1_500_000), esc: '\\"'.repeat(1000) });
    const input = `{"id":1}\n${huge}\n{"id":3}`;
    const { chunks, items } = await collect(input, { claimsPerChunk: 2, maxChunkBytes: 1000 }, [65_536, 1]);
    // The first claim is under the limit, the huge one takes the chunk past it.
    expect(chunks.map((c) => c.claimCount)).toEqual([2, 1]);
    expect(items.map((i) => i.ok && (i.value as { id: unknown }).id)).toEqual([1, 'big', 3]);
    expect(items.map((i) => i.source.line)).toEqual([1, 2, 3]);
  });
});

describe('JSON arrays', () => {
  it('gives one claim per element, with the line each element starts on', async () => {
    const input = '[\n  {\n    "id": 1\n  },\n  {"id": 2}, {"id": 3},\n\n  {\n    "id": [4]\n  }\n]\n';
    const items = await itemsOf(input, { claimsPerChunk: 2 });
    expect(items.map((i) => [i.source.line, i.ok && i.value])).toEqual([
      [2, { id: 1 }],
      [5, { id: 2 }],
      [5, { id: 3 }],
      [7, { id: [4] }],
    ]);
  });

  it('counts CRLF lines', async () => {
    const items = await itemsOf('[\r\n{"id":1},\r\n\r\n{"id":2}\r\n]');
    expect(items.map((i) => i.source.line)).toEqual([2, 4]);
  });

  it('keeps scalar elements, strings with brackets and escapes', async () => {
    const input = '[1, -2.5e3, true, null, "a]b}c", "q\\"]", "\\\\", {"k": "[{\\"}"}, [1, [2]]]';
    const items = await itemsOf(input, { claimsPerChunk: 3 });
    expect(items.map((i) => i.ok && i.value)).toEqual([1, -2500, true, null, 'a]b}c', 'q"]', '\\', { k: '[{"}' }, [1, [2]]]);
  });

  it('an empty array or blank input gives no chunks', async () => {
    for (const input of ['', '   \n\n', '[]', ' [ \n ] \n', '\ufeff', '\ufeff[]']) {
      for (const sizes of SPLITS) {
        const { chunks } = await collect(input, {}, sizes);
        expect(chunks).toEqual([]);
      }
    }
  });

  it('an element that fails to parse is a failed item with its line and column', async () => {
    const input = '[\n{"id":1},\n{\n  "id": 2,\n  "name": }\n,{"id":3}]';
    const items = await itemsOf(input);
    expect(items).toHaveLength(3);
    expect(failure(items[1])).toMatchObject({
      source: { line: 3 },
      error: { line: 5, column: 11 },
      raw: '{\n  "id": 2,\n  "name": }',
    });
    expect(items[2]).toMatchObject({ ok: true, value: { id: 3 }, source: { line: 6 } });
  });

  it('stray garbage between elements is its own failed item', async () => {
    const items = await itemsOf('[ {"id":1}, oops, {"id":2} }, 12abc {"id":3} ]');
    expect(items.map((i) => (i.ok ? i.value : i.raw))).toEqual([{ id: 1 }, 'oops', { id: 2 }, '}', '12abc', { id: 3 }]);
    expect(items.map((i) => i.ok)).toEqual([true, false, true, false, false, true]);
  });

  it('tolerates missing, doubled and trailing commas', async () => {
    const items = await itemsOf('[,{"id":1} {"id":2},,{"id":3},]');
    expect(items.map((i) => i.ok && i.value)).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('a file truncated inside an element ends with one failed item', async () => {
    const input = '[\n{"id":1},\n{"id":2,\n "name":"Ab';
    const items = await itemsOf(input);
    expect(items).toHaveLength(2);
    expect(failure(items[1])).toEqual({
      source: { file: FILE, line: 3 },
      ok: false,
      error: { message: 'input ends inside a claim that starts at line 3', line: 4, column: 12 },
      raw: '{"id":2,\n "name":"Ab',
    });
  });

  it('truncated inside a string, after an escape', async () => {
    const items = await itemsOf('[{"id":1},"abc\\');
    expect(failure(items[1]).error.message).toBe('input ends inside a claim that starts at line 1');
  });

  it('a file truncated between elements loses no claim', async () => {
    const items = await itemsOf('[{"id":1},\n{"id":2},');
    expect(items.map((i) => i.ok && i.value)).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('text after the array is split like documents; another array is more claims', async () => {
    const items = await itemsOf('[{"id":1}]\n[{"id":2}, {"id":3}] {"id":4} junk');
    expect(items.map((i) => (i.ok ? i.value : i.raw))).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }, { id: 4 }, 'junk']);
    expect(items.map((i) => i.source.line)).toEqual([1, 2, 2, 2, 2]);
  });

  it('respects claimsPerChunk and maxChunkBytes', async () => {
    const element = JSON.stringify({ pad: 'y'.repeat(40) }); // 50 bytes
    const input = `[${Array(9).fill(element).join(',\n')}]`;
    for (const sizes of SPLITS) {
      const byCount = await collect(input, { claimsPerChunk: 4 }, sizes);
      expect(byCount.chunks.map((c) => c.claimCount)).toEqual([4, 4, 1]);
      expect(byCount.chunks.map((c) => c.firstLine)).toEqual([1, 5, 9]);
      expect(text(byCount.chunks[0]!)).toBe(Array(4).fill(element).join(',\n'));
      const bySize = await collect(input, { maxChunkBytes: 100 }, sizes);
      // 50 + 2 + 50 = 102 >= 100 after the second element.
      expect(bySize.chunks.map((c) => c.claimCount)).toEqual([2, 2, 2, 2, 1]);
      expect(bySize.chunks.map((c) => c.bytes.length)).toEqual([102, 102, 102, 102, 50]);
    }
  });

  it('a chunk does not keep the whitespace after its last element', async () => {
    const input = `[{"a":1}${' '.repeat(5000)},${'\n'.repeat(100)}{"a":2}]`;
    const { chunks, items } = await collect(input, { maxChunkBytes: 1000 }, [512]);
    expect(chunks.map((c) => text(c))).toEqual(['{"a":1}', '{"a":2}']);
    expect(items.map((i) => i.source.line)).toEqual([1, 101]);
  });
});

describe('JSON documents', () => {
  it('gives one claim per top-level value', async () => {
    const input = '{\n  "id": 1\n}\n{\n  "id": 2\n}{"id":3}\n\n"text" 42 [1,2]\nnull';
    const items = await itemsOf(input, { claimsPerChunk: 2 });
    expect(items.map((i) => [i.source.line, i.ok && i.value])).toEqual([
      [1, { id: 1 }],
      [4, { id: 2 }],
      [6, { id: 3 }],
      [8, 'text'],
      [8, 42],
      [8, [1, 2]],
      [9, null],
    ]);
  });

  it('a pretty single object is one claim', async () => {
    const claim = { claimId: 'A1', patient: { name: 'Ann' }, lines: [{ cpt: '99213' }] };
    const items = await itemsOf(JSON.stringify(claim, null, 2));
    expect(items).toEqual([{ source: { file: FILE, line: 1 }, ok: true, value: claim }]);
  });

  it('a truncated single object is one failed item', async () => {
    const items = await itemsOf('\n{\n  "claimId": "A1",\n  "lines": [');
    expect(items).toHaveLength(1);
    expect(failure(items[0]).error).toEqual({ message: 'input ends inside a claim that starts at line 2', line: 4, column: 13 });
  });

  it('garbage between documents is its own failed item', async () => {
    const items = await itemsOf('{\n"id":1\n}\ngarbage here\n{"id":2}');
    expect(items.map((i) => (i.ok ? i.value : i.raw))).toEqual([{ id: 1 }, 'garbage', 'here', { id: 2 }]);
    expect(items.map((i) => i.source.line)).toEqual([1, 4, 4, 5]);
  });
});

describe('chunk bytes', () => {
  it('each chunk owns a fresh ArrayBuffer that can be transferred', async () => {
    const input = utf8('{"id":1}\n{"id":2}\n{"id":3}\n');
    const chunks = [];
    for await (const chunk of chunkInput(inPieces(input, [5]), 'x', { claimsPerChunk: 2 })) chunks.push(chunk);
    for (const chunk of chunks) {
      const copy = structuredClone(chunk, { transfer: [chunk.bytes.buffer as ArrayBuffer] });
      expect(chunk.bytes.byteLength).toBe(0); // detached: it was transferred, not shared with the input
      expect(parseChunk(copy).map((i) => i.ok && i.value)).toHaveLength(copy.claimCount);
    }
    expect(input[0]).toBe(0x7b); // the input itself is untouched
  });
});

describe('chunkInput and its input', () => {
  it('accepts string pieces and Buffers', async () => {
    async function* mixed() {
      yield '{"a":';
      yield Buffer.from('1}\n{"a"');
      yield new TextEncoder().encode(':2}');
    }
    const out = [];
    for await (const chunk of chunkInput(mixed() as AsyncIterable<Uint8Array>, 'x')) out.push(...parseChunk(chunk));
    expect(out.map((i) => i.ok && i.value)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('closes the input when the consumer stops early', async () => {
    let closed = false;
    async function* endless() {
      try {
        for (;;) yield utf8('{"a":1}\n');
      } finally {
        closed = true;
      }
    }
    for await (const chunk of chunkInput(endless(), 'x', { claimsPerChunk: 10 })) {
      expect(chunk.claimCount).toBe(10);
      break;
    }
    expect(closed).toBe(true);
  });

  it('passes on an error from the input', async () => {
    async function* failing() {
      yield utf8('{"a":1}\n');
      throw new Error('disk on fire');
    }
    await expect(async () => {
      for await (const _ of chunkInput(failing(), 'x')) void _;
    }).rejects.toThrow('disk on fire');
  });

  it('rejects bad options', async () => {
    await expect(chunkInput(inPieces(utf8('{}')), 'x', { claimsPerChunk: 0 }).next()).rejects.toThrow(RangeError);
    await expect(chunkInput(inPieces(utf8('{}')), 'x', { maxChunkBytes: 1.5 }).next()).rejects.toThrow(RangeError);
  });
});

describe('openInput', () => {
  const dir = mkdtempSync(join(tmpdir(), 'claimscrub-ingest-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file in pieces', async () => {
    const path = join(dir, 'claims.ndjson');
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ id: i, pad: 'z'.repeat(500) }));
    writeFileSync(path, lines.join('\n'));
    let count = 0;
    let lastLine = 0;
    for await (const chunk of chunkInput(openInput(path), inputName(path))) {
      for (const item of parseChunk(chunk)) {
        expect(item).toMatchObject({ ok: true, source: { file: path, line: count + 1 } });
        count++;
        lastLine = item.source.line;
      }
    }
    expect(count).toBe(3000);
    expect(lastLine).toBe(3000);
  });

  it('reports a missing file as SCRUB_ERR_INPUT_UNREADABLE', async () => {
    const path = join(dir, 'missing.json');
    const run = async () => {
      for await (const _ of chunkInput(openInput(path), path)) void _;
    };
    await expect(run()).rejects.toBeInstanceOf(ScrubError);
    await expect(run()).rejects.toMatchObject({ code: 'SCRUB_ERR_INPUT_UNREADABLE', position: { file: path } });
  });

  it("names standard input '<stdin>'", () => {
    expect(inputName('-')).toBe('<stdin>');
    expect(inputName('a/b.json')).toBe('a/b.json');
  });
});
