/**
 * The HCPCS Level II alpha-numeric file CMS publishes each quarter (HCPC<year>_<MON>_ANWEB*.txt):
 * fixed width, records of 320 characters, 1-based columns as in CMS's record layout document
 * (HCPC<year>_recordlayout.txt, "HCPCS Contractor Record"; read here in its 2016 edition, whose
 * header is the same as the 2024 edition's):
 *
 *   1-5      HCPCS code (a letter and 4 digits); on a modifier's records 1-3 are blank and
 *            4-5 hold the modifier
 *   6-10     sequence number ("by 100s": 00100 on the first record, 00200 on the next...)
 *   11       record identification code: 3 first record of a code, 4 its continuation,
 *            7 first record of a modifier, 8 its continuation
 *   12-91    long description (continuation records carry the rest of it, nothing after 91)
 *   92-119   short description (28 characters at most)
 *   120-268  pricing indicators, multiple pricing indicator, manual references, statute, lab
 *            certification, cross references, coverage code (230), ASC group and date, BETOS
 *            (257-259), type of service (261-265), anesthesia base units (266-268): not read here
 *   269-276  code added date, YYYYMMDD
 *   277-284  action effective date, YYYYMMDD
 *   285-292  termination date, YYYYMMDD: "last date for which a procedure or modifier code may
 *            be used by Medicare providers" (the last valid date of service), blank while active
 *   293      action code (A add, B both, C long description, D discontinue, F administrative
 *            field, N no maintenance, P payment, R reactivate, S short description, T other)
 *   294-320  filler
 *
 * Checked against a published 2016 file (HCPC2016_CONTR_ANWEB.txt): first records are 320
 * characters, continuation records stop after column 91; dates are blank when absent; for a
 * discontinued code the action effective date is the day after the termination date (terminated
 * 20141231, action effective 20150101), so only "termination not before the added date" is
 * checked. Not verified against a 2026 file: that trailing blanks are never cut (only the filler
 * may be here), and that the file is single-byte text. It is read as latin1, so that a column is
 * a byte, as the layout counts them.
 *
 * Every record is checked and every problem is reported with its line and column; the caller
 * refuses the file as a whole when there is any. Columns 120-268 and the filler are not checked:
 * the engine does not use them.
 */
import { isIsoDate } from '../../model/dates.js';
import type { RowProblem } from '../problems.js';
import type { HcpcsEntry, SourceFile } from '../types.js';
import { streamSourceFile } from '../source-file.js';
import { TextLines } from '../text-lines.js';

/** A code or modifier of the file, its continuation records assembled. */
export interface HcpcsRecord extends HcpcsEntry {
  /** The 1-based line of its first record. */
  line: number;
  /** The long description, its continuation lines joined with single spaces. */
  longDescription: string;
  /** The action effective date, YYYY-MM-DD, when present. */
  actionEffective?: string;
  /** The action code (column 293), e.g. N, A, D. */
  actionCode: string;
}

export interface HcpcsFileContent {
  /** The codes and modifiers without problems, in file order. */
  records: HcpcsRecord[];
  /** Every problem found; the file is usable only when there is none. */
  problems: RowProblem[];
  /** Lines read, blank trailing lines included. */
  lines: number;
}

export interface ParsedHcpcsFile extends HcpcsFileContent {
  /** The file as read: its name (no directory), sha256 and size, for the release manifest. */
  source: SourceFile;
}

/** A HCPCS Level II code: a capital letter and 4 digits. */
export const HCPCS_LEVEL2_CODE = /^[A-Z][0-9]{4}$/;
/** A HCPCS modifier: 2 capital letters or digits. */
export const HCPCS_MODIFIER = /^[A-Z0-9]{2}$/;

/** 0-based offsets of the layout's fields. */
const CODE_END = 5;
const MODIFIER_START = 3;
const SEQUENCE_START = 5;
const SEQUENCE_END = 10;
const RECORD_ID = 10;
const LONG_START = 11;
const LONG_END = 91;
const SHORT_START = 91;
const SHORT_END = 119;
const ADDED_START = 268;
const EFFECTIVE_START = 276;
const TERMINATION_START = 284;
const DATE_WIDTH = 8;
const ACTION_CODE = 292;
const RECORD_LENGTH = 320;

/** A byte order mark at the start of the first line: UTF-8's as latin1 reads it, or U+FEFF in text already decoded. */
const BYTE_ORDER_MARKS = ['\u00ef\u00bb\u00bf', '\ufeff'];

type Kind = HcpcsEntry['kind'];

