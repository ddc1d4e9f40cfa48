import type { EditSource } from '../model/result.js';
import type { ReleaseManifest } from '../data/types.js';
import { earliestServiceDate } from './facts.js';
import type { FactContext, FactDefinition } from './types.js';
import { arrayOrEmpty, field, isIsoDate } from './values.js';

/** The ICD-10-CM shape checked before any lookup: a malformed code is the format rule's edit, not this one's. */
const ICD10CM_SHAPE = /^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$/;

export interface Icd10cmCheck {
  /** Codes that are not in the release in effect on a date of service they are used on. */
  invalid: string[];
  /** Codes that are headers (categories), not valid for claims. */
  notBillable: string[];
  /** The releases the codes were checked against, as `name (effective YYYY-MM-DD)`. */
  releases: string[];
  /** The same releases as edit sources. */
  sources: EditSource[];
}

const NOTHING_FOUND: Icd10cmCheck = Object.freeze({ invalid: [], notBillable: [], releases: [], sources: [] }) as unknown as Icd10cmCheck;

function isCheckable(diagnosis: unknown): diagnosis is { code: string } {
  const code = field(diagnosis, 'code');
  return typeof code === 'string' && ICD10CM_SHAPE.test(code) && field(diagnosis, 'codeSet') !== 'icd9cm';
}

/** Whether the line points to the diagnosis at 1-based position `position`. */
function pointsTo(line: unknown, position: number): boolean {
  const pointers = field(line, 'diagnosisPointers');
  return Array.isArray(pointers) && pointers.includes(position);
}

/**
 * Checks each ICD-10-CM diagnosis against the release in effect on the dates of service of the
 * lines that point to it (the claim's first date of service when no line does). A date no
 * installed release covers is skipped and reported as a data gap, never guessed. Runs for every
 * claim, so the common cases (no release installed, nothing wrong) allocate nothing.
 */
function checkIcd10cm(context: FactContext): Icd10cmCheck {
  const diagnoses = arrayOrEmpty(field(context.claim, 'diagnoses'));
  if (!diagnoses.some(isCheckable)) return NOTHING_FOUND;
  const lines = arrayOrEmpty(field(context.claim, 'serviceLines'));
  const releases = context.data?.icd10cm;
  if (releases === undefined || releases.releases.length === 0) {
    if (lines.some((line) => isIsoDate(field(line, 'serviceDate')))) context.dataGaps?.add('icd10cm');
    return NOTHING_FOUND;
  }
  const earliest = earliestServiceDate(context);
  if (earliest === undefined) return NOTHING_FOUND;

  let result: Icd10cmCheck | undefined;
  const used = new Map<string, ReleaseManifest>();
  const check = (code: string, date: string) => {
    const release = releases.releaseFor(date);
    if (!release) {
      context.dataGaps?.add('icd10cm');
      return;
    }
    used.set(`${release.manifest.release} (effective ${release.manifest.effective})`, release.manifest);
    const status = release.table.status(code.replace('.', ''));
    if (status === 'billable') return;
    result ??= { invalid: [], notBillable: [], releases: [], sources: [] };
    const list = status === undefined ? result.invalid : result.notBillable;
    if (!list.includes(code)) list.push(code);
  };
  diagnoses.forEach((diagnosis, index) => {
    if (!isCheckable(diagnosis)) return;
    let pointed = false;
    for (const line of lines) {
      const date = field(line, 'serviceDate');
      if (isIsoDate(date) && pointsTo(line, index + 1)) {
        pointed = true;
        check(diagnosis.code, date);
      }
    }
    if (!pointed) check(diagnosis.code, earliest);
  });
  if (!result) return NOTHING_FOUND;
  result.releases = [...used.keys()].sort();
  result.sources = [...used.values()].sort((a, b) => (a.effective < b.effective ? -1 : 1)).map((manifest) => ({ table: 'icd10cm', release: manifest.release, effective: manifest.effective }));
  return result;
}


export interface Excludes1Pair {
  /** The code the note is on (as written on the claim) and the code it excludes. */
  code: string;
  excludes: string;
  /** Where the note is written in the tabular list, and what it names. */
  notedOn: string;
  names: string;
}

