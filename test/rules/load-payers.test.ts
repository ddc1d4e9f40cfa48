import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_RULE_PACK, writeTree } from '../helpers/rule-trees.js';
import { ScrubError, type ScrubProblem } from '../../engine/errors.js';
import { loadPayerPolicies, parsePayerFile, specificity } from '../../engine/rules/load-payers.js';
import { loadRules } from '../../engine/rules/load-rules.js';
import { loadRulePack } from '../../engine/rules/pack.js';
import type { LoadedRule } from '../../engine/rules/types.js';

let root: string;
let rulesDir: string;
let rules: LoadedRule[];
let rulesById: Map<string, LoadedRule>;

function tree(files: Record<string, string>, prefix = 'payers-'): Promise<string> {
  return writeTree(root, files, prefix);
}

const RULES = SMALL_RULE_PACK;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'claimscrub-load-payers-'));
  rulesDir = await tree(RULES, 'rules-');
  const loaded = await loadRules([rulesDir]);
  expect(loaded.problems).toEqual([]);
  rules = loaded.rules;
  rulesById = new Map(rules.map((rule) => [rule.definition.id, rule]));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Parses one payer file named `<id>.yaml` (no file system). */
function parse(text: string, id = 'my-payer') {
  return parsePayerFile(`/virtual/payers/${id}.yaml`, text, rulesById);
}

function where(problems: readonly ScrubProblem[]): [number | undefined, number | undefined, string][] {
  return problems.map((problem) => [problem.position.line, problem.position.column, problem.message]);
}

async function refusedPack(payers: Record<string, string>): Promise<ScrubError> {
  const payersDir = await tree(payers);
  const error = await loadRulePack({ rulesDirs: [rulesDir], payersDir }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ScrubError);
  return error as ScrubError;
}

const HEADER = 'id: my-payer\nname: My Payer\nmatch:\n  payerIds: ["P1"]\n';

