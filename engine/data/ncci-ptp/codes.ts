/**
 * HCPCS/CPT procedure codes as they appear in NCCI tables: always 5 characters, in one of three
 * shapes:
 *
 *   99213  CPT Category I: 5 digits
 *   0075T  CPT Category II (F), III (T), PLA (U) and MAAA (M) codes: 4 digits and a letter
 *   G0463  HCPCS Level II: a letter and 4 digits
 *
 * Each valid code maps to a small integer (its "code number", 0 to 619,999) that sorts like the
 * code text, so importers and the table can key, sort and compare codes without making strings.
 */

/** Every HCPCS/CPT code has 5 characters. */
export const CODE_LENGTH = 5;

/** Code numbers are below this: 10,000 × 36 digit-first codes, then 26 × 10,000 letter-first ones. */
export const CODE_NUMBER_LIMIT = 360_000 + 260_000;

const DIGIT_FIRST_CODES = 360_000;

/** What a valid code looks like, for messages. */
export const CODE_SHAPES = 'a CPT code (5 digits, as 99213, or 4 digits and a letter, as 0075T) or a HCPCS Level II code (a letter and 4 digits, as G0463)';

function digitValue(c: number): number {
  return c >= 48 && c <= 57 ? c - 48 : -1;
}

/** A digit is 0-9, a capital letter 10-35 (so digits sort before letters, as in the code text). */
function alphanumericValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 90) return c - 55;
  return -1;
}

/** The code number of the 5 character codes `c0`..`c4`, or -1 when they are not a HCPCS/CPT code. */
function codeNumberOf(c0: number, c1: number, c2: number, c3: number, c4: number): number {
  const d1 = digitValue(c1);
  const d2 = digitValue(c2);
  const d3 = digitValue(c3);
  if (d1 < 0 || d2 < 0 || d3 < 0) return -1;
  const d0 = digitValue(c0);
  if (d0 >= 0) {
    const last = alphanumericValue(c4);
    return last < 0 ? -1 : (((d0 * 10 + d1) * 10 + d2) * 10 + d3) * 36 + last;
  }
  const d4 = digitValue(c4);
  if (c0 < 65 || c0 > 90 || d4 < 0) return -1;
  return DIGIT_FIRST_CODES + (c0 - 65) * 10_000 + ((d1 * 10 + d2) * 10 + d3) * 10 + d4;
}

/** The code number of the 5 bytes at `start` (the caller checks there are 5), or -1. */
export function codeNumberOfBytes(bytes: Uint8Array, start: number): number {
  return codeNumberOf(bytes[start] ?? 0, bytes[start + 1] ?? 0, bytes[start + 2] ?? 0, bytes[start + 3] ?? 0, bytes[start + 4] ?? 0);
}

/** The code number of `code`, or -1 when it is not exactly a HCPCS/CPT code. */
export function codeNumberOfString(code: string): number {
  if (code.length !== CODE_LENGTH) return -1;
  return codeNumberOf(code.charCodeAt(0), code.charCodeAt(1), code.charCodeAt(2), code.charCodeAt(3), code.charCodeAt(4));
}

const ALPHANUMERIC = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The code text of a code number (the inverse of codeNumberOfString). */
export function codeOfNumber(codeNumber: number): string {
  if (codeNumber < DIGIT_FIRST_CODES) {
    const digits = Math.floor(codeNumber / 36);
    return String(digits).padStart(4, '0') + (ALPHANUMERIC[codeNumber % 36] as string);
  }
  const rest = codeNumber - DIGIT_FIRST_CODES;
  return (ALPHANUMERIC[10 + Math.floor(rest / 10_000)] as string) + String(rest % 10_000).padStart(4, '0');
}