export interface Icd10cmNotesCheck {
  /** The first-listed diagnosis when it is a manifestation code ("code first" its underlying condition). */
  manifestationFirst: string | undefined;
  /** Pairs of the claim's codes an Excludes1 note forbids together, each pair once. */
  excludes1: Excludes1Pair[];
  /** `E11.9 with E10.9 (Excludes1 note on E11: E10.-)`, for messages. */
  excludes1Text: string;
  sources: EditSource[];
}

const NO_NOTES_FOUND: Icd10cmNotesCheck = Object.freeze({ manifestationFirst: undefined, excludes1: [], excludes1Text: '', sources: [] }) as unknown as Icd10cmNotesCheck;

/**
 * The claim's ICD-10-CM codes against the tabular list's notes of the release in effect on the
 * claim's first date of service: a manifestation listed first, and Excludes1 pairs. Skipped, and
 * reported, when that release was imported without its tabular XML.
 */
function checkIcd10cmNotes(context: FactContext): Icd10cmNotesCheck {
  const diagnoses = arrayOrEmpty(field(context.claim, 'diagnoses'));
  if (!diagnoses.some(isCheckable)) return NO_NOTES_FOUND;
  const earliest = earliestServiceDate(context);
  if (earliest === undefined) return NO_NOTES_FOUND;
  const release = context.data?.icd10cm.releaseFor(earliest);
  if (release === undefined) {
    context.dataGaps?.add('icd10cm');
    return NO_NOTES_FOUND;
  }
  const notes = release.table.notes;
  if (notes === undefined) {
    context.dataGaps?.add('icd10cm tabular notes');
    return NO_NOTES_FOUND;
  }
  const first = diagnoses[0];
  const manifestationFirst = isCheckable(first) && notes.isManifestation(first.code.replace('.', '')) ? first.code : undefined;
  const excludes1: Excludes1Pair[] = [];
  // Each unordered pair once: the note on either code of it.
  const codes = [...new Set(diagnoses.filter(isCheckable).map((diagnosis) => diagnosis.code))];
  const dotless = codes.map((code) => code.replace('.', ''));
  for (let i = 0; i < codes.length; i++) {
    for (let j = i + 1; j < codes.length; j++) {
      const forward = notes.excludes1(dotless[i] as string, dotless[j] as string);
      const note = forward ?? notes.excludes1(dotless[j] as string, dotless[i] as string);
      if (!note) continue;
      const [code, excludes] = forward ? [codes[i], codes[j]] : [codes[j], codes[i]];
      excludes1.push({ code: code as string, excludes: excludes as string, notedOn: note.notedOn, names: note.names });
    }
  }
  if (manifestationFirst === undefined && excludes1.length === 0) return NO_NOTES_FOUND;
  const { manifest } = release;
  const sources: EditSource[] =
    excludes1.length > 0
      ? excludes1.map((pair) => ({ table: 'icd10cm', release: manifest.release, effective: manifest.effective, row: { excludes1On: pair.notedOn, names: pair.names } }))
      : [{ table: 'icd10cm', release: manifest.release, effective: manifest.effective, row: { manifestation: manifestationFirst ?? null } }];
  return {
    manifestationFirst,
    excludes1,
    excludes1Text: excludes1.map((pair) => `${pair.code} with ${pair.excludes} (Excludes1 note on ${pair.notedOn}: ${pair.names})`).join('; '),
    sources,
  };
}

export const ICD10CM_FACTS: readonly FactDefinition[] = [
  {
    name: 'icd10cmCheck',
    scope: 'claim',
    description:
      "The claim's ICD-10-CM codes checked against the release in effect on each date of service: { invalid, notBillable, releases, sources }. Dates no installed release covers are skipped.",
    compute: checkIcd10cm,
  },
  {
    name: 'icd10cmNotesCheck',
    scope: 'claim',
    description:
      "The claim's ICD-10-CM codes against the tabular list's notes of the release in effect on its first date of service: { manifestationFirst, excludes1, excludes1Text, sources }. Skipped (and reported) when the release was imported without its tabular XML.",
    compute: checkIcd10cmNotes,
  },
];
