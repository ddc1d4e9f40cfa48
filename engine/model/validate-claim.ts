import type { ErrorObject, ValidateFunction } from 'ajv';
import { createAjv } from './ajv.js';
import claimSchema from './claim.schema.json' with { type: 'json' };
import { EDIT_CODES, type BuiltInEdit } from './edit-codes.js';
import type { Edit } from './result.js';
import { describeSchemaError, errorFieldPath } from './schema-errors.js';

let compiled: ValidateFunction | undefined;

/** The claim validator, compiled once per thread. allErrors: a claim gets every issue at once. */
function claimValidator(): ValidateFunction {
  if (!compiled) {
    compiled = createAjv().compile(claimSchema);
  }
  return compiled;
}

function builtInFor(error: ErrorObject): BuiltInEdit {
  switch (error.keyword) {
    case 'required':
      return EDIT_CODES.missingField;
    case 'minItems':
      return (error.params as { limit: number }).limit === 1 ? EDIT_CODES.missingField : EDIT_CODES.invalidValue;
    case 'type':
      return EDIT_CODES.wrongType;
    case 'additionalProperties':
      return EDIT_CODES.unknownField;
    case 'maxItems':
      return EDIT_CODES.tooManyItems;
    default:
      return EDIT_CODES.invalidValue;
  }
}

export function builtInEdit(kind: BuiltInEdit, message: string, path = '', extra: Partial<Edit> = {}): Edit {
  const edit: Edit = { code: kind.code, severity: kind.severity, category: kind.category, message, path, help: kind.help };
  const line = /^serviceLines\[(\d+)\]/.exec(path);
  if (line) edit.serviceLine = Number(line[1]) + 1;
  if (kind.carc) edit.carc = kind.carc;
  return Object.assign(edit, extra);
}

/**
 * Checks a parsed claim against the claim schema and returns one `structure` edit per issue,
 * each with the field's path. A valid claim returns an empty list.
 */
export function validateClaim(claim: unknown): Edit[] {
  if (claim === null || typeof claim !== 'object' || Array.isArray(claim)) {
    return [builtInEdit(EDIT_CODES.notAnObject, `The claim is ${describeJsonKind(claim)}, not an object.`)];
  }
  const validate = claimValidator();
  if (validate(claim)) return [];
  return (validate.errors ?? []).map((error) => builtInEdit(builtInFor(error), describeSchemaError(error), errorFieldPath(error)));
}

function describeJsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string' ? 'text' : `a ${typeof value}`;
}
