import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FEE_SCHEDULE_FACTS } from '../../engine/checks/fee-schedule.js';
import type { FactContext } from '../../engine/checks/types.js';
import { createPfsTable } from '../../engine/data/pfs/table.js';
import { createReleaseSet, quarterlyReleaseEnd } from '../../engine/data/release-set.js';
import type { PfsEntry, ReferenceData, ReleaseManifest } from '../../engine/data/types.js';

function manifest(release: string, effective: string): ReleaseManifest {
  return { formatVersion: 1, kind: 'pfs', release, effective, importedAt: '2026-01-01T00:00:00.000Z', sourceFiles: [], counts: {}, tables: [] };
}

const ENTRIES: PfsEntry[] = [
  { code: '99213', status: 'A', globalDays: 'XXX', multipleProcedure: 0, bilateralSurgery: 9 },
  { code: '20610', status: 'A', globalDays: '000', multipleProcedure: 2, bilateralSurgery: 1 },
  { code: '17000', status: 'A', globalDays: '010', multipleProcedure: 2, bilateralSurgery: 0 },
  { code: '17003', status: 'A', globalDays: 'ZZZ', multipleProcedure: 0, bilateralSurgery: 0 },
  { code: '27447', status: 'A', globalDays: '090', multipleProcedure: 2, bilateralSurgery: 1 },
  { code: '69210', status: 'A', globalDays: '000', multipleProcedure: 2, bilateralSurgery: 2 },
];

// One release for the first quarter of 2026 (2026-01-01 to 2026-03-31), in memory.
const data = { pfs: createReleaseSet([{ manifest: manifest('2026q1-test', '2026-01-01'), table: createPfsTable(ENTRIES) }], quarterlyReleaseEnd) } as unknown as ReferenceData;

function fact(name: string) {
  const definition = FEE_SCHEDULE_FACTS.find((candidate) => candidate.name === name);
  if (!definition) throw new Error(`no fact ${name}`);
  return definition;
}
const majorSurgery = fact('lineMajorSurgerySameOrNextDay');
const addOn = fact('lineAddOnWithoutPrimary');
const bilateral = fact('lineModifier50NotBilateral');
const minor = fact('lineSameDayMinorProcedure');

type Line = Record<string, unknown>;
const line = (procedureCode: string, serviceDate = '2026-03-02', more: Line = {}): Line => ({ procedureCode, serviceDate, ...more });

function on(lines: unknown[], lineIndex = 0, withData = true): FactContext & { dataGaps: Set<string> } {
  const claim = { renderingProvider: { npi: '1987654328' }, serviceLines: lines };
  return { claim, line: lines[lineIndex], lineIndex, dataGaps: new Set<string>(), ...(withData ? { data } : {}) };
}

describe('lineMajorSurgerySameOrNextDay', () => {
  it('names the surgery, its line and date, and the fee schedule row', () => {
    const context = on([line('99213'), line('27447', '2026-03-03')]);
    expect(majorSurgery.compute(context)).toEqual({
      code: '27447',
      serviceLine: 2,
      date: '2026-03-03',
      when: 'the next day',
      sources: [{ table: 'pfs', release: '2026q1-test', effective: '2026-01-01', row: { code: '27447', modifier: null, status: 'A', globalDays: '090', multipleProcedure: 2, bilateralSurgery: 1 } }],
    });
    expect(context.dataGaps.size).toBe(0);
  });

  it('crosses month and year ends, and reads the surgery date\'s release', () => {
    expect(majorSurgery.compute(on([line('99213', '2026-02-28'), line('27447', '2026-03-01')]))).toMatchObject({ when: 'the next day' });
    const nextYear = on([line('99213', '2025-12-31'), line('27447', '2026-01-01')]);
    expect(majorSurgery.compute(nextYear)).toMatchObject({ date: '2026-01-01' });
    const uncovered = on([line('99213', '2026-03-31'), line('27447', '2026-04-01')]);
    expect(majorSurgery.compute(uncovered)).toBeUndefined();
    expect([...uncovered.dataGaps]).toEqual(['pfs']);
  });

  it('records no gap when no line is near: one line, other dates, other providers', () => {
    for (const context of [
      on([line('99213')]),
      on([line('99213'), line('27447', '2026-03-05')]),
      on([line('99213'), line('27447', '2026-03-02', { renderingProvider: { npi: '1600000032' } })]),
    ]) {
      expect(majorSurgery.compute(context)).toBeUndefined();
      expect(context.dataGaps.size).toBe(0);
    }
  });
});

