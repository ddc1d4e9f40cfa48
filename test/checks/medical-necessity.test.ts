import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MEDICAL_NECESSITY_FACTS,
  coveragePoliciesProblem,
  coveragePolicyFor,
  isNotCovered,
} from '../../engine/checks/medical-necessity.js';
import { customOperators } from '../../engine/checks/registry.js';
import { createScrubber } from '../../engine/index.js';
import { checkCondition, resolveOperator } from '../../engine/rules/compile/index.js';
import { parsePayerFile } from '../../engine/rules/load-payers.js';
import { loadRules } from '../../engine/rules/load-rules.js';
import { evaluateWithJsonRulesEngine } from '../../engine/rules/reference.js';
import { ROOT } from '../helpers/cli.js';

const POLICIES = [
  { name: 'Vitamin D', procedureCodes: ['82306', '82652'], coveredDiagnoses: ['E55.*', 'E83.5*', 'N18.1-N18.6', 'E20-E21', 'M81.0'] },
  { name: 'Thyroid', procedureCodes: ['84443'], coveredDiagnoses: ['R00.0-R00.2', 'I48.*', 'E00-E07'] },
];

describe('coverage policy patterns', () => {
  const notCovered = (code: string, diagnoses: unknown[]) => isNotCovered(POLICIES, code, diagnoses);

  it('an exact code covers only itself, with or without the dot, in any case', () => {
    expect(notCovered('82306', ['M81.0'])).toBe(false);
    expect(notCovered('82306', ['m81.0'])).toBe(false);
    expect(notCovered('82306', ['M810'])).toBe(false);
    expect(notCovered('82306', ['M81.6'])).toBe(true);
    expect(notCovered('82306', ['M81'])).toBe(true);
    expect(notCovered('82306', ['M81.00'])).toBe(true);
  });

  it('a prefix covers the category and every code below it', () => {
    for (const code of ['E55', 'E55.0', 'E55.9']) expect(notCovered('82306', [code]), code).toBe(false);
    for (const code of ['E83.50', 'E83.52', 'E83.59']) expect(notCovered('82306', [code]), code).toBe(false);
    for (const code of ['E56.0', 'E83.4', 'E83.81', 'E5']) expect(notCovered('82306', [code]), code).toBe(true);
  });

  it('a range covers its bounds and what lies between, a shorter bound covering the codes under it', () => {
    for (const code of ['R00.0', 'R00.1', 'R00.2', 'I48.0', 'I48.91', 'E00.0', 'E03.9', 'E07.89']) expect(notCovered('84443', [code]), code).toBe(false);
    for (const code of ['R00.8', 'R00.9', 'R00', 'R01.0', 'I49.9', 'E08.9', 'D99']) expect(notCovered('84443', [code]), code).toBe(true);
    for (const code of ['N18.1', 'N18.30', 'N18.32', 'N18.6', 'E20.9', 'E21.3']) expect(notCovered('82306', [code]), code).toBe(false);
    for (const code of ['N18.9', 'N18.0', 'N17.9', 'E22.0']) expect(notCovered('82306', [code]), code).toBe(true);
  });

  it('one covered diagnosis among several is enough', () => {
    expect(notCovered('82306', ['E11.9', 'I10', 'E55.9'])).toBe(false);
    expect(notCovered('82306', ['E11.9', 'I10'])).toBe(true);
  });

  it('no edit without diagnoses, for codes no policy lists, or with an unusable policies list', () => {
    expect(notCovered('82306', [])).toBe(false);
    expect(notCovered('82306', [5, null])).toBe(true); // diagnoses that are not text cover nothing
    expect(notCovered('99214', ['E11.9'])).toBe(false);
    for (const policies of [undefined, null, 'x', {}, [], [{}], [{ name: 'x', procedureCodes: ['82306'], coveredDiagnoses: ['bad pattern'] }]]) {
      expect(isNotCovered(policies, '82306', ['E11.9'])).toBe(false);
      expect(coveragePolicyFor(policies, '82306')).toBeUndefined();
    }
    expect(coveragePolicyFor(POLICIES, '82652')).toBe('Vitamin D');
  });
});

