export type * from './claim.generated.js';
export * from './result.js';
export * from './edit-codes.js';
export { validateClaim, builtInEdit } from './validate-claim.js';
export { describeSchemaError, errorFieldPath, pointerToFieldPath, withoutBranchNoise } from './schema-errors.js';
