import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchIndexBuilder, batchFactsOf } from '../../engine/checks/batch/index.js';
import { BatchKeyWriter, claimFingerprint, hasRepeatModifier, patientIdentity, serviceDay, serviceDetail } from '../../engine/checks/batch/keys.js';
import type { ClaimBatchFacts, LineBatchFacts } from '../../engine/checks/batch/types.js';
import { countedUnits } from '../../engine/checks/service-lines.js';

/** In these tests a claim uses every counted unit of its lines under its authorization (the authorizations file decides in a scrub). */
function authorizationUnitsOf(claim: unknown): number {
  const lines = (claim as { serviceLines?: unknown } | undefined)?.serviceLines;
  return Array.isArray(lines) ? lines.reduce((sum: number, line: unknown) => sum + (countedUnits(line) ?? 0), 0) : 0;
}

/**
 * The builder groups claims by 64-bit hashes in typed arrays; this reference compares the exact
 * key strings claim by claim, in O(n²). Both must say the same about every claim.
 */
function referenceFacts(claims: readonly unknown[], file: string): Map<number, ClaimBatchFacts> {
  const facts = new Map<number, ClaimBatchFacts>();
  const entry = (index: number) => {
    if (!facts.has(index)) facts.set(index, {});
    return facts.get(index) as ClaimBatchFacts;
  };
  const identity = claims.map((claim) => (claim === undefined ? undefined : patientIdentity(claim)));
  const linesOf = (claim: unknown) => (Array.isArray((claim as { serviceLines?: unknown }).serviceLines) ? ((claim as { serviceLines: unknown[] }).serviceLines) : []);
  const duplicateClaims = new Set<number>();
  claims.forEach((claim, index) => {
    if (identity[index] === undefined) return;
    const original = claims.findIndex((other, j) => j < index && identity[j] === identity[index] && claimFingerprint(other) === claimFingerprint(claim));
    if (original !== -1) {
      duplicateClaims.add(index);
      entry(index).duplicateOf = { file, line: original + 1 };
    }
    const authorization = (claim as { priorAuthorization?: unknown }).priorAuthorization;
    if (typeof authorization === 'string' && authorization.trim() !== '') {
      let earlier = 0;
      claims.forEach((other, j) => {
        const theirs = (other as { priorAuthorization?: unknown } | undefined)?.priorAuthorization;
        if (j < index && identity[j] === identity[index] && typeof theirs === 'string' && theirs.trim().toUpperCase() === authorization.trim().toUpperCase()) earlier += authorizationUnitsOf(other);
      });
      if (earlier > 0) entry(index).authorizationUnitsEarlier = earlier;
    }
  });
  claims.forEach((claim, index) => {
    if (identity[index] === undefined) return;
    linesOf(claim).forEach((line, lineIndex) => {
      const day = serviceDay(claim, line);
      if (day === undefined) return;
      let otherClaimsUnits = 0;
      const otherClaims = new Set<number>();
      let duplicateOf: LineBatchFacts['duplicateOf'];
      claims.forEach((other, j) => {
        if (j === index || identity[j] !== identity[index]) return;
        linesOf(other).forEach((otherLine, otherIndex) => {
          if (serviceDay(other, otherLine) !== day) return;
          const units = countedUnits(otherLine);
          if (units !== undefined) {
            otherClaimsUnits += units;
            otherClaims.add(j);
          }
          if (duplicateOf === undefined && j < index && !hasRepeatModifier(line) && !hasRepeatModifier(otherLine) && serviceDetail(otherLine) === serviceDetail(line)) {
            duplicateOf = { file, line: j + 1, serviceLine: otherIndex + 1 };
          }
        });
      });
      const reportDuplicate = duplicateOf !== undefined && !duplicateClaims.has(index);
      if (otherClaims.size === 0 && !reportDuplicate) return;
      const lineFacts: LineBatchFacts = { otherClaimsUnits, otherClaims: otherClaims.size };
      if (reportDuplicate) lineFacts.duplicateOf = duplicateOf;
      (entry(index).lines ??= {})[lineIndex] = lineFacts;
    });
  });
  return facts;
}

const lineArbitrary = fc.record(
  {
    // Few values each, so that claims often share a patient, a service day and a service.
    procedureCode: fc.constantFrom('99213', '36415', 'J3301'),
    modifiers: fc.constantFrom([], [], ['76'], ['59'], ['59', '76'], ['76', '59']),
    units: fc.constantFrom(1, 2, 3, 0, 1.5, 'two'),
    unitType: fc.constantFrom('UN', 'UN', 'MJ'),
    serviceDate: fc.constantFrom('2026-03-02', '2026-03-02', '2026-03-03', 'not a date'),
    charge: fc.constantFrom(30, 120),
    renderingProvider: fc.constantFrom({ npi: '1234567893' }, { npi: '1987654328' }),
    ndc: fc.constantFrom({ code: '00003029305' }, { code: '00003029320' }),
  },
  { requiredKeys: ['procedureCode', 'serviceDate', 'units'] },
);

