import type { MueEntry, PtpEdit } from '../data/types.js';
import type { EditSource } from '../model/result.js';
import { gapNames, ncciProgram, releaseOn, sourceOf } from './data-lookup.js';
import { countedUnits, performingNpi } from './service-lines.js';
import type { FactContext, FactDefinition } from './types.js';

export { performingNpi };
import { arrayOrEmpty, field, isIsoDate } from './values.js';

/**
 * Modifiers that bypass an NCCI PTP edit whose modifier indicator is 1 (NCCI Policy Manual,
 * Chapter 1): distinct procedural service, anatomic sites, global surgery and repeat services.
 */
export const NCCI_ASSOCIATED_MODIFIERS: ReadonlySet<string> = new Set([
  '24', '25', '57', '58', '59', '78', '79', '91',
  'XE', 'XS', 'XP', 'XU',
  'E1', 'E2', 'E3', 'E4',
  'FA', 'F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7', 'F8', 'F9',
  'TA', 'T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'T8', 'T9',
  'LT', 'RT', 'LC', 'LD', 'LM', 'RC', 'RI',
  'GG', 'GH',
]);


function hasAssociatedModifier(line: unknown): boolean {
  return arrayOrEmpty(field(line, 'modifiers')).some((modifier) => typeof modifier === 'string' && NCCI_ASSOCIATED_MODIFIERS.has(modifier));
}

/** Whether another line is the same provider and date (one claim is one patient). */
function sameProviderAndDate(claim: unknown, other: unknown, npi: unknown, date: string): boolean {
  return field(other, 'serviceDate') === date && performingNpi(claim, other) === npi;
}

const PTP_GAPS = gapNames('ncci-ptp');
const MUE_GAPS = gapNames('mue');

export interface PtpConflict {
  /** The column 1 code and the 1-based line it is billed on. */
  column1: string;
  column1Line: number;
  column2: string;
  modifierIndicator: 0 | 1;
  effective: string;
  deleted: string | null;
  rationale: string;
  /** Why the edit stands: `modifier not allowed` (indicator 0) or `no NCCI-associated modifier` (indicator 1). */
  reason: string;
  sources: EditSource[];
}

function ptpRow(edit: PtpEdit): Record<string, string | number | null> {
  return {
    column1: edit.column1,
    column2: edit.column2,
    effective: edit.effective,
    deleted: edit.deleted ?? null,
    modifierIndicator: edit.modifierIndicator,
    rationale: edit.rationale,
  };
}

/**
 * The current line as the column 2 code of an NCCI PTP edit with another line of the claim for
 * the same provider and date of service, in the program's table in effect on that date. Indicator
 * 9 edits never apply; indicator 1 edits are bypassed by an NCCI-associated modifier on either line.
 */
function ptpConflict(context: FactContext): PtpConflict | undefined {
  const { claim, line, lineIndex } = context;
  const column2 = field(line, 'procedureCode');
  const date = field(line, 'serviceDate');
  if (typeof column2 !== 'string' || !isIsoDate(date)) return undefined;
  const lines = arrayOrEmpty(field(claim, 'serviceLines'));
  if (lines.length < 2) return undefined;
  const program = ncciProgram(context);
  if (program === undefined) return undefined;
  const npi = performingNpi(claim, line);
  let release;
  for (let index = 0; index < lines.length; index++) {
    const other = lines[index];
    const column1 = field(other, 'procedureCode');
    if (index === lineIndex || typeof column1 !== 'string' || column1 === column2 || !sameProviderAndDate(claim, other, npi, date)) continue;
    release ??= releaseOn(context, context.data?.ncciPtp[program], PTP_GAPS[program], date);
    if (release === undefined) return undefined;
    const edit = release.table.editFor(column1, column2, date);
    if (edit === undefined || edit.modifierIndicator === 9) continue;
    if (edit.modifierIndicator === 1 && (hasAssociatedModifier(line) || hasAssociatedModifier(other))) continue;
    return {
      column1,
      column1Line: index + 1,
      column2,
      modifierIndicator: edit.modifierIndicator,
      effective: edit.effective,
      deleted: edit.deleted ?? null,
      rationale: edit.rationale,
      reason: edit.modifierIndicator === 0 ? 'a modifier cannot bypass this edit (modifier indicator 0)' : 'neither line has an NCCI-associated modifier (modifier indicator 1)',
      sources: [sourceOf(release, 'ncci-ptp', ptpRow(edit))],
    };
  }
  return undefined;
}

