import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { EFFECTIVE_2025, EFFECTIVE_2026, ORDER_2025, ORDER_2026, crlf, put, row, temporaryDir } from './helpers.js';

const work = temporaryDir('data-cli');
afterAll(work.cleanup);

let dirs = 0;
function dataDir(): string {
  return path.join(work.dir, `data${++dirs}`);
}

function importFixture(dir: string, file: string, release: string, effective: string, ...extra: string[]) {
  return runCli(['data', 'import', 'icd10cm', file, ...extra, '--release', release, '--effective', effective, '--data', dir]);
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('claimscrub data: help and usage', () => {
  it('prints the data help and each command help, exit 0', () => {
    const help = runCli(['data', '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: claimscrub data <command>/);
    expect(help.stdout).toMatch(/import KIND FILE\.\.\. --release NAME --effective YYYY-MM-DD \[--program P\]/);
    expect(help.stdout).toMatch(/status/);
    const importHelp = runCli(['data', 'import', '--help']);
    expect(importHelp.status).toBe(0);
    expect(importHelp.stdout).toMatch(/--release NAME/);
    expect(importHelp.stdout).toMatch(/--effective YYYY-MM-DD/);
    expect(importHelp.stdout).toMatch(/--force/);
    for (const kind of ['icd10cm ORDER_FILE [TABULAR_XML]', 'ncci-ptp PART_FILE...', 'mue MUE_CSV', 'hcpcs HCPC_ANWEB_TXT']) expect(importHelp.stdout).toContain(kind);
    expect(importHelp.stdout).toMatch(/--program P\s+medicare or medicaid/);
    const statusHelp = runCli(['data', 'status', '-h']);
    expect(statusHelp.status).toBe(0);
    expect(statusHelp.stdout).toMatch(/--format text\|json/);
  });

  it('the top-level help names the data command', () => {
    expect(runCli(['--help']).stdout).toMatch(/data <command>/);
  });

  it('refuses a missing or unknown command, exit 2', () => {
    const none = runCli(['data']);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/\[SCRUB_ERR_USAGE\]/);
    const unknown = runCli(['data', 'frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate" \[SCRUB_ERR_USAGE\]/);
  });

  it('refuses bad import arguments, exit 2, before touching the data directory', () => {
    const dir = dataDir();
    const cases: [string[], RegExp][] = [
      [['data', 'import'], /name the kind of data/],
      [['data', 'import', 'rxnorm', ORDER_2025, '--release', 'x', '--effective', '2025-10-01'], /unknown kind of reference data "rxnorm" \(known: icd10cm, ncci-ptp, mue, hcpcs, pfs\)/],
      [['data', 'import', 'icd10cm', '--release', 'x', '--effective', '2025-10-01'], /name the ICD-10-CM file\(s\) to import: icd10cm ORDER_FILE/],
      [['data', 'import', 'icd10cm', ORDER_2025, '--effective', '2025-10-01'], /--release NAME is required/],
      [['data', 'import', 'icd10cm', ORDER_2025, '--release', '../up', '--effective', '2025-10-01'], /--release: the release name "\.\.\/up" must be lower-case letters and digits/],
      [['data', 'import', 'icd10cm', ORDER_2025, '--release', 'a/b', '--effective', '2025-10-01'], /--release: the release name "a\/b"/],
      [['data', 'import', 'icd10cm', ORDER_2025, '--release', 'x'], /--effective YYYY-MM-DD is required/],
      [['data', 'import', 'icd10cm', ORDER_2025, '--release', 'x', '--effective', '2025-02-29'], /--effective must be a real date written YYYY-MM-DD, not "2025-02-29"/],
      [['data', 'import', 'icd10cm', ORDER_2025, '--release', 'x', '--effective', '10/01/2025'], /--effective must be a real date/],
      [['data', 'import', 'icd10cm', ORDER_2025, 'a.xml', 'b', '--release', 'x', '--effective', '2025-10-01'], /too many arguments: b/],
      [['data', 'import', 'icd10cm', ORDER_2025, '--release', 'x', '--effective', '2025-10-01', '--bogus'], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const result = runCli([...args, '--data', dir]);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr, args.join(' ')).toMatch(/\[SCRUB_ERR_USAGE\]/);
    }
    expect(existsSync(dir)).toBe(false);
  });
});

describe('claimscrub data import', () => {
  it('imports an order file and says what it imported', () => {
    const dir = dataDir();
    const result = importFixture(dir, ORDER_2025, '2025', EFFECTIVE_2025);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(`Imported icd10cm release 2025 (effective 2024-10-01) into ${path.join(dir, 'icd10cm', '2025')}`);
    expect(result.stdout).toMatch(/counts\s+39 codes: 24 billable, 15 headers/);
    expect(result.stdout).toContain(`order-2025-excerpt.txt (${readFileSync(ORDER_2025).length.toLocaleString('en-US')} bytes, sha256 ${sha256(ORDER_2025)})`);
    expect(result.stdout).toMatch(/covers\s+dates of service 2024-10-01 to 2025-09-30/); // FY2025 ends September 30
    expect(existsSync(path.join(dir, 'icd10cm', '2025', 'manifest.json'))).toBe(true);

    const next = importFixture(dir, ORDER_2026, '2026', EFFECTIVE_2026);
    expect(next.status).toBe(0);
    expect(next.stdout).toMatch(/before\s+2025 now covers 2024-10-01 to 2025-09-30/);
  });

  it('imports the tabular XML of the release with its order file: Excludes1 and code-first notes', () => {
    const dir = dataDir();
    const xml = path.join(ROOT, 'fixtures/data/icd10cm/tabular-2026-excerpt.xml');
    const result = importFixture(dir, ORDER_2026, '2026', EFFECTIVE_2026, xml);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'icd10cm', '2026', 'manifest.json'), 'utf8'));
    expect(manifest.sourceFiles.map((f: { name: string }) => f.name)).toEqual(['order-2026-excerpt.txt', 'tabular-2026-excerpt.xml']);
    expect(manifest.tables).toEqual(['codes.txt', 'notes.txt']);
    expect(manifest.counts.excludes1Notes).toBeGreaterThan(0);
    expect(manifest.counts.manifestations).toBeGreaterThan(0);
    expect(runCli(['data', 'status', '--check', '--data', dir]).status).toBe(0);

    const missing = importFixture(dataDir(), ORDER_2026, '2026', EFFECTIVE_2026, path.join(work.dir, 'nope.xml'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nope\.xml: cannot read the tabular list \(ENOENT\) \[SCRUB_ERR_INPUT_UNREADABLE\]/);
  });

  it('refuses malformed rows: every problem as file:line:column, exit 2, nothing imported', () => {
    const dir = dataDir();
    const file = path.join(work.dir, 'icd10cm_order_bad.txt');
    writeFileSync(file, crlf([row(1, 'E11', false), row(2, 'E119', true), row(3, 'E11.9', true), put(row(4, 'I10', true), 15, '7'), row(5, 'E119', true), 'garbage']));
    const result = importFixture(dir, file, 'bad', '2025-10-01');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`claimscrub data import: ${file}: 7 problems in the ICD-10-CM order file; nothing was imported [SCRUB_ERR_DATA_INVALID]`);
    expect(lines.slice(1).map((line) => line.slice(0, line.indexOf(': ', file.length + 1)))).toEqual([
      `${file}:3:10`,
      `${file}:4:15`,
      `${file}:5:7`,
      `${file}:6:1`,
      `${file}:6:6`,
      `${file}:6:7`,
      `${file}:6:8`,
    ]);
    expect(lines[7]).toMatch(/:6:8: the line ends at column 7: a row runs at least to column 78/);
    expect(lines[1]).toMatch(/:3:10: the code "E11\.9" must be written without its dot$/);
    expect(lines[3]).toMatch(/:5:7: duplicate code E119: it is on line 2 already$/);
    expect(existsSync(path.join(dir, 'icd10cm', 'bad'))).toBe(false);
  });

  it('reports an order file that cannot be read, exit 2', () => {
    const result = importFixture(dataDir(), path.join(work.dir, 'missing.txt'), 'x', '2025-10-01');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/missing\.txt: cannot read the order file \(ENOENT\) \[SCRUB_ERR_INPUT_UNREADABLE\]/);
  });

  it('refuses to replace a release without --force, and a second release on the same date', () => {
    const dir = dataDir();
    expect(importFixture(dir, ORDER_2025, '2025', EFFECTIVE_2025).status).toBe(0);
    const again = importFixture(dir, ORDER_2025, '2025', EFFECTIVE_2025);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/icd10cm release 2025 is installed already .*use --force to replace it \[SCRUB_ERR_DATA_CONFLICT\]/);
    const forced = importFixture(dir, ORDER_2025, '2025', EFFECTIVE_2025, '--force');
    expect(forced.status).toBe(0);
    expect(forced.stdout).toMatch(/replaced\s+the release of the same name/);
    const sameDate = importFixture(dir, ORDER_2026, 'fy2025-copy', EFFECTIVE_2025, '--force');
    expect(sameDate.status).toBe(2);
    expect(sameDate.stderr).toMatch(/release 2025 takes effect on 2024-10-01 already.*\[SCRUB_ERR_DATA_CONFLICT\]/);
  });
});

