import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { BASE_PROGRAM, type PolicyProgram } from '../data/types.js';
import type { ScrubProblem } from '../errors.js';
import type { Severity } from '../model/index.js';
import { checkCondition } from './compile/index.js';
import { invalidTopLevelKeys } from './load-rules.js';
import { schemaProblems } from './schema-problems.js';
import { validatePayerDocument } from './schema/index.js';
import type { LoadedRule } from './types.js';
import { bySourcePosition, pointerToSegments, readYaml, type YamlSource } from './yaml-source.js';

export interface RuleOverride {
  enabled?: boolean;
  severity?: Severity;
  params?: Record<string, unknown>;
}

export interface PayerMatch {
  payerIds?: string[];
  claimFilingIndicators?: string[];
}

export { BASE_PROGRAM, type PolicyProgram };

export interface PayerPolicy {
  id: string;
  name: string;
  example?: boolean;
  description?: string;
  /** A base for other policies: matches no claim by itself. */
  abstract?: boolean;
  /** The policy for claims no other policy matches; it has no match. */
  default?: boolean;
  /** The policy this one builds on (already merged in: `rules` and `program` are the result). */
  extends?: string;
  /** Absent only on an abstract or the default policy. */
  match?: PayerMatch;
  program?: PolicyProgram;
  /** Rule changes, the policies it extends included. */
  rules: Record<string, RuleOverride>;
  file: string;
  /** sha-256 of its file, and of the files it extends. */
  hash: string;
}

/** A payer file as written (after schema validation): rules may use the on/off/severity shorthand. */
type PayerDocument = Omit<PayerPolicy, 'rules' | 'file' | 'hash'> & {
  rules?: Record<string, string | RuleOverride>;
  references?: { title: string; url?: string }[];
};

const SHORTHAND: Record<string, RuleOverride> = {
  on: { enabled: true },
  off: { enabled: false },
  error: { enabled: true, severity: 'error' },
  warning: { enabled: true, severity: 'warning' },
  info: { enabled: true, severity: 'info' },
};

export interface PayerLoadResult {
  policies: PayerPolicy[];
  problems: ScrubProblem[];
  /** Pairs of policies that match the same claims with the same specificity. */
  ambiguities: ScrubProblem[];
}

export async function loadPayerPolicies(dir: string | undefined, rules: readonly LoadedRule[]): Promise<PayerLoadResult> {
  if (dir === undefined) return { policies: [], problems: [], ambiguities: [] };
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith('.yaml') && !name.endsWith('.test.yaml')).sort();
  } catch (error) {
    const problem = { position: { file: dir }, message: `The payers directory cannot be read: ${(error as Error).message}` };
    return { policies: [], problems: [problem], ambiguities: [] };
  }
  const rulesById = new Map(rules.map((rule) => [rule.definition.id, rule]));
  const written: ParsedPolicy[] = [];
  const problems: ScrubProblem[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    const parsed = parsePayerFile(file, await readFile(file, 'utf8'), rulesById);
    problems.push(...parsed.problems);
    if (parsed.policy) written.push({ policy: parsed.policy, source: parsed.source as YamlSource });
  }
  const policies = resolveExtends(written, rulesById, problems);
  return { policies, problems, ambiguities: ambiguities(policies) };
}

interface ParsedPolicy {
  policy: PayerPolicy;
  source: YamlSource;
}

/** One rule's changes on top of another's: later keys win, params merge by name. */
function mergeOverride(base: RuleOverride | undefined, own: RuleOverride): RuleOverride {
  if (!base) return own;
  const merged: RuleOverride = { ...base, ...own };
  if (base.params || own.params) merged.params = { ...base.params, ...own.params };
  return merged;
}

/**
 * Merges every policy with the chain of policies it extends (its own settings win). A parent that
 * does not exist and a cycle are problems at the `extends` line; a policy in a broken chain is left out.
 */
