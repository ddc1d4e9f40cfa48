/**
 * The compact form of an ICD-10-CM release's tabular-list notes in its release folder: one file,
 * `notes.txt`, UTF-8, a header line and then one entry a line, fields separated by tabs, the
 * entries sorted and unique:
 *
 *   # claimscrub icd10cm-notes 1
 *   C <code> <notedOn>                              a "code first" note on the code (or above it)
 *   M <code> <notedOn>                              a manifestation code: never first-listed
 *   X <code> <from> <to> <notedOn> <names>          an Excludes1 note on the code names from..to
 *
 * `code`, `from` and `to` are written without their dot; `notedOn` and `names` are as the tabular
 * list writes them (E10, E08-E13, K35.8, R10.1-), for messages. An entry applies to the code and
 * every code below it: a note on a section or chapter is written once for each category in it.
 * A range holds the codes whose first `from.length` characters sort on or after `from` and whose
 * first `to.length` characters sort on or before `to` (so `B50.0-B54` holds B50.0.. to B54.9, and
 * `J60-J67.9` holds J60.. to J67.9..): when the two ends differ in length, each end is compared on
 * its own length, which is how the tabular list reads a range.
 *
 * Loading reads the lines into maps keyed by the noted-on code. A lookup gathers the rules of the
 * code's own prefixes (at most 5: a code has 3 to 7 characters) once per code and remembers them,
 * so the 132 ordered pairs of a claim with 12 diagnoses cost 12 gatherings and 132 short scans
 * (about 0.2 µs a pair on the real FY2021 list). A note written on the code itself answers before
 * one written on a code, section or chapter above it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ScrubError, type ScrubProblem } from '../../errors.js';
import { scrubProblem } from '../problems.js';
import { declaredCounts } from '../source-file.js';
import type { Excludes1Note, Icd10cmNotesTable, ReleaseManifest } from '../types.js';
import { comparePrefix, readCodeReference, type ParsedTabular } from './parse-tabular.js';

export const ICD10CM_NOTES_TABLE_FILE = 'notes.txt';
const HEADER = '# claimscrub icd10cm-notes 1';

/** The counts of a notes table: what the loader checks against the release manifest. */
export interface Icd10cmNotesCounts extends Record<string, number> {
  /** `M` lines: the highest codes of each manifestation (the codes below them are manifestations too). */
  manifestations: number;
  /** `C` lines: one per code a "code first" note is written on, or per category of a section or chapter it is written on. */
  codeFirstCodes: number;
  /** Places (codes, sections, chapters, told apart by how they are written) with an Excludes1 note naming at least one code. */
  excludes1Notes: number;
  /** Distinct (noted on, names) pairs: each code, category or range an Excludes1 note names. */
  excludes1References: number;
  /** `X` lines: one per reference and code the note applies to. */
  excludes1Entries: number;
}

/** A notes table, with what the interface asks for and the "code first" notes that are not manifestations. */
export interface Icd10cmNotesLookup extends Icd10cmNotesTable {
  /**
   * True when the code (or a category or section above it) carries any "code first" note. Unlike
   * isManifestation, such a code may be listed first when there is no underlying condition to code
   * (sepsis A41.9, obesity E66.9): a reminder to check the order, not an error.
   */
  hasCodeFirstNote(dotlessCode: string): boolean;
  readonly counts: Icd10cmNotesCounts;
}

/** A code the notes mark (`C` and `M` lines). */
interface NotedCode {
  code: string;
  notedOn: string;
}

/** One `X` line. */
interface Excludes1Entry {
  code: string;
  from: string;
  to: string;
  notedOn: string;
  names: string;
}

interface NotesEntries {
  manifestations: NotedCode[];
  codeFirst: NotedCode[];
  excludes1: Excludes1Entry[];
}

interface Excludes1Rule {
  from: string;
  to: string;
  note: Excludes1Note;
}

const DOTLESS_CODE = /^[A-Z][0-9][0-9A-Z][0-9A-Z]{0,4}$/;
/** Written forms hold no tab, line end or other control character. */
const WRITTEN = /^[^\u0000-\u001f\u007f]+$/;
const MAX_CODE_LENGTH = 7;
const MIN_CODE_LENGTH = 3;

