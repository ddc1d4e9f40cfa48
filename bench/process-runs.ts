/**
 * Whole-process runs on a generated NDJSON file: the floor (bench/floor.ts), then
 * `claimscrub scrub` on one thread and on every core, without reference data (an empty --data
 * directory) and, when the bench set one up, with it (`--data DIR`: the workers load the tables).
 * Each is a fresh process, timed from spawn to exit, with its peak RSS.
 */
import { closeSync, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, FLOOR, WORK_DIR, checkOutput, fmtInt, fmtNum, fmtRatio, mb, measureNode, removeQuietly, say, table, warn, type ClaimFile, type ProcessMeasurement } from './util.js';

/** Every scrub gets this submission date (timely filing), not today's. */
export const BENCH_SUBMISSION_DATE = '2026-10-15';

/** An empty data directory: the runs without reference data say so explicitly. */
export function emptyDataDir(): string {
  const dir = path.join(WORK_DIR, 'no-data');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The summary fields kept per run (the full summary is in the report itself). */
const SUMMARY_KEYS = ['claims', 'clean', 'warning', 'held', 'edits', 'cleanClaimRate', 'dataMissing', 'editsByCode'] as const;

export interface ProcessRun extends ProcessMeasurement {
  /** floor, t1, tN, tN-single, t1-data, tN-data, tN-data-icd. */
  key: string;
  name: string;
  /** The --data directory of a scrub run (an empty one for the runs without data). */
  dataDir?: string;
  claimsPerSecond: number;
  /** claims/s over the floor's claims/s. */
  ratioToFloor: number | null;
  /** CPU seconds (user + system) over wall seconds: how many cores it kept busy. */
  coresBusy: number | null;
  output?: { lines: number; expectedLines: number; linesOk: boolean; bytes: number; sha256: string; summary?: Record<string, unknown> };
}

export interface ProcessReport {
  input: ClaimFile;
  cores: number;
  repeat: number;
  /** One per configuration (floor, --threads 1, --threads cores): the median of its runs. */
  runs: ProcessRun[];
  /** Every run, per configuration. */
  allRuns: ProcessRun[][];
  problems: string[];
  /** Whether the one-thread and all-core reports are byte-identical (they should be). */
  scrubOutputsIdentical: boolean | null;
  /** The same for the runs with reference data; null when there were none. */
  dataOutputsIdentical: boolean | null;
}

/** The reference data runs: the data directory, and optionally the claims moved into the ICD-10-CM release's dates. */
export interface DataRunOptions {
  dir: string;
  icd?: { input: ClaimFile; submissionDate: string; shiftDays: number };
}

function scrubArgs(input: string, output: string, threads: number, dataDir: string, submissionDate = BENCH_SUBMISSION_DATE, extra: readonly string[] = []): string[] {
  return [CLI, 'scrub', input, '--format', 'ndjson', '--threads', String(threads), '--data', dataDir, '--submission-date', submissionDate, '--output', output, '--fail-on', 'never', ...extra];
}

function describeFailure(run: ProcessMeasurement): string {
  return `${run.command} exited with ${run.signal ?? run.exitCode}${run.stderr ? `: ${run.stderr.trim()}` : ''}`;
}

function finish(key: string, name: string, measured: ProcessMeasurement, claims: number, floorRate: number | null): ProcessRun {
  const claimsPerSecond = claims / measured.wallSeconds;
  const cpu = measured.userSeconds !== null && measured.systemSeconds !== null ? measured.userSeconds + measured.systemSeconds : null;
  return {
    ...measured,
    key,
    name,
    claimsPerSecond,
    ratioToFloor: floorRate ? claimsPerSecond / floorRate : null,
    coresBusy: cpu === null ? null : cpu / measured.wallSeconds,
  };
}

interface Config {
  key: string;
  name: string;
  threads: number | null;
  input: ClaimFile;
  dataDir: string;
  submissionDate: string;
  /** More scrub options (--no-batch-checks). */
  extraArgs?: string[];
}

/** Runs one configuration once: the floor (threads null) or a scrub, with its report checked. */
async function runOnce(config: Config, floorRate: number | null, problems: string[]): Promise<ProcessRun> {
  const input = config.input;
  const out = path.join(WORK_DIR, `out-${config.key}-${process.pid}-${Date.now()}.ndjson`);
  try {
    if (config.threads === null) {
      const measured = await measureNode([FLOOR, input.file, out], config.name);
      const run = finish(config.key, config.name, measured, input.count, null);
      if (measured.exitCode !== 0) problems.push(describeFailure(measured));
      else {
        const counted = JSON.parse(measured.stdout) as { claims: number };
        if (counted.claims !== input.count) problems.push(`the floor read ${counted.claims} claims, expected ${input.count}`);
      }
      return run;
    }
    const measured = await measureNode(scrubArgs(input.file, out, config.threads, config.dataDir, config.submissionDate, config.extraArgs), config.name);
    const run = finish(config.key, config.name, measured, input.count, floorRate);
    run.dataDir = config.dataDir;
    if (measured.exitCode !== 0) problems.push(describeFailure(measured));
    try {
      const checked = await checkOutput(out);
      const expectedLines = input.count + 1;
      const summary = (checked.lastLine as { summary?: Record<string, unknown> } | undefined)?.summary;
      run.output = { lines: checked.lines, expectedLines, linesOk: checked.lines === expectedLines, bytes: checked.bytes, sha256: checked.sha256 };
      // The counts only: the full summary (edit and payer breakdowns) is in the report itself.
      if (summary) run.output.summary = Object.fromEntries(SUMMARY_KEYS.map((key) => [key, summary[key]]));
      if (!run.output.linesOk) problems.push(`${run.name}: the report has ${fmtInt(checked.lines)} lines, expected ${fmtInt(expectedLines)} (results + summary line)`);
      if (!summary) problems.push(`${run.name}: the report's last line is not a summary line`);
      else if (summary.claims !== input.count) problems.push(`${run.name}: the summary counts ${String(summary.claims)} claims, expected ${input.count}`);
    } catch (error) {
      problems.push(`${run.name}: cannot read the report: ${(error as Error).message}`);
    }
    return run;
  } finally {
    removeQuietly(out);
  }
}

/** The run with the median wall time (the lower one of the middle two for an even count). */
function medianRun(runs: readonly ProcessRun[]): ProcessRun {
  const sorted = [...runs].sort((a, b) => a.wallSeconds - b.wallSeconds);
  return sorted[Math.floor((sorted.length - 1) / 2)] as ProcessRun;
}

type Summary = Record<string, unknown>;
type Breakdown = { key: string; count: number }[];

function breakdownOf(summary: Summary | undefined, key: string): Breakdown {
  const value = summary?.[key];
  return Array.isArray(value) ? (value as Breakdown) : [];
}

/** `table 123, other 45` from a [{ key, count }] breakdown; `none` when empty. */
function describeBreakdown(entries: Breakdown): string {
  return entries.length === 0 ? 'none' : entries.map((entry) => `${entry.key} ${fmtInt(entry.count)}`).join(', ');
}

/** The edit codes whose counts differ between two summaries: what the reference data changed. */
function editDifferences(base: Summary | undefined, other: Summary | undefined): string {
  const before = new Map(breakdownOf(base, 'editsByCode').map((entry) => [entry.key, entry.count]));
  const after = new Map(breakdownOf(other, 'editsByCode').map((entry) => [entry.key, entry.count]));
  const changed = [...new Set([...before.keys(), ...after.keys()])]
    .map((code) => ({ code, delta: (after.get(code) ?? 0) - (before.get(code) ?? 0) }))
    .filter((entry) => entry.delta !== 0)
    .sort((a, b) => Math.abs(b.delta) - Math.abs(a.delta) || (a.code < b.code ? -1 : 1));
  return changed.length === 0 ? 'none' : changed.map((entry) => `${entry.code} ${entry.delta > 0 ? '+' : ''}${fmtInt(entry.delta)}`).join(', ');
}

/**
 * The floor, `scrub --threads 1` and `scrub --threads <cores>` without reference data, and, with
 * `data`, the two scrubs again with `--data DIR` (plus one on all cores over the claims moved into
 * the ICD-10-CM release's dates): `repeat` rounds of all of them in turn (so a change in machine
 * load hits all alike); each is reported by its median run.
 */
export async function runProcesses(input: ClaimFile, cores: number, repeat: number, noDataDir: string, data?: DataRunOptions): Promise<ProcessReport> {
  const problems: string[] = [];
  const scrub = (key: string, name: string, threads: number, dataDir: string, claims = input, submissionDate = BENCH_SUBMISSION_DATE): Config => ({
    key,
    name,
    threads,
    input: claims,
    dataDir,
    submissionDate,
  });
  const configs: Config[] = [
    { key: 'floor', name: 'floor (parse + stringify, 1 core)', threads: null, input, dataDir: '', submissionDate: '' },
    scrub('t1', 'scrub --threads 1', 1, noDataDir),
    scrub('tN', `scrub --threads ${cores}`, cores, noDataDir),
    // The same without the cross-claim first pass: what reading the input twice costs.
    { ...scrub('tN-single', `scrub --threads ${cores} --no-batch-checks`, cores, noDataDir), extraArgs: ['--no-batch-checks'] },
  ];
  if (data) {
    configs.push(scrub('t1-data', 'scrub --threads 1 --data', 1, data.dir), scrub('tN-data', `scrub --threads ${cores} --data`, cores, data.dir));
    if (data.icd) {
      configs.push(scrub('tN-data-icd', `scrub --threads ${cores} --data, claims in 2021 Q1`, cores, data.dir, data.icd.input, data.icd.submissionDate));
    }
  }
  /** Runs whose reports must be byte-identical. */
  const identicalGroups: [string, string][] = [
    ['t1', 'tN'],
    ['t1-data', 'tN-data'],
  ];
  const all: ProcessRun[][] = configs.map(() => []);
  const identical = new Map<string, boolean>();
  const floorRuns = all[0] as ProcessRun[];
  const floorRateSoFar = () => {
    const ok = floorRuns.filter((run) => run.exitCode === 0);
    return ok.length > 0 ? medianRun(ok).claimsPerSecond : null;
  };
  for (let round = 0; round < repeat; round++) {
    const hashes = new Map<string, string>();
    for (const [index, config] of configs.entries()) {
      const run = await runOnce(config, config.threads === null ? null : floorRateSoFar(), problems);
      all[index]!.push(run);
      if (run.output) hashes.set(config.key, run.output.sha256);
    }
    for (const [a, b] of identicalGroups) {
      const [hashA, hashB] = [hashes.get(a), hashes.get(b)];
      if (hashA !== undefined && hashB !== undefined) identical.set(a, (identical.get(a) ?? true) && hashA === hashB);
    }
  }
  const runs = all.map(medianRun);
  const floorRate = floorRateSoFar();
  for (const run of runs) run.ratioToFloor = floorRate ? run.claimsPerSecond / floorRate : null;
  const scrubOutputsIdentical = identical.get('t1') ?? null;
  const dataOutputsIdentical = identical.get('t1-data') ?? null;
  if (scrubOutputsIdentical === false) problems.push(`the --threads 1 and --threads ${cores} reports differ (they should be byte-identical)`);
  if (dataOutputsIdentical === false) problems.push(`with --data, the --threads 1 and --threads ${cores} reports differ (they should be byte-identical)`);

  say(`  input: ${input.file}`);
  say(`         ${fmtInt(input.count)} claims, seed ${input.seed}, ${mb(input.bytes)}${input.reused ? ' (reused)' : `, generated in ${fmtNum(input.generateSeconds)} s`}`);
  if (data?.icd) {
    const icd = data.icd.input;
    say(`  ICD-10-CM run input: ${icd.file}`);
    say(`         the same claims with every date ${data.icd.shiftDays} days earlier (service dates in 2021 Q1)${icd.reused ? ' (reused)' : `, written in ${fmtNum(icd.generateSeconds)} s`}; --submission-date ${data.icd.submissionDate}`);
  }
  say(`  every scrub: --format ndjson --submission-date ${BENCH_SUBMISSION_DATE} --data DIR (an empty directory for the runs without data${data ? `; ${data.dir} for --data` : ''})`);
  say(`  peak RSS from: ${runs[0]?.rssMethod === 'gnu-time' ? '/usr/bin/time -v' : 'getrusage() at exit (bench/rss-probe.js)'}; wall time from spawn to exit (includes node start-up, rule pack and data load)`);
  if (repeat > 1) say(`  ${repeat} rounds; each row is the run with the median wall time`);
  say();
  say(
    table(
      ['run', 'wall s', ...(repeat > 1 ? ['wall min-max'] : []), 'claims/s', 'vs floor', 'peak RSS', 'CPU s', 'cores busy', 'report lines'],
      runs.map((run, index) => [
        run.name,
        run.wallSeconds.toFixed(2),
        ...(repeat > 1 ? [`${Math.min(...all[index]!.map((r) => r.wallSeconds)).toFixed(2)}-${Math.max(...all[index]!.map((r) => r.wallSeconds)).toFixed(2)}`] : []),
        fmtInt(run.claimsPerSecond),
        fmtRatio(run.ratioToFloor),
        mb(run.peakRssBytes),
        run.userSeconds === null || run.systemSeconds === null ? 'n/a' : (run.userSeconds + run.systemSeconds).toFixed(2),
        fmtNum(run.coresBusy),
        run.output ? `${fmtInt(run.output.lines)}${run.output.linesOk ? ' ok' : ' WRONG'}` : '-',
      ]),
    ),
  );
  say();
  const byKey = new Map(runs.map((run) => [run.key, run]));
  const noData = byKey.get('tN')?.output?.summary;
  for (const run of runs) {
    const summary = run.output?.summary;
    if (!summary) continue;
    say(`  ${run.name}: ${['claims', 'clean', 'warning', 'held'].map((key) => `${key} ${fmtInt(Number(summary[key]))}`).join(', ')}`);
    if (run.key.endsWith('data') || run.key.endsWith('icd')) {
      say(`      claims not checked for want of a release covering their dates: ${describeBreakdown(breakdownOf(summary, 'dataMissing'))}`);
      say(`      edits changed vs scrub --threads ${cores} without data: ${editDifferences(noData, summary)}`);
    }
  }
  if (scrubOutputsIdentical !== null) say(`  --threads 1 and --threads ${cores} reports byte-identical: ${scrubOutputsIdentical ? 'yes' : 'NO'}`);
  if (dataOutputsIdentical !== null) say(`  with --data, --threads 1 and --threads ${cores} reports byte-identical: ${dataOutputsIdentical ? 'yes' : 'NO'}`);
  const withData = byKey.get('tN-data');
  const without = byKey.get('tN');
  if (withData && without) {
    say(
      `  --threads ${cores} with data vs without: ${fmtInt(withData.claimsPerSecond)} vs ${fmtInt(without.claimsPerSecond)} claims/s (${fmtRatio(withData.claimsPerSecond / without.claimsPerSecond)}); peak RSS ${mb(withData.peakRssBytes)} vs ${mb(without.peakRssBytes)}`,
    );
  }
  if (data && !data.icd) say('  no ICD-10-CM-covered run: the generated claims are dated 2026, which no imported ICD-10-CM release covers (their ICD-10-CM checks were skipped)');
  for (const problem of problems) warn(problem);
  return { input, cores, repeat, runs, allRuns: all, problems, scrubOutputsIdentical, dataOutputsIdentical };
}

export interface StartupReport {
  /** The one-claim input. */
  file: string;
  rounds: number;
  /** Fastest wall seconds of `scrub --threads <cores>` on one claim, without and with --data. */
  withoutDataSeconds: number;
  withDataSeconds: number;
  runs: ProcessRun[];
}

/**
 * The fixed cost of a scrub process: `scrub --threads <cores>` on a one-claim file (node start,
 * rule pack load and compile in the main thread and every worker, and with --data the tables
 * loaded by the main thread and every worker), without and with data, each the fastest of
 * `rounds` runs. Subtracted from a whole-process run's wall time, it leaves the per-claim work.
 */
export async function runStartup(input: ClaimFile, cores: number, noDataDir: string, dataDir: string, rounds = 3): Promise<StartupReport> {
  const file = path.join(WORK_DIR, `one-claim-${process.pid}.ndjson`);
  const fd = openSync(input.file, 'r');
  const head = Buffer.alloc(1 << 16);
  const read = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  const first = head.toString('utf8', 0, read).split('\n')[0] ?? '';
  writeFileSync(file, `${first}\n`);
  const runs: ProcessRun[] = [];
  const problems: string[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      for (const [key, dir] of [
        ['startup', noDataDir],
        ['startup-data', dataDir],
      ] as const) {
        const measured = await measureNode(scrubArgs(file, '/dev/null', cores, dir), `${key} ${round}`);
        if (measured.exitCode !== 0) problems.push(describeFailure(measured));
        runs.push({ ...finish(key, `scrub --threads ${cores}${key === 'startup' ? '' : ' --data'}, 1 claim`, measured, 1, null), dataDir: dir });
      }
    }
  } finally {
    removeQuietly(file);
  }
  const fastest = (key: string) => Math.min(...runs.filter((run) => run.key === key && run.exitCode === 0).map((run) => run.wallSeconds));
  const withoutDataSeconds = fastest('startup');
  const withDataSeconds = fastest('startup-data');
  say(
    `  fixed cost of a scrub process (--threads ${cores}, 1 claim, fastest of ${rounds}): ${withoutDataSeconds.toFixed(2)} s without data, ${withDataSeconds.toFixed(2)} s with --data (+${(withDataSeconds - withoutDataSeconds).toFixed(2)} s: the main thread and ${cores} worker(s) load the tables)`,
  );
  for (const problem of problems) warn(problem);
  return { file, rounds, withoutDataSeconds, withDataSeconds, runs };
}

