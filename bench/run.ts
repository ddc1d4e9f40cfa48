/**
 * claimscrub benchmark: `npm run bench [-- --quick] [-- --claims N] [-- --rss] [-- --skip-data]`.
 *
 * Prints a report and writes every number to bench/out/last-run.json. Timings are printed, never
 * asserted: the targets at the end are marked PASS or MISS for information, and the exit code is
 * 0 unless something crashed. See bench/README.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { ENGINE } from '../engine/package-info.js';
import { runMicro, type MicroReport } from './micro.js';
import { ICD_SUBMISSION_DATE, DEFAULT_ICD10CM_DIR, claimFileInIcdDates, removeReferenceData, runColdLoad, setupReferenceData, type ColdLoadReport, type DataSetup } from './data-setup.js';
import { emptyDataDir, runProcesses, runRss, runStartup, type DataRunOptions, type ProcessReport, type RssReport, type StartupReport } from './process-runs.js';
import { runRuleEval, type RuleEvalReport } from './rule-eval.js';
import { OUT_DIR, PACKAGE_ROOT, WORK_DIR, claimFile, effectiveCores, fmtInt, fmtNum, fmtRatio, hasGnuTime, heading, mb, say, table, warn } from './util.js';

const TARGETS = {
  ruleSpeedup: 300,
  scrubVsFloor: 0.8,
  peakRssBytes: 500e6,
  /** loadReferenceData of PTP 2M rows + ICD-10-CM, in a fresh process. */
  coldLoadMs: 1500,
  /** 1M claims, all cores, with the reference data loaded. */
  peakRssWithDataBytes: 700e6,
};

const RSS_CLAIMS = 1_000_000;
/** The synthetic NCCI PTP table: the real practitioner table's size, and the --quick size. */
const PTP_ROWS = 2_000_000;
const QUICK_PTP_ROWS = 200_000;
/** Fresh processes timing loadReferenceData of the whole data directory. */
const COLD_LOAD_ROUNDS = 3;

const USAGE = `Usage: npm run bench -- [options]

  --claims N         claims in the generated file for the whole-process runs (default 200000)
  --quick            50,000 claims, a 200,000-row PTP table and short tinybench runs: a fast check
  --rss              also scrub 1,000,000 claims for peak RSS, without and with data (takes minutes)
  --skip-data        leave out the reference data (imports, cold load, --data runs)
  --ptp-rows N       rows of the synthetic NCCI PTP table (default 2000000)
  --icd10cm-dir DIR  where the real ICD-10-CM order file and tabular XML are
                     (default ../shared/data/icd10cm; skipped when absent)
  --keep-data        keep the temporary data directory (its path is printed)
  --rule-claims N    claims for compiled vs json-rules-engine (default 2000)
  --seed S           generator seed (default 1)
  --repeat N         rounds of the whole-process runs, each reported by its median (default 1)
  --skip-micro       leave out the micro benchmarks
  -h, --help         this help`;

interface Options {
  claims: number;
  quick: boolean;
  rss: boolean;
  ruleClaims: number;
  seed: number;
  repeat: number;
  skipMicro: boolean;
  skipData: boolean;
  ptpRows: number;
  icd10cmDir: string;
  keepData: boolean;
}

function positiveInteger(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a whole number >= 1, not "${text}"`);
  return value;
}

function options(argv: string[]): Options | null {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      claims: { type: 'string' },
      quick: { type: 'boolean', default: false },
      rss: { type: 'boolean', default: false },
      'rule-claims': { type: 'string' },
      seed: { type: 'string' },
      repeat: { type: 'string' },
      'skip-micro': { type: 'boolean', default: false },
      'skip-data': { type: 'boolean', default: false },
      'ptp-rows': { type: 'string' },
      'icd10cm-dir': { type: 'string' },
      'keep-data': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  const quick = values.quick === true;
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, not "${values.seed}"`);
  return {
    quick,
    claims: positiveInteger('--claims', values.claims, quick ? 50_000 : 200_000),
    rss: values.rss === true,
    ruleClaims: positiveInteger('--rule-claims', values['rule-claims'], 2000),
    seed,
    repeat: positiveInteger('--repeat', values.repeat, 1),
    skipMicro: values['skip-micro'] === true,
    skipData: values['skip-data'] === true,
    ptpRows: positiveInteger('--ptp-rows', values['ptp-rows'], quick ? QUICK_PTP_ROWS : PTP_ROWS),
    icd10cmDir: path.resolve(values['icd10cm-dir'] ?? DEFAULT_ICD10CM_DIR),
    keepData: values['keep-data'] === true,
  };
}

