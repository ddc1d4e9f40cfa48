import { createWriteStream } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { ScrubError, formatPosition } from '../errors.js';
import { LOG_LEVELS, createLogger } from '../log.js';
import { isFormatName, type FormatName } from '../report/index.js';
import { loadRulePack } from '../rules/pack.js';
import { STDIN, defaultThreads, runBatch } from '../runtime/batch.js';
import type { LevelWithSilent } from 'pino';
import { DEFAULT_DATA_DIR, loadReferenceDataForScrub } from '../data/store.js';
import { hasPracticeFiles, loadPracticeFiles, type PracticeData, type PracticeFiles } from '../data/practice/index.js';
import { BUNDLED_PAYERS_DIR, BUNDLED_RULES_DIR, ENGINE } from '../package-info.js';
import { isIsoDate, localToday } from '../model/dates.js';
import { EXIT } from './exit.js';

export { EXIT };

export const SCRUB_USAGE = `Usage: claimscrub scrub [options] [files...]

Scrubs professional claims (JSON, a JSON array, or NDJSON; standard input when no file is given)
and prints a report.

Options:
  --format stylish|json|ndjson   report format (default: stylish)
  --output FILE                  write the report to FILE instead of standard output
  --threads N                    worker threads (default: number of cores; 1 = no pool)
  --rules DIR                    rule directory (repeatable; default: the bundled rules)
  --payers DIR                   payer policy directory (default: the bundled payers, unless
                                 --rules is given)
  --data DIR                     reference data directory (default: data/ in the package;
                                 see claimscrub data status)
  --require-data                 hold claims whose checks found no installed reference data
                                 release for their dates (data-missing), instead of skipping
  --coverage FILE                the practice's coverage file (CSV: payerId, memberId, start,
                                 end): dates of service inside the member's coverage
  --authorizations FILE          the practice's authorizations file (CSV: number, payerId,
                                 memberId, procedureCodes, start, end, units, unitsUsed)
  --enrolment FILE               the practice's enrolment file (CSV: payerId, npi, start, end):
                                 performing providers enrolled with the payer (also --enrollment)
  --submission-date YYYY-MM-DD   the date the claims will be submitted, for timely filing
                                 (default: today); the report records it. 'none' skips
                                 timely filing (re-scrubbing claims filed long ago)
  --no-batch-checks              check each claim alone: no duplicate claims or lines across
                                 claims, MUE day totals from this claim only; reads the input
                                 once (default: claims are compared across the batch)
  --fail-on error|warning|never  exit 1 when a claim reaches this level (default: error)
  --quiet                        stylish: show held claims and their errors only
  --color / --no-color           stylish: force colors on or off (default: on for a terminal)
  --log-level LEVEL              ${LOG_LEVELS.join('|')} (default: warn); logs go to standard error
  -h, --help                     show this help

Exit status: 0 no claim reaches --fail-on; 1 some claim does; 2 usage, input file, rule file
or output errors (2 wins).`;

export interface CommandIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

class UsageError extends Error {}

interface ScrubArguments {
  inputs: string[];
  format: FormatName;
  output?: string;
  threads: number;
  rulesDirs: string[];
  payersDir: string | undefined;
  dataDir: string;
  requireData: boolean;
  /** undefined: timely filing is not checked (--submission-date none). */
  submissionDate: string | undefined;
  batchChecks: boolean;
  /** The practice files given (absolute paths: workers read them too). */
  practiceFiles: PracticeFiles;
  failOn: 'error' | 'warning' | 'never';
  quiet: boolean;
  color?: boolean;
  logLevel: LevelWithSilent;
  help: boolean;
}

function parseScrubArguments(args: string[]): ScrubArguments {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        format: { type: 'string', default: 'stylish' },
        output: { type: 'string', short: 'o' },
        threads: { type: 'string' },
        rules: { type: 'string', multiple: true },
        payers: { type: 'string' },
        data: { type: 'string' },
        'require-data': { type: 'boolean', default: false },
        coverage: { type: 'string' },
        authorizations: { type: 'string' },
        enrolment: { type: 'string' },
        enrollment: { type: 'string' },
        'no-batch-checks': { type: 'boolean', default: false },
        'fail-on': { type: 'string', default: 'error' },
        quiet: { type: 'boolean', default: false },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        'log-level': { type: 'string', default: 'warn' },
        'submission-date': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const format = values.format as string;
  if (!isFormatName(format)) throw new UsageError(`--format must be stylish, json or ndjson, not "${format}"`);
  const failOn = values['fail-on'] as string;
  if (failOn !== 'error' && failOn !== 'warning' && failOn !== 'never') throw new UsageError(`--fail-on must be error, warning or never, not "${failOn}"`);
  const logLevel = values['log-level'] as string;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  let threads = defaultThreads();
  if (values.threads !== undefined) {
    threads = Number(values.threads);
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new UsageError(`--threads must be a whole number from 1 to 256, not "${values.threads}"`);
  }
  const submissionOption = (values['submission-date'] as string | undefined) ?? localToday();
  const submissionDate = submissionOption === 'none' ? undefined : submissionOption;
  if (submissionDate !== undefined && !isIsoDate(submissionDate)) {
    throw new UsageError(`--submission-date must be a real date written YYYY-MM-DD, or none, not "${submissionDate}"`);
  }
  const result: ScrubArguments = {
    inputs: positionals.length > 0 ? positionals : [STDIN],
    format,
    threads,
    rulesDirs: (values.rules as string[] | undefined) ?? [BUNDLED_RULES_DIR],
    // The bundled payer policies configure the bundled rules: with your own --rules, no payer
    // policies unless --payers names some.
    payersDir: (values.payers as string | undefined) ?? (values.rules === undefined ? BUNDLED_PAYERS_DIR : undefined),
    dataDir: (values.data as string | undefined) ?? DEFAULT_DATA_DIR,
    requireData: values['require-data'] as boolean,
    submissionDate,
    batchChecks: values['no-batch-checks'] !== true,
    practiceFiles: practiceFilesOf(values),
    failOn,
    quiet: values.quiet as boolean,
    logLevel: logLevel as LevelWithSilent,
    help: values.help as boolean,
  };
  if (values.output !== undefined) result.output = values.output as string;
  if (values['no-color']) result.color = false;
  else if (values.color) result.color = true;
  return result;
}

