import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScrubProblem } from '../../engine/errors.js';
import { CompiledPack } from '../../engine/rules/bundle.js';
import { loadRulePack, type RulePack } from '../../engine/rules/pack.js';
import {
  FixtureClaims,
  loadRuleTests,
  runRuleTestCase,
  testFileFor,
  type ExpectedEdit,
  type RuleTestCase,
  type RuleTestFile,
} from '../../engine/rules/rule-tester.js';

let root: string;

const UNITS_RULE = `id: units-too-high
version: 1
title: Too many units
category: coding
severity: warning
scope: line
params:
  maxUnits: 4
when:
  all:
    - fact: line
      path: $.units
      operator: greaterThan
      value: { fact: params, path: $.maxUnits }
location: serviceLines[*].units
message: "{{line.procedureCode}} has {{line.units}} units."
help: Check the units.
carc: "16"
references:
  - title: A reference
`;

const NPI_RULE = `id: npi-missing
version: 1
title: No billing NPI
category: provider
severity: error
scope: claim
deprecated: true
when:
  all:
    - fact: claim
      path: $.billingProvider.npi
      operator: isMissing
      value: true
location: billingProvider.npi
message: "No billing NPI on {{claim.id}}."
help: Add it.
carc: "16"
references:
  - title: A reference
`;

/*
 * The test file the units rule starts with (line numbers for the position checks):
 *
 *  1 valid:
 *  2   - name: few units
 *  3     claim: two-lines
 *  4     set: { "serviceLines[1].units": 2 }
 *  5 invalid:
 *  6   - name: six units
 *  7     claim: two-lines
 *  8     edits:
 *  9       - { code: units-too-high, path: "serviceLines[1].units", severity: warning, serviceLine: 2 }
 */
const UNITS_TESTS = `valid:
  - name: few units
    claim: two-lines
    set: { "serviceLines[1].units": 2 }
invalid:
  - name: six units
    claim: two-lines
    edits:
      - { code: units-too-high, path: "serviceLines[1].units", severity: warning, serviceLine: 2 }
`;

const UNITS_TESTS_WITH_PAYERS = `valid:
  - name: few units
    claim: two-lines
    set: { "serviceLines[1].units": 2 }
  - name: the lenient payer switches the rule off
    claim: two-lines
    payer: lenient
invalid:
  - name: six units
    claim: two-lines
    edits:
      - { code: units-too-high, path: "serviceLines[1].units", severity: warning, serviceLine: 2 }
  - name: the strict payer allows one unit, as an error
    claim: two-lines
    payer: strict
    edits:
      - { code: units-too-high, path: "serviceLines[0].units", severity: error, serviceLine: 1, messageIncludes: "70551 has 2 units" }
      - { code: units-too-high, path: "serviceLines[1].units", severity: error, serviceLine: 2 }
  - name: a claim beside the test file, by relative path
    claim: local-claim.json
    edits:
      - { code: units-too-high, path: "serviceLines[0].units", severity: warning, serviceLine: 1 }
  - name: a fixture by relative path
    claim: ../../fixtures/claims/two-lines.json
    unset: ["serviceLines[0]"]
    edits:
      - { code: units-too-high, path: "serviceLines[0].units", severity: warning, serviceLine: 1 }
`;

const NPI_TESTS = `valid:
  - name: NPI present
    claim: two-lines
invalid:
  - name: NPI missing (the rule is deprecated, and still tested)
    claim: two-lines
    unset: ["billingProvider.npi"]
    edits:
      - { code: npi-missing, path: billingProvider.npi, severity: error }
`;

const TWO_LINES = {
  id: 'PCN-2',
  payer: { id: 'BLUE1', claimFilingIndicator: 'BL' },
  billingProvider: { npi: '1234567893' },
  serviceLines: [
    { procedureCode: '70551', units: 2, serviceDate: '2026-03-02' },
    { procedureCode: '99213', units: 6, serviceDate: '2026-03-02' },
  ],
};

