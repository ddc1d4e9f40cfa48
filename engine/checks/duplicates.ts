import type { BatchClaimRef } from './batch/types.js';
import { hasRepeatModifier, serviceDay, serviceDetail } from './batch/keys.js';
import type { FactContext, FactDefinition } from './types.js';
import { arrayOrEmpty, field } from './values.js';

export interface DuplicateOf {
  /** Where the original is, in words: `line 1 of this claim`, `the claim at day.ndjson line 12`. */
  where: string;
  /** The original's 1-based service line, for a repeated line. */
  serviceLine?: number;
  file?: string;
  line?: number;
}

function claimAt(ref: BatchClaimRef): string {
  return `the claim at ${ref.file} line ${ref.line}`;
}

/** The earlier claim of the batch this claim repeats: same patient and payer, provider, total and lines. */
function claimDuplicateOf(context: FactContext): DuplicateOf | undefined {
  const original = context.batch?.duplicateOf;
  if (original === undefined) return undefined;
  return { where: claimAt(original), file: original.file, line: original.line };
}

/**
 * The earlier line that the current line repeats: the same code, performing provider, dates,
 * modifiers and drug, with no repeat modifier (76, 77, 91) on either. First an earlier line of the
 * same claim, then a line of an earlier claim of the batch for the same patient and payer (when
 * the whole claim is a duplicate, only the claim is reported).
 */
function lineDuplicateOf(context: FactContext): DuplicateOf | undefined {
  const { claim, line, lineIndex } = context;
  const code = field(line, 'procedureCode');
  const date = field(line, 'serviceDate');
  if (typeof code === 'string' && typeof date === 'string' && lineIndex > 0) {
    const lines = arrayOrEmpty(field(claim, 'serviceLines'));
    let day: string | undefined;
    let detail: string | undefined;
    for (let index = 0; index < lineIndex; index++) {
      const other = lines[index];
      // Cheap comparisons first: this runs for every line of every claim.
      if (field(other, 'procedureCode') !== code || field(other, 'serviceDate') !== date) continue;
      day ??= serviceDay(claim, line);
      if (day === undefined || hasRepeatModifier(line)) break;
      detail ??= serviceDetail(line);
      if (serviceDay(claim, other) === day && serviceDetail(other) === detail && !hasRepeatModifier(other)) {
        return { where: `line ${index + 1} of this claim`, serviceLine: index + 1 };
      }
    }
  }
  const original = context.batch?.lines?.[lineIndex]?.duplicateOf;
  if (original === undefined) return undefined;
  return { where: `line ${original.serviceLine} of ${claimAt(original)}`, serviceLine: original.serviceLine, file: original.file, line: original.line };
}

export const DUPLICATE_FACTS: readonly FactDefinition[] = [
  {
    name: 'claimDuplicateOf',
    scope: 'claim',
    description:
      'The earlier claim of the batch that this claim repeats (same payer, member and patient, billing provider, total and every line): { where, file, line }; absent when none does, or when the scrub sees one claim at a time.',
    compute: claimDuplicateOf,
    crossClaim: true,
  },
  {
    name: 'lineDuplicateOf',
    scope: 'line',
    description:
      'The earlier line this line repeats (same code, performing provider, dates, modifiers and drug, no 76/77/91 on either): on this claim, or on an earlier claim of the batch for the same patient and payer. { where, serviceLine, file?, line? }; absent when none.',
    compute: lineDuplicateOf,
    crossClaim: true,
  },
];
