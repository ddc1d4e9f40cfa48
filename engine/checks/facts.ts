import type { FactContext, FactDefinition } from './types.js';
import { arrayOrEmpty, field, isIsoDate, wholeYearsBetween } from './values.js';

function earliestServiceDate({ claim }: FactContext): string | undefined {
  let earliest: string | undefined;
  for (const line of arrayOrEmpty(field(claim, 'serviceLines'))) {
    const date = field(line, 'serviceDate');
    if (isIsoDate(date) && (earliest === undefined || date < earliest)) earliest = date;
  }
  return earliest;
}

export const FACTS: readonly FactDefinition[] = [
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
    compute: (context) => {
      const years = wholeYearsBetween(field(field(context.claim, 'patient'), 'dateOfBirth'), earliestServiceDate(context));
      return years !== undefined && years >= 0 ? years : undefined;
    },
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
