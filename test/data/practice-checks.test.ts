import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRACTICE_FACTS, unitsUsedBefore } from '../../engine/checks/practice.js';
import { performingNpi } from '../../engine/checks/service-lines.js';
import type { FactContext } from '../../engine/checks/types.js';
import { isValidNpi } from '../../engine/checks/values.js';
import { loadPracticeFiles, parsePracticeFile, type Authorization, type PracticeData } from '../../engine/data/practice/index.js';
import type { RowProblem } from '../../engine/data/problems.js';
import { createScrubber } from '../../engine/index.js';
import { addCalendarSpan } from '../../engine/model/dates.js';
import { CompiledPack } from '../../engine/rules/bundle.js';
import { createEvaluationContext, enterLine } from '../../engine/rules/compile/index.js';
import { loadRulePack } from '../../engine/rules/pack.js';
import { evaluateWithJsonRulesEngine } from '../../engine/rules/reference.js';
import { Rng, generateClaimsWithLabels } from '../../fixtures/generator/generate.js';
import { ROOT } from '../helpers/cli.js';

const PRACTICE_RULES = [
  'member-not-in-coverage-file',
  'service-before-coverage',
  'service-after-coverage-ended',
  'service-in-coverage-lapse',
  'prior-auth-number-unknown',
  'prior-auth-outside-window',
  'prior-auth-code-not-covered',
  'prior-auth-units-exceeded',
  'prior-auth-number-not-on-claim',
  'rendering-provider-not-enrolled',
];

const FIXTURE_FILES = {
  coverage: path.join(ROOT, 'fixtures/practice/coverage.csv'),
  authorizations: path.join(ROOT, 'fixtures/practice/authorizations.csv'),
  enrolment: path.join(ROOT, 'fixtures/practice/enrolment.csv'),
};

const pack = await loadRulePack({ rulesDirs: [path.join(ROOT, 'rules')], payersDir: path.join(ROOT, 'payers') });
const compiled = new CompiledPack(pack);
const bundle = compiled.bundleForPolicy(undefined);
const claimRules = bundle.claimRules.filter((active) => PRACTICE_RULES.includes(active.rule.definition.id));
const lineRules = bundle.lineRules.filter((active) => PRACTICE_RULES.includes(active.rule.definition.id));

const shift = (date: string, days: number) => addCalendarSpan(date, { days });

function firstDate(claim: Record<string, unknown>): string {
  return ((claim.serviceLines as { serviceDate: string }[]).map((line) => line.serviceDate).sort()[0]) as string;
}

/**
 * Practice files written for a generated batch, seeded: most members covered around their dates
 * of service, some before, after or in a lapse, some not listed; one payer left out of every file;
 * authorizations for the claims that carry a number (some mistyped, some short of units or dates)
 * and for some that do not; most performing providers enrolled.
 */
function practiceFor(claims: Record<string, unknown>[], rng: Rng): PracticeData {
  const payers = [...new Set(claims.map((claim) => (claim.payer as { id: string }).id))].sort();
  const leftOut = payers[0];
  const coverage = ['payerId,memberId,start,end'];
  const authorizations = ['number,payerId,memberId,procedureCodes,start,end,units,unitsUsed'];
  const enrolment = ['payerId,npi,start,end'];
  const members = new Set<string>();
  const providers = new Set<string>();
  for (const [index, claim] of claims.entries()) {
    const payerId = (claim.payer as { id: string }).id;
    if (payerId === leftOut) continue;
    const memberId = (claim.subscriber as { memberId: string }).memberId;
    const date = firstDate(claim);
    const lines = claim.serviceLines as { procedureCode: string; units: number; serviceDate: string }[];
    if (!members.has(`${payerId}|${memberId}`) && !rng.chance(0.1)) {
      members.add(`${payerId}|${memberId}`);
      const variant = rng.weighted([
        ['covered', 6],
        ['before', 1],
        ['after', 1],
        ['lapse', 1],
      ] as const);
      if (variant === 'covered') coverage.push(`${payerId},${memberId},${shift(date, -rng.int(0, 400))},${rng.chance(0.5) ? '' : shift(date, rng.int(30, 400))}`);
      if (variant === 'before') coverage.push(`${payerId},${memberId},${shift(date, rng.int(0, 20))},`);
      if (variant === 'after') coverage.push(`${payerId},${memberId},${shift(date, -400)},${shift(date, -rng.int(1, 20))}`);
      if (variant === 'lapse') coverage.push(`${payerId},${memberId},${shift(date, -400)},${shift(date, -rng.int(1, 5))}`, `${payerId},${memberId},${shift(date, rng.int(0, 5))},`);
    }
    const codes = lines.map((line) => line.procedureCode);
    if (rng.chance(0.3) && claim.priorAuthorization === undefined) claim.priorAuthorization = `GEN${index}`;
    const number = typeof claim.priorAuthorization === 'string' ? claim.priorAuthorization : `NOTONCLAIM${index}`;
    if (rng.chance(0.85)) {
      const listed = rng.chance(0.2) ? codes.slice(1).concat('99499') : codes;
      const units = Math.max(0, lines.reduce((sum, line) => sum + (typeof line.units === 'number' ? line.units : 0), 0) + rng.int(-2, 2));
      const start = rng.chance(0.15) ? shift(date, 1) : shift(date, -rng.int(0, 30));
      authorizations.push(
        `${rng.chance(0.1) ? `${number}X` : number},${payerId},${memberId},${listed.join(';')},${start},${rng.chance(0.2) ? '' : shift(date, rng.int(0, 60))},${units},${rng.int(0, 2)}`,
      );
    }
    for (const line of lines) {
      const npi = performingNpi(claim, line);
      if (!isValidNpi(npi) || providers.has(`${payerId}|${npi}`) || rng.chance(0.1)) continue;
      providers.add(`${payerId}|${npi}`);
      enrolment.push(`${payerId},${npi},${rng.chance(0.9) ? shift(date, -rng.int(0, 900)) : shift(date, 1)},`);
    }
  }
  const problems: RowProblem[] = [];
  const data: PracticeData = {
    coverage: parsePracticeFile('coverage', 'coverage.csv', `${coverage.join('\n')}\n`, problems),
    authorizations: parsePracticeFile('authorizations', 'authorizations.csv', `${authorizations.join('\n')}\n`, problems),
    enrolment: parsePracticeFile('enrolment', 'enrolment.csv', `${enrolment.join('\n')}\n`, problems),
  };
  expect(problems).toEqual([]);
  return data;
}

