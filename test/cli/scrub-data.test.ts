import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScrubber } from '../../engine/index.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { createTestDataDir } from '../helpers/reference-data.js';

const office = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/claims/office-visit.json'), 'utf8'));
// Each claim is for its own member: these claims are about dates and releases, not duplicates.
const onDate = (claim: typeof office, id: string, date: string, codes: string[]) => ({
  ...claim,
  id,
  subscriber: { ...claim.subscriber, memberId: `XBL-${id}` },
  diagnoses: codes.map((code) => ({ code })),
  serviceLines: claim.serviceLines.map((line: object) => ({ ...line, serviceDate: date })),
});
const claims = [
  onDate(office, 'FY26-OK', '2026-03-02', ['E11.9', 'I10']),
  onDate(office, 'FY26-HEADER', '2026-03-02', ['E11', 'I10']),
  onDate(office, 'FY25-NEW-CODE', '2025-09-30', ['R10.A1', 'I10']),
  onDate(office, 'BEFORE-ANY-RELEASE', '2024-09-30', ['E11.9', 'I10']),
];

let data: Awaited<ReturnType<typeof createTestDataDir>>;
let input: string;
beforeAll(async () => {
  data = await createTestDataDir('icd10cm');
  input = path.join(data.dir, 'claims.ndjson');
  writeFileSync(input, claims.map((claim) => JSON.stringify(claim)).join('\n'));
});
afterAll(() => data.remove());

describe('scrubbing with reference data', () => {
  it('checks each claim against the release in effect on its dates and skips dates no release covers', () => {
    const run = runCli(['scrub', input, '--data', data.dir, '--format', 'json', '--submission-date', 'none']);
    const report = JSON.parse(run.stdout);
    const byId = Object.fromEntries(report.results.map((r: { claimId: string }) => [r.claimId, r]));
    expect(byId['FY26-OK'].edits).toEqual([]);
    expect(byId['FY26-HEADER'].edits.map((e: { code: string }) => e.code)).toEqual(['diagnosis-code-not-billable']);
    expect(byId['FY25-NEW-CODE'].edits.map((e: { code: string }) => e.code)).toEqual(['diagnosis-code-not-in-icd10cm']);
    expect(byId['FY25-NEW-CODE'].edits[0].message).toContain('fy2025-excerpt (effective 2024-10-01)');
    // Only ICD-10-CM is installed here: tables with no release at all are skipped for every claim.
    expect(byId['BEFORE-ANY-RELEASE']).toMatchObject({ status: 'clean', edits: [], dataMissing: ['icd10cm', 'mue medicare', 'ncci-ptp medicare', 'pfs'] });
    // No HCPCS Level II code on these claims: that table was not needed.
    expect(byId['FY26-OK'].dataMissing).toEqual(['mue medicare', 'ncci-ptp medicare', 'pfs']);
    expect(report.summary.dataMissing).toContainEqual({ key: 'icd10cm', count: 1 });
    expect(report.summary.dataMissing).toContainEqual({ key: 'mue medicare', count: 4 });
    expect(report.data.map((r: { release: string; effective: string; until?: string }) => [r.release, r.effective, r.until])).toEqual([
      ['fy2025-excerpt', '2024-10-01', '2025-10-01'],
      ['fy2026-excerpt', '2025-10-01', '2026-10-01'],
    ]);
    expect(report.data[0].sourceFiles[0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('holds claims checked with less than the full data under --require-data', () => {
    const report = JSON.parse(runCli(['scrub', input, '--data', data.dir, '--format', 'json', '--submission-date', 'none', '--require-data']).stdout);
    const before = report.results.find((r: { claimId: string }) => r.claimId === 'BEFORE-ANY-RELEASE');
    expect(before.status).toBe('held');
    expect(before.edits.map((e: { code: string }) => e.code)).toEqual(['data-missing']);
  });

  it('says once, in the summary, which checks were skipped', () => {
    const run = runCli(['scrub', input, '--data', data.dir, '--fail-on', 'never']);
    const lines = run.stdout.split('\n').filter((line) => line.includes('not checked, no installed release covers'));
    // One line per table, whatever the number of claims.
    expect(lines.map((line) => line.trim().split(':')[0]).sort()).toEqual(['icd10cm', 'icd10cm tabular notes', 'mue medicare', 'ncci-ptp medicare', 'pfs']);
    expect(run.stdout).toContain('icd10cm: 1 claim not checked');
  });

  it('refuses a data directory with a broken release, exit 2', () => {
    const broken = path.join(data.dir, 'broken');
    mkdirSync(path.join(broken, 'icd10cm', 'bad'), { recursive: true });
    writeFileSync(path.join(broken, 'icd10cm', 'bad', 'manifest.json'), '{ not json');
    const run = runCli(['scrub', input, '--data', broken]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('SCRUB_ERR_DATA_INVALID');
  });

  it('gives the library the same results as the CLI', async () => {
    const scrubber = await createScrubber(undefined, { dataDir: data.dir, submissionDate: null });
    const cli = JSON.parse(runCli(['scrub', input, '--data', data.dir, '--format', 'json', '--submission-date', 'none', '--threads', '2']).stdout);
    expect(claims.map((claim, i) => scrubber.scrubClaim(claim, { file: input, line: i + 1 }))).toEqual(cli.results);
  });
});
