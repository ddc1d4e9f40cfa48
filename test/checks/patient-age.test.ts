import { describe, expect, it } from 'vitest';
import { DEMOGRAPHICS_FACTS } from '../../engine/checks/demographics.js';
import { patientAgeOn } from '../../engine/checks/values.js';
import { codeList, parseListFile, procedureAgeBand, procedureSex } from '../../engine/checks/lists.js';
import { computedFacts } from '../../engine/checks/registry.js';
import type { FactContext } from '../../engine/checks/types.js';
import { ScrubError } from '../../engine/errors.js';

const claimBornOn = (dateOfBirth: unknown) => ({ patient: { dateOfBirth } });

function fact(name: string, claim: unknown, line: unknown): unknown {
  const definition = DEMOGRAPHICS_FACTS.find((candidate) => candidate.name === name);
  if (!definition) throw new Error(`no fact ${name}`);
  const context: FactContext = { claim, line, lineIndex: 0 };
  return definition.compute(context);
}

describe('patientAgeOn: whole years on a date of service', () => {
  it.each([
    ['1968-04-12', '2026-03-02', 57],
    ['1968-04-12', '2033-04-11', 64],
    ['1968-04-12', '2033-04-12', 65],
    ['1968-04-12', '2033-04-13', 65],
    ['2026-03-02', '2026-03-02', 0], // a newborn on the day of birth
    ['2025-03-03', '2026-03-02', 0], // the day before the first birthday
    ['2025-03-02', '2026-03-02', 1],
    ['2025-12-31', '2026-01-01', 0],
  ])('born %s, seen %s: %i', (dateOfBirth, date, age) => {
    expect(patientAgeOn(claimBornOn(dateOfBirth), date)).toBe(age);
  });

  it('born on February 29: a year older on March 1 in years without one, on February 29 in leap years', () => {
    const claim = claimBornOn('2020-02-29');
    expect(patientAgeOn(claim, '2021-02-28')).toBe(0);
    expect(patientAgeOn(claim, '2021-03-01')).toBe(1);
    expect(patientAgeOn(claim, '2024-02-28')).toBe(3);
    expect(patientAgeOn(claim, '2024-02-29')).toBe(4);
    expect(patientAgeOn(claim, '2025-02-28')).toBe(4);
    expect(patientAgeOn(claim, '2025-03-01')).toBe(5);
  });

  it('a service before the birth has no age (dob-after-service-date speaks for it)', () => {
    expect(patientAgeOn(claimBornOn('2026-03-03'), '2026-03-02')).toBeUndefined();
  });

  it('no age without a valid date of birth and date of service, whatever the claim holds', () => {
    for (const dateOfBirth of [undefined, null, '', '1968-02-30', '1968-4-12', '04/12/1968', 19680412, {}]) {
      expect(patientAgeOn(claimBornOn(dateOfBirth), '2026-03-02'), String(dateOfBirth)).toBeUndefined();
    }
    for (const date of [undefined, '2026-02-30', '2026-3-2', 20260302]) expect(patientAgeOn(claimBornOn('1968-04-12'), date)).toBeUndefined();
    for (const claim of [undefined, null, 'claim', [], {}, { patient: null }, { patient: 'x' }, { patient: [] }]) {
      expect(patientAgeOn(claim, '2026-03-02')).toBeUndefined();
    }
  });

  it('reads only own properties', () => {
    const patient = Object.create({ dateOfBirth: '1968-04-12' }) as object;
    expect(patientAgeOn({ patient }, '2026-03-02')).toBeUndefined();
  });
});

