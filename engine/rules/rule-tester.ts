import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { batchFactsOf } from '../checks/batch/index.js';
import { claimAuthorizationUnits } from '../checks/practice.js';
import type { ClaimBatchFacts } from '../checks/batch/types.js';
import type { PracticeData } from '../data/practice/types.js';
import type { ReferenceData } from '../data/types.js';
import type { ScrubProblem } from '../errors.js';
import type { Edit, Severity } from '../model/index.js';
import { runBundle, type ScrubEnvironment } from '../runtime/scrub-claim.js';
import type { CompiledPack, RuleBundle } from './bundle.js';
import { checkCondition } from './compile/index.js';
import { parseFieldPath, setField, unsetField } from './claim-patch.js';
import { RULE_FILE_SUFFIX, RULE_TEST_SUFFIX } from './load-rules.js';
import { schemaProblems } from './schema-problems.js';
import type { RulePack } from './pack.js';
import { validateRuleTestDocument } from './schema/index.js';
import type { RuleDefinition } from './types.js';
import { readYaml, type YamlSource } from './yaml-source.js';

/**
 * Rule tests in the shape of ESLint's RuleTester: each rule has <id>.test.yaml beside it with
 * `valid` cases (the rule must not fire) and `invalid` cases (exactly the edits listed).
 */
export interface ExpectedEdit {
  code: string;
  path: string;
  severity: Severity;
  serviceLine?: number;
  messageIncludes?: string;
}

/** A claim as a test prepares it: a fixture, then fields set and removed. */
export interface ClaimRecipe {
  claim: string;
  set?: Record<string, unknown>;
  unset?: string[];
}

export interface RuleTestCase extends ClaimRecipe {
  name: string;
  /** The batch's other claims, for cross-claim checks: before the case's claim unless `after`. */
  otherClaims?: (ClaimRecipe & { after?: boolean })[];
  payer?: string;
  /** The rule's params for this case, over its defaults and the payer policy's (as a policy would set them). */
  params?: Record<string, unknown>;
  /** YYYY-MM-DD: the submission date timely filing is measured to. */
  submissionDate?: string;
  edits?: ExpectedEdit[];
}

export interface RuleTestFile {
  ruleId: string;
  file: string;
  valid: RuleTestCase[];
  invalid: RuleTestCase[];
}

export interface CaseOutcome {
  ruleId: string;
  kind: 'valid' | 'invalid';
  name: string;
  passed: boolean;
  /** Why the case failed, in a sentence. */
  failure?: string;
  actual: Edit[];
}

export function testFileFor(ruleFile: string): string {
  return ruleFile.slice(0, -RULE_FILE_SUFFIX.length) + RULE_TEST_SUFFIX;
}

export async function loadRuleTests(pack: RulePack): Promise<{ files: RuleTestFile[]; problems: ScrubProblem[] }> {
  const files: RuleTestFile[] = [];
  const problems: ScrubProblem[] = [];
  const policyIds = pack.policies.map((policy) => policy.id);
  for (const rule of pack.rules) {
    const file = testFileFor(rule.file);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      problems.push({ position: { file: rule.file }, message: `Rule "${rule.definition.id}" has no test file: add ${path.basename(file)} beside it.` });
      continue;
    }
    const read = readYaml(file, text);
    if (!read.ok) {
      problems.push(...read.problems);
      continue;
    }
    if (!validateRuleTestDocument(read.source.value)) {
      problems.push(...schemaProblems(read.source, validateRuleTestDocument.errors ?? []));
      continue;
    }
    const document = read.source.value as { valid: RuleTestCase[]; invalid: RuleTestCase[] };
    const caseProblems = [...testCaseProblems(read.source, document, policyIds), ...caseParamsProblems(read.source, document, rule.definition)];
    if (caseProblems.length > 0) {
      problems.push(...caseProblems);
      continue;
    }
    files.push({ ruleId: rule.definition.id, file, valid: document.valid, invalid: document.invalid });
  }
  return { files, problems };
}

