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
  carc?: string;
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
    `carc: "${spec.carc ?? '16'}"`,
    'references:',
    '  - title: A reference',
    '',
  ].join('\n');
}

/** A small rule pack for loader and bundle tests: params of several kinds, a rule off by default, a deprecated rule. */
export const SMALL_RULE_PACK: Record<string, string> = {
  'authorization/needs-auth.yaml': ruleYaml({
    id: 'needs-auth',
    category: 'authorization',
    scope: 'line',
    extra: ['params:', '  procedureCodes: []'],
    when: [
      '  all:',
      '    - fact: line',
      '      path: $.procedureCode',
      '      operator: in',
      '      value: { fact: params, path: $.procedureCodes }',
      '    - fact: claim',
      '      path: $.priorAuthorization',
      '      operator: isMissing',
      '      value: true',
    ],
    location: 'priorAuthorization',
    message: '{{line.procedureCode}} needs prior authorization.',
  }),
  'coding/units-too-high.yaml': ruleYaml({
    id: 'units-too-high',
    category: 'coding',
    scope: 'line',
    severity: 'warning',
    extra: ['params:', '  maxUnits: 4'],
    when: ['  all:', '    - fact: line', '      path: $.units', '      operator: greaterThan', '      value: { fact: params, path: $.maxUnits }'],
    location: 'serviceLines[*].units',
    message: '{{line.procedureCode}} has {{line.units}} units (at most {{params.maxUnits}}).',
  }),
  'coding/code-in-ranges.yaml': ruleYaml({
    id: 'code-in-ranges',
    category: 'coding',
    scope: 'line',
    extra: ['params:', '  ranges: ["00100-01999"]'],
    when: ['  all:', '    - fact: line', '      path: $.procedureCode', '      operator: inCodeRanges', '      value: { fact: params, path: $.ranges }'],
    location: 'serviceLines[*].procedureCode',
    message: '{{line.procedureCode}} is in a listed range.',
  }),
  'modifier/optional-check.yaml': ruleYaml({
    id: 'optional-check',
    category: 'modifier',
    scope: 'line',
    extra: ['enabled: false'],
    when: ['  all:', '    - fact: line', '      path: $.modifiers', '      operator: contains', '      value: "XX"'],
    location: 'serviceLines[*].modifiers',
    message: 'XX on {{line.procedureCode}}; modifiers {{line.modifiers}}.',
  }),
  'demographics/old-check.yaml': ruleYaml({
    id: 'old-check',
    category: 'demographics',
    scope: 'claim',
    extra: ['deprecated: true'],
    when: ['  all:', '    - fact: claim', '      path: $.patient.sex', '      operator: equal', '      value: "U"'],
    location: 'patient.sex',
    message: 'Sex unknown on {{claim.id}}.',
  }),
  'provider/plain-check.yaml': ruleYaml({
    id: 'plain-check',
    category: 'provider',
    scope: 'claim',
    when: ['  all:', '    - fact: claim', '      path: $.billingProvider.npi', '      operator: isMissing', '      value: true'],
    location: 'billingProvider.npi',
    message: 'No billing NPI.',
  }),
};
