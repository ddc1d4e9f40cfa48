import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScrubError, type ScrubProblem } from '../../engine/errors.js';
import { CATEGORIES } from '../../engine/model/index.js';
import { findRuleFiles, loadRules, parseRuleFile } from '../../engine/rules/load-rules.js';
import { loadRulePack } from '../../engine/rules/pack.js';
import { testFileFor } from '../../engine/rules/rule-tester.js';
import { readYaml } from '../../engine/rules/yaml-source.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'claimscrub-load-rules-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes `files` (relative path → text) into a new directory below the temporary root. */
async function tree(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(root, 'rules-'));
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  return dir;
}

/*
 * ruleText() writes a valid line-scope rule with every key on a known line:
 *
 *  1 id: my-rule
 *  2 version: 1
 *  3 title: A test rule
 *  4 category: coding
 *  5 severity: error
 *  6 scope: line
 *  7 location: serviceLines[*].procedureCode
 *  8 message: "Code {{line.procedureCode}} needs a look."
 *  9 help: Fix the code.
 * 10 carc: "16"
 * 11 references:
 * 12   - title: A reference
 *    (keys that are not defaults follow here, one line each, in the order given)
 * 13 when:
 * 14   all:
 * 15     - fact: line
 * 16       path: $.procedureCode
 * 17       operator: equal
 * 18       value: "99213"
 *
 * A field set to null is left out (the lines after it move up).
 */
const DEFAULT_FIELDS: readonly [string, string][] = [
  ['id', 'my-rule'],
  ['version', '1'],
  ['title', 'A test rule'],
  ['category', 'coding'],
  ['severity', 'error'],
  ['scope', 'line'],
  ['location', 'serviceLines[*].procedureCode'],
  ['message', '"Code {{line.procedureCode}} needs a look."'],
  ['help', 'Fix the code.'],
  ['carc', '"16"'],
  ['references', '\n  - title: A reference'],
];
const LINE_WHEN = ['  all:', '    - fact: line', '      path: $.procedureCode', '      operator: equal', '      value: "99213"'];
const CLAIM_WHEN = ['  all:', '    - fact: claim', '      path: $.patient.dateOfBirth', '      operator: isMissing', '      value: true'];
/** Turns the default rule into a valid claim-scope rule (with `when: CLAIM_WHEN`). */
const CLAIM_FIELDS = { scope: 'claim', location: 'patient.dateOfBirth', message: '"No date of birth for {{claim.id}}."' };

function ruleText(fields: Record<string, string | null> = {}, when: readonly string[] = LINE_WHEN): string {
  const lines: string[] = [];
  const defaults = new Set(DEFAULT_FIELDS.map(([key]) => key));
  for (const [key, value] of DEFAULT_FIELDS) {
    const chosen = key in fields ? fields[key] : value;
    if (chosen !== null && chosen !== undefined) lines.push(`${key}: ${chosen}`);
  }
  for (const [key, value] of Object.entries(fields)) if (!defaults.has(key) && value !== null) lines.push(`${key}: ${value}`);
  lines.push('when:', ...when);
  return `${lines.join('\n')}\n`;
}

/** Loads one rule file written at `relativePath` below a fresh rules directory. */
async function loadOne(text: string, relativePath = 'coding/my-rule.yaml') {
  const dir = await tree({ [relativePath]: text });
  const result = await loadRules([dir]);
  return { ...result, dir, file: path.join(dir, relativePath) };
}

/** [line, column, message] of each problem, for exact comparisons. */
function where(problems: readonly ScrubProblem[]): [number | undefined, number | undefined, string][] {
  return problems.map((problem) => [problem.position.line, problem.position.column, problem.message]);
}

async function refusedPack(rulesDirs: string[], payersDir?: string): Promise<ScrubError> {
  const error = await loadRulePack({ rulesDirs, ...(payersDir ? { payersDir } : {}) }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ScrubError);
  return error as ScrubError;
}

describe('a valid rule file', () => {
  it('loads with its definition, file and a sha-256 of its text', async () => {
    const text = ruleText();
    const { rules, problems, file } = await loadOne(text);
    expect(problems).toEqual([]);
    expect(rules).toHaveLength(1);
    expect(rules[0]?.file).toBe(file);
    expect(rules[0]?.hash).toBe(createHash('sha256').update(text).digest('hex'));
    expect(rules[0]?.definition).toMatchObject({ id: 'my-rule', version: 1, category: 'coding', severity: 'error', scope: 'line' });
    expect(rules[0]?.definition.when).toEqual({ all: [{ fact: 'line', path: '$.procedureCode', operator: 'equal', value: '99213' }] });
  });

  it('loads with every optional key', async () => {
    const text = ruleText({
      description: 'Why the rule exists.',
      enabled: 'false',
      effective: '2025-01-01',
      expires: '2027-01-01',
      params: '{ codes: ["99213"] }',
      deprecated: 'true',
    });
    const { rules, problems } = await loadOne(text);
    expect(problems).toEqual([]);
    expect(rules[0]?.definition).toMatchObject({ enabled: false, deprecated: true, effective: '2025-01-01', params: { codes: ['99213'] } });
  });

  it('loads as a claim-scope rule with a claim fact, a computed fact and a numeric location index', async () => {
    const when = [
      '  any:',
      '    - fact: claim',
      '      path: $.patient.dateOfBirth',
      '      operator: isMissing',
      '      value: true',
      '    - fact: earliestServiceDate',
      '      operator: equal',
      '      value: "2026-01-01"',
    ];
    const text = ruleText({ ...CLAIM_FIELDS, location: 'serviceLines[0].serviceDate', message: '"First date {{earliestServiceDate}}."' }, when);
    const { problems } = await loadOne(text);
    expect(problems).toEqual([]);
  });

  it('keeps text that merely looks dangerous when it is a value, not a key or tag', async () => {
    const text = ruleText({ title: '"__proto__ constructor prototype &anchor *alias !tag"', params: '{ prototypes: [1], constructors: [2] }' });
    const { problems } = await loadOne(text);
    expect(problems).toEqual([]);
  });
});

