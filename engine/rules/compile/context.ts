/**
 * What a compiled condition reads: the input facts and the caches of computed facts.
 */
import { computedFacts, type FactContext } from '../../checks/registry.js';
import type { ClaimBatchFacts } from '../../checks/batch/types.js';
import type { PracticeData } from '../../data/practice/types.js';
import { BASE_PROGRAM, type PolicyProgram, type ReferenceData } from '../../data/types.js';

export interface EvaluationContext {
  /** The whole claim, as parsed (it may be malformed). */
  claim: unknown;
  /** The current service line for line-scope rules; undefined for claim-scope rules. */
  line: unknown;
  /** 0-based index of the current line, -1 for claim-scope rules. */
  lineIndex: number;
  /** The rule's parameters after payer overrides. */
  params: Record<string, unknown>;
  /** Computed claim-scope facts: reset for every claim. */
  claimFacts: FactCache;
  /** Computed line-scope facts: reset for every line. */
  lineFacts: FactCache;
  /** Reference tables for facts that need them. */
  data: ReferenceData | undefined;
  /** Tables a fact found no release for, on this claim. */
  dataGaps: Set<string>;
  /** Whose NCCI PTP and MUE tables apply (the claim's payer policy). */
  program: PolicyProgram;
  /** The submission date timely filing is measured to, YYYY-MM-DD; undefined: not known. */
  submissionDate: string | undefined;
  /** What the batch's other claims say about this claim; undefined when nothing. */
  batch: ClaimBatchFacts | undefined;
  /** The run's practice files (coverage, authorizations, enrolment); undefined when none was given. */
  practice: PracticeData | undefined;
}

const FACT_NAMES = [...computedFacts.keys()];
const FACT_SLOTS = new Map(FACT_NAMES.map((name, slot) => [name, slot]));

/** The slot of a computed fact in every FactCache. */
export function factSlot(name: string): number | undefined {
  return FACT_SLOTS.get(name);
}

/**
 * Computed fact values for one claim or one line, in fixed slots. Clearing bumps a generation
 * number instead of emptying anything: it runs for every line of every claim.
 */
export class FactCache {
  private readonly values: unknown[] = new Array(FACT_NAMES.length).fill(undefined);
  private readonly stamps: number[] = new Array(FACT_NAMES.length).fill(0);
  private generation = 1;

  memo(slot: number, context: FactContext, compute: (context: FactContext) => unknown): unknown {
    if (this.stamps[slot] === this.generation) return this.values[slot];
    const value = compute(context);
    this.values[slot] = value;
    this.stamps[slot] = this.generation;
    return value;
  }

  clear(): void {
    this.generation++;
  }

  has(name: string): boolean {
    const slot = FACT_SLOTS.get(name);
    return slot !== undefined && this.stamps[slot] === this.generation;
  }

  get(name: string): unknown {
    return this.has(name) ? this.values[FACT_SLOTS.get(name) as number] : undefined;
  }

  set(name: string, value: unknown): void {
    const slot = FACT_SLOTS.get(name);
    if (slot === undefined) throw new Error(`unknown computed fact "${name}"`);
    this.values[slot] = value;
    this.stamps[slot] = this.generation;
  }

  get size(): number {
    return this.stamps.filter((stamp) => stamp === this.generation).length;
  }
}

const NO_PARAMS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/** A context for one claim, positioned for claim-scope rules (no line). Always the same shape. */
export function createEvaluationContext(claim: unknown, params: Record<string, unknown> = NO_PARAMS): EvaluationContext {
  return { claim, line: undefined, lineIndex: -1, params, claimFacts: new FactCache(), lineFacts: new FactCache(), data: undefined, dataGaps: new Set(), program: BASE_PROGRAM, submissionDate: undefined, batch: undefined, practice: undefined };
}

/** Moves the context to service line `lineIndex` (forgetting the previous line's computed facts). */
export function enterLine(context: EvaluationContext, line: unknown, lineIndex: number): void {
  context.line = line;
  context.lineIndex = lineIndex;
  context.lineFacts.clear();
}

/** Moves the context back to claim scope (no line). */
export function leaveLine(context: EvaluationContext): void {
  context.line = undefined;
  context.lineIndex = -1;
  context.lineFacts.clear();
}

/** Moves the context to another claim, reusing its maps. */
export function resetEvaluationContext(context: EvaluationContext, claim: unknown): void {
  context.claim = claim;
  context.claimFacts.clear();
  if (context.dataGaps.size > 0) context.dataGaps.clear();
  leaveLine(context);
}

/** Any fact by name, as a condition would read it (message placeholders use this). */
export function readFact(context: EvaluationContext, name: string): unknown {
  if (name === 'claim') return context.claim;
  if (name === 'line') return context.line;
  if (name === 'params') return context.params;
  const fact = computedFacts.get(name);
  const slot = FACT_SLOTS.get(name);
  if (!fact || slot === undefined) return undefined;
  return (fact.scope === 'line' ? context.lineFacts : context.claimFacts).memo(slot, context, fact.compute);
}
