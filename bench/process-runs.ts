/**
 * Whole-process runs on a generated NDJSON file: the floor (bench/floor.ts), then
 * `claimscrub scrub` on one thread and on every core. Each is a fresh process, timed from spawn to
 * exit, with its peak RSS.
 */
import path from 'node:path';
import { CLI, FLOOR, WORK_DIR, checkOutput, fmtInt, fmtNum, fmtRatio, mb, measureNode, removeQuietly, say, table, warn, type ClaimFile, type ProcessMeasurement } from './util.js';

export interface ProcessRun extends ProcessMeasurement {
  name: string;
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
}

function scrubArgs(input: string, output: string, threads: number): string[] {
  return [CLI, 'scrub', input, '--format', 'ndjson', '--threads', String(threads), '--output', output, '--fail-on', 'never'];
}

function describeFailure(run: ProcessMeasurement): string {
  return `${run.command} exited with ${run.signal ?? run.exitCode}${run.stderr ? `: ${run.stderr.trim()}` : ''}`;
}

function finish(name: string, measured: ProcessMeasurement, claims: number, floorRate: number | null): ProcessRun {
  const claimsPerSecond = claims / measured.wallSeconds;
  const cpu = measured.userSeconds !== null && measured.systemSeconds !== null ? measured.userSeconds + measured.systemSeconds : null;
  return {
    ...measured,
    name,
    claimsPerSecond,
    ratioToFloor: floorRate ? claimsPerSecond / floorRate : null,
    coresBusy: cpu === null ? null : cpu / measured.wallSeconds,
  };
}

interface Config {
  name: string;
  threads: number | null;
}

/** Runs one configuration once: the floor (threads null) or a scrub, with its report checked. */
async function runOnce(config: Config, input: ClaimFile, floorRate: number | null, problems: string[]): Promise<ProcessRun> {
  const out = path.join(WORK_DIR, `out-${config.threads === null ? 'floor' : `scrub-t${config.threads}`}-${process.pid}-${Date.now()}.ndjson`);
  try {
    if (config.threads === null) {
      const measured = await measureNode([FLOOR, input.file, out], config.name);
      const run = finish(config.name, measured, input.count, null);
      if (measured.exitCode !== 0) problems.push(describeFailure(measured));
      else {
        const counted = JSON.parse(measured.stdout) as { claims: number };
        if (counted.claims !== input.count) problems.push(`the floor read ${counted.claims} claims, expected ${input.count}`);
      }
      return run;
    }
    const measured = await measureNode(scrubArgs(input.file, out, config.threads), config.name);
    const run = finish(config.name, measured, input.count, floorRate);
    if (measured.exitCode !== 0) problems.push(describeFailure(measured));
    try {
      const checked = await checkOutput(out);
      const expectedLines = input.count + 1;
      const summary = (checked.lastLine as { summary?: Record<string, unknown> } | undefined)?.summary;
      run.output = { lines: checked.lines, expectedLines, linesOk: checked.lines === expectedLines, bytes: checked.bytes, sha256: checked.sha256 };
      // The counts only: the full summary (edit and payer breakdowns) is in the report itself.
      if (summary) run.output.summary = Object.fromEntries(['claims', 'clean', 'warning', 'held', 'edits', 'cleanClaimRate'].map((key) => [key, summary[key]]));
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

/**
 * The floor, `scrub --threads 1` and `scrub --threads <cores>`, `repeat` rounds of the three in
 * turn (so a change in machine load hits all three alike); each is reported by its median run.
 */
export async function runProcesses(input: ClaimFile, cores: number, repeat: number): Promise<ProcessReport> {
  const problems: string[] = [];
  const configs: Config[] = [
    { name: 'floor (parse + stringify, 1 core)', threads: null },
    { name: 'scrub --threads 1', threads: 1 },
    { name: `scrub --threads ${cores}`, threads: cores },
  ];
  const all: ProcessRun[][] = configs.map(() => []);
  let scrubOutputsIdentical: boolean | null = null;
  const floorRuns = all[0] as ProcessRun[];
  const floorRateSoFar = () => {
    const ok = floorRuns.filter((run) => run.exitCode === 0);
    return ok.length > 0 ? medianRun(ok).claimsPerSecond : null;
  };
  for (let round = 0; round < repeat; round++) {
    const hashes: string[] = [];
    for (const [index, config] of configs.entries()) {
      const run = await runOnce(config, input, config.threads === null ? null : floorRateSoFar(), problems);
      all[index]!.push(run);
      if (run.output) hashes.push(run.output.sha256);
    }
    if (hashes.length === 2) scrubOutputsIdentical = (scrubOutputsIdentical ?? true) && hashes[0] === hashes[1];
  }
  const runs = all.map(medianRun);
  const floorRate = floorRateSoFar();
  for (const run of runs) run.ratioToFloor = floorRate ? run.claimsPerSecond / floorRate : null;
  if (scrubOutputsIdentical === false) problems.push(`the --threads 1 and --threads ${cores} reports differ (they should be byte-identical)`);

  say(`  input: ${input.file}`);
  say(`         ${fmtInt(input.count)} claims, seed ${input.seed}, ${mb(input.bytes)}${input.reused ? ' (reused)' : `, generated in ${fmtNum(input.generateSeconds)} s`}`);
  say(`  peak RSS from: ${runs[0]?.rssMethod === 'gnu-time' ? '/usr/bin/time -v' : 'getrusage() at exit (bench/rss-probe.js)'}; wall time from spawn to exit (includes node start-up and rule pack load)`);
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
  const summary = runs.find((run) => run.output?.summary)?.output?.summary;
  if (summary) say(`\n  scrub summary: ${['claims', 'clean', 'warning', 'held'].map((key) => `${key} ${fmtInt(Number(summary[key]))}`).join(', ')}`);
  if (scrubOutputsIdentical !== null) say(`  --threads 1 and --threads ${cores} reports byte-identical: ${scrubOutputsIdentical ? 'yes' : 'NO'}`);
  for (const problem of problems) warn(problem);
  return { input, cores, repeat, runs, allRuns: all, problems, scrubOutputsIdentical };
}

export interface RssReport {
  input: ClaimFile;
  run: ProcessRun;
  problems: string[];
}

/** Peak RSS on a big file: scrub on every core, report to /dev/null. */
export async function runRss(input: ClaimFile, cores: number): Promise<RssReport> {
  const measured = await measureNode(scrubArgs(input.file, '/dev/null', cores), `scrub --threads ${cores} (1M, /dev/null)`);
  const run = finish(`scrub --threads ${cores} --output /dev/null`, measured, input.count, null);
  const problems = measured.exitCode === 0 ? [] : [describeFailure(measured)];
  say(`  input: ${input.file}`);
  say(`         ${fmtInt(input.count)} claims, ${mb(input.bytes)}${input.reused ? ' (reused)' : `, generated in ${fmtNum(input.generateSeconds)} s`}`);
  say();
  say(
    table(
      ['run', 'wall s', 'claims/s', 'peak RSS', 'cores busy'],
      [[run.name, run.wallSeconds.toFixed(2), fmtInt(run.claimsPerSecond), mb(run.peakRssBytes), fmtNum(run.coresBusy)]],
    ),
  );
  for (const problem of problems) warn(problem);
  return { input, run, problems };
}