describe('YAML syntax errors', () => {
  it('is refused at the line and column where the parser stops', async () => {
    const text = ruleText({ title: '[A test rule' });
    const { problems, rules, file } = await loadOne(text);
    expect(rules).toEqual([]);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.position).toEqual({ file, line: 4, column: 1 });
    expect(problems[0]?.message).toMatch(/Flow sequence/);
  });

  it('refuses a mapping nested in a compact mapping, at the nested key', async () => {
    const { problems } = await loadOne('id: my-rule\nversion: 1 title: x\n');
    expect(where(problems)[0]?.slice(0, 2)).toEqual([2, 10]);
  });

  it('refuses a duplicate key at the second occurrence', async () => {
    const text = ruleText({ carc: '"16"\nhelp: Again.' });
    const { problems } = await loadOne(text);
    expect(where(problems)).toEqual([[11, 1, expect.stringMatching(/Map keys must be unique/)]]);
  });

  it('refuses a second YAML document in the file', async () => {
    const { problems } = await loadOne(`${ruleText()}---\nid: other\n`);
    expect(where(problems)).toEqual([[19, 1, expect.stringMatching(/multiple documents/)]]);
  });

  it('refuses a tab used as indentation', async () => {
    const { problems, rules } = await loadOne(ruleText({}, ['  all:', '\t- fact: line']));
    expect(rules).toEqual([]);
    expect(where(problems)).toContainEqual([15, 1, expect.stringMatching(/^Tabs are not allowed as indentation/)]);
  });
});

describe('schema problems', () => {
  it('reports each missing required key at the position of the mapping that lacks it', async () => {
    const text = ruleText({ help: null, carc: null });
    const { problems, file } = await loadOne(text);
    expect(problems).toEqual([
      { position: { file, line: 1, column: 1 }, message: '`help` is missing.' },
      { position: { file, line: 1, column: 1 }, message: '`carc` is missing.' },
    ]);
  });

  it('reports a missing key of a nested mapping at that mapping', async () => {
    const text = ruleText({ references: '\n  - url: https://example.org/policy' });
    const { problems } = await loadOne(text);
    expect(where(problems)).toEqual([[12, 5, '`references[0].title` is missing.']]);
  });

  it('reports a missing `when` at the document', async () => {
    const text = ruleText().replace(/when:[\s\S]*$/, '');
    const { problems } = await loadOne(text);
    expect(where(problems)).toEqual([[1, 1, '`when` is missing.']]);
  });

  it('reports an unknown top-level key at the key, saying that unknown keys are refused', async () => {
    const { problems, rules } = await loadOne(ruleText({ helpp: 'Typo of help.' }));
    expect(rules).toEqual([]);
    expect(where(problems)).toEqual([[13, 1, expect.stringMatching(/`helpp` is not a known field.*unknown key/)]]);
  });

  it('reports an unknown key of a nested mapping at the key', async () => {
    const text = ruleText({ references: '\n  - title: A reference\n    link: https://example.org' });
    const { problems } = await loadOne(text);
    expect(where(problems)).toEqual([[13, 5, expect.stringMatching(/`references\[0\]\.link` is not a known field.*unknown key/)]]);
  });

  it('reports a wrong category, severity and scope each at its value', async () => {
    const text = ruleText({ category: 'codingx', severity: 'fatal', scope: 'lines' });
    const { problems } = await loadOne(text);
    expect(where(problems)).toEqual([
      [4, 11, expect.stringMatching(/^`category` must be one of "structure", .*"provider"\.$/)],
      [5, 11, '`severity` must be one of "error", "warning", "info".'],
      [6, 8, '`scope` must be one of "claim", "line".'],
    ]);
  });

  it.each([
    ['uppercase', 'My-rule'],
    ['underscore', 'my_rule'],
    ['leading hyphen', '-my-rule'],
    ['double hyphen', 'my--rule'],
    ['trailing hyphen', 'my-rule-'],
  ])('refuses an id with %s at the id', async (_name, id) => {
    const { problems } = await loadOne(ruleText({ id }), `coding/${id}.yaml`);
    expect(where(problems)).toEqual([[1, 5, expect.stringMatching(/^`id` is not in the expected form/)]]);
  });

  it('accepts ids of lowercase letters and digits joined by single hyphens', async () => {
    const { problems } = await loadOne(ruleText({ id: 'a1-b2-3c' }), 'coding/a1-b2-3c.yaml');
    expect(problems).toEqual([]);
  });

  it.each([
    ['version', 'one', 2, 10, /`version` must be a whole number/],
    ['version', '0', 2, 10, /`version` must be >= 1/],
    ['title', '""', 3, 8, /`title` must not be empty/],
    ['carc', '"16-X"', 10, 7, /`carc` is not in the expected form/],
    ['location', 'serviceLines[x].units', 7, 11, /`location` is not in the expected form/],
    ['effective', '2026-13-01', 13, 12, /`effective` must be a date written YYYY-MM-DD/],
    ['references', '[]', 11, 13, /`references` must have at least 1 entry/],
    ['enabled', '"no"', 13, 10, /`enabled` must be a boolean/],
  ])('refuses %s: %s at its value', async (key, value, line, column, message) => {
    const { problems } = await loadOne(ruleText({ [key]: value }));
    expect(where(problems)).toEqual([[line, column, expect.stringMatching(message)]]);
  });

  it('refuses a document that is not a mapping, once', async () => {
    const { problems } = await loadOne('- id: my-rule\n');
    expect(where(problems)).toEqual([[1, 1, '`the document` must be an object.']]);
    const empty = await loadOne('');
    expect(where(empty.problems)).toEqual([[1, 1, '`the document` must be an object.']]);
  });
});

