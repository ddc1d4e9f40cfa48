#!/usr/bin/env node
// Acceptance run of the ICD-10-CM tabular-list reader on the real FY2021 January tabular XML, when
// it is present beside the project (../shared/data/icd10cm/; it is never copied into the project):
// in a fresh process, reads it with the built reader (timed), builds the notes table, writes it to
// a temporary release folder and loads it back (timed), cross-checks the codes the notes name
// against the order file of the same release when that is there too, and looks a few pairs up.
// Exit 0 when it passes or when the file is absent (skipped); 1 on a mismatch. Needs `npm run build`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = path.resolve(ROOT, '../shared/data/icd10cm/icd10cm-tabular-2021.xml');
const ORDER = path.resolve(ROOT, '../shared/data/icd10cm/icd10cm-order-2021.txt');
const DIST = path.join(ROOT, 'dist/engine/data/icd10cm');
const MODULES = ['import-tabular.js', 'notes-table.js', 'parse-order-file.js', 'table.js'];
/** As the shared data's README counts them. */
const README = { excludes1: 2_625, codeFirst: 317 };

if (!existsSync(SOURCE)) {
  console.log(`acceptance-icd10cm-tabular: skipped: ${path.relative(ROOT, SOURCE)} is not there`);
  process.exit(0);
}
for (const module of MODULES) {
  if (!existsSync(path.join(DIST, module))) {
    console.error(`acceptance-icd10cm-tabular: ${path.relative(ROOT, path.join(DIST, module))} is missing: run npm run build first`);
    process.exit(1);
  }
}

