import { countedUnits, performingNpi } from '../service-lines.js';
import { arrayOrEmpty, field, isIsoDate, toCents } from '../values.js';
import { hashHigh, hashLow } from './hash.js';
import { CLAIM_WORDS, ClaimFlag, ClaimWord, LineFlag, type ChunkBatchKeys } from './types.js';

/** Modifiers by which a provider says a service was really performed again (CPT 76, 77; lab 91). */
export const REPEAT_MODIFIERS: ReadonlySet<string> = new Set(['76', '77', '91']);

const SEPARATOR = '\u0000';

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim().toUpperCase() : '';
}

/**
 * Who a claim is for, as far as comparing it with other claims goes: the payer, the member id and
 * the patient's name and date of birth. A dependent shares the subscriber's member id, so the
 * patient's own fields are part of it; the payer is too, so that a secondary payer's claim for the
 * same services is neither a duplicate nor counted twice towards a daily limit. Undefined when the
 * claim does not name its payer and member (it cannot be matched safely), or when it replaces or
 * voids an earlier claim (frequency 7 or 8), which repeats that claim on purpose.
 */
export function patientIdentity(claim: unknown): string | undefined {
  const payerId = text(field(field(claim, 'payer'), 'id'));
  const memberId = text(field(field(claim, 'subscriber'), 'memberId'));
  if (payerId === '' || memberId === '') return undefined;
  const frequency = field(claim, 'frequencyCode');
  if (frequency === '7' || frequency === '8') return undefined;
  const patient = field(claim, 'patient');
  const dateOfBirth = field(patient, 'dateOfBirth');
  return [payerId, memberId, text(field(patient, 'lastName')), text(field(patient, 'firstName')), typeof dateOfBirth === 'string' ? dateOfBirth : ''].join(SEPARATOR);
}

function modifiersOf(line: unknown): string[] {
  return arrayOrEmpty(field(line, 'modifiers')).filter((modifier): modifier is string => typeof modifier === 'string');
}

/** The day a line's units count towards (MUE): code, performing provider and date of service. */
export function serviceDay(claim: unknown, line: unknown): string | undefined {
  const code = field(line, 'procedureCode');
  const date = field(line, 'serviceDate');
  if (typeof code !== 'string' || !isIsoDate(date)) return undefined;
  const npi = performingNpi(claim, line);
  return `${code}${SEPARATOR}${typeof npi === 'string' ? npi : ''}${SEPARATOR}${date}`;
}

/**
 * What else makes two lines of one service day the same service: the end date, the modifiers in
 * any order and the drug (NDC), since one drug code billed for two NDCs is two services.
 */
export function serviceDetail(line: unknown): string {
  const end = field(line, 'serviceDateEnd');
  const ndc = field(field(line, 'ndc'), 'code');
  return `${typeof end === 'string' ? end : ''}${SEPARATOR}${modifiersOf(line).sort().join(',')}${SEPARATOR}${typeof ndc === 'string' ? ndc : ''}`;
}

export function hasRepeatModifier(line: unknown): boolean {
  return modifiersOf(line).some((modifier) => REPEAT_MODIFIERS.has(modifier));
}


function lineSignature(claim: unknown, line: unknown): string {
  const npi = performingNpi(claim, line);
  return [
    field(line, 'procedureCode'),
    modifiersOf(line).join(','),
    field(line, 'serviceDate'),
    field(line, 'serviceDateEnd'),
    field(line, 'units'),
    field(line, 'unitType'),
    toCents(field(line, 'charge')),
    typeof npi === 'string' ? npi : '',
    field(field(line, 'ndc'), 'code'),
  ].map((part) => (part === undefined ? '' : String(part))).join('|');
}

/**
 * A claim's content for duplicate detection: billing provider, payer responsibility, total and
 * every line (code, modifiers, dates, units, charge, provider, drug) in any order. Two claims for
 * one patient with the same fingerprint bill the same services twice.
 */
