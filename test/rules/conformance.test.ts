/**
 * Conformance: for random condition trees (restricted to what checkCondition accepts) over random,
 * then damaged, claims, the compiled condition returns exactly json-rules-engine's raw rule result.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computedFacts, customOperators } from '../../engine/checks/registry.js';
import {
  BUILTIN_OPERATORS,
  checkCondition,
  compileCondition,
  createEvaluationContext,
  DECORATORS,
  enterLine,
} from '../../engine/rules/compile/index.js';
import { evaluateWithJsonRulesEngine } from '../../engine/rules/reference.js';
import type { ConditionNode, RuleScope } from '../../engine/rules/types.js';

function same(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

// ---------------------------------------------------------------------------------------------
// Claims shaped like engine/model/claim.schema.json, then damaged

const diagnosisCode = fc.constantFrom('E11.9', 'I10', 'O09.511', 'Z00.00', 'J45.909', 'e11.9', 'E11', '');
const procedureCode = fc.constantFrom('99213', '99214', '36415', '97110', 'G0439', 'J1100', '9921', '');
const modifier = fc.constantFrom('25', '59', 'XE', 'GP', '26', 'TC', '');
const date = fc.constantFrom('2026-02-01', '2026-02-03', '2025-12-31', '2026-02-30', '1950-03-04', '2010-06-15', '', 'soon');
const money = fc.oneof(fc.integer({ min: -10, max: 500 }), fc.constantFrom(0, 0.5, 99.99, 1e8));
const npi = fc.constantFrom('1234567893', '1234567890', '123456789', '');

const serviceLine = fc.record(
  {
    procedureCode,
    modifiers: fc.array(modifier, { maxLength: 4 }),
    charge: money,
    units: fc.integer({ min: -1, max: 12 }),
    serviceDate: date,
    diagnosisPointers: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 4 }),
    minutes: fc.integer({ min: 0, max: 120 }),
    placeOfService: fc.constantFrom('11', '22', '02'),
    ndc: fc.record({ code: fc.constantFrom('00002143380', '123'), quantity: fc.constantFrom(1, 2.5, 0) }, { requiredKeys: ['code'] }),
  },
  { requiredKeys: ['procedureCode', 'charge', 'units', 'serviceDate'] },
);

const baseClaim = fc.record(
  {
    id: fc.constantFrom('C1', 'CLM-0001', ''),
    totalCharge: money,
    frequencyCode: fc.constantFrom('1', '7', '8'),
    originalClaimNumber: fc.constantFrom('ORIG1', ''),
    priorAuthorization: fc.constantFrom('PA123'),
    payer: fc.record({
      id: fc.constantFrom('MCR', 'AETNA', 'BCBS', '53'),
      responsibility: fc.constantFrom('primary', 'secondary'),
      claimFilingIndicator: fc.constantFrom('MB', 'MC', 'CI', 'BL', '16'),
    }),
    subscriber: fc.record({ memberId: fc.constantFrom('1EG4TE5MK73', 'X'), lastName: fc.constantFrom('Doe') }),
    patient: fc.record({
      relationship: fc.constantFrom('self', 'child'),
      lastName: fc.constantFrom('Doe'),
      dateOfBirth: date,
      sex: fc.constantFrom('F', 'M', 'U'),
    }),
    billingProvider: fc.record({ npi, name: fc.constantFrom('Clinic') }),
    diagnoses: fc.array(fc.record({ code: diagnosisCode }), { maxLength: 4 }),
    serviceLines: fc.array(serviceLine, { minLength: 1, maxLength: 3 }),
    otherPayers: fc.array(fc.record({ payerId: fc.constantFrom('P2'), responsibility: fc.constantFrom('primary') }), { maxLength: 1 }),
  },
  { requiredKeys: ['id', 'totalCharge', 'payer', 'patient', 'billingProvider', 'diagnoses', 'serviceLines'] },
);

type Mutation = 'null' | 'delete' | 'retype' | 'empty' | 'poison' | 'json';

/** Every location in the value: [container, key] pairs. */
function locations(value: unknown, out: [Record<string | number, unknown>, string | number][] = []) {
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      const index = Array.isArray(value) ? Number(key) : key;
      out.push([value as Record<string | number, unknown>, index]);
      locations((value as Record<string, unknown>)[key], out);
    }
  }
  return out;
}

/** The wrong-type twin of a value: number ↔ text, object ↔ list, and so on. */
function retype(value: unknown): unknown {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value.length;
  if (typeof value === 'boolean') return value ? 'true' : 0;
  if (Array.isArray(value)) return { ...value };
  if (value !== null && typeof value === 'object') return Object.values(value);
  return 'null';
}

