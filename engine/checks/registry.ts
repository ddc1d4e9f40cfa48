import { COORDINATION_FACTS } from './coordination.js';
import { DEMOGRAPHICS_FACTS } from './demographics.js';
import { DUPLICATE_FACTS } from './duplicates.js';
import { FACTS } from './facts.js';
import { FEE_SCHEDULE_FACTS } from './fee-schedule.js';
import { HCPCS_FACTS } from './hcpcs.js';
import { ICD10CM_FACTS } from './icd10cm.js';
import { LIST_OPERATORS } from './lists.js';
import { MEDICAL_NECESSITY_FACTS, MEDICAL_NECESSITY_OPERATORS } from './medical-necessity.js';
import { NCCI_FACTS } from './ncci.js';
import { OPERATORS } from './operators.js';
import { PRACTICE_FACTS } from './practice.js';
import { PROVIDER_OPERATORS } from './providers.js';
import { TIMELY_FILING_FACTS, TIMELY_FILING_OPERATORS } from './timely-filing.js';
import type { FactDefinition, OperatorDefinition } from './types.js';

/**
 * Facts every rule can name besides the computed ones: `claim` (the whole claim), `line` (the
 * current service line, line-scope rules only) and `params` (the rule's parameters after payer
 * overrides).
 */
export const INPUT_FACTS = ['claim', 'line', 'params'] as const;
export type InputFact = (typeof INPUT_FACTS)[number];

export const computedFacts: ReadonlyMap<string, FactDefinition> = new Map([...FACTS, ...ICD10CM_FACTS, ...NCCI_FACTS, ...HCPCS_FACTS, ...TIMELY_FILING_FACTS, ...DUPLICATE_FACTS, ...DEMOGRAPHICS_FACTS, ...MEDICAL_NECESSITY_FACTS, ...COORDINATION_FACTS, ...PRACTICE_FACTS, ...FEE_SCHEDULE_FACTS].map((fact) => [fact.name, fact]));
export const customOperators: ReadonlyMap<string, OperatorDefinition> = new Map([...OPERATORS, ...TIMELY_FILING_OPERATORS, ...LIST_OPERATORS, ...MEDICAL_NECESSITY_OPERATORS, ...PROVIDER_OPERATORS].map((op) => [op.name, op]));

export function isInputFact(name: string): name is InputFact {
  return (INPUT_FACTS as readonly string[]).includes(name);
}

export type { FactContext, FactDefinition, OperatorDefinition } from './types.js';
