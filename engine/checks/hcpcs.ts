import type { HcpcsEntry, HcpcsTable, LoadedRelease } from '../data/types.js';
import type { EditSource } from '../model/result.js';
import { releaseOn, sourceOf } from './data-lookup.js';
import { isInList, modifier } from './lists.js';
import type { FactContext, FactDefinition } from './types.js';
import { arrayOrEmpty, field, isIsoDate } from './values.js';

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
  {
    name: 'lineModifierHcpcsProblem',
    scope: 'line',
    description:
      "The current line's modifiers that the HCPCS release in effect on its date of service says are not valid then (terminated before it, added after it) or, for Level II modifiers (a letter first, CPT's P1-P6 aside), does not list: { modifiers, problem, sources }; absent when every modifier is valid or unknowable, and for dates no release covers.",
    compute: lineModifierHcpcsProblem,
  },
  {
    name: 'lineModifiersUnknown',
    scope: 'line',
    description:
      "The current line's modifiers (two capital letters or digits) that neither claimscrub's modifier list nor the HCPCS release in effect on the line's date of service can vouch for: absent from the list, and not for the release to judge (no release covers the date, or a CPT-shaped modifier the release does not list). Absent when there are none.",
    compute: lineModifiersUnknown,
  },
];

// ---------------------------------------------------------------------------------------------
// Modifiers

/** A modifier as the claim schema allows it: two capital letters or digits. */
const MODIFIER_SHAPE = /^[A-Z0-9]{2}$/;

/**
 * A modifier the HCPCS Level II file should list: a letter first (GT, XS, Q5). CPT's modifiers are
 * the AMA's, not the file's: two digits (25, 59), Category II ones with a digit first (1P), and
 * the anesthesia physical status modifiers P1-P6, which claimscrub's list marks as CPT.
 */
function isLevel2Modifier(code: string): boolean {
  const first = code.charCodeAt(0);
  return first >= 65 && first <= 90 && modifier(code)?.kind !== 'cpt';
}

export interface HcpcsModifierProblem {
  /** The modifiers at fault, comma-separated, for messages. */
  modifiers: string;
  /** What is wrong with each, in words. */
  problem: string;
  sources: EditSource[];
}

function modifierRow(entry: HcpcsEntry): Record<string, string | number | null> {
  return { code: entry.code, kind: 'modifier', added: entry.added ?? null, terminated: entry.terminated ?? null, shortDescription: entry.shortDescription };
}

/** What the release says is wrong with one modifier on `date`, or undefined when nothing is (or it cannot say). */
function modifierProblem(release: LoadedRelease<HcpcsTable>, code: string, date: string): { text: string; source: EditSource } | undefined {
  const entry = release.table.entryFor(code);
  if (entry === undefined || entry.kind !== 'modifier') {
    // A CPT modifier the file does not carry is normal, not an error.
    if (!isLevel2Modifier(code)) return undefined;
    return {
      text: `modifier ${code} is not a modifier of HCPCS release ${release.manifest.release}`,
      source: sourceOf(release, 'hcpcs', { code, kind: 'modifier', found: null }),
    };
  }
  if (entry.added !== undefined && date < entry.added) {
    return { text: `modifier ${code} was added on ${entry.added}, after the date of service`, source: sourceOf(release, 'hcpcs', modifierRow(entry)) };
  }
  if (entry.terminated !== undefined && date > entry.terminated) {
    return { text: `modifier ${code} was terminated: its last valid date of service was ${entry.terminated}`, source: sourceOf(release, 'hcpcs', modifierRow(entry)) };
  }
  return undefined;
}

function lineModifierHcpcsProblem(context: FactContext): HcpcsModifierProblem | undefined {
  const modifiers = field(context.line, 'modifiers');
  if (!Array.isArray(modifiers) || modifiers.length === 0) return undefined;
  const date = field(context.line, 'serviceDate');
  if (!isIsoDate(date)) return undefined;
  const release = context.data?.hcpcs.releaseFor(date);
  let found: { codes: string[]; texts: string[]; sources: EditSource[] } | undefined;
  for (const code of modifiers) {
    // Malformed modifiers are the schema's edits.
    if (typeof code !== 'string' || !MODIFIER_SHAPE.test(code)) continue;
    if (release === undefined) {
      // Only a Level II modifier needed the table: CPT modifiers leave no gap to report.
      if (isLevel2Modifier(code)) context.dataGaps?.add('hcpcs');
      continue;
    }
    const problem = modifierProblem(release, code, date);
    if (problem === undefined || found?.codes.includes(code)) continue;
    found ??= { codes: [], texts: [], sources: [] };
    found.codes.push(code);
    found.texts.push(problem.text);
    found.sources.push(problem.source);
  }
  return found && { modifiers: found.codes.join(', '), problem: found.texts.join('; '), sources: found.sources };
}

function lineModifiersUnknown(context: FactContext): string[] | undefined {
  let unknown: string[] | undefined;
  let release: LoadedRelease<HcpcsTable> | undefined;
  let looked = false;
  for (const code of arrayOrEmpty(field(context.line, 'modifiers'))) {
    if (typeof code !== 'string' || !MODIFIER_SHAPE.test(code) || isInList('modifiers', code)) continue;
    if (!looked) {
      looked = true;
      const date = field(context.line, 'serviceDate');
      // No data gap here: without a release the list decides, as it always has.
      release = isIsoDate(date) ? context.data?.hcpcs.releaseFor(date) : undefined;
    }
    // A release in effect judges what it lists, and every Level II modifier (modifier-not-valid-on-date).
    if (release !== undefined && (release.table.entryFor(code)?.kind === 'modifier' || isLevel2Modifier(code))) continue;
    if (unknown?.includes(code)) continue;
    (unknown ??= []).push(code);
  }
  return unknown;
}

