import { Buffer } from 'node:buffer';
import { FormatDetector, type Detection } from './detect.js';
import {
  BACKSLASH,
  CHAR_CLASS,
  CLOSE_BRACKET,
  C_CLOSE,
  C_COMMA,
  C_OPEN,
  C_OTHER,
  C_QUOTE,
  C_WS,
  LF,
  OPEN_BRACKET,
  QUOTE,
} from './syntax.js';
import { DEFAULT_CHUNK_OPTIONS, type ChunkOptions, type InputFormat, type RawChunk } from './types.js';

/**
 * Cuts a raw input into chunks of consecutive claims, on the main thread, without decoding or
 * parsing it: it only finds where claims start and end (see syntax.ts and detect.ts for the
 * rules), so that workers can do the expensive part with {@link parseChunk}.
 *
 * Memory: it holds at most the current chunk (up to about `maxChunkBytes`, plus the claim that
 * crossed it) and the claim being read, as views into the pieces read; each chunk is copied
 * once, into its own buffer. A claim can be any size and a piece boundary can fall anywhere.
 *
 * The pieces must not be modified after they are yielded (true of Node streams). A piece that
 * is a string is encoded as UTF-8.
 */
export async function* chunkInput(
  input: AsyncIterable<Uint8Array>,
  file: string,
  options: Partial<ChunkOptions> = {},
): AsyncGenerator<RawChunk> {
  const { claimsPerChunk, maxChunkBytes } = resolveOptions(options);
  const iterator = input[Symbol.asyncIterator]();
  // Close the input (e.g. the file) when the consumer stops early or we fail, unless the input
  // itself ended or failed.
  let inputOpen = true;
  const next = async (): Promise<Uint8Array | undefined> => {
    let result: IteratorResult<Uint8Array>;
    try {
      result = await iterator.next();
    } catch (error) {
      inputOpen = false;
      throw error;
    }
    if (result.done) {
      inputOpen = false;
      return undefined;
    }
    return toBytes(result.value);
  };

  try {
    const detector = new FormatDetector();
    let detection: Detection | undefined;
    for (;;) {
      const piece = await next();
      if (piece === undefined) {
        detection = detector.finish();
        break;
      }
      if (piece.length === 0) continue;
      detection = detector.push(piece);
      if (detection !== undefined) break;
    }
    if (detection === undefined) return; // empty, or only whitespace

    const cutter =
      detection.layout === 'ndjson'
        ? new NdjsonCutter(file, detection.startLine, claimsPerChunk, maxChunkBytes)
        : new JsonCutter(file, detection.startLine, detection.layout === 'array', claimsPerChunk, maxChunkBytes);
    for (const piece of detection.head) {
      cutter.push(piece);
      yield* cutter.take();
    }
    while (inputOpen) {
      const piece = await next();
      if (piece === undefined) break;
      if (piece.length === 0) continue;
      cutter.push(piece);
      yield* cutter.take();
    }
    cutter.end();
    yield* cutter.take();
  } finally {
    if (inputOpen) await iterator.return?.();
  }
}

export function resolveOptions(options: Partial<ChunkOptions>): ChunkOptions {
  const claimsPerChunk = options.claimsPerChunk ?? DEFAULT_CHUNK_OPTIONS.claimsPerChunk;
  const maxChunkBytes = options.maxChunkBytes ?? DEFAULT_CHUNK_OPTIONS.maxChunkBytes;
  if (!Number.isSafeInteger(claimsPerChunk) || claimsPerChunk < 1) {
    throw new RangeError(`claimsPerChunk must be a positive integer, got ${String(claimsPerChunk)}`);
  }
  if (!Number.isSafeInteger(maxChunkBytes) || maxChunkBytes < 1) {
    throw new RangeError(`maxChunkBytes must be a positive integer, got ${String(maxChunkBytes)}`);
  }
  return { claimsPerChunk, maxChunkBytes };
}

function toBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  throw new TypeError(`chunkInput expects Uint8Array pieces, got ${typeof value}`);
}

function asBuffer(piece: Uint8Array): Buffer {
  return Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
}

/** Newlines in bytes[from, to), found with memchr (a byte loop here would halve JSON throughput). */
function countLines(bytes: Uint8Array, from: number, to: number): number {
  if (from >= to) return 0;
  const view = asBuffer(bytes).subarray(from, to);
  let lines = 0;
  for (let k = view.indexOf(LF); k !== -1; k = view.indexOf(LF, k + 1)) lines++;
  return lines;
}

/** True if bytes[from, to) holds anything but spaces, tabs and CRs. */
function hasContent(bytes: Uint8Array, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const b = bytes[k];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return true;
  }
  return false;
}

/**
 * Collects the bytes of the current chunk and emits it. The chunk's bytes are `parts` (views into
 * earlier pieces) followed by the current piece from `runStart`; only the first `committedLen`
 * bytes (up to the end of its last complete claim) go into the emitted chunk.
 */
