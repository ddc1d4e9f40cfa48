import { createReadStream } from 'node:fs';
import { ScrubError } from '../errors.js';

/** The display name of standard input, as a claim source's `file`. */
export const STDIN_NAME = '<stdin>';

/** Read size for input files: large reads keep the chunker's per-piece overhead negligible. */
export const READ_SIZE = 1 << 20;

/** The name to show for an input path: the path as given, or '<stdin>' for '-'. */
export function inputName(path: string): string {
  return path === '-' ? STDIN_NAME : path;
}

/**
 * Opens an input for {@link chunkInput}: a file read in 1 MiB pieces, or standard input for '-'.
 * Errors opening or reading a file are thrown while iterating, as a ScrubError with code
 * SCRUB_ERR_INPUT_UNREADABLE.
 */
export function openInput(path: string): AsyncIterable<Uint8Array> {
  if (path === '-') return process.stdin;
  return readFile(path);
}

async function* readFile(path: string): AsyncGenerator<Uint8Array> {
  const stream = createReadStream(path, { highWaterMark: READ_SIZE });
  try {
    for await (const piece of stream) yield piece as Buffer;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ScrubError('SCRUB_ERR_INPUT_UNREADABLE', `cannot read ${path}: ${reason}`, {
      position: { file: path },
      cause: error,
    });
  } finally {
    stream.destroy();
  }
}
