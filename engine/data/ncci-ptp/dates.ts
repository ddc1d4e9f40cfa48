/**
 * Dates of NCCI tables as day numbers: days since 1970-01-01. The table keeps them in 16 bits
 * (2 bytes a date instead of a string), which holds every day up to 2149; the importer accepts
 * years 1980 to 2099 (NCCI began in 1996), so 0 never is a real date and can mean "no date".
 */

/** The years a PTP date may have. */
export const MIN_YEAR = 1980;
export const MAX_YEAR = 2099;

/** Why bytes are not a date: not 8 digits, not a calendar date, or outside MIN_YEAR..MAX_YEAR. */
export const NOT_EIGHT_DIGITS = -1;
export const NOT_A_CALENDAR_DATE = -2;
export const YEAR_OUT_OF_RANGE = -3;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a valid calendar date (H. Hinnant's days_from_civil, integers only). */
export function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The calendar date of a day number, as [year, month, day]. */
function civil(dayNumberValue: number): [number, number, number] {
  const z = dayNumberValue + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

function checkedDayNumber(year: number, month: number, day: number): number {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return NOT_A_CALENDAR_DATE;
  if (year < MIN_YEAR || year > MAX_YEAR) return YEAR_OUT_OF_RANGE;
  return dayNumber(year, month, day);
}

/**
 * The day number of the YYYYMMDD date in the 8 bytes at `start`, or NOT_EIGHT_DIGITS,
 * NOT_A_CALENDAR_DATE or YEAR_OUT_OF_RANGE. Runs for two dates of every row of a file.
 */
export function dayOfCompactBytes(bytes: Uint8Array, start: number): number {
  let value = 0;
  for (let i = start; i < start + 8; i++) {
    const d = (bytes[i] ?? 0) - 48;
    if (d < 0 || d > 9) return NOT_EIGHT_DIGITS;
    value = value * 10 + d;
  }
  return checkedDayNumber(Math.floor(value / 10_000), Math.floor(value / 100) % 100, value % 100);
}

/** The day number of a YYYY-MM-DD date of service, or -1 when it is not one (or outside MIN_YEAR..MAX_YEAR). */
export function dayOfIsoDate(date: string): number {
  if (date.length !== 10 || date.charCodeAt(4) !== 45 || date.charCodeAt(7) !== 45) return -1;
  let year = 0;
  for (let i = 0; i < 4; i++) {
    const d = date.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    year = year * 10 + d;
  }
  const m1 = date.charCodeAt(5) - 48;
  const m2 = date.charCodeAt(6) - 48;
  const d1 = date.charCodeAt(8) - 48;
  const d2 = date.charCodeAt(9) - 48;
  if (m1 < 0 || m1 > 9 || m2 < 0 || m2 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return -1;
  const day = checkedDayNumber(year, m1 * 10 + m2, d1 * 10 + d2);
  return day < 0 ? -1 : day;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Dates already written: a table has a few hundred distinct ones, and each lookup that finds an edit writes one or two. */
const isoDates = new Map<number, string>();

/** YYYY-MM-DD of a day number. */
export function isoOfDay(dayNumberValue: number): string {
  let text = isoDates.get(dayNumberValue);
  if (text === undefined) {
    const [year, month, day] = civil(dayNumberValue);
    text = `${year}-${pad2(month)}-${pad2(day)}`;
    if (isoDates.size < 0x10000) isoDates.set(dayNumberValue, text);
  }
  return text;
}

/** YYYYMMDD of a day number, as the PTP files write dates (for messages). */
export function compactOfDay(dayNumberValue: number): string {
  const [year, month, day] = civil(dayNumberValue);
  return `${year}${pad2(month)}${pad2(day)}`;
}
