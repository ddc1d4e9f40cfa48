/**
 * The ICD-10-CM tabular list as XML (icd10cm_tabular_<year>.xml): `chapter` > `section` > `diag`,
 * each `diag` with its `name` (the code, with its dot), `desc`, instructional notes and the `diag`s
 * below it. Two kinds of note matter to a claim:
 *
 * - `excludes1`: the conditions its `note`s name are never coded together with the code. A note
 *   names codes in parentheses inside free text: "type 1 diabetes mellitus (E10.-)".
 * - `codeFirst`: the underlying condition is listed first. Only codes whose title (or a title
 *   above them) says "classified elsewhere" are true manifestation codes, never first-listed; the
 *   other "code first" notes (sepsis A41, obesity E66, HIV B20...) ask for the underlying cause
 *   first *when there is one*, and such codes are often listed first. Both are kept, apart.
 *
 * A note on a chapter or section applies to every category in it; a note on a `diag` applies to it
 * and every code below it. The XML is read as a stream with saxes (a conforming, non-validating
 * parser): malformed XML and structural problems (a `diag` without a name, a name that is not an
 * ICD-10-CM code) are reported with line and column, and the caller refuses the file. Code
 * references the reader cannot understand are not errors: they are counted and listed, never
 * guessed at.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import type { RowProblem } from '../problems.js';
import type { SourceFile } from '../types.js';
import { streamUtf8SourceFile } from '../source-file.js';

/** An ICD-10-CM code as the tabular list writes it: 3 characters, then a dot and 1 to 4 more. */
export const ICD10CM_DOTTED_CODE = /^[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?$/;

/** The root element of the tabular list. */
export const TABULAR_ROOT = 'ICD10CM.tabular';

/** One code, category or range named by a note, read from its text. */
export interface NoteReference {
  /**
   * The range's first code without its dot. A code is in the range when its first `from.length`
   * characters sort on or after `from` and its first `to.length` characters on or before `to`; so
   * one code or category (from = to) holds itself and every code below it.
   */
  from: string;
  /** The range's last code without its dot; the same as `from` for a single code or category. */
  to: string;
  /** As written in the note, trimmed: `E10.-`, `E08-E13`, `K35.80`. */
  written: string;
}

/** What one note text names. */
export interface NoteTextReferences {
  references: NoteReference[];
  /** Parenthesised parts that hold a code but could not be read (left out of `references`), as written. */
  unread: string[];
  /** True when a code-shaped word stands outside any parentheses (never read: free text may name a code without meaning it). */
  codesOutsideParentheses: boolean;
}

/** An `excludes1` element of the tabular list and the references read from its notes. */
export interface TabularExcludes1Note {
  /** What the note is written on: a code with its dot (E10, K35.8), a section's id (E08-E13) or a chapter's range (S00-T88). */
  notedOn: string;
  /** The codes the note applies to, without their dot, each with every code below it: the code itself, or each category of the section or chapter. */
  appliesTo: string[];
  /** Where the `excludes1` element starts, 1-based. */
  line: number;
  column: number;
  /** How many `note` texts it has. */
  texts: number;
  references: NoteReference[];
}

/** Codes marked by "code first" notes: a holder of such a note, or a manifestation code. */
export interface TabularNotedCodes {
  /** What the note is written on, as in TabularExcludes1Note. */
  notedOn: string;
  /** The codes marked, without their dot, each with every code below it. */
  appliesTo: string[];
}

/** A parenthesised part of a note text that names codes in a way the reader does not understand. */
export interface UnreadNoteReference {
  /** The line of the `note` element. */
  line: number;
  notedOn: string;
  /** The whole note text. */
  text: string;
  /** The part not understood, without its parentheses. */
  part: string;
}

/** What was read, for the release manifest and the import report (not the table's own counts). */
export interface TabularCounts extends Record<string, number> {
  /** `diag` elements (codes, categories and subcategories). */
  tabularCodes: number;
  /** `excludes1` elements on chapters, sections and codes. */
  tabularExcludes1Notes: number;
  /** `note` texts in them. */
  tabularExcludes1Texts: number;
  /** `codeFirst` elements on chapters, sections and codes. */
  tabularCodeFirstNotes: number;
  /** Parenthesised parts of Excludes1 texts that hold a code and could not be read. */
  unreadNoteReferences: number;
  /** Excludes1 texts that write a code-shaped word outside parentheses (not read). */
  textsWithCodesOutsideParentheses: number;
  /** `diag`s whose code does not begin with the code of the `diag` around them (their notes reach them only by the code's own prefixes). */
  codesNotBelowParent: number;
}

export interface ParsedTabular {
  /** Structural problems; the file is usable only when there is none. */
  problems: RowProblem[];
  excludes1: TabularExcludes1Note[];
  /** Every chapter, section or code that carries a "code first" note. */
  codeFirst: TabularNotedCodes[];
  /**
   * Manifestation codes: under a "code first" note and titled "... classified elsewhere" (the code
   * or a code above it). Each is the highest such code; the codes below it are manifestations too.
   */
  manifestations: TabularNotedCodes[];
  unread: UnreadNoteReference[];
  /** Every `diag` code, without its dot, in file order (for cross-checks with the order file). */
  codes: string[];
  counts: TabularCounts;
}

export interface ParsedTabularFile extends ParsedTabular {
  /** The file as read: its name (no directory), sha256 and size, for the release manifest. */
  source: SourceFile;
}

// --- Code references in note text -------------------------------------------------------------

/** A word shaped like an ICD-10-CM code or category (not part of a longer word: G6PD, H1N1 are not). */
const CODE_WORD = /(?<![0-9A-Za-z])[A-Z][0-9][0-9A-Z](?![0-9A-Za-z])/;
const CODE = '[A-Z][0-9][0-9A-Z](?:\\.[0-9A-Z]{1,4})?';
/** One code (a trailing `-`: and every code below it) or a range of two, dashes around the range's own dash tolerated. */
const REFERENCE_ITEM = new RegExp(`^(${CODE})-?(?:\\s*-\\s*(${CODE})-?)?$`);

function dotless(code: string): string {
  return code.replace('.', '');
}

/** Compares the first `bound.length` characters of `code` with `bound` (a shorter code sorts first). */
export function comparePrefix(code: string, bound: string): number {
  const length = bound.length;
  for (let i = 0; i < length; i++) {
    if (i >= code.length) return -1;
    const difference = code.charCodeAt(i) - bound.charCodeAt(i);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** True when `code` (without its dot) is within the reference's range (see NoteReference.from). */
export function referenceCovers(reference: Pick<NoteReference, 'from' | 'to'>, code: string): boolean {
  return comparePrefix(code, reference.from) >= 0 && comparePrefix(code, reference.to) <= 0;
}

/**
 * Reads one reference as written inside parentheses: `E11.9`, `E11.-`, `E11.3-`, `E08-E13`,
 * `R10.1-R10.3-`. Returns undefined when it is not one. `.-` after a code with a dot already
 * (`D29.2.-`, a slip found in the published lists) reads as `-`; a range whose end sorts before
 * its start is not read.
 */
export function readCodeReference(written: string): NoteReference | undefined {
  const trimmed = written.trim();
  // `E10.-` and `E10-` mean the same; so do `F98.2.-F98.3` and `F98.2-F98.3`.
  const match = REFERENCE_ITEM.exec(trimmed.replace(/([0-9A-Z])\.-/g, '$1-'));
  if (match === null) return undefined;
  const from = dotless(match[1] as string);
  const to = match[2] === undefined ? from : dotless(match[2]);
  const shorter = Math.min(from.length, to.length);
  if (from.slice(0, shorter) > to.slice(0, shorter)) return undefined;
  return { from, to, written: trimmed };
}

/** Reads the list inside one pair of parentheses; undefined when any item is not a reference. */
function readReferenceList(part: string): NoteReference[] | undefined {
  const items = part.split(',');
  // A trailing comma is a slip of the pen, not a reference that could not be read.
  if (items.length > 1 && (items[items.length - 1] as string).trim() === '') items.pop();
  const references: NoteReference[] = [];
  for (const item of items) {
    const reference = readCodeReference(item);
    if (reference === undefined) return undefined;
    references.push(reference);
  }
  return references;
}

/**
 * Reads the codes a note text names in parentheses: "type 1 diabetes mellitus (E10.-)",
 * "(O00-O07, O08.1)". A parenthesised part without any code-shaped word is prose ("(acute)",
 * "(LAC)") and is skipped; one that holds a code but is not a plain list of codes and ranges
 * ("(E08-E13 with .42)", an unclosed parenthesis) is returned in `unread` as a whole, none of it read.
 */
export function readNoteReferences(text: string): NoteTextReferences {
  const references: NoteReference[] = [];
  const unread: string[] = [];
  const parts: string[] = [];
  let rest = text;
  // Innermost parentheses first, so "(a (E10.-))" still reads E10.-.
  for (;;) {
    const next = rest.replace(/\(([^()]*)\)/g, (_, part: string) => {
      parts.push(part);
      return ' ';
    });
    if (next === rest) break;
    rest = next;
  }
  const unclosed = rest.lastIndexOf('(');
  if (unclosed >= 0) {
    const part = rest.slice(unclosed + 1);
    if (CODE_WORD.test(part)) unread.push(part.trim());
    rest = rest.slice(0, unclosed);
  }
  for (const part of parts) {
    if (!CODE_WORD.test(part)) continue;
    const list = readReferenceList(part);
    if (list === undefined) unread.push(part.trim());
    else references.push(...list);
  }
  return { references, unread, codesOutsideParentheses: CODE_WORD.test(rest) };
}

// --- The XML ----------------------------------------------------------------------------------

/** Codes whose title says this are manifestation codes (with a "code first" note on or above them). */
const CLASSIFIED_ELSEWHERE = /classified elsewhere/i;
/** A chapter's range at the end of its title: "... (A00-B99)". */
const CHAPTER_RANGE = /\(([A-Z][0-9][0-9A-Z]-[A-Z][0-9][0-9A-Z])\)\s*$/;
const HOLDERS = new Set(['chapter', 'section', 'diag']);

type HolderKind = 'chapter' | 'section' | 'diag';

/** A chapter, section or diag being read. */
interface Holder {
  kind: HolderKind;
  line: number;
  column: number;
  parent: Holder | undefined;
  /** diag: the code with its dot; chapter: its number; section: unused (see `id`). */
  name: string | undefined;
  nameLine: number;
  nameColumn: number;
  id: string | undefined;
  desc: string;
  /** Carries a `codeFirst` note itself. */
  codeFirst: boolean;
  /** section and chapter: the categories (dotless) in it. */
  categories: string[];
  /** diag: under a "code first" note (its own or one above it). */
  underCodeFirst: boolean;
  /** diag: titled "classified elsewhere", or below a code that is. */
  elsewhere: boolean;
  manifestation: boolean;
}

interface PendingExcludes1 {
  holder: Holder;
  line: number;
  column: number;
  texts: number;
  references: NoteReference[];
  /** Read parts not understood, with the line of their note; `notedOn` is filled in at the end. */
  unread: { line: number; text: string; part: string }[];
}

/** What text is being collected, and into what. */
interface Capture {
  what: 'name' | 'desc' | 'note';
  depth: number;
  line: number;
  column: number;
  text: string;
}

function newHolder(kind: HolderKind, parent: Holder | undefined, line: number, column: number, id: string | undefined): Holder {
  return {
    kind,
    line,
    column,
    parent,
    name: undefined,
    nameLine: 0,
    nameColumn: 0,
    id,
    desc: '',
    codeFirst: false,
    categories: [],
    underCodeFirst: false,
    elsewhere: false,
    manifestation: false,
  };
}

/**
 * Reads a tabular-list XML file pushed in pieces of text (any split). `end()` returns the notes
 * and every problem. After the first XML syntax error the rest is not read: what follows a
 * syntax error cannot be trusted, and later errors are usually echoes of the first.
 */
export class TabularParser {
  readonly file: string;
  private readonly xml: SaxesParser<{ xmlns: false }>;
  private readonly problems: RowProblem[] = [];
  private readonly elements: string[] = [];
  private readonly holders: Holder[] = [];
  /** Every diag, in the order its start tag was read (a parent before its children). */
  private readonly diags: Holder[] = [];
  private readonly sectionsAndChapters: Holder[] = [];
  private readonly excludes1: PendingExcludes1[] = [];
  private readonly firstLine = new Map<string, number>();
  private readonly codes: string[] = [];
  private pendingExcludes1: PendingExcludes1 | undefined;
  private capture: Capture | undefined;
  /** Where the `<` of the start tag being read is (saxes reports a tag once its name is read). */
  private tagLine = 1;
  private tagColumn = 1;
  private failed = false;
  private ended = false;
  private started = false;
  private excludes1Texts = 0;
  private codeFirstNotes = 0;
  private textsWithCodesOutside = 0;
  private notBelowParent = 0;
  private result: ParsedTabular | undefined;

  constructor(file: string) {
    this.file = file;
    this.xml = new SaxesParser({ xmlns: false, fileName: file });
    this.xml.on('error', (error) => this.syntaxError(error));
    this.xml.on('opentagstart', (tag) => this.openTagStart(tag.name));
    this.xml.on('opentag', (tag) => this.openTag(tag));
    this.xml.on('closetag', (tag) => this.closeTag(tag));
    this.xml.on('text', (text) => this.text(text));
    this.xml.on('cdata', (text) => this.text(text));
  }

  push(text: string): void {
    if (this.ended) throw new Error('TabularParser: push after end');
    if (this.failed) return;
    let data = text;
    if (!this.started && data.length > 0) {
      this.started = true;
      if (data.charCodeAt(0) === 0xfeff) data = data.slice(1);
    }
    this.xml.write(data);
  }

  end(): ParsedTabular {
    if (this.result !== undefined) return this.result;
    this.ended = true;
    // Closing reports what is still open (an unclosed tag, no root element at all).
    if (!this.failed) this.xml.close();
    this.result = this.finish();
    return this.result;
  }

  private problem(line: number, column: number, message: string): void {
    this.problems.push({ file: this.file, line, column, message });
  }

  private syntaxError(error: Error): void {
    if (this.failed) return;
    this.failed = true;
    // saxes prefixes its messages with `file:line:column: `; the position goes in the problem's fields.
    const message = error.message.replace(/^.*?:\d+:\d+: /, '').replace(/\.$/, '');
    this.problem(this.xml.line, Math.max(1, this.xml.column), `the XML is not well-formed: ${message}`);
  }

  private openTagStart(name: string): void {
    // saxes has read `<name` and one character more when it reports the name.
    this.tagLine = this.xml.line;
    this.tagColumn = Math.max(1, this.xml.column - name.length - 1);
  }

  private openTag(tag: SaxesTagPlain): void {
    if (this.failed) return;
    const line = this.tagLine;
    const column = this.tagColumn;
    const name = tag.name;
    const parentElement = this.elements[this.elements.length - 1];
    this.elements.push(name);
    if (this.elements.length === 1) {
      if (name !== TABULAR_ROOT) this.problem(line, column, `the root element is <${name}>, not <${TABULAR_ROOT}>: not an ICD-10-CM tabular list`);
      return;
    }
    if (this.capture !== undefined) return;
    const holder = this.holders[this.holders.length - 1];
    if (HOLDERS.has(name)) {
      this.openHolder(name as HolderKind, holder, line, column, tag.attributes.id);
      return;
    }
    if (holder === undefined || parentElement === undefined) return;
    if ((name === 'name' || name === 'desc') && HOLDERS.has(parentElement)) {
      this.capture = { what: name, depth: this.elements.length, line, column, text: '' };
    } else if (name === 'excludes1' && HOLDERS.has(parentElement)) {
      this.pendingExcludes1 = { holder, line, column, texts: 0, references: [], unread: [] };
    } else if (name === 'codeFirst' && HOLDERS.has(parentElement)) {
      this.codeFirstNotes++;
      holder.codeFirst = true;
    } else if (name === 'note' && this.pendingExcludes1 !== undefined && parentElement === 'excludes1') {
      this.capture = { what: 'note', depth: this.elements.length, line, column, text: '' };
    }
  }

  private openHolder(kind: HolderKind, parent: Holder | undefined, line: number, column: number, id: string | undefined): void {
    const holder = newHolder(kind, parent, line, column, id);
    const expected = kind === 'chapter' ? undefined : kind === 'section' ? 'chapter' : 'section or diag';
    const parentKind = parent?.kind;
    const misplaced = kind === 'chapter' ? this.elements.length !== 2 : kind === 'section' ? parentKind !== 'chapter' : parentKind !== 'section' && parentKind !== 'diag';
    if (misplaced) {
      const where = kind === 'chapter' ? `directly in <${TABULAR_ROOT}>` : `in a ${expected}`;
      this.problem(line, column, `<${kind}> must be ${where}`);
    }
    this.holders.push(holder);
    if (kind === 'diag') this.diags.push(holder);
    else this.sectionsAndChapters.push(holder);
  }

  private text(text: string): void {
    if (this.failed || this.capture === undefined) return;
    this.capture.text += text;
  }

  private closeTag(tag: SaxesTagPlain): void {
    if (this.failed) return;
    const depth = this.elements.length;
    this.elements.pop();
    const capture = this.capture;
    if (capture !== undefined) {
      if (capture.depth === depth) {
        this.capture = undefined;
        this.captured(capture);
      }
      return;
    }
    const name = tag.name;
    if (HOLDERS.has(name)) this.closeHolder();
    else if (name === 'excludes1' && this.pendingExcludes1 !== undefined) {
      this.excludes1.push(this.pendingExcludes1);
      this.pendingExcludes1 = undefined;
    }
  }

  private captured(capture: Capture): void {
    const holder = this.holders[this.holders.length - 1];
    if (holder === undefined) return;
    const text = capture.text.trim();
    if (capture.what === 'desc') holder.desc = text;
    else if (capture.what === 'name') this.named(holder, text, capture);
    else if (this.pendingExcludes1 !== undefined) this.excludes1Note(this.pendingExcludes1, text, capture.line);
  }

  private named(holder: Holder, name: string, capture: Capture): void {
    if (holder.name !== undefined) {
      this.problem(capture.line, capture.column, `a second <name> (${JSON.stringify(name)}) in the ${holder.kind} named ${JSON.stringify(holder.name)} on line ${holder.nameLine}`);
      return;
    }
    holder.nameLine = capture.line;
    holder.nameColumn = capture.column;
    if (holder.kind === 'diag' && !ICD10CM_DOTTED_CODE.test(name)) {
      this.problem(capture.line, capture.column, `the code ${JSON.stringify(name)} is not an ICD-10-CM code (three characters, then a dot and 1 to 4 more: E11, E11.9, S72.001)`);
      // Marks the diag as named (no "without a <name>" problem too) but unusable.
      holder.name = '';
      return;
    }
    holder.name = name;
  }

  private excludes1Note(pending: PendingExcludes1, text: string, line: number): void {
    this.excludes1Texts++;
    pending.texts++;
    const read = readNoteReferences(text);
    pending.references.push(...read.references);
    for (const part of read.unread) pending.unread.push({ line, text, part });
    if (read.codesOutsideParentheses) this.textsWithCodesOutside++;
  }

  private closeHolder(): void {
    const holder = this.holders.pop();
    if (holder === undefined || holder.kind !== 'diag') return;
    if (holder.name === undefined) {
      this.problem(holder.line, holder.column, 'a <diag> without a <name>: every code of the tabular list has one');
      return;
    }
    if (holder.name === '') return;
    const code = dotless(holder.name);
    const first = this.firstLine.get(code);
    if (first !== undefined) {
      this.problem(holder.nameLine, holder.nameColumn, `duplicate code ${holder.name}: it is on line ${first} already`);
      return;
    }
    this.firstLine.set(code, holder.nameLine);
    this.codes.push(code);
    const parent = holder.parent;
    if (parent?.kind === 'section') {
      parent.categories.push(code);
      parent.parent?.categories.push(code);
    } else if (parent?.kind === 'diag' && parent.name !== undefined && parent.name !== '') {
      const above = dotless(parent.name);
      if (!(code.length > above.length && code.startsWith(above))) this.notBelowParent++;
    }
  }

  /** What a chapter, section or diag is called in a note's `notedOn`. */
  private static label(holder: Holder): string {
    if (holder.kind === 'diag') return holder.name ?? '';
    const range = holder.id ?? CHAPTER_RANGE.exec(holder.desc)?.[1];
    if (range !== undefined && range !== '') return range;
    return holder.kind === 'chapter' ? `chapter ${holder.name ?? '?'}` : `section on line ${holder.line}`;
  }

  private static appliesTo(holder: Holder): string[] {
    return holder.kind === 'diag' ? [dotless(holder.name ?? '')] : holder.categories;
  }

  private static usable(holder: Holder): boolean {
    return holder.kind !== 'diag' || (holder.name !== undefined && holder.name !== '');
  }

  private finish(): ParsedTabular {
    const manifestations: TabularNotedCodes[] = [];
    const codeFirst: TabularNotedCodes[] = [];
    for (const holder of this.sectionsAndChapters) {
      if (holder.codeFirst) codeFirst.push({ notedOn: TabularParser.label(holder), appliesTo: holder.categories });
    }
    // Parents come before their children here, so each diag can build on its parent's state.
    for (const diag of this.diags) {
      if (!TabularParser.usable(diag)) continue;
      const parent = diag.parent;
      const section = parent?.kind === 'section' ? parent : undefined;
      const above = parent?.kind === 'diag' ? parent : undefined;
      diag.underCodeFirst = diag.codeFirst || (above?.underCodeFirst ?? false) || (section?.codeFirst ?? false) || (section?.parent?.codeFirst ?? false);
      diag.elsewhere = CLASSIFIED_ELSEWHERE.test(diag.desc) || (above?.elsewhere ?? false);
      diag.manifestation = diag.underCodeFirst && diag.elsewhere;
      const name = diag.name as string;
      if (diag.manifestation && !(above?.manifestation ?? false)) manifestations.push({ notedOn: name, appliesTo: [dotless(name)] });
      if (diag.codeFirst) codeFirst.push({ notedOn: name, appliesTo: [dotless(name)] });
    }
    const excludes1: TabularExcludes1Note[] = [];
    const unread: UnreadNoteReference[] = [];
    for (const pending of this.excludes1) {
      if (!TabularParser.usable(pending.holder)) continue;
      const notedOn = TabularParser.label(pending.holder);
      excludes1.push({
        notedOn,
        appliesTo: TabularParser.appliesTo(pending.holder),
        line: pending.line,
        column: pending.column,
        texts: pending.texts,
        references: pending.references,
      });
      for (const item of pending.unread) unread.push({ ...item, notedOn });
    }
    this.problems.sort((a, b) => a.line - b.line || a.column - b.column);
    return {
      problems: this.problems,
      excludes1,
      codeFirst,
      manifestations,
      unread,
      codes: this.codes,
      counts: {
        tabularCodes: this.codes.length,
        tabularExcludes1Notes: this.excludes1.length,
        tabularExcludes1Texts: this.excludes1Texts,
        tabularCodeFirstNotes: this.codeFirstNotes,
        unreadNoteReferences: unread.length,
        textsWithCodesOutsideParentheses: this.textsWithCodesOutside,
        codesNotBelowParent: this.notBelowParent,
      },
    };
  }
}

/** Parses a tabular list held in memory (tests, small files). */
export function parseTabularText(text: string, file = '<text>'): ParsedTabular {
  const parser = new TabularParser(file);
  parser.push(text);
  return parser.end();
}

/**
 * Stream-parses a tabular-list file and hashes it in the same pass. `displayName` is the name
 * problems are reported under (default: the path as given). Rejects with the file system's error
 * when the file cannot be read.
 */
export async function parseTabularFile(filePath: string, options: { displayName?: string } = {}): Promise<ParsedTabularFile> {
  const parser = new TabularParser(options.displayName ?? filePath);
  const source = await streamUtf8SourceFile(filePath, (text) => parser.push(text));
  return { ...parser.end(), source };
}
