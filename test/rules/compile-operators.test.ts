/**
 * Operator-level conformance: resolveOperator(name)(fact, value) against json-rules-engine's own
 * OperatorMap.get(name).evaluate(fact, value), for every built-in and custom operator, bare and
 * under one or two decorators, over a grid of awkward values.
 */
import { Engine, Operator, OperatorDecorator } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import { customOperators } from '../../engine/checks/registry.js';
import { BUILTIN_OPERATORS, DECORATORS, numberValidator, parseOperator, resolveOperator } from '../../engine/rules/compile/operators.js';

interface JreOperator {
  evaluate(fact: unknown, value: unknown): unknown;
}
interface JreOperatorMap {
  operators: Map<string, { name: string; cb: (a: unknown, b: unknown) => unknown; factValueValidator: (a: unknown) => unknown }>;
  decorators: Map<
    string,
    { name: string; cb: (a: unknown, b: unknown, next: unknown) => unknown; factValueValidator: (a: unknown) => unknown }
  >;
  get(name: string): JreOperator | null;
}

function jreOperators(): JreOperatorMap {
  const engine = new Engine();
  for (const op of customOperators.values()) engine.addOperator(new Operator(op.name, op.evaluate, op.factValueValidator));
  return (engine as unknown as { operators: JreOperatorMap }).operators;
}

function total<A extends unknown[]>(fn: (...args: A) => unknown): (...args: A) => unknown {
  return (...args: A) => {
    try {
      return fn(...args);
    } catch {
      return false;
    }
  };
}

/**
 * json-rules-engine with every operator and decorator made total: where a validator or callback
 * throws, that level answers false (what the compiled operators promise instead of throwing).
 */
function totalJreOperators(): JreOperatorMap {
  const engine = new Engine();
  const map = (engine as unknown as { operators: JreOperatorMap }).operators;
  for (const op of customOperators.values()) engine.addOperator(new Operator(op.name, op.evaluate, op.factValueValidator));
  for (const op of [...map.operators.values()]) {
    engine.addOperator(new Operator(op.name, total(op.cb) as (a: unknown, b: unknown) => boolean, total(op.factValueValidator) as (a: unknown) => boolean));
  }
  for (const decorator of [...map.decorators.values()]) {
    engine.addOperatorDecorator(
      new OperatorDecorator(decorator.name, total(decorator.cb) as () => boolean, total(decorator.factValueValidator) as () => boolean),
    );
  }
  return map;
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(typeof value);
  }
}

const GRID: unknown[] = [
  0,
  1,
  5,
  -1,
  2.5,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '5',
  '12abc',
  '  7',
  '1e3',
  '0x10',
  '.5',
  '-3',
  'abc',
  '',
  ' ',
  'Infinity',
  '2026-02-01',
  '1234567893',
  'E11.9',
  null,
  undefined,
  true,
  false,
  [],
  [5],
  [1, 2],
  ['a', 'abc'],
  [[5]],
  ['E11-E13', 'O00-O9A'],
  {},
  { a: 1 },
  { toString: 'x' },
  [{ toString: 'x' }],
];

function same(a: unknown, b: unknown): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

const bases = [...BUILTIN_OPERATORS, ...customOperators.keys()];

/** A smaller grid for the many two-decorator chains. */
const SMALL_GRID: unknown[] = [0, 5, Number.NaN, '5', '12abc', 'abc', '', null, undefined, true, [], [5], ['a', 'abc'], [[5]], {}, { toString: 'x' }];