function mutate(claim: unknown, mutations: [number, Mutation, unknown][]): unknown {
  const copy = structuredClone(claim);
  for (const [pick, kind, json] of mutations) {
    const all = locations(copy);
    if (all.length === 0) break;
    const [container, key] = all[pick % all.length]!;
    switch (kind) {
      case 'null':
        container[key] = null;
        break;
      case 'delete':
        if (Array.isArray(container)) container.splice(key as number, 1);
        else delete container[key];
        break;
      case 'retype':
        container[key] = retype(container[key]);
        break;
      case 'empty':
        container[key] = Array.isArray(container[key]) ? [] : typeof container[key] === 'string' ? '' : {};
        break;
      case 'poison': // a mapping JavaScript cannot turn into a number or text
        container[key] = { toString: 'x' };
        break;
      case 'json':
        container[key] = json;
        break;
    }
  }
  return copy;
}

const claimArbitrary = fc.oneof(
  { weight: 30, arbitrary: baseClaim },
  {
    weight: 60,
    arbitrary: fc
      .tuple(
        baseClaim,
        fc.array(
          fc.tuple(
            fc.nat(),
            fc.constantFrom<Mutation>('null', 'delete', 'retype', 'retype', 'empty', 'json', 'poison'),
            fc.jsonValue({ maxDepth: 2 }),
          ),
          { minLength: 1, maxLength: 5 },
        ),
      )
      .map(([claim, mutations]) => mutate(claim, mutations)),
  },
  { weight: 2, arbitrary: fc.constantFrom(null, 'claim', 53, [], {}, [{ serviceLines: [] }]) },
);

// ---------------------------------------------------------------------------------------------
// Parameters and condition trees

const scalar = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom<unknown>(
      0,
      1,
      5,
      -1,
      2.5,
      100,
      53,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      -0,
      '5',
      '53',
      '12abc',
      '  7',
      '1e3',
      '0x10',
      '',
      'abc',
      'E11.9',
      'I10',
      '99213',
      '36415',
      '25',
      'MB',
      'MCR',
      'F',
      '2026-02-01',
      '2026-02-03',
      '1234567893',
      true,
      false,
      null,
      '^9',
      'E08-E13',
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: -3, max: 200 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
);

const longList = fc.array(scalar, { minLength: 8, maxLength: 12 });
const constant: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 3, arbitrary: fc.array(scalar, { maxLength: 4 }) },
  { weight: 1, arbitrary: longList },
  { weight: 1, arbitrary: fc.array(fc.array(scalar, { maxLength: 3 }), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('a', 'code', 'x'), scalar, { maxKeys: 2 }) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<unknown>(
      true,
      false,
      '^9',
      '^[A-Z][0-9]',
      '^(25|59)$',
      ['E08-E13', 'I10'],
      ['99211-99215', 'G0439'],
      ['O00-O9A'],
      ['^9', '^3'],
      [true, false],
      ['2026-02-01', '2025-12-31'],
      '2026-02-02',
      '1950-03-04',
      // The only values some custom operators accept, so that every operator is generated often.
      'place-of-service',
      'modifiers',
      { days: 30 },
      { months: 6 },
      [{ name: 'example', procedureCodes: ['99213', '36415'], coveredDiagnoses: ['E11.*', 'I10-I15'] }],
    ),
  },
);

const params = fc.record(
  {
    codes: fc.oneof(fc.array(scalar, { maxLength: 5 }), longList, scalar),
    limit: scalar,
    pattern: fc.constantFrom('^9', '^E', '(', 5),
    flag: fc.boolean(),
    ranges: fc.constantFrom(['E08-E13'], ['99211-99215', 'O00-O9A'], 'E11', ['bad range!']),
    nested: fc.record({ a: fc.array(scalar, { maxLength: 3 }), b: scalar }),
  },
  { requiredKeys: [] },
);