describe('where the file is and what it is called', () => {
  it('refuses an id that is not the file name, at the id', async () => {
    const { problems } = await loadOne(ruleText(), 'coding/other-name.yaml');
    expect(where(problems)).toEqual([[1, 5, 'The rule id "my-rule" must equal the file name "other-name".']]);
  });

  it.each([
    ['at the top of the rules directory', 'my-rule.yaml'],
    ['two folders deep', 'coding/extra/my-rule.yaml'],
    ['in a folder that is not a category', 'misc/my-rule.yaml'],
  ])('refuses a file %s, at the category', async (_name, relativePath) => {
    const { problems } = await loadOne(ruleText(), relativePath);
    expect(where(problems)).toEqual([[4, 11, expect.stringMatching(/^Rule files live in rules\/<category>\/<id>\.yaml/)]]);
  });

  it('refuses a file in another category folder, at the category', async () => {
    const { problems } = await loadOne(ruleText(), 'modifier/my-rule.yaml');
    expect(where(problems)).toEqual([
      [4, 11, 'The rule is in the folder "modifier" but its category is "coding": move the file or fix the category.'],
    ]);
  });

  it('accepts every category in its own folder', async () => {
    const files = Object.fromEntries(CATEGORIES.map((category) => [`${category}/rule-${category}.yaml`, ruleText({ id: `rule-${category}`, category })]));
    const dir = await tree(files);
    const { rules, problems } = await loadRules([dir]);
    expect(problems).toEqual([]);
    expect(rules.map((rule) => rule.definition.category).sort()).toEqual([...CATEGORIES].sort());
  });

  it('finds rule files recursively, without test files and other extensions', async () => {
    const dir = await tree({
      'coding/b-rule.yaml': ruleText({ id: 'b-rule' }),
      'coding/a-rule.yaml': ruleText({ id: 'a-rule' }),
      'coding/a-rule.test.yaml': 'valid: []\n',
      'coding/notes.md': '# notes\n',
      'coding/c-rule.yml': ruleText({ id: 'c-rule' }),
    });
    expect(await findRuleFiles(dir)).toEqual([path.join(dir, 'coding/a-rule.yaml'), path.join(dir, 'coding/b-rule.yaml')]);
  });

  it('reports a rules directory that cannot be read', async () => {
    const missing = path.join(root, 'does-not-exist');
    const { problems, rules } = await loadRules([missing]);
    expect(rules).toEqual([]);
    expect(problems).toEqual([{ position: { file: missing }, message: expect.stringMatching(/^The rules directory cannot be read/) }]);
  });
});

