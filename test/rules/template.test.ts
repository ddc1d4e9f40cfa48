import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CompiledPack } from '../../engine/rules/bundle.js';
import { factProblem } from '../../engine/rules/load-rules.js';
import { loadRulePack } from '../../engine/rules/pack.js';
import { MISSING_VALUE, parseTemplate, renderTemplate } from '../../engine/rules/template.js';
import type { RuleScope } from '../../engine/rules/types.js';
import { runBundle } from '../../engine/runtime/scrub-claim.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const FACTS: Record<string, unknown> = {
  claim: {
    id: 'PCN-1',
    payer: { id: 'ACME1', name: 'Acme' },
    diagnoses: [{ code: 'E11.9' }, { code: 'I10' }],
    patient: { dateOfBirth: '1968-04-12', middleName: '', suffix: null },
  },
  line: { procedureCode: '99214', units: 0, modifiers: ['25', 'GT'], emergency: false, noModifiers: [], nested: [['a', 'b'], ['c']], gaps: ['x', null, ''] },
  params: { maxUnits: 4, codes: ['70551', '70552'], range: { from: '00100', to: '01999' } },
  earliestServiceDate: '2026-03-02',
  sameDayOtherProcedureCodes: ['20610', '11055'],
};

/** Parses with the facts a rule of `scope` may use, then renders from FACTS (or `facts`). */
function render(template: string, facts: Record<string, unknown> = FACTS, scope: RuleScope = 'line'): string {
  const parsed = parseTemplate(template, (fact) => factProblem(fact, scope));
  if (!parsed.ok) throw new Error(parsed.message);
  return renderTemplate(parsed.parts, (fact) => facts[fact]);
}

function parseError(template: string, scope: RuleScope = 'line'): string | undefined {
  const parsed = parseTemplate(template, (fact) => factProblem(fact, scope));
  return parsed.ok ? undefined : parsed.message;
}

describe('parseTemplate', () => {
  it('splits text and placeholders, with each placeholder\'s fact and path segments', () => {
    expect(parseTemplate('Line {{line.procedureCode}} of {{claim.diagnoses[1].code}}{{earliestServiceDate}}.', () => undefined)).toEqual({
      ok: true,
      parts: [
        'Line ',
        { fact: 'line', segments: ['procedureCode'] },
        ' of ',
        { fact: 'claim', segments: ['diagnoses', 1, 'code'] },
        { fact: 'earliestServiceDate', segments: [] },
        '.',
      ],
    });
  });

  it('keeps text without placeholders as one part, and an empty template as none', () => {
    expect(parseTemplate('No placeholders here.', () => undefined)).toEqual({ ok: true, parts: ['No placeholders here.'] });
    expect(parseTemplate('', () => undefined)).toEqual({ ok: true, parts: [] });
  });

  it('allows spaces inside the braces', () => {
    expect(parseTemplate('{{  line.units  }}', () => undefined)).toEqual({ ok: true, parts: [{ fact: 'line', segments: ['units'] }] });
  });

  it('asks the caller about each fact and refuses the first it does not know', () => {
    const asked: string[] = [];
    const result = parseTemplate('{{claim.id}} {{line.units}} {{nope.x}} {{other}}', (fact) => {
      asked.push(fact);
      return fact === 'nope' ? 'no such fact' : undefined;
    });
    expect(result).toEqual({ ok: false, message: 'placeholder {{nope.x}}: no such fact' });
    expect(asked).toEqual(['claim', 'line', 'nope']);
  });

  it.each([
    ['an empty placeholder', '{{}}', 'placeholder {{}} must start with a fact name, like {{line.procedureCode}}'],
    ['a blank placeholder', 'a {{   }} b', 'placeholder {{}} must start with a fact name, like {{line.procedureCode}}'],
    ['a placeholder starting with a digit', '{{1line}}', 'placeholder {{1line}} must start with a fact name, like {{line.procedureCode}}'],
    ['a placeholder starting with a path', '{{.units}}', 'placeholder {{.units}} must start with a fact name, like {{line.procedureCode}}'],
    ['an unknown fact', '{{lines.units}}', 'placeholder {{lines.units}}: unknown fact "lines"'],
    ['a prototype name as the fact', '{{__proto__}}', 'placeholder {{__proto__}}: unknown fact "__proto__"'],
    ['a space inside the path', '{{line. units}}', expect.stringMatching(/^placeholder \{\{line\. units\}\}: path `\$\. units` is not supported/)],
    ['two dots', '{{line..units}}', expect.stringMatching(/^placeholder \{\{line\.\.units\}\}: path `\$\.\.units` is not supported/)],
    ['a wildcard', '{{claim.diagnoses[*].code}}', expect.stringMatching(/path `\$\.diagnoses\[\*\]\.code` is not supported/)],
    ['a negative index', '{{claim.diagnoses[-1]}}', expect.stringMatching(/is not supported/)],
    ['a trailing dot', '{{line.}}', expect.stringMatching(/path `\$\.` is not supported/)],
    ['a prototype name in the path', '{{claim.constructor.name}}', expect.stringMatching(/uses `constructor`/)],
    ['__proto__ in the path', '{{line.__proto__}}', expect.stringMatching(/uses `__proto__`/)],
    ['a word after the fact', '{{line units}}', expect.stringMatching(/path `\$ units` is not supported/)],
    ['an unclosed placeholder', 'Code {{line.procedureCode} is wrong', '"{{line.procedureCode} is wrong" opens a placeholder with {{ but does not close it with }}'],
    ['an unclosed placeholder at the end', 'Code {{line.procedureCode', '"{{line.procedureCode" opens a placeholder with {{ but does not close it with }}'],
    ['an unclosed placeholder before a good one', 'a {{line.units} b {{line.procedureCode}}', '"{{line.units} b " opens a placeholder with {{ but does not close it with }}'],
    ['a stray closing pair', 'Code line.procedureCode}} is wrong', '"Code line.procedureCode}}" closes a placeholder with }} that was never opened with {{'],
    ['a placeholder holding an opening pair', '{{ {{line.units}} }}', 'placeholder {{{{line.units}} must start with a fact name, like {{line.procedureCode}}'],
  ])('refuses %s', (_name, template, message) => {
    expect(parseError(template)).toEqual(message);
  });

  it.each([
    ['line', '{{line.units}}', 'placeholder {{line.units}}: the fact "line" exists only in line-scope rules'],
    ['a line-scope computed fact', '{{sameDayOtherProcedureCodes}}', expect.stringMatching(/needs a service line, so only line-scope rules can use it$/)],
  ])('refuses %s in a claim-scope rule', (_name, template, message) => {
    expect(parseError(template, 'claim')).toEqual(message);
  });

  it('accepts claim, params and claim-scope computed facts in a claim-scope rule', () => {
    expect(parseError('{{claim.id}} {{params.maxUnits}} {{earliestServiceDate}} {{diagnosisCodes}} {{patientAgeYears}}', 'claim')).toBeUndefined();
  });

  it('accepts single braces as plain text', () => {
    expect(render('a {b} c { {line.units} }')).toBe('a {b} c { {line.units} }');
  });
});