const claimArbitrary = fc.oneof(
  { weight: 12, arbitrary: fc.record(
    {
      payer: fc.constantFrom({ id: 'BLUE1', responsibility: 'primary' }, { id: 'BLUE1', responsibility: 'primary' }, { id: 'SECOND1', responsibility: 'secondary' }),
      subscriber: fc.constantFrom({ memberId: 'M1' }, { memberId: 'M1' }, { memberId: 'm1 ' }, { memberId: 'M2' }, {}),
      patient: fc.constantFrom({ lastName: 'Doe', firstName: 'Ann', dateOfBirth: '1970-01-01' }, { lastName: 'Doe', firstName: 'Ann', dateOfBirth: '1970-01-01' }, { lastName: 'Doe', firstName: 'Ben', dateOfBirth: '2010-05-05' }),
      frequencyCode: fc.constantFrom('1', '1', '7'),
      priorAuthorization: fc.constantFrom('AUTH1', ' auth1', 'AUTH2', ''),
      totalCharge: fc.constantFrom(150, 210),
      billingProvider: fc.constant({ npi: '1234567893' }),
      serviceLines: fc.array(lineArbitrary, { maxLength: 4 }),
    },
    { requiredKeys: ['payer', 'subscriber', 'patient', 'billingProvider', 'serviceLines'] },
  ) },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, 42, { serviceLines: 'none' }) },
);

function chunked(claims: readonly unknown[], cuts: readonly number[], file: string): Map<number, ClaimBatchFacts> {
  const builder = new BatchIndexBuilder();
  const bounds = [...new Set([0, ...cuts.map((cut) => cut % (claims.length + 1)), claims.length])].sort((a, b) => a - b);
  for (let i = 0; i + 1 < bounds.length; i++) {
    const writer = new BatchKeyWriter(authorizationUnitsOf);
    for (let index = bounds[i]!; index < bounds[i + 1]!; index++) writer.add(claims[index], index + 1);
    builder.add(writer.finish(), file);
  }
  return builder.finish();
}

describe('the cross-claim index', () => {
  it('says what an exact claim-by-claim comparison says, however the batch is cut into chunks', () => {
    fc.assert(
      fc.property(fc.array(claimArbitrary, { maxLength: 14 }), fc.array(fc.nat(), { maxLength: 4 }), (claims, cuts) => {
        const expected = referenceFacts(claims, 'batch.ndjson');
        expect(batchFactsOf(claims, 'batch.ndjson', authorizationUnitsOf)).toEqual(expected);
        expect(chunked(claims, cuts, 'batch.ndjson')).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('finds the duplicate of a claim and the day units of a patient across claims', () => {
    const line = (code: string, units: number) => ({ procedureCode: code, units, serviceDate: '2026-03-02', charge: 10 });
    const base = { payer: { id: 'P' }, subscriber: { memberId: 'M' }, patient: { lastName: 'Doe' }, billingProvider: { npi: '1234567893' }, totalCharge: 10 };
    const first = { ...base, serviceLines: [line('36415', 2)] };
    const second = { ...base, serviceLines: [line('36415', 2)] };
    const third = { ...base, totalCharge: 20, serviceLines: [line('36415', 1), line('99213', 1)] };
    const otherPatient = { ...base, subscriber: { memberId: 'N' }, serviceLines: [line('36415', 5)] };
    const facts = batchFactsOf([first, otherPatient, second, third], 'day.ndjson');
    expect(facts.get(2)?.duplicateOf).toEqual({ file: 'day.ndjson', line: 1 });
    expect(facts.get(3)?.lines?.[0]).toEqual({ otherClaimsUnits: 4, otherClaims: 2, duplicateOf: { file: 'day.ndjson', line: 1, serviceLine: 1 } });
    expect(facts.get(3)?.lines?.[1]).toBeUndefined();
    expect(facts.has(1)).toBe(false);
  });

  it('counts authorization units of earlier claims only, in input order', () => {
    const claim = (units: number) => ({ payer: { id: 'P' }, subscriber: { memberId: 'M' }, priorAuthorization: 'A1', serviceLines: [{ procedureCode: '97110', units, serviceDate: '2026-03-02' }] });
    const facts = batchFactsOf([claim(4), claim(3), claim(2)], 'f', authorizationUnitsOf);
    expect(facts.get(0)?.authorizationUnitsEarlier).toBeUndefined();
    expect(facts.get(1)?.authorizationUnitsEarlier).toBe(4);
    expect(facts.get(2)?.authorizationUnitsEarlier).toBe(7);
  });

  it('gives nothing to a batch where every patient has one claim', () => {
    const claims = Array.from({ length: 50 }, (_, i) => ({ payer: { id: 'P' }, subscriber: { memberId: `M${i}` }, serviceLines: [{ procedureCode: '99213', units: 1, serviceDate: '2026-03-02' }] }));
    expect(batchFactsOf(claims, 'f').size).toBe(0);
  });
});