export function claimFingerprint(claim: unknown): string {
  const lines = arrayOrEmpty(field(claim, 'serviceLines')).map((line) => lineSignature(claim, line)).sort();
  return [
    text(field(field(claim, 'billingProvider'), 'npi')),
    text(field(field(claim, 'payer'), 'responsibility')),
    String(toCents(field(claim, 'totalCharge')) ?? ''),
    ...lines,
  ].join(SEPARATOR);
}


class GrowableUint32 {
  array = new Uint32Array(256);
  length = 0;
  push(value: number): void {
    if (this.length === this.array.length) {
      const grown = new Uint32Array(this.array.length * 2);
      grown.set(this.array);
      this.array = grown;
    }
    this.array[this.length++] = value;
  }
  take(): Uint32Array {
    return this.array.slice(0, this.length);
  }
}

class GrowableFloat64 {
  array = new Float64Array(64);
  length = 0;
  push(value: number): void {
    if (this.length === this.array.length) {
      const grown = new Float64Array(this.array.length * 2);
      grown.set(this.array);
      this.array = grown;
    }
    this.array[this.length++] = value;
  }
  take(): Float64Array {
    return this.array.slice(0, this.length);
  }
}

/** Units a claim bills under its prior authorization; what counts is the authorizations file's business. */
export type AuthorizationUnits = (claim: unknown) => number;

/** Collects the keys of a chunk's claims in input order (the first pass, in a worker). */
export class BatchKeyWriter {
  /** `authorizationUnits`: without an authorizations file, no claim uses any. */
  constructor(private readonly authorizationUnits: AuthorizationUnits = () => 0) {}

  private claims = 0;
  private readonly claimWords = new GrowableUint32();
  private readonly authorizationUnitsColumn = new GrowableFloat64();
  private readonly lineWords = new GrowableUint32();
  private readonly lineUnits = new GrowableFloat64();

  /** Adds one claim; `claim` is undefined for text that is not JSON (it gets no keys). */
  add(claim: unknown, sourceLine: number): void {
    this.claims++;
    const patient = claim === undefined ? undefined : patientIdentity(claim);
    const words = this.claimWords;
    if (patient === undefined) {
      for (let i = 0; i < CLAIM_WORDS; i++) words.push(i === ClaimWord.SourceLine ? sourceLine : 0);
      this.authorizationUnitsColumn.push(0);
      return;
    }
    const fingerprint = claimFingerprint(claim);
    const authorization = field(claim, 'priorAuthorization');
    const hasAuthorization = typeof authorization === 'string' && authorization.trim() !== '';
    const lines = arrayOrEmpty(field(claim, 'serviceLines'));
    let keyed = 0;
    for (let index = 0; index < lines.length; index++) {
      const line = lines[index];
      const day = serviceDay(claim, line);
      if (day === undefined) continue;
      const units = countedUnits(line);
      this.lineWords.push(hashHigh(day));
      this.lineWords.push(hashLow(day));
      this.lineWords.push(hashHigh(serviceDetail(line)));
      this.lineWords.push((hasRepeatModifier(line) ? LineFlag.RepeatModifier : 0) | (units === undefined ? 0 : LineFlag.CountsUnits));
      this.lineWords.push(index);
      this.lineUnits.push(units ?? 0);
      keyed++;
    }
    const authorizationKey = hasAuthorization ? authorization.trim().toUpperCase() : '';
    words.push(ClaimFlag.Identified | (hasAuthorization ? ClaimFlag.HasAuthorization : 0));
    words.push(hashHigh(patient));
    words.push(hashLow(patient));
    words.push(hashHigh(fingerprint));
    words.push(hashLow(fingerprint));
    words.push(hasAuthorization ? hashHigh(authorizationKey) : 0);
    words.push(hasAuthorization ? hashLow(authorizationKey) : 0);
    words.push(keyed);
    words.push(sourceLine);
    this.authorizationUnitsColumn.push(hasAuthorization ? this.authorizationUnits(claim) : 0);
  }

  finish(): ChunkBatchKeys {
    return {
      claimCount: this.claims,
      claimWords: this.claimWords.take(),
      authorizationUnits: this.authorizationUnitsColumn.take(),
      lineWords: this.lineWords.take(),
      lineUnits: this.lineUnits.take(),
    };
  }
}

