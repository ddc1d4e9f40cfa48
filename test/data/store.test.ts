import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importRelease } from '../../engine/data/import-release.js';
import { ICD10CM_TABLE_FILE } from '../../engine/data/icd10cm/table.js';
import { DEFAULT_DATA_DIR, installRelease, listReleases, loadReferenceData, releaseNameProblem, type ReleaseContent } from '../../engine/data/store.js';
import { ScrubError } from '../../engine/errors.js';
import { ROOT } from '../helpers/cli.js';
import { EFFECTIVE_2025, EFFECTIVE_2026, ORDER_2025, ORDER_2026, crlf, row, temporaryDir } from './helpers.js';

const work = temporaryDir('store');
afterAll(work.cleanup);

let dirs = 0;
function dataDir(): string {
  return path.join(work.dir, `data${++dirs}`);
}

async function rejection(promise: Promise<unknown>): Promise<ScrubError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScrubError);
  return error as ScrubError;
}

const tiny: ReleaseContent = {
  kind: 'icd10cm',
  release: 'tiny',
  effective: '2025-10-01',
  sourceFiles: [{ name: 'x.txt', sha256: '0'.repeat(64), bytes: 1 }],
  counts: { codes: 2, billable: 1, headers: 1 },
  tables: { [ICD10CM_TABLE_FILE]: 'E11     0\nE119    1\n' },
};

