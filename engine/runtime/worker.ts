import { workerData } from 'piscina';
import { loadPracticeFiles } from '../data/practice/load.js';
import { loadReferenceDataForScrub } from '../data/store.js';
import type { ChunkBatchKeys } from '../checks/batch/types.js';
import { createChunkScrubber, extractChunkKeys, type ChunkOutcome, type ChunkTask, type KeysTask, type WorkerSetup } from './chunk-scrubber.js';

// Runs in each piscina worker: the rule pack compiles and the reference tables load once, here,
// when the worker starts.
const setup = workerData as WorkerSetup;
const data = setup.dataDir === undefined ? undefined : await loadReferenceDataForScrub(setup.dataDir);
const practice = setup.practiceFiles === undefined ? undefined : (await loadPracticeFiles(setup.practiceFiles)).data;
const scrubChunk = createChunkScrubber(setup, data, practice);

export default function run(task: ChunkTask | KeysTask): ChunkOutcome | ChunkBatchKeys {
  return 'keys' in task ? extractChunkKeys(task.chunk, practice) : scrubChunk(task);
}