describe('`when` problems, at the offending node', () => {
  it('refuses an unknown fact at the fact', async () => {
    const when = ['  all:', '    - fact: lyne', '      operator: equal', '      value: "99213"'];
    const { problems } = await loadOne(ruleText({}, when));
    expect(where(problems)).toEqual([[15, 13, expect.stringMatching(/^unknown fact `lyne`: facts usable here are claim, line, params/)]]);
  });

  it('refuses an unknown operator at the operator', async () => {
    const when = ['  all:', '    - fact: line', '      path: $.procedureCode', '      operator: equalz', '      value: "99213"'];
    const { problems } = await loadOne(ruleText({}, when));
    expect(where(problems)).toEqual([[17, 17, expect.stringMatching(/^unknown operator `equalz`/)]]);
  });

  it('refuses the `line` fact in a claim-scope rule at the fact', async () => {
    const { problems } = await loadOne(ruleText(CLAIM_FIELDS, LINE_WHEN));
    expect(where(problems)).toEqual([[15, 13, expect.stringMatching(/^fact `line` is the current service line: only rules with `scope: line`/)]]);
  });

  it('refuses a line-scope computed fact in a claim-scope rule, and accepts it in a line-scope rule', async () => {
    const when = ['  all:', '    - fact: sameDayOtherProcedureCodes', '      operator: contains', '      value: "20610"'];
    const claim = await loadOne(ruleText(CLAIM_FIELDS, when));
    expect(where(claim.problems)).toEqual([[15, 13, expect.stringMatching(/fact `sameDayOtherProcedureCodes` describes the current service line/)]]);
    const line = await loadOne(ruleText({}, when));
    expect(line.problems).toEqual([]);
  });

  it.each([
    ['a wildcard', '$.serviceLines[*].code', /path `\$\.serviceLines\[\*\]\.code` is not supported/],
    ['recursive descent', '$..code', /path `\$\.\.code` is not supported/],
    ['a filter', '$.modifiers[?(@ == "25")]', /is not supported/],
    ['bracket notation', "$['procedureCode']", /is not supported/],
    ['no leading $', 'procedureCode', /is not supported/],
    ['__proto__', '$.__proto__.polluted', /uses `__proto__`/],
    ['constructor', '$.constructor', /uses `constructor`/],
    ['prototype', '$.modifiers.prototype', /uses `prototype`/],
    ['toString', '$.toString', /uses `toString`/],
  ])('refuses a path with %s at the path', async (_name, pathText, message) => {
    const when = ['  all:', '    - fact: line', `      path: ${JSON.stringify(pathText)}`, '      operator: equal', '      value: "99213"'];
    const { problems } = await loadOne(ruleText({}, when));
    expect(where(problems)).toEqual([[16, 13, expect.stringMatching(message)]]);
  });

  it('accepts a path of names and numeric indexes', async () => {
    const when = ['  all:', '    - fact: line', '      path: $.modifiers[0]', '      operator: equal', '      value: "25"'];
    const { problems } = await loadOne(ruleText({}, when));
    expect(problems).toEqual([]);
  });

  it.each(['constructor', 'toString', 'hasOwnProperty', '__proto__', 'prototype'])('refuses the prototype name %s as a fact', async (fact) => {
    const when = ['  all:', `    - fact: ${fact}`, '      operator: equal', '      value: 1'];
    const { problems } = await loadOne(ruleText({}, when));
    expect(where(problems)).toEqual([[15, 13, expect.stringMatching(new RegExp(`^\`${fact}\` cannot be a fact`))]]);
  });

  it('refuses a problem deep inside nested all / any / not at that node', async () => {
    const when = [
      '  all:', // 14
      '    - fact: line', // 15
      '      path: $.procedureCode',
      '      operator: equal',
      '      value: "99213"',
      '    - any:', // 19
      '        - fact: line',
      '          path: $.units',
      '          operator: greaterThan',
      '          value: 2',
      '        - not:', // 24
      '            all:',
      '              - fact: line', // 26
      '                path: $.modifiers',
      '                operator: containz', // 28
      '                value: "25"',
    ];
    const { problems } = await loadOne(ruleText({}, when));
    expect(where(problems)).toEqual([[28, 27, expect.stringMatching(/^unknown operator `containz`/)]]);
  });

  it('accepts the same nested condition with a known operator', async () => {
    const when = [
      '  all:',
      '    - fact: line',
      '      path: $.procedureCode',
      '      operator: equal',
      '      value: "99213"',
      '    - any:',
      '        - fact: line',
      '          path: $.units',
      '          operator: greaterThan',
      '          value: 2',
      '        - not:',
      '            all:',
      '              - fact: line',
      '                path: $.modifiers',
      '                operator: contains',
      '                value: "25"',
    ];
    const { problems } = await loadOne(ruleText({}, when));
    expect(problems).toEqual([]);
  });

  it('refuses a comparison without a value at the comparison, and an unknown key at that key', async () => {
    const when = ['  all:', '    - fact: line', '      path: $.procedureCode', '      operator: equal', '      priorty: 1'];
    const { problems } = await loadOne(ruleText({}, when));
    expect(where(problems)).toEqual([
      [15, 7, 'a comparison needs `value`'],
      [18, 16, expect.stringMatching(/^unknown key `priorty` in a comparison/)],
    ]);
  });

  it('refuses a bare comparison at the top of `when`', async () => {
    const when = ['  fact: line', '  path: $.procedureCode', '  operator: equal', '  value: "99213"'];
    const { problems } = await loadOne(ruleText({}, when));
    expect(where(problems)).toEqual([[14, 3, expect.stringMatching(/^the top of a rule condition must be `all`, `any` or `not`/)]]);
  });

  it('refuses a params reference to a parameter the rule does not have, and accepts one it has', async () => {
    const when = ['  all:', '    - fact: line', '      path: $.procedureCode', '      operator: in', '      value: { fact: params, path: $.codes }'];
    const missing = await loadOne(ruleText({}, when));
    expect(where(missing.problems)).toEqual([[18, 14, expect.stringMatching(/the rule has no parameter at `\$\.codes`/)]]);
    const present = await loadOne(ruleText({ params: '{ codes: ["99213"] }' }, when));
    expect(present.problems).toEqual([]);
  });

  it('refuses a params value that the operator cannot use, at the value that reads it', async () => {
    const when = ['  all:', '    - fact: line', '      path: $.procedureCode', '      operator: in', '      value: { fact: params, path: $.codes }'];
    const { problems } = await loadOne(ruleText({ params: '{ codes: "99213" }' }, when));
    expect(where(problems)).toEqual([[19, 14, expect.stringMatching(/`in` needs a list as the value/)]]);
  });
});

