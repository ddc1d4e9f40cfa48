import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createScrubber } from '../../engine/index.js';
import { SUBMISSION_DATE } from '../../fixtures/generator/catalog.js';
import { SAMPLE, runCli } from '../helpers/cli.js';

describe('the library API', () => {
  it('gives the same results as the CLI on the sample batch', async () => {
    const scrubber = await createScrubber(undefined, { submissionDate: SUBMISSION_DATE });
    const results = [];
    for await (const result of scrubber.scrubStream(Readable.from([readFileSync(SAMPLE)]), SAMPLE, { claimsPerChunk: 97 })) results.push(result);
    const cli = JSON.parse(runCli(['scrub', SAMPLE, '--format', 'json', '--threads', '2', '--submission-date', SUBMISSION_DATE]).stdout);
    expect(results).toEqual(cli.results);
  });

  it('scrubs one claim object, including a malformed one, without throwing', async () => {
    const scrubber = await createScrubber(undefined, { submissionDate: SUBMISSION_DATE });
    for (const claim of [null, 42, 'text', [], {}, { serviceLines: 'none' }, { serviceLines: [null, 5, { modifiers: 'P1' }] }]) {
      const result = scrubber.scrubClaim(claim);
      expect(result.status).toBe('held');
      expect(result.edits.length).toBeGreaterThan(0);
      expect(result.edits.some((edit) => edit.category === 'structure')).toBe(true);
      expect(result.edits.map((edit) => edit.code)).not.toContain('rule-failed');
    }
  });

  it('still runs the rules on a claim that fails the schema', async () => {
    const scrubber = await createScrubber(undefined, { submissionDate: SUBMISSION_DATE });
    const claim = JSON.parse(readFileSync(new URL('../../fixtures/claims/office-visit.json', import.meta.url), 'utf8'));
    claim.serviceLines[0].units = 'one';
    delete claim.serviceLines[1].diagnosisPointers;
    const codes = scrubber.scrubClaim(claim).edits.map((edit) => edit.code);
    expect(codes).toEqual(['wrong-type', 'line-diagnosis-pointer-missing']);
  });
});