/** The code field of a line, as far as it could be read, for the continuation checks. */
interface CodeLine {
  line: number;
  code: string;
  kind: Kind;
  sequence: number | undefined;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function show(text: string): string {
  return JSON.stringify(text);
}

function isBlank(text: string): boolean {
  return text.trim().length === 0;
}

function columns(start: number, end: number): string {
  return `columns ${start + 1}-${end}`;
}

/**
 * Reads a HCPCS file pushed in pieces of text (any split, even inside a line or between a CR and
 * its LF). `end()` returns the records and every problem.
 */
export class HcpcsFileParser {
  readonly file: string;
  private readonly lines = new TextLines((line) => this.readLine(line));
  private lineNumber = 0;
  private readonly records: HcpcsRecord[] = [];
  private readonly problems: RowProblem[] = [];
  /** Blank lines not yet followed by a record: fine at the end of the file, a problem before a record. */
  private blankLines: number[] = [];
  /** The line of each code's and modifier's first record. */
  private readonly firstLines = new Map<string, number>();
  /** The record being assembled (its continuation lines may follow); undefined after a problem. */
  private current: HcpcsRecord | undefined;
  /** The previous record line's code field, when it could be read. */
  private previous: CodeLine | undefined;
  /** Non-blank lines read so far. */
  private recordLines = 0;
  private ended = false;

  constructor(file: string) {
    this.file = file;
  }

  push(text: string): void {
    if (this.ended) throw new Error('HcpcsFileParser: push after end');
    this.lines.push(text);
  }

  end(): HcpcsFileContent {
    if (!this.ended) {
      this.ended = true;
      this.lines.end();
      this.finishRecord();
      if (this.records.length === 0 && this.problems.length === 0) {
        this.problems.push({ file: this.file, line: 1, column: 1, message: 'no records: the file is empty' });
      }
      this.problems.sort((a, b) => a.line - b.line || a.column - b.column);
    }
    return { records: this.records, problems: this.problems, lines: this.lineNumber };
  }

  private problem(line: number, column: number, message: string): void {
    this.problems.push({ file: this.file, line, column, message });
  }

  private finishRecord(): void {
    if (this.current !== undefined) this.records.push(this.current);
    this.current = undefined;
  }

  private readLine(raw: string): void {
    const line = ++this.lineNumber;
    let text = raw;
    if (line === 1) {
      const mark = BYTE_ORDER_MARKS.find((m) => text.startsWith(m));
      if (mark !== undefined) text = text.slice(mark.length);
    }
    if (isBlank(text)) {
      this.blankLines.push(line);
      return;
    }
    for (const blank of this.blankLines) this.problem(blank, 1, 'blank line between records (only the end of the file may have blank lines)');
    this.blankLines = [];
    this.readRecord(text, line);
  }

  private readRecord(text: string, line: number): void {
    const before = this.problems.length;
    const firstRecordLine = this.recordLines++ === 0;
    const length = text.length;
    const carriageReturn = text.indexOf('\r');
    if (carriageReturn >= 0) this.problem(line, carriageReturn + 1, 'carriage return inside the line: line ends must be CRLF or LF');
    const tab = text.indexOf('\t');
    if (tab >= 0) this.problem(line, tab + 1, 'tab character: the layout is fixed width, padded with spaces');
    if (length > RECORD_LENGTH) this.problem(line, RECORD_LENGTH + 1, `the line has ${length} characters: a record has at most ${RECORD_LENGTH}`);
    if (length <= RECORD_ID) {
      this.problem(line, length + 1, `the line ends at column ${length}: a record runs at least to column ${RECORD_ID + 1}, the record identification code`);
      this.finishRecord();
      this.previous = undefined;
      return;
    }

    const recordId = text[RECORD_ID] ?? '';
    const kind: Kind | undefined = recordId === '3' || recordId === '4' ? 'code' : recordId === '7' || recordId === '8' ? 'modifier' : undefined;
    if (kind === undefined) {
      this.problem(
        line,
        RECORD_ID + 1,
        `the record identification code (column 11) must be 3 (a code), 4 (its continuation), 7 (a modifier) or 8 (its continuation), found ${show(recordId)}`,
      );
      this.finishRecord();
      this.previous = undefined;
      return;
    }
    const continuation = recordId === '4' || recordId === '8';
    const code = kind === 'code' ? this.readCode(text, line) : this.readModifier(text, line);
    const sequence = this.readSequence(text, line);
    const longPart = text.slice(LONG_START, LONG_END).trim();
    if (longPart.length === 0) this.problem(line, LONG_START + 1, `the long description (${columns(LONG_START, LONG_END)}) is missing`);

    if (continuation) {
      if (code !== undefined) this.readContinuation(text, line, { line, code, kind, sequence }, firstRecordLine);
      const current = this.current;
      if (current !== undefined && current.code === code) {
        // A record with a broken continuation is incomplete: leave it out of the records.
        if (this.problems.length > before) this.current = undefined;
        else current.longDescription += ` ${longPart}`;
      }
    } else {
      this.finishRecord();
      const record = this.readFirstRecord(text, line, code, kind, longPart);
      this.current = this.problems.length > before ? undefined : record;
    }
    this.previous = code === undefined ? undefined : { line, code, kind, sequence };
  }

