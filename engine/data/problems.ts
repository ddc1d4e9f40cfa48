import { ScrubError, formatPosition, type ErrorCode, type ScrubProblem } from '../errors.js';

/** A problem at a known place in a file (1-based line and column): every malformed row of a source file. */
export interface RowProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export function rowProblemToScrub(problem: RowProblem): ScrubProblem {
  return { position: { file: problem.file, line: problem.line, column: problem.column }, message: problem.message };
}

/** A problem in a file, placed at its line (and column) when known. */
export function scrubProblem(file: string, message: string, line?: number, column?: number): ScrubProblem {
  const position: ScrubProblem['position'] = { file };
  if (line !== undefined) position.line = line;
  if (line !== undefined && column !== undefined) position.column = column;
  return { position, message };
}

/** `file:line:column: message` (line and column when known), the form the CLI prints. */
export function formatProblem(problem: ScrubProblem): string {
  return `${formatPosition(problem.position)}: ${problem.message}`;
}

export function dataError(code: ErrorCode, message: string, problems: readonly ScrubProblem[] = [], cause?: unknown): ScrubError {
  return new ScrubError(code, message, { problems: [...problems], ...(cause === undefined ? {} : { cause }) });
}

/** The problems a ScrubError carries, or one problem naming `file` with the error's message. */
export function problemsOf(error: ScrubError, file: string): ScrubProblem[] {
  return error.problems.length > 0 ? [...error.problems] : [scrubProblem(file, error.message)];
}

/** A source file that cannot be read (missing, a directory, no permission): SCRUB_ERR_INPUT_UNREADABLE naming it. */
export function unreadableSource(file: string, what: string, error: unknown): ScrubError {
  if (error instanceof ScrubError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  return new ScrubError('SCRUB_ERR_INPUT_UNREADABLE', `${file}: cannot read the ${what}${code === undefined ? `: ${(error as Error).message}` : ` (${code})`}`, {
    position: { file },
    cause: error,
  });
}
