import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROVIDER_OPERATORS, textListProblem } from '../../engine/checks/providers.js';
import { createScrubber } from '../../engine/index.js';
import { BUNDLED_RULES_DIR } from '../../engine/package-info.js';
import { resolveOperator } from '../../engine/rules/compile/index.js';
import { parsePayerFile } from '../../engine/rules/load-payers.js';
import { loadRules } from '../../engine/rules/load-rules.js';
import { evaluateWithJsonRulesEngine } from '../../engine/rules/reference.js';
import { ROOT } from '../helpers/cli.js';

const notAmong = PROVIDER_OPERATORS.find((op) => op.name === 'notAmong');
if (!notAmong) throw new Error('notAmong is not registered here');

describe('the notAmong operator', () => {
  it('is true only for non-blank text the list lacks, compared exactly', () => {
    const compiled = resolveOperator('notAmong');
    const cases: [unknown, unknown, boolean][] = [
      ['BLUE1', ['ACME1', 'MCRB1'], true],
      ['ACME1', ['ACME1', 'MCRB1'], false],
      ['acme1', ['ACME1'], true],
      ['ACME1 ', ['ACME1'], true],
      ['', ['ACME1'], false],
      ['  ', ['ACME1'], false],
      [undefined, ['ACME1'], false],
      [7, ['ACME1'], false],
      ['BLUE1', null, false],
      ['BLUE1', [], false],
      ['BLUE1', 'ACME1', false],
    ];
    for (const [fact, value, expected] of cases) {
      expect(compiled?.(fact, value), `${JSON.stringify(fact)} among ${JSON.stringify(value)}`).toBe(expected);
    }
  });

  it('agrees with json-rules-engine', async () => {
    const when = { all: [{ fact: 'claim', path: '$.payer.id', operator: 'notAmong', value: { fact: 'params', path: '$.payerIds' } }] };
    for (const [id, payerIds] of [['BLUE1', ['ACME1']], ['ACME1', ['ACME1']], [undefined, ['ACME1']], ['BLUE1', null]] as const) {
      const fired = await evaluateWithJsonRulesEngine(when, { claim: { payer: { id } }, line: undefined, lineIndex: -1, params: { payerIds } });
      expect(fired).toBe(resolveOperator('notAmong')?.(id, payerIds) ?? false);
    }
  });

  it('accepts at load a non-empty list of text, or null (no list yet), and refuses the rest', () => {
    expect(textListProblem(['ACME1'])).toBeUndefined();
    expect(textListProblem(null)).toBeUndefined();
    expect(textListProblem([])).toMatch(/non-empty list of text.*would flag every claim/);
    expect(textListProblem('ACME1')).toMatch(/non-empty list of text/);
    expect(textListProblem(['ACME1', 7])).toBe('every item of the list must be non-blank text; item 2 is 7');
    expect(textListProblem(['ACME1', ' '])).toBe('every item of the list must be non-blank text; item 2 is " "');
  });
});

describe('payer-id-not-in-payer-list in a billing team\'s policy', () => {
  const policy = (payerIds: string) =>
    `id: my-base\nname: Our clearinghouse\nabstract: true\nrules:\n  payer-id-not-in-payer-list:\n    enabled: true\n    params:\n      payerIds: ${payerIds}\n`;

  it('loads with a list, and refuses an empty list or one with other things than text, at the list', async () => {
    const { rules, problems } = await loadRules([BUNDLED_RULES_DIR]);
    expect(problems).toEqual([]);
    const rulesById = new Map(rules.map((rule) => [rule.definition.id, rule]));
    const parse = (text: string) => parsePayerFile('/virtual/payers/my-base.yaml', text, rulesById);
    expect(parse(policy('["ACME1", "BLUE1"]')).problems).toEqual([]);
    for (const [list, message] of [
      ['[]', /non-empty list of text/],
      ['["ACME1", 42]', /item 2 is 42/],
      ['"ACME1"', /non-empty list of text/],
    ] as const) {
      const { problems: found } = parse(policy(list));
      expect(found).toHaveLength(1);
      expect(found[0]?.message).toMatch(/^With these params, rule "payer-id-not-in-payer-list" is not usable: /);
      expect(found[0]?.message).toMatch(message);
      expect(found[0]?.position).toMatchObject({ line: 8 });
    }
  });
});

describe('the taxonomy rules are the Summit Care example policy\'s, not the base set\'s', () => {
  const psychotherapy = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/claims/psychotherapy.json'), 'utf8'));

  it('holds a claim without taxonomy codes for SUMMIT only', async () => {
    const scrubber = await createScrubber(undefined, { submissionDate: null });
    const codes = (payerId: string) => {
      const claim = structuredClone(psychotherapy);
      claim.payer.id = payerId;
      claim.serviceLines[0].renderingProvider = { npi: '1987654328' };
      return scrubber.scrubClaim(claim).edits.map((edit) => edit.code);
    };
    expect(codes('SUMMIT')).toEqual(['billing-provider-taxonomy-missing', 'rendering-provider-taxonomy-missing', 'line-rendering-provider-taxonomy-missing']);
    expect(codes('BLUE1')).toEqual([]);
  });
});
