/**
 * The batch summary: what a billing manager reads first and what a pipeline gates on.
 *
 * Workers each fold their results into a partial {@link Summary} with {@link addToSummary}; the
 * main thread merges the partials with {@link mergeSummaries} and turns the total into a
 * {@link FinalSummary} with {@link finalizeSummary}. A Summary is a plain JSON object (numbers and
 * string-keyed records of numbers or strings), so it crosses `postMessage` (structured clone) and
 * `JSON.stringify` unchanged.
 *
 * Privacy: the only claim values a summary ever holds are the payer id, provider NPIs, place of
 * service codes, procedure codes and total charges read by this module, plus the edit codes,
 * categories and severities and the payer policy ids of the results. Never names, member ids,
 * dates of birth, addresses or free text.
 */
import { arrayOrEmpty, field, toCents } from '../checks/values.js';
import type { ScrubResult } from '../model/result.js';

/** The key of a breakdown when the claim does not say (missing, malformed or not a string). */
export const UNKNOWN_KEY = '(unknown)';
/** The key of {@link FinalSummary.payerPolicies} for claims checked by the base rule set alone. */
export const BASE_POLICY_KEY = '(base)';

/** Counts by key. A plain object of own enumerable properties; keys come from data, so read it with `Object.hasOwn`. */
export type Counts = Record<string, number>;

/** A partial, mergeable summary. Plain JSON: structured-cloneable and serializable as is. */
export interface Summary {
  claims: number;
  clean: number;
  warning: number;
  held: number;
  /** Claims with at least one error edit: the clean claim rate is `1 - claimsWithError / claims`. */
  claimsWithError: number;
  /** Total number of edits. */
  edits: number;
  editsByCode: Counts;
  /** The category of each code in `editsByCode` (the first seen wins: a code has one category). */
  codeCategories: Record<string, string>;
  editsByCategory: Counts;
  editsBySeverity: Counts;
  editsByPayer: Counts;
  editsByRenderingProvider: Counts;
  editsByPlaceOfService: Counts;
  editsByProcedureCode: Counts;
  /** Total charge of held claims, in whole cents (integers add without drift). */
  heldChargeCents: number;
  /** Per error-edit code, the total charge in cents of the held claims carrying it (once per claim). */
  heldChargeCentsByCode: Counts;
  /** Claims per applied payer policy id, {@link BASE_POLICY_KEY} for the base rule set. */
  payerPolicies: Counts;
  /** Claims per reference table that no installed release covered for their dates (checks skipped). */
  dataMissing: Counts;
}

/** One row of a breakdown. */
export interface BreakdownEntry {
  key: string;
  count: number;
}

/** One row of the edits-by-code breakdown: the code's category comes along for reports. */
export interface CodeBreakdownEntry extends BreakdownEntry {
  category: string;
}

/** An amount in US dollars (a number with at most 2 decimals, computed from whole cents). */
export interface AmountEntry {
  key: string;
  amount: number;
}

/**
 * The summary as reports show it.
 *
 * Every breakdown is an array of `{ key, count }` rows (`{ key, amount }` for money), sorted by
 * count (amount) descending, then by key in code-unit order, so that its order is part of the
 * data and identical on every run. Arrays rather than objects because a JavaScript object puts
 * integer-like keys (place of service `11`, many payer ids) first in ascending order, whatever
 * order they were inserted in. Only keys that occurred are listed: there are no zero rows.
 */
