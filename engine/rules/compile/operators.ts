/**
 * json-rules-engine's operators and operator decorators, re-implemented with the same results,
 * plus claimscrub's custom operators, and the load-time analysis that refuses operator/value
 * combinations whose evaluation could throw.
 *
 * Reference (json-rules-engine 7.3.1, dist/operator.js, engine-default-operators.js,
 * engine-default-operator-decorators.js, operator-decorator.js, operator-map.js):
 * - an Operator evaluates `factValueValidator(fact) && cb(fact, value)`;
 * - a decorated operator `d:op` is a new Operator whose validator is the decorator's and whose
 *   callback is `decorator.cb(fact, value, next)` with `next = op.evaluate`; in `a:b:op` the
 *   leftmost decorator is the outermost.
 *
 * Where json-rules-engine would throw while evaluating (a JavaScript TypeError from calling
 * `indexOf`/`some` on a non-list, or from converting an object with its own `toString` key to a
 * primitive), these implementations return false instead: a compiled rule never throws. The
 * load-time analysis (`checkOperatorUse`) refuses every combination where that could happen for
 * reasons known when rules load; what remains depends on claim data only (numeric comparisons of
 * objects that have a `toString` key).
 */
import { customOperators } from '../../checks/registry.js';
import type { OperatorDefinition } from '../../checks/registry.js';

export type OperatorFunction = (factValue: unknown, value: unknown) => unknown;

export const BUILTIN_OPERATORS = [
  'equal',
  'notEqual',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
] as const;
export type BuiltinOperatorName = (typeof BUILTIN_OPERATORS)[number];

export const DECORATORS = ['someFact', 'everyFact', 'someValue', 'everyValue', 'swap', 'not'] as const;
export type DecoratorName = (typeof DECORATORS)[number];

const BUILTIN_SET: ReadonlySet<string> = new Set(BUILTIN_OPERATORS);
const DECORATOR_SET: ReadonlySet<string> = new Set(DECORATORS);

const NUMERIC: ReadonlySet<string> = new Set(['lessThan', 'lessThanInclusive', 'greaterThan', 'greaterThanInclusive']);

// ---------------------------------------------------------------------------------------------
// Built-in operators

/**
 * json-rules-engine's numberValidator: `Number.parseFloat(x).toString() !== 'NaN'`, without the
 * string allocation, and false where the conversion to text throws.
 */
export function numberValidator(value: unknown): boolean {
  if (typeof value === 'number') return value === value; // String(n) parses back to NaN only for NaN
  if (typeof value === 'string') return !Number.isNaN(Number.parseFloat(value));
  try {
    return !Number.isNaN(Number.parseFloat(value as string));
  } catch {
    return false;
  }
}