abstract class Cutter {
  private ready: RawChunk[] = [];
  private nextIndex = 0;
  private parts: Uint8Array[] = [];
  protected partsLen = 0;
  /** Whether the current chunk has started (its first claim, maybe partial, has been seen). */
  protected started = false;
  /** Where the current chunk's bytes start in the current piece (0 if in an earlier piece). */
  protected runStart = 0;
  /** Complete claims in the current chunk. */
  protected count = 0;
  /** Length of the current chunk's bytes up to the end of its last complete claim. */
  protected committedLen = 0;
  protected firstLine = 0;

  constructor(
    private readonly file: string,
    private readonly format: InputFormat,
    protected readonly claimsPerChunk: number,
    protected readonly maxChunkBytes: number,
  ) {}

  abstract push(piece: Uint8Array): void;
  abstract end(): void;

  /** The chunks completed since the last call. */
  take(): RawChunk[] {
    const ready = this.ready;
    if (ready.length > 0) this.ready = [];
    return ready;
  }

  protected startChunk(runStart: number, line: number): void {
    this.started = true;
    this.runStart = runStart;
    this.firstLine = line;
  }

  /** At the end of a piece: keep the current chunk's bytes in it. */
  protected endPiece(piece: Uint8Array): void {
    if (!this.started) return;
    if (this.runStart < piece.length) {
      this.parts.push(this.runStart === 0 ? piece : piece.subarray(this.runStart));
      this.partsLen += piece.length - this.runStart;
    }
    this.runStart = 0;
  }

  /** Emits the committed claims; `piece` is the current piece, or undefined at the end. */
  protected emit(piece: Uint8Array | undefined): void {
    const total = this.committedLen;
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const part of this.parts) {
      if (offset === total) break;
      const take = Math.min(part.length, total - offset);
      bytes.set(take === part.length ? part : part.subarray(0, take), offset);
      offset += take;
    }
    if (offset < total && piece !== undefined) {
      bytes.set(piece.subarray(this.runStart, this.runStart + total - offset), offset);
    }
    this.ready.push({
      file: this.file,
      format: this.format,
      firstIndex: this.nextIndex,
      claimCount: this.count,
      bytes,
      firstLine: this.firstLine,
    });
    this.nextIndex += this.count;
    this.reset();
  }

  protected reset(): void {
    this.parts = [];
    this.partsLen = 0;
    this.started = false;
    this.runStart = 0;
    this.count = 0;
    this.committedLen = 0;
  }
}

/** NDJSON: every line with content is a claim; finds lines with `Buffer#indexOf(LF)`. */
class NdjsonCutter extends Cutter {
  /** Number of the line being read. */
  private line: number;
  /** Whether the part of the current line in earlier pieces has content. */
  private lineHasContent = false;

  constructor(file: string, startLine: number, claimsPerChunk: number, maxChunkBytes: number) {
    super(file, 'ndjson', claimsPerChunk, maxChunkBytes);
    this.line = startLine;
  }

  push(piece: Uint8Array): void {
    const buffer = asBuffer(piece);
    const n = piece.length;
    let i = 0;
    while (i < n) {
      const nl = buffer.indexOf(LF, i);
      if (nl === -1) {
        // The line goes on in the next piece.
        if (!this.lineHasContent) this.lineHasContent = hasContent(piece, i, n);
        if (!this.started) this.startChunk(i, this.line);
        break;
      }
      const lineEnd = nl + 1;
      const content = this.lineHasContent || hasContent(piece, i, nl);
      this.lineHasContent = false;
      if (content) {
        if (!this.started) this.startChunk(i, this.line);
        this.line++;
        this.count++;
        this.committedLen = this.partsLen + lineEnd - this.runStart;
        if (this.count >= this.claimsPerChunk || this.committedLen >= this.maxChunkBytes) this.emit(piece);
      } else {
        this.line++;
        if (this.started) {
          if (this.count === 0) {
            this.reset(); // the chunk was started by a line that turned out blank
          } else if (this.partsLen + lineEnd - this.runStart >= this.maxChunkBytes) {
            this.emit(piece); // don't pile up blank lines: they are not part of the emitted chunk
          }
        }
      }
      i = lineEnd;
    }
    this.endPiece(piece);
  }

  end(): void {
    if (this.lineHasContent) {
      // The last line has no newline.
      this.count++;
      this.committedLen = this.partsLen;
      this.lineHasContent = false;
    }
    if (this.count > 0) this.emit(undefined);
  }
}

// Scanner states of JsonCutter.
/** Between elements. */
const S_TOP = 0;
/** Inside a `{...}` or `[...]` element, outside strings. */
const S_VALUE = 1;
/** Inside a string (of a bracketed element when depth > 0, or a top-level string element). */
const S_STRING = 2;
/** Inside a bare token. */
const S_BARE = 3;