  /** Checks that a continuation record follows its code's earlier records and carries nothing past the long description. */
  private readContinuation(text: string, line: number, here: CodeLine, firstRecordLine: boolean): void {
    const previous = this.previous;
    const what = here.kind;
    if (previous === undefined ? firstRecordLine : previous.code !== here.code || previous.kind !== here.kind) {
      // (After a line whose code could not be read, that line's problem says enough.)
      const after = previous === undefined ? 'it is the first record of the file' : `the record before it is of ${previous.kind} ${previous.code} (line ${previous.line})`;
      this.problem(line, here.kind === 'code' ? 1 : MODIFIER_START + 1, `a continuation record of ${what} ${here.code} must follow a record of ${here.code}: ${after}`);
    } else if (previous !== undefined && here.sequence !== undefined && previous.sequence !== undefined && here.sequence <= previous.sequence) {
      this.problem(
        line,
        SEQUENCE_START + 1,
        `the sequence number ${text.slice(SEQUENCE_START, SEQUENCE_END)} must be greater than the one on line ${previous.line} (${String(previous.sequence).padStart(5, '0')}): the records of a ${what} are in sequence order`,
      );
    }
    if (text.length > LONG_END) {
      const rest = text.slice(LONG_END);
      const offset = rest.search(/\S/);
      if (offset >= 0) {
        this.problem(line, LONG_END + offset + 1, `a continuation record has nothing after column ${LONG_END} (columns 92-320 are blank on it), found ${show(rest.trim().slice(0, 20))}`);
      }
    }
  }

  /** Checks the fields only a first record has; returns the record (problems may have been added). */
  private readFirstRecord(text: string, line: number, code: string | undefined, kind: Kind, longDescription: string): HcpcsRecord | undefined {
    const length = text.length;
    const what = kind;
    if (length <= ACTION_CODE) {
      this.problem(line, length + 1, `the line ends at column ${length}: a ${what}'s first record runs at least to column ${ACTION_CODE + 1}, the action code`);
    }
    const shortDescription = text.slice(SHORT_START, SHORT_END).trim();
    if (length > SHORT_START && shortDescription.length === 0) this.problem(line, SHORT_START + 1, `the short description (${columns(SHORT_START, SHORT_END)}) is missing`);
    const added = this.readDate(text, line, ADDED_START, 'code added date');
    const actionEffective = this.readDate(text, line, EFFECTIVE_START, 'action effective date');
    const terminated = this.readDate(text, line, TERMINATION_START, 'termination date');
    if (added !== undefined && terminated !== undefined && terminated < added) {
      this.problem(line, TERMINATION_START + 1, `the termination date ${terminated} is before the code added date ${added}: a ${what} cannot end before it is added`);
    }
    let actionCode = '';
    if (length > ACTION_CODE) {
      actionCode = text[ACTION_CODE] ?? '';
      if (!isUpper(actionCode.charCodeAt(0))) {
        this.problem(line, ACTION_CODE + 1, `the action code (column ${ACTION_CODE + 1}) must be a capital letter (A added, C changed, D discontinued, N no change...), found ${show(actionCode)}`);
      }
    }
    if (code === undefined) return undefined;
    const first = this.firstLines.get(code);
    if (first !== undefined) {
      this.problem(line, kind === 'code' ? 1 : MODIFIER_START + 1, `duplicate ${what} ${code}: its first record is on line ${first} already`);
      return undefined;
    }
    this.firstLines.set(code, line);
    const record: HcpcsRecord = { line, code, kind, shortDescription, longDescription, actionCode };
    if (added !== undefined) record.added = added;
    if (actionEffective !== undefined) record.actionEffective = actionEffective;
    if (terminated !== undefined) record.terminated = terminated;
    return record;
  }

