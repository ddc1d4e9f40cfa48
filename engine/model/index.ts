export type * from './claim.generated.js';
export * from './result.js';
export * from './edit-codes.js';