describe('installing a release', () => {
  it('writes the table and a manifest with the source file hash, and nothing of the source', async () => {
    const dir = dataDir();
    const now = new Date('2025-11-01T12:00:00.000Z');
    const result = await importRelease({ kind: 'icd10cm', dataDir: dir, files: [ORDER_2025], release: '2025', effective: EFFECTIVE_2025, now });
    expect(result.dir).toBe(path.join(dir, 'icd10cm', '2025'));
    expect(result.replaced).toBe(false);
    expect(result.lines).toBe(39);
    expect(readdirSync(result.dir).sort()).toEqual([ICD10CM_TABLE_FILE, 'manifest.json']);
    expect(readdirSync(path.join(dir, 'icd10cm'))).toEqual(['2025']);
    const manifest = JSON.parse(readFileSync(path.join(result.dir, 'manifest.json'), 'utf8'));
    expect(manifest).toEqual({
      formatVersion: 1,
      kind: 'icd10cm',
      release: '2025',
      effective: EFFECTIVE_2025,
      importedAt: '2025-11-01T12:00:00.000Z',
      sourceFiles: [{ name: 'order-2025-excerpt.txt', sha256: createHash('sha256').update(readFileSync(ORDER_2025)).digest('hex'), bytes: readFileSync(ORDER_2025).length }],
      counts: { codes: 39, billable: 24, headers: 15 },
      tables: [ICD10CM_TABLE_FILE],
    });
    expect(result.manifest).toEqual(manifest);
    const table = readFileSync(path.join(result.dir, ICD10CM_TABLE_FILE), 'utf8');
    expect(table.split('\n')).toContain('E119    1');
    expect(table).not.toMatch(/diabetes/i);
  });

  it('refuses to overwrite an installed release unless forced', async () => {
    const dir = dataDir();
    await installRelease(dir, tiny, { now: new Date('2025-01-01T00:00:00Z') });
    const error = await rejection(installRelease(dir, tiny));
    expect(error.code).toBe('SCRUB_ERR_DATA_CONFLICT');
    expect(error.message).toMatch(/icd10cm release tiny is installed already .*--force/);
    const forced = await installRelease(dir, { ...tiny, counts: { codes: 2, billable: 1, headers: 1, extra: 7 } }, { force: true, now: new Date('2025-02-01T00:00:00Z') });
    expect(forced.replaced).toBe(true);
    const { releases } = await listReleases(dir);
    expect(releases).toHaveLength(1);
    expect(releases[0]?.manifest.importedAt).toBe('2025-02-01T00:00:00.000Z');
    expect(releases[0]?.manifest.counts.extra).toBe(7);
    // No staging or replaced folder is left behind.
    expect(readdirSync(path.join(dir, 'icd10cm'))).toEqual(['tiny']);
  });

  it('refuses a second release of the kind on the same effective date, even forced', async () => {
    const dir = dataDir();
    await installRelease(dir, tiny);
    for (const force of [false, true]) {
      const error = await rejection(installRelease(dir, { ...tiny, release: 'other' }, { force }));
      expect(error.code).toBe('SCRUB_ERR_DATA_CONFLICT');
      expect(error.message).toMatch(/release tiny takes effect on 2025-10-01 already/);
    }
    expect(existsSync(path.join(dir, 'icd10cm', 'other'))).toBe(false);
  });

  it('refuses bad release names and dates', async () => {
    for (const name of ['', '../evil', 'a/b', 'FY2026', 'fy 2026', '-x', 'x-', 'a--b', '.hidden', 'x'.repeat(65)]) {
      expect(releaseNameProblem(name), name).toBeDefined();
      expect((await rejection(installRelease(dataDir(), { ...tiny, release: name }))).code).toBe('SCRUB_ERR_USAGE');
    }
    for (const name of ['2026', 'fy2026-april', 'fy2021-january', 'a1-b2-c3']) expect(releaseNameProblem(name), name).toBeUndefined();
    for (const effective of ['2025-02-30', '2025-10-1', 'tomorrow', '']) {
      expect((await rejection(installRelease(dataDir(), { ...tiny, effective }))).code).toBe('SCRUB_ERR_USAGE');
    }
  });

  it('imports nothing from an order file with malformed rows, and reports every one', async () => {
    const dir = dataDir();
    const file = path.join(work.dir, 'bad-order.txt');
    writeFileSync(file, crlf([row(1, 'E11', false), row(2, 'I10', true), row(3, 'E11.9', true), row(4, 'I10', true)]));
    const error = await rejection(importRelease({ kind: 'icd10cm', dataDir: dir, files: [file], release: 'bad', effective: '2025-10-01' }));
    expect(error.code).toBe('SCRUB_ERR_DATA_INVALID');
    expect(error.message).toMatch(/3 problems in the ICD-10-CM order file; nothing was imported/);
    expect(error.problems.map((p) => [p.position.file, p.position.line, p.position.column])).toEqual([
      [file, 1, 15],
      [file, 3, 10],
      [file, 4, 7],
    ]);
    expect(existsSync(path.join(dir, 'icd10cm', 'bad'))).toBe(false);
  });

  it('reports an unreadable order file', async () => {
    const error = await rejection(importRelease({ kind: 'icd10cm', dataDir: dataDir(), files: [path.join(work.dir, 'missing.txt')], release: 'x', effective: '2025-10-01' }));
    expect(error.code).toBe('SCRUB_ERR_INPUT_UNREADABLE');
    expect(error.message).toMatch(/missing\.txt: cannot read the order file \(ENOENT\)/);
  });

  it('checks for a conflict before reading the order file', async () => {
    const dir = dataDir();
    await installRelease(dir, tiny);
    const error = await rejection(importRelease({ kind: 'icd10cm', dataDir: dir, files: [path.join(work.dir, 'missing.txt')], release: 'tiny', effective: '2025-10-01' }));
    expect(error.code).toBe('SCRUB_ERR_DATA_CONFLICT');
  });
});

