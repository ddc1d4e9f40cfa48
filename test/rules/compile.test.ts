import { Engine, Operator } from 'json-rules-engine';
import type { TopLevelCondition } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import {
  factSlot,
  buildCondition,
  checkCondition,
  compileCondition,
  ConditionCompileError,
  createEvaluationContext,
  enterLine,
  formatProblemPath,
  generateCondition,
  resetEvaluationContext,
} from '../../engine/rules/compile/index.js';
import type { ConditionProblem } from '../../engine/rules/compile/index.js';
import { evaluateWithJsonRulesEngine } from '../../engine/rules/reference.js';
import type { ConditionNode, RuleScope } from '../../engine/rules/types.js';

interface Input {
  scope?: RuleScope;
  claim?: unknown;
  line?: unknown;
  lineIndex?: number;
  params?: Record<string, unknown>;
}

function same(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

function compiled(when: unknown, input: Input = {}): unknown {
  const scope = input.scope ?? (input.lineIndex !== undefined ? 'line' : 'claim');
  const fn = compileCondition(when as ConditionNode, { scope });
  const context = createEvaluationContext(input.claim, input.params ?? {});
  if (scope === 'line') enterLine(context, input.line, input.lineIndex ?? 0);
  return fn(context);
}

function reference(when: unknown, input: Input = {}): Promise<unknown> {
  const scope = input.scope ?? (input.lineIndex !== undefined ? 'line' : 'claim');
  return evaluateWithJsonRulesEngine(when as ConditionNode, {
    claim: input.claim,
    line: scope === 'line' ? input.line : undefined,
    lineIndex: scope === 'line' ? (input.lineIndex ?? 0) : -1,
    params: input.params ?? {},
  });
}

/** Compiled and json-rules-engine results, asserted identical; returns the compiled one. */
async function both(when: unknown, input: Input = {}): Promise<unknown> {
  const ours = compiled(when, input);
  const theirs = await reference(when, input);
  expect(same(ours, theirs), `compiled ${String(ours)} vs json-rules-engine ${String(theirs)}`).toBe(true);
  return ours;
}

const leaf = (fact: string, operator: string, value: unknown, path?: string) =>
  path === undefined ? { fact, operator, value } : { fact, path, operator, value };
const all = (...children: unknown[]) => ({ all: children });
const any = (...children: unknown[]) => ({ any: children });
const not = (child: unknown) => ({ not: child });

const CLAIM = {
  id: 'C1',
  totalCharge: 250,
  payer: { id: 'P1', responsibility: 'primary', claimFilingIndicator: 'MB' },
  patient: { relationship: 'self', lastName: 'Doe', dateOfBirth: '1950-03-04', sex: 'F' },
  billingProvider: { npi: '1234567893', name: 'Clinic' },
  diagnoses: [{ code: 'E11.9' }, { code: 'I10' }],
  serviceLines: [
    { procedureCode: '99213', modifiers: ['25'], charge: 150, units: 1, serviceDate: '2026-02-03', diagnosisPointers: [1, 2] },
    { procedureCode: '36415', modifiers: [], charge: 100, units: 2, serviceDate: '2026-02-03', diagnosisPointers: [3], minutes: 30 },
  ],
};
const LINE0 = CLAIM.serviceLines[0];
const LINE1 = CLAIM.serviceLines[1];

describe('built-in operators through compiled conditions', () => {
  it.each([
    ['equal', '$.payer.id', 'P1', true],
    ['equal', '$.payer.id', 'P2', false],
    ['equal', '$.totalCharge', '250', false],
    ['notEqual', '$.payer.id', 'P2', true],
    ['in', '$.payer.id', ['P0', 'P1'], true],
    ['in', '$.payer.id', ['P0'], false],
    ['notIn', '$.payer.id', ['P0'], true],
    ['notIn', '$.payer.id', ['P1'], false],
    ['contains', '$.serviceLines[0].modifiers', '25', true],
    ['contains', '$.payer.id', 'P', false],
    ['doesNotContain', '$.serviceLines[0].modifiers', '59', true],
    ['doesNotContain', '$.payer', 'x', false],
    ['lessThan', '$.totalCharge', 300, true],
    ['lessThan', '$.totalCharge', 250, false],
    ['lessThanInclusive', '$.totalCharge', 250, true],
    ['greaterThan', '$.totalCharge', 249.99, true],
    ['greaterThanInclusive', '$.totalCharge', 251, false],
    ['greaterThan', '$.payer.id', 0, false],
  ] as const)('%s at %s with %j → %j', async (operator, path, value, expected) => {
    expect(await both(all(leaf('claim', operator, value, path)), { claim: CLAIM })).toBe(expected);
  });

  it('uses a Set for long constant lists with the same answers as indexOf (NaN never found, -0 is 0)', async () => {
    const long = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', Number.NaN, 0, null];
    const short = [Number.NaN, 0, null];
    for (const list of [long, short]) {
      for (const fact of [Number.NaN, -0, 0, null, 'h', 'z', undefined]) {
        const params = { x: fact };
        expect(await both(all(leaf('params', 'in', list, '$.x')), { params })).toBe(fact === fact && list.includes(fact as never));
        await both(all(leaf('params', 'notIn', list, '$.x')), { params });
      }
    }
    expect(generateCondition(all(leaf('claim', 'in', long)) as ConditionNode).source).toContain('.has(a)');
  });
});

describe('decorators and custom operators through compiled conditions', () => {
  it.each([
    ['someFact:equal', '$.serviceLines[0].modifiers', '25', true],
    ['everyFact:in', '$.serviceLines[0].modifiers', ['25', '59'], true],
    ['not:someFact:in', '$.serviceLines[1].modifiers', ['25'], true],
    ['someValue:equal', '$.payer.id', ['P0', 'P1'], true],
    ['everyValue:notEqual', '$.payer.id', ['P0', 'P2'], true],
    ['swap:contains', '$.payer.id', ['P1'], true],
    ['swap:lessThan', '$.totalCharge', 100, true],
    ['not:equal', '$.payer.id', 'P1', false],
    ['isMissing', '$.referralNumber', true, true],
    ['isMissing', '$.payer.id', false, true],
    ['isMissing', '$.serviceLines[1].modifiers', true, true],
    ['matchesPattern', '$.billingProvider.npi', '^[0-9]{10}$', true],
    ['matchesPattern', '$.totalCharge', '^2', false],
    ['inCodeRanges', '$.diagnoses[0].code', ['E08-E13'], true],
    ['inCodeRanges', '$.diagnoses[1].code', ['E08-E13'], false],
    ['someFact:inCodeRanges', '$.serviceLines[0].modifiers', ['20-30'], true],
    ['dateAfter', '$.patient.dateOfBirth', '1950-03-03', true],
    ['dateOnOrBefore', '$.patient.dateOfBirth', '1950-03-04', true],
    ['dateBefore', '$.patient.dateOfBirth', '1950-02-30', false],
    ['npiCheckDigitValid', '$.billingProvider.npi', true, true],
    ['npiCheckDigitValid', '$.billingProvider.npi', false, false],
    ['not:npiCheckDigitValid', '$.payer.id', true, true],
  ] as const)('%s at %s with %j → %j', async (operator, path, value, expected) => {
    expect(await both(all(leaf('claim', operator, value, path)), { claim: CLAIM })).toBe(expected);
  });
});

describe('json-rules-engine quirks, reproduced', () => {
  it.each([
    ['"12abc" > 5 is false: the validator accepts it, JavaScript compares NaN', '12abc', 'greaterThan', 5, false],
    ['"12abc" < 5 is false too', '12abc', 'lessThan', 5, false],
    ['"12abc" > "1" compares text', '12abc', 'greaterThan', '1', true],
    ['"  7" > 5 (whitespace trimmed)', '  7', 'greaterThan', 5, true],
    ['"1e3" > 5', '1e3', 'greaterThan', 5, true],
    ['"0x10" > 5 (hex converts, parseFloat says 0)', '0x10', 'greaterThan', 5, true],
    ['[5] > 4 (a one-item list converts)', [5], 'greaterThan', 4, true],
    ['[] < 5 is refused by the validator', [], 'lessThan', 5, false],
    ['null < 5 is refused by the validator', null, 'lessThan', 5, false],
    ['true > 0 is refused by the validator', true, 'greaterThan', 0, false],
    ['"" < 5 is refused by the validator', '', 'lessThan', 5, false],
    ['Infinity > 5', Number.POSITIVE_INFINITY, 'greaterThan', 5, true],
    ['contains on text is false (the fact must be a list)', 'abc', 'contains', 'a', false],
    ['in compares lists by identity', ['a'], 'in', [['a']], false],
    ['equal is strict', 5, 'equal', '5', false],
    ['null is not equal to a missing field', null, 'equal', null, true],
  ] as const)('%s', async (_name, x, operator, value, expected) => {
    expect(await both(all(leaf('params', operator, value, '$.x')), { params: { x } })).toBe(expected);
  });

  it('a path on a fact that is not a non-null object returns the fact itself', async () => {
    expect(await both(all(leaf('claim', 'equal', 'abc', '$.length')), { claim: 'abc' })).toBe(true);
    expect(await both(all(leaf('claim', 'equal', 7, '$.a.b')), { claim: 7 })).toBe(true);
    expect(await both(all(leaf('claim', 'equal', null, '$.a')), { claim: null })).toBe(true);
    expect(await both(all(leaf('patientAgeYears', 'equal', 75, '$.years')), { claim: CLAIM })).toBe(true);
  });

  it('a missing field is undefined, not null; length and characters of text work', async () => {
    expect(await both(all(leaf('claim', 'equal', null, '$.payer.nope')), { claim: CLAIM })).toBe(false);
    expect(await both(all(leaf('claim', 'equal', 2, '$.payer.id.length')), { claim: CLAIM })).toBe(true);
    expect(await both(all(leaf('claim', 'equal', '1', '$.payer.id[1]')), { claim: CLAIM })).toBe(true);
    expect(await both(all(leaf('claim', 'equal', 2, '$.serviceLines.length')), { claim: CLAIM })).toBe(true);
    expect(await both(all(leaf('claim', 'isMissing', true, '$.serviceLines.map')), { claim: CLAIM })).toBe(true);
  });

  it('empty all and empty any are true; not of either is false', async () => {
    expect(await both(all())).toBe(true);
    expect(await both(any())).toBe(true);
    expect(await both(not(all()))).toBe(false);
    expect(await both(not(any()))).toBe(false);
    expect(await both(all(any(), all()))).toBe(true);
  });

  it('nesting and short-circuits', async () => {
    const t = leaf('claim', 'equal', 'P1', '$.payer.id');
    const f = leaf('claim', 'equal', 'P2', '$.payer.id');
    const input = { claim: CLAIM };
    expect(await both(all(t, t, t), input)).toBe(true);
    expect(await both(all(t, f, t), input)).toBe(false);
    expect(await both(any(f, f, t), input)).toBe(true);
    expect(await both(any(f, f), input)).toBe(false);
    expect(await both(not(any(f, all(t, not(f)))), input)).toBe(false);
    expect(await both(all(any(f, not(f)), not(not(t))), input)).toBe(true);
  });
});

describe('raw results: what json-rules-engine passes through and what it turns into true/false', () => {
  // Built-in and custom operators all answer true/false, so the raw-value rules are shown with
  // an operator answering other values: the same function in both engines.
  async function rawBoth(when: unknown, answer: unknown): Promise<unknown> {
    const raw = () => answer as boolean;
    const generated = generateCondition(when as ConditionNode);
    const fn = buildCondition({ ...generated, OP: generated.OP.map(() => raw) });
    const ours = fn(createEvaluationContext({}));
    const engine = new Engine();
    engine.addOperator(new Operator('isMissing', raw));
    engine.addFact('claim', {});
    engine.addRule({ conditions: when as TopLevelCondition, event: { type: 'x' } });
    const { results, failureResults } = await engine.run();
    const theirs = (results[0] ?? failureResults[0])!.result as unknown;
    expect(same(ours, theirs), `ours ${String(ours)}, json-rules-engine ${String(theirs)}`).toBe(true);
    return ours;
  }
  const L = leaf('claim', 'isMissing', true);

  it.each([
    ['one-child all passes the raw result', all(L), 'yes', 'yes'],
    ['one-child any passes the raw result', any(L), 'yes', 'yes'],
    ['one-child all passes a falsy raw result', all(L), 0, 0],
    ['one-child any passes an empty text', any(L), '', ''],
    ['a nested one-child all becomes === true', all(all(L)), 'yes', false],
    ['two children: every(r => r === true)', all(L, L), 'yes', false],
    ['two children: some(r => r === true)', any(L, L), 'yes', false],
    ['not is !raw', not(L), 'yes', false],
    ['not is !raw (falsy)', not(L), 0, true],
    ['not over a nested all', not(all(L)), 'yes', true],
    ['two children answering true', all(L, L), true, true],
    ['a one-child chain down to true', any(all(any(L))), true, true],
    ['an object result passes through', all(L), { a: 1 }, { a: 1 }],
  ] as const)('%s', async (_name, when, answer, expected) => {
    const result = await rawBoth(when, answer);
    if (typeof expected === 'object') expect(result).toBe(answer);
    else expect(result).toBe(expected);
  });
});

describe('facts and fact references', () => {
  it('reads claim, line and params', async () => {
    const input = { claim: CLAIM, line: LINE1, lineIndex: 1, params: { max: 1, codes: ['36415'] } };
    expect(await both(all(leaf('line', 'greaterThan', { fact: 'params', path: '$.max' }, '$.units')), input)).toBe(true);
    expect(await both(all(leaf('line', 'in', { fact: 'params', path: '$.codes' }, '$.procedureCode')), input)).toBe(true);
    expect(await both(all(leaf('claim', 'equal', 'C1', '$.id')), input)).toBe(true);
    expect(await both(all(leaf('params', 'equal', 1, '$.max')), input)).toBe(true);
  });

  it('compares two facts of the claim', async () => {
    const input = { claim: CLAIM, line: LINE1, lineIndex: 1 };
    expect(await both(all(leaf('line', 'greaterThan', { fact: 'line', path: '$.units' }, '$.minutes')), input)).toBe(true);
    expect(await both(all(leaf('line', 'equal', { fact: 'claim', path: '$.serviceLines[0].serviceDate' }, '$.serviceDate')), input)).toBe(
      true,
    );
    expect(await both(all(leaf('claim', 'dateBefore', { fact: 'earliestServiceDate' }, '$.patient.dateOfBirth')), input)).toBe(true);
    // the whole params object against itself: the same object
    expect(await both(all(leaf('params', 'equal', { fact: 'params' })), { params: { a: 1 } })).toBe(true);
  });

  it('reads computed facts, claim and line scope', async () => {
    const claimInput = { claim: CLAIM };
    expect(await both(all(leaf('diagnosisCodes', 'contains', 'I10')), claimInput)).toBe(true);
    expect(await both(all(leaf('patientAgeYears', 'greaterThanInclusive', 65)), claimInput)).toBe(true);
    expect(await both(all(leaf('earliestServiceDate', 'equal', '2026-02-03')), claimInput)).toBe(true);
    expect(await both(all(leaf('diagnosisCodes', 'equal', 2, '$.length')), claimInput)).toBe(true);
    const lineInput = { claim: CLAIM, line: LINE1, lineIndex: 1 };
    expect(await both(all(leaf('lineDanglingDiagnosisPointers', 'contains', 3)), lineInput)).toBe(true);
    expect(await both(all(leaf('sameDayOtherProcedureCodes', 'contains', '99213')), lineInput)).toBe(true);
    expect(await both(all(leaf('sameDayOtherProcedureCodes', 'contains', '36415')), lineInput)).toBe(false);
    // a computed list is one value per evaluation: equal to itself
    expect(await both(all(leaf('diagnosisCodes', 'equal', { fact: 'diagnosisCodes' })), claimInput)).toBe(true);
  });

  it('computes a computed fact once per claim (claimFacts) and once per line (lineFacts)', () => {
    const fn = compileCondition(all(leaf('diagnosisCodes', 'contains', 'Z00.00')) as ConditionNode, { scope: 'claim' });
    const context = createEvaluationContext(CLAIM);
    expect(fn(context)).toBe(false);
    expect(context.claimFacts.get('diagnosisCodes')).toEqual(['E11.9', 'I10']);
    context.claimFacts.set('diagnosisCodes', ['Z00.00']); // a memoized value is used as it is
    expect(fn(context)).toBe(true);
    resetEvaluationContext(context, CLAIM);
    expect(fn(context)).toBe(false);

    const lineFn = compileCondition(all(leaf('lineDanglingDiagnosisPointers', 'equal', 1, '$.length')) as ConditionNode, {
      scope: 'line',
    });
    enterLine(context, LINE1, 1);
    expect(lineFn(context)).toBe(true);
    expect(context.lineFacts.has('lineDanglingDiagnosisPointers')).toBe(true);
    expect(context.claimFacts.has('lineDanglingDiagnosisPointers')).toBe(false);
    enterLine(context, LINE0, 0);
    expect(context.lineFacts.size).toBe(0);
    expect(lineFn(context)).toBe(false);
  });

  it('a memoized undefined is not recomputed', () => {
    const fn = compileCondition(all(leaf('patientAgeYears', 'isMissing', true)) as ConditionNode, { scope: 'claim' });
    const context = createEvaluationContext({});
    expect(fn(context)).toBe(true);
    expect(context.claimFacts.has('patientAgeYears')).toBe(true);
    expect(context.claimFacts.get('patientAgeYears')).toBeUndefined();
  });
});

describe('never throws at run time, where json-rules-engine would', () => {
  const poison = { toString: 'not a function' };

  it('numeric comparison of a mapping with its own toString key: false (json-rules-engine throws)', async () => {
    for (const [when, claim] of [
      [all(leaf('claim', 'greaterThan', 5, '$.x')), { x: poison }],
      [all(leaf('claim', 'greaterThan', 5, '$.x')), { x: [1, poison] }],
      [all(leaf('claim', 'lessThan', { fact: 'claim', path: '$.y' }, '$.x')), { x: 1, y: poison }],
      [all(leaf('claim', 'swap:lessThan', 5, '$.x')), { x: poison }],
    ] as const) {
      expect(compiled(when, { claim })).toBe(false);
      await expect(reference(when, { claim })).rejects.toThrow(/primitive/);
    }
    // the comparison that would throw is false; the decorators around it go on as usual
    const some = all(leaf('claim', 'someFact:greaterThan', 5, '$.x'));
    expect(compiled(some, { claim: { x: [poison, 7] } })).toBe(true);
    expect(compiled(some, { claim: { x: [poison, 1] } })).toBe(false);
    await expect(reference(some, { claim: { x: [poison, 7] } })).rejects.toThrow(/primitive/);
    expect(compiled(all(leaf('claim', 'not:greaterThan', 5, '$.x')), { claim: { x: poison } })).toBe(true);
    // and the rest of the tree still counts
    const when = any(leaf('claim', 'greaterThan', 5, '$.x'), leaf('claim', 'equal', 1, '$.y'));
    expect(compiled(when, { claim: { x: poison, y: 1 } })).toBe(true);
  });

  it('in with params that turn out not to be a list at run time: false (json-rules-engine throws)', async () => {
    const when = all(leaf('claim', 'in', { fact: 'params', path: '$.codes' }, '$.code'));
    // accepted without params (the caller checks with the rule's params at load time)
    expect(checkCondition(when, { scope: 'claim' })).toEqual([]);
    expect(checkCondition(when, { scope: 'claim', params: { codes: 5 } })).toHaveLength(1);
    expect(compiled(when, { claim: { code: 'a' }, params: { codes: 5 } })).toBe(false);
    await expect(reference(when, { claim: { code: 'a' }, params: { codes: 5 } })).rejects.toThrow();
    // a text "list" is searched like json-rules-engine does (String#indexOf)
    expect(await both(when, { claim: { code: 'b' }, params: { codes: 'abc' } })).toBe(true);
  });
});

describe('constants reach the generated code only as data', () => {
  const nasty = [
    '"); process.exit(1); ("',
    "'); process.exit(1); ('",
    '*/ process.exit(1); /*',
    '`${process.exit(1)}`',
    '\u2028\u2029',
    '\\',
    '</script>',
    '\n}; process.exit(1); function x() {\n',
  ];

  it('compiles values that look like code and compares them as plain text', async () => {
    for (const text of nasty) {
      const when = all(
        leaf('claim', 'equal', text, '$.a'),
        leaf('claim', 'in', [text, 'x'], '$.a'),
        leaf('claim', 'someValue:equal', [text], '$.a'),
        leaf('claim', 'contains', text, '$.list'),
      );
      const generated = generateCondition(when as ConditionNode);
      expect(generated.source).not.toContain(text);
      expect(generated.source).not.toContain('process');
      expect(await both(when, { claim: { a: text, list: [text] } })).toBe(true);
      expect(await both(when, { claim: { a: `${text} `, list: [text] } })).toBe(false);
    }
  });

  it('the generated source holds no text from the rule: its only string literals are fixed', () => {
    const when = all(
      leaf('claim', 'matchesPattern', '^A', '$.serviceLines[3].procedureCode'),
      leaf('line', 'someFact:in', { fact: 'params', path: '$.modifierList' }, '$.modifiers'),
      leaf('diagnosisCodes', 'contains', { fact: 'line', path: '$.code' }),
      not(leaf('sameDayOtherProcedureCodes', 'isMissing', true)),
    );
    const { source, K, S, N } = generateCondition(when as ConditionNode);
    const literals = source.match(/'[^']*'|"[^"]*"|`[^`]*`/g) ?? [];
    expect(new Set(literals)).toEqual(new Set(["'use strict'", "'object'"]));
    for (const name of ['procedureCode', 'serviceLines', 'modifierList', 'modifiers', 'diagnosisCodes', 'sameDayOtherProcedureCodes', '^A']) {
      expect(source).not.toContain(name);
    }
    expect(S).toEqual(['serviceLines', 3, 'procedureCode', 'modifiers', 'modifierList', 'code']);
    expect(N).toEqual([factSlot('diagnosisCodes'), factSlot('sameDayOtherProcedureCodes')]);
    expect(K).toEqual(['^A', true]);
  });

  it('copies and freezes constants: changing the rule afterwards changes nothing', () => {
    const list = ['A', 'B'];
    const when = all(leaf('claim', 'someValue:equal', list, '$.x'));
    const fn = compileCondition(when as ConditionNode, { scope: 'claim' });
    list.push('C');
    (when.all[0] as { value: unknown }).value = ['C'];
    expect(fn(createEvaluationContext({ x: 'C' }))).toBe(false);
    expect(fn(createEvaluationContext({ x: 'A' }))).toBe(true);
    expect(Object.isFrozen(generateCondition(when as ConditionNode).K[0])).toBe(true);
  });
});

describe('compileCondition', () => {
  it('throws a ConditionCompileError listing every problem', () => {
    const when = all(leaf('nope', 'equal', 1), leaf('claim', 'bogus', 1), leaf('line', 'equal', 1));
    let error: unknown;
    try {
      compileCondition(when as ConditionNode, { scope: 'claim' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConditionCompileError);
    const problems = (error as ConditionCompileError).problems;
    expect(problems.map((p) => p.path)).toEqual([
      ['all', 0, 'fact'],
      ['all', 1, 'operator'],
      ['all', 2, 'fact'],
    ]);
    expect((error as Error).message).toContain('3 problems');
    expect((error as Error).message).toContain('all[1].operator: unknown operator `bogus`');
  });

  it('formats problem paths', () => {
    expect(formatProblemPath(['any', 1, 'not', 'all', 0, 'value', 'path'])).toBe('any[1].not.all[0].value.path');
    expect(formatProblemPath([])).toBe('(the condition itself)');
  });
});

describe('checkCondition', () => {
  type Expected = [path: (string | number)[], message: RegExp];
  const cases: [name: string, when: unknown, expected: Expected[], options?: { scope?: RuleScope; params?: Record<string, unknown> }][] = [
    ['a bare comparison at the top', leaf('claim', 'equal', 1), [[[], /top of a rule condition must be `all`, `any` or `not`/]]],
    ['a condition that is not a mapping', all('x'), [[['all', 0], /must be a mapping/]]],
    ['null as a condition', any(null), [[['any', 0], /must be a mapping/]]],
    ['a list as a condition', all([]), [[['all', 0], /must be a mapping/]]],
    ['an empty mapping', all({}), [[['all', 0], /must be one of/]]],
    ['all that is not a list', { all: leaf('claim', 'equal', 1) }, [[['all'], /`all` must be a list/]]],
    ['any that is not a list', { any: 'x' }, [[['any'], /`any` must be a list/]]],
    ['not with a list', { not: [leaf('claim', 'equal', 1)] }, [[['not'], /`not` takes one condition, not a list/]]],
    ['all and any together', { all: [], any: [] }, [[[], /only one of all, any and not; this one has all and any/]]],
    ['a condition reference', all({ condition: 'shared' }), [[['all', 0, 'condition'], /condition references/]]],
    ['an unknown key next to all', { all: [], priority: 2 }, [[['priority'], /unknown key `priority` in an `all`/]]],
    ['a comparison key next to all', { all: [], fact: 'claim' }, [[['fact'], /belongs to a comparison/]]],
    ['an unknown key in a comparison', all({ ...leaf('claim', 'equal', 1), name: 'x' }), [[['all', 0, 'name'], /unknown key `name`/]]],
    ['priority on a comparison', all({ ...leaf('claim', 'equal', 1), priority: 1 }), [[['all', 0, 'priority'], /`priority` is not supported/]]],
    ['fact params', all({ ...leaf('claim', 'equal', 1), params: { a: 1 } }), [[['all', 0, 'params'], /take no parameters/]]],
    ['missing fact', all({ operator: 'equal', value: 1 }), [[['all', 0], /needs `fact`/]]],
    ['missing operator', all({ fact: 'claim', value: 1 }), [[['all', 0], /needs `operator`/]]],
    ['missing value', all({ fact: 'claim', operator: 'equal' }), [[['all', 0], /needs `value`/]]],
    ['unknown fact', all(leaf('claims', 'equal', 1)), [[['all', 0, 'fact'], /unknown fact `claims`: facts usable here are claim, params, /]]],
    ['fact that is not text', all(leaf(3 as unknown as string, 'equal', 1)), [[['all', 0, 'fact'], /fact must be a fact name/]]],
    ['fact constructor', all(leaf('constructor', 'equal', 1)), [[['all', 0, 'fact'], /`constructor` cannot be a fact: .*Object\.prototype/]]],
    ['fact __proto__', all(leaf('__proto__', 'equal', 1)), [[['all', 0, 'fact'], /`__proto__` cannot be a fact/]]],
    ['fact toString', all(leaf('toString', 'equal', 1)), [[['all', 0, 'fact'], /`toString` cannot be a fact/]]],
    ['fact hasOwnProperty', all(leaf('hasOwnProperty', 'equal', 1)), [[['all', 0, 'fact'], /cannot be a fact/]]],
    ['line in a claim rule', all(leaf('line', 'equal', 1)), [[['all', 0, 'fact'], /only rules with `scope: line` have one/]]],
    [
      'a line fact in a claim rule',
      all(leaf('lineDanglingDiagnosisPointers', 'equal', 1)),
      [[['all', 0, 'fact'], /describes the current service line: only rules with `scope: line` may use it/]],
    ],
    ['a bad path', all(leaf('claim', 'equal', 1, '$.lines[*].code')), [[['all', 0, 'path'], /is not supported/]]],
    ['a prototype name in a path', all(leaf('claim', 'equal', 1, '$.a.constructor')), [[['all', 0, 'path'], /`constructor`/]]],
    ['a path that is not text', all({ ...leaf('claim', 'equal', 1), path: 3 }), [[['all', 0, 'path'], /path must be text/]]],
    ['an empty path', all(leaf('claim', 'equal', 1, '')), [[['all', 0, 'path'], /not supported/]]],
    ['an unknown operator', all(leaf('claim', 'equals', 1)), [[['all', 0, 'operator'], /unknown operator `equals`/]]],
    ['an unknown decorator', all(leaf('claim', 'never:equal', 1)), [[['all', 0, 'operator'], /unknown operator decorator `never`/]]],
    ['an operator that is not text', all(leaf('claim', 1 as unknown as string, 1)), [[['all', 0, 'operator'], /operator must be text/]]],
    ['a fact reference with params', all(leaf('claim', 'equal', { fact: 'claim', params: {} })), [[['all', 0, 'value', 'params'], /take no parameters/]]],
    [
      'a fact reference with an unknown key',
      all(leaf('claim', 'equal', { fact: 'claim', value: 1 })),
      [[['all', 0, 'value', 'value'], /unknown key `value` in a fact reference/]],
    ],
    ['a fact reference to an unknown fact', all(leaf('claim', 'equal', { fact: 'nope' })), [[['all', 0, 'value', 'fact'], /unknown fact `nope`/]]],
    ['a fact reference to line in a claim rule', all(leaf('claim', 'equal', { fact: 'line' })), [[['all', 0, 'value', 'fact'], /scope: line/]]],
    ['a fact reference with a bad path', all(leaf('claim', 'equal', { fact: 'claim', path: '$..x' })), [[['all', 0, 'value', 'path'], /not supported/]]],
    ['a fact reference to a prototype name', all(leaf('claim', 'equal', { fact: 'valueOf' })), [[['all', 0, 'value', 'fact'], /cannot be a fact/]]],
    ['a value that is a function', all(leaf('claim', 'equal', () => 1)), [[['all', 0, 'value'], /plain data/]]],
    ['a value that is a date', all(leaf('claim', 'equal', new Date(0))), [[['all', 0, 'value'], /plain data/]]],
    ['a value that is undefined', all(leaf('claim', 'equal', undefined)), [[['all', 0, 'value'], /plain data/]]],
    ['a value holding undefined', all(leaf('claim', 'in', [undefined])), [[['all', 0, 'value'], /plain data/]]],
    ['in with text', all(leaf('claim', 'in', 'abc')), [[['all', 0, 'value'], /`in` needs a list as the value .* but it is the text "abc"/]]],
    ['notIn with null', all(leaf('claim', 'notIn', null)), [[['all', 0, 'value'], /`notIn` needs a list/]]],
    [
      'in with a value read from the claim',
      all(leaf('claim', 'in', { fact: 'claim', path: '$.codes' })),
      [[['all', 0, 'value'], /calls \.indexOf\(\) on the value .* comes from the claim/]],
    ],
    ['someValue with a non-list', all(leaf('claim', 'someValue:equal', 5)), [[['all', 0, 'value'], /`someValue:equal` needs a list/]]],
    ['everyValue with a non-list', all(leaf('claim', 'everyValue:equal', {})), [[['all', 0, 'value'], /`everyValue:equal` needs a list/]]],
    [
      'someValue over claim data',
      all(leaf('claim', 'someValue:equal', { fact: 'diagnosisCodes' })),
      [[['all', 0, 'value'], /calls \.some\(\)/]],
    ],
    [
      'in over lists that are not lists of lists',
      all(leaf('claim', 'someValue:in', [['a'], 'b'])),
      [[['all', 0, 'value'], /`in` \(in `someValue:in`\) needs a list as each item of the value/]],
    ],
    ['swap:in', all(leaf('claim', 'swap:in', ['a'])), [[['all', 0, 'operator'], /`in` \(in `swap:in`\) calls \.indexOf\(\) on the fact value/]]],
    ['swap:notIn', all(leaf('claim', 'swap:notIn', 'a')), [[['all', 0, 'operator'], /calls \.indexOf\(\) on the fact value/]]],
    ['swap:someValue', all(leaf('claim', 'swap:someValue:equal', 'a')), [[['all', 0, 'operator'], /calls \.some\(\) on the fact value/]]],
    ['swap:everyValue', all(leaf('claim', 'swap:everyValue:equal', 'a')), [[['all', 0, 'operator'], /calls \.every\(\) on the fact value/]]],
    ['not:swap:in', all(leaf('claim', 'not:swap:in', 'a')), [[['all', 0, 'operator'], /in `not:swap:in`/]]],
    [
      'swap under someValue',
      all(leaf('claim', 'someValue:swap:in', ['a'])),
      [[['all', 0, 'operator'], /`in` \(in `someValue:swap:in`\) calls \.indexOf\(\) on each item of the fact value|calls \.indexOf\(\) on the fact value/]],
    ],
    [
      'a numeric comparison with a mapping that has its own toString',
      all(leaf('claim', 'greaterThan', { toString: 1 })),
      [[['all', 0, 'value'], /own `toString` key/]],
    ],
    [
      'a numeric comparison with such a mapping swapped to the fact side',
      all(leaf('claim', 'swap:lessThan', [{ toString: 'x' }])),
      [[['all', 0, 'value'], /own `toString` key/]],
    ],
    ['isMissing with text', all(leaf('claim', 'isMissing', 'yes')), [[['all', 0, 'value'], /`isMissing`: value must be true or false/]]],
    ['matchesPattern with a bad pattern', all(leaf('claim', 'matchesPattern', '(')), [[['all', 0, 'value'], /not a valid regular expression/]]],
    ['inCodeRanges with text', all(leaf('claim', 'inCodeRanges', 'E11')), [[['all', 0, 'value'], /list of codes or ranges/]]],
    [
      'matchesPattern with a pattern from the claim',
      all(leaf('claim', 'matchesPattern', { fact: 'claim', path: '$.note' })),
      [[['all', 0, 'value'], /`matchesPattern` checks its value when rules load/]],
    ],
    [
      'a custom operator swapped onto claim data',
      all(leaf('claim', 'swap:isMissing', true)),
      [[['all', 0, 'operator'], /`isMissing` \(in `swap:isMissing`\) checks its value when rules load/]],
    ],
    [
      'someValue:matchesPattern checks every pattern',
      all(leaf('claim', 'someValue:matchesPattern', ['^a', '(', 3])),
      [
        [['all', 0, 'value'], /not a valid regular expression: \(/],
        [['all', 0, 'value'], /regular expression as text/],
      ],
    ],
    [
      'a missing parameter',
      all(leaf('claim', 'equal', { fact: 'params', path: '$.limit' })),
      [[['all', 0, 'value'], /no parameter at `\$\.limit` \(params has codes\)/]],
      { params: { codes: ['a'] } },
    ],
    [
      'a parameter that is not a list for in',
      all(leaf('claim', 'in', { fact: 'params', path: '$.codes' })),
      [[['all', 0, 'value'], /`in` needs a list as the value \(`params` `\$\.codes`\) \(it calls \.indexOf\(\) on it\), but it is the text "a"/]],
      { params: { codes: 'a' } },
    ],
    [
      'a parameter refused by checkValue',
      all(leaf('claim', 'inCodeRanges', { fact: 'params', path: '$.ranges' })),
      [[['all', 0, 'value'], /list of codes or ranges/]],
      { params: { ranges: ['E11-E13', 'not a range!'] } },
    ],
    [
      'a missing parameter as the fact',
      all(leaf('params', 'equal', 1, '$.nope')),
      [[['all', 0, 'path'], /no parameter at `\$\.nope`/]],
      { params: {} },
    ],
    [
      'a parameter fact swapped into in',
      all(leaf('params', 'swap:in', 'x', '$.code')),
      [[['all', 0, 'operator'], /needs a list as the fact value/]],
      { params: { code: 'x' } },
    ],
    [
      'problems deep in the tree',
      any(leaf('claim', 'equal', 1), not(all(leaf('claim', 'in', 1), any(leaf('nope', 'nope', 1))))),
      [
        [['any', 1, 'not', 'all', 0, 'value'], /`in` needs a list/],
        [['any', 1, 'not', 'all', 1, 'any', 0, 'fact'], /unknown fact `nope`/],
        [['any', 1, 'not', 'all', 1, 'any', 0, 'operator'], /unknown operator `nope`/],
      ],
    ],
    [
      'every problem of one comparison',
      all({ fact: 'line', path: '$.x[*]', operator: 'swap:in', value: { fact: 'nope', extra: 1 }, priority: 1 }),
      [
        [['all', 0, 'priority'], /priority/],
        [['all', 0, 'fact'], /scope: line/],
        [['all', 0, 'path'], /not supported/],
        [['all', 0, 'value', 'extra'], /unknown key `extra`/],
        [['all', 0, 'value', 'fact'], /unknown fact `nope`/],
        [['all', 0, 'operator'], /calls \.indexOf\(\) on the fact value/],
      ],
    ],
  ];

  it.each(cases)('%s', (_name, when, expected, options) => {
    const problems = checkCondition(when, { scope: options?.scope ?? 'claim', params: options?.params });
    expect(problems.map((p) => p.path)).toEqual(expected.map(([path]) => path));
    problems.forEach((problem: ConditionProblem, i) => expect(problem.message).toMatch(expected[i]![1]));
  });

  it.each([
    ['line facts in a line rule', all(leaf('line', 'equal', 1, '$.units'), leaf('lineDanglingDiagnosisPointers', 'isMissing', true)), 'line'],
    ['every fact kind as a reference', all(leaf('claim', 'equal', { fact: 'line', path: '$.a' }), leaf('claim', 'equal', { fact: 'params' })), 'line'],
    ['params references without params', all(leaf('claim', 'in', { fact: 'params', path: '$.codes' }), leaf('claim', 'matchesPattern', { fact: 'params', path: '$.p' })), 'claim'],
    ['params references with good params', all(leaf('claim', 'in', { fact: 'params', path: '$.codes' }), leaf('params', 'swap:in', { fact: 'params', path: '$.codes' }, '$.codes')), 'claim'],
    ['a date comparison between two claim fields', all(leaf('claim', 'dateAfter', { fact: 'claim', path: '$.b' }, '$.a')), 'claim'],
    ['contains with claim data on both sides', all(leaf('claim', 'contains', { fact: 'claim', path: '$.b' }, '$.a')), 'claim'],
    ['numeric comparison of two claim fields', all(leaf('claim', 'lessThan', { fact: 'claim', path: '$.b' }, '$.a')), 'claim'],
    ['someFact over anything', all(leaf('claim', 'someFact:someFact:in', [1, 2])), 'claim'],
    ['swap:contains with a constant', all(leaf('claim', 'swap:contains', 5)), 'claim'],
    ['a never-reached in under someFact over a constant', all(leaf('claim', 'swap:someFact:in', 5)), 'claim'],
    ['odd but harmless values', all(leaf('claim', 'equal', { a: [1, { b: null }] }), leaf('claim', 'greaterThan', [1]), leaf('claim', 'equal', Number.NaN)), 'claim'],
    ['nested empty groups', all(any(), not(all()), { not: { any: [all()] } }), 'claim'],
  ] as const)('accepts %s', (_name, when, scope) => {
    expect(checkCondition(when, { scope, params: _name.includes('good params') ? { codes: ['a'] } : undefined })).toEqual([]);
  });

  it('is at least as strict with params as without (compileCondition checks without them)', () => {
    // with these params the inner `everyValue` is never reached (someFact over an empty list), but
    // other params could reach it, and compileCondition refuses it: so does the check with params
    const when = all(leaf('params', 'someFact:everyValue:equal', true, '$.codes'));
    expect(checkCondition(when, { scope: 'claim' }).map((p) => p.path)).toEqual([['all', 0, 'value']]);
    expect(checkCondition(when, { scope: 'claim', params: { codes: [] } }).map((p) => p.path)).toEqual([['all', 0, 'value']]);
  });

  it('refuses a condition that contains itself instead of looping', () => {
    const node: { all: unknown[] } = { all: [] };
    node.all.push(node);
    expect(checkCondition(node, { scope: 'claim' })).toEqual([{ path: ['all', 0], message: expect.stringMatching(/cycle/) }]);
    const list: unknown[] = [];
    list.push(list);
    expect(checkCondition(all(leaf('claim', 'in', list)), { scope: 'claim' })[0]?.message).toMatch(/cycle/);
  });

  it('a root with own __proto__ key is only an unknown key', () => {
    const when = JSON.parse('{"all": [], "__proto__": {"x": 1}}') as unknown;
    expect(checkCondition(when, { scope: 'claim' }).map((p) => p.path)).toEqual([['__proto__']]);
  });
});