const failures = [];
function check(what, actual, expected) {
  const ok = JSON.stringify(actual) === JSON.stringify(expected);
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: ${JSON.stringify(actual)}${ok ? '' : ` (expected ${JSON.stringify(expected)})`}`);
  if (!ok) failures.push(what);
}
function atMost(what, actual, limit) {
  const ok = typeof actual === 'number' && actual <= limit;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: ${actual} (at most ${limit})`);
  if (!ok) failures.push(what);
}
function between(what, actual, low, high) {
  const ok = typeof actual === 'number' && actual >= low && actual <= high;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: ${actual} (${low} to ${high})`);
  if (!ok) failures.push(what);
}

const url = (module) => JSON.stringify(pathToFileURL(path.join(DIST, module)).href);
const dir = mkdtempSync(path.join(tmpdir(), 'claimscrub-acceptance-tabular-'));
try {
  console.log(`acceptance-icd10cm-tabular: ${path.relative(ROOT, SOURCE)}`);
  const probe = `
    import { mkdirSync, writeFileSync } from 'node:fs';
    import path from 'node:path';
    const { readIcd10cmTabular, crossCheckTabular } = await import(${url('import-tabular.js')});
    const { loadIcd10cmNotesTable, ICD10CM_NOTES_TABLE_FILE } = await import(${url('notes-table.js')});
    const { parseOrderFile } = await import(${url('parse-order-file.js')});
    const { createIcd10cmTable } = await import(${url('table.js')});
    let read;
    try {
      read = await readIcd10cmTabular(${JSON.stringify(SOURCE)});
    } catch (error) {
      console.log(JSON.stringify({ error: error.code + ': ' + error.message, problems: (error.problems ?? []).slice(0, 10) }));
      process.exit(0);
    }
    const table = read.tables[ICD10CM_NOTES_TABLE_FILE];
    const release = path.join(${JSON.stringify(dir)}, 'release');
    mkdirSync(release, { recursive: true });
    writeFileSync(path.join(release, ICD10CM_NOTES_TABLE_FILE), table);
    const manifest = { formatVersion: 1, kind: 'icd10cm', release: 'fy2021-january', effective: '2021-01-01', importedAt: '', sourceFiles: [read.source], counts: read.counts, tables: [ICD10CM_NOTES_TABLE_FILE] };
    const loadStarted = performance.now();
    const notes = await loadIcd10cmNotesTable(release, manifest);
    const loadMs = performance.now() - loadStarted;

    let crossCheck;
    let billable = [];
    if (${JSON.stringify(existsSync(ORDER))}) {
      const order = await parseOrderFile(${JSON.stringify(ORDER)});
      billable = order.rows.filter((row) => row.billable).map((row) => row.code);
      const codes = createIcd10cmTable(billable, order.rows.filter((row) => !row.billable).map((row) => row.code));
      crossCheck = crossCheckTabular(read.parsed, (code) => codes.status(code));
    }

    // Claims of 12 diagnoses, every ordered pair looked up (132 a claim): half the codes from a
    // small pool, as real claims repeat common codes, half from anywhere in the release.
    let lookupNs;
    let found = 0;
    if (billable.length > 0) {
      let seed = 1;
      const random = (n) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed % n);
      const claims = Array.from({ length: 20000 }, () => Array.from({ length: 12 }, (_, j) => billable[j % 2 ? random(2000) * 30 : random(billable.length)]));
      for (let round = 0; round < 2; round++) {
        const started = performance.now();
        for (const claim of claims) for (const a of claim) for (const b of claim) if (a !== b && notes.excludes1(a, b)) found++;
        lookupNs = ((performance.now() - started) * 1e6) / (claims.length * 132);
      }
    }

    const pair = (a, b) => notes.excludes1(a, b) ?? null;
    console.log(JSON.stringify({
      parseMs: read.parseMs,
      loadMs,
      lookupNs,
      claimPairsFound: found,
      tableBytes: Buffer.byteLength(table),
      counts: read.counts,
      loadedCounts: notes.counts,
      unread: read.unread.map(({ notedOn, part }) => ({ notedOn, part })),
      crossCheck: crossCheck && { namedCodes: crossCheck.namedCodes, namedCodesMissing: crossCheck.namedCodesMissing, tabularCodesMissing: crossCheck.tabularCodesMissing },
      pairs: {
        'E119 E109': pair('E119', 'E109'),
        'E109 E119': pair('E109', 'E119'),
        'E1165 E1010': pair('E1165', 'E1010'),
        'I10 O10011': pair('I10', 'O10011'),
        'S72001A P100': pair('S72001A', 'P100'),
        'E119 I10': pair('E119', 'I10'),
      },
      marks: Object.fromEntries(['G63', 'F0280', 'A419', 'E669', 'T360X1A', 'E119'].map((code) => [code, [notes.isManifestation(code), notes.hasCodeFirstNote(code)]])),
    }));
  `;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) process.stderr.write(result.stderr);
  check('probe exit status', result.status, 0);
  const probed = JSON.parse(result.stdout || '{}');
  if (probed.error !== undefined) {
    console.error(`the reader refused the file: ${probed.error}`);
    for (const problem of probed.problems) console.error(`  ${JSON.stringify(problem)}`);
    failures.push('read');
  } else {
    const counts = probed.counts ?? {};
    check('excludes1 notes read (the README counts 2,625)', counts.tabularExcludes1Notes, README.excludes1);
    check('codeFirst notes read (the README counts 317)', counts.tabularCodeFirstNotes, README.codeFirst);
    between('codes (diag elements)', counts.tabularCodes, 40_000, 50_000);
    between('Excludes1 references in the table', counts.excludes1References, 5_000, 6_000);
    // Only notes that name no code at all ("see body system-related chapters") are left out.
    between('Excludes1 notes in the table', counts.excludes1Notes, 2_500, README.excludes1);
    // Qualified references ("E08-E13 with .42"), a list joined by "and", a reversed range, an unclosed parenthesis.
    atMost('unread references', counts.unreadNoteReferences, 60);
    atMost('note texts naming codes outside parentheses (not read)', counts.textsWithCodesOutsideParentheses, 40);
    between('manifestation codes', counts.manifestations, 90, 130);
    check('table counts after loading', probed.loadedCounts, Object.fromEntries(Object.keys(probed.loadedCounts ?? {}).map((key) => [key, counts[key]])));
    check('E11.9 with E10.9', probed.pairs['E119 E109'], { notedOn: 'E11', names: 'E10.-' });
    check('E10.9 with E11.9', probed.pairs['E109 E119'], { notedOn: 'E10', names: 'E11.-' });
    check('E11.65 with E10.10 (a note on the category)', probed.pairs['E1165 E1010'], { notedOn: 'E11', names: 'E10.-' });
    check('I10 with O10.011', probed.pairs['I10 O10011'], { notedOn: 'I10', names: 'O10-O11' });
    check('S72.001A with P10.0 (a chapter note)', probed.pairs['S72001A P100'], { notedOn: 'S00-T88', names: 'P10-P15' });
    check('E11.9 with I10', probed.pairs['E119 I10'], null);
    check('[manifestation, code first]', probed.marks, { G63: [true, true], F0280: [true, true], A419: [false, true], E669: [false, true], T360X1A: [false, true], E119: [false, false] });
    if (probed.crossCheck !== undefined) {
      // FY2021 names V94.X (a subcategory whose codes are V94.XXX_) and nothing else missing.
      atMost('codes named by notes that the order file does not have', probed.crossCheck.namedCodesMissing.length, 5);
      atMost('tabular codes the order file does not have', probed.crossCheck.tabularCodesMissing.length, 5);
    }
    atMost('parse time (ms)', Math.round(probed.parseMs), 10_000);
    atMost('load time (ms)', Math.round(probed.loadMs), 1_000);

    const unreadByKind = new Map();
    for (const { part } of probed.unread ?? []) {
      const kind = /with/.test(part) ? 'qualified ("with ...")' : / and /.test(part) ? 'joined by "and"' : 'other (a range ending before it starts, an unclosed parenthesis)';
      unreadByKind.set(kind, [...(unreadByKind.get(kind) ?? []), part]);
    }
    console.log('');
    console.log(`counts:                ${JSON.stringify(counts)}`);
    console.log('unread references:');
    for (const [kind, parts] of unreadByKind) console.log(`  ${String(parts.length).padStart(3)} ${kind}: ${[...new Set(parts)].slice(0, 4).map((p) => JSON.stringify(p)).join(', ')}${parts.length > 4 ? ', ...' : ''}`);
    if (probed.crossCheck !== undefined) {
      console.log(`cross-check:           ${probed.crossCheck.namedCodes} codes named, missing from the order file: ${JSON.stringify(probed.crossCheck.namedCodesMissing)}; tabular codes missing: ${JSON.stringify(probed.crossCheck.tabularCodesMissing)}`);
    }
    console.log(`parse (fresh process): ${Math.round(probed.parseMs)} ms (stream, hash, read the XML)`);
    console.log(`table:                 ${probed.tableBytes.toLocaleString('en-US')} bytes`);
    console.log(`load:                  ${probed.loadMs.toFixed(1)} ms`);
    if (probed.lookupNs !== undefined) console.log(`excludes1 lookup:      ${Math.round(probed.lookupNs)} ns per ordered pair (${Math.round(probed.lookupNs * 132 / 1000)} µs for a claim of 12 diagnoses)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`\nacceptance-icd10cm-tabular: ${failures.length} mismatch(es): ${failures.join(', ')}`);
  process.exit(1);
}
console.log('\nacceptance-icd10cm-tabular: passed');
