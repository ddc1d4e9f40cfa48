import type { ScrubResult } from '../../model/result.js';
import type { FinalSummary } from '../summary.js';

/** What a report says about the run itself. */
export interface ReportContext {
  engine: { name: string; version: string };
  bundle: { hash: string };
  /** The version of the machine-readable report layout (the json envelope and ndjson lines). */
  schemaVersion: number;
  /** Input files, or parts of them, that yielded no claims, with the error code (ERROR_CODES) and message. */
  inputErrors: { file: string; code: string; message: string }[];
  /** The reference data releases loaded for the scrub, so that a re-scrub can be reproduced. */
  data?: DataReleaseInfo[];
  /** The submission date timely filing was measured to, YYYY-MM-DD (a re-scrub passes it as --submission-date). */
  submissionDate?: string;
  /** Whether claims were compared with the batch's other claims (duplicates, MUE day totals across claims). */
  batchChecks?: boolean;
}

export interface DataReleaseInfo {
  table: string;
  /** medicare | medicaid, for tables published per program. */
  program?: string;
  release: string;
  effective: string;
  /** The first date of service it no longer applies to, when a later release is installed. */
  until?: string;
  sourceFiles: { name: string; sha256: string }[];
}

export interface FormatOptions {
  /** Show only what blocks release: held claims and their error edits (stylish). */
  quiet?: boolean;
  /** Color with ANSI escape codes (stylish); the caller decides, e.g. from `isTTY` and NO_COLOR. */
  color?: boolean;
}

export interface ResultFormatOptions extends FormatOptions {
  /**
   * The 0-based position of this result in the output: its claim's position in input order over
   * all inputs (every claim yields exactly one result). The json formatter writes the separating
   * comma before every result but the first (index 0), which keeps formatting free of shared
   * state: a worker formatting claims `start..end` passes `start + i`.
   */
  index: number;
}

/**
 * A streaming report format. The output is `header(context)`, then `result(...)` for every
 * result in input order, then `footer(summary, context)`, concatenated as is. Every method is a
 * pure function of its arguments: no I/O, no clock, no state kept between calls, so results may
 * be formatted in any thread and in any order and the texts joined afterwards.
 */
export interface Formatter {
  header(context: ReportContext, options?: FormatOptions): string;
  /** The text for one result, or '' when the format does not show it. */
  result(result: ScrubResult, options: ResultFormatOptions): string;
  footer(summary: FinalSummary, context: ReportContext, options?: FormatOptions): string;
}
