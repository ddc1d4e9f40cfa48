import type { HcpcsEntry } from '../data/types.js';
import type { EditSource } from '../model/result.js';
import { releaseOn, sourceOf } from './data-lookup.js';
import type { FactDefinition } from './types.js';
import { field, isIsoDate } from './values.js';

/** HCPCS Level II codes: a letter A-V and four digits (CPT codes, all digits or digits and F/T/U, are not in the file). */
const LEVEL2_CODE = /^[A-V][0-9]{4}$/;

export interface HcpcsCodeProblem {
  code: string;
  /** What is wrong, in words: not in the release, not yet added, terminated. */
  problem: string;
  sources: EditSource[];
}

function row(entry: HcpcsEntry): Record<string, string | number | null> {
  return { code: entry.code, added: entry.added ?? null, terminated: entry.terminated ?? null, shortDescription: entry.shortDescription };
}

export const HCPCS_FACTS: readonly FactDefinition[] = [
  {
    name: 'lineHcpcsCodeProblem',
    scope: 'line',
    description:
      "What is wrong with the current line's HCPCS Level II code in the release in effect on its date of service: { code, problem, sources }; absent for CPT codes, valid codes, and dates no release covers.",
    compute: (context): HcpcsCodeProblem | undefined => {
      const code = field(context.line, 'procedureCode');
      const date = field(context.line, 'serviceDate');
      if (typeof code !== 'string' || !LEVEL2_CODE.test(code) || !isIsoDate(date)) return undefined;
      const release = releaseOn(context, context.data?.hcpcs, 'hcpcs', date);
      if (release === undefined) return undefined;
      const entry = release.table.entryFor(code);
      if (entry === undefined || entry.kind !== 'code') {
        return { code, problem: `is not a code of HCPCS release ${release.manifest.release}`, sources: [sourceOf(release, 'hcpcs', { code, found: null })] };
      }
      if (entry.added !== undefined && date < entry.added) {
        return { code, problem: `was added on ${entry.added}, after the date of service`, sources: [sourceOf(release, 'hcpcs', row(entry))] };
      }
      if (entry.terminated !== undefined && date > entry.terminated) {
        return { code, problem: `was terminated: its last valid date of service was ${entry.terminated}`, sources: [sourceOf(release, 'hcpcs', row(entry))] };
      }
      return undefined;
    },
  },
];
