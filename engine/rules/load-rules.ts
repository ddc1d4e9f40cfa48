import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ErrorObject } from 'ajv';
import { computedFacts, isInputFact } from '../checks/registry.js';
import type { ScrubProblem } from '../errors.js';
import { CATEGORIES } from '../model/index.js';
import { checkCondition } from './compile/index.js';
import { validateRuleDocument } from './schema/index.js';
import { schemaProblems } from './schema-problems.js';
import { parseTemplate } from './template.js';
import type { LoadedRule, RuleDefinition, RuleScope } from './types.js';
import { bySourcePosition, readYaml, pointerToSegments, type YamlSource } from './yaml-source.js';

export const RULE_FILE_SUFFIX = '.yaml';
export const RULE_TEST_SUFFIX = '.test.yaml';

export interface RuleLoadResult {
  rules: LoadedRule[];
  problems: ScrubProblem[];
}

/** Every rule file below `dir`: rules/<category>/<id>.yaml (test files beside them excluded). */
export async function findRuleFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(RULE_FILE_SUFFIX) && !entry.name.endsWith(RULE_TEST_SUFFIX))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

export async function loadRules(dirs: readonly string[]): Promise<RuleLoadResult> {
  const rules: LoadedRule[] = [];
  const problems: ScrubProblem[] = [];
  const seen = new Map<string, string>();
  const sources = new Map<LoadedRule, YamlSource>();
  for (const dir of dirs) {
    let files: string[];
    try {
      files = await findRuleFiles(dir);
    } catch (error) {
      problems.push({ position: { file: dir }, message: `The rules directory cannot be read: ${(error as Error).message}` });
      continue;
    }
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      const loaded = parseRuleFile(file, text, path.relative(dir, file));
      problems.push(...loaded.problems);
      if (!loaded.rule) continue;
      const id = loaded.rule.definition.id;
      const first = seen.get(id);
      if (first) {
        const position = loaded.source?.locate(['id']) ?? { line: 1, column: 1 };
        problems.push({ position: { file, ...position }, message: `Rule id "${id}" is already declared in ${first}. Rule ids are unique and permanent.` });
        continue;
      }
      seen.set(id, file);
      rules.push(loaded.rule);
      if (loaded.source) sources.set(loaded.rule, loaded.source);
    }
  }
  problems.push(...checkReplacements(rules, sources));
  return { rules, problems };
}

function checkReplacements(rules: readonly LoadedRule[], sources: ReadonlyMap<LoadedRule, YamlSource>): ScrubProblem[] {
  const ids = new Set(rules.map((rule) => rule.definition.id));
  return rules
    .filter((rule) => rule.definition.replacedBy !== undefined && !ids.has(rule.definition.replacedBy))
    .map((rule) => ({
      position: { file: rule.file, ...sources.get(rule)?.locate(['replacedBy']) },
      message: `replacedBy names "${rule.definition.replacedBy}", which is not a loaded rule.`,
    }));
}

/**
 * Parses and checks one rule file. `relativePath` is the path below the rules directory, used to
 * check that the file sits in its category's folder and is named after its id.
 */
export function parseRuleFile(
  file: string,
  text: string,
  relativePath: string,
): { rule?: LoadedRule; problems: ScrubProblem[]; source?: YamlSource } {
  const read = readYaml(file, text);
  if (!read.ok) return { problems: read.problems };
  const source = read.source;
  const valid = validateRuleDocument(source.value);
  const errors = valid ? [] : [...(validateRuleDocument.errors ?? [])];
  const problems = schemaProblems(source, errors);
  // The checks beyond the schema still run on the keys the schema accepted, so that one run
  // reports every problem of the file.
  const invalid = invalidTopLevelKeys(errors);
  if (!invalid.has(WHOLE_DOCUMENT)) {
    problems.push(...semanticProblems(source, source.value as RuleDefinition, relativePath, invalid));
  }
  if (problems.length > 0) return { problems: problems.sort(bySourcePosition), source };
  const definition = source.value as RuleDefinition;
  return { rule: { definition, file, hash: createHash('sha256').update(text).digest('hex') }, problems, source };
}