function isObjectLike(value: unknown): boolean {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/** `a < b` etc. on arbitrary values; false where JavaScript's conversion to a primitive throws. */
function compare(a: unknown, b: unknown, kind: 0 | 1 | 2 | 3): boolean {
  if (isObjectLike(a) || isObjectLike(b)) {
    try {
      return compareUnsafe(a, b, kind);
    } catch {
      return false;
    }
  }
  return compareUnsafe(a, b, kind);
}

function compareUnsafe(a: unknown, b: unknown, kind: 0 | 1 | 2 | 3): boolean {
  const x = a as number;
  const y = b as number;
  switch (kind) {
    case 0:
      return x < y;
    case 1:
      return x <= y;
    case 2:
      return x > y;
    default:
      return x >= y;
  }
}

/** `b.indexOf(a) > -1` for json-rules-engine's `in`; false where json-rules-engine would throw. */
export function inList(a: unknown, b: unknown): boolean {
  if (Array.isArray(b)) return b.indexOf(a) > -1;
  try {
    return (b as { indexOf(x: unknown): number }).indexOf(a) > -1;
  } catch {
    return false;
  }
}

/** `b.indexOf(a) === -1` for json-rules-engine's `notIn`; false where json-rules-engine would throw. */
export function notInList(a: unknown, b: unknown): boolean {
  if (Array.isArray(b)) return b.indexOf(a) === -1;
  try {
    return (b as { indexOf(x: unknown): number }).indexOf(a) === -1;
  } catch {
    return false;
  }
}

const BUILTIN_FUNCTIONS: Readonly<Record<BuiltinOperatorName, OperatorFunction>> = {
  // validator: always true, so `true && cb(...)` is cb(...)
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
  in: inList,
  notIn: notInList,
  // validator: Array.isArray
  contains: (a, b) => Array.isArray(a) && a.indexOf(b) > -1,
  doesNotContain: (a, b) => Array.isArray(a) && a.indexOf(b) === -1,
  // validator: numberValidator, then plain JavaScript comparison
  lessThan: (a, b) => numberValidator(a) && compare(a, b, 0),
  lessThanInclusive: (a, b) => numberValidator(a) && compare(a, b, 1),
  greaterThan: (a, b) => numberValidator(a) && compare(a, b, 2),
  greaterThanInclusive: (a, b) => numberValidator(a) && compare(a, b, 3),
};

// ---------------------------------------------------------------------------------------------
// Decorators: loops instead of Array.prototype.some/every so no closure is made per evaluation.

function someOfFact(list: readonly unknown[], value: unknown, next: OperatorFunction): boolean {
  for (let i = 0, n = list.length; i < n; i++) {
    if (i in list && next(list[i], value)) return true;
  }
  return false;
}

function everyOfFact(list: readonly unknown[], value: unknown, next: OperatorFunction): boolean {
  for (let i = 0, n = list.length; i < n; i++) {
    if (i in list && !next(list[i], value)) return false;
  }
  return true;
}

function someOfValue(fact: unknown, list: unknown, next: OperatorFunction): boolean {
  if (!Array.isArray(list)) {
    try {
      return (list as unknown[]).some((item) => next(fact, item));
    } catch {
      return false;
    }
  }
  for (let i = 0, n = list.length; i < n; i++) {
    if (i in list && next(fact, list[i])) return true;
  }
  return false;
}

function everyOfValue(fact: unknown, list: unknown, next: OperatorFunction): boolean {
  if (!Array.isArray(list)) {
    try {
      return (list as unknown[]).every((item) => next(fact, item));
    } catch {
      return false;
    }
  }
  for (let i = 0, n = list.length; i < n; i++) {
    if (i in list && !next(fact, list[i])) return false;
  }
  return true;
}

function decorate(decorator: DecoratorName, next: OperatorFunction): OperatorFunction {
  switch (decorator) {
    // validator Array.isArray
    case 'someFact':
      return (fact, value) => Array.isArray(fact) && someOfFact(fact, value, next);
    case 'everyFact':
      return (fact, value) => Array.isArray(fact) && everyOfFact(fact, value, next);
    // validator always true
    case 'someValue':
      return (fact, value) => someOfValue(fact, value, next);
    case 'everyValue':
      return (fact, value) => everyOfValue(fact, value, next);
    case 'swap':
      return (fact, value) => next(value, fact);
    case 'not':
      return (fact, value) => !next(fact, value);
  }
}

function customFunction(definition: OperatorDefinition): OperatorFunction {
  const evaluate = definition.evaluate;
  const validator = definition.factValueValidator;
  if (!validator) return (fact, value) => evaluate(fact, value);
  return (fact, value) => validator(fact) && evaluate(fact, value);
}

// ---------------------------------------------------------------------------------------------
// Names

export interface ParsedOperator {
  /** The name as written. */
  name: string;
  /** Outermost first: `not:someFact:in` is ['not', 'someFact']. */
  decorators: DecoratorName[];
  /** The operator under the decorators. */
  base: string;
  /** Set when base is one of claimscrub's custom operators. */
  custom: OperatorDefinition | undefined;
}

export type ParsedOperatorResult = { ok: true; operator: ParsedOperator } | { ok: false; message: string };

function isBaseOperator(name: string): boolean {
  return customOperators.has(name) || BUILTIN_SET.has(name);
}

/** Splits a decorated operator name the way json-rules-engine's OperatorMap.get does. */
export function parseOperator(name: unknown): ParsedOperatorResult {
  if (typeof name !== 'string') return { ok: false, message: 'operator must be text, like `equal` or `not:in`' };
  const decorators: DecoratorName[] = [];
  let rest = name;
  while (!isBaseOperator(rest)) {
    const colon = rest.indexOf(':');
    if (colon > 0) {
      const decorator = rest.slice(0, colon);
      if (!DECORATOR_SET.has(decorator)) {
        return {
          ok: false,
          message: `unknown operator decorator \`${decorator}\` in \`${name}\`: decorators are ${DECORATORS.join(', ')}`,
        };
      }
      decorators.push(decorator as DecoratorName);
      rest = rest.slice(colon + 1);
    } else {
      const known = [...BUILTIN_OPERATORS, ...customOperators.keys()].join(', ');
      return {
        ok: false,
        message:
          rest === name
            ? `unknown operator \`${name}\`: operators are ${known}, optionally decorated (\`not:in\`, \`someFact:equal\`)`
            : `unknown operator \`${rest}\` in \`${name}\`: operators are ${known}`,
      };
    }
  }
  return { ok: true, operator: { name, decorators, base: rest, custom: customOperators.get(rest) } };
}

const resolved = new Map<string, OperatorFunction>();

function build(operator: ParsedOperator): OperatorFunction {
  let fn: OperatorFunction = operator.custom
    ? customFunction(operator.custom)
    : BUILTIN_FUNCTIONS[operator.base as BuiltinOperatorName];
  for (let i = operator.decorators.length - 1; i >= 0; i--) {
    fn = decorate(operator.decorators[i] as DecoratorName, fn);
  }
  return fn;
}

/**
 * The function evaluating a (possibly decorated) operator: json-rules-engine's result for the same
 * name, except false where json-rules-engine would throw. Undefined for unknown names.
 */
export function resolveOperator(name: string): OperatorFunction | undefined {
  let fn = resolved.get(name);
  if (fn) return fn;
  const parsed = parseOperator(name);
  if (!parsed.ok) return undefined;
  fn = build(parsed.operator);
  resolved.set(name, fn);
  return fn;
}

// ---------------------------------------------------------------------------------------------
// Load-time safety analysis

/**
 * What is known, when rules load, about a value reaching one argument of an operator:
 * - known: one of these values (a constant, or a params value resolved against given params);
 * - params: read from params, which are checked when the rule is loaded with its params;
 * - claim: read from the claim (or computed from it): any shape at all.
 */
export type Slot =
  | { kind: 'known'; values: readonly unknown[]; origin: SlotOrigin; label: string }
  | { kind: 'params' | 'claim'; origin: SlotOrigin; label: string };

/** Which part of the leaf the slot came from: the problem is reported there. */
export type SlotOrigin = 'fact' | 'value';

export interface OperatorUseProblem {
  on: 'operator' | 'value' | 'fact';
  message: string;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string':
      return `the text ${JSON.stringify(value)}`;
    case 'number':
    case 'boolean':
      return String(value);
    case 'undefined':
      return 'nothing (undefined)';
    case 'object':
      return 'a mapping';
    default:
      return `a ${typeof value}`;
  }
}