export interface FinalSummary {
  claims: number;
  clean: number;
  warning: number;
  held: number;
  /**
   * Claims without an error edit divided by claims, between 0 and 1, unrounded; `null` when no
   * claim was scrubbed (a rate of nothing is not 100%).
   */
  cleanClaimRate: number | null;
  /** Total number of edits. */
  edits: number;
  editsByCode: CodeBreakdownEntry[];
  editsByCategory: BreakdownEntry[];
  editsBySeverity: BreakdownEntry[];
  /** By the claim's `payer.id`. */
  editsByPayer: BreakdownEntry[];
  /**
   * By NPI: for an edit on a service line, that line's `renderingProvider.npi`; otherwise (and
   * when the line has none) the claim's `renderingProvider.npi`, else `billingProvider.npi`.
   */
  editsByRenderingProvider: BreakdownEntry[];
  /** By the edit's line `placeOfService`, else the claim's `placeOfService`. */
  editsByPlaceOfService: BreakdownEntry[];
  /** Line-level edits only (edits with `serviceLine`), by that line's `procedureCode`. */
  editsByProcedureCode: BreakdownEntry[];
  /**
   * `total`: the total charge of held claims. `byCode`: for each code of an error edit on a held
   * claim, the total charge of the held claims carrying it, each claim counted once per code, so
   * the rows can add up to more than `total`. Dollars, summed in whole cents.
   */
  heldCharges: { total: number; byCode: AmountEntry[] };
  /** Claims per applied payer policy id, `(base)` for the base rule set. */
  payerPolicies: BreakdownEntry[];
  /** Claims per reference table whose checks were skipped: no installed release covers their dates. */
  dataMissing: BreakdownEntry[];
}

const COUNT_FIELDS = [
  'editsByCode',
  'editsByCategory',
  'editsBySeverity',
  'editsByPayer',
  'editsByRenderingProvider',
  'editsByPlaceOfService',
  'editsByProcedureCode',
  'heldChargeCentsByCode',
  'payerPolicies',
  'dataMissing',
] as const satisfies readonly (keyof Summary)[];

const NUMBER_FIELDS = [
  'claims',
  'clean',
  'warning',
  'held',
  'claimsWithError',
  'edits',
  'heldChargeCents',
] as const satisfies readonly (keyof Summary)[];

export function emptySummary(): Summary {
  return {
    claims: 0,
    clean: 0,
    warning: 0,
    held: 0,
    claimsWithError: 0,
    edits: 0,
    editsByCode: {},
    codeCategories: {},
    editsByCategory: {},
    editsBySeverity: {},
    editsByPayer: {},
    editsByRenderingProvider: {},
    editsByPlaceOfService: {},
    editsByProcedureCode: {},
    heldChargeCents: 0,
    heldChargeCentsByCode: {},
    payerPolicies: {},
    dataMissing: {},
  };
}

/**
 * Adds one claim's result. `claim` is the parsed claim as read, possibly malformed (any JSON
 * value, or undefined when the text did not parse): fields it lacks count under `(unknown)`.
 * Never throws.
 */
export function addToSummary(summary: Summary, result: ScrubResult, claim: unknown): void {
  summary.claims += 1;
  if (result.status === 'clean' || result.status === 'warning' || result.status === 'held') summary[result.status] += 1;
  bump(summary.payerPolicies, typeof result.payerPolicy === 'string' ? result.payerPolicy : BASE_POLICY_KEY, 1);
  for (const table of result.dataMissing ?? []) bump(summary.dataMissing, table, 1);

  const edits = arrayOrEmpty(result.edits) as readonly ScrubResult['edits'][number][];
  const payer = keyOf(field(field(claim, 'payer'), 'id'));
  const claimProvider = keyOf(field(field(claim, 'renderingProvider'), 'npi'), field(field(claim, 'billingProvider'), 'npi'));
  const claimPlace = keyOf(field(claim, 'placeOfService'));
  const lines = arrayOrEmpty(field(claim, 'serviceLines'));

  let hasError = false;
  for (const edit of edits) {
    if (edit === null || typeof edit !== 'object') continue;
    const code = String(edit.code);
    summary.edits += 1;
    bump(summary.editsByCode, code, 1);
    if (!Object.hasOwn(summary.codeCategories, code)) setOwn(summary.codeCategories, code, String(edit.category));
    bump(summary.editsByCategory, String(edit.category), 1);
    bump(summary.editsBySeverity, String(edit.severity), 1);
    bump(summary.editsByPayer, payer, 1);
    if (edit.severity === 'error') hasError = true;

    const lineNumber = edit.serviceLine;
    if (typeof lineNumber === 'number') {
      const line = Number.isInteger(lineNumber) && lineNumber >= 1 ? lines[lineNumber - 1] : undefined;
      bump(summary.editsByRenderingProvider, keyOf(field(field(line, 'renderingProvider'), 'npi'), claimProvider), 1);
      bump(summary.editsByPlaceOfService, keyOf(field(line, 'placeOfService'), claimPlace), 1);
      bump(summary.editsByProcedureCode, keyOf(field(line, 'procedureCode')), 1);
    } else {
      bump(summary.editsByRenderingProvider, claimProvider, 1);
      bump(summary.editsByPlaceOfService, claimPlace, 1);
    }
  }
  if (hasError) summary.claimsWithError += 1;

  if (result.status === 'held') {
    const cents = toCents(field(claim, 'totalCharge')) ?? 0;
    summary.heldChargeCents += cents;
    const errorCodes = new Set<string>();
    for (const edit of edits) if (edit !== null && typeof edit === 'object' && edit.severity === 'error') errorCodes.add(String(edit.code));
    for (const code of errorCodes) bump(summary.heldChargeCentsByCode, code, cents);
  }
}