describe('claimscrub data status', () => {
  const dir = dataDir();
  beforeAll(() => {
    expect(importFixture(dir, ORDER_2026, '2026', EFFECTIVE_2026).status).toBe(0);
    expect(importFixture(dir, ORDER_2025, '2025', EFFECTIVE_2025).status).toBe(0);
  });

  it('lists each release with its dates, coverage, counts and source hash (text)', () => {
    const result = runCli(['data', 'status', '--data', dir]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const text = result.stdout;
    expect(text).toMatch(`Reference data in ${dir}`);
    const [first, second] = text.split(/\n\n/).slice(1);
    expect(first).toMatch(/^icd10cm 2025\n/);
    expect(first).toMatch(/effective 2024-10-01/);
    expect(first).toMatch(/until\s+2025-10-01/);
    expect(first).toMatch(/covers\s+dates of service 2024-10-01 to 2025-09-30/);
    expect(first).toMatch(/counts\s+39 codes: 24 billable, 15 headers/);
    expect(first).toContain(`sha256 ${sha256(ORDER_2025)}`);
    expect(second).toMatch(/^icd10cm 2026\n/);
    expect(second).toMatch(/until\s+2026-10-01/);
    expect(second).toMatch(/covers\s+dates of service 2025-10-01 to 2026-09-30/);
    expect(second).toMatch(/counts\s+40 codes: 24 billable, 16 headers/);
  });

  it('writes the same as JSON', () => {
    const result = runCli(['data', 'status', '--data', dir, '--format', 'json']);
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.dataDir).toBe(dir);
    expect(report.problems).toEqual([]);
    expect(report.releases).toEqual([
      expect.objectContaining({
        kind: 'icd10cm',
        release: '2025',
        effective: '2024-10-01',
        until: '2025-10-01',
        covers: { from: '2024-10-01', to: '2025-09-30', text: '2024-10-01 to 2025-09-30' },
        counts: { codes: 39, billable: 24, headers: 15 },
        sourceFiles: [{ name: 'order-2025-excerpt.txt', sha256: sha256(ORDER_2025), bytes: readFileSync(ORDER_2025).length }],
        tables: ['codes.txt'],
        dir: path.join(dir, 'icd10cm', '2025'),
      }),
      expect.objectContaining({ release: '2026', effective: '2025-10-01', until: '2026-10-01', covers: { from: '2025-10-01', to: '2026-09-30', text: '2025-10-01 to 2026-09-30' } }),
    ]);
  });

  it('--check loads every table', () => {
    const result = runCli(['data', 'status', '--data', dir, '--check']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Checked: every table loaded and matches its manifest/);
    const json = JSON.parse(runCli(['data', 'status', '--data', dir, '--check', '--format', 'json']).stdout);
    expect(json.check.loadMs).toBeGreaterThanOrEqual(0);
  });

  it('says so when there is no data, exit 0', () => {
    const result = runCli(['data', 'status', '--data', path.join(work.dir, 'empty')]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/No reference data in .*empty\./);
    const json = JSON.parse(runCli(['data', 'status', '--data', path.join(work.dir, 'empty'), '--format', 'json']).stdout);
    expect(json).toEqual({ dataDir: path.join(work.dir, 'empty'), releases: [], problems: [] });
  });

  it('reports a broken manifest with the good releases, exit 2', () => {
    const broken = dataDir();
    importFixture(broken, ORDER_2025, '2025', EFFECTIVE_2025);
    mkdirSync(path.join(broken, 'icd10cm', 'half'), { recursive: true });
    writeFileSync(path.join(broken, 'icd10cm', 'half', 'manifest.json'), 'not json');
    const result = runCli(['data', 'status', '--data', broken]);
    expect(result.status).toBe(2);
    expect(result.stdout).toMatch(/icd10cm 2025/);
    expect(result.stderr).toMatch(/1 problem in the data directory .* \[SCRUB_ERR_DATA_INVALID\]/);
    expect(result.stderr).toContain(`${path.join(broken, 'icd10cm', 'half', 'manifest.json')}: the manifest is not valid JSON`);
    const json = runCli(['data', 'status', '--data', broken, '--format', 'json']);
    expect(json.status).toBe(2);
    expect(JSON.parse(json.stdout).problems).toEqual([{ file: path.join(broken, 'icd10cm', 'half', 'manifest.json'), message: expect.stringMatching(/not valid JSON/) }]);
  });

  it('refuses a bad format or a stray argument, exit 2', () => {
    expect(runCli(['data', 'status', '--format', 'yaml']).stderr).toMatch(/--format must be text or json, not "yaml" \[SCRUB_ERR_USAGE\]/);
    expect(runCli(['data', 'status', 'icd10cm']).status).toBe(2);
  });
});
