import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COORDINATION_FACTS } from '../../engine/checks/coordination.js';
import type { FactContext } from '../../engine/checks/types.js';
import { ROOT } from '../helpers/cli.js';

const office = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/claims/office-visit.json'), 'utf8'));

function fact(name: string) {
  const definition = COORDINATION_FACTS.find((candidate) => candidate.name === name);
  if (!definition) throw new Error(`no fact ${name}`);
  return definition;
}
const missing = fact('priorPayerAdjudicationMissing');
const imbalance = fact('lineAdjudicationImbalance');

function claimContext(claim: unknown): FactContext {
  return { claim, line: undefined, lineIndex: -1 };
}
function lineContext(line: unknown): FactContext {
  return { claim: { serviceLines: [line] }, line, lineIndex: 0 };
}

/** The office visit as a claim to a payer with this responsibility, with these other payers. */
function cob(responsibility: string, otherPayers?: unknown, patch?: (claim: Record<string, any>) => void): unknown {
  const claim = structuredClone(office);
  claim.payer.responsibility = responsibility;
  if (otherPayers !== undefined) claim.otherPayers = otherPayers;
  patch?.(claim);
  return claim;
}

describe('priorPayerAdjudicationMissing', () => {
  it('is absent on primary claims and claims without a readable responsibility', () => {
    expect(missing.compute(claimContext(office))).toBeUndefined();
    expect(missing.compute(claimContext(cob('primary', [])))).toBeUndefined();
    expect(missing.compute(claimContext(cob('quaternary')))).toBeUndefined();
    expect(missing.compute(claimContext(cob('toString')))).toBeUndefined();
    expect(missing.compute(claimContext(cob('__proto__')))).toBeUndefined();
  });

  it('names what a secondary claim lacks', () => {
    expect(missing.compute(claimContext(cob('secondary')))).toEqual({
      payers: 'primary',
      problem: 'carries no other payer (otherPayers is absent): the primary payer and its adjudication are missing',
    });
    expect(missing.compute(claimContext(cob('secondary', [{ payerId: 'X', responsibility: 'secondary', paidAmount: 1 }])))).toEqual({
      payers: 'primary',
      problem: 'lists no primary payer in otherPayers',
    });
    expect(missing.compute(claimContext(cob('secondary', [{ payerId: 'ACME1', responsibility: 'primary' }])))).toEqual({
      payers: 'primary',
      problem: 'lists the primary payer ACME1 without its adjudication (no paid amount, no adjustments, and no service line adjudication by it)',
    });
  });

  it('takes a paid amount of 0, adjustments, or a line adjudication by the payer as its adjudication', () => {
    for (const entry of [{ paidAmount: 0 }, { adjustments: [{ group: 'PR', reason: '1', amount: 210 }] }, { paidAmount: '12.00' }]) {
      expect(missing.compute(claimContext(cob('secondary', [{ payerId: 'ACME1', responsibility: 'primary', ...entry }])))).toBeUndefined();
    }
    const onLines = cob('secondary', [{ payerId: 'ACME1', responsibility: 'primary' }], (claim) => {
      claim.serviceLines[1].adjudications = [{ payerId: 'ACME1', paidAmount: 30 }];
    });
    expect(missing.compute(claimContext(onLines))).toBeUndefined();
  });

  it('is satisfied by any of several entries with the responsibility', () => {
    const claim = cob('secondary', [
      { payerId: 'OLD1', responsibility: 'primary' },
      { payerId: 'ACME1', responsibility: 'primary', paidAmount: 100 },
    ]);
    expect(missing.compute(claimContext(claim))).toBeUndefined();
  });

  it('needs both earlier payers on a tertiary claim, and names each one missing', () => {
    expect(missing.compute(claimContext(cob('tertiary', [{ payerId: 'ACME1', responsibility: 'primary', paidAmount: 1 }, { payerId: 'MCD01', responsibility: 'secondary', paidAmount: 0 }])))).toBeUndefined();
    expect(missing.compute(claimContext(cob('tertiary', [])))).toEqual({
      payers: 'primary, secondary',
      problem: 'carries no other payer (otherPayers is empty): the primary and secondary payers and their adjudication are missing',
    });
    expect(missing.compute(claimContext(cob('tertiary', [{ payerId: 'MCD01', responsibility: 'secondary' }])))).toEqual({
      payers: 'primary, secondary',
      problem: 'lists no primary payer in otherPayers, and lists the secondary payer MCD01 without its adjudication (no paid amount, no adjustments, and no service line adjudication by it)',
    });
  });

  it('leaves an otherPayers of the wrong type to the schema, and skips entries that are not objects', () => {
    expect(missing.compute(claimContext(cob('secondary', { payerId: 'ACME1' })))).toBeUndefined();
    expect(missing.compute(claimContext(cob('secondary', null)))).toBeUndefined();
    expect(missing.compute(claimContext(cob('secondary', ['primary', null, 7])))).toMatchObject({ problem: 'lists no primary payer in otherPayers' });
    expect(missing.compute(claimContext(cob('secondary', [{ responsibility: 'primary' }])))).toMatchObject({ problem: expect.stringMatching(/^lists the primary payer without its adjudication/) });
  });

  it('never throws, whatever the claim', () => {
    fc.assert(
      fc.property(fc.anything(), fc.constantFrom('primary', 'secondary', 'tertiary'), (value, responsibility) => {
        missing.compute(claimContext(value));
        missing.compute(claimContext({ payer: { responsibility }, otherPayers: value, serviceLines: value }));
        missing.compute(claimContext({ payer: { responsibility }, otherPayers: [value, { responsibility: 'primary', payerId: 'A' }], serviceLines: [{ adjudications: value }, value] }));
      }),
    );
  });
});

