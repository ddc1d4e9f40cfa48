import type { OperatorDefinition } from './types.js';
import { isIsoDate, isValidNpi } from './values.js';

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

/** Codes compare by their first characters, so E11 covers E11.9 and O00-O9A covers O09.511. */
function normalizeCode(code: string): string {
  return code.toUpperCase().replace('.', '');
}

function inRange(code: string, range: string): boolean {
  const dash = range.indexOf('-');
  const low = normalizeCode(dash < 0 ? range : range.slice(0, dash));
  const high = normalizeCode(dash < 0 ? range : range.slice(dash + 1));
  const normalized = normalizeCode(code);
  return normalized.slice(0, low.length) >= low && normalized.slice(0, high.length) <= high;
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
    evaluate: (fact, value) => Array.isArray(value) && value.some((range) => typeof range === 'string' && inRange(fact as string, range)),
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
    factValueValidator: (fact) => typeof fact === 'string' && /^[0-9]{10}$/.test(fact),
    evaluate: (fact, value) => isValidNpi(fact) === value,
    checkValue: mustBeBoolean,
  },
];
