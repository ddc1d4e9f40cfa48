/** Small, total helpers for reading untrusted claim values: they never throw. */
import { isIsoDate } from '../model/dates.js';
import { isTenDigits, isValidNpi } from '../model/npi.js';

export { isIsoDate, isTenDigits, isValidNpi };

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


/**
 * The patient's age in whole years on `date` (YYYY-MM-DD): a newborn is 0, and a birthday counts
 * from the day itself. Someone born on February 29 turns a year older on March 1 in a year
 * without one. Undefined when the date of birth or `date` is not a valid date, or `date` is before
 * the birth (rule dob-after-service-date speaks for that).
 */
export function patientAgeOn(claim: unknown, date: unknown): number | undefined {
  const years = wholeYearsBetween(field(field(claim, 'patient'), 'dateOfBirth'), date);
  return years !== undefined && years >= 0 ? years : undefined;
}
