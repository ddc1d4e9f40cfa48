/** Small, total helpers for reading untrusted claim values: they never throw. */
import { isIsoDate } from '../model/dates.js';

export { isIsoDate };

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

/** Dollars to whole cents, or undefined for anything but a finite, safely representable amount. */
export function toCents(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const cents = Math.round(value * 100);
  return Number.isSafeInteger(cents) ? cents : undefined;
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

/** Ten ASCII digits: the shape of an NPI. */
export function isTenDigits(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== 10) return false;
  for (let i = 0; i < 10; i++) {
    const code = value.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** Luhn check of an NPI: the check digit is computed over the prefix 80840 and the first nine. */
export function isValidNpi(value: unknown): boolean {
  if (!isTenDigits(value)) return false;
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
