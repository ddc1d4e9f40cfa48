import { describe, expect, it } from 'vitest';
import { createScrubber } from '../../engine/index.js';
import { SUBMISSION_DATE } from '../../fixtures/generator/catalog.js';
import { generateClaimsWithLabels, MALFORMED_JSON, STRUCTURAL_DEFECT_KINDS } from '../../fixtures/generator/generate.js';

// A false edit is as serious as a missed one. The generator labels every claim with the one
// defect it injected (or none); the bundled pack must flag exactly that and nothing else.
const scrubber = await createScrubber(undefined, { submissionDate: SUBMISSION_DATE });
const claims = [...generateClaimsWithLabels({ count: 4000, seed: 7, defectRate: 0.5, malformedRate: 0.01 })];

describe('the bundled rule pack on labelled synthetic claims', () => {
  const outcomes = claims.map((claim) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(claim.line);
    } catch {
      parsed = undefined;
    }
    const result =
      parsed === undefined
        ? undefined
        : scrubber.scrubClaim(parsed, { file: 'generated', line: claim.index + 1 });
    return { claim, parsed, codes: result ? result.edits.map((edit) => edit.code) : [MALFORMED_JSON], result };
  });

  it('covers clean claims, every defect kind and malformed lines', () => {
    const labels = new Set(claims.map((claim) => claim.defect));
    expect(labels.has(null)).toBe(true);
    expect(labels.has(MALFORMED_JSON)).toBe(true);
    expect(labels.size).toBeGreaterThan(20);
  });

  it('finds nothing on clean claims', () => {
    const falseEdits = outcomes.filter((o) => o.claim.defect === null && o.codes.length > 0);
    expect(falseEdits.map((o) => `${o.claim.index}: ${o.codes.join(', ')}`)).toEqual([]);
  });

  it('finds exactly the injected rule defect and nothing else', () => {
    const wrong = outcomes.filter((o) => {
      const defect = o.claim.defect;
      if (defect === null || defect === MALFORMED_JSON || STRUCTURAL_DEFECT_KINDS.includes(defect)) return false;
      return o.codes.length !== 1 || o.codes[0] !== defect;
    });
    expect(wrong.map((o) => `${o.claim.index} (${o.claim.defect}/${o.claim.variant}): ${o.codes.join(', ') || 'no edit'}`)).toEqual([]);
  });

  it('reports structural defects as structure edits with their code', () => {
    const structural = outcomes.filter((o) => o.claim.defect !== null && STRUCTURAL_DEFECT_KINDS.includes(o.claim.defect as never));
    expect(structural.length).toBeGreaterThan(0);
    for (const o of structural) {
      expect(o.codes, `claim ${o.claim.index} (${o.claim.variant})`).toContain(o.claim.defect);
      expect(o.result?.edits.every((edit) => edit.category === 'structure' || edit.rule !== undefined)).toBe(true);
    }
  });

  it('holds every defect claim except unknown-field ones, which only warn', () => {
    for (const o of outcomes) {
      if (!o.result) continue;
      const expected = o.claim.defect === null ? 'clean' : o.claim.defect === 'unknown-field' ? 'warning' : 'held';
      expect(o.result.status, `claim ${o.claim.index} (${o.claim.defect})`).toBe(expected);
    }
  });
});
