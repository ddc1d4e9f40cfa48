import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { carc, codeList } from '../../engine/checks/lists.js';
import { loadRulePack } from '../../engine/rules/pack.js';
import { ROOT } from '../helpers/cli.js';

// Every rule names the denial it prevents as a claim adjustment reason code; the code must be one
// claimscrub has a label for (engine/data/lists/carc.yaml), so that a typo ("61" for "16") or a
// code nobody has looked up cannot reach a report.
const pack = await loadRulePack({ rulesDirs: [path.join(ROOT, 'rules')], payersDir: path.join(ROOT, 'payers') });

describe('claim adjustment reason codes of the bundled rules', () => {
  it('are all in the CARC list', () => {
    const missing = pack.rules
      .filter((rule) => carc(rule.definition.carc) === undefined)
      .map((rule) => `${rule.definition.id}: carc "${rule.definition.carc}" is not in ${codeList('carc').file}`);
    expect(missing).toEqual([]);
    expect(pack.rules.length).toBeGreaterThan(20);
  });
});
