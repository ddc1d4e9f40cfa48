import { Ajv, type ValidateFunction } from 'ajv';
import * as addFormatsModule from 'ajv-formats';
import payerSchema from './payer.schema.json' with { type: 'json' };
import ruleSchema from './rule.schema.json' with { type: 'json' };
import ruleTestSchema from './rule-test.schema.json' with { type: 'json' };

const addFormats = addFormatsModule.default as unknown as (ajv: Ajv, formats: string[]) => Ajv;

function compileSchema(schema: object): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv, ['date']);
  return ajv.compile(schema);
}

export const validateRuleDocument = compileSchema(ruleSchema);
export const validatePayerDocument = compileSchema(payerSchema);
export const validateRuleTestDocument = compileSchema(ruleTestSchema);
