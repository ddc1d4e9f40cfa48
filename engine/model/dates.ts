/** Calendar dates in the model's canonical form, YYYY-MM-DD. */

function digit(text: string, index: number): number {
  const code = text.charCodeAt(index) - 48;
  return code >= 0 && code <= 9 ? code : -1;
}

/**
 * True for a real calendar date written YYYY-MM-DD (2026-02-30 is not one). Runs for every date
 * of every line, so it reads char codes instead of allocating a regex match.
 */
export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 10 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45) return false;
  let year = 0;
  for (let i = 0; i < 4; i++) {
    const d = digit(value, i);
    if (d < 0) return false;
    year = year * 10 + d;
  }
  const m1 = digit(value, 5);
  const m2 = digit(value, 6);
  const d1 = digit(value, 8);
  const d2 = digit(value, 9);
  if (m1 < 0 || m2 < 0 || d1 < 0 || d2 < 0) return false;
  const month = m1 * 10 + m2;
  const day = d1 * 10 + d2;
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Today's date where the scrub runs (the billing office's calendar day), YYYY-MM-DD. */
export function localToday(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** A span of calendar time: exactly one of the units is given. */
export type CalendarSpan = { days: number } | { months: number } | { years: number };

/**
 * `date` (YYYY-MM-DD, valid) plus a span: days are counted one by one; months and years keep the
 * day of the month, clamped to the month's last day (January 31 plus one month is February 28 or 29).
 */
export function addCalendarSpan(date: string, span: CalendarSpan): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  if ('days' in span) {
    // setUTCFullYear, not Date.UTC: Date.UTC maps years 0-99 to 1900-1999.
    const exact = new Date(Date.UTC(2000, 0, 1));
    exact.setUTCFullYear(year, month - 1, day + span.days);
    return exact.toISOString().slice(0, 10);
  }
  const months = 'months' in span ? span.months : span.years * 12;
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = (index % 12) + 1;
  const targetDay = Math.min(day, daysInMonth(targetYear, targetMonth));
  return `${String(targetYear).padStart(4, '0')}-${String(targetMonth).padStart(2, '0')}-${String(targetDay).padStart(2, '0')}`;
}
