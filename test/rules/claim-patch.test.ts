import { describe, expect, it } from 'vitest';
import { parseFieldPath, setField, unsetField } from '../../engine/rules/claim-patch.js';

function sampleClaim(): Record<string, unknown> {
  return {
    id: 'PCN-1',
    patient: { firstName: 'Avery', dateOfBirth: '1968-04-12' },
    serviceLines: [
      { procedureCode: '99214', modifiers: ['25'], units: 1 },
      { procedureCode: '36415', units: 1 },
    ],
  };
}

describe('parseFieldPath', () => {
  it.each([
    ['id', ['id']],
    ['patient.dateOfBirth', ['patient', 'dateOfBirth']],
    ['serviceLines[0].units', ['serviceLines', 0, 'units']],
    ['serviceLines[10].modifiers[2]', ['serviceLines', 10, 'modifiers', 2]],
    ['a[0][1].b_c', ['a', 0, 1, 'b_c']],
    ['_private.x1', ['_private', 'x1']],
  ])('reads %s', (text, segments) => {
    expect(parseFieldPath(text)).toEqual(segments);
  });

  it.each([
    ['empty', ''],
    ['a leading dot', '.patient'],
    ['a trailing dot', 'patient.'],
    ['two dots', 'patient..dateOfBirth'],
    ['a dot before an index', 'serviceLines.[0]'],
    ['a leading index', '[0].units'],
    ['a leading zero', 'serviceLines[01]'],
    ['a negative index', 'serviceLines[-1]'],
    ['a name as index', 'serviceLines[x]'],
    ['a wildcard', 'serviceLines[*].units'],
    ['an unclosed index', 'serviceLines[0'],
    ['a name right after an index', 'serviceLines[0]units'],
    ['a space', 'patient. dateOfBirth'],
    ['a name starting with a digit', 'patient.1st'],
    ['a $ prefix', '$.patient'],
    ['quoted names', "patient['dateOfBirth']"],
  ])('refuses %s', (_name, text) => {
    expect(() => parseFieldPath(text)).toThrow(`field path "${text}" is not of the form a.b[0].c`);
  });

  it('refuses an index too large to be a list position', () => {
    expect(() => parseFieldPath('serviceLines[99999999999999999999]')).toThrow('index [99999999999999999999] is too large');
  });

  it.each(['__proto__', '__proto__.polluted', 'a.constructor.prototype', 'serviceLines[0].__proto__', 'prototype'])('refuses the prototype name in %s', (text) => {
    expect(() => parseFieldPath(text)).toThrow(/is not allowed/);
  });

  it('accepts names that merely contain a prototype name', () => {
    expect(parseFieldPath('constructors.prototypeId')).toEqual(['constructors', 'prototypeId']);
  });
});

