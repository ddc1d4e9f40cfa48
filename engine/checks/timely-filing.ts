import { addCalendarSpan, type CalendarSpan } from '../model/dates.js';
import type { FactDefinition, OperatorDefinition } from './types.js';
import { field, isIsoDate, isRecord } from './values.js';

/** The dates timely filing compares: when the service ended and when the claim is submitted. */
export interface FilingDates {
  /** The line's last date of service (the end of a span, else its date of service). */
  serviceDate: string;
  submissionDate: string;
}

const SPAN_UNITS = ['days', 'months', 'years'] as const;

/** Why `value` is not a filing limit such as `{ days: 90 }` or `{ months: 12 }`, or undefined. */
export function filingLimitProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'the limit must be a mapping with one of days, months or years, e.g. { days: 90 } or { months: 12 }';
  const keys = Object.keys(value);
  if (keys.length !== 1 || !(SPAN_UNITS as readonly string[]).includes(keys[0] as string)) {
    return `the limit must have exactly one of days, months or years, found ${keys.length === 0 ? 'nothing' : keys.join(', ')}`;
  }
  const amount = value[keys[0] as string];
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1 || amount > 3650) return `the limit's ${keys[0]} must be a whole number from 1 to 3650`;
  return undefined;
}

export const TIMELY_FILING_FACTS: readonly FactDefinition[] = [
  {
    name: 'lineFilingDates',
    scope: 'line',
    description:
      "{ serviceDate, submissionDate } for timely filing: the line's last date of service (serviceDateEnd when it is a valid date on or after serviceDate, else serviceDate) and the run's submission date; absent when either is unknown.",
    compute: ({ line, submissionDate }): FilingDates | undefined => {
      const start = field(line, 'serviceDate');
      if (!isIsoDate(start) || !isIsoDate(submissionDate)) return undefined;
      const end = field(line, 'serviceDateEnd');
      // The later date starts the clock later: a span is never held for its first day.
      return { serviceDate: isIsoDate(end) && end > start ? end : start, submissionDate };
    },
  },
];

export const TIMELY_FILING_OPERATORS: readonly OperatorDefinition[] = [
  {
    name: 'filedLaterThan',
    description:
      'Fact: { serviceDate, submissionDate } (lineFilingDates). Value: a limit { days: N }, { months: N } or { years: N }. True when the submission date is after the service date plus the limit (calendar months and years keep the day of the month).',
    factValueValidator: (fact) => isRecord(fact) && isIsoDate(fact.serviceDate) && isIsoDate(fact.submissionDate),
    // The limit is checked at load (checkValue, on constants and on every payer's params); here
    // only its shape, since this runs for every line: a malformed span yields no date and no edit.
    evaluate: (fact, value) => {
      if (!isRecord(value)) return false;
      const { serviceDate, submissionDate } = fact as unknown as FilingDates;
      const deadline = addCalendarSpan(serviceDate, value as CalendarSpan);
      return isIsoDate(deadline) && submissionDate > deadline;
    },
    checkValue: filingLimitProblem,
  },
];
