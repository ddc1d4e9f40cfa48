import type { OperatorDefinition } from './types.js';
import { isIsoDate, isTenDigits, isValidNpi } from './values.js';

function isBlank(value: unknown): boolean {
  return (
    value === undefined ||
    value === null ||
    (typeof value === 'string' && value.trim() === '') ||
    (Array.isArray(value) && value.length === 0)
  );
}

const mustBeBoolean = (value: unknown) => (typeof value === 'boolean' ? undefined : 'value must be true or false');

function dateComparison(name: string, description: string, compare: (fact: string, value: string) => boolean): OperatorDefinition {
  return {
    name,
    description,
    factValueValidator: isIsoDate,
    evaluate: (fact, value) => isIsoDate(value) && compare(fact as string, value),
  };
}

/**
 * Codes compare by their first characters, upper-cased and without the dot, so E11 covers E11.9
 * and O00-O9A covers O09.511. Range lists are normalized once per list (rules and params keep
 * the same list objects), and codes are compared in place: this runs for every diagnosis of
 * every claim.
 */
interface CodeRange {
  low: string;
  high: string;
}

function normalizeCode(code: string): string {
  return code.toUpperCase().replace('.', '');
}

const rangeCache = new WeakMap<readonly unknown[], readonly CodeRange[]>();

function codeRanges(list: readonly unknown[]): readonly CodeRange[] {
  let ranges = rangeCache.get(list);
  if (!ranges) {
    ranges = list
      .filter((range): range is string => typeof range === 'string')
      .map((range) => {
        const dash = range.indexOf('-');
        return { low: normalizeCode(dash < 0 ? range : range.slice(0, dash)), high: normalizeCode(dash < 0 ? range : range.slice(dash + 1)) };
      });
    rangeCache.set(list, ranges);
  }
  return ranges;
}

/** Compares the code's first `bound.length` normalized characters with `bound` (-1, 0 or 1). */
function comparePrefix(code: string, bound: string): number {
  let at = 0;
  let dotSkipped = false;
  for (let i = 0; i < bound.length; i++) {
    let char = code.charCodeAt(at);
    if (char === 46 && !dotSkipped) {
      dotSkipped = true;
      char = code.charCodeAt(++at);
    }
    if (at >= code.length) return -1;
    if (char >= 97 && char <= 122) char -= 32;
    const expected = bound.charCodeAt(i);
    if (char !== expected) return char < expected ? -1 : 1;
    at++;
  }
  return 0;
}

function inAnyRange(code: string, ranges: readonly CodeRange[]): boolean {
  for (const range of ranges) if (comparePrefix(code, range.low) >= 0 && comparePrefix(code, range.high) <= 0) return true;
  return false;
}

const RANGE = /^[A-Za-z0-9.]{1,8}(-[A-Za-z0-9.]{1,8})?$/;

const patternCache = new Map<string, RegExp>();
function compiledPattern(source: string): RegExp | undefined {
  let pattern = patternCache.get(source);
  if (!pattern) {
    try {
      pattern = new RegExp(source, 'u');
    } catch {
      return undefined;
    }
    patternCache.set(source, pattern);
  }
  return pattern;
}

export const OPERATORS: readonly OperatorDefinition[] = [
  {
    name: 'isMissing',
    description: 'With value true: the fact is absent, null, blank text or an empty list. With false: it is present.',
    evaluate: (fact, value) => isBlank(fact) === value,
    checkValue: mustBeBoolean,
  },
  {
    name: 'matchesPattern',
    description: 'The fact is text matching the regular expression in value (write ^ and $ to anchor it).',
    factValueValidator: (fact) => typeof fact === 'string',
    evaluate: (fact, value) => {
      const pattern = typeof value === 'string' ? compiledPattern(value) : undefined;
      return pattern !== undefined && pattern.test(fact as string);
    },
    checkValue: (value) =>
      typeof value !== 'string'
        ? 'value must be a regular expression as text'
        : compiledPattern(value) === undefined
          ? `value is not a valid regular expression: ${value}`
          : undefined,
  },
  {
    name: 'inCodeRanges',
    description:
      'The fact is a code inside one of the listed codes or ranges (`O00-O9A`, `99202-99215`, `E11`); a shorter bound covers every code that starts with it.',
    factValueValidator: (fact) => typeof fact === 'string' && fact.length > 0,
    evaluate: (fact, value) => Array.isArray(value) && inAnyRange(fact as string, codeRanges(value)),
    checkValue: (value) =>
      Array.isArray(value) && value.every((range) => typeof range === 'string' && RANGE.test(range))
        ? undefined
        : 'value must be a list of codes or ranges such as "O00-O9A"',
  },
  dateComparison('dateAfter', 'The fact is a date (YYYY-MM-DD) after the value date; false when either is not a valid date.', (a, b) => a > b),
  dateComparison('dateOnOrAfter', 'The fact is a date on or after the value date; false when either is not a valid date.', (a, b) => a >= b),
  dateComparison('dateBefore', 'The fact is a date before the value date; false when either is not a valid date.', (a, b) => a < b),
  dateComparison('dateOnOrBefore', 'The fact is a date on or before the value date; false when either is not a valid date.', (a, b) => a <= b),
  {
    name: 'npiCheckDigitValid',
    description:
      'With value true: the fact is a 10-digit NPI whose check digit is right; with false: a 10-digit NPI whose check digit is wrong. Anything that is not 10 digits is neither.',
    factValueValidator: isTenDigits,
    evaluate: (fact, value) => isValidNpi(fact) === value,
    checkValue: mustBeBoolean,
  },
];
