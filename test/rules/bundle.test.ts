import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_RULE_PACK, writeTree } from '../helpers/rule-trees.js';
import type { Edit } from '../../engine/model/index.js';
import { buildBundle, CompiledPack, compileRule, type RuleBundle } from '../../engine/rules/bundle.js';
import { selectPolicy, type PayerPolicy } from '../../engine/rules/load-payers.js';
import { loadRulePack, type RulePack } from '../../engine/rules/pack.js';
import { runBundle } from '../../engine/runtime/scrub-claim.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let root: string;
let pack: RulePack;

function tree(files: Record<string, string>, prefix: string): Promise<string> {
  return writeTree(root, files, prefix);
}

const RULES = SMALL_RULE_PACK;

const PAYERS: Record<string, string> = {
  // payer id ACME1: stricter units as errors, the optional and the deprecated rule on.
  'acme.yaml': [
    'id: acme',
    'name: Acme',
    'match:',
    '  payerIds: ["ACME1"]',
    'rules:',
    '  units-too-high: { severity: error, params: { maxUnits: 1 } }',
    '  optional-check: on',
    '  old-check: on',
    '',
  ].join('\n'),
  // filing indicator MC: the optional rule on as a warning, units off, the deprecated rule given a
  // severity only (which does not switch it on).
  'medicaid.yaml': [
    'id: medicaid',
    'name: Medicaid',
    'match:',
    '  claimFilingIndicators: ["MC"]',
    'rules:',
    '  optional-check: warning',
    '  units-too-high: off',
    '  old-check: { severity: info }',
    '',
  ].join('\n'),
  // both: ACME1 claims filed as MC.
  'acme-medicaid.yaml': [
    'id: acme-medicaid',
    'name: Acme Medicaid',
    'match:',
    '  payerIds: ["ACME1"]',
    '  claimFilingIndicators: ["MC"]',
    'rules:',
    '  needs-auth: { params: { procedureCodes: ["70551"] } }',
    '',
  ].join('\n'),
};

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'claimscrub-bundle-'));
  const rulesDir = await tree(RULES, 'rules-');
  const payersDir = await tree(PAYERS, 'payers-');
  pack = await loadRulePack({ rulesDirs: [rulesDir], payersDir });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function policy(id: string): PayerPolicy {
  const found = pack.policies.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`no policy ${id}`);
  return found;
}

function claim(payerId: unknown, claimFilingIndicator: unknown): Record<string, unknown> {
  return {
    id: 'C-1',
    payer: { id: payerId, claimFilingIndicator },
    patient: { sex: 'U' },
    billingProvider: { npi: '1234567893' },
    serviceLines: [
      { procedureCode: '70551', units: 2, modifiers: ['XX'], serviceDate: '2026-03-02' },
      { procedureCode: '99213', units: 6, modifiers: [], serviceDate: '2026-03-02' },
    ],
  };
}

/** code, path, severity, serviceLine and message of each edit. */
function summary(edits: readonly Edit[]) {
  return edits.map((edit) => ({ code: edit.code, path: edit.path, severity: edit.severity, serviceLine: edit.serviceLine, message: edit.message }));
}

function ids(bundle: RuleBundle): { claim: string[]; line: string[] } {
  return {
    claim: bundle.claimRules.map((active) => active.rule.definition.id),
    line: bundle.lineRules.map((active) => active.rule.definition.id),
  };
}