export interface MueExcess {
  code: string;
  /** The MUE value and its adjudication indicator. */
  value: number;
  indicator: 1 | 2 | 3;
  /** The units compared with it: the line's (indicator 1) or the day's, on this claim and the batch's other claims for the patient (2 and 3). */
  units: number;
  /** `on this line` or `on this date of service`. */
  counted: string;
  sources: EditSource[];
}


function countedWhere(indicator: 1 | 2 | 3, otherClaims: number): string {
  if (indicator === 1) return 'on this line';
  if (otherClaims === 0) return 'on this date of service (all its lines on this claim)';
  return `on this date of service (its lines on this claim and on ${otherClaims} other ${otherClaims === 1 ? 'claim' : 'claims'} of the batch for this patient)`;
}

function mueRow(entry: MueEntry): Record<string, string | number | null> {
  return { code: entry.code, value: entry.value, indicator: entry.indicator, rationale: entry.rationale };
}

/**
 * The current line's units over the MUE of its code in the program's table in effect on its date
 * of service: the line's own units for indicator 1; for indicators 2 and 3, the units of the code
 * summed over the claim's lines for the same provider and date (every such line gets the edit).
 */
function mueExcess(context: FactContext): MueExcess | undefined {
  const { claim, line } = context;
  const code = field(line, 'procedureCode');
  const date = field(line, 'serviceDate');
  const units = countedUnits(line);
  if (typeof code !== 'string' || !isIsoDate(date) || units === undefined) return undefined;
  const program = ncciProgram(context);
  if (program === undefined) return undefined;
  const release = releaseOn(context, context.data?.mue[program], MUE_GAPS[program], date);
  const entry = release?.table.entryFor(code);
  if (release === undefined || entry === undefined) return undefined;
  let total = units;
  let otherClaims = 0;
  if (entry.indicator !== 1) {
    total = 0;
    const npi = performingNpi(claim, line);
    for (const other of arrayOrEmpty(field(claim, 'serviceLines'))) {
      if (field(other, 'procedureCode') === code && sameProviderAndDate(claim, other, npi, date)) total += countedUnits(other) ?? 0;
    }
    const batch = context.batch?.lines?.[context.lineIndex];
    if (batch !== undefined && batch.otherClaims > 0) {
      total += batch.otherClaimsUnits;
      otherClaims = batch.otherClaims;
    }
  }
  if (total <= entry.value) return undefined;
  return {
    code,
    value: entry.value,
    indicator: entry.indicator,
    units: total,
    counted: countedWhere(entry.indicator, otherClaims),
    sources: [sourceOf(release, 'mue', mueRow(entry))],
  };
}

export const NCCI_FACTS: readonly FactDefinition[] = [
  {
    name: 'linePtpConflict',
    scope: 'line',
    description:
      "The NCCI PTP edit that denies the current line as its column 2 code, against another line of the claim for the same provider and date, in the payer program's table in effect on that date: { column1, column1Line, column2, modifierIndicator, effective, deleted, rationale, reason, sources }; absent when none does.",
    compute: ptpConflict,
  },
  {
    name: 'lineMueExcess',
    scope: 'line',
    description:
      "The current line's units over the MUE of its code in the payer program's table in effect on its date (per line for indicator 1; for 2 and 3 per day, summed over this claim's lines and the batch's other claims for the patient, provider and date): { code, value, indicator, units, counted, sources }; absent when within it.",
    compute: mueExcess,
    crossClaim: true,
  },
];
