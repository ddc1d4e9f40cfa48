/**
 * The subset of JSONPath that rule conditions may use, and its evaluation.
 *
 * json-rules-engine resolves `path` with jsonpath-plus (`JSONPath({ path, json, wrap: false })`), and
 * only when the fact value is a non-null object (arrays included); otherwise the path is ignored and
 * the fact value itself is used. For the subset accepted here (`$` then `.name` / `[N]` steps)
 * jsonpath-plus follows a step only when the current value is truthy and has the key as an own
 * property (`Object.hasOwn`, which also sees a string's characters and `length`), and yields
 * undefined as soon as a step cannot be followed. `resolvePath` is that, without the parsing.
 */

export type PathSegment = string | number;

export type ParsedPath = { ok: true; segments: PathSegment[] } | { ok: false; message: string };

const EXAMPLE = '`$.serviceLines[0].procedureCode`';

/** Names no path step, fact or key may use: every object inherits them (or `prototype`). */
const INHERITED_NAMES: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'toLocaleString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

/** True for `__proto__`, `constructor`, `prototype` and every other name on Object.prototype. */
export function isPrototypeName(name: string): boolean {
  return INHERITED_NAMES.has(name);
}

/** Why a prototype name is refused, for messages. */
export function prototypeNameReason(name: string): string {
  return name === 'prototype'
    ? '`prototype` names the prototype of constructors, not data'
    : `\`${name}\` is inherited by every JavaScript object (it is on Object.prototype), so it cannot name data safely`;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const INDEX = /^\[(0|[1-9][0-9]*)\]/;

/**
 * Parses `$.a.b[0].c`. Accepted: `$` followed by one or more `.name` (name = [A-Za-z_][A-Za-z0-9_]*)
 * or `[N]` (N a non-negative integer without leading zeros). Everything else is refused.
 */
export function parsePath(path: string): ParsedPath {
  if (typeof path !== 'string') {
    return { ok: false, message: `path must be text like ${EXAMPLE}` };
  }
  const unsupported = (): ParsedPath => ({
    ok: false,
    message: `path \`${path}\` is not supported: use property names and numeric indexes only, like ${EXAMPLE}`,
  });
  if (!path.startsWith('$')) return unsupported();
  const segments: PathSegment[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    if (rest.startsWith('.')) {
      const match = NAME.exec(rest.slice(1));
      if (!match) return unsupported();
      const name = match[0];
      if (isPrototypeName(name)) {
        return { ok: false, message: `path \`${path}\` uses \`${name}\`: ${prototypeNameReason(name)}` };
      }
      segments.push(name);
      rest = rest.slice(1 + name.length);
    } else if (rest.startsWith('[')) {
      const match = INDEX.exec(rest);
      if (!match) return unsupported();
      const digits = match[1] as string;
      const index = Number(digits);
      if (!Number.isSafeInteger(index)) {
        return { ok: false, message: `path \`${path}\` has index [${digits}], which is too large to be a list position` };
      }
      segments.push(index);
      rest = rest.slice(match[0].length);
    } else {
      return unsupported();
    }
  }
  if (segments.length === 0) {
    return {
      ok: false,
      message: `path \`${path}\` selects nothing: leave path out to use the whole fact, or name a field, like ${EXAMPLE}`,
    };
  }
  return { ok: true, segments };
}

const hasOwn = Object.hasOwn;

/**
 * json-rules-engine's path semantics: a fact value that is not a non-null object is returned as it
 * is (the path is ignored); otherwise each step is taken only from a truthy value that has the key
 * as an own property, else the result is undefined.
 */
export function resolvePath(value: unknown, segments: readonly PathSegment[]): unknown {
  if (value === null || typeof value !== 'object' || segments.length === 0) return value;
  let current: unknown = value;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as PathSegment;
    if (current && hasOwn(current as object, segment)) {
      current = (current as Record<PathSegment, unknown>)[segment];
    } else {
      return undefined;
    }
  }
  return current;
}