/**
 * True when JavaScript can convert the value to a primitive without throwing. Plain data fails
 * only through a mapping with its own `toString` key or without a prototype (directly or inside a
 * list): its conversion finds no callable toString and falls back to valueOf, which returns the
 * object itself.
 */
export function convertsToPrimitive(value: unknown, seen: Set<unknown> = new Set()): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (seen.has(value)) return false; // a cyclic list makes join recurse forever
  seen.add(value);
  if (Array.isArray(value)) {
    for (const item of value) if (!convertsToPrimitive(item, seen)) return false;
    seen.delete(value);
    return true;
  }
  seen.delete(value);
  // A plain mapping converts through a callable toString (Object.prototype's); an own `toString`
  // key, or no prototype at all, leaves only valueOf, which does not give a primitive.
  return typeof (value as { toString?: unknown }).toString === 'function';
}

/** The items of the lists the slot may hold; undefined when it holds no list items at all. */
function elements(slot: Slot): Slot | undefined {
  if (slot.kind !== 'known') return { ...slot, label: `each item of ${slot.label}` };
  const values: unknown[] = [];
  for (const value of slot.values) if (Array.isArray(value)) values.push(...value);
  if (values.length === 0) return undefined; // the decorated operator is never reached
  return { kind: 'known', values, origin: slot.origin, label: `each item of ${slot.label}` };
}

