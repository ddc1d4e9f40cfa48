/**
 * Load-time validation of rule conditions (json-rules-engine's condition format, restricted to
 * what claimscrub compiles). Collects every problem with its location inside `when`.
 */
import { computedFacts, INPUT_FACTS } from '../../checks/registry.js';
import type { RuleScope } from '../types.js';
import { checkOperatorUse, parseOperator } from './operators.js';
import type { Slot } from './operators.js';
import { isPrototypeName, parsePath, prototypeNameReason, resolvePath } from './path.js';
import type { PathSegment } from './path.js';

export type ProblemPath = (string | number)[];

export interface ConditionProblem {
  /** Where inside `when`: `['all', 1, 'operator']`. Empty for `when` itself. */
  path: ProblemPath;
  message: string;
}

export interface CheckOptions {
  scope: RuleScope;
  /**
   * The rule's parameters (after payer overrides). When given, `params` references are resolved
   * and checked like constants, and a reference to a missing parameter is a problem.
   */
  params?: Record<string, unknown>;
}

const BOOLEAN_KEYS = ['all', 'any', 'not'] as const;
const LEAF_KEYS: ReadonlySet<string> = new Set(['fact', 'operator', 'value', 'path']);
const REFERENCE_KEYS: ReadonlySet<string> = new Set(['fact', 'path']);
const SHAPES = '`all: [...]`, `any: [...]`, `not: {...}` or a comparison with `fact`, `operator` and `value`';

const hasOwn = Object.hasOwn;

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * json-rules-engine treats a `value` that is an object with an own `fact` key as a reference to a
 * fact (almanac.getValue), whatever else it holds.
 */
export function isFactReference(value: unknown): value is { fact: unknown; path?: unknown } {
  return value !== null && typeof value === 'object' && hasOwn(value, 'fact');
}

/** Plain data as YAML or JSON produce it: no functions, class instances, undefined or cycles. */
function plainDataProblem(value: unknown, ancestors: unknown[] = []): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return undefined;
    case 'object':
      break;
    default:
      return `value must be plain data (text, number, true/false, null, list or mapping), not ${typeof value}`;
  }
  if (value === null) return undefined;
  if (ancestors.includes(value)) return 'value must not contain itself (a cycle)';
  ancestors.push(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        if (!(i in value)) return 'value must not be a list with holes';
        const problem = plainDataProblem(value[i], ancestors);
        if (problem) return problem;
      }
      return undefined;
    }
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      return 'value must be plain data (text, number, true/false, null, list or mapping), not an object of a special kind';
    }
    for (const key of Object.keys(value)) {
      const problem = plainDataProblem((value as Record<string, unknown>)[key], ancestors);
      if (problem) return problem;
    }
    return undefined;
  } finally {
    ancestors.pop();
  }
}

function knownFacts(scope: RuleScope): string {
  const names: string[] = [];
  for (const name of INPUT_FACTS) if (name !== 'line' || scope === 'line') names.push(name);
  for (const fact of computedFacts.values()) if (fact.scope === 'claim' || scope === 'line') names.push(fact.name);
  return names.join(', ');
}

/** Problems with a fact name in a rule of the given scope. */
export function factNameProblem(name: unknown, scope: RuleScope): string | undefined {
  if (typeof name !== 'string') return 'fact must be a fact name (text)';
  if (isPrototypeName(name)) return `\`${name}\` cannot be a fact: ${prototypeNameReason(name)}`;
  if (name === 'claim' || name === 'params') return undefined;
  if (name === 'line') {
    return scope === 'line'
      ? undefined
      : 'fact `line` is the current service line: only rules with `scope: line` have one (this rule has scope claim)';
  }
  const computed = computedFacts.get(name);
  if (!computed) return `unknown fact \`${name}\`: facts usable here are ${knownFacts(scope)}`;
  if (computed.scope === 'line' && scope !== 'line') {
    return `fact \`${name}\` describes the current service line: only rules with \`scope: line\` may use it (this rule has scope claim)`;
  }
  return undefined;
}

interface Walk {
  options: CheckOptions;
  problems: ConditionProblem[];
  ancestors: unknown[];
}

