import fc from 'fast-check';
import { Almanac } from 'json-rules-engine';
import { JSONPath } from 'jsonpath-plus';
import { describe, expect, it } from 'vitest';
import { parsePath, resolvePath } from '../../engine/rules/compile/path.js';
import type { PathSegment } from '../../engine/rules/compile/path.js';

/** What json-rules-engine's almanac does with a path (almanac.js + its defaultPathResolver). */
function jsonRulesEnginePath(value: unknown, path: string): unknown {
  if (value != null && typeof value === 'object') return JSONPath({ path, json: value as object, wrap: false });
  return value;
}

async function almanacPath(value: unknown, path: string): Promise<unknown> {
  const almanac = new Almanac();
  almanac.addFact('x', value);
  return almanac.factValue('x', {}, path);
}

function segments(path: string): PathSegment[] {
  const parsed = parsePath(path);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.segments;
}

describe('parsePath: accepted grammar', () => {
  it.each([
    ['$.a', ['a']],
    ['$.serviceLines[0].procedureCode', ['serviceLines', 0, 'procedureCode']],
    ['$[0]', [0]],
    ['$[0][12]', [0, 12]],
    ['$.a_b1._c', ['a_b1', '_c']],
    ['$.length', ['length']],
    ['$.A.Z9[10]', ['A', 'Z9', 10]],
    ['$._', ['_']],
  ])('%s', (path, expected) => {
    expect(parsePath(path)).toEqual({ ok: true, segments: expected });
  });
});

describe('parsePath: refused', () => {
  it.each([
    '$.lines[*].code',
    '$..code',
    '$.a[?(@.x == 1)]',
    '$.a[(@.length-1)]',
    "$['a']",
    '$["a"]',
    '$.a[01]',
    '$.a[-1]',
    '$.a[0:2]',
    '$.a[0,1]',
    '$.a[]',
    '$.a.*',
    '$.*',
    '$. a',
    '$.a ',
    ' $.a',
    '$ .a',
    '$.1a',
    '$.a.',
    '$.a-b',
    '$.a^',
    '$.a~',
    '$.é',
    '@.a',
    'a.b',
    '.a',
    '$a',
    '$.a[0]x',
    '$.a[ 0]',
    '$.`a',
  ])('%j is not supported and the message shows the accepted form', (path) => {
    const parsed = parsePath(path);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.message).toContain('is not supported: use property names and numeric indexes only');
      expect(parsed.message).toContain('`$.serviceLines[0].procedureCode`');
    }
  });

  it.each(['$', ''])('%j selects nothing', (path) => {
    const parsed = parsePath(path);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toMatch(/selects nothing|not supported/);
  });

  it('refuses indexes that are not safe integers', () => {
    const parsed = parsePath('$.a[99999999999999999999]');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toContain('too large');
  });

  it('refuses non-text paths', () => {
    expect(parsePath(3 as unknown as string).ok).toBe(false);
  });

  it.each([
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'toLocaleString',
    'valueOf',
    'hasOwnProperty',
    'isPrototypeOf',
    'propertyIsEnumerable',
    '__defineGetter__',
    '__lookupSetter__',
  ])('refuses the prototype name %s, saying why', (name) => {
    for (const path of [`$.${name}`, `$.a.${name}`, `$.a[0].${name}.b`]) {
      const parsed = parsePath(path);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) {
        expect(parsed.message).toContain(`\`${name}\``);
        expect(parsed.message).toMatch(/Object\.prototype|prototype of constructors/);
      }
    }
  });

  it('refuses every name on Object.prototype', () => {
    for (const name of Object.getOwnPropertyNames(Object.prototype)) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) continue;
      expect(parsePath(`$.${name}`).ok, name).toBe(false);
    }
  });
});

