import { BASE_PROGRAM, PROGRAMS, type LoadedRelease, type Program, type ReleaseSet } from '../data/types.js';
import type { EditSource } from '../model/result.js';
import type { FactContext } from './types.js';

/**
 * The release of a table set in effect on a date of service, or undefined after recording the gap
 * (named as reports show it) when no installed release covers the date: the check is skipped,
 * never guessed.
 */
export function releaseOn<Table>(context: FactContext, set: ReleaseSet<Table> | undefined, gap: string, date: string): LoadedRelease<Table> | undefined {
  const release = set?.releaseFor(date);
  if (release === undefined) context.dataGaps?.add(gap);
  return release;
}

/** The program whose NCCI tables apply to the claim, or undefined when its payer applies none. */
export function ncciProgram(context: FactContext): Program | undefined {
  const program = context.program ?? BASE_PROGRAM;
  return program === 'none' ? undefined : program;
}

/** The data gap names of per-program tables, built once: lookups run for every line. */
export function gapNames(table: string): Readonly<Record<Program, string>> {
  return Object.fromEntries(PROGRAMS.map((program) => [program, `${table} ${program}`])) as Record<Program, string>;
}

/** An edit source for a row of a loaded release. */
export function sourceOf(release: LoadedRelease<unknown>, table: string, row: Record<string, string | number | null>): EditSource {
  const source: EditSource = { table, release: release.manifest.release, effective: release.manifest.effective, row };
  if (release.manifest.program !== undefined) source.program = release.manifest.program;
  return source;
}
