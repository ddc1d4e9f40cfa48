import { Ajv } from 'ajv';
import { isIsoDate } from './dates.js';

/**
 * The ajv set-up every schema uses (claims, rules, payer files, rule tests): all errors at once,
 * strict schemas, and the `date` format checked by the model's own calendar check.
 */
export function createAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  ajv.addFormat('date', { type: 'string', validate: isIsoDate });
  return ajv;
}