/** Adds `from` into `into`; `from` is left unchanged. Order of merging does not matter. */
export function mergeSummaries(into: Summary, from: Summary): void {
  for (const name of NUMBER_FIELDS) into[name] += from[name];
  for (const name of COUNT_FIELDS) {
    const target = into[name];
    const source = from[name];
    for (const key of Object.keys(source)) bump(target, key, source[key] ?? 0);
  }
  for (const key of Object.keys(from.codeCategories)) {
    if (!Object.hasOwn(into.codeCategories, key)) setOwn(into.codeCategories, key, from.codeCategories[key] ?? '');
  }
}

/** The report form of a summary: rates computed, breakdowns sorted, money in dollars. Pure. */
export function finalizeSummary(summary: Summary): FinalSummary {
  return {
    claims: summary.claims,
    clean: summary.clean,
    warning: summary.warning,
    held: summary.held,
    cleanClaimRate: summary.claims === 0 ? null : (summary.claims - summary.claimsWithError) / summary.claims,
    edits: summary.edits,
    editsByCode: breakdown(summary.editsByCode).map(({ key, count }) => ({
      key,
      count,
      category: Object.hasOwn(summary.codeCategories, key) ? (summary.codeCategories[key] ?? '') : '',
    })),
    editsByCategory: breakdown(summary.editsByCategory),
    editsBySeverity: breakdown(summary.editsBySeverity),
    editsByPayer: breakdown(summary.editsByPayer),
    editsByRenderingProvider: breakdown(summary.editsByRenderingProvider),
    editsByPlaceOfService: breakdown(summary.editsByPlaceOfService),
    editsByProcedureCode: breakdown(summary.editsByProcedureCode),
    heldCharges: {
      total: centsToDollars(summary.heldChargeCents),
      byCode: breakdown(summary.heldChargeCentsByCode).map(({ key, count }) => ({ key, amount: centsToDollars(count) })),
    },
    payerPolicies: breakdown(summary.payerPolicies),
    dataMissing: breakdown(summary.dataMissing),
  };
}

/** Rows sorted by count descending, then key in code-unit order (locale-independent). */
function breakdown(counts: Counts): BreakdownEntry[] {
  return Object.keys(counts)
    .map((key) => ({ key, count: counts[key] ?? 0 }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The first candidate that is a non-blank string, else {@link UNKNOWN_KEY}. */
function keyOf(...candidates: unknown[]): string {
  for (const candidate of candidates) {
    if (typeof candidate === 'string' && candidate.trim() !== '') return candidate;
  }
  return UNKNOWN_KEY;
}

function bump(counts: Counts, key: string, by: number): void {
  if (Object.hasOwn(counts, key)) counts[key] = (counts[key] ?? 0) + by;
  else setOwn(counts, key, by);
}

/** Creates an own property even for keys such as `__proto__`, which plain assignment would not. */
function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
}

function centsToDollars(cents: number): number {
  return cents / 100;
}
