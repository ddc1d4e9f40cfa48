#!/usr/bin/env node
// Acceptance run of the ICD-10-CM importer on the real FY2021 January order file, when it is
// present beside the project (../shared/data/icd10cm/; it is never copied into the project):
// imports it with the built CLI into a temporary data directory, reads `data status --format
// json`, loads the release in a fresh process (cold load) and checks every code's status.
// Exit 0 when it passes or when the file is absent (skipped); 1 on a mismatch. Needs `npm run build`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = path.resolve(ROOT, '../shared/data/icd10cm/icd10cm-order-2021.txt');
const CLI = path.join(ROOT, 'dist/engine/cli/main.js');
const EXPECTED = { codes: 95_358, billable: 72_621, headers: 95_358 - 72_621 };
const RELEASE = 'fy2021-january';
const EFFECTIVE = '2021-01-01';

if (!existsSync(SOURCE)) {
  console.log(`acceptance-icd10cm: skipped: ${path.relative(ROOT, SOURCE)} is not there`);
  process.exit(0);
}
if (!existsSync(CLI)) {
  console.error(`acceptance-icd10cm: ${path.relative(ROOT, CLI)} is missing: run npm run build first`);
  process.exit(1);
}

const failures = [];
function check(what, actual, expected) {
  const ok = JSON.stringify(actual) === JSON.stringify(expected);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: ${JSON.stringify(actual)}${ok ? '' : ` (expected ${JSON.stringify(expected)})`}`);
  if (!ok) failures.push(what);
}

function run(args) {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ...result, ms: performance.now() - started };
}

const dataDir = mkdtempSync(path.join(tmpdir(), 'claimscrub-acceptance-'));
try {
  console.log(`acceptance-icd10cm: ${path.relative(ROOT, SOURCE)} into ${dataDir}`);

  const imported = run([CLI, 'data', 'import', 'icd10cm', SOURCE, '--release', RELEASE, '--effective', EFFECTIVE, '--data', dataDir]);
  process.stdout.write(`${imported.stdout.trimEnd().replace(/^/gm, '  | ')}\n`);
  if (imported.status !== 0) process.stderr.write(imported.stderr);
  check('import exit status', imported.status, 0);

  const status = run([CLI, 'data', 'status', '--format', 'json', '--data', dataDir]);
  check('status exit status', status.status, 0);
  const report = JSON.parse(status.stdout);
  const release = report.releases[0] ?? {};
  check('installed releases', report.releases.map((r) => `${r.kind}/${r.release}`), [`icd10cm/${RELEASE}`]);
  check('effective', release.effective, EFFECTIVE);
  // The FY2021 January release covers dates of service up to the end of FY2021.
  check('until', release.until, '2021-10-01');
  check('covers', release.covers?.text, `${EFFECTIVE} to 2021-09-30`);
  check('counts', release.counts, EXPECTED);
  const sha256 = createHash('sha256').update(readFileSync(SOURCE)).digest('hex');
  check('source file sha256', release.sourceFiles?.[0]?.sha256, sha256);
  check('problems', report.problems, []);

  // A fresh process: module import, then loadReferenceData timed on its own (the cold load), then
  // every code of the order file looked up in the loaded table.
  const probe = `
    const started = performance.now();
    const store = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/engine/data/store.js')).href)});
    const parser = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/engine/data/icd10cm/parse-order-file.js')).href)});
    const imported = performance.now();
    const { data, problems } = await store.loadReferenceData(${JSON.stringify(dataDir)});
    const loaded = performance.now();
    const table = data.icd10cm.releaseFor(${JSON.stringify(EFFECTIVE)})?.table;
    const parseStarted = performance.now();
    const parsed = await parser.parseOrderFile(${JSON.stringify(SOURCE)});
    const parsedAt = performance.now();
    let mismatches = 0;
    for (const row of parsed.rows) if (table?.status(row.code) !== (row.billable ? 'billable' : 'header')) mismatches++;
    const unknown = ['E1', 'E1190', 'Z99999', 'A0', 'ZZZZZZZ', 'E11.9', 'e119', ''].filter((code) => table?.status(code) !== undefined);
    const lookupStarted = performance.now();
    for (let i = 0; i < 10; i++) for (const row of parsed.rows) table?.status(row.code);
    const lookupNs = ((performance.now() - lookupStarted) * 1e6) / (10 * parsed.rows.length);
    console.log(JSON.stringify({
      moduleMs: imported - started,
      loadMs: loaded - imported,
      parseMs: parsedAt - parseStarted,
      lookupNs,
      problems: problems.length,
      before: data.icd10cm.releaseFor('2020-12-31') === undefined,
      Z20822: table?.status('Z20822'),
      E11: table?.status('E11'),
      E119: table?.status('E119'),
      U071: table?.status('U071'),
      rows: parsed.rows.length,
      mismatches,
      unknown,
    }));
  `;
  const loaded = run(['--input-type=module', '-e', probe]);
  if (loaded.status !== 0) process.stderr.write(loaded.stderr);
  const probed = JSON.parse(loaded.stdout || '{}');
  check('load problems', probed.problems, 0);
  check('no release before 2021-01-01', probed.before, true);
  check('Z20822', probed.Z20822, 'billable');
  check('E11', probed.E11, 'header');
  check('E119', probed.E119, 'billable');
  check('U071', probed.U071, 'billable');
  check('every code of the order file looked up with its flag: mismatches', probed.mismatches, 0);
  check('codes looked up', probed.rows, EXPECTED.codes);
  check('malformed or absent codes found', probed.unknown, []);

  console.log('');
  console.log(`import (whole CLI process):       ${Math.round(imported.ms)} ms`);
  console.log(`  of which read + check + hash:   ${/read in (\d+) ms/.exec(imported.stdout)?.[1] ?? '?'} ms (as the CLI reports it)`);
  console.log(`parse, fresh process:             ${Math.round(probed.parseMs)} ms (stream, hash, check ${EXPECTED.codes.toLocaleString('en-US')} rows)`);
  console.log(`cold load (loadReferenceData):    ${probed.loadMs?.toFixed(1)} ms (module import before it: ${probed.moduleMs?.toFixed(1)} ms)`);
  console.log(`lookup:                           ${Math.round(probed.lookupNs)} ns per code`);
  console.log(`status (whole CLI process):       ${Math.round(status.ms)} ms`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`\nacceptance-icd10cm: ${failures.length} mismatch(es): ${failures.join(', ')}`);
  process.exit(1);
}
console.log('\nacceptance-icd10cm: passed');
