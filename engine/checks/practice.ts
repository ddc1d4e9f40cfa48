/**
 * Checks against the practice's own files given to the run (--coverage, --authorizations,
 * --enrolment): member coverage, prior authorizations and provider enrolment. A check runs only
 * when its file was given and the claim's payer has at least one row in it, so a file that lists
 * some payers never holds the claims of the others.
 */
import type { Authorization, DateSpan, PracticeData, SpanList } from '../data/practice/types.js';
import { byId, codeInRanges } from '../data/practice/lookups.js';
import { addCalendarSpan } from '../model/dates.js';
import { countedUnits, performingNpi } from './service-lines.js';
import type { FactContext, FactDefinition } from './types.js';
import { arrayOrEmpty, field, isIsoDate, isTenDigits } from './values.js';

/** Text that is not blank, as written (ids are normalized by the lookups). */
function presentText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

function payerIdOf(claim: unknown): unknown {
  return field(field(claim, 'payer'), 'id');
}

function memberIdOf(claim: unknown): unknown {
  return field(field(claim, 'subscriber'), 'memberId');
}

/** The line's last date of service: its span's end when that is a date on or after its first, else its date of service. */
function lastServiceDate(line: unknown, first: string): string {
  const end = field(line, 'serviceDateEnd');
  return isIsoDate(end) && end > first ? end : first;
}

function holds(span: DateSpan, date: string): boolean {
  return date >= span.start && (span.end === undefined || date <= span.end);
}

/**
 * The first day from `first` to `last` that no span holds, or undefined when one span holds them
 * all (spans are merged, so a covered stretch is always one span).
 */
function firstUncoveredDay(spans: readonly DateSpan[], first: string, last: string): string | undefined {
  for (const span of spans) {
    if (!holds(span, first)) continue;
    return span.end === undefined || last <= span.end ? undefined : addCalendarSpan(span.end, { days: 1 });
  }
  return first;
}

export type CoverageGapKind = 'before' | 'after' | 'lapse';

export interface CoverageGap {
  /** The first day of service the member's coverage does not hold. */
  date: string;
  /** before: the member's first coverage starts later; after: the last coverage ended earlier; lapse: between two spans. */
  kind: CoverageGapKind;
  /** The next coverage start after the date (before, lapse). */
  startsOn: string | null;
  /** The end of the coverage before the date (after, lapse). */
  endedOn: string | null;
  /** Every span of the member's coverage with the payer, in words. */
  coverage: string;
}

function coverageGap(list: SpanList, date: string): CoverageGap {
  let endedOn: string | null = null;
  let startsOn: string | null = null;
  for (const span of list.spans) {
    if (span.start > date) {
      startsOn = span.start;
      break;
    }
    if (span.end !== undefined && span.end < date) endedOn = span.end;
  }
  const kind: CoverageGapKind = endedOn === null ? 'before' : startsOn === null ? 'after' : 'lapse';
  return { date, kind, startsOn, endedOn, coverage: list.text };
}

/** The member's coverage with the claim's payer, when the coverage file was given and lists the payer; null: the payer is listed, the member is not. */
function memberCoverage(practice: PracticeData | undefined, claim: unknown): SpanList | null | undefined {
  const coverage = practice?.coverage;
  if (coverage === undefined) return undefined;
  const payerId = payerIdOf(claim);
  const memberId = memberIdOf(claim);
  if (!presentText(payerId) || !presentText(memberId) || !coverage.hasPayer(payerId)) return undefined;
  return coverage.member(payerId, memberId) ?? null;
}

/**
 * Units of an authorization used before this claim: the file's unitsUsed (used before this
 * batch) plus `earlierInBatch`, the units earlier claims of the batch for the same patient billed
 * under it (the cross-claim pass; undefined when none did, or the scrub sees one claim at a time).
 */
export function unitsUsedBefore(authorization: Authorization, earlierInBatch: number | undefined): number {
  return authorization.unitsUsed + (earlierInBatch ?? 0);
}