/** What the schema cannot see: unknown payer policies, malformed field paths, valid cases with edits. */
function testCaseProblems(source: YamlSource, document: { valid: RuleTestCase[]; invalid: RuleTestCase[] }, policyIds: readonly string[]): ScrubProblem[] {
  const problems: ScrubProblem[] = [];
  const problemAt = (position: { line: number; column: number }, message: string) => problems.push({ position: { file: source.file, ...position }, message });
  for (const kind of ['valid', 'invalid'] as const) {
    document[kind].forEach((testCase, i) => {
      if (testCase.payer !== undefined && !policyIds.includes(testCase.payer)) {
        problemAt(
          source.locate([kind, i, 'payer']),
          `"${testCase.payer}" is not a loaded payer policy${policyIds.length > 0 ? ` (policies: ${policyIds.join(', ')})` : ''}.`,
        );
      }
      const checkRecipe = (recipe: ClaimRecipe, at: (string | number)[]) => {
        for (const field of Object.keys(recipe.set ?? {})) {
          try {
            parseFieldPath(field);
          } catch (error) {
            problemAt(source.locateKey([...at, 'set'], field), (error as Error).message);
          }
        }
        (recipe.unset ?? []).forEach((field, j) => {
          try {
            parseFieldPath(field);
          } catch (error) {
            problemAt(source.locate([...at, 'unset', j]), (error as Error).message);
          }
        });
      };
      checkRecipe(testCase, [kind, i]);
      (testCase.otherClaims ?? []).forEach((other, j) => checkRecipe(other, [kind, i, 'otherClaims', j]));
      if (kind === 'valid' && testCase.edits !== undefined) {
        problemAt(source.locateKey([kind, i], 'edits'), 'A valid case expects no edit: remove its `edits`, or make it an invalid case.');
      }
    });
  }
  return problems;
}

/**
 * A case's params are held to what a payer policy could set: parameters the rule declares, and
 * values its condition can use (checked as at load).
 */
function caseParamsProblems(source: YamlSource, document: { valid: RuleTestCase[]; invalid: RuleTestCase[] }, rule: RuleDefinition): ScrubProblem[] {
  const problems: ScrubProblem[] = [];
  const declared = rule.params ?? {};
  for (const kind of ['valid', 'invalid'] as const) {
    document[kind].forEach((testCase, i) => {
      if (testCase.params === undefined) return;
      const unknown = Object.keys(testCase.params).filter((name) => !Object.hasOwn(declared, name));
      for (const name of unknown) {
        const known = Object.keys(declared);
        problems.push({
          position: { file: source.file, ...source.locateKey([kind, i, 'params'], name) },
          message: `Rule "${rule.id}" has no parameter "${name}"${known.length > 0 ? ` (it has: ${known.join(', ')})` : ''}.`,
        });
      }
      if (unknown.length > 0) return;
      for (const problem of checkCondition(rule.when, { scope: rule.scope, params: { ...declared, ...testCase.params } })) {
        problems.push({ position: { file: source.file, ...source.locate([kind, i, 'params']) }, message: `With these params, rule "${rule.id}" is not usable: ${problem.message}` });
      }
    });
  }
  return problems;
}

/** Loads fixture claims once: a bare name is fixtures/claims/<name>.json, a .json path is relative to the test file. */
export class FixtureClaims {
  private readonly cache = new Map<string, unknown>();
  constructor(private readonly fixturesDir: string) {}

  async load(reference: string, testFile: string): Promise<unknown> {
    const file = reference.endsWith('.json') ? path.resolve(path.dirname(testFile), reference) : path.join(this.fixturesDir, 'claims', `${reference}.json`);
    if (!this.cache.has(file)) this.cache.set(file, JSON.parse(await readFile(file, 'utf8')));
    return structuredClone(this.cache.get(file));
  }
}

