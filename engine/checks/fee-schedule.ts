/**
 * Facts from the Medicare physician fee schedule's payment policy indicators (the PPRRVU file):
 * global surgery periods and the bilateral surgery indicator. Most payers follow CMS's global
 * periods, so these facts do not depend on the claim's program. A date of service no installed
 * release covers is a data gap named `pfs`, never an edit.
 */
import type { LoadedRelease, PfsBilateralIndicator, PfsEntry, PfsTable } from '../data/types.js';
import type { EditSource } from '../model/result.js';
import { releaseOn, sourceOf } from './data-lookup.js';
import { performingNpi } from './service-lines.js';
import type { FactContext, FactDefinition } from './types.js';
import { arrayOrEmpty, field, isIsoDate } from './values.js';

/** The data gap name, as reports show it. */
const GAP = 'pfs';

function pfsRow(entry: PfsEntry): Record<string, string | number | null> {
  return {
    code: entry.code,
    modifier: entry.modifier ?? null,
    status: entry.status,
    globalDays: entry.globalDays,
    multipleProcedure: entry.multipleProcedure,
    bilateralSurgery: entry.bilateralSurgery,
  };
}

function pfsSource(release: LoadedRelease<PfsTable>, entry: PfsEntry): EditSource {
  return sourceOf(release, GAP, pfsRow(entry));
}

/** The day after a YYYY-MM-DD date. */
function dayAfter(date: string): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  const value = new Date(Date.UTC(2000, month - 1, day + 1));
  // Set the year apart: Date.UTC reads years 0-99 as 1900-1999.
  value.setUTCFullYear(year, month - 1, day + 1);
  return value.toISOString().slice(0, 10);
}

function isMinorGlobal(entry: PfsEntry | undefined): entry is PfsEntry {
  return entry !== undefined && (entry.globalDays === '000' || entry.globalDays === '010');
}

export interface MajorSurgeryNearby {
  /** The surgery's code, 1-based line and date of service. */
  code: string;
  serviceLine: number;
  date: string;
  /** `the same day` or `the next day`, from the current line's point of view. */
  when: string;
  sources: EditSource[];
}

/**
 * A line of the claim, for the current line's performing provider, on the current line's date of
 * service or the next day, whose code has a 90-day global period (major surgery) in the fee
 * schedule release in effect on the surgery's date. The first such line, in claim order.
 */
function majorSurgerySameOrNextDay(context: FactContext): MajorSurgeryNearby | undefined {
  const { claim, line, lineIndex } = context;
  const date = field(line, 'serviceDate');
  if (!isIsoDate(date)) return undefined;
  const lines = arrayOrEmpty(field(claim, 'serviceLines'));
  if (lines.length < 2) return undefined;
  const npi = performingNpi(claim, line);
  let nextDay: string | undefined;
  for (let index = 0; index < lines.length; index++) {
    if (index === lineIndex) continue;
    const other = lines[index];
    const code = field(other, 'procedureCode');
    const otherDate = field(other, 'serviceDate');
    if (typeof code !== 'string' || typeof otherDate !== 'string') continue;
    if (otherDate !== date) {
      nextDay ??= dayAfter(date);
      if (otherDate !== nextDay) continue;
    }
    if (performingNpi(claim, other) !== npi) continue;
    const release = releaseOn(context, context.data?.pfs, GAP, otherDate);
    const entry = release?.table.entryFor(code);
    if (release === undefined || entry?.globalDays !== '090') continue;
    return { code, serviceLine: index + 1, date: otherDate, when: otherDate === date ? 'the same day' : 'the next day', sources: [pfsSource(release, entry)] };
  }
  return undefined;
}

export interface AddOnWithoutPrimary {
  code: string;
  sources: EditSource[];
}

/**
 * The current line's code is an add-on code (global period ZZZ) and no other line of the claim
 * for the same provider and date has a code that is not one. A code the release does not list
 * counts as a primary: only the fee schedule's add-on codes are known not to be.
 */
function addOnWithoutPrimary(context: FactContext): AddOnWithoutPrimary | undefined {
  const { claim, line, lineIndex } = context;
  const code = field(line, 'procedureCode');
  const date = field(line, 'serviceDate');
  if (typeof code !== 'string' || !isIsoDate(date)) return undefined;
  const release = releaseOn(context, context.data?.pfs, GAP, date);
  const entry = release?.table.entryFor(code);
  if (release === undefined || entry?.globalDays !== 'ZZZ') return undefined;
  const lines = arrayOrEmpty(field(claim, 'serviceLines'));
  const npi = performingNpi(claim, line);
  for (let index = 0; index < lines.length; index++) {
    if (index === lineIndex) continue;
    const other = lines[index];
    const otherCode = field(other, 'procedureCode');
    if (typeof otherCode !== 'string' || field(other, 'serviceDate') !== date || performingNpi(claim, other) !== npi) continue;
    if (release.table.entryFor(otherCode)?.globalDays !== 'ZZZ') return undefined;
  }
  return { code, sources: [pfsSource(release, entry)] };
}

