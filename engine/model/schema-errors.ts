import type { ErrorObject } from 'ajv';

/** `/serviceLines/2/modifiers` → `serviceLines[2].modifiers`, the path form reports use. */
export function pointerToFieldPath(pointer: string, child?: string): string {
  let path = '';
  const parts = pointer === '' ? [] : pointer.slice(1).split('/');
  if (child !== undefined) parts.push(child);
  for (const raw of parts) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^(0|[1-9][0-9]*)$/.test(part)) path += `[${part}]`;
    else path += path === '' ? part : `.${part}`;
  }
  return path;
}

/** The field an ajv error is about: for required / additionalProperties, the named child. */
export function errorFieldPath(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') return pointerToFieldPath(error.instancePath, String(params.missingProperty));
  if (error.keyword === 'additionalProperties') return pointerToFieldPath(error.instancePath, String(params.additionalProperty));
  return pointerToFieldPath(error.instancePath);
}

const FORMAT_NAMES: Record<string, string> = { date: 'a date written YYYY-MM-DD' };

/**
 * A plain-English sentence for one schema error. It never quotes the offending value: claim
 * fields can be protected health information, and the path says which field to look at.
 */
export function describeSchemaError(error: ErrorObject): string {
  const field = errorFieldPath(error) || 'the document';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `\`${field}\` is missing.`;
    case 'additionalProperties':
      return `\`${field}\` is not a known field.`;
    case 'type':
      return `\`${field}\` must be ${article(String(params.type))}.`;
    case 'enum':
      return `\`${field}\` must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}.`;
    case 'format':
      return `\`${field}\` must be ${FORMAT_NAMES[String(params.format)] ?? `in ${String(params.format)} format`}.`;
    case 'pattern':
      return `\`${field}\` is not in the expected form (${String(params.pattern)}).`;
    case 'minLength':
      return `\`${field}\` must not be empty.`;
    case 'maxLength':
      return `\`${field}\` must be at most ${String(params.limit)} characters long.`;
    case 'minItems':
      return `\`${field}\` must have at least ${String(params.limit)} ${Number(params.limit) === 1 ? 'entry' : 'entries'}.`;
    case 'maxItems':
      return `\`${field}\` may have at most ${String(params.limit)} entries.`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `\`${field}\` must be ${String(params.comparison)} ${String(params.limit)}.`;
    case 'uniqueItems':
      return `\`${field}\` must not repeat an entry (entries ${String(params.j)} and ${String(params.i)} are the same).`;
    case 'minProperties':
      return `\`${field}\` must not be empty.`;
    case 'oneOf':
      return `\`${field}\` does not match any of the allowed forms.`;
    default:
      return `\`${field}\` ${error.message ?? 'is not valid'}.`;
  }
}

function article(type: string): string {
  const named = type.split(',').map((t) => (t === 'integer' ? 'a whole number' : t === 'object' || t === 'array' ? `an ${t}` : `a ${t === 'string' ? 'text value' : t}`));
  return named.join(' or ');
}

/** oneOf reports one error per branch besides its own: keep the most useful ones only. */
export function withoutBranchNoise(errors: readonly ErrorObject[]): ErrorObject[] {
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  return errors.filter((e) => e.keyword === 'oneOf' || !oneOfPaths.has(e.instancePath));
}
