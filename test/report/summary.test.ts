import { describe, expect, it } from 'vitest';
import type { Edit, ScrubResult } from '../../engine/model/result.js';
import { statusOf } from '../../engine/model/result.js';
import {
  addToSummary,
  emptySummary,
  finalizeSummary,
  mergeSummaries,
  type BreakdownEntry,
  type Summary,
} from '../../engine/report/summary.js';

// Synthetic claims and results: no real person, NPIs are CMS's published examples or made up.

function edit(code: string, severity: Edit['severity'], extra: Partial<Edit> = {}): Edit {
  return { code, severity, category: 'coding', message: `${code} fired`, path: '', help: 'Fix it.', ...extra };
}

let nextLine = 1;
function result(claimId: string | null, edits: Edit[], payerPolicy: string | null = null): ScrubResult {
  return { claimId, source: { file: 'claims.ndjson', line: nextLine++ }, status: statusOf(edits), edits, payerPolicy };
}

const SUBSCRIBER = {
  memberId: 'ZZQ77310452',
  firstName: 'Wilhelmina',
  lastName: 'Testperson',
  dateOfBirth: '1951-03-17',
  address: { line1: '742 Synthetic Lane', city: 'Faketown', state: 'ZZ', postalCode: '99999' },
};

function claim(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    totalCharge: 100,
    placeOfService: '11',
    payer: { id: 'PAYER-A', name: 'Synthetic Health Plan', responsibility: 'primary', claimFilingIndicator: 'CI' },
    subscriber: SUBSCRIBER,
    patient: {
      relationship: 'self',
      lastName: 'Testperson',
      firstName: 'Wilhelmina',
      dateOfBirth: '1951-03-17',
      sex: 'F',
      address: SUBSCRIBER.address,
    },
    billingProvider: { npi: '1234567893', name: 'Example Billing Group' },
    renderingProvider: { npi: '1111111112' },
    diagnoses: [{ code: 'E11.9' }],
    serviceLines: [
      { procedureCode: '99213', charge: 60, units: 1, serviceDate: '2026-01-05', diagnosisPointers: [1] },
      {
        procedureCode: '93000',
        charge: 40,
        units: 1,
        serviceDate: '2026-01-05',
        placeOfService: '22',
        renderingProvider: { npi: '2222222224' },
        diagnosisPointers: [1],
      },
    ],
    ...overrides,
  };
}

function asObject(rows: BreakdownEntry[]): Record<string, number> {
  return Object.fromEntries(rows.map((row) => [row.key, row.count]));
}

function summarize(pairs: [ScrubResult, unknown][]): Summary {
  const summary = emptySummary();
  for (const [r, c] of pairs) addToSummary(summary, r, c);
  return summary;
}

/** A small mixed batch used by several tests. */
function batch(): [ScrubResult, unknown][] {
  return [
    [result('C1', []), claim('C1')],
    [result('C2', [edit('info-only', 'info')]), claim('C2')],
    [
      result('C3', [edit('pos-telehealth', 'warning', { category: 'provider', serviceLine: 2, path: 'serviceLines[1].placeOfService' })]),
      claim('C3'),
    ],
    [
      result(
        'C4',
        [
          edit('ncci-ptp', 'error', { serviceLine: 2 }),
          edit('missing-field', 'error', { category: 'structure', path: 'priorAuthorization' }),
        ],
        'acme-commercial',
      ),
      claim('C4', { totalCharge: 0.1, payer: { id: 'PAYER-B' } }),
    ],
    [
      result('C5', [edit('ncci-ptp', 'error', { serviceLine: 1 }), edit('ncci-ptp', 'error', { serviceLine: 2 })], 'acme-commercial'),
      claim('C5', { totalCharge: 0.2 }),
    ],
  ];
}

