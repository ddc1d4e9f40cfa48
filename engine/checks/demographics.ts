/**
 * The patient's age and sex against procedures defined for one age band or one sex
 * (engine/data/lists/procedure-ages.yaml and procedure-sexes.yaml). The rules compare; these facts
 * only look the line's code up and compute the age on the line's own date of service.
 */
import { procedureAgeBand, procedureSex, type ProcedureAgeEntry, type ProcedureSexEntry } from './lists.js';
import type { FactDefinition } from './types.js';
import { field, patientAgeOn } from './values.js';

export const DEMOGRAPHICS_FACTS: readonly FactDefinition[] = [
  {
    name: 'linePatientAgeYears',
    scope: 'line',
    description:
      "The patient's age in whole years on the current line's date of service (a newborn is 0); absent when the date of birth or the date of service is missing or invalid, or the service is before the birth.",
    compute: ({ claim, line }) => patientAgeOn(claim, field(line, 'serviceDate')),
  },
  {
    name: 'lineProcedureAgeBand',
    scope: 'line',
    description:
      "The age band of the current line's procedure code when the code is defined for one (engine/data/lists/procedure-ages.yaml): { code, minAge, maxAge, label }, maxAge absent for no upper limit; absent for other codes.",
    compute: ({ line }): ProcedureAgeEntry | undefined => {
      const code = field(line, 'procedureCode');
      return typeof code === 'string' ? procedureAgeBand(code) : undefined;
    },
  },
  {
    name: 'lineProcedureSex',
    scope: 'line',
    description:
      "The sex the current line's procedure code is specific to (engine/data/lists/procedure-sexes.yaml): { code, sex, label } with sex F or M; absent for codes specific to neither.",
    compute: ({ line }): ProcedureSexEntry | undefined => {
      const code = field(line, 'procedureCode');
      return typeof code === 'string' ? procedureSex(code) : undefined;
    },
  },
];
