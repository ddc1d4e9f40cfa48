import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLED_RULE_PACK, createScrubber, runBatch, loadRulePack, ENGINE } from '../../engine/index.js';
import type { ScrubResult } from '../../engine/model/index.js';
import { SUBMISSION_DATE } from '../../fixtures/generator/catalog.js';
import { ROOT, SAMPLE, runCli } from '../helpers/cli.js';

const office = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/claims/office-visit.json'), 'utf8'));
const pack = await loadRulePack(BUNDLED_RULE_PACK);
const dir = await mkdtemp(path.join(os.tmpdir(), 'claimscrub-cross-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A batch where claim 1 repeats claim 0 and claim 3 repeats the venipuncture of claim 0; the rest are other patients. */
function batchLines(): string[] {
  const claims: unknown[] = [];
  for (let i = 0; i < 10; i++) claims.push({ ...structuredClone(office), id: `PCN-${i}`, subscriber: { ...office.subscriber, memberId: `XBL10020${String(i).padStart(4, '0')}` } });
  claims[1] = { ...structuredClone(claims[0] as object), id: 'PCN-1' };
  const partial = structuredClone(claims[0]) as typeof office;
  partial.id = 'PCN-3';
  partial.serviceLines[0].procedureCode = '99213';
  claims[3] = partial;
  return claims.map((claim) => JSON.stringify(claim));
}

async function scrubWithRunBatch(file: string, batchChecks: boolean): Promise<ScrubResult[]> {
  const output = new PassThrough();
  let text = '';
  output.on('data', (piece: Buffer) => (text += piece.toString()));
  await runBatch({ inputs: [file], pack, format: 'ndjson', output, threads: 1, engine: ENGINE, submissionDate: SUBMISSION_DATE, chunk: { claimsPerChunk: 2 }, batchChecks });
  return text.trim().split('\n').slice(0, -1).map((line) => JSON.parse(line) as ScrubResult);
}

const codesOf = (result: ScrubResult | undefined) => (result?.edits ?? []).map((edit) => edit.code);

describe('cross-claim checks in a batch', () => {
  it('finds a duplicate claim and a duplicate line on claims in other chunks, and nothing else', async () => {
    const file = path.join(dir, 'batch.ndjson');
    await writeFile(file, `${batchLines().join('\n')}\n`);
    const results = await scrubWithRunBatch(file, true);
    expect(results).toHaveLength(10);
    expect(results.map((result) => result.claimId)).toEqual(Array.from({ length: 10 }, (_, i) => `PCN-${i}`));
    expect(codesOf(results[1])).toEqual(['duplicate-claim']);
    expect(results[1]?.edits[0]?.message).toContain(`${file} line 1`);
    expect(codesOf(results[3])).toEqual(['duplicate-line']);
    expect(results[3]?.edits[0]?.serviceLine).toBe(2);
    for (const index of [0, 2, 4, 5, 6, 7, 8, 9]) expect(codesOf(results[index])).toEqual([]);
  });

  it('checks each claim alone with batchChecks off', async () => {
    const file = path.join(dir, 'batch-off.ndjson');
    await writeFile(file, `${batchLines().join('\n')}\n`);
    const results = await scrubWithRunBatch(file, false);
    expect(results.flatMap(codesOf)).toEqual([]);
  });

  it('gives the library the same results with scrubClaims', async () => {
    const scrubber = await createScrubber(undefined, { submissionDate: SUBMISSION_DATE });
    const results = scrubber.scrubClaims(batchLines().map((line) => JSON.parse(line)), 'memory');
    expect(results.map(codesOf)).toEqual([[], ['duplicate-claim'], [], ['duplicate-line'], [], [], [], [], [], []]);
  });

  it('reads standard input twice through a spooled copy, with worker threads', () => {
    const input = `${batchLines().join('\n')}\n`;
    const run = runCli(['scrub', '--format', 'json', '--threads', '2', '--submission-date', SUBMISSION_DATE, '--fail-on', 'never'], input);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.batchChecks).toBe(true);
    expect(report.results.map((result: ScrubResult) => codesOf(result))).toEqual([[], ['duplicate-claim'], [], ['duplicate-line'], [], [], [], [], [], []]);
    expect(report.results[1].edits[0].message).toContain('<stdin> line 1');
  });

  it('gives the same results on the sample with 1 and 2 threads, and as the library scrubClaims', async () => {
    const one = JSON.parse(runCli(['scrub', SAMPLE, '--format', 'json', '--threads', '1', '--submission-date', SUBMISSION_DATE]).stdout);
    const two = JSON.parse(runCli(['scrub', SAMPLE, '--format', 'json', '--threads', '2', '--submission-date', SUBMISSION_DATE]).stdout);
    expect(two.results).toEqual(one.results);
    const scrubber = await createScrubber(undefined, { submissionDate: SUBMISSION_DATE });
    const claims = readFileSync(SAMPLE, 'utf8').split('\n').filter((line) => line.trim() !== '');
    const parsed = claims.map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        return undefined;
      }
    });
    const library = scrubber.scrubClaims(parsed, SAMPLE);
    const readable = one.results.filter((result: ScrubResult) => result.claimId !== null || !result.edits.some((edit) => edit.code === 'malformed-json'));
    expect(library.filter((_, index) => parsed[index] !== undefined).map((result) => result.edits)).toEqual(readable.map((result: ScrubResult) => result.edits));
  });
});