function check(names: readonly string[], grid: readonly unknown[] = GRID): { compared: number; throwing: number } {
  const jre = jreOperators();
  const totalJre = totalJreOperators();
  let compared = 0;
  let throwing = 0;
  for (const name of names) {
    const ours = resolveOperator(name);
    const theirs = jre.get(name);
    const theirsTotal = totalJre.get(name);
    expect(ours, name).toBeTypeOf('function');
    expect(theirs, name).not.toBeNull();
    for (const fact of grid) {
      for (const value of grid) {
        const got = ours!(fact, value); // never throws
        const where = `${name}(${show(fact)}, ${show(value)})`;
        const expectedTotal = theirsTotal!.evaluate(fact, value);
        if (!same(got, expectedTotal)) expect.fail(`${where}: ours ${show(got)}, total json-rules-engine ${show(expectedTotal)}`);
        let expected: unknown;
        try {
          expected = theirs!.evaluate(fact, value);
        } catch {
          throwing++;
          continue;
        }
        compared++;
        if (!same(got, expected)) expect.fail(`${where}: ours ${show(got)}, json-rules-engine ${show(expected)}`);
      }
    }
  }
  return { compared, throwing };
}

describe('operators agree with json-rules-engine', () => {
  it('bare built-in and custom operators', () => {
    const { compared } = check(bases);
    expect(compared).toBeGreaterThan(bases.length * GRID.length * GRID.length * 0.9);
  });

  it('every operator under one decorator', () => {
    check(DECORATORS.flatMap((d) => bases.map((b) => `${d}:${b}`)));
  });

  it('every operator under two decorators (leftmost outermost)', () => {
    check(DECORATORS.flatMap((d1) => DECORATORS.flatMap((d2) => bases.map((b) => `${d1}:${d2}:${b}`))), SMALL_GRID);
  });

  it('a sample of three-decorator chains', () => {
    check(['not:swap:someFact:equal', 'someValue:swap:everyFact:in', 'swap:not:someValue:contains', 'everyFact:someFact:not:in']);
  });
});

describe('operator names', () => {
  it('splits decorators the way OperatorMap.get does', () => {
    const parsed = parseOperator('not:someFact:in');
    expect(parsed.ok && parsed.operator).toMatchObject({ decorators: ['not', 'someFact'], base: 'in' });
  });

  it.each(['', 'nope', ':equal', 'not:', 'equal:not', 'bogus:equal', 'not:bogus', 'not::equal', 'Equal', 'constructor', 'toString'])(
    'unknown: %j',
    (name) => {
      expect(parseOperator(name).ok).toBe(false);
      expect(resolveOperator(name)).toBeUndefined();
      expect(jreOperators().get(name)).toBeNull();
    },
  );

  it('non-text names are refused', () => {
    expect(parseOperator(3).ok).toBe(false);
  });
});

describe('decorator composition, spelled out', () => {
  const op = (name: string) => resolveOperator(name)!;
  it.each([
    ['not:someFact:equal', [1, 2], 1, false],
    ['someFact:not:equal', [1, 2], 1, true],
    ['someFact:equal', 'x', 'x', false], // someFact's validator: the fact must be a list
    ['everyFact:in', ['a'], ['a', 'b'], true],
    ['everyFact:in', [], ['a'], true],
    ['everyFact:in', 'a', ['a'], false],
    ['someValue:equal', 'b', ['a', 'b'], true],
    ['everyValue:greaterThan', 5, [1, 2], true],
    ['everyValue:greaterThan', 5, [], true],
    ['someValue:greaterThan', 5, [], false],
    ['swap:contains', 'a', ['a', 'b'], true],
    ['swap:in', ['a', 'b'], 'a', true],
    ['swap:lessThan', 10, 5, true], // 5 < 10
    ['not:swap:lessThan', 10, 5, false],
    ['swap:greaterThan', 5, '12abc', false], // validator passes on '12abc', then '12abc' > 5 is false (NaN)
    ['not:not:equal', 1, 1, true],
  ] as const)('%s(%j, %j) = %j', (name, fact, value, expected) => {
    expect(op(name)(fact, value)).toBe(expected);
  });
});

describe('numberValidator is json-rules-engine’s', () => {
  it('matches Number.parseFloat(x).toString() !== "NaN" over the grid', () => {
    for (const value of GRID) {
      let expected: boolean;
      try {
        expected = Number.parseFloat(value as string).toString() !== 'NaN';
      } catch {
        expected = false;
      }
      expect(numberValidator(value), show(value)).toBe(expected);
    }
  });
});
