/**
 * Rule condition compiler: json-rules-engine conditions → one generated JavaScript function each.
 *
 * checkCondition validates a condition at load time (every problem, with its location);
 * compileCondition checks and then generates and builds the function. json-rules-engine 7.3.1 is
 * the reference for what a condition means (see engine/rules/reference.ts and
 * test/rules/conformance.test.ts).
 */
import type { ConditionNode, RuleScope } from '../types.js';
import { checkCondition } from './check.js';
import type { ConditionProblem, ProblemPath } from './check.js';
import { buildCondition, generateCondition } from './codegen.js';
import type { CompiledCondition } from './codegen.js';

export { checkCondition, factNameProblem, isFactReference } from './check.js';
export type { CheckOptions, ConditionProblem, ProblemPath } from './check.js';
export { buildCondition, generateCondition } from './codegen.js';
export type { CompiledCondition, GeneratedCondition } from './codegen.js';
export { FactCache, createEvaluationContext, enterLine, factSlot, leaveLine, readFact, resetEvaluationContext } from './context.js';
export type { EvaluationContext } from './context.js';
export {
  BUILTIN_OPERATORS,
  DECORATORS,
  checkOperatorUse,
  numberValidator,
  parseOperator,
  resolveOperator,
} from './operators.js';
export type { BuiltinOperatorName, DecoratorName, OperatorFunction, ParsedOperator } from './operators.js';
export { isPrototypeName, parsePath, resolvePath } from './path.js';
export type { ParsedPath, PathSegment } from './path.js';

/** `['all', 1, 'operator']` → `all[1].operator`; [] → `when`. */
export function formatProblemPath(path: ProblemPath): string {
  let text = '';
  for (const part of path) text += typeof part === 'number' ? `[${part}]` : text === '' ? part : `.${part}`;
  return text === '' ? '(the condition itself)' : text;
}

/** Thrown by compileCondition when the condition has problems; `problems` lists them all. */
export class ConditionCompileError extends Error {
  readonly problems: readonly ConditionProblem[];

  constructor(problems: readonly ConditionProblem[]) {
    super(
      `the rule condition has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((problem) => `- ${formatProblemPath(problem.path)}: ${problem.message}`).join('\n'),
    );
    this.name = 'ConditionCompileError';
    this.problems = problems;
  }
}

export interface CompileOptions {
  scope: RuleScope;
}

/**
 * Checks the condition (without params: params references are checked when the caller runs
 * checkCondition with the rule's params) and compiles it to a function returning
 * json-rules-engine's raw rule result. Throws ConditionCompileError listing every problem.
 */
export function compileCondition(when: ConditionNode, options: CompileOptions): CompiledCondition {
  const problems = checkCondition(when, { scope: options.scope });
  if (problems.length > 0) throw new ConditionCompileError(problems);
  return buildCondition(generateCondition(when));
}