describe('message placeholders', () => {
  it.each([
    ['an unknown fact', '"Code {{nope}}."', /^placeholder \{\{nope\}\}: unknown fact "nope"$/],
    ['a bad path', '"Code {{line..procedureCode}}."', /^placeholder \{\{line\.\.procedureCode\}\}: path `\$\.\.procedureCode` is not supported/],
    ['a wildcard path', '"Code {{line.modifiers[*]}}."', /is not supported/],
    ['a prototype name in the path', '"Code {{line.constructor}}."', /uses `constructor`/],
    ['a prototype name as the fact', '"Code {{constructor}}."', /unknown fact "constructor"/],
    ['no fact name', '"Code {{ }}."', /must start with a fact name/],
    ['an unclosed placeholder', '"Code {{line.procedureCode} needs a look."', /opens a placeholder with \{\{ but does not close it/],
    ['a stray closing brace pair', '"Code line.procedureCode}} needs a look."', /closes a placeholder with \}\} that was never opened/],
  ])('refuses %s at the message', async (_name, message, expected) => {
    const { problems } = await loadOne(ruleText({ message }));
    expect(where(problems)).toEqual([[8, 10, expect.stringMatching(expected)]]);
  });

  it('refuses `line` and line-scope computed facts in a claim-scope rule message', async () => {
    const line = await loadOne(ruleText({ ...CLAIM_FIELDS, message: '"Code {{line.procedureCode}}."' }, CLAIM_WHEN));
    expect(where(line.problems)).toEqual([[8, 10, 'placeholder {{line.procedureCode}}: the fact "line" exists only in line-scope rules']]);
    const computed = await loadOne(ruleText({ ...CLAIM_FIELDS, message: '"Codes {{sameDayOtherProcedureCodes}}."' }, CLAIM_WHEN));
    expect(where(computed.problems)).toEqual([[8, 10, expect.stringMatching(/needs a service line, so only line-scope rules can use it/)]]);
  });

  it('accepts claim, line, params and computed facts with paths in a line-scope rule', async () => {
    const message = '"{{line.procedureCode}} of {{claim.id}} on {{line.serviceDate}}: {{params.codes[0]}}, {{sameDayOtherProcedureCodes}}, {{earliestServiceDate}}, {{claim.diagnoses[0].code}}, {{ line.units }}."';
    const { problems } = await loadOne(ruleText({ message, params: '{ codes: ["99213"] }' }));
    expect(problems).toEqual([]);
  });
});

describe('location, dates and replacements', () => {
  it('refuses [*] in the location of a claim-scope rule, at the location', async () => {
    const { problems } = await loadOne(ruleText({ ...CLAIM_FIELDS, location: 'serviceLines[*].units' }, CLAIM_WHEN));
    expect(where(problems)).toEqual([[7, 11, 'A claim-scope rule has no current line, so its location cannot contain [*].']]);
  });

  it('accepts [*] in a line-scope rule and a numeric index in a claim-scope rule', async () => {
    expect((await loadOne(ruleText({ location: 'serviceLines[*].units' }))).problems).toEqual([]);
    expect((await loadOne(ruleText({ ...CLAIM_FIELDS, location: 'serviceLines[0].units' }, CLAIM_WHEN))).problems).toEqual([]);
  });

  it.each([
    ['before', '2025-06-01'],
    ['on the same day as', '2026-01-01'],
  ])('refuses expires %s effective, at expires', async (_name, expires) => {
    const { problems } = await loadOne(ruleText({ effective: '2026-01-01', expires }));
    expect(where(problems)).toEqual([[14, 10, `expires (${expires}) must be after effective (2026-01-01).`]]);
  });

  it('accepts expires after effective, or either alone', async () => {
    expect((await loadOne(ruleText({ effective: '2026-01-01', expires: '2026-01-02' }))).problems).toEqual([]);
    expect((await loadOne(ruleText({ expires: '2026-01-02' }))).problems).toEqual([]);
    expect((await loadOne(ruleText({ effective: '2026-01-02' }))).problems).toEqual([]);
  });

  it('refuses replacedBy without deprecated, at replacedBy', async () => {
    const dir = await tree({
      'coding/my-rule.yaml': ruleText({ replacedBy: 'new-rule' }),
      'coding/new-rule.yaml': ruleText({ id: 'new-rule' }),
    });
    const { problems } = await loadRules([dir]);
    expect(where(problems)).toEqual([[13, 13, 'replacedBy is only for deprecated rules: add deprecated: true.']]);
  });

  it('refuses replacedBy naming a rule that is not loaded, at replacedBy', async () => {
    const { problems, file } = await loadOne(ruleText({ deprecated: 'true', replacedBy: 'new-rule' }));
    expect(problems).toEqual([
      { position: { file, line: 14, column: 13 }, message: 'replacedBy names "new-rule", which is not a loaded rule.' },
    ]);
  });

  it('refuses a rule that replaces itself', async () => {
    const { problems } = await loadOne(ruleText({ deprecated: 'true', replacedBy: 'my-rule' }));
    expect(where(problems)).toEqual([[14, 13, 'A rule cannot replace itself.']]);
  });

  it('accepts a deprecated rule replaced by a rule in another rules directory', async () => {
    const oldDir = await tree({ 'coding/my-rule.yaml': ruleText({ deprecated: 'true', replacedBy: 'new-rule' }) });
    const newDir = await tree({ 'coding/new-rule.yaml': ruleText({ id: 'new-rule' }) });
    const { problems, rules } = await loadRules([oldDir, newDir]);
    expect(problems).toEqual([]);
    expect(rules.map((rule) => rule.definition.id)).toEqual(['my-rule', 'new-rule']);
  });
});

