import { createHash } from 'node:crypto';
import { ScrubError } from '../errors.js';
import { loadPayerPolicies, type PayerPolicy } from './load-payers.js';
import { loadRules } from './load-rules.js';
import type { LoadedRule } from './types.js';

/**
 * Everything a scrub needs from rule and payer files, validated, as plain data: the main thread
 * loads it once and hands it to each worker, which compiles it.
 */
export interface RulePack {
  rules: LoadedRule[];
  policies: PayerPolicy[];
  /** sha-256 over every rule and payer file: the same hash means the same edits. */
  hash: string;
}

export interface RulePackLocation {
  rulesDirs: readonly string[];
  payersDir?: string;
}

export async function loadRulePack(location: RulePackLocation): Promise<RulePack> {
  const { rules, problems: ruleProblems } = await loadRules(location.rulesDirs);
  if (ruleProblems.length > 0) {
    throw new ScrubError('SCRUB_ERR_RULE_INVALID', `${ruleProblems.length} problem(s) in rule files`, { problems: ruleProblems });
  }
  const { policies, problems: payerProblems, ambiguities } = await loadPayerPolicies(location.payersDir, rules);
  if (payerProblems.length > 0) {
    throw new ScrubError('SCRUB_ERR_PAYER_INVALID', `${payerProblems.length} problem(s) in payer files`, { problems: payerProblems });
  }
  if (ambiguities.length > 0) {
    throw new ScrubError('SCRUB_ERR_PAYER_AMBIGUOUS', `${ambiguities.length} ambiguous payer polic(ies)`, { problems: ambiguities });
  }
  return { rules, policies, hash: packHash(rules, policies) };
}

export function packHash(rules: readonly LoadedRule[], policies: readonly PayerPolicy[]): string {
  const hash = createHash('sha256');
  for (const rule of [...rules].sort((a, b) => a.definition.id.localeCompare(b.definition.id))) hash.update(`rule:${rule.definition.id}:${rule.hash}\n`);
  for (const policy of [...policies].sort((a, b) => a.id.localeCompare(b.id))) hash.update(`payer:${policy.id}:${policy.hash}\n`);
  return hash.digest('hex');
}
