import type { ValidateFunction } from 'ajv';
import { createAjv } from '../../model/ajv.js';
import payerSchema from './payer.schema.json' with { type: 'json' };
import ruleSchema from './rule.schema.json' with { type: 'json' };
import ruleTestSchema from './rule-test.schema.json' with { type: 'json' };

function compileSchema(schema: object): ValidateFunction {
  return createAjv().compile(schema);
}

export const validateRuleDocument = compileSchema(ruleSchema);
export const validatePayerDocument = compileSchema(payerSchema);
export const validateRuleTestDocument = compileSchema(ruleTestSchema);
