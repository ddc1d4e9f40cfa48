import { BatchKeyWriter, type AuthorizationUnits } from './keys.js';
import { CLAIM_WORDS, ClaimFlag, ClaimWord, LINE_WORDS, LineFlag, LineWord, type BatchClaimRef, type ChunkBatchKeys, type ClaimBatchFacts, type LineBatchFacts } from './types.js';

/** Appends typed arrays; grows by doubling. */
class Column<T extends Uint32Array | Float64Array> {
  length = 0;
  constructor(public array: T) {}
  append(values: ArrayLike<number>): void {
    if (this.length + values.length > this.array.length) {
      let size = this.array.length * 2;
      while (size < this.length + values.length) size *= 2;
      const grown = new (this.array.constructor as new (size: number) => T)(size);
      grown.set(this.array.subarray(0, this.length));
      this.array = grown;
    }
    this.array.set(values, this.length);
    this.length += values.length;
  }
}

function nextPowerOfTwo(n: number): number {
  let size = 16;
  while (size < n) size *= 2;
  return size;
}

/**
 * The main thread's half of the cross-claim pass. Chunks' keys arrive in input order and are kept
 * in flat typed arrays (about 110 bytes a claim); `finish` groups the claims by patient with an
 * open-addressing table and works out, for the claims of patients with more than one claim in the
 * batch, what the other claims say about them. Everything else is dropped: most claims of a batch
 * are the only one for their patient, and get nothing.
 */
export class BatchIndexBuilder {
  private readonly files: string[] = [];
  private claims = 0;
  private readonly claimWords = new Column(new Uint32Array(CLAIM_WORDS * 1024));
  private readonly claimFile = new Column(new Uint32Array(1024));
  private readonly claimFirstLine = new Column(new Uint32Array(1024));
  private readonly authorizationUnits = new Column(new Float64Array(1024));
  private readonly lineWords = new Column(new Uint32Array(LINE_WORDS * 2048));
  private readonly lineUnits = new Column(new Float64Array(2048));

  get claimCount(): number {
    return this.claims;
  }

  /** Adds the keys of the next chunk of the batch (chunks must come in input order). */
  add(keys: ChunkBatchKeys, file: string): void {
    let fileIndex = this.files.lastIndexOf(file);
    if (fileIndex === -1) fileIndex = this.files.push(file) - 1;
    const firstLines = new Uint32Array(keys.claimCount);
    let line = this.lineUnits.length;
    for (let claim = 0; claim < keys.claimCount; claim++) {
      firstLines[claim] = line;
      line += keys.claimWords[claim * CLAIM_WORDS + ClaimWord.LineCount]!;
    }
    this.claimWords.append(keys.claimWords);
    this.claimFile.append(new Uint32Array(keys.claimCount).fill(fileIndex));
    this.claimFirstLine.append(firstLines);
    this.authorizationUnits.append(keys.authorizationUnits);
    this.lineWords.append(keys.lineWords);
    this.lineUnits.append(keys.lineUnits);
    this.claims += keys.claimCount;
  }

  /** What other claims say about each claim of the batch, by its 0-based index in the whole batch. */
  finish(): Map<number, ClaimBatchFacts> {
    const facts = new Map<number, ClaimBatchFacts>();
    const next = this.chainClaimsByPatient();
    const seen = new Uint8Array(this.claims);
    for (let claim = 0; claim < this.claims; claim++) {
      if (seen[claim] === 1 || next[claim] === -1) continue;
      const group: number[] = [];
      for (let member = claim; member !== -1; member = next[member]!) {
        group.push(member);
        seen[member] = 1;
      }
      this.compareGroup(group, facts);
    }
    return facts;
  }

  private word(claim: number, word: ClaimWord): number {
    return this.claimWords.array[claim * CLAIM_WORDS + word]!;
  }

  /** next[claim] = the next claim of the batch for the same patient, or -1. */
  private chainClaimsByPatient(): Int32Array {
    const next = new Int32Array(this.claims).fill(-1);
    const capacity = nextPowerOfTwo(this.claims * 2);
    const mask = capacity - 1;
    const slotHigh = new Uint32Array(capacity);
    const slotLow = new Uint32Array(capacity);
    const slotLast = new Int32Array(capacity).fill(-1);
    for (let claim = 0; claim < this.claims; claim++) {
      if ((this.word(claim, ClaimWord.Flags) & ClaimFlag.Identified) === 0) continue;
      const high = this.word(claim, ClaimWord.PatientHigh);
      const low = this.word(claim, ClaimWord.PatientLow);
      let slot = (low ^ Math.imul(high, 0x9e3779b1)) & mask;
      while (slotLast[slot] !== -1 && (slotHigh[slot] !== high || slotLow[slot] !== low)) slot = (slot + 1) & mask;
      if (slotLast[slot] !== -1) next[slotLast[slot]!] = claim;
      slotHigh[slot] = high;
      slotLow[slot] = low;
      slotLast[slot] = claim;
    }
    return next;
  }

