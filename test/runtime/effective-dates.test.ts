import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledPack } from '../../engine/rules/bundle.js';
import { loadRulePack } from '../../engine/rules/pack.js';
import { runBundle } from '../../engine/runtime/scrub-claim.js';
import { ruleYaml, writeTree } from '../helpers/rule-trees.js';

// A rule applies to dates of service on or after `effective` and before `expires`: a line rule by
// the line's date, a claim rule by the claim's earliest date, and never when that date is unknown.
let root: string;
let pack: CompiledPack;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'claimscrub-dates-'));
  const always = ['  all:', '    - fact: claim', '      path: $.id', '      operator: isMissing', '      value: false'];
  const dir = await writeTree(
    root,
    {
      'coding/line-2026.yaml': ruleYaml({ id: 'line-2026', category: 'coding', scope: 'line', extra: ['effective: 2026-01-01', 'expires: 2027-01-01'], when: always, location: 'serviceLines[*].serviceDate', message: 'x' }),
      'coding/claim-from-2026-07.yaml': ruleYaml({ id: 'claim-from-2026-07', category: 'coding', scope: 'claim', extra: ['effective: 2026-07-01'], when: always, location: 'id', message: 'x' }),
      'coding/claim-until-2026.yaml': ruleYaml({ id: 'claim-until-2026', category: 'coding', scope: 'claim', extra: ['expires: 2026-01-01'], when: always, location: 'id', message: 'x' }),
      'coding/undated.yaml': ruleYaml({ id: 'undated', category: 'coding', scope: 'claim', when: always, location: 'id', message: 'x' }),
    },
    'rules-',
  );
  pack = new CompiledPack(await loadRulePack({ rulesDirs: [dir] }));
});
afterAll(() => rm(root, { recursive: true, force: true }));

function fired(...dates: (string | undefined)[]): string[] {
  const claim = { id: 'C1', serviceLines: dates.map((serviceDate) => (serviceDate === undefined ? {} : { serviceDate })) };
  return runBundle(pack.bundleForPolicy(undefined), claim).map((edit) => (edit.serviceLine ? `${edit.code}@${edit.serviceLine}` : edit.code));
}

describe('effective and expires dates', () => {
  it('match a line rule against each line date, end date excluded', () => {
    expect(fired('2025-12-31', '2026-01-01', '2026-12-31', '2027-01-01')).toEqual(['claim-until-2026', 'undated', 'line-2026@2', 'line-2026@3']);
  });

  it('match a claim rule against the earliest date of service', () => {
    expect(fired('2026-08-01', '2026-06-30')).toEqual(['undated', 'line-2026@1', 'line-2026@2']);
    expect(fired('2026-08-01', '2026-07-01')).toEqual(['claim-from-2026-07', 'undated', 'line-2026@1', 'line-2026@2']);
  });

  it('skip dated rules when the date of service is unknown or invalid', () => {
    expect(fired(undefined, '2026-02-30')).toEqual(['undated']);
  });
});