describe('summary', () => {
  it('counts claims by status and computes the clean claim rate', () => {
    const final = finalizeSummary(summarize(batch()));
    expect(final.claims).toBe(5);
    expect(final.clean).toBe(2);
    expect(final.warning).toBe(1);
    expect(final.held).toBe(2);
    expect(final.cleanClaimRate).toBe(3 / 5);
    expect(final.edits).toBe(6);
  });

  it('reports a null clean claim rate when there are no claims', () => {
    const final = finalizeSummary(emptySummary());
    expect(final.claims).toBe(0);
    expect(final.cleanClaimRate).toBeNull();
    expect(final.heldCharges).toEqual({ total: 0, byCode: [] });
    expect(final.editsByCode).toEqual([]);
  });

  it('breaks edits down by code (with category), category and severity, sorted by count then key', () => {
    const final = finalizeSummary(summarize(batch()));
    expect(final.editsByCode).toEqual([
      { key: 'ncci-ptp', count: 3, category: 'coding' },
      { key: 'info-only', count: 1, category: 'coding' },
      { key: 'missing-field', count: 1, category: 'structure' },
      { key: 'pos-telehealth', count: 1, category: 'provider' },
    ]);
    expect(final.editsByCategory).toEqual([
      { key: 'coding', count: 4 },
      { key: 'provider', count: 1 },
      { key: 'structure', count: 1 },
    ]);
    expect(final.editsBySeverity).toEqual([
      { key: 'error', count: 4 },
      { key: 'info', count: 1 },
      { key: 'warning', count: 1 },
    ]);
  });

  it('keys payers by payer.id and payer policies by id or (base)', () => {
    const final = finalizeSummary(summarize(batch()));
    expect(asObject(final.editsByPayer)).toEqual({ 'PAYER-A': 4, 'PAYER-B': 2 });
    expect(final.payerPolicies).toEqual([
      { key: '(base)', count: 3 },
      { key: 'acme-commercial', count: 2 },
    ]);
  });

  it('keys rendering providers by line NPI, then claim rendering NPI, then billing NPI', () => {
    const pairs: [ScrubResult, unknown][] = [
      // Line 2 has its own rendering provider; line 1 falls back to the claim's.
      [result('R1', [edit('a', 'error', { serviceLine: 2 }), edit('a', 'error', { serviceLine: 1 }), edit('b', 'warning')]), claim('R1')],
      // No rendering provider anywhere: billing NPI.
      [result('R2', [edit('a', 'error', { serviceLine: 1 }), edit('b', 'warning')]), claim('R2', { renderingProvider: undefined })],
      // A line number past the end falls back to the claim.
      [result('R3', [edit('a', 'error', { serviceLine: 9 })]), claim('R3')],
      // Nothing at all.
      [result('R4', [edit('b', 'warning')]), { id: 'R4' }],
    ];
    const final = finalizeSummary(summarize(pairs));
    expect(asObject(final.editsByRenderingProvider)).toEqual({ '2222222224': 1, '1111111112': 3, '1234567893': 2, '(unknown)': 1 });
  });

  it('keys places of service by the line, then the claim', () => {
    const pairs: [ScrubResult, unknown][] = [
      [result('P1', [edit('a', 'error', { serviceLine: 2 }), edit('a', 'error', { serviceLine: 1 }), edit('b', 'warning')]), claim('P1')],
      [result('P2', [edit('b', 'warning')]), claim('P2', { placeOfService: undefined })],
    ];
    const final = finalizeSummary(summarize(pairs));
    expect(asObject(final.editsByPlaceOfService)).toEqual({ '22': 1, '11': 2, '(unknown)': 1 });
    // Integer-like keys keep the count order: breakdowns are arrays, not objects.
    expect(final.editsByPlaceOfService.map((row) => row.key)).toEqual(['11', '(unknown)', '22']);
  });

  it('keys procedure codes by line-level edits only', () => {
    const pairs: [ScrubResult, unknown][] = [
      [result('X1', [edit('a', 'error', { serviceLine: 2 }), edit('a', 'error', { serviceLine: 1 }), edit('b', 'warning')]), claim('X1')],
      [result('X2', [edit('a', 'error', { serviceLine: 1 })]), claim('X2', { serviceLines: [{ charge: 5 }] })],
    ];
    const final = finalizeSummary(summarize(pairs));
    expect(asObject(final.editsByProcedureCode)).toEqual({ '93000': 1, '99213': 1, '(unknown)': 1 });
  });

  it('sums held charges in cents, counting a claim once per error code', () => {
    const final = finalizeSummary(summarize(batch()));
    // 0.1 + 0.2 is 0.30000000000000004 in floating point; in cents it is exactly 30.
    expect(final.heldCharges.total).toBe(0.3);
    expect(final.heldCharges.byCode).toEqual([
      { key: 'ncci-ptp', amount: 0.3 },
      { key: 'missing-field', amount: 0.1 },
    ]);
  });

  it('sums many small amounts without drift', () => {
    const summary = emptySummary();
    for (let i = 0; i < 1000; i++) addToSummary(summary, result(`M${i}`, [edit('e', 'error')]), { totalCharge: 0.1 });
    expect(finalizeSummary(summary).heldCharges.total).toBe(100);
    expect(summary.heldChargeCents).toBe(10000);
  });

  it('does not count charges of warning or clean claims, nor non-numeric charges', () => {
    const final = finalizeSummary(
      summarize([
        [result('W', [edit('w', 'warning')]), claim('W', { totalCharge: 50 })],
        [result('H', [edit('e', 'error')]), claim('H', { totalCharge: '50.00' })],
        [result('H2', [edit('e', 'error')]), claim('H2', { totalCharge: Number.NaN })],
      ]),
    );
    expect(final.heldCharges).toEqual({ total: 0, byCode: [{ key: 'e', amount: 0 }] });
  });

  it('never throws on malformed claims and counts what it cannot read as (unknown)', () => {
    const malformed: unknown[] = [
      null,
      undefined,
      'not a claim',
      42,
      [1, 2],
      {},
      { payer: null },
      { payer: { id: 7 } },
      { payer: { id: '  ' } },
      { serviceLines: 'x' },
    ];
    const summary = emptySummary();
    for (const value of malformed) {
      expect(() =>
        addToSummary(summary, result(null, [edit('claim-not-an-object', 'error', { category: 'structure', serviceLine: 1 })]), value),
      ).not.toThrow();
    }
    const final = finalizeSummary(summary);
    expect(final.claims).toBe(malformed.length);
    expect(final.held).toBe(malformed.length);
    for (const name of ['editsByPayer', 'editsByRenderingProvider', 'editsByPlaceOfService', 'editsByProcedureCode'] as const) {
      expect(final[name]).toEqual([{ key: '(unknown)', count: malformed.length }]);
    }
    expect(final.heldCharges.total).toBe(0);
  });

  it('keeps keys such as __proto__ as ordinary keys', () => {
    const summary = emptySummary();
    addToSummary(summary, result('Q', [edit('__proto__', 'error')]), JSON.parse('{"payer":{"id":"__proto__"},"totalCharge":1}'));
    addToSummary(summary, result('Q2', [edit('__proto__', 'error')]), JSON.parse('{"payer":{"id":"__proto__"},"totalCharge":1}'));
    const final = finalizeSummary(summary);
    expect(final.editsByPayer).toEqual([{ key: '__proto__', count: 2 }]);
    expect(final.editsByCode).toEqual([{ key: '__proto__', count: 2, category: 'coding' }]);
    expect(Object.getPrototypeOf(summary.editsByPayer)).toBe(Object.prototype);
  });

  it('merges partial summaries into the same summary as one pass over all results', () => {
    const pairs = [...batch(), ...batch()];
    const whole = summarize(pairs);
    const left = summarize(pairs.slice(0, 3));
    const right = summarize(pairs.slice(3));
    const merged = emptySummary();
    mergeSummaries(merged, left);
    mergeSummaries(merged, right);
    expect(merged).toEqual(whole);
    expect(finalizeSummary(merged)).toEqual(finalizeSummary(whole));
    // The other order too, and merging leaves the source unchanged.
    const rightCopy = structuredClone(right);
    const reversed = structuredClone(right);
    mergeSummaries(reversed, left);
    expect(finalizeSummary(reversed)).toEqual(finalizeSummary(whole));
    expect(right).toEqual(rightCopy);
  });

  it('is a plain object that survives structured clone and JSON', () => {
    const summary = summarize(batch());
    expect(structuredClone(summary)).toEqual(summary);
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
    const final = finalizeSummary(summary);
    expect(JSON.parse(JSON.stringify(final))).toEqual(final);
  });

  it('never carries member ids, names, dates of birth or addresses', () => {
    const summary = summarize(batch());
    const text = JSON.stringify(summary) + JSON.stringify(finalizeSummary(summary));
    const phi = [
      SUBSCRIBER.memberId,
      SUBSCRIBER.firstName,
      SUBSCRIBER.lastName,
      SUBSCRIBER.dateOfBirth,
      SUBSCRIBER.address.line1,
      SUBSCRIBER.address.city,
      SUBSCRIBER.address.postalCode,
      'Synthetic Health Plan',
      'Example Billing Group',
    ];
    for (const value of phi) expect(text).not.toContain(value);
  });
});

describe('checks skipped for lack of reference data', () => {
  it('counts claims per table, merges across partial summaries, and lists nothing when no check was skipped', () => {
    const skipped = { ...result('A', []), dataMissing: ['icd10cm'] };
    const partA = emptySummary();
    addToSummary(partA, skipped, {});
    addToSummary(partA, result('B', []), {});
    const partB = emptySummary();
    addToSummary(partB, { ...skipped, claimId: 'C' }, {});
    mergeSummaries(partA, partB);
    expect(finalizeSummary(partA).dataMissing).toEqual([{ key: 'icd10cm', count: 2 }]);
    expect(finalizeSummary(partB).dataMissing).toEqual([{ key: 'icd10cm', count: 1 }]);
    const none = emptySummary();
    addToSummary(none, result('D', []), {});
    expect(finalizeSummary(none).dataMissing).toEqual([]);
  });
});