describe('setField', () => {
  it('replaces an existing value', () => {
    const claim = sampleClaim();
    setField(claim, 'serviceLines[1].units', 3);
    expect((claim.serviceLines as { units: number }[])[1]?.units).toBe(3);
  });

  it('creates intermediate mappings', () => {
    const claim = sampleClaim();
    setField(claim, 'referringProvider.address.city', 'Springfield');
    expect(claim.referringProvider).toEqual({ address: { city: 'Springfield' } });
  });

  it('creates intermediate lists before an index', () => {
    const claim = sampleClaim();
    setField(claim, 'diagnoses[0].code', 'E11.9');
    expect(claim.diagnoses).toEqual([{ code: 'E11.9' }]);
    setField(claim, 'serviceLines[1].modifiers[0]', 'RT');
    expect((claim.serviceLines as Record<string, unknown>[])[1]?.modifiers).toEqual(['RT']);
  });

  it('appends a list element at the end', () => {
    const claim = sampleClaim();
    setField(claim, 'serviceLines[2]', { procedureCode: '20610', units: 1 });
    expect((claim.serviceLines as unknown[]).length).toBe(3);
  });

  it('replaces a value that is not a mapping on the way', () => {
    const claim = sampleClaim();
    setField(claim, 'patient.dateOfBirth.year', 1968);
    expect((claim.patient as Record<string, unknown>).dateOfBirth).toEqual({ year: 1968 });
    setField(claim, 'id[0]', 'x');
    expect(claim.id).toEqual(['x']);
  });

  it('sets null, lists and mappings as copies', () => {
    const claim = sampleClaim();
    const modifiers = ['50', 'RT'];
    setField(claim, 'serviceLines[0].modifiers', modifiers);
    modifiers.push('LT');
    expect((claim.serviceLines as Record<string, unknown>[])[0]?.modifiers).toEqual(['50', 'RT']);
    setField(claim, 'patient', null);
    expect(claim.patient).toBeNull();
  });

  it('refuses prototype names and leaves Object.prototype alone', () => {
    const claim = sampleClaim();
    expect(() => setField(claim, '__proto__.polluted', true)).toThrow(/"__proto__" is not allowed/);
    expect(() => setField(claim, 'patient.constructor.prototype.polluted', true)).toThrow(/"constructor" is not allowed/);
    expect(() => setField(claim, 'serviceLines.__proto__.polluted', true)).toThrow(/is not allowed/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(claim).toEqual(sampleClaim());
  });

  it('does not reach inherited properties: a name like toString becomes an own field', () => {
    const claim = sampleClaim();
    setField(claim, 'toString.x', 1);
    expect(Object.hasOwn(claim, 'toString')).toBe(true);
    expect(typeof Object.prototype.toString).toBe('function');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it('refuses a malformed path without changing the claim', () => {
    const claim = sampleClaim();
    expect(() => setField(claim, 'patient..firstName', 'X')).toThrow(/is not of the form/);
    expect(claim).toEqual(sampleClaim());
  });
});

describe('unsetField', () => {
  it('removes a field', () => {
    const claim = sampleClaim();
    unsetField(claim, 'patient.dateOfBirth');
    expect(claim.patient).toEqual({ firstName: 'Avery' });
    unsetField(claim, 'serviceLines[0].modifiers');
    expect((claim.serviceLines as Record<string, unknown>[])[0]).toEqual({ procedureCode: '99214', units: 1 });
  });

  it('removes a list element from the list, leaving no hole', () => {
    const claim = sampleClaim();
    unsetField(claim, 'serviceLines[0]');
    expect(claim.serviceLines).toEqual([{ procedureCode: '36415', units: 1 }]);
    unsetField(claim, 'serviceLines[0].modifiers');
    unsetField(claim, 'serviceLines[0]');
    expect(claim.serviceLines).toEqual([]);
  });

  it.each([
    ['a missing field', 'referralNumber'],
    ['a field below a missing mapping', 'referringProvider.npi'],
    ['a field below text', 'patient.firstName.initial'],
    ['a field below null', 'nothing.here'],
    ['an index past the end', 'serviceLines[5]'],
    ['a field below an index past the end', 'serviceLines[5].units'],
    ['an index into a mapping', 'patient[0]'],
    ['an inherited name', 'toString'],
  ])('does nothing for %s', (_name, field) => {
    const claim = { ...sampleClaim(), nothing: null };
    unsetField(claim, field);
    expect(claim).toEqual({ ...sampleClaim(), nothing: null });
  });

  it('refuses prototype names and malformed paths', () => {
    const claim = sampleClaim();
    expect(() => unsetField(claim, 'constructor.prototype.toString')).toThrow(/"constructor" is not allowed/);
    expect(() => unsetField(claim, '__proto__')).toThrow(/"__proto__" is not allowed/);
    expect(() => unsetField(claim, 'serviceLines[*]')).toThrow(/is not of the form/);
    expect(typeof Object.prototype.toString).toBe('function');
    expect(claim).toEqual(sampleClaim());
  });
});
