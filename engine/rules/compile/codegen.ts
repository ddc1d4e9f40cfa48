/**
 * Generates one JavaScript function per condition tree, built once with `new Function`.
 *
 * Nothing from the rule file is ever written into the generated source: constants, fact names,
 * path segments, fact computations and operator functions are passed to the factory in arrays
 * (K, S, N, C, OP) and the source refers to them by index only. The source is structure: local
 * variables, labelled blocks, comparisons, helper calls. The three input facts are read through
 * fixed templates (`ctx.claim`, `ctx.line`, `ctx.params`) chosen by a switch, never by splicing.
 *
 * Semantics are json-rules-engine 7.3.1's Rule.evaluate:
 * - all/any with no child: true; with one child: that child's raw result; with two or more:
 *   every/some child result `=== true` (a boolean);
 * - a nested all/any/not node passes `result === true` to its parent; the top node's raw result is
 *   the rule's result;
 * - not: `!childResult`;
 * - a comparison: operator(fact value at path, constant or referenced fact value at its path).
 * Evaluation has no side effects, so children are short-circuited.
 */
import { computedFacts } from '../../checks/registry.js';
import type { FactContext } from '../../checks/registry.js';
import type { ConditionNode, LeafCondition } from '../types.js';
import { isFactReference } from './check.js';
import { factSlot, type EvaluationContext } from './context.js';
import { parseOperator, resolveOperator } from './operators.js';
import type { OperatorFunction } from './operators.js';
import { parsePath } from './path.js';
import type { PathSegment } from './path.js';

/** Returns json-rules-engine's raw rule result for the context; the rule fires iff it is truthy. */
export type CompiledCondition = (context: EvaluationContext) => unknown;

type Compute = (context: FactContext) => unknown;

/** The generated source and the data it refers to by index. */
export interface GeneratedCondition {
  /** Body of the factory `new Function('K', 'S', 'N', 'C', 'OP', 'H', source)`. */
  source: string;
  /** Constant values (deep-frozen copies) and precomputed lookup sets. */
  K: readonly unknown[];
  /** Path segments. */
  S: readonly PathSegment[];
  /** Computed facts: their slots in a FactCache. */
  N: readonly number[];
  /** Computed fact functions, parallel to N. */
  C: readonly Compute[];
  /** Operator functions. */
  OP: readonly OperatorFunction[];
}

/** Lists at least this long are looked up through a Set by undecorated `in` / `notIn`. */
const SET_LOOKUP_MIN_LENGTH = 8;

const HELPERS = Object.freeze({ hasOwn: Object.hasOwn });

