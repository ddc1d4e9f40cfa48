/**
 * Evaluates a rule condition with json-rules-engine itself: the reference the compiled code is
 * tested against (test/rules/conformance.test.ts). Slow; not for production scrubbing.
 */
import { Engine, Operator } from 'json-rules-engine';
import type { Almanac, TopLevelCondition } from 'json-rules-engine';
import { computedFacts, customOperators } from '../checks/registry.js';
import type { PracticeData } from '../data/practice/types.js';
import type { PolicyProgram, ReferenceData } from '../data/types.js';
import type { ConditionNode } from './types.js';

export interface ReferenceContext {
  claim: unknown;
  line: unknown;
  lineIndex: number;
  params: Record<string, unknown>;
  /** Reference tables for the facts that need them, as the compiled engine gets them. */
  data?: ReferenceData;
  /** The claim's NCCI program (its payer policy's) and the run's submission date. */
  program?: PolicyProgram;
  submissionDate?: string;
  /** The run's practice files, loaded. */
  practice?: PracticeData;
}

const EVENT = { type: 'claimscrub.reference' };

function createEngine(): Engine {
  const engine = new Engine([], { allowUndefinedFacts: false });
  for (const operator of customOperators.values()) {
    engine.addOperator(new Operator(operator.name, operator.evaluate, operator.factValueValidator));
  }
  for (const fact of computedFacts.values()) {
    engine.addFact(fact.name, async (_params: Record<string, unknown>, almanac: Almanac) =>
      fact.compute({
        claim: await almanac.factValue('claim'),
        line: await almanac.factValue('line'),
        lineIndex: await almanac.factValue<number>('lineIndex'),
        data: await almanac.factValue<ReferenceData | undefined>('referenceData'),
        dataGaps: new Set(),
        program: await almanac.factValue<PolicyProgram | undefined>('program'),
        submissionDate: await almanac.factValue<string | undefined>('submissionDate'),
        practice: await almanac.factValue<PracticeData | undefined>('practice'),
      }),
    );
  }
  return engine;
}

/**
 * json-rules-engine's raw rule result (RuleResult.result) for the condition. A new Engine per
 * call: one Engine must never run two evaluations at once (its status and results are shared).
 * Rejects where json-rules-engine throws.
 */
export async function evaluateWithJsonRulesEngine(when: ConditionNode, context: ReferenceContext): Promise<unknown> {
  return runEngine(engineFor(when), context);
}

function engineFor(when: ConditionNode): Engine {
  const engine = createEngine();
  engine.addRule({ conditions: when as unknown as TopLevelCondition, event: EVENT });
  return engine;
}

/**
 * An evaluator that builds its Engine once, as a json-rules-engine user would, for measuring it
 * fairly. Calls must be awaited one at a time: one Engine never runs two evaluations at once.
 */
export function createReferenceEvaluator(when: ConditionNode): (context: ReferenceContext) => Promise<unknown> {
  const engine = engineFor(when);
  let running = false;
  return async (context) => {
    if (running) throw new Error('a json-rules-engine Engine must not run two evaluations at once');
    running = true;
    try {
      return await runEngine(engine, context);
    } finally {
      running = false;
    }
  };
}

async function runEngine(engine: Engine, context: ReferenceContext): Promise<unknown> {
  const { results, failureResults } = await engine.run({
    claim: context.claim,
    line: context.line,
    lineIndex: context.lineIndex,
    params: context.params,
    referenceData: context.data,
    program: context.program,
    submissionDate: context.submissionDate,
    practice: context.practice,
  });
  const ruleResult = results[0] ?? failureResults[0];
  if (!ruleResult) throw new Error('json-rules-engine returned no rule result');
  return (ruleResult as { result: unknown }).result;
}