describe('a valid payer policy', () => {
  it('loads with every shorthand expanded and the object form kept', () => {
    const text = [
      'id: my-payer',
      'name: My Payer',
      'example: true',
      'description: An example.',
      'match:',
      '  payerIds: ["P1", "P2"]',
      '  claimFilingIndicators: ["CI"]',
      'rules:',
      '  needs-auth: on',
      '  units-too-high: off',
      '  code-in-ranges: error',
      '  optional-check: warning',
      '  plain-check: info',
      '  old-check: { enabled: true, severity: info, params: {} }',
      'references:',
      '  - title: The payer manual',
      '    url: https://example.org/manual',
      '',
    ].join('\n');
    const { policy, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(policy).toEqual({
      id: 'my-payer',
      name: 'My Payer',
      example: true,
      description: 'An example.',
      match: { payerIds: ['P1', 'P2'], claimFilingIndicators: ['CI'] },
      rules: {
        'needs-auth': { enabled: true },
        'units-too-high': { enabled: false },
        'code-in-ranges': { enabled: true, severity: 'error' },
        'optional-check': { enabled: true, severity: 'warning' },
        'plain-check': { enabled: true, severity: 'info' },
        'old-check': { enabled: true, severity: 'info', params: {} },
      },
      file: '/virtual/payers/my-payer.yaml',
      hash: createHash('sha256').update(text).digest('hex'),
    });
  });

  it('loads with params of the declared kinds', () => {
    const text = `${HEADER}rules:\n  needs-auth:\n    params:\n      procedureCodes: ["70551"]\n  units-too-high:\n    params: { maxUnits: 1 }\n`;
    const { policy, problems } = parse(text);
    expect(problems).toEqual([]);
    expect(policy?.rules).toEqual({ 'needs-auth': { params: { procedureCodes: ['70551'] } }, 'units-too-high': { params: { maxUnits: 1 } } });
  });

  it('loads without a rules mapping', () => {
    const { policy, problems } = parse(HEADER);
    expect(problems).toEqual([]);
    expect(policy?.rules).toEqual({});
  });

  it('is found in the payers directory, ignoring test files and other extensions', async () => {
    const dir = await tree({
      'b-payer.yaml': HEADER.replace('my-payer', 'b-payer').replace('P1', 'P9'),
      'a-payer.yaml': HEADER.replace('my-payer', 'a-payer'),
      'a-payer.test.yaml': 'not: a policy\n',
      'notes.md': '# notes\n',
      'c-payer.yml': 'id: c-payer\n',
    });
    const { policies, problems, ambiguities } = await loadPayerPolicies(dir, rules);
    expect(problems).toEqual([]);
    expect(ambiguities).toEqual([]);
    expect(policies.map((policy) => policy.id)).toEqual(['a-payer', 'b-payer']);
  });

  it('is optional: no payers directory, no policies', async () => {
    expect(await loadPayerPolicies(undefined, rules)).toEqual({ policies: [], problems: [], ambiguities: [] });
  });
});

describe('payer policy problems', () => {
  it('refuses an id that is not the file name, at the id', () => {
    const { problems, policy } = parse(HEADER, 'other-name');
    expect(policy).toBeUndefined();
    expect(where(problems)).toEqual([[1, 5, 'The payer policy id "my-payer" must equal the file name "other-name".']]);
  });

  it('refuses unknown rule ids at their keys, in the shorthand and the object form', () => {
    const text = `${HEADER}rules:\n  nope-rule: on\n  needs-auth: on\n  other-nope:\n    enabled: true\n`;
    const { problems } = parse(text);
    expect(where(problems)).toEqual([
      [6, 3, '"nope-rule" is not a loaded rule. Check the id: rule ids are the edit codes in reports.'],
      [8, 3, '"other-nope" is not a loaded rule. Check the id: rule ids are the edit codes in reports.'],
    ]);
  });

  it('refuses an unknown param at its key, listing the params the rule has', () => {
    const text = `${HEADER}rules:\n  units-too-high:\n    params:\n      maxUnit: 2\n`;
    const { problems } = parse(text);
    expect(where(problems)).toEqual([[8, 7, 'Rule "units-too-high" has no parameter "maxUnit" (it has: maxUnits).']]);
  });

  it('refuses params for a rule that has none', () => {
    const text = `${HEADER}rules:\n  plain-check:\n    params: { anything: 1 }\n`;
    const { problems } = parse(text);
    expect(where(problems)).toEqual([[7, 15, 'Rule "plain-check" has no parameter "anything".']]);
  });

  it('refuses a list param overridden by text, at the param value', () => {
    const text = `${HEADER}rules:\n  needs-auth:\n    params:\n      procedureCodes: "70551"\n`;
    const { problems } = parse(text);
    expect(where(problems)).toEqual([[8, 23, 'Rule "needs-auth" declares parameter "procedureCodes" as a list; this policy gives text.']]);
  });

  it('refuses a number param overridden by text or a list, at each param value', () => {
    const text = `${HEADER}rules:\n  units-too-high:\n    params:\n      maxUnits: "four"\n  code-in-ranges:\n    params:\n      ranges: 100\n`;
    const { problems } = parse(text);
    expect(where(problems)).toEqual([
      [8, 17, 'Rule "units-too-high" declares parameter "maxUnits" as a number; this policy gives text.'],
      [11, 15, 'Rule "code-in-ranges" declares parameter "ranges" as a list; this policy gives a number.'],
    ]);
  });

  it('refuses a param of the right kind that the condition still cannot use, at the param value', () => {
    const text = `${HEADER}rules:\n  code-in-ranges:\n    params:\n      ranges: ["00100-", 7]\n`;
    const { problems } = parse(text);
    expect(where(problems)).toEqual([[8, 15, expect.stringMatching(/^With these params, rule "code-in-ranges" is not usable: `inCodeRanges`/)]]);
  });

  it('refuses a params problem through loadRulePack with SCRUB_ERR_PAYER_INVALID', async () => {
    const error = await refusedPack({ 'my-payer.yaml': `${HEADER}rules:\n  needs-auth:\n    params:\n      procedureCodes: "70551"\n` });
    expect(error.code).toBe('SCRUB_ERR_PAYER_INVALID');
    expect(error.message).toBe('1 problem(s) in payer files');
    expect(error.problems.map((problem) => [path.basename(problem.position.file), problem.position.line, problem.position.column])).toEqual([
      ['my-payer.yaml', 8, 23],
    ]);
  });

  it('refuses a shorthand that is not on, off or a severity, saying which values are allowed', () => {
    const { problems } = parse(`${HEADER}rules:\n  needs-auth: maybe\n`);
    expect(where(problems)).toEqual([[6, 15, '`rules.needs-auth` must be one of "on", "off", "error", "warning", "info".']]);
  });

  it('refuses an unknown key in an override at the key', () => {
    const { problems } = parse(`${HEADER}rules:\n  needs-auth:\n    enabeld: true\n`);
    expect(where(problems)).toEqual([[7, 5, expect.stringMatching(/^`rules\.needs-auth\.enabeld` is not a known field.*unknown key/)]]);
  });

  it('refuses an empty override, a wrong severity and a non-boolean enabled', () => {
    const { problems } = parse(`${HEADER}rules:\n  needs-auth: {}\n  units-too-high: { severity: fatal }\n  plain-check: { enabled: "yes" }\n`);
    expect(where(problems)).toEqual([
      [6, 15, '`rules.needs-auth` must not be empty.'],
      [7, 31, '`rules.units-too-high.severity` must be one of "error", "warning", "info".'],
      [8, 27, '`rules.plain-check.enabled` must be a boolean.'],
    ]);
  });

  it.each([
    ['an empty match', 'match: {}\n', [3, 8, '`match` must not be empty.']],
    ['an unknown filing indicator', 'match:\n  claimFilingIndicators: ["XX"]\n', [4, 27, expect.stringMatching(/^`match\.claimFilingIndicators\[0\]` must be one of "11"/)]],
    ['an empty payer id list', 'match:\n  payerIds: []\n', [4, 13, '`match.payerIds` must have at least 1 entry.']],
    ['a repeated payer id', 'match:\n  payerIds: ["P1", "P1"]\n', [4, 13, expect.stringMatching(/^`match\.payerIds` must not repeat an entry/)]],
    ['an unknown match key', 'match:\n  payerId: ["P1"]\n', [4, 3, expect.stringMatching(/^`match\.payerId` is not a known field/)]],
    ['no match', '', [1, 1, 'The policy has no `match`, so it would apply to no claim: add `match` (payerIds, claimFilingIndicators), mark it `default: true` for the claims no other policy matches, or `abstract: true` if it is a base other policies extend.']],
  ])('refuses %s', (_name, match, expected) => {
    const { problems } = parse(`id: my-payer\nname: My Payer\n${match}`);
    expect(where(problems)).toEqual([expected]);
  });

  it('reports schema problems and the problems beyond the schema together', () => {
    const text = `id: my-payer\nname: My Payer\nmatch:\n  payerIds: ["P1"]\nrulez: {}\nrules:\n  nope-rule: on\n  needs-auth: maybe\n`;
    const { problems } = parse(text, 'other-name');
    expect(where(problems)).toEqual([
      [1, 5, 'The payer policy id "my-payer" must equal the file name "other-name".'],
      [5, 1, expect.stringMatching(/^`rulez` is not a known field/)],
      [7, 3, '"nope-rule" is not a loaded rule. Check the id: rule ids are the edit codes in reports.'],
      [8, 15, expect.stringMatching(/^`rules\.needs-auth` must be one of/)],
    ]);
  });

  it('refuses YAML aliases, tags and prototype keys, and nothing is polluted', () => {
    const aliases = parse(`${HEADER}rules:\n  needs-auth: &on on\n  plain-check: *on\n`);
    expect(where(aliases.problems)).toEqual([
      [6, 15, expect.stringMatching(/^YAML anchors/)],
      [7, 16, expect.stringMatching(/^YAML aliases/)],
    ]);
    const tags = parse(`${HEADER}rules:\n  needs-auth: !!js/function "function () {}"\n`);
    expect(where(tags.problems)).toEqual([[6, 15, 'YAML tags (!!js/function) are not allowed in rule files: values must be plain data.']]);
    const proto = parse(`${HEADER}rules:\n  __proto__: { polluted: true }\n  needs-auth:\n    params:\n      constructor: { prototype: { polluted: true } }\n`);
    expect(where(proto.problems)).toEqual([
      [6, 3, 'The key "__proto__" is not allowed: it names an object prototype property.'],
      [9, 7, 'The key "constructor" is not allowed: it names an object prototype property.'],
      [9, 22, 'The key "prototype" is not allowed: it names an object prototype property.'],
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reports a payers directory that cannot be read', async () => {
    const missing = path.join(root, 'no-payers');
    const result = await loadPayerPolicies(missing, rules);
    expect(result.problems).toEqual([{ position: { file: missing }, message: expect.stringMatching(/^The payers directory cannot be read/) }]);
    const error = await loadRulePack({ rulesDirs: [rulesDir], payersDir: missing }).catch((thrown: unknown) => thrown);
    expect((error as ScrubError).code).toBe('SCRUB_ERR_PAYER_INVALID');
  });

  it('checks rule files before payer files', async () => {
    const badRules = await tree({ 'coding/bad.yaml': 'id: bad\n' }, 'rules-');
    const payersDir = await tree({ 'my-payer.yaml': 'id: wrong\n' });
    const error = await loadRulePack({ rulesDirs: [badRules], payersDir }).catch((thrown: unknown) => thrown);
    expect((error as ScrubError).code).toBe('SCRUB_ERR_RULE_INVALID');
  });
});

describe('ambiguous payer policies', () => {
  const policy = (id: string, match: string) => `id: ${id}\nname: ${id}\nmatch:\n${match}`;

  it('refuses two policies matching one payer id with the same specificity', async () => {
    const error = await refusedPack({
      'first.yaml': policy('first', '  payerIds: ["A1"]\n'),
      'second.yaml': policy('second', '  payerIds: ["B1", "A1"]\n'),
    });
    expect(error.code).toBe('SCRUB_ERR_PAYER_AMBIGUOUS');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.position.file).toMatch(/second\.yaml$/);
    expect(error.problems[0]?.message).toMatch(/^Payer policies "first" and "second" both match claims with payer id A1, with the same specificity/);
  });

  it('refuses two policies matching one claim filing indicator', async () => {
    const error = await refusedPack({
      'first.yaml': policy('first', '  claimFilingIndicators: ["MC"]\n'),
      'second.yaml': policy('second', '  claimFilingIndicators: ["MC", "HM"]\n'),
    });
    expect(error.code).toBe('SCRUB_ERR_PAYER_AMBIGUOUS');
    expect(error.problems[0]?.message).toMatch(/both match claims with claim filing indicator MC/);
  });

  it('refuses two policies with both criteria overlapping in both', async () => {
    const error = await refusedPack({
      'first.yaml': policy('first', '  payerIds: ["A1"]\n  claimFilingIndicators: ["MC"]\n'),
      'second.yaml': policy('second', '  payerIds: ["A1"]\n  claimFilingIndicators: ["HM", "MC"]\n'),
    });
    expect(error.code).toBe('SCRUB_ERR_PAYER_AMBIGUOUS');
    expect(error.problems[0]?.message).toMatch(/payer id A1 and claim filing indicator MC/);
  });

  it('reports every ambiguous pair', async () => {
    const error = await refusedPack({
      'a.yaml': policy('a', '  payerIds: ["A1"]\n'),
      'b.yaml': policy('b', '  payerIds: ["A1"]\n'),
      'c.yaml': policy('c', '  payerIds: ["A1"]\n'),
    });
    expect(error.problems.map((problem) => problem.message.slice(0, 30))).toEqual([
      'Payer policies "a" and "b" bot',
      'Payer policies "a" and "c" bot',
      'Payer policies "b" and "c" bot',
    ]);
  });

  it.each([
    ['one by payer id, the other by filing indicator', '  payerIds: ["A1"]\n', '  claimFilingIndicators: ["MC"]\n'],
    ['different payer ids', '  payerIds: ["A1"]\n', '  payerIds: ["B1"]\n'],
    ['different filing indicators', '  claimFilingIndicators: ["MB"]\n', '  claimFilingIndicators: ["MC"]\n'],
    ['payer id alone and payer id with filing indicator', '  payerIds: ["A1"]\n', '  payerIds: ["A1"]\n  claimFilingIndicators: ["MC"]\n'],
    ['both criteria, same payer id, different indicators', '  payerIds: ["A1"]\n  claimFilingIndicators: ["MB"]\n', '  payerIds: ["A1"]\n  claimFilingIndicators: ["MC"]\n'],
  ])('accepts %s', async (_name, first, second) => {
    const payersDir = await tree({ 'first.yaml': policy('first', first), 'second.yaml': policy('second', second) });
    const pack = await loadRulePack({ rulesDirs: [rulesDir], payersDir });
    expect(pack.policies.map((loaded) => loaded.id)).toEqual(['first', 'second']);
  });
});

describe('specificity', () => {
  it('ranks payer id over filing indicator, and both over either', () => {
    expect(specificity({ claimFilingIndicators: ['MC'] })).toBe(1);
    expect(specificity({ payerIds: ['A1'] })).toBe(2);
    expect(specificity({ payerIds: ['A1'], claimFilingIndicators: ['MC'] })).toBe(3);
  });
});

describe('payer policies built on others with extends', () => {
  const BASE = 'id: shared\nname: Shared\nabstract: true\nprogram: medicare\nrules:\n  units-too-high:\n    severity: warning\n    params:\n      maxUnits: 9\n  optional-check: on\n';

  it('inherit the base: its program and rule changes, merged with their own (own settings win, params merge by name)', async () => {
    const dir = await tree({
      'shared.yaml': BASE,
      'child.yaml': 'id: child\nname: Child\nextends: shared\nmatch:\n  payerIds: ["C1"]\nrules:\n  units-too-high:\n    enabled: true\n  needs-auth:\n    params:\n      procedureCodes: ["70551"]\n',
      'medicaid-child.yaml': 'id: medicaid-child\nname: Medicaid child\nextends: child\nprogram: medicaid\nmatch:\n  payerIds: ["C2"]\nrules:\n  optional-check: off\n',
    });
    const { policies, problems, ambiguities } = await loadPayerPolicies(dir, rules);
    expect(problems).toEqual([]);
    expect(ambiguities).toEqual([]);
    const byId = Object.fromEntries(policies.map((policy) => [policy.id, policy]));
    expect(byId.child?.program).toBe('medicare');
    expect(byId.child?.rules).toEqual({
      'units-too-high': { enabled: true, severity: 'warning', params: { maxUnits: 9 } },
      'optional-check': { enabled: true },
      'needs-auth': { params: { procedureCodes: ['70551'] } },
    });
    expect(byId['medicaid-child']?.program).toBe('medicaid');
    expect(byId['medicaid-child']?.rules['optional-check']).toEqual({ enabled: false });
    expect(byId['medicaid-child']?.rules['units-too-high']).toEqual({ enabled: true, severity: 'warning', params: { maxUnits: 9 } });
    // A change to the base changes the hash of every policy built on it.
    const changed = await loadPayerPolicies(await tree({ 'shared.yaml': BASE.replace('9', '8'), 'child.yaml': 'id: child\nname: Child\nextends: shared\nmatch:\n  payerIds: ["C1"]\n' }), rules);
    const again = await loadPayerPolicies(await tree({ 'shared.yaml': BASE, 'child.yaml': 'id: child\nname: Child\nextends: shared\nmatch:\n  payerIds: ["C1"]\n' }), rules);
    expect(changed.policies.find((p) => p.id === 'child')?.hash).not.toBe(again.policies.find((p) => p.id === 'child')?.hash);
  });

  it('never select an abstract policy for a claim', async () => {
    const pack = await loadRulePack({ rulesDirs: [rulesDir], payersDir: await tree({ 'shared.yaml': BASE }) });
    expect(pack.policies.map((policy) => policy.id)).toEqual(['shared']);
    const { selectPolicy } = await import('../../engine/rules/load-payers.js');
    expect(selectPolicy(pack.policies, 'ANY', 'MB')).toBeUndefined();
  });

  it('select the default policy for the claims no other policy matches', async () => {
    const pack = await loadRulePack({
      rulesDirs: [rulesDir],
      payersDir: await tree({
        'shared.yaml': BASE,
        'rest.yaml': 'id: rest\nname: Rest\ndefault: true\nextends: shared\n',
        'p1.yaml': 'id: p1\nname: P1\nextends: shared\nmatch:\n  payerIds: ["P1"]\n',
      }),
    });
    const { selectPolicy } = await import('../../engine/rules/load-payers.js');
    expect(selectPolicy(pack.policies, 'P1', 'CI')?.id).toBe('p1');
    expect(selectPolicy(pack.policies, 'P9', 'CI')?.id).toBe('rest');
    expect(selectPolicy(pack.policies, undefined, undefined)?.id).toBe('rest');
    expect(pack.policies.find((policy) => policy.id === 'rest')?.rules['units-too-high']?.severity).toBe('warning');
  });

  it('refuse two default policies', async () => {
    const error = await refusedPack({ 'a.yaml': 'id: a\nname: A\ndefault: true\n', 'b.yaml': 'id: b\nname: B\ndefault: true\n' });
    expect(error.code).toBe('SCRUB_ERR_PAYER_AMBIGUOUS');
    expect(error.problems.map((problem) => problem.message)).toEqual(['Payer policies "a" and "b" are both `default: true`: only one policy can apply to the claims no other policy matches.']);
  });

  it.each([
    [
      'a default policy with a match',
      { 'a.yaml': 'id: a\nname: A\ndefault: true\nmatch:\n  payerIds: ["A"]\n' },
      'a.yaml',
      [5, 3, 'The default policy applies to the claims no other policy matches, so it has no `match` of its own: remove `match`, or remove `default: true`.'],
    ],
    ['an abstract default policy', { 'a.yaml': 'id: a\nname: A\nabstract: true\ndefault: true\n' }, 'a.yaml', [4, 10, 'An abstract policy applies to no claim, so it cannot be the default: remove one of `abstract: true` and `default: true`.']],
    ['an unknown base', { 'child.yaml': 'id: child\nname: Child\nextends: nowhere\nmatch:\n  payerIds: ["C1"]\n' }, 'child.yaml', [3, 10, '"nowhere" is not a payer policy in this directory.']],
    [
      'a circle',
      { 'a.yaml': 'id: a\nname: A\nextends: b\nmatch:\n  payerIds: ["A"]\n', 'b.yaml': 'id: b\nname: B\nextends: a\nmatch:\n  payerIds: ["B"]\n' },
      'b.yaml',
      [3, 10, 'Payer policies extend each other in a circle (a → b → a): one of them must not extend the other.'],
    ],
    ['itself', { 'a.yaml': 'id: a\nname: A\nextends: a\nmatch:\n  payerIds: ["A"]\n' }, 'a.yaml', [3, 10, 'The policy "a" cannot extend itself.']],
    [
      'an abstract policy with a match',
      { 'a.yaml': 'id: a\nname: A\nabstract: true\nmatch:\n  payerIds: ["A"]\n' },
      'a.yaml',
      [5, 3, 'An abstract policy is a base for others and matches no claim: remove `match`, or remove `abstract: true` to make the policy apply to claims.'],
    ],
    ['an unknown program', { 'a.yaml': 'id: a\nname: A\nprogram: tricare\nmatch:\n  payerIds: ["A"]\n' }, 'a.yaml', [3, 10, expect.stringMatching(/^`program` must be one of "medicare", "medicaid", "none"/)]],
  ])('refuse %s, at the line and column', async (_name, files, file, expected) => {
    const error = await refusedPack(files);
    expect(error.code).toBe('SCRUB_ERR_PAYER_INVALID');
    const problems = error.problems.filter((problem) => problem.position.file.endsWith(file as string));
    expect(where(problems)).toEqual([expected]);
  });
});
