/** Small, total helpers for reading untrusted claim values: they never throw. */

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

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function arrayOrEmpty(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Own property only: a claim cannot reach Object.prototype through a field name. */
export function field(value: unknown, name: string): unknown {
  return isRecord(value) && Object.prototype.hasOwnProperty.call(value, name) ? value[name] : undefined;
}

/** Whole years from `from` to `to` (both ISO dates), or undefined when either is not a date. */
export function wholeYearsBetween(from: unknown, to: unknown): number | undefined {
  if (!isIsoDate(from) || !isIsoDate(to)) return undefined;
  const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = to.split('-').map(Number) as [number, number, number];
  let years = ty - fy;
  if (tm < fm || (tm === fm && td < fd)) years -= 1;
  return years;
}

/** Luhn check of an NPI: the check digit is computed over the prefix 80840 and the first nine. */
export function isValidNpi(value: unknown): boolean {
  if (typeof value !== 'string' || !/^[0-9]{10}$/.test(value)) return false;
  const digits = `80840${value}`;
  let sum = 0;
  for (let i = digits.length - 1, double = false; i >= 0; i--, double = !double) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}
