import type { ScrubResult } from '../../model/result.js';
import type { FinalSummary } from '../summary.js';
import { inputErrorsOf } from './json.js';
import type { Formatter, ReportContext } from './types.js';

/**
 * One JSON object per line: every result (`JSON.stringify(result)`), whatever `quiet` says,
 * then one last line `{"summary":{...},"inputErrors":[...]}`. A reader tells the last line by its
 * `summary` key: results never have one. No header.
 */
export const ndjsonFormatter: Formatter = {
  header(): string {
    return '';
  },

  result(result: ScrubResult): string {
    return `${JSON.stringify(result)}\n`;
  },

  footer(summary: FinalSummary, context: ReportContext): string {
    return `${JSON.stringify({ summary, inputErrors: inputErrorsOf(context), data: context.data ?? [], submissionDate: context.submissionDate ?? null, batchChecks: context.batchChecks === true })}\n`;
  },
};
