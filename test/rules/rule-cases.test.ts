import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPracticeFiles } from '../../engine/data/practice/index.js';
import { CompiledPack } from '../../engine/rules/bundle.js';
import { loadRulePack } from '../../engine/rules/pack.js';
import { FixtureClaims, loadRuleTests, runRuleTestCase } from '../../engine/rules/rule-tester.js';
import { createTestDataDir } from '../helpers/reference-data.js';

// The generic runner for every rule's <id>.test.yaml (ESLint RuleTester style, Semgrep layout).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pack = await loadRulePack({ rulesDirs: [path.join(root, 'rules')], payersDir: path.join(root, 'payers') });
const { files, problems } = await loadRuleTests(pack);
const compiled = new CompiledPack(pack);
const fixtures = new FixtureClaims(path.join(root, 'fixtures'));
// Rules that check reference tables run against hand-written excerpts of the official files.
const testData = await createTestDataDir();
afterAll(() => testData.remove());
// Rules that check the practice's own files run against the synthetic ones in fixtures/practice.
const practice = (
  await loadPracticeFiles({
    coverage: path.join(root, 'fixtures/practice/coverage.csv'),
    authorizations: path.join(root, 'fixtures/practice/authorizations.csv'),
    enrolment: path.join(root, 'fixtures/practice/enrolment.csv'),
  })
).data;

describe('rule test files', () => {
  it('exist and are valid for every rule', () => {
    expect(problems.map((problem) => `${problem.position.file}: ${problem.message}`)).toEqual([]);
    expect(files.map((file) => file.ruleId).sort()).toEqual(pack.rules.map((rule) => rule.definition.id).sort());
  });
});

for (const file of files) {
  describe(file.ruleId, () => {
    for (const kind of ['valid', 'invalid'] as const) {
      for (const testCase of file[kind]) {
        it(`${kind}: ${testCase.name}`, async () => {
          const outcome = await runRuleTestCase(compiled, fixtures, file, kind, testCase, testData.data, practice);
          expect(outcome.failure ?? 'passed').toBe('passed');
        });
      }
    }
  });
}
