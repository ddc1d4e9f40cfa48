import type { Category, Severity } from './result.js';

/**
 * Edits that come from no rule. Their codes are permanent, like rule ids: never reuse or rename
 * one. Each says what is wrong and what to do, like a rule does.
 */
export interface BuiltInEdit {
  code: string;
  category: Category;
  severity: Severity;
  help: string;
  carc?: string;
}

function builtIn(code: string, severity: Severity, help: string, carc?: string): BuiltInEdit {
  return { code, category: 'structure', severity, help, ...(carc ? { carc } : {}) };
}

export const EDIT_CODES = {
  malformedJson: builtIn(
    'malformed-json',
    'error',
    'The claim text is not valid JSON, so nothing in it could be checked. Fix the export that wrote it and scrub it again.',
    '16',
  ),
  notAnObject: builtIn(
    'claim-not-an-object',
    'error',
    'Each claim must be a JSON object. Check that the file holds claims (one object, an array of objects, or one object per line).',
    '16',
  ),
  missingField: builtIn(
    'missing-field',
    'error',
    'The payer needs this field to process the claim. Add it in the billing system and re-export the claim.',
    '16',
  ),
  wrongType: builtIn(
    'wrong-type',
    'error',
    'The field has the wrong kind of value (for example text where a number belongs). Correct it in the billing system.',
    '16',
  ),
  invalidValue: builtIn(
    'invalid-value',
    'error',
    'The value is not one the claim format allows. Correct it in the billing system.',
    '16',
  ),
  tooManyItems: builtIn(
    'too-many-items',
    'error',
    'The claim format limits how many of these a claim may carry (12 diagnoses, 50 lines, 4 modifiers, 4 pointers). Split the claim or remove the extra entries.',
    '16',
  ),
  unknownField: builtIn(
    'unknown-field',
    'warning',
    'The field is not part of the claim model, so no rule reads it. Check its spelling; a misspelt field means the real one is missing.',
  ),
  dataMissing: builtIn(
    'data-missing',
    'error',
    'No installed release of a reference table covers this claim\'s dates of service, so some checks could not run, and --require-data asks that such claims be held. Install the release for these dates (claimscrub data import) and scrub again.',
  ),
  ruleFailed: builtIn(
    'rule-failed',
    'error',
    'A rule could not be evaluated on this claim. This is a defect in the rule or the engine: report it with the rule id. The claim is held so it is not released unchecked.',
  ),
} as const satisfies Record<string, BuiltInEdit>;
