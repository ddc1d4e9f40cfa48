/**
 * Small patches on fixture claims for rule tests: `serviceLines[0].units` paths, set or unset.
 * Prototype names are refused so a test file cannot pollute objects.
 */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** `a.b[0].c`: a name, then `.name` or `[N]` steps (N without leading zeros). */
export function parseFieldPath(path: string): (string | number)[] {
  const malformed = () => new Error(`field path "${path}" is not of the form a.b[0].c`);
  const step = /\.([A-Za-z_][A-Za-z0-9_]*)|\[(0|[1-9][0-9]*)\]/y;
  const first = /^[A-Za-z_][A-Za-z0-9_]*/.exec(path);
  if (!first) throw malformed();
  const segments: (string | number)[] = [first[0]];
  step.lastIndex = first[0].length;
  while (step.lastIndex < path.length) {
    const match = step.exec(path);
    if (!match) throw malformed();
    if (match[1] !== undefined) {
      segments.push(match[1]);
    } else {
      const index = Number(match[2]);
      if (!Number.isSafeInteger(index)) throw new Error(`field path "${path}": index [${match[2]}] is too large`);
      segments.push(index);
    }
  }
  for (const segment of segments) {
    if (typeof segment === 'string' && FORBIDDEN.has(segment)) throw new Error(`field path "${path}": "${segment}" is not allowed`);
  }
  return segments;
}

export function setField(target: unknown, path: string, value: unknown): void {
  const segments = parseFieldPath(path);
  let node = target as Record<string | number, unknown>;
  segments.slice(0, -1).forEach((segment, i) => {
    const next = node[segment];
    if (next === null || typeof next !== 'object') {
      node[segment] = typeof segments[i + 1] === 'number' ? [] : {};
    }
    node = node[segment] as Record<string | number, unknown>;
  });
  node[segments[segments.length - 1] as string | number] = structuredClone(value);
}

export function unsetField(target: unknown, path: string): void {
  const segments = parseFieldPath(path);
  let node = target as Record<string | number, unknown> | undefined;
  for (const segment of segments.slice(0, -1)) {
    const next = node?.[segment];
    if (next === null || typeof next !== 'object') return;
    node = next as Record<string | number, unknown>;
  }
  const last = segments[segments.length - 1] as string | number;
  // A list element is removed from the list (claims come from JSON, which has no holes).
  if (Array.isArray(node) && typeof last === 'number') {
    if (last < node.length) node.splice(last, 1);
  } else if (node) {
    delete node[last];
  }
}