describe('coverage policies are checked when rules and payer policies load', () => {
  it('accepts well-formed policies and an empty list', () => {
    expect(coveragePoliciesProblem(POLICIES)).toBeUndefined();
    expect(coveragePoliciesProblem([])).toBeUndefined();
  });

  it.each<[string, unknown, string]>([
    ['not a list', { name: 'x' }, 'policies must be a list'],
    ['not a mapping', ['x'], 'policies[0] must be a mapping'],
    ['an unknown key', [{ ...POLICIES[1], covered: [] }], 'policies[0] has unknown keys covered'],
    ['no name', [{ procedureCodes: ['84443'], coveredDiagnoses: ['I48.*'] }], 'policies[0].name must be text'],
    ['a blank name', [{ ...POLICIES[1], name: ' ' }], 'policies[0].name must be text'],
    ['no procedure codes', [{ ...POLICIES[1], procedureCodes: [] }], 'policies[0].procedureCodes must be a non-empty list'],
    ['no covered diagnoses', [{ ...POLICIES[1], coveredDiagnoses: [] }], 'policies[0].coveredDiagnoses must be a non-empty list'],
    ['a procedure code that is not one', [{ ...POLICIES[1], procedureCodes: ['8444'] }], 'policies[0].procedureCodes[0] must be a five-character'],
    ['a double star', [{ ...POLICIES[1], coveredDiagnoses: ['I49.**'] }], 'policies[0].coveredDiagnoses[0]: "I49.**" is not a diagnosis pattern'],
    ['a lower-case code', [{ ...POLICIES[1], coveredDiagnoses: ['I48.*', 'i48.0'] }], 'policies[0].coveredDiagnoses[1]: "i48.0" is not a diagnosis pattern'],
    ['a star inside', [{ ...POLICIES[1], coveredDiagnoses: ['I*8'] }], 'is not a diagnosis pattern'],
    ['a range written backwards', [{ ...POLICIES[1], coveredDiagnoses: ['R00.2-R00.0'] }], 'the range "R00.2-R00.0" starts after it ends'],
    ['a half range', [{ ...POLICIES[1], coveredDiagnoses: ['R00.0-'] }], 'is not a diagnosis pattern'],
    ['a pattern that is not text', [{ ...POLICIES[1], coveredDiagnoses: [48] }], 'policies[0].coveredDiagnoses[0]: must be text'],
    ['a code in two policies', [POLICIES[1], { ...POLICIES[1], name: 'Again' }], 'policies[1].procedureCodes[0]: "84443" is already in policies[0]'],
  ])('refuses %s', (_name, value, message) => {
    expect(coveragePoliciesProblem(value)).toContain(message);
  });

  it('names every problem at once', () => {
    const problem = coveragePoliciesProblem([{ name: '', procedureCodes: ['x'], coveredDiagnoses: ['?'] }]);
    expect(problem?.split('; ')).toHaveLength(3);
  });

  it('both operators refuse an unusable constant value in a rule', () => {
    for (const operator of ['inCoveragePolicies', 'notCoveredByPolicies']) {
      expect(customOperators.get(operator)?.checkValue).toBeDefined();
      const problems = checkCondition({ all: [{ fact: 'line', path: '$.procedureCode', operator, value: [{ name: 'x' }] }] }, { scope: 'line', params: {} });
      expect(problems.map((problem) => problem.message).join('\n'), operator).toContain('policies[0].procedureCodes must be a non-empty list');
    }
  });

  it('a payer policy with an unusable coverage policy is refused at its line and column', async () => {
    const loaded = await loadRules([path.join(ROOT, 'rules')]);
    const rulesById = new Map(loaded.rules.map((rule) => [rule.definition.id, rule]));
    const text = [
      'id: my-payer',
      'name: My Payer',
      'match:',
      '  payerIds: ["P1"]',
      'rules:',
      '  procedure-diagnosis-not-covered:',
      '    enabled: true',
      '    params:',
      '      policies:',
      '        - name: Vitamin D',
      '          procedureCodes: ["82306"]',
      '          coveredDiagnoses: ["E55.*", "E55.**"]',
      '',
    ].join('\n');
    const { policy, problems } = parsePayerFile('/virtual/payers/my-payer.yaml', text, rulesById);
    expect(policy).toBeUndefined();
    // Both operators of the rule read the policies, and each says why it cannot use them.
    expect(problems.map((problem) => problem.message.match(/`(\w+)`/)?.[1])).toEqual(['inCoveragePolicies', 'notCoveredByPolicies']);
    for (const problem of problems) {
      expect(problem.position).toMatchObject({ file: '/virtual/payers/my-payer.yaml', line: 10, column: 9 });
      expect(problem.message).toContain('policies[0].coveredDiagnoses[1]: "E55.**" is not a diagnosis pattern');
    }
  });
});