/**
 * Units a claim bills under its prior authorization (its lines with one of the authorization's
 * codes, inside its window): what later claims of the batch find already used. 0 when the
 * authorizations file was not given or does not have the claim's number.
 */
export function claimAuthorizationUnits(practice: PracticeData | undefined, claim: unknown): number {
  const lookup = practice?.authorizations;
  const number = field(claim, 'priorAuthorization');
  const payerId = payerIdOf(claim);
  const memberId = memberIdOf(claim);
  if (lookup === undefined || !presentText(number) || !presentText(payerId) || !presentText(memberId)) return 0;
  const authorizations = lookup.member(payerId, memberId);
  const authorization = authorizations === undefined ? undefined : byId(authorizations, number);
  if (authorization === undefined) return 0;
  let units = 0;
  for (const line of arrayOrEmpty(field(claim, 'serviceLines'))) if (underAuthorization(authorization, line)) units += countedUnits(line) ?? 0;
  return units;
}

/** Whether a line is billed under an authorization: a code it lists, every day of service inside its window. */
function underAuthorization(authorization: Authorization, line: unknown): boolean {
  const code = field(line, 'procedureCode');
  const first = field(line, 'serviceDate');
  if (typeof code !== 'string' || !isIsoDate(first)) return false;
  return codeInRanges(code, authorization.codes) && holds(authorization.window, first) && holds(authorization.window, lastServiceDate(line, first));
}

/**
 * Units this claim bills under the authorization up to and including the current line, lines
 * taken in date order (then in claim order): the line that goes over is the one held, not the
 * ones the authorization still paid for.
 */
function unitsBilledThrough(authorization: Authorization, claim: unknown, lineIndex: number, date: string): number {
  const lines = arrayOrEmpty(field(claim, 'serviceLines'));
  let units = 0;
  for (let index = 0; index < lines.length; index++) {
    const other = lines[index];
    const otherDate = field(other, 'serviceDate');
    if (!isIsoDate(otherDate) || otherDate > date || (otherDate === date && index > lineIndex)) continue;
    if (underAuthorization(authorization, other)) units += countedUnits(other) ?? 0;
  }
  return units;
}

/** The claim's authorization as it bears on the current line (linePriorAuthorization). */
export interface LineAuthorization {
  number: string;
  /** The authorization's codes and window as the file gives them, and the file line it is on. */
  codes: string;
  window: string;
  fileLine: number;
  /** The line's code is one of the authorization's codes. */
  codeCovered: boolean;
  /** The code is on some authorization of this payer in the file: the practice gets authorizations for it. */
  codeInPayerAuthorizations: boolean;
  /** Another authorization of this member that covers the line's code and dates, when the claim's does not. */
  otherNumber: string | null;
  /** What the file offers for a line the claim's authorization does not cover, in words (null when it covers the code). */
  otherAuthorization: string | null;
  /** Every day of service inside the window (null when the code is not covered: the line is not billed under it). */
  dateInside: boolean | null;
  /** Units: authorized, used before this claim, billed on this claim through this line, and their total. */
  unitsAuthorized: number;
  unitsUsedBefore: number;
  unitsBilled: number;
  unitsTotal: number;
  /** The line is under the authorization and the total is above what it authorizes. */
  unitsExceeded: boolean;
}

function otherAuthorizationFor(authorizations: ReadonlyMap<string, Authorization>, except: Authorization, line: unknown): Authorization | undefined {
  for (const authorization of authorizations.values()) if (authorization !== except && underAuthorization(authorization, line)) return authorization;
  return undefined;
}