export interface Modifier50NotBilateral {
  code: string;
  indicator: PfsBilateralIndicator;
  /** What the indicator says, in words. */
  meaning: string;
  sources: EditSource[];
}

/**
 * The bilateral surgery indicators under which modifier 50 is wrong, and why. 1 (150% for both
 * sides) and 3 (each side paid in full, mostly imaging) take it.
 */
const NOT_BILATERAL: Readonly<Partial<Record<PfsBilateralIndicator, string>>> = {
  0: 'the bilateral adjustment does not apply to this code (a procedure not done on both sides, or one with its own bilateral code): both sides are paid as one',
  2: 'the code is already bilateral: its value covers both sides',
  9: 'the bilateral concept does not apply to this service',
};

/** Modifier 50 on a line whose code's bilateral surgery indicator is 0, 2 or 9 in the release in effect on its date. */
function modifier50NotBilateral(context: FactContext): Modifier50NotBilateral | undefined {
  const { line } = context;
  const modifiers = field(line, 'modifiers');
  if (!Array.isArray(modifiers) || !modifiers.includes('50')) return undefined;
  const code = field(line, 'procedureCode');
  const date = field(line, 'serviceDate');
  if (typeof code !== 'string' || !isIsoDate(date)) return undefined;
  const release = releaseOn(context, context.data?.pfs, GAP, date);
  const entry = release?.table.entryFor(code);
  if (release === undefined || entry === undefined) return undefined;
  const meaning = NOT_BILATERAL[entry.bilateralSurgery];
  if (meaning === undefined) return undefined;
  return { code, indicator: entry.bilateralSurgery, meaning, sources: [pfsSource(release, entry)] };
}

export interface SameDayMinorProcedure {
  /** true: decided by the fee schedule; false: no release covers the date, the rule's own list decides. */
  feeSchedule: boolean;
  /** The codes of the other lines for the same provider and date. */
  sameDayCodes: string[];
  /** With the fee schedule: those with a 0- or 10-day global period. */
  minorCodes?: string[];
  sources?: EditSource[];
}

/**
 * The other lines of the claim for the current line's provider and date. With a fee schedule
 * release in effect on the date: those whose code has a 0- or 10-day global period (absent when
 * none has). Without one: the gap is recorded and their codes are given for the rule's own list
 * (`feeSchedule: false`).
 */
function sameDayMinorProcedure(context: FactContext): SameDayMinorProcedure | undefined {
  const { claim, line, lineIndex } = context;
  const date = field(line, 'serviceDate');
  if (!isIsoDate(date)) return undefined;
  const lines = arrayOrEmpty(field(claim, 'serviceLines'));
  if (lines.length < 2) return undefined;
  const npi = performingNpi(claim, line);
  let sameDayCodes: string[] | undefined;
  for (let index = 0; index < lines.length; index++) {
    const other = lines[index];
    const code = field(other, 'procedureCode');
    if (index === lineIndex || typeof code !== 'string' || field(other, 'serviceDate') !== date || performingNpi(claim, other) !== npi) continue;
    (sameDayCodes ??= []).push(code);
  }
  if (sameDayCodes === undefined) return undefined;
  const release = releaseOn(context, context.data?.pfs, GAP, date);
  if (release === undefined) return { feeSchedule: false, sameDayCodes };
  const minor = sameDayCodes.map((code) => release.table.entryFor(code)).filter(isMinorGlobal);
  if (minor.length === 0) return undefined;
  return { feeSchedule: true, sameDayCodes, minorCodes: minor.map((entry) => entry.code), sources: minor.map((entry) => pfsSource(release, entry)) };
}

export const FEE_SCHEDULE_FACTS: readonly FactDefinition[] = [
  {
    name: 'lineMajorSurgerySameOrNextDay',
    scope: 'line',
    description:
      "A line for the current line's performing provider, on its date of service or the next day, whose code has a 90-day global period (major surgery) in the physician fee schedule release in effect on that date: { code, serviceLine, date, when, sources }; absent when none has.",
    compute: majorSurgerySameOrNextDay,
  },
  {
    name: 'lineAddOnWithoutPrimary',
    scope: 'line',
    description:
      "The current line's code is an add-on code (global period ZZZ in the physician fee schedule release in effect on its date) and no other line for the same provider and date has a code that is not one: { code, sources }; absent otherwise.",
    compute: addOnWithoutPrimary,
  },
  {
    name: 'lineModifier50NotBilateral',
    scope: 'line',
    description:
      "Modifier 50 on the current line, whose code's bilateral surgery indicator (physician fee schedule release in effect on its date) is 0, 2 or 9: { code, indicator, meaning, sources }; absent otherwise.",
    compute: modifier50NotBilateral,
  },
  {
    name: 'lineSameDayMinorProcedure',
    scope: 'line',
    description:
      "The other lines for the current line's provider and date: { feeSchedule: true, sameDayCodes, minorCodes, sources } when the physician fee schedule release in effect gives some a 0- or 10-day global period (absent when it gives none), { feeSchedule: false, sameDayCodes } when no release covers the date.",
    compute: sameDayMinorProcedure,
  },
];
