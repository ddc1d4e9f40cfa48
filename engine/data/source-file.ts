/**
 * What every importer and loader does the same way: stream an official file while hashing it,
 * and read a release's declared counts.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { ScrubError } from '../errors.js';
import type { ReleaseManifest, SourceFile } from './types.js';

/**
 * Streams a source file in 1 MiB chunks to `push`, hashing it on the way, and returns what the
 * manifest records of it (name without the directory, sha256, size). Rejects with the file
 * system's error when the file cannot be read.
 */
export async function streamSourceFile(filePath: string, push: (chunk: Buffer) => void): Promise<SourceFile> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(filePath, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    push(chunk);
  }
  return { name: path.basename(filePath), sha256: hash.digest('hex'), bytes };
}

/** Streams a UTF-8 text file to `push` as text (a character split between chunks is kept whole). */
export async function streamUtf8SourceFile(filePath: string, push: (text: string) => void): Promise<SourceFile> {
  const decoder = new StringDecoder('utf8');
  const source = await streamSourceFile(filePath, (chunk) => push(decoder.write(chunk)));
  const rest = decoder.end();
  if (rest.length > 0) push(rest);
  return source;
}

/**
 * A release's manifest as declared: `manifest` when given, else read from the release folder's
 * manifest.json (SCRUB_ERR_DATA_INVALID when it cannot be read; its fields are checked by the caller).
 */
export async function declaredManifest(dir: string, manifest?: ReleaseManifest): Promise<Partial<ReleaseManifest>> {
  if (manifest !== undefined) return manifest;
  const manifestFile = path.join(dir, 'manifest.json');
  try {
    return JSON.parse(await readFile(manifestFile, 'utf8')) as Partial<ReleaseManifest>;
  } catch (error) {
    throw new ScrubError('SCRUB_ERR_DATA_INVALID', `${manifestFile}: cannot read the release manifest: ${(error as Error).message}`, { cause: error });
  }
}

/** The counts a release's manifest declares (see declaredManifest). */
export async function declaredCounts(dir: string, manifest?: ReleaseManifest): Promise<Record<string, number> | undefined> {
  return (await declaredManifest(dir, manifest)).counts;
}
