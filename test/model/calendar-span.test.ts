import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addCalendarSpan, isIsoDate, localToday } from '../../engine/model/dates.js';
import { customOperators, computedFacts } from '../../engine/checks/registry.js';
import { filingLimitProblem } from '../../engine/checks/timely-filing.js';

describe('addCalendarSpan', () => {
  it.each([
    ['2026-03-02', { days: 90 }, '2026-05-31'],
    ['2025-12-31', { days: 1 }, '2026-01-01'],
    ['2024-02-28', { days: 1 }, '2024-02-29'],
    ['2026-01-31', { months: 1 }, '2026-02-28'],
    ['2024-01-31', { months: 1 }, '2024-02-29'],
    ['2026-06-08', { years: 1 }, '2027-06-08'],
    ['2024-02-29', { years: 1 }, '2025-02-28'],
    ['2026-11-15', { months: 2 }, '2027-01-15'],
    ['0050-03-01', { days: -1 }, '0050-02-28'],
  ] as const)('%s plus %j is %s', (date, span, expected) => {
    expect(addCalendarSpan(date, span)).toBe(expected);
  });

  it('adds days one by one: n days later is n day numbers later, always a real date', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-01-01T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 4000 }), (start, days) => {
        const date = start.toISOString().slice(0, 10);
        const later = addCalendarSpan(date, { days });
        expect(isIsoDate(later)).toBe(true);
        expect((Date.parse(later) - Date.parse(date)) / 86_400_000).toBe(days);
      }),
    );
  });

  it('keeps the day of the month for months and years, clamped to the month end', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2090-01-01T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: 1, max: 60 }), (start, months) => {
        const date = start.toISOString().slice(0, 10);
        const later = addCalendarSpan(date, { months });
        expect(isIsoDate(later)).toBe(true);
        const sameDay = later.slice(8) === date.slice(8);
        const clampedToMonthEnd = Number(later.slice(8)) < Number(date.slice(8)) && addCalendarSpan(later, { days: 1 }).endsWith('-01');
        expect(sameDay || clampedToMonthEnd).toBe(true);
        expect(addCalendarSpan(date, { years: months })).toBe(addCalendarSpan(date, { months: months * 12 }));
      }),
    );
  });

  it('gives today as the local calendar day', () => {
    expect(localToday(new Date(2026, 10, 23, 23, 59))).toBe('2026-11-23');
  });
});

describe('timely filing: lineFilingDates and filedLaterThan', () => {
  const fact = computedFacts.get('lineFilingDates');
  const operator = customOperators.get('filedLaterThan');
  const dates = (line: unknown, submissionDate?: string) => fact?.compute({ claim: {}, line, lineIndex: 0, submissionDate });

  it('measures from the end of a span, and needs both dates', () => {
    expect(dates({ serviceDate: '2026-03-02' }, '2026-06-01')).toEqual({ serviceDate: '2026-03-02', submissionDate: '2026-06-01' });
    expect(dates({ serviceDate: '2026-03-02', serviceDateEnd: '2026-03-20' }, '2026-06-01')).toEqual({ serviceDate: '2026-03-20', submissionDate: '2026-06-01' });
    // A span end before its start is the schema's and another rule's matter: the start date is used.
    expect(dates({ serviceDate: '2026-03-02', serviceDateEnd: '2026-02-01' }, '2026-06-01')).toEqual({ serviceDate: '2026-03-02', submissionDate: '2026-06-01' });
    expect(dates({ serviceDate: '2026-03-02' })).toBeUndefined();
    expect(dates({ serviceDate: '03/02/2026' }, '2026-06-01')).toBeUndefined();
  });

  it('is late only after the last day of the limit', () => {
    const late = (serviceDate: string, submissionDate: string, limit: unknown) =>
      operator?.evaluate({ serviceDate, submissionDate }, limit);
    expect(late('2026-03-02', '2026-05-31', { days: 90 })).toBe(false);
    expect(late('2026-03-02', '2026-06-01', { days: 90 })).toBe(true);
    expect(late('2026-06-08', '2027-06-08', { years: 1 })).toBe(false);
    expect(late('2026-06-08', '2027-06-09', { years: 1 })).toBe(true);
    expect(late('2026-06-08', '2027-06-09', { weeks: 1 })).toBe(false);
  });

  it.each([
    [{ days: 90 }, undefined],
    [{ months: 12 }, undefined],
    [{ days: 0 }, 'the limit\'s days must be a whole number from 1 to 3650'],
    [{ days: 90, months: 1 }, 'the limit must have exactly one of days, months or years, found days, months'],
    [{ weeks: 2 }, 'the limit must have exactly one of days, months or years, found weeks'],
    [90, 'the limit must be a mapping with one of days, months or years, e.g. { days: 90 } or { months: 12 }'],
  ])('refuses unusable limits at load: %j', (limit, problem) => {
    expect(filingLimitProblem(limit)).toBe(problem);
  });
});