const LOCAL_CLAIM = { ...TWO_LINES, id: 'PCN-LOCAL', serviceLines: [{ procedureCode: '20610', units: 9, serviceDate: '2026-03-02' }] };

const PAYERS = {
  'payers/strict.yaml': 'id: strict\nname: Strict\nmatch:\n  payerIds: ["STRICT1"]\nrules:\n  units-too-high: { severity: error, params: { maxUnits: 1 } }\n',
  'payers/lenient.yaml': 'id: lenient\nname: Lenient\nmatch:\n  payerIds: ["LENIENT1"]\nrules:\n  units-too-high: off\n',
};

interface Project {
  dir: string;
  pack: RulePack;
  compiled: CompiledPack;
  fixtures: FixtureClaims;
  unitsRule: string;
  unitsTests: string;
}

/** A project with rules/, payers/ and fixtures/; `files` adds to or replaces its files. */
async function project(files: Record<string, string | null> = {}): Promise<Project> {
  const dir = await mkdtemp(path.join(root, 'project-'));
  const all: Record<string, string | null> = {
    'rules/coding/units-too-high.yaml': UNITS_RULE,
    'rules/coding/units-too-high.test.yaml': UNITS_TESTS,
    'rules/coding/local-claim.json': JSON.stringify(LOCAL_CLAIM),
    'rules/provider/npi-missing.yaml': NPI_RULE,
    'rules/provider/npi-missing.test.yaml': NPI_TESTS,
    'fixtures/claims/two-lines.json': JSON.stringify(TWO_LINES),
    ...PAYERS,
    ...files,
  };
  for (const [name, text] of Object.entries(all)) {
    if (text === null) continue;
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  const pack = await loadRulePack({ rulesDirs: [path.join(dir, 'rules')], payersDir: path.join(dir, 'payers') });
  return {
    dir,
    pack,
    compiled: new CompiledPack(pack),
    fixtures: new FixtureClaims(path.join(dir, 'fixtures')),
    unitsRule: path.join(dir, 'rules/coding/units-too-high.yaml'),
    unitsTests: path.join(dir, 'rules/coding/units-too-high.test.yaml'),
  };
}

let shared: Project;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'claimscrub-rule-tester-'));
  shared = await project({ 'rules/coding/units-too-high.test.yaml': UNITS_TESTS_WITH_PAYERS });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function where(problems: readonly ScrubProblem[]): [string, number | undefined, number | undefined, string][] {
  return problems.map((problem) => [path.basename(problem.position.file), problem.position.line, problem.position.column, problem.message]);
}

/** Runs one case of the units rule's test file in the shared project. */
function run(kind: 'valid' | 'invalid', testCase: RuleTestCase) {
  const file: RuleTestFile = { ruleId: 'units-too-high', file: shared.unitsTests, valid: [], invalid: [] };
  return runRuleTestCase(shared.compiled, shared.fixtures, file, kind, testCase);
}

const SIX_UNITS: ExpectedEdit = { code: 'units-too-high', path: 'serviceLines[1].units', severity: 'warning', serviceLine: 2 };

