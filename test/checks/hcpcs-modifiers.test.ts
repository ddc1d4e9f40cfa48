import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScrubber, type Scrubber } from '../../engine/index.js';
import { HCPCS_FACTS } from '../../engine/checks/hcpcs.js';
import type { FactContext } from '../../engine/checks/types.js';
import { createHcpcsTable } from '../../engine/data/hcpcs/table.js';
import { createReleaseSet, quarterlyReleaseEnd } from '../../engine/data/release-set.js';
import type { HcpcsEntry, ReferenceData, ReleaseManifest } from '../../engine/data/types.js';
import { ROOT } from '../helpers/cli.js';
import { createTestDataDir } from '../helpers/reference-data.js';

function manifest(release: string, effective: string): ReleaseManifest {
  return { formatVersion: 1, kind: 'hcpcs', release, effective, importedAt: '2026-01-01T00:00:00.000Z', sourceFiles: [], counts: {}, tables: [] };
}

const MODIFIERS: HcpcsEntry[] = [
  { code: 'GT', kind: 'modifier', shortDescription: 'Via interactive audio/video', added: '1999-01-01' },
  { code: 'QT', kind: 'modifier', shortDescription: 'Analog tape recording', added: '1993-01-01', terminated: '2026-01-31' },
  { code: 'NW', kind: 'modifier', shortDescription: 'A modifier new this quarter', added: '2026-02-15' },
  { code: 'U1', kind: 'modifier', shortDescription: 'Medicaid level of care 1', added: '2002-01-01' },
  { code: '1P', kind: 'modifier', shortDescription: 'Perf measure exclusion med', added: '2007-01-01', terminated: '2025-12-31' },
  { code: 'G0008', kind: 'code', shortDescription: 'Admin influenza virus vac' },
];

// One release for the first quarter of 2026 (2026-01-01 to 2026-03-31), in memory.
const data = { hcpcs: createReleaseSet([{ manifest: manifest('2026q1-test', '2026-01-01'), table: createHcpcsTable(MODIFIERS) }], quarterlyReleaseEnd) } as unknown as ReferenceData;

function fact(name: string) {
  const definition = HCPCS_FACTS.find((candidate) => candidate.name === name);
  if (!definition) throw new Error(`no fact ${name}`);
  return definition;
}
const problem = fact('lineModifierHcpcsProblem');
const unknown = fact('lineModifiersUnknown');

function on(modifiers: unknown, serviceDate: unknown = '2026-02-02', withData = true): FactContext & { dataGaps: Set<string> } {
  const line = { procedureCode: '99213', modifiers, serviceDate };
  return { claim: { serviceLines: [line] }, line, lineIndex: 0, dataGaps: new Set<string>(), ...(withData ? { data } : {}) };
}

describe('lineModifierHcpcsProblem', () => {
  it('is absent for modifiers valid on the date, CPT modifiers the release lacks, and no modifiers', () => {
    for (const modifiers of [['GT', 'U1'], ['25', '59', 'P1', '2P'], [], undefined, 'GT', [7, null, 'gt', 'GT9']]) {
      const context = on(modifiers);
      expect(problem.compute(context)).toBeUndefined();
      expect(context.dataGaps.size).toBe(0);
    }
  });

  it('holds a modifier terminated before the date of service, not on its last valid date', () => {
    expect(problem.compute(on(['QT'], '2026-01-31'))).toBeUndefined();
    expect(problem.compute(on(['QT'], '2026-02-01'))).toEqual({
      modifiers: 'QT',
      problem: 'modifier QT was terminated: its last valid date of service was 2026-01-31',
      sources: [
        {
          table: 'hcpcs',
          release: '2026q1-test',
          effective: '2026-01-01',
          row: { code: 'QT', kind: 'modifier', added: '1993-01-01', terminated: '2026-01-31', shortDescription: 'Analog tape recording' },
        },
      ],
    });
  });

  it('holds a modifier added after the date of service, not on its added date', () => {
    expect(problem.compute(on(['NW'], '2026-02-15'))).toBeUndefined();
    expect(problem.compute(on(['NW'], '2026-02-14'))).toMatchObject({ modifiers: 'NW', problem: 'modifier NW was added on 2026-02-15, after the date of service' });
  });

  it('applies the release\'s dates to a CPT-shaped modifier it lists', () => {
    expect(problem.compute(on(['1P']))).toMatchObject({ modifiers: '1P', problem: 'modifier 1P was terminated: its last valid date of service was 2025-12-31' });
  });

  it('holds a Level II modifier the release does not list, even where a code of that name exists', () => {
    expect(problem.compute(on(['ZZ', 'ZZ', 'GT']))).toEqual({
      modifiers: 'ZZ',
      problem: 'modifier ZZ is not a modifier of HCPCS release 2026q1-test',
      sources: [{ table: 'hcpcs', release: '2026q1-test', effective: '2026-01-01', row: { code: 'ZZ', kind: 'modifier', found: null } }],
    });
    expect(problem.compute(on(['QT', 'XY']))).toMatchObject({ modifiers: 'QT, XY', problem: expect.stringContaining('; modifier XY is not a modifier') });
  });

  it('records a data gap only for Level II modifiers on dates no release covers', () => {
    const levelTwo = on(['ZZ'], '2026-04-01');
    expect(problem.compute(levelTwo)).toBeUndefined();
    expect([...levelTwo.dataGaps]).toEqual(['hcpcs']);
    const cptOnly = on(['25', 'P1', '1P'], '2026-04-01');
    expect(problem.compute(cptOnly)).toBeUndefined();
    expect(cptOnly.dataGaps.size).toBe(0);
    const noData = on(['GT'], '2026-02-02', false);
    expect(problem.compute(noData)).toBeUndefined();
    expect([...noData.dataGaps]).toEqual(['hcpcs']);
    const badDate = on(['ZZ'], '2026-02-30');
    expect(problem.compute(badDate)).toBeUndefined();
    expect(badDate.dataGaps.size).toBe(0);
  });
});

