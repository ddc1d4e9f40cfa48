/**
 * Practice files: what a billing team exports from its practice management or eligibility system
 * and gives a scrub run (`--coverage`, `--authorizations`, `--enrolment`). Unlike reference data
 * they are the practice's own records, about its patients and providers, and change daily: they
 * are read per run, never installed.
 *
 * Ids are compared trimmed and upper-cased (exports and claims differ in case), dates are
 * YYYY-MM-DD and every span is inclusive at both ends; a span without an end is open.
 */

export const PRACTICE_FILE_KINDS = ['coverage', 'authorizations', 'enrolment'] as const;
export type PracticeFileKind = (typeof PRACTICE_FILE_KINDS)[number];

/** The files given to a run, by kind; each is optional. */
export type PracticeFiles = { readonly [K in PracticeFileKind]?: string };

/** Inclusive dates; `end` undefined: open-ended. */
export interface DateSpan {
  readonly start: string;
  readonly end: string | undefined;
}

/**
 * A member's coverage (or a provider's enrolment) with one payer: the file's spans merged where
 * they overlap or touch, in date order, so a date is covered when one span holds it.
 */
export interface SpanList {
  readonly spans: readonly DateSpan[];
  /** The spans in words, for messages: `2026-01-01 to 2026-06-30, 2026-08-01 onward`. */
  readonly text: string;
}

/** A code or an inclusive range of codes, compared as text (`97110`-`97140`), upper case. */
export interface CodeRange {
  readonly low: string;
  readonly high: string;
}

export interface Authorization {
  /** The number as written in the file (trimmed). */
  readonly number: string;
  readonly codes: readonly CodeRange[];
  /** The codes as written in the file, for messages. */
  readonly codesText: string;
  readonly window: DateSpan;
  /** The window in words, for messages: `2026-04-01 to 2026-06-30` or `2026-04-01 onward`. */
  readonly windowText: string;
  /** Units authorized. */
  readonly units: number;
  /** Units used before this batch (the file's unitsUsed; 0 when not given). */
  readonly unitsUsed: number;
  /** The 1-based line of the authorizations file the row starts on. */
  readonly line: number;
}

/** What a run's practice files hold, as lookups. A kind is undefined when its file was not given. */
export interface PracticeData {
  readonly coverage?: CoverageLookup | undefined;
  readonly authorizations?: AuthorizationLookup | undefined;
  readonly enrolment?: EnrolmentLookup | undefined;
}

/** Coverage spans by payer id and member id. */
export interface CoverageLookup {
  readonly rows: number;
  /** True when the file has a row for the payer: only those payers' claims are checked. */
  hasPayer(payerId: string): boolean;
  /** The member's merged coverage with the payer, or undefined when the file has no row for them. */
  member(payerId: string, memberId: string): SpanList | undefined;
}

/** Authorizations by payer id, member id and number. */
export interface AuthorizationLookup {
  readonly rows: number;
  hasPayer(payerId: string): boolean;
  /** The member's authorizations with the payer, by number (upper case), or undefined when the file has none. */
  member(payerId: string, memberId: string): ReadonlyMap<string, Authorization> | undefined;
  /** True when some authorization of the payer in the file (any member's) covers the code. */
  payerAuthorizesCode(payerId: string, code: string): boolean;
}

/** Enrolment spans by payer id and NPI. */
export interface EnrolmentLookup {
  readonly rows: number;
  hasPayer(payerId: string): boolean;
  /** The provider's merged enrolment with the payer, or undefined when the file has no row for them. */
  provider(payerId: string, npi: string): SpanList | undefined;
}
