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

/**
 * Checks each ICD-10-CM diagnosis against the release in effect on the dates of service of the
 * lines that point to it (the claim's first date of service when no line does). A date no
 * installed release covers is skipped and reported as a data gap, never guessed.
 */
function checkIcd10cm(context: FactContext): Icd10cmCheck {
  const result: Icd10cmCheck = { invalid: [], notBillable: [], releases: [] };
  const diagnoses = arrayOrEmpty(field(context.claim, 'diagnoses'));
  if (diagnoses.length === 0) return result;
  const datesByDiagnosis: Set<string>[] = diagnoses.map(() => new Set());
  let earliest: string | undefined;
  for (const line of arrayOrEmpty(field(context.claim, 'serviceLines'))) {
    const date = field(line, 'serviceDate');
    if (!isIsoDate(date)) continue;
    if (earliest === undefined || date < earliest) earliest = date;
    for (const pointer of arrayOrEmpty(field(line, 'diagnosisPointers'))) {
      if (typeof pointer === 'number' && Number.isInteger(pointer)) datesByDiagnosis[pointer - 1]?.add(date);
    }
  }
  const releases = context.data?.icd10cm;
  const used = new Set<string>();
  diagnoses.forEach((diagnosis, index) => {
    const code = field(diagnosis, 'code');
    if (typeof code !== 'string' || !ICD10CM_SHAPE.test(code) || field(diagnosis, 'codeSet') === 'icd9cm') return;
    const dates = datesByDiagnosis[index]?.size ? datesByDiagnosis[index] : earliest === undefined ? undefined : new Set([earliest]);
    const dotless = code.replace('.', '');
    for (const date of dates ?? []) {
      const release = releases?.releaseFor(date);
      if (!release) {
        context.dataGaps?.add('icd10cm');
        continue;
      }
      used.add(`${release.manifest.release} (effective ${release.manifest.effective})`);
      const status = release.table.status(dotless);
      if (status === undefined && !result.invalid.includes(code)) result.invalid.push(code);
      if (status === 'header' && !result.notBillable.includes(code)) result.notBillable.push(code);
    }
  });
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
