import { computedFacts } from '../checks/registry.js';
import type { RulePack } from './pack.js';

function factsNamedIn(condition: unknown, names: Set<string>): Set<string> {
  if (Array.isArray(condition)) {
    for (const item of condition) factsNamedIn(item, names);
  } else if (condition !== null && typeof condition === 'object') {
    for (const [key, value] of Object.entries(condition)) {
      if (key === 'fact' && typeof value === 'string') names.add(value);
      else factsNamedIn(value, names);
    }
  }
  return names;
}

/** Ids of the pack's rules whose conditions read other claims of the batch. */
export function crossClaimRuleIds(pack: RulePack): string[] {
  return pack.rules
    .filter((rule) => [...factsNamedIn(rule.definition.when, new Set())].some((name) => computedFacts.get(name)?.crossClaim === true))
    .map((rule) => rule.definition.id);
}

/**
 * Whether any rule that reads other claims of the batch can run: on in the base set (claims no
 * policy matches use it) or switched on by a policy. When none can, the scrub reads its input once.
 */
export function packNeedsCrossClaimPass(pack: RulePack): boolean {
  return crossClaimRuleIds(pack).some((id) => {
    const definition = pack.rules.find((rule) => rule.definition.id === id)?.definition;
    if (definition === undefined) return false;
    const onInBase = definition.enabled !== false && definition.deprecated !== true;
    return onInBase || pack.policies.some((policy) => !policy.abstract && policy.rules[id]?.enabled === true);
  });
}
