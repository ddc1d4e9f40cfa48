import type { Category, Severity } from '../model/index.js';

/**
 * Rule conditions, in json-rules-engine's condition format. json-rules-engine is the reference
 * for what they mean; engine/rules/compile turns them into generated code.
 */
export type ConditionNode = AllCondition | AnyCondition | NotCondition | LeafCondition;

export interface AllCondition {
  all: ConditionNode[];
}
export interface AnyCondition {
  any: ConditionNode[];
}
export interface NotCondition {
  not: ConditionNode;
}

/** A value that is read from a fact at evaluation time instead of being a constant. */
export interface FactReference {
  fact: string;
  path?: string;
  params?: Record<string, unknown>;
}

export interface LeafCondition {
  fact: string;
  /** A json-rules-engine operator name, optionally decorated: `not:in`, `someFact:equal`. */
  operator: string;
  /** A constant, or a FactReference (an object with a `fact` key), as in json-rules-engine. */
  value: unknown;
  /** `$.a.b[0].c`: property names and numeric indexes only. */
  path?: string;
  params?: Record<string, unknown>;
}

export type RuleScope = 'claim' | 'line';

export interface RuleReference {
  title: string;
  url?: string;
}

/** A rule as written in rules/<category>/<id>.yaml, after schema validation. */
export interface RuleDefinition {
  id: string;
  version: number;
  title: string;
  description?: string;
  category: Category;
  severity: Severity;
  scope: RuleScope;
  /** false: off unless a payer policy switches it on (payer-specific policies). */
  enabled?: boolean;
  when: ConditionNode;
  /** The field the edit points at: `serviceLines[*].modifiers`; `[*]` is the current line. */
  location: string;
  /** The edit message; `{{fact.path}}` placeholders are filled from the claim. */
  message: string;
  help: string;
  carc: string;
  /** A computed fact whose `sources` list names the reference data rows behind the edit. */
  sources?: string;
  references: RuleReference[];
  /** First date of service the rule applies to (inclusive), YYYY-MM-DD. */
  effective?: string;
  /** First date of service the rule no longer applies to (exclusive), YYYY-MM-DD. */
  expires?: string;
  params?: Record<string, unknown>;
  deprecated?: boolean;
  replacedBy?: string;
}

/** A rule definition with where it was loaded from. */
export interface LoadedRule {
  definition: RuleDefinition;
  file: string;
  /** sha-256 of the file's text: part of the bundle hash. */
  hash: string;
}
