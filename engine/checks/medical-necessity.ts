/**
 * Medical necessity as payer data: a payer covers some procedures only for listed diagnoses
 * (Medicare's national and local coverage determinations, commercial medical policies). A payer
 * policy lists them in the params of rule procedure-diagnosis-not-covered:
 *
 *   policies:
 *     - name: "Vitamin D testing"
 *       procedureCodes: ["82306", "82652"]
 *       coveredDiagnoses: ["E55.9", "E83.5*", "N18.1-N18.6"]
 *
 * A diagnosis pattern is an ICD-10-CM code as printed (`E55.9`: that code only), a prefix ending in
 * `*` (`E83.5*`, `I49.*`: every code that starts so), or a range of two codes (`N18.1-N18.6`: every
 * code between them, a shorter bound covering every code that starts with it, as `inCodeRanges`
 * reads ranges). The policies are checked when rules and payer policies load (checkValue), and
 * compiled once per params list: a line only looks its code up in a Map until a policy lists it.
 */
import type { FactDefinition, OperatorDefinition } from './types.js';
import { arrayOrEmpty, field, isRecord } from './values.js';

/** One coverage policy as a payer file writes it. */
export interface CoveragePolicy {
  name: string;
  procedureCodes: string[];
  coveredDiagnoses: string[];
}

/** The line's procedure code and the ICD-10-CM codes its diagnosis pointers reach, in pointer order. */
export interface LineProcedureWithDiagnoses {
  procedureCode: string;
  diagnosisCodes: string[];
}

interface CompiledPolicy {
  name: string;
  /** Codes and bounds without the dot, upper case: `E559`. */
  exact: ReadonlySet<string>;
  prefixes: readonly string[];
  ranges: readonly { low: string; high: string }[];
}

const POLICY_KEYS = ['name', 'procedureCodes', 'coveredDiagnoses'];
const PROCEDURE_CODE = /^[A-Z0-9]{5}$/;
/** An ICD-10-CM code or category as printed: letter, digit, letter or digit, then up to four after the dot. */
const DIAGNOSIS_CODE = /^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/;
const DIAGNOSIS_PREFIX = /^([A-Z][0-9][0-9A-Z](\.[0-9A-Z]{0,3})?)\*$/;
const PATTERN_HELP = 'write a code ("E55.9"), a prefix ending in * ("E83.5*", "I49.*") or a range ("N18.1-N18.6")';

function normalized(code: string): string {
  return code.toUpperCase().replace('.', '');
}

type Compiled = ReadonlyMap<string, CompiledPolicy>;

/** Compiles a policies list, or returns the reasons it is not usable (every one, in order). */
function compilePolicies(value: unknown): { policies: Compiled } | { problems: string[] } {
  if (!Array.isArray(value)) return { problems: ['policies must be a list of { name, procedureCodes, coveredDiagnoses }'] };
  const problems: string[] = [];
  const policies = new Map<string, CompiledPolicy>();
  const firstPolicyOf = new Map<string, number>();
  value.forEach((raw, index) => {
    const at = `policies[${index}]`;
    if (!isRecord(raw)) {
      problems.push(`${at} must be a mapping with name, procedureCodes and coveredDiagnoses`);
      return;
    }
    const unknown = Object.keys(raw).filter((key) => !POLICY_KEYS.includes(key));
    if (unknown.length > 0) problems.push(`${at} has unknown keys ${unknown.join(', ')} (a policy has ${POLICY_KEYS.join(', ')})`);
    const name = field(raw, 'name');
    if (typeof name !== 'string' || name.trim() === '') problems.push(`${at}.name must be text naming the policy`);
    const codes = field(raw, 'procedureCodes');
    const patterns = field(raw, 'coveredDiagnoses');
    if (!Array.isArray(codes) || codes.length === 0) problems.push(`${at}.procedureCodes must be a non-empty list of CPT or HCPCS codes`);
    if (!Array.isArray(patterns) || patterns.length === 0) problems.push(`${at}.coveredDiagnoses must be a non-empty list of diagnosis patterns: ${PATTERN_HELP}`);
    const compiled: CompiledPolicy = { name: typeof name === 'string' ? name : '', exact: new Set(), prefixes: [], ranges: [] };
    arrayOrEmpty(patterns).forEach((pattern, patternIndex) => {
      const problem = addPattern(compiled, pattern);
      if (problem !== undefined) problems.push(`${at}.coveredDiagnoses[${patternIndex}]: ${problem}`);
    });
    arrayOrEmpty(codes).forEach((code, codeIndex) => {
      if (typeof code !== 'string' || !PROCEDURE_CODE.test(code)) {
        problems.push(`${at}.procedureCodes[${codeIndex}] must be a five-character CPT or HCPCS code such as "82306"`);
        return;
      }
      const first = firstPolicyOf.get(code);
      if (first !== undefined) {
        problems.push(`${at}.procedureCodes[${codeIndex}]: "${code}" is already in policies[${first}]: list each procedure code in one policy`);
        return;
      }
      firstPolicyOf.set(code, index);
      policies.set(code, compiled);
    });
  });
  return problems.length > 0 ? { problems } : { policies };
}

