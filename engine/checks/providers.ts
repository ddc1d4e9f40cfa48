/**
 * Payer and provider setup: checks of the claim against lists the billing team keeps (the
 * clearinghouse's payer list...), given as rule params in the team's own payer policy.
 */
import type { OperatorDefinition } from './types.js';

function isNonBlankText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/**
 * Why `value` cannot be the list of a `notAmong` condition, or undefined. null stands for "no list
 * given yet" (a rule's default before a policy sets its own): the operator is then false. An empty
 * list is refused because every claim would be outside it.
 */
export function textListProblem(value: unknown): string | undefined {
  if (value === null) return undefined;
  if (!Array.isArray(value) || value.length === 0) {
    return 'the list must be a non-empty list of text, e.g. ["ACME1", "BLUE1"] (an empty list would flag every claim)';
  }
  const index = value.findIndex((item) => !isNonBlankText(item));
  if (index >= 0) return `every item of the list must be non-blank text; item ${index + 1} is ${JSON.stringify(value[index]) ?? String(value[index])}`;
  return undefined;
}

/**
 * The list as a Set, built once per list object: params keep the same list objects for every
 * claim, and a clearinghouse payer list runs to thousands of ids.
 */
const listSets = new WeakMap<readonly unknown[], ReadonlySet<unknown>>();

function setOf(list: readonly unknown[]): ReadonlySet<unknown> {
  let set = listSets.get(list);
  if (set === undefined) {
    set = new Set(list);
    listSets.set(list, set);
  }
  return set;
}

export const PROVIDER_OPERATORS: readonly OperatorDefinition[] = [
  {
    name: 'notAmong',
    description:
      'Fact: text. Value: a non-empty list of text, checked when rules and payer policies load (null: no list given, and the operator is false). True when the fact is non-blank text the list does not contain, compared exactly as written; false for an absent or blank fact.',
    factValueValidator: isNonBlankText,
    // The list is checked at load (checkValue, on constants and every policy's params); here only
    // its kind, since this runs for every claim.
    evaluate: (fact, value) => Array.isArray(value) && value.length > 0 && !setOf(value).has(fact),
    checkValue: textListProblem,
  },
];