describe('lineAdjudicationImbalance', () => {
  const line = (adjudications: unknown, charge: unknown = 180) => lineContext({ procedureCode: '99214', charge, adjudications });

  it('is absent when each payer balances, in cents', () => {
    expect(imbalance.compute(line(undefined))).toBeUndefined();
    expect(imbalance.compute(line([]))).toBeUndefined();
    expect(imbalance.compute(line([{ payerId: 'A', paidAmount: 180 }]))).toBeUndefined();
    expect(imbalance.compute(line([{ payerId: 'A', paidAmount: 0.1, adjustments: [{ amount: 0.2 }, { amount: 0.7 }] }], 1))).toBeUndefined();
    expect(imbalance.compute(line([{ payerId: 'A', paidAmount: 100, adjustments: [{ amount: 80 }] }, { payerId: 'B', paidAmount: 0, adjustments: [{ amount: 180 }] }]))).toBeUndefined();
  });

  it('sums the adjudications of one payer on the line (an unbundled line)', () => {
    const split = [
      { payerId: 'A', paidAmount: 60, adjustments: [{ amount: 20 }] },
      { payerId: 'B', paidAmount: 180 },
      { payerId: 'A', paidAmount: 0, adjustments: [{ amount: 100 }] },
    ];
    expect(imbalance.compute(line(split))).toBeUndefined();
    expect(imbalance.compute(line(split.slice(0, 2)))).toEqual({ payerIds: 'A', problem: 'A paid 60.00 and adjusted 20.00, 80.00 in all, against a line charge of 180.00' });
  });

  it('names every unbalanced payer once, with negative amounts signed', () => {
    expect(imbalance.compute(line([{ payerId: 'A', paidAmount: 200, adjustments: [{ amount: -0.05 }] }, { payerId: 'B', paidAmount: 1 }, { payerId: 'B', paidAmount: 2 }]))).toEqual({
      payerIds: 'A, B',
      problem: 'A paid 200.00 and adjusted -0.05, 199.95 in all, against a line charge of 180.00; B paid 3.00 and adjusted 0.00, 3.00 in all, against a line charge of 180.00',
    });
  });

  it('leaves amounts that are not numbers, and a missing payer id, to the schema', () => {
    expect(imbalance.compute(line([{ payerId: 'A', paidAmount: 1 }], '180.00'))).toBeUndefined();
    expect(imbalance.compute(line([{ payerId: 'A', paidAmount: '1' }]))).toBeUndefined();
    expect(imbalance.compute(line([{ payerId: 'A', paidAmount: 1, adjustments: { amount: 1 } }]))).toBeUndefined();
    expect(imbalance.compute(line([{ payerId: 'A', paidAmount: 1, adjustments: [{ amount: Number.NaN }] }]))).toBeUndefined();
    expect(imbalance.compute(line([{ payerId: 'A', paidAmount: 1 }, { payerId: 'A', paidAmount: null }]))).toBeUndefined();
    expect(imbalance.compute(line([{ paidAmount: 1 }, { payerId: '', paidAmount: 1 }, 'A', null]))).toBeUndefined();
  });

  it('never throws, whatever the line', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (value, other) => {
        imbalance.compute(lineContext(value));
        imbalance.compute(line(value));
        imbalance.compute(line([value, { payerId: 'A', paidAmount: 1, adjustments: [other] }], other));
      }),
    );
  });
});