const CLAIM_PATHS = [
  '$.id',
  '$.totalCharge',
  '$.payer',
  '$.payer.id',
  '$.payer.claimFilingIndicator',
  '$.patient.dateOfBirth',
  '$.patient.sex',
  '$.diagnoses',
  '$.diagnoses[0].code',
  '$.diagnoses[1]',
  '$.diagnoses.length',
  '$.serviceLines',
  '$.serviceLines.length',
  '$.serviceLines[0].units',
  '$.serviceLines[0].charge',
  '$.serviceLines[0].modifiers',
  '$.serviceLines[1].modifiers[0]',
  '$.serviceLines[0].procedureCode[0]',
  '$.billingProvider.npi',
  '$.frequencyCode',
  '$.originalClaimNumber',
  '$.id.length',
  '$.otherPayers[0].payerId',
];
const LINE_PATHS = [
  '$.procedureCode',
  '$.modifiers',
  '$.modifiers[0]',
  '$.modifiers.length',
  '$.units',
  '$.charge',
  '$.minutes',
  '$.serviceDate',
  '$.diagnosisPointers',
  '$.diagnosisPointers[0]',
  '$.ndc.code',
  '$.ndc.quantity',
  '$.placeOfService',
];
const PARAM_PATHS = ['$.codes', '$.limit', '$.pattern', '$.flag', '$.ranges', '$.nested.a', '$.nested.b', '$.nested'];
const COMPUTED_PATHS = ['$.length', '$[0]', '$.x'];

interface FactRef {
  fact: string;
  path?: string;
}

function withPath(fact: string, paths: readonly string[], noPathWeight: number): fc.Arbitrary<FactRef> {
  return fc.oneof(
    { weight: noPathWeight, arbitrary: fc.constant({ fact }) },
    { weight: 4, arbitrary: fc.constantFrom(...paths).map((path) => ({ fact, path })) },
  );
}

function factReference(scope: RuleScope): fc.Arbitrary<FactRef> {
  const computed = [...computedFacts.values()].filter((f) => f.scope === 'claim' || scope === 'line').map((f) => f.name);
  const choices: fc.WeightedArbitrary<FactRef>[] = [
    { weight: 4, arbitrary: withPath('claim', CLAIM_PATHS, 1) },
    { weight: 3, arbitrary: withPath('params', PARAM_PATHS, 1) },
    { weight: 3, arbitrary: fc.constantFrom(...computed).chain((fact) => withPath(fact, COMPUTED_PATHS, 6)) },
  ];
  if (scope === 'line') choices.push({ weight: 6, arbitrary: withPath('line', LINE_PATHS, 1) });
  return fc.oneof(...choices);
}

const BASES = [...BUILTIN_OPERATORS, ...customOperators.keys()];
const operatorName = fc
  .tuple(
    fc.oneof(
      { weight: 6, arbitrary: fc.constant<string[]>([]) },
      { weight: 3, arbitrary: fc.array(fc.constantFrom(...DECORATORS), { minLength: 1, maxLength: 1 }) },
      { weight: 1, arbitrary: fc.array(fc.constantFrom(...DECORATORS), { minLength: 2, maxLength: 3 }) },
    ),
    fc.constantFrom(...BASES),
  )
  .map(([decorators, base]) => [...decorators, base].join(':'));

function leafArbitrary(scope: RuleScope, ruleParams: Record<string, unknown>): fc.Arbitrary<ConditionNode> {
  const value = fc.oneof({ weight: 3, arbitrary: constant }, { weight: 1, arbitrary: factReference(scope) });
  return fc
    .record({ ref: factReference(scope), operator: operatorName, value })
    .map(({ ref, operator, value }) => ({ ...ref, operator, value }) as ConditionNode)
    .filter((leaf) => checkCondition({ all: [leaf] }, { scope, params: ruleParams }).length === 0);
}

function treeArbitrary(scope: RuleScope, ruleParams: Record<string, unknown>): fc.Arbitrary<ConditionNode> {
  const leaf = leafArbitrary(scope, ruleParams);
  const node = (depth: number): fc.Arbitrary<ConditionNode> => {
    if (depth === 0) return leaf;
    const child = node(depth - 1);
    return fc.oneof(
      { weight: 4, arbitrary: leaf },
      { weight: 2, arbitrary: fc.array(child, { maxLength: 3 }).map((all) => ({ all })) },
      { weight: 2, arbitrary: fc.array(child, { maxLength: 3 }).map((any) => ({ any })) },
      { weight: 1, arbitrary: child.map((not) => ({ not })) },
    );
  };
  // the top must be all, any or not (json-rules-engine refuses a bare comparison there): depth ≤ 4
  const child = node(3);
  return fc.oneof(
    { weight: 3, arbitrary: fc.array(child, { maxLength: 4 }).map((all) => ({ all }) as ConditionNode) },
    { weight: 3, arbitrary: fc.array(child, { maxLength: 4 }).map((any) => ({ any }) as ConditionNode) },
    { weight: 1, arbitrary: child.map((not) => ({ not }) as ConditionNode) },
  );
}