function linePriorAuthorization(context: FactContext): LineAuthorization | undefined {
  const { claim, line, lineIndex } = context;
  const lookup = context.practice?.authorizations;
  if (lookup === undefined) return undefined;
  const number = field(claim, 'priorAuthorization');
  const payerId = payerIdOf(claim);
  const memberId = memberIdOf(claim);
  const code = field(line, 'procedureCode');
  const first = field(line, 'serviceDate');
  if (!presentText(number) || !presentText(payerId) || !presentText(memberId) || typeof code !== 'string' || !isIsoDate(first)) return undefined;
  const authorizations = lookup.member(payerId, memberId);
  const authorization = authorizations === undefined ? undefined : byId(authorizations, number);
  if (authorizations === undefined || authorization === undefined) return undefined;
  const codeCovered = codeInRanges(code, authorization.codes);
  const dateInside = codeCovered ? holds(authorization.window, first) && holds(authorization.window, lastServiceDate(line, first)) : null;
  const codeInPayerAuthorizations = codeCovered || lookup.payerAuthorizesCode(payerId, code);
  const usedBefore = unitsUsedBefore(authorization, context.batch?.authorizationUnitsEarlier);
  const billed = dateInside === true ? unitsBilledThrough(authorization, claim, lineIndex, first) : 0;
  const other = codeCovered || !codeInPayerAuthorizations ? undefined : otherAuthorizationFor(authorizations, authorization, line);
  return {
    number: authorization.number,
    codes: authorization.codesText,
    window: authorization.windowText,
    fileLine: authorization.line,
    codeCovered,
    codeInPayerAuthorizations,
    otherNumber: other?.number ?? null,
    otherAuthorization: codeCovered
      ? null
      : other === undefined
        ? 'no other authorization of this member on file covers it'
        : `authorization ${other.number} of this member covers it (authorizations file line ${other.line})`,
    dateInside,
    unitsAuthorized: authorization.units,
    unitsUsedBefore: usedBefore,
    unitsBilled: billed,
    unitsTotal: usedBefore + billed,
    unitsExceeded: dateInside === true && countedUnits(line) !== undefined && usedBefore + billed > authorization.units,
  };
}

/** The member's authorization on file that covers the line, when the claim carries no number (lineAuthorizationOnFile). */
export interface AuthorizationOnFile {
  number: string;
  codes: string;
  window: string;
  fileLine: number;
}

function lineAuthorizationOnFile(context: FactContext): AuthorizationOnFile | undefined {
  const { claim, line } = context;
  const lookup = context.practice?.authorizations;
  if (lookup === undefined || presentText(field(claim, 'priorAuthorization'))) return undefined;
  const payerId = payerIdOf(claim);
  const memberId = memberIdOf(claim);
  if (!presentText(payerId) || !presentText(memberId)) return undefined;
  const authorizations = lookup.member(payerId, memberId);
  if (authorizations === undefined) return undefined;
  for (const authorization of authorizations.values()) {
    if (underAuthorization(authorization, line)) {
      return { number: authorization.number, codes: authorization.codesText, window: authorization.windowText, fileLine: authorization.line };
    }
  }
  return undefined;
}

/** The performing provider of the current line without an enrolment with the payer on its dates (lineEnrolmentGap). */
export interface EnrolmentGap {
  npi: string;
  /** Which provider it is, in words: the line's rendering provider, the claim's, or the billing provider. */
  provider: string;
  /** The first day of service the enrolment does not hold. */
  date: string;
  /** The provider's enrolment with the payer, in words. */
  enrolment: string;
}

function providerRole(claim: unknown, line: unknown, npi: string): string {
  if (field(field(line, 'renderingProvider'), 'npi') === npi) return "the line's rendering provider";
  if (field(field(claim, 'renderingProvider'), 'npi') === npi) return 'the rendering provider';
  return 'the billing provider, as the claim names no rendering provider';
}