const DAMAGE: ((value: unknown) => unknown)[] = [() => null, () => undefined, () => '', () => 7, (value) => (Array.isArray(value) ? {} : [value]), (value) => (typeof value === 'string' ? value.toLowerCase() : value)];

function damage(claim: unknown, rng: Rng): unknown {
  const copy = structuredClone(claim) as Record<string, unknown>;
  const holders: Record<string, unknown>[] = [];
  const walk = (node: unknown) => {
    if (node !== null && typeof node === 'object') {
      holders.push(node as Record<string, unknown>);
      for (const child of Object.values(node)) walk(child);
    }
  };
  walk(copy);
  for (let i = 0; i < 2; i++) {
    const holder = rng.pick(holders);
    const keys = Object.keys(holder);
    if (keys.length === 0) continue;
    const key = rng.pick(keys);
    const replacement = rng.pick(DAMAGE)(holder[key]);
    if (replacement === undefined) delete holder[key];
    else holder[key] = replacement;
  }
  return copy;
}

function firedRules(claim: unknown, practice: PracticeData | undefined): string[] {
  const context = createEvaluationContext(claim);
  context.practice = practice;
  const fired: string[] = [];
  for (const active of claimRules) if (active.rule.test(context)) fired.push(active.rule.definition.id);
  const lines = (claim as { serviceLines?: unknown }).serviceLines;
  if (Array.isArray(lines)) {
    lines.forEach((line, index) => {
      enterLine(context, line, index);
      for (const active of lineRules) if (active.rule.test(context)) fired.push(active.rule.definition.id);
    });
  }
  return fired;
}

describe('practice checks on a generated batch', () => {
  const rng = Rng.fromSeed(20261124);
  const claims = [...generateClaimsWithLabels({ count: 160, seed: 31, defectRate: 0.3, malformedRate: 0 })].map((labeled) => JSON.parse(labeled.line) as Record<string, unknown>);
  const practice = practiceFor(claims, rng);
  const damaged = claims.map((claim) => damage(claim, rng));

  it('covers every practice rule (the bundled default policy runs them all)', () => {
    expect([...claimRules, ...lineRules].map((active) => active.rule.definition.id).sort()).toEqual([...PRACTICE_RULES].sort());
  });

  it('fire nothing when no practice file was given, whatever the claims hold', () => {
    for (const claim of [...claims, ...damaged]) expect(firedRules(claim, undefined)).toEqual([]);
    for (const claim of claims) expect(firedRules(claim, {})).toEqual([]);
  });

  it('agree with json-rules-engine on every claim and line, damaged claims included, and each rule fires', async () => {
    const disagreements: string[] = [];
    const fired = new Map<string, number>();
    for (const claim of [...claims, ...damaged]) {
      const context = createEvaluationContext(claim);
      context.practice = practice;
      const lines = (claim as { serviceLines?: unknown }).serviceLines;
      const targets: { line: unknown; index: number }[] = [{ line: undefined, index: -1 }];
      if (Array.isArray(lines)) lines.forEach((line, index) => targets.push({ line, index }));
      for (const target of targets) {
        if (target.index >= 0) enterLine(context, target.line, target.index);
        for (const active of target.index < 0 ? claimRules : lineRules) {
          context.params = active.params;
          const ours = Boolean(active.rule.test(context));
          const reference = Boolean(
            await evaluateWithJsonRulesEngine(active.rule.definition.when, { claim, line: target.line, lineIndex: target.index, params: active.params, practice }),
          );
          if (ours) fired.set(active.rule.definition.id, (fired.get(active.rule.definition.id) ?? 0) + 1);
          if (ours !== reference) disagreements.push(`${active.rule.definition.id} line ${target.index}: compiled ${ours}, json-rules-engine ${reference}`);
        }
      }
    }
    expect(disagreements).toEqual([]);
    expect(PRACTICE_RULES.filter((id) => (fired.get(id) ?? 0) === 0)).toEqual([]);
  });
});

