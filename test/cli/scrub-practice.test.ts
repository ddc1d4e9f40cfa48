import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';

// The practice files end to end: the built CLI, its workers loading the files, the report.
const work = mkdtempSync(path.join(tmpdir(), 'claimscrub-practice-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const COVERAGE = path.join(ROOT, 'fixtures/practice/coverage.csv');
const AUTHORIZATIONS = path.join(ROOT, 'fixtures/practice/authorizations.csv');
const ENROLMENT = path.join(ROOT, 'fixtures/practice/enrolment.csv');
const PRACTICE_FLAGS = ['--coverage', COVERAGE, '--authorizations', AUTHORIZATIONS, '--enrolment', ENROLMENT];
const PRACTICE_RULES = new Set([
  'member-not-in-coverage-file',
  'service-before-coverage',
  'service-after-coverage-ended',
  'service-in-coverage-lapse',
  'prior-auth-number-unknown',
  'prior-auth-outside-window',
  'prior-auth-code-not-covered',
  'prior-auth-units-exceeded',
  'prior-auth-number-not-on-claim',
  'rendering-provider-not-enrolled',
]);

type Claim = Record<string, any>;
const fixture = (name: string): Claim => JSON.parse(readFileSync(path.join(ROOT, 'fixtures/claims', `${name}.json`), 'utf8'));

/** Fixture claims, each changed one way, with the practice edits it must get (in edit order). */
const VARIANTS: { name: string; change: (claim: Claim) => void; expected: string[] }[] = [
  { name: 'office-visit', change: () => {}, expected: [] },
  { name: 'imaging', change: () => {}, expected: [] },
  { name: 'hmo-visit', change: (claim) => (claim.serviceLines[0].serviceDate = '2040-01-01'), expected: [] },
  { name: 'office-visit', change: (claim) => (claim.serviceLines[1].serviceDate = '2026-04-15'), expected: ['service-in-coverage-lapse'] },
  { name: 'office-visit', change: (claim) => (claim.subscriber.memberId = 'XBL100200399'), expected: ['member-not-in-coverage-file'] },
  { name: 'imaging', change: (claim) => (claim.serviceLines[0].serviceDate = '2026-10-01'), expected: ['service-after-coverage-ended', 'prior-auth-outside-window'] },
  { name: 'imaging', change: (claim) => (claim.serviceLines[0].units = 3), expected: ['prior-auth-units-exceeded'] },
  { name: 'imaging', change: (claim) => (claim.priorAuthorization = 'PA20260401Y'), expected: ['prior-auth-number-unknown'] },
  { name: 'imaging', change: (claim) => (claim.serviceLines[0].procedureCode = '70551'), expected: ['prior-auth-code-not-covered'] },
  { name: 'imaging', change: (claim) => delete claim.priorAuthorization, expected: ['prior-auth-number-not-on-claim'] },
  { name: 'psychotherapy', change: (claim) => (claim.serviceLines[0].serviceDate = '2026-02-01'), expected: [] },
  { name: 'psychotherapy', change: (claim) => delete claim.renderingProvider, expected: ['rendering-provider-not-enrolled'] },
];

// 1,200 claims: more than two chunks of 500, so that --threads 2 spreads them over both workers.
const claims = Array.from({ length: 1200 }, (_, index) => {
  const variant = VARIANTS[index % VARIANTS.length] as (typeof VARIANTS)[number];
  const claim = fixture(variant.name);
  variant.change(claim);
  claim.id = `PCN-PRACTICE-${index}`;
  return claim;
});
const input = path.join(work, 'claims.ndjson');
writeFileSync(input, `${claims.map((claim) => JSON.stringify(claim)).join('\n')}\n`);

interface Report {
  results: { claimId: string; edits: { code: string; serviceLine?: number }[] }[];
  summary: unknown;
}

function practiceCodes(report: Report): string[][] {
  return report.results.map((result) => result.edits.map((edit) => edit.code).filter((code) => PRACTICE_RULES.has(code)));
}

// The variants repeat for one member, so each claim is checked alone here; the batch's count of
// authorization units has its own test below.
function scrub(args: string[], batch: 'alone' | 'batch' = 'alone') {
  return runCli(['scrub', input, '--format', 'json', '--submission-date', 'none', '--fail-on', 'never', ...(batch === 'alone' ? ['--no-batch-checks'] : []), ...args]);
}

describe('claimscrub scrub with practice files', () => {
  const oneThread = scrub([...PRACTICE_FLAGS, '--threads', '1']);
  const twoThreads = scrub([...PRACTICE_FLAGS, '--threads', '2']);

  it('checks every claim against the files', () => {
    expect(oneThread.stderr).toBe('');
    expect(oneThread.status).toBe(0);
    const report = JSON.parse(oneThread.stdout) as Report;
    expect(practiceCodes(report)).toEqual(claims.map((_, index) => (VARIANTS[index % VARIANTS.length] as (typeof VARIANTS)[number]).expected));
  });

  it('gives the same report with two worker threads as with one', () => {
    expect(twoThreads.status).toBe(0);
    expect(twoThreads.stderr).toBe('');
    const one = JSON.parse(oneThread.stdout) as Report;
    const two = JSON.parse(twoThreads.stdout) as Report;
    expect(two.results).toEqual(one.results);
    expect(two.summary).toEqual(one.summary);
  });

  it('counts the authorization units earlier claims of the batch billed', () => {
    const report = JSON.parse(scrub([...PRACTICE_FLAGS, '--threads', '2'], 'batch').stdout) as Report;
    const codes = practiceCodes(report);
    // Claim 1 (imaging, 1 unit of 2) is the first to use PA20260401X; claim 6 bills 3 more, so claim 13 finds none left.
    expect(codes[1]).toEqual([]);
    expect(codes[6]).toEqual(['prior-auth-units-exceeded']);
    expect(codes[13]).toEqual(['prior-auth-units-exceeded']);
    expect(report.results[13]?.edits.find((edit) => edit.code === 'prior-auth-units-exceeded')).toBeDefined();
  });

  it('checks nothing against files it was not given', () => {
    const report = JSON.parse(scrub(['--threads', '1']).stdout) as Report;
    expect(practiceCodes(report).flat()).toEqual([]);
    const coverageOnly = JSON.parse(scrub(['--threads', '1', '--coverage', COVERAGE]).stdout) as Report;
    expect(new Set(practiceCodes(coverageOnly).flat())).toEqual(new Set(['service-in-coverage-lapse', 'member-not-in-coverage-file', 'service-after-coverage-ended']));
  });

  it('takes --enrollment for --enrolment, but not both', () => {
    const spelled = scrub(['--threads', '1', '--enrollment', ENROLMENT]);
    expect(new Set(practiceCodes(JSON.parse(spelled.stdout) as Report).flat())).toEqual(new Set(['rendering-provider-not-enrolled']));
    const both = scrub(['--enrollment', ENROLMENT, '--enrolment', ENROLMENT]);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('[SCRUB_ERR_USAGE]');
  });

  it('logs the row counts of the files, never their content', () => {
    const logged = scrub([...PRACTICE_FLAGS, '--threads', '1', '--log-level', 'info']);
    const record = logged.stderr
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { msg: string; practiceFiles?: unknown })
      .find((entry) => entry.msg === 'practice files loaded');
    expect(record?.practiceFiles).toEqual([
      { kind: 'coverage', rows: 6 },
      { kind: 'authorizations', rows: 3 },
      { kind: 'enrolment', rows: 4 },
    ]);
    expect(logged.stderr).not.toMatch(/ACM000654321|XBL100200300|PA20260401X/);
  });

  it('lists the options in its help', () => {
    const help = runCli(['scrub', '--help']).stdout;
    for (const option of ['--coverage FILE', '--authorizations FILE', '--enrolment FILE']) expect(help).toContain(option);
  });
});

describe('claimscrub scrub with a practice file it cannot use', () => {
  it('refuses the run (exit 2) naming file, line and column of every bad row, and scrubs nothing', () => {
    const coverage = path.join(work, 'bad-coverage.csv');
    writeFileSync(coverage, 'payerId,memberId,start,end\nACME1,ACM000654321,2026-01-01,\nBLUE1,SECRET 9911,2026-02-30,\n');
    const authorizations = path.join(work, 'bad-authorizations.csv');
    writeFileSync(authorizations, 'number,payerId,memberId,procedureCodes,start,end,units\nA1,ACME1,M1,97110,2026-01-01,,lots\n');
    const result = scrub(['--coverage', coverage, '--authorizations', authorizations, '--enrolment', ENROLMENT, '--log-level', 'error']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n');
    expect(lines[0]).toBe(
      `claimscrub: The practice files ${coverage}, ${authorizations} cannot be used: 3 problems, listed below. Nothing was scrubbed: fix them and run again. [SCRUB_ERR_PRACTICE_FILE_INVALID]`,
    );
    expect(lines.slice(1, 4)).toEqual([
      `  ${coverage}:3:7: \`memberId\` must be an id of letters, digits or punctuation, without spaces.`,
      `  ${coverage}:3:19: \`start\` must be a date written YYYY-MM-DD.`,
      `  ${authorizations}:2:31: \`units\` must be a whole number.`,
    ]);
    expect(result.stderr).not.toContain('SECRET');
    const log = lines.slice(4).filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as { msg: string; code: string; problems: number });
    expect(log).toEqual([expect.objectContaining({ msg: 'practice files refused', code: 'SCRUB_ERR_PRACTICE_FILE_INVALID', problems: 3 })]);
  });

  it('refuses a file that does not exist (exit 2)', () => {
    const missing = path.join(work, 'no-such-enrolment.csv');
    const result = scrub(['--enrolment', missing, '--log-level', 'silent']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`claimscrub: ${missing}: cannot read the enrolment file (ENOENT) [SCRUB_ERR_INPUT_UNREADABLE]\n`);
  });
});
