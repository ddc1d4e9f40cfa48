import { field } from './values.js';

/** The NPI that performed the line: its own rendering provider, else the claim's, else the billing provider's. */
export function performingNpi(claim: unknown, line: unknown): unknown {
  return field(field(line, 'renderingProvider'), 'npi') ?? field(field(claim, 'renderingProvider'), 'npi') ?? field(field(claim, 'billingProvider'), 'npi');
}

/**
 * Units of service of a line that count towards a limit (MUE, authorizations): positive and
 * finite. Anesthesia lines count minutes (MJ), not units of service, so they count for nothing.
 */
export function countedUnits(line: unknown): number | undefined {
  const units = field(line, 'units');
  if (field(line, 'unitType') === 'MJ') return undefined;
  return typeof units === 'number' && Number.isFinite(units) && units > 0 ? units : undefined;
}
