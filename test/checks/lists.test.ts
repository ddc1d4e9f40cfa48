import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BUNDLED_LISTS_DIR,
  LIST_NAMES,
  LIST_OPERATORS,
  carc,
  codeList,
  isInList,
  loadListFile,
  modifier,
  parseListFile,
  placeOfService,
} from '../../engine/checks/lists.js';
import { customOperators } from '../../engine/checks/registry.js';
import { ScrubError } from '../../engine/errors.js';
import { checkCondition, resolveOperator } from '../../engine/rules/compile/index.js';
import { evaluateWithJsonRulesEngine } from '../../engine/rules/reference.js';
import { ROOT } from '../helpers/cli.js';

/** CMS's assigned place of service codes (code set as of POS 66, effective 2024-08-01). */
const ASSIGNED_POS = [
  ...Array.from({ length: 27 }, (_, i) => String(i + 1).padStart(2, '0')),
  '31', '32', '33', '34', '41', '42',
  '49', '50', '51', '52', '53', '54', '55', '56', '57', '58',
  '60', '61', '62', '65', '66', '71', '72', '81', '99',
];

function thrown(fn: () => unknown): ScrubError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ScrubError);
    return error as ScrubError;
  }
  throw new Error('expected an error');
}

describe('bundled lists', () => {
  it('load from engine/data/lists below the package root', () => {
    expect(BUNDLED_LISTS_DIR).toBe(path.join(ROOT, 'engine', 'data', 'lists'));
    for (const name of LIST_NAMES) {
      const list = codeList(name);
      expect(list.name).toBe(name);
      expect(list.file).toBe(path.join(BUNDLED_LISTS_DIR, `${name}.yaml`));
      expect(list.entries.length).toBeGreaterThan(10);
      expect(list.byCode.size).toBe(list.entries.length);
    }
  });

  it('place of service: exactly the codes CMS has assigned, unassigned numbers left out', () => {
    expect(codeList('place-of-service').entries.map((entry) => entry.code)).toEqual(ASSIGNED_POS);
    for (const code of ['02', '10', '11', '19', '22', '27', '66', '99']) expect(isInList('place-of-service', code)).toBe(true);
    for (const code of ['00', '28', '30', '35', '40', '43', '48', '59', '63', '64', '67', '70', '73', '80', '82', '98']) {
      expect(isInList('place-of-service', code), code).toBe(false);
    }
    expect(placeOfService('10')).toEqual({ code: '10', label: 'telehealth, patient at home', since: '2022-01-01' });
    expect(placeOfService('11')?.label).toBe('office');
  });

  it('modifiers: the ones the rules name, with their kind', () => {
    const cpt = ['22', '23', '24', '25', '26', '27', '32', '33', '47', '50', '51', '52', '53', '54', '55', '56', '57', '58', '59', '62', '63', '66', '73', '74', '76', '77', '78', '79', '80', '81', '82', '90', '91', '92', '93', '95', '96', '97', '99', 'P1', 'P2', 'P3', 'P4', 'P5', 'P6'];
    const hcpcs = ['AA', 'AD', 'QK', 'QX', 'QY', 'QZ', 'QS', 'G8', 'G9', 'GA', 'GX', 'GY', 'GZ', 'GT', 'GQ', 'FQ', 'FR', 'KX', 'LT', 'RT', 'E1', 'E2', 'E3', 'E4', 'FA', 'F1', 'F9', 'TA', 'T1', 'T9', 'LC', 'LD', 'LM', 'RC', 'RI', 'TC', 'XE', 'XP', 'XS', 'XU', 'CR', 'CS', 'JW', 'JZ'];
    for (const code of cpt) expect(modifier(code)?.kind, code).toBe('cpt');
    for (const code of hcpcs) expect(modifier(code)?.kind, code).toBe('hcpcs');
    expect(modifier('ZZ')).toBeUndefined();
    expect(modifier('25')?.label).toMatch(/separate E\/M/);
  });

  it('claim adjustment reason codes: short labels of our own', () => {
    expect(carc('16')?.label).toBe('claim lacks information or has a billing error');
    expect(carc('197')).toBeDefined();
    expect(carc('999')).toBeUndefined();
    for (const entry of codeList('carc').entries) expect(entry.label.length).toBeLessThanOrEqual(80);
  });

  it('lookups are exact and total', () => {
    expect(isInList('modifiers', 'rt')).toBe(false);
    expect(isInList('modifiers', ' RT')).toBe(false);
    expect(isInList('place-of-service', 11)).toBe(false);
    expect(isInList('place-of-service', undefined)).toBe(false);
    expect(isInList('modifiers', 'constructor')).toBe(false);
    expect(isInList('carc', '__proto__')).toBe(false);
  });
});

