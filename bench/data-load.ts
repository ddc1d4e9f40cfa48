/**
 * Cold load of reference data, run by the bench in a fresh process each time:
 *
 *   node dist/bench/data-load.js DATA_DIR                 every release: loadReferenceData(DATA_DIR)
 *   node dist/bench/data-load.js DATA_DIR KIND RELEASE    one release: its kind's table loader alone
 *
 * Prints one JSON line: the time to import the engine's data modules, the time of the load itself
 * (the measure the target is about), the problems found, what was loaded, and the process's memory
 * after the load.
 */
import { performance } from 'node:perf_hooks';

export interface DataLoadProbe {
  /** Milliseconds to import the engine's data modules (not part of the load). */
  importMs: number;
  /** Milliseconds of loadReferenceData(dir), or of the one release's table loader. */
  loadMs: number;
  problems: string[];
  /** What was loaded: `kind[ program] release (effective)`. */
  releases: string[];
  rssBytes: number;
  heapUsedBytes: number;
  /** Milliseconds from process start (performance.timeOrigin) to the end of the load. */
  sinceStartMs: number;
}

async function main(argv: string[]): Promise<number> {
  const [dataDir, kind, release] = argv;
  if (dataDir === undefined || (kind !== undefined && release === undefined)) {
    process.stderr.write('usage: node dist/bench/data-load.js DATA_DIR [KIND RELEASE]\n');
    return 2;
  }
  const importStarted = performance.now();
  const store = await import('../engine/data/store.js');
  const { DATA_KIND_DEFINITIONS } = await import('../engine/data/kinds.js');
  const { releaseSetsOf } = await import('../engine/data/release-set.js');
  const importMs = performance.now() - importStarted;

  let loadMs: number;
  let problems: string[];
  let releases: string[];
  if (kind === undefined) {
    const started = performance.now();
    const loaded = await store.loadReferenceData(dataDir);
    loadMs = performance.now() - started;
    problems = loaded.problems.map((problem) => JSON.stringify(problem));
    releases = releaseSetsOf(loaded.data).flatMap(({ table, program, set }) =>
      set.releases.map((r) => `${table}${program === undefined ? '' : ` ${program}`} ${r.manifest.release} (${r.manifest.effective})`),
    );
  } else {
    if (!store.isDataKind(kind)) throw new Error(`unknown kind ${kind}`);
    // The manifest is read before the timer: the timed part is the table loader alone.
    const listed = await store.listReleases(dataDir, [kind]);
    const found = listed.releases.find((r) => r.manifest.release === release);
    if (found === undefined) throw new Error(`no ${kind} release ${release} in ${dataDir}`);
    const started = performance.now();
    await DATA_KIND_DEFINITIONS[kind].load(found.dir, found.manifest);
    loadMs = performance.now() - started;
    problems = listed.problems.map((problem) => JSON.stringify(problem));
    releases = [`${kind}${found.manifest.program === undefined ? '' : ` ${found.manifest.program}`} ${release} (${found.manifest.effective})`];
  }
  const sinceStartMs = performance.now();
  const memory = process.memoryUsage();
  const probe: DataLoadProbe = { importMs, loadMs, problems, releases, rssBytes: memory.rss, heapUsedBytes: memory.heapUsed, sinceStartMs };
  process.stdout.write(`${JSON.stringify(probe)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`data-load: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
