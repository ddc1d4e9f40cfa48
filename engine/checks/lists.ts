/**
 * The small public lists claimscrub keeps as data (engine/data/lists/*.yaml): CMS's place of
 * service codes, the modifiers claimscrub knows, the claim adjustment reason codes its rules
 * cite, and the procedures defined for an age band or specific to one sex. Each list is read
 * once, synchronously, when this module loads, from the package root (not from dist/: the YAML
 * files are not compiled), and checked against its schema; a malformed list stops claimscrub at
 * start-up with the file, line and column of every problem.
 *
 * Rules reach the lists through the `inList` and `notInList` operators; code reaches them through
 * the typed accessors below.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ScrubError, formatPosition, type ScrubProblem } from '../errors.js';
import { createAjv } from '../model/ajv.js';
import { PACKAGE_ROOT } from '../package-info.js';
import { schemaProblems } from '../rules/schema-problems.js';
import { bySourcePosition, readYaml } from '../rules/yaml-source.js';
import type { OperatorDefinition } from './types.js';

export const LIST_NAMES = ['place-of-service', 'modifiers', 'carc', 'procedure-ages', 'procedure-sexes'] as const;
export type ListName = (typeof LIST_NAMES)[number];

/** Where the bundled list files are: <package root>/engine/data/lists/<name>.yaml. */
export const BUNDLED_LISTS_DIR = path.join(PACKAGE_ROOT, 'engine', 'data', 'lists');

export interface PlaceOfServiceEntry {
  /** Two digits, as CMS assigns them: `02`, `11`. */
  code: string;
  /** Our own short words, not CMS's name or description. */
  label: string;
  /** The date CMS's code set gives the code's effect from, when it is recent enough to matter (YYYY-MM-DD). Information only: the checks do not use it. */
  since?: string;
}

export type ModifierKind = 'cpt' | 'hcpcs';

export interface ModifierEntry {
  /** Two characters: `25`, `TC`. */
  code: string;
  /** cpt: a CPT (Level I) modifier, including the anesthesia physical status modifiers P1-P6; hcpcs: a HCPCS Level II modifier. */
  kind: ModifierKind;
  /** Our own short words, not the official descriptor. */
  label: string;
}

export interface CarcEntry {
  /** The claim adjustment reason code as rules cite it: `16`, `197`. */
  code: string;
  /** Our own short words, never X12's text. */
  label: string;
}

export interface ProcedureAgeEntry {
  /** A CPT or HCPCS code whose definition includes an age band: `99382`. */
  code: string;
  /** The first age (whole years on the date of service; a newborn is 0) the code fits. */
  minAge: number;
  /** The last age the code fits; absent: no upper limit. */
  maxAge?: number;
  /** Our own short words, not the AMA's descriptor. */
  label: string;
}

export interface ProcedureSexEntry {
  /** A CPT or HCPCS code specific to one sex: `55700`. */
  code: string;
  /** The sex the code is for, as the claim records it (patient.sex). */
  sex: 'F' | 'M';
  /** Our own short words, not the official descriptor. */
  label: string;
}

interface ListEntries {
  'place-of-service': PlaceOfServiceEntry;
  modifiers: ModifierEntry;
  carc: CarcEntry;
  'procedure-ages': ProcedureAgeEntry;
  'procedure-sexes': ProcedureSexEntry;
}

/** A loaded list: its entries in file order and by code. */
export interface CodeList<E extends { code: string }> {
  readonly name: ListName;
  readonly file: string;
  readonly entries: readonly E[];
  readonly byCode: ReadonlyMap<string, E>;
}

const CODE_PATTERNS: Readonly<Record<ListName, string>> = {
  'place-of-service': '^[0-9]{2}$',
  modifiers: '^[A-Z0-9]{2}$',
  carc: '^[A-Z0-9]{1,4}$',
  'procedure-ages': '^[A-Z0-9]{5}$',
  'procedure-sexes': '^[A-Z0-9]{5}$',
};

