import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDataDir } from '../helpers/reference-data.js';
import { CompiledPack } from '../../engine/rules/bundle.js';
import { createEvaluationContext, enterLine } from '../../engine/rules/compile/index.js';
import { loadRulePack } from '../../engine/rules/pack.js';
import { evaluateWithJsonRulesEngine } from '../../engine/rules/reference.js';
import { Rng, generateClaimsWithLabels } from '../../fixtures/generator/generate.js';
import { ROOT } from '../helpers/cli.js';

// The bundled rules, compiled, must agree with json-rules-engine (the reference semantics) on
// realistic claims and on claims damaged the ways exports damage them.
const pack = await loadRulePack({ rulesDirs: [path.join(ROOT, 'rules')], payersDir: path.join(ROOT, 'payers') });
const compiled = new CompiledPack(pack);
const policies = [undefined, ...pack.policies];
const testData = await createTestDataDir();
afterAll(() => testData.remove());

const DAMAGE: ((value: unknown) => unknown)[] = [
  () => null,
  () => undefined,
  (value) => (typeof value === 'number' ? String(value) : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : 7),
  (value) => (Array.isArray(value) ? {} : [value]),
  () => '',
  () => true,
];

function damage(value: unknown, rng: Rng): unknown {
  if (value === null || typeof value !== 'object') return value;
  const copy = structuredClone(value) as Record<string, unknown>;
  const holders: Record<string, unknown>[] = [];
  const walk = (node: unknown) => {
    if (node !== null && typeof node === 'object') {
      holders.push(node as Record<string, unknown>);
      for (const child of Object.values(node)) walk(child);
    }
  };
  walk(copy);
  for (let i = 0; i < 3; i++) {
    const holder = rng.pick(holders);
    const keys = Object.keys(holder);
    if (keys.length === 0) continue;
    const key = rng.pick(keys);
    const replacement = rng.pick(DAMAGE)(holder[key]);
    if (replacement === undefined) delete holder[key];
    else holder[key] = replacement;
  }
  return copy;
}

describe('bundled rules: compiled code against json-rules-engine', () => {
  const rng = Rng.fromSeed(20261123);
  const claims = [...generateClaimsWithLabels({ count: 250, seed: 11, defectRate: 0.6, malformedRate: 0 })].map((c) => JSON.parse(c.line) as unknown);
  const damaged = claims.map((claim) => damage(claim, rng));

  it('fires the same rules on every claim, line and payer policy', async () => {
    const disagreements: string[] = [];
    let evaluations = 0;
    let fired = 0;
    for (const claim of [...claims, ...damaged]) {
      for (const policy of policies) {
        const bundle = compiled.bundleForPolicy(policy);
        const context = createEvaluationContext(claim);
        context.data = testData.data;
        const lines = (claim as { serviceLines?: unknown }).serviceLines;
        const targets: { line: unknown; index: number }[] = [{ line: undefined, index: -1 }];
        if (Array.isArray(lines)) lines.forEach((line, index) => targets.push({ line, index }));
        for (const target of targets) {
          const rules = target.index < 0 ? bundle.claimRules : bundle.lineRules;
          if (target.index >= 0) enterLine(context, target.line, target.index);
          for (const active of rules) {
            context.params = active.params;
            const ours = Boolean(active.rule.test(context));
            const reference = Boolean(
              await evaluateWithJsonRulesEngine(active.rule.definition.when, {
                claim,
                line: target.line,
                lineIndex: target.index,
                params: active.params,
                data: testData.data,
              }),
            );
            evaluations++;
            if (ours) fired++;
            if (ours !== reference) disagreements.push(`${active.rule.definition.id} line ${target.index}: compiled ${ours}, json-rules-engine ${reference}`);
          }
        }
      }
    }
    expect(disagreements).toEqual([]);
    expect(evaluations).toBeGreaterThan(10_000);
    expect(fired).toBeGreaterThan(100);
  });
});
