/**
 * The layout of `ptp.bin`, the compact NCCI PTP table of a release: a fixed header, then sections
 * the loader wraps as typed arrays without reading them row by row. All numbers little-endian;
 * every section starts on a 4-byte boundary (from the start of the file).
 *
 *   header (96 bytes)
 *     0  magic "CSNCCIPT"          8  format version (1)      12  header bytes (96)
 *    16  file bytes               20  rows                    24  pairs
 *    28  active rows (no deletion date)                        32  codes
 *    36  rationales               40  hash slots              44  rationale text bytes
 *    48  reserved (zeros)         64  SHA-256 of every byte after the header
 *
 *   codes              codes × 5 ASCII bytes, sorted: a code's index is its place here
 *   column 1 starts    u32 × (codes + 1): the rows whose column 1 code has index c are [starts[c], starts[c + 1])
 *   hash slots         u32 × slots: 1 + the first row of a pair, 0 for an empty slot (linear probing on pairHash)
 *   column 2           u16 × rows: the column 2 code index
 *   effective          u16 × rows: day number (days since 1970-01-01)
 *   deleted            u16 × rows: day number of the deletion date, 0 while active
 *   packed             u16 × rows: bits 0-1 modifier indicator (0, 1, 2 = 9), bit 2 prior to 1996, bits 3-15 rationale index
 *   rationale starts   u32 × (rationales + 1): byte ranges in the rationale text
 *   rationale text     UTF-8
 *
 * Rows are sorted by column 1 code, column 2 code and effective date, so the rows of a pair are
 * consecutive and the rows of a column 1 code form one range.
 */

/** The first 8 bytes of every table file. */
export const MAGIC = 'CSNCCIPT';
/** Bumped when the layout changes: an older claimscrub then refuses the file instead of misreading it. */
export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 96;
/** Where the SHA-256 of the content (every byte after the header) is in the header. */
export const DIGEST_OFFSET = 64;
export const DIGEST_BYTES = 32;

/** 13 bits of the packed row word. */
export const MAX_RATIONALES = 1 << 13;
export const RATIONALE_SHIFT = 3;

/** Header fields after the magic, in order, each a u32. */
export const HEADER_FIELDS = ['version', 'headerBytes', 'fileBytes', 'rows', 'pairs', 'active', 'codes', 'rationales', 'hashSlots', 'rationaleTextBytes'] as const;
export type HeaderField = (typeof HEADER_FIELDS)[number];
export type TableHeader = Record<HeaderField, number>;

export interface Section {
  offset: number;
  bytes: number;
}

export interface TableLayout {
  codes: Section;
  column1Starts: Section;
  slots: Section;
  column2: Section;
  effective: Section;
  deleted: Section;
  packed: Section;
  rationaleStarts: Section;
  rationaleText: Section;
  fileBytes: number;
}

/** Pairs per slot at most: linear probing stays short (about 8 probes for a pair that is not there) in 5.3 bytes a pair. */
export const MAX_LOAD_FACTOR = 0.75;

/** The hash slots of a table with `pairs` pairs. */
export function hashSlotsFor(pairs: number): number {
  // Always one empty slot at least, so a probe for a missing pair ends.
  return Math.max(pairs + 1, Math.ceil(pairs / MAX_LOAD_FACTOR));
}

function align4(offset: number): number {
  return (offset + 3) & ~3;
}

/** Where each section is, from the header's counts. */
export function tableLayout(header: Pick<TableHeader, 'rows' | 'codes' | 'rationales' | 'hashSlots' | 'rationaleTextBytes'>): TableLayout {
  let offset = HEADER_BYTES;
  const next = (bytes: number): Section => {
    const section = { offset, bytes };
    offset = align4(offset + bytes);
    return section;
  };
  const codes = next(header.codes * 5);
  const column1Starts = next((header.codes + 1) * 4);
  const slots = next(header.hashSlots * 4);
  const column2 = next(header.rows * 2);
  const effective = next(header.rows * 2);
  const deleted = next(header.rows * 2);
  const packed = next(header.rows * 2);
  const rationaleStarts = next((header.rationales + 1) * 4);
  const rationaleText = next(header.rationaleTextBytes);
  return { codes, column1Starts, slots, column2, effective, deleted, packed, rationaleStarts, rationaleText, fileBytes: rationaleText.offset + rationaleText.bytes };
}

/** MurmurHash3's 32-bit finalizer: spreads the bits of a key (a code number or a pair of code indices). */
export function mix32(key: number): number {
  let h = key | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The hash of a pair of code indices (each below 2^16). */
export function pairHash(column1Index: number, column2Index: number): number {
  return mix32((column1Index << 16) | column2Index);
}

/** Writes the magic and the header fields (not the digest) at the start of `file`. */
export function writeHeader(file: Uint8Array, header: TableHeader): void {
  const view = new DataView(file.buffer, file.byteOffset, HEADER_BYTES);
  for (let i = 0; i < MAGIC.length; i++) view.setUint8(i, MAGIC.charCodeAt(i));
  HEADER_FIELDS.forEach((field, i) => view.setUint32(8 + 4 * i, header[field], true));
}

/** The header's fields, or undefined when the bytes do not start with the magic. */
export function readHeader(file: Uint8Array): TableHeader | undefined {
  if (file.length < HEADER_BYTES) return undefined;
  for (let i = 0; i < MAGIC.length; i++) if (file[i] !== MAGIC.charCodeAt(i)) return undefined;
  const view = new DataView(file.buffer, file.byteOffset, HEADER_BYTES);
  const header = {} as TableHeader;
  HEADER_FIELDS.forEach((field, i) => {
    header[field] = view.getUint32(8 + 4 * i, true);
  });
  return header;
}
