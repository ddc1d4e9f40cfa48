import { BatchKeyWriter } from '../checks/batch/keys.js';
import { claimAuthorizationUnits } from '../checks/practice.js';
import type { ChunkBatchKeys, ClaimBatchFacts } from '../checks/batch/types.js';
import type { PracticeData, PracticeFiles } from '../data/practice/types.js';
import type { ReferenceData } from '../data/types.js';
import { forEachParsedItem } from '../ingest/index.js';
import type { RawChunk } from '../ingest/index.js';
import { addToSummary, emptySummary, formatters, type FormatName, type FormatOptions, type ResultFormatOptions, type Summary } from '../report/index.js';
import { CompiledPack } from '../rules/bundle.js';
import type { RulePack } from '../rules/pack.js';
import { scrubParsedItem, type ScrubEnvironment } from './scrub-claim.js';

/** What every worker gets once, at start: the validated rule pack and how to format results. */
export interface WorkerSetup {
  pack: RulePack;
  format: FormatName;
  formatOptions: FormatOptions;
  /** The reference data directory each worker loads its tables from. */
  dataDir?: string;
  requireData?: boolean;
  /** YYYY-MM-DD: timely filing is measured to it. */
  submissionDate?: string;
  /** The practice files each worker loads (the main thread has checked them already). */
  practiceFiles?: PracticeFiles;
}

export interface ChunkTask {
  chunk: RawChunk;
  /** Position of the chunk's first claim in the whole output (all inputs), for the formatter. */
  outputIndex: number;
  /** What the batch's other claims say about some of the chunk's claims: [offset in the chunk, facts], by offset. */
  batch?: [number, ClaimBatchFacts][];
}

/** The first pass over a chunk when cross-claim checks run: only each claim's keys. */
export interface KeysTask {
  keys: true;
  chunk: RawChunk;
}

/** A scrubbed chunk: formatted text in input order, and its part of the summary. */
export interface ChunkOutcome {
  text: string;
  summary: Summary;
  claims: number;
  unreadable: number;
}

/** Compiles the pack once; the returned function scrubs one chunk. Used by workers and by --threads 1. */
export function createChunkScrubber(setup: WorkerSetup, data?: ReferenceData, practice?: PracticeData): (task: ChunkTask) => ChunkOutcome {
  const compiled = new CompiledPack(setup.pack);
  const environment: ScrubEnvironment = { requireData: setup.requireData === true };
  if (data) environment.data = data;
  if (practice) environment.practice = practice;
  if (setup.submissionDate !== undefined) environment.submissionDate = setup.submissionDate;
  const formatter = formatters[setup.format];
  // One options object, renumbered per claim: this loop runs for every claim of the batch.
  const resultOptions: ResultFormatOptions = { ...setup.formatOptions, index: 0 };
  return (task) => {
    const { chunk, outputIndex } = task;
    const summary = emptySummary();
    let text = '';
    let claims = 0;
    let unreadable = 0;
    const batch = task.batch ?? [];
    let nextBatch = 0;
    forEachParsedItem(chunk, (item) => {
      const claim = item.ok ? item.value : undefined;
      const facts = batch[nextBatch];
      if (facts !== undefined && facts[0] === claims) {
        environment.batch = facts[1];
        nextBatch++;
      } else environment.batch = undefined;
      const result = scrubParsedItem(compiled, item, environment);
      if (!item.ok) unreadable++;
      resultOptions.index = outputIndex + claims++;
      text += formatter.result(result, resultOptions);
      addToSummary(summary, result, claim);
    });
    environment.batch = undefined;
    return { text, summary, claims, unreadable };
  };
}

/** The keys of a chunk's claims for the cross-claim checks (the first pass). */
export function extractChunkKeys(chunk: RawChunk, practice: PracticeData | undefined): ChunkBatchKeys {
  const writer = new BatchKeyWriter((claim) => claimAuthorizationUnits(practice, claim));
  forEachParsedItem(chunk, (item) => writer.add(item.ok ? item.value : undefined, item.source.line));
  return writer.finish();
}
