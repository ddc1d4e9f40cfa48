/**
 * The rows read from a release's PTP files, kept column by column in typed arrays (about 24 bytes
 * a row, no object or string per row) so that the two million rows of a practitioner table can be
 * read, sorted and checked without building two million objects. Rationales are interned: a
 * table has a few dozen distinct ones.
 */
import type { PtpEdit } from '../types.js';
import { codeNumberOfString, codeOfNumber } from './codes.js';
import { compactOfDay, dayOfIsoDate, isoOfDay } from './dates.js';

/** The modifier indicators, by their 2-bit code in the row flags (and the table). */
export const MODIFIER_INDICATORS = [0, 1, 9] as const;
export type ModifierIndicator = (typeof MODIFIER_INDICATORS)[number];

/** Row flags: bits 0-1 the modifier indicator's code, bit 2 the "in existence prior to 1996" mark. */
export const INDICATOR_MASK = 0b011;
export const PRIOR_TO_1996 = 0b100;

/** The 2-bit code of a modifier indicator (its index in MODIFIER_INDICATORS). */
export function indicatorCode(indicator: ModifierIndicator): number {
  return indicator === 9 ? 2 : indicator;
}

/** A row as read, with where it was read from. */
export interface PtpSourceRow extends PtpEdit {
  file: string;
  line: number;
  /** Column 3 was `*`: the edit existed before 1996. */
  priorTo1996: boolean;
}

/** The rows' columns, trimmed to the row count. Code numbers (see codes.ts), day numbers (dates.ts), 0 = no deletion date. */
export interface PtpRowColumns {
  readonly length: number;
  readonly column1: Int32Array;
  readonly column2: Int32Array;
  readonly effective: Uint16Array;
  readonly deleted: Uint16Array;
  readonly flags: Uint8Array;
  /** Index into the row set's rationale texts. */
  readonly rationale: Uint32Array;
  readonly line: Uint32Array;
  /** Index into the row set's file names. */
  readonly file: Uint16Array;
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** FNV-1a of bytes, the hash the parser computes on the fly while it scans a rationale. */
export function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (bytes[i] ?? 0), FNV_PRIME);
  return hash;
}

/** FNV-1a's start value and multiplier, for callers that hash byte by byte as they scan. */
export const FNV1A_OFFSET = FNV_OFFSET;
export const FNV1A_PRIME = FNV_PRIME;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Windows-1252 bytes 0x80-0x9F (the rest is Latin-1). Written out because Node's TextDecoder
 * decodes "windows-1252" as Latin-1 (0x96 becomes U+0096, not an en dash).
 */
const WINDOWS_1252_80_9F = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
  0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

function decodeWindows1252(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte >= 0x80 && byte < 0xa0 ? (WINDOWS_1252_80_9F[byte - 0x80] as number) : byte);
  return text;
}

/**
 * Distinct rationale texts, looked up by their bytes: a row's rationale becomes a string only the
 * first time it is seen.
 */
export class RationaleDictionary {
  readonly texts: string[] = [];
  private readonly encoded: Uint8Array[] = [];
  private readonly headByHash = new Map<number, number>();
  /** The next rationale with the same hash, or -1. */
  private readonly nextWithHash: number[] = [];

  get size(): number {
    return this.texts.length;
  }

  /** The index of the rationale in `bytes[start, end)`, whose FNV-1a hash is `hash`; added when new. */
  internBytes(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const length = end - start;
    let index = this.headByHash.get(hash) ?? -1;
    while (index >= 0) {
      const known = this.encoded[index] as Uint8Array;
      if (known.length === length) {
        let same = true;
        for (let i = 0; i < length; i++) {
          if (known[i] !== bytes[start + i]) {
            same = false;
            break;
          }
        }
        if (same) return index;
      }
      index = this.nextWithHash[index] ?? -1;
    }
    const copy = bytes.slice(start, end);
    index = this.texts.length;
    this.texts.push(decodeText(copy));
    this.encoded.push(copy);
    this.nextWithHash.push(this.headByHash.get(hash) ?? -1);
    this.headByHash.set(hash, index);
    return index;
  }

  intern(text: string): number {
    const bytes = new TextEncoder().encode(text);
    return this.internBytes(bytes, 0, bytes.length, fnv1a(bytes, 0, bytes.length));
  }
}

/**
 * UTF-8 when the bytes are UTF-8; otherwise Windows-1252, the other encoding a text export from
 * Excel on Windows is likely to have, rather than replacement characters.
 */
function decodeText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return decodeWindows1252(bytes);
  }
}

const INITIAL_CAPACITY = 1024;

/** Rows of one or several PTP files, in the order they were added. */
export class PtpRowSet {
  readonly files: string[] = [];
  readonly rationales = new RationaleDictionary();
  private count = 0;
  private column1 = new Int32Array(INITIAL_CAPACITY);
  private column2 = new Int32Array(INITIAL_CAPACITY);
  private effective = new Uint16Array(INITIAL_CAPACITY);
  private deleted = new Uint16Array(INITIAL_CAPACITY);
  private flags = new Uint8Array(INITIAL_CAPACITY);
  private rationale = new Uint32Array(INITIAL_CAPACITY);
  private line = new Uint32Array(INITIAL_CAPACITY);
  private file = new Uint16Array(INITIAL_CAPACITY);