describe('duplicate rule ids', () => {
  it('refuses the same id in two rules directories, at the second file\'s id, naming the first file', async () => {
    const first = await tree({ 'coding/my-rule.yaml': ruleText() });
    const second = await tree({ 'modifier/my-rule.yaml': ruleText({ category: 'modifier' }) });
    const { rules, problems } = await loadRules([first, second]);
    expect(rules.map((rule) => rule.file)).toEqual([path.join(first, 'coding/my-rule.yaml')]);
    expect(problems).toEqual([
      {
        position: { file: path.join(second, 'modifier/my-rule.yaml'), line: 1, column: 5 },
        message: `Rule id "my-rule" is already declared in ${path.join(first, 'coding/my-rule.yaml')}. Rule ids are unique and permanent.`,
      },
    ]);
    const error = await refusedPack([first, second]);
    expect(error.code).toBe('SCRUB_ERR_RULE_INVALID');
    expect(error.problems).toHaveLength(1);
  });

  it('refuses the same id in two category folders of one directory', async () => {
    const dir = await tree({ 'coding/my-rule.yaml': ruleText(), 'modifier/my-rule.yaml': ruleText({ category: 'modifier' }) });
    const { problems } = await loadRules([dir]);
    expect(where(problems)).toEqual([[1, 5, expect.stringMatching(/^Rule id "my-rule" is already declared in .*coding\/my-rule\.yaml/)]]);
  });

  it('accepts different ids in two rules directories', async () => {
    const first = await tree({ 'coding/my-rule.yaml': ruleText() });
    const second = await tree({ 'coding/other-rule.yaml': ruleText({ id: 'other-rule' }) });
    const pack = await loadRulePack({ rulesDirs: [first, second] });
    expect(pack.rules.map((rule) => rule.definition.id)).toEqual(['my-rule', 'other-rule']);
  });
});

describe('every problem of a file is reported', () => {
  it('reports three problems beyond the schema as three', async () => {
    const text = ruleText({ ...CLAIM_FIELDS, id: 'wrong-id', location: 'serviceLines[*].units', message: '"{{nope}}"' }, CLAIM_WHEN);
    const { problems } = await loadOne(text);
    expect(where(problems)).toEqual([
      [1, 5, 'The rule id "wrong-id" must equal the file name "my-rule".'],
      [7, 11, 'A claim-scope rule has no current line, so its location cannot contain [*].'],
      [8, 10, 'placeholder {{nope}}: unknown fact "nope"'],
    ]);
  });

  it('reports schema problems and the problems beyond the schema together', async () => {
    const when = ['  all:', '    - fact: lyne', '      operator: equal', '      value: 1'];
    const { problems } = await loadOne(ruleText({ id: 'wrong-id', severity: 'fatal' }, when));
    expect(where(problems)).toEqual([
      [1, 5, 'The rule id "wrong-id" must equal the file name "my-rule".'],
      [5, 11, '`severity` must be one of "error", "warning", "info".'],
      [15, 13, expect.stringMatching(/^unknown fact `lyne`/)],
    ]);
  });

  it('does not check a key the schema refused (no follow-on noise)', async () => {
    // scope is wrong: the condition and the location, which depend on it, are not checked again.
    const { problems } = await loadOne(ruleText({ scope: 'claims' }, LINE_WHEN));
    expect(where(problems)).toEqual([[6, 8, '`scope` must be one of "claim", "line".']]);
  });

  it('reports every problem of every file in one ScrubError from loadRulePack', async () => {
    const dir = await tree({
      'coding/my-rule.yaml': ruleText({ severity: 'fatal', helpp: 'x' }),
      'modifier/other-rule.yaml': ruleText({ id: 'other-rule' }),
    });
    const error = await refusedPack([dir]);
    expect(error.code).toBe('SCRUB_ERR_RULE_INVALID');
    expect(error.message).toBe('3 problem(s) in rule files');
    expect(error.problems.map((problem) => [path.relative(dir, problem.position.file), problem.position.line, problem.position.column])).toEqual([
      ['coding/my-rule.yaml', 5, 11],
      ['coding/my-rule.yaml', 13, 1],
      ['modifier/other-rule.yaml', 4, 11],
    ]);
  });
});

