import { describe, expect, it } from 'vitest';
import { isIsoDate, isValidNpi, wholeYearsBetween } from '../../engine/checks/values.js';

describe('claim value helpers', () => {
  it('accepts only real calendar dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2023-02-29')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('2026-1-01')).toBe(false);
    expect(isIsoDate(20260101)).toBe(false);
  });

  it('checks the NPI check digit with the 80840 prefix', () => {
    // 1234567893 is CMS's published example of a valid NPI.
    expect(isValidNpi('1234567893')).toBe(true);
    expect(isValidNpi('1234567890')).toBe(false);
    expect(isValidNpi('123456789')).toBe(false);
    expect(isValidNpi(1234567893)).toBe(false);
  });

  it('counts whole years, not rounded ones', () => {
    expect(wholeYearsBetween('2000-06-15', '2026-06-14')).toBe(25);
    expect(wholeYearsBetween('2000-06-15', '2026-06-15')).toBe(26);
    expect(wholeYearsBetween('2000-06-15', 'not a date')).toBeUndefined();
  });
});

describe('isIsoDate against a slow, obvious definition', () => {
  it('agrees on every day of four years and on malformed text', () => {
    const slow = (text: string) => {
      const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
      if (!match) return false;
      const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
      return date.toISOString().slice(0, 10) === text;
    };
    const cases: string[] = ['2026-1-01', '2026-01-1', '2026/01/01', '20260101', '2026-01-01T00:00', 'abcd-ef-gh', '2026-00-10', '2026-01-00'];
    for (let year = 2023; year <= 2026; year++) {
      for (let month = 1; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) cases.push(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
      }
    }
    cases.push('1900-02-29', '2000-02-29', '2100-02-29');
    for (const text of cases) expect(isIsoDate(text), text).toBe(slow(text));
  });
});

describe('inCodeRanges against the plain definition', () => {
  it('agrees with slicing normalized codes, for random codes and ranges', async () => {
    const fc = await import('fast-check');
    const { customOperators } = await import('../../engine/checks/registry.js');
    const inCodeRanges = customOperators.get('inCodeRanges')!;
    const normalize = (code: string) => code.toUpperCase().replace('.', '');
    const plain = (code: string, ranges: string[]) =>
      ranges.some((range) => {
        const dash = range.indexOf('-');
        const low = normalize(dash < 0 ? range : range.slice(0, dash));
        const high = normalize(dash < 0 ? range : range.slice(dash + 1));
        const n = normalize(code);
        return n.slice(0, low.length) >= low && n.slice(0, high.length) <= high;
      });
    const codeChar = fc.constantFrom(...'ABEFORVWXYZaeo0123456789.'.split(''));
    const code = fc.array(codeChar, { minLength: 1, maxLength: 8 }).map((chars) => chars.join(''));
    const bound = fc.array(fc.constantFrom(...'ABEORWYZ0123459.'.split('')), { minLength: 1, maxLength: 5 }).map((c) => c.join(''));
    const range = fc.oneof(bound, fc.tuple(bound, bound).map(([a, b]) => `${a}-${b}`));
    fc.assert(
      fc.property(code, fc.array(range, { maxLength: 4 }), (c, ranges) => {
        expect(inCodeRanges.evaluate(c, ranges)).toBe(plain(c, ranges));
      }),
      { numRuns: 3000 },
    );
  });
});