/** True when some prefix of `code` (3 characters or more) is in `codes`. */
function hasPrefixIn(codes: ReadonlySet<string>, code: string): boolean {
  for (let length = Math.min(code.length, MAX_CODE_LENGTH); length >= MIN_CODE_LENGTH; length--) {
    if (codes.has(length === code.length ? code : code.slice(0, length))) return true;
  }
  return false;
}

const NO_RULES: readonly Excludes1Rule[] = Object.freeze([]);
/** Codes whose rules are remembered; past it the memory starts over (codes are few, but input may be anything). */
const REMEMBERED_CODES = 100_000;

class NotesTable implements Icd10cmNotesLookup {
  /** The rules of every prefix of a code, longest prefix first, per code asked about: a claim asks about the same few codes again and again. */
  private readonly rulesByCode = new Map<string, readonly Excludes1Rule[]>();

  constructor(
    private readonly manifestationCodes: ReadonlySet<string>,
    private readonly codeFirstCodes: ReadonlySet<string>,
    private readonly excludes: ReadonlyMap<string, readonly Excludes1Rule[]>,
    readonly counts: Icd10cmNotesCounts,
  ) {}

  isManifestation(dotlessCode: string): boolean {
    return hasPrefixIn(this.manifestationCodes, dotlessCode);
  }

  hasCodeFirstNote(dotlessCode: string): boolean {
    return hasPrefixIn(this.codeFirstCodes, dotlessCode);
  }

  /** The note on the longest prefix of `a` that names `b` (the note closest to the code). */
  excludes1(a: string, b: string): Excludes1Note | undefined {
    for (const rule of this.rulesFor(a)) {
      if (comparePrefix(b, rule.from) >= 0 && comparePrefix(b, rule.to) <= 0) return rule.note;
    }
    return undefined;
  }

  private rulesFor(code: string): readonly Excludes1Rule[] {
    let rules = this.rulesByCode.get(code);
    if (rules !== undefined) return rules;
    const found: Excludes1Rule[] = [];
    for (let length = Math.min(code.length, MAX_CODE_LENGTH); length >= MIN_CODE_LENGTH; length--) {
      const own = this.excludes.get(length === code.length ? code : code.slice(0, length));
      if (own !== undefined) found.push(...own);
    }
    rules = found.length === 0 ? NO_RULES : found;
    if (this.rulesByCode.size >= REMEMBERED_CODES) this.rulesByCode.clear();
    this.rulesByCode.set(code, rules);
    return rules;
  }
}

/** The sorted, unique lines (no header) of the entries. */
function linesOf(entries: NotesEntries): string[] {
  const lines = new Set<string>();
  for (const { code, notedOn } of entries.codeFirst) lines.add(`C\t${code}\t${notedOn}`);
  for (const { code, notedOn } of entries.manifestations) lines.add(`M\t${code}\t${notedOn}`);
  for (const { code, from, to, notedOn, names } of entries.excludes1) lines.add(`X\t${code}\t${from}\t${to}\t${notedOn}\t${names}`);
  return [...lines].sort();
}

/** 0 when the rule's note is written on `code` itself, 1 when on a section or chapter holding it. */
function writtenOn(rule: Excludes1Rule, code: string): number {
  return rule.note.notedOn.replace('.', '') === code ? 0 : 1;
}