const WHOLE_DOCUMENT = '';

/** The top-level keys that schema errors are about ('' when the document itself is wrong). */
export function invalidTopLevelKeys(errors: readonly ErrorObject[]): Set<string> {
  const keys = new Set<string>();
  for (const error of errors) {
    const [first] = pointerToSegments(error.instancePath);
    if (first !== undefined) keys.add(String(first));
    else if (error.keyword === 'required') keys.add(String((error.params as Record<string, unknown>).missingProperty));
    else if (error.keyword !== 'additionalProperties') keys.add(WHOLE_DOCUMENT);
  }
  return keys;
}

function semanticProblems(source: YamlSource, rule: RuleDefinition, relativePath: string, invalid: ReadonlySet<string> = new Set()): ScrubProblem[] {
  const problems: ScrubProblem[] = [];
  const at = (segments: (string | number)[], message: string) =>
    problems.push({ position: { file: source.file, ...source.locate(segments) }, message });
  /** True when the schema accepted every one of these keys (present or absent). */
  const usable = (...keys: (keyof RuleDefinition)[]) => keys.every((key) => !invalid.has(key));

  const parts = relativePath.split(path.sep);
  const fileId = path.basename(relativePath, RULE_FILE_SUFFIX);
  if (usable('id') && fileId !== rule.id) at(['id'], `The rule id "${rule.id}" must equal the file name "${fileId}".`);
  if (parts.length !== 2 || !(CATEGORIES as readonly string[]).includes(parts[0] ?? '')) {
    at(['category'], `Rule files live in rules/<category>/<id>.yaml with a category from: ${CATEGORIES.join(', ')}.`);
  } else if (usable('category') && parts[0] !== rule.category) {
    at(['category'], `The rule is in the folder "${parts[0]}" but its category is "${rule.category}": move the file or fix the category.`);
  }

  if (usable('when', 'scope', 'params')) {
    for (const problem of checkCondition(rule.when, { scope: rule.scope, params: rule.params ?? {} })) {
      at(['when', ...problem.path], problem.message);
    }
  }

  if (usable('scope', 'location') && rule.scope === 'claim' && rule.location.includes('[*]')) {
    at(['location'], 'A claim-scope rule has no current line, so its location cannot contain [*].');
  }
  if (usable('message', 'scope')) {
    const template = parseTemplate(rule.message, (fact) => factProblem(fact, rule.scope));
    if (!template.ok) at(['message'], template.message);
  }

  if (usable('sources', 'scope') && rule.sources !== undefined) {
    const problem = factProblem(rule.sources, rule.scope) ?? (computedFacts.has(rule.sources) ? undefined : `"${rule.sources}" is an input fact: sources names a computed fact that lists reference data rows`);
    if (problem) at(['sources'], `sources: ${problem}`);
  }
  if (usable('effective', 'expires') && rule.effective && rule.expires && rule.expires <= rule.effective) {
    at(['expires'], `expires (${rule.expires}) must be after effective (${rule.effective}).`);
  }
  if (usable('replacedBy', 'deprecated') && rule.replacedBy !== undefined && rule.deprecated !== true) {
    at(['replacedBy'], 'replacedBy is only for deprecated rules: add deprecated: true.');
  }
  if (usable('replacedBy', 'id') && rule.replacedBy !== undefined && rule.replacedBy === rule.id) at(['replacedBy'], 'A rule cannot replace itself.');
  return problems;
}

/** Why a fact cannot be used in a rule of this scope, or undefined when it can. */
export function factProblem(fact: string, scope: RuleScope): string | undefined {
  if (fact === 'line') return scope === 'line' ? undefined : 'the fact "line" exists only in line-scope rules';
  if (isInputFact(fact)) return undefined;
  const computed = computedFacts.get(fact);
  if (!computed) return `unknown fact "${fact}"`;
  if (computed.scope === 'line' && scope !== 'line') return `the fact "${fact}" needs a service line, so only line-scope rules can use it`;
  return undefined;
}