describe('renderTemplate', () => {
  it('fills placeholders from claim, line, params and computed facts', () => {
    expect(render('{{claim.id}} to {{claim.payer.id}}: {{line.procedureCode}} x{{line.units}} (max {{params.maxUnits}}) on {{earliestServiceDate}}')).toBe(
      'PCN-1 to ACME1: 99214 x0 (max 4) on 2026-03-02',
    );
    expect(render('{{claim.diagnoses[1].code}} / {{params.codes[0]}} / {{params.range.to}}')).toBe('I10 / 70551 / 01999');
  });

  it('joins lists with ", ", flattening nested lists', () => {
    expect(render('{{line.modifiers}}')).toBe('25, GT');
    expect(render('{{sameDayOtherProcedureCodes}}')).toBe('20610, 11055');
    expect(render('{{line.nested}}')).toBe('a, b, c');
    expect(render('{{params.codes}}')).toBe('70551, 70552');
  });

  it.each([
    ['a missing field', '{{line.minutes}}'],
    ['a missing step on the way', '{{claim.referringProvider.npi}}'],
    ['an index past the end', '{{claim.diagnoses[5].code}}'],
    ['null', '{{claim.patient.suffix}}'],
    ['empty text', '{{claim.patient.middleName}}'],
    ['an empty list', '{{line.noModifiers}}'],
    ['a missing fact value', '{{params.nothing}}'],
    ['a field of text', '{{claim.payer.id.code}}'],
  ])('renders %s as (none)', (_name, template) => {
    expect(render(template)).toBe(MISSING_VALUE);
    expect(MISSING_VALUE).toBe('(none)');
  });

  it('renders (none) for each missing entry of a list', () => {
    expect(render('{{line.gaps}}')).toBe('x, (none), (none)');
  });

  it('renders a fact that is missing entirely as (none)', () => {
    expect(render('Line {{line.procedureCode}} on {{earliestServiceDate}}', { claim: {}, line: undefined })).toBe('Line (none) on (none)');
  });

  it('renders 0 and false as themselves and a mapping as JSON', () => {
    expect(render('{{line.units}} {{line.emergency}}')).toBe('0 false');
    expect(render('{{params.range}}')).toBe('{"from":"00100","to":"01999"}');
  });

  it('renders the same parts again for other facts', () => {
    const parsed = parseTemplate('{{line.procedureCode}}', () => undefined);
    if (!parsed.ok) throw new Error(parsed.message);
    expect(renderTemplate(parsed.parts, () => ({ procedureCode: 'A' }))).toBe('A');
    expect(renderTemplate(parsed.parts, () => ({ procedureCode: 'B' }))).toBe('B');
  });
});

describe('messages of the bundled rules', () => {
  it('render computed facts and line fields into the edit', async () => {
    const pack = await loadRulePack({ rulesDirs: [path.join(repoRoot, 'rules')], payersDir: path.join(repoRoot, 'payers') });
    const compiled = new CompiledPack(pack);
    const claim = JSON.parse(await readFile(path.join(repoRoot, 'fixtures/claims/medicare-visit.json'), 'utf8')) as { serviceLines: { modifiers?: string[]; serviceDate: string }[] };
    (claim.serviceLines[0] as { modifiers?: string[] }).modifiers = [];
    const [edit] = runBundle(compiled.singleRuleBundle('em-minor-procedure-missing-25'), claim);
    expect(edit?.message).toBe(
      `E/M 99213 is billed on ${claim.serviceLines[0]?.serviceDate} without modifier 25, and the same provider billed a minor procedure that day (the day's other codes: 20610).`,
    );
  });
});