describe('listing and loading releases', () => {
  it('a missing data directory has no releases and no problems', async () => {
    expect(await listReleases(path.join(work.dir, 'nothing-here'))).toEqual({ releases: [], problems: [] });
    const { data, problems } = await loadReferenceData(path.join(work.dir, 'nothing-here'));
    expect(problems).toEqual([]);
    expect(data.icd10cm.releases).toEqual([]);
    expect(data.icd10cm.releaseFor('2025-10-01')).toBeUndefined();
  });

  it('a data directory that is a file is a problem', async () => {
    const file = path.join(work.dir, 'a-file');
    writeFileSync(file, '');
    const { problems } = await listReleases(file);
    expect(problems).toEqual([{ position: { file }, message: 'the data directory is not a directory' }]);
  });

  it('lists releases by effective date and reports broken manifests without failing', async () => {
    const dir = dataDir();
    await importRelease({ kind: 'icd10cm', dataDir: dir, files: [ORDER_2026], release: '2026', effective: EFFECTIVE_2026 });
    await importRelease({ kind: 'icd10cm', dataDir: dir, files: [ORDER_2025], release: '2025', effective: EFFECTIVE_2025 });
    const kindDir = path.join(dir, 'icd10cm');
    mkdirSync(path.join(kindDir, 'broken-json'));
    writeFileSync(path.join(kindDir, 'broken-json', 'manifest.json'), '{ "formatVersion": 1, ');
    mkdirSync(path.join(kindDir, 'no-manifest'));
    mkdirSync(path.join(kindDir, 'wrong-name'));
    const manifest2025 = JSON.parse(readFileSync(path.join(kindDir, '2025', 'manifest.json'), 'utf8'));
    writeFileSync(path.join(kindDir, 'wrong-name', 'manifest.json'), JSON.stringify({ ...manifest2025, effective: '2025-02-30' }));
    mkdirSync(path.join(kindDir, '.incoming-x-1'));

    const { releases, problems } = await listReleases(dir);
    expect(releases.map((r) => [r.manifest.release, r.manifest.effective, r.dir])).toEqual([
      ['2025', EFFECTIVE_2025, path.join(kindDir, '2025')],
      ['2026', EFFECTIVE_2026, path.join(kindDir, '2026')],
    ]);
    expect(problems.map((p) => [path.relative(dir, p.position.file), p.message.replace(/JSON: .*/, 'JSON: …')])).toEqual([
      [path.join('icd10cm', 'broken-json', 'manifest.json'), 'the manifest is not valid JSON: …'],
      [path.join('icd10cm', 'no-manifest', 'manifest.json'), 'the release folder has no manifest.json (an unfinished or damaged release)'],
      [
        path.join('icd10cm', 'wrong-name', 'manifest.json'),
        'the manifest is not valid: release is "2025" but the folder is "wrong-name"; effective must be a date written YYYY-MM-DD, found "2025-02-30"',
      ],
    ]);

    // Loading reports the same problems and still loads the good releases.
    const loaded = await loadReferenceData(dir);
    expect(loaded.problems).toEqual(problems);
    expect(loaded.data.icd10cm.releases.map((r) => r.manifest.release)).toEqual(['2025', '2026']);
  });

  it('leaves out a release whose table is damaged, reporting it', async () => {
    const dir = dataDir();
    await importRelease({ kind: 'icd10cm', dataDir: dir, files: [ORDER_2025], release: '2025', effective: EFFECTIVE_2025 });
    await importRelease({ kind: 'icd10cm', dataDir: dir, files: [ORDER_2026], release: '2026', effective: EFFECTIVE_2026 });
    const table = path.join(dir, 'icd10cm', '2026', ICD10CM_TABLE_FILE);
    writeFileSync(table, readFileSync(table, 'latin1').slice(0, -10), 'latin1');
    const { data, problems } = await loadReferenceData(dir);
    expect(problems).toEqual([{ position: { file: table }, message: 'has 39 codes, the manifest says 40' }, expect.objectContaining({ message: expect.stringMatching(/billable codes, the manifest says/) })]);
    expect(data.icd10cm.releases.map((r) => r.manifest.release)).toEqual(['2025']);
    rmSync(table);
    expect((await loadReferenceData(dir)).problems[0]?.message).toMatch(/cannot read the table: ENOENT/);
  });

  it('keeps one release per effective date when two were put there by hand, reporting the other', async () => {
    const dir = dataDir();
    await installRelease(dir, tiny, { now: new Date('2025-01-01T00:00:00Z') });
    const copy = path.join(dir, 'icd10cm', 'copy');
    mkdirSync(copy);
    writeFileSync(path.join(copy, ICD10CM_TABLE_FILE), readFileSync(path.join(dir, 'icd10cm', 'tiny', ICD10CM_TABLE_FILE)));
    const manifest = JSON.parse(readFileSync(path.join(dir, 'icd10cm', 'tiny', 'manifest.json'), 'utf8'));
    writeFileSync(path.join(copy, 'manifest.json'), JSON.stringify({ ...manifest, release: 'copy', importedAt: '2024-01-01T00:00:00.000Z' }));
    const { data, problems } = await loadReferenceData(dir);
    expect(data.icd10cm.releases.map((r) => r.manifest.release)).toEqual(['tiny']);
    expect(problems).toEqual([{ position: { file: path.join(copy, 'manifest.json') }, message: expect.stringMatching(/releases copy and tiny both take effect on 2025-10-01: copy is ignored/) }]);
  });

  it('the default data directory is data/ in the package root', () => {
    expect(DEFAULT_DATA_DIR).toBe(path.join(ROOT, 'data'));
  });
});