describe('selectPolicy', () => {
  it.each([
    ['a payer id policy over an indicator policy', 'ACME1', 'CI', 'acme'],
    ['a payer id and indicator policy over either', 'ACME1', 'MC', 'acme-medicaid'],
    ['an indicator policy when no payer id policy matches', 'OTHER', 'MC', 'medicaid'],
    ['the base set when nothing matches', 'OTHER', 'BL', undefined],
    ['the base set for a claim without a payer', undefined, undefined, undefined],
    ['the base set for a payer id that is not text', 42, 'BL', undefined],
    ['the indicator policy for a payer id that is a list', ['ACME1'], 'MC', 'medicaid'],
    ['the payer id policy for an indicator that is not text', 'ACME1', 7, 'acme'],
    ['the base set for null values', null, null, undefined],
  ])('picks %s', (_name, payerId, indicator, expected) => {
    expect(selectPolicy(pack.policies, payerId, indicator)?.id).toBe(expected);
  });

  it('picks the more specific policy whatever the order of the policies', () => {
    const reversed = [...pack.policies].reverse();
    expect(selectPolicy(reversed, 'ACME1', 'MC')?.id).toBe('acme-medicaid');
    expect(selectPolicy(reversed, 'ACME1', 'CI')?.id).toBe('acme');
  });
});

describe('CompiledPack.bundleFor', () => {
  it('names the policy it applies, or null for the base set', () => {
    const compiled = new CompiledPack(pack);
    expect(compiled.bundleFor('ACME1', 'CI').policyId).toBe('acme');
    expect(compiled.bundleFor('ACME1', 'MC').policyId).toBe('acme-medicaid');
    expect(compiled.bundleFor('OTHER', 'MC').policyId).toBe('medicaid');
    expect(compiled.bundleFor('OTHER', 'BL').policyId).toBeNull();
    expect(compiled.bundleFor(undefined, undefined).policyId).toBeNull();
    expect(compiled.bundleFor({ id: 'ACME1' }, ['MC']).policyId).toBeNull();
    expect(compiled.hash).toBe(pack.hash);
  });

  it('leaves `enabled: false` and deprecated rules out of the base set, in category then id order', () => {
    const compiled = new CompiledPack(pack);
    expect(ids(compiled.bundleFor('OTHER', 'BL'))).toEqual({
      claim: ['plain-check'],
      line: ['needs-auth', 'code-in-ranges', 'units-too-high'],
    });
  });

  it('switches rules on and off and keeps deprecated rules off unless a policy enables them', () => {
    const compiled = new CompiledPack(pack);
    expect(ids(compiled.bundleFor('ACME1', 'CI'))).toEqual({
      claim: ['old-check', 'plain-check'],
      line: ['needs-auth', 'optional-check', 'code-in-ranges', 'units-too-high'],
    });
    expect(ids(compiled.bundleFor('OTHER', 'MC'))).toEqual({
      claim: ['plain-check'],
      line: ['needs-auth', 'optional-check', 'code-in-ranges'],
    });
  });

  it('gives the base set\'s edits for a claim that matches no policy', () => {
    const edits = runBundle(new CompiledPack(pack).bundleFor('OTHER', 'BL'), claim('OTHER', 'BL'));
    expect(summary(edits)).toEqual([
      { code: 'units-too-high', path: 'serviceLines[1].units', severity: 'warning', serviceLine: 2, message: '99213 has 6 units (at most 4).' },
    ]);
  });

  it('applies severity and params overrides and switches on the rules a policy names', () => {
    const edits = runBundle(new CompiledPack(pack).bundleFor('ACME1', 'CI'), claim('ACME1', 'CI'));
    expect(summary(edits)).toEqual([
      { code: 'old-check', path: 'patient.sex', severity: 'error', serviceLine: undefined, message: 'Sex unknown on C-1.' },
      { code: 'optional-check', path: 'serviceLines[0].modifiers', severity: 'error', serviceLine: 1, message: 'XX on 70551; modifiers XX.' },
      { code: 'units-too-high', path: 'serviceLines[0].units', severity: 'error', serviceLine: 1, message: '70551 has 2 units (at most 1).' },
      { code: 'units-too-high', path: 'serviceLines[1].units', severity: 'error', serviceLine: 2, message: '99213 has 6 units (at most 1).' },
    ]);
  });

  it('switches a rule on with a severity shorthand and off with `off`', () => {
    const edits = runBundle(new CompiledPack(pack).bundleFor('OTHER', 'MC'), claim('OTHER', 'MC'));
    expect(summary(edits)).toEqual([
      { code: 'optional-check', path: 'serviceLines[0].modifiers', severity: 'warning', serviceLine: 1, message: 'XX on 70551; modifiers XX.' },
    ]);
  });

  it('fires a params-driven rule only for the codes of the matching policy', () => {
    const compiled = new CompiledPack(pack);
    const fired = (payerId: string, indicator: string) =>
      runBundle(compiled.bundleFor(payerId, indicator), claim(payerId, indicator))
        .filter((edit) => edit.code === 'needs-auth')
        .map((edit) => edit.serviceLine);
    expect(fired('ACME1', 'MC')).toEqual([1]);
    expect(fired('ACME1', 'CI')).toEqual([]);
    expect(fired('OTHER', 'MC')).toEqual([]);
    expect(fired('OTHER', 'BL')).toEqual([]);
  });

  it('returns the same bundle object on repeated calls, per policy', () => {
    const compiled = new CompiledPack(pack);
    const acme = compiled.bundleFor('ACME1', 'CI');
    expect(compiled.bundleFor('ACME1', 'CI')).toBe(acme);
    expect(compiled.bundleFor('ACME1', 'HM')).toBe(acme);
    expect(compiled.bundleForPolicy(policy('acme'))).toBe(acme);
    const base = compiled.bundleFor('OTHER', 'BL');
    expect(compiled.bundleFor(undefined, undefined)).toBe(base);
    expect(compiled.bundleForPolicy(undefined)).toBe(base);
    expect(base).not.toBe(acme);
  });

  it('rebuilds a bundle the LRU evicted, with the same content', () => {
    const compiled = new CompiledPack(pack, { bundleCacheSize: 1 });
    const acme = compiled.bundleFor('ACME1', 'CI');
    compiled.bundleFor('OTHER', 'MC');
    const rebuilt = compiled.bundleFor('ACME1', 'CI');
    expect(rebuilt).not.toBe(acme);
    expect(ids(rebuilt)).toEqual(ids(acme));
    // Rules are compiled once per pack: rebuilt bundles share them.
    expect(rebuilt.lineRules[0]?.rule).toBe(acme.lineRules[0]?.rule);
  });

  it('does not change rule definitions or other bundles when it merges params', () => {
    const compiled = new CompiledPack(pack);
    const acme = compiled.bundleFor('ACME1', 'CI');
    const base = compiled.bundleFor('OTHER', 'BL');
    const units = (bundle: RuleBundle) => bundle.lineRules.find((active) => active.rule.definition.id === 'units-too-high');
    expect(units(acme)?.params).toEqual({ maxUnits: 1 });
    expect(units(base)?.params).toEqual({ maxUnits: 4 });
    expect(units(acme)?.rule.definition.params).toEqual({ maxUnits: 4 });
    expect(units(acme)?.rule).toBe(units(base)?.rule);
  });
});

