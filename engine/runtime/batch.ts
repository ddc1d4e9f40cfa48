import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import { Piscina } from 'piscina';
import { ERROR_CODES, ScrubError } from '../errors.js';
import { chunkInput, inputName, openInput, type ChunkOptions } from '../ingest/index.js';
import type { Logger } from '../log.js';
import {
  emptySummary,
  finalizeSummary,
  formatters,
  mergeSummaries,
  type FinalSummary,
  type FormatName,
  type FormatOptions,
  type DataReleaseInfo,
  type ReportContext,
} from '../report/index.js';
import { releaseSetsOf } from '../data/release-set.js';
import type { PracticeData, PracticeFiles } from '../data/practice/types.js';
import type { ReferenceData } from '../data/types.js';
import type { RulePack } from '../rules/pack.js';
import type { ChunkBatchKeys } from '../checks/batch/types.js';
import { packNeedsCrossClaimPass } from '../rules/cross-claim.js';
import { createChunkScrubber, extractChunkKeys, type ChunkOutcome, type ChunkTask, type KeysTask, type WorkerSetup } from './chunk-scrubber.js';
import { runFirstPass, takeChunkFacts, type FirstPass } from './first-pass.js';

/** The input name that reads standard input. */
export const STDIN = '-';

export interface InputError {
  file: string;
  code: keyof typeof ERROR_CODES;
  message: string;
}

export interface BatchOptions {
  /** File paths; '-' reads standard input. */
  inputs: readonly string[];
  pack: RulePack;
  format: FormatName;
  formatOptions?: FormatOptions;
  output: Writable;
  /** Worker threads; 1 scrubs on the main thread without a pool. Default: the number of cores. */
  threads?: number;
  engine: { name: string; version: string };
  logger?: Logger;
  chunk?: Partial<ChunkOptions>;
  /** Chunks dispatched but not yet written, at most; bounds memory. Default: 4 per thread. */
  maxChunksInFlight?: number;
  /** Reference data: the directory workers load it from, and the copy the main thread loaded. */
  data?: { dir: string; loaded: ReferenceData };
  /** Hold claims whose checks found no reference data release for their dates. */
  requireData?: boolean;
  /** YYYY-MM-DD: timely filing is measured to it; without it, timely filing is not checked. */
  submissionDate?: string;
  /** Practice files (coverage, authorizations, enrolment): the paths workers load them from, and the copy the main thread loaded and checked. */
  practice?: { files: PracticeFiles; loaded: PracticeData };
  /**
   * Run the checks that compare a claim with the batch's other claims (duplicates, MUE day totals
   * across claims): the input is then read twice. Default true; they only run when a rule needs them.
   */
  batchChecks?: boolean;
}

export interface BatchOutcome {
  summary: FinalSummary;
  inputErrors: InputError[];
  unreadableClaims: number;
}

export const REPORT_SCHEMA_VERSION = 1;

export function defaultThreads(): number {
  return availableParallelism();
}

interface ChunkRunner {
  run(task: ChunkTask): Promise<ChunkOutcome>;
  keys(task: KeysTask): Promise<ChunkBatchKeys>;
  close(): Promise<void>;
}

function createRunner(setup: WorkerSetup, threads: number, data: ReferenceData | undefined, practice: PracticeData | undefined): ChunkRunner {
  if (threads <= 1) {
    const scrub = createChunkScrubber(setup, data, practice);
    return { run: async (task) => scrub(task), keys: async (task) => extractChunkKeys(task.chunk, practice), close: async () => {} };
  }
  const pool = new Piscina({
    filename: new URL('./worker.js', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    workerData: setup,
  });
  return {
    run: (task) => pool.run(task, { transferList: [task.chunk.bytes.buffer as ArrayBuffer] }) as Promise<ChunkOutcome>,
    keys: (task) => pool.run(task, { transferList: [task.chunk.bytes.buffer as ArrayBuffer] }) as Promise<ChunkBatchKeys>,
    close: () => pool.destroy(),
  };
}

/**
 * Writes to the report stream with backpressure. A write error (EPIPE when the reader of a pipe
 * goes away, ENOSPC) arrives as an event, so it is kept and the next write stops the batch.
 */
class ReportWriter {
  private failure: Error | undefined;
  private readonly onError = (error: Error) => {
    this.failure ??= error;
  };

  constructor(private readonly output: Writable) {
    output.on('error', this.onError);
  }

  async write(text: string): Promise<void> {
    this.check();
    if (text === '' || this.output.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.output.off('drain', done);
        this.output.off('error', done);
        this.output.off('close', done);
        resolve();
      };
      this.output.on('drain', done);
      this.output.on('error', done);
      this.output.on('close', done);
    });
    this.check();
  }

  check(): void {
    if (this.failure) {
      const reason = (this.failure as NodeJS.ErrnoException).code === 'EPIPE' ? 'the reader closed the output before the report was complete' : this.failure.message;
      throw new ScrubError('SCRUB_ERR_OUTPUT', `The report could not be written: ${reason}.`, { cause: this.failure });
    }
  }

  detach(): void {
    // Errors after the batch (a reader closing late) must not crash the process either.
    this.output.off('error', this.onError);
    this.output.on('error', () => {});
  }
}

/**
 * Scrubs every input in order and writes the report. The main thread only cuts raw text into
 * chunks and writes the workers' formatted text in input order; workers parse, validate, scrub
 * and format. At most `maxChunksInFlight` chunks wait at once, so memory stays bounded whatever
 * the input size.
 */
