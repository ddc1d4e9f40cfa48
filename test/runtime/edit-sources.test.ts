import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScrubber, type Scrubber } from '../../engine/index.js';
import { BUNDLED_RULES_DIR } from '../../engine/package-info.js';
import { loadRulePack } from '../../engine/rules/pack.js';
import { ROOT } from '../helpers/cli.js';
import { createTestDataDir } from '../helpers/reference-data.js';

const office = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/claims/office-visit.json'), 'utf8'));
const withLines = (patch: (lines: Record<string, unknown>[]) => void, payerId = 'BLUE1') => {
  const claim = structuredClone(office);
  claim.payer.id = payerId;
  patch(claim.serviceLines);
  return claim;
};

let data: Awaited<ReturnType<typeof createTestDataDir>>;
let payersDir: string;
let scrubber: Scrubber;
beforeAll(async () => {
  data = await createTestDataDir();
  payersDir = await mkdtemp(path.join(os.tmpdir(), 'claimscrub-payers-'));
  await writeFile(path.join(payersDir, 'no-ncci.yaml'), 'id: no-ncci\nname: A payer that applies no NCCI edits\nprogram: none\nmatch:\n  payerIds: ["NONCCI"]\n');
  const pack = await loadRulePack({ rulesDirs: [BUNDLED_RULES_DIR], payersDir });
  scrubber = await createScrubber({ pack }, { dataDir: data.dir, submissionDate: null });
});
afterAll(async () => {
  await data.remove();
  await rm(payersDir, { recursive: true, force: true });
});

describe('edits of table-backed checks name their source', () => {
  it('an NCCI PTP edit carries the pair row, its dates, indicator and release', () => {
    const result = scrubber.scrubClaim(withLines((lines) => (lines[0]!.procedureCode = '20610')));
    const edit = result.edits.find((e) => e.code === 'ncci-ptp-column2-code');
    expect(edit?.message).toBe('36415 is the column 2 code of the NCCI edit 20610/36415 with line 1 on the same date, and neither line has an NCCI-associated modifier (modifier indicator 1).');
    expect(edit?.sources).toEqual([
      {
        table: 'ncci-ptp',
        program: 'medicare',
        release: 'medicare-2026q1-excerpt',
        effective: '2026-01-01',
        row: { column1: '20610', column2: '36415', effective: '2002-01-01', deleted: null, modifierIndicator: 1, rationale: 'Misuse of column two code with column one code' },
      },
    ]);
    expect(edit?.rule).toEqual({ id: 'ncci-ptp-column2-code', version: 1 });
  });

  it('an MUE edit carries the value, indicator and release', () => {
    const result = scrubber.scrubClaim(withLines((lines) => (lines[1]!.units = 3)));
    const edit = result.edits.find((e) => e.code === 'mue-units-exceeded');
    expect(edit?.message).toBe('36415 has 3 units on this date of service (all its lines on this claim); its MUE is 2 (adjudication indicator 3).');
    expect(edit?.sources?.[0]).toMatchObject({ table: 'mue', program: 'medicare', release: 'medicare-2026q1-excerpt', row: { code: '36415', value: 2, indicator: 3 } });
  });

  it('an ICD-10-CM edit names the release it was checked against', () => {
    const claim = structuredClone(office);
    claim.diagnoses = [{ code: 'E11' }, { code: 'I10' }];
    const edit = scrubber.scrubClaim(claim).edits.find((e) => e.code === 'diagnosis-code-not-billable');
    expect(edit?.sources).toEqual([{ table: 'icd10cm', release: 'fy2026-excerpt', effective: '2025-10-01' }]);
  });

  it('rule edits without reference data carry no sources', () => {
    const claim = withLines((lines) => (lines[1]!.units = 0));
    const edit = scrubber.scrubClaim(claim).edits.find((e) => e.code === 'units-not-positive');
    expect(edit).toBeDefined();
    expect(edit).not.toHaveProperty('sources');
  });
});

describe('the payer policy decides whose NCCI tables apply', () => {
  it('a payer with program none gets no PTP or MUE edits, and no data gap for them', () => {
    const claim = withLines((lines) => {
      lines[0]!.procedureCode = '20610';
      lines[1]!.units = 3;
    }, 'NONCCI');
    const result = scrubber.scrubClaim(claim);
    expect(result.payerPolicy).toBe('no-ncci');
    expect(result.edits.map((e) => e.code)).toEqual([]);
    expect(result.dataMissing).toBeUndefined();
  });
});

describe('payer-specific modifier rules run only where the policy turns them on', () => {
  it('59 is an edit for Acme (X modifiers preferred) and not for the base set or Medicare', async () => {
    const bundled = await createScrubber(undefined, { submissionDate: null });
    const codes = (payerId: string, indicator: string) => {
      const claim = withLines((lines) => (lines[1]!.modifiers = ['59']), payerId);
      claim.payer.claimFilingIndicator = indicator;
      return bundled.scrubClaim(claim).edits.map((edit) => edit.code);
    };
    expect(codes('ACME1', 'CI')).toContain('modifier-59-where-x-preferred');
    expect(codes('BLUE1', 'BL')).not.toContain('modifier-59-where-x-preferred');
    expect(codes('MCRB1', 'MB')).not.toContain('modifier-59-where-x-preferred');
  });
});
