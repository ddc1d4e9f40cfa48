import { workerData } from 'piscina';
import { createChunkScrubber, type ChunkOutcome, type ChunkTask, type WorkerSetup } from './chunk-scrubber.js';

// Runs in each piscina worker: the rule pack compiles once, here, when the worker starts.
const scrubChunk = createChunkScrubber(workerData as WorkerSetup);

export default function run(task: ChunkTask): ChunkOutcome {
  return scrubChunk(task);
}
