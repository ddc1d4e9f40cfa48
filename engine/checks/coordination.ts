/**
 * Coordination of benefits (COB): a claim sent to a secondary or tertiary payer carries what each
 * payer ahead of it did with the claim (837P loops 2320/2330B: the other payer, its paid amount
 * AMT*D and claim adjustments CAS; loop 2430: its line adjudication SVD and line adjustments
 * CAS). Without that, the payer cannot work out its own share and denies the claim.
 */
import type { FactContext, FactDefinition } from './types.js';
import { arrayOrEmpty, field, isRecord, toCents } from './values.js';

/** The payers ahead of a claim's payer, by the claim's payer responsibility (SBR01). */
const PAYERS_AHEAD: Readonly<Record<string, readonly string[]>> = {
  secondary: ['primary'],
  tertiary: ['primary', 'secondary'],
};

/** What a secondary or tertiary claim lacks of the earlier payers' adjudication. */
export interface MissingPriorAdjudication {
  /** The responsibilities (primary, secondary) whose payer or adjudication is missing. */
  payers: string;
  /** What is missing, in words, to follow "This secondary claim". */
  problem: string;
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/**
 * The other payer's claim-level adjudication: a paid amount (0 is a denial, and counts) or
 * adjustments. A value of the wrong type counts as sent: the schema reports it.
 */
function hasClaimLevelAdjudication(otherPayer: unknown): boolean {
  if (isPresent(field(otherPayer, 'paidAmount'))) return true;
  const adjustments = field(otherPayer, 'adjustments');
  return Array.isArray(adjustments) ? adjustments.length > 0 : isPresent(adjustments);
}

/** True when some service line carries an adjudication by that payer (2430 SVD01 = 2330B NM109). */
function hasLineAdjudicationBy(claim: unknown, payerId: unknown): boolean {
  if (typeof payerId !== 'string') return false;
  for (const line of arrayOrEmpty(field(claim, 'serviceLines'))) {
    for (const adjudication of arrayOrEmpty(field(line, 'adjudications'))) {
      if (field(adjudication, 'payerId') === payerId) return true;
    }
  }
  return false;
}

function describePayer(payerId: unknown): string {
  return typeof payerId === 'string' && payerId.trim() !== '' ? ` ${payerId}` : '';
}

/**
 * Whether the payer with this responsibility is listed and its adjudication carried; undefined
 * when it is, else what is missing.
 */
function priorPayerProblem(claim: unknown, otherPayers: readonly unknown[], responsibility: string): string | undefined {
  let first: unknown;
  for (const otherPayer of otherPayers) {
    if (!isRecord(otherPayer) || otherPayer.responsibility !== responsibility) continue;
    if (hasClaimLevelAdjudication(otherPayer) || hasLineAdjudicationBy(claim, otherPayer.payerId)) return undefined;
    first ??= otherPayer;
  }
  if (first === undefined) return `lists no ${responsibility} payer in otherPayers`;
  const payerId = field(first, 'payerId');
  return `lists the ${responsibility} payer${describePayer(payerId)} without its adjudication (no paid amount, no adjustments, and no service line adjudication by it)`;
}

function priorPayerAdjudicationMissing({ claim }: FactContext): MissingPriorAdjudication | undefined {
  const responsibility = field(field(claim, 'payer'), 'responsibility');
  const ahead = typeof responsibility === 'string' && Object.hasOwn(PAYERS_AHEAD, responsibility) ? PAYERS_AHEAD[responsibility] : undefined;
  if (ahead === undefined) return undefined;
  const otherPayers = field(claim, 'otherPayers');
  // otherPayers of the wrong type is the schema's edit; absent or empty, the payers are missing.
  if (otherPayers !== undefined && !Array.isArray(otherPayers)) return undefined;
  if (otherPayers === undefined || otherPayers.length === 0) {
    return {
      payers: ahead.join(', '),
      problem: `carries no other payer (otherPayers is ${otherPayers === undefined ? 'absent' : 'empty'}): the ${ahead.join(' and ')} payer${ahead.length > 1 ? 's' : ''} and ${ahead.length > 1 ? 'their' : 'its'} adjudication are missing`,
    };
  }
  let missing: { payers: string[]; problems: string[] } | undefined;
  for (const payer of ahead) {
    const problem = priorPayerProblem(claim, otherPayers, payer);
    if (problem === undefined) continue;
    missing ??= { payers: [], problems: [] };
    missing.payers.push(payer);
    missing.problems.push(problem);
  }
  return missing && { payers: missing.payers.join(', '), problem: missing.problems.join(', and ') };
}

// ---------------------------------------------------------------------------------------------
// Line balancing

/** One earlier payer's line adjudication that does not add up to the line charge. */
export interface LineAdjudicationImbalance {
  /** The payers whose adjudication does not balance, comma-separated. */
  payerIds: string;
  /** Each one's sums, in words, in dollars. */
  problem: string;
}

function dollars(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Paid and adjusted cents of one line adjudication, or undefined when an amount is not a number (the schema's edit). */
function adjudicationCents(adjudication: unknown): { paid: number; adjusted: number } | undefined {
  const paid = toCents(field(adjudication, 'paidAmount'));
  if (paid === undefined) return undefined;
  const adjustments = field(adjudication, 'adjustments');
  if (adjustments !== undefined && !Array.isArray(adjustments)) return undefined;
  let adjusted = 0;
  for (const adjustment of arrayOrEmpty(adjustments)) {
    const amount = toCents(field(adjustment, 'amount'));
    if (amount === undefined) return undefined;
    adjusted += amount;
  }
  return { paid, adjusted };
}

/**
 * The 837P balances each earlier payer's line adjudication to the line charge: its paid amounts
 * (SVD02) plus its line adjustment amounts (CAS) equal SV102. A payer that unbundled the line
 * sends several 2430 loops for it, which balance together (X12 RFIs 1551 and 1555), so the sums
 * are per payer, not per loop.
 */
function lineAdjudicationImbalance({ line }: FactContext): LineAdjudicationImbalance | undefined {
  const adjudications = field(line, 'adjudications');
  if (!Array.isArray(adjudications) || adjudications.length === 0) return undefined;
  const charge = toCents(field(line, 'charge'));
  if (charge === undefined) return undefined;
  let found: { payerIds: string[]; problems: string[] } | undefined;
  for (let i = 0; i < adjudications.length; i++) {
    const payerId = field(adjudications[i], 'payerId');
    if (typeof payerId !== 'string' || payerId === '') continue;
    // Each payer once, at its first adjudication of the line.
    let seen = false;
    for (let j = 0; j < i && !seen; j++) seen = field(adjudications[j], 'payerId') === payerId;
    if (seen) continue;
    let paid = 0;
    let adjusted = 0;
    let readable = true;
    for (let j = i; j < adjudications.length && readable; j++) {
      if (field(adjudications[j], 'payerId') !== payerId) continue;
      const cents = adjudicationCents(adjudications[j]);
      if (cents === undefined) readable = false;
      else {
        paid += cents.paid;
        adjusted += cents.adjusted;
      }
    }
    if (!readable || paid + adjusted === charge) continue;
    found ??= { payerIds: [], problems: [] };
    found.payerIds.push(payerId);
    found.problems.push(`${payerId} paid ${dollars(paid)} and adjusted ${dollars(adjusted)}, ${dollars(paid + adjusted)} in all, against a line charge of ${dollars(charge)}`);
  }
  return found && { payerIds: found.payerIds.join(', '), problem: found.problems.join('; ') };
}

export const COORDINATION_FACTS: readonly FactDefinition[] = [
  {
    name: 'priorPayerAdjudicationMissing',
    scope: 'claim',
    description:
      "On a secondary or tertiary claim, the payers ahead of it (primary; primary and secondary) that otherPayers does not list, or lists without their adjudication (a paid amount, 0 included, or adjustments, or a service line adjudication naming the payer): { payers, problem }; absent on primary claims and when every payer ahead is there with its adjudication.",
    compute: priorPayerAdjudicationMissing,
  },
  {
    name: 'lineAdjudicationImbalance',
    scope: 'line',
    description:
      "The earlier payers whose adjudication of the current line does not balance: their paid amounts plus line adjustment amounts, summed per payer over the line's adjudications, differ from the line charge in cents: { payerIds, problem }; absent when they balance or an amount is not a number.",
    compute: lineAdjudicationImbalance,
  },
];
