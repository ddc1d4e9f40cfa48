import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { collect, summarize } from './fixtures/harness.js';

/** String units that stress the scanners: quotes, backslashes, brackets, newlines, multi-byte. */
const trickyUnit = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', '\n', '\r', ' ', 'é', '😀', '中', '\u2028', '\ufeff') },
  { weight: 5, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  { weight: 5, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
);
const jsonValue = fc.jsonValue({ stringUnit: trickyUnit, maxDepth: 3 });
const claim = fc.dictionary(fc.string({ unit: trickyUnit, maxLength: 8 }), jsonValue, { maxKeys: 6 });
/** Claims: objects mostly, any JSON value sometimes. */
const claims = fc.array(fc.oneof({ weight: 5, arbitrary: claim }, { weight: 1, arbitrary: jsonValue }), { maxLength: 25 });
/** For NDJSON: a first line that starts with `[` makes the input a JSON array, by design. */
const ndjsonClaims = claims.filter((values) => !Array.isArray(values[0]));

/** Read sizes that cut the input anywhere: inside characters, escapes, between CR and LF. */
const readSizes = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 });
const options = fc.record(
  {
    claimsPerChunk: fc.integer({ min: 1, max: 8 }),
    maxChunkBytes: fc.integer({ min: 1, max: 400 }),
  },
  { requiredKeys: ['claimsPerChunk'] },
);

const normalize = (value: unknown): unknown => JSON.parse(JSON.stringify(value)) as unknown;

interface Serialized {
  text: string;
  /** Line each claim starts on. */
  lines: number[];
  /** Each claim's own text. */
  claims: string[];
}

/** Scale the number of runs with FC_RUNS_FACTOR=10 for a longer search. */
const runs = (n: number): number => Math.ceil(n * Number(process.env.FC_RUNS_FACTOR ?? 1));

/** Builds a text from pieces, recording the line each claim starts on. */
class TextBuilder {
  text = '';
  lines: number[] = [];
  claims: string[] = [];
  private line = 1;
  add(piece: string, isClaim = false): void {
    if (isClaim) {
      this.lines.push(this.line);
      this.claims.push(piece);
    }
    this.text += piece;
    for (const ch of piece) if (ch === '\n') this.line++;
  }
  result(): Serialized {
    return { text: this.text, lines: this.lines, claims: this.claims };
  }
}

const ndjson = (values: unknown[], eol: string, blanks: number[], trailingEol: boolean): Serialized => {
  const b = new TextBuilder();
  values.forEach((value, i) => {
    for (let k = 0; k < (blanks[i] ?? 0); k++) b.add(k % 2 ? ` \t${eol}` : eol);
    b.add(JSON.stringify(value), true);
    if (i < values.length - 1 || trailingEol) b.add(eol);
  });
  return b.result();
};

const compactArray = (values: unknown[]): Serialized => {
  const b = new TextBuilder();
  b.add('[');
  values.forEach((value, i) => {
    if (i > 0) b.add(',');
    b.add(JSON.stringify(value), true);
  });
  b.add(']');
  return b.result();
};

const prettyArray = (values: unknown[], eol: string): Serialized => {
  const b = new TextBuilder();
  b.add(`[${eol}`);
  values.forEach((value, i) => {
    if (i > 0) b.add(`,${eol}`);
    b.add('  ');
    b.add(JSON.stringify(value, null, 2).replaceAll('\n', `${eol}  `), true);
  });
  b.add(`${eol}]${eol}`);
  return b.result();
};

/** Concatenated documents; the first is a pretty non-empty object so the input is not NDJSON. */
const documents = (first: Record<string, unknown>, values: unknown[], separators: string[]): Serialized => {
  const b = new TextBuilder();
  b.add(JSON.stringify(first, null, 2), true);
  let previous = b.text;
  values.forEach((value, i) => {
    const textOf = JSON.stringify(value, null, i % 2 ? 2 : undefined);
    let separator = separators[i % Math.max(separators.length, 1)] ?? '\n';
    // Two bare tokens (numbers, literals) need whitespace between them.
    if (separator === '' && /[\w.-]$/.test(previous) && /^[\w.-]/.test(textOf)) separator = ' ';
    b.add(separator);
    b.add(textOf, true);
    previous = textOf;
  });
  return b.result();
};

async function expectRoundTrip(serialized: Serialized, values: unknown[], sizes: number[], opts: { claimsPerChunk: number; maxChunkBytes?: number }) {
  const { items, chunks } = await collect(serialized.text, opts, sizes);
  expect(items.filter((item) => !item.ok)).toEqual([]);
  expect(items.map((item) => (item.ok ? item.value : undefined))).toEqual(values.map(normalize));
  expect(items.map((item) => item.source.line)).toEqual(serialized.lines);
  for (const chunk of chunks) {
    expect(chunk.claimCount).toBeLessThanOrEqual(opts.claimsPerChunk);
    if (opts.maxChunkBytes !== undefined && chunk.claimCount > 1) {
      // Cut as soon as it reached maxChunkBytes: without its last claim, it was still under.
      const chunkText = Buffer.from(chunk.bytes).toString('utf8');
      const last = serialized.claims[chunk.firstIndex + chunk.claimCount - 1]!;
      const before = chunkText.slice(0, chunkText.lastIndexOf(last)).replace(/[\s,]*$/, '');
      expect(Buffer.byteLength(before)).toBeLessThan(opts.maxChunkBytes);
    }
  }
}

