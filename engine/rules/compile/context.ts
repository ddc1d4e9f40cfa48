/**
 * What a compiled condition reads: the input facts and the caches of computed facts.
 */
import { computedFacts, type FactContext } from '../../checks/registry.js';

export interface EvaluationContext {
  /** The whole claim, as parsed (it may be malformed). */
  claim: unknown;
  /** The current service line for line-scope rules; undefined for claim-scope rules. */
  line: unknown;
  /** 0-based index of the current line, -1 for claim-scope rules. */
  lineIndex: number;
  /** The rule's parameters after payer overrides. */
  params: Record<string, unknown>;
  /** Computed claim-scope facts, by name: reset for every claim. */
  claimFacts: Map<string, unknown>;
  /** Computed line-scope facts, by name: reset for every line. */
  lineFacts: Map<string, unknown>;
}

const NO_PARAMS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/** A context for one claim, positioned for claim-scope rules (no line). Always the same shape. */
export function createEvaluationContext(claim: unknown, params: Record<string, unknown> = NO_PARAMS): EvaluationContext {
  return { claim, line: undefined, lineIndex: -1, params, claimFacts: new Map(), lineFacts: new Map() };
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
  leaveLine(context);
}

/** A computed fact's value, computed once per claim (claim facts) or per line (line facts). */
export function memoizedFact(context: FactContext, cache: Map<string, unknown>, name: string, compute: (context: FactContext) => unknown): unknown {
  let value = cache.get(name);
  if (value === undefined && !cache.has(name)) {
    value = compute(context);
    cache.set(name, value);
  }
  return value;
}

/** Any fact by name, as a condition would read it (message placeholders use this). */
export function readFact(context: EvaluationContext, name: string): unknown {
  if (name === 'claim') return context.claim;
  if (name === 'line') return context.line;
  if (name === 'params') return context.params;
  const fact = computedFacts.get(name);
  if (!fact) return undefined;
  return memoizedFact(context, fact.scope === 'line' ? context.lineFacts : context.claimFacts, name, fact.compute);
}
