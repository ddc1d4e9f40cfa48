import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReferenceData } from '../data/types.js';
import type { ScrubProblem } from '../errors.js';
import type { Edit, Severity } from '../model/index.js';
import { runBundle, type ScrubEnvironment } from '../runtime/scrub-claim.js';
import type { CompiledPack } from './bundle.js';
import { parseFieldPath, setField, unsetField } from './claim-patch.js';
import { RULE_FILE_SUFFIX, RULE_TEST_SUFFIX } from './load-rules.js';
import { schemaProblems } from './schema-problems.js';
import type { RulePack } from './pack.js';
import { validateRuleTestDocument } from './schema/index.js';
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

export interface RuleTestCase {
  name: string;
  claim: string;
  set?: Record<string, unknown>;
  unset?: string[];
  payer?: string;
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
    const caseProblems = testCaseProblems(read.source, document, policyIds);
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
  const at = (position: { line: number; column: number }, message: string) => problems.push({ position: { file: source.file, ...position }, message });
  for (const kind of ['valid', 'invalid'] as const) {
    document[kind].forEach((testCase, i) => {
      if (testCase.payer !== undefined && !policyIds.includes(testCase.payer)) {
        at(
          source.locate([kind, i, 'payer']),
          `"${testCase.payer}" is not a loaded payer policy${policyIds.length > 0 ? ` (policies: ${policyIds.join(', ')})` : ''}.`,
        );
      }
      for (const field of Object.keys(testCase.set ?? {})) {
        try {
          parseFieldPath(field);
        } catch (error) {
          at(source.locateKey([kind, i, 'set'], field), (error as Error).message);
        }
      }
      (testCase.unset ?? []).forEach((field, j) => {
        try {
          parseFieldPath(field);
        } catch (error) {
          at(source.locate([kind, i, 'unset', j]), (error as Error).message);
        }
      });
      if (kind === 'valid' && testCase.edits !== undefined) {
        at(source.locateKey([kind, i], 'edits'), 'A valid case expects no edit: remove its `edits`, or make it an invalid case.');
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
  try {
    claim = await fixtures.load(testCase.claim, testFile.file);
    for (const field of testCase.unset ?? []) unsetField(claim, field);
    for (const [field, value] of Object.entries(testCase.set ?? {})) setField(claim, field, value);
  } catch (error) {
    return outcome(false, [], `the case's claim could not be prepared: ${(error as Error).message}`);
  }
  let bundle;
  try {
    bundle = compiled.singleRuleBundle(testFile.ruleId, testCase.payer);
  } catch (error) {
    return outcome(false, [], `the case cannot run: ${(error as Error).message}`);
  }
  const environment: ScrubEnvironment = {};
  if (data !== undefined) environment.data = data;
  if (testCase.submissionDate !== undefined) environment.submissionDate = testCase.submissionDate;
  const actual = runBundle(bundle, claim, environment);
  if (kind === 'valid') {
    return actual.length === 0 ? outcome(true, actual) : outcome(false, actual, `expected no edit, got ${describeEdits(actual)}`);
  }
  const expected = testCase.edits ?? [];
  const mismatch = compareEdits(expected, actual);
  return mismatch ? outcome(false, actual, mismatch) : outcome(true, actual);
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