describe('loadRuleTests and runRuleTestCase on correct test files', () => {
  it('loads every rule\'s test file', async () => {
    const { files, problems } = await loadRuleTests(shared.pack);
    expect(problems).toEqual([]);
    expect(files.map((file) => [file.ruleId, path.relative(shared.dir, file.file), file.valid.length, file.invalid.length])).toEqual([
      ['units-too-high', 'rules/coding/units-too-high.test.yaml', 2, 4],
      ['npi-missing', 'rules/provider/npi-missing.test.yaml', 1, 1],
    ]);
  });

  it('passes every case, including payer cases, fixtures by relative path and a deprecated rule', async () => {
    const { files } = await loadRuleTests(shared.pack);
    const outcomes = [];
    for (const file of files) {
      for (const kind of ['valid', 'invalid'] as const) {
        for (const testCase of file[kind]) outcomes.push(await runRuleTestCase(shared.compiled, shared.fixtures, file, kind, testCase));
      }
    }
    expect(outcomes.map((outcome) => [outcome.ruleId, outcome.kind, outcome.name, outcome.failure ?? 'passed'])).toEqual([
      ['units-too-high', 'valid', 'few units', 'passed'],
      ['units-too-high', 'valid', 'the lenient payer switches the rule off', 'passed'],
      ['units-too-high', 'invalid', 'six units', 'passed'],
      ['units-too-high', 'invalid', 'the strict payer allows one unit, as an error', 'passed'],
      ['units-too-high', 'invalid', 'a claim beside the test file, by relative path', 'passed'],
      ['units-too-high', 'invalid', 'a fixture by relative path', 'passed'],
      ['npi-missing', 'valid', 'NPI present', 'passed'],
      ['npi-missing', 'invalid', 'NPI missing (the rule is deprecated, and still tested)', 'passed'],
    ]);
    expect(outcomes.every((outcome) => outcome.passed)).toBe(true);
  });

  it('returns the edits it got', async () => {
    const outcome = await run('invalid', { name: 'six units', claim: 'two-lines', edits: [SIX_UNITS] });
    expect(outcome).toMatchObject({ ruleId: 'units-too-high', kind: 'invalid', name: 'six units', passed: true });
    expect(outcome.failure).toBeUndefined();
    expect(outcome.actual.map((edit) => [edit.code, edit.path, edit.severity, edit.serviceLine, edit.message])).toEqual([
      ['units-too-high', 'serviceLines[1].units', 'warning', 2, '99213 has 6 units.'],
    ]);
  });
});

