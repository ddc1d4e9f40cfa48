import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateClaim } from '../../engine/model/index.js';
import { ROOT } from '../helpers/cli.js';

const fixture = (name: string) => JSON.parse(readFileSync(path.join(ROOT, 'fixtures/claims', `${name}.json`), 'utf8'));

describe('the claim model', () => {
  it('has TypeScript types generated from the current schema', () => {
    expect(() => execFileSync(process.execPath, ['scripts/generate-model-types.mjs', '--check'], { cwd: ROOT, stdio: 'pipe' })).not.toThrow();
  });

  it('accepts every fixture claim', () => {
    for (const name of ['office-visit', 'anesthesia', 'psychotherapy', 'imaging', 'hmo-visit', 'medicare-visit']) {
      expect(validateClaim(fixture(name)), name).toEqual([]);
    }
  });

  it('collects every issue, each with its path and the line it is on', () => {
    const claim = fixture('office-visit');
    delete claim.payer;
    claim.serviceLines[1].units = 'two';
    claim.serviceLines[0].modifiers = ['25', '59', 'XS', 'XU', 'GA'];
    claim.patient.dateofBirth = '1968-04-12';
    claim.patient.dateOfBirth = '1968-02-30';
    claim.diagnoses = [];
    const edits = validateClaim(claim);
    const byPath = Object.fromEntries(edits.map((edit) => [edit.path, edit]));
    expect(byPath.payer).toMatchObject({ code: 'missing-field', severity: 'error', category: 'structure' });
    expect(byPath['serviceLines[1].units']).toMatchObject({ code: 'wrong-type', serviceLine: 2 });
    expect(byPath['serviceLines[0].modifiers']).toMatchObject({ code: 'too-many-items', serviceLine: 1 });
    expect(byPath['patient.dateofBirth']).toMatchObject({ code: 'unknown-field', severity: 'warning' });
    expect(byPath['patient.dateOfBirth']).toMatchObject({ code: 'invalid-value' });
    expect(byPath.diagnoses).toMatchObject({ code: 'missing-field' });
    expect(byPath.payer?.serviceLine).toBeUndefined();
  });

  it('never quotes the offending value (claim fields can be PHI)', () => {
    const claim = fixture('office-visit');
    claim.subscriber.memberId = 12345;
    claim.patient.lastName = '';
    claim.patient.dateOfBirth = 'Nineteen-Sixty';
    const messages = validateClaim(claim).map((edit) => edit.message).join(' ');
    expect(messages).not.toContain('12345');
    expect(messages).not.toContain('Nineteen');
  });

  it('refuses what is not a claim object', () => {
    for (const value of [null, 3, 'claim', [fixture('office-visit')]]) {
      const edits = validateClaim(value);
      expect(edits).toHaveLength(1);
      expect(edits[0]).toMatchObject({ code: 'claim-not-an-object', severity: 'error', path: '' });
    }
  });
});