/** A deep, frozen copy of plain data (keeps a mapping's null prototype). */
function frozenCopy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy));
  const copy: Record<string, unknown> = Object.getPrototypeOf(value) === null ? Object.create(null) : {};
  for (const key of Object.keys(value)) {
    Object.defineProperty(copy, key, {
      value: frozenCopy((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: false,
      configurable: false,
    });
  }
  return Object.freeze(copy);
}

function segmentsOf(path: unknown): PathSegment[] {
  if (path === undefined) return [];
  const parsed = parsePath(path as string);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.segments;
}

class Generator {
  readonly K: unknown[] = [];
  readonly S: PathSegment[] = [];
  readonly N: number[] = [];
  readonly C: Compute[] = [];
  readonly OP: OperatorFunction[] = [];
  private readonly segmentIndex = new Map<string, number>();
  private readonly factIndex = new Map<string, number>();
  private readonly operatorIndex = new Map<string, number>();
  private readonly lines: string[] = [];
  private depth = 1;
  private results = 0;
  private labels = 0;

  private emit(line: string): void {
    this.lines.push('  '.repeat(this.depth) + line);
  }

  private constant(value: unknown): string {
    this.K.push(value);
    return `k${this.K.length - 1}`;
  }

  private segment(segment: PathSegment): string {
    const key = `${typeof segment}:${segment}`;
    let index = this.segmentIndex.get(key);
    if (index === undefined) {
      index = this.S.push(segment) - 1;
      this.segmentIndex.set(key, index);
    }
    return `s${index}`;
  }

  private operator(name: string): string {
    let index = this.operatorIndex.get(name);
    if (index === undefined) {
      const fn = resolveOperator(name);
      if (!fn) throw new Error(`unknown operator ${name}`);
      index = this.OP.push(fn) - 1;
      this.operatorIndex.set(name, index);
    }
    return `o${index}`;
  }

  private result(): string {
    return `r${this.results++}`;
  }

  /** Loads a fact's value at a path into the local `target`. */
  private loadFact(fact: string, segments: readonly PathSegment[], target: 'a' | 'b'): void {
    switch (fact) {
      case 'claim':
        this.emit(`${target} = ctx.claim;`);
        break;
      case 'line':
        this.emit(`${target} = ctx.line;`);
        break;
      case 'params':
        this.emit(`${target} = ctx.params;`);
        break;
      default: {
        const definition = computedFacts.get(fact);
        if (!definition) throw new Error(`unknown fact ${fact}`);
        let index = this.factIndex.get(fact);
        if (index === undefined) {
          index = this.N.push(factSlot(fact) as number) - 1;
          this.C.push(definition.compute);
          this.factIndex.set(fact, index);
        }
        const cache = definition.scope === 'line' ? 'ctx.lineFacts' : 'ctx.claimFacts';
        this.emit(`${target} = ${cache}.memo(n${index}, ctx, c${index});`);
      }
    }
    if (segments.length === 0) return;
    // json-rules-engine applies a path only to a non-null object (arrays included) and otherwise
    // uses the fact value itself; each step needs a truthy value owning the key.
    this.emit(`if (${target} !== null && typeof ${target} === 'object') {`);
    this.depth++;
    segments.forEach((segment, i) => {
      const s = this.segment(segment);
      this.emit(
        i === 0
          ? `${target} = hasOwn(${target}, ${s}) ? ${target}[${s}] : undefined;`
          : `${target} = ${target} && hasOwn(${target}, ${s}) ? ${target}[${s}] : undefined;`,
      );
    });
    this.depth--;
    this.emit('}');
  }

  private leaf(node: LeafCondition): string {
    const r = this.result();
    this.loadFact(node.fact, segmentsOf(node.path), 'a');
    let right: string;
    const value: unknown = node.value;
    let constantList: readonly unknown[] | undefined;
    if (isFactReference(value)) {
      const reference = value as { fact: string; path?: string };
      this.loadFact(reference.fact, segmentsOf(reference.path), 'b');
      right = 'b';
    } else {
      const copy = frozenCopy(value);
      if (Array.isArray(copy)) constantList = copy;
      right = this.constant(copy);
    }
    const parsed = parseOperator(node.operator);
    if (!parsed.ok) throw new Error(parsed.message);
    const { decorators, base, custom } = parsed.operator;
    if (decorators.length === 0 && !custom) {
      if (base === 'equal') {
        this.emit(`${r} = a === ${right};`);
        return r;
      }
      if (base === 'notEqual') {
        this.emit(`${r} = a !== ${right};`);
        return r;
      }
      if ((base === 'in' || base === 'notIn') && constantList && constantList.length >= SET_LOOKUP_MIN_LENGTH) {
        // indexOf uses ===: same as Set#has except that NaN is never found.
        const set = this.constant(new Set(constantList));
        this.emit(base === 'in' ? `${r} = a === a && ${set}.has(a);` : `${r} = !(a === a && ${set}.has(a));`);
        return r;
      }
    }
    this.emit(`${r} = ${this.operator(node.operator)}(a, ${right});`);
    return r;
  }

  /** Emits code leaving the node's result in the returned local. */
  node(node: ConditionNode, top: boolean): string {
    const hasOwn = Object.hasOwn;
    if (hasOwn(node, 'any')) return this.group((node as { any: ConditionNode[] }).any, false, top);
    if (hasOwn(node, 'all')) return this.group((node as { all: ConditionNode[] }).all, true, top);
    if (hasOwn(node, 'not')) {
      const child = this.node((node as { not: ConditionNode }).not, false);
      const r = this.result();
      this.emit(`${r} = !${child};`);
      return r;
    }
    return this.leaf(node as LeafCondition);
  }

  private group(children: readonly ConditionNode[], all: boolean, top: boolean): string {
    const r = this.result();
    if (children.length === 0) {
      this.emit(`${r} = true;`);
      return r;
    }
    if (children.length === 1) {
      const child = this.node(children[0] as ConditionNode, false);
      this.emit(top ? `${r} = ${child};` : `${r} = ${child} === true;`);
      return r;
    }
    const label = `L${this.labels++}`;
    this.emit(`${label}: {`);
    this.depth++;
    for (const childNode of children) {
      const child = this.node(childNode, false);
      this.emit(
        all
          ? `if (${child} !== true) { ${r} = false; break ${label}; }`
          : `if (${child} === true) { ${r} = true; break ${label}; }`,
      );
    }
    this.emit(`${r} = ${all ? 'true' : 'false'};`);
    this.depth--;
    this.emit('}');
    return r;
  }

  source(resultVar: string): string {
    const declare = (prefix: string, array: string, count: number): string =>
      count === 0 ? '' : `const ${Array.from({ length: count }, (_, i) => `${prefix}${i} = ${array}[${i}]`).join(', ')};\n`;
    const locals = ['a', 'b', ...Array.from({ length: this.results }, (_, i) => `r${i}`)].join(', ');
    return (
      "'use strict';\n" +
      'const hasOwn = H.hasOwn;\n' +
      declare('k', 'K', this.K.length) +
      declare('s', 'S', this.S.length) +
      declare('n', 'N', this.N.length) +
      declare('c', 'C', this.C.length) +
      declare('o', 'OP', this.OP.length) +
      'return function compiledCondition(ctx) {\n' +
      `  let ${locals};\n` +
      this.lines.join('\n') +
      `\n  return ${resultVar};\n` +
      '};\n'
    );
  }
}

/**
 * Generates the source and data for a condition tree that checkCondition accepted. Throws on
 * anything checkCondition would refuse only where generation cannot proceed; call
 * compileCondition for the checked path.
 */
export function generateCondition(when: ConditionNode): GeneratedCondition {
  const generator = new Generator();
  const result = generator.node(when, true);
  return {
    source: generator.source(result),
    K: generator.K,
    S: generator.S,
    N: generator.N,
    C: generator.C,
    OP: generator.OP,
  };
}

/** Builds the function from generated source and data (one `new Function` call). */
export function buildCondition(generated: GeneratedCondition): CompiledCondition {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the point of the compiler
  const factory = new Function('K', 'S', 'N', 'C', 'OP', 'H', generated.source) as (
    K: readonly unknown[],
    S: readonly PathSegment[],
    N: readonly number[],
    C: readonly Compute[],
    OP: readonly OperatorFunction[],
    H: typeof HELPERS,
  ) => CompiledCondition;
  return factory(generated.K, generated.S, generated.N, generated.C, generated.OP, HELPERS);
}
