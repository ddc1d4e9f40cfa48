/**
 * Loaded with `node --import <this file>` when GNU time is not available: when the process exits,
 * writes its getrusage() numbers as JSON to the file named by CLAIMSCRUB_BENCH_RUSAGE. maxRSS is
 * the peak resident set size of the whole process, worker threads included (they share it).
 * Worker threads load this module too (they inherit execArgv); only the main thread reports.
 */
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const target = process.env.CLAIMSCRUB_BENCH_RUSAGE;

if (isMainThread && target) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(
      target,
      JSON.stringify({ maxRssKiB: usage.maxRSS, userSeconds: usage.userCPUTime / 1e6, systemSeconds: usage.systemCPUTime / 1e6 }),
    );
  });
}
