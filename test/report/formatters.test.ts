import { describe, expect, it } from 'vitest';
import type { Edit, ScrubResult } from '../../engine/model/result.js';
import { statusOf } from '../../engine/model/result.js';
import {
  addToSummary,
  emptySummary,
  finalizeSummary,
  formatters,
  type FinalSummary,
  type Formatter,
  type ReportContext,
} from '../../engine/report/index.js';

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[/;

function edit(code: string, severity: Edit['severity'], extra: Partial<Edit> = {}): Edit {
  return { code, severity, category: 'coding', message: `${code} message`, path: '', help: `${code} help`, ...extra };
}

function result(claimId: string | null, edits: Edit[], line = 1): ScrubResult {
  return { claimId, source: { file: 'batch/claims.ndjson', line }, status: statusOf(edits), edits, payerPolicy: null };
}

const HELD = result(
  'CLM-HELD-1',
  [
    edit('ncci-ptp-bundled', 'error', {
      serviceLine: 2,
      path: 'serviceLines[1].procedureCode',
      message: 'Procedure 93000 is bundled into 99213 on 2026-01-05.',
      help: 'Add a distinct-service modifier when the services were separate, or remove the bundled line.',
      carc: '97',
      rule: { id: 'ncci-ptp-bundled', version: 3 },
    }),
    edit('npi-taxonomy-missing', 'warning', {
      category: 'provider',
      path: 'billingProvider.taxonomy',
      message: 'The billing provider has no taxonomy.',
    }),
  ],
  3,
);
const WARNING = result(
  'CLM-WARN-2',
  [edit('pos-telehealth-modifier', 'warning', { serviceLine: 1, path: 'serviceLines[0].modifiers' })],
  4,
);
const CLEAN = result('CLM-CLEAN-3', [], 5);
const UNREADABLE = result(
  null,
  [edit('malformed-json', 'error', { category: 'structure', message: 'The claim text is not valid JSON.' })],
  6,
);

const CONTEXT: ReportContext = {
  engine: { name: 'claimscrub', version: '0.1.0' },
  bundle: { hash: 'sha256-0123456789abcdef' },
  schemaVersion: 1,
  inputErrors: [{ file: 'batch/missing.ndjson', code: 'SCRUB_ERR_INPUT_UNREADABLE', message: 'The file does not exist.' }],
  data: [{ table: 'icd10cm', release: 'fy2026', effective: '2025-10-01', sourceFiles: [{ name: 'icd10cm_order_2026.txt', sha256: 'ab'.repeat(32) }] }],
  submissionDate: '2026-10-15',
  batchChecks: true,
};

function summaryOf(results: ScrubResult[]): FinalSummary {
  const summary = emptySummary();
  for (const r of results) addToSummary(summary, r, { id: r.claimId, totalCharge: 125.5, payer: { id: 'PAYER-A' } });
  return finalizeSummary(summary);
}

function render(
  formatter: Formatter,
  results: ScrubResult[],
  options: { quiet?: boolean; color?: boolean } = {},
  context = CONTEXT,
): string {
  let text = formatter.header(context, options);
  results.forEach((r, index) => {
    text += formatter.result(r, { ...options, index });
  });
  return text + formatter.footer(summaryOf(results), context, options);
}

describe('ndjson formatter', () => {
  it('writes one result per line and the summary last', () => {
    const results = [HELD, WARNING, CLEAN, UNREADABLE];
    const text = render(formatters.ndjson, results);
    expect(text.endsWith('\n')).toBe(true);
    const lines = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    expect(lines).toHaveLength(results.length + 1);
    expect(lines.slice(0, -1)).toEqual(results);
    expect(lines.at(-1)).toEqual({ summary: summaryOf(results), inputErrors: CONTEXT.inputErrors, data: CONTEXT.data, submissionDate: '2026-10-15', batchChecks: true });
  });

  it('writes every result, also when quiet, and no header', () => {
    expect(formatters.ndjson.header(CONTEXT)).toBe('');
    expect(formatters.ndjson.result(CLEAN, { index: 0, quiet: true })).toBe(`${JSON.stringify(CLEAN)}\n`);
  });
});

describe('json formatter', () => {
  for (const results of [[], [HELD], [HELD, CLEAN, UNREADABLE]]) {
    it(`writes one valid document for ${results.length} result(s) that round-trips them`, () => {
      const text = render(formatters.json, results);
      const doc = JSON.parse(text) as Record<string, unknown>;
      expect(Object.keys(doc)).toEqual(['schemaVersion', 'engine', 'bundle', 'submissionDate', 'batchChecks', 'results', 'inputErrors', 'data', 'summary']);
      expect(doc).toEqual({
        schemaVersion: 1,
        engine: { name: 'claimscrub', version: '0.1.0' },
        bundle: { hash: 'sha256-0123456789abcdef' },
        submissionDate: '2026-10-15',
        batchChecks: true,
        results,
        inputErrors: CONTEXT.inputErrors,
        data: CONTEXT.data,
        summary: summaryOf(results),
      });
    });
  }

  it('puts the separator before every result but the first, so texts join in any thread', () => {
    const first = formatters.json.result(HELD, { index: 0 });
    const later = formatters.json.result(CLEAN, { index: 7 });
    expect(first.startsWith(',')).toBe(false);
    expect(later.startsWith(',')).toBe(true);
    // Two "workers" formatting halves independently produce the same text as one.
    const results = [HELD, WARNING, CLEAN, UNREADABLE];
    const one = results.map((r, index) => formatters.json.result(r, { index })).join('');
    const a = results
      .slice(0, 2)
      .map((r, i) => formatters.json.result(r, { index: i }))
      .join('');
    const b = results
      .slice(2)
      .map((r, i) => formatters.json.result(r, { index: 2 + i }))
      .join('');
    expect(a + b).toBe(one);
  });

  it('writes every result when quiet', () => {
    const doc = JSON.parse(render(formatters.json, [CLEAN, WARNING], { quiet: true })) as { results: unknown[] };
    expect(doc.results).toEqual([CLEAN, WARNING]);
  });

  it('uses the schema version of the context', () => {
    const doc = JSON.parse(render(formatters.json, [], {}, { ...CONTEXT, schemaVersion: 2, inputErrors: [] })) as Record<string, unknown>;
    expect(doc['schemaVersion']).toBe(2);
    expect(doc['inputErrors']).toEqual([]);
  });
});

describe('stylish formatter', () => {
  const stylish = formatters.stylish;

  it('shows a held claim with its source, status, edits, line numbers, paths, codes and help', () => {
    const text = stylish.result(HELD, { index: 0 });
    const lines = text.split('\n');
    expect(lines[0]).toBe('CLM-HELD-1  batch/claims.ndjson:3  HELD');
    expect(lines[1]).toMatch(
      /^ {2}error {4}line 2 {2}serviceLines\[1\]\.procedureCode {2}Procedure 93000 is bundled into 99213 on 2026-01-05\. {2}ncci-ptp-bundled$/,
    );
    expect(lines[2]).toMatch(/^ {11}help: Add a distinct-service modifier/);
    expect(text).toContain('warning');
    expect(text).toContain('billingProvider.taxonomy');
    expect(text).toContain('npi-taxonomy-missing');
    expect(text.endsWith('\n\n')).toBe(true);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(120);
  });

  it('names an unreadable claim', () => {
    expect(stylish.result(UNREADABLE, { index: 0 })).toContain('(unreadable claim)  batch/claims.ndjson:6  HELD');
  });

  it('prints nothing for clean claims', () => {
    expect(stylish.result(CLEAN, { index: 0 })).toBe('');
    expect(stylish.result(result('INFO', [edit('fyi', 'info')]), { index: 0 })).toBe('');
  });

  it('shows warning-only claims unless quiet, and only error edits when quiet', () => {
    expect(stylish.result(WARNING, { index: 0 })).toContain('CLM-WARN-2');
    expect(stylish.result(WARNING, { index: 0 })).toContain('WARNING');
    expect(stylish.result(WARNING, { index: 0, quiet: true })).toBe('');
    const quiet = stylish.result(HELD, { index: 0, quiet: true });
    expect(quiet).toContain('ncci-ptp-bundled');
    expect(quiet).not.toContain('npi-taxonomy-missing');
    expect(quiet).toContain('1 warning or info edit not shown');
  });

  it('has no ANSI codes without color, and has them with color', () => {
    const results = [HELD, WARNING, CLEAN, UNREADABLE];
    expect(render(stylish, results)).not.toMatch(ANSI);
    expect(render(stylish, results, { color: false })).not.toMatch(ANSI);
    expect(render(stylish, results, { color: true })).toMatch(ANSI);
    // Color changes the look only: stripped, the text is the same.
    // eslint-disable-next-line no-control-regex
    expect(render(stylish, results, { color: true }).replace(/\u001b\[[0-9;]*m/g, '')).toBe(render(stylish, results));
  });

  it('does not let claim values write control characters to the terminal', () => {
    const hostile = result('EVIL\u001b[2J\u202e', [edit('x', 'error', { message: 'bad\nvalue\u0007' })]);
    const text = stylish.result(hostile, { index: 0, color: false });
    expect(text).not.toMatch(ANSI);
    expect(text).not.toContain('\u0007');
    expect(text).not.toContain('\u202e');
    expect(text).toContain('EVIL\\u{1b}[2J\\u{202e}');
    expect(text.split('\n').filter((line) => line !== '')).toHaveLength(3);
  });

  it('writes a footer with counts, shares, clean claim rate, held charges, top codes, categories, payers, procedures and input errors', () => {
    const footer = stylish.footer(summaryOf([HELD, WARNING, CLEAN, UNREADABLE]), CONTEXT);
    expect(footer).toContain('Claims            4');
    expect(footer).toMatch(/Clean +1 +25\.0%/);
    expect(footer).toMatch(/Warning +1 +25\.0%/);
    expect(footer).toMatch(/Held +2 +50\.0%/);
    expect(footer).toMatch(/Clean claim rate +50\.0%/);
    expect(footer).toMatch(/Held charges +\$251\.00/);
    expect(footer).toMatch(/ncci-ptp-bundled +coding +\$125\.50/);
    expect(footer).toContain('Edits by category');
    expect(footer).toMatch(/Top payers by edits\n +4 +PAYER-A/);
    expect(footer).toContain('Top procedure codes by line edits');
    expect(footer).toContain('Input errors (1)');
    expect(footer).toContain('batch/missing.ndjson  SCRUB_ERR_INPUT_UNREADABLE  The file does not exist.');
    expect(footer).toContain('claimscrub 0.1.0, rule bundle sha256-0123456789abcdef');
    for (const line of footer.split('\n')) expect(line.length).toBeLessThanOrEqual(120);
    expect(footer).not.toContain('checked alone');
    const alone = stylish.footer(summaryOf([HELD]), { ...CONTEXT, batchChecks: false });
    expect(alone).toContain('Each claim was checked alone: no duplicate claims or services across claims');
  });

  it('never rounds a clean claim rate below 100% up to 100.0%', () => {
    const results = Array.from({ length: 2000 }, (_, i) => result(`C${i}`, []));
    results.push(result('H', [edit('e', 'error')]));
    expect(stylish.footer(summaryOf(results), CONTEXT)).toMatch(/Clean claim rate +>99\.9%/);
  });

  it('lists only the top 10 codes and top 5 payers', () => {
    const results = Array.from({ length: 12 }, (_, i) => result(`C${i}`, [edit(`code-${String(i).padStart(2, '0')}`, 'error')]));
    const summary = emptySummary();
    results.forEach((r, i) => addToSummary(summary, r, { payer: { id: `P${i}` }, totalCharge: 1 }));
    const footer = stylish.footer(finalizeSummary(summary), { ...CONTEXT, inputErrors: [] });
    expect(footer).toContain('Top 10 edit codes');
    expect(footer).toContain('code-09');
    expect(footer).not.toContain('code-10');
    expect(footer).toContain('Top payers by edits (top 5 of 12)');
    expect(footer).not.toContain('Input errors');
  });

  it('says so when there were no claims', () => {
    const footer = stylish.footer(finalizeSummary(emptySummary()), { ...CONTEXT, inputErrors: [] });
    expect(footer).toContain('No claims were scrubbed.');
    expect(stylish.header(CONTEXT)).toBe('');
  });
});