describe('lineAddOnWithoutPrimary', () => {
  it('is present for an add-on code alone, absent with a primary, and a gap when no release covers the date', () => {
    expect(addOn.compute(on([line('17003')]))).toMatchObject({ code: '17003', sources: [{ table: 'pfs', row: { globalDays: 'ZZZ' } }] });
    expect(addOn.compute(on([line('17003'), line('17000')]))).toBeUndefined();
    expect(addOn.compute(on([line('17003'), line('0591T')]))).toBeUndefined();
    expect(addOn.compute(on([line('17003'), line('17003')]))).toMatchObject({ code: '17003' });
    const uncovered = on([line('17003', '2026-04-01')]);
    expect(addOn.compute(uncovered)).toBeUndefined();
    expect([...uncovered.dataGaps]).toEqual(['pfs']);
    const noData = on([line('17003')], 0, false);
    expect(addOn.compute(noData)).toBeUndefined();
    expect([...noData.dataGaps]).toEqual(['pfs']);
  });
});

describe('lineModifier50NotBilateral', () => {
  it('flags indicators 0, 2 and 9, not 1, and looks nothing up without modifier 50', () => {
    expect(bilateral.compute(on([line('69210', '2026-03-02', { modifiers: ['50'] })]))).toMatchObject({ code: '69210', indicator: 2 });
    expect(bilateral.compute(on([line('17000', '2026-03-02', { modifiers: ['50'] })]))).toMatchObject({ indicator: 0 });
    expect(bilateral.compute(on([line('99213', '2026-03-02', { modifiers: ['25', '50'] })]))).toMatchObject({ indicator: 9 });
    expect(bilateral.compute(on([line('20610', '2026-03-02', { modifiers: ['50'] })]))).toBeUndefined();
    const without = on([line('69210', '2026-04-01', { modifiers: ['RT'] })]);
    expect(bilateral.compute(without)).toBeUndefined();
    expect(without.dataGaps.size).toBe(0);
  });
});

describe('lineSameDayMinorProcedure', () => {
  it('with a release: the minor procedures of the same provider and date', () => {
    expect(minor.compute(on([line('99213'), line('20610'), line('17000'), line('27447')]))).toMatchObject({
      feeSchedule: true,
      sameDayCodes: ['20610', '17000', '27447'],
      minorCodes: ['20610', '17000'],
      sources: [{ row: { code: '20610', globalDays: '000' } }, { row: { code: '17000', globalDays: '010' } }],
    });
    expect(minor.compute(on([line('99213'), line('27447')]))).toBeUndefined();
  });

  it('without a release: the same-day codes for the rule\'s list, and the gap', () => {
    const context = on([line('99213', '2026-06-08'), line('20610', '2026-06-08'), line('36415', '2026-06-09')]);
    expect(minor.compute(context)).toEqual({ feeSchedule: false, sameDayCodes: ['20610'] });
    expect([...context.dataGaps]).toEqual(['pfs']);
    const alone = on([line('99213', '2026-06-08'), line('36415', '2026-06-09')]);
    expect(minor.compute(alone)).toBeUndefined();
    expect(alone.dataGaps.size).toBe(0);
  });
});

describe('the fee schedule facts on malformed claims', () => {
  it('never throw, whatever the claim holds', () => {
    const value = fc.oneof(fc.constant(undefined), fc.constant(null), fc.string(), fc.integer(), fc.boolean(), fc.constantFrom('2026-03-02', '2026-03-03', '27447', '17003', '69210', '99213', '50'), fc.array(fc.constantFrom('50', '25', 7, null)));
    const lineArbitrary = fc.oneof(fc.constant(null), fc.string(), fc.record({ procedureCode: value, serviceDate: value, modifiers: value, renderingProvider: fc.oneof(value, fc.record({ npi: value })) }, { requiredKeys: [] }));
    fc.assert(
      fc.property(fc.array(lineArbitrary, { maxLength: 4 }), fc.oneof(value, fc.record({ npi: value })), (lines, rendering) => {
        const claim = { renderingProvider: rendering, serviceLines: lines };
        for (let index = -1; index < lines.length; index++) {
          for (const definition of FEE_SCHEDULE_FACTS) {
            expect(() => definition.compute({ claim, line: lines[index], lineIndex: index, data, dataGaps: new Set() })).not.toThrow();
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
