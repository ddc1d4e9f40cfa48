import type { PracticeData } from '../data/practice/types.js';
import type { PolicyProgram, ReferenceData } from '../data/types.js';
import type { ClaimBatchFacts } from './batch/types.js';

/**
 * Facts and operators that YAML alone cannot express (date math, code tables, check digits).
 * They are plain functions, registered by name in engine/checks/registry.ts and usable from rule
 * conditions; the compiled engine and json-rules-engine (the reference) call the same functions.
 */

/** What a fact sees. `claim` and `line` are the input as parsed: they may be malformed. */
export interface FactContext {
  readonly claim: unknown;
  /** The current service line for line-scope rules; undefined for claim-scope rules. */
  readonly line: unknown;
  /** 0-based index of the current line, -1 for claim-scope rules. */
  readonly lineIndex: number;
  /** The reference tables loaded for this scrub; undefined when none are. */
  readonly data?: ReferenceData | undefined;
  /**
   * Tables a fact needed for a date of service that no installed release covers, named as reports
   * show them (`icd10cm`, `ncci-ptp medicare`): the check is skipped (never a false edit) and the
   * scrub reports the gap.
   */
  readonly dataGaps?: Set<string> | undefined;
  /** Whose NCCI PTP and MUE tables apply to this claim (from its payer policy). */
  readonly program?: PolicyProgram | undefined;
  /** The date the claim is to be submitted, YYYY-MM-DD (timely filing): today unless the run says otherwise. */
  readonly submissionDate?: string | undefined;
  /** What the batch's other claims for this patient say about this claim (cross-claim checks); undefined: nothing, or no batch. */
  readonly batch?: ClaimBatchFacts | undefined;
  /** The practice files given to the run (coverage, authorizations, enrolment); undefined when none was. */
  readonly practice?: PracticeData | undefined;
}

export interface FactDefinition {
  name: string;
  /** line: needs the current service line, so only line-scope rules may use it. */
  scope: 'claim' | 'line';
  description: string;
  /** Must never throw, whatever shape the claim has. */
  compute(context: FactContext): unknown;
  /** Reads other claims of the batch (context.batch): a rule using it makes the scrub read its input twice. */
  crossClaim?: boolean;
}

/** Shaped like a json-rules-engine Operator: result = validator(factValue) && evaluate(...). */
export interface OperatorDefinition {
  name: string;
  description: string;
  /** Checked before evaluate; a fact value it refuses makes the condition false. */
  factValueValidator?: (factValue: unknown) => boolean;
  /** Must never throw. */
  evaluate(factValue: unknown, value: unknown): boolean;
  /** Load-time check of a constant `value`; returns a message when it is unusable. */
  checkValue?: (value: unknown) => string | undefined;
}
