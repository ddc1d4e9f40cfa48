import { earliestServiceDate } from './facts.js';
import type { FactContext, FactDefinition } from './types.js';
import { arrayOrEmpty, field, isIsoDate } from './values.js';

/** The ICD-10-CM shape checked before any lookup: a malformed code is the format rule's edit, not this one's. */
const ICD10CM_SHAPE = /^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/;

export interface Icd10cmCheck {
  /** Codes that are not in the release in effect on a date of service they are used on. */
  invalid: string[];
  /** Codes that are headers (categories), not valid for claims. */
  notBillable: string[];
  /** The releases the codes were checked against, as `name (effective YYYY-MM-DD)`. */
  releases: string[];
}

const NOTHING_FOUND: Icd10cmCheck = Object.freeze({ invalid: [], notBillable: [], releases: [] }) as unknown as Icd10cmCheck;

function isCheckable(diagnosis: unknown): diagnosis is { code: string } {
  const code = field(diagnosis, 'code');
  return typeof code === 'string' && ICD10CM_SHAPE.test(code) && field(diagnosis, 'codeSet') !== 'icd9cm';
}

/** Whether the line points to the diagnosis at 1-based position `position`. */
function pointsTo(line: unknown, position: number): boolean {
  const pointers = field(line, 'diagnosisPointers');
  return Array.isArray(pointers) && pointers.includes(position);
}

/**
 * Checks each ICD-10-CM diagnosis against the release in effect on the dates of service of the
 * lines that point to it (the claim's first date of service when no line does). A date no
 * installed release covers is skipped and reported as a data gap, never guessed. Runs for every
 * claim, so the common cases (no release installed, nothing wrong) allocate nothing.
 */
function checkIcd10cm(context: FactContext): Icd10cmCheck {
  const diagnoses = arrayOrEmpty(field(context.claim, 'diagnoses'));
  if (!diagnoses.some(isCheckable)) return NOTHING_FOUND;
  const lines = arrayOrEmpty(field(context.claim, 'serviceLines'));
  const releases = context.data?.icd10cm;
  if (releases === undefined || releases.releases.length === 0) {
    if (lines.some((line) => isIsoDate(field(line, 'serviceDate')))) context.dataGaps?.add('icd10cm');
    return NOTHING_FOUND;
  }
  const earliest = earliestServiceDate(context);
  if (earliest === undefined) return NOTHING_FOUND;

  let result: Icd10cmCheck | undefined;
  const used = new Set<string>();
  const check = (code: string, date: string) => {
    const release = releases.releaseFor(date);
    if (!release) {
      context.dataGaps?.add('icd10cm');
      return;
    }
    used.add(`${release.manifest.release} (effective ${release.manifest.effective})`);
    const status = release.table.status(code.replace('.', ''));
    if (status === 'billable') return;
    result ??= { invalid: [], notBillable: [], releases: [] };
    const list = status === undefined ? result.invalid : result.notBillable;
    if (!list.includes(code)) list.push(code);
  };
  diagnoses.forEach((diagnosis, index) => {
    if (!isCheckable(diagnosis)) return;
    let pointed = false;
    for (const line of lines) {
      const date = field(line, 'serviceDate');
      if (isIsoDate(date) && pointsTo(line, index + 1)) {
        pointed = true;
        check(diagnosis.code, date);
      }
    }
    if (!pointed) check(diagnosis.code, earliest);
  });
  if (!result) return NOTHING_FOUND;
  result.releases = [...used].sort();
  return result;
}

export const ICD10CM_FACTS: readonly FactDefinition[] = [
  {
    name: 'icd10cmCheck',
    scope: 'claim',
    description:
      "The claim's ICD-10-CM codes checked against the release in effect on each date of service: { invalid, notBillable, releases }. Dates no installed release covers are skipped.",
    compute: checkIcd10cm,
  },
];