export interface RssReport {
  input: ClaimFile;
  /** Without reference data. */
  run: ProcessRun;
  /** With --data DIR, when the bench set reference data up. */
  dataRun?: ProcessRun;
  problems: string[];
}

/** Peak RSS on a big file: scrub on every core, report to /dev/null, without and (given dataDir) with reference data. */
export async function runRss(input: ClaimFile, cores: number, noDataDir: string, dataDir?: string): Promise<RssReport> {
  const problems: string[] = [];
  const once = async (key: string, name: string, dir: string): Promise<ProcessRun> => {
    const measured = await measureNode(scrubArgs(input.file, '/dev/null', cores, dir), name);
    const run = finish(key, name, measured, input.count, null);
    run.dataDir = dir;
    if (measured.exitCode !== 0) problems.push(describeFailure(measured));
    return run;
  };
  const run = await once('rss', `scrub --threads ${cores} --output /dev/null`, noDataDir);
  const dataRun = dataDir === undefined ? undefined : await once('rss-data', `scrub --threads ${cores} --data --output /dev/null`, dataDir);
  say(`  input: ${input.file}`);
  say(`         ${fmtInt(input.count)} claims, ${mb(input.bytes)}${input.reused ? ' (reused)' : `, generated in ${fmtNum(input.generateSeconds)} s`}; --submission-date ${BENCH_SUBMISSION_DATE}`);
  say();
  say(
    table(
      ['run', 'wall s', 'claims/s', 'peak RSS', 'cores busy'],
      [run, ...(dataRun ? [dataRun] : [])].map((r) => [r.name, r.wallSeconds.toFixed(2), fmtInt(r.claimsPerSecond), mb(r.peakRssBytes), fmtNum(r.coresBusy)]),
    ),
  );
  for (const problem of problems) warn(problem);
  return { input, run, ...(dataRun ? { dataRun } : {}), problems };
}