describe('YAML that could execute or pollute', () => {
  const prototypeNamesBefore = Object.getOwnPropertyNames(Object.prototype).sort();
  const expectUnpolluted = () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeNamesBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
  };

  it.each([
    ['a js/function tag', { title: '!!js/function "function () { return process.exit(1) }"' }, [3, 8, 'YAML tags (!!js/function) are not allowed in rule files: values must be plain data.']],
    ['a js/undefined tag', { help: '!!js/undefined ""' }, [9, 7, 'YAML tags (!!js/undefined) are not allowed in rule files: values must be plain data.']],
    ['a custom tag', { severity: '!foo error' }, [5, 11, 'YAML tags (!foo) are not allowed in rule files: values must be plain data.']],
    ['an explicit standard tag', { version: '!!int 1' }, [2, 10, 'YAML tags (!!int) are not allowed in rule files: values must be plain data.']],
    ['a verbatim tag', { title: '!<tag:yaml.org,2002:str> A test rule' }, [3, 8, expect.stringMatching(/^YAML tags \(!<tag:yaml\.org,2002:str>\) are not allowed/)]],
    ['a tag on a mapping', { params: '!!map { codes: [] }' }, [13, 9, 'YAML tags (!!map) are not allowed in rule files: values must be plain data.']],
  ])('refuses %s at the tag', async (_name, fields, expected) => {
    const { problems, rules } = await loadOne(ruleText(fields as Record<string, string>));
    expect(rules).toEqual([]);
    expect(where(problems)).toEqual([expected]);
  });

  it('refuses a tag on a key', async () => {
    const { problems } = await loadOne(ruleText({ '!!str help': 'x', help: null }));
    expect(where(problems)).toEqual([[12, 1, 'YAML tags (!!str) are not allowed in rule files: values must be plain data.']]);
  });

  it('refuses anchors and aliases, each at the & or *', async () => {
    const { problems } = await loadOne(ruleText({ title: '&t A test rule', help: '*t' }));
    expect(where(problems)).toEqual([
      [3, 8, 'YAML anchors (&name) are not allowed in rule files: write the value out.'],
      [9, 7, 'YAML aliases (*name) are not allowed in rule files: write the value out.'],
    ]);
  });

  it('refuses an anchor without any alias', async () => {
    const { problems } = await loadOne(ruleText({ references: '\n  - &ref { title: A reference }' }));
    expect(where(problems)).toEqual([[12, 5, 'YAML anchors (&name) are not allowed in rule files: write the value out.']]);
  });

  it('refuses a billion-laughs alias bomb quickly, without expanding it', async () => {
    const levels = ['  l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i < 10; i++) levels.push(`  l${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(', ')}]`);
    const text = ruleText({ params: `\n${levels.join('\n')}` });
    const started = performance.now();
    const { problems, rules } = await loadOne(text);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(rules).toEqual([]);
    expect(problems).toHaveLength(10 + 9 * 9);
    expect(problems.filter((problem) => problem.message.startsWith('YAML anchors'))).toHaveLength(10);
    expect(problems.filter((problem) => problem.message.startsWith('YAML aliases'))).toHaveLength(81);
    expect(where(problems).slice(0, 3)).toEqual([
      [14, 7, expect.stringMatching(/^YAML anchors/)],
      [15, 7, expect.stringMatching(/^YAML anchors/)],
      [15, 12, expect.stringMatching(/^YAML aliases/)],
    ]);
  });

  it('refuses a merge key built from an alias', async () => {
    const { problems } = await loadOne(ruleText({ params: '\n  base: &base { codes: [] }\n  other:\n    <<: *base' }));
    expect(where(problems)).toEqual([
      [14, 9, expect.stringMatching(/^YAML anchors/)],
      [16, 9, expect.stringMatching(/^YAML aliases/)],
    ]);
  });

  it.each([
    // A computed key: a plain `'__proto__':` in an object literal would set the literal's prototype.
    ['__proto__ at the top', { ['__proto__']: '{ polluted: true }' }, [13, 1, '__proto__']],
    ['quoted "__proto__"', { '"__proto__"': '{ polluted: true }' }, [13, 1, '__proto__']],
    ['constructor in params', { params: '\n  constructor: { prototype: { polluted: true } }' }, [14, 3, 'constructor']],
    ['prototype deep in a list', { params: '\n  lists:\n    - - prototype: { polluted: true }' }, [15, 9, 'prototype']],
    ['__proto__ in a flow mapping', { params: '{ a: { __proto__: { polluted: true } } }' }, [13, 16, '__proto__']],
  ])('refuses %s at the key, and nothing is polluted', async (_name, fields, [line, column, key]) => {
    const { problems, rules } = await loadOne(ruleText(fields as Record<string, string | null>));
    expect(rules).toEqual([]);
    expect(where(problems)).toContainEqual([line, column, `The key "${String(key)}" is not allowed: it names an object prototype property.`]);
    expectUnpolluted();
  });

  it('refuses prototype keys inside `when`, and nothing is polluted', async () => {
    const when = ['  all:', '    - fact: line', '      operator: equal', '      value:', '        __proto__: { polluted: true }'];
    const { problems } = await loadOne(ruleText({}, when));
    expect(where(problems)).toEqual([[18, 9, 'The key "__proto__" is not allowed: it names an object prototype property.']]);
    expectUnpolluted();
  });

  it('never returns a value with a prototype key from readYaml', () => {
    for (const text of ['__proto__: { polluted: true }\n', 'a: [{ constructor: 1 }]\n', 'a:\n  b:\n    prototype: 1\n']) {
      const read = readYaml('x.yaml', text);
      expect(read.ok).toBe(false);
    }
    expectUnpolluted();
  });
});

