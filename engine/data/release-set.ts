import { isIsoDate } from '../model/dates.js';
import { PROGRAMS, type DataKind, type LoadedRelease, type Program, type ReferenceData, type ReleaseManifest, type ReleaseSet } from './types.js';

/**
 * Releases of one kind, sorted by effective date: each applies from its effective date until the
 * next one's, and never past `endOf(effective)` when given: a code set's release covers its own
 * period only, so a missing newer release leaves dates uncovered (checks skipped and reported)
 * instead of checking them against old codes. Throws when two releases take effect on the same
 * date (the loader reports and drops such duplicates before it gets here).
 */
export function createReleaseSet<Table>(
  releases: Iterable<{ manifest: ReleaseManifest; table: Table }>,
  endOf?: (effective: string) => string,
): ReleaseSet<Table> {
  const sorted = [...releases].sort((a, b) => (a.manifest.effective < b.manifest.effective ? -1 : a.manifest.effective > b.manifest.effective ? 1 : 0));
  const loaded: LoadedRelease<Table>[] = sorted.map((release, i) => {
    const next = sorted[i + 1];
    if (next !== undefined && next.manifest.effective === release.manifest.effective) {
      throw new Error(`releases ${release.manifest.release} and ${next.manifest.release} both take effect on ${release.manifest.effective}`);
    }
    const until = coveredUntil(release.manifest.effective, next?.manifest.effective, endOf);
    return until === undefined ? { manifest: release.manifest, table: release.table } : { manifest: release.manifest, until, table: release.table };
  });
  const effective = loaded.map((release) => release.manifest.effective);
  return Object.freeze({
    releases: Object.freeze(loaded),
    releaseFor(dateOfService: string): LoadedRelease<Table> | undefined {
      if (!isIsoDate(dateOfService)) return undefined;
      // The last release whose effective date is on or before the date of service.
      let low = 0;
      let high = effective.length;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if ((effective[middle] as string) <= dateOfService) low = middle + 1;
        else high = middle;
      }
      const release = low === 0 ? undefined : loaded[low - 1];
      return release !== undefined && (release.until === undefined || dateOfService < release.until) ? release : undefined;
    },
  });
}

/** The first date of service a release no longer covers: the next release, or the end of its period. */
export function coveredUntil(effective: string, nextEffective: string | undefined, endOf?: (effective: string) => string): string | undefined {
  const candidates = [nextEffective, endOf?.(effective)].filter((date): date is string => date !== undefined).sort();
  return candidates[0];
}

/** The day before a YYYY-MM-DD date. */
export function dayBefore(date: string): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const value = new Date(Date.UTC(year, month - 1, day - 1));
  value.setUTCFullYear(year, month - 1, day - 1);
  return value.toISOString().slice(0, 10);
}

/** The dates of service a release covers: its first and last date (undefined: open-ended), and in words. */
export function coverage(effective: string, until: string | undefined): { from: string; to: string | undefined; text: string } {
  if (until === undefined) return { from: effective, to: undefined, text: `from ${effective} on` };
  const to = dayBefore(until);
  return { from: effective, to, text: `${effective} to ${to}` };
}

/**
 * ICD-10-CM releases belong to a federal fiscal year, which ends on September 30: a release (the
 * October one, or a January or April update) covers dates of service up to then at most.
 */
export function icd10cmReleaseEnd(effective: string): string {
  const year = Number(effective.slice(0, 4));
  const month = Number(effective.slice(5, 7));
  return `${month >= 10 ? year + 1 : year}-10-01`;
}

/**
 * NCCI PTP, MUE, HCPCS and the physician fee schedule's RVU file are published every calendar
 * quarter, and a quarter's release can delete or change edits and indicators retroactively: a
 * release covers dates of service up to the end of the quarter it takes effect in at most, so a
 * missing next quarter leaves dates uncovered instead of checked against edits that may no longer
 * stand.
 */
export function quarterlyReleaseEnd(effective: string): string {
  const year = Number(effective.slice(0, 4));
  const month = Number(effective.slice(5, 7));
  const nextQuarterMonth = Math.floor((month - 1) / 3) * 3 + 4;
  return nextQuarterMonth > 12 ? `${year + 1}-01-01` : `${year}-${String(nextQuarterMonth).padStart(2, '0')}-01`;
}

/** How long a release of each kind can apply at most, whatever is installed after it. */
export const RELEASE_PERIOD_END: Readonly<Record<DataKind, (effective: string) => string>> = {
  icd10cm: icd10cmReleaseEnd,
  'ncci-ptp': quarterlyReleaseEnd,
  mue: quarterlyReleaseEnd,
  hcpcs: quarterlyReleaseEnd,
  pfs: quarterlyReleaseEnd,
};

/** Every release set of the loaded data, named as reports show them. */
export function releaseSetsOf(data: ReferenceData): { table: DataKind; program?: Program; set: ReleaseSet<unknown> }[] {
  return [
    { table: 'icd10cm', set: data.icd10cm },
    { table: 'hcpcs', set: data.hcpcs },
    ...PROGRAMS.map((program) => ({ table: 'ncci-ptp' as const, program, set: data.ncciPtp[program] })),
    ...PROGRAMS.map((program) => ({ table: 'mue' as const, program, set: data.mue[program] })),
    { table: 'pfs', set: data.pfs },
  ];
}
