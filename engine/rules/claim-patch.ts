/**
 * Small patches on fixture claims for rule tests: `serviceLines[0].units` paths, set or unset.
 * Prototype names are refused so a test file cannot pollute objects.
 */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

export function parseFieldPath(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  const pattern = /([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\./gy;
  let expectName = true;
  let lastIndex = 0;
  for (let match = pattern.exec(path); match; match = pattern.exec(path)) {
    lastIndex = pattern.lastIndex;
    if (match[1] !== undefined) {
      if (!expectName) throw new Error(`field path "${path}": expected "." or "[" before "${match[1]}"`);
      if (FORBIDDEN.has(match[1])) throw new Error(`field path "${path}": "${match[1]}" is not allowed`);
      segments.push(match[1]);
      expectName = false;
    } else if (match[2] !== undefined) {
      segments.push(Number(match[2]));
      expectName = false;
    } else {
      expectName = true;
    }
  }
  if (lastIndex !== path.length || segments.length === 0 || expectName) throw new Error(`field path "${path}" is not of the form a.b[0].c`);
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
  if (node) delete node[segments[segments.length - 1] as string | number];
}
