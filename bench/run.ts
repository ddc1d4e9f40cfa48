/**
 * claimscrub benchmark: `npm run bench [-- --quick] [-- --claims N] [-- --rss]`.
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
import { runProcesses, runRss, type ProcessReport, type RssReport } from './process-runs.js';
import { runRuleEval, type RuleEvalReport } from './rule-eval.js';
import { OUT_DIR, PACKAGE_ROOT, WORK_DIR, claimFile, effectiveCores, fmtNum, fmtRatio, hasGnuTime, heading, mb, say, table, warn } from './util.js';

const TARGETS = {
  ruleSpeedup: 300,
  scrubVsFloor: 0.8,
  peakRssBytes: 500e6,
};

const RSS_CLAIMS = 1_000_000;

const USAGE = `Usage: npm run bench -- [options]

  --claims N         claims in the generated file for the whole-process runs (default 200000)
  --quick            20,000 claims and short tinybench runs: a fast check
  --rss              also scrub 1,000,000 claims for peak RSS (takes minutes)
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
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return null;
  const quick = values.quick === true;
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, not "${values.seed}"`);
  return {
    quick,
    claims: positiveInteger('--claims', values.claims, quick ? 20_000 : 200_000),
    rss: values.rss === true,
    ruleClaims: positiveInteger('--rule-claims', values['rule-claims'], 2000),
    seed,
    repeat: positiveInteger('--repeat', values.repeat, 1),
    skipMicro: values['skip-micro'] === true,
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
    processes?: ProcessReport;
    ruleEvaluation?: RuleEvalReport;
    rss?: RssReport;
    targets: TargetRow[];
    totalSeconds: number;
  } = { options: opts, environment, targets: [], totalSeconds: 0 };

  if (!opts.skipMicro) {
    heading('1. Micro benchmarks (tinybench, one claim, in process)');
    report.micro = await runMicro({ quick: opts.quick });
  }

  heading(`2. Whole process, ${opts.claims.toLocaleString('en-US')} claims (NDJSON in, NDJSON out)`);
  const input = await claimFile(opts.claims, opts.seed);
  report.processes = await runProcesses(input, cores, opts.repeat);

  heading(`3. Rule evaluation alone: compiled vs json-rules-engine, first ${opts.ruleClaims.toLocaleString('en-US')} claims`);
  report.ruleEvaluation = await runRuleEval(input.file, opts.ruleClaims, opts.quick);

  if (opts.rss) {
    heading(`4. Peak RSS, ${RSS_CLAIMS.toLocaleString('en-US')} claims, --threads ${cores}, report to /dev/null`);
    const big = await claimFile(RSS_CLAIMS, opts.seed);
    report.rss = await runRss(big, cores);
  }

  // Targets
  const rule = report.ruleEvaluation;
  const floor = report.processes.runs[0];
  const allCores = report.processes.runs[report.processes.runs.length - 1];
  const targets: TargetRow[] = [
    {
      target: `rule evaluation >= ${TARGETS.ruleSpeedup}x json-rules-engine`,
      measured: `${fmtRatio(rule.speedup)}${rule.firedTotalsAgree ? '' : ' (RESULTS DISAGREE)'}`,
      verdict: rule.speedup >= TARGETS.ruleSpeedup && rule.firedTotalsAgree ? 'PASS' : 'MISS',
    },
    {
      target: `scrub on ${cores} cores >= ${TARGETS.scrubVsFloor}x floor claims/s`,
      measured:
        floor && allCores && allCores.ratioToFloor !== null
          ? `${fmtRatio(allCores.ratioToFloor)} (${fmtNum(allCores.claimsPerSecond)} vs ${fmtNum(floor.claimsPerSecond)} claims/s)`
          : 'n/a',
      verdict:
        allCores?.ratioToFloor === null || allCores?.ratioToFloor === undefined
          ? 'n/a'
          : allCores.ratioToFloor >= TARGETS.scrubVsFloor && allCores.exitCode === 0
            ? 'PASS'
            : 'MISS',
    },
    report.rss
      ? {
          target: `peak RSS <= ${mb(TARGETS.peakRssBytes)} (1M claims, ${cores} threads)`,
          measured: `${mb(report.rss.run.peakRssBytes)} (${fmtNum(report.rss.run.claimsPerSecond)} claims/s)`,
          verdict: report.rss.run.peakRssBytes !== null && report.rss.run.peakRssBytes <= TARGETS.peakRssBytes && report.rss.run.exitCode === 0 ? 'PASS' : 'MISS',
        }
      : { target: `peak RSS <= ${mb(TARGETS.peakRssBytes)} (1M claims)`, measured: 'not run (add --rss)', verdict: 'n/a' },
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

  const crashed = [...report.processes.runs, ...(report.rss ? [report.rss.run] : [])].filter((run) => run.exitCode !== 0);
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
