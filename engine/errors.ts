/**
 * Every error claimscrub throws carries one of these codes. They are stable: pipelines and
 * tests match on them. Never reuse or rename one.
 */
export const ERROR_CODES = {
  SCRUB_ERR_RULE_INVALID:
    'A rule file is not valid: bad YAML or a refused YAML feature, a schema violation, a duplicate id, or something the engine does not know.',
  SCRUB_ERR_PAYER_INVALID: 'A payer policy file does not match the payer schema or names a rule that does not exist.',
  SCRUB_ERR_PAYER_AMBIGUOUS: 'Two payer policy files match the same claims with the same specificity.',
  SCRUB_ERR_INPUT_UNREADABLE: 'An input file is missing or cannot be read.',
  SCRUB_ERR_OUTPUT: 'The report could not be written (a full disk, or a reader that closed the pipe early).',
  SCRUB_ERR_USAGE: 'The command line is not valid.',
  SCRUB_ERR_DATA_INVALID:
    'A reference data file (an official table being imported, or a release in the data directory) does not match its layout: every malformed row is listed; nothing is imported.',
  SCRUB_ERR_DATA_CONFLICT:
    'A reference data release cannot be installed: a release of that name exists (use --force to replace it) or another release of the same kind takes effect on the same date.',
  SCRUB_ERR_DATA_WRITE: 'A reference data release could not be written to the data directory (permissions, a full disk).',
  SCRUB_ERR_PRACTICE_FILE_INVALID:
    'A practice file given to the scrub (--coverage, --authorizations, --enrolment) does not match its columns: every refused row is listed with file, line and column; nothing is scrubbed.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A position in a source file, 1-based, for messages that name file, line and column. */
export interface SourcePosition {
  file: string;
  line?: number;
  column?: number;
}

export class ScrubError extends Error {
  readonly code: ErrorCode;
  readonly position: SourcePosition | undefined;
  /** Every problem found, when one error reports several (schema validation collects them all). */
  readonly problems: readonly ScrubProblem[];

  constructor(code: ErrorCode, message: string, options: { position?: SourcePosition; problems?: ScrubProblem[]; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ScrubError';
    this.code = code;
    this.position = options.position;
    this.problems = options.problems ?? [];
  }
}

export interface ScrubProblem {
  position: SourcePosition;
  message: string;
}

export function formatPosition(position: SourcePosition): string {
  let text = position.file;
  if (position.line !== undefined) text += `:${position.line}`;
  if (position.line !== undefined && position.column !== undefined) text += `:${position.column}`;
  return text;
}
