import type { ClaimSource } from '../model/result.js';

/**
 * How the claims in an input are laid out.
 * - `ndjson`: one claim per line.
 * - `json`: a JSON array of claims, or one or more top-level JSON documents (each one a claim).
 */
export type InputFormat = 'ndjson' | 'json';

/**
 * A run of consecutive claims cut from an input by the main thread, without parsing them.
 * A worker turns it into claims with {@link parseChunk}.
 */
export interface RawChunk {
  /** Display name of the input (the path as given, or '<stdin>'). */
  file: string;
  format: InputFormat;
  /** 0-based ordinal of this chunk's first claim within its file. */
  firstIndex: number;
  /** Number of claims (items) in the chunk: `parseChunk(chunk).length` equals it. */
  claimCount: number;
  /**
   * The raw UTF-8 bytes of the chunk's claims: a contiguous slice of the input that starts where
   * the first claim starts (for NDJSON, at the start of its line) and ends where the last claim
   * ends (for NDJSON, after its newline). A fresh copy that owns its whole ArrayBuffer, so it can
   * be transferred to a worker with zero copy.
   */
  bytes: Uint8Array;
  /** 1-based line number in the input where `bytes` starts. */
  firstLine: number;
}

export interface ChunkOptions {
  /** Cut a chunk when it holds this many claims. Default 500. */
  claimsPerChunk: number;
  /**
   * Cut a chunk as soon as its bytes reach this size, even with fewer claims. A chunk is only
   * ever cut between claims, so it can exceed this by at most its last claim (a single claim
   * larger than this is a chunk on its own). Default 4 MiB.
   */
  maxChunkBytes: number;
}

export const DEFAULT_CHUNK_OPTIONS: Readonly<ChunkOptions> = Object.freeze({
  claimsPerChunk: 500,
  maxChunkBytes: 4 * 1024 * 1024,
});

export interface ParseError {
  /** JSON.parse's message, or one of ours for a claim cut short by the end of the input. */
  message: string;
  /** 1-based line of the error in the input. */
  line: number;
  /** 1-based column of the error on that line, in UTF-16 code units, when it is known. */
  column?: number;
}

/** One claim of a chunk: its parsed value, or why its text is not JSON. */
export type ParsedItem =
  | { source: ClaimSource; ok: true; value: unknown }
  | { source: ClaimSource; ok: false; error: ParseError; raw: string };