export async function runBatch(options: BatchOptions): Promise<BatchOutcome> {
  const threads = Math.max(1, options.threads ?? defaultThreads());
  const formatOptions = options.formatOptions ?? {};
  const formatter = formatters[options.format];
  const logger = options.logger;
  const context: ReportContext = {
    engine: options.engine,
    bundle: { hash: options.pack.hash },
    schemaVersion: REPORT_SCHEMA_VERSION,
    inputErrors: [],
    data: describeReleases(options.data?.loaded),
  };
  const setup: WorkerSetup = { pack: options.pack, format: options.format, formatOptions, requireData: options.requireData === true };
  if (options.data) setup.dataDir = options.data.dir;
  if (options.practice) setup.practiceFiles = options.practice.files;
  if (options.submissionDate !== undefined) {
    setup.submissionDate = options.submissionDate;
    context.submissionDate = options.submissionDate;
  }
  const runner = createRunner(setup, threads, options.data?.loaded, options.practice?.loaded);
  const maxInFlight = options.maxChunksInFlight ?? threads * 4;
  context.batchChecks = options.batchChecks !== false && packNeedsCrossClaimPass(options.pack);
  const summary = emptySummary();
  const inputErrors: InputError[] = [];
  let unreadableClaims = 0;
  let outputIndex = 0;
  const started = performance.now();
  const pending: Promise<ChunkOutcome>[] = [];

  const writer = new ReportWriter(options.output);
  let firstPass: FirstPass | undefined;
  const writeOldest = async () => {
    const outcome = await (pending.shift() as Promise<ChunkOutcome>);
    mergeSummaries(summary, outcome.summary);
    unreadableClaims += outcome.unreadable;
    await writer.write(outcome.text);
  };

  try {
    if (context.batchChecks) {
      firstPass = await runFirstPass({ inputs: options.inputs, extractKeys: (task) => runner.keys(task), chunk: options.chunk, maxInFlight, logger });
    }
    await writer.write(formatter.header(context, formatOptions));
    for (const [inputIndex, file] of options.inputs.entries()) {
      const name = inputName(file);
      let claimsInFile = 0;
      try {
        for await (const chunk of chunkInput(openInput(firstPass?.rereadPaths[inputIndex] ?? file), name, options.chunk)) {
          const task: ChunkTask = { chunk, outputIndex };
          const batch = firstPass && takeChunkFacts(firstPass.facts, outputIndex, chunk.claimCount);
          if (batch !== undefined) task.batch = batch;
          pending.push(runner.run(task));
          outputIndex += chunk.claimCount;
          claimsInFile += chunk.claimCount;
          while (pending.length >= maxInFlight) await writeOldest();
        }
        if (firstPass && firstPass.claimsPerInput[inputIndex] !== claimsInFile) {
          // The cross-claim facts were worked out on the first read; they only fit the same claims.
          throw new ScrubError('SCRUB_ERR_INPUT_UNREADABLE', `The file changed while it was being scrubbed (${firstPass.claimsPerInput[inputIndex]} claims on the first read, ${claimsInFile} on the second): scrub it again once it is complete.`);
        }
        logger?.info({ file: name, claimCount: claimsInFile }, 'input read');
      } catch (error) {
        if (error instanceof ScrubError && error.code === 'SCRUB_ERR_OUTPUT') throw error;
        const inputError: InputError = { file: name, code: 'SCRUB_ERR_INPUT_UNREADABLE', message: describeInputError(error) };
        inputErrors.push(inputError);
        logger?.error({ file: name, code: inputError.code, claimsRead: claimsInFile }, inputError.message);
      }
    }
    while (pending.length > 0) await writeOldest();
  } catch (error) {
    writer.detach();
    logger?.error({ code: error instanceof ScrubError ? error.code : undefined }, 'batch stopped');
    throw error;
  } finally {
    await Promise.allSettled(pending);
    await runner.close();
    await firstPass?.cleanup();
  }

  const final = finalizeSummary(summary);
  context.inputErrors = inputErrors;
  try {
    await writer.write(formatter.footer(final, context, formatOptions));
  } finally {
    writer.detach();
  }
  const seconds = (performance.now() - started) / 1000;
  logger?.info(
    {
      claimCount: final.claims,
      clean: final.clean,
      warning: final.warning,
      held: final.held,
      unreadableClaims,
      inputErrors: inputErrors.length,
      threads,
      seconds: Number(seconds.toFixed(3)),
      claimsPerSecond: seconds > 0 ? Math.round(final.claims / seconds) : null,
    },
    'batch scrubbed',
  );
  return { summary: final, inputErrors, unreadableClaims };
}

function describeReleases(data: ReferenceData | undefined): DataReleaseInfo[] {
  if (!data) return [];
  return releaseSetsOf(data).flatMap(({ table, program, set }) =>
    set.releases.map(({ manifest, until }) => ({
      table,
      ...(program === undefined ? {} : { program }),
      release: manifest.release,
      effective: manifest.effective,
      ...(until === undefined ? {} : { until }),
      sourceFiles: manifest.sourceFiles.map(({ name, sha256 }) => ({ name, sha256 })),
    })),
  );
}

function describeInputError(error: unknown): string {
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'The file does not exist.';
  if (code === 'EACCES') return 'The file cannot be read: permission denied.';
  if (code === 'EISDIR') return 'This is a directory, not a file of claims.';
  return `The file cannot be read: ${(cause as Error).message}`;
}