const scenario = fc
  .tuple(fc.constantFrom<RuleScope>('claim', 'line'), params)
  .chain(([scope, ruleParams]) =>
    fc.record({
      scope: fc.constant(scope),
      params: fc.constant(ruleParams as Record<string, unknown>),
      when: treeArbitrary(scope, ruleParams),
      claim: claimArbitrary,
    }),
  );

function lineCount(claim: unknown): unknown[] {
  const lines = claim !== null && typeof claim === 'object' ? (claim as { serviceLines?: unknown }).serviceLines : undefined;
  return Array.isArray(lines) && lines.length > 0 ? lines : [undefined];
}

function countLeaves(node: unknown, depth = 1): { leaves: number; depth: number } {
  const record = node as Record<string, unknown>;
  const children = Array.isArray(record.all) ? record.all : Array.isArray(record.any) ? record.any : 'not' in record ? [record.not] : undefined;
  if (!children) return { leaves: 1, depth };
  let leaves = 0;
  let max = depth;
  for (const child of children) {
    const inner = countLeaves(child, depth + 1);
    leaves += inner.leaves;
    max = Math.max(max, inner.depth);
  }
  return { leaves, depth: max };
}

// ---------------------------------------------------------------------------------------------

describe('compiled conditions are json-rules-engine', () => {
  it('property: same raw result and truthiness for random trees, claims and lines', async () => {
    const stats = { evaluations: 0, truthy: 0, falsy: 0, referenceThrew: 0, leaves: 0, trees: 0, deep: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, async ({ scope, params: ruleParams, when, claim }) => {
        expect(checkCondition(when, { scope, params: ruleParams })).toEqual([]);
        const count = countLeaves(when);
        stats.trees++;
        stats.leaves += count.leaves;
        if (count.depth >= 3) stats.deep++;
        const fn = compileCondition(when, { scope });
        const context = createEvaluationContext(claim, ruleParams);
        const lines = scope === 'line' ? lineCount(claim) : [undefined];
        for (let index = 0; index < lines.length; index++) {
          const line = lines[index];
          if (scope === 'line') enterLine(context, line, index);
          const ours = fn(context);
          expect(same(fn(context), ours)).toBe(true); // again, with computed facts memoized
          stats.evaluations++;
          let theirs: unknown;
          try {
            theirs = await evaluateWithJsonRulesEngine(when, {
              claim,
              line,
              lineIndex: scope === 'line' ? index : -1,
              params: ruleParams,
            });
          } catch (error) {
            // only claim data JavaScript cannot convert to a primitive may make json-rules-engine
            // throw; the compiled condition answered without throwing
            expect(String(error)).toMatch(/Cannot convert object to primitive value/);
            stats.referenceThrew++;
            continue;
          }
          if (!same(ours, theirs) || Boolean(ours) !== Boolean(theirs)) {
            expect.fail(
              `compiled ${String(ours)} vs json-rules-engine ${String(theirs)}\n` +
                `when: ${JSON.stringify(when)}\nclaim: ${JSON.stringify(claim)}\nline ${index}, params ${JSON.stringify(ruleParams)}`,
            );
          }
          if (ours) stats.truthy++;
          else stats.falsy++;
        }
      }),
      { numRuns: 2000 },
    );
    // the property is not vacuous: both outcomes occur often
    expect(stats.truthy).toBeGreaterThan(stats.evaluations / 10);
    expect(stats.falsy).toBeGreaterThan(stats.evaluations / 10);
    expect(stats.deep).toBeGreaterThan(stats.trees / 5);
  });

  it('property: single comparisons pass their raw result through a one-child all', async () => {
    const single = fc
      .tuple(fc.constantFrom<RuleScope>('claim', 'line'), params)
      .chain(([scope, ruleParams]) =>
        fc.record({
          scope: fc.constant(scope),
          params: fc.constant(ruleParams as Record<string, unknown>),
          leaf: leafArbitrary(scope, ruleParams),
          claim: claimArbitrary,
        }),
      );
    await fc.assert(
      fc.asyncProperty(single, async ({ scope, params: ruleParams, leaf, claim }) => {
        const when = { all: [leaf] } as ConditionNode;
        const fn = compileCondition(when, { scope });
        const context = createEvaluationContext(claim, ruleParams);
        const lines = scope === 'line' ? lineCount(claim) : [undefined];
        for (let index = 0; index < lines.length; index++) {
          if (scope === 'line') enterLine(context, lines[index], index);
          const ours = fn(context);
          let theirs: unknown;
          try {
            theirs = await evaluateWithJsonRulesEngine(when, {
              claim,
              line: lines[index],
              lineIndex: scope === 'line' ? index : -1,
              params: ruleParams,
            });
          } catch (error) {
            expect(String(error)).toMatch(/Cannot convert object to primitive value/);
            continue;
          }
          if (!same(ours, theirs)) {
            expect.fail(`compiled ${String(ours)} vs json-rules-engine ${String(theirs)}: ${JSON.stringify(leaf)} on ${JSON.stringify(claim)} line ${index}`);
          }
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('the generators cover every operator and decorator and refusal does not starve them', () => {
    const seen = new Set<string>();
    const leafs = fc.sample(
      fc.constantFrom<RuleScope>('claim', 'line').chain((scope) => leafArbitrary(scope, { codes: ['a'], ranges: ['E08-E13'], pattern: '^9' })),
      3000,
    );
    for (const leaf of leafs) {
      for (const part of (leaf as { operator: string }).operator.split(':')) seen.add(part);
    }
    for (const name of [...BASES, ...DECORATORS]) expect(seen, name).toContain(name);
  });
});

describe('known quirks, compiled and json-rules-engine side by side', () => {
  const cases: [string, unknown, { claim?: unknown; params?: Record<string, unknown> }, unknown][] = [
    ['a one-child all passes its child’s raw result', { all: [{ fact: 'claim', operator: 'equal', value: 1 }] }, { claim: 1 }, true],
    ['an empty any is true', { any: [] }, {}, true],
    ['an empty all is true', { all: [] }, {}, true],
    ['not of an empty any is false', { not: { any: [] } }, {}, false],
    ['a path on a text fact returns the text', { all: [{ fact: 'claim', path: '$.length', operator: 'equal', value: 'abc' }] }, { claim: 'abc' }, true],
    ['a path on a number fact returns the number', { all: [{ fact: 'claim', path: '$.a', operator: 'equal', value: 5 }] }, { claim: 5 }, true],
    ['"12abc" > 5 is false', { all: [{ fact: 'claim', operator: 'greaterThan', value: 5 }] }, { claim: '12abc' }, false],
    ['"12abc" passes the number check but "12abc" >= 0 is false', { all: [{ fact: 'claim', operator: 'greaterThanInclusive', value: 0 }] }, { claim: '12abc' }, false],
    ['"  7" > 5', { all: [{ fact: 'claim', operator: 'greaterThan', value: 5 }] }, { claim: '  7' }, true],
    ['"1e3" > 5', { all: [{ fact: 'claim', operator: 'greaterThan', value: 5 }] }, { claim: '1e3' }, true],
    ['"53" < 6 with a text value compares text', { all: [{ fact: 'claim', operator: 'lessThan', value: '6' }] }, { claim: '53' }, true],
    ['[7] > 5', { all: [{ fact: 'claim', operator: 'greaterThan', value: 5 }] }, { claim: [7] }, true],
    ['null < 5 is false', { all: [{ fact: 'claim', operator: 'lessThan', value: 5 }] }, { claim: null }, false],
    ['a missing field is not null', { all: [{ fact: 'claim', path: '$.x', operator: 'equal', value: null }] }, { claim: {} }, false],
    ['a falsy step stops the path', { all: [{ fact: 'claim', path: '$.x.length', operator: 'equal', value: 0 }] }, { claim: { x: '' } }, false],
    ['a nested one-child all is true/false', { any: [{ all: [{ fact: 'claim', operator: 'equal', value: 1 }] }, { all: [] }] }, { claim: 2 }, true],
    ['in looks up with ===', { all: [{ fact: 'claim', operator: 'in', value: ['53'] }] }, { claim: 53 }, false],
    ['someFact needs a list fact', { all: [{ fact: 'claim', operator: 'someFact:equal', value: 'a' }] }, { claim: 'a' }, false],
    ['everyFact over an empty list is true', { all: [{ fact: 'claim', operator: 'everyFact:equal', value: 'a' }] }, { claim: [] }, true],
    ['not:contains on text is true (contains is false)', { all: [{ fact: 'claim', operator: 'not:contains', value: 'a' }] }, { claim: 'a' }, true],
  ];

  it.each(cases)('%s', async (_name, when, input, expected) => {
    const fn = compileCondition(when as ConditionNode, { scope: 'claim' });
    const ours = fn(createEvaluationContext(input.claim, input.params ?? {}));
    const theirs = await evaluateWithJsonRulesEngine(when as ConditionNode, {
      claim: input.claim,
      line: undefined,
      lineIndex: -1,
      params: input.params ?? {},
    });
    expect(ours).toBe(expected);
    expect(same(ours, theirs)).toBe(true);
  });
});