const CODE_SHAPES: Readonly<Record<ListName, RegExp>> = {
  'place-of-service': new RegExp(CODE_PATTERNS['place-of-service'], 'u'),
  modifiers: new RegExp(CODE_PATTERNS.modifiers, 'u'),
  carc: new RegExp(CODE_PATTERNS.carc, 'u'),
  'procedure-ages': new RegExp(CODE_PATTERNS['procedure-ages'], 'u'),
  'procedure-sexes': new RegExp(CODE_PATTERNS['procedure-sexes'], 'u'),
};

function entrySchema(name: ListName): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    code: { type: 'string', pattern: CODE_PATTERNS[name] },
    label: { type: 'string', minLength: 1, maxLength: 80 },
  };
  const required = name === 'modifiers' ? ['code', 'kind', 'label'] : ['code', 'label'];
  if (name === 'place-of-service') properties.since = { type: 'string', format: 'date' };
  if (name === 'modifiers') properties.kind = { type: 'string', enum: ['cpt', 'hcpcs'] };
  if (name === 'procedure-ages') {
    properties.minAge = { type: 'integer', minimum: 0, maximum: 130 };
    properties.maxAge = { type: 'integer', minimum: 0, maximum: 130 };
    required.push('minAge');
  }
  if (name === 'procedure-sexes') {
    properties.sex = { type: 'string', enum: ['F', 'M'] };
    required.push('sex');
  }
  return { type: 'object', additionalProperties: false, required, properties };
}

const ajv = createAjv();
const validators = new Map(
  LIST_NAMES.map((name) => [
    name,
    ajv.compile({
      type: 'object',
      additionalProperties: false,
      required: ['list', 'codes'],
      properties: {
        list: { type: 'string', enum: [name] },
        codes: { type: 'array', minItems: 1, items: entrySchema(name) },
      },
    }),
  ]),
);

function listError(name: ListName, file: string, problems: ScrubProblem[]): ScrubError {
  const lines = problems.map((problem) => `  ${formatPosition(problem.position)}: ${problem.message}`);
  return new ScrubError('SCRUB_ERR_DATA_INVALID', `The ${name} list ${file} is not valid:\n${lines.join('\n')}`, { problems });
}

/** Checks across an entry's fields that the schema cannot make (a message, or undefined). */
const ENTRY_PROBLEMS: { readonly [N in ListName]?: (entry: ListEntries[N]) => string | undefined } = {
  'procedure-ages': (entry) =>
    entry.maxAge !== undefined && entry.maxAge < entry.minAge
      ? `the code "${entry.code}" has maxAge ${entry.maxAge} below minAge ${entry.minAge}: the band would fit no patient.`
      : undefined,
};

/**
 * Parses and checks the text of one list file. Throws SCRUB_ERR_DATA_INVALID naming the file,
 * line and column of every problem (bad YAML, a refused YAML feature, a schema violation, a code
 * listed twice).
 */
export function parseListFile<N extends ListName>(name: N, file: string, text: string): CodeList<ListEntries[N]> {
  const read = readYaml(file, text);
  if (!read.ok) throw listError(name, file, read.problems);
  const source = read.source;
  const validate = validators.get(name);
  if (!validate) throw new Error(`unknown list ${name}`);
  if (!validate(source.value)) throw listError(name, file, schemaProblems(source, validate.errors ?? []).sort(bySourcePosition));
  const entries = (source.value as { codes: ListEntries[N][] }).codes;
  const byCode = new Map<string, ListEntries[N]>();
  const firstIndex = new Map<string, number>();
  const problems: ScrubProblem[] = [];
  entries.forEach((entry, index) => {
    const first = firstIndex.get(entry.code);
    if (first !== undefined) {
      const firstLine = source.locate(['codes', first]).line;
      problems.push({
        position: { file, ...source.locate(['codes', index, 'code']) },
        message: `the code "${entry.code}" is already listed on line ${firstLine}: list each code once.`,
      });
      return;
    }
    const problem = ENTRY_PROBLEMS[name]?.(entry);
    if (problem !== undefined) {
      problems.push({ position: { file, ...source.locate(['codes', index]) }, message: problem });
      return;
    }
    firstIndex.set(entry.code, index);
    byCode.set(entry.code, Object.freeze(structuredClone(entry)) as ListEntries[N]);
  });
  if (problems.length > 0) throw listError(name, file, problems);
  return Object.freeze({ name, file, entries: Object.freeze([...byCode.values()]), byCode });
}