describe('the bundled rule pack', () => {
  const rulesDir = path.join(repoRoot, 'rules');
  const payersDir = path.join(repoRoot, 'payers');

  it('loads without problems', async () => {
    const pack = await loadRulePack({ rulesDirs: [rulesDir], payersDir });
    expect(pack.rules.length).toBeGreaterThan(0);
    expect(pack.policies.length).toBeGreaterThan(0);
    expect(pack.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names every rule file after its rule id, in the folder of its category, with a test file beside it', async () => {
    const pack = await loadRulePack({ rulesDirs: [rulesDir], payersDir });
    for (const rule of pack.rules) {
      expect(path.basename(rule.file, '.yaml')).toBe(rule.definition.id);
      expect(path.basename(path.dirname(rule.file))).toBe(rule.definition.category);
      expect(path.dirname(path.dirname(rule.file))).toBe(rulesDir);
      await expect(readFile(testFileFor(rule.file), 'utf8')).resolves.toMatch(/valid:/);
    }
    const folders = (await readdir(rulesDir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    for (const folder of folders) expect(CATEGORIES).toContain(folder);
  });

  it('names every payer policy after its file', async () => {
    const pack = await loadRulePack({ rulesDirs: [rulesDir], payersDir });
    for (const policy of pack.policies) expect(path.basename(policy.file, '.yaml')).toBe(policy.id);
  });

  it('has a hash that is stable across loads and changes with any rule file', async () => {
    const first = await loadRulePack({ rulesDirs: [rulesDir], payersDir });
    const second = await loadRulePack({ rulesDirs: [rulesDir], payersDir });
    expect(second.hash).toBe(first.hash);
    const dir = await tree({ 'coding/my-rule.yaml': ruleText() });
    const one = await loadRulePack({ rulesDirs: [dir] });
    await writeFile(path.join(dir, 'coding/my-rule.yaml'), ruleText({ title: 'A changed title' }));
    const changed = await loadRulePack({ rulesDirs: [dir] });
    expect(changed.hash).not.toBe(one.hash);
  });
});

describe('parseRuleFile', () => {
  it('checks text without touching the file system, and returns where it read it from', () => {
    const result = parseRuleFile('/virtual/coding/my-rule.yaml', ruleText(), path.join('coding', 'my-rule.yaml'));
    expect(result.problems).toEqual([]);
    expect(result.rule?.file).toBe('/virtual/coding/my-rule.yaml');
    expect(result.source?.locate(['when', 'all', 0, 'operator'])).toEqual({ line: 17, column: 17 });
  });
});

describe('sources: the computed fact that names an edit\'s reference data', () => {
  it('accepts a computed fact of the rule\'s scope', async () => {
    const { problems, rules } = await loadOne(ruleText({ sources: 'linePtpConflict' }));
    expect(problems).toEqual([]);
    expect(rules[0]?.definition.sources).toBe('linePtpConflict');
  });

  it.each([
    ['an unknown fact', 'ptpRows', 'sources: unknown fact "ptpRows"'],
    ['an input fact', 'line', 'sources: "line" is an input fact: sources names a computed fact that lists reference data rows'],
  ])('refuses %s, at the key', async (_name, fact, expected) => {
    const { problems } = await loadOne(ruleText({ sources: fact }));
    expect(where(problems)).toEqual([[13, 10, expect.stringContaining(expected)]]);
  });

  it('refuses a line-scope fact in a claim-scope rule', async () => {
    const { problems } = await loadOne(ruleText({ ...CLAIM_FIELDS, sources: 'lineMueExcess' }, CLAIM_WHEN));
    expect(where(problems)).toEqual([[13, 10, expect.stringMatching(/^sources: .*needs a service line, so only line-scope rules can use it/)]]);
  });
});