describe('resolvePath agrees with json-rules-engine (almanac + jsonpath-plus, wrap: false)', () => {
  const cases: [string, unknown, string][] = [
    ['plain field', { a: { b: 1 } }, '$.a.b'],
    ['null leaf value is returned as null', { a: { b: null } }, '$.a.b'],
    ['null intermediate stops the walk', { a: null }, '$.a.b'],
    ['missing key', { a: {} }, '$.a.b'],
    ['string intermediate: index gives a character', { s: 'abc' }, '$.s[1]'],
    ['string intermediate: index out of range', { s: 'abc' }, '$.s[5]'],
    ['string length', { s: 'abc' }, '$.s.length'],
    ['array length', { a: [1, 2, 3] }, '$.a.length'],
    ['array index', { a: [1, 2, 3] }, '$.a[2]'],
    ['array index out of range', { a: [1, 2, 3] }, '$.a[3]'],
    ['array methods are not own properties', { a: [1, 2] }, '$.a.map'],
    ['string methods are not own properties', { s: 'abc' }, '$.s.trim'],
    ['numeric index on an object with key "0"', { a: { 0: 'zero' } }, '$.a[0]'],
    ['name step on an array', { a: [1] }, '$.a.x'],
    ['falsy intermediate 0', { a: 0 }, '$.a.b'],
    ['falsy intermediate empty string', { a: '' }, '$.a.length'],
    ['falsy intermediate false', { a: false }, '$.a.b'],
    ['number intermediate', { a: 5 }, '$.a.b'],
    ['true intermediate', { a: true }, '$.a.b'],
    ['length of an object without one', { a: { b: 1 } }, '$.a.length'],
    ['object with a length key', { a: { length: 7 } }, '$.a.length'],
    ['array fact indexed from the root', [10, 20], '$[1]'],
    ['array fact length', [10, 20], '$.length'],
    ['nested arrays', { a: [[1, [2, 3]]] }, '$.a[0][1][0]'],
    ['leaf that is an array', { a: { b: [1, 2] } }, '$.a.b'],
    ['leaf that is an object', { a: { b: { c: 1 } } }, '$.a.b'],
    ['primitive fact: path ignored, fact returned', 42, '$.a'],
    ['string fact: path ignored (not a character)', 'abc', '$[0]'],
    ['string fact: path ignored (not its length)', 'abc', '$.length'],
    ['null fact: returned as null', null, '$.a'],
    ['undefined fact', undefined, '$.a'],
    ['boolean fact', false, '$.a'],
    ['empty object', {}, '$.a'],
    ['empty array', [], '$[0]'],
    ['own __proto__ key is not followed by a different path', JSON.parse('{"__proto__": {"x": 1}}'), '$.x'],
  ];

  it.each(cases)('%s', async (_name, value, path) => {
    const expected = jsonRulesEnginePath(value, path);
    expect(resolvePath(value, segments(path))).toStrictEqual(expected);
    expect(resolvePath(value, segments(path))).toStrictEqual(await almanacPath(value, path));
  });

  it('with no segments returns the value itself', () => {
    const value = { a: 1 };
    expect(resolvePath(value, [])).toBe(value);
  });

  it('returns the same object, not a copy', () => {
    const inner = { c: 1 };
    expect(resolvePath({ a: { b: inner } }, ['a', 'b'])).toBe(inner);
    expect(jsonRulesEnginePath({ a: { b: inner } }, '$.a.b')).toBe(inner);
  });

  // Keys and indexes from a small alphabet so random paths often hit something.
  const KEYS = ['a', 'b', 'length', 'code', '0', '1', '2'];
  const jsonValue = fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(null, true, false, 0, 1, -1, 2.5, Number.NaN, '', 'a', 'abc', '12', 'xyz0'),
      fc.string({ maxLength: 4 }),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 4 }),
    ),
  })).value;
  const segment = fc.oneof(
    fc.constantFrom('a', 'b', 'length', 'code', 'c_1', 'map'),
    fc.nat({ max: 4 }),
  );
  const pathText = (parts: PathSegment[]) =>
    '$' + parts.map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`)).join('');

  it('property: resolvePath(value, parsePath(p)) === jsonpath-plus/almanac for random values and paths', () => {
    fc.assert(
      fc.property(jsonValue, fc.array(segment, { minLength: 1, maxLength: 5 }), (value, parts) => {
        const path = pathText(parts);
        const parsed = parsePath(path);
        expect(parsed).toEqual({ ok: true, segments: parts });
        const ours = resolvePath(value, parts);
        const theirs = jsonRulesEnginePath(value, path);
        expect(Object.is(ours, theirs)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('property: the same through json-rules-engine’s own Almanac', async () => {
    await fc.assert(
      fc.asyncProperty(jsonValue, fc.array(segment, { minLength: 1, maxLength: 4 }), async (value, parts) => {
        const path = pathText(parts);
        expect(Object.is(resolvePath(value, parts), await almanacPath(value, path))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