describe('a wrong expectation fails with a useful message', () => {
  it.each<[string, 'valid' | 'invalid', Partial<RuleTestCase>, string]>([
    ['wrong code', 'invalid', { edits: [{ ...SIX_UNITS, code: 'units-too-low' }] }, 'edit 1: code units-too-high (expected units-too-low)'],
    ['wrong path', 'invalid', { edits: [{ ...SIX_UNITS, path: 'serviceLines[0].units' }] }, 'edit 1: path serviceLines[1].units (expected serviceLines[0].units)'],
    ['wrong severity', 'invalid', { edits: [{ ...SIX_UNITS, severity: 'error' }] }, 'edit 1: severity warning (expected error)'],
    ['wrong service line', 'invalid', { edits: [{ ...SIX_UNITS, serviceLine: 1 }] }, 'edit 1: serviceLine 2 (expected 1)'],
    ['wrong message', 'invalid', { edits: [{ ...SIX_UNITS, messageIncludes: '7 units' }] }, 'edit 1: message "99213 has 6 units." lacks "7 units"'],
    [
      'several differences in one edit',
      'invalid',
      { edits: [{ code: 'x', path: 'y', severity: 'info', serviceLine: 9 }] },
      'edit 1: code units-too-high (expected x); path serviceLines[1].units (expected y); severity warning (expected info); serviceLine 2 (expected 9)',
    ],
    ['too few edits expected', 'invalid', { edits: [SIX_UNITS, SIX_UNITS] }, 'expected 2 edit(s), got 1: units-too-high at serviceLines[1].units'],
    ['an edit expected where none fires', 'invalid', { set: { 'serviceLines[1].units': 1 }, edits: [SIX_UNITS] }, 'expected 1 edit(s), got 0: none'],
    [
      'too many edits under a payer',
      'invalid',
      { payer: 'strict', edits: [{ ...SIX_UNITS, severity: 'error' }] },
      'expected 1 edit(s), got 2: units-too-high at serviceLines[0].units, units-too-high at serviceLines[1].units',
    ],
    ['the second edit wrong', 'invalid', { payer: 'strict', edits: [{ ...SIX_UNITS, path: 'serviceLines[0].units', serviceLine: 1, severity: 'error' }, SIX_UNITS] }, 'edit 2: severity error (expected warning)'],
    ['a valid case that fires', 'valid', {}, 'expected no edit, got units-too-high at serviceLines[1].units'],
  ])('%s', async (_name, kind, patch, failure) => {
    const outcome = await run(kind, { name: 'case', claim: 'two-lines', ...patch });
    expect(outcome.passed).toBe(false);
    expect(outcome.failure).toBe(failure);
  });

  it('fails a case whose claim cannot be prepared', async () => {
    const missing = await run('valid', { name: 'case', claim: 'no-such-fixture' });
    expect(missing.passed).toBe(false);
    expect(missing.failure).toMatch(/^the case's claim could not be prepared: ENOENT/);
    const badPath = await run('valid', { name: 'case', claim: 'two-lines', set: { 'serviceLines..units': 1 } });
    expect(badPath.failure).toBe('the case\'s claim could not be prepared: field path "serviceLines..units" is not of the form a.b[0].c');
  });

  it('fails a case naming a payer policy that is not loaded, instead of throwing', async () => {
    const outcome = await run('valid', { name: 'case', claim: 'two-lines', payer: 'nope' });
    expect(outcome).toMatchObject({ passed: false, failure: 'the case cannot run: unknown payer policy "nope"', actual: [] });
  });
});

describe('FixtureClaims', () => {
  it('loads a fixture by name and a .json path relative to the test file, as fresh copies', async () => {
    const byName = (await shared.fixtures.load('two-lines', shared.unitsTests)) as typeof TWO_LINES;
    expect(byName).toEqual(TWO_LINES);
    byName.serviceLines.length = 0;
    expect(await shared.fixtures.load('two-lines', shared.unitsTests)).toEqual(TWO_LINES);
    expect(await shared.fixtures.load('local-claim.json', shared.unitsTests)).toEqual(LOCAL_CLAIM);
    expect(await shared.fixtures.load('./local-claim.json', shared.unitsTests)).toEqual(LOCAL_CLAIM);
    expect(await shared.fixtures.load('../../fixtures/claims/two-lines.json', shared.unitsTests)).toEqual(TWO_LINES);
  });

  it('rejects a fixture that is not JSON', async () => {
    const broken = await project({ 'fixtures/claims/broken.json': '{ "id": ' });
    await expect(broken.fixtures.load('broken', broken.unitsTests)).rejects.toThrow(SyntaxError);
  });
});

describe('test file problems', () => {
  async function problemsWith(testsText: string | null): Promise<ScrubProblem[]> {
    const p = await project({ 'rules/coding/units-too-high.test.yaml': testsText });
    const { problems, files } = await loadRuleTests(p.pack);
    if (problems.length > 0) expect(files.map((file) => file.ruleId)).toEqual(['npi-missing']);
    return problems;
  }

  it('accepts the base test file', async () => {
    expect(await problemsWith(UNITS_TESTS)).toEqual([]);
  });

  it('reports a rule without a test file, naming the file to add', async () => {
    const p = await project();
    await unlink(testFileFor(p.unitsRule));
    const { problems } = await loadRuleTests(p.pack);
    expect(problems).toEqual([{ position: { file: p.unitsRule }, message: 'Rule "units-too-high" has no test file: add units-too-high.test.yaml beside it.' }]);
    expect(testFileFor(p.unitsRule)).toBe(p.unitsTests);
  });

  it('refuses an unknown top-level key at the key', async () => {
    const problems = await problemsWith(`${UNITS_TESTS}cases: []\n`);
    expect(where(problems)).toEqual([['units-too-high.test.yaml', 10, 1, expect.stringMatching(/^`cases` is not a known field.*unknown key/)]]);
  });

  it('refuses an unknown key in a case at the key', async () => {
    const problems = await problemsWith(UNITS_TESTS.replace('    set:', '    sett:'));
    expect(where(problems)).toEqual([['units-too-high.test.yaml', 4, 5, expect.stringMatching(/^`valid\[0\]\.sett` is not a known field/)]]);
  });

  it('refuses an unknown key in an expected edit at the key', async () => {
    const problems = await problemsWith(UNITS_TESTS.replace('serviceLine: 2 }', 'line: 2 }'));
    expect(where(problems)).toEqual([['units-too-high.test.yaml', 9, 83, expect.stringMatching(/^`invalid\[0\]\.edits\[0\]\.line` is not a known field/)]]);
  });

  it('refuses an invalid case without edits, at the case', async () => {
    const problems = await problemsWith(UNITS_TESTS.replace(/    edits:\n.*\n$/, ''));
    expect(where(problems)).toEqual([['units-too-high.test.yaml', 6, 5, '`invalid[0].edits` is missing.']]);
  });

  it('refuses an invalid case with an empty edits list, and a case without a claim', async () => {
    const problems = await problemsWith(UNITS_TESTS.replace(/    edits:\n.*\n$/, '    edits: []\n').replace('    claim: two-lines\n    set:', '    set:'));
    expect(where(problems)).toEqual([
      ['units-too-high.test.yaml', 2, 5, '`valid[0].claim` is missing.'],
      ['units-too-high.test.yaml', 7, 12, '`invalid[0].edits` must have at least 1 entry.'],
    ]);
  });

  it('refuses empty valid and invalid lists, and a missing one', async () => {
    expect(where(await problemsWith('valid: []\ninvalid: []\n'))).toEqual([
      ['units-too-high.test.yaml', 1, 8, '`valid` must have at least 1 entry.'],
      ['units-too-high.test.yaml', 2, 10, '`invalid` must have at least 1 entry.'],
    ]);
    expect(where(await problemsWith(UNITS_TESTS.replace(/^invalid:[\s\S]*$/m, '')))).toEqual([['units-too-high.test.yaml', 1, 1, '`invalid` is missing.']]);
  });

  it('refuses a wrong severity and a service line below 1 in an expected edit', async () => {
    const problems = await problemsWith(UNITS_TESTS.replace('severity: warning, serviceLine: 2', 'severity: fatal, serviceLine: 0'));
    expect(where(problems)).toEqual([
      ['units-too-high.test.yaml', 9, 74, '`invalid[0].edits[0].severity` must be one of "error", "warning", "info".'],
      ['units-too-high.test.yaml', 9, 94, '`invalid[0].edits[0].serviceLine` must be >= 1.'],
    ]);
  });

  it('refuses a payer policy that is not loaded, at the payer', async () => {
    const problems = await problemsWith(UNITS_TESTS.replace('    claim: two-lines\n    set:', '    claim: two-lines\n    payer: nope\n    set:'));
    expect(where(problems)).toEqual([['units-too-high.test.yaml', 4, 12, '"nope" is not a loaded payer policy (policies: lenient, strict).']]);
  });

  it('refuses malformed and prototype field paths in set and unset, at each path', async () => {
    const problems = await problemsWith(
      UNITS_TESTS.replace('    set: { "serviceLines[1].units": 2 }', '    set: { "serviceLines..units": 2, "__proto__.polluted": true }\n    unset: ["ok", "serviceLines[*]"]'),
    );
    expect(where(problems)).toEqual([
      ['units-too-high.test.yaml', 4, 12, 'field path "serviceLines..units" is not of the form a.b[0].c'],
      ['units-too-high.test.yaml', 4, 38, 'field path "__proto__.polluted": "__proto__" is not allowed'],
      ['units-too-high.test.yaml', 5, 19, 'field path "serviceLines[*]" is not of the form a.b[0].c'],
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses expected edits on a valid case, at `edits`', async () => {
    const problems = await problemsWith(
      UNITS_TESTS.replace('    set: { "serviceLines[1].units": 2 }\n', '    set: { "serviceLines[1].units": 2 }\n    edits:\n      - { code: units-too-high, path: x, severity: error }\n'),
    );
    expect(where(problems)).toEqual([['units-too-high.test.yaml', 5, 5, 'A valid case expects no edit: remove its `edits`, or make it an invalid case.']]);
  });

  it('refuses YAML anchors, aliases and prototype keys', async () => {
    const aliases = await problemsWith(UNITS_TESTS.replace('    claim: two-lines\n    set:', '    claim: &c two-lines\n    set:').replace('    claim: two-lines\n    edits:', '    claim: *c\n    edits:'));
    expect(where(aliases)).toEqual([
      ['units-too-high.test.yaml', 3, 12, expect.stringMatching(/^YAML anchors/)],
      ['units-too-high.test.yaml', 7, 12, expect.stringMatching(/^YAML aliases/)],
    ]);
    const proto = await problemsWith(UNITS_TESTS.replace('    set: { "serviceLines[1].units": 2 }', '    set: { __proto__: { polluted: true } }'));
    expect(where(proto)).toEqual([['units-too-high.test.yaml', 4, 12, 'The key "__proto__" is not allowed: it names an object prototype property.']]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a YAML syntax error at its position', async () => {
    const problems = await problemsWith(UNITS_TESTS.replace('    set: { "serviceLines[1].units": 2 }', '    set: { "serviceLines[1].units": 2'));
    expect(problems.length).toBeGreaterThan(0);
    expect(where(problems)[0]?.slice(0, 2)).toEqual(['units-too-high.test.yaml', 5]);
  });
});

describe('a case may set the rule\'s params, as a payer policy would', () => {
  it('applies them over the rule\'s defaults', async () => {
    const outcome = await run('invalid', {
      name: 'one unit allowed',
      claim: 'two-lines',
      params: { maxUnits: 1 },
      edits: [{ ...SIX_UNITS, path: 'serviceLines[0].units', serviceLine: 1 }, SIX_UNITS],
    });
    expect(outcome.failure ?? 'passed').toBe('passed');
    expect(await run('valid', { name: 'ten units allowed', claim: 'two-lines', params: { maxUnits: 10 } })).toMatchObject({ passed: true });
  });

  it('applies them over the payer policy\'s, which keeps its severity', async () => {
    const outcome = await run('invalid', { name: 'strict payer, five units', claim: 'two-lines', payer: 'strict', params: { maxUnits: 5 }, edits: [{ ...SIX_UNITS, severity: 'error' }] });
    expect(outcome.failure ?? 'passed').toBe('passed');
  });

  it('leaves the compiled pack\'s bundles alone', async () => {
    await run('valid', { name: 'ten units allowed', claim: 'two-lines', params: { maxUnits: 10 } });
    expect(await run('invalid', { name: 'defaults again', claim: 'two-lines', edits: [SIX_UNITS] })).toMatchObject({ passed: true });
  });

  it('refuses a parameter the rule does not declare, at its name, and an unusable value, at params', async () => {
    const p = await project({
      'rules/coding/units-too-high.test.yaml': UNITS_TESTS.replace('    set: { "serviceLines[1].units": 2 }', '    params: { maxUnit: 1 }').replace(
        '    claim: two-lines\n    edits:',
        '    claim: two-lines\n    params: { maxUnits: { toString: 1 } }\n    edits:',
      ),
    });
    const { problems, files } = await loadRuleTests(p.pack);
    expect(files.map((file) => file.ruleId)).toEqual(['npi-missing']);
    expect(where(problems)).toEqual([
      ['units-too-high.test.yaml', 4, 15, 'Rule "units-too-high" has no parameter "maxUnit" (it has: maxUnits).'],
      ['units-too-high.test.yaml', 8, 13, expect.stringMatching(/^With these params, rule "units-too-high" is not usable: .*own `toString` key/)],
    ]);
  });
});