/** Checks `when` (a rule's condition tree) and returns every problem found; [] when it compiles. */
export function checkCondition(when: unknown, options: CheckOptions): ConditionProblem[] {
  const walk: Walk = { options, problems: [], ancestors: [] };
  if (isMapping(when) && !BOOLEAN_KEYS.some((key) => hasOwn(when, key)) && !hasOwn(when, 'condition')) {
    if (hasOwn(when, 'fact') || hasOwn(when, 'operator') || hasOwn(when, 'value')) {
      walk.problems.push({
        path: [],
        message:
          'the top of a rule condition must be `all`, `any` or `not` (json-rules-engine refuses a bare comparison there): wrap it as `all: [ ... ]`',
      });
    }
  }
  checkNode(when, [], walk);
  return walk.problems;
}

function checkNode(node: unknown, path: ProblemPath, walk: Walk): void {
  const problem = (message: string, at: ProblemPath = path) => walk.problems.push({ path: at, message });
  if (!isMapping(node)) {
    problem(`a condition must be a mapping: ${SHAPES}`);
    return;
  }
  if (walk.ancestors.includes(node)) {
    problem('a condition must not contain itself (a cycle)');
    return;
  }
  walk.ancestors.push(node);
  try {
    if (hasOwn(node, 'condition')) {
      problem('condition references (`condition: name`) are not supported: write the condition out', [...path, 'condition']);
    }
    const booleans = BOOLEAN_KEYS.filter((key) => hasOwn(node, key));
    if (booleans.length > 1) {
      problem(`a condition may have only one of all, any and not; this one has ${booleans.join(' and ')}: nest them instead`);
    }
    if (booleans.length === 0) {
      if (hasOwn(node, 'fact') || hasOwn(node, 'operator') || hasOwn(node, 'value')) {
        checkLeaf(node, path, walk);
      } else if (!hasOwn(node, 'condition')) {
        problem(`a condition must be one of ${SHAPES}`);
      }
      return;
    }
    for (const key of Object.keys(node)) {
      if ((BOOLEAN_KEYS as readonly string[]).includes(key) || key === 'condition') continue;
      problem(
        LEAF_KEYS.has(key)
          ? `\`${key}\` belongs to a comparison, not to an \`${booleans[0]}\` condition: put the comparison inside it`
          : `unknown key \`${key}\` in an \`${booleans[0]}\` condition`,
        [...path, key],
      );
    }
    for (const key of booleans) {
      const children = node[key];
      if (key === 'not') {
        if (Array.isArray(children)) {
          problem('`not` takes one condition, not a list: to negate several, put them in `all` or `any` under `not`', [...path, key]);
        } else {
          checkNode(children, [...path, key], walk);
        }
      } else if (!Array.isArray(children)) {
        problem(`\`${key}\` must be a list of conditions`, [...path, key]);
      } else {
        for (let i = 0; i < children.length; i++) checkNode(children[i], [...path, key, i], walk);
      }
    }
  } finally {
    walk.ancestors.pop();
  }
}

interface Reference {
  fact: string;
  segments: PathSegment[];
  pathText: string | undefined;
}

/**
 * Checks `fact` and `path` of a leaf or of a fact reference. Returns what is known of them (with
 * `ok` false when either has a problem, so that operator checks can still run).
 */
function checkFactAndPath(
  holder: Record<string, unknown>,
  path: ProblemPath,
  walk: Walk,
): Reference & { ok: boolean } {
  let ok = true;
  const problem = (message: string, at: ProblemPath) => {
    walk.problems.push({ path: at, message });
    ok = false;
  };
  const fact = holder.fact;
  const factProblem = factNameProblem(fact, walk.options.scope);
  if (factProblem) problem(factProblem, [...path, 'fact']);
  let segments: PathSegment[] = [];
  let pathText: string | undefined;
  if (hasOwn(holder, 'path')) {
    const raw = holder.path;
    if (typeof raw !== 'string') {
      problem('path must be text like `$.serviceLines[0].procedureCode`', [...path, 'path']);
    } else {
      const parsed = parsePath(raw);
      if (parsed.ok) {
        segments = parsed.segments;
        pathText = raw;
      } else {
        problem(parsed.message, [...path, 'path']);
      }
    }
  }
  if (hasOwn(holder, 'params')) {
    problem('`params` is not supported: claimscrub facts take no parameters (use a `params` reference for rule parameters)', [
      ...path,
      'params',
    ]);
  }
  return { fact: typeof fact === 'string' ? fact : '', segments, pathText, ok };
}

function referenceLabel(reference: Reference): string {
  return reference.pathText === undefined ? `fact \`${reference.fact}\`` : `\`${reference.fact}\` \`${reference.pathText}\``;
}