describe('malformed list files are refused with file, line and column', () => {
  const header = '# a list\nlist: carc\ncodes:\n';

  it('a schema violation', () => {
    const error = thrown(() => parseListFile('carc', 'lists/carc.yaml', `${header}  - { code: "16", label: lacks information }\n  - { code: "TOOLONG", label: x }\n`));
    expect(error.code).toBe('SCRUB_ERR_DATA_INVALID');
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.position).toEqual({ file: 'lists/carc.yaml', line: 5, column: 13 });
    expect(error.message).toContain('lists/carc.yaml:5:13: `codes[1].code` is not in the expected form');
  });

  it('an unknown key, a missing label and a modifier without its kind', () => {
    const error = thrown(() =>
      parseListFile('modifiers', 'm.yaml', 'list: modifiers\ncodes:\n  - { code: "25", kind: cpt, label: x, official: y }\n  - { code: "26" }\n'),
    );
    expect(error.problems.map((p) => `${p.position.line}: ${p.message}`)).toEqual([
      '3: `codes[0].official` is not a known field. Check its spelling; unknown keys are refused.',
      '4: `codes[1].kind` is missing.',
      '4: `codes[1].label` is missing.',
    ]);
  });

  it('a list with the wrong name', () => {
    const error = thrown(() => parseListFile('modifiers', 'modifiers.yaml', `${header}  - { code: "16", label: x }\n`));
    expect(error.problems[0]).toEqual({ position: { file: 'modifiers.yaml', line: 2, column: 7 }, message: '`list` must be one of "modifiers".' });
  });

  it('a code listed twice names the first line', () => {
    const error = thrown(() => parseListFile('carc', 'carc.yaml', `${header}  - { code: "16", label: a }\n  - { code: "4", label: b }\n  - { code: "16", label: c }\n`));
    expect(error.message).toContain('carc.yaml:6:13: the code "16" is already listed on line 4');
  });

  it('bad YAML and refused YAML features', () => {
    expect(thrown(() => parseListFile('carc', 'carc.yaml', `${header}  - { code: "16", label: a\n`)).problems[0]?.position.line).toBeGreaterThanOrEqual(4);
    const anchors = thrown(() => parseListFile('carc', 'carc.yaml', `${header}  - &a { code: "16", label: a }\n  - *a\n`));
    expect(anchors.problems.map((p) => p.position.line)).toEqual([4, 5]);
  });

  it('a file that cannot be read, and a malformed file read from a folder', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'claimscrub-lists-'));
    try {
      expect(thrown(() => loadListFile('carc', dir)).message).toContain(path.join(dir, 'carc.yaml'));
      writeFileSync(path.join(dir, 'place-of-service.yaml'), 'list: place-of-service\ncodes:\n  - { code: "1", label: pharmacy }\n');
      const error = thrown(() => loadListFile('place-of-service', dir));
      expect(error.message).toContain(`${path.join(dir, 'place-of-service.yaml')}:3:13`);
      writeFileSync(path.join(dir, 'carc.yaml'), `${header}  - { code: "16", label: a }\n`);
      expect(loadListFile('carc', dir).entries).toEqual([{ code: '16', label: 'a' }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('inList and notInList', () => {
  const inList = customOperators.get('inList')!;
  const notInList = customOperators.get('notInList')!;

  it('are registered', () => {
    expect(LIST_OPERATORS.map((op) => customOperators.get(op.name))).toEqual([...LIST_OPERATORS]);
  });

  it('look codes up in the named list', () => {
    const run = (name: string, fact: unknown, value: unknown) => resolveOperator(name)!(fact, value);
    expect(run('inList', '11', 'place-of-service')).toBe(true);
    expect(run('inList', '40', 'place-of-service')).toBe(false);
    expect(run('notInList', '40', 'place-of-service')).toBe(true);
    expect(run('notInList', '11', 'place-of-service')).toBe(false);
    expect(run('inList', 'XS', 'modifiers')).toBe(true);
    expect(run('notInList', 'ZZ', 'modifiers')).toBe(true);
    expect(run('inList', '197', 'carc')).toBe(true);
    expect(run('someFact:notInList', ['25', 'ZZ'], 'modifiers')).toBe(true);
    expect(run('someFact:notInList', ['25', 'RT'], 'modifiers')).toBe(false);
  });

  it('notInList is false for anything not shaped like a code of the list', () => {
    for (const fact of [undefined, null, 11, '', '4', '111', ' 11', ['40'], { code: '40' }]) {
      expect(resolveOperator('notInList')!(fact, 'place-of-service'), JSON.stringify(fact)).toBe(false);
    }
    for (const fact of ['rt', 'R', 'RTX', 'R-']) expect(resolveOperator('notInList')!(fact, 'modifiers'), fact).toBe(false);
    // `not:inList` is true for all of these: the reason notInList exists
    expect(resolveOperator('not:inList')!(undefined, 'place-of-service')).toBe(true);
  });

  it('are false, never throwing, for values that are not list names', () => {
    for (const value of [undefined, null, 'place_of_service', ['modifiers'], {}, { toString: 'x' }, 3]) {
      expect(inList.evaluate('11', value)).toBe(false);
      expect(notInList.evaluate('40', value)).toBe(false);
    }
  });

  it('checkValue refuses unknown list names when rules load', () => {
    for (const op of [inList, notInList]) {
      expect(op.checkValue!('modifiers')).toBeUndefined();
      expect(op.checkValue!('place-of-service')).toBeUndefined();
      expect(op.checkValue!('carc')).toBeUndefined();
      expect(op.checkValue!('icd10cm')).toBe(`value must name a list: ${LIST_NAMES.join(', ')}`);
      expect(op.checkValue!(['modifiers'])).toBeDefined();
    }
    const problems = checkCondition({ all: [{ fact: 'line', path: '$.modifiers', operator: 'someFact:notInList', value: 'modifier' }] }, { scope: 'line' });
    expect(problems).toEqual([
      { path: ['all', 0, 'value'], message: expect.stringContaining('value must name a list: place-of-service, modifiers, carc') },
    ]);
    const fromClaim = checkCondition({ all: [{ fact: 'claim', path: '$.placeOfService', operator: 'inList', value: { fact: 'claim', path: '$.id' } }] }, { scope: 'claim' });
    expect(fromClaim).toHaveLength(1);
    const fromParams = checkCondition(
      { all: [{ fact: 'claim', path: '$.placeOfService', operator: 'inList', value: { fact: 'params', path: '$.list' } }] },
      { scope: 'claim', params: { list: 'pos' } },
    );
    expect(fromParams[0]?.message).toContain('value must name a list');
  });

  it('agree with json-rules-engine, decorators included', async () => {
    const claims = [
      { placeOfService: '11', serviceLines: [{ modifiers: ['25', 'ZZ'], placeOfService: '40' }] },
      { placeOfService: '40', serviceLines: [{ modifiers: ['RT'] }] },
      { serviceLines: [{ modifiers: 'RT', placeOfService: 2 }] },
      {},
    ];
    const conditions = [
      { all: [{ fact: 'claim', path: '$.placeOfService', operator: 'notInList', value: 'place-of-service' }] },
      { all: [{ fact: 'claim', path: '$.placeOfService', operator: 'not:inList', value: 'place-of-service' }] },
      { all: [{ fact: 'line', path: '$.modifiers', operator: 'someFact:notInList', value: 'modifiers' }] },
      { all: [{ fact: 'line', path: '$.modifiers', operator: 'everyFact:inList', value: 'modifiers' }] },
      { all: [{ fact: 'line', path: '$.placeOfService', operator: 'inList', value: 'place-of-service' }] },
    ];
    for (const claim of claims) {
      const line = (claim.serviceLines ?? [])[0];
      for (const when of conditions) {
        const leaf = when.all[0]!;
        const fact = leaf.fact === 'claim' ? claim : line;
        const value = fact === undefined ? undefined : (fact as Record<string, unknown>)[leaf.path.slice(2)];
        const ours = resolveOperator(leaf.operator)!(value, leaf.value);
        const theirs = await evaluateWithJsonRulesEngine(when as never, { claim, line, lineIndex: 0, params: {} });
        expect(Boolean(theirs), `${leaf.operator} on ${JSON.stringify(claim)}`).toBe(ours);
      }
    }
  });
});

describe('built package', () => {
  it('reads the lists from the package root, not from dist/', async () => {
    const built = path.join(ROOT, 'dist', 'engine', 'checks', 'lists.js');
    if (!existsSync(built)) throw new Error(`${built} is missing: run npm run build (npm test does it)`);
    const lists = (await import(built)) as typeof import('../../engine/checks/lists.js');
    expect(lists.BUNDLED_LISTS_DIR).toBe(path.join(ROOT, 'engine', 'data', 'lists'));
    expect(lists.isInList('place-of-service', '66')).toBe(true);
  });
});