function resolveExtends(written: readonly ParsedPolicy[], rulesById: ReadonlyMap<string, LoadedRule>, problems: ScrubProblem[]): PayerPolicy[] {
  const byId = new Map(written.map((entry) => [entry.policy.id, entry]));
  const resolved = new Map<string, PayerPolicy | undefined>();
  const resolve = (entry: ParsedPolicy, chain: string[]): PayerPolicy | undefined => {
    const { policy, source } = entry;
    if (resolved.has(policy.id)) return resolved.get(policy.id);
    if (policy.extends === undefined) {
      resolved.set(policy.id, policy);
      return policy;
    }
    let merged: PayerPolicy | undefined;
    const parentEntry = byId.get(policy.extends);
    if (chain.includes(policy.extends)) {
      problems.push(at(source, ['extends'], `Payer policies extend each other in a circle (${[...chain, policy.id, policy.extends].join(' → ')}): one of them must not extend the other.`));
    } else if (!parentEntry) {
      const known = [...byId.keys()].filter((id) => id !== policy.id);
      problems.push(at(source, ['extends'], `"${policy.extends}" is not a payer policy in this directory${known.length ? ` (policies: ${known.join(', ')})` : ''}.`));
    } else {
      const parent = resolve(parentEntry, [...chain, policy.id]);
      if (parent) {
        const rules: Record<string, RuleOverride> = { ...parent.rules };
        for (const [ruleId, override] of Object.entries(policy.rules)) rules[ruleId] = mergeOverride(parent.rules[ruleId], override);
        merged = { ...policy, rules, hash: createHash('sha256').update(`${parent.hash}\n${policy.hash}`).digest('hex') };
        const program = policy.program ?? parent.program;
        if (program !== undefined) merged.program = program;
        for (const ruleId of Object.keys(policy.rules)) {
          const rule = rulesById.get(ruleId);
          const params = rules[ruleId]?.params;
          if (!rule || !params || !parent.rules[ruleId]?.params) continue;
          for (const problem of checkCondition(rule.definition.when, { scope: rule.definition.scope, params: { ...rule.definition.params, ...params } })) {
            problems.push(at(source, ['rules', ruleId, 'params'], `With these params and those of "${parent.id}", rule "${ruleId}" is not usable: ${problem.message}`));
          }
        }
      }
    }
    resolved.set(policy.id, merged);
    return merged;
  };
  return written.map((entry) => resolve(entry, [])).filter((policy): policy is PayerPolicy => policy !== undefined);
}