describe('lineProcedureWithDiagnoses', () => {
  const compute = MEDICAL_NECESSITY_FACTS[0]!.compute;
  const claim = { diagnoses: [{ code: 'E11.9' }, { code: 'I10' }, { code: '250.00', codeSet: 'icd9cm' }, { code: 'E55.9', codeSet: 'icd10cm' }] };
  const on = (onClaim: unknown, line: unknown) => compute({ claim: onClaim, line, lineIndex: 0 });
  const of = (line: unknown) => on(claim, line);

  it('the codes the pointers reach, in pointer order, each once', () => {
    expect(of({ procedureCode: '82306', diagnosisPointers: [4, 1, 4] })).toEqual({ procedureCode: '82306', diagnosisCodes: ['E55.9', 'E11.9'] });
  });

  it('leaves out dangling pointers and ICD-9-CM diagnoses', () => {
    expect(of({ procedureCode: '82306', diagnosisPointers: [0, 2, 9, 3, 1.5, '1'] })).toEqual({ procedureCode: '82306', diagnosisCodes: ['I10'] });
    expect(of({ procedureCode: '82306', diagnosisPointers: [3, 9] })).toBeUndefined();
  });

  it('is absent without a procedure code or pointers, and never throws on malformed claims', () => {
    expect(of({ procedureCode: '82306' })).toBeUndefined();
    expect(of({ procedureCode: '82306', diagnosisPointers: [] })).toBeUndefined();
    expect(of({ diagnosisPointers: [1] })).toBeUndefined();
    for (const malformed of [undefined, null, 'claim', { diagnoses: 'x' }, { diagnoses: [null, 5, { code: 7 }, { code: '' }] }]) {
      expect(on(malformed, { procedureCode: '82306', diagnosisPointers: [1, 2, 3, 4] })).toBeUndefined();
    }
    for (const line of [undefined, null, [], 'line', { procedureCode: '82306', diagnosisPointers: 'x' }]) expect(of(line)).toBeUndefined();
  });
});

describe('the operators agree with json-rules-engine', () => {
  it('on the coverage rule condition', async () => {
    const when = {
      all: [
        { fact: 'line', path: '$.procedureCode', operator: 'inCoveragePolicies', value: { fact: 'params', path: '$.policies' } },
        { fact: 'lineProcedureWithDiagnoses', operator: 'notCoveredByPolicies', value: { fact: 'params', path: '$.policies' } },
      ],
    };
    const claim = { diagnoses: [{ code: 'E11.9' }, { code: 'E55.9' }] };
    for (const [line, expected] of [
      [{ procedureCode: '82306', diagnosisPointers: [1] }, true],
      [{ procedureCode: '82306', diagnosisPointers: [1, 2] }, false],
      [{ procedureCode: '82306' }, false],
      [{ procedureCode: '99214', diagnosisPointers: [1] }, false],
    ] as const) {
      const result = await evaluateWithJsonRulesEngine(when, { claim, line, lineIndex: 0, params: { policies: POLICIES } });
      expect(result, JSON.stringify(line)).toBe(expected);
    }
  });

  it('operators are false for values and facts of the wrong kind', () => {
    const inPolicies = resolveOperator('inCoveragePolicies')!;
    const notCovered = resolveOperator('notCoveredByPolicies')!;
    expect(inPolicies('82306', POLICIES)).toBe(true);
    expect(inPolicies(82306, POLICIES)).toBe(false);
    expect(inPolicies('82306', { toString: 'x' })).toBe(false);
    expect(notCovered({ procedureCode: '82306', diagnosisCodes: ['E11.9'] }, POLICIES)).toBe(true);
    expect(notCovered({ procedureCode: '82306', diagnosisCodes: 'E11.9' }, POLICIES)).toBe(false);
    expect(notCovered(Object.create({ procedureCode: '82306', diagnosisCodes: ['E11.9'] }), POLICIES)).toBe(false);
    expect(notCovered(null, POLICIES)).toBe(false);
  });
});

const scrubber = await createScrubber(undefined, { submissionDate: null });

describe('the bundled pack', () => {
  const officeVisit = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/claims/office-visit.json'), 'utf8')) as {
    payer: { id: string; claimFilingIndicator: string };
    serviceLines: { procedureCode: string }[];
  };
  const vitaminD = (payerId: string, indicator: string) => {
    const claim = structuredClone(officeVisit);
    claim.payer.id = payerId;
    claim.payer.claimFilingIndicator = indicator;
    claim.serviceLines[1]!.procedureCode = '82306';
    return scrubber.scrubClaim(claim).edits.map((edit) => edit.code);
  };

  it("applies Acme Health's EXAMPLE vitamin D policy", () => {
    expect(vitaminD('ACME1', 'CI')).toContain('procedure-diagnosis-not-covered');
  });

  it('is off for payers without coverage policies (the base set)', () => {
    expect(vitaminD('BLUE1', 'BL')).not.toContain('procedure-diagnosis-not-covered');
    expect(vitaminD('MCRB1', 'MB')).not.toContain('procedure-diagnosis-not-covered');
  });
});
