import { workerData } from 'piscina';
import { loadReferenceDataForScrub } from '../data/store.js';
import { createChunkScrubber, type ChunkOutcome, type ChunkTask, type WorkerSetup } from './chunk-scrubber.js';

// Runs in each piscina worker: the rule pack compiles and the reference tables load once, here,
// when the worker starts.
const setup = workerData as WorkerSetup;
const data = setup.dataDir === undefined ? undefined : await loadReferenceDataForScrub(setup.dataDir);
const scrubChunk = createChunkScrubber(setup, data);

export default function run(task: ChunkTask): ChunkOutcome {
  return scrubChunk(task);
}