function lineEnrolmentGap(context: FactContext): EnrolmentGap | undefined {
  const { claim, line } = context;
  const lookup = context.practice?.enrolment;
  if (lookup === undefined) return undefined;
  const payerId = payerIdOf(claim);
  const first = field(line, 'serviceDate');
  if (!presentText(payerId) || !isIsoDate(first) || !lookup.hasPayer(payerId)) return undefined;
  const npi = performingNpi(claim, line);
  // A malformed NPI is the NPI rules' edit (and the schema's), not an enrolment problem.
  if (!isTenDigits(npi)) return undefined;
  const enrolment = lookup.provider(payerId, npi);
  if (enrolment === undefined) {
    return { npi, provider: providerRole(claim, line, npi), date: first, enrolment: 'the enrolment file has no enrolment of this NPI with the payer' };
  }
  const date = firstUncoveredDay(enrolment.spans, first, lastServiceDate(line, first));
  if (date === undefined) return undefined;
  return { npi, provider: providerRole(claim, line, npi), date, enrolment: `its enrolment on file is ${enrolment.text}` };
}

export const PRACTICE_FACTS: readonly FactDefinition[] = [
  {
    name: 'memberNotInCoverageFile',
    scope: 'claim',
    description:
      "True when the run's coverage file (--coverage) lists the claim's payer but has no row for the subscriber's member id; absent when no coverage file was given, the payer is not in it, or the claim names no payer or member.",
    compute: ({ claim, practice }) => (memberCoverage(practice, claim) === null ? true : undefined),
  },
  {
    name: 'lineCoverageGap',
    scope: 'line',
    description:
      "The first day of service of the current line (its date, or any day of its span) that the member's coverage with the payer in the coverage file does not hold: { date, kind: before | after | lapse, startsOn, endedOn, coverage }; absent when covered, when the file was not given, or when the file does not list the payer or the member.",
    compute: ({ claim, line, practice }): CoverageGap | undefined => {
      const first = field(line, 'serviceDate');
      if (!isIsoDate(first)) return undefined;
      const coverage = memberCoverage(practice, claim);
      if (coverage === undefined || coverage === null) return undefined;
      const date = firstUncoveredDay(coverage.spans, first, lastServiceDate(line, first));
      return date === undefined ? undefined : coverageGap(coverage, date);
    },
  },
  {
    name: 'priorAuthorizationNotOnFile',
    scope: 'claim',
    description:
      "True when the claim's prior authorization number is not in the run's authorizations file (--authorizations) for the claim's payer and member, and the file lists the payer; absent otherwise (no file, no number, payer not in the file).",
    compute: ({ claim, practice }) => {
      const lookup = practice?.authorizations;
      const number = field(claim, 'priorAuthorization');
      const payerId = payerIdOf(claim);
      const memberId = memberIdOf(claim);
      if (lookup === undefined || !presentText(number) || !presentText(payerId) || !presentText(memberId) || !lookup.hasPayer(payerId)) return undefined;
      const authorizations = lookup.member(payerId, memberId);
      return authorizations !== undefined && byId(authorizations, number) !== undefined ? undefined : true;
    },
  },
  {
    name: 'linePriorAuthorization',
    scope: 'line',
    description:
      "The claim's prior authorization, from the authorizations file, as it bears on the current line: { number, codes, window, fileLine, codeCovered, codeInPayerAuthorizations, otherNumber, otherAuthorization, dateInside, unitsAuthorized, unitsUsedBefore, unitsBilled, unitsTotal, unitsExceeded }. Units count this claim's lines under it (its codes, inside its window) through the current line in date order, plus the file's unitsUsed, plus what earlier claims of the batch for the patient billed under it. Absent when the file was not given, the claim carries no number, or the number is not on file for the payer and member.",
    compute: linePriorAuthorization,
    crossClaim: true,
  },
  {
    name: 'lineAuthorizationOnFile',
    scope: 'line',
    description:
      "When the claim carries no prior authorization number: the member's authorization in the authorizations file that covers the current line's code and dates, { number, codes, window, fileLine }; absent otherwise.",
    compute: lineAuthorizationOnFile,
  },
  {
    name: 'lineEnrolmentGap',
    scope: 'line',
    description:
      "The current line's performing provider (its rendering provider, else the claim's, else the billing provider) when the enrolment file (--enrolment) lists the payer and has no enrolment of that NPI with it holding every day of service: { npi, provider, date, enrolment }; absent otherwise.",
    compute: lineEnrolmentGap,
  },
];