describe('CompiledPack.singleRuleBundle', () => {
  it('throws for an unknown payer policy id', () => {
    expect(() => new CompiledPack(pack).singleRuleBundle('units-too-high', 'nope')).toThrow('unknown payer policy "nope"');
  });

  it('throws for an unknown rule id', () => {
    expect(() => new CompiledPack(pack).singleRuleBundle('no-such-rule')).toThrow('unknown rule "no-such-rule"');
  });

  it('holds the one rule, on even when the base set has it off or it is deprecated', () => {
    const compiled = new CompiledPack(pack);
    expect(ids(compiled.singleRuleBundle('units-too-high'))).toEqual({ claim: [], line: ['units-too-high'] });
    expect(ids(compiled.singleRuleBundle('optional-check'))).toEqual({ claim: [], line: ['optional-check'] });
    expect(ids(compiled.singleRuleBundle('old-check'))).toEqual({ claim: ['old-check'], line: [] });
    expect(compiled.singleRuleBundle('units-too-high').policyId).toBeNull();
  });

  it('applies the named policy: its severity and params, or its `off`', () => {
    const compiled = new CompiledPack(pack);
    const acme = compiled.singleRuleBundle('units-too-high', 'acme');
    expect(acme.policyId).toBe('acme');
    expect(acme.lineRules.map((active) => [active.severity, active.params])).toEqual([['error', { maxUnits: 1 }]]);
    expect(ids(compiled.singleRuleBundle('units-too-high', 'medicaid'))).toEqual({ claim: [], line: [] });
  });
});

