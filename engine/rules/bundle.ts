import { LRUCache } from 'lru-cache';
import { CATEGORIES, type Severity } from '../model/index.js';
import { compileCondition, type CompiledCondition } from './compile/index.js';
import { BASE_PROGRAM, selectPolicy, type PayerPolicy, type PolicyProgram } from './load-payers.js';
import type { RulePack } from './pack.js';
import { parseTemplate, type TemplatePart } from './template.js';
import type { RuleDefinition } from './types.js';

/** A rule compiled once per thread; bundles share it whatever their severity and params. */
export interface CompiledRule {
  definition: RuleDefinition;
  test: CompiledCondition;
  message: TemplatePart[];
  /** The location split at `[*]`, joined with the current line index at run time. */
  locationParts: string[];
}

/** A rule as one payer policy runs it. */
export interface ActiveRule {
  rule: CompiledRule;
  severity: Severity;
  params: Record<string, unknown>;
  /** Has effective / expires dates: only then is the date of service looked at. */
  dated: boolean;
}

export interface RuleBundle {
  /** The payer policy id, or null for the base rule set. */
  policyId: string | null;
  /** Whose NCCI PTP and MUE tables the claims of this bundle are checked against. */
  program: PolicyProgram;
  claimRules: ActiveRule[];
  lineRules: ActiveRule[];
}

export function compileRule(definition: RuleDefinition): CompiledRule {
  const template = parseTemplate(definition.message, () => undefined);
  if (!template.ok) throw new Error(`rule ${definition.id}: ${template.message}`);
  return {
    definition,
    test: compileCondition(definition.when, { scope: definition.scope }),
    message: template.parts,
    locationParts: definition.location.split('[*]'),
  };
}

const CATEGORY_ORDER = new Map<string, number>(CATEGORIES.map((category, index) => [category, index]));

function byCategoryThenId(a: CompiledRule, b: CompiledRule): number {
  const order = (CATEGORY_ORDER.get(a.definition.category) ?? 0) - (CATEGORY_ORDER.get(b.definition.category) ?? 0);
  return order !== 0 ? order : a.definition.id.localeCompare(b.definition.id);
}

export interface BundleOptions {
  /**
   * Build a bundle of this rule alone, on even when the base set has it off or it is deprecated
   * (rule tests); a policy that switches it off still does.
   */
  only?: string;
}

export function buildBundle(rules: readonly CompiledRule[], policy: PayerPolicy | undefined, options: BundleOptions = {}): RuleBundle {
  const bundle: RuleBundle = { policyId: policy?.id ?? null, program: policy?.program ?? BASE_PROGRAM, claimRules: [], lineRules: [] };
  for (const rule of [...rules].sort(byCategoryThenId)) {
    const { definition } = rule;
    if (options.only !== undefined && definition.id !== options.only) continue;
    const override = policy?.rules[definition.id];
    const only = options.only !== undefined;
    const enabled = override?.enabled ?? (only || definition.enabled !== false);
    if (!enabled || (definition.deprecated === true && override?.enabled !== true && !only)) continue;
    const active: ActiveRule = {
      rule,
      severity: override?.severity ?? definition.severity,
      params: { ...definition.params, ...override?.params },
      dated: definition.effective !== undefined || definition.expires !== undefined,
    };
    (definition.scope === 'line' ? bundle.lineRules : bundle.claimRules).push(active);
  }
  return bundle;
}

/**
 * The compiled form of a rule pack in one thread: rules compiled once, and one bundle per payer
 * policy built on first use and kept in an LRU cache.
 */
export class CompiledPack {
  readonly hash: string;
  private readonly rules: CompiledRule[];
  private readonly policies: PayerPolicy[];
  private readonly bundles: LRUCache<string, RuleBundle>;

  constructor(pack: RulePack, options: { bundleCacheSize?: number } = {}) {
    this.hash = pack.hash;
    this.rules = pack.rules.map((rule) => compileRule(rule.definition));
    this.policies = pack.policies;
    this.bundles = new LRUCache({ max: options.bundleCacheSize ?? 64 });
  }

  /** The bundle for a claim's payer: the most specific matching policy, else the base set. */
  bundleFor(payerId: unknown, claimFilingIndicator: unknown): RuleBundle {
    return this.bundleForPolicy(selectPolicy(this.policies, payerId, claimFilingIndicator));
  }

  bundleForPolicy(policy: PayerPolicy | undefined): RuleBundle {
    const key = policy?.id ?? '';
    let bundle = this.bundles.get(key);
    if (!bundle) {
      bundle = buildBundle(this.rules, policy);
      this.bundles.set(key, bundle);
    }
    return bundle;
  }

  /** A bundle of one rule, for rule tests; `policyId` applies that policy's overrides. */
  singleRuleBundle(ruleId: string, policyId?: string): RuleBundle {
    const policy = policyId === undefined ? undefined : this.policies.find((candidate) => candidate.id === policyId);
    if (policyId !== undefined && !policy) throw new Error(`unknown payer policy "${policyId}"`);
    if (!this.rules.some((rule) => rule.definition.id === ruleId)) throw new Error(`unknown rule "${ruleId}"`);
    return buildBundle(this.rules, policy, { only: ruleId });
  }
}