describe('lineModifiersUnknown', () => {
  it('is absent for modifiers claimscrub\'s list knows, and for malformed ones', () => {
    expect(unknown.compute(on(['25', 'GT', 'P1', 'XS']))).toBeUndefined();
    expect(unknown.compute(on(['gt', 'GT9', 7, null]))).toBeUndefined();
    expect(unknown.compute(on('ZZ'))).toBeUndefined();
  });

  it('leaves to the release what it judges where one covers the date', () => {
    // U1: listed by the release; ZZ: a Level II modifier the release lacks (modifier-not-valid-on-date's).
    expect(unknown.compute(on(['U1', 'ZZ']))).toBeUndefined();
    // 5O: CPT-shaped, the release does not carry it: the list decides.
    expect(unknown.compute(on(['U1', '5O', '5O']))).toEqual(['5O']);
  });

  it('falls back to the list where no release covers the date, without a data gap', () => {
    const context = on(['U1', 'ZZ', '5O'], '2026-04-01');
    expect(unknown.compute(context)).toEqual(['U1', 'ZZ', '5O']);
    expect(context.dataGaps.size).toBe(0);
    expect(unknown.compute(on(['ZZ'], '2026-02-02', false))).toEqual(['ZZ']);
    expect(unknown.compute(on(['ZZ'], 'not a date'))).toEqual(['ZZ']);
  });
});

it('the modifier facts never throw, whatever the line', () => {
  fc.assert(
    fc.property(fc.anything(), fc.anything(), (modifiers, date) => {
      for (const context of [on(modifiers, date), on([modifiers, 'ZZ'], '2026-02-02'), { claim: modifiers, line: modifiers, lineIndex: 0, data }]) {
        problem.compute(context);
        unknown.compute(context);
      }
    }),
  );
});

describe('modifier-not-valid-on-date and modifier-unknown never flag the same modifier', () => {
  const office = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/claims/office-visit.json'), 'utf8'));
  let testData: Awaited<ReturnType<typeof createTestDataDir>>;
  let scrubber: Scrubber;
  beforeAll(async () => {
    testData = await createTestDataDir();
    scrubber = await createScrubber(undefined, { dataDir: testData.dir, submissionDate: null });
  });
  afterAll(() => testData.remove());

  const scrub = (modifiers: string[], serviceDate: string) => {
    const claim = structuredClone(office);
    claim.serviceLines[1].modifiers = modifiers;
    claim.serviceLines[1].serviceDate = serviceDate;
    const result = scrubber.scrubClaim(claim);
    return { codes: result.edits.filter((edit) => edit.category === 'modifier').map((edit) => edit.code), edits: result.edits, dataMissing: result.dataMissing ?? [] };
  };

  it('a covering release decides; without one, the list warns and the gap is reported', () => {
    const covered = scrub(['ZZ'], '2026-03-02');
    expect(covered.codes).toEqual(['modifier-not-valid-on-date']);
    expect(covered.edits.find((edit) => edit.code === 'modifier-not-valid-on-date')?.sources).toEqual([
      { table: 'hcpcs', release: '2026q1-excerpt', effective: '2026-01-01', row: { code: 'ZZ', kind: 'modifier', found: null } },
    ]);
    expect(covered.dataMissing).not.toContain('hcpcs');
    const uncovered = scrub(['ZZ'], '2026-04-06');
    expect(uncovered.codes).toEqual(['modifier-unknown']);
    expect(uncovered.dataMissing).toContain('hcpcs');
  });

  it('a modifier the release lists is known; a CPT-shaped one it lacks is the list\'s, with no gap', () => {
    expect(scrub(['U1'], '2026-03-02').codes).toEqual([]);
    expect(scrub(['QT'], '2026-03-02').codes).toEqual(['modifier-not-valid-on-date']);
    expect(scrub(['5O'], '2026-03-02').codes).toEqual(['modifier-unknown']);
    const cptOnly = scrub(['25', '59'], '2026-04-06');
    expect(cptOnly.codes).toEqual([]);
    expect(cptOnly.dataMissing).not.toContain('hcpcs');
  });
});