/**
 * What the checker knows about a referenced fact's value, twice: `plain` as when no params are
 * given (params are then trusted to be checked later), and `withParams` with params references
 * resolved against the given params (undefined when the parameter is missing: reported).
 * Checking both keeps a check with params at least as strict as one without, which is what
 * compileCondition runs.
 */
interface Slots {
  plain: Slot;
  withParams: Slot | undefined;
}

function slotsFor(reference: Reference & { ok: boolean }, origin: 'fact' | 'value', at: ProblemPath, walk: Walk): Slots {
  const label = origin === 'fact' ? `the fact value (${referenceLabel(reference)})` : `the value (${referenceLabel(reference)})`;
  if (reference.fact !== 'params') {
    const slot: Slot = { kind: 'claim', origin, label };
    return { plain: slot, withParams: slot };
  }
  const plain: Slot = { kind: 'params', origin, label };
  const params = walk.options.params;
  if (params === undefined || !reference.ok) return { plain, withParams: plain };
  const resolved = resolvePath(params, reference.segments);
  if (resolved === undefined) {
    walk.problems.push({
      path: at,
      message: `the rule has no parameter at \`${reference.pathText ?? '$'}\` (params has ${Object.keys(params).join(', ') || 'no entries'})`,
    });
    return { plain, withParams: undefined };
  }
  return { plain, withParams: { kind: 'known', values: [resolved], origin, label } };
}

function checkLeaf(node: Record<string, unknown>, path: ProblemPath, walk: Walk): void {
  const problem = (message: string, at: ProblemPath) => walk.problems.push({ path: at, message });
  for (const key of Object.keys(node)) {
    if (LEAF_KEYS.has(key) || key === 'params' || key === 'condition') continue;
    problem(
      key === 'priority'
        ? '`priority` is not supported: conditions have no side effects, so their order never changes a result'
        : `unknown key \`${key}\` in a comparison: a comparison has \`fact\`, \`operator\`, \`value\` and optionally \`path\``,
      [...path, key],
    );
  }
  for (const key of ['fact', 'operator', 'value'] as const) {
    if (!hasOwn(node, key)) problem(`a comparison needs \`${key}\``, path);
  }

  const fact = hasOwn(node, 'fact') ? checkFactAndPath(node, path, walk) : undefined;

  let operator;
  if (hasOwn(node, 'operator')) {
    const parsed = parseOperator(node.operator);
    if (parsed.ok) operator = parsed.operator;
    else problem(parsed.message, [...path, 'operator']);
  }

  if (!hasOwn(node, 'value')) return;
  const value = node.value;
  const valuePath = [...path, 'value'];
  let valueSlots: Slots | undefined;
  if (isFactReference(value)) {
    if (Array.isArray(value)) {
      problem('a list with a `fact` key is not a usable value', valuePath);
      return;
    }
    const reference = value as Record<string, unknown>;
    for (const key of Object.keys(reference)) {
      if (REFERENCE_KEYS.has(key) || key === 'params') continue;
      problem(
        `unknown key \`${key}\` in a fact reference: a value with a \`fact\` key reads that fact (optionally at \`path\`), it is not a constant`,
        [...valuePath, key],
      );
    }
    valueSlots = slotsFor(checkFactAndPath(reference, valuePath, walk), 'value', valuePath, walk);
  } else {
    const dataProblem = plainDataProblem(value);
    if (dataProblem) problem(dataProblem, valuePath);
    else {
      const slot: Slot = { kind: 'known', values: [value], origin: 'value', label: 'the value' };
      valueSlots = { plain: slot, withParams: slot };
    }
  }

  if (!fact || !operator || !valueSlots) return;
  const factSlots = slotsFor(fact, 'fact', fact.pathText === undefined ? [...path, 'fact'] : [...path, 'path'], walk);
  const uses = checkOperatorUse(operator, factSlots.plain, valueSlots.plain);
  if (walk.options.params !== undefined && factSlots.withParams && valueSlots.withParams) {
    for (const use of checkOperatorUse(operator, factSlots.withParams, valueSlots.withParams)) {
      if (!uses.some((seen) => seen.on === use.on && seen.message === use.message)) uses.push(use);
    }
  }
  for (const use of uses) problem(use.message, use.on === 'value' ? valuePath : [...path, use.on]);
}
