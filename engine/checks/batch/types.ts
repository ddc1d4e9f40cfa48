/**
 * Cross-claim checks (duplicate claims and services, MUE day totals, authorization units) need
 * the other claims of the batch. A first pass reads every claim's keys (keys.ts), the main
 * thread groups them by patient (index.ts), and the scrub pass gives each claim what the others
 * say about it: a ClaimBatchFacts, or nothing when no other claim of the batch is for its patient.
 */

/** Where an earlier claim of the batch starts. */
export interface BatchClaimRef {
  file: string;
  line: number;
}

export interface LineBatchFacts {
  /** Units of the line's code, performing provider and date for this patient on the batch's other claims. */
  otherClaimsUnits: number;
  /** How many other claims hold such units. */
  otherClaims: number;
  /** The line of an earlier claim of the batch that this line repeats (same service, no repeat modifier). */
  duplicateOf?: BatchClaimRef & { serviceLine: number };
}

export interface ClaimBatchFacts {
  /** The earlier claim of the batch that this one repeats line for line. */
  duplicateOf?: BatchClaimRef;
  /** By 0-based service line index, for lines other claims of the batch say something about. */
  lines?: Record<number, LineBatchFacts>;
  /** Units of this claim's prior authorization used by earlier claims of the batch. */
  authorizationUnitsEarlier?: number;
}

/** Words per claim in ChunkBatchKeys.claimWords. */
export const CLAIM_WORDS = 9;
export const enum ClaimWord {
  Flags = 0,
  PatientHigh = 1,
  PatientLow = 2,
  FingerprintHigh = 3,
  FingerprintLow = 4,
  AuthorizationHigh = 5,
  AuthorizationLow = 6,
  LineCount = 7,
  SourceLine = 8,
}
export const enum ClaimFlag {
  /** The claim names its patient (payer, member id and patient): only then is it compared with others. */
  Identified = 1,
  HasAuthorization = 2,
}

/** Words per keyed service line in ChunkBatchKeys.lineWords. */
export const LINE_WORDS = 5;
export const enum LineWord {
  DayHigh = 0,
  DayLow = 1,
  Detail = 2,
  Flags = 3,
  Index = 4,
}
export const enum LineFlag {
  /** 76, 77 or 91: a repeat the provider declared, never a duplicate. */
  RepeatModifier = 1,
  /** Units of service that count toward an MUE (not anesthesia minutes). */
  CountsUnits = 2,
}

/**
 * The keys of one chunk's claims, in input order, as typed arrays a worker transfers without a
 * copy. Lines with a procedure code and a date of service are keyed; `LineCount` says how many of
 * each claim's lines follow in `lineWords`.
 */
export interface ChunkBatchKeys {
  claimCount: number;
  claimWords: Uint32Array;
  /** Units the claim uses of its prior authorization. */
  authorizationUnits: Float64Array;
  lineWords: Uint32Array;
  lineUnits: Float64Array;
}
