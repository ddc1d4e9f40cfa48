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
