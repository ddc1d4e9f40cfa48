import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { crossCheckTabular, readIcd10cmTabular } from '../../engine/data/icd10cm/import-tabular.js';
import {
  ICD10CM_NOTES_TABLE_FILE,
  buildIcd10cmNotesTables,
  createIcd10cmNotesTable,
  hasIcd10cmNotesTable,
  loadIcd10cmNotesTable,
  type Icd10cmNotesLookup,
} from '../../engine/data/icd10cm/notes-table.js';
import { parseOrderText } from '../../engine/data/icd10cm/parse-order-file.js';
import {
  TabularParser,
  parseTabularText,
  readCodeReference,
  readNoteReferences,
  referenceCovers,
  type NoteReference,
  type ParsedTabular,
} from '../../engine/data/icd10cm/parse-tabular.js';
import { createIcd10cmTable } from '../../engine/data/icd10cm/table.js';
import type { ReleaseManifest } from '../../engine/data/types.js';
import { ScrubError } from '../../engine/errors.js';
import { FIXTURES, ORDER_2026, pieces, temporaryDir } from './helpers.js';

const TABULAR_2026 = path.join(FIXTURES, 'tabular-2026-excerpt.xml');
const fixtureText = readFileSync(TABULAR_2026, 'utf8');
const fixture = parseTabularText(fixtureText, TABULAR_2026);

const work = temporaryDir('tabular');
afterAll(work.cleanup);

/** `[from, to, written]` of each reference. */
function refs(references: readonly NoteReference[]): [string, string, string][] {
  return references.map(({ from, to, written }) => [from, to, written]);
}

/** A tabular list with `body` inside one chapter and section (each line of `body` indented as in the file). */
function inSection(body: string): string {
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<ICD10CM.tabular>',
    '  <chapter>',
    '    <name>4</name>',
    '    <desc>Endocrine, nutritional and metabolic diseases (E00-E89)</desc>',
    '    <section id="E08-E13">',
    '      <desc>Diabetes mellitus (E08-E13)</desc>',
    body,
    '    </section>',
    '  </chapter>',
    '</ICD10CM.tabular>',
    '',
  ].join('\n');
}
/** `body` starts on this line of inSection's text. */
const BODY_LINE = 8;

function problemsOf(text: string): { line: number; column: number; message: string }[] {
  return parseTabularText(text, 't.xml').problems.map(({ line, column, message }) => ({ line, column, message }));
}

function manifestFor(counts: Record<string, number>): ReleaseManifest {
  return { formatVersion: 1, kind: 'icd10cm', release: 'x', effective: '2025-10-01', importedAt: '', sourceFiles: [], counts, tables: ['codes.txt', ICD10CM_NOTES_TABLE_FILE] };
}