  private refOf(claim: number): BatchClaimRef {
    return { file: this.files[this.claimFile.array[claim]!]!, line: this.word(claim, ClaimWord.SourceLine) };
  }

  private factsOf(facts: Map<number, ClaimBatchFacts>, claim: number): ClaimBatchFacts {
    let entry = facts.get(claim);
    if (!entry) facts.set(claim, (entry = {}));
    return entry;
  }

  /** The claims of one patient (two or more, in input order). */
  private compareGroup(group: readonly number[], facts: Map<number, ClaimBatchFacts>): void {
    const duplicates = new Set<number>();
    const firstWithFingerprint = new Map<string, number>();
    const authorizationUsed = new Map<string, number>();
    for (const claim of group) {
      const fingerprint = `${this.word(claim, ClaimWord.FingerprintHigh)}:${this.word(claim, ClaimWord.FingerprintLow)}`;
      const original = firstWithFingerprint.get(fingerprint);
      if (original === undefined) firstWithFingerprint.set(fingerprint, claim);
      else {
        duplicates.add(claim);
        this.factsOf(facts, claim).duplicateOf = this.refOf(original);
      }
      if ((this.word(claim, ClaimWord.Flags) & ClaimFlag.HasAuthorization) !== 0) {
        const authorization = `${this.word(claim, ClaimWord.AuthorizationHigh)}:${this.word(claim, ClaimWord.AuthorizationLow)}`;
        const earlier = authorizationUsed.get(authorization) ?? 0;
        if (earlier > 0) this.factsOf(facts, claim).authorizationUnitsEarlier = earlier;
        authorizationUsed.set(authorization, earlier + this.authorizationUnits.array[claim]!);
      }
    }
    this.compareLines(group, duplicates, facts);
  }

  private compareLines(group: readonly number[], duplicateClaims: ReadonlySet<number>, facts: Map<number, ClaimBatchFacts>): void {
    const lineWords = this.lineWords.array;
    // Every keyed line of the group, by service day.
    const byDay = new Map<string, { claim: number; line: number }[]>();
    for (const claim of group) {
      const first = this.claimFirstLine.array[claim]!;
      const count = this.word(claim, ClaimWord.LineCount);
      for (let line = first; line < first + count; line++) {
        const day = `${lineWords[line * LINE_WORDS + LineWord.DayHigh]}:${lineWords[line * LINE_WORDS + LineWord.DayLow]}`;
        let lines = byDay.get(day);
        if (!lines) byDay.set(day, (lines = []));
        lines.push({ claim, line });
      }
    }
    for (const lines of byDay.values()) {
      if (lines[0]!.claim === lines[lines.length - 1]!.claim) continue; // one claim's lines only
      for (const current of lines) {
        let otherClaimsUnits = 0;
        const otherClaims = new Set<number>();
        let duplicateOf: { claim: number; line: number } | undefined;
        const flags = lineWords[current.line * LINE_WORDS + LineWord.Flags]!;
        const detail = lineWords[current.line * LINE_WORDS + LineWord.Detail]!;
        for (const other of lines) {
          if (other.claim === current.claim) continue;
          const otherFlags = lineWords[other.line * LINE_WORDS + LineWord.Flags]!;
          if ((otherFlags & LineFlag.CountsUnits) !== 0) {
            otherClaimsUnits += this.lineUnits.array[other.line]!;
            otherClaims.add(other.claim);
          }
          if (
            duplicateOf === undefined &&
            other.claim < current.claim &&
            ((flags | otherFlags) & LineFlag.RepeatModifier) === 0 &&
            lineWords[other.line * LINE_WORDS + LineWord.Detail] === detail
          ) {
            duplicateOf = other;
          }
        }
        if (otherClaims.size === 0 && (duplicateOf === undefined || duplicateClaims.has(current.claim))) continue;
        const lineFacts: LineBatchFacts = { otherClaimsUnits, otherClaims: otherClaims.size };
        if (duplicateOf !== undefined && !duplicateClaims.has(current.claim)) {
          lineFacts.duplicateOf = { ...this.refOf(duplicateOf.claim), serviceLine: lineWords[duplicateOf.line * LINE_WORDS + LineWord.Index]! + 1 };
        }
        const entry = this.factsOf(facts, current.claim);
        (entry.lines ??= {})[lineWords[current.line * LINE_WORDS + LineWord.Index]!] = lineFacts;
      }
    }
  }
}

/** Both passes at once, for claims already in memory (the library's scrubClaims, rule tests). */
export function batchFactsOf(claims: readonly unknown[], file: string, authorizationUnits?: AuthorizationUnits): Map<number, ClaimBatchFacts> {
  const writer = new BatchKeyWriter(authorizationUnits);
  claims.forEach((claim, index) => writer.add(claim, index + 1));
  const builder = new BatchIndexBuilder();
  builder.add(writer.finish(), file);
  return builder.finish();
}