/** A table from checked, sorted lines (no header); its counts are counted from the lines. */
function tableFromLines(lines: readonly string[]): NotesTable {
  const manifestations = new Set<string>();
  const codeFirst = new Set<string>();
  const excludes = new Map<string, Excludes1Rule[]>();
  const notedOn = new Set<string>();
  const references = new Set<string>();
  let manifestationLines = 0;
  let codeFirstLines = 0;
  // One note object per (noted on, names): the same answer for every code a note applies to.
  const notes = new Map<string, Excludes1Note>();
  for (const line of lines) {
    const fields = line.split('\t');
    const kind = fields[0];
    const code = fields[1] as string;
    if (kind === 'M') {
      manifestations.add(code);
      manifestationLines++;
    } else if (kind === 'C') {
      codeFirst.add(code);
      codeFirstLines++;
    } else {
      const [, , from, to, on, names] = fields as [string, string, string, string, string, string];
      const key = `${on}\t${names}`;
      let note = notes.get(key);
      if (note === undefined) {
        note = Object.freeze({ notedOn: on, names });
        notes.set(key, note);
      }
      notedOn.add(on);
      references.add(key);
      let rules = excludes.get(code);
      if (rules === undefined) excludes.set(code, (rules = []));
      rules.push({ from, to, note });
    }
  }
  // A note written on the code itself answers before one written on its section or chapter (the
  // closer note is the better message); sort is stable, so the file's order holds otherwise.
  for (const [code, rules] of excludes) rules.sort((x, y) => writtenOn(x, code) - writtenOn(y, code));
  const counts: Icd10cmNotesCounts = {
    manifestations: manifestationLines,
    codeFirstCodes: codeFirstLines,
    excludes1Notes: notedOn.size,
    excludes1References: references.size,
    excludes1Entries: lines.length - manifestationLines - codeFirstLines,
  };
  return new NotesTable(manifestations, codeFirst, excludes, counts);
}

function entriesFromParsed(parsed: ParsedTabular): NotesEntries {
  const noted = (list: ParsedTabular['manifestations']): NotedCode[] => list.flatMap(({ notedOn, appliesTo }) => appliesTo.map((code) => ({ code, notedOn })));
  return {
    manifestations: noted(parsed.manifestations),
    codeFirst: noted(parsed.codeFirst),
    excludes1: parsed.excludes1.flatMap(({ notedOn, appliesTo, references }) =>
      appliesTo.flatMap((code) => references.map(({ from, to, written }) => ({ code, from, to, notedOn, names: written }))),
    ),
  };
}

/**
 * The table file of a release (name → content) and its counts, from a tabular list read without
 * problems.
 */
export function buildIcd10cmNotesTables(parsed: ParsedTabular): { tables: Record<string, string>; counts: Icd10cmNotesCounts } {
  const lines = linesOf(entriesFromParsed(parsed));
  const { counts } = tableFromLines(lines);
  return { tables: { [ICD10CM_NOTES_TABLE_FILE]: [HEADER, ...lines].map((line) => `${line}\n`).join('') }, counts };
}

/** What an in-memory table holds, written as the tabular list writes codes (with their dot). */
export interface Icd10cmNotesInput {
  /** Manifestation codes or categories (G63, M14.6); they count as under a "code first" note too. */
  manifestations?: readonly string[];
  /** Codes or categories with a "code first" note that are not manifestations (A41, E66). */
  codeFirst?: readonly string[];
  excludes1?: readonly {
    /** The code or category the note is on (E10), or a section or chapter when `appliesTo` is given. */
    notedOn: string;
    /** One code, category or range as a note writes it in parentheses: E11.-, E08-E13, R10.1-R10.3-. */
    names: string;
    /** The codes (without their dot) the note applies to, for a note on a section or chapter; default: `notedOn`. */
    appliesTo?: readonly string[];
  }[];
}

function dotlessInput(code: string, what: string): string {
  const dotless = code.replace('.', '');
  if (!DOTLESS_CODE.test(dotless)) throw new Error(`createIcd10cmNotesTable: ${what} ${JSON.stringify(code)} is not an ICD-10-CM code`);
  return dotless;
}

/**
 * An in-memory notes table (tests, callers that build one themselves). Throws an Error when a code
 * or reference is not one.
 */