  /** Columns 1-5 of a code's record; returns the code when it is a letter and 4 digits. */
  private readCode(text: string, line: number): string | undefined {
    const field = text.slice(0, CODE_END);
    if (isBlank(field)) {
      this.problem(line, 1, 'the code (columns 1-5) is missing');
      return undefined;
    }
    if (isBlank(field.slice(0, MODIFIER_START))) {
      this.problem(line, 1, `columns 1-3 are blank as on a modifier's record, but the record identification code ${show(text[RECORD_ID] ?? '')} is a code's (a modifier's records are 7 and 8)`);
      return undefined;
    }
    for (let i = 0; i < CODE_END; i++) {
      const c = field.charCodeAt(i);
      if (i === 0 ? !isUpper(c) : !isDigit(c)) {
        this.problem(line, i + 1, `the code ${show(field)} is not a HCPCS Level II code: character ${i + 1} must be ${i === 0 ? 'a capital letter' : 'a digit'}, found ${show(field[i] ?? '')}`);
        return undefined;
      }
    }
    return field;
  }

  /** Columns 1-5 of a modifier's record: 1-3 blank, the modifier in 4-5. */
  private readModifier(text: string, line: number): string | undefined {
    const field = text.slice(0, CODE_END);
    const lead = field.slice(0, MODIFIER_START);
    if (!isBlank(lead)) {
      const offset = lead.search(/\S/);
      this.problem(line, offset + 1, `columns 1-3 must be blank on a modifier's record (the modifier is in columns 4-5), found ${show(field)}; a code's records are 3 and 4`);
      return undefined;
    }
    const modifier = field.slice(MODIFIER_START);
    if (isBlank(modifier)) {
      this.problem(line, MODIFIER_START + 1, 'the modifier (columns 4-5) is missing');
      return undefined;
    }
    for (let i = 0; i < 2; i++) {
      const c = modifier.charCodeAt(i);
      if (!isUpper(c) && !isDigit(c)) {
        const found = Number.isNaN(c) ? 'the end of the line' : show(modifier[i] ?? '');
        this.problem(line, MODIFIER_START + i + 1, `the modifier ${show(modifier)} is not a HCPCS modifier: character ${i + 1} must be a capital letter or a digit, found ${found}`);
        return undefined;
      }
    }
    return modifier;
  }

  private readSequence(text: string, line: number): number | undefined {
    const field = text.slice(SEQUENCE_START, SEQUENCE_END);
    let value = 0;
    for (let i = 0; i < SEQUENCE_END - SEQUENCE_START; i++) {
      const c = field.charCodeAt(i);
      if (!isDigit(c)) {
        this.problem(line, SEQUENCE_START + i + 1, `the sequence number (${columns(SEQUENCE_START, SEQUENCE_END)}) must be 5 digits, found ${show(field)}`);
        return undefined;
      }
      value = value * 10 + (c - 48);
    }
    return value;
  }

  /** An 8-column YYYYMMDD date field; returns it as YYYY-MM-DD, or undefined when blank or wrong (a problem is added). */
  private readDate(text: string, line: number, start: number, name: string): string | undefined {
    const field = text.slice(start, start + DATE_WIDTH);
    if (isBlank(field)) return undefined;
    const iso = `${field.slice(0, 4)}-${field.slice(4, 6)}-${field.slice(6, 8)}`;
    if (field.length === DATE_WIDTH && /^[0-9]{8}$/.test(field) && isIsoDate(iso)) return iso;
    this.problem(line, start + 1, `the ${name} (${columns(start, start + DATE_WIDTH)}) must be a date written YYYYMMDD, or blank, found ${show(field)}`);
    return undefined;
  }
}

/** Parses a HCPCS file held in memory (tests, small files). */
export function parseHcpcsText(text: string, file = '<text>'): HcpcsFileContent {
  const parser = new HcpcsFileParser(file);
  parser.push(text);
  return parser.end();
}

/**
 * Stream-parses a HCPCS file and hashes it in the same pass. `displayName` is the name problems
 * are reported under (default: the path as given). Rejects with the file system's error when the
 * file cannot be read.
 */
export async function parseHcpcsFile(filePath: string, options: { displayName?: string } = {}): Promise<ParsedHcpcsFile> {
  const parser = new HcpcsFileParser(options.displayName ?? filePath);
  // latin1: one byte a character, never split across chunks, and columns stay byte positions.
  const source = await streamSourceFile(filePath, (chunk) => parser.push(chunk.toString('latin1')));
  return { ...parser.end(), source };
}