/** Reads and checks one list file (`<dir>/<name>.yaml`); throws SCRUB_ERR_DATA_INVALID as parseListFile does, or when the file cannot be read. */
export function loadListFile<N extends ListName>(name: N, dir: string = BUNDLED_LISTS_DIR): CodeList<ListEntries[N]> {
  const file = path.join(dir, `${name}.yaml`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ScrubError('SCRUB_ERR_DATA_INVALID', `The ${name} list ${file} cannot be read: ${(error as Error).message}`, {
      position: { file },
      problems: [{ position: { file }, message: `cannot be read: ${(error as Error).message}` }],
      cause: error,
    });
  }
  return parseListFile(name, file, text);
}

// Loaded once, when the module loads: a malformed bundled list is a start-up error.
const LISTS: { readonly [N in ListName]: CodeList<ListEntries[N]> } = {
  'place-of-service': loadListFile('place-of-service'),
  modifiers: loadListFile('modifiers'),
  carc: loadListFile('carc'),
  'procedure-ages': loadListFile('procedure-ages'),
  'procedure-sexes': loadListFile('procedure-sexes'),
};

export function isListName(value: unknown): value is ListName {
  return typeof value === 'string' && (LIST_NAMES as readonly string[]).includes(value);
}

/** The bundled list of that name. */
export function codeList<N extends ListName>(name: N): CodeList<ListEntries[N]> {
  return LISTS[name] as CodeList<ListEntries[N]>;
}

/** True when `code` is a string listed in the named list (exact match: codes are compared as written). */
export function isInList(name: ListName, code: unknown): boolean {
  return typeof code === 'string' && LISTS[name].byCode.has(code);
}

export function placeOfService(code: string): PlaceOfServiceEntry | undefined {
  return LISTS['place-of-service'].byCode.get(code);
}

export function modifier(code: string): ModifierEntry | undefined {
  return LISTS.modifiers.byCode.get(code);
}

export function carc(code: string): CarcEntry | undefined {
  return LISTS.carc.byCode.get(code);
}

/** The age band of an age-specific procedure code, or undefined. */
export function procedureAgeBand(code: string): ProcedureAgeEntry | undefined {
  return LISTS['procedure-ages'].byCode.get(code);
}

/** The sex a sex-specific procedure code is for, with its label, or undefined. */
export function procedureSex(code: string): ProcedureSexEntry | undefined {
  return LISTS['procedure-sexes'].byCode.get(code);
}

function listNameProblem(value: unknown): string | undefined {
  return isListName(value) ? undefined : `value must name a list: ${LIST_NAMES.join(', ')}`;
}

/** True when `code` has the shape of the named list's codes (`^[0-9]{2}$` for place-of-service, ...). */
export function hasListCodeShape(name: ListName, code: unknown): code is string {
  return typeof code === 'string' && CODE_SHAPES[name].test(code);
}

/**
 * `inList` and `notInList` take the list's name as value. `notInList` is true only for a code of
 * the list's shape that the list lacks: an absent field, a value that is not text, or text that
 * is not even shaped like a code (`1`, `rt`) is the claim schema's business, not a code missing
 * from the list (`not:inList` would be true for all of those, which is why `notInList` exists).
 */
export const LIST_OPERATORS: readonly OperatorDefinition[] = [
  {
    name: 'inList',
    description: `The fact is text listed in the named list (value: ${LIST_NAMES.join(', ')}; engine/data/lists/<name>.yaml).`,
    factValueValidator: (fact) => typeof fact === 'string',
    evaluate: (fact, value) => isListName(value) && isInList(value, fact),
    checkValue: listNameProblem,
  },
  {
    name: 'notInList',
    description: `The fact is a code of the named list's shape (two digits for place-of-service, two letters or digits for modifiers, up to four for carc, five for the procedure lists) that the list does not have (value: ${LIST_NAMES.join(', ')}); false for anything else.`,
    factValueValidator: (fact) => typeof fact === 'string',
    evaluate: (fact, value) => isListName(value) && hasListCodeShape(value, fact) && !isInList(value, fact),
    checkValue: listNameProblem,
  },
];
