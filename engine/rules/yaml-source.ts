import { LineCounter, Parser, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Document, Node as YamlNode } from 'yaml';
import type { ScrubProblem } from '../errors.js';

/**
 * Rule and payer files are data, so the YAML reader refuses everything that is not plain data:
 * tags (custom or explicit), anchors and aliases (alias bombs), and keys that could reach an
 * object prototype. Every problem keeps its file, line and column.
 */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface YamlSource {
  file: string;
  value: unknown;
  /** Position of the node at `path` (or of its nearest existing ancestor). */
  locate(path: readonly (string | number)[]): { line: number; column: number };
  /** Position of the key `key` inside the mapping at `path`, when there is one. */
  locateKey(path: readonly (string | number)[], key: string): { line: number; column: number };
}

export type YamlReadResult = { ok: true; source: YamlSource } | { ok: false; problems: ScrubProblem[] };

export function readYaml(file: string, text: string): YamlReadResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true, merge: false, version: '1.2', schema: 'core' });
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const problems: ScrubProblem[] = [];
  for (const error of [...doc.errors, ...doc.warnings]) {
    // An unresolved tag is reported below, with the other tags.
    if (error.code === 'TAG_RESOLVE_FAILED') continue;
    problems.push({ position: { file, ...position(error.pos[0]) }, message: firstLine(error.message) });
  }
  // Anchors, aliases and tags are found in the source tokens, so that each problem points at the
  // `&name`, `*name` or `!tag` itself (a node's range starts after its anchor and tag).
  for (const token of propertyTokens(text)) {
    const at = { file, ...position(token.offset) };
    if (token.type === 'alias') problems.push({ position: at, message: 'YAML aliases (*name) are not allowed in rule files: write the value out.' });
    else if (token.type === 'anchor') problems.push({ position: at, message: 'YAML anchors (&name) are not allowed in rule files: write the value out.' });
    else problems.push({ position: at, message: `YAML tags (${token.source}) are not allowed in rule files: values must be plain data.` });
  }
  visit(doc, {
    Pair(_key, pair) {
      const key = pair.key;
      if (isScalar(key) && typeof key.value === 'string' && PROTOTYPE_KEYS.has(key.value)) {
        problems.push({
          position: { file, ...position(key.range?.[0] ?? 0) },
          message: `The key "${key.value}" is not allowed: it names an object prototype property.`,
        });
      } else if (key !== null && !isScalar(key)) {
        problems.push({ position: { file, ...position((key as YamlNode).range?.[0] ?? 0) }, message: 'Mapping keys must be plain text.' });
      }
    },
  });
  if (problems.length > 0) return { ok: false, problems: problems.sort(bySourcePosition) };

  const value = doc.toJS({ maxAliasCount: 0 });
  return {
    ok: true,
    source: {
      file,
      value,
      locate: (path) => position(nodeAt(doc, path).range?.[0] ?? 0),
      locateKey: (path, key) => {
        const parent = nodeAt(doc, path);
        if (isMap(parent)) {
          const pair = parent.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
          const keyNode = pair?.key as YamlNode | undefined;
          if (keyNode?.range) return position(keyNode.range[0]);
        }
        return position(parent.range?.[0] ?? 0);
      },
    },
  };
}

function nodeAt(doc: Document, path: readonly (string | number)[]): YamlNode {
  let node = doc.contents as YamlNode | null;
  let found: YamlNode = node ?? ({ range: [0, 0, 0] } as unknown as YamlNode);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      node = (pair?.value as YamlNode | undefined) ?? null;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = (node.items[segment] as YamlNode | undefined) ?? null;
    } else {
      node = null;
    }
    if (!node) break;
    found = node;
  }
  return found;
}

interface PropertyToken {
  type: 'anchor' | 'tag' | 'alias';
  offset: number;
  source: string;
}

/** Every anchor, tag and alias token of the source, in source order. */
function propertyTokens(text: string): PropertyToken[] {
  const found: PropertyToken[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const token = value as { type?: unknown; offset?: unknown; source?: unknown };
    if ((token.type === 'anchor' || token.type === 'tag' || token.type === 'alias') && typeof token.offset === 'number') {
      found.push({ type: token.type, offset: token.offset, source: String(token.source) });
    }
    for (const child of Object.values(value)) walk(child);
  };
  for (const token of new Parser().parse(text)) walk(token);
  return found.sort((a, b) => a.offset - b.offset);
}

/** Orders problems of one file by line, then column. */
export function bySourcePosition(a: ScrubProblem, b: ScrubProblem): number {
  return (a.position.line ?? 0) - (b.position.line ?? 0) || (a.position.column ?? 0) - (b.position.column ?? 0);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** `/a/0/b` (ajv's instancePath) as path segments; numeric segments become numbers. */
export function pointerToSegments(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^(0|[1-9][0-9]*)$/.test(part) ? Number(part) : part));
}