describe('age and sex facts of a service line', () => {
  const claim = claimBornOn('2008-03-03');

  it('are registered as line facts', () => {
    for (const name of ['linePatientAgeYears', 'lineProcedureAgeBand', 'lineProcedureSex']) expect(computedFacts.get(name)?.scope, name).toBe('line');
  });

  it("linePatientAgeYears uses the line's own date of service", () => {
    expect(fact('linePatientAgeYears', claim, { serviceDate: '2026-03-02' })).toBe(17);
    expect(fact('linePatientAgeYears', claim, { serviceDate: '2026-03-03' })).toBe(18);
    expect(fact('linePatientAgeYears', claim, { serviceDate: '2026-02-30' })).toBeUndefined();
    expect(fact('linePatientAgeYears', claim, {})).toBeUndefined();
    expect(fact('linePatientAgeYears', claim, undefined)).toBeUndefined();
  });

  it('lineProcedureAgeBand and lineProcedureSex look the line code up in the lists', () => {
    expect(fact('lineProcedureAgeBand', claim, { procedureCode: '99382' })).toMatchObject({ code: '99382', minAge: 1, maxAge: 4 });
    expect(fact('lineProcedureAgeBand', claim, { procedureCode: '99387' })).toMatchObject({ code: '99387', minAge: 65 });
    expect(fact('lineProcedureSex', claim, { procedureCode: '55250' })).toMatchObject({ code: '55250', sex: 'M' });
    expect(fact('lineProcedureSex', claim, { procedureCode: '59400' })).toMatchObject({ sex: 'F' });
    for (const line of [{ procedureCode: '99214' }, { procedureCode: 99382 }, { procedureCode: '99382 ' }, {}, null, 'line']) {
      expect(fact('lineProcedureAgeBand', claim, line)).toBeUndefined();
      expect(fact('lineProcedureSex', claim, line)).toBeUndefined();
    }
  });
});

describe('the procedure age and sex lists', () => {
  it('preventive medicine bands: new 99381-99387 and established 99391-99397 alike', () => {
    const bands: [number, number | undefined][] = [[0, 0], [1, 4], [5, 11], [12, 17], [18, 39], [40, 64], [65, undefined]];
    bands.forEach(([minAge, maxAge], index) => {
      for (const code of [String(99381 + index), String(99391 + index)]) {
        const band = procedureAgeBand(code);
        expect(band?.minAge, code).toBe(minAge);
        expect(band?.maxAge, code).toBe(maxAge);
      }
    });
  });

  it('vaccine counseling codes through 18 years', () => {
    for (const code of ['90460', '90461']) expect(procedureAgeBand(code)).toMatchObject({ minAge: 0, maxAge: 18 });
    expect(procedureAgeBand('90471')).toBeUndefined();
  });

  it('sex-specific codes: labels of our own, each code once', () => {
    const entries = codeList('procedure-sexes').entries;
    expect(entries.filter((entry) => entry.sex === 'M').map((entry) => entry.code)).toEqual(
      expect.arrayContaining(['55700', '55840', '55866', '54520', '55250', 'G0102', 'G0103']),
    );
    expect(entries.filter((entry) => entry.sex === 'F').map((entry) => entry.code)).toEqual(
      expect.arrayContaining(['58150', '59400', '59510', '59610', '76801', '76805', '76811', '76815', '76817', 'Q0091']),
    );
    // Lab tests and visits whose sex is only likely are deliberately not listed.
    for (const code of ['84153', '88142', '99214', '77067']) expect(procedureSex(code), code).toBeUndefined();
  });

  it('an age band that fits no one is refused with its position', () => {
    let error: unknown;
    try {
      parseListFile('procedure-ages', 'ages.yaml', 'list: procedure-ages\ncodes:\n  - { code: "99382", minAge: 4, maxAge: 1, label: x }\n');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ScrubError);
    expect((error as ScrubError).message).toContain('ages.yaml:3:5: the code "99382" has maxAge 1 below minAge 4');
  });

  it('entries without their band or sex, or with a sex the claim cannot record, are refused', () => {
    const refused = (name: 'procedure-ages' | 'procedure-sexes', entry: string) => {
      try {
        parseListFile(name, `${name}.yaml`, `list: ${name}\ncodes:\n  - ${entry}\n`);
      } catch (error) {
        return (error as ScrubError).problems.map((problem) => problem.message);
      }
      return [];
    };
    expect(refused('procedure-ages', '{ code: "99382", label: x }')).toEqual(['`codes[0].minAge` is missing.']);
    expect(refused('procedure-ages', '{ code: "99382", minAge: -1, label: x }')).toHaveLength(1);
    expect(refused('procedure-ages', '{ code: "99382", minAge: 1.5, label: x }')).toHaveLength(1);
    expect(refused('procedure-sexes', '{ code: "55250", label: x }')).toEqual(['`codes[0].sex` is missing.']);
    expect(refused('procedure-sexes', '{ code: "55250", sex: U, label: x }')).toHaveLength(1);
    expect(refused('procedure-sexes', '{ code: "5525", sex: M, label: x }')).toHaveLength(1);
  });
});