const fixture = await loadPracticeFiles(FIXTURE_FILES);

describe('practice facts', () => {

  it('never throw, whatever the claim and line are', () => {
    const shapes: unknown[] = [null, undefined, 7, 'claim', [], {}, { payer: null }, { payer: { id: 7 }, subscriber: [] }, { serviceLines: 'x' }, { serviceLines: [null, 3, {}] }];
    for (const claim of shapes) {
      for (const line of [undefined, null, {}, { serviceDate: 7 }, { procedureCode: 72148, serviceDate: '2026-04-03' }]) {
        for (const fact of PRACTICE_FACTS) {
          const context: FactContext = { claim, line, lineIndex: 0, practice: fixture.data };
          expect(() => fact.compute(context)).not.toThrow();
          expect(fact.compute(context)).toBeUndefined();
        }
      }
    }
  });

  it("describe the claim's authorization for a line, units included", () => {
    const claim = {
      payer: { id: 'BLUE1' },
      subscriber: { memberId: 'XBL100200300' },
      priorAuthorization: 'auth-pt-0042',
      serviceLines: [
        { procedureCode: '97110', units: 3, serviceDate: '2026-03-09' },
        { procedureCode: '97140', units: 2, serviceDate: '2026-03-02' },
        { procedureCode: '99213', units: 1, serviceDate: '2026-03-02' },
      ],
    };
    const fact = PRACTICE_FACTS.find((definition) => definition.name === 'linePriorAuthorization');
    const at = (lineIndex: number) => fact?.compute({ claim, line: claim.serviceLines[lineIndex], lineIndex, practice: fixture.data });
    expect(at(0)).toEqual({
      number: 'AUTH-PT-0042',
      codes: '97110-97140 97161',
      window: '2026-03-01 to 2026-05-31',
      fileLine: 4,
      codeCovered: true,
      codeInPayerAuthorizations: true,
      otherNumber: null,
      otherAuthorization: null,
      dateInside: true,
      unitsAuthorized: 12,
      unitsUsedBefore: 4,
      unitsBilled: 5,
      unitsTotal: 9,
      unitsExceeded: false,
    });
    expect(at(1)).toMatchObject({ unitsBilled: 2, unitsTotal: 6 });
    expect(at(2)).toMatchObject({ codeCovered: false, codeInPayerAuthorizations: false, dateInside: null, unitsBilled: 0 });
  });

  it('leave one place for the units earlier claims of the batch used', () => {
    const authorization = fixture.data.authorizations?.member('BLUE1', 'XBL100200300')?.get('AUTH-PT-0042') as Authorization;
    expect(unitsUsedBefore(authorization, undefined)).toBe(4);
    expect(unitsUsedBefore(authorization, 3)).toBe(7);
  });
});

describe('createScrubber with practice files', () => {
  const claim = {
    id: 'PCN-PRACTICE-1',
    totalCharge: 950,
    priorAuthorization: 'PA20260401X',
    payer: { id: 'ACME1', responsibility: 'primary', claimFilingIndicator: 'CI' },
    subscriber: { memberId: 'ACM000654321', lastName: 'Specimen' },
    patient: { relationship: 'self', lastName: 'Specimen', dateOfBirth: '1959-07-04', sex: 'M' },
    billingProvider: { npi: '1456789019', name: 'Example Imaging Center' },
    renderingProvider: { npi: '1600000032' },
    diagnoses: [{ code: 'M54.50' }],
    serviceLines: [{ procedureCode: '72148', modifiers: ['26'], charge: 950, units: 3, serviceDate: '2026-10-02', diagnosisPointers: [1] }],
  };
  const practiceCodes = (result: { edits: { code: string }[] }) => result.edits.map((edit) => edit.code).filter((code) => PRACTICE_RULES.includes(code));

  it('checks claims against them', async () => {
    const scrubber = await createScrubber(undefined, { practiceFiles: FIXTURE_FILES, submissionDate: null });
    expect(practiceCodes(scrubber.scrubClaim(claim))).toEqual(['service-after-coverage-ended', 'prior-auth-outside-window']);
    const inWindow = { ...claim, serviceLines: [{ ...claim.serviceLines[0], serviceDate: '2026-04-03' }] };
    expect(practiceCodes(scrubber.scrubClaim(inWindow))).toEqual(['prior-auth-units-exceeded']);
  });

  it('checks nothing without them', async () => {
    const scrubber = await createScrubber(undefined, { submissionDate: null });
    expect(practiceCodes(scrubber.scrubClaim(claim))).toEqual([]);
  });
});