function gitCommit(): string | null {
  const result = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  if (result.status !== 0) return null;
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  return `${result.stdout.trim()}${dirty.stdout.trim() !== '' ? ' (modified)' : ''}`;
}

/** Says so when the machine does not give this process its cores: multi-thread numbers are then capped. */
function contentionNote(got: number, cores: number): void {
  if (cores > 1 && got < cores * 0.85) {
    say(`  note: the machine is busy (${got.toFixed(2)} of ${cores} cores free); --threads ${cores} cannot show its scaling, compare it with caution`);
  }
}

type Verdict = 'PASS' | 'MISS' | 'n/a';

interface TargetRow {
  target: string;
  measured: string;
  verdict: Verdict;
  note?: string;
}

async function main(): Promise<number> {
  let opts: Options | null;
  try {
    opts = options(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (!opts) {
    say(USAGE);
    return 0;
  }
  const cores = availableParallelism();
  const started = performance.now();
  const environment = {
    date: new Date().toISOString(),
    engine: ENGINE,
    commit: gitCommit(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores,
    memoryBytes: totalmem(),
    loadAverageAtStart: loadavg(),
    loadAverageAtEnd: [] as number[],
    /** CPU seconds per wall second that `cores` spinning threads got, before the whole-process runs and at the end. */
    effectiveCoresAtStart: 0,
    effectiveCoresAtEnd: 0,
    peakRssMethod: hasGnuTime() ? 'gnu-time' : 'rusage-probe',
  };
  say(`claimscrub ${ENGINE.version} benchmark${opts.quick ? ' (--quick)' : ''}  ${environment.date}`);
  say(`node ${process.version}, ${environment.cpu}, ${cores} cores, ${(environment.memoryBytes / 2 ** 30).toFixed(0)} GiB, commit ${environment.commit ?? 'n/a'}`);
  environment.effectiveCoresAtStart = await effectiveCores(cores, 800);
  say(`load average at start: ${environment.loadAverageAtStart.map((value) => value.toFixed(2)).join(' ')}; ${cores} spinning threads got ${environment.effectiveCoresAtStart.toFixed(2)} cores`);
  contentionNote(environment.effectiveCoresAtStart, cores);

  const report: {
    options: Options;
    environment: typeof environment;
    micro?: MicroReport;
    data?: { setup: DataSetup; coldLoad: ColdLoadReport };
    processes?: ProcessReport;
    startup?: StartupReport & { claimsPerSecondExcludingStartup: { withoutData: number | null; withData: number | null } };
    ruleEvaluation?: RuleEvalReport;
    rss?: RssReport;
    targets: TargetRow[];
    totalSeconds: number;
  } = { options: opts, environment, targets: [], totalSeconds: 0 };

  if (!opts.skipMicro) {
    heading('1. Micro benchmarks (tinybench, one claim, in process)');
    report.micro = await runMicro({ quick: opts.quick });
  }

  const noDataDir = emptyDataDir();
  let setup: DataSetup | undefined;
  try {
    if (opts.skipData) {
      heading('2. Reference data: skipped (--skip-data)');
    } else {
      heading(`2a. Reference data: imports into a temporary data directory (importRelease, in process)`);
      setup = await setupReferenceData({ ptpRows: opts.ptpRows, seed: opts.seed, icd10cmDir: opts.icd10cmDir });
      heading(`2b. Reference data: cold load in fresh processes (loadReferenceData)`);
      const coldLoad = await runColdLoad(setup, COLD_LOAD_ROUNDS);
      report.data = { setup, coldLoad };
    }

    heading(`3. Whole process, ${opts.claims.toLocaleString('en-US')} claims (NDJSON in, NDJSON out)${setup ? ', without and with reference data' : ''}`);
    const input = await claimFile(opts.claims, opts.seed);
    let dataRuns: DataRunOptions | undefined;
    if (setup) {
      dataRuns = { dir: setup.dir };
      if (setup.icd10cm) {
        const moved = await claimFileInIcdDates(input);
        dataRuns.icd = { input: moved, submissionDate: ICD_SUBMISSION_DATE, shiftDays: moved.shiftDays };
      }
    }
    report.processes = await runProcesses(input, cores, opts.repeat, noDataDir, dataRuns);
    if (setup) {
      const startup = await runStartup(input, cores, noDataDir, setup.dir);
      const processes = report.processes;
      const net = (key: string, fixed: number): number | null => {
        const run = processes.runs.find((r) => r.key === key);
        return run && Number.isFinite(fixed) && run.wallSeconds > fixed ? input.count / (run.wallSeconds - fixed) : null;
      };
      const claimsPerSecondExcludingStartup = { withoutData: net('tN', startup.withoutDataSeconds), withData: net('tN-data', startup.withDataSeconds) };
      report.startup = { ...startup, claimsPerSecondExcludingStartup };
      say(
        `  --threads ${cores} claims/s without the fixed cost (wall minus it): ${fmtNum(claimsPerSecondExcludingStartup.withData)} with data vs ${fmtNum(claimsPerSecondExcludingStartup.withoutData)} without`,
      );
    }

    heading(`4. Rule evaluation alone: compiled vs json-rules-engine, first ${opts.ruleClaims.toLocaleString('en-US')} claims`);
    report.ruleEvaluation = await runRuleEval(input.file, opts.ruleClaims, opts.quick);

    if (opts.rss) {
      heading(`5. Peak RSS, ${RSS_CLAIMS.toLocaleString('en-US')} claims, --threads ${cores}, report to /dev/null${setup ? ', without and with reference data' : ''}`);
      const big = await claimFile(RSS_CLAIMS, opts.seed);
      report.rss = await runRss(big, cores, noDataDir, setup?.dir);
    }
  } finally {
    if (setup && !opts.keepData) removeReferenceData(setup);
  }
  if (setup && opts.keepData) say(`\n  reference data kept in ${setup.dir} (--keep-data)`);

  // Targets
  const rule = report.ruleEvaluation;
  const processes = report.processes;
  if (!rule || !processes) throw new Error('the whole-process and rule evaluation sections did not run');
  const runOf = (key: string) => processes.runs.find((run) => run.key === key);
  const floor = runOf('floor');
  const allCores = runOf('tN');
  const allCoresData = runOf('tN-data');
  const vsFloor = (run: typeof allCores): Pick<TargetRow, 'measured' | 'verdict'> => ({
    measured:
      floor && run && run.ratioToFloor !== null ? `${fmtRatio(run.ratioToFloor)} (${fmtNum(run.claimsPerSecond)} vs ${fmtNum(floor.claimsPerSecond)} claims/s)` : 'n/a',
    verdict: run?.ratioToFloor === null || run?.ratioToFloor === undefined ? 'n/a' : run.ratioToFloor >= TARGETS.scrubVsFloor && run.exitCode === 0 ? 'PASS' : 'MISS',
  });
  const data = report.data;
  const coldLoadTarget: TargetRow = data
    ? {
        target: `cold load < ${fmtNum(TARGETS.coldLoadMs / 1000)} s: PTP ${fmtInt(data.setup.ptpRows)} rows${data.setup.icd10cm ? ' + ICD-10-CM' : ' (no ICD-10-CM)'}${data.setup.ptpRows < PTP_ROWS ? ' (not the target size)' : ''}`,
        measured: Number.isFinite(data.coldLoad.medianMs) ? `${fmtInt(data.coldLoad.medianMs)} ms (median of ${data.coldLoad.whole.length})` : 'failed',
        verdict: Number.isFinite(data.coldLoad.medianMs) && data.coldLoad.problems.length === 0 && data.coldLoad.medianMs < TARGETS.coldLoadMs ? 'PASS' : 'MISS',
      }
    : { target: `cold load < ${fmtNum(TARGETS.coldLoadMs / 1000)} s (PTP 2M + ICD-10-CM)`, measured: 'not run (--skip-data)', verdict: 'n/a' };
  const rssData = report.rss?.dataRun;
  const targets: TargetRow[] = [
    {
      target: `rule evaluation >= ${TARGETS.ruleSpeedup}x json-rules-engine`,
      measured: `${fmtRatio(rule.speedup)}${rule.firedTotalsAgree ? '' : ' (RESULTS DISAGREE)'}`,
      verdict: rule.speedup >= TARGETS.ruleSpeedup && rule.firedTotalsAgree ? 'PASS' : 'MISS',
    },
    { target: `scrub on ${cores} cores >= ${TARGETS.scrubVsFloor}x floor claims/s`, ...vsFloor(allCores) },
    allCoresData
      ? { target: `scrub on ${cores} cores with --data >= ${TARGETS.scrubVsFloor}x floor claims/s`, ...vsFloor(allCoresData) }
      : { target: `scrub on ${cores} cores with --data >= ${TARGETS.scrubVsFloor}x floor claims/s`, measured: 'not run (--skip-data)', verdict: 'n/a' },
    coldLoadTarget,
    report.rss
      ? {
          target: `peak RSS <= ${mb(TARGETS.peakRssBytes)} (1M claims, ${cores} threads)`,
          measured: `${mb(report.rss.run.peakRssBytes)} (${fmtNum(report.rss.run.claimsPerSecond)} claims/s)`,
          verdict: report.rss.run.peakRssBytes !== null && report.rss.run.peakRssBytes <= TARGETS.peakRssBytes && report.rss.run.exitCode === 0 ? 'PASS' : 'MISS',
        }
      : { target: `peak RSS <= ${mb(TARGETS.peakRssBytes)} (1M claims)`, measured: 'not run (add --rss)', verdict: 'n/a' },
    rssData
      ? {
          target: `peak RSS with --data < ${mb(TARGETS.peakRssWithDataBytes)} (1M claims, ${cores} threads)`,
          measured: `${mb(rssData.peakRssBytes)} (${fmtNum(rssData.claimsPerSecond)} claims/s)`,
          verdict: rssData.peakRssBytes !== null && rssData.peakRssBytes < TARGETS.peakRssWithDataBytes && rssData.exitCode === 0 ? 'PASS' : 'MISS',
        }
      : { target: `peak RSS with --data < ${mb(TARGETS.peakRssWithDataBytes)} (1M claims)`, measured: report.rss ? 'not run (--skip-data)' : 'not run (add --rss)', verdict: 'n/a' },
  ];
  report.targets = targets;
  environment.loadAverageAtEnd = loadavg();
  environment.effectiveCoresAtEnd = await effectiveCores(cores, 800);
  report.totalSeconds = (performance.now() - started) / 1000;

  heading('Targets (informational: timings are never asserted)');
  say(table(['target', 'measured', 'verdict'], targets.map((row) => [row.target, row.measured, row.verdict])));
  say();
  say(
    `  load average at end: ${environment.loadAverageAtEnd.map((value) => value.toFixed(2)).join(' ')}; ${cores} spinning threads got ${environment.effectiveCoresAtEnd.toFixed(2)} cores; total ${fmtNum(report.totalSeconds)} s`,
  );
  contentionNote(Math.min(environment.effectiveCoresAtStart, environment.effectiveCoresAtEnd), cores);

  mkdirSync(OUT_DIR, { recursive: true });
  const outFile = path.join(OUT_DIR, 'last-run.json');
  writeFileSync(outFile, `${JSON.stringify(report, null, 2)}\n`);
  say(`  all numbers: ${path.relative(process.cwd(), outFile) || outFile}; generated inputs kept in ${WORK_DIR}`);

  const crashed = [...processes.allRuns.flat(), ...(report.rss ? [report.rss.run, ...(report.rss.dataRun ? [report.rss.dataRun] : [])] : [])].filter((run) => run.exitCode !== 0);
  if (data && (data.coldLoad.problems.length > 0 || data.coldLoad.whole.length < COLD_LOAD_ROUNDS)) {
    warn('the cold load of the reference data failed or found problems');
    return 1;
  }
  if (crashed.length > 0) {
    warn(`${crashed.length} process(es) crashed`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