/**
 * Refuses operator/value combinations whose evaluation could throw in json-rules-engine for a
 * reason known when rules load, and custom operators whose value cannot be checked then.
 * `fact` and `value` describe the two arguments of the leaf before any decorator.
 */
export function checkOperatorUse(operator: ParsedOperator, fact: Slot, value: Slot): OperatorUseProblem[] {
  const problems: OperatorUseProblem[] = [];
  const where = (slot: Slot): OperatorUseProblem['on'] => (slot.origin === 'value' ? 'value' : 'operator');
  const add = (slot: Slot, message: string) => {
    if (!problems.some((p) => p.message === message)) problems.push({ on: where(slot), message });
  };
  const part = (index: number) => {
    const inner = [...operator.decorators.slice(index), operator.base].join(':');
    return inner === operator.name ? `\`${operator.name}\`` : `\`${inner}\` (in \`${operator.name}\`)`;
  };

  /** `slot` must be a list because `method` is called on it without a guard. */
  const needList = (slot: Slot, what: string, method: string): boolean => {
    if (slot.kind !== 'known') {
      if (slot.kind === 'params') return true;
      add(
        slot,
        `${what} calls ${method} on ${slot.label}, which comes from the claim and may not be a list: json-rules-engine would throw. ` +
          (slot.origin === 'fact'
            ? 'Put the list on the value side (a constant list or a params reference) instead of swapping it to the fact.'
            : 'Use a constant list or a params reference as the value.'),
      );
      return false;
    }
    let ok = true;
    for (const item of slot.values) {
      if (!Array.isArray(item)) {
        add(slot, `${what} needs a list as ${slot.label} (it calls ${method} on it), but it is ${describeValue(item)}`);
        ok = false;
      }
    }
    return ok;
  };

  let a = fact;
  let b = value;
  for (let i = 0; i < operator.decorators.length; i++) {
    const decorator = operator.decorators[i] as DecoratorName;
    switch (decorator) {
      case 'someFact':
      case 'everyFact': {
        // guarded by Array.isArray on the fact side
        const next = elements(a);
        if (!next) return problems;
        a = next;
        break;
      }
      case 'someValue':
      case 'everyValue': {
        if (!needList(b, part(i), decorator === 'someValue' ? '.some()' : '.every()')) return problems;
        const next = elements(b);
        if (!next) return problems;
        b = next;
        break;
      }
      case 'swap': {
        const swapped = a;
        a = b;
        b = swapped;
        break;
      }
      case 'not':
        break;
    }
  }

  const base = part(operator.decorators.length);
  if (operator.base === 'in' || operator.base === 'notIn') {
    needList(b, base, '.indexOf()');
  } else if (NUMERIC.has(operator.base) && !operator.custom) {
    for (const slot of [a, b]) {
      if (slot.kind !== 'known') continue;
      for (const item of slot.values) {
        if (!convertsToPrimitive(item)) {
          add(
            slot,
            `${base} compares ${slot.label} as a number, but it contains a mapping with its own \`toString\` key: JavaScript cannot convert that to a number and json-rules-engine would throw`,
          );
        }
      }
    }
  } else if (operator.custom?.checkValue) {
    const checkValue = operator.custom.checkValue;
    if (b.kind === 'claim') {
      add(
        b,
        `${base} checks its value when rules load, so the value must be a constant or a params reference; here it is ${b.label}, which comes from the claim`,
      );
    } else if (b.kind === 'known') {
      for (const item of b.values) {
        const message = checkValue(item);
        if (message !== undefined) add(b, `${base}: ${message} (${b.label}: ${describeValue(item)})`);
      }
    }
  }
  return problems;
}