/** Adds one covered-diagnosis pattern to the policy; returns why it is not a pattern, or undefined. */
function addPattern(policy: CompiledPolicy, pattern: unknown): string | undefined {
  if (typeof pattern !== 'string') return `must be text: ${PATTERN_HELP}`;
  if (DIAGNOSIS_CODE.test(pattern)) {
    (policy.exact as Set<string>).add(normalized(pattern));
    return undefined;
  }
  const prefix = DIAGNOSIS_PREFIX.exec(pattern);
  if (prefix) {
    (policy.prefixes as string[]).push(normalized(prefix[1] as string));
    return undefined;
  }
  const dash = pattern.indexOf('-');
  const low = pattern.slice(0, dash);
  const high = pattern.slice(dash + 1);
  if (dash < 0 || !DIAGNOSIS_CODE.test(low) || !DIAGNOSIS_CODE.test(high)) return `"${pattern}" is not a diagnosis pattern: ${PATTERN_HELP}`;
  const range = { low: normalized(low), high: normalized(high) };
  const length = Math.min(range.low.length, range.high.length);
  if (range.low.slice(0, length) > range.high.slice(0, length)) return `the range "${pattern}" starts after it ends: write the lower code first`;
  (policy.ranges as { low: string; high: string }[]).push(range);
  return undefined;
}

// Params lists are the same objects for every claim of a bundle: each is compiled once.
const compiledCache = new WeakMap<object, Compiled | null>();

/** The compiled policies of a params value, or undefined when it is not a usable policies list. */
function compiled(value: unknown): Compiled | undefined {
  if (!Array.isArray(value)) return undefined;
  let policies = compiledCache.get(value);
  if (policies === undefined) {
    const result = compilePolicies(value);
    policies = 'policies' in result ? result.policies : null;
    compiledCache.set(value, policies);
  }
  return policies ?? undefined;
}

/** Why a policies list is not usable (every problem, joined), or undefined when it is. */
export function coveragePoliciesProblem(value: unknown): string | undefined {
  const result = compilePolicies(value);
  return 'problems' in result ? result.problems.join('; ') : undefined;
}

/** True when the policy's covered diagnoses include `code` (an ICD-10-CM code as the claim writes it). */
function covers(policy: CompiledPolicy, code: string): boolean {
  const key = normalized(code);
  if (policy.exact.has(key)) return true;
  for (const prefix of policy.prefixes) if (key.startsWith(prefix)) return true;
  for (const { low, high } of policy.ranges) if (key.slice(0, low.length) >= low && key.slice(0, high.length) <= high) return true;
  return false;
}

/** The name of the policy that lists `procedureCode` in `policies` (a params value), or undefined. */
export function coveragePolicyFor(policies: unknown, procedureCode: string): string | undefined {
  return compiled(policies)?.get(procedureCode)?.name;
}

/**
 * True when a policy in `policies` lists the procedure code and covers none of the diagnosis
 * codes; false when no policy lists it, when there are no diagnosis codes, or when `policies` is
 * not a usable list.
 */
export function isNotCovered(policies: unknown, procedureCode: string, diagnosisCodes: readonly unknown[]): boolean {
  const policy = compiled(policies)?.get(procedureCode);
  if (policy === undefined || diagnosisCodes.length === 0) return false;
  for (const code of diagnosisCodes) if (typeof code === 'string' && covers(policy, code)) return false;
  return true;
}

export const MEDICAL_NECESSITY_FACTS: readonly FactDefinition[] = [
  {
    name: 'lineProcedureWithDiagnoses',
    scope: 'line',
    description:
      "{ procedureCode, diagnosisCodes }: the current line's procedure code and the ICD-10-CM codes its diagnosis pointers reach, in pointer order (pointers to no diagnosis and ICD-9-CM diagnoses left out); absent when there is no procedure code or no such diagnosis.",
    compute: ({ claim, line }): LineProcedureWithDiagnoses | undefined => {
      const procedureCode = field(line, 'procedureCode');
      const pointers = field(line, 'diagnosisPointers');
      if (typeof procedureCode !== 'string' || !Array.isArray(pointers) || pointers.length === 0) return undefined;
      const diagnoses = arrayOrEmpty(field(claim, 'diagnoses'));
      let diagnosisCodes: string[] | undefined;
      for (const pointer of pointers) {
        if (typeof pointer !== 'number' || !Number.isInteger(pointer) || pointer < 1 || pointer > diagnoses.length) continue;
        const diagnosis = diagnoses[pointer - 1];
        const code = field(diagnosis, 'code');
        if (typeof code !== 'string' || code === '' || field(diagnosis, 'codeSet') === 'icd9cm') continue;
        diagnosisCodes ??= [];
        if (!diagnosisCodes.includes(code)) diagnosisCodes.push(code);
      }
      return diagnosisCodes === undefined ? undefined : { procedureCode, diagnosisCodes };
    },
  },
];

export const MEDICAL_NECESSITY_OPERATORS: readonly OperatorDefinition[] = [
  {
    name: 'inCoveragePolicies',
    description:
      'The fact is a procedure code that one of the coverage policies in value lists (value: [{ name, procedureCodes, coveredDiagnoses }], usually params.policies).',
    factValueValidator: (fact) => typeof fact === 'string',
    evaluate: (fact, value) => coveragePolicyFor(value, fact as string) !== undefined,
    checkValue: coveragePoliciesProblem,
  },
  {
    name: 'notCoveredByPolicies',
    description:
      'Fact: { procedureCode, diagnosisCodes } (lineProcedureWithDiagnoses). True when a coverage policy in value lists the procedure code and none of the diagnosis codes matches its coveredDiagnoses (codes, prefixes such as "I49.*", ranges such as "R00.0-R00.2"); false when no policy lists the code or there is no diagnosis code.',
    factValueValidator: (fact) => typeof field(fact, 'procedureCode') === 'string' && Array.isArray(field(fact, 'diagnosisCodes')),
    evaluate: (fact, value) => {
      const { procedureCode, diagnosisCodes } = fact as unknown as LineProcedureWithDiagnoses;
      return isNotCovered(value, procedureCode, diagnosisCodes);
    },
    checkValue: coveragePoliciesProblem,
  },
];