/** One payer file on its own: checked, with its own rule changes (`extends` is resolved by loadPayerPolicies). */
export function parsePayerFile(file: string, text: string, rulesById: ReadonlyMap<string, LoadedRule>): { policy?: PayerPolicy; problems: ScrubProblem[]; source?: YamlSource } {
  const read = readYaml(file, text);
  if (!read.ok) return { problems: read.problems };
  const source = read.source;
  const valid = validatePayerDocument(source.value);
  const errors = valid ? [] : [...(validatePayerDocument.errors ?? [])];
  const problems: ScrubProblem[] = schemaProblems(source, errors);
  // The checks beyond the schema still run on what the schema accepted: one run, every problem.
  const invalid = invalidTopLevelKeys(errors);
  if (invalid.has('')) return { problems: problems.sort(bySourcePosition), source };
  const document = source.value as PayerDocument;
  if (document.abstract === true && document.match !== undefined) {
    problems.push(at(source, ['match'], 'An abstract policy is a base for others and matches no claim: remove `match`, or remove `abstract: true` to make the policy apply to claims.'));
  } else if (document.default === true && document.match !== undefined) {
    problems.push(at(source, ['match'], 'The default policy applies to the claims no other policy matches, so it has no `match` of its own: remove `match`, or remove `default: true`.'));
  } else if (document.abstract === true && document.default === true) {
    problems.push(at(source, ['default'], 'An abstract policy applies to no claim, so it cannot be the default: remove one of `abstract: true` and `default: true`.'));
  } else if (document.abstract !== true && document.default !== true && document.match === undefined && !invalid.has('match')) {
    problems.push(at(source, [], 'The policy has no `match`, so it would apply to no claim: add `match` (payerIds, claimFilingIndicators), mark it `default: true` for the claims no other policy matches, or `abstract: true` if it is a base other policies extend.'));
  }
  if (document.extends !== undefined && document.extends === document.id) {
    problems.push(at(source, ['extends'], `The policy "${document.id}" cannot extend itself.`));
  }
  const fileId = path.basename(file, '.yaml');
  if (!invalid.has('id') && document.id !== fileId) {
    problems.push(at(source, ['id'], `The payer policy id "${document.id}" must equal the file name "${fileId}".`));
  }

  const overrides: Record<string, RuleOverride> = {};
  // Schema errors under `rules`, by rule id (undefined: `rules` itself is not a mapping).
  const invalidOverrides = new Set(
    errors
      .map((error) => pointerToSegments(error.instancePath))
      .filter((segments) => segments[0] === 'rules')
      .map((segments) => segments[1]),
  );
  const entries = invalidOverrides.has(undefined) ? [] : Object.entries(document.rules ?? {});
  for (const [ruleId, raw] of entries) {
    const rule = rulesById.get(ruleId);
    if (!rule) {
      problems.push(atKey(source, ['rules'], ruleId, `"${ruleId}" is not a loaded rule. Check the id: rule ids are the edit codes in reports.`));
      continue;
    }
    if (invalidOverrides.has(ruleId)) continue;
    const override = typeof raw === 'string' ? (SHORTHAND[raw] as RuleOverride) : raw;
    overrides[ruleId] = override;
    problems.push(...paramProblems(source, ruleId, rule, override));
  }
  if (problems.length > 0) return { problems: problems.sort(bySourcePosition), source };
  const { rules: _written, references: _references, ...settings } = document;
  const policy: PayerPolicy = { ...settings, rules: overrides, file, hash: createHash('sha256').update(text).digest('hex') };
  return { policy, problems, source };
}

function paramProblems(source: YamlSource, ruleId: string, rule: LoadedRule, override: RuleOverride): ScrubProblem[] {
  if (!override.params) return [];
  const problems: ScrubProblem[] = [];
  const declared = rule.definition.params ?? {};
  for (const name of Object.keys(override.params)) {
    if (!Object.prototype.hasOwnProperty.call(declared, name)) {
      const known = Object.keys(declared);
      problems.push(
        atKey(source, ['rules', ruleId, 'params'], name, `Rule "${ruleId}" has no parameter "${name}"${known.length ? ` (it has: ${known.join(', ')})` : ''}.`),
      );
    }
  }
  if (problems.length > 0) return problems;
  const overridden = override.params;
  for (const [name, value] of Object.entries(overridden)) {
    const declaredType = jsonType(declared[name]);
    if (declaredType !== 'null' && jsonType(value) !== declaredType) {
      problems.push(
        at(source, ['rules', ruleId, 'params', name], `Rule "${ruleId}" declares parameter "${name}" as ${TYPE_NAMES[declaredType]}; this policy gives ${TYPE_NAMES[jsonType(value)]}.`),
      );
    }
  }
  if (problems.length > 0) return problems;
  const { when, scope } = rule.definition;
  // A problem that one overridden param causes alone is reported at that param's value.
  const messagesByParam = Object.keys(overridden).map((name) => ({
    name,
    messages: new Set(checkCondition(when, { scope, params: { ...declared, [name]: overridden[name] } }).map((problem) => problem.message)),
  }));
  for (const problem of checkCondition(when, { scope, params: { ...declared, ...overridden } })) {
    const culprit = messagesByParam.find((entry) => entry.messages.has(problem.message));
    const segments = culprit ? ['rules', ruleId, 'params', culprit.name] : ['rules', ruleId, 'params'];
    problems.push(at(source, segments, `With these params, rule "${ruleId}" is not usable: ${problem.message}`));
  }
  return problems;
}