let folders = 0;
/** Writes a notes table file in a new folder; returns the folder. */
function tableDir(text: string): string {
  const dir = path.join(work.dir, `n${++folders}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, ICD10CM_NOTES_TABLE_FILE), text, 'utf8');
  return dir;
}

async function builtAndLoaded(parsed: ParsedTabular): Promise<Icd10cmNotesLookup> {
  const { tables, counts } = buildIcd10cmNotesTables(parsed);
  return loadIcd10cmNotesTable(tableDir(tables[ICD10CM_NOTES_TABLE_FILE] as string), manifestFor(counts));
}

async function loadError(dir: string, counts: Record<string, number>): Promise<ScrubError> {
  const error = await loadIcd10cmNotesTable(dir, manifestFor(counts)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScrubError);
  return error as ScrubError;
}

describe('code references in note text', () => {
  // [note text, references read as [from, to, written], unread parts, a code outside parentheses]
  const cases: [string, [string, string, string][], string[], boolean][] = [
    ['type 1 diabetes mellitus (E10.-)', [['E10', 'E10', 'E10.-']], [], false],
    ['diabetes mellitus (E08-E13)', [['E08', 'E13', 'E08-E13']], [], false],
    ['upper abdominal pain (R10.1-)', [['R101', 'R101', 'R10.1-']], [], false],
    ['long term use of insulin (Z79.4)', [['Z794', 'Z794', 'Z79.4']], [], false],
    ['postpolio syndrome (G14)', [['G14', 'G14', 'G14']], [], false],
    ['a full code (S30.860)', [['S30860', 'S30860', 'S30.860']], [], false],
    ['a placeholder X (J09.X2)', [['J09X2', 'J09X2', 'J09.X2']], [], false],
    ['a letter in third place (C7A.026)', [['C7A026', 'C7A026', 'C7A.026']], [], false],
    ['a list (K35.80, K35.89-)', [['K3580', 'K3580', 'K35.80'], ['K3589', 'K3589', 'K35.89-']], [], false],
    ['a list without spaces (C43.2-,C44.2-)', [['C432', 'C432', 'C43.2-'], ['C442', 'C442', 'C44.2-']], [], false],
    ['ranges and a code (O00-O07, O08.1)', [['O00', 'O07', 'O00-O07'], ['O081', 'O081', 'O08.1']], [], false],
    ['a range of full codes (A04.0-A04.4)', [['A040', 'A044', 'A04.0-A04.4']], [], false],
    ['a range of subcategories (R10.1-R10.3-)', [['R101', 'R103', 'R10.1-R10.3-']], [], false],
    ['dashes on both sides of the range dash (I70.2--I70.7-)', [['I702', 'I707', 'I70.2--I70.7-']], [], false],
    ['spaces around the range dash (Q70.0- -Q70.3-)', [['Q700', 'Q703', 'Q70.0- -Q70.3-']], [], false],
    ['a space before the range dash (I01.0 -I01.9)', [['I010', 'I019', 'I01.0 -I01.9']], [], false],
    ['a range to a whole subcategory (M47.0-M47.2.-)', [['M470', 'M472', 'M47.0-M47.2.-']], [], false],
    ['a range to a whole category (K85-K86.-)', [['K85', 'K86', 'K85-K86.-']], [], false],
    ['.- after a subcategory (D29.2.-)', [['D292', 'D292', 'D29.2.-']], [], false],
    ['.- doubling as the range dash (F98.2.-F98.3)', [['F982', 'F983', 'F98.2.-F98.3']], [], false],
    ['ends of different lengths (B50.0-B54)', [['B500', 'B54', 'B50.0-B54']], [], false],
    ['ends of different lengths (J60-J67.9)', [['J60', 'J679', 'J60-J67.9']], [], false],
    ['a seventh character at the end (M43.3-M43.5X9)', [['M433', 'M435X9', 'M43.3-M43.5X9']], [], false],
    ['letters at the end of a range (O00-O9A)', [['O00', 'O9A', 'O00-O9A']], [], false],
    ['a trailing comma (K50.014, K50.114,)', [['K50014', 'K50014', 'K50.014'], ['K50114', 'K50114', 'K50.114']], [], false],
    ['a trailing space (P03.82 )', [['P0382', 'P0382', 'P03.82']], [], false],
    ['prose parentheses (adenoma, benign) (fibroma) (D29.1)', [['D291', 'D291', 'D29.1']], [], false],
    ['words that look like codes but are not (G6PD) (H1N1) (LAC) (type 1)', [], [], false],
    ['parentheses inside parentheses (in (E10.-))', [['E10', 'E10', 'E10.-']], [], false],
    ['a qualified range (E08-E13 with .42)', [], ['E08-E13 with .42'], false],
    ['a 7th character (S02.- with 7th character B)', [], ['S02.- with 7th character B'], false],
    ['final characters (I69. with final characters -23)', [], ['I69. with final characters -23'], false],
    ['"and" in a list, read as a whole or not at all (A00-R94 and T80-T88.6, T88.8)', [], ['A00-R94 and T80-T88.6, T88.8'], false],
    ['a range that ends before it starts (T63.81-R63.83)', [], ['T63.81-R63.83'], false],
    ['an unclosed parenthesis (Z89.52-', [], ['Z89.52-'], false],
    ['a code outside parentheses: cystitis N30.-', [], [], true],
    ['vitamin B12 deficiency (E53.8)', [['E538', 'E538', 'E53.8']], [], true],
    ['one read, one not (E10.-) (E08-E13 with .42)', [['E10', 'E10', 'E10.-']], ['E08-E13 with .42'], false],
  ];
  it.each(cases)('%s', (text, expected, unread, outside) => {
    const read = readNoteReferences(text);
    expect(refs(read.references)).toEqual(expected);
    expect(read.unread).toEqual(unread);
    expect(read.codesOutsideParentheses).toBe(outside);
  });

  it('a reference holds its code and every code below it; a range what lies between its ends, each end on its own length', () => {
    // [reference as written, codes inside, codes outside]
    const cases: [string, string[], string[]][] = [
      ['E10.-', ['E10', 'E109', 'E1042', 'E10A'], ['E11', 'E1', 'E0', '', 'E1 9']],
      ['K35.80', ['K3580'], ['K358', 'K3589']],
      ['E08-E13', ['E08', 'E0800', 'E09', 'E119', 'E13', 'E139'], ['E07', 'E079', 'E14', 'E15']],
      ['B50.0-B54', ['B500', 'B5000', 'B501', 'B51', 'B549'], ['B50', 'B5', 'B55']],
      ['G43-G44.8', ['G43', 'G430', 'G44', 'G441', 'G448', 'G4489'], ['G42', 'G449', 'G45']],
      ['R10.1-R10.3-', ['R101', 'R1010', 'R1033', 'R103'], ['R100', 'R104', 'R10A1', 'R108']],
      ['O00-O9A', ['O00', 'O99', 'O9A1', 'O9A'], ['N99', 'P00']],
    ];
    for (const [written, inside, outside] of cases) {
      const reference = readCodeReference(written);
      expect(reference, written).toBeDefined();
      for (const code of inside) expect(referenceCovers(reference as NoteReference, code), `${written} holds ${code}`).toBe(true);
      for (const code of outside) expect(referenceCovers(reference as NoteReference, code), `${written} does not hold ${code}`).toBe(false);
    }
  });

  it('reads back any list of codes and ranges written in note text', () => {
    const alnum = fc.constantFrom(...'0123456789ABCDEFGHJKXZ'.split(''));
    const code = fc
      .tuple(fc.constantFrom(...'ABCDEGIJKMNORSTZ'.split('')), fc.integer({ min: 0, max: 9 }), alnum, fc.array(alnum, { maxLength: 4 }))
      .map(([letter, digit, third, rest]) => ({ dotted: `${letter}${digit}${third}${rest.length > 0 ? `.${rest.join('')}` : ''}`, dotless: `${letter}${digit}${third}${rest.join('')}` }));
    const below = fc.constantFrom('', '-', '.-');
    const one = fc.tuple(code, below).map(([c, dash]) => ({ written: `${c.dotted}${dash}`, from: c.dotless, to: c.dotless }));
    const range = fc.tuple(code, below, fc.constantFrom('-', ' -', '- ', ' - '), code, below).map(([a, dashA, separator, b, dashB]) => {
      const shorter = Math.min(a.dotless.length, b.dotless.length);
      const [low, high] = a.dotless.slice(0, shorter) <= b.dotless.slice(0, shorter) ? [a, b] : [b, a];
      // `X.-` right before the range dash is read as `X-` then the range: keep a dash between.
      const first = `${low.dotted}${dashA === '.-' ? '-' : dashA}`;
      return { written: `${first}${separator}${high.dotted}${dashB}`, from: low.dotless, to: high.dotless };
    });
    const prose = fc.constantFrom('', 'acute ', 'of the (left) side ', '(NOS) ', 'type 1 ');
    fc.assert(
      fc.property(prose, fc.array(fc.oneof(one, range), { minLength: 1, maxLength: 5 }), fc.constantFrom(', ', ','), prose, (before, references, comma, after) => {
        const text = `${before}condition (${references.map((r) => r.written).join(comma)}) ${after}`;
        const read = readNoteReferences(text);
        expect(read.unread).toEqual([]);
        expect(refs(read.references)).toEqual(references.map(({ from, to, written }) => [from, to, written.trim()]));
      }),
      { numRuns: 500 },
    );
  });
});

describe('the tabular list XML', () => {
  it('reads the 2026 excerpt: counts, notes on codes, sections and chapters', () => {
    expect(fixture.problems).toEqual([]);
    expect(fixture.counts).toEqual({
      tabularCodes: 76,
      tabularExcludes1Notes: 34,
      tabularExcludes1Texts: 80,
      tabularCodeFirstNotes: 7,
      unreadNoteReferences: 3,
      textsWithCodesOutsideParentheses: 1,
      codesNotBelowParent: 0,
    });
    const e11 = fixture.excludes1.find((note) => note.notedOn === 'E11');
    expect(e11).toMatchObject({ appliesTo: ['E11'], texts: 6 });
    expect(e11?.references.map((r) => r.written)).toEqual(['E08.-', 'E09.-', 'O24.4-', 'P70.2', 'E13.-', 'E10.-']);
    // Notes on a section and a chapter apply to each category in them.
    expect(fixture.excludes1.find((note) => note.notedOn === 'E70-E88')?.appliesTo).toEqual(['E78']);
    expect(fixture.excludes1.find((note) => note.notedOn === 'E00-E89')?.appliesTo).toEqual(['E08', 'E10', 'E11', 'E66', 'E78']);
    expect(fixture.excludes1.find((note) => note.notedOn === 'S00-T88')).toMatchObject({ appliesTo: ['S72'], references: [{ written: 'P10-P15' }, { written: 'O70-O71' }] });
    // Entities are decoded: "&lt; 70 mg/dL (E16.2)".
    expect(fixture.excludes1.find((note) => note.notedOn === 'E10')?.references.map((r) => r.written)).toContain('E16.2');
    // Notes in the introduction, excludes2, codeFirst and useAdditionalCode name no Excludes1 codes.
    const named = new Set(fixture.excludes1.flatMap((note) => note.references.map((r) => r.written)));
    for (const other of ['F32.A', 'I60-I69', 'T81.4-', 'Z79.4', 'J12.82', 'Z19.1-Z19.2']) expect(named.has(other), other).toBe(false);
    expect(fixture.unread.map(({ notedOn, part, line }) => ({ notedOn, part, line }))).toEqual([
      { notedOn: 'G63', part: 'E08-E13 with .42', line: 281 },
      { notedOn: 'M14', part: 'E08-E13 with .61-', line: 376 },
      { notedOn: 'N39.0', part: 'N34.-', line: 469 },
    ]);
  });

  it('tells manifestation codes ("classified elsewhere" under a code-first note) from other code-first notes', () => {
    expect(fixture.manifestations).toEqual([
      { notedOn: 'F02', appliesTo: ['F02'] },
      { notedOn: 'G63', appliesTo: ['G63'] },
      // M14's title says "classified elsewhere"; the code-first note is on M14.6.
      { notedOn: 'M14.6', appliesTo: ['M146'] },
    ]);
    expect(fixture.codeFirst.map((c) => c.notedOn)).toEqual(['B90-B94', 'A41', 'E08', 'E66', 'F02', 'G63', 'M14.6']);
    expect(fixture.codeFirst[0]?.appliesTo).toEqual(['B91']);
  });

  it('reads the same whatever pieces the text comes in, CRLF or LF', () => {
    const lf = parseTabularText(fixtureText.replace(/\r\n/g, '\n'), TABULAR_2026);
    expect(lf).toEqual(fixture);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: fixtureText.length - 1 }), { maxLength: 20 }), (cuts) => {
        const parser = new TabularParser(TABULAR_2026);
        for (const piece of pieces(fixtureText, cuts)) parser.push(piece);
        expect(parser.end()).toEqual(fixture);
      }),
      { numRuns: 30 },
    );
  });

  it('skips a byte order mark', () => {
    expect(parseTabularText(`\ufeff${fixtureText}`, TABULAR_2026)).toEqual(fixture);
  });

  it('reports malformed XML once, with its line and column', () => {
    const cases: [string, string, { line: number; column: number; message: RegExp }][] = [
      ['a mismatched end tag', inSection('      <diag>\n        <name>E10</name>\n      </diagg>'), { line: BODY_LINE + 2, column: 14, message: /not well-formed: unexpected close tag/ }],
      ['an undefined entity', inSection('      <diag>\n        <name>E10</name>\n        <desc>a &foo; b</desc>\n      </diag>'), { line: BODY_LINE + 2, column: 21, message: /undefined entity/ }],
      ['an unquoted attribute', inSection('      <diag id=1>\n      </diag>'), { line: BODY_LINE, column: 16, message: /unquoted attribute value/ }],
      // Cut inside `      <desc>` on line 55: found where the text ends.
      ['a file cut short', fixtureText.slice(0, 2010), { line: 55, column: 10, message: /unclosed tag/ }],
      ['an empty file', '', { line: 1, column: 1, message: /must contain a root element/ }],
      ['text, not XML', 'E10 Type 1 diabetes mellitus\n', { line: 2, column: 1, message: /text data outside of root node/ }],
    ];
    for (const [name, text, expected] of cases) {
      const problems = problemsOf(text);
      expect(problems, name).toHaveLength(1);
      expect(problems[0], name).toMatchObject({ line: expected.line, column: expected.column, message: expect.stringMatching(expected.message) });
    }
  });

  it('reports every structural problem with its line and column', () => {
    const text = inSection(
      [
        '      <diag>', // BODY_LINE: no name
        '        <desc>A code without a name</desc>',
        '      </diag>',
        '      <diag>',
        '        <name>E10.9.1</name>', // +4
        '      </diag>',
        '      <diag>',
        '        <name>e11</name>', // +7
        '      </diag>',
        '      <diag>',
        '        <name>E13</name>', // +10
        '        <name>E13.9</name>', // +11: a second name
        '        <diag><name>E13.9</name></diag>', // +12
        '        <diag><name>E13.9</name></diag>', // +13: a duplicate
        '      </diag>',
      ].join('\n'),
    ).replace('    </section>\n  </chapter>', '    </section>\n    <diag><name>E14</name></diag>\n  </chapter>');
    expect(problemsOf(text)).toEqual([
      { line: BODY_LINE, column: 7, message: 'a <diag> without a <name>: every code of the tabular list has one' },
      { line: BODY_LINE + 4, column: 9, message: expect.stringMatching(/^the code "E10\.9\.1" is not an ICD-10-CM code/) },
      { line: BODY_LINE + 7, column: 9, message: expect.stringMatching(/^the code "e11" is not an ICD-10-CM code/) },
      { line: BODY_LINE + 11, column: 9, message: `a second <name> ("E13.9") in the diag named "E13" on line ${BODY_LINE + 10}` },
      { line: BODY_LINE + 13, column: 15, message: `duplicate code E13.9: it is on line ${BODY_LINE + 12} already` },
      { line: BODY_LINE + 16, column: 5, message: '<diag> must be in a section or diag' },
    ]);
  });

  it('refuses a file that is not the tabular list', () => {
    expect(problemsOf('<?xml version="1.0"?>\n<ICD10PCS.tables>\n</ICD10PCS.tables>\n')).toEqual([
      { line: 2, column: 1, message: 'the root element is <ICD10PCS.tables>, not <ICD10CM.tabular>: not an ICD-10-CM tabular list' },
    ]);
  });

  it('counts a code nested under a code it does not begin with (the published lists have one)', () => {
    const parsed = parseTabularText(inSection('      <diag>\n        <name>E10</name>\n        <diag><name>E11.9</name></diag>\n      </diag>'));
    expect(parsed.problems).toEqual([]);
    expect(parsed.counts.codesNotBelowParent).toBe(1);
  });
});

describe('the notes table', () => {
  const tableFromFixture = builtAndLoaded(fixture);

  it('finds the Excludes1 note of a pair: the note on the first code (or above it) naming the second', async () => {
    const table = await tableFromFixture;
    // [a, b, the note on a that names b, or undefined]
    const cases: [string, string, { notedOn: string; names: string } | undefined][] = [
      ['E119', 'E109', { notedOn: 'E11', names: 'E10.-' }],
      ['E109', 'E119', { notedOn: 'E10', names: 'E11.-' }],
      // Inherited from the category, two levels up.
      ['E1042', 'E1142', { notedOn: 'E10', names: 'E11.-' }],
      ['M5450', 'M5441', { notedOn: 'M54.5', names: 'M54.4-' }],
      ['M5450', 'F4541', { notedOn: 'M54', names: 'F45.41' }],
      // One direction only: the note is on N40, none on C61 names N40.
      ['N400', 'C61', { notedOn: 'N40', names: 'C61' }],
      ['C61', 'N400', undefined],
      // Section and chapter notes; a note on the code itself answers first.
      ['I10', 'P292', { notedOn: 'I10-I1A', names: 'P29.2' }],
      ['S72001A', 'P150', { notedOn: 'S00-T88', names: 'P10-P15' }],
      ['S72001A', 'S78011A', { notedOn: 'S72', names: 'S78.-' }],
      ['E119', 'P741', { notedOn: 'E00-E89', names: 'P70-P74' }],
      ['E119', 'P702', { notedOn: 'E11', names: 'P70.2' }],
      // Ranges.
      ['E785', 'E752', { notedOn: 'E78', names: 'E75.0-E75.3' }],
      ['E785', 'E754', undefined],
      ['R1084', 'R1011', { notedOn: 'R10.84', names: 'R10.1-R10.3-' }],
      ['R1084', 'R10A1', undefined],
      ['R1084', 'N23', { notedOn: 'R10', names: 'N23' }],
      ['R10A1', 'R1011', undefined],
      ['R519', 'G44209', { notedOn: 'R51', names: 'G43-G44.8' }],
      ['R519', 'G4489', { notedOn: 'R51', names: 'G43-G44.8' }],
      ['R519', 'G450', undefined],
      ['I10', 'O111', { notedOn: 'I10', names: 'O10-O11' }],
      ['I10', 'O12', undefined],
      ['J069', 'J09X2', { notedOn: 'J06', names: 'J09.X2' }],
      ['Z0000', 'Z00121', { notedOn: 'Z00.0', names: 'Z00.12.-' }],
      ['Z20822', 'Z2221', { notedOn: 'Z20', names: 'Z22.-' }],
      ['O09511', 'Z3400', { notedOn: 'O00-O9A', names: 'Z34.-' }],
      // Left out: a qualified reference, an unclosed parenthesis, a code outside parentheses.
      ['G63', 'E1142', undefined],
      ['N390', 'N341', undefined],
      ['N390', 'N300', undefined],
      ['N390', 'N110', { notedOn: 'N39.0', names: 'N11.-' }],
      // Codes the notes do not know, and codes that are not codes.
      ['I10', 'I10', undefined],
      ['Z999', 'E119', undefined],
      ['', 'E119', undefined],
      ['E119', '', undefined],
      ['E1', 'E10', undefined],
    ];
    for (const [a, b, expected] of cases) expect(table.excludes1(a, b), `${a} with ${b}`).toEqual(expected);
  });

  it('knows manifestation codes, and code-first notes that do not make one', async () => {
    const table = await tableFromFixture;
    // [code, isManifestation, hasCodeFirstNote]
    const cases: [string, boolean, boolean][] = [
      ['G63', true, true],
      ['F02', true, true],
      ['F0280', true, true],
      ['M14611', true, true],
      ['M14', false, false],
      ['A419', false, true],
      ['E669', false, true],
      ['E089', false, true],
      ['B91', false, true],
      ['E119', false, false],
      ['G6', false, false],
      ['', false, false],
    ];
    for (const [code, manifestation, codeFirst] of cases) {
      expect(table.isManifestation(code), `${code} manifestation`).toBe(manifestation);
      expect(table.hasCodeFirstNote(code), `${code} code first`).toBe(codeFirst);
    }
  });

  it('writes one sorted line per entry and counts them for the manifest', () => {
    const { tables, counts } = buildIcd10cmNotesTables(fixture);
    const text = tables[ICD10CM_NOTES_TABLE_FILE] as string;
    const lines = text.split('\n');
    expect(lines[0]).toBe('# claimscrub icd10cm-notes 1');
    expect(lines).toContain('M\tM146\tM14.6');
    expect(lines).toContain('C\tB91\tB90-B94');
    expect(lines).toContain('X\tE11\tE10\tE10\tE11\tE10.-');
    expect(lines).toContain('X\tR51\tG43\tG448\tR51\tG43-G44.8');
    expect(lines).toContain('X\tE10\tP70\tP74\tE00-E89\tP70-P74');
    expect(text.endsWith('\n')).toBe(true);
    expect(counts).toEqual({ manifestations: 3, codeFirstCodes: 7, excludes1Notes: 32, excludes1References: 77, excludes1Entries: 81 });
  });

  it('answers after the round trip (build, write, load) like the notes it was built from', async () => {
    const table = await tableFromFixture;
    expect(table.counts).toEqual(buildIcd10cmNotesTables(fixture).counts);
    // An oracle straight from the parsed notes.
    const excluded = (a: string, b: string): boolean =>
      fixture.excludes1.some((note) => note.appliesTo.some((code) => a.startsWith(code)) && note.references.some((reference) => referenceCovers(reference, b)));
    const codes = [...new Set([...fixture.codes, ...fixture.excludes1.flatMap((note) => note.references.flatMap((r) => [r.from, r.to, `${r.to}9`]))])];
    for (const a of codes) for (const b of codes) expect(table.excludes1(a, b) !== undefined, `${a} with ${b}`).toBe(excluded(a, b));
  });

  it('an in-memory table answers like a loaded one, for any notes', async () => {
    const code = fc.stringMatching(/^[A-D][0-9][0-9A-C](\.[0-9A-C]{1,2})?$/);
    const dotless = (c: string): string => c.replace('.', '');
    const note = fc.record({ notedOn: code, names: fc.tuple(code, fc.option(code, { nil: undefined }), fc.constantFrom('', '-')) });
    await fc.assert(
      fc.asyncProperty(fc.array(note, { maxLength: 12 }), fc.array(code, { maxLength: 4 }), fc.array(code, { maxLength: 4 }), fc.array(code, { maxLength: 20 }), async (notes, manifestations, codeFirst, probes) => {
        const excludes1 = notes.map(({ notedOn, names: [from, to, dash] }) => {
          const [low, high] = to === undefined ? [from, undefined] : dotless(from) <= dotless(to) ? [from, to] : [to, from];
          return { notedOn, names: high === undefined ? `${low}${dash}` : `${low}-${high}${dash}` };
        });
        const memory = createIcd10cmNotesTable({ manifestations, codeFirst, excludes1 });
        const parsed: ParsedTabular = {
          ...parseTabularText(inSection('')),
          manifestations: manifestations.map((m) => ({ notedOn: m, appliesTo: [dotless(m)] })),
          codeFirst: [...manifestations, ...codeFirst].map((c) => ({ notedOn: c, appliesTo: [dotless(c)] })),
          excludes1: excludes1.map(({ notedOn, names }, i) => ({ notedOn, appliesTo: [dotless(notedOn)], line: i + 1, column: 1, texts: 1, references: [readCodeReference(names) as NoteReference] })),
        };
        const loaded = await builtAndLoaded(parsed);
        expect(loaded.counts).toEqual(memory.counts);
        const all = [...probes, ...excludes1.map((n) => n.notedOn), ...manifestations, ...codeFirst].map(dotless).flatMap((c) => [c, `${c}1`]);
        for (const a of all) {
          expect(loaded.isManifestation(a)).toBe(memory.isManifestation(a));
          expect(loaded.hasCodeFirstNote(a)).toBe(memory.hasCodeFirstNote(a));
          for (const b of all) expect(loaded.excludes1(a, b)).toEqual(memory.excludes1(a, b));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('an in-memory table for tests, written as the tabular list writes codes', () => {
    const table = createIcd10cmNotesTable({
      manifestations: ['G63'],
      codeFirst: ['A41'],
      excludes1: [
        { notedOn: 'E11', names: 'E10.-' },
        { notedOn: 'E08-E13', names: 'P70-P74', appliesTo: ['E10', 'E11'] },
      ],
    });
    expect(table.excludes1('E119', 'E1010')).toEqual({ notedOn: 'E11', names: 'E10.-' });
    expect(table.excludes1('E1010', 'E119')).toBeUndefined();
    expect(table.excludes1('E1010', 'P702')).toEqual({ notedOn: 'E08-E13', names: 'P70-P74' });
    expect([table.isManifestation('G630'), table.hasCodeFirstNote('G63'), table.isManifestation('A419'), table.hasCodeFirstNote('A419')]).toEqual([true, true, false, true]);
    expect(table.counts).toMatchObject({ manifestations: 1, excludes1Notes: 2 });
    expect(() => createIcd10cmNotesTable({ excludes1: [{ notedOn: 'E11', names: 'E08-E13 with .42' }] })).toThrow(/not a code, category or range/);
    expect(() => createIcd10cmNotesTable({ manifestations: ['G6'] })).toThrow(/not an ICD-10-CM code/);
  });

  it('refuses a damaged file, naming the line', async () => {
    const header = '# claimscrub icd10cm-notes 1\n';
    const good = `${header}C\tA41\tA41\nM\tG63\tG63\nX\tE11\tE10\tE10\tE11\tE10.-\n`;
    const counts = { manifestations: 1, codeFirstCodes: 1, excludes1Notes: 1, excludes1References: 1, excludes1Entries: 1 };
    await expect(loadIcd10cmNotesTable(tableDir(good), manifestFor(counts))).resolves.toBeDefined();
    const cases: [string, string, RegExp, number | undefined][] = [
      ['cut short', good.slice(0, -3), /does not end with a line end/, undefined],
      ['no header', good.slice(header.length), /first line must be/, 1],
      ['another format version', good.replace('notes 1', 'notes 2'), /first line must be/, 1],
      ['unsorted', `${header}M\tG63\tG63\nC\tA41\tA41\nX\tE11\tE10\tE10\tE11\tE10.-\n`, /sorted and unique/, 3],
      ['a duplicate', `${header}C\tA41\tA41\nC\tA41\tA41\nX\tE11\tE10\tE10\tE11\tE10.-\n`, /sorted and unique/, 3],
      ['an unknown kind', good.replace('M\t', 'Q\t'), /unknown entry kind "Q"/, 3],
      ['a missing field', good.replace('\tE11\tE10.-', '\tE10.-'), /6 tab-separated fields, this one 5/, 4],
      ['a code with its dot', good.replace('X\tE11\t', 'X\tE1.1\t'), /"E1\.1" is not an ICD-10-CM code/, 4],
      ['a range backwards', good.replace('\tE10\tE10\t', '\tE10\tE09\t'), /ends before it starts/, 4],
      ['an empty written field', good.replace('\tE10.-', '\t'), /empty field/, 4],
      ['CRLF line ends', good.replace(/\n/g, '\r\n'), /first line must be/, 1],
    ];
    for (const [name, text, message, line] of cases) {
      const error = await loadError(tableDir(text), counts);
      expect(error.code, name).toBe('SCRUB_ERR_DATA_INVALID');
      expect(error.problems[0]?.message, name).toMatch(message);
      expect(error.problems[0]?.position.line, name).toBe(line);
    }
    const mismatch = await loadError(tableDir(good), { ...counts, excludes1Entries: 2 });
    expect(mismatch.problems.map((p) => p.message)).toEqual(['has 1 excludes1Entries, the manifest says 2']);
    const missing = await loadError(path.join(work.dir, 'nowhere'), counts);
    expect(missing.problems[0]?.message).toMatch(/cannot read the table: ENOENT/);
  });

  it('tells whether a release has a notes table', () => {
    expect(hasIcd10cmNotesTable(manifestFor({}))).toBe(true);
    expect(hasIcd10cmNotesTable({ ...manifestFor({}), tables: ['codes.txt'] })).toBe(false);
  });
});

describe('reading a tabular list file for an import', () => {
  it('reads the excerpt: source, table, counts of what was read and of the table', async () => {
    const content = await readIcd10cmTabular(TABULAR_2026);
    const bytes = readFileSync(TABULAR_2026);
    expect(content.source).toEqual({ name: 'tabular-2026-excerpt.xml', sha256: createHash('sha256').update(bytes).digest('hex'), bytes: statSync(TABULAR_2026).size });
    expect(content.tables).toEqual(buildIcd10cmNotesTables(fixture).tables);
    expect(content.counts).toEqual({ ...fixture.counts, ...buildIcd10cmNotesTables(fixture).counts });
    expect(content.unread).toHaveLength(3);
    expect(content.parseMs).toBeGreaterThan(0);
  });

  it('refuses an unreadable file and a malformed one', async () => {
    const missing = await readIcd10cmTabular(path.join(work.dir, 'missing.xml')).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ScrubError);
    expect((missing as ScrubError).code).toBe('SCRUB_ERR_INPUT_UNREADABLE');
    expect((missing as ScrubError).message).toMatch(/cannot read the tabular list \(ENOENT\)/);

    const broken = path.join(work.dir, 'broken.xml');
    writeFileSync(broken, inSection('      <diag>\n        <desc>no name</desc>\n      </diag>'));
    const invalid = await readIcd10cmTabular(broken).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ScrubError);
    expect((invalid as ScrubError).code).toBe('SCRUB_ERR_DATA_INVALID');
    expect((invalid as ScrubError).message).toMatch(/1 problem in the ICD-10-CM tabular list; nothing was imported/);
    expect((invalid as ScrubError).problems).toEqual([{ position: { file: broken, line: BODY_LINE, column: 7 }, message: expect.stringMatching(/without a <name>/) }]);
  });

  it('cross-checks the codes the notes name against the order file', () => {
    const rows = parseOrderText(readFileSync(ORDER_2026, 'utf8')).rows;
    const codes = createIcd10cmTable(
      rows.filter((r) => r.billable).map((r) => r.code),
      rows.filter((r) => !r.billable).map((r) => r.code),
    );
    const check = crossCheckTabular(fixture, (code) => codes.status(code));
    expect(check.namedCodes).toBe(74);
    // The order excerpt has C61 (named by N40's note) and E11 (named by E10's), not E10 or E08.
    expect(check.namedCodesMissing).not.toContain('C61');
    expect(check.namedCodesMissing).not.toContain('E11');
    expect(check.namedCodesMissing).toEqual(expect.arrayContaining(['E10', 'E08']));
    expect(check.tabularCodesMissing).not.toContain('E119');
    expect(check.tabularCodesMissing).toEqual(expect.arrayContaining(['E10', 'G63']));
  });
});