export async function runRuleTestCase(
  compiled: CompiledPack,
  fixtures: FixtureClaims,
  testFile: RuleTestFile,
  kind: 'valid' | 'invalid',
  testCase: RuleTestCase,
  /** Reference tables for rules that check against them (the test suite imports small excerpts). */
  data?: ReferenceData,
  /** Practice files (coverage, authorizations, enrolment) for rules that check against them (the suite loads fixtures/practice). */
  practice?: PracticeData,
): Promise<CaseOutcome> {
  const outcome = (passed: boolean, actual: Edit[], failure?: string): CaseOutcome => ({
    ruleId: testFile.ruleId,
    kind,
    name: testCase.name,
    passed,
    actual,
    ...(failure ? { failure } : {}),
  });
  let claim: unknown;
  let batch: ClaimBatchFacts | undefined;
  try {
    claim = await prepareClaim(fixtures, testCase, testFile.file);
    if (testCase.otherClaims !== undefined) batch = await batchFactsFor(claim, testCase.otherClaims, fixtures, testFile.file, practice);
  } catch (error) {
    return outcome(false, [], `the case's claim could not be prepared: ${(error as Error).message}`);
  }
  let bundle: RuleBundle;
  try {
    bundle = compiled.singleRuleBundle(testFile.ruleId, testCase.payer);
  } catch (error) {
    return outcome(false, [], `the case cannot run: ${(error as Error).message}`);
  }
  if (testCase.params !== undefined) bundle = withParams(bundle, testCase.params);
  const environment: ScrubEnvironment = {};
  if (data !== undefined) environment.data = data;
  if (practice !== undefined) environment.practice = practice;
  if (testCase.submissionDate !== undefined) environment.submissionDate = testCase.submissionDate;
  if (batch !== undefined) environment.batch = batch;
  const actual = runBundle(bundle, claim, environment);
  if (kind === 'valid') {
    return actual.length === 0 ? outcome(true, actual) : outcome(false, actual, `expected no edit, got ${describeEdits(actual)}`);
  }
  const expected = testCase.edits ?? [];
  const mismatch = compareEdits(expected, actual);
  return mismatch ? outcome(false, actual, mismatch) : outcome(true, actual);
}

/** The bundle with `params` over each rule's own (a single-rule bundle is built per case: nothing shared changes). */
function withParams(bundle: RuleBundle, params: Record<string, unknown>): RuleBundle {
  const override = (active: RuleBundle['claimRules'][number]) => ({ ...active, params: { ...active.params, ...params } });
  return { ...bundle, claimRules: bundle.claimRules.map(override), lineRules: bundle.lineRules.map(override) };
}

async function prepareClaim(fixtures: FixtureClaims, recipe: ClaimRecipe, testFile: string): Promise<unknown> {
  const claim = await fixtures.load(recipe.claim, testFile);
  for (const field of recipe.unset ?? []) unsetField(claim, field);
  for (const [field, value] of Object.entries(recipe.set ?? {})) setField(claim, field, value);
  return claim;
}

/** What the case's other claims say about its claim, worked out as a batch's first pass would. */
async function batchFactsFor(
  claim: unknown,
  others: readonly (ClaimRecipe & { after?: boolean })[],
  fixtures: FixtureClaims,
  testFile: string,
  practice: PracticeData | undefined,
): Promise<ClaimBatchFacts | undefined> {
  const before = others.filter((other) => other.after !== true);
  const after = others.filter((other) => other.after === true);
  const batch = [...(await Promise.all(before.map((other) => prepareClaim(fixtures, other, testFile)))), claim, ...(await Promise.all(after.map((other) => prepareClaim(fixtures, other, testFile))))];
  return batchFactsOf(batch, path.basename(testFile), (each) => claimAuthorizationUnits(practice, each)).get(before.length);
}

function compareEdits(expected: readonly ExpectedEdit[], actual: readonly Edit[]): string | undefined {
  if (expected.length !== actual.length) {
    return `expected ${expected.length} edit(s), got ${actual.length}: ${describeEdits(actual)}`;
  }
  for (const [i, want] of expected.entries()) {
    const got = actual[i] as Edit;
    const differences: string[] = [];
    if (got.code !== want.code) differences.push(`code ${got.code} (expected ${want.code})`);
    if (got.path !== want.path) differences.push(`path ${got.path} (expected ${want.path})`);
    if (got.severity !== want.severity) differences.push(`severity ${got.severity} (expected ${want.severity})`);
    if (want.serviceLine !== undefined && got.serviceLine !== want.serviceLine) {
      differences.push(`serviceLine ${String(got.serviceLine)} (expected ${want.serviceLine})`);
    }
    if (want.messageIncludes !== undefined && !got.message.includes(want.messageIncludes)) {
      differences.push(`message "${got.message}" lacks "${want.messageIncludes}"`);
    }
    if (differences.length > 0) return `edit ${i + 1}: ${differences.join('; ')}`;
  }
  return undefined;
}

function describeEdits(edits: readonly Edit[]): string {
  return edits.length === 0 ? 'none' : edits.map((edit) => `${edit.code} at ${edit.path || '(claim)'}`).join(', ');
}