type JsonType = 'null' | 'list' | 'mapping' | 'string' | 'number' | 'boolean';

const TYPE_NAMES: Record<JsonType, string> = { null: 'null', list: 'a list', mapping: 'a mapping', string: 'text', number: 'a number', boolean: 'true/false' };

/** A params value's kind: an override must keep the kind of the rule's default. */
function jsonType(value: unknown): JsonType {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'mapping';
  if (typeof value === 'number') return 'number';
  return typeof value === 'boolean' ? 'boolean' : 'string';
}

function at(source: YamlSource, segments: (string | number)[], message: string): ScrubProblem {
  return { position: { file: source.file, ...source.locate(segments) }, message };
}

function atKey(source: YamlSource, segments: (string | number)[], key: string, message: string): ScrubProblem {
  return { position: { file: source.file, ...source.locateKey(segments, key) }, message };
}

/** A payer id match outranks a claim filing indicator match; a policy with both outranks either. */
export function specificity(match: PayerMatch | undefined): number {
  if (!match) return 0;
  return (match.payerIds ? 2 : 0) + (match.claimFilingIndicators ? 1 : 0);
}

function overlaps(a: readonly string[] | undefined, b: readonly string[] | undefined): string | undefined {
  if (!a || !b) return undefined;
  return a.find((value) => b.includes(value));
}

/** Two policies of the same specificity that can match one claim would make the choice arbitrary. */
function ambiguities(policies: readonly PayerPolicy[]): ScrubProblem[] {
  const problems: ScrubProblem[] = [];
  const defaults = policies.filter((policy) => policy.default === true);
  for (const extra of defaults.slice(1)) {
    problems.push({ position: { file: extra.file }, message: `Payer policies "${defaults[0]!.id}" and "${extra.id}" are both \`default: true\`: only one policy can apply to the claims no other policy matches.` });
  }
  const selectable = policies.filter((policy): policy is PayerPolicy & { match: PayerMatch } => policy.match !== undefined);
  selectable.forEach((a, i) => {
    for (const b of selectable.slice(i + 1)) {
      if (specificity(a.match) !== specificity(b.match)) continue;
      const payerId = overlaps(a.match.payerIds, b.match.payerIds);
      const indicator = overlaps(a.match.claimFilingIndicators, b.match.claimFilingIndicators);
      const clash = (a.match.payerIds ? payerId !== undefined : true) && (a.match.claimFilingIndicators ? indicator !== undefined : true);
      if (clash) {
        const what = [payerId && `payer id ${payerId}`, indicator && `claim filing indicator ${indicator}`].filter(Boolean).join(' and ');
        problems.push({
          position: { file: b.file },
          message: `Payer policies "${a.id}" and "${b.id}" both match claims with ${what}, with the same specificity: make one of them more specific or merge them.`,
        });
      }
    }
  });
  return problems;
}

/** The policy that applies to a claim: the most specific match, else the default policy, else undefined for the base set. */
export function selectPolicy(policies: readonly PayerPolicy[], payerId: unknown, claimFilingIndicator: unknown): PayerPolicy | undefined {
  let best: PayerPolicy | undefined;
  let bestScore = 0;
  for (const policy of policies) {
    if (!policy.match) continue;
    const { payerIds, claimFilingIndicators } = policy.match;
    if (payerIds && !(typeof payerId === 'string' && payerIds.includes(payerId))) continue;
    if (claimFilingIndicators && !(typeof claimFilingIndicator === 'string' && claimFilingIndicators.includes(claimFilingIndicator))) continue;
    const score = specificity(policy.match);
    if (score > bestScore) {
      best = policy;
      bestScore = score;
    }
  }
  return best ?? policies.find((policy) => policy.default === true);
}