export function createIcd10cmNotesTable(input: Icd10cmNotesInput): Icd10cmNotesLookup {
  const manifestations = (input.manifestations ?? []).map((notedOn) => ({ code: dotlessInput(notedOn, 'manifestation'), notedOn }));
  const codeFirst = [...manifestations, ...(input.codeFirst ?? []).map((notedOn) => ({ code: dotlessInput(notedOn, 'code first'), notedOn }))];
  const excludes1 = (input.excludes1 ?? []).flatMap(({ notedOn, names, appliesTo }) => {
    const reference = readCodeReference(names);
    if (reference === undefined) throw new Error(`createIcd10cmNotesTable: ${JSON.stringify(names)} is not a code, category or range`);
    const codes = appliesTo === undefined ? [dotlessInput(notedOn, 'noted-on code')] : appliesTo.map((code) => dotlessInput(code, 'applies-to code'));
    return codes.map((code) => ({ code, from: reference.from, to: reference.to, notedOn, names: reference.written }));
  });
  return tableFromLines(linesOf({ manifestations, codeFirst, excludes1 }));
}

/** What is wrong with one entry line, or undefined. */
function lineProblem(line: string, previous: string | undefined): string | undefined {
  const fields = line.split('\t');
  const kind = fields[0];
  const expected = kind === 'X' ? 6 : kind === 'M' || kind === 'C' ? 3 : 0;
  if (expected === 0) return `unknown entry kind ${JSON.stringify(kind)}: C, M or X`;
  if (fields.length !== expected) return `a ${kind} entry has ${expected} tab-separated fields, this one ${fields.length}`;
  const codes = kind === 'X' ? fields.slice(1, 4) : fields.slice(1, 2);
  for (const code of codes) if (!DOTLESS_CODE.test(code)) return `${JSON.stringify(code)} is not an ICD-10-CM code without its dot`;
  const written = kind === 'X' ? fields.slice(4) : fields.slice(2);
  for (const text of written) if (!WRITTEN.test(text)) return 'an empty field, or a control character in one';
  if (kind === 'X') {
    const from = fields[2] as string;
    const to = fields[3] as string;
    const shorter = Math.min(from.length, to.length);
    if (from.slice(0, shorter) > to.slice(0, shorter)) return `the range ${from}-${to} ends before it starts`;
  }
  if (previous !== undefined && !(previous < line)) return 'the entries must be sorted and unique';
  return undefined;
}

/** True when the release's manifest lists a notes table (a release imported without the tabular XML has none). */
export function hasIcd10cmNotesTable(manifest: Partial<Pick<ReleaseManifest, 'tables'>>): boolean {
  return Array.isArray(manifest.tables) && manifest.tables.includes(ICD10CM_NOTES_TABLE_FILE);
}

/**
 * Loads the notes table of the ICD-10-CM release in `dir`, checking every line and the counts the
 * manifest declares (read from `dir` when not given). Throws SCRUB_ERR_DATA_INVALID, with the
 * problems found, when the file is missing, damaged or does not match the manifest.
 */
export async function loadIcd10cmNotesTable(dir: string, manifest?: ReleaseManifest): Promise<Icd10cmNotesLookup> {
  const counts = await declaredCounts(dir, manifest);
  const file = path.join(dir, ICD10CM_NOTES_TABLE_FILE);
  const fail = (problems: ScrubProblem[]): never => {
    throw new ScrubError('SCRUB_ERR_DATA_INVALID', `${dir}: the ICD-10-CM notes table is damaged`, { problems });
  };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return fail([scrubProblem(file, `cannot read the table: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)]);
  }
  if (!text.endsWith('\n')) return fail([scrubProblem(file, 'the file does not end with a line end (cut short?)')]);
  const lines = text.slice(0, -1).split('\n');
  if (lines[0] !== HEADER) return fail([scrubProblem(file, `the first line must be ${JSON.stringify(HEADER)}`, 1, 1)]);
  const entries = lines.slice(1);
  for (let i = 0; i < entries.length; i++) {
    const problem = lineProblem(entries[i] as string, i > 0 ? entries[i - 1] : undefined);
    if (problem !== undefined) return fail([scrubProblem(file, problem, i + 2, 1)]);
  }
  const table = tableFromLines(entries);
  const problems: ScrubProblem[] = [];
  for (const [name, value] of Object.entries(table.counts)) {
    const declared = counts?.[name];
    if (declared !== value) problems.push(scrubProblem(file, `has ${value} ${name}, the manifest says ${declared ?? 'nothing'}`));
  }
  if (problems.length > 0) return fail(problems);
  return table;
}