describe('buildBundle and compileRule', () => {
  it('builds a base bundle from compiled rules without a policy', () => {
    const compiled = pack.rules.map((rule) => compileRule(rule.definition));
    const bundle = buildBundle(compiled, undefined);
    expect(bundle.policyId).toBeNull();
    expect(ids(bundle)).toEqual({ claim: ['plain-check'], line: ['needs-auth', 'code-in-ranges', 'units-too-high'] });
  });

  it('splits a location at [*] and parses the message once', () => {
    const definition = pack.rules.find((rule) => rule.definition.id === 'units-too-high')?.definition;
    if (!definition) throw new Error('rule missing');
    const rule = compileRule(definition);
    expect(rule.locationParts).toEqual(['serviceLines', '.units']);
    expect(rule.message).toEqual([
      { fact: 'line', segments: ['procedureCode'] },
      ' has ',
      { fact: 'line', segments: ['units'] },
      ' units (at most ',
      { fact: 'params', segments: ['maxUnits'] },
      ').',
    ]);
  });
});

describe('the bundled rule pack', () => {
  const fixture = async (name: string) => JSON.parse(await readFile(path.join(repoRoot, 'fixtures/claims', `${name}.json`), 'utf8')) as Record<string, unknown>;

  it('fires prior-auth-number-missing only for the codes of the matching policy', async () => {
    const bundled = await loadRulePack({ rulesDirs: [path.join(repoRoot, 'rules')], payersDir: path.join(repoRoot, 'payers') });
    const compiled = new CompiledPack(bundled);
    const firesFor = async (name: string, payerId: string, indicator: string) => {
      const claimValue = await fixture(name);
      delete claimValue.priorAuthorization;
      claimValue.payer = { ...(claimValue.payer as object), id: payerId, claimFilingIndicator: indicator };
      const bundle = compiled.bundleFor(payerId, indicator);
      return {
        policy: bundle.policyId,
        fired: runBundle(bundle, claimValue).some((edit) => edit.code === 'prior-auth-number-missing'),
      };
    };
    // 72148 (MRI) is on Acme's list only; 90837 (psychotherapy) on the Medicaid example's only.
    expect(await firesFor('imaging', 'ACME1', 'CI')).toEqual({ policy: 'example-acme-health', fired: true });
    expect(await firesFor('imaging', 'STATE1', 'MC')).toEqual({ policy: 'example-state-medicaid', fired: false });
    expect(await firesFor('imaging', 'BLUE1', 'BL')).toEqual({ policy: null, fired: false });
    expect(await firesFor('psychotherapy', 'STATE1', 'MC')).toEqual({ policy: 'example-state-medicaid', fired: true });
    expect(await firesFor('psychotherapy', 'ACME1', 'CI')).toEqual({ policy: 'example-acme-health', fired: false });
    expect(await firesFor('psychotherapy', 'BLUE1', 'BL')).toEqual({ policy: null, fired: false });
  });

  it('keeps anesthesia-physical-status-missing off in the base set and for Medicare, on for Acme', async () => {
    const bundled = await loadRulePack({ rulesDirs: [path.join(repoRoot, 'rules')], payersDir: path.join(repoRoot, 'payers') });
    const compiled = new CompiledPack(bundled);
    const has = (bundle: RuleBundle) => bundle.lineRules.some((active) => active.rule.definition.id === 'anesthesia-physical-status-missing');
    expect(has(compiled.bundleFor('BLUE1', 'BL'))).toBe(false);
    expect(has(compiled.bundleFor('MCRB1', 'MB'))).toBe(false);
    expect(has(compiled.bundleFor('ACME1', 'CI'))).toBe(true);
    expect(has(compiled.bundleFor('STATE1', 'MC'))).toBe(true);
  });
});
