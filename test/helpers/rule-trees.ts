import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Writes `files` (relative path → text) into a fresh directory under `root`, and returns it. */
export async function writeTree(root: string, files: Record<string, string>, prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(root, prefix));
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
  }
  return dir;
}

export interface RuleSpec {
  id: string;
  category: string;
  scope: 'claim' | 'line';
  severity?: string;
  extra?: string[];
  when: string[];
  location: string;
  message: string;
}

/** The YAML of a complete, valid rule file with the given parts. */
export function ruleYaml(spec: RuleSpec): string {
  return [
    `id: ${spec.id}`,
    'version: 1',
    `title: Rule ${spec.id}`,
    `category: ${spec.category}`,
    `severity: ${spec.severity ?? 'error'}`,
    `scope: ${spec.scope}`,
    ...(spec.extra ?? []),
    'when:',
    ...spec.when,
    `location: ${spec.location}`,
    `message: ${JSON.stringify(spec.message)}`,
    'help: Fix it.',
    'carc: "16"',
    'references:',
    '  - title: A reference',
    '',
  ].join('\n');
}
