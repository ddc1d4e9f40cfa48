/**
 * Reports: the batch summary and the streaming output formats.
 *
 * Workers call `formatters[name].result(...)` and `addToSummary(...)` per claim; the main thread
 * writes `header`, the workers' texts in input order, and `footer` over the merged, finalized
 * summary.
 */
import { jsonFormatter } from './formatters/json.js';
import { ndjsonFormatter } from './formatters/ndjson.js';
import { stylishFormatter } from './formatters/stylish.js';
import type { Formatter } from './formatters/types.js';

export type { DataReleaseInfo, FormatOptions, Formatter, ReportContext, ResultFormatOptions } from './formatters/types.js';
export {
  BASE_POLICY_KEY,
  UNKNOWN_KEY,
  addToSummary,
  emptySummary,
  finalizeSummary,
  mergeSummaries,
  type AmountEntry,
  type BreakdownEntry,
  type CodeBreakdownEntry,
  type Counts,
  type FinalSummary,
  type Summary,
} from './summary.js';

export type FormatName = 'stylish' | 'json' | 'ndjson';

export const formatters: Readonly<Record<FormatName, Formatter>> = Object.freeze({
  stylish: stylishFormatter,
  json: jsonFormatter,
  ndjson: ndjsonFormatter,
});

/** True when `name` is a known format (for command-line parsing). */
export function isFormatName(name: string): name is FormatName {
  return Object.hasOwn(formatters, name);
}