/**
 * JSON array or documents: scans the bytes tracking string/escape state and bracket depth to find
 * where each top-level element (claim) starts and ends. Newlines are counted separately, with
 * memchr, since only the line where each chunk starts is needed (parseChunk counts the rest).
 */
class JsonCutter extends Cutter {
  private state = S_TOP;
  private depth = 0;
  /** The previous piece ended on a backslash inside a string. */
  private escape = false;
  /** Inside the claims array (array inputs: between its `[` and `]`). */
  private inArray = false;
  /** Line number at `lineScanPos` of the current piece. */
  private line: number;
  private lineScanPos = 0;

  constructor(
    file: string,
    startLine: number,
    /** An array of claims (vs. documents): then a `[` between elements opens the claims array. */
    private readonly arrayInput: boolean,
    claimsPerChunk: number,
    maxChunkBytes: number,
  ) {
    super(file, 'json', claimsPerChunk, maxChunkBytes);
    this.line = startLine;
  }

  push(piece: Uint8Array): void {
    const p = piece;
    const n = p.length;
    const cls = CHAR_CLASS;
    let state = this.state;
    let depth = this.depth;
    let i = 0;
    if (this.escape) {
      i = 1; // the first byte is escaped
      this.escape = false;
    }
    while (i < n) {
      if (state === S_STRING) {
        while (i < n) {
          const b = p[i]!;
          if (b === QUOTE) break;
          i += b === BACKSLASH ? 2 : 1;
        }
        if (i >= n) {
          if (i > n) this.escape = true;
          break;
        }
        i++;
        if (depth > 0) {
          state = S_VALUE;
        } else {
          state = S_TOP;
          this.endElement(p, i);
          continue;
        }
      }
      if (state === S_VALUE) {
        // The hot loop: compares instead of CHAR_CLASS lookups. `b | 0x20` maps `[` to `{` and
        // `]` to `}` (and no other byte to either).
        while (i < n) {
          const b = p[i]!;
          if (b === QUOTE) break;
          const folded = b | 0x20;
          if (folded === 0x7b) depth++;
          else if (folded === 0x7d && --depth === 0) break;
          i++;
        }
        if (i >= n) break;
        i++;
        if (depth > 0) {
          state = S_STRING;
        } else {
          state = S_TOP;
          this.endElement(p, i);
        }
        continue;
      }
      if (state === S_BARE) {
        while (i < n && cls[p[i]!] === C_OTHER) i++;
        if (i >= n) break;
        state = S_TOP;
        this.endElement(p, i);
      }
      // S_TOP: skip separators, then look at what starts here.
      let c = C_WS;
      while (i < n) {
        c = cls[p[i]!]!;
        if (c !== C_WS && c !== C_COMMA) break;
        i++;
      }
      if (i >= n) break;
      const b = p[i]!;
      if (c === C_OPEN) {
        if (b === OPEN_BRACKET && this.arrayInput && !this.inArray) {
          this.inArray = true;
          if (this.started) this.emit(p);
        } else {
          this.startElement(p, i);
          depth = 1;
          state = S_VALUE;
        }
      } else if (c === C_QUOTE) {
        this.startElement(p, i);
        depth = 0;
        state = S_STRING;
      } else if (c === C_CLOSE && b === CLOSE_BRACKET && this.inArray) {
        this.inArray = false;
        if (this.started) this.emit(p);
      } else {
        this.startElement(p, i);
        state = S_BARE;
      }
      i++;
    }
    this.state = state;
    this.depth = depth;
    this.line += countLines(p, this.lineScanPos, n);
    this.lineScanPos = 0;
    if (
      state === S_TOP &&
      this.started &&
      this.partsLen + n - this.runStart >= this.maxChunkBytes
    ) {
      // Between elements, with a lot of separators piling up: they are not part of the chunk.
      this.emit(p);
    }
    this.endPiece(p);
  }

  end(): void {
    if (this.state !== S_TOP) {
      // A bare token ends at the end of the input; a bracketed or string element is cut short
      // (parseChunk reports it).
      this.count++;
      this.committedLen = this.partsLen;
      this.state = S_TOP;
    }
    if (this.count > 0) this.emit(undefined);
  }

  private startElement(p: Uint8Array, at: number): void {
    if (this.started) return;
    this.line += countLines(p, this.lineScanPos, at);
    this.lineScanPos = at;
    this.startChunk(at, this.line);
  }

  private endElement(p: Uint8Array, at: number): void {
    this.count++;
    this.committedLen = this.partsLen + at - this.runStart;
    if (this.count >= this.claimsPerChunk || this.committedLen >= this.maxChunkBytes) this.emit(p);
  }
}
