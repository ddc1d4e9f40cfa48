import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { BatchIndexBuilder } from '../checks/batch/index.js';
import type { ChunkBatchKeys, ClaimBatchFacts } from '../checks/batch/types.js';
import { chunkInput, inputName, openInput, type ChunkOptions } from '../ingest/index.js';
import type { Logger } from '../log.js';
import type { KeysTask } from './chunk-scrubber.js';

/** The first pass's view of the inputs: what other claims say about each claim, and where to read each input again. */
export interface FirstPass {
  facts: Map<number, ClaimBatchFacts>;
  /** Claims read per input, to check the second read against. */
  claimsPerInput: number[];
  /** Where the scrub pass reads each input: the path, or a spooled copy of standard input. */
  rereadPaths: string[];
  /** Inputs the first pass could not read, with the error (the scrub pass reports them). */
  cleanup(): Promise<void>;
}

/** Yields the pieces of an input while copying them to a file, so standard input can be read twice. */
async function* spooled(input: AsyncIterable<Uint8Array>, file: string): AsyncGenerator<Uint8Array> {
  const out = createWriteStream(file);
  try {
    for await (const piece of input) {
      if (!out.write(piece)) await once(out, 'drain');
      yield piece;
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
}

/**
 * Reads every input once for the cross-claim checks: workers extract each claim's keys, and the
 * main thread groups them (BatchIndexBuilder). Inputs are read again by the scrub pass; standard
 * input is copied to a temporary file on the way. An input that cannot be read is left to the
 * scrub pass to report, with the claims it yields there.
 */
export async function runFirstPass(options: {
  inputs: readonly string[];
  extractKeys: (task: KeysTask) => Promise<ChunkBatchKeys>;
  chunk?: Partial<ChunkOptions> | undefined;
  maxInFlight: number;
  logger?: Logger | undefined;
}): Promise<FirstPass> {
  const builder = new BatchIndexBuilder();
  const claimsPerInput: number[] = [];
  const rereadPaths: string[] = [];
  let spoolDir: string | undefined;
  const started = performance.now();
  const pending: { file: string; keys: Promise<ChunkBatchKeys> }[] = [];
  const addOldest = async () => {
    const oldest = pending.shift() as { file: string; keys: Promise<ChunkBatchKeys> };
    builder.add(await oldest.keys, oldest.file);
  };
  try {
    for (const file of options.inputs) {
      const name = inputName(file);
      let source = openInput(file);
      let rereadPath = file;
      if (file === '-') {
        spoolDir ??= await mkdtemp(path.join(os.tmpdir(), 'claimscrub-stdin-'));
        rereadPath = path.join(spoolDir, `input-${rereadPaths.length}`);
        source = spooled(source, rereadPath);
      }
      rereadPaths.push(rereadPath);
      let claims = 0;
      try {
        for await (const chunk of chunkInput(source, name, options.chunk)) {
          claims += chunk.claimCount;
          pending.push({ file: name, keys: options.extractKeys({ keys: true, chunk }) });
          while (pending.length >= options.maxInFlight) await addOldest();
        }
      } catch {
        // The scrub pass reads the input again and reports the error once, with what it could read.
      }
      while (pending.length > 0) await addOldest();
      claimsPerInput.push(claims);
    }
  } catch (error) {
    await Promise.allSettled(pending.map((entry) => entry.keys));
    if (spoolDir !== undefined) await rm(spoolDir, { recursive: true, force: true });
    throw error;
  }
  const facts = builder.finish();
  options.logger?.info(
    { claimCount: builder.claimCount, claimsWithCrossClaimFacts: facts.size, seconds: Number(((performance.now() - started) / 1000).toFixed(3)) },
    'batch keys read',
  );
  return {
    facts,
    claimsPerInput,
    rereadPaths,
    cleanup: async () => {
      if (spoolDir !== undefined) await rm(spoolDir, { recursive: true, force: true });
    },
  };
}

/** The facts of a chunk's claims, by offset in the chunk, taken out of the map (each chunk is scrubbed once). */
export function takeChunkFacts(facts: Map<number, ClaimBatchFacts>, outputIndex: number, claimCount: number): [number, ClaimBatchFacts][] | undefined {
  if (facts.size === 0) return undefined;
  let taken: [number, ClaimBatchFacts][] | undefined;
  for (let offset = 0; offset < claimCount; offset++) {
    const entry = facts.get(outputIndex + offset);
    if (entry === undefined) continue;
    facts.delete(outputIndex + offset);
    (taken ??= []).push([offset, entry]);
  }
  return taken;
}