function practiceFilesOf(values: Record<string, unknown>): PracticeFiles {
  if (values.enrolment !== undefined && values.enrollment !== undefined) throw new UsageError('give the enrolment file once: --enrolment and --enrollment are the same option');
  const files: { -readonly [K in keyof PracticeFiles]: string } = {};
  const named = { coverage: values.coverage, authorizations: values.authorizations, enrolment: values.enrolment ?? values.enrollment };
  for (const [kind, file] of Object.entries(named) as [keyof PracticeFiles, unknown][]) {
    if (typeof file === 'string') files[kind] = path.resolve(file);
  }
  return files;
}

function useColor(args: ScrubArguments, io: CommandIo): boolean {
  if (args.color !== undefined) return args.color;
  if (args.output !== undefined || args.format !== 'stylish') return false;
  return Boolean(io.stdout.isTTY) && io.env.NO_COLOR === undefined;
}

async function closeStream(stream: Writable): Promise<void> {
  await new Promise<void>((resolve, reject) => stream.end((error?: Error | null) => (error ? reject(error) : resolve())));
}

export async function scrubCommand(argv: string[], io: CommandIo): Promise<number> {
  let args: ScrubArguments;
  try {
    args = parseScrubArguments(argv);
  } catch (error) {
    io.stderr.write(`claimscrub scrub: ${(error as Error).message} [SCRUB_ERR_USAGE]\n\n${SCRUB_USAGE}\n`);
    return EXIT.error;
  }
  if (args.help) {
    io.stdout.write(`${SCRUB_USAGE}\n`);
    return EXIT.ok;
  }
  const logger = createLogger(args.logLevel);
  let pack;
  let data;
  try {
    pack = await loadRulePack(args.payersDir === undefined ? { rulesDirs: args.rulesDirs } : { rulesDirs: args.rulesDirs, payersDir: args.payersDir });
    data = await loadReferenceDataForScrub(args.dataDir);
  } catch (error) {
    if (!(error instanceof ScrubError)) throw error;
    io.stderr.write(describeScrubError(error));
    logger.error({ code: error.code, problems: error.problems.length }, 'rule pack or reference data refused');
    return EXIT.error;
  }
  logger.info({ rules: pack.rules.length, payerPolicies: pack.policies.length, bundle: pack.hash }, 'rule pack loaded');
  let practice: { files: PracticeFiles; loaded: PracticeData } | undefined;
  if (hasPracticeFiles(args.practiceFiles)) {
    try {
      const { data: loaded, counts } = await loadPracticeFiles(args.practiceFiles);
      practice = { files: args.practiceFiles, loaded };
      // Counts only: the files hold member ids.
      logger.info({ practiceFiles: counts.map(({ kind, rows }) => ({ kind, rows })) }, 'practice files loaded');
    } catch (error) {
      if (!(error instanceof ScrubError)) throw error;
      io.stderr.write(describeScrubError(error));
      logger.error({ code: error.code, problems: error.problems.length }, 'practice files refused');
      return EXIT.error;
    }
  }

  const output = args.output === undefined ? io.stdout : createWriteStream(args.output);
  let outcome;
  try {
    outcome = await runBatch({
      inputs: args.inputs,
      pack,
      format: args.format,
      formatOptions: { quiet: args.quiet, color: useColor(args, io) },
      output,
      threads: args.threads,
      engine: ENGINE,
      logger,
      data: { dir: args.dataDir, loaded: data },
      requireData: args.requireData,
      batchChecks: args.batchChecks,
      ...(practice === undefined ? {} : { practice }),
      ...(args.submissionDate === undefined ? {} : { submissionDate: args.submissionDate }),
    });
  } catch (error) {
    if (!(error instanceof ScrubError)) throw error;
    io.stderr.write(describeScrubError(error));
    return EXIT.error;
  }
  if (output !== io.stdout) await closeStream(output);
  for (const inputError of outcome.inputErrors) {
    io.stderr.write(`claimscrub scrub: ${inputError.file}: ${inputError.message} [${inputError.code}]\n`);
  }
  if (outcome.inputErrors.length > 0) return EXIT.error;
  const { held, warning } = outcome.summary;
  const failing = args.failOn === 'never' ? 0 : args.failOn === 'warning' ? held + warning : held;
  return failing > 0 ? EXIT.claimsFailed : EXIT.ok;
}

export function describeScrubError(error: ScrubError): string {
  const lines = [`claimscrub: ${error.message} [${error.code}]`];
  for (const problem of error.problems) lines.push(`  ${formatPosition(problem.position)}: ${problem.message}`);
  return `${lines.join('\n')}\n`;
}
