import type { FactContext, FactDefinition } from './types.js';
import { arrayOrEmpty, field, isIsoDate, patientAgeOn, toCents } from './values.js';

/** The claim's first valid date of service, YYYY-MM-DD. */
export function earliestServiceDate({ claim }: Pick<FactContext, 'claim'>): string | undefined {
  let earliest: string | undefined;
  for (const line of arrayOrEmpty(field(claim, 'serviceLines'))) {
    const date = field(line, 'serviceDate');
    if (isIsoDate(date) && (earliest === undefined || date < earliest)) earliest = date;
  }
  return earliest;
}

export const FACTS: readonly FactDefinition[] = [
  {
    name: 'lineChargesMinusTotalCents',
    scope: 'claim',
    description:
      "The sum of the line charges minus the claim's total charge, in whole cents; absent when the total or any line charge is not a number.",
    compute: ({ claim }) => {
      const total = toCents(field(claim, 'totalCharge'));
      const lines = field(claim, 'serviceLines');
      if (total === undefined || !Array.isArray(lines) || lines.length === 0) return undefined;
      let sum = 0;
      for (const line of lines) {
        const charge = toCents(field(line, 'charge'));
        if (charge === undefined) return undefined;
        sum += charge;
      }
      return sum - total;
    },
  },
  {
    name: 'diagnosisCodeSets',
    scope: 'claim',
    description: "The code set of each diagnosis in order: icd10cm (the default) or icd9cm, from the HI qualifier.",
    compute: ({ claim }) =>
      arrayOrEmpty(field(claim, 'diagnoses')).map((diagnosis) => {
        const codeSet = field(diagnosis, 'codeSet');
        return typeof codeSet === 'string' ? codeSet : 'icd10cm';
      }),
  },
  {
    name: 'lineRepeatedModifiers',
    scope: 'line',
    description: "The current line's modifiers that appear more than once on it (each listed once).",
    compute: ({ line }) => {
      const modifiers = arrayOrEmpty(field(line, 'modifiers'));
      return modifiers.filter((modifier, index) => typeof modifier === 'string' && modifiers.indexOf(modifier) !== index).filter((modifier, index, list) => list.indexOf(modifier) === index);
    },
  },
  {
    name: 'earliestServiceDate',
    scope: 'claim',
    description: "The claim's first date of service (the earliest valid line serviceDate), YYYY-MM-DD.",
    compute: earliestServiceDate,
  },
  {
    name: 'patientAgeYears',
    scope: 'claim',
    description: "The patient's age in whole years on the first date of service; absent when either date is missing or invalid.",
    compute: (context) => patientAgeOn(context.claim, earliestServiceDate(context)),
  },
  {
    name: 'diagnosisCodes',
    scope: 'claim',
    description: "The claim's diagnosis codes in order, as written (text codes only).",
    compute: ({ claim }) =>
      arrayOrEmpty(field(claim, 'diagnoses'))
        .map((diagnosis) => field(diagnosis, 'code'))
        .filter((code): code is string => typeof code === 'string'),
  },
  {
    name: 'lineDanglingDiagnosisPointers',
    scope: 'line',
    description: "The current line's diagnosis pointers that point to no diagnosis on the claim.",
    compute: ({ claim, line }) => {
      const diagnosisCount = arrayOrEmpty(field(claim, 'diagnoses')).length;
      return arrayOrEmpty(field(line, 'diagnosisPointers')).filter(
        (pointer) => typeof pointer === 'number' && (!Number.isInteger(pointer) || pointer < 1 || pointer > diagnosisCount),
      );
    },
  },
  {
    name: 'sameDayOtherProcedureCodes',
    scope: 'line',
    description: 'Procedure codes of the other lines of the claim with the same date of service as the current line.',
    compute: ({ claim, line, lineIndex }) => {
      const date = field(line, 'serviceDate');
      if (!isIsoDate(date)) return [];
      const codes: string[] = [];
      arrayOrEmpty(field(claim, 'serviceLines')).forEach((other, index) => {
        const code = field(other, 'procedureCode');
        if (index !== lineIndex && field(other, 'serviceDate') === date && typeof code === 'string') codes.push(code);
      });
      return codes;
    },
  },
];