describe('round trip with random values, read sizes and chunk sizes', () => {
  it('NDJSON', async () => {
    await fc.assert(
      fc.asyncProperty(
        ndjsonClaims,
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(3)),
        fc.boolean(),
        readSizes,
        options,
        async (values, eol, blanks, trailingEol, sizes, opts) => {
          await expectRoundTrip(ndjson(values, eol, blanks, trailingEol), values, sizes, opts);
        },
      ),
      { numRuns: runs(300) },
    );
  });

  it('compact JSON array', async () => {
    await fc.assert(
      fc.asyncProperty(claims, readSizes, options, async (values, sizes, opts) => {
        await expectRoundTrip(compactArray(values), values, sizes, opts);
      }),
      { numRuns: runs(300) },
    );
  });

  it('pretty JSON array', async () => {
    await fc.assert(
      fc.asyncProperty(claims, fc.constantFrom('\n', '\r\n'), readSizes, options, async (values, eol, sizes, opts) => {
        await expectRoundTrip(prettyArray(values, eol), values, sizes, opts);
      }),
      { numRuns: runs(300) },
    );
  });

  it('concatenated documents', async () => {
    await fc.assert(
      fc.asyncProperty(
        claim.filter((c) => Object.keys(c).length > 0),
        claims,
        fc.array(fc.constantFrom('\n', '', ' ', '\r\n\r\n', '\n\t')),
        readSizes,
        options,
        async (first, values, separators, sizes, opts) => {
          await expectRoundTrip(documents(first, values, separators), [first, ...values], sizes, opts);
        },
      ),
      { numRuns: runs(300) },
    );
  });
});

describe('malformed NDJSON lines', () => {
  /** Non-blank, not JSON, no newline; these may even be the first line (balanced, no `[`). */
  const FIRST_LINE_GARBAGE = ['{"a": }', 'oops', '{"a":1,}', '}', 'nul', '{"a":"\\x"}'];
  /** These would make the input something else than NDJSON on the first line. */
  const OTHER_GARBAGE = ['{"a":1', '"unterminated', '{"a":[}', '{{{', ']]', '[1,,2]', '[oops', '{"a":1} x', '\ufeff{}'];

  it('a malformed line is one failed item in its place and leaves the others intact', async () => {
    await fc.assert(
      fc.asyncProperty(
        ndjsonClaims,
        fc.nat(),
        fc.oneof(
          fc.constantFrom(...FIRST_LINE_GARBAGE, ...OTHER_GARBAGE),
          fc.string({ unit: trickyUnit, minLength: 1, maxLength: 12 }),
        ),
        fc.constantFrom('\n', '\r\n'),
        readSizes,
        options,
        async (values, at, garbage, eol, sizes, opts) => {
          garbage = garbage.replace(/[\r\n]/g, '');
          let valid = true;
          try {
            JSON.parse(garbage);
          } catch {
            valid = false;
          }
          // Not JSON, not blank, and (on the first line) balanced so the input stays NDJSON.
          fc.pre(!valid && /[^ \t]/.test(garbage));
          const position = at % (values.length + 1);
          fc.pre(position > 0 || FIRST_LINE_GARBAGE.includes(garbage));
          const lines = values.map((value) => JSON.stringify(value));
          lines.splice(position, 0, garbage);
          const { items } = await collect(lines.join(eol), opts, sizes);
          expect(items).toHaveLength(values.length + 1);
          const bad = items[position]!;
          expect(bad.ok).toBe(false);
          if (!bad.ok) {
            expect(bad.raw).toBe(garbage);
            expect(bad.source.line).toBe(position + 1);
            expect(bad.error.line).toBe(position + 1);
          }
          const others = items.filter((_, i) => i !== position);
          expect(others.map((item) => item.ok && item.value)).toEqual(values.map(normalize));
          expect(others.map((item) => item.source.line)).toEqual(values.map((_, i) => (i < position ? i + 1 : i + 2)));
        },
      ),
      { numRuns: runs(300) },
    );
  });
});

describe('any input at all', () => {
  // Random text over the characters the scanners care about, plus multi-byte and invalid UTF-8.
  const noise = fc
    .array(
      fc.oneof(
        fc.constantFrom('{', '}', '[', ']', '"', '\\', ',', ':', ' ', '\n', '\r\n', '\t', 'a', '1', 'é', '😀', '\ufeff'),
        fc.constantFrom('{"a":1}', '[1,2]', '"s\\"t"', 'null', '\n\n'),
      ),
      { maxLength: 60 },
    )
    .map((parts) => parts.join(''));
  const bytes = fc.oneof(
    noise.map((text) => new Uint8Array(Buffer.from(text, 'utf8'))),
    fc.uint8Array({ maxLength: 80 }),
  );

  it('every chunk parses to claimCount items, and the items do not depend on how it was read or chunked', async () => {
    await fc.assert(
      fc.asyncProperty(bytes, readSizes, options, readSizes, options, async (input, sizesA, optsA, sizesB, optsB) => {
        // collect() checks claimCount, firstIndex and buffer ownership of every chunk.
        const a = await collect(input, optsA, sizesA);
        const b = await collect(input, optsB, sizesB);
        const whole = await collect(input, { claimsPerChunk: 1_000_000 });
        expect(summarize(a.items)).toEqual(summarize(whole.items));
        expect(summarize(b.items)).toEqual(summarize(whole.items));
        for (const item of whole.items) {
          expect(item.source.line).toBeGreaterThanOrEqual(1);
          if (!item.ok) expect(item.error.line).toBeGreaterThanOrEqual(item.source.line);
        }
      }),
      { numRuns: runs(1000) },
    );
  });
});
