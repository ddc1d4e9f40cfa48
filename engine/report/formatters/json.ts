import type { ScrubResult } from '../../model/result.js';
import type { FinalSummary } from '../summary.js';
import type { Formatter, ReportContext, ResultFormatOptions } from './types.js';

/**
 * One JSON document: `{ schemaVersion, engine, bundle, submissionDate, batchChecks, results, inputErrors, data, summary }`,
 * written in three parts so that 1M results are never held at once.
 *
 * - header: `{"schemaVersion":1,"engine":{...},"bundle":{...},"submissionDate":...,"batchChecks":...,"results":[`
 * - result: `\n{...}` for the result at index 0 and `,\n{...}` for every later one: the comma
 *   goes before a result, never after, so neither the header nor the footer needs to know how
 *   many results there are, and nothing is shared between the threads that format them.
 * - footer: `\n],"inputErrors":[...],"data":[...],"summary":{...}}` and a newline.
 *
 * Every result is written, whatever `quiet` says: the document is the complete record a
 * pipeline reads, and a skipped result would leave the commas wrong.
 */
export const jsonFormatter: Formatter = {
  header(context: ReportContext): string {
    const head = JSON.stringify({
      schemaVersion: context.schemaVersion,
      engine: { name: context.engine.name, version: context.engine.version },
      bundle: { hash: context.bundle.hash },
      submissionDate: context.submissionDate ?? null,
      batchChecks: context.batchChecks === true,
    });
    // Reopen the object: drop its closing brace and start the results array.
    return `${head.slice(0, -1)},"results":[`;
  },

  result(result: ScrubResult, options: ResultFormatOptions): string {
    return `${options.index === 0 ? '\n' : ',\n'}${JSON.stringify(result)}`;
  },

  footer(summary: FinalSummary, context: ReportContext): string {
    return `\n],"inputErrors":${JSON.stringify(inputErrorsOf(context))},"data":${JSON.stringify(context.data ?? [])},"summary":${JSON.stringify(summary)}}\n`;
  },
};

/** Only the documented fields of each input error, in a fixed order. */
export function inputErrorsOf(context: ReportContext): { file: string; code: string; message: string }[] {
  return context.inputErrors.map(({ file, code, message }) => ({ file, code, message }));
}