  get length(): number {
    return this.count;
  }

  /** Registers a file name; returns the index rows of that file are added with. */
  addFile(name: string): number {
    if (this.files.length >= 0xffff) throw new RangeError('PtpRowSet: too many files');
    this.files.push(name);
    return this.files.length - 1;
  }

  /** Adds a checked row: code numbers, day numbers (deleted 0 when active), flags (see PRIOR_TO_1996, indicatorCode). */
  add(file: number, line: number, column1: number, column2: number, effective: number, deleted: number, flags: number, rationale: number): void {
    const i = this.count;
    if (i === this.column1.length) this.grow();
    this.column1[i] = column1;
    this.column2[i] = column2;
    this.effective[i] = effective;
    this.deleted[i] = deleted;
    this.flags[i] = flags;
    this.rationale[i] = rationale;
    this.line[i] = line;
    this.file[i] = file;
    this.count = i + 1;
  }

  private grow(): void {
    const capacity = this.column1.length * 2;
    const grown = <T extends Int32Array | Uint32Array | Uint16Array | Uint8Array>(array: T, make: new (n: number) => T): T => {
      const next = new make(capacity);
      next.set(array);
      return next;
    };
    this.column1 = grown(this.column1, Int32Array);
    this.column2 = grown(this.column2, Int32Array);
    this.effective = grown(this.effective, Uint16Array);
    this.deleted = grown(this.deleted, Uint16Array);
    this.flags = grown(this.flags, Uint8Array);
    this.rationale = grown(this.rationale, Uint32Array);
    this.line = grown(this.line, Uint32Array);
    this.file = grown(this.file, Uint16Array);
  }

  /** The columns as they are now (views: adding rows afterwards may leave them behind). */
  columns(): PtpRowColumns {
    const n = this.count;
    return {
      length: n,
      column1: this.column1.subarray(0, n),
      column2: this.column2.subarray(0, n),
      effective: this.effective.subarray(0, n),
      deleted: this.deleted.subarray(0, n),
      flags: this.flags.subarray(0, n),
      rationale: this.rationale.subarray(0, n),
      line: this.line.subarray(0, n),
      file: this.file.subarray(0, n),
    };
  }

  /** Row `i` as an object (tests, messages; not for the bulk of a table). */
  row(i: number): PtpSourceRow {
    if (i < 0 || i >= this.count) throw new RangeError(`PtpRowSet: no row ${i}`);
    const deleted = this.deleted[i] ?? 0;
    const flags = this.flags[i] ?? 0;
    const row: PtpSourceRow = {
      column1: codeOfNumber(this.column1[i] ?? 0),
      column2: codeOfNumber(this.column2[i] ?? 0),
      effective: isoOfDay(this.effective[i] ?? 0),
      modifierIndicator: MODIFIER_INDICATORS[flags & INDICATOR_MASK] ?? 9,
      rationale: this.rationales.texts[this.rationale[i] ?? 0] ?? '',
      file: this.files[this.file[i] ?? 0] ?? '',
      line: this.line[i] ?? 0,
      priorTo1996: (flags & PRIOR_TO_1996) !== 0,
    };
    if (deleted !== 0) row.deleted = isoOfDay(deleted);
    return row;
  }

  rows(): PtpSourceRow[] {
    const rows: PtpSourceRow[] = [];
    for (let i = 0; i < this.count; i++) rows.push(this.row(i));
    return rows;
  }

  /** `column1/column2, effective YYYYMMDD, deleted YYYYMMDD or *` of row `i`, for messages. */
  describe(i: number): string {
    const deleted = this.deleted[i] ?? 0;
    return `${codeOfNumber(this.column1[i] ?? 0)}/${codeOfNumber(this.column2[i] ?? 0)} effective ${compactOfDay(this.effective[i] ?? 0)}, deleted ${deleted === 0 ? '*' : compactOfDay(deleted)}`;
  }

  /**
   * Rows from edits (tests, callers that build a table themselves), as if read from `file`, one a
   * line. Throws a RangeError for an edit whose codes or dates a table cannot hold.
   */
  static fromEdits(edits: readonly PtpEdit[], file = '<edits>'): PtpRowSet {
    const rows = new PtpRowSet();
    const fileIndex = rows.addFile(file);
    edits.forEach((edit, i) => {
      const column1 = codeNumberOfString(edit.column1);
      const column2 = codeNumberOfString(edit.column2);
      const effective = dayOfIsoDate(edit.effective);
      const deleted = edit.deleted === undefined ? 0 : dayOfIsoDate(edit.deleted);
      if (column1 < 0 || column2 < 0 || effective < 0 || deleted < 0 || !MODIFIER_INDICATORS.includes(edit.modifierIndicator)) {
        throw new RangeError(`edit ${i + 1} (${JSON.stringify(edit)}) is not a valid PTP edit`);
      }
      rows.add(fileIndex, i + 1, column1, column2, effective, deleted, indicatorCode(edit.modifierIndicator), rows.rationales.intern(edit.rationale));
    });
    return rows;
  }
}
